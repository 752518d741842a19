//! Charts: YAML specs in `content/charts/<id>.yaml`, validated against the data, drawn per language
//! as SVG with plotters' SVG backend (no fonts needed: we lay text out ourselves). Colours are
//! drawn as sentinel values and mapped to CSS classes, so charts follow the light and dark themes
//! and print in black and white. Each chart comes in a wide and a narrow variant; CSS shows the one
//! that fits, so labels stay legible on a 360 px phone.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Deserialize;

use crate::config::{Localized, check_localized};
use crate::data::{DataSet, DataStore, FieldKind, Row, SourceKind, Value};
use crate::error::{Diagnostic, SourceFile};
use crate::i18n::{LanguagePack, Packs};
use crate::markdown::escape;
use crate::quantity::{Qualifier, Quantity, Style};
use crate::yaml::{self, Located};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    /// Values over time, one line per group; optional steps.
    Line,
    /// One value per category, vertical or horizontal.
    Bar,
    /// Several value fields per category, side by side.
    GroupedBar,
    /// Parts of a whole in one 100% bar.
    StackedShare,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ScaleKind {
    #[default]
    Linear,
    Log,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Orientation {
    #[default]
    Vertical,
    Horizontal,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AxisSpec {
    /// Value-axis title; the unit is added from the language pack.
    #[serde(default)]
    pub title: Option<Localized>,
    #[serde(default)]
    pub scale: ScaleKind,
    /// Log scales cannot show 0: zero values go to a band with this label ("免费" / "free").
    #[serde(default)]
    pub zero_label: Option<Localized>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesSpec {
    pub field: String,
    pub label: Localized,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnnotationKind {
    /// A bracket over the categories `from`..`to` with a text (e.g. the CAGR).
    Growth,
    /// A note printed under the chart title.
    Note,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Annotation {
    pub kind: AnnotationKind,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    pub text: Localized,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChartSpec {
    pub kind: ChartKind,
    pub data: String,
    pub title: Localized,
    /// Opening sentence of the text alternative; the values are listed after it.
    #[serde(default)]
    pub description: Option<Localized>,
    /// Rows to draw, in order (default: all rows with a value).
    #[serde(default)]
    pub rows: Option<Vec<String>>,
    /// Category or time field (year, date or text).
    #[serde(default)]
    pub x: Option<String>,
    /// The quantity field drawn (line, bar, stacked share).
    #[serde(default)]
    pub value: Option<String>,
    /// Grouped bars: the quantity fields drawn side by side.
    #[serde(default)]
    pub series: Vec<SeriesSpec>,
    /// Line charts: rows sharing this text field form one line.
    #[serde(default)]
    pub group: Option<String>,
    /// Text fields naming a category: the first on top, the others below in smaller type.
    #[serde(default)]
    pub label: Vec<String>,
    #[serde(default)]
    pub axis: AxisSpec,
    #[serde(default)]
    pub orientation: Orientation,
    /// Line charts: hold each value until the next one (prices, rates).
    #[serde(default)]
    pub step: bool,
    #[serde(default)]
    pub annotations: Vec<Annotation>,
    /// The caption line the report printed under its own (lost) version of this chart.
    #[serde(default)]
    pub original_source: Option<Localized>,
}

#[derive(Debug, Clone)]
pub struct Chart {
    pub id: String,
    pub spec: ChartSpec,
    pub file: SourceFile,
    pub loc: Located,
}

#[derive(Debug, Clone, Default)]
pub struct ChartStore {
    pub charts: BTreeMap<String, Chart>,
    /// Charts whose spec has errors (already reported).
    pub failed: std::collections::BTreeSet<String>,
}

/// Loads and validates every `content/charts/*.yaml` against the data.
pub fn load(
    root: &Path,
    data: &DataStore,
    packs: &Packs,
    languages: &[String],
    problems: &mut Vec<Diagnostic>,
) -> ChartStore {
    let mut store = ChartStore::default();
    for (id, file) in crate::data::read_yaml_dir(root, "content/charts", problems) {
        let (spec, loc) = match yaml::parse::<ChartSpec>(&file, &file.text, 0) {
            Ok(v) => v,
            Err(d) => {
                problems.push(d);
                store.failed.insert(id);
                continue;
            }
        };
        let chart = Chart {
            id: id.clone(),
            spec,
            file,
            loc,
        };
        let before = problems.len();
        validate(&chart, data, packs, languages, problems);
        if problems.len() == before {
            store.charts.insert(id, chart);
        } else {
            store.failed.insert(id);
        }
    }
    store
}

fn validate(
    chart: &Chart,
    data: &DataStore,
    packs: &Packs,
    languages: &[String],
    out: &mut Vec<Diagnostic>,
) {
    let spec = &chart.spec;
    let err =
        |path: &str, msg: String, help: String| chart.loc.error(&chart.file, path, msg).help(help);
    check_localized(
        &spec.title,
        "title",
        languages,
        &chart.loc,
        &chart.file,
        out,
    );
    if let Some(d) = &spec.description {
        check_localized(d, "description", languages, &chart.loc, &chart.file, out);
    }
    if let Some(d) = &spec.original_source {
        check_localized(
            d,
            "original_source",
            languages,
            &chart.loc,
            &chart.file,
            out,
        );
    }
    for (i, s) in spec.series.iter().enumerate() {
        check_localized(
            &s.label,
            &format!("series.{i}.label"),
            languages,
            &chart.loc,
            &chart.file,
            out,
        );
    }
    for (i, a) in spec.annotations.iter().enumerate() {
        check_localized(
            &a.text,
            &format!("annotations.{i}.text"),
            languages,
            &chart.loc,
            &chart.file,
            out,
        );
    }
    if data.failed.contains(&spec.data) {
        // Its own errors are reported; saying more here would only repeat them. The chart is
        // left out (its blocks stay quiet too).
        out.push(Diagnostic::error(
            &chart.file.path,
            crate::error::ALREADY_REPORTED,
        ));
        return;
    }
    let Some(set) = data.sets.get(&spec.data) else {
        out.push(err(
            "data",
            format!("unknown data file `{}`", spec.data),
            format!("data files: {}", crate::data::list_keys(&data.sets)),
        ));
        return;
    };
    let field_names = || set.field_names();
    // Each named field must exist and have a fitting type.
    let mut check_field = |path: &str, name: &str, allowed: &[FieldKind], what: &str| -> bool {
        match set.field(name) {
            None => {
                out.push(err(
                    path,
                    format!("data file `{}` has no field `{name}`", set.id),
                    format!("fields: {}", field_names()),
                ));
                false
            }
            Some(f) if !allowed.contains(&f.kind) => {
                let kind = format!("{:?}", f.kind).to_lowercase();
                out.push(err(
                    path,
                    format!("field `{name}` is {kind}, not {what}"),
                    format!(
                        "choose a field of type {}",
                        allowed
                            .iter()
                            .map(|k| format!("{k:?}").to_lowercase())
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ),
                ));
                false
            }
            Some(_) => true,
        }
    };
    let mut ok = true;
    let value_fields: Vec<(String, String)> = match spec.kind {
        ChartKind::GroupedBar => {
            if spec.series.len() < 2 {
                out.push(err("series", "a grouped bar chart needs at least two `series`".into(), "list the quantity fields to compare: `series: [{field: input, label: {…}}, {field: output, label: {…}}]`".into()));
                return;
            }
            spec.series
                .iter()
                .enumerate()
                .map(|(i, s)| (format!("series.{i}.field"), s.field.clone()))
                .collect()
        }
        _ => match &spec.value {
            Some(v) => vec![("value".to_string(), v.clone())],
            None => {
                out.push(err(
                    "kind",
                    "this chart has no `value` field".into(),
                    "name the quantity field to draw: `value: <field>`".into(),
                ));
                return;
            }
        },
    };
    for (path, f) in &value_fields {
        ok &= check_field(path, f, &[FieldKind::Quantity], "a number (quantity)");
    }
    if let Some(x) = &spec.x {
        ok &= check_field(
            "x",
            x,
            &[FieldKind::Year, FieldKind::Date, FieldKind::Text],
            "a category or time",
        );
    }
    if let Some(g) = &spec.group {
        ok &= check_field("group", g, &[FieldKind::Text], "text");
    }
    for (i, l) in spec.label.iter().enumerate() {
        ok &= check_field(
            &format!("label.{i}"),
            l,
            &[FieldKind::Text, FieldKind::Year, FieldKind::Date],
            "text, a year or a date",
        );
    }
    match spec.kind {
        ChartKind::Line if spec.x.is_none() => {
            out.push(err(
                "kind",
                "a line chart needs an `x` field (a year or date)".into(),
                "add `x: date`".into(),
            ));
            ok = false;
        }
        ChartKind::Line => {
            if let Some(f) = spec.x.as_deref().and_then(|x| set.field(x)) {
                if f.kind == FieldKind::Text {
                    out.push(err(
                        "x",
                        "a line chart's `x` must be a year or date field".into(),
                        "use a bar chart for text categories".into(),
                    ));
                    ok = false;
                }
            }
        }
        ChartKind::Bar | ChartKind::GroupedBar | ChartKind::StackedShare
            if spec.x.is_none() && spec.label.is_empty() =>
        {
            out.push(err(
                "kind",
                "this chart needs category names: `x` or `label`".into(),
                "e.g. `label: [vendor, model]` or `x: year`".into(),
            ));
            ok = false;
        }
        _ => {}
    }
    if !ok {
        return;
    }
    // Rows: named ones must exist.
    if let Some(ids) = &spec.rows {
        for (i, id) in ids.iter().enumerate() {
            if set.row(id).is_none() {
                out.push(err(
                    &format!("rows.{i}"),
                    format!("data file `{}` has no row `{id}`", set.id),
                    format!("rows: {}", set.row_ids()),
                ));
                ok = false;
            }
        }
    }
    if !ok {
        return;
    }
    let rows = chart_rows(&chart.spec, set);
    // Empty series, missing values (mismatched lengths), mixed units, log scale and zero.
    for (path, f) in &value_fields {
        let with_value: Vec<&Row> = rows
            .iter()
            .copied()
            .filter(|r| quantity(r, f).is_some())
            .collect();
        if with_value.is_empty() {
            out.push(err(
                path,
                format!(
                    "empty series: no selected row of `{}` has a value for `{f}`",
                    set.id
                ),
                "fill in the data, or choose rows that have values".into(),
            ));
            continue;
        }
        // Bars need a value for every category: either the rows the spec
        // lists, or (grouped bars without `rows:`) every row of the file.
        let listed = spec.kind != ChartKind::Line && spec.rows.is_some();
        let all_rows = spec.kind == ChartKind::GroupedBar && spec.rows.is_none();
        if (listed || all_rows) && with_value.len() != rows.len() {
            let missing: Vec<&str> = rows
                .iter()
                .filter(|r| quantity(r, f).is_none())
                .map(|r| r.id.as_str())
                .collect();
            let fix = if listed {
                "fill in the data or drop those rows"
            } else {
                "fill in the data or list `rows:`"
            };
            out.push(err(
                path,
                format!(
                    "mismatched lengths: `{f}` has {} values for {} categories (missing: {})",
                    with_value.len(),
                    rows.len(),
                    missing.join(", ")
                ),
                format!("every category needs a value in every series; {fix}"),
            ));
        }
        let mut units: Vec<&str> = with_value
            .iter()
            .filter_map(|r| set.unit_of(r, f))
            .collect();
        units.sort();
        units.dedup();
        if units.len() > 1 {
            out.push(err(
                path,
                format!("series `{f}` mixes units ({})", units.join(", ")),
                "a chart axis has one unit; choose rows with the same unit".into(),
            ));
        }
        for unit in &units {
            if packs.by_lang.values().any(|p| !p.units.contains_key(*unit)) {
                out.push(err(
                    path,
                    format!("unknown unit `{unit}`"),
                    "define it in templates/i18n/<lang>.yaml".into(),
                ));
            }
        }
        if spec.axis.scale == ScaleKind::Log {
            for r in &with_value {
                let q = quantity(r, f).unwrap_or(Quantity::exact(0.0));
                if q.lo < 0.0 || (q.lo == 0.0 && spec.axis.zero_label.is_none()) {
                    out.push(err(
                        "axis.scale",
                        format!("log scale cannot show {} (row `{}`)", q.lo, r.id),
                        "use a linear scale, or give `axis.zero_label` to show zero values in their own band".into(),
                    ));
                }
            }
        }
    }
    if spec.kind == ChartKind::Line {
        let x = spec.x.as_deref().unwrap_or_default();
        for r in &rows {
            if !matches!(r.values.get(x), Some(Value::Date(_) | Value::Year(_)))
                && quantity(r, &value_fields[0].1).is_some()
            {
                out.push(err(
                    "x",
                    format!("row `{}` has a value but no `{x}`", r.id),
                    "every point needs a date".into(),
                ));
            }
        }
    }
    for (i, a) in spec.annotations.iter().enumerate() {
        if a.kind == AnnotationKind::Growth {
            for (key, id) in [("from", &a.from), ("to", &a.to)] {
                match id {
                    Some(id) if rows.iter().any(|r| &r.id == id) => {}
                    Some(id) => out.push(err(
                        &format!("annotations.{i}.{key}"),
                        format!("`{id}` is not a category of this chart"),
                        "name a row id drawn in the chart".into(),
                    )),
                    None => out.push(err(
                        &format!("annotations.{i}"),
                        format!("a growth annotation needs `{key}`"),
                        "give the row ids it spans: `from: \"2022\"`, `to: \"2027\"`".into(),
                    )),
                }
            }
        }
    }
}

fn quantity(row: &Row, field: &str) -> Option<Quantity> {
    match row.values.get(field) {
        Some(Value::Quantity(q)) => Some(*q),
        _ => None,
    }
}

/// The rows a chart draws, in drawing order.
pub fn chart_rows<'a>(spec: &ChartSpec, set: &'a DataSet) -> Vec<&'a Row> {
    let fields: Vec<&str> = match spec.kind {
        ChartKind::GroupedBar => spec.series.iter().map(|s| s.field.as_str()).collect(),
        _ => spec.value.iter().map(String::as_str).collect(),
    };
    let mut rows: Vec<&Row> = match &spec.rows {
        Some(ids) => ids.iter().filter_map(|id| set.row(id)).collect(),
        None => set
            .rows
            .iter()
            .filter(|r| fields.iter().any(|f| quantity(r, f).is_some()))
            .collect(),
    };
    if spec.kind == ChartKind::Line {
        let x = spec.x.clone().unwrap_or_default();
        rows.sort_by_key(|r| time_key(r.values.get(&x)));
    }
    rows
}

/// The fields shown in the chart's data table (and CSV), in order.
pub fn table_fields(spec: &ChartSpec) -> Vec<String> {
    let mut cols = Vec::new();
    match spec.kind {
        ChartKind::Line => {
            cols.extend(spec.x.clone());
            cols.extend(spec.group.clone());
            cols.extend(
                spec.label
                    .iter()
                    .filter(|l| Some(*l) != spec.group.as_ref())
                    .cloned(),
            );
            cols.extend(spec.value.clone());
        }
        _ => {
            cols.extend(category_fields(spec));
            match spec.kind {
                ChartKind::GroupedBar => cols.extend(spec.series.iter().map(|s| s.field.clone())),
                _ => cols.extend(spec.value.clone()),
            }
        }
    }
    cols
}

/// Days since 1970-01-01 of a year (1 July) or a date (`YYYY-MM-DD`, `YYYY-MM` → 15th).
fn time_key(v: Option<&Value>) -> i64 {
    match v {
        Some(Value::Year(y)) => days_from_civil(*y as i64, 7, 1),
        Some(Value::Date(d)) => {
            let p: Vec<i64> = d.split('-').filter_map(|s| s.parse().ok()).collect();
            match p.as_slice() {
                [y] => days_from_civil(*y, 7, 1),
                [y, m] => days_from_civil(*y, *m, 15),
                [y, m, d, ..] => days_from_civil(*y, *m, *d),
                _ => 0,
            }
        }
        _ => 0,
    }
}

/// Howard Hinnant's days-from-civil.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A chart drawn for one language.
#[derive(Debug, Clone)]
pub struct Drawing {
    /// Two SVGs: wide (desktop) and narrow (phone).
    pub wide: String,
    pub narrow: String,
    pub legend: Vec<LegendItem>,
    /// Text alternative: what the chart shows, with its values.
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LegendItem {
    /// Swatch HTML (a tiny inline SVG using the chart classes).
    pub swatch: String,
    pub label: String,
}

/// Colour roles, drawn as sentinel RGB values and turned into CSS classes afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Text,
    Muted,
    Grid,
    Axis,
    Surface,
    Series(u8),
    Band(u8),
    Hatch(u8),
    /// Dashed outline: an upper bound ("<5%").
    Dash(u8),
}

impl Role {
    fn color(self) -> RGBColor {
        match self {
            Role::Text => RGBColor(1, 2, 1),
            Role::Muted => RGBColor(1, 2, 2),
            Role::Grid => RGBColor(1, 2, 3),
            Role::Axis => RGBColor(1, 2, 4),
            Role::Surface => RGBColor(1, 2, 5),
            Role::Series(i) => RGBColor(1, 3, i),
            Role::Band(i) => RGBColor(1, 4, i),
            Role::Hatch(i) => RGBColor(1, 5, i),
            Role::Dash(i) => RGBColor(1, 6, i),
        }
    }

    fn from_hex(hex: &str) -> Option<Role> {
        let b = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
        match (b(1)?, b(3)?, b(5)?) {
            (1, 2, 1) => Some(Role::Text),
            (1, 2, 2) => Some(Role::Muted),
            (1, 2, 3) => Some(Role::Grid),
            (1, 2, 4) => Some(Role::Axis),
            (1, 2, 5) => Some(Role::Surface),
            (1, 3, i) => Some(Role::Series(i)),
            (1, 4, i) => Some(Role::Band(i)),
            (1, 5, i) => Some(Role::Hatch(i)),
            (1, 6, i) => Some(Role::Dash(i)),
            _ => None,
        }
    }

    fn class(self) -> String {
        match self {
            Role::Text => "text".into(),
            Role::Muted => "muted".into(),
            Role::Grid => "grid".into(),
            Role::Axis => "axis".into(),
            Role::Surface => "surface".into(),
            Role::Series(i) => format!("s{i}"),
            Role::Band(i) => format!("b{i}"),
            Role::Hatch(i) => format!("h{i}"),
            Role::Dash(i) => format!("d{i}"),
        }
    }
}

/// Number of distinct series colours in the stylesheet.
pub const PALETTE: u8 = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    Wide,
    Narrow,
}

struct Layout {
    w: i32,
    font: f64,
    small: f64,
}

impl Variant {
    fn layout(self) -> Layout {
        match self {
            Variant::Wide => Layout {
                w: 720,
                font: 13.0,
                small: 11.5,
            },
            Variant::Narrow => Layout {
                w: 360,
                font: 12.0,
                small: 11.0,
            },
        }
    }

    fn name(self) -> &'static str {
        match self {
            Variant::Wide => "wide",
            Variant::Narrow => "narrow",
        }
    }
}

/// Width of a text in user units: CJK characters are one em, Latin letters about half.
pub fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| {
            if crate::error::is_wide(c) {
                1.0
            } else if c == ' ' {
                0.3
            } else if c.is_ascii_uppercase() || c == '%' || c == 'm' || c == 'w' {
                0.68
            } else if c.is_ascii_digit() {
                0.58
            } else if matches!(
                c,
                'i' | 'l' | 'j' | '.' | ',' | '\'' | '|' | '!' | ':' | ';'
            ) {
                0.3
            } else {
                0.53
            }
        })
        .sum::<f64>()
        * size
}

