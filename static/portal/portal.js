// Small enhancements of every page; each page works without them.
(function () {
  "use strict";

  // The header menu is a <details> disclosure (it works without JS). On wide screens it is
  // kept open and its button hidden; on phones it starts closed.
  var menu = document.querySelector("[data-site-menu]");
  if (menu) {
    var wide = window.matchMedia("(min-width: 48em)");
    var apply = function () {
      menu.open = wide.matches;
      menu.classList.toggle("site-menu--static", wide.matches);
    };
    apply();
    wide.addEventListener("change", apply);
  }

  // A table wider than the screen scrolls sideways in its .table-wrap: make that region
  // reachable and scrollable from the keyboard, named after the table's caption.
  function tablesFocusable() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        var caption = wrap.querySelector("caption");
        wrap.setAttribute("aria-label", caption ? caption.textContent.trim() : "Tableau");
      } else if (wrap.getAttribute("tabindex") === "0") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }
  tablesFocusable();
  window.addEventListener("resize", tablesFocusable);
})();
