#!/usr/bin/env python3
"""Convert the synthetic bilingual corpus of ../shared/bench/gen_corpus.py (its mdBook layout:
one book per language, chapters chNNNNN.md with a leading "# title") into a yanbao site, so
yanbao is timed on the same text as Hugo, Zola and mdBook.

Usage: corpus_to_yanbao.py MDBOOK_DIR OUT_DIR

yanbao pairs translations by file name and requires the same heading ids in both languages, so
each "## " heading gets an explicit id {#s1}, {#s2}, … in chapter order (the same in zh and en).
"""
import os
import re
import sys

src, out = sys.argv[1], sys.argv[2]
os.makedirs(os.path.join(out, "content"), exist_ok=True)
with open(os.path.join(out, "content", "site.yaml"), "w", encoding="utf-8") as f:
    f.write("languages: [zh, en]\ntitle: {zh: 基准, en: Bench}\ndescription: {zh: 基准语料, en: Benchmark corpus}\n")
for lang in ("zh", "en"):
    d = os.path.join(out, "content", lang)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "_index.md"), "w", encoding="utf-8") as f:
        f.write("---\ntitle: Bench\n---\n")
    book = os.path.join(src, lang, "src")
    order = re.findall(r"\((?:\./)?(ch\d+)\.md\)", open(os.path.join(book, "SUMMARY.md"), encoding="utf-8").read())
    for k, cid in enumerate(order, 1):
        text = open(os.path.join(book, cid + ".md"), encoding="utf-8").read()
        first, _, body = text.partition("\n")
        title = first.lstrip("# ").strip()
        n = [0]

        def add_id(m):
            n[0] += 1
            return f"{m.group(0)} {{#s{n[0]}}}"

        body = re.sub(r"^## .*$", add_id, body, flags=re.M)
        with open(os.path.join(d, cid + ".md"), "w", encoding="utf-8") as f:
            f.write(f'---\ntitle: "{title}"\norder: {k}\n---\n{body}')
