//! The HTML of yanbao's blocks: data tables, headline stats, figures whose image was lost,
//! charts with their legend, data table and downloads, and the glossary, each with the
//! provenance of its figures shown to the reader.

use std::fmt::Write as _;

use crate::charts;
use crate::markup::escape;
use crate::model::chart::AnnotationKind;
use crate::model::data::{DataSet, FieldKind, Row, SourceKind, Value};
use crate::model::doc::{Block, Figure, FigureImage, FigureKind, FigureStatus};
use crate::model::quantity::Style;
use crate::model::site::Page;
use crate::model::text::Rich;
use crate::render::cx::Cx;

/// A block's HTML; `close` ends an element opened around the next Markdown block, `sections`
/// are search sections of its own (a glossary's terms).
#[derive(Debug, Default)]
pub struct BlockHtml {
    pub html: String,
    pub close: Option<String>,
    pub sections: Vec<crate::render::doc::Section>,
}

impl From<String> for BlockHtml {
    fn from(html: String) -> Self {
        BlockHtml {
            html,
            ..BlockHtml::default()
        }
    }
}

impl Cx<'_> {
    pub fn block(&mut self, block: &Block, page: &Page) -> BlockHtml {
        let site = self.site;
        match block {
            Block::Chart { chart, figure } => {
                let fig = &site.figures[*figure];
                self.chart(*chart, Some(fig), &fig.anchor, &fig.anchor, None)
                    .into()
            }
            Block::Table {
                set,
                rows,
                columns,
                title,
                figure,
            } => self
                .table(*set, rows, columns, title, &site.figures[*figure])
                .into(),
            Block::Stats { set, rows } => self.stats(*set, rows).into(),
            Block::Figure {
                title,
                status,
                image,
                source,
                figure,
            } => {
                let (html, close) = self.figure(
                    title,
                    *status,
                    image.as_ref(),
                    source.as_ref(),
                    &site.figures[*figure],
                );
                BlockHtml {
                    html,
                    close,
                    sections: vec![],
                }
            }
            Block::Glossary { set } => self.glossary(*set, page),
        }
    }

    /// Where the data file's downloads are, relative to the page.
    fn downloads(&self, csv: &str, json: &str) -> String {
        let csv = self.site.asset_href(&self.prefix, csv);
        let json = self.site.asset_href(&self.prefix, json);
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
    fn source_line(&mut self, set: &DataSet, rows: &[&Row], downloads: String) -> String {
        let site = self.site;
        let mut seen: Vec<usize> = Vec::new();
        for r in rows {
            if let Some(s) = r.source
                && !seen.contains(&s)
            {
                seen.push(s);
            }
        }
        let mut parts = Vec::new();
        for kind in SourceKind::ALL {
            let ids: Vec<usize> = seen
                .iter()
                .copied()
                .filter(|&s| site.sources[s].provenance.kind() == kind)
                .collect();
            if ids.is_empty() {
                continue;
            }
            if kind == SourceKind::Report {
                parts.extend(ids.iter().map(|&s| self.describe(s)));
                continue;
            }
            let label = self.t(kind.label_key());
            let refs: Vec<String> = ids
                .iter()
                .map(|&s| {
                    let n = self.cite(s);
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
        html.push_str(&downloads);
        html.push_str("</p>");
        if let Some((notes, from)) = set.notes.as_ref().and_then(|n| {
            site.localized(n, self.lang)
                .map(|t| (t, site.fallback_lang(n, self.lang)))
        }) {
            let notes_html = self.marked(notes);
            let notes_html = self.in_lang(from, notes_html);
            // Long notes fold away under their label; short ones read inline.
            if site.plain(notes, self.lang).chars().count() > 240 {
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

    /// `<figcaption>`: "图 2" and the title. `more` adds a link after it (the home page's charts
    /// link to where the report discusses them).
    fn caption(
        &mut self,
        fig: &Figure,
        anchor: &str,
        title_html: &str,
        subtitle: &str,
        more: Option<&str>,
    ) -> String {
        let label = match fig.kind {
            FigureKind::Figure => self.t("figure"),
            FigureKind::Table => self.t("table"),
        };
        let more = more.unwrap_or_default();
        format!(
            "<figcaption id=\"{}-cap\"><span class=\"fig-num\">{} {}</span> {title_html}{more}{subtitle}</figcaption>",
            escape(anchor),
            escape(label),
            fig.number,
        )
    }

    /// A chart's subtitle as the caption's second line ("" without one).
    fn subtitle(&mut self, chart: &crate::model::chart::Chart) -> String {
        match &chart.subtitle {
            Some(s) => format!("<span class=\"fig-subtitle\">{}</span>", self.html_in(s)),
            None => String::new(),
        }
    }

    /// A data table as a numbered figure.
    fn table(
        &mut self,
        set_ix: usize,
        rows: &[usize],
        columns: &[String],
        title: &Rich,
        fig: &Figure,
    ) -> String {
        let set = self.set(set_ix);
        let rows = set.rows_at(rows);
        let title = self.reader(title);
        let anchor = escape(&fig.anchor);
        let mut html = format!("<figure class=\"data-table\" id=\"{anchor}\">");
        html.push_str(&self.caption(fig, &fig.anchor, &escape(&title), "", None));
        let _ = write!(
            html,
            "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-labelledby=\"{anchor}-cap\">{}</div>",
            self.table_html(set, &rows, columns, false)
        );
        let mut downloads = self.downloads(
            &format!("{}/data/{}.csv", self.lang, set.id),
            &format!("data/{}.json", set.id),
        );
        downloads.push_str(&self.permalink(fig, &fig.anchor));
        html.push_str(&self.source_line(set, &rows, downloads));
        html.push_str(&self.cite_details(fig));
        html.push_str("</figure>\n");
        html
    }

    /// One table cell: (HTML, is it a number).
    fn cell(&mut self, set: &DataSet, row: &Row, field: &str) -> (String, bool) {
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

    /// Headline figures from a data file (case-study results).
    fn stats(&mut self, set_ix: usize, rows: &[usize]) -> String {
        let set = self.set(set_ix);
        let mut html = String::from("<ul class=\"stats\">");
        for &r in rows {
            let row = &set.rows[r];
            let Some(q) = row.quantity("value") else {
                continue;
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
            let marker = self.marker(row);
            let _ = write!(
                html,
                "<li class=\"stat\"><span class=\"stat-value\">{}{marker}</span><span class=\"stat-label\">{label}</span></li>",
                escape(&value)
            );
        }
        html.push_str("</ul>\n");
        html
    }

    /// A numbered image figure: its caption, the image, its source line. A figure whose image
    /// the source lost has a note saying so instead; a rebuilt one encloses the Markdown table
    /// or list that follows it.
    fn figure(
        &mut self,
        title: &Rich,
        status: FigureStatus,
        image: Option<&FigureImage>,
        source: Option<&Rich>,
        fig: &Figure,
    ) -> (String, Option<String>) {
        let class = match status {
            FigureStatus::Lost => "lost",
            FigureStatus::Rebuilt => "rebuilt",
            FigureStatus::Image => "image",
        };
        let mut html = format!(
            "<figure class=\"figure-{class}\" id=\"{}\">",
            escape(&fig.anchor)
        );
        let title = self.reader(title);
        html.push_str(&self.caption(fig, &fig.anchor, &escape(&title), "", None));
        match (status, image) {
            (FigureStatus::Image, Some(img)) => {
                let src = self.site.asset_href(&self.prefix, &img.path);
                let alt = self.reader(&img.alt);
                let _ = write!(
                    html,
                    "<img src=\"{}\" alt=\"{}\" loading=\"lazy\" decoding=\"async\">",
                    escape(&src),
                    escape(&alt)
                );
            }
            (FigureStatus::Lost, _) => {
                let note = self.t("figure_lost");
                let _ = write!(html, "<p class=\"figure-note\">{}</p>", escape(note));
            }
            _ => {
                let note = self.t("figure_rebuilt");
                let _ = write!(html, "<p class=\"figure-note\">{}</p>", escape(note));
            }
        }
        // The original's source line, then the permalink and the citation.
        let link = self.permalink(fig, &fig.anchor);
        let cite = self.cite_details(fig);
        let source = match source {
            Some(s) => {
                let s = self.html(s);
                let label = match status {
                    FigureStatus::Image => "source",
                    _ => "original_source",
                };
                format!(
                    "<p class=\"fig-source\"><span class=\"label\">{}{}</span>{s}{link}</p>{cite}",
                    escape(self.t(label)),
                    escape(self.t("colon")),
                )
            }
            None => format!("<p class=\"fig-source\">{}</p>{cite}", link.trim_start()),
        };
        match status {
            FigureStatus::Rebuilt => (html, Some(format!("{source}</figure>\n"))),
            FigureStatus::Lost | FigureStatus::Image => {
                html.push_str(&source);
                html.push_str("</figure>\n");
                (html, None)
            }
        }
    }

    /// A chart as a numbered figure: both SVG variants, an HTML legend, its sources, and its
    /// numbers as a table (in `<details>`) with CSV and JSON downloads. `anchor` is the figure's
    /// HTML id, `uid` prefixes the ids inside its SVGs, `more` links the caption to the chart's
    /// place in the report (home page).
    pub fn chart(
        &mut self,
        ix: usize,
        fig: Option<&Figure>,
        anchor: &str,
        uid: &str,
        more: Option<&str>,
    ) -> String {
        let site = self.site;
        self.deps.charts.insert(ix);
        let chart = &site.charts[ix];
        let set = self.set(chart.set);
        let title = self.reader_in(&chart.title);
        let drawing = {
            let input = self.chart_input(chart, uid, &title);
            charts::draw(&input)
        };
        let esc_anchor = escape(anchor);
        let mut html = format!("<figure class=\"chart\" id=\"{esc_anchor}\">");
        let subtitle = self.subtitle(chart);
        let title_html = self.in_lang(site.fallback_lang(&chart.title, self.lang), escape(&title));
        match fig {
            Some(f) => html.push_str(&self.caption(f, anchor, &title_html, &subtitle, more)),
            None => {
                let _ = write!(
                    html,
                    "<figcaption id=\"{esc_anchor}-cap\">{title_html}{subtitle}</figcaption>"
                );
            }
        }
        // Notes (`kind: note`) are read before the chart: they say how to read it (which bars
        // are modelled, what a figure leaves out). HTML text, so they wrap and are searchable.
        for note in chart
            .annotations
            .iter()
            .filter(|a| a.kind == AnnotationKind::Note)
        {
            let text = self.html_in(&note.text);
            if !text.is_empty() {
                let _ = write!(html, "<p class=\"chart-note\">{text}</p>");
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
        let rows = set.rows_at(&chart.rows);
        // Downloads of exactly the chart's numbers, not the whole data file.
        let mut downloads = self.downloads(
            &format!("{}/charts/{}.csv", self.lang, chart.id),
            &format!("charts/{}.json", chart.id),
        );
        if let Some(f) = fig {
            downloads.push_str(&self.permalink(f, anchor));
        }
        html.push_str(&self.source_line(set, &rows, downloads));
        if let Some(original) = &chart.original_source {
            let original = self.html_in(original);
            let _ = write!(
                html,
                "<p class=\"fig-source\"><span class=\"label\">{}{}</span>{original}</p>",
                escape(self.t("original_source")),
                escape(self.t("colon")),
            );
        }
        let fields = chart.table_fields();
        let table = self.table_html(set, &rows, &fields, true);
        let _ = write!(
            html,
            "<details class=\"chart-data\"><summary>{}</summary><div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"{}\">{table}</div></details>",
            escape(self.t("show_data")),
            escape(&title),
        );
        if let Some(f) = fig {
            html.push_str(&self.cite_details(f));
        }
        html.push_str("</figure>\n");
        html
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
        let mut numeric_column = Vec::with_capacity(fields.len());
        for (i, f) in fields.iter().enumerate() {
            let field = set.field(f);
            let label = field
                .map(|x| self.site.string_in(&x.label, self.lang).to_string())
                .unwrap_or_else(|| f.clone());
            let unit = set
                .column_unit(rows, f)
                .and_then(|u| pack.units.get(u))
                .and_then(|u| u.table.label.clone());
            let numeric = i > 0 && field.is_some_and(|x| x.kind == FieldKind::Quantity);
            numeric_column.push(numeric);
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
            let marker = self.marker(row);
            for (i, f) in fields.iter().enumerate() {
                let (cell, numeric) = self.cell(set, row, f);
                let (open, close) = if i == 0 {
                    ("th scope=\"row\"", "th")
                } else {
                    ("td", "td")
                };
                // A missing number ("—") lines up with the numbers of its column.
                let class = if numeric || numeric_column[i] {
                    " class=\"num\""
                } else {
                    ""
                };
                let m = if numeric && !provenance_column {
                    marker.as_str()
                } else {
                    ""
                };
                let _ = write!(html, "<{open}{class}>{cell}{m}</{close}>");
            }
            if provenance_column {
                let kind = self.site.kind_of(row);
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

    /// The glossary as a definition list: both forms of each term, the definition in the page's
    /// language. Each term is a search section of its own.
    fn glossary(&mut self, set_ix: usize, page: &Page) -> BlockHtml {
        let site = self.site;
        let set = self.set(set_ix);
        let mut html = String::from("<dl class=\"glossary\">");
        let mut sections = Vec::new();
        for row in &set.rows {
            let Some(Value::Text(term)) = row.values.get("term") else {
                continue;
            };
            let def = match row.values.get("definition") {
                Some(Value::Text(d)) => self.text_html(d),
                _ => String::new(),
            };
            let id = format!("term-{}", row.id);
            let _ = write!(html, "<div class=\"term\" id=\"{}\"><dt>", escape(&id));
            let main = self.text_reader(term);
            let _ = write!(html, "<span class=\"term-main\">{}</span>", escape(&main));
            let mut forms = vec![main];
            for other in site.languages().iter().filter(|l| *l != &page.lang) {
                let alt = site.text(term, other);
                let _ = write!(
                    html,
                    " <span class=\"term-alt\" lang=\"{}\">{}</span>",
                    escape(&site.html_lang(other)),
                    escape(&alt)
                );
                forms.push(alt);
            }
            let _ = write!(html, "</dt><dd>{def}</dd></div>");
            // Each term is found by search on its own, in every language's form.
            sections.push(crate::render::doc::Section {
                id,
                title: forms.join(" · "),
                text: crate::render::doc::strip_tags(&def),
                path: Vec::new(),
            });
        }
        html.push_str("</dl>\n");
        BlockHtml {
            html,
            close: None,
            sections,
        }
    }
}
