// Search for the report, loaded only on the search page. The index (search/<lang>.json) is built
// by yanbao; queries are tokenised by the same rules as src/search.rs: Chinese as overlapping
// character pairs, other text as lower-case words without plural endings.
(function (global) {
  "use strict";

  function isCjk(c) {
    var n = c.codePointAt(0);
    return (n >= 0x3400 && n <= 0x4dbf) || (n >= 0x4e00 && n <= 0x9fff) ||
      (n >= 0xf900 && n <= 0xfaff) || (n >= 0x20000 && n <= 0x2fa1f);
  }
  function isWordChar(c) { return /[\p{L}\p{N}]/u.test(c); }
  function isAscii(s) { return /^[\x00-\x7f]*$/.test(s); }

  function stem(w) {
    var n = Array.from(w).length;
    if (!isAscii(w) || n <= 3) return w;
    if (w.endsWith("ies") && n > 4) return w.slice(0, -3) + "y";
    if (w.endsWith("ss") || (w.endsWith("us") && n > 4) || w.endsWith("is")) return w;
    var ends = ["sses", "xes", "zes", "ches", "shes"];
    for (var i = 0; i < ends.length; i++) if (w.endsWith(ends[i])) return w.slice(0, -2);
    return w.endsWith("s") ? w.slice(0, -1) : w;
  }

  function tokens(text) {
    var out = [], run = [], word = "";
    function flushRun() {
      if (run.length === 1) out.push(run[0]);
      for (var i = 0; i + 1 < run.length; i++) out.push(run[i] + run[i + 1]);
      run = [];
    }
    function flushWord() { if (word) { out.push(stem(word.toLowerCase())); word = ""; } }
    Array.from(text).forEach(function (c) {
      if (isCjk(c)) { flushWord(); run.push(c); }
      else if (isWordChar(c)) { flushRun(); word += c; }
      else { flushRun(); flushWord(); }
    });
    flushRun(); flushWord();
    return out;
  }

  // Documents matching every query term; ranked by where and how often the query occurs.
  function search(index, query) {
    var q = tokens(query);
    if (!q.length) return [];
    var lists = [];
    for (var i = 0; i < q.length; i++) {
      var l = index.terms[q[i]];
      if (!l && q[i].length === 1 && isCjk(q[i])) {
        // A single Chinese character: any pair that contains it.
        var merged = {};
        Object.keys(index.terms).forEach(function (t) {
          if (t.indexOf(q[i]) >= 0) index.terms[t].forEach(function (d) { merged[d] = true; });
        });
        l = Object.keys(merged).map(Number);
      }
      if (!l || !l.length) return [];
      lists.push(l);
    }
    lists.sort(function (a, b) { return a.length - b.length; });
    var hits = lists[0].filter(function (d) {
      return lists.every(function (l) { return l.indexOf(d) >= 0; });
    });
    var needles = needlesOf(query);
    var results = hits.map(function (d) {
      var doc = index.docs[d];
      var hay = (doc[1] + " " + doc[2] + " " + doc[3]).toLowerCase();
      var score = 0;
      needles.forEach(function (n) {
        if (doc[2].toLowerCase().indexOf(n) >= 0) score += 5;
        score += Math.min(count(hay, n), 5);
      });
      return { doc: doc, score: score };
    }).filter(function (r) {
      // Pairs can match separately; Chinese phrases must appear as typed.
      return needles.every(function (n) {
        return !hasCjk(n) || (r.doc[1] + r.doc[2] + r.doc[3]).indexOf(n) >= 0;
      });
    });
    results.sort(function (a, b) { return b.score - a.score; });
    return results;
  }
  function hasCjk(s) { return Array.from(s).some(isCjk); }
  function count(hay, n) { var c = 0, i = 0; while ((i = hay.indexOf(n, i)) >= 0) { c++; i += n.length; } return c; }
  function needlesOf(query) {
    return query.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean).map(function (w) {
      return hasCjk(w) ? w : stem(w);
    });
  }

  // An excerpt around the first match, with matches marked (built with DOM nodes, never innerHTML).
  function excerpt(text, needles, width) {
    var lower = text.toLowerCase(), at = -1;
    needles.forEach(function (n) { var i = lower.indexOf(n); if (i >= 0 && (at < 0 || i < at)) at = i; });
    var start = Math.max(0, at - width / 2), end = Math.min(text.length, start + width);
    var frag = document.createDocumentFragment();
    var piece = text.slice(start, end), lowerPiece = piece.toLowerCase();
    if (start > 0) frag.appendChild(document.createTextNode("…"));
    var i = 0;
    while (i < piece.length) {
      var next = -1, len = 0;
      needles.forEach(function (n) {
        var j = lowerPiece.indexOf(n, i);
        if (j >= 0 && (next < 0 || j < next)) { next = j; len = n.length; }
      });
      if (next < 0) { frag.appendChild(document.createTextNode(piece.slice(i))); break; }
      if (next > i) frag.appendChild(document.createTextNode(piece.slice(i, next)));
      var m = document.createElement("mark");
      // English needles are stems: extend the mark to the end of the word.
      var stop = next + len;
      while (stop < piece.length && /[a-z]/i.test(piece[stop]) && !hasCjk(piece[stop])) stop++;
      m.textContent = piece.slice(next, stop);
      frag.appendChild(m);
      i = stop;
    }
    if (end < text.length) frag.appendChild(document.createTextNode("…"));
    return frag;
  }

  function run() {
    var form = document.querySelector(".search-big");
    if (!form) return;
    var input = form.querySelector("input");
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    var rootPrefix = form.getAttribute("data-root") || "";
    var index = null, loading = null;

    function load() {
      if (index) return Promise.resolve(index);
      if (!loading) {
        status.textContent = status.getAttribute("data-loading");
        loading = fetch(form.getAttribute("data-index"))
          .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
          .then(function (j) { index = j; return j; });
      }
      return loading;
    }

    function show(query) {
      list.textContent = "";
      if (!query.trim()) { status.textContent = ""; return; }
      load().then(function (idx) {
        var results = search(idx, query);
        var needles = needlesOf(query);
        status.textContent = results.length ? results.length + " " + status.getAttribute("data-count") : status.getAttribute("data-none");
        results.slice(0, 50).forEach(function (r) {
          var li = document.createElement("li");
          var where = document.createElement("div");
          where.className = "where";
          where.textContent = r.doc[1];
          var a = document.createElement("a");
          a.href = rootPrefix + r.doc[0];
          a.textContent = r.doc[2] || r.doc[1];
          var p = document.createElement("p");
          p.appendChild(excerpt(r.doc[3], needles, 90));
          li.appendChild(where); li.appendChild(a); li.appendChild(p);
          list.appendChild(li);
        });
      }).catch(function () { status.textContent = status.getAttribute("data-failed"); });
    }

    var params = new URLSearchParams(location.search);
    var q = params.get("q") || "";
    input.value = q;
    show(q);
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var url = new URL(location.href);
        if (input.value) url.searchParams.set("q", input.value); else url.searchParams.delete("q");
        history.replaceState(null, "", url);
        show(input.value);
      }, 120);
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); show(input.value); });
    input.addEventListener("focus", load, { once: true });
  }

  global.yanbaoSearch = { tokens: tokens, stem: stem, search: search };
  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run); else run();
  }
})(typeof window !== "undefined" ? window : globalThis);