/// A linear or logarithmic mapping from values to pixels.
#[derive(Debug, Clone, Copy)]
struct Scale {
    lo: f64,
    hi: f64,
    log: bool,
    p0: f64,
    p1: f64,
}

impl Scale {
    fn map(&self, v: f64) -> f64 {
        let t = if self.log {
            (v.max(self.lo).ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        };
        self.p0 + t * (self.p1 - self.p0)
    }

    /// Tick values: nice numbers for linear scales, 1-2-5 steps for log scales.
    fn ticks(&self, max_ticks: usize) -> Vec<f64> {
        if self.log {
            let mut all = Vec::new();
            let mut e = self.lo.log10().floor() as i32;
            while 10f64.powi(e) <= self.hi * 1.0001 {
                for m in [1.0, 2.0, 5.0] {
                    let v = m * 10f64.powi(e);
                    if v >= self.lo * 0.9999 && v <= self.hi * 1.0001 {
                        all.push(v);
                    }
                }
                e += 1;
            }
            if all.len() > max_ticks {
                // Too many: keep the powers of ten, and the 5s when there is room for them.
                let keep_fives = max_ticks >= 6;
                all.retain(|v| {
                    let m = v / 10f64.powf(v.log10().floor());
                    (m - 1.0).abs() < 1e-9 || (keep_fives && (m - 5.0).abs() < 1e-9)
                });
            }
            all
        } else {
            let step = nice_step((self.hi - self.lo) / max_ticks.max(1) as f64);
            let mut v = (self.lo / step).ceil() * step;
            let mut out = Vec::new();
            while v <= self.hi + step * 1e-9 {
                out.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
                v += step;
            }
            out
        }
    }
}

fn nice_step(raw: f64) -> f64 {
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let e = raw.log10().floor();
    let base = 10f64.powf(e);
    let m = raw / base;
    let nice = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 2.5 {
        2.5
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * base
}

/// A nice upper bound for a linear axis starting at zero.
fn nice_max(v: f64, ticks: usize) -> f64 {
    let step = nice_step(v / ticks as f64);
    (v / step).ceil() * step
}

/// The pieces drawn for one language: resolved labels and values.
struct Prepared<'a> {
    lang: &'a str,
    pack: &'a LanguagePack,
    set: &'a DataSet,
    rows: Vec<&'a Row>,
    /// Unit format of the value axis (table scale).
    unit: Option<&'a crate::i18n::UnitFormat>,
    axis_title: String,
    expand: &'a dyn Fn(&str) -> String,
}

impl<'a> Prepared<'a> {
    /// The drawn rows that have a value in `field`, with it.
    fn values(&self, field: &str) -> Vec<(&'a Row, Quantity)> {
        self.rows
            .iter()
            .filter_map(|r| quantity(r, field).map(|q| (*r, q)))
            .collect()
    }

