// Applies the reader's saved theme before the page paints (loaded in <head>, no inline script).
(function () {
  try {
    var t = localStorage.getItem("yanbao-theme");
    if (t === "light" || t === "dark") document.documentElement.setAttribute("data-theme", t);
  } catch (e) { /* storage blocked: follow the system theme */ }
})();
