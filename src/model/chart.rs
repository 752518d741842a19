//! A chart as the checked site holds it: its data set, the rows it draws in drawing order, the
//! fields it reads (all known to exist with the right type) and its texts resolved.

use serde::Deserialize;

use crate::model::quantity::Quantity;
use crate::model::text::{Localized, Rich};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    /// Values over time, one line per group; optional steps.
    Line,
    /// One value per category, vertical or horizontal.
    Bar,
    /// Several value fields per category, side by side.
    GroupedBar,
    /// Parts of a whole in one 100% bar.
    StackedShare,
    /// Each category's values in order (a price before and after a cut): dots on one row joined
    /// by an arrow from the first to the last.
    Dumbbell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ScaleKind {
    #[default]
    Linear,
    Log,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Orientation {
    #[default]
    Vertical,
    Horizontal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnnotationKind {
    /// A bracket over the categories `from`..`to` with a text (e.g. the CAGR).
    Growth,
    /// A note printed under the chart title.
    Note,
}

#[derive(Debug, Clone)]
pub struct Chart {
    pub id: String,
    pub kind: ChartKind,
    /// Index of its data set.
    pub set: usize,
    pub title: Localized<Rich>,
    /// The line under the title: what is measured, in which unit.
    pub subtitle: Option<Localized<Rich>>,
    /// Opening sentence of the text alternative; the values are listed after it.
    pub description: Option<Localized<Rich>>,
    /// The caption line the report printed under its own (lost) version of this chart.
    pub original_source: Option<Localized<Rich>>,
    /// Indexes of the rows drawn, in drawing order.
    pub rows: Vec<usize>,
    /// Category or time field.
    pub x: Option<String>,
    /// The quantity field drawn (line, bar, stacked share).
    pub value: Option<String>,
    /// Grouped bars: the quantity fields drawn side by side.
    pub series: Vec<Series>,
    /// Line charts: rows sharing this text field form one line.
    pub group: Option<String>,
    /// Text fields naming a category.
    pub label: Vec<String>,
    pub axis: Axis,
    pub orientation: Orientation,
    pub step: bool,
    pub annotations: Vec<Annotation>,
    /// Reference lines and bands across the plot (a target, the report's "≤ 0.5").
    pub references: Vec<Reference>,
    /// Dumbbells: what the first and the last dot of a row stand for (legend texts).
    pub ends: Option<(Localized<Rich>, Localized<Rich>)>,
    /// Hash of the spec file's text: what a preview's cache compares.
    pub fingerprint: u64,
}

#[derive(Debug, Clone)]
pub struct Series {
    pub field: String,
    pub label: Localized<Rich>,
}

#[derive(Debug, Clone, Default)]
pub struct Axis {
    pub title: Option<Localized<Rich>>,
    pub scale: ScaleKind,
    pub zero_label: Option<Localized<Rich>>,
    /// Ends of the value axis in base units (checked: below/above every drawn value, zero
    /// inside for bars, positive on a log scale).
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Decimals of tick labels.
    pub decimals: Option<u8>,
}

#[derive(Debug, Clone)]
pub struct Annotation {
    pub kind: AnnotationKind,
    /// Row ids the growth bracket spans.
    pub from: Option<String>,
    pub to: Option<String>,
    pub text: Localized<Rich>,
}

/// A value marked across the plot: an exact number is a line, a bound ("≤0.5") a band from the
/// axis's start up to it (or from it on, for "950+"), a range ("40-45") a band between its ends.
#[derive(Debug, Clone)]
pub struct Reference {
    /// In base units, like the data.
    pub q: Quantity,
    pub label: Localized<Rich>,
    /// The data row it was read from (its provenance), if it was not written in the spec.
    pub row: Option<usize>,
}

impl Chart {
    /// The quantity fields drawn.
    pub fn value_fields(&self) -> Vec<&str> {
        match self.kind {
            ChartKind::GroupedBar => self.series.iter().map(|s| s.field.as_str()).collect(),
            _ => self.value.iter().map(String::as_str).collect(),
        }
    }

    /// The fields naming a chart's categories: its `label` fields, else its `x` field.
    pub fn category_fields(&self) -> Vec<String> {
        if self.label.is_empty() {
            self.x.iter().cloned().collect()
        } else {
            self.label.clone()
        }
    }

    /// The fields shown in the chart's data table (and CSV), in order.
    pub fn table_fields(&self) -> Vec<String> {
        let mut cols = Vec::new();
        match self.kind {
            ChartKind::Line | ChartKind::Dumbbell => {
                cols.extend(self.x.clone());
                cols.extend(self.group.clone());
                cols.extend(
                    self.label
                        .iter()
                        .filter(|l| Some(*l) != self.group.as_ref())
                        .cloned(),
                );
                cols.extend(self.value.clone());
            }
            _ => {
                cols.extend(self.category_fields());
                cols.extend(self.value_fields().into_iter().map(String::from));
            }
        }
        cols
    }
}