    fn label(&self, row: &Row, fields: &[String]) -> Vec<String> {
        fields
            .iter()
            .filter_map(|f| match row.values.get(f) {
                Some(Value::Text(t)) => Some(t.joined(self.lang)),
                Some(Value::Year(y)) => Some(y.to_string()),
                Some(Value::Date(d)) => Some(d.clone()),
                _ => None,
            })
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// The value in the axis's table scale.
    fn scaled(&self, q: &Quantity) -> (f64, f64) {
        match self.unit {
            Some(u) => q.scaled(u),
            None => (q.lo, q.hi.unwrap_or(q.lo)),
        }
    }

    fn value_text(&self, q: &Quantity) -> String {
        match self.unit {
            Some(u) => q.format(u, self.pack, Style::Table),
            None => self.pack.number(q.lo, 2),
        }
    }

    fn prose(&self, q: &Quantity, row: &Row, field: &str) -> String {
        match self
            .set
            .unit_of(row, field)
            .and_then(|u| self.pack.units.get(u))
        {
            Some(u) => q.format(u, self.pack, Style::Full),
            None => self.pack.number(q.lo, 2),
        }
    }
}

/// Draws a chart for `lang`. `uid` makes ids inside the SVGs unique on the page; `expand`
/// resolves `{{…}}` in annotation texts.
pub fn draw(
    chart: &Chart,
    data: &DataStore,
    packs: &Packs,
    lang: &str,
    uid: &str,
    expand: &dyn Fn(&str) -> String,
) -> Option<Drawing> {
    let spec = &chart.spec;
    let set = data.sets.get(&spec.data)?;
    let pack = packs.get(lang);
    let rows = chart_rows(spec, set);
    let value_field = match spec.kind {
        ChartKind::GroupedBar => spec.series.first().map(|s| s.field.clone())?,
        _ => spec.value.clone()?,
    };
    let unit_id = rows.iter().find_map(|r| set.unit_of(r, &value_field));
    let unit = unit_id.and_then(|u| pack.units.get(u));
    let mut axis_title = spec
        .axis
        .title
        .as_ref()
        .and_then(|t| t.get(lang))
        .cloned()
        .unwrap_or_default();
    if let Some(label) = unit.and_then(|u| u.table.label.as_ref()) {
        axis_title.push_str(&pack.string("with_unit").replace("{unit}", label));
    }
    if spec.axis.scale == ScaleKind::Log {
        axis_title.push_str(
            &pack
                .string("with_unit")
                .replace("{unit}", pack.string("log_scale")),
        );
    }
    let p = Prepared {
        lang,
        pack,
        set,
        rows,
        unit,
        axis_title,
        expand,
    };
    let mut title = spec.title.get(lang).cloned().unwrap_or_default();
    let mut summary = summary(spec, &p, &title);
    if pack.smart_punctuation {
        title = crate::content::smart_quotes(&title);
        summary = crate::content::smart_quotes(&summary);
    }
    let mut legend = Vec::new();
    let mut svgs = Vec::new();
    for variant in [Variant::Wide, Variant::Narrow] {
        let mut body = String::new();
        let (h, items) = match spec.kind {
            ChartKind::Bar if spec.orientation == Orientation::Horizontal => {
                draw_hbars(spec, &p, variant, &mut body)
            }
            ChartKind::Bar => draw_vbars(spec, &p, variant, &mut body),
            ChartKind::GroupedBar => draw_grouped(spec, &p, variant, &mut body),
            ChartKind::StackedShare => draw_stacked(spec, &p, variant, &mut body),
            ChartKind::Line => draw_line(spec, &p, variant, &mut body),
        };
        if variant == Variant::Wide {
            legend = items;
        }
        let id = format!("{uid}-{}", variant.name());
        svgs.push(finish_svg(
            &body,
            variant.layout().w,
            h,
            &id,
            &title,
            &summary,
            variant,
        ));
    }
    let narrow = svgs.pop()?;
    let wide = svgs.pop()?;
    Some(Drawing {
        wide,
        narrow,
        legend,
        summary,
    })
}

/// Runs plotters' SVG backend on a canvas of `w`×`h` and appends the elements to `out`.
fn canvas(
    w: i32,
    h: i32,
    out: &mut String,
    f: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>),
) {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (w as u32, h as u32)).into_drawing_area();
        f(&root);
        let _ = root.present();
    }
    // Keep the elements; the <svg> wrapper is written by finish_svg.
    let start = buf.find('>').map_or(0, |i| i + 1);
    let end = buf.rfind("</svg>").unwrap_or(buf.len());
    out.push_str(buf[start..end].trim());
}

