// Applies the reader's saved theme before the page paints (loaded in <head>, no inline script),
// and marks the page `html.js`: yanbao.js will run, so the style sheet may lay out what it
// completes (a phone's table cards, whose column names it fills in).
(function () {
  document.documentElement.classList.add("js");
  try {
    var t = localStorage.getItem("yanbao-theme");
    if (t === "light" || t === "dark") document.documentElement.setAttribute("data-theme", t);
  } catch (e) { /* storage blocked: follow the system theme */ }
})();
