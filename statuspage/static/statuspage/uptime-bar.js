/* Keyboard use of the uptime bars and calendars: one Tab stop each, arrow keys move between
   its days, Enter on a day with incidents opens that day's history. Without JavaScript a
   bar's stop is its last day (today) and a calendar's every day; each day names itself in
   words either way, and a pointer follows a day's link.
   Uptime days are days of the page's time zone (counted on the server from the status
   history): where the visitor's zone differs, each day's date says which zone it is of. */
(function () {
  "use strict";
  var KEYS = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };

  function visible(cells) {
    return cells.filter(function (cell) { return cell.offsetParent !== null; });
  }

  function follow(cell) {
    var link = cell.tagName === "A" ? null : cell.querySelector("a[href]");
    if (link) link.click();
  }

  function setUp(container, step, selector) {
    var cells = Array.prototype.slice.call(container.querySelectorAll(selector));
    if (!cells.length) return;
    cells.forEach(function (cell) { cell.tabIndex = -1; });
    cells[cells.length - 1].tabIndex = 0;
    container.addEventListener("keydown", function (event) {
      var shown = visible(cells);
      var index = shown.indexOf(document.activeElement);
      if (index < 0) return;
      if (event.key === "Enter") return follow(shown[index]);
      var target = index;
      if (event.key in KEYS) target = index + (step === 1 ? Math.sign(KEYS[event.key]) : KEYS[event.key]);
      else if (event.key === "Home") target = 0;
      else if (event.key === "End") target = shown.length - 1;
      else return;
      target = Math.max(0, Math.min(shown.length - 1, target));
      event.preventDefault();
      shown[index].tabIndex = -1;
      shown[target].tabIndex = 0;
      shown[target].focus();
    });
  }

  /* " (Asia/Tokyo)" after each day's date when the visitor's zone is another: a bar's day
     names itself in its aria-label (its first line is the date), a calendar's in its tip. */
  function nameTheZone() {
    var pageZone = document.documentElement.getAttribute("data-time-zone");
    var visitorZone = window.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!pageZone || !visitorZone || visitorZone === pageZone) return;
    var suffix = " (" + pageZone + ")";
    document.querySelectorAll(".bar > li[aria-label]").forEach(function (cell) {
      var label = cell.getAttribute("aria-label");
      var end = label.indexOf("\n");
      if (end < 0) end = label.length;
      cell.setAttribute("aria-label", label.slice(0, end) + suffix + label.slice(end));
    });
    document.querySelectorAll(".calendar .tip > strong").forEach(function (date) {
      date.textContent += suffix;
    });
  }

  function start() {
    document.querySelectorAll(".bar").forEach(function (bar) { setUp(bar, 1, ":scope > li"); });
    document.querySelectorAll(".calendar").forEach(function (table) { setUp(table, 7, ".day"); });
    nameTheZone();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
