//! What rendering one page carries along: the site, the page's language and link prefix, the
//! sources cited so far (numbered notes), and what the page read (for a preview's cache). Every
//! text of the checked site is turned into HTML or reader text here, the same way everywhere.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::markup::escape;
use crate::model::data::{DataSet, Provenance, Row, SourceKind, Text, TextItem, Value};
use crate::model::display::machine_value;
use crate::model::doc::Figure;
use crate::model::site::{Page, Site};
use crate::model::text::{DataRef, Localized, Quoter, Ref, Rich, Span};

/// The sources cited on one page, numbered in order of first use.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Note {
    pub number: usize,
    pub anchor: String,
    /// report, external or derived.
    pub kind: &'static str,
    pub html: String,
    /// Index of the source.
    #[serde(skip)]
    source: usize,
}

impl Note {
    /// The index of the source the note describes.
    pub fn source(&self) -> usize {
        self.source
    }
}

/// What a page read while it was rendered: a preview re-renders it when one of these changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deps {
    pub sets: BTreeSet<usize>,
    pub charts: BTreeSet<usize>,
}

/// One page being rendered.
pub struct Cx<'a> {
    pub site: &'a Site,
    pub lang: &'a str,
    /// Prefix from the page to the site root, for links (`../../`).
    pub prefix: String,
    pub notes: Vec<Note>,
    pub deps: Deps,
}

impl<'a> Cx<'a> {
    pub fn new(site: &'a Site, lang: &'a str, prefix: &str) -> Self {
        Cx {
            site,
            lang,
            prefix: prefix.to_string(),
            notes: Vec::new(),
            deps: Deps::default(),
        }
    }

