//! Stacked shares: the parts of a whole in one 100% bar, named underneath.

use plotters::style::text_anchor::{HPos, VPos};

use crate::charts::LegendItem;
use crate::charts::axes::Variant;
use crate::charts::input::Input;
use crate::charts::scale::Scale;
use crate::charts::svg::{PALETTE, Role, bar_roles, canvas, mark, rect, swatch, text};
use crate::charts::text::{fit, text_width};

pub fn draw(input: &Input, variant: Variant, id: &str) -> (String, i32, Vec<LegendItem>) {
    let l = variant.layout();
    let rows = input.values(0);
    let total: f64 = rows
        .iter()
        .map(|(_, v)| v.scaled.0.max(0.0) + (v.scaled.1 - v.scaled.0) / 2.0)
        .sum();
    let top = 10.0;
    let bar_h = if variant == Variant::Wide { 44.0 } else { 40.0 };
    let label_lines = 2.0;
    let h = (top + bar_h + 10.0 + l.font * 1.4 * label_lines + 8.0).round() as i32;
    let (left, right) = (2.0, l.w as f64 - 2.0);
    let scale = Scale {
        lo: 0.0,
        hi: total.max(1e-9),
        log: false,
        p0: left,
        p1: right,
    };
    let body = canvas(l.w, h, id, |area| {
        let mut acc = 0.0;
        for (i, (cat, v)) in rows.iter().enumerate() {
            let (lo, hi) = v.scaled;
            let part = lo + (hi - lo) / 2.0;
            let x0 = scale.map(acc);
            let x1 = scale.map(acc + part);
            let s = i as u8 % PALETTE;
            let (fill, stroke) = if v.q.qualifier.is_some() || v.q.hi.is_some() {
                (Role::Band(s), Some(Role::Series(s)))
            } else {
                bar_roles(cat.kind, s)
            };
            let names: Vec<&str> = cat.label.iter().map(String::as_str).collect();
            mark(
                area,
                "segment",
                (v.q.lo, v.q.hi),
                &input.mark_title(&names, v),
                || rect(area, x0, top, (x1 - 1.0).max(x0), top + bar_h, fill, stroke),
            );
            let name = cat.label.join(" · ");
            let mid = (x0 + x1) / 2.0;
            let inside = text_width(&v.prose, l.font) + 8.0 < x1 - x0;
            if inside {
                let role = if fill == Role::Series(s) {
                    Role::Surface
                } else {
                    Role::Text
                };
                text(
                    area,
                    &v.prose,
                    mid,
                    top + bar_h / 2.0,
                    l.font,
                    role,
                    HPos::Center,
                    VPos::Center,
                );
            }
            // Names under the bar, aligned with their segment, clamped to the canvas.
            let (hpos, x) = if i == 0 {
                (HPos::Left, x0)
            } else if i + 1 == rows.len() {
                (HPos::Right, x1)
            } else {
                (HPos::Center, mid)
            };
            let name_w = (x1 - x0).max(l.w as f64 / rows.len() as f64) - 6.0;
            let name = fit(&name, name_w, l.font);
            // A centred name near an end is moved inwards so it stays on the canvas.
            let x = if matches!(hpos, HPos::Center) {
                let half = text_width(&name, l.font).max(text_width(&v.prose, l.small)) / 2.0;
                x.clamp(half + 2.0, (l.w as f64 - half - 2.0).max(half + 2.0))
            } else {
                x
            };
            text(
                area,
                &name,
                x,
                top + bar_h + 8.0,
                l.font,
                Role::Text,
                hpos,
                VPos::Top,
            );
            if !inside {
                text(
                    area,
                    &v.prose,
                    x,
                    top + bar_h + 8.0 + l.font * 1.4,
                    l.small,
                    Role::Muted,
                    hpos,
                    VPos::Top,
                );
            }
            acc += part;
        }
    });
    let legend = rows
        .iter()
        .enumerate()
        .map(|(i, (cat, v))| LegendItem {
            swatch: swatch(&format!("f-s{}", i as u8 % PALETTE), "bar"),
            label: format!("{} {}", cat.label.join(" · "), v.prose),
        })
        .collect();
    (body, h, legend)
}
