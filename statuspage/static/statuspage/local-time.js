/* Show the page in the visitor's own time zone, dates and times alike: every <time datetime>
   is rewritten, and entries listed under day or month headings move to the heading of their
   day in that zone (statuspage/views/day_groups.py says why, and renders the spare headings
   another zone may need). Uptime days stay days of the page's zone (they are counted on the
   server): their dates name that zone, and so does the footer.
   Without JavaScript the page's time zone (with its offset) stays, which is also right. */
(function () {
  "use strict";
  if (!window.Intl || !Intl.DateTimeFormat) return;
  var root = document.documentElement;
  var pageZone = root.getAttribute("data-time-zone");
  var visitorZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!visitorZone || visitorZone === pageZone) return;
  var format = new Intl.DateTimeFormat(root.lang || undefined, {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    hourCycle: "h23", timeZoneName: "short"
  });

  function text(date) {
    var p = {};
    format.formatToParts(date).forEach(function (part) { p[part.type] = part.value; });
    return p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute + " " +
      p.timeZoneName;
  }

  // Keys are written in ASCII digits whatever the page's language ("en-CA" is YYYY-MM-DD).
  var keyFormat = new Intl.DateTimeFormat("en-CA", {
    year: "numeric", month: "2-digit", day: "2-digit"
  });

  /* "2026-03-09" (a day) or "2026-03" (a month) of `date` in the visitor's zone. */
  function key(date, kind) {
    var day = keyFormat.format(date);
    return kind === "month" ? day.slice(0, 7) : day;
  }

  /* The `count` days ending with the day `last` ("2026-03-09"), as keys. */
  function daysEnding(last, count) {
    var ymd = last.split("-").map(Number);
    var keys = [];
    for (var n = 0; n < count; n++) {
      keys.push(new Date(Date.UTC(ymd[0], ymd[1] - 1, ymd[2] - n)).toISOString().slice(0, 10));
    }
    return keys;
  }

  function rewriteTimes() {
    var times = document.querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var element = times[i];
      var date = new Date(element.getAttribute("datetime"));
      if (element.getAttribute("datetime").length < 11 || isNaN(date)) continue;
      element.title = element.textContent;
      element.textContent = text(date);
    }
  }

  /* Move each entry of a [data-regroup] list under the group of its own day (or month) in
     the visitor's zone, newest first; show the groups of the same span the page shows (the
     last days up to today there, or the page's months), each saying when it is empty. */
  function regroup(list) {
    var kind = list.getAttribute("data-regroup");
    var groups = Array.prototype.slice.call(list.querySelectorAll("[data-group]"));
    var byKey = {};
    groups.forEach(function (group) { byKey[group.getAttribute("data-group")] = group; });
    var shown = groups.filter(function (group) { return !group.hidden; })
      .map(function (group) { return group.getAttribute("data-group"); });
    if (kind === "day") {
      shown = daysEnding(key(new Date(list.getAttribute("data-now")), "day"), shown.length);
    }
    var entries = Array.prototype.slice.call(list.querySelectorAll("[data-at]"));
    entries.sort(function (a, b) {
      return new Date(b.getAttribute("data-at")) - new Date(a.getAttribute("data-at"));
    });
    entries.forEach(function (entry) {
      var group = byKey[key(new Date(entry.getAttribute("data-at")), kind)];
      if (group) group.appendChild(entry);
      else entry.hidden = true;  // a day no heading here shows: on the next page, or gone
    });
    groups.forEach(function (group) {
      group.hidden = shown.indexOf(group.getAttribute("data-group")) < 0;
      var empty = group.querySelector(".empty");
      if (empty) empty.hidden = group.querySelector("[data-at]:not([hidden])") !== null;
    });
  }

  function rewriteNote() {
    var note = document.getElementById("time-zone-note");
    if (!note || !note.getAttribute("data-visitor")) return;
    // Where uptime days are shown, say they stay days of the page's zone.
    var days = document.querySelector("[data-zone-note]");
    var template = days ? days.getAttribute("data-zone-note") : note.getAttribute("data-visitor");
    note.textContent = template.replace("{zone}", visitorZone);
  }

  function rewrite() {
    rewriteTimes();
    Array.prototype.forEach.call(document.querySelectorAll("[data-regroup]"), regroup);
    rewriteNote();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", rewrite);
  } else {
    rewrite();
  }
})();
