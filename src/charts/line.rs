//! Line charts: values over time, one line per group, linear or log scale (zero values in a
//! band of their own on log scales), month, quarter or year ticks, lines named at their ends.

use plotters::style::text_anchor::{HPos, VPos};

use crate::charts::LegendItem;
use crate::charts::axes::{Layout, Variant, axis_title, left_ticks};
use crate::charts::input::{Category, Input, Value};
use crate::charts::scale::{Scale, linear_domain};
use crate::charts::svg::{Area, PALETTE, Role, canvas, dot, line, mark, swatch, text};
use crate::charts::text::text_width;
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
    let positive: Vec<f64> = points
        .iter()
        .flat_map(|(_, _, v)| [v.scaled.0, v.scaled.1])
        .filter(|v| *v > 0.0)
        .collect();
    let vmin = positive.iter().copied().fold(f64::INFINITY, f64::min);
    let vmax = positive.iter().copied().fold(0.0, f64::max);
    let max_ticks = if variant == Variant::Wide { 8 } else { 5 };
    let (lo, hi) = input.domain(if log {
        let (lo, hi) = (
            10f64.powf(vmin.max(1e-300).log10().floor()),
            10f64.powf(vmax.max(1e-300).log10().ceil()),
        );
        (lo, if hi > lo { hi } else { lo * 10.0 })
    } else {
        linear_domain(
            points.iter().flat_map(|(_, _, v)| [v.scaled.0, v.scaled.1]),
            max_ticks.min(6),
            0.05,
        )
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
    let right = l.w as f64 - 14.0;
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
        xs,
        right,
        bottom: bottom + zero_band,
    };
    let body = canvas(l.w, h, id, |area| {
        axis_title(area, input, &l);
        left_ticks(area, input, &l, &ys, &ticks, (left, right));
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
        if variant == Variant::Wide {
            end_labels(area, &frame, &points, &groups, &y_of);
        }
    });
    (body, h, legend(input, &points, &groups))
}

/// The plot's horizontal frame: time scale and the edges of the plot.
struct Frame<'a> {
    l: &'a Layout,
    variant: Variant,
    xs: Scale,
    right: f64,
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
            dot(area, x, y, r, Role::Series(s), c.kind != SourceKind::Report)
        });
        // A bound or range is written by the point; on wide charts the last point's value joins
        // the line's name instead (see `end_labels`), so the two never collide.
        let named_at_end = f.variant == Variant::Wide && k == last;
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
            text(
                area,
                &v.table,
                x - 7.0,
                y,
                f.l.small,
                Role::Text,
                HPos::Right,
                VPos::Center,
            );
        }
    }
}

/// Names each line at its last point, pushing labels apart vertically so none overlap.
fn end_labels(
    area: &Area,
    f: &Frame,
    points: &[Point],
    groups: &[&str],
    y_of: &dyn Fn(f64) -> f64,
) {
    let mut labels: Vec<(f64, f64, String, u8)> = groups
        .iter()
        .enumerate()
        .filter_map(|(gi, g)| {
            let (_, t, v) = points.iter().rev().find(|(c, _, _)| c.group == *g)?;
            let name = if v.q.qualifier.is_some() || v.q.hi.is_some() {
                format!("{g} {}", v.table).trim().to_string()
            } else {
                g.to_string()
            };
            if name.is_empty() {
                return None;
            }
            Some((
                f.xs.map(*t as f64),
                y_of(v.scaled.0),
                name,
                gi as u8 % PALETTE,
            ))
        })
        .collect();
    labels.sort_by(|a, b| a.1.total_cmp(&b.1));
    let gap = f.l.small * 1.25;
    for i in 1..labels.len() {
        let prev = labels[i - 1].1;
        if labels[i].1 - prev < gap {
            labels[i].1 = prev + gap;
        }
    }
    for (x, y, name, s) in labels {
        let w = text_width(&name, f.l.small);
        let (x, hpos) = if x + 8.0 + w < f.right {
            (x + 8.0, HPos::Left)
        } else {
            (x - 8.0, HPos::Right)
        };
        text(
            area,
            &name,
            x,
            y,
            f.l.small,
            Role::Series(s),
            hpos,
            VPos::Center,
        );
    }
}

fn legend(input: &Input, points: &[Point], groups: &[&str]) -> Vec<LegendItem> {
    // One line needs no legend: the title says what it is.
    let named: &[&str] = if groups.len() > 1 { groups } else { &[] };
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
