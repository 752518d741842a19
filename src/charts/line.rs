//! Line charts: values over time, one line per group, linear or log scale (zero values in a
//! band of their own on log scales), month, quarter or year ticks, lines named at their ends.

use plotters::style::text_anchor::{HPos, VPos};

use crate::charts::LegendItem;
use crate::charts::axes::{Layout, Variant, axis_title, left_ticks};
use crate::charts::input::{Category, Input, Value};
use crate::charts::reference;
use crate::charts::scale::{Scale, linear_domain, log_domain};
use crate::charts::svg::{Area, PALETTE, Role, canvas, dot, line, mark, swatch, text};
use crate::charts::text::{fit, text_width};
use crate::model::chart::ScaleKind;
use crate::model::data::SourceKind;
use crate::model::time::{civil_from_days, days_from_civil};

/// A drawn point: its category, time and value.
type Point<'a> = (&'a Category, i64, &'a Value);

pub fn draw(input: &Input, variant: Variant, id: &str) -> (String, i32, Vec<LegendItem>) {
    let l = variant.layout();
    let points: Vec<Point> = input
        .values(0)
        .into_iter()
        .map(|(c, v)| (c, c.time, v))
        .collect();
    // Series: by group, in order of first appearance.
    let mut groups: Vec<&str> = Vec::new();
    for (c, _, _) in &points {
        if !groups.contains(&c.group.as_str()) {
            groups.push(&c.group);
        }
    }
    let h = if variant == Variant::Wide { 400 } else { 320 };
    let log = input.scale == ScaleKind::Log;
    let has_zero = points.iter().any(|(_, _, v)| v.q.lo == 0.0);
    let max_ticks = if variant == Variant::Wide { 8 } else { 5 };
    let extent = || {
        points
            .iter()
            .flat_map(|(_, _, v)| [v.scaled.0, v.scaled.1])
            .chain(input.reference_extent())
    };
    let (lo, hi) = input.domain(if log {
        log_domain(extent())
    } else {
        linear_domain(extent(), max_ticks.min(6), 0.05)
    });
    let top = 28.0;
    let zero_band = if log && has_zero { l.font * 2.2 } else { 0.0 };
    let bottom = h as f64 - l.small * 2.4 - zero_band;
    let ticks = Scale {
        lo,
        hi,
        log,
        p0: 0.0,
        p1: 1.0,
    }
    .ticks(max_ticks);
    let mut tick_w = ticks
        .iter()
        .map(|t| text_width(&input.tick(*t, &ticks), l.small))
        .fold(0.0, f64::max);
    if let Some(z) = &input.zero_label {
        tick_w = tick_w.max(text_width(z, l.small));
    }
    let left = tick_w + 10.0;
    // The lines' names go in a column right of the plot, when they fit there.
    let names = name_column(input, &points, &groups, &l);
    let right =
        l.w as f64 - 14.0 - names.unwrap_or_else(|| caption_only(input, &points, &groups, &l));
    let ys = Scale {
        lo,
        hi,
        log,
        p0: bottom,
        p1: top,
    };
    let tmin = points.iter().map(|(_, t, _)| *t).min().unwrap_or(0);
    let tmax = points.iter().map(|(_, t, _)| *t).max().unwrap_or(1);
    // Years: half a year beyond the ends (a whole one around a single point); dates: a little.
    let pad = if input.x_years {
        if tmin == tmax { 1.0 } else { 0.5 }
    } else {
        ((tmax - tmin) as f64 * 0.04).max(10.0)
    };
    let xs = Scale {
        lo: tmin as f64 - pad,
        hi: tmax as f64 + pad,
        log: false,
        p0: left,
        p1: right,
    };
    let zero_y = bottom + zero_band * 0.6;
    let y_of = |v: f64| if log && v <= 0.0 { zero_y } else { ys.map(v) };
    let frame = Frame {
        l: &l,
        variant,
        direct: names.is_some(),
        xs,
        bottom: bottom + zero_band,
    };
    let body = canvas(l.w, h, id, |area| {
        axis_title(area, input, &l);
        left_ticks(area, input, &l, &ys, &ticks, (left, right));
        reference::vertical(
            area,
            input,
            &l,
            &ys,
            (left, right),
            reference::Captions::Caller,
        );
        if let (true, Some(z)) = (log && has_zero, &input.zero_label) {
            line(area, &[(left, zero_y), (right, zero_y)], Role::Grid, 1);
            text(
                area,
                z,
                left - 6.0,
                zero_y,
                l.small,
                Role::Muted,
                HPos::Right,
                VPos::Center,
            );
        }
        line(
            area,
            &[(left, frame.bottom), (right, frame.bottom)],
            Role::Axis,
            1,
        );
        if input.x_years {
            year_ticks(area, &frame, (tmin, tmax));
        } else {
            time_ticks(area, input, &frame, (tmin, tmax));
        }
        for (gi, g) in groups.iter().enumerate() {
            let pts: Vec<&Point> = points.iter().filter(|(c, _, _)| c.group == *g).collect();
            series(area, input, &frame, &pts, gi as u8 % PALETTE, &y_of);
        }
        let captions = reference::captions(input, &ys);
        end_labels(
            area,
            &frame,
            &points,
            &groups,
            &y_of,
            (top, right),
            captions,
        );
    });
    (body, h, legend(input, &points, &groups))
}

