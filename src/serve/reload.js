// Live reload for `yanbao serve` (never part of a hosted build). Reloads the page after each good
// rebuild at the same scroll position, and shows build errors over the page until they are fixed.
(function () {
  "use strict";
  var key = "yanbao-scroll:" + location.pathname;
  try {
    var saved = JSON.parse(sessionStorage.getItem(key) || "null");
    if (saved) {
      sessionStorage.removeItem(key);
      var restore = function () { window.scrollTo(0, saved.y); };
      if (document.readyState === "complete") restore(); else window.addEventListener("load", restore);
    }
  } catch (e) { /* no storage: reload at the top */ }

  var overlay = null;
  function show(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "yanbao-error";
      overlay.setAttribute("role", "alert");
      var s = overlay.style;
      s.position = "fixed"; s.inset = "0"; s.zIndex = "2147483647"; s.overflow = "auto";
      s.background = "rgba(20,20,24,0.94)"; s.color = "#f3f3f3"; s.padding = "2rem";
      s.font = "14px/1.5 ui-monospace, Menlo, Consolas, monospace";
      var h = document.createElement("p");
      h.textContent = "yanbao: the last edit does not build. The page shows the last good build; fix the problem and save.";
      h.style.color = "#ffb4a0"; h.style.fontWeight = "bold";
      var pre = document.createElement("pre");
      pre.style.whiteSpace = "pre-wrap";
      overlay.appendChild(h);
      overlay.appendChild(pre);
      document.body.appendChild(overlay);
    }
    overlay.querySelector("pre").textContent = text;
  }

  var source = new EventSource("/__yanbao/events");
  source.addEventListener("reload", function () {
    try { sessionStorage.setItem(key, JSON.stringify({ y: window.scrollY })); } catch (e) { /* ignore */ }
    location.reload();
  });
  source.addEventListener("problem", function (e) { show(e.data); });
})();