fn font(size: f64, role: Role) -> TextStyle<'static> {
    // plotters' SVG backend divides the font size by 1.24.
    ("sans-serif", size * 1.24).into_font().color(&role.color())
}

// A drawing primitive: text, position, size, colour role and anchor are each needed.
#[allow(clippy::too_many_arguments)]
fn text(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    s: &str,
    x: f64,
    y: f64,
    size: f64,
    role: Role,
    h: HPos,
    v: VPos,
) {
    let style = font(size, role).pos(Pos::new(h, v));
    let _ = area.draw(&Text::new(
        s.to_string(),
        (x.round() as i32, y.round() as i32),
        style,
    ));
}

fn line(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    pts: &[(f64, f64)],
    role: Role,
    width: u32,
) {
    let pts: Vec<(i32, i32)> = pts
        .iter()
        .map(|(x, y)| (x.round() as i32, y.round() as i32))
        .collect();
    let _ = area.draw(&PathElement::new(
        pts,
        ShapeStyle {
            color: role.color().into(),
            filled: false,
            stroke_width: width,
        },
    ));
}

fn rect(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    fill: Role,
    stroke: Option<Role>,
) {
    let (a, b) = (
        (x0.min(x1).round() as i32, y0.min(y1).round() as i32),
        (x0.max(x1).round() as i32, y0.max(y1).round() as i32),
    );
    let _ = area.draw(&Rectangle::new([a, b], fill.color().filled()));
    if let Some(s) = stroke {
        let _ = area.draw(&Rectangle::new(
            [a, b],
            ShapeStyle {
                color: s.color().into(),
                filled: false,
                stroke_width: 1,
            },
        ));
    }
}

/// Bar fill for a value: solid (reported), hatched (derived), banded (outside source).
fn bar_roles(kind: SourceKind, series: u8) -> (Role, Option<Role>) {
    match kind {
        SourceKind::Report => (Role::Series(series), None),
        SourceKind::External => (Role::Band(series), Some(Role::Series(series))),
        SourceKind::Derived => (Role::Hatch(series), Some(Role::Series(series))),
    }
}

/// Draws one bar from `v0` to the value along the value scale, honouring ranges and bounds.
/// Returns the far end in pixels.
#[allow(clippy::too_many_arguments)]
fn value_bar(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    scale: &Scale,
    horizontal: bool,
    across0: f64,
    across1: f64,
    q: &Quantity,
    scaled: (f64, f64),
    kind: SourceKind,
    series: u8,
) -> f64 {
    let base = scale.map(if scale.log {
        scale.lo
    } else {
        0f64.max(scale.lo)
    });
    let (lo, hi) = scaled;
    let to_lo = scale.map(lo);
    let to_hi = scale.map(hi);
    let (fill, stroke) = bar_roles(kind, series);
    let draw = |a: f64, b: f64, fill: Role, stroke: Option<Role>| {
        if horizontal {
            rect(area, a, across0, b, across1, fill, stroke)
        } else {
            rect(area, across0, a, across1, b, fill, stroke)
        }
    };
    match q.qualifier {
        // An upper bound: the whole bar is uncertain, drawn light with an outline.
        Some(Qualifier::Less | Qualifier::AtMost) => {
            draw(base, to_lo, Role::Band(series), Some(Role::Dash(series)));
            to_lo
        }
        _ if q.hi.is_some() => {
            draw(base, to_lo, fill, stroke);
            draw(to_lo, to_hi, Role::Band(series), Some(Role::Series(series)));
            to_hi
        }
        _ => {
            draw(base, to_lo, fill, stroke);
            to_lo
        }
    }
}

fn legend_swatch(class: &str, shape: &str) -> String {
    match shape {
        "line" => format!(
            "<svg class=\"swatch\" viewBox=\"0 0 16 16\" aria-hidden=\"true\"><line class=\"{class}\" x1=\"1\" y1=\"8\" x2=\"15\" y2=\"8\"/></svg>"
        ),
        "dot" => format!(
            "<svg class=\"swatch\" viewBox=\"0 0 16 16\" aria-hidden=\"true\"><circle class=\"{class}\" cx=\"8\" cy=\"8\" r=\"4.5\"/></svg>"
        ),
        // Hatching drawn as lines: a pattern would need an id unique on the page.
        "hatch" => format!(
            "<svg class=\"swatch\" viewBox=\"0 0 16 16\" aria-hidden=\"true\"><rect class=\"f-surface {class}\" x=\"1.5\" y=\"3.5\" width=\"13\" height=\"9\"/><path class=\"{class}\" d=\"M2 11 6 4M6 12.5 11 4M10.5 12.5 14 6.5\"/></svg>"
        ),
        _ => format!(
            "<svg class=\"swatch\" viewBox=\"0 0 16 16\" aria-hidden=\"true\"><rect class=\"{class}\" x=\"1.5\" y=\"3.5\" width=\"13\" height=\"9\"/></svg>"
        ),
    }
}

