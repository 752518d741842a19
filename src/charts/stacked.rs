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
        let mut names_row = Row::new(l.w as f64);
        let mut values_row = Row::new(l.w as f64);
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
            // Names (and values that did not fit inside) under the bar, each within its own
            // segment where it can be, never over its neighbour: a label that would touch the
            // one before it is left out (the legend below names every part with its value).
            let span = (x1 - x0).max(if rows.len() <= 3 {
                l.w as f64 / 3.0
            } else {
                0.0
            });
            let name = fit(&name, span - 6.0, l.font);
            if (name.chars().count() > 3 || name == cat.label.join(" · "))
                && let Some(x) = names_row.place(&name, l.font, (i, rows.len()), (x0, x1))
            {
                let hpos = anchor(i, rows.len());
                let y = top + bar_h + 8.0;
                text(area, &name, x, y, l.font, Role::Text, hpos, VPos::Top);
            }
            if !inside
                && let Some(x) = values_row.place(&v.prose, l.small, (i, rows.len()), (x0, x1))
            {
                let hpos = anchor(i, rows.len());
                let y = top + bar_h + 8.0 + l.font * 1.4;
                text(area, &v.prose, x, y, l.small, Role::Muted, hpos, VPos::Top);
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

/// How a label under segment `i` of `n` is anchored: the first at its left edge, the last at its
/// right edge, the others centred.
fn anchor(i: usize, n: usize) -> HPos {
    if i == 0 {
        HPos::Left
    } else if i + 1 == n {
        HPos::Right
    } else {
        HPos::Center
    }
}

/// One line of labels placed left to right: each keeps a gap from the one before it and stays on
/// the canvas, or is not placed at all.
struct Row {
    width: f64,
    end: f64,
}

impl Row {
    const GAP: f64 = 8.0;

    fn new(width: f64) -> Self {
        Row {
            width,
            end: f64::NEG_INFINITY,
        }
    }

    /// The anchor x for `label` under the segment `(x0, x1)`, or `None` when it would collide.
    fn place(
        &mut self,
        label: &str,
        size: f64,
        (i, n): (usize, usize),
        (x0, x1): (f64, f64),
    ) -> Option<f64> {
        let w = text_width(label, size);
        let (x, start) = match anchor(i, n) {
            HPos::Left => (x0, x0),
            HPos::Right => (x1, x1 - w),
            _ => {
                // Centred, moved inwards so it stays on the canvas.
                let half = w / 2.0;
                let mid =
                    ((x0 + x1) / 2.0).clamp(half + 2.0, (self.width - half - 2.0).max(half + 2.0));
                (mid, mid - half)
            }
        };
        if start < self.end + Self::GAP || start + w > self.width + 0.5 {
            return None;
        }
        self.end = start + w;
        Some(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_in_a_row_never_overlap() {
        let mut row = Row::new(700.0);
        let segments = [
            ("BYD Auto Industry", (0.0, 220.0)),
            ("Zhejiang Geely", (220.0, 260.0)),
            ("SAIC-GM-Wuling", (260.0, 290.0)),
            ("Tesla", (290.0, 330.0)),
            ("Others", (330.0, 700.0)),
        ];
        let mut placed: Vec<(f64, f64)> = Vec::new();
        for (i, (label, seg)) in segments.iter().enumerate() {
            if let Some(x) = row.place(label, 14.0, (i, segments.len()), *seg) {
                let w = text_width(label, 14.0);
                let start = match anchor(i, segments.len()) {
                    HPos::Left => x,
                    HPos::Right => x - w,
                    _ => x - w / 2.0,
                };
                assert!(start >= 0.0 && start + w <= 700.5, "{label} off the canvas");
                for (a, b) in &placed {
                    assert!(start >= *b || start + w <= *a, "{label} overlaps");
                }
                placed.push((start, start + w));
            }
        }
        // The first and the last always fit; the crowded middle loses at least one.
        assert!(
            placed.len() >= 3 && placed.len() < segments.len(),
            "{placed:?}"
        );
        assert_eq!(placed[0].0, 0.0);
        assert!((placed.last().unwrap().1 - 700.0).abs() < 1e-9);
    }
}
