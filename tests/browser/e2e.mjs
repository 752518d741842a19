// End-to-end tests of a built yanbao site in headless Chromium (driven by playwright-core).
// Usage: node e2e.mjs SITE_DIR SHOTS_DIR TOKENS_JSON
// The site is served under a sub-path with a strict Content-Security-Policy; any request to
// another host fails the run. Run by tests/browser.rs, which builds the site first.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import zlib from "node:zlib";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const [siteDir, shotsDir, tokensFile] = process.argv.slice(2);
if (!siteDir || !shotsDir) {
  console.error("usage: node e2e.mjs SITE_DIR SHOTS_DIR [TOKENS_JSON]");
  process.exit(2);
}
fs.mkdirSync(shotsDir, { recursive: true });

const SUB = "/reports/ai-2024/";
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
const TYPES = { ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".json": "application/json; charset=utf-8", ".svg": "image/svg+xml", ".csv": "text/csv; charset=utf-8", ".webmanifest": "application/manifest+json", ".txt": "text/plain; charset=utf-8", ".xml": "application/xml" };

// A plain static host under a sub-path, as a reader's web server would be.
const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  let p = decodeURIComponent(url.pathname);
  if (!p.startsWith(SUB)) { res.writeHead(404); res.end(); return; }
  p = p.slice(SUB.length);
  let file = path.join(siteDir, p);
  if (!file.startsWith(path.resolve(siteDir))) { res.writeHead(404); res.end(); return; }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
  let status = 200;
  if (!fs.existsSync(file)) { file = path.join(siteDir, "404.html"); status = 404; }
  res.writeHead(status, { "Content-Type": TYPES[path.extname(file)] || "application/octet-stream", "Content-Security-Policy": CSP });
  res.end(fs.readFileSync(file));
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const ORIGIN = `http://127.0.0.1:${server.address().port}`;
const BASE = ORIGIN + SUB;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-quic"],
});

const foreign = [];
const cspViolations = [];
const pageErrors = [];
async function newPage(opts = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...opts });
  await context.route("**/*", (route) => {
    const u = new URL(route.request().url());
    if (u.hostname !== "127.0.0.1") { foreign.push(u.href); return route.abort(); }
    return route.continue();
  });
  // A CI machine under load can take many seconds per page; a slow page is not a failure.
  context.setDefaultNavigationTimeout(120000);
  context.setDefaultTimeout(60000);
  const page = await context.newPage();
  page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  return { context, page };
}

