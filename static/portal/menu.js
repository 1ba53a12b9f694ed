// The header menu is a <details> disclosure (it works without JS). On wide screens it is
// kept open and its button hidden; on phones it starts closed.
(function () {
  "use strict";
  var menu = document.querySelector("[data-site-menu]");
  if (!menu) return;
  var wide = window.matchMedia("(min-width: 48em)");
  function apply() {
    menu.open = wide.matches;
    menu.classList.toggle("site-menu--static", wide.matches);
  }
  apply();
  wide.addEventListener("change", apply);
})();