/// Legend entries for the provenance styles that occur (bars). Swatches are grey, so they never
/// read as a data series.
fn provenance_legend(p: &Prepared, rows: &[(&Row, Quantity)]) -> Vec<LegendItem> {
    let mut items = Vec::new();
    let kinds: Vec<SourceKind> = rows.iter().map(|(r, _)| p.set.kind_of(r)).collect();
    let has = |k: SourceKind| kinds.contains(&k);
    let several = [
        SourceKind::Report,
        SourceKind::External,
        SourceKind::Derived,
    ]
    .iter()
    .filter(|k| has(**k))
    .count()
        > 1;
    if several || !has(SourceKind::Report) {
        for k in [
            SourceKind::Report,
            SourceKind::External,
            SourceKind::Derived,
        ] {
            if has(k) {
                let swatch = match k {
                    SourceKind::Report => legend_swatch("f-muted", "bar"),
                    SourceKind::External => legend_swatch("f-bn k-muted", "bar"),
                    SourceKind::Derived => legend_swatch("k-muted", "hatch"),
                };
                items.push(LegendItem {
                    swatch,
                    label: p.pack.string(k.label_key()).to_string(),
                });
            }
        }
    }
    if rows.iter().any(|(_, q)| q.hi.is_some()) {
        items.push(LegendItem {
            swatch: legend_swatch("f-bn k-muted", "bar"),
            label: p.pack.string("legend_range").to_string(),
        });
    }
    if rows
        .iter()
        .any(|(_, q)| matches!(q.qualifier, Some(Qualifier::Less | Qualifier::AtMost)))
    {
        items.push(LegendItem {
            swatch: legend_swatch("f-bn k-dn", "bar"),
            label: p.pack.string("legend_upper_bound").to_string(),
        });
    }
    items
}

fn draw_vbars(
    spec: &ChartSpec,
    p: &Prepared,
    variant: Variant,
    out: &mut String,
) -> (i32, Vec<LegendItem>) {
    let l = variant.layout();
    let field = spec.value.clone().unwrap_or_default();
    let cat_fields = category_fields(spec);
    let rows = p.values(&field);
    let growth: Vec<&Annotation> = spec
        .annotations
        .iter()
        .filter(|a| a.kind == AnnotationKind::Growth)
        .collect();
    let h = if variant == Variant::Wide { 380 } else { 300 };
    let top = 28.0 + if growth.is_empty() { 0.0 } else { l.font * 2.6 };
    let max = rows.iter().map(|(_, q)| p.scaled(q).1).fold(0.0, f64::max);
    let ticks_n = if variant == Variant::Wide { 5 } else { 4 };
    let ymax = nice_max(max * 1.08, ticks_n);
    let scale_probe = Scale {
        lo: 0.0,
        hi: ymax,
        log: false,
        p0: 0.0,
        p1: 1.0,
    };
    let ticks = scale_probe.ticks(ticks_n);
    let tick_w = ticks
        .iter()
        .map(|t| text_width(&p.pack.number(*t, 2), l.small))
        .fold(0.0, f64::max);
    let left = tick_w + 10.0;
    let right = l.w as f64 - 8.0;
    let bottom = h as f64 - 8.0 - l.font * 1.6 * cat_fields.len().max(1) as f64;
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
    canvas(l.w, h, out, |area| {
        axis_title(area, p, &l);
        left_ticks(area, p, &l, &scale, &ticks, (left, right));
        for (i, (row, q)) in rows.iter().enumerate() {
            let cx = left + band * (i as f64 + 0.5);
            let kind = p.set.kind_of(row);
            let end = value_bar(
                area,
                &scale,
                false,
                cx - bar_w / 2.0,
                cx + bar_w / 2.0,
                q,
                p.scaled(q),
                kind,
                0,
            );
            let role = if kind == SourceKind::Report {
                Role::Text
            } else {
                Role::Muted
            };
            text(
                area,
                &p.value_text(q),
                cx,
                end - 4.0,
                l.small,
                role,
                HPos::Center,
                VPos::Bottom,
            );
            for (j, s) in p.label(row, &cat_fields).iter().enumerate() {
                let size = if j == 0 { l.font } else { l.small };
                text(
                    area,
                    &fit(s, band - 4.0, size),
                    cx,
                    bottom + 6.0 + j as f64 * l.font * 1.4,
                    size,
                    if j == 0 { Role::Text } else { Role::Muted },
                    HPos::Center,
                    VPos::Top,
                );
            }
        }
        for a in &growth {
            let pos =
                |id: &Option<String>| rows.iter().position(|(r, _)| Some(&r.id) == id.as_ref());
            if let (Some(i), Some(j)) = (pos(&a.from), pos(&a.to)) {
                let x0 = left + band * (i as f64 + 0.5);
                let x1 = left + band * (j as f64 + 0.5);
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
                let t = (p.expand)(a.text.get(p.lang).map(String::as_str).unwrap_or(""));
                let mid = (x0 + x1) / 2.0;
                let tw = text_width(&t, l.font) + 12.0;
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
                    &t,
                    mid,
                    y,
                    l.font,
                    Role::Text,
                    HPos::Center,
                    VPos::Center,
                );
            }
        }
    });
    (h, provenance_legend(p, &rows))
}

/// The fields naming a chart's categories: its `label` fields, else its `x` field.
fn category_fields(spec: &ChartSpec) -> Vec<String> {
    if spec.label.is_empty() {
        spec.x.iter().cloned().collect()
    } else {
        spec.label.clone()
    }
}

/// The value axis's title, top left (with its unit and scale).
fn axis_title(area: &DrawingArea<SVGBackend, plotters::coord::Shift>, p: &Prepared, l: &Layout) {
    text(
        area,
        &p.axis_title,
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
fn left_ticks(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    p: &Prepared,
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
            &p.pack.number(*t, 2),
            left - 6.0,
            y,
            l.small,
            Role::Muted,
            HPos::Right,
            VPos::Center,
        );
    }
}

/// A horizontal value axis: a grid line per tick across `(top, bottom)`, its label below.
fn bottom_ticks(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    p: &Prepared,
    l: &Layout,
    scale: &Scale,
    ticks: &[f64],
    (top, bottom): (f64, f64),
) {
    for t in ticks {
        let x = scale.map(*t);
        let role = if *t == 0.0 { Role::Axis } else { Role::Grid };
        line(area, &[(x, top), (x, bottom)], role, 1);
        text(
            area,
            &p.pack.number(*t, 2),
            x,
            bottom + 5.0,
            l.small,
            Role::Muted,
            HPos::Center,
            VPos::Top,
        );
    }
}

