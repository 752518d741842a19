"""Reads yanbao's citation files back with independent parsers and prints what they hold as
JSON, for tests/cite.rs: BibTeX with bibtexparser (LaTeX decoded by pylatexenc), RIS with rispy.

Usage: read_citations.py FILE.bib|FILE.ris ...
"""
import json
import sys

import bibtexparser
import rispy
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

DB = get_default_latex_context_db()
# LaTeX2e's text commands for the special characters, as LaTeX prints them (pylatexenc leaves
# the brace commands out and maps \textasciicircum to a modifier letter).
DB.add_context_category(
    "latex2e-text-symbols",
    prepend=True,
    macros=[
        MacroTextSpec("textbraceleft", "{"),
        MacroTextSpec("textbraceright", "}"),
        MacroTextSpec("textbackslash", "\\"),
        MacroTextSpec("textasciicircum", "^"),
        MacroTextSpec("textasciitilde", "~"),
    ],
)
DECODER = LatexNodes2Text(latex_context=DB, math_mode="verbatim", strict_latex_spaces=True)


def decode(tex):
    return DECODER.latex_to_text(tex).strip()


def split_names(value):
    """Splits a BibTeX name list at the `and`s outside braces."""
    parts, depth, cur, i = [], 0, "", 0
    while i < len(value):
        c = value[i]
        if c == "\\":
            cur += value[i : i + 2]
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        if depth == 0 and value.startswith(" and ", i):
            parts.append(cur)
            cur = ""
            i += 5
            continue
        cur += c
        i += 1
    parts.append(cur)
    return [decode(p) for p in parts if p.strip()]


def read_bib(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    lib = bibtexparser.parse_string(text)
    entries = []
    for e in lib.entries:
        raw = {f.key: f.value for f in e.fields}
        fields = {k: (v if k in ("url", "doi") else decode(v)) for k, v in raw.items()}
        entries.append(
            {
                "type": e.entry_type,
                "key": e.key,
                "fields": fields,
                "authors": split_names(raw.get("author", "")),
            }
        )
    return {
        "entries": entries,
        "failed": len(lib.failed_blocks),
        "other_blocks": len(lib.blocks) - len(lib.entries),
    }


def read_ris(path):
    with open(path, encoding="utf-8") as f:
        return {"entries": rispy.load(f)}


out = {}
for path in sys.argv[1:]:
    out[path] = read_bib(path) if path.endswith(".bib") else read_ris(path)
json.dump(out, sys.stdout, ensure_ascii=False, default=str)
