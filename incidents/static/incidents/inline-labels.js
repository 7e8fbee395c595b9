"use strict";
// A tabular inline's cells carry their column's heading as data-label, so that on a phone,
// where console.css stacks each row into a block, every field is named above its input. The
// empty row that "Add another" copies is labelled too. Without JavaScript the rows still stack,
// in the columns' order.
(function () {
  function label(table) {
    var names = {};
    table.querySelectorAll("thead th[class*='column-']").forEach(function (th) {
      var column = Array.prototype.find.call(th.classList, function (name) {
        return name.indexOf("column-") === 0;
      });
      names["field-" + column.slice("column-".length)] = th.textContent.trim();
    });
    table.querySelectorAll("tbody td[class*='field-']").forEach(function (td) {
      Array.prototype.forEach.call(td.classList, function (name) {
        if (names[name]) td.dataset.label = names[name];
      });
    });
  }
  function start() {
    document.querySelectorAll(".inline-group .tabular table").forEach(label);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
