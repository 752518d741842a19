//! A checked chart prepared for drawing in one language: its categories' labels, values formatted
//! in the axis's unit and in prose, the axis title with unit and scale, and the text alternative
//! that lists every value.

use std::fmt::Write as _;

use crate::charts::input::{
    Annotation, Category, Input, Reference as ChartReference, Strings, Value as ChartValue,
};
use crate::model::chart::{Chart, ChartKind, ScaleKind};
use crate::model::data::{DataSet, Row, SourceKind, Value};
use crate::model::lang::{LanguagePack, UnitFormat};
use crate::model::quantity::Quantity;
use crate::model::quantity::Style;
use crate::model::text::smart_quotes;
use crate::model::time::time_key;
use crate::render::cx::Cx;

impl<'a> Cx<'a> {
    /// Everything `charts::draw` needs for `chart` in this page's language.
    pub fn chart_input(&mut self, chart: &Chart, uid: &str, title: &str) -> Input<'a> {
        let site = self.site;
        let set = self.set(chart.set);
        let pack = site.packs.get(self.lang);
        let rows = set.rows_at(&chart.rows);
        let fields = chart.value_fields();
        let unit = rows
            .iter()
            .find_map(|r| set.unit_of(r, fields.first().copied().unwrap_or_default()))
            .and_then(|u| pack.units.get(u));
        let mut axis_title = chart
            .axis
            .title
            .as_ref()
            .map(|t| self.reader_in(t))
            .unwrap_or_default();
        if let Some(label) = unit.and_then(|u| u.table.label.as_ref()) {
            axis_title.push_str(&pack.string("with_unit").replace("{unit}", label));
        }
        if chart.axis.scale == ScaleKind::Log {
            axis_title.push_str(
                &pack
                    .string("with_unit")
                    .replace("{unit}", pack.string("log_scale")),
            );
        }
        let cat_fields = chart.category_fields();
        // A line over a year field has an axis of whole years, not dates.
        let x_years = chart.kind == ChartKind::Line
            && chart.x.as_ref().is_some_and(|x| {
                rows.iter()
                    .all(|r| !matches!(r.values.get(x), Some(Value::Date(_))))
            });
        let categories: Vec<Category> = rows
            .iter()
            .map(|row| Category {
                id: row.id.clone(),
                label: self.labels(row, &cat_fields),
                group: chart
                    .group
                    .as_ref()
                    .map(|g| self.labels(row, std::slice::from_ref(g)).join(" "))
                    .unwrap_or_default(),
                time: chart.x.as_ref().map_or(0, |x| match row.values.get(x) {
                    Some(Value::Year(y)) if x_years => *y as i64,
                    v => time_key(v),
                }),
                kind: site.kind_of(row),
                values: fields
                    .iter()
                    .map(|f| {
                        let own = set.unit_of(row, f).and_then(|u| pack.units.get(u));
                        row.quantity(f).map(|q| chart_value(q, unit, own, pack))
                    })
                    .collect(),
            })
            .collect();
        let series = match chart.kind {
            ChartKind::GroupedBar => chart
                .series
                .iter()
                .map(|s| self.reader_in(&s.label))
                .collect(),
            _ => vec![String::new()],
        };
        let annotations = chart
            .annotations
            .iter()
            .map(|a| Annotation {
                kind: a.kind,
                from: a.from.clone(),
                to: a.to.clone(),
                text: self.reader_in(&a.text),
            })
            .collect();
        let references = chart
            .references
            .iter()
            .map(|r| ChartReference {
                value: chart_value(r.q, unit, unit, pack),
                label: self.reader_in(&r.label),
            })
            .collect();
        let ends = chart
            .ends
            .as_ref()
            .map(|(a, b)| (self.reader_in(a), self.reader_in(b)));
        let zero_label = chart.axis.zero_label.as_ref().map(|z| self.reader_in(z));
        // The editor's axis ends are in base units, like the data: divided as the values are.
        let divide = unit.map_or(1.0, |u| u.table.divide);
        let bounds = (
            chart.axis.min.map(|v| v / divide),
            chart.axis.max.map(|v| v / divide),
        );
        let mut input = Input {
            kind: chart.kind,
            orientation: chart.orientation,
            scale: chart.axis.scale,
            step: chart.step,
            x_years,
            uid: uid.to_string(),
            title: title.to_string(),
            summary: String::new(),
            axis_title,
            zero_label,
            bounds,
            decimals: chart.axis.decimals.map(usize::from),
            categories,
            label_fields: cat_fields.len(),
            series,
            annotations,
            references,
            ends,
            strings: self.chart_strings(),
            pack,
        };
        input.summary = self.summary(chart, set, &rows, &input);
        input
    }

    /// The texts naming a row in `fields` (texts, years, dates), empty ones left out.
    fn labels(&mut self, row: &Row, fields: &[String]) -> Vec<String> {
        fields
            .iter()
            .filter_map(|f| match row.values.get(f) {
                Some(Value::Text(t)) => Some(self.site.text(t, self.lang)),
                Some(Value::Year(y)) => Some(y.to_string()),
                Some(Value::Date(d)) => Some(d.clone()),
                _ => None,
            })
            .filter(|s| !s.is_empty())
            .collect()
    }

    fn chart_strings(&self) -> Strings {
        Strings {
            kind_report: self.t("kind_report").into(),
            kind_external: self.t("kind_external").into(),
            kind_derived: self.t("kind_derived").into(),
            kind_not_reported: self.t("kind_not_reported").into(),
            legend_range: self.t("legend_range").into(),
            legend_upper_bound: self.t("legend_upper_bound").into(),
            date_month: self.t("date_month").into(),
            colon: self.t("colon").into(),
            month_names: self
                .t("month_names")
                .split(',')
                .map(|s| s.trim().to_string())
                .collect(),
        }
    }

    /// The text alternative: the chart's description (if any), then its values in reading order.
    fn summary(&mut self, chart: &Chart, set: &DataSet, rows: &[&Row], input: &Input) -> String {
        let mut s = match &chart.description {
            Some(d) => self.reader_in(d),
            None => input.title.clone(),
        };
        let sep = self.t("list_separator");
        let colon = self.t("colon");
        let name_fields: Vec<String> = match chart.kind {
            ChartKind::Line => chart.x.iter().chain(chart.group.iter()).cloned().collect(),
            _ => chart.category_fields(),
        };
        let series: Vec<(&str, Option<String>)> = match chart.kind {
            ChartKind::GroupedBar => chart
                .series
                .iter()
                .map(|x| {
                    (
                        x.field.as_str(),
                        self.site
                            .localized(&x.label, self.lang)
                            .map(|l| self.site.plain(l, self.lang)),
                    )
                })
                .collect(),
            _ => chart.value.iter().map(|v| (v.as_str(), None)).collect(),
        };
        let pack = self.site.packs.get(self.lang);
        let mut items = Vec::new();
        for row in rows {
            let name = self.labels(row, &name_fields).join(" ");
            let mut vals = Vec::new();
            for (f, label) in &series {
                if let Some(q) = row.quantity(f) {
                    let v = match set.unit_of(row, f).and_then(|u| pack.units.get(u)) {
                        Some(u) => q.format(u, pack, Style::Full),
                        None => pack.number(q.lo, 2),
                    };
                    vals.push(match label {
                        Some(l) => format!("{l} {v}"),
                        None => v,
                    });
                }
            }
            let kind = match self.site.kind_of(row) {
                SourceKind::Report => String::new(),
                k => format!(" ({})", self.t(k.label_key())),
            };
            items.push(format!("{name}{colon}{}{kind}", vals.join(", ")));
        }
        // References read after the values, with where each comes from.
        for (r, drawn) in chart.references.iter().zip(&input.references) {
            let kind = match r.row.map(|i| self.site.kind_of(&set.rows[i])) {
                Some(SourceKind::Report) | None => String::new(),
                Some(k) => format!(" ({})", self.t(k.label_key())),
            };
            items.push(format!("{}{colon}{}{kind}", drawn.label, drawn.value.prose));
        }
        let _ = write!(s, "{}{}", self.t("summary_lead"), items.join(sep));
        if pack.smart_punctuation {
            s = smart_quotes(&s);
        }
        s
    }
}

/// A value as a chart draws it: scaled to the axis's unit and written for its table and prose.
fn chart_value(
    q: Quantity,
    axis: Option<&UnitFormat>,
    own: Option<&UnitFormat>,
    pack: &LanguagePack,
) -> ChartValue {
    let (table, scaled) = match axis {
        Some(u) => (q.format(u, pack, Style::Table), q.scaled(u)),
        None => (pack.number(q.lo, 2), (q.lo, q.hi.unwrap_or(q.lo))),
    };
    let prose = match own {
        Some(u) => q.format(u, pack, Style::Full),
        None => pack.number(q.lo, 2),
    };
    ChartValue {
        q,
        scaled,
        table,
        prose,
    }
}