/// The plot's horizontal frame: time scale and the edges of the plot.
struct Frame<'a> {
    l: &'a Layout,
    variant: Variant,
    /// Lines are named at their ends (else the legend names them).
    direct: bool,
    xs: Scale,
    bottom: f64,
}

/// Time ticks: months, quarters or years, whichever gives a readable number of labels.
fn time_ticks(area: &Area, input: &Input, f: &Frame, (tmin, tmax): (i64, i64)) {
    let span_months = ((tmax - tmin) as f64 / 30.4).max(1.0);
    let max_labels = if f.variant == Variant::Wide { 9.0 } else { 4.0 };
    let step = [1, 2, 3, 6, 12, 24]
        .into_iter()
        .find(|s| span_months / *s as f64 <= max_labels)
        .unwrap_or(24);
    let (y0, m0, _) = civil_from_days(f.xs.lo as i64);
    let (mut y, mut m) = (y0, m0 + 1);
    if m > 12 {
        m = 1;
        y += 1;
    }
    while (m - 1) % step != 0 {
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    loop {
        let d = days_from_civil(y, m, 1);
        if d as f64 > f.xs.hi {
            break;
        }
        let x = f.xs.map(d as f64);
        line(area, &[(x, f.bottom), (x, f.bottom + 4.0)], Role::Axis, 1);
        text(
            area,
            &input.strings.month(y, m),
            x,
            f.bottom + 6.0,
            f.l.small,
            Role::Muted,
            HPos::Center,
            VPos::Top,
        );
        m += step;
        while m > 12 {
            m -= 12;
            y += 1;
        }
    }
}

/// Year ticks: whole years at the points' positions, every 1, 2, 5, 10… years so the labels
/// fit.
fn year_ticks(area: &Area, f: &Frame, (tmin, tmax): (i64, i64)) {
    let max_labels = if f.variant == Variant::Wide { 10 } else { 5 };
    let span = (tmax - tmin).max(0);
    let step = [1i64, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000]
        .into_iter()
        .find(|s| span / s < max_labels)
        .unwrap_or(span.max(1));
    let first = tmin.div_euclid(step) * step;
    let mut y = if first < tmin { first + step } else { first };
    while y <= tmax {
        let x = f.xs.map(y as f64);
        line(area, &[(x, f.bottom), (x, f.bottom + 4.0)], Role::Axis, 1);
        text(
            area,
            &y.to_string(),
            x,
            f.bottom + 6.0,
            f.l.small,
            Role::Muted,
            HPos::Center,
            VPos::Top,
        );
        y += step;
    }
}

/// One group's line, points and (for bounds and ranges) values by the points.
fn series(area: &Area, input: &Input, f: &Frame, pts: &[&Point], s: u8, y_of: &dyn Fn(f64) -> f64) {
    let mut path: Vec<(f64, f64)> = Vec::new();
    for (_, t, v) in pts {
        let (x, y) = (f.xs.map(*t as f64), y_of(v.scaled.0));
        if input.step
            && let Some(&(_, py)) = path.last()
        {
            path.push((x, py));
        }
        path.push((x, y));
    }
    if path.len() > 1 {
        line(area, &path, Role::Series(s), 2);
    }
    let last = pts.len().saturating_sub(1);
    for (k, (c, t, v)) in pts.iter().enumerate() {
        let (x, y) = (f.xs.map(*t as f64), y_of(v.scaled.0));
        let r = if f.variant == Variant::Wide { 4 } else { 3 };
        let mut names = vec![c.group.as_str()];
        names.extend(c.label.iter().map(String::as_str));
        let title = input.mark_title(&names, v);
        mark(area, "point", (v.q.lo, v.q.hi), &title, || {
            bound_stroke(area, v, (x, y), y_of, Role::Series(s));
            dot(area, x, y, r, Role::Series(s), c.kind != SourceKind::Report)
        });
        // A bound or range is written by the point; the last point's is written with the end
        // labels (with the line's name where lines are named; see `end_labels`), so that labels
        // at one date are pushed apart instead of colliding.
        let named_at_end = k == last;
        // A lone point has no line to read its height from: its value is written by it.
        let lone =
            pts.len() == 1 && c.group.is_empty() && v.q.qualifier.is_none() && v.q.hi.is_none();
        if lone {
            text(
                area,
                &v.table,
                x + 9.0,
                y,
                f.l.small,
                Role::Text,
                HPos::Left,
                VPos::Center,
            );
        } else if (v.q.qualifier.is_some() || v.q.hi.is_some()) && !named_at_end {
            // Left of the point, or right of it where the left would reach the tick labels.
            let w = text_width(&v.table, f.l.small);
            let (tx, hpos) = if x - 7.0 - w >= f.xs.p0 {
                (x - 7.0, HPos::Right)
            } else {
                (x + 7.0, HPos::Left)
            };
            text(
                area,
                &v.table,
                tx,
                y,
                f.l.small,
                Role::Text,
                hpos,
                VPos::Center,
            );
        }
    }
}

/// A range drawn as such: a bar from its low to its high end through the point; a bound as an
/// arrow from the point towards where the value may lie (down for "≤0.5", up for "950+").
fn bound_stroke(area: &Area, v: &Value, (x, y): (f64, f64), y_of: &dyn Fn(f64) -> f64, role: Role) {
    use crate::model::quantity::Qualifier;
    let dir = match (v.q.hi, v.q.qualifier) {
        (Some(_), _) => {
            line(area, &[(x, y), (x, y_of(v.scaled.1))], role, 3);
            return;
        }
        (None, Some(Qualifier::Less | Qualifier::AtMost)) => 1.0,
        (None, Some(Qualifier::More)) => -1.0,
        _ => return,
    };
    let tip = y + dir * 16.0;
    line(area, &[(x, y), (x, tip)], role, 1);
    line(
        area,
        &[
            (x - 3.0, tip - dir * 4.0),
            (x, tip),
            (x + 3.0, tip - dir * 4.0),
        ],
        role,
        1,
    );
}

/// The name written at each line's end (with its last value where that is a bound or range),
/// by group index; lines without a name are left out.
/// Without `named`, only the last values that are bounds or ranges, without the lines' names.
fn end_names<'p, 'a>(
    points: &'p [Point<'a>],
    groups: &[&str],
    named: bool,
) -> Vec<(usize, String, &'p Point<'a>)> {
    groups
        .iter()
        .enumerate()
        .filter_map(|(gi, g)| {
            let last = points.iter().rev().find(|(c, _, _)| c.group == *g)?;
            let (_, _, v) = last;
            let bound = v.q.qualifier.is_some() || v.q.hi.is_some();
            let name = match (named, bound) {
                (true, true) => format!("{g} {}", v.table).trim().to_string(),
                (true, false) => g.to_string(),
                (false, true) => v.table.clone(),
                (false, false) => String::new(),
            };
            (!name.is_empty()).then_some((gi, name, last))
        })
        .collect()
}

