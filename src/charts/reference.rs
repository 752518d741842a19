//! Reference lines and bands drawn across a chart's plot, behind its marks: an exact value is a
//! dashed line, a bound a band from the axis's start up to it (or from it to the end), a range a
//! band between its ends. Each carries its label by it and a `<title>` with its value.

use plotters::style::text_anchor::{HPos, VPos};

use crate::charts::axes::Layout;
use crate::charts::input::{Input, RefShape, Reference};
use crate::charts::scale::Scale;
use crate::charts::svg::{Area, Role, line, mark, rect, text};
use crate::charts::text::{fit, text_width};

/// The height of the strip above a horizontal chart's plot that holds reference labels.
pub fn label_strip(input: &Input, l: &Layout) -> f64 {
    input.references.len() as f64 * l.small * 1.35
}

/// Where a reference spans on `scale`, in pixels: (start, end) along the value axis.
fn span(r: &Reference, scale: &Scale) -> (f64, f64) {
    let (lo, hi) = r.value.scaled;
    let (a, b) = (scale.map(scale.lo), scale.map(scale.hi));
    match r.shape() {
        RefShape::Line => (scale.map(lo), scale.map(lo)),
        RefShape::Below => (a, scale.map(lo)),
        RefShape::Above => (scale.map(lo), b),
        RefShape::Between => (scale.map(lo), scale.map(hi)),
    }
}

/// The bound's edge drawn as a dashed line along a band: the value a bound stops at (a range
/// has two ends and no single edge).
fn edge(r: &Reference, (start, end): (f64, f64)) -> Option<f64> {
    match r.shape() {
        RefShape::Line | RefShape::Above => Some(start),
        RefShape::Below => Some(end),
        RefShape::Between => None,
    }
}

/// The text written by a reference: its label and, where the label does not hold it, its value.
fn caption(r: &Reference) -> String {
    if r.label.contains(&r.value.table) {
        r.label.clone()
    } else {
        format!("{} {}", r.label, r.value.table).trim().to_string()
    }
}

/// The width of the column right of a vertical value axis's plot that holds the references'
/// labels (none without references; at most a third of the chart, longer labels shortened).
pub fn caption_column(input: &Input, l: &Layout) -> f64 {
    let widest = input
        .references
        .iter()
        .map(|r| text_width(&caption(r), l.small))
        .fold(0.0, f64::max);
    if widest == 0.0 {
        0.0
    } else {
        (widest + 10.0).min(l.w as f64 / 3.0)
    }
}

/// The references' labels with the heights of their lines (a band's: its edge, or its middle
/// for a range), for a caller that places them with labels of its own.
pub fn captions(input: &Input, scale: &Scale) -> Vec<(f64, String)> {
    input
        .references
        .iter()
        .map(|r| {
            let (a, b) = span(r, scale);
            (edge(r, (a, b)).unwrap_or((a + b) / 2.0), caption(r))
        })
        .collect()
}

/// Narrower than this, a caption column is not worth having: labels go inside the plot.
pub const MIN_COLUMN: f64 = 48.0;

/// How a vertical chart's reference labels are placed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Captions {
    /// The caller writes them (see [`captions`]).
    Caller,
    /// In a column of this width right of the plot; below [`MIN_COLUMN`], inside the plot,
    /// right-aligned above each line on a plate.
    Column(f64),
}

/// References on a vertical value axis (`scale` maps to y), across `(left, right)`, labelled as
/// `captions` says; labels that would touch are pushed apart.
pub fn vertical(
    area: &Area,
    input: &Input,
    l: &Layout,
    scale: &Scale,
    (left, right): (f64, f64),
    captions_at: Captions,
) {
    for r in &input.references {
        let (y0, y1) = span(r, scale);
        let title = input.mark_title(&[&r.label], &r.value);
        mark(
            area,
            "reference",
            (r.value.q.lo, r.value.q.hi),
            &title,
            || {
                if r.shape() != RefShape::Line {
                    rect(area, left, y0, right, y1, Role::RefBand, None);
                }
                if let Some(y) = edge(r, (y0, y1)) {
                    line(area, &[(left, y), (right, y)], Role::Reference, 1);
                }
            },
        );
    }
    let Captions::Column(column) = captions_at else {
        return;
    };
    let inside = column < MIN_COLUMN;
    let mut labels = captions(input, scale);
    labels.sort_by(|a, b| a.0.total_cmp(&b.0));
    let gap = l.small * 1.25;
    for i in 1..labels.len() {
        if labels[i].0 - labels[i - 1].0 < gap {
            labels[i].0 = labels[i - 1].0 + gap;
        }
    }
    for (y, cap) in labels {
        if inside {
            let cap = fit(&cap, (right - left) * 0.6, l.small);
            let w = text_width(&cap, l.small);
            let y = y - l.small * 0.75;
            rect(
                area,
                right - w - 6.0,
                y - l.small * 0.6,
                right - 2.0,
                y + l.small * 0.6,
                Role::Surface,
                None,
            );
            text(
                area,
                &cap,
                right - 4.0,
                y,
                l.small,
                Role::Text,
                HPos::Right,
                VPos::Center,
            );
        } else {
            let cap = fit(&cap, column - 6.0, l.small);
            text(
                area,
                &cap,
                right + 6.0,
                y,
                l.small,
                Role::Text,
                HPos::Left,
                VPos::Center,
            );
        }
    }
}

/// References on a horizontal value axis (`scale` maps to x), down `(top, bottom)`; labels in
/// the strip above the plot (see [`label_strip`]), one line each, by the line or the band's end.
pub fn horizontal(
    area: &Area,
    input: &Input,
    l: &Layout,
    scale: &Scale,
    (top, bottom): (f64, f64),
) {
    let n = input.references.len() as f64;
    for (i, r) in input.references.iter().enumerate() {
        let (x0, x1) = span(r, scale);
        let title = input.mark_title(&[&r.label], &r.value);
        let label_y = top - (n - i as f64 - 0.5) * l.small * 1.35;
        mark(
            area,
            "reference",
            (r.value.q.lo, r.value.q.hi),
            &title,
            || {
                if r.shape() != RefShape::Line {
                    rect(area, x0, top, x1, bottom, Role::RefBand, None);
                }
                if let Some(x) = edge(r, (x0, x1)) {
                    line(area, &[(x, label_y), (x, bottom)], Role::Reference, 1);
                }
            },
        );
        // The label beside the edge (a range's high end): on the side with room, never past
        // the chart's edges.
        let edge = edge(r, (x0, x1)).unwrap_or(x0.max(x1));
        let cap = caption(r);
        let w = text_width(&cap, l.small);
        let (x, hpos) = if edge + 5.0 + w <= l.w as f64 - 2.0 {
            (edge + 5.0, HPos::Left)
        } else {
            ((edge - 5.0).max(w + 2.0), HPos::Right)
        };
        text(
            area,
            &cap,
            x,
            label_y,
            l.small,
            Role::Text,
            hpos,
            VPos::Center,
        );
    }
}
