//! Bar charts: one value per category, vertical (with growth brackets) or horizontal (with long
//! category names on the left).

use plotters::style::text_anchor::{HPos, VPos};

use crate::charts::LegendItem;
use crate::charts::axes::{
    Layout, Variant, axis_title, bottom_ticks, category_label, label_lines, label_width,
    left_ticks, provenance_legend,
};
use crate::charts::input::{Category, Input, Value};
use crate::charts::reference;
use crate::charts::scale::{Scale, linear_domain, log_domain};
use crate::charts::svg::{Area, Role, canvas, line, mark, rect, text, value_bar};
use crate::charts::text::{fit, text_width};
use crate::model::chart::{AnnotationKind, ScaleKind};
use crate::model::data::SourceKind;

/// Vertical bars need room for their category names: below this band width (69 cities on a
/// phone) the chart is drawn horizontally instead, one readable row per category.
const MIN_BAND: f64 = 26.0;

/// Whether a vertical bar chart of `n` categories is drawn horizontally in this variant.
pub fn too_crowded(n: usize, variant: Variant) -> bool {
    (variant.layout().w as f64 - 50.0) / n.max(1) as f64 <= MIN_BAND
}

pub fn vertical(input: &Input, variant: Variant, id: &str) -> (String, i32, Vec<LegendItem>) {
    let l = variant.layout();
    let rows = input.values(0);
    if too_crowded(rows.len(), variant) {
        return horizontal(input, variant, id);
    }
    let growth: Vec<_> = input
        .annotations
        .iter()
        .filter(|a| a.kind == AnnotationKind::Growth)
        .collect();
    let h = if variant == Variant::Wide { 380 } else { 300 };
    let top = 28.0 + if growth.is_empty() { 0.0 } else { l.font * 2.6 };
    let ticks_n = if variant == Variant::Wide { 5 } else { 4 };
    let (lo, hi) = input.domain(if input.scale == ScaleKind::Log {
        log_domain(extent(&rows, input))
    } else {
        linear_domain(extent(&rows, input), ticks_n, 0.08)
    });
    let log = input.scale == ScaleKind::Log;
    let probe = Scale {
        lo,
        hi,
        log,
        p0: 0.0,
        p1: 1.0,
    };
    let ticks = probe.ticks(if log { 8 } else { ticks_n });
    let tick_w = ticks
        .iter()
        .map(|t| text_width(&input.tick(*t, &ticks), l.small))
        .fold(0.0, f64::max);
    let left = tick_w + 10.0;
    // The references' labels take a column on the right while the categories keep their room.
    let needed = rows
        .iter()
        .map(|(c, _)| c.label.first().map_or(0.0, |s| text_width(s, l.font)) + 6.0)
        .fold(MIN_BAND, f64::max)
        * rows.len() as f64;
    let column = reference::caption_column(input, &l).min(l.w as f64 - 8.0 - left - needed);
    let column = if column >= reference::MIN_COLUMN {
        column
    } else {
        0.0
    };
    let right = l.w as f64 - 8.0 - column;
    let n = rows.len().max(1) as f64;
    let band = (right - left) / n;
    // Value labels over (or under) the bars, where they fit side by side.
    let values_fit = rows
        .iter()
        .all(|(_, v)| text_width(&v.table, l.small) <= band - 2.0);
    let value_h = if values_fit { l.small * 1.4 } else { 0.0 };
    let has_negative = rows.iter().any(|(_, v)| v.scaled.0 < 0.0);
    // Negative bars' values go under them, above the category names.
    let neg_pad = if has_negative { value_h } else { 0.0 };
    let bottom = h as f64 - 8.0 - l.font * 1.6 * label_lines(input) - neg_pad;
    let top = top + value_h;
    let scale = Scale {
        lo,
        hi,
        log,
        p0: bottom,
        p1: top,
    };
    let bar_w = (band * 0.62).min(64.0);
    let body = canvas(l.w, h, id, |area| {
        axis_title(area, input, &l);
        left_ticks(area, input, &l, &scale, &ticks, (left, right));
        let captions = reference::Captions::Column(column);
        reference::vertical(area, input, &l, &scale, (left, right), captions);
        for (i, (cat, v)) in rows.iter().enumerate() {
            let cx = left + band * (i as f64 + 0.5);
            let labels: Vec<&str> = cat.label.iter().map(String::as_str).collect();
            let end = mark(
                area,
                "bar bar-v",
                (v.q.lo, v.q.hi),
                &input.mark_title(&labels, v),
                || {
                    value_bar(
                        area,
                        &scale,
                        false,
                        (cx - bar_w / 2.0, cx + bar_w / 2.0),
                        v,
                        cat.kind,
                        0,
                    )
                },
            );
            let role = if cat.kind == SourceKind::Report {
                Role::Text
            } else {
                Role::Muted
            };
            if values_fit {
                let (y, vpos) = if v.scaled.0 < 0.0 {
                    (end + 4.0, VPos::Top)
                } else {
                    (end - 4.0, VPos::Bottom)
                };
                text(area, &v.table, cx, y, l.small, role, HPos::Center, vpos);
            }
            for (j, s) in cat.label.iter().enumerate() {
                let size = if j == 0 { l.font } else { l.small };
                let role = if j == 0 { Role::Text } else { Role::Muted };
                text(
                    area,
                    &fit(s, band - 4.0, size),
                    cx,
                    bottom + neg_pad + 6.0 + j as f64 * l.font * 1.4,
                    size,
                    role,
                    HPos::Center,
                    VPos::Top,
                );
            }
        }
        let cats: Vec<&Category> = rows.iter().map(|(c, _)| *c).collect();
        for a in &growth {
            let pos = |id: &Option<String>| cats.iter().position(|c| Some(&c.id) == id.as_ref());
            if let (Some(i), Some(j)) = (pos(&a.from), pos(&a.to)) {
                growth_bracket(
                    area,
                    &l,
                    (
                        left + band * (i as f64 + 0.5),
                        left + band * (j as f64 + 0.5),
                    ),
                    top - value_h,
                    &a.text,
                );
            }
        }
    });
    (body, h, provenance_legend(input, &rows))
}

