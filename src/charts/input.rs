//! What a chart needs to be drawn in one language, and nothing more: the categories in drawing
//! order with their labels and values (formatted by the caller), the texts, and the few UI
//! strings legends use. Charts know nothing of data files or pages.

use crate::model::chart::{AnnotationKind, ChartKind, Orientation, ScaleKind};
use crate::model::data::SourceKind;
use crate::model::lang::LanguagePack;
use crate::model::quantity::Quantity;

pub struct Input<'a> {
    pub kind: ChartKind,
    pub orientation: Orientation,
    pub scale: ScaleKind,
    /// Line charts: hold each value until the next one.
    pub step: bool,
    /// Line charts: `x` is a year field, drawn as an axis of whole years.
    pub x_years: bool,
    /// Makes ids inside the SVGs unique on the page.
    pub uid: String,
    pub title: String,
    /// The text alternative.
    pub summary: String,
    /// The value axis's title, with its unit (and scale) already added.
    pub axis_title: String,
    /// Log scales: the band label of zero values ("免费" / "free").
    pub zero_label: Option<String>,
    /// The editor's ends of the value axis, in the axis's unit (None: fit the data).
    pub bounds: (Option<f64>, Option<f64>),
    /// The editor's decimals for tick labels.
    pub decimals: Option<usize>,
    /// Every category (row) in drawing order.
    pub categories: Vec<Category>,
    /// How many fields name a category (label lines are reserved for each).
    pub label_fields: usize,
    /// Labels of the value series (grouped bars); one empty label otherwise.
    pub series: Vec<String>,
    pub annotations: Vec<Annotation>,
    /// Reference lines and bands, in the axis's unit.
    pub references: Vec<Reference>,
    /// Dumbbells: what the first and last dot of a row stand for.
    pub ends: Option<(String, String)>,
    pub strings: Strings,
    /// The language's number notation, for tick labels.
    pub pack: &'a LanguagePack,
}

/// One drawn row.
pub struct Category {
    /// The row id (annotations name categories by it).
    pub id: String,
    /// Lines naming it: the first in the body size, the others smaller.
    pub label: Vec<String>,
    /// Line charts: the line it belongs to.
    pub group: String,
    /// Line charts: days since 1970-01-01 (the year itself on a year axis).
    pub time: i64,
    /// Where its figures come from.
    pub kind: SourceKind,
    /// One value per series (None where the row has none).
    pub values: Vec<Option<Value>>,
}

/// A value as the chart draws and writes it.
#[derive(Debug, Clone)]
pub struct Value {
    pub q: Quantity,
    /// Low and high end in the axis's unit (the same for a single number).
    pub scaled: (f64, f64),
    /// As a table or axis shows it ("157", "≤0.5").
    pub table: String,
    /// As prose shows it, with unit ("157亿元").
    pub prose: String,
}

pub struct Annotation {
    pub kind: AnnotationKind,
    pub from: Option<String>,
    pub to: Option<String>,
    pub text: String,
}

/// A reference across the plot, in the axis's unit.
#[derive(Debug, Clone)]
pub struct Reference {
    pub value: Value,
    /// The label drawn by it (the editor's text).
    pub label: String,
}

/// How a reference is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefShape {
    /// An exact value: a dashed line.
    Line,
    /// "≤0.5", "<5": a band from the axis's start up to the value.
    Below,
    /// "950+": a band from the value to the axis's end.
    Above,
    /// "40-45": a band between the two ends.
    Between,
}

impl Reference {
    pub fn shape(&self) -> RefShape {
        use crate::model::quantity::Qualifier;
        match (self.value.q.qualifier, self.value.q.hi) {
            (_, Some(_)) => RefShape::Between,
            (Some(Qualifier::Less | Qualifier::AtMost), _) => RefShape::Below,
            (Some(Qualifier::More), _) => RefShape::Above,
            _ => RefShape::Line,
        }
    }
}

/// UI strings the legends and time axes use.
pub struct Strings {
    pub kind_report: String,
    pub kind_external: String,
    pub kind_derived: String,
    pub kind_not_reported: String,
    pub legend_range: String,
    pub legend_upper_bound: String,
    /// "{y}年{m}月" or "{mon} {y}".
    pub date_month: String,
    pub month_names: Vec<String>,
    /// Between a mark's name and its value in its `<title>` ("：" / ": ").
    pub colon: String,
}

impl Strings {
    pub fn kind(&self, k: SourceKind) -> &str {
        match k {
            SourceKind::Report => &self.kind_report,
            SourceKind::External => &self.kind_external,
            SourceKind::Derived => &self.kind_derived,
        }
    }

    pub fn month(&self, y: i64, m: i64) -> String {
        self.date_month
            .replace("{y}", &y.to_string())
            .replace("{m}", &m.to_string())
            .replace(
                "{mon}",
                self.month_names
                    .get((m - 1) as usize)
                    .map_or("", String::as_str),
            )
    }
}

impl Input<'_> {
    /// A tick label with the decimals the ticks' step needs (linear) or the value needs (log).
    pub fn tick(&self, t: f64, ticks: &[f64]) -> String {
        if let Some(d) = self.decimals {
            self.pack.number_fixed(t, d)
        } else if self.scale == ScaleKind::Log {
            self.pack.number(t, 2)
        } else {
            self.pack
                .number(t, crate::charts::scale::tick_decimals(ticks))
        }
    }

    /// The value axis's ends: the editor's where given, else those fitted to the data.
    pub fn domain(&self, fitted: (f64, f64)) -> (f64, f64) {
        (
            self.bounds.0.unwrap_or(fitted.0),
            self.bounds.1.unwrap_or(fitted.1),
        )
    }

    /// A mark's `<title>`: what it is and its value as prose writes it.
    pub fn mark_title(&self, names: &[&str], v: &Value) -> String {
        let name: Vec<&str> = names.iter().copied().filter(|s| !s.is_empty()).collect();
        format!("{}{}{}", name.join(" · "), self.strings.colon, v.prose)
    }

    /// Values the value axis must include besides the data's: the references' ends.
    pub fn reference_extent(&self) -> impl Iterator<Item = f64> + '_ {
        self.references
            .iter()
            .flat_map(|r| [r.value.scaled.0, r.value.scaled.1])
    }

    /// The categories with a value in series `s`, with it.
    pub fn values(&self, s: usize) -> Vec<(&Category, &Value)> {
        self.categories
            .iter()
            .filter_map(|c| c.values.get(s).and_then(Option::as_ref).map(|v| (c, v)))
            .collect()
    }
}