/// Room for a leader line between a point and its nudged name.
const LEADER: f64 = 16.0;

/// The width of the column right of the plot that holds the lines' names and the references'
/// labels, or None where the longest name would take more than a third of the chart (the
/// legend names the lines then, and the references' labels are shortened to fit).
fn name_column(input: &Input, points: &[Point], groups: &[&str], l: &Layout) -> Option<f64> {
    let widest = end_names(points, groups, true)
        .iter()
        .map(|(_, n, _)| text_width(n, l.small))
        .fold(reference::caption_column(input, l), f64::max);
    if widest == 0.0 {
        return Some(0.0);
    }
    let w = widest + LEADER + 4.0;
    (w <= l.w as f64 * 0.34).then_some(w)
}

/// The column's width when the lines are not named there: room for the references' labels
/// and the last values that are bounds or ranges.
fn caption_only(input: &Input, points: &[Point], groups: &[&str], l: &Layout) -> f64 {
    end_names(points, groups, false)
        .iter()
        .map(|(_, n, _)| text_width(n, l.small) + LEADER + 4.0)
        .fold(reference::caption_column(input, l), f64::max)
}

/// Names each line at its last point, and each reference at the plot's right edge. Labels that
/// would touch are pushed apart (down, then back up from the plot's bottom), and a pushed label
/// is joined to its point by a leader line.
fn end_labels(
    area: &Area,
    f: &Frame,
    points: &[Point],
    groups: &[&str],
    y_of: &dyn Fn(f64) -> f64,
    (top, right): (f64, f64),
    captions: Vec<(f64, String)>,
) {
    let mut labels: Vec<(f64, f64, f64, String, Role)> = end_names(points, groups, f.direct)
        .into_iter()
        .map(|(gi, name, (_, t, v))| {
            let y = y_of(v.scaled.0);
            let role = Role::Series(gi as u8 % PALETTE);
            (f.xs.map(*t as f64), y, y, name, role)
        })
        .collect();
    // Reference labels, shortened to the column (the full text is in the mark's title).
    let width = f.l.w as f64 - right - LEADER - 4.0;
    labels.extend(
        captions
            .into_iter()
            .map(|(y, c)| (right, y, y, fit(&c, width, f.l.small), Role::Text)),
    );
    labels.sort_by(|a, b| a.1.total_cmp(&b.1));
    let gap = f.l.small * 1.25;
    for i in 1..labels.len() {
        let prev = labels[i - 1].2;
        if labels[i].2 - prev < gap {
            labels[i].2 = prev + gap;
        }
    }
    // Back up from the bottom where the pushing ran past it, never above the plot's top.
    let mut limit = f.bottom - f.l.small * 0.5;
    for label in labels.iter_mut().rev() {
        label.2 = label.2.min(limit).max(top);
        limit = label.2 - gap;
    }
    for (x, y0, y, name, role) in labels {
        let nudged = (y - y0).abs() > 1.5;
        let x_text = if nudged {
            // A leader from just right of the point to the name's middle.
            line(
                area,
                &[(x + 6.0, y0), (x + LEADER - 3.0, y)],
                Role::Muted,
                1,
            );
            x + LEADER
        } else {
            x + 8.0
        };
        text(
            area,
            &name,
            x_text,
            y,
            f.l.small,
            role,
            HPos::Left,
            VPos::Center,
        );
    }
}