/// A category's name, right-aligned before its bars: the first line in the body size, the
/// others (sub-labels) smaller and muted, centred on `cy`.
fn category_label(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    l: &Layout,
    label: &[String],
    label_w: f64,
    cy: f64,
) {
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

/// Shortens a label with an ellipsis to fit `width`.
fn fit(s: &str, width: f64, size: f64) -> String {
    if text_width(s, size) <= width {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        if text_width(&format!("{out}{c}…"), size) > width {
            break;
        }
        out.push(c);
    }
    format!("{out}…")
}

/// Category labels on the left of horizontal bars: (lines, label area width).
fn hlabels(p: &Prepared, rows: &[&Row], fields: &[String], l: &Layout) -> (Vec<Vec<String>>, f64) {
    let labels: Vec<Vec<String>> = rows.iter().map(|r| p.label(r, fields)).collect();
    let max_w = l.w as f64 * 0.42;
    let w = labels
        .iter()
        .flat_map(|ls| {
            ls.iter()
                .enumerate()
                .map(|(j, s)| text_width(s, if j == 0 { l.font } else { l.small }))
        })
        .fold(0.0, f64::max)
        .min(max_w);
    (labels, w + 10.0)
}

fn draw_hbars(
    spec: &ChartSpec,
    p: &Prepared,
    variant: Variant,
    out: &mut String,
) -> (i32, Vec<LegendItem>) {
    let l = variant.layout();
    let field = spec.value.clone().unwrap_or_default();
    let cat_fields = category_fields(spec);
    let rows = p.values(&field);
    let row_refs: Vec<&Row> = rows.iter().map(|(r, _)| *r).collect();
    let (labels, label_w) = hlabels(p, &row_refs, &cat_fields, &l);
    let lines = cat_fields.len().max(1) as f64;
    let band = (l.font * 1.5 * lines + 14.0).max(34.0);
    let top = 26.0;
    let axis_h = l.small * 2.0;
    let h = (top + band * rows.len() as f64 + axis_h + 6.0).round() as i32;
    let max = rows.iter().map(|(_, q)| p.scaled(q).1).fold(0.0, f64::max);
    let value_w = rows
        .iter()
        .map(|(_, q)| text_width(&p.value_text(q), l.small))
        .fold(0.0, f64::max)
        + 8.0;
    let left = label_w;
    let right = l.w as f64 - value_w - 4.0;
    let ticks_n = if variant == Variant::Wide { 5 } else { 3 };
    let xmax = nice_max(max, ticks_n);
    let scale = Scale {
        lo: 0.0,
        hi: xmax,
        log: false,
        p0: left,
        p1: right,
    };
    let bottom = top + band * rows.len() as f64;
    canvas(l.w, h, out, |area| {
        axis_title(area, p, &l);
        bottom_ticks(area, p, &l, &scale, &scale.ticks(ticks_n), (top, bottom));
        for (i, ((row, q), label)) in rows.iter().zip(&labels).enumerate() {
            let y0 = top + band * i as f64;
            let cy = y0 + band / 2.0;
            let bar_h = (band * 0.5).min(22.0);
            let kind = p.set.kind_of(row);
            let end = value_bar(
                area,
                &scale,
                true,
                cy - bar_h / 2.0,
                cy + bar_h / 2.0,
                q,
                p.scaled(q),
                kind,
                0,
            );
            text(
                area,
                &p.value_text(q),
                end + 5.0,
                cy,
                l.small,
                Role::Text,
                HPos::Left,
                VPos::Center,
            );
            category_label(area, &l, label, label_w, cy);
        }
    });
    (h, provenance_legend(p, &rows))
}

fn draw_grouped(
    spec: &ChartSpec,
    p: &Prepared,
    variant: Variant,
    out: &mut String,
) -> (i32, Vec<LegendItem>) {
    let l = variant.layout();
    let cat_fields = category_fields(spec);
    let (labels, label_w) = hlabels(p, &p.rows, &cat_fields, &l);
    let k = spec.series.len() as f64;
    let bar_h = if variant == Variant::Wide { 13.0 } else { 12.0 };
    let lines = cat_fields.len().max(1) as f64;
    let band = (bar_h * k + 16.0).max(l.font * 1.35 * lines + 12.0);
    let top = 26.0;
    let axis_h = l.small * 2.0;
    let h = (top + band * p.rows.len() as f64 + axis_h + 6.0).round() as i32;
    let mut max: f64 = 0.0;
    let mut value_w: f64 = 0.0;
    for r in &p.rows {
        for s in &spec.series {
            if let Some(q) = quantity(r, &s.field) {
                max = max.max(p.scaled(&q).1);
                value_w = value_w.max(text_width(&p.value_text(&q), l.small));
            }
        }
    }
    let left = label_w;
    let right = l.w as f64 - value_w - 12.0;
    let ticks_n = if variant == Variant::Wide { 5 } else { 3 };
    let scale = Scale {
        lo: 0.0,
        hi: nice_max(max, ticks_n),
        log: false,
        p0: left,
        p1: right,
    };
    let bottom = top + band * p.rows.len() as f64;
    let mut all: Vec<(&Row, Quantity)> = Vec::new();
    canvas(l.w, h, out, |area| {
        axis_title(area, p, &l);
        bottom_ticks(area, p, &l, &scale, &scale.ticks(ticks_n), (top, bottom));
        for (i, (row, label)) in p.rows.iter().zip(&labels).enumerate() {
            let y0 = top + band * i as f64;
            let cy = y0 + band / 2.0;
            let group_top = cy - bar_h * k / 2.0;
            for (si, s) in spec.series.iter().enumerate() {
                let Some(q) = quantity(row, &s.field) else {
                    continue;
                };
                all.push((row, q));
                let a0 = group_top + bar_h * si as f64 + 1.0;
                let end = value_bar(
                    area,
                    &scale,
                    true,
                    a0,
                    a0 + bar_h - 2.0,
                    &q,
                    p.scaled(&q),
                    p.set.kind_of(row),
                    si as u8 % PALETTE,
                );
                text(
                    area,
                    &p.value_text(&q),
                    end + 4.0,
                    a0 + (bar_h - 2.0) / 2.0,
                    l.small,
                    Role::Text,
                    HPos::Left,
                    VPos::Center,
                );
            }
            category_label(area, &l, label, label_w, cy);
            if i + 1 < p.rows.len() {
                line(area, &[(0.0, y0 + band), (left, y0 + band)], Role::Grid, 1);
            }
        }
    });
    let mut legend: Vec<LegendItem> = spec
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| LegendItem {
            swatch: legend_swatch(&format!("f-s{}", i as u8 % PALETTE), "bar"),
            label: s.label.get(p.lang).cloned().unwrap_or_default(),
        })
        .collect();
    legend.extend(provenance_legend(p, &all).into_iter().filter(|_| {
        all.iter()
            .any(|(r, _)| p.set.kind_of(r) != SourceKind::Report)
    }));
    (h, legend)
}

