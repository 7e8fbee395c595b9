"use strict";
// The audience preview beside "Notify subscribers": asked again of the server (JSON) whenever
// a component status or the update's status changes, so the engineer sees whom the update
// reaches before posting. Without JavaScript the preview shows the incident's components.
(function () {
  function start() {
    var output = document.querySelector("output.audience-preview");
    if (!output) return;
    var form = output.closest("form");
    function refresh() {
      var params = new URLSearchParams();
      form.querySelectorAll("select[name^='component_']").forEach(function (select) {
        if (select.value) params.append("component", select.name.slice("component_".length));
      });
      var status = form.querySelector("select[name='status'], select[name='update_status']");
      if (status) params.set("status", status.value);
      if (output.dataset.declaring) params.set("declaring", "1");
      if (output.dataset.incident) params.set("incident", output.dataset.incident);
      fetch(output.dataset.url + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (preview) { if (preview) output.textContent = preview.text; });
    }
    form.addEventListener("change", function (event) {
      if (event.target.matches("select")) refresh();
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
