// A large site's sharded search index in Chromium: the shards are gzip files that search.js
// decodes itself (a host serving them as they are) or that arrive decoded (a host that sends
// `.gz` files with Content-Encoding: gzip, as Apache's AddEncoding does). Both must find the
// same sections. Usage: node sharded_search.mjs SITE_DIR  (tests/browser.rs builds the site)
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

const [siteDir] = process.argv.slice(2);
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
const TYPES = { ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".json": "application/json; charset=utf-8", ".svg": "image/svg+xml", ".gz": "application/gzip" };

let encoded = false;
const fetched = [];
const server = http.createServer((req, res) => {
  let p = decodeURIComponent(new URL(req.url, "http://x").pathname).slice(1);
  let file = path.join(siteDir, p);
  if (!file.startsWith(path.resolve(siteDir)) || !fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
  if (fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
  const headers = { "Content-Type": TYPES[path.extname(file)] || "application/octet-stream", "Content-Security-Policy": CSP };
  if (file.endsWith(".gz")) {
    fetched.push(p);
    if (encoded) { headers["Content-Type"] = TYPES[".json"]; headers["Content-Encoding"] = "gzip"; }
  }
  res.writeHead(200, headers);
  res.end(fs.readFileSync(file));
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const BASE = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
let failed = 0;
const errors = [];
for (const mode of [false, true]) {
  encoded = mode;
  fetched.length = 0;
  const page = await browser.newPage();
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  for (const [lang, q, expect] of [["en", "marker417word", "c0417/index.html#unique"], ["zh", "marker5word", "c0005/index.html#unique"]]) {
    await page.goto(`${BASE}${lang}/search/index.html?q=${q}`);
    await page.waitForSelector("#search-results li a", { timeout: 30000 }).catch(() => {});
    const hrefs = await page.locator("#search-results li a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    const how = mode ? "sent decoded" : "decoded by search.js";
    if (hrefs.length && hrefs[0].endsWith(expect)) console.log(`ok   ${lang} "${q}" (${how}) → ${hrefs[0]}`);
    else { failed++; console.log(`FAIL ${lang} "${q}" (${how}): expected …${expect} first, got ${JSON.stringify(hrefs)}`); }
    // The chunks hold no texts: the first result's excerpt comes from its page, the query marked.
    const mark = await page.waitForSelector("#search-results li p mark", { timeout: 10000 }).then((m) => m.textContent(), () => null);
    const excerpt = await page.locator("#search-results li p").first().textContent();
    if (mark && mark.toLowerCase() === q && excerpt.toLowerCase().includes(q)) console.log(`ok   ${lang} "${q}" excerpt from the page: ${JSON.stringify(excerpt.slice(0, 60))}`);
    else { failed++; console.log(`FAIL ${lang} "${q}": no excerpt with the query marked (${JSON.stringify(excerpt)})`); }
  }
  // Only the shards and chunks a query needs are fetched.
  const shards = fetched.filter((f) => f.startsWith("search/en/"));
  if (!shards.length || shards.length > 6) { failed++; console.log(`FAIL en fetched ${JSON.stringify(shards)}`); }
  else console.log(`ok   en fetched ${shards.length} files: ${shards.join(", ")}`);
  await page.close();
}
if (errors.length) { failed++; console.log("FAIL page errors: " + errors.join("\n")); }
await browser.close();
server.close();
process.exit(failed ? 1 : 0);
