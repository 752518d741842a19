//! Bar charts: one value per category, vertical (with growth brackets) or horizontal (with long
//! category names on the left).

use plotters::style::text_anchor::{HPos, VPos};

use crate::charts::LegendItem;
use crate::charts::axes::{
    Layout, Variant, axis_title, bottom_ticks, category_label, label_lines, label_width,
    left_ticks, provenance_legend,
};
use crate::charts::input::{Category, Input};
use crate::charts::scale::{Scale, nice_max};
use crate::charts::svg::{Area, Role, canvas, line, rect, text, value_bar};
use crate::charts::text::{fit, text_width};
use crate::model::chart::AnnotationKind;
use crate::model::data::SourceKind;

pub fn vertical(input: &Input, variant: Variant, id: &str) -> (String, i32, Vec<LegendItem>) {
    let l = variant.layout();
    let rows = input.values(0);
    let growth: Vec<_> = input
        .annotations
        .iter()
        .filter(|a| a.kind == AnnotationKind::Growth)
        .collect();
    let h = if variant == Variant::Wide { 380 } else { 300 };
    let top = 28.0 + if growth.is_empty() { 0.0 } else { l.font * 2.6 };
    let max = rows.iter().map(|(_, v)| v.scaled.1).fold(0.0, f64::max);
    let ticks_n = if variant == Variant::Wide { 5 } else { 4 };
    let ymax = nice_max(max * 1.08, ticks_n);
    let probe = Scale {
        lo: 0.0,
        hi: ymax,
        log: false,
        p0: 0.0,
        p1: 1.0,
    };
    let ticks = probe.ticks(ticks_n);
    let tick_w = ticks
        .iter()
        .map(|t| text_width(&input.number(*t), l.small))
        .fold(0.0, f64::max);
    let left = tick_w + 10.0;
    let right = l.w as f64 - 8.0;
    let bottom = h as f64 - 8.0 - l.font * 1.6 * label_lines(input);
    let scale = Scale {
        lo: 0.0,
        hi: ymax,
        log: false,
        p0: bottom,
        p1: top,
    };
    let n = rows.len().max(1) as f64;
    let band = (right - left) / n;
    let bar_w = (band * 0.62).min(64.0);
    let body = canvas(l.w, h, id, |area| {
        axis_title(area, input, &l);
        left_ticks(area, input, &l, &scale, &ticks, (left, right));
        for (i, (cat, v)) in rows.iter().enumerate() {
            let cx = left + band * (i as f64 + 0.5);
            let end = value_bar(
                area,
                &scale,
                false,
                (cx - bar_w / 2.0, cx + bar_w / 2.0),
                v,
                cat.kind,
                0,
            );
            let role = if cat.kind == SourceKind::Report {
                Role::Text
            } else {
                Role::Muted
            };
            text(
                area,
                &v.table,
                cx,
                end - 4.0,
                l.small,
                role,
                HPos::Center,
                VPos::Bottom,
            );
            for (j, s) in cat.label.iter().enumerate() {
                let size = if j == 0 { l.font } else { l.small };
                let role = if j == 0 { Role::Text } else { Role::Muted };
                text(
                    area,
                    &fit(s, band - 4.0, size),
                    cx,
                    bottom + 6.0 + j as f64 * l.font * 1.4,
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
                    top,
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

pub fn horizontal(input: &Input, variant: Variant, id: &str) -> (String, i32, Vec<LegendItem>) {
    let l = variant.layout();
    let rows = input.values(0);
    let cats: Vec<&Category> = rows.iter().map(|(c, _)| *c).collect();
    let label_w = label_width(&cats, &l);
    let band = (l.font * 1.5 * label_lines(input) + 14.0).max(34.0);
    let top = 26.0;
    let axis_h = l.small * 2.0;
    let h = (top + band * rows.len() as f64 + axis_h + 6.0).round() as i32;
    let max = rows.iter().map(|(_, v)| v.scaled.1).fold(0.0, f64::max);
    let value_w = rows
        .iter()
        .map(|(_, v)| text_width(&v.table, l.small))
        .fold(0.0, f64::max)
        + 8.0;
    let left = label_w;
    let right = l.w as f64 - value_w - 4.0;
    let ticks_n = if variant == Variant::Wide { 5 } else { 3 };
    let scale = Scale {
        lo: 0.0,
        hi: nice_max(max, ticks_n),
        log: false,
        p0: left,
        p1: right,
    };
    let bottom = top + band * rows.len() as f64;
    let body = canvas(l.w, h, id, |area| {
        axis_title(area, input, &l);
        bottom_ticks(
            area,
            input,
            &l,
            &scale,
            &scale.ticks(ticks_n),
            (top, bottom),
        );
        for (i, (cat, v)) in rows.iter().enumerate() {
            let cy = top + band * i as f64 + band / 2.0;
            let bar_h = (band * 0.5).min(22.0);
            let end = value_bar(
                area,
                &scale,
                true,
                (cy - bar_h / 2.0, cy + bar_h / 2.0),
                v,
                cat.kind,
                0,
            );
            text(
                area,
                &v.table,
                end + 5.0,
                cy,
                l.small,
                Role::Text,
                HPos::Left,
                VPos::Center,
            );
            category_label(area, &l, &cat.label, label_w, cy);
        }
    });
    (body, h, provenance_legend(input, &rows))
}