fn legend(input: &Input, points: &[Point], groups: &[&str]) -> Vec<LegendItem> {
    // One line needs no legend: the title says what it is; lines named at their ends in both
    // variants need none either.
    let direct = [Variant::Wide, Variant::Narrow]
        .iter()
        .all(|v| name_column(input, points, groups, &v.layout()).is_some());
    let named: &[&str] = if groups.len() > 1 && !direct {
        groups
    } else {
        &[]
    };
    let mut legend: Vec<LegendItem> = named
        .iter()
        .enumerate()
        .map(|(i, g)| LegendItem {
            swatch: swatch(&format!("k-s{}", i as u8 % PALETTE), "line"),
            label: g.to_string(),
        })
        .collect();
    let kinds: Vec<SourceKind> = points.iter().map(|(c, _, _)| c.kind).collect();
    if kinds.contains(&SourceKind::Report) && kinds.iter().any(|k| *k != SourceKind::Report) {
        legend.push(LegendItem {
            swatch: swatch("f-text k-text", "dot"),
            label: input.strings.kind_report.clone(),
        });
        let label = if kinds.contains(&SourceKind::Derived) {
            &input.strings.kind_not_reported
        } else {
            &input.strings.kind_external
        };
        legend.push(LegendItem {
            swatch: swatch("f-surface k-text", "dot"),
            label: label.clone(),
        });
    }
    legend
}
