// Live reload of `yanbao serve` in headless Chromium.
// Usage: node reload.mjs URL SITE_ROOT  (the preview serves SITE_ROOT at URL)
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

const [url, root] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1000, height: 500 } });
let failed = 0;
function check(ok, what) { console.log(`${ok ? "ok  " : "FAIL"} ${what}`); if (!ok) failed++; }

await page.goto(url + "en/market/index.html");
await page.evaluate(() => window.scrollTo(0, 400));
await page.waitForTimeout(300);
const before = await page.evaluate(() => window.scrollY);

// 1. An edit reloads the page, at the same place.
const chapter = path.join(root, "content/en/market.md");
const original = fs.readFileSync(chapter, "utf8");
const reloaded = page.waitForEvent("load", { timeout: 60000 });
fs.writeFileSync(chapter, original.replace("A footnote.", "A footnote, edited live."));
await reloaded;
await page.waitForFunction(() => document.body.textContent.includes("edited live"), null, { timeout: 60000 });
await page.waitForTimeout(300);
const after = await page.evaluate(() => window.scrollY);
check(Math.abs(after - before) < 5, `reloads at the same scroll position (${before} → ${after})`);

// 2. A broken save shows the error over the page, which still shows the last good build.
const data = path.join(root, "content/data/shares.yaml");
const good = fs.readFileSync(data, "utf8");
fs.writeFileSync(data, "title: {zh: [broken\n");
await page.waitForSelector("#yanbao-error", { timeout: 60000 });
const overlay = await page.textContent("#yanbao-error");
check(/content\/data\/shares\.yaml:1:\d+/.test(overlay), "overlay names file:line:col");
check((await page.textContent("body")).includes("edited live"), "the last good build stays on screen");

// 3. The next good save clears it.
const cleared = page.waitForEvent("load", { timeout: 60000 });
fs.writeFileSync(data, good);
await cleared;
await page.waitForTimeout(300);
check((await page.locator("#yanbao-error").count()) === 0, "a good save clears the overlay");

fs.writeFileSync(chapter, original);
await browser.close();
process.exit(failed ? 1 : 0);
