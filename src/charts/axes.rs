//! Pieces every chart kind shares: the layouts of the two variants, the value axis's title and
//! ticks, category labels, and the legend of provenance styles.

use plotters::style::text_anchor::{HPos, VPos};

use crate::charts::LegendItem;
use crate::charts::input::{Category, Input, Value};
use crate::charts::scale::Scale;
use crate::charts::svg::{Area, Role, line, swatch, text};
use crate::charts::text::{fit, text_width};
use crate::model::data::SourceKind;
use crate::model::quantity::Qualifier;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Wide,
    Narrow,
}

pub struct Layout {
    pub w: i32,
    pub font: f64,
    pub small: f64,
}

impl Variant {
    pub fn layout(self) -> Layout {
        match self {
            // No text below 12 CSS px: the wide variant shows at 640-720 px (scale ≥ 0.89),
            // the narrow one at 343 px or more (scale ≥ 0.95); see `.chart-svg` in style.css.
            Variant::Wide => Layout {
                w: 720,
                font: 14.5,
                small: 13.5,
            },
            Variant::Narrow => Layout {
                w: 360,
                font: 13.6,
                small: 12.6,
            },
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Variant::Wide => "wide",
            Variant::Narrow => "narrow",
        }
    }
}

/// The value axis's title, top left (with its unit and scale).
pub fn axis_title(area: &Area, input: &Input, l: &Layout) {
    text(
        area,
        &input.axis_title,
        0.0,
        4.0,
        l.small,
        Role::Muted,
        HPos::Left,
        VPos::Top,
    );
}

/// A vertical value axis: a grid line per tick across `(left, right)`, its label on the left;
/// the zero line is drawn as the axis.
pub fn left_ticks(
    area: &Area,
    input: &Input,
    l: &Layout,
    scale: &Scale,
    ticks: &[f64],
    (left, right): (f64, f64),
) {
    for t in ticks {
        let y = scale.map(*t);
        let role = if *t == 0.0 && !scale.log {
            Role::Axis
        } else {
            Role::Grid
        };
        line(area, &[(left, y), (right, y)], role, 1);
        text(
            area,
            &input.tick(*t, ticks),
            left - 6.0,
            y,
            l.small,
            Role::Muted,
            HPos::Right,
            VPos::Center,
        );
    }
}

/// A horizontal value axis: a grid line per tick across `(top, bottom)`, its label below. Where
/// the labels would touch, only every second (third, …) tick is labelled, zero always among them.
pub fn bottom_ticks(
    area: &Area,
    input: &Input,
    l: &Layout,
    scale: &Scale,
    ticks: &[f64],
    (top, bottom): (f64, f64),
) {
    let labels: Vec<String> = ticks.iter().map(|t| input.tick(*t, ticks)).collect();
    let xs: Vec<f64> = ticks.iter().map(|t| scale.map(*t)).collect();
    let stride = label_stride(&xs, &labels, l.small);
    let anchor = ticks.iter().position(|t| *t == 0.0).unwrap_or(0);
    for (i, t) in ticks.iter().enumerate() {
        let x = xs[i];
        let role = if *t == 0.0 && !scale.log {
            Role::Axis
        } else {
            Role::Grid
        };
        line(area, &[(x, top), (x, bottom)], role, 1);
        if i.abs_diff(anchor) % stride == 0 {
            text(
                area,
                &labels[i],
                x,
                bottom + 5.0,
                l.small,
                Role::Muted,
                HPos::Center,
                VPos::Top,
            );
        }
    }
}

/// The smallest step between labelled ticks at which centred labels keep a gap between them.
fn label_stride(xs: &[f64], labels: &[String], size: f64) -> usize {
    let half = |i: usize| text_width(&labels[i], size) / 2.0;
    (1..xs.len().max(1))
        .find(|k| {
            (0..xs.len().saturating_sub(*k))
                .all(|i| (xs[i + k] - xs[i]).abs() >= half(i) + half(i + k) + 6.0)
        })
        .unwrap_or(xs.len().max(1))
}

/// A category's name, right-aligned before its bars: the first line in the body size, the
/// others (sub-labels) smaller and muted, centred on `cy`.
pub fn category_label(area: &Area, l: &Layout, label: &[String], label_w: f64, cy: f64) {
    let n = label.len() as f64;
    for (j, s) in label.iter().enumerate() {
        let size = if j == 0 { l.font } else { l.small };
        let y = cy + (j as f64 - (n - 1.0) / 2.0) * l.font * 1.3;
        let role = if j == 0 { Role::Text } else { Role::Muted };
        text(
            area,
            &fit(s, label_w - 10.0, size),
            label_w - 10.0,
            y,
            size,
            role,
            HPos::Right,
            VPos::Center,
        );
    }
}

/// The width of the label area left of horizontal bars.
pub fn label_width(categories: &[&Category], l: &Layout) -> f64 {
    lines_width(categories.iter().map(|c| c.label.as_slice()), l, 0.42)
}

/// The width of an area of right-aligned names (first line in the body size, the others
/// smaller), at most `cap` of the chart's width, with a 10-unit gap.
pub fn lines_width<'a>(names: impl Iterator<Item = &'a [String]>, l: &Layout, cap: f64) -> f64 {
    names
        .flat_map(|lines| {
            lines
                .iter()
                .enumerate()
                .map(|(j, s)| text_width(s, if j == 0 { l.font } else { l.small }))
        })
        .fold(0.0, f64::max)
        .min(l.w as f64 * cap)
        + 10.0
}

/// Lines a category label takes: one per category field (at least one).
pub fn label_lines(input: &Input) -> f64 {
    input.label_fields.max(1) as f64
}

/// Legend entries for the provenance styles that occur (bars). Swatches are grey, so they never
/// read as a data series.
pub fn provenance_legend(input: &Input, values: &[(&Category, &Value)]) -> Vec<LegendItem> {
    let mut items = Vec::new();
    let kinds: Vec<SourceKind> = values.iter().map(|(c, _)| c.kind).collect();
    let has = |k: SourceKind| kinds.contains(&k);
    let several = SourceKind::ALL.iter().filter(|k| has(**k)).count() > 1;
    if several || !has(SourceKind::Report) {
        for k in SourceKind::ALL {
            if has(k) {
                let swatch = match k {
                    SourceKind::Report => swatch("f-muted", "bar"),
                    SourceKind::External => swatch("f-bn k-muted", "bar"),
                    SourceKind::Derived => swatch("k-muted", "hatch"),
                };
                items.push(LegendItem {
                    swatch,
                    label: input.strings.kind(k).to_string(),
                });
            }
        }
    }
    if values.iter().any(|(_, v)| v.q.hi.is_some()) {
        items.push(LegendItem {
            swatch: swatch("f-bn k-muted", "bar"),
            label: input.strings.legend_range.clone(),
        });
    }
    if values
        .iter()
        .any(|(_, v)| matches!(v.q.qualifier, Some(Qualifier::Less | Qualifier::AtMost)))
    {
        items.push(LegendItem {
            swatch: swatch("f-bn k-dn", "bar"),
            label: input.strings.legend_upper_bound.clone(),
        });
    }
    items
}
