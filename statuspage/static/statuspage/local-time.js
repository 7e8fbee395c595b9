/* Show every <time datetime> of the page in the visitor's own time zone.
   Without JavaScript the page's time zone (with its offset) stays, which is also right. */
(function () {
  "use strict";
  if (!window.Intl || !Intl.DateTimeFormat) return;
  var root = document.documentElement;
  var visitorZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!visitorZone || visitorZone === root.getAttribute("data-time-zone")) return;
  var format = new Intl.DateTimeFormat(root.lang || undefined, {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    hourCycle: "h23", timeZoneName: "short"
  });

  function text(date) {
    var parts = {};
    format.formatToParts(date).forEach(function (part) { parts[part.type] = part.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + " " + parts.hour + ":" +
      parts.minute + " " + parts.timeZoneName;
  }

  function rewrite() {
    var times = document.querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var element = times[i];
      var date = new Date(element.getAttribute("datetime"));
      if (element.getAttribute("datetime").length < 11 || isNaN(date)) continue;
      element.title = element.textContent;
      element.textContent = text(date);
    }
    var note = document.getElementById("time-zone-note");
    if (note && note.getAttribute("data-visitor")) {
      note.textContent = note.getAttribute("data-visitor").replace("{zone}", visitorZone);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", rewrite);
  } else {
    rewrite();
  }
})();
