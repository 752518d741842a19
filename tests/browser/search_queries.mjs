// Runs real queries against a built site's search index with the site's own search.js (in a
// Node VM, no browser) and checks that each expected section is among the first three results.
// Also compares the script's tokenisers with the Rust ones on sample texts.
//   node search_queries.mjs <site> <cases.json>
// cases.json: {"queries": [{"lang", "q", "expect"}], "tokens": [[text, index_tokens, query_tokens]]}
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";

const [siteDir, casesFile] = process.argv.slice(2);
const cases = JSON.parse(fs.readFileSync(casesFile, "utf8"));
// Index files are read with the script's own parseBytes, gzip shards decoded by the same
// DecompressionStream a browser has.
const ctx = vm.createContext({ TextEncoder, TextDecoder, URLSearchParams, console, Blob, Response, DecompressionStream });
vm.runInContext(fs.readFileSync(path.join(siteDir, "static/search.js"), "utf8"), ctx);
const S = ctx.yanbaoSearch;
const fetchJson = (url) => S.parseBytes(fs.readFileSync(path.join(siteDir, url)));

let failed = 0;
for (const [text, index, query] of cases.tokens) {
  const a = JSON.stringify(S.tokens(text)), b = JSON.stringify(index);
  const c = JSON.stringify(S.queryTokens(text)), d = JSON.stringify(query);
  if (a !== b || c !== d) {
    failed++;
    console.log(`FAIL tokens of ${JSON.stringify(text)}: script ${a} / ${c}, index ${b} / ${d}`);
  }
}
const indexes = {};
for (const { lang, q, expect } of cases.queries) {
  indexes[lang] ??= new S.Index(`search/${lang}.json`, fetchJson);
  const results = await S.search(indexes[lang], q, 3);
  const hrefs = results.map((r) => r.doc[0]);
  if (!hrefs.some((h) => h.endsWith(expect))) {
    failed++;
    console.log(`FAIL ${lang} "${q}": expected …${expect} in the top three, got ${JSON.stringify(hrefs)}`);
  } else {
    console.log(`ok   ${lang} "${q}" → ${hrefs[0]}`);
  }
}
process.exit(failed ? 1 : 0);
