//! yanbao's fenced blocks (` ```chart `, ` ```table `, ` ```stats `, ` ```figure `, ` ```glossary `):
//! their specs, and the HTML for each, with the provenance of every figure shown to the reader.

use std::fmt::Write as _;

use serde::Deserialize;

use crate::charts::{self, Chart};
use crate::content::PageSource;
use crate::data::{DataSet, Provenance, Resolved, Row, SourceKind, Text, TextItem, Value};
use crate::error::Diagnostic;
use crate::markdown::{BlockInfo, Piece, escape, split_refs};
use crate::quantity::Style;
use crate::site::{Numbered, Site};
use crate::yaml;

/// Numbered separately: figures (charts and lost images) and tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FigureKind {
    Figure,
    Table,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FigureStatus {
    /// The image is gone and nothing of it survives.
    Lost,
    /// The image is gone; its structure is rebuilt from the report's text right below.
    Rebuilt,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    pub data: String,
    #[serde(default)]
    pub columns: Option<Vec<String>>,
    #[serde(default)]
    pub rows: Option<Vec<String>>,
    /// Id for `{{tab:id}}`; defaults to the data file's id.
    #[serde(default)]
    pub id: Option<String>,
    /// Caption; defaults to the data file's title.
    #[serde(default)]
    pub title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsSpec {
    pub data: String,
    pub rows: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureSpec {
    #[serde(default)]
    pub id: Option<String>,
    pub title: String,
    pub status: FigureStatus,
    /// The caption line the report printed under the image ("数据来源：…").
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChartRef {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlossarySpec {
    #[serde(default = "glossary_id")]
    pub data: String,
}

fn glossary_id() -> String {
    "glossary".into()
}

impl Default for GlossarySpec {
    fn default() -> Self {
        GlossarySpec {
            data: glossary_id(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum BlockSpec {
    Chart(ChartRef),
    Table(TableSpec),
    Stats(StatsSpec),
    Figure(FigureSpec),
    Glossary(GlossarySpec),
}

impl BlockSpec {
    /// Parses a block's YAML body; errors point into the Markdown file.
    pub fn parse(block: &BlockInfo, page: &PageSource) -> Result<BlockSpec, Diagnostic> {
        let file = &page.file;
        let offset = page.body_start + block.body_offset;
        let (line, _) = file.line_col(offset);
        let body = block.body.trim();
        let line_offset = line - 1;
        match block.kind.as_str() {
            // A bare id reads best in plain Markdown viewers: ```chart\nprice-trend\n```
            "chart" if !body.is_empty() && !body.contains(':') => Ok(BlockSpec::Chart(ChartRef {
                id: body.to_string(),
            })),
            "chart" => {
                yaml::parse(file, &block.body, line_offset).map(|(v, _)| BlockSpec::Chart(v))
            }
            "table" => {
                yaml::parse(file, &block.body, line_offset).map(|(v, _)| BlockSpec::Table(v))
            }
            "stats" => {
                yaml::parse(file, &block.body, line_offset).map(|(v, _)| BlockSpec::Stats(v))
            }
            "figure" => {
                yaml::parse(file, &block.body, line_offset).map(|(v, _)| BlockSpec::Figure(v))
            }
            "glossary" if body.is_empty() => Ok(BlockSpec::Glossary(GlossarySpec::default())),
            _ => yaml::parse(file, &block.body, line_offset).map(|(v, _)| BlockSpec::Glossary(v)),
        }
        .map_err(|d| {
            if body.is_empty() {
                file.error_at(offset, format!("empty `{}` block", block.kind))
                    .help(block_help(&block.kind))
            } else {
                let h = d.help.clone().unwrap_or_default();
                d.help(format!(
                    "{h}{}{}",
                    if h.is_empty() { "" } else { "; " },
                    block_help(&block.kind)
                ))
            }
        })
    }

    pub fn figure_kind(&self) -> Option<FigureKind> {
        match self {
            BlockSpec::Chart(_) | BlockSpec::Figure(_) => Some(FigureKind::Figure),
            BlockSpec::Table(_) => Some(FigureKind::Table),
            _ => None,
        }
    }

    /// The id `{{fig:…}}` / `{{tab:…}}` use.
    pub fn figure_id(&self) -> Option<&str> {
        match self {
            BlockSpec::Chart(c) => Some(&c.id),
            BlockSpec::Figure(f) => f.id.as_deref(),
            BlockSpec::Table(t) => Some(t.id.as_deref().unwrap_or(&t.data)),
            _ => None,
        }
    }

    /// HTML id of the block's figure element.
    pub fn anchor(&self, number: usize) -> String {
        match (self.figure_kind(), self.figure_id()) {
            (Some(FigureKind::Table), Some(id)) => format!("tab-{id}"),
            (_, Some(id)) => format!("fig-{id}"),
            _ => format!("fig-{number}"),
        }
    }
}

fn block_help(kind: &str) -> &'static str {
    match kind {
        "chart" => "a chart block holds the chart's id: `id: price-trend`",
        "table" => {
            "a table block names a data file: `data: prices` (optional `columns: […]`, `rows: […]`)"
        }
        "stats" => {
            "a stats block names a data file and rows: `data: case_results` and `rows: [a, b]`"
        }
        "figure" => "a figure block needs `title: …` and `status: lost` or `status: rebuilt`",
        _ => "a glossary block may name its data file: `data: glossary`",
    }
}

/// The figures' sources cited on one page, numbered in order of first use.
#[derive(Debug, Clone, Default)]
pub struct Notes {
    pub items: Vec<Note>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Note {
    pub number: usize,
    pub anchor: String,
    /// report, external or derived.
    pub kind: &'static str,
    pub html: String,
    #[serde(skip)]
    key: (String, String),
}

/// Everything a block needs to render on one page.
pub struct Ctx<'a> {
    pub site: &'a Site,
    pub lang: &'a str,
    /// Prefix from the page to the site root, for links (`../../`).
    pub prefix: String,
    pub notes: Notes,
}

impl<'a> Ctx<'a> {
    pub fn new(site: &'a Site, lang: &'a str, prefix: &str) -> Self {
        Ctx {
            site,
            lang,
            prefix: prefix.to_string(),
            notes: Notes::default(),
        }
    }

    fn t(&self, key: &str) -> &'a str {
        self.site.packs.get(self.lang).string(key)
    }

    /// Cites a source: its note number on this page (adding it on first use).
    pub fn cite(&mut self, set: &DataSet, source: &str) -> usize {
        let key = (set.id.clone(), source.to_string());
        if let Some(n) = self.notes.items.iter().find(|n| n.key == key) {
            return n.number;
        }
        let number = self.notes.items.len() + 1;
        // Reserve the number before describing: a derivation cites its inputs.
        self.notes.items.push(Note {
            number,
            anchor: format!("note-{number}"),
            kind: set.source(source).map_or("report", |p| p.kind().as_str()),
            html: String::new(),
            key,
        });
        let html = self.describe(set, source);
        self.notes.items[number - 1].html = html;
        number
    }

    /// A superscript link to a source's note, for figures not printed in the report.
    pub fn marker(&mut self, set: &DataSet, row: &Row) -> String {
        let Some(source) = row.source.as_deref() else {
            return String::new();
        };
        match set.source(source).map(Provenance::kind) {
            Some(SourceKind::Report) | None => String::new(),
            Some(kind) => {
                let n = self.cite(set, source);
                let label = self.t(kind.label_key());
                format!(
                    "<sup class=\"note-ref\"><a href=\"#note-{n}\" aria-label=\"{} {n}\">{n}</a></sup>",
                    escape(label)
                )
            }
        }
    }

    /// HTML describing a source: a link to the report's section, an outside citation, or a
    /// derivation and what it rests on.
    pub fn describe(&mut self, set: &DataSet, source: &str) -> String {
        let Some(p) = set.source(source).cloned() else {
            return escape(source);
        };
        match p {
            Provenance::Report { section } => self.report_link(&section),
            Provenance::External {
                publisher,
                title,
                date,
                url,
            } => {
                let pack = self.site.packs.get(self.lang);
                let cite = pack
                    .string("cite_external")
                    .replace("{publisher}", &escape(&publisher.joined(self.lang)))
                    .replace("{title}", &escape(&title.joined(self.lang)))
                    .replace("{date}", &escape(&date));
                match url {
                    Some(u) => format!(
                        "{cite} <a class=\"ext\" href=\"{}\" rel=\"noopener\">{}</a>",
                        escape(&u),
                        escape(&display_url(&u))
                    ),
                    None => cite,
                }
            }
            Provenance::Derived { from, method } => {
                let text = method.get(self.lang).cloned().unwrap_or_default();
                let method = self.expand(&text);
                let mut inputs = Vec::new();
                for f in &from {
                    match set.source(f) {
                        Some(Provenance::Report { section }) => {
                            let section = section.clone();
                            inputs.push(self.report_link(&section));
                        }
                        Some(_) => {
                            let n = self.cite(set, f);
                            inputs.push(format!("<a href=\"#note-{n}\">[{n}]</a>"));
                        }
                        None => {}
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
    pub fn report_link(&self, section: &str) -> String {
        let (key, anchor) = section.split_once('#').unwrap_or((section, ""));
        let site = self.site;
        let Some(page) = site.page(self.lang, key) else {
            return escape(section);
        };
        let mut label = String::from(self.t("source_report"));
        let chapter = match (&page.src.front.number, page.is_home()) {
            (_, true) => String::new(),
            (Some(n), _) => format!("{n} {}", page.nav_title()),
            (None, _) => page.nav_title().to_string(),
        };
        if !chapter.is_empty() {
            let _ = write!(label, " · {chapter}");
        }
        if let Some(h) = page.scan.headings.iter().find(|h| h.id == anchor) {
            let _ = write!(label, " › {}", self.expand_plain(&h.raw));
        }
        let href = format!("{}#{}", site.href(&self.prefix, &page.dir), anchor);
        format!("<a href=\"{}\">{}</a>", escape(&href), escape(&label))
    }

    /// Text with `{{…}}` references replaced by their values (escaped HTML). Unresolvable
    /// references stay as written; `check` reports them at their source.
    pub fn expand(&self, text: &str) -> String {
        escape(&self.expand_plain(text))
    }

    /// Like [`Ctx::expand`], with a source marker after each figure that is not the report's
    /// own (for notes, where readers meet outside figures in running text).
    pub fn expand_marked(&mut self, text: &str) -> String {
        let site = self.site;
        let text = self.smart(text);
        let mut out = String::new();
        for piece in split_refs(&text) {
            match piece {
                Piece::Text(t) => out.push_str(&escape(t)),
                Piece::Ref { spec, raw, .. } => match site.data.resolve(spec) {
                    Ok(r) => {
                        out.push_str(&escape(&r.text(self.lang, &site.packs)));
                        let marker = self.marker(r.set, r.row);
                        out.push_str(&marker);
                    }
                    Err(_) => out.push_str(&escape(raw)),
                },
            }
        }
        out
    }

    /// Straight quotes made typographic, in languages with smart punctuation.
    fn smart<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        if self.site.packs.get(self.lang).smart_punctuation && text.contains(['\'', '"']) {
            std::borrow::Cow::Owned(crate::content::smart_quotes(text))
        } else {
            std::borrow::Cow::Borrowed(text)
        }
    }

    /// Like [`Ctx::expand`], as plain text.
    pub fn expand_plain(&self, text: &str) -> String {
        expand_refs(&self.smart(text), |spec| {
            self.site
                .data
                .resolve(spec)
                .ok()
                .map(|r| r.text(self.lang, &self.site.packs))
        })
    }

    /// A `{{file.row}}` reference in prose.
    pub fn inline(&mut self, r: &Resolved) -> String {
        let text = r.text(self.lang, &self.site.packs);
        let text = match r.value {
            Value::Text(_) => self.expand(&text),
            _ => escape(&text),
        };
        let marker = self.marker(r.set, r.row);
        let kind = r.provenance().map_or("report", |(_, p)| p.kind().as_str());
        match r.machine_value() {
            Some(v) => format!(
                "<data class=\"fig fig-{kind}\" value=\"{}\">{text}</data>{marker}",
                escape(&v)
            ),
            None => format!("{text}{marker}"),
        }
    }

    /// Where the data file's downloads are, relative to the page.
    pub fn downloads(&self, set_id: &str) -> String {
        let csv = self
            .site
            .asset_href(&self.prefix, &format!("{}/data/{set_id}.csv", self.lang));
        let json = self
            .site
            .asset_href(&self.prefix, &format!("data/{set_id}.json"));
        format!(
            "<span class=\"downloads\">{}{} <a href=\"{}\" download>CSV</a> · <a href=\"{}\" download>JSON</a></span>",
            escape(self.t("download_data")),
            escape(self.t("colon")),
            escape(&csv),
            escape(&json)
        )
    }

    /// The "来源：…" line: the report's sections first, then outside sources and derivations,
    /// each group with its note numbers; then the downloads and the data file's notes.
    pub fn source_line(&mut self, set: &DataSet, rows: &[&Row]) -> String {
        let mut seen: Vec<&str> = Vec::new();
        for r in rows {
            if let Some(s) = r.source.as_deref() {
                if !seen.contains(&s) {
                    seen.push(s);
                }
            }
        }
        let mut parts = Vec::new();
        for kind in [
            SourceKind::Report,
            SourceKind::External,
            SourceKind::Derived,
        ] {
            let ids: Vec<&str> = seen
                .iter()
                .copied()
                .filter(|s| set.source(s).map(Provenance::kind) == Some(kind))
                .collect();
            if ids.is_empty() {
                continue;
            }
            if kind == SourceKind::Report {
                parts.extend(ids.iter().map(|s| self.describe(set, s)));
                continue;
            }
            let label = self.t(kind.label_key());
            let refs: Vec<String> = ids
                .iter()
                .map(|s| {
                    let n = self.cite(set, s);
                    format!("<a href=\"#note-{n}\">[{n}]</a>")
                })
                .collect();
            parts.push(format!("{} {}", escape(label), refs.join("")));
        }
        let mut html = String::from("<p class=\"fig-source\">");
        if !parts.is_empty() {
            let _ = write!(
                html,
                "<span class=\"label\">{}{}</span>{}",
                escape(self.t("source")),
                escape(self.t("colon")),
                parts.join(self.t("list_separator"))
            );
        }
        html.push_str(&self.downloads(&set.id));
        html.push_str("</p>");
        if let Some(notes) = set.notes.as_ref().and_then(|n| n.get(self.lang)).cloned() {
            let notes_html = self.expand_marked(&notes);
            // Long notes fold away under their label; short ones read inline.
            if notes.chars().count() > 240 {
                let _ = write!(
                    html,
                    "<details class=\"fig-notes\"><summary class=\"label\">{}</summary><p>{}</p></details>",
                    escape(self.t("notes")),
                    notes_html
                );
            } else {
                let _ = write!(
                    html,
                    "<p class=\"fig-notes\"><span class=\"label\">{}{}</span>{}</p>",
                    escape(self.t("notes")),
                    escape(self.t("colon")),
                    notes_html
                );
            }
        }
        html
    }

    fn caption(&self, numbered: &Numbered, title: &str) -> String {
        let title = self.smart(title);
        let label = match numbered.kind {
            FigureKind::Figure => self.t("figure"),
            FigureKind::Table => self.t("table"),
        };
        format!(
            "<figcaption id=\"{}-cap\"><span class=\"fig-num\">{} {}</span> {}</figcaption>",
            numbered.anchor,
            escape(label),
            numbered.number,
            escape(&title)
        )
    }

    /// Rows of a data file selected by id (all, when `ids` is None), or an error naming the unknown id.
    pub fn select_rows<'s>(
        &self,
        set: &'s DataSet,
        ids: Option<&[String]>,
    ) -> Result<Vec<&'s Row>, (String, String)> {
        match ids {
            None => Ok(set.rows.iter().collect()),
            Some(ids) => ids
                .iter()
                .map(|id| {
                    set.row(id).ok_or_else(|| {
                        (
                            format!("data file `{}` has no row `{id}`", set.id),
                            format!("rows: {}", set.row_ids()),
                        )
                    })
                })
                .collect(),
        }
    }

    fn data_set(&self, id: &str) -> Result<&'a DataSet, (String, String)> {
        if self.site.data.failed.contains(id) {
            return Err((crate::error::ALREADY_REPORTED.into(), String::new()));
        }
        self.site.data.sets.get(id).ok_or_else(|| {
            (
                format!("unknown data file `{id}`"),
                format!(
                    "data files: {}",
                    crate::data::list_keys(&self.site.data.sets)
                ),
            )
        })
    }

    /// A data table as a numbered figure.
    pub fn table(
        &mut self,
        spec: &TableSpec,
        numbered: &Numbered,
    ) -> Result<String, (String, String)> {
        let set = self.data_set(&spec.data)?;
        let rows = self.select_rows(set, spec.rows.as_deref())?;
        let columns: Vec<&str> = match &spec.columns {
            Some(c) => c.iter().map(String::as_str).collect(),
            None => set.fields.iter().map(|(n, _)| n.as_str()).collect(),
        };
        for c in &columns {
            if set.field(c).is_none() {
                return Err((
                    format!("data file `{}` has no field `{c}`", set.id),
                    format!("fields: {}", set.field_names()),
                ));
            }
        }
        let title = spec
            .title
            .clone()
            .unwrap_or_else(|| set.title.get(self.lang).cloned().unwrap_or_default());
        let mut html = format!("<figure class=\"data-table\" id=\"{}\">", numbered.anchor);
        html.push_str(&self.caption(numbered, &title));
        let columns: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
        let _ = write!(
            html,
            "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-labelledby=\"{}-cap\">{}</div>",
            numbered.anchor,
            self.table_html(set, &rows, &columns, false)
        );
        html.push_str(&self.source_line(set, &rows));
        html.push_str("</figure>\n");
        Ok(html)
    }

    /// One table cell: (HTML, is it a number).
    pub fn cell(&self, set: &DataSet, row: &Row, field: &str) -> (String, bool) {
        let pack = self.site.packs.get(self.lang);
        match row.values.get(field) {
            None => (
                "<span class=\"empty\" aria-label=\"—\">—</span>".into(),
                false,
            ),
            Some(Value::Quantity(q)) => {
                let text = match set.unit_of(row, field).and_then(|u| pack.units.get(u)) {
                    Some(unit) => q.format(unit, pack, Style::Table),
                    None => pack.number(q.lo, 6),
                };
                (escape(&text), true)
            }
            Some(Value::Text(t)) => (self.text_html(t), false),
            Some(Value::Year(y)) => (y.to_string(), false),
            Some(Value::Date(d)) => (escape(d), false),
        }
    }

    pub fn text_html(&self, t: &Text) -> String {
        match t.get(self.lang) {
            Some(TextItem::One(s)) => self.expand(s),
            Some(TextItem::List(items)) => {
                let mut s = String::from("<ul>");
                for i in items {
                    let _ = write!(s, "<li>{}</li>", self.expand(i));
                }
                s.push_str("</ul>");
                s
            }
            None => String::new(),
        }
    }

    /// Headline figures from a data file (case-study results).
    pub fn stats(&mut self, spec: &StatsSpec) -> Result<String, (String, String)> {
        let set = self.data_set(&spec.data)?;
        let rows = self.select_rows(set, Some(&spec.rows))?;
        let mut html = String::from("<ul class=\"stats\">");
        for row in rows {
            let Some(Value::Quantity(q)) = row.values.get("value") else {
                return Err((
                    format!(
                        "row `{}.{}` has no quantity `value` to show",
                        set.id, row.id
                    ),
                    "stats show each row's `value` with its `label`".into(),
                ));
            };
            let pack = self.site.packs.get(self.lang);
            let value = match set.unit_of(row, "value").and_then(|u| pack.units.get(u)) {
                Some(unit) => q.format(unit, pack, Style::Full),
                None => pack.number(q.lo, 6),
            };
            let label = match row.values.get("label") {
                Some(Value::Text(t)) => self.text_html(t),
                _ => String::new(),
            };
            let marker = self.marker(set, row);
            let _ = write!(
                html,
                "<li class=\"stat\"><span class=\"stat-value\">{}{marker}</span><span class=\"stat-label\">{label}</span></li>",
                escape(&value)
            );
        }
        html.push_str("</ul>\n");
        Ok(html)
    }

    /// A figure whose image the source lost: a numbered caption and a note saying so.
    /// A rebuilt figure encloses the Markdown table or list that follows it.
    pub fn figure(&self, spec: &FigureSpec, numbered: &Numbered) -> (String, Option<String>) {
        let status = match spec.status {
            FigureStatus::Lost => "lost",
            FigureStatus::Rebuilt => "rebuilt",
        };
        let mut html = format!(
            "<figure class=\"figure-{status}\" id=\"{}\">",
            numbered.anchor
        );
        html.push_str(&self.caption(numbered, &spec.title));
        let note = match spec.status {
            FigureStatus::Lost => self.t("figure_lost"),
            FigureStatus::Rebuilt => self.t("figure_rebuilt"),
        };
        let _ = write!(html, "<p class=\"figure-note\">{}</p>", escape(note));
        let source = spec.source.as_ref().map(|s| {
            format!(
                "<p class=\"fig-source\"><span class=\"label\">{}{}</span>{}</p>",
                escape(self.t("original_source")),
                escape(self.t("colon")),
                escape(s)
            )
        });
        match spec.status {
            FigureStatus::Lost => {
                html.push_str(&source.unwrap_or_default());
                html.push_str("</figure>\n");
                (html, None)
            }
            FigureStatus::Rebuilt => (
                html,
                Some(format!("{}</figure>\n", source.unwrap_or_default())),
            ),
        }
    }

    /// A chart as a numbered figure: both SVG variants, an HTML legend, its sources, and its
    /// numbers as a table (in `<details>`) with CSV and JSON downloads.
    pub fn chart(
        &mut self,
        chart: &Chart,
        numbered: Option<&Numbered>,
        uid: &str,
    ) -> Result<String, (String, String)> {
        let site = self.site;
        let lang = self.lang;
        let expand = |t: &str| self.expand_plain(t);
        let drawing =
            charts::draw(chart, &site.data, &site.packs, lang, uid, &expand).ok_or_else(|| {
                (
                    format!("chart `{}` could not be drawn", chart.id),
                    "run `yanbao check` for the chart's problems".into(),
                )
            })?;
        let set = self.data_set(&chart.spec.data)?;
        let title = chart.spec.title.get(lang).cloned().unwrap_or_default();
        let anchor = numbered.map_or_else(|| format!("{uid}-fig"), |n| n.anchor.clone());
        let mut html = format!("<figure class=\"chart\" id=\"{anchor}\">");
        match numbered {
            Some(n) => html.push_str(&self.caption(n, &title)),
            None => {
                let _ = write!(
                    html,
                    "<figcaption id=\"{anchor}-cap\">{}</figcaption>",
                    escape(&title)
                );
            }
        }
        let _ = write!(
            html,
            "<div class=\"chart-body\">{}{}</div>",
            drawing.wide, drawing.narrow
        );
        if !drawing.legend.is_empty() {
            html.push_str("<ul class=\"legend\">");
            for item in &drawing.legend {
                let _ = write!(
                    html,
                    "<li>{}<span>{}</span></li>",
                    item.swatch,
                    escape(&item.label)
                );
            }
            html.push_str("</ul>");
        }
        let rows = charts::chart_rows(&chart.spec, set);
        let mut source = self.source_line(set, &rows);
        // Downloads of exactly the chart's numbers, not the whole data file.
        let csv = site.asset_href(&self.prefix, &format!("{lang}/charts/{}.csv", chart.id));
        let json = site.asset_href(&self.prefix, &format!("charts/{}.json", chart.id));
        let whole = self.downloads(&set.id);
        let mine = format!(
            "<span class=\"downloads\">{}{} <a href=\"{}\" download>CSV</a> · <a href=\"{}\" download>JSON</a></span>",
            escape(self.t("download_data")),
            escape(self.t("colon")),
            escape(&csv),
            escape(&json)
        );
        source = source.replacen(&whole, &mine, 1);
        html.push_str(&source);
        if let Some(original) = chart
            .spec
            .original_source
            .as_ref()
            .and_then(|o| o.get(lang))
        {
            let _ = write!(
                html,
                "<p class=\"fig-source\"><span class=\"label\">{}{}</span>{}</p>",
                escape(self.t("original_source")),
                escape(self.t("colon")),
                escape(original)
            );
        }
        let fields = charts::table_fields(&chart.spec);
        let _ = write!(
            html,
            "<details class=\"chart-data\"><summary>{}</summary><div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"{}\">{}</div></details>",
            escape(self.t("show_data")),
            escape(&title),
            self.table_html(set, &rows, &fields, true)
        );
        html.push_str("</figure>\n");
        Ok(html)
    }

    /// A `<table>` of `rows` × `fields`: units in the column headers, numbers right-aligned,
    /// the first column as row headers. Provenance shows either as a column of its own (chart
    /// data) or as note markers on the numbers (data tables).
    pub fn table_html(
        &mut self,
        set: &DataSet,
        rows: &[&Row],
        fields: &[String],
        provenance_column: bool,
    ) -> String {
        let pack = self.site.packs.get(self.lang);
        let mut html = String::from("<table><thead><tr>");
        for (i, f) in fields.iter().enumerate() {
            let field = set.field(f);
            let label = field
                .and_then(|x| x.label.get(self.lang))
                .cloned()
                .unwrap_or_else(|| f.clone());
            let unit = column_unit(set, rows, f)
                .and_then(|u| pack.units.get(u))
                .and_then(|u| u.table.label.clone());
            let numeric =
                i > 0 && field.is_some_and(|x| x.kind == crate::data::FieldKind::Quantity);
            let label = match unit {
                Some(u) => format!(
                    "{}<span class=\"unit\">{}</span>",
                    escape(&label),
                    escape(&pack.string("with_unit").replace("{unit}", &u))
                ),
                None => escape(&label),
            };
            let _ = write!(
                html,
                "<th scope=\"col\"{}>{label}</th>",
                if numeric { " class=\"num\"" } else { "" }
            );
        }
        if provenance_column {
            let _ = write!(html, "<th scope=\"col\">{}</th>", escape(self.t("source")));
        }
        html.push_str("</tr></thead><tbody>");
        for row in rows {
            html.push_str("<tr>");
            let marker = self.marker(set, row);
            for (i, f) in fields.iter().enumerate() {
                let (cell, numeric) = self.cell(set, row, f);
                let (open, close) = if i == 0 {
                    ("th scope=\"row\"", "th")
                } else {
                    ("td", "td")
                };
                let class = if numeric { " class=\"num\"" } else { "" };
                let m = if numeric && !provenance_column {
                    marker.as_str()
                } else {
                    ""
                };
                let _ = write!(html, "<{open}{class}>{cell}{m}</{close}>");
            }
            if provenance_column {
                let kind = set.kind_of(row);
                let label = self.t(kind.label_key());
                let _ = write!(
                    html,
                    "<td class=\"kind kind-{}\">{}{marker}</td>",
                    kind.as_str(),
                    escape(label)
                );
            }
            html.push_str("</tr>");
        }
        html.push_str("</tbody></table>");
        html
    }

    /// The glossary as a definition list: both forms of each term, the definition in the page's language.
    pub fn glossary(
        &self,
        spec: &GlossarySpec,
    ) -> Result<crate::markdown::BlockHtml, (String, String)> {
        let set = self.data_set(&spec.data)?;
        let mut html = String::from("<dl class=\"glossary\">");
        let mut sections = Vec::new();
        for row in &set.rows {
            let Some(Value::Text(term)) = row.values.get("term") else {
                return Err((
                    format!("glossary row `{}` has no `term`", row.id),
                    "each row needs `term: {zh: …, en: …}` and `definition: {zh: …, en: …}`".into(),
                ));
            };
            let def = match row.values.get("definition") {
                Some(Value::Text(d)) => self.text_html(d),
                _ => String::new(),
            };
            let _ = write!(
                html,
                "<div class=\"term\" id=\"term-{}\"><dt>",
                escape(&row.id)
            );
            let _ = write!(
                html,
                "<span class=\"term-main\">{}</span>",
                self.expand(&term.joined(self.lang))
            );
            for other in self.site.languages().iter().filter(|l| *l != self.lang) {
                let html_lang = self
                    .site
                    .packs
                    .get(other)
                    .html_lang
                    .clone()
                    .unwrap_or_else(|| other.clone());
                let _ = write!(
                    html,
                    " <span class=\"term-alt\" lang=\"{}\">{}</span>",
                    escape(&html_lang),
                    escape(&term.joined(other))
                );
            }
            let _ = write!(html, "</dt><dd>{def}</dd></div>");
            // Each term is found by search on its own, in every language's form.
            let forms: Vec<String> = std::iter::once(term.joined(self.lang))
                .chain(
                    self.site
                        .languages()
                        .iter()
                        .filter(|l| *l != self.lang)
                        .map(|l| term.joined(l)),
                )
                .collect();
            sections.push(crate::markdown::Section {
                id: format!("term-{}", row.id),
                title: forms.join(" · "),
                text: crate::markdown::strip_tags(&def),
            });
        }
        html.push_str("</dl>\n");
        Ok(crate::markdown::BlockHtml {
            html,
            close: None,
            sections,
        })
    }
}

/// The unit shared by all rows of a column, if they share one.
pub fn column_unit<'s>(set: &'s DataSet, rows: &[&'s Row], field: &str) -> Option<&'s str> {
    let mut units = rows
        .iter()
        .filter(|r| matches!(r.values.get(field), Some(Value::Quantity(_))))
        .map(|r| set.unit_of(r, field));
    let first = units.next()??;
    units.all(|u| u == Some(first)).then_some(first)
}

/// Replaces each `{{spec}}` for which `f` returns a value; leaves the others as written.
pub fn expand_refs(text: &str, mut f: impl FnMut(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    for piece in split_refs(text) {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Ref { spec, raw, .. } => match f(spec) {
                Some(v) => out.push_str(&v),
                None => out.push_str(raw),
            },
        }
    }
    out
}

/// `https://www.example.org/a/b` → `example.org/a/b`, shortened for reading.
fn display_url(url: &str) -> String {
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
    fn expands_known_references_only() {
        let s = expand_refs("a{{x}}b{{y}}c{{", |s| (s == "x").then(|| "1".to_string()));
        assert_eq!(s, "a1b{{y}}c{{");
    }

    #[test]
    fn shortens_urls() {
        assert_eq!(display_url("https://www.example.org/a/"), "example.org/a");
        assert!(display_url(&format!("https://x.org/{}", "a".repeat(60))).ends_with('…'));
    }
}
