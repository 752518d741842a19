//! Dumbbell charts: one row per group (a model), its values in order (a price before and after a
//! cut) as dots on a horizontal value axis, joined by an arrow from the first to the last. Each
//! end is labelled on its outer side; zero values on a log scale sit in a column of their own
//! ("free") left of a break in the axis.

use plotters::style::text_anchor::{HPos, VPos};

use crate::charts::LegendItem;
use crate::charts::axes::{Layout, Variant, axis_title, bottom_ticks, category_label, lines_width};
use crate::charts::input::{Category, Input, Value};
use crate::charts::reference;
use crate::charts::scale::{Scale, dot_domain, log_domain};
use crate::charts::svg::{Area, Role, canvas, dot, line, mark, rect, swatch, text};
use crate::charts::text::{fit, text_width};
use crate::model::chart::ScaleKind;
use crate::model::data::SourceKind;

/// One row: the group's name lines and its dots in order.
struct Row<'a> {
    lines: Vec<String>,
    dots: Vec<(&'a Category, &'a Value)>,
}

/// The rows in order of their groups' first appearance.
fn rows<'a>(input: &'a Input) -> Vec<Row<'a>> {
    let mut out: Vec<(String, Row)> = Vec::new();
    for (c, v) in input.values(0) {
        match out.iter_mut().find(|(g, _)| *g == c.group) {
            Some((_, row)) => row.dots.push((c, v)),
            None => {
                let mut lines = vec![c.group.clone()];
                lines.extend(c.label.iter().filter(|s| **s != c.group).cloned());
                lines.retain(|s| !s.is_empty());
                out.push((
                    c.group.clone(),
                    Row {
                        lines,
                        dots: vec![(c, v)],
                    },
                ));
            }
        }
    }
    out.into_iter().map(|(_, r)| r).collect()
}

pub fn draw(input: &Input, variant: Variant, id: &str) -> (String, i32, Vec<LegendItem>) {
    let l = variant.layout();
    let rows = rows(input);
    let log = input.scale == ScaleKind::Log;
    let values: Vec<&Value> = rows
        .iter()
        .flat_map(|r| r.dots.iter().map(|(_, v)| *v))
        .collect();
    let extent = || {
        values
            .iter()
            .flat_map(|v| [v.scaled.0, v.scaled.1])
            .chain(input.reference_extent())
    };
    let ticks_n = if variant == Variant::Wide { 6 } else { 4 };
    let (lo, hi) = input.domain(if log {
        log_domain(extent())
    } else {
        dot_domain(extent(), ticks_n)
    });
    // Zero on a log scale: its own column, left of a gap in the axis.
    let zero_col = log && values.iter().any(|v| v.q.lo == 0.0);
    let zero_w = match (&input.zero_label, zero_col) {
        (Some(z), true) => text_width(z, l.small) + 14.0,
        (None, true) => l.small * 2.0,
        _ => 0.0,
    };
    let max_lines = rows.iter().map(|r| r.lines.len()).max().unwrap_or(1).max(1) as f64;
    // Wide: names right-aligned left of the rows. Narrow: each name on one line above its row,
    // so the dots get the whole width.
    let above = variant == Variant::Narrow;
    let label_w = if above {
        0.0
    } else {
        lines_width(rows.iter().map(|r| r.lines.as_slice()), &l, 0.38)
    };
    let value_w = values
        .iter()
        .map(|v| text_width(&v.table, l.small))
        .fold(0.0, f64::max);
    let band = if above {
        l.font * 1.3 + 26.0
    } else {
        (l.font * 1.35 * max_lines + 14.0).max(34.0)
    };
    let top = 26.0 + reference::label_strip(input, &l);
    let bottom = top + band * rows.len() as f64;
    let h = (bottom + l.small * 2.0 + 6.0).round() as i32;
    let plot_left = label_w + zero_w + if zero_col { 12.0 } else { 0.0 } + value_w.min(60.0);
    let right = l.w as f64 - value_w - 12.0;
    let scale = Scale {
        lo,
        hi,
        log,
        p0: plot_left,
        p1: right.max(plot_left + 40.0),
    };
    let zero_x = label_w + zero_w / 2.0;
    let x_of = |v: f64| {
        if log && v <= 0.0 {
            zero_x
        } else {
            scale.map(v)
        }
    };
    let ticks = scale.ticks(if log { 7 } else { ticks_n });
    let r = if variant == Variant::Wide { 5 } else { 4 };
    let body = canvas(l.w, h, id, |area| {
        axis_title(area, input, &l);
        bottom_ticks(area, input, &l, &scale, &ticks, (top, bottom));
        if zero_col {
            zero_column(area, input, &l, zero_x, (top, bottom), scale.p0);
        }
        reference::horizontal(area, input, &l, &scale, (top, bottom));
        for (i, row) in rows.iter().enumerate() {
            let cy = if above {
                let name_y = top + band * i as f64 + 2.0;
                let name = fit(&row.lines.join(" · "), l.w as f64 - 4.0, l.font);
                // On a plate, so grid lines and bands do not run through the name.
                let w = text_width(&name, l.font);
                rect(
                    area,
                    0.0,
                    name_y - 1.0,
                    w + 4.0,
                    name_y + l.font * 1.2,
                    Role::Surface,
                    None,
                );
                text(
                    area,
                    &name,
                    2.0,
                    name_y,
                    l.font,
                    Role::Text,
                    HPos::Left,
                    VPos::Top,
                );
                name_y + l.font * 1.3 + 11.0
            } else {
                let cy = top + band * (i as f64 + 0.5);
                category_label(area, &l, &row.lines, label_w, cy);
                cy
            };
            draw_row(area, input, &l, row, (cy, label_w + zero_w), r, &x_of);
        }
    });
    (body, h, legend(input, &rows))
}

