// The form builder, in the browser: "Ajouter un champ", "Supprimer", "Monter"/"Descendre"
// (for fields and a group's sub-fields) act on the page instead of posting it; changing a
// field's type shows only that type's options; the preview beside the builder is fetched
// again from the server after each change. Without this script the same buttons post the
// form and the server redraws the page (sve.builder.builder_rows_edit).
(function () {
  "use strict";

  var form = document.querySelector("[data-builder]");
  if (!form) return;
  var list = form.querySelector("[data-builder-fields]");
  var preview = document.querySelector("[data-builder-preview]");

  function children(parent, selector) {
    return Array.prototype.filter.call(parent.children, function (el) {
      return el.matches(selector);
    });
  }

  function rewrite(el, pattern, replacement) {
    ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
      var value = el.getAttribute(attr);
      if (value) el.setAttribute(attr, value.replace(pattern, replacement));
    });
  }

  // Give every field its index i (and each sub-field its index j): input names, ids,
  // labels, numbers shown and the values of the buttons (used without this script).
  // Two passes, through names no other row has ("t0", "t1"...): renaming a row straight to
  // a name another row still holds would put their radio buttons in one group, and the
  // browser unchecks one row's choice (e.g. "Nombre décimal") when the other's is checked.
  function renumber() {
    number("t");
    number("");
  }

  function number(mark) {
    children(list, "[data-builder-row]").forEach(function (row, i) {
      row.querySelectorAll("[name], [id], label[for], [aria-describedby]").forEach(function (el) {
        rewrite(el, /champs-[^-\s]+-/g, "champs-" + mark + i + "-");
      });
      var subs = row.querySelector("[data-builder-subs]");
      children(subs, "[data-builder-sub]").forEach(function (sub, j) {
        sub.querySelectorAll("[name], [id], label[for], [aria-describedby]").forEach(function (el) {
          rewrite(el, /-sous-[^-\s]+-/g, "-sous-" + mark + j + "-");
        });
        if (mark) return;
        sub.querySelector("[data-builder-number]").textContent = j + 1;
        sub.querySelectorAll("[data-builder-action^='sous-']").forEach(function (b) {
          b.value = b.getAttribute("data-builder-action") + ":" + i + ":" + j;
        });
      });
      if (mark) return;
      row.querySelector("[data-builder-number]").textContent = i + 1;
      row.querySelectorAll("[data-builder-action^='champ-'], [data-builder-action='sous-ajouter']").forEach(function (b) {
        b.value = b.getAttribute("data-builder-action") + ":" + i;
      });
    });
  }

  function fromTemplate(kind) {
    var template = form.querySelector("[data-builder-template='" + kind + "']");
    return template.content.firstElementChild.cloneNode(true);
  }

  // Show the options of the row's type only (the server ignores the others).
  function showOptions(row) {
    var select = row.querySelector("select[name$='-type']");
    var kind = select.value;
    row.querySelectorAll("[data-builder-types]").forEach(function (box) {
      if (box.closest("[data-builder-sub], [data-builder-row]") !== row) return;
      box.hidden = box.getAttribute("data-builder-types").split(" ").indexOf(kind) < 0;
    });
    var subs = row.querySelector("[data-builder-subs]");
    if (kind === "group" && subs && !subs.querySelector("[data-builder-sub]")) {
      subs.appendChild(fromTemplate("sous"));
      renumber();
    }
  }

  var timer = null;
  var pending = null;
  function refreshPreview() {
    if (!preview) return;
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (pending) pending.abort();
      pending = new AbortController();
      fetch(form.getAttribute("data-preview-url"), {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        signal: pending.signal,
      })
        .then(function (response) {
          return response.ok ? response.text() : null;
        })
        .then(function (html) {
          if (html !== null) {
            preview.innerHTML = html;
            preview.setAttribute("data-builder-fresh", String(Date.now()));
          }
        })
        .catch(function () {});
    }, 300);
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-builder-add], button[data-builder-action]");
    if (!button) return;
    event.preventDefault();
    var action = button.getAttribute("data-builder-action") || "champ-ajouter";
    var row = button.closest("[data-builder-row]");
    var item = action.indexOf("sous-") === 0 ? button.closest("[data-builder-sub]") : row;
    var focus = null;
    if (action === "champ-ajouter") {
      item = fromTemplate("champ");
      list.appendChild(item);
      focus = item.querySelector("input, select, textarea");
    } else if (action === "sous-ajouter") {
      item = fromTemplate("sous");
      row.querySelector("[data-builder-subs]").appendChild(item);
      focus = item.querySelector("input, select, textarea");
    } else if (/supprimer$/.test(action)) {
      var next = item.nextElementSibling || item.previousElementSibling;
      item.remove();
      focus = next ? next.querySelector("input, select, textarea") : form.querySelector("[data-builder-add]");
    } else if (/monter$/.test(action) && item.previousElementSibling) {
      item.parentNode.insertBefore(item, item.previousElementSibling);
      focus = button;
    } else if (/descendre$/.test(action) && item.nextElementSibling) {
      item.parentNode.insertBefore(item.nextElementSibling, item);
      focus = button;
    }
    renumber();
    if (focus) focus.focus();
    refreshPreview();
  });

  form.addEventListener("change", function (event) {
    if (event.target.matches("select[name$='-type']")) {
      showOptions(event.target.closest("[data-builder-sub], [data-builder-row]"));
    }
    refreshPreview();
  });
  form.addEventListener("input", refreshPreview);
})();
