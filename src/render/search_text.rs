//! What search sees of a block: a numbered figure or table is a search section of its own
//! ("表 2 中国典型AI大模型产品最新价格" with its rows as text), so a query finds the table and the
//! link lands on it; stats add their labels and values to the surrounding text. Legends,
//! downloads, source lines and "figure not reproduced" notes are not reading text and stay out.

use crate::model::data::{DataSet, Row, Value};
use crate::model::doc::{Block, Figure, FigureKind};
use crate::model::quantity::Style;
use crate::render::cx::Cx;
use crate::render::doc::Section;

/// A block's search text: sections of its own, and text for the surrounding section.
#[derive(Debug, Default)]
pub struct BlockText {
    pub sections: Vec<Section>,
    pub text: String,
}

impl Cx<'_> {
    pub fn block_text(&mut self, block: &Block) -> BlockText {
        let site = self.site;
        match block {
            Block::Chart { chart, figure } => {
                let chart = &site.charts[*chart];
                let set = &site.data[chart.set];
                let rows = set.rows_at(&chart.rows);
                let title = self.reader_in(&chart.title);
                let text = self.rows_text(set, &rows, &chart.table_fields());
                self.figure_section(&site.figures[*figure], &title, text)
            }
            Block::Table {
                set,
                rows,
                columns,
                title,
                figure,
            } => {
                let set = &site.data[*set];
                let rows = set.rows_at(rows);
                let title = self.reader(title);
                let text = self.rows_text(set, &rows, columns);
                self.figure_section(&site.figures[*figure], &title, text)
            }
            Block::Figure { title, figure, .. } => {
                let title = self.reader(title);
                self.figure_section(&site.figures[*figure], &title, String::new())
            }
            Block::Stats { set, rows } => {
                let set = &site.data[*set];
                let rows = set.rows_at(rows);
                let fields = ["value".to_string(), "label".to_string()];
                BlockText {
                    sections: vec![],
                    text: self.rows_text(set, &rows, &fields),
                }
            }
            Block::Glossary { .. } => BlockText::default(),
        }
    }

    fn figure_section(&self, fig: &Figure, title: &str, text: String) -> BlockText {
        let word = match fig.kind {
            FigureKind::Figure => self.t("figure"),
            FigureKind::Table => self.t("table"),
        };
        BlockText {
            sections: vec![Section {
                id: fig.anchor.clone(),
                title: format!("{word} {} {title}", fig.number),
                text,
                path: Vec::new(),
            }],
            text: String::new(),
        }
    }

    /// The cells of `rows` × `fields` as reader text, one row after another.
    fn rows_text(&mut self, set: &DataSet, rows: &[&Row], fields: &[String]) -> String {
        let pack = self.site.packs.get(self.lang);
        let mut out = Vec::new();
        for row in rows {
            for f in fields {
                let cell = match row.values.get(f) {
                    Some(Value::Quantity(q)) => {
                        match set.unit_of(row, f).and_then(|u| pack.units.get(u)) {
                            Some(unit) => q.format(unit, pack, Style::Full),
                            None => pack.number(q.lo, 6),
                        }
                    }
                    Some(Value::Text(t)) => self.text_reader(t),
                    Some(Value::Year(y)) => y.to_string(),
                    Some(Value::Date(d)) => d.clone(),
                    None => continue,
                };
                out.push(cell);
            }
        }
        out.join(" ")
    }
}
