// Screenshots of chosen pages for a person to look at (not a test):
//   node shoot.mjs SITE_DIR OUT_DIR page[@width][@dark][@print] ...
// e.g. zh/status/index.html@390@dark, …@390@sel=.table-wrap (one element), …@top (first screen). Pages are opened as files.
import path from "node:path";
import { chromium } from "playwright-core";

const [site, out, ...shots] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
for (const spec of shots) {
  const [page, ...opts] = spec.split("@");
  const width = Number(opts.find((o) => /^\d+$/.test(o)) || 1366);
  const scheme = opts.includes("dark") ? "dark" : "light";
  const context = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 900 }, colorScheme: scheme });
  const p = await context.newPage();
  p.setDefaultTimeout(180000);
  await p.goto("file://" + path.resolve(site, page));
  const name = spec.replace(/[\/@]/g, "_").replace(/\.html/, "");
  if (opts.includes("print")) {
    await p.emulateMedia({ media: "print", colorScheme: scheme });
    await p.pdf({ path: path.join(out, name + ".pdf"), format: "A4" });
  }
  const sel = opts.find((o) => o.startsWith("sel="));
  if (sel) await p.locator(sel.slice(4)).first().screenshot({ path: path.join(out, name + ".png") });
  else await p.screenshot({ path: path.join(out, name + ".png"), fullPage: !opts.includes("top") });
  await context.close();
}
await browser.close();
