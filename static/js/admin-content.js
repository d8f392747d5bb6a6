// toasoan back office: the content model's small helpers — picking a suggested tag into
// the article form's tag field, and "select all" on the article list's bulk actions.
// Everything works without it: the tag field is plain text, the checkboxes plain boxes.
(function () {
  "use strict";

  // A suggested tag replaces the word being typed (the part after the last comma).
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-tag-add]");
    if (!btn) return;
    var input = document.getElementById("a-tags");
    if (!input) return;
    var parts = input.value.split(/[,;]/);
    parts.pop();
    parts = parts.map(function (p) { return p.trim(); }).filter(function (p) { return p !== ""; });
    parts.push(btn.getAttribute("data-tag-add"));
    input.value = parts.join(", ") + ", ";
    var box = document.getElementById("tag-suggestions");
    if (box) box.innerHTML = "";
    input.focus();
  });

  // The list's "select all" box ticks every article's box.
  document.addEventListener("change", function (e) {
    var all = e.target.closest("[data-select-all]");
    if (!all) return;
    // The form's id as written: form.id would name its control called "id".
    var formID = all.getAttribute("data-select-all");
    if (!/^[a-z-]+$/.test(formID)) return;
    document.querySelectorAll("input[name=id][form=" + formID + "]").forEach(function (box) {
      box.checked = all.checked;
    });
  });
})();
