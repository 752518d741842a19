// Progressive enhancements; every page works without this file.
// - theme toggle (remembered in localStorage)
// - the language switch lands on the section being read
// - the in-page table of contents marks the current section
// - the mobile menu closes after a choice
// - a "#" link beside each heading of the text, for copying the section's address
// - the column names of a phone's table cards
(function () {
  "use strict";
  var root = document.documentElement;

  // Instant search: the search script loads when the reader first uses the header's box.
  var searchForm = document.querySelector(".topbar .search-form");
  if (searchForm && !document.querySelector(".search-big")) {
    searchForm.querySelector("input").addEventListener("focus", function () {
      var s = document.createElement("script");
      s.src = searchForm.getAttribute("data-script");
      document.head.appendChild(s);
    }, { once: true });
  }

  // Heading links: shown on hover, for the mouse only (screen readers and the keyboard have the
  // contents box, which links every section).
  Array.prototype.forEach.call(document.querySelectorAll(".prose :is(h2, h3, h4, h5)[id]"), function (h) {
    var a = document.createElement("a");
    a.className = "anchor";
    a.href = "#" + encodeURIComponent(h.id);
    a.textContent = "#";
    a.setAttribute("aria-hidden", "true");
    a.tabIndex = -1;
    h.appendChild(a);
  });

  // Table cards: on a phone each row of a table is a card naming each value's column (style.css,
  // under html.js); the names come from the table's header, copied here into each cell. Written
  // into the page, they took 0.5 KB of a chapter with a table of a few rows.
  Array.prototype.forEach.call(document.querySelectorAll(".table-wrap table"), function (table) {
    var heads = table.tHead && table.tHead.rows.length ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (tr) {
        for (var i = 0; i < tr.cells.length; i++) {
          var cell = tr.cells[i];
          if (cell.tagName === "TD") cell.setAttribute("data-label", heads[i] ? heads[i].textContent.trim() : "");
        }
      });
    });
  });

  // Theme toggle --------------------------------------------------------------
  var toggle = document.querySelector(".theme-toggle");
  function effectiveTheme() {
    var t = root.getAttribute("data-theme");
    if (t) return t;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  function syncToggle() {
    if (toggle) toggle.setAttribute("aria-pressed", effectiveTheme() === "dark" ? "true" : "false");
  }
  if (toggle) {
    toggle.hidden = false;
    syncToggle();
    toggle.addEventListener("click", function () {
      var next = effectiveTheme() === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem("yanbao-theme", next); } catch (e) { /* not remembered */ }
      syncToggle();
    });
  }

  // Current section -------------------------------------------------------------
  var headings = Array.prototype.slice.call(
    document.querySelectorAll(".prose h2[id], .prose h3[id], .prose h4[id], .prose h5[id], .prose figure[id]")
  );
  // After following a link to a section, that section stays "current" until the reader scrolls
  // by hand (the jump itself scrolls too).
  var pinned = location.hash ? decodeURIComponent(location.hash.slice(1)) : "";
  function unpin() { pinned = ""; }
  ["wheel", "touchmove", "keydown"].forEach(function (t) { window.addEventListener(t, unpin, { passive: true }); });
  window.addEventListener("hashchange", function () { pinned = decodeURIComponent(location.hash.slice(1)); });
  function currentSection() {
    if (pinned && document.getElementById(pinned)) return pinned;
    // The section whose start is closest above the reading line (below the sticky top bar).
    var line = 110, current = null, best = -Infinity;
    for (var i = 0; i < headings.length; i++) {
      var r = headings[i].getBoundingClientRect();
      if (r.height === 0 && r.width === 0) continue; // hidden
      if (r.top - line <= 0 && r.top > best) { best = r.top; current = headings[i]; }
    }
    return current ? current.id : "";
  }

  // The language switch keeps the reader's place: same page, same section id.
  var switches = Array.prototype.slice.call(document.querySelectorAll("[data-lang-switch]"));
  switches.forEach(function (a) { a.setAttribute("data-base-href", a.getAttribute("href")); });
  function updateSwitches() {
    var id = currentSection();
    switches.forEach(function (a) {
      var base = a.getAttribute("data-base-href");
      a.setAttribute("href", id ? base + "#" + encodeURIComponent(id) : base);
    });
    markToc(id);
  }

  // Table of contents: mark the section in view.
  var tocLinks = Array.prototype.slice.call(document.querySelectorAll(".toc a[href*='#']"));
  function markToc(id) {
    tocLinks.forEach(function (a) {
      var on = id && a.getAttribute("href").split("#")[1] === id;
      if (on) a.setAttribute("aria-current", "true"); else a.removeAttribute("aria-current");
    });
  }

  var pending = false;
  window.addEventListener("scroll", function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; updateSwitches(); });
  }, { passive: true });
  window.addEventListener("hashchange", updateSwitches);
  switches.forEach(function (a) {
    a.addEventListener("pointerdown", updateSwitches);
    a.addEventListener("focus", updateSwitches);
  });
  updateSwitches();

  // Mobile menu: close after choosing a chapter.
  var menu = document.querySelector(".menu");
  if (menu) {
    menu.addEventListener("click", function (e) {
      if (e.target.closest && e.target.closest("a")) menu.removeAttribute("open");
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && menu.hasAttribute("open")) {
        menu.removeAttribute("open");
        menu.querySelector("summary").focus();
      }
    });
  }
})();
