//! Grouped bar charts: several value fields per category, side by side, horizontally.

use plotters::style::text_anchor::{HPos, VPos};

use crate::charts::LegendItem;
use crate::charts::axes::{
    Variant, axis_title, bottom_ticks, category_label, label_lines, label_width, provenance_legend,
};
use crate::charts::input::{Category, Input, Value};
use crate::charts::reference;
use crate::charts::scale::{Scale, linear_domain};
use crate::charts::svg::{PALETTE, Role, canvas, line, mark, swatch, text, value_bar};
use crate::charts::text::text_width;
use crate::model::data::SourceKind;

pub fn draw(input: &Input, variant: Variant, id: &str) -> (String, i32, Vec<LegendItem>) {
    let l = variant.layout();
    let cats: Vec<&Category> = input.categories.iter().collect();
    let label_w = label_width(&cats, &l);
    let k = input.series.len() as f64;
    let bar_h = if variant == Variant::Wide { 13.0 } else { 12.0 };
    let band = (bar_h * k + 16.0).max(l.font * 1.35 * label_lines(input) + 12.0);
    let top = 26.0 + reference::label_strip(input, &l);
    let axis_h = l.small * 2.0;
    let h = (top + band * cats.len() as f64 + axis_h + 6.0).round() as i32;
    let all_values: Vec<&Value> = cats
        .iter()
        .flat_map(|c| c.values.iter().flatten())
        .collect();
    let ticks_n = if variant == Variant::Wide { 5 } else { 3 };
    let (lo, hi) = input.domain(linear_domain(
        all_values
            .iter()
            .flat_map(|v| [v.scaled.0, v.scaled.1])
            .chain(input.reference_extent()),
        ticks_n,
        0.0,
    ));
    let value_w = |neg: bool| {
        all_values
            .iter()
            .filter(|v| (v.scaled.0 < 0.0) == neg)
            .map(|v| text_width(&v.table, l.small) + 8.0)
            .fold(0.0, f64::max)
    };
    // Room for the values beyond the bars' ends: right of positive bars, left of negative ones.
    let left = label_w + value_w(true);
    let right = l.w as f64 - value_w(false).max(l.small) - 8.0;
    let scale = Scale {
        lo,
        hi,
        log: false,
        p0: left,
        p1: right,
    };
    let bottom = top + band * cats.len() as f64;
    let mut all: Vec<(&Category, &Value)> = Vec::new();
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
        reference::horizontal(area, input, &l, &scale, (top, bottom));
        for (i, cat) in cats.iter().enumerate() {
            let y0 = top + band * i as f64;
            let cy = y0 + band / 2.0;
            let group_top = cy - bar_h * k / 2.0;
            for (si, v) in cat.values.iter().enumerate() {
                let Some(v) = v else { continue };
                all.push((cat, v));
                let a0 = group_top + bar_h * si as f64 + 1.0;
                let mut names: Vec<&str> = cat.label.iter().map(String::as_str).collect();
                names.extend(input.series.get(si).map(String::as_str));
                let title = input.mark_title(&names, v);
                let end = mark(area, "bar bar-h", (v.q.lo, v.q.hi), &title, || {
                    value_bar(
                        area,
                        &scale,
                        true,
                        (a0, a0 + bar_h - 2.0),
                        v,
                        cat.kind,
                        si as u8 % PALETTE,
                    )
                });
                let (x, hpos) = if v.scaled.0 < 0.0 {
                    (end - 4.0, HPos::Right)
                } else {
                    (end + 4.0, HPos::Left)
                };
                text(
                    area,
                    &v.table,
                    x,
                    a0 + (bar_h - 2.0) / 2.0,
                    l.small,
                    Role::Text,
                    hpos,
                    VPos::Center,
                );
            }
            category_label(area, &l, &cat.label, label_w, cy);
            if i + 1 < cats.len() {
                line(area, &[(0.0, y0 + band), (left, y0 + band)], Role::Grid, 1);
            }
        }
    });
    let mut legend: Vec<LegendItem> = input
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| LegendItem {
            swatch: swatch(&format!("f-s{}", i as u8 % PALETTE), "bar"),
            label: s.clone(),
        })
        .collect();
    if all.iter().any(|(c, _)| c.kind != SourceKind::Report) {
        legend.extend(provenance_legend(input, &all));
    }
    (body, h, legend)
}