/// The zero column: a band label over it, and a break mark where the axis resumes.
fn zero_column(area: &Area, input: &Input, l: &Layout, x: f64, (top, bottom): (f64, f64), p0: f64) {
    line(area, &[(x, top), (x, bottom)], Role::Grid, 1);
    if let Some(z) = &input.zero_label {
        text(
            area,
            z,
            x,
            bottom + 5.0,
            l.small,
            Role::Muted,
            HPos::Center,
            VPos::Top,
        );
    }
    // Two short slashes between the column and the axis: the scale does not run through zero.
    let gx = p0 - 8.0;
    for dx in [-2.0, 2.0] {
        line(
            area,
            &[(gx + dx - 2.0, bottom + 4.0), (gx + dx + 2.0, bottom - 4.0)],
            Role::Axis,
            1,
        );
    }
}

/// One row's dots, the arrow from first to last, and the end values on their outer sides.
fn draw_row(
    area: &Area,
    input: &Input,
    l: &Layout,
    row: &Row,
    (cy, min_x): (f64, f64),
    r: i32,
    x_of: &dyn Fn(f64) -> f64,
) {
    let xs: Vec<f64> = row.dots.iter().map(|(_, v)| x_of(v.scaled.0)).collect();
    let last = row.dots.len() - 1;
    let (x_first, x_last) = (xs[0], xs[last]);
    if last > 0 && (x_last - x_first).abs() > 2.0 * r as f64 + 2.0 {
        // The arrow runs between the dots' edges; its head touches the last one.
        let dir = (x_last - x_first).signum();
        let (a, b) = (
            x_first + dir * (r as f64 + 1.0),
            x_last - dir * (r as f64 + 2.0),
        );
        line(area, &[(a, cy), (b, cy)], Role::Series(0), 2);
        line(
            area,
            &[
                (b - dir * 6.0, cy - 4.0),
                (b, cy),
                (b - dir * 6.0, cy + 4.0),
            ],
            Role::Series(0),
            2,
        );
    }
    let end_names = input.ends.as_ref();
    for (k, ((c, v), x)) in row.dots.iter().zip(&xs).enumerate() {
        let role = if k == last {
            Role::Series(0)
        } else {
            Role::Muted
        };
        let mut names: Vec<&str> = row.lines.iter().map(String::as_str).collect();
        if let Some((from, to)) = end_names.filter(|_| last > 0) {
            if k == 0 {
                names.push(from);
            } else if k == last {
                names.push(to);
            }
        }
        let title = input.mark_title(&names, v);
        let size = if k == 0 || k == last { r } else { r - 2 };
        mark(area, "point", (v.q.lo, v.q.hi), &title, || {
            // A range: a bar from its low end (the dot) to its high end.
            if v.q.hi.is_some() {
                let x_hi = x_of(v.scaled.1);
                rect(area, *x, cy - 2.0, x_hi, cy + 2.0, role, None);
            }
            dot(area, *x, cy, size, role, c.kind != SourceKind::Report)
        });
        if k != 0 && k != last {
            continue;
        }
        // Zero in its own column reads from the column's label.
        if input.scale == ScaleKind::Log && v.q.lo == 0.0 && input.zero_label.is_some() {
            continue;
        }
        // Outer side: away from the row's other end (right for a lone dot).
        let other = if k == 0 { x_last } else { x_first };
        let outward_left = last > 0 && other > *x;
        let w = text_width(&v.table, l.small);
        let gap = r as f64 + 5.0;
        let (tx, ty, hpos, vpos) = if outward_left && x - gap - w > min_x + 4.0 {
            (x - gap, cy, HPos::Right, VPos::Center)
        } else if !outward_left {
            // Right of the dot, or of a range's high end.
            let x_right = if v.q.hi.is_some() {
                x_of(v.scaled.1)
            } else {
                *x
            };
            (x_right + gap, cy, HPos::Left, VPos::Center)
        } else {
            // No room on the outer side: above the dot.
            (*x, cy - gap, HPos::Center, VPos::Bottom)
        };
        let text_role = if k == last { Role::Text } else { Role::Muted };
        text(area, &v.table, tx, ty, l.small, text_role, hpos, vpos);
    }
}

/// The ends' meaning (first dot grey, last in colour) and, where values come from more than one
/// kind of source, which dots are reported.
fn legend(input: &Input, rows: &[Row]) -> Vec<LegendItem> {
    let mut items = Vec::new();
    let kinds: Vec<SourceKind> = rows
        .iter()
        .flat_map(|r| r.dots.iter().map(|(c, _)| c.kind))
        .collect();
    if let Some((from, to)) = &input.ends {
        // The swatches look like the dots: hollow where no dot is a reported value.
        let fill = |role: &str| {
            if kinds.contains(&SourceKind::Report) {
                format!("f-{role} k-{role}")
            } else {
                format!("f-surface k-{role}")
            }
        };
        items.push(LegendItem {
            swatch: swatch(&fill("muted"), "dot"),
            label: from.clone(),
        });
        items.push(LegendItem {
            swatch: swatch(&fill("s0"), "dot"),
            label: to.clone(),
        });
    }
    if kinds.contains(&SourceKind::Report) && kinds.iter().any(|k| *k != SourceKind::Report) {
        items.push(LegendItem {
            swatch: swatch("f-text k-text", "dot"),
            label: input.strings.kind_report.clone(),
        });
        items.push(LegendItem {
            swatch: swatch("f-surface k-text", "dot"),
            label: input.strings.kind_external.clone(),
        });
    }
    items
}
