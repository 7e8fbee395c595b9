/* Keyboard use of the uptime bars and calendars: one Tab stop each, arrow keys move between
   its days. Without JavaScript a bar's stop is its last day (today) and a calendar's every
   day; each day names itself in words either way. */
(function () {
  "use strict";
  var KEYS = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };

  function visible(cells) {
    return cells.filter(function (cell) { return cell.offsetParent !== null; });
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

  function start() {
    document.querySelectorAll(".bar").forEach(function (bar) { setUp(bar, 1, ":scope > li"); });
    document.querySelectorAll(".calendar").forEach(function (table) { setUp(table, 7, ".day[tabindex]"); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