/// A bracket with an arrow over categories from `x0` to `x1`, its text on a plate in the middle.
fn growth_bracket(area: &Area, l: &Layout, (x0, x1): (f64, f64), top: f64, t: &str) {
    let y = top - l.font * 0.9;
    line(
        area,
        &[(x0, y + 6.0), (x0, y), (x1, y), (x1, y + 6.0)],
        Role::Axis,
        1,
    );
    // Arrow head at the end.
    line(
        area,
        &[(x1 - 4.0, y + 1.0), (x1, y + 6.0), (x1 + 4.0, y + 1.0)],
        Role::Axis,
        1,
    );
    let mid = (x0 + x1) / 2.0;
    let tw = text_width(t, l.font) + 12.0;
    rect(
        area,
        mid - tw / 2.0,
        y - l.font * 0.8,
        mid + tw / 2.0,
        y + l.font * 0.8,
        Role::Surface,
        None,
    );
    text(
        area,
        t,
        mid,
        y,
        l.font,
        Role::Text,
        HPos::Center,
        VPos::Center,
    );
}

/// The values the value axis spans: the bars' ends and the references'.
fn extent<'a>(rows: &'a [(&Category, &Value)], input: &'a Input) -> impl Iterator<Item = f64> + 'a {
    rows.iter()
        .flat_map(|(_, v)| [v.scaled.0, v.scaled.1])
        .chain(input.reference_extent())
}

pub fn horizontal(input: &Input, variant: Variant, id: &str) -> (String, i32, Vec<LegendItem>) {
    let l = variant.layout();
    let rows = input.values(0);
    let cats: Vec<&Category> = rows.iter().map(|(c, _)| *c).collect();
    let label_w = label_width(&cats, &l);
    let band = (l.font * 1.5 * label_lines(input) + 14.0).max(34.0);
    let top = 26.0 + reference::label_strip(input, &l);
    let axis_h = l.small * 2.0;
    let h = (top + band * rows.len() as f64 + axis_h + 6.0).round() as i32;
    let log = input.scale == ScaleKind::Log;
    let ticks_n = if variant == Variant::Wide { 5 } else { 3 };
    let (lo, hi) = input.domain(if log {
        log_domain(extent(&rows, input))
    } else {
        linear_domain(extent(&rows, input), ticks_n, 0.0)
    });
    let value_w = |neg: bool| {
        rows.iter()
            .filter(|(_, v)| (v.scaled.0 < 0.0) == neg)
            .map(|(_, v)| text_width(&v.table, l.small) + 8.0)
            .fold(0.0, f64::max)
    };
    // Room for the values beyond the bars' ends: right of positive bars, left of negative ones.
    let left = label_w + value_w(true);
    let right = l.w as f64 - value_w(false).max(l.small) - 4.0;
    let scale = Scale {
        lo,
        hi,
        log,
        p0: left,
        p1: right,
    };
    let bottom = top + band * rows.len() as f64;
    let ticks = scale.ticks(if log { 6 } else { ticks_n });
    let body = canvas(l.w, h, id, |area| {
        axis_title(area, input, &l);
        bottom_ticks(area, input, &l, &scale, &ticks, (top, bottom));
        reference::horizontal(area, input, &l, &scale, (top, bottom));
        for (i, (cat, v)) in rows.iter().enumerate() {
            let cy = top + band * i as f64 + band / 2.0;
            let bar_h = (band * 0.5).min(22.0);
            let labels: Vec<&str> = cat.label.iter().map(String::as_str).collect();
            let end = mark(
                area,
                "bar bar-h",
                (v.q.lo, v.q.hi),
                &input.mark_title(&labels, v),
                || {
                    value_bar(
                        area,
                        &scale,
                        true,
                        (cy - bar_h / 2.0, cy + bar_h / 2.0),
                        v,
                        cat.kind,
                        0,
                    )
                },
            );
            let (x, hpos) = if v.scaled.0 < 0.0 {
                (end - 5.0, HPos::Right)
            } else {
                (end + 5.0, HPos::Left)
            };
            text(
                area,
                &v.table,
                x,
                cy,
                l.small,
                Role::Text,
                hpos,
                VPos::Center,
            );
            category_label(area, &l, &cat.label, label_w, cy);
        }
    });
    (body, h, provenance_legend(input, &rows))
}