fn draw_stacked(
    spec: &ChartSpec,
    p: &Prepared,
    variant: Variant,
    out: &mut String,
) -> (i32, Vec<LegendItem>) {
    let l = variant.layout();
    let field = spec.value.clone().unwrap_or_default();
    let cat_fields = category_fields(spec);
    let rows = p.values(&field);
    let total: f64 = rows
        .iter()
        .map(|(_, q)| p.scaled(q).0.max(0.0) + (p.scaled(q).1 - p.scaled(q).0) / 2.0)
        .sum();
    let top = 10.0;
    let bar_h = if variant == Variant::Wide { 44.0 } else { 40.0 };
    let label_lines = 2.0;
    let h = (top + bar_h + 10.0 + l.font * 1.4 * label_lines + 8.0).round() as i32;
    let left = 2.0;
    let right = l.w as f64 - 2.0;
    let scale = Scale {
        lo: 0.0,
        hi: total.max(1e-9),
        log: false,
        p0: left,
        p1: right,
    };
    canvas(l.w, h, out, |area| {
        let mut acc = 0.0;
        for (i, (row, q)) in rows.iter().enumerate() {
            let (lo, hi) = p.scaled(q);
            let v = lo + (hi - lo) / 2.0;
            let x0 = scale.map(acc);
            let x1 = scale.map(acc + v);
            let s = i as u8 % PALETTE;
            let kind = p.set.kind_of(row);
            let (fill, stroke) = if q.qualifier.is_some() || q.hi.is_some() {
                (Role::Band(s), Some(Role::Series(s)))
            } else {
                bar_roles(kind, s)
            };
            rect(area, x0, top, x1 - 1.0, top + bar_h, fill, stroke);
            let value = p.prose(q, row, &field);
            let name = p.label(row, &cat_fields).join(" · ");
            let mid = (x0 + x1) / 2.0;
            let inside = text_width(&value, l.font) + 8.0 < x1 - x0;
            if inside && fill == Role::Series(s) {
                text(
                    area,
                    &value,
                    mid,
                    top + bar_h / 2.0,
                    l.font,
                    Role::Surface,
                    HPos::Center,
                    VPos::Center,
                );
            } else if inside {
                text(
                    area,
                    &value,
                    mid,
                    top + bar_h / 2.0,
                    l.font,
                    Role::Text,
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
            text(
                area,
                &fit(&name, name_w, l.font),
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
                    &value,
                    x,
                    top + bar_h + 8.0 + l.font * 1.4,
                    l.small,
                    Role::Muted,
                    hpos,
                    VPos::Top,
                );
            }
            acc += v;
        }
    });
    let legend = rows
        .iter()
        .enumerate()
        .map(|(i, (row, q))| LegendItem {
            swatch: legend_swatch(&format!("f-s{}", i as u8 % PALETTE), "bar"),
            label: format!(
                "{} {}",
                p.label(row, &cat_fields).join(" · "),
                p.prose(q, row, &field)
            ),
        })
        .collect();
    (h, legend)
}

fn draw_line(
    spec: &ChartSpec,
    p: &Prepared,
    variant: Variant,
    out: &mut String,
) -> (i32, Vec<LegendItem>) {
    let l = variant.layout();
    let field = spec.value.clone().unwrap_or_default();
    let x_field = spec.x.clone().unwrap_or_default();
    let points: Vec<(&Row, i64, Quantity)> = p
        .rows
        .iter()
        .filter_map(|r| quantity(r, &field).map(|q| (*r, time_key(r.values.get(&x_field)), q)))
        .collect();
    // Series: by group field, in order of first appearance.
    let mut groups: Vec<String> = Vec::new();
    let group_of = |r: &Row| -> String {
        spec.group
            .as_ref()
            .map(|g| p.label(r, std::slice::from_ref(g)).join(" "))
            .unwrap_or_default()
    };
    for (r, _, _) in &points {
        let g = group_of(r);
        if !groups.contains(&g) {
            groups.push(g);
        }
    }
    let h = if variant == Variant::Wide { 400 } else { 320 };
    let log = spec.axis.scale == ScaleKind::Log;
    let zero_label = spec
        .axis
        .zero_label
        .as_ref()
        .and_then(|z| z.get(p.lang))
        .cloned();
    let has_zero = points.iter().any(|(_, _, q)| q.lo == 0.0);
    let positive: Vec<f64> = points
        .iter()
        .flat_map(|(_, _, q)| [p.scaled(q).0, p.scaled(q).1])
        .filter(|v| *v > 0.0)
        .collect();
    let vmin = positive.iter().copied().fold(f64::INFINITY, f64::min);
    let vmax = positive.iter().copied().fold(0.0, f64::max);
    let (lo, hi) = if log {
        (
            10f64.powf((vmin.max(1e-12)).log10().floor()),
            10f64.powf(vmax.max(1e-12).log10().ceil()),
        )
    } else {
        (0.0, nice_max(vmax * 1.05, 5))
    };
    let top = 28.0;
    let zero_band = if log && has_zero { l.font * 2.2 } else { 0.0 };
    let bottom = h as f64 - l.small * 2.4 - zero_band;
    let probe = Scale {
        lo,
        hi,
        log,
        p0: 0.0,
        p1: 1.0,
    };
    let max_ticks = if variant == Variant::Wide { 8 } else { 5 };
    let ticks = probe.ticks(max_ticks);
    let mut tick_w = ticks
        .iter()
        .map(|t| text_width(&p.pack.number(*t, 2), l.small))
        .fold(0.0, f64::max);
    if let Some(z) = &zero_label {
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
    let pad = ((tmax - tmin) as f64 * 0.04).max(10.0);
    let xs = Scale {
        lo: tmin as f64 - pad,
        hi: tmax as f64 + pad,
        log: false,
        p0: left,
        p1: right,
    };
    let zero_y = bottom + zero_band * 0.6;
    let y_of = |v: f64| if log && v <= 0.0 { zero_y } else { ys.map(v) };
    canvas(l.w, h, out, |area| {
        axis_title(area, p, &l);
        left_ticks(area, p, &l, &ys, &ticks, (left, right));
        if let (true, Some(z)) = (log && has_zero, &zero_label) {
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
            &[(left, bottom + zero_band), (right, bottom + zero_band)],
            Role::Axis,
            1,
        );
        // Time ticks: months, quarters or years, whichever gives a readable number of labels.
        let span_months = ((tmax - tmin) as f64 / 30.4).max(1.0);
        let max_labels = if variant == Variant::Wide { 9.0 } else { 4.0 };
        let step = [1, 2, 3, 6, 12, 24]
            .into_iter()
            .find(|s| span_months / *s as f64 <= max_labels)
            .unwrap_or(24);
        let (y0, m0, _) = civil_from_days(xs.lo as i64);
        let mut y = y0;
        let mut m = m0 + 1;
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
            if d as f64 > xs.hi {
                break;
            }
            let x = xs.map(d as f64);
            line(
                area,
                &[(x, bottom + zero_band), (x, bottom + zero_band + 4.0)],
                Role::Axis,
                1,
            );
            let label = month_label(p.pack, y, m);
            text(
                area,
                &label,
                x,
                bottom + zero_band + 6.0,
                l.small,
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
        for (gi, g) in groups.iter().enumerate() {
            let s = gi as u8 % PALETTE;
            let pts: Vec<&(&Row, i64, Quantity)> = points
                .iter()
                .filter(|(r, _, _)| &group_of(r) == g)
                .collect();
            let mut path: Vec<(f64, f64)> = Vec::new();
            for (_, t, q) in &pts {
                let x = xs.map(*t as f64);
                let y = y_of(p.scaled(q).0);
                if spec.step {
                    if let Some(&(_, py)) = path.last() {
                        path.push((x, py));
                    }
                }
                path.push((x, y));
            }
            if path.len() > 1 {
                line(area, &path, Role::Series(s), 2);
            }
            let last = pts.len().saturating_sub(1);
            for (k, (row, t, q)) in pts.iter().enumerate() {
                let x = xs.map(*t as f64);
                let y = y_of(p.scaled(q).0);
                let r = if variant == Variant::Wide {
                    4
                } else {
                    3.5 as i32
                };
                let style = match p.set.kind_of(row) {
                    SourceKind::Report => ShapeStyle {
                        color: Role::Series(s).color().into(),
                        filled: true,
                        stroke_width: 1,
                    },
                    _ => ShapeStyle {
                        color: Role::Surface.color().into(),
                        filled: true,
                        stroke_width: 1,
                    },
                };
                let (xi, yi) = (x.round() as i32, y.round() as i32);
                let _ = area.draw(&Circle::new((xi, yi), r, style));
                let _ = area.draw(&Circle::new(
                    (xi, yi),
                    r,
                    ShapeStyle {
                        color: Role::Series(s).color().into(),
                        filled: false,
                        stroke_width: 2,
                    },
                ));
                // A bound or range is written by the point; on wide charts the last point's
                // value joins the line's name instead (see below), so the two never collide.
                let named_at_end = variant == Variant::Wide && k == last;
                if (q.qualifier.is_some() || q.hi.is_some()) && !named_at_end {
                    text(
                        area,
                        &p.value_text(q),
                        x - 7.0,
                        y,
                        l.small,
                        Role::Text,
                        HPos::Right,
                        VPos::Center,
                    );
                }
            }
        }
        // Name each line at its last point (wide charts; phones rely on the legend), pushing
        // labels apart vertically so none overlap.
        if variant == Variant::Wide {
            let mut labels: Vec<(f64, f64, String, u8)> = groups
                .iter()
                .enumerate()
                .filter_map(|(gi, g)| {
                    let (_, t, q) = points.iter().rev().find(|(r, _, _)| &group_of(r) == g)?;
                    let name = if q.qualifier.is_some() || q.hi.is_some() {
                        format!("{g} {}", p.value_text(q))
                    } else {
                        g.clone()
                    };
                    Some((
                        xs.map(*t as f64),
                        y_of(p.scaled(q).0),
                        name,
                        gi as u8 % PALETTE,
                    ))
                })
                .collect();
            labels.sort_by(|a, b| a.1.total_cmp(&b.1));
            let gap = l.small * 1.25;
            for i in 1..labels.len() {
                let prev = labels[i - 1].1;
                if labels[i].1 - prev < gap {
                    labels[i].1 = prev + gap;
                }
            }
            for (x, y, name, s) in labels {
                let w = text_width(&name, l.small);
                let (x, hpos) = if x + 8.0 + w < right {
                    (x + 8.0, HPos::Left)
                } else {
                    (x - 8.0, HPos::Right)
                };
                text(
                    area,
                    &name,
                    x,
                    y,
                    l.small,
                    Role::Series(s),
                    hpos,
                    VPos::Center,
                );
            }
        }
    });
    let mut legend: Vec<LegendItem> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| LegendItem {
            swatch: legend_swatch(&format!("k-s{}", i as u8 % PALETTE), "line"),
            label: g.clone(),
        })
        .collect();
    let kinds: Vec<SourceKind> = points.iter().map(|(r, _, _)| p.set.kind_of(r)).collect();
    if kinds.contains(&SourceKind::Report) && kinds.iter().any(|k| *k != SourceKind::Report) {
        legend.push(LegendItem {
            swatch: legend_swatch("f-text k-text", "dot"),
            label: p.pack.string("kind_report").to_string(),
        });
        let label = if kinds.contains(&SourceKind::Derived) {
            "kind_not_reported"
        } else {
            "kind_external"
        };
        legend.push(LegendItem {
            swatch: legend_swatch("f-surface k-text", "dot"),
            label: p.pack.string(label).to_string(),
        });
    }
    (h, legend)
}

fn month_label(pack: &LanguagePack, y: i64, m: i64) -> String {
    let names: Vec<&str> = pack
        .string("month_names")
        .split(',')
        .map(str::trim)
        .collect();
    pack.string("date_month")
        .replace("{y}", &y.to_string())
        .replace("{m}", &m.to_string())
        .replace("{mon}", names.get((m - 1) as usize).copied().unwrap_or(""))
}

/// The text alternative: the chart's description (if any), then its values in reading order.
fn summary(spec: &ChartSpec, p: &Prepared, title: &str) -> String {
    let mut s = spec
        .description
        .as_ref()
        .and_then(|d| d.get(p.lang))
        .map(|d| (p.expand)(d))
        .unwrap_or_else(|| title.to_string());
    let sep = p.pack.string("list_separator");
    let colon = p.pack.string("colon");
    let cat_fields: Vec<String> = match spec.kind {
        ChartKind::Line => spec.x.iter().chain(spec.group.iter()).cloned().collect(),
        _ => category_fields(spec),
    };
    let fields: Vec<(String, Option<String>)> = match spec.kind {
        ChartKind::GroupedBar => spec
            .series
            .iter()
            .map(|x| (x.field.clone(), x.label.get(p.lang).cloned()))
            .collect(),
        _ => spec.value.iter().map(|v| (v.clone(), None)).collect(),
    };
    let mut items = Vec::new();
    for row in &p.rows {
        let name = p.label(row, &cat_fields).join(" ");
        let mut vals = Vec::new();
        for (f, label) in &fields {
            if let Some(q) = quantity(row, f) {
                let v = p.prose(&q, row, f);
                vals.push(match label {
                    Some(l) => format!("{l} {v}"),
                    None => v,
                });
            }
        }
        let kind = match p.set.kind_of(row) {
            SourceKind::Report => String::new(),
            k => format!(" ({})", p.pack.string(k.label_key())),
        };
        items.push(format!("{name}{colon}{}{kind}", vals.join(", ")));
    }
    let _ = write!(s, "{}{}", p.pack.string("summary_lead"), items.join(sep));
    s
}

/// Wraps plotters' elements in an accessible, themeable SVG: viewBox without fixed size,
/// `<title>`/`<desc>`, hatch patterns, colours as classes.
fn finish_svg(
    body: &str,
    w: i32,
    h: i32,
    id: &str,
    title: &str,
    desc: &str,
    variant: Variant,
) -> String {
    let mut svg = format!(
        "<svg class=\"chart-svg chart-{}\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" focusable=\"false\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc><defs>",
        variant.name(),
        escape(title),
        escape(desc)
    );
    for i in 0..PALETTE {
        let _ = write!(
            svg,
            "<pattern id=\"{id}-h{i}\" class=\"hatch h{i}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect class=\"hatch-bg\" width=\"6\" height=\"6\"/><line class=\"hatch-line\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\"/></pattern>"
        );
    }
    svg.push_str("</defs>");
    svg.push_str(&themeify(body, id));
    svg.push_str("</svg>");
    svg
}

/// Replaces sentinel `fill`/`stroke` colours with classes (`f-s0`, `k-grid`) and drops attributes
/// the stylesheet sets (font-family, opacity="1"). Hatched fills point at this SVG's patterns.
fn themeify(body: &str, id: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let tag = &rest[start..start + end + 1];
        out.push_str(&rewrite_tag(tag, id));
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

fn rewrite_tag(tag: &str, id: &str) -> String {
    if tag.starts_with("</") {
        return tag.to_string();
    }
    let self_closing = tag.ends_with("/>");
    let inner = tag
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim_end_matches('/');
    let mut parts = inner.splitn(2, ' ');
    let name = parts.next().unwrap_or("");
    let attrs = parts.next().unwrap_or("");
    let mut classes: Vec<String> = Vec::new();
    let mut kept = Vec::new();
    let mut hatch = None;
    for (k, v) in parse_attrs(attrs) {
        match k {
            "fill" | "stroke" => match Role::from_hex(v) {
                Some(role) => {
                    let prefix = if k == "fill" { "f" } else { "k" };
                    classes.push(format!("{prefix}-{}", role.class()));
                    if let (Role::Hatch(i), "fill") = (role, k) {
                        hatch = Some(i);
                    }
                }
                None => kept.push(format!("{k}=\"{v}\"")),
            },
            "font-family" => {}
            "opacity" if v == "1" => {}
            _ => kept.push(format!("{k}=\"{v}\"")),
        }
    }
    if let Some(i) = hatch {
        kept.push(format!("fill=\"url(#{id}-h{i})\""));
    }
    let mut s = format!("<{name}");
    for a in kept {
        s.push(' ');
        s.push_str(&a);
    }
    if !classes.is_empty() {
        let _ = write!(s, " class=\"{}\"", classes.join(" "));
    }
    s.push_str(if self_closing { "/>" } else { ">" });
    s
}

/// `k="v"` pairs of a tag written by plotters (values never contain quotes: they are escaped).
fn parse_attrs(s: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = s.trim();
    while let Some(eq) = rest.find("=\"") {
        let key = rest[..eq].trim();
        let after = &rest[eq + 2..];
        let Some(close) = after.find('"') else { break };
        out.push((key, &after[..close]));
        rest = after[close + 1..].trim_start();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        for (y, m, d) in [(1970, 1, 1), (2024, 2, 29), (2024, 12, 31), (2023, 3, 1)] {
            assert_eq!(civil_from_days(days_from_civil(y, m, d)), (y, m, d));
        }
        assert_eq!(days_from_civil(1970, 1, 2), 1);
    }

    #[test]
    fn nice_numbers() {
        assert_eq!(nice_max(1130.0 * 1.08, 5), 1250.0);
        assert_eq!(nice_step(0.7), 1.0);
        let s = Scale {
            lo: 0.0,
            hi: 100.0,
            log: false,
            p0: 0.0,
            p1: 1.0,
        };
        assert_eq!(s.ticks(5), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        let log = Scale {
            lo: 0.1,
            hi: 100.0,
            log: true,
            p0: 0.0,
            p1: 1.0,
        };
        assert_eq!(
            log.ticks(12),
            vec![0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]
        );
        assert_eq!(log.ticks(5), vec![0.1, 1.0, 10.0, 100.0]);
    }

    #[test]
    fn sentinel_colours_become_classes() {
        let t = rewrite_tag(
            "<rect x=\"1\" opacity=\"1\" fill=\"#010300\" stroke=\"none\"/>",
            "c",
        );
        assert_eq!(t, "<rect x=\"1\" stroke=\"none\" class=\"f-s0\"/>");
        let t = rewrite_tag("<rect fill=\"#010502\" stroke=\"#010302\"/>", "c");
        assert_eq!(t, "<rect fill=\"url(#c-h2)\" class=\"f-h2 k-s2\"/>");
        let t = rewrite_tag(
            "<text x=\"1\" font-family=\"sans-serif\" fill=\"#010201\">",
            "c",
        );
        assert_eq!(t, "<text x=\"1\" class=\"f-text\">");
    }

    #[test]
    fn text_width_counts_cjk_as_one_em() {
        assert_eq!(text_width("中文", 10.0), 20.0);
        assert!(text_width("ab", 10.0) < 12.0);
    }

    #[test]
    fn labels_are_shortened_to_fit() {
        let s = fit("字节跳动字节跳动", 50.0, 10.0);
        assert!(s.ends_with('…') && text_width(&s, 10.0) <= 50.0, "{s}");
        assert_eq!(fit("ab", 50.0, 10.0), "ab");
    }
}
