// The top bar's menus: opening one closes the others, and a click elsewhere or Esc closes it.
// Without this file the menus still open and close (details/summary); this only tidies.
(function () {
  "use strict";
  function closeAll(except) {
    document.querySelectorAll("details.navmenu[open]").forEach(function (d) {
      if (d !== except) { d.removeAttribute("open"); }
    });
  }
  document.addEventListener("toggle", function (e) {
    if (e.target.matches && e.target.matches("details.navmenu") && e.target.open) { closeAll(e.target); }
  }, true);
  document.addEventListener("click", function (e) {
    if (!e.target.closest("details.navmenu")) { closeAll(null); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { closeAll(null); }
  });
})();