const results = [];
async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}\n     ${String(e && e.stack || e).split("\n").slice(0, 4).join("\n     ")}`);
  }
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }
// Clicks where the element is, like a reader: Playwright's own click first scrolls the element
// to the centre, which for a sticky header link moves the page and the section being read.
async function clickInPlace(page, selector) {
  const box = await page.locator(selector).boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}
async function inViewport(page, selector) {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    if (!el) return false;
    const r = el.getBoundingClientRect();
    return r.top >= -2 && r.top < window.innerHeight;
  }, selector);
}

await test("home page in Chinese at the site root, with a link to English", async () => {
  const { context, page } = await newPage();
  await page.goto(BASE);
  assert((await page.getAttribute("html", "lang")) === "zh-Hans", "root page is Chinese");
  assert((await page.locator("h1").first().textContent()).includes("2024年中国AI大模型"), "title");
  assert((await page.locator(".kf").count()) >= 4, "key figures row");
  assert(await page.locator(".lang-switch a[hreflang=en]").isVisible(), "visible link to English");
  assert((await page.locator(".part").count()) >= 4, "the parts with summaries");
  assert((await page.locator(".home-charts figure.chart").count()) >= 2, "main charts");
  await context.close();
});

await test("home page in English", async () => {
  const { context, page } = await newPage();
  await page.goto(BASE + "en/index.html");
  assert((await page.getAttribute("html", "lang")) === "en", "lang=en");
  const figures = await page.locator(".kf-number").allTextContents();
  assert(figures.some((t) => t.includes("309")), "309 filed models: " + figures);
  assert(figures.some((t) => t.includes("15.7")), "CNY 15.7 billion: " + figures);
  await context.close();
});

await test("chapter navigation: sidebar, next and previous", async () => {
  const { context, page } = await newPage();
  await page.goto(BASE + "zh/index.html");
  // One chapter list per page: on a wide screen the menu's list, shown open as the side bar,
  // below the header, left of the text, with no menu button.
  assert((await page.locator("nav ol.chapters").count()) === 1, "one chapter list");
  assert(await page.locator(".menu summary").isHidden(), "no menu button on a wide screen");
  const side = await page.locator(".menu-panel").boundingBox();
  const main = await page.locator("main").boundingBox();
  const bar = await page.locator(".topbar").boundingBox();
  assert(side && side.x < main.x && side.x + side.width <= main.x + 1 && side.y >= bar.y + bar.height - 1, "side bar left of the text, below the header: " + JSON.stringify({ side, main, bar }));
  // It stays in view as the page scrolls.
  await page.mouse.wheel(0, 2000);
  await page.waitForTimeout(200);
  assert(await page.locator(".menu-panel a", { hasText: "研究背景" }).isVisible(), "side bar in view after scrolling");
  await page.locator(".menu-panel a", { hasText: "研究背景" }).click();
  await page.waitForURL(/zh\/background\/index\.html$/);
  assert((await page.locator("h1").textContent()).includes("研究背景"), "background h1");
  await page.locator(".pager a[rel=next]").click();
  await page.waitForURL(/zh\/status\/index\.html$/);
  await page.locator(".pager a[rel=prev]").click();
  await page.waitForURL(/zh\/background\/index\.html$/);
  await context.close();
});

await test("phone: chapters in a menu that closes after a choice", async () => {
  const { context, page } = await newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await page.goto(BASE + "en/index.html");
  assert(!(await page.locator(".menu-panel").isVisible()), "no sidebar on a phone");
  await page.locator(".menu summary").click();
  await page.locator(".menu-panel a", { hasText: "Trends" }).click();
  await page.waitForURL(/en\/trends\/index\.html$/);
  assert(!(await page.locator(".menu-panel").isVisible()), "menu closed");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 0, "no horizontal scroll on a phone: " + overflow);
  await context.close();
});

await test("the page's contents: one list, beside the text on a wide screen, a box on a phone", async () => {
  const { context, page } = await newPage({ viewport: { width: 1366, height: 900 } });
  await page.goto(BASE + "zh/status/index.html");
  assert((await page.locator(".toc ol").count()) === 1, "one contents list");
  assert(await page.locator(".toc summary").isHidden(), "no toggle on a wide screen");
  const toc = await page.locator(".toc ol").boundingBox();
  const prose = await page.locator(".prose").boundingBox();
  assert(toc && toc.x >= prose.x + prose.width, "contents right of the text: " + JSON.stringify({ toc, prose }));
  // It stays in view, and its links work.
  await page.mouse.wheel(0, 3000);
  await page.waitForTimeout(200);
  const link = page.locator(".toc a").nth(2);
  assert(await link.isVisible(), "contents in view after scrolling");
  const href = await link.getAttribute("href");
  await link.click();
  await page.waitForURL(new RegExp(href.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "$"));
  await context.close();
  const phone = await newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await phone.page.goto(BASE + "zh/status/index.html");
  assert(!(await phone.page.locator(".toc ol").isVisible()), "closed on a phone");
  await phone.page.locator(".toc summary").click();
  assert(await phone.page.locator(".toc ol").isVisible(), "opens on a phone");
  const box = await phone.page.locator(".toc").boundingBox();
  assert(box.x >= 0 && box.x + box.width <= 390, "inside the screen: " + JSON.stringify(box));
  await phone.context.close();
});

await test("language switch lands on the same section (from a link)", async () => {
  const { context, page } = await newPage();
  await page.goto(BASE + "zh/status/index.html#price-cuts");
  await page.waitForTimeout(200);
  await clickInPlace(page, ".lang-switch a[hreflang=en]");
  await page.waitForURL(/en\/status\/index\.html#price-cuts$/);
  await page.waitForTimeout(300);
  assert(await inViewport(page, "#price-cuts"), "the section is on screen");
  await context.close();
});

await test("language switch lands on the section being read (after scrolling)", async () => {
  const { context, page } = await newPage();
  await page.goto(BASE + "en/applications/index.html");
  await page.evaluate(() => document.getElementById("healthcare").scrollIntoView());
  await page.waitForTimeout(400);
  await clickInPlace(page, ".lang-switch a[hreflang=zh-Hans]");
  await page.waitForURL(/zh\/applications\/index\.html#healthcare$/);
  await page.waitForTimeout(300);
  assert(await inViewport(page, "#healthcare"), "the section is on screen");
  await context.close();
});

await test("dark mode toggle, remembered across pages", async () => {
  const { context, page } = await newPage({ colorScheme: "light" });
  await page.goto(BASE + "zh/status/index.html");
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await bg();
  await page.locator(".theme-toggle").click();
  assert((await page.getAttribute("html", "data-theme")) === "dark", "data-theme=dark");
  const dark = await bg();
  assert(light !== dark, `background changes (${light} → ${dark})`);
  // Charts follow the theme: chart text turns light.
  const fill = await page.evaluate(() => getComputedStyle(document.querySelector(".chart-wide .f-text")).fill);
  assert(/rgb\((2[0-9]{2}), /.test(fill), "chart text is light in dark mode: " + fill);
  await page.goto(BASE + "en/trends/index.html");
  assert((await page.getAttribute("html", "data-theme")) === "dark", "remembered on the next page");
  assert((await page.getAttribute(".theme-toggle", "aria-pressed")) === "true", "toggle says pressed");
  await context.close();
});

async function search(page, lang, q) {
  await page.goto(`${BASE}${lang}/search/index.html?q=${encodeURIComponent(q)}`);
  await page.waitForSelector("#search-results li", { timeout: 5000 });
  return page.locator("#search-results li");
}

await test("search in Chinese: two-character words, also inside longer words", async () => {
  const { context, page } = await newPage();
  const hits = await search(page, "zh", "模型");
  assert((await hits.count()) > 5, "many results for 模型");
  const marks = await page.locator("#search-results mark").allTextContents();
  assert(marks.includes("模型"), "模型 highlighted: " + marks.slice(0, 5));
  const excerpt = await hits.first().locator("p").textContent();
  assert(excerpt.includes("模型"), "excerpt shows the word");
  await search(page, "zh", "价格");
  const first = page.locator("#search-results li a").first();
  const href = await first.getAttribute("href");
  assert(href.includes("#"), "results link to a section: " + href);
  await first.click();
  await page.waitForURL(/#/);
  const id = decodeURIComponent(new URL(page.url()).hash.slice(1));
  assert(await page.locator(`[id="${id}"]`).count() === 1, "landing anchor exists: " + id);
  await context.close();
});

await test("search in English: any case, singular finds plural", async () => {
  const { context, page } = await newPage();
  const hits = await search(page, "en", "Price");
  assert((await hits.count()) > 3, "results for Price");
  const marks = (await page.locator("#search-results mark").allTextContents()).map((m) => m.toLowerCase());
  assert(marks.some((m) => m === "prices"), "plural 'prices' found by 'Price': " + marks.slice(0, 8));
  await page.locator("#search-results li a").first().click();
  await page.waitForURL(/en\/.*#/);
  await context.close();
});

await test("chart text is at least 12 CSS px on a phone and a desktop, chapter and home", async () => {
  for (const width of [390, 1366]) {
    const { context, page } = await newPage({ viewport: { width, height: 900 } });
    for (const url of ["zh/background/index.html", "en/background/index.html", "zh/index.html"]) {
      await page.goto(BASE + url);
      const sizes = await page.evaluate(() =>
        [...document.querySelectorAll("svg.chart-svg")]
          .filter((s) => s.getBoundingClientRect().width > 0)
          .flatMap((s) => {
            const k = s.getBoundingClientRect().width / s.viewBox.baseVal.width;
            return [...s.querySelectorAll("text")].map((t) => parseFloat(t.getAttribute("font-size")) * k);
          }),
      );
      assert(sizes.length > 0, `${url} at ${width}: charts visible`);
      const min = Math.min(...sizes);
      assert(min >= 11.95, `${url} at ${width}: chart text at ${min.toFixed(2)} px`);
    }
    await context.close();
  }
});

// Chinese headings break only between words: every line of a heading ends at a <wbr> yanbao
// put at a word boundary (or next to punctuation, a space or a Latin letter), never between two characters
// of a word (产/业, 互联/网), at every width from a phone to a desktop.
await test("Chinese headings break only between words", async () => {
  let lines = 0;
  for (const width of [320, 360, 390, 430, 768, 1366]) {
    const { context, page } = await newPage({ viewport: { width, height: 900 } });
    for (const url of ["zh/index.html", "zh/background/index.html", "zh/status/index.html", "zh/applications/index.html", "zh/trends/index.html", "zh/print/index.html"]) {
      await page.goto(BASE + url);
      const bad = await page.evaluate(() => {
        const cjk = /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]/;
        const out = { bad: [], lines: 0 };
        for (const h of document.querySelectorAll("main h1, main h2, main h3, main h4")) {
          if (h.getBoundingClientRect().width === 0) continue;
          // Each character with the top of its line and whether a <wbr> precedes it.
          const chars = [];
          const walk = (node, marked) => {
            for (const n of node.childNodes) {
              if (n.nodeType === 1) {
                if (n.classList.contains("anchor")) continue;
                if (n.nodeName === "WBR") { marked.v = true; continue; }
                walk(n, marked);
              } else if (n.nodeType === 3) {
                for (let i = 0; i < n.data.length; i++) {
                  const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
                  const rect = r.getClientRects()[0];
                  if (rect) chars.push({ c: n.data[i], top: Math.round(rect.top), marked: marked.v });
                  marked.v = false;
                }
              }
            }
          };
          walk(h, { v: false });
          for (let i = 1; i < chars.length; i++) {
            if (chars[i].top <= chars[i - 1].top + 2) continue;
            out.lines++;
            const [a, b] = [chars[i - 1].c, chars[i].c];
            if (cjk.test(a) && cjk.test(b) && !chars[i].marked) out.bad.push(`${h.textContent.trim()}: ${a}/${b}`);
          }
        }
        return out;
      });
      lines += bad.lines;
      assert(bad.bad.length === 0, `${url} at ${width}px breaks inside words: ${bad.bad.join("; ")}`);
    }
    await context.close();
  }
  assert(lines > 20, `headings wrapped ${lines} times: the test saw too few breaks to mean anything`);
});

await test("a heading's # link shows on hover and holds the section's address", async () => {
  const { context, page } = await newPage();
  await page.goto(BASE + "zh/status/index.html");
  const heading = page.locator(".prose h2[id]").first();
  const id = await heading.getAttribute("id");
  const anchor = heading.locator("a.anchor");
  assert((await anchor.count()) === 1, "one # link in the heading");
  assert((await anchor.getAttribute("aria-hidden")) === "true", "hidden from screen readers");
  const opacity = () => anchor.evaluate((a) => getComputedStyle(a).opacity);
  assert((await opacity()) === "0", "invisible until hovered");
  await heading.hover();
  await page.waitForTimeout(100);
  assert((await opacity()) === "1", "visible on hover");
  await anchor.click();
  assert(decodeURIComponent(new URL(page.url()).hash) === "#" + id, "the address names the section: " + page.url());
  // The theme toggle's name is its title (one string, not two).
  const name = await page.locator(".theme-toggle").evaluate((b) => b.title);
  assert(name.length > 0, "the toggle has a title");
  await context.close();
});

await test("a phone's table cards name each value's column; without JavaScript the table scrolls", async () => {
  const cards = async (javaScriptEnabled) => {
    const { context, page } = await newPage({ viewport: { width: 390, height: 900 }, javaScriptEnabled });
    await page.goto(BASE + "en/status/index.html");
    const seen = await page.evaluate(() => [...document.querySelectorAll(".table-wrap table")].map((t) => {
      const heads = [...t.tHead.rows[0].cells].map((c) => c.textContent.trim());
      const cells = [...t.tBodies[0].rows].flatMap((r) => [...r.cells].map((c, i) => ({ c, i })))
        .filter(({ c }) => c.tagName === "TD");
      return {
        display: getComputedStyle(cells[0].c).display,
        // A column without a name shows its values alone.
        wrong: cells.filter(({ c, i }) => getComputedStyle(c, "::before").content !== (heads[i] ? JSON.stringify(heads[i]) : "none"))
          .map(({ c, i }) => `${heads[i]}: ${getComputedStyle(c, "::before").content}`),
      };
    }));
    await context.close();
    return seen;
  };
  const withScript = await cards(true);
  assert(withScript.length >= 5, "the chapter has tables: " + withScript.length);
  for (const t of withScript) {
    assert(t.display === "grid", "a cell is a card's line: " + t.display);
    assert(t.wrong.length === 0, "each value under its column's name: " + t.wrong.join("; "));
  }
  for (const t of await cards(false)) assert(t.display === "table-cell", "a plain table without the script: " + t.display);
});

await test("works without JavaScript (search aside)", async () => {
  const { context, page } = await newPage({ javaScriptEnabled: false });
  await page.goto(BASE + "zh/background/index.html");
  assert((await page.locator("h1").textContent()).includes("研究背景"), "content");
  assert(await page.locator(".chart-wide").first().isVisible(), "charts are static SVG");
  await page.locator(".pager a[rel=next]").click();
  await page.waitForURL(/zh\/status\//);
  await page.locator(".lang-switch a[hreflang=en]").click();
  await page.waitForURL(/en\/status\//);
  await page.goto(BASE + "en/search/index.html");
  assert((await page.locator("noscript").count()) === 1, "search explains it needs JavaScript");
  assert(await page.locator(".theme-toggle").isHidden(), "no dead toggle without JavaScript");
  await context.close();
});

await test("a page in print: no navigation, link addresses shown", async () => {
  const { context, page } = await newPage();
  await page.goto(BASE + "en/background/index.html");
  await page.emulateMedia({ media: "print" });
  assert(await page.locator(".menu-panel").isHidden(), "no sidebar in print");
  assert(await page.locator(".topbar").isHidden(), "no top bar in print");
  const after = await page.evaluate(() => {
    const a = document.querySelector(".notes a[href^=http], .prose a[href^=http]");
    return a ? getComputedStyle(a, "::after").content : "none";
  });
  assert(after.includes("http"), "URL printed after links: " + after);
  await page.pdf({ path: path.join(shotsDir, "print-en-background.pdf") });
  await context.close();
});

await test("no layout shift while loading", async () => {
  for (const url of ["zh/index.html", "en/status/index.html"]) {
    const { context, page } = await newPage();
    await page.goto(BASE + url);
    const cls = await page.evaluate(() => new Promise((resolve) => {
      let total = 0;
      new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value; })
        .observe({ type: "layout-shift", buffered: true });
      setTimeout(() => resolve(total), 500);
    }));
    assert(cls < 0.01, `${url}: cumulative layout shift ${cls}`);
    await context.close();
  }
});

await test("chapter pages weigh under 60 KB compressed, before charts and search index", async () => {
  const assets = ["static/style.css", "static/print.css", "static/theme.js", "static/yanbao.js"]
    .map((p) => zlib.gzipSync(fs.readFileSync(path.join(siteDir, p))).length)
    .reduce((a, b) => a + b, 0);
  for (const lang of ["zh", "en"]) {
    for (const dir of fs.readdirSync(path.join(siteDir, lang))) {
      const file = path.join(siteDir, lang, dir, "index.html");
      // The print edition holds the whole report: not a chapter page.
      if (!fs.existsSync(file) || dir === "search" || dir === "print") continue;
      const html = fs.readFileSync(file, "utf8").replace(/<svg class="chart-svg[\s\S]*?<\/svg>/g, "");
      const total = zlib.gzipSync(html).length + assets;
      assert(total < 60 * 1024, `${lang}/${dir}: ${total} bytes compressed`);
    }
  }
});

await test("search tokenises queries as the index does", async () => {
  if (!tokensFile) return;
  const ctx = { globalThis: {} };
  ctx.window = undefined;
  vm.createContext(ctx);
  vm.runInContext(fs.readFileSync(path.join(siteDir, "static/search.js"), "utf8"), ctx);
  const tokens = ctx.globalThis.yanbaoSearch.tokens;
  const expected = JSON.parse(fs.readFileSync(tokensFile, "utf8"));
  for (const [text, want] of expected) {
    const got = Array.from(tokens(text));
    assert(JSON.stringify(got) === JSON.stringify(want), `${text}: js ${JSON.stringify(got)} vs rust ${JSON.stringify(want)}`);
  }
});

// Accessibility: axe-core on every page of both languages, light and dark.
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
await test("axe-core: no serious or critical violations, light and dark", async () => {
  const pages = ["index.html", "404.html"];
  for (const lang of ["zh", "en"]) {
    for (const dir of fs.readdirSync(path.join(siteDir, lang))) {
      if (fs.existsSync(path.join(siteDir, lang, dir, "index.html"))) pages.push(`${lang}/${dir}/index.html`);
    }
    pages.push(`${lang}/index.html`);
  }
  const problems = [];
  for (const scheme of ["light", "dark"]) {
    // axe is injected as a script, which the site's CSP would rightly block.
    const { context, page } = await newPage({ colorScheme: scheme, bypassCSP: true });
    for (const p of pages) {
      await page.goto(BASE + p);
      // Open the data tables so axe checks them too.
      await page.evaluate(() => document.querySelectorAll("details").forEach((d) => (d.open = true)));
      await page.evaluate(axeSource);
      const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
      for (const v of res.violations) {
        if (v.impact === "serious" || v.impact === "critical") {
          problems.push(`${scheme} ${p}: ${v.id} (${v.impact}) ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
        }
      }
    }
    await context.close();
  }
  assert(problems.length === 0, problems.join("\n"));
});