    /// A UI string of the page's language.
    pub fn t(&self, key: &str) -> &'a str {
        self.site.packs.get(self.lang).string(key)
    }

    fn smart(&self) -> bool {
        self.site.packs.get(self.lang).smart_punctuation
    }

    /// A data set, recorded as read.
    pub fn set(&mut self, ix: usize) -> &'a DataSet {
        self.deps.sets.insert(ix);
        &self.site.data[ix]
    }

    /// The row a reference points at, its set recorded as read.
    pub fn row_of(&mut self, r: &DataRef) -> (&'a DataSet, &'a Row) {
        let set = self.set(r.set);
        (set, &set.rows[r.row])
    }

    /// Records the data sets a text reads through its references (and theirs).
    fn read_refs(&mut self, rich: &Rich) {
        let mut todo: Vec<DataRef> = rich.data_refs().cloned().collect();
        let mut seen = BTreeSet::new();
        while let Some(r) = todo.pop() {
            if !seen.insert((r.set, r.row, r.field.clone())) {
                continue;
            }
            let (_, row) = self.row_of(&r);
            if let Some(Value::Text(t)) = row.values.get(&r.field) {
                for item in t.riches() {
                    todo.extend(item.data_refs().cloned());
                }
            }
        }
    }

    /// A text as readers see it: references expanded, typographic quotes where the language
    /// uses them.
    pub fn reader(&mut self, rich: &Rich) -> String {
        self.read_refs(rich);
        let mut q = Quoter::new();
        let mut out = String::new();
        for span in &rich.spans {
            match span {
                Span::Text(t) if self.smart() => out.push_str(&q.quote(t)),
                Span::Text(t) => out.push_str(t),
                Span::Ref(r) => {
                    let v = self.site.ref_plain_text(r, self.lang);
                    q.skip(&v);
                    out.push_str(&v);
                }
            }
        }
        out
    }

    /// [`Cx::reader`], escaped for HTML.
    pub fn html(&mut self, rich: &Rich) -> String {
        escape(&self.reader(rich))
    }

    /// A per-language text as reader text ("" when absent).
    pub fn reader_in(&mut self, texts: &Localized<Rich>) -> String {
        match self.site.localized(texts, self.lang) {
            Some(r) => self.reader(r),
            None => String::new(),
        }
    }

    /// Like [`Cx::html`], with a source marker after each figure that is not the report's own
    /// (for notes, where readers meet outside figures in running text).
    pub fn marked(&mut self, rich: &Rich) -> String {
        self.read_refs(rich);
        let mut q = Quoter::new();
        let mut out = String::new();
        for span in &rich.spans {
            match span {
                Span::Text(t) if self.smart() => out.push_str(&escape(&q.quote(t))),
                Span::Text(t) => out.push_str(&escape(t)),
                Span::Ref(Ref::Data(d)) => {
                    let v = self.site.ref_text(d, self.lang);
                    q.skip(&v);
                    out.push_str(&escape(&v));
                    let (_, row) = self.row_of(d);
                    out.push_str(&self.marker(row));
                }
                Span::Ref(r) => {
                    let v = self.site.ref_plain_text(r, self.lang);
                    q.skip(&v);
                    out.push_str(&escape(&v));
                }
            }
        }
        out
    }

    /// HTML of a text in language `from`, marked with that language when it is not the page's
    /// (a partial translation showing the default language's text): readers and screen readers
    /// then read it in its own language, in its own script's glyphs.
    pub fn in_lang(&self, from: Option<&str>, html: String) -> String {
        match from {
            Some(l) if l != self.lang && !html.is_empty() => format!(
                "<span lang=\"{}\">{html}</span>",
                escape(&self.site.html_lang(l))
            ),
            _ => html,
        }
    }

    /// The `lang` attribute value for a text in `from` on this page ("" for the page's own).
    pub fn lang_attr(&self, from: Option<&str>) -> String {
        match from {
            Some(l) if l != self.lang => self.site.html_lang(l),
            _ => String::new(),
        }
    }

    /// A per-language text as HTML, marked with its language where it falls back.
    pub fn html_in(&mut self, texts: &Localized<Rich>) -> String {
        let from = self.site.fallback_lang(texts, self.lang);
        let html = match self.site.localized(texts, self.lang) {
            Some(r) => self.html(r),
            None => String::new(),
        };
        self.in_lang(from, html)
    }

    /// A data text as HTML: one text, or a list; marked with its language where it falls back
    /// (a list on its `<ul>`, which a `<span>` may not hold).
    pub fn text_html(&mut self, t: &Text) -> String {
        let from = t.fell_back(self.lang, self.site.default_language());
        match t.get(self.lang, self.site.default_language()) {
            Some(TextItem::One(r)) => {
                let html = self.html(r);
                self.in_lang(from, html)
            }
            Some(TextItem::List(items)) => {
                let lang = self.lang_attr(from);
                let mut s = if lang.is_empty() {
                    String::from("<ul>")
                } else {
                    format!("<ul lang=\"{}\">", escape(&lang))
                };
                for i in items {
                    let _ = write!(s, "<li>{}</li>", self.html(i));
                }
                s.push_str("</ul>");
                s
            }
            None => String::new(),
        }
    }

    /// A data text as reader text (list items joined by "; ").
    pub fn text_reader(&mut self, t: &Text) -> String {
        match t.get(self.lang, self.site.default_language()) {
            Some(TextItem::One(r)) => self.reader(r),
            Some(TextItem::List(items)) => items
                .iter()
                .map(|i| self.reader(i))
                .collect::<Vec<_>>()
                .join("; "),
            None => String::new(),
        }
    }

    /// A `{{…}}` reference in the body: a figure as `<data>` with its machine value and its
    /// source marker, a text as text, a figure number as a link to the figure.
    pub fn inline(&mut self, r: &Ref, page: &Page) -> String {
        match r {
            Ref::Data(d) => self.inline_data(d),
            Ref::Figure(id) => self.figure_link(id, page),
        }
    }

    fn inline_data(&mut self, d: &DataRef) -> String {
        let (_, row) = self.row_of(d);
        let value = row.values.get(&d.field);
        let text = self.site.ref_text(d, self.lang);
        let text = match value {
            Some(Value::Text(t)) => {
                let rich: Vec<&Rich> = t.riches();
                for r in rich {
                    self.read_refs(r);
                }
                if self.smart() {
                    escape(&crate::model::text::smart_quotes(&text))
                } else {
                    escape(&text)
                }
            }
            _ => escape(&text),
        };
        let marker = self.marker(row);
        let kind = self.site.kind_of(row).as_str();
        match value.and_then(machine_value) {
            Some(v) => format!(
                "<data class=\"fig fig-{kind}\" value=\"{}\">{text}</data>{marker}",
                escape(&v)
            ),
            None => format!("{text}{marker}"),
        }
    }

    /// The address of a figure: its bare anchor on its own page, its page and anchor elsewhere.
    pub fn figure_href(&self, fig: &Figure, same_page: bool) -> String {
        if same_page {
            format!("#{}", fig.anchor)
        } else {
            let site = self.site;
            format!(
                "{}#{}",
                site.href(&self.prefix, &site.pages[fig.page].dir),
                fig.anchor
            )
        }
    }

    /// "图 2", linked to the figure (on this page or another).
    fn figure_link(&mut self, id: &str, page: &Page) -> String {
        let site = self.site;
        let Some(fig) = site.figure(self.lang, id) else {
            return String::new();
        };
        let same_page =
            site.pages[fig.page].key == page.key && site.pages[fig.page].lang == page.lang;
        let href = self.figure_href(fig, same_page);
        format!(
            "<a class=\"xref\" href=\"{}\">{}</a>",
            escape(&href),
            escape(&site.figure_label(self.lang, id))
        )
    }

    /// Cites a source: its note number on this page (adding it on first use).
    pub fn cite(&mut self, source: usize) -> usize {
        if let Some(n) = self.notes.iter().find(|n| n.source == source) {
            return n.number;
        }
        let number = self.notes.len() + 1;
        // Reserve the number before describing: a derivation cites its inputs.
        self.notes.push(Note {
            number,
            anchor: format!("note-{number}"),
            kind: self.site.sources[source].provenance.kind().as_str(),
            html: String::new(),
            source,
        });
        let html = self.describe(source);
        self.notes[number - 1].html = html;
        number
    }

    /// A superscript link to a row's source note, for figures not printed in the report.
    pub fn marker(&mut self, row: &Row) -> String {
        let Some(source) = row.source else {
            return String::new();
        };
        match self.site.sources[source].provenance.kind() {
            SourceKind::Report => String::new(),
            kind => {
                let n = self.cite(source);
                let label = self.t(kind.label_key());
                format!(
                    "<sup class=\"note-ref\"><a href=\"#note-{n}\" aria-label=\"{} {n}\">{n}</a></sup>",
                    escape(label)
                )
            }
        }
    }

    /// A citation in prose: the note number of each source (numbered with the figures' notes,
    /// once per page), linked to its note, with its locator after it.
    pub fn cite_mark(&mut self, items: &[crate::model::doc::Cited]) -> String {
        let mut marks = Vec::new();
        for item in items {
            let n = self.cite(item.source);
            let kind = self.site.sources[item.source].provenance.kind();
            let mut label = format!("{} {n}", self.t(kind.label_key()));
            let mut mark = format!("<a href=\"#note-{n}\"");
            if let Some(l) = &item.locator {
                label.push_str(self.t("colon"));
                label.push_str(l);
                let _ = write!(
                    mark,
                    " aria-label=\"{}\">{n}</a><span class=\"locator\">{}{}</span>",
                    escape(&label),
                    escape(self.t("colon")),
                    escape(l)
                );
            } else {
                let _ = write!(mark, " aria-label=\"{}\">{n}</a>", escape(&label));
            }
            marks.push(mark);
        }
        format!(
            "<sup class=\"note-ref cite\">{}</sup>",
            marks.join("<span class=\"sep\">,</span>")
        )
    }

    /// HTML describing a source: a link to the report's section, an outside citation, or a
    /// derivation and what it rests on.
    pub fn describe(&mut self, source: usize) -> String {
        let site = self.site;
        match &site.sources[source].provenance {
            p @ Provenance::Report { .. } => self.report_link(p),
            Provenance::External {
                publisher,
                title,
                date,
                url,
                ..
            } => {
                if let Some(f) = crate::render::cite::source(site, source, self.lang) {
                    return f.html;
                }
                // An entry the engine cannot read (it was checked, so this is a fallback only).
                let publisher = self.text_reader(publisher);
                let title = self.text_reader(title);
                let cite = self
                    .t("cite_external")
                    .replace("{publisher}", &escape(&publisher))
                    .replace("{title}", &escape(&title))
                    .replace("{date}", &escape(date));
                match url {
                    Some(u) => format!(
                        "{cite} <a class=\"ext\" href=\"{}\" rel=\"noopener\">{}</a>",
                        escape(u),
                        escape(&display_url(u))
                    ),
                    None => cite,
                }
            }
            Provenance::Derived { from, method } => {
                let method = match site.localized(method, self.lang) {
                    Some(m) => self.html(m),
                    None => String::new(),
                };
                let mut inputs = Vec::new();
                for &f in from {
                    match &site.sources[f].provenance {
                        p @ Provenance::Report { .. } => inputs.push(self.report_link(p)),
                        _ => {
                            let n = self.cite(f);
                            inputs.push(format!("<a href=\"#note-{n}\">[{n}]</a>"));
                        }
                    }
                }
                format!(
                    "<strong>{}</strong>{} {method} <span class=\"derived-from\">({}{} {})</span>",
                    escape(self.t("source_derived")),
                    escape(self.t("colon")),
                    escape(self.t("derived_from")),
                    escape(self.t("colon")),
                    inputs.join(self.t("list_separator"))
                )
            }
        }
    }

    /// "本报告 · 02 发展现状 › 国产大模型已大幅降价…" linking to the section.
    pub fn report_link(&mut self, p: &Provenance) -> String {
        let site = self.site;
        let Some((page, anchor)) = site.report_page(self.lang, p) else {
            return escape(&p.section().unwrap_or_default());
        };
        let mut label = String::from(self.t("source_report"));
        let chapter = match (&page.front.number, page.is_home()) {
            (_, true) => String::new(),
            (Some(n), _) => format!("{n} {}", self.reader(page.nav_title())),
            (None, _) => self.reader(page.nav_title()),
        };
        if !chapter.is_empty() {
            let _ = write!(label, " · {chapter}");
        }
        if let Some(h) = page.headings.iter().find(|h| h.id == anchor) {
            let _ = write!(label, " › {}", self.reader(&h.text));
        }
        let href = format!("{}#{}", site.href(&self.prefix, &page.dir), anchor);
        format!("<a href=\"{}\">{}</a>", escape(&href), escape(&label))
    }
}

/// `https://www.example.org/a/b` → `example.org/a/b`, shortened for reading.
pub fn display_url(url: &str) -> String {
    let u = url
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("www.");
    let u = u.trim_end_matches('/');
    if u.chars().count() > 48 {
        let cut: String = u.chars().take(45).collect();
        format!("{cut}…")
    } else {
        u.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortens_urls() {
        assert_eq!(display_url("https://www.example.org/a/"), "example.org/a");
        assert!(display_url(&format!("https://x.org/{}", "a".repeat(60))).ends_with('…'));
    }
}
