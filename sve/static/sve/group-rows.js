// Repeatable groups of the filing page, in the browser: "Ajouter une ligne" and "Supprimer
// cette ligne" act on the page instead of posting it (files already chosen stay chosen).
// Without this script the same buttons post the form and the server redraws it.
(function () {
  "use strict";

  function rows(group) {
    return Array.prototype.slice.call(group.querySelectorAll("[data-sve-row]"));
  }

  // Give a row the index `index`: names, ids, labels, title and its remove button.
  function renumber(group, row, index) {
    var name = group.getAttribute("data-sve-group");
    var pattern = new RegExp("(" + name + "__)\\d+(__)");
    row.querySelectorAll("[name], [id], label[for]").forEach(function (el) {
      ["name", "id", "for"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.replace(pattern, "$1" + index + "$2"));
      });
    });
    row.querySelectorAll("label").forEach(function (label) {
      label.childNodes.forEach(function (node) {
        if (node.nodeType === 3) node.textContent = node.textContent.replace(/n°\d+/, "n°" + (index + 1));
      });
    });
    var title = row.querySelector("[data-sve-row-title]");
    if (title) title.textContent = "Ligne n°" + (index + 1);
    var remove = row.querySelector('button[value^="supprimer:"]');
    if (remove) remove.value = "supprimer:" + name + ":" + index;
  }

  function clear(row) {
    row.querySelectorAll("input, textarea, select").forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") el.checked = false;
      else el.value = "";
    });
    row.querySelectorAll(".fr-error-text").forEach(function (el) { el.remove(); });
    row.querySelectorAll(".fr-input-group--error").forEach(function (el) {
      el.classList.remove("fr-input-group--error");
    });
  }

  function refresh(group) {
    var all = rows(group);
    all.forEach(function (row, index) { renumber(group, row, index); });
    group.querySelector("[data-sve-rows]").value = all.length;
    var add = group.querySelector("[data-sve-add]");
    var full = all.length >= parseInt(group.getAttribute("data-sve-max"), 10);
    if (add) {
      add.hidden = full;
      add.disabled = full;
    }
    var notice = group.querySelector("[data-sve-full]");
    if (notice) notice.hidden = !full;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[value]");
    if (!button) return;
    var group = button.closest("[data-sve-group]");
    if (!group) return;
    var all = rows(group);
    if (button.hasAttribute("data-sve-add")) {
      event.preventDefault();
      var copy = all[all.length - 1].cloneNode(true);
      clear(copy);
      all[all.length - 1].after(copy);
      refresh(group);
      var first = copy.querySelector("input, textarea, select");
      if (first) first.focus();
    } else if (button.value.indexOf("supprimer:") === 0) {
      event.preventDefault();
      var row = button.closest("[data-sve-row]");
      if (all.length > 1) row.remove();
      else clear(row);
      refresh(group);
    }
  });
})();