// Screenshots for people to look at: pages and each chart, phone and desktop, light and dark.
// They assert nothing, so they run only when asked (YANBAO_SHOTS=1), not on every test run.
if (process.env.YANBAO_SHOTS) await test("screenshots", async () => {
  for (const scheme of ["light", "dark"]) {
    for (const width of [390, 1280]) {
      const { context, page } = await newPage({ colorScheme: scheme, viewport: { width, height: width < 500 ? 844 : 900 }, deviceScaleFactor: 1 });
      for (const [name, url] of [["home-zh", "zh/index.html"], ["home-en", "en/index.html"], ["status-zh", "zh/status/index.html"], ["status-en", "en/status/index.html"]]) {
        await page.goto(BASE + url);
        await page.screenshot({ path: path.join(shotsDir, `${name}-${width}-${scheme}.png`), fullPage: true });
      }
      for (const [lang, url] of [["zh", "zh/background/index.html"], ["zh", "zh/status/index.html"], ["en", "en/background/index.html"], ["en", "en/status/index.html"]]) {
        await page.goto(BASE + url);
        const charts = page.locator(".prose figure.chart");
        for (let i = 0; i < (await charts.count()); i++) {
          const id = await charts.nth(i).getAttribute("id");
          await charts.nth(i).screenshot({ path: path.join(shotsDir, `chart-${id}-${lang}-${width}-${scheme}.png`) });
        }
      }
      await context.close();
    }
  }
});

await test("no request left the site", async () => {
  assert(foreign.length === 0, "requests to other hosts: " + foreign.join(", "));
});
await test("no Content-Security-Policy violation under default-src 'self'", async () => {
  assert(cspViolations.length === 0, cspViolations.join("\n"));
});
await test("no script errors", async () => {
  assert(pageErrors.length === 0, pageErrors.join("\n"));
});

await browser.close();
server.close();
const failed = results.filter((r) => !r.ok);
console.log(`\n${results.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
