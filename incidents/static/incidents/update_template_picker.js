"use strict";
// Copy the picked update template into the form. Each picker select names, in data-fill, the
// form field each template attribute goes to, and in data-templates, the JSON script holding
// the templates. Without JavaScript the server fills the empty fields on save instead.
(function () {
  function fill(select) {
    const source = document.getElementById(select.dataset.templates);
    const templates = source ? JSON.parse(source.textContent) : [];
    const template = templates.find((t) => String(t.id) === select.value);
    if (!template) {
      return;
    }
    const fills = JSON.parse(select.dataset.fill);
    for (const [attribute, fieldName] of Object.entries(fills)) {
      const field = select.form.elements.namedItem(fieldName);
      const value = template[attribute];
      if (!field || !value) {
        continue;
      }
      // A template's status may belong to the other kind (incident or maintenance).
      if (field.tagName === "SELECT" && !Array.from(field.options).some((o) => o.value === value)) {
        continue;
      }
      field.value = value;
    }
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-fill][data-templates]")) {
      fill(event.target);
    }
  });
})();
