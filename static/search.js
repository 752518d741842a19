// Search for the report: the results page, and instant results under the header's search box.
// The index (search/<lang>.json, or for large sites a manifest with gzip shards under search/<lang>/)
// is built by yanbao; queries are tokenised by the same rules as src/emit/search.rs (a test runs
// both on the same texts). Results are ranked, not filtered: sections that hold more of the
// query rank first, then those where it appears as typed, in the title, or often.
(function (global) {
  "use strict";

  function isCjk(c) {
    var n = c.codePointAt(0);
    return (n >= 0x3400 && n <= 0x4dbf) || (n >= 0x4e00 && n <= 0x9fff) ||
      (n >= 0xf900 && n <= 0xfaff) || (n >= 0x20000 && n <= 0x2fa1f);
  }
  function isAlnum(c) { return /[\p{L}\p{N}]/u.test(c); }
  function isDigit(c) { return c >= "0" && c <= "9"; }

  // Common English endings removed, exactly as stem() in src/emit/search.rs.
  function stem(w) {
    if (!/^[a-z]+$/.test(w) || w.length <= 3) return w;
    var s = w;
    if (s.endsWith("ies") && s.length > 4) s = s.slice(0, -3) + "y";
    else if (s.endsWith("sses")) return s.slice(0, -2);
    else if (s.endsWith("ss") || (s.endsWith("us") && s.length > 4) || s.endsWith("is")) return s;
    else if (s.endsWith("s")) s = s.slice(0, -1);
    var ends = ["ing", "ed"];
    for (var i = 0; i < ends.length; i++) {
      if (s.length >= ends[i].length + 3 && s.endsWith(ends[i])) { s = s.slice(0, -ends[i].length); break; }
    }
    if (s.length > 3 && s.endsWith("e")) s = s.slice(0, -1);
    var n = s.length;
    if (n > 3 && s[n - 1] === s[n - 2] && "aeiou".indexOf(s[n - 1]) < 0) s = s.slice(0, -1);
    return s;
  }

  // Terms of a text; `index` also gives single Chinese characters of longer runs.
  function tokenize(text, index) {
    var chars = Array.from(text), out = [], i = 0;
    while (i < chars.length) {
      var c = chars[i];
      if (isCjk(c)) {
        var start = i;
        while (i < chars.length && isCjk(chars[i])) i++;
        var run = chars.slice(start, i);
        if (run.length === 1 || index) run.forEach(function (r) { out.push(r); });
        for (var k = 0; k + 1 < run.length; k++) out.push(run[k] + run[k + 1]);
      } else if (isAlnum(c)) {
        var s = i;
        while (i < chars.length && !isCjk(chars[i])) {
          var d = chars[i];
          var point = d === "." && i > s && isDigit(chars[i - 1]) && i + 1 < chars.length && isDigit(chars[i + 1]);
          if (!(isAlnum(d) || point)) break;
          i++;
        }
        var word = chars.slice(s, i).join("").toLowerCase();
        if (/^[0-9.]+$/.test(word) && i < chars.length && isCjk(chars[i])) {
          out.push(word + chars[i]);
          if (i + 1 < chars.length && isCjk(chars[i + 1])) out.push(word + chars[i] + chars[i + 1]);
        }
        out.push(stem(word));
      } else {
        i++;
      }
    }
    return out;
  }
  function indexTokens(text) { return tokenize(text, true); }
  function queryTokens(text) { return tokenize(text, false); }

  function fnv(term) {
    var bytes = new TextEncoder().encode(term), h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 0x01000193) >>> 0; }
    return h >>> 0;
  }

  // A posting list as the index writes it (Postings in src/emit/search.rs): each document as its
  // distance from the previous one, doubled, plus one when its weight follows (no weight: 1); each
  // number in five-bit groups, lowest first, the sixth bit marking a group with more to follow.
  // Returns [doc, weight, doc, weight, …].
  var DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var VALUE = {};
  for (var d = 0; d < DIGITS.length; d++) VALUE[DIGITS[d]] = d;
  function decode(table, term) {
    // Only the table's own entries: a query for "constructor" finds nothing inherited.
    var s = Object.prototype.hasOwnProperty.call(table, term) ? String(table[term]) : "";
    var out = [], n = 0, scale = 1, doc = 0, weightFollows = false;
    for (var i = 0; i < s.length; i++) {
      var v = VALUE[s[i]];
      n += (v & 31) * scale;
      if (v & 32) { scale *= 32; continue; }
      if (weightFollows) { out.push(n); weightFollows = false; }
      else {
        doc += Math.floor(n / 2); out.push(doc);
        weightFollows = n % 2 === 1;
        if (!weightFollows) out.push(1);
      }
      n = 0; scale = 1;
    }
    return out;
  }

  // An index: the whole file for small sites, or shards fetched as queries need them. The
  // index's address may end in search.js's version (`?v=…`): its shards get the same, so a
  // browser holding files of an older index format fetches them anew.
  function Index(url, fetchJson) {
    var at = url.indexOf("?");
    this.query = at < 0 ? "" : url.slice(at);
    this.base = url.slice(0, at < 0 ? url.length : at).replace(/[^/]*$/, "");
    this.fetchJson = fetchJson;
    this.main = fetchJson(url);
    this.shards = {};
    this.chunks = {};
  }
  Index.prototype.postings = function (terms) {
    var self = this;
    return this.main.then(function (m) {
      if (m.terms) return terms.map(function (t) { return decode(m.terms, t); });
      var need = {};
      terms.forEach(function (t) { need[fnv(t) % m.shards] = true; });
      return Promise.all(Object.keys(need).map(function (k) {
        if (!self.shards[k]) self.shards[k] = self.fetchJson(self.base + m.dir + "t" + k + (m.ext || ".json") + self.query);
        return self.shards[k].then(function (s) { return [k, s]; });
      })).then(function (loaded) {
        var byShard = {};
        loaded.forEach(function (p) { byShard[p[0]] = p[1]; });
        return terms.map(function (t) { return decode(byShard[fnv(t) % m.shards], t); });
      });
    });
  };
  Index.prototype.docs = function (ids) {
    var self = this;
    return this.main.then(function (m) {
      if (m.docs) return ids.map(function (i) { return m.docs[i]; });
      var need = {};
      ids.forEach(function (i) { need[Math.floor(i / m.chunk)] = true; });
      return Promise.all(Object.keys(need).map(function (j) {
        if (!self.chunks[j]) self.chunks[j] = self.fetchJson(self.base + m.dir + "d" + j + (m.ext || ".json") + self.query);
        return self.chunks[j].then(function (c) { return [j, c]; });
      })).then(function (loaded) {
        var byChunk = {};
        loaded.forEach(function (p) { byChunk[p[0]] = p[1]; });
        return ids.map(function (i) { return byChunk[Math.floor(i / m.chunk)][i % m.chunk]; });
      });
    });
  };

  function unique(a) { return a.filter(function (x, i) { return a.indexOf(x) === i; }); }
  function hasCjk(s) { return Array.from(s).some(isCjk); }
  function squash(s) { return s.toLowerCase().replace(/\s+/g, ""); }

  // The words to mark in excerpts and to look for as typed: Chinese stretches as typed and as
  // pairs, other words as stems (a mark runs to the end of the word).
  function needlesOf(query) {
    var out = [];
    query.toLowerCase().split(/[^\p{L}\p{N}.]+/u).filter(Boolean).forEach(function (w) {
      if (hasCjk(w)) {
        out.push(w);
        queryTokens(w).forEach(function (t) { if (hasCjk(t)) out.push(t); });
      } else {
        out.push(stem(w));
      }
    });
    return unique(out).sort(function (a, b) { return b.length - a.length; });
  }

  // Ranked results: [{doc: [href, page, path, title, text (small sites only)], score}], best first.
  function search(index, query, limit) {
    var q = unique(queryTokens(query));
    if (!q.length) return Promise.resolve([]);
    return index.postings(q).then(function (lists) {
      var matched = {}, weight = {};
      lists.forEach(function (l) {
        for (var i = 0; i + 1 < l.length; i += 2) {
          matched[l[i]] = (matched[l[i]] || 0) + 1;
          weight[l[i]] = (weight[l[i]] || 0) + l[i + 1];
        }
      });
      var need = Math.max(1, Math.ceil(q.length / 2));
      var ids = Object.keys(matched).map(Number).filter(function (d) { return matched[d] >= need; });
      ids.sort(function (a, b) { return (matched[b] * 1000 + weight[b]) - (matched[a] * 1000 + weight[a]); });
      ids = ids.slice(0, Math.max(100, limit || 0));
      return index.docs(ids).then(function (docs) {
        var phrase = squash(query);
        return ids.map(function (d, k) {
          var doc = docs[k];
          var score = matched[d] / q.length * 1000 + weight[d];
          if (q.length > 1 && phrase.length > 1) {
            if (squash(doc[3]).indexOf(phrase) >= 0) score += 400;
            else if (doc[4] && squash(doc[4]).indexOf(phrase) >= 0) score += 200;
            else if (squash(doc[1] + doc[2]).indexOf(phrase) >= 0) score += 100;
          }
          return { doc: doc, score: score };
        }).sort(function (a, b) { return b.score - a.score; }).slice(0, limit || 50);
      });
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
        if (j >= 0 && (next < 0 || j < next || (j === next && n.length > len))) { next = j; len = n.length; }
      });
      if (next < 0) { frag.appendChild(document.createTextNode(piece.slice(i))); break; }
      if (next > i) frag.appendChild(document.createTextNode(piece.slice(i, next)));
      var m = document.createElement("mark");
      var stop = next + len;
      while (stop < piece.length && /[a-z]/i.test(piece[stop])) stop++;
      m.textContent = piece.slice(next, stop);
      frag.appendChild(m);
      i = stop;
    }
    if (end < text.length) frag.appendChild(document.createTextNode("…"));
    return frag;
  }

  function where(doc) { return doc[2] ? doc[1] + " › " + doc[2] : doc[1]; }

  // A section's text in a page as the index has it (src/render/doc.rs): an element with the
  // section's id that is not a heading (a figure, a table, a glossary entry) is the section; a
  // heading starts one that runs to the next heading; no id means the text before the first.
  function sectionText(page, id) {
    var el = id ? page.getElementById(id) : null;
    if (id && !el) return "";
    if (el && !/^H[1-6]$/.test(el.tagName)) return el.textContent.replace(/\s+/g, " ").trim();
    var parts = [], n = el ? el.nextElementSibling : (page.querySelector(".prose") || page.body).firstElementChild;
    for (; n && !/^H[1-6]$/.test(n.tagName); n = n.nextElementSibling) parts.push(n.textContent);
    return parts.join(" ").replace(/\s+/g, " ").trim();
  }
  // A large site's index holds no texts: a result's text comes from its page, each page
  // fetched once, when a result from it is first shown.
  var pages = {};
  function textOf(doc, url) {
    if (typeof doc[4] === "string") return Promise.resolve(doc[4]);
    var at = url.indexOf("#"), file = at < 0 ? url : url.slice(0, at);
    if (!pages[file]) {
      pages[file] = fetchOk(file).then(function (r) { return r.text(); })
        .then(function (html) { return new DOMParser().parseFromString(html, "text/html"); });
    }
    return pages[file].then(function (page) { return sectionText(page, at < 0 ? "" : decodeURIComponent(url.slice(at + 1))); });
  }
  // Calls each result's `fill` when it comes near the screen (all at once where the browser
  // cannot tell), so a long list fetches only the pages a reader scrolls to.
  function whenShown(el, fill) {
    if (typeof IntersectionObserver === "undefined") { fill(); return; }
    var seen = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) { seen.disconnect(); fill(); }
    }, { rootMargin: "300px" });
    seen.observe(el);
  }

  // An index file's bytes as JSON. A large site's shards are gzip files: decoded here, unless
  // the server sent them decoded already (with Content-Encoding: gzip).
  function parseBytes(bytes) {
    var b = new Uint8Array(bytes);
    if (b[0] === 0x1f && b[1] === 0x8b) {
      var stream = new Blob([b]).stream().pipeThrough(new DecompressionStream("gzip"));
      return new Response(stream).text().then(JSON.parse);
    }
    return Promise.resolve(JSON.parse(new TextDecoder().decode(b)));
  }
  // A file of the site, failing on an HTTP error as on a network one.
  function fetchOk(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r;
    });
  }
  function fetchJson(url) {
    return fetchOk(url).then(function (r) { return r.arrayBuffer(); }).then(parseBytes);
  }
  var indexes = {};
  function indexFor(form) {
    var url = form.getAttribute("data-index");
    if (!indexes[url]) indexes[url] = new Index(url, fetchJson);
    return indexes[url];
  }

  // The results page.
  function resultsPage(form) {
    var input = form.querySelector("input");
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    var rootPrefix = form.getAttribute("data-root") || "";
    function show(query) {
      list.textContent = "";
      if (!query.trim()) { status.textContent = ""; return; }
      status.textContent = status.getAttribute("data-loading");
      search(indexFor(form), query, 50).then(function (results) {
        var needles = needlesOf(query);
        status.textContent = results.length ? results.length + " " + status.getAttribute("data-count") : status.getAttribute("data-none");
        results.forEach(function (r) {
          var li = document.createElement("li");
          var w = document.createElement("div");
          w.className = "where";
          w.textContent = where(r.doc);
          var a = document.createElement("a");
          a.href = rootPrefix + r.doc[0];
          a.textContent = r.doc[3] || r.doc[1];
          var p = document.createElement("p");
          li.appendChild(w); li.appendChild(a); li.appendChild(p);
          list.appendChild(li);
          whenShown(li, function () {
            textOf(r.doc, a.href).then(function (text) { p.appendChild(excerpt(text, needles, 90)); }, function () {});
          });
        });
      }).catch(function () { status.textContent = status.getAttribute("data-failed"); });
    }
    var q = new URLSearchParams(location.search).get("q") || "";
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
  }

  // Instant results under the header's search box: arrow keys move, Enter opens, Escape closes.
  function suggest(form) {
    var input = form.querySelector("input");
    var rootPrefix = form.getAttribute("data-root") || "";
    var box = document.createElement("ul");
    box.id = "search-suggest";
    box.className = "search-suggest";
    box.setAttribute("role", "listbox");
    box.hidden = true;
    form.appendChild(box);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", box.id);
    input.setAttribute("aria-expanded", "false");
    var active = -1, timer = null, seq = 0;
    function close() { box.hidden = true; box.textContent = ""; active = -1; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); }
    function mark(k) {
      var items = box.querySelectorAll("li");
      items.forEach(function (li, i) { li.setAttribute("aria-selected", i === k ? "true" : "false"); });
      active = k;
      if (k >= 0) input.setAttribute("aria-activedescendant", items[k].id); else input.removeAttribute("aria-activedescendant");
    }
    function show(query) {
      var mine = ++seq;
      if (!query.trim()) { close(); return; }
      search(indexFor(form), query, 6).then(function (results) {
        if (mine !== seq) return;
        box.textContent = "";
        results.forEach(function (r, i) {
          var li = document.createElement("li");
          li.id = "search-suggest-" + i;
          li.setAttribute("role", "option");
          var a = document.createElement("a");
          a.href = rootPrefix + r.doc[0];
          a.tabIndex = -1;
          var t = document.createElement("span");
          t.className = "title";
          t.textContent = r.doc[3] || r.doc[1];
          var w = document.createElement("span");
          w.className = "where";
          w.textContent = where(r.doc);
          a.appendChild(t); a.appendChild(w); li.appendChild(a); box.appendChild(li);
        });
        box.hidden = !results.length;
        input.setAttribute("aria-expanded", results.length ? "true" : "false");
        active = -1;
      }).catch(close);
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { show(input.value); }, 100);
    });
    input.addEventListener("keydown", function (e) {
      var n = box.querySelectorAll("li").length;
      if (e.key === "ArrowDown" && n) { e.preventDefault(); mark((active + 1) % n); }
      else if (e.key === "ArrowUp" && n) { e.preventDefault(); mark((active - 1 + n) % n); }
      else if (e.key === "Escape") { close(); }
      else if (e.key === "Enter" && active >= 0) {
        e.preventDefault();
        location.href = box.querySelectorAll("li a")[active].href;
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 200); });
    if (input.value) show(input.value);
  }

  function run() {
    var page = document.querySelector(".search-big");
    if (page) resultsPage(page);
    var header = document.querySelector(".topbar .search-form");
    if (header && !page) suggest(header);
  }

  global.yanbaoSearch = {
    tokens: indexTokens, queryTokens: queryTokens, stem: stem, fnv: fnv,
    Index: Index, search: search, needlesOf: needlesOf, parseBytes: parseBytes
  };
  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run); else run();
  }
})(typeof window !== "undefined" ? window : globalThis);
