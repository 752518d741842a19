//! Chart specs, checked against their data and converted: the fields they name exist with the
//! right types, every drawn category has its values, one unit per axis, log scales without zero,
//! annotations on drawn categories; texts resolved.

use crate::check::ids::{self, IdKind};
use crate::check::refs::Targets;
use crate::diag::{Diagnostic, Problems};
use crate::input::config::check_localized;
use crate::input::data::{ChartFiles, Parsed, RawChart};
use crate::input::store::{Lookup, Store};
use crate::model::chart::{
    Annotation, AnnotationKind, Axis, Chart, ChartKind, Reference, ScaleKind, Series,
};
use crate::model::data::{DataSet, FieldKind, Row, Value};
use crate::model::lang::Packs;
use crate::model::quantity::Quantity;
use crate::model::text::{Localized, Rich, join};
use crate::model::time::time_key;

/// Every chart converted at its position in the store (failed where the spec has problems or
/// its data failed).
pub fn check_all(
    store: &ChartFiles,
    sets: &Store<DataSet>,
    targets: &Targets,
    packs: &Packs,
    languages: &[String],
    problems: &mut Problems,
) -> Store<Chart> {
    store.map(|_, id, parsed| {
        if !IdKind::Name.accepts(id) {
            let p = ids::problem(IdKind::Name, "chart file name", id);
            problems.push(
                Diagnostic::error(&parsed.file.path, p.message).help(format!(
                    "{}; the name is used in chart blocks, download file names and HTML ids",
                    p.help
                )),
            );
            return None;
        }
        let mut c = ChartCheck {
            parsed,
            targets,
            languages,
            out: Vec::new(),
        };
        let chart = c.run(sets, packs, languages);
        let ok = c.out.is_empty();
        problems.extend(c.out);
        chart.filter(|_| ok)
    })
}

pub(super) struct ChartCheck<'a> {
    pub(super) parsed: &'a Parsed<RawChart>,
    targets: &'a Targets,
    languages: &'a [String],
    pub(super) out: Vec<Diagnostic>,
}

impl ChartCheck<'_> {
    pub(super) fn err(&mut self, path: &str, msg: String, help: impl Into<String>) {
        let d = self.parsed.error(path, msg).help(help.into());
        self.out.push(d);
    }

    fn run(&mut self, sets: &Store<DataSet>, packs: &Packs, languages: &[String]) -> Option<Chart> {
        let p = self.parsed;
        let spec = &p.raw;
        let mut texts: Vec<(&Localized, String)> = vec![(&spec.title, "title".into())];
        texts.extend(spec.subtitle.iter().map(|d| (d, "subtitle".into())));
        texts.extend(spec.description.iter().map(|d| (d, "description".into())));
        texts.extend(
            spec.original_source
                .iter()
                .map(|d| (d, "original_source".into())),
        );
        texts.extend(
            spec.series
                .iter()
                .enumerate()
                .map(|(i, s)| (&s.label, format!("series.{i}.label"))),
        );
        texts.extend(
            spec.annotations
                .iter()
                .enumerate()
                .map(|(i, a)| (&a.text, format!("annotations.{i}.text"))),
        );
        texts.extend(
            spec.references
                .iter()
                .enumerate()
                .map(|(i, r)| (&r.label, format!("references.{i}.label"))),
        );
        if let Some(e) = &spec.ends {
            texts.push((&e.from, "ends.from".into()));
            texts.push((&e.to, "ends.to".into()));
        }
        for (t, path) in &texts {
            check_localized(t, path, languages, &p.loc, &p.file, &mut self.out);
        }
        let (set_ix, set) = match sets.get(&spec.data) {
            Lookup::Found(i, s) => (i, s),
            // Its own errors are reported; the chart is left out and its blocks stay quiet.
            Lookup::Failed => return None,
            Lookup::Missing => {
                self.err(
                    "data",
                    format!("unknown data file `{}`", spec.data),
                    format!("data files: {}", sets.ids()),
                );
                return None;
            }
        };
        let value_fields = self.value_fields()?;
        if !self.fields(set, &value_fields) {
            return None;
        }
        let rows = self.rows(set)?;
        self.values(set, &rows, &value_fields, packs);
        self.annotations(set, &rows);
        let references = self.references(set, &rows, &value_fields);
        Some(self.convert(set_ix, rows, references))
    }

    /// The quantity fields drawn, with the spec path naming each.
    fn value_fields(&mut self) -> Option<Vec<(String, String)>> {
        let spec = &self.parsed.raw;
        match spec.kind {
            ChartKind::GroupedBar if spec.series.len() < 2 => {
                self.err("series", "a grouped bar chart needs at least two `series`".into(), "list the quantity fields to compare: `series: [{field: input, label: {…}}, {field: output, label: {…}}]`");
                None
            }
            ChartKind::GroupedBar => Some(
                spec.series
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (format!("series.{i}.field"), s.field.clone()))
                    .collect(),
            ),
            _ => match &spec.value {
                Some(v) => Some(vec![("value".to_string(), v.clone())]),
                None => {
                    self.err(
                        "kind",
                        "this chart has no `value` field".into(),
                        "name the quantity field to draw: `value: <field>`",
                    );
                    None
                }
            },
        }
    }

    /// Each named field exists and has a fitting type; the kind has what it needs.
    fn fields(&mut self, set: &DataSet, value_fields: &[(String, String)]) -> bool {
        let spec = &self.parsed.raw;
        let mut ok = true;
        for (path, f) in value_fields {
            ok &= self.field(set, path, f, &[FieldKind::Quantity], "a number (quantity)");
        }
        if let Some(x) = &spec.x {
            ok &= self.field(
                set,
                "x",
                x,
                &[FieldKind::Year, FieldKind::Date, FieldKind::Text],
                "a category or time",
            );
        }
        if let Some(g) = &spec.group {
            ok &= self.field(set, "group", g, &[FieldKind::Text], "text");
        }
        for (i, l) in spec.label.iter().enumerate() {
            ok &= self.field(
                set,
                &format!("label.{i}"),
                l,
                &[FieldKind::Text, FieldKind::Year, FieldKind::Date],
                "text, a year or a date",
            );
        }
        match spec.kind {
            ChartKind::Line if spec.x.is_none() => {
                self.err(
                    "kind",
                    "a line chart needs an `x` field (a year or date)".into(),
                    "add `x: date`",
                );
                ok = false;
            }
            ChartKind::Line => {
                let x_kind = spec.x.as_deref().and_then(|x| set.field(x)).map(|f| f.kind);
                if x_kind == Some(FieldKind::Text) {
                    self.err(
                        "x",
                        "a line chart's `x` must be a year or date field".into(),
                        "use a bar chart for text categories",
                    );
                    ok = false;
                }
            }
            ChartKind::Dumbbell if spec.group.is_none() => {
                self.err(
                    "kind",
                    "a dumbbell chart needs a `group` field: the rows sharing it are one row of dots".into(),
                    "add `group: model`; list each model's rows in order (before, after)",
                );
                ok = false;
            }
            ChartKind::Dumbbell => {}
            _ if spec.x.is_none() && spec.label.is_empty() => {
                self.err(
                    "kind",
                    "this chart needs category names: `x` or `label`".into(),
                    "e.g. `label: [vendor, model]` or `x: year`",
                );
                ok = false;
            }
            _ => {}
        }
        ok
    }

    pub(super) fn field(
        &mut self,
        set: &DataSet,
        path: &str,
        name: &str,
        allowed: &[FieldKind],
        what: &str,
    ) -> bool {
        match set.field(name) {
            None => {
                let names = join(set.fields.iter().map(|(n, _)| n));
                self.err(
                    path,
                    format!("data file `{}` has no field `{name}`", set.id),
                    format!("fields: {names}"),
                );
                false
            }
            Some(f) if !allowed.contains(&f.kind) => {
                let kinds: Vec<&str> = allowed.iter().map(|k| k.name()).collect();
                self.err(
                    path,
                    format!("field `{name}` is {}, not {what}", f.kind.name()),
                    format!("choose a field of type {}", kinds.join(" or ")),
                );
                false
            }
            Some(_) => true,
        }
    }

    /// The rows drawn, in drawing order: those listed, else every row with a value; line
    /// charts in time order.
    fn rows(&mut self, set: &DataSet) -> Option<Vec<usize>> {
        let spec = &self.parsed.raw;
        let mut rows: Vec<usize> = match &spec.rows {
            Some(ids) => {
                let mut out = Vec::new();
                for (i, id) in ids.iter().enumerate() {
                    match set.row_index.get(id) {
                        Some(&r) => out.push(r),
                        None => self.err(
                            &format!("rows.{i}"),
                            format!("data file `{}` has no row `{id}`", set.id),
                            format!("rows: {}", join(set.rows.iter().map(|r| &r.id))),
                        ),
                    }
                }
                if out.len() != ids.len() {
                    return None;
                }
                out
            }
            None => {
                let fields = value_field_names(spec);
                (0..set.rows.len())
                    .filter(|&i| fields.iter().any(|f| set.rows[i].quantity(f).is_some()))
                    .collect()
            }
        };
        // Time orders a line's points and a dumbbell's dots (stable: listed order otherwise).
        if spec.kind == ChartKind::Line || (spec.kind == ChartKind::Dumbbell && spec.x.is_some()) {
            let x = spec.x.clone().unwrap_or_default();
            rows.sort_by_key(|&r| time_key(set.rows[r].values.get(&x)));
        }
        Some(rows)
    }

    /// Empty series, missing values (mismatched lengths), mixed units, log scale and zero.
    fn values(
        &mut self,
        set: &DataSet,
        rows: &[usize],
        value_fields: &[(String, String)],
        packs: &Packs,
    ) {
        let spec = &self.parsed.raw;
        let rows: Vec<&Row> = rows.iter().map(|&i| &set.rows[i]).collect();
        for (path, f) in value_fields {
            let with_value: Vec<&Row> = rows
                .iter()
                .copied()
                .filter(|r| r.quantity(f).is_some())
                .collect();
            if with_value.is_empty() {
                self.err(
                    path,
                    format!(
                        "empty series: no selected row of `{}` has a value for `{f}`",
                        set.id
                    ),
                    "fill in the data, or choose rows that have values",
                );
                continue;
            }
            // Bars need a value for every category: either the rows the spec lists, or
            // (grouped bars without `rows:`) every row of the file.
            let listed = spec.kind != ChartKind::Line && spec.rows.is_some();
            let all_rows = spec.kind == ChartKind::GroupedBar && spec.rows.is_none();
            if (listed || all_rows) && with_value.len() != rows.len() {
                let missing: Vec<&str> = rows
                    .iter()
                    .filter(|r| r.quantity(f).is_none())
                    .map(|r| r.id.as_str())
                    .collect();
                let fix = if listed {
                    "fill in the data or drop those rows"
                } else {
                    "fill in the data or list `rows:`"
                };
                self.err(
                    path,
                    format!(
                        "mismatched lengths: `{f}` has {} values for {} categories (missing: {})",
                        with_value.len(),
                        rows.len(),
                        missing.join(", ")
                    ),
                    format!("every category needs a value in every series; {fix}"),
                );
            }
            let mut units: Vec<&str> = with_value
                .iter()
                .filter_map(|r| set.unit_of(r, f))
                .collect();
            units.sort();
            units.dedup();
            if units.len() > 1 {
                self.err(
                    path,
                    format!("series `{f}` mixes units ({})", units.join(", ")),
                    "a chart axis has one unit; choose rows with the same unit",
                );
            }
            for unit in &units {
                if packs.by_lang.values().any(|p| !p.units.contains_key(*unit)) {
                    self.err(
                        path,
                        format!("unknown unit `{unit}`"),
                        "define it in templates/i18n/<lang>.yaml",
                    );
                }
            }
            if spec.axis.scale == ScaleKind::Log {
                for r in &with_value {
                    let lo = r.quantity(f).map_or(0.0, |q| q.lo);
                    if lo < 0.0 || (lo == 0.0 && spec.axis.zero_label.is_none()) {
                        self.err("axis.scale", format!("log scale cannot show {lo} (row `{}`)", r.id), "use a linear scale, or give `axis.zero_label` to show zero values in their own band");
                    }
                }
            }
        }
        if spec.kind == ChartKind::StackedShare {
            self.stacked_parts(&rows, value_fields);
        }
        self.axis_bounds(&rows, value_fields);
        if spec.kind == ChartKind::Line {
            let x = spec.x.as_deref().unwrap_or_default();
            let first = &value_fields[0].1;
            for r in &rows {
                if !matches!(r.values.get(x), Some(Value::Date(_) | Value::Year(_)))
                    && r.quantity(first).is_some()
                {
                    self.err(
                        "x",
                        format!("row `{}` has a value but no `{x}`", r.id),
                        "every point needs a date",
                    );
                }
            }
        }
    }

    /// A stacked share is parts of a whole: a negative part cannot be drawn as a share, and
    /// parts adding up to nothing leave no whole to share.
    fn stacked_parts(&mut self, rows: &[&Row], value_fields: &[(String, String)]) {
        let Some((path, f)) = value_fields.first() else {
            return;
        };
        let mut total = 0.0;
        for r in rows {
            let Some(q) = r.quantity(f) else { continue };
            if q.lo < 0.0 {
                self.err(
                    path,
                    format!(
                        "stacked share cannot show the negative part {} (row `{}`)",
                        q.lo,
                        r.id
                    ),
                    "parts of a whole are zero or more; draw signed values as a bar chart (`kind: bar`)",
                );
            }
            total += q.hi.unwrap_or(q.lo).max(0.0);
        }
        if total == 0.0 && rows.iter().any(|r| r.quantity(f).is_some()) {
            self.err(
                path,
                format!("stacked share of `{f}` has parts that add up to 0"),
                "a share needs a whole: give the parts their values, or draw them as a bar chart",
            );
        }
    }

    fn annotations(&mut self, set: &DataSet, rows: &[usize]) {
        let spec = &self.parsed.raw;
        for (i, a) in spec.annotations.iter().enumerate() {
            if a.kind != AnnotationKind::Growth {
                continue;
            }
            for (key, id) in [("from", &a.from), ("to", &a.to)] {
                match id {
                    Some(id) if rows.iter().any(|&r| &set.rows[r].id == id) => {}
                    Some(id) => self.err(
                        &format!("annotations.{i}.{key}"),
                        format!("`{id}` is not a category of this chart"),
                        "name a row id drawn in the chart",
                    ),
                    None => self.err(
                        &format!("annotations.{i}"),
                        format!("a growth annotation needs `{key}`"),
                        "give the row ids it spans: `from: \"2022\"`, `to: \"2027\"`",
                    ),
                }
            }
        }
    }

    fn localized(&mut self, texts: &Localized, path: &str) -> Localized<Rich> {
        let p = self.parsed;
        let out = &mut self.out;
        let languages = self.languages;
        texts
            .iter()
            .filter(|(lang, _)| languages.contains(lang))
            .map(|(lang, t)| {
                let lpath = format!("{path}.{lang}");
                let r = self.targets.rich(t, Some(lang), &mut |_, problem| {
                    out.push(p.error(&lpath, "").with(problem));
                });
                (lang.clone(), r)
            })
            .collect()
    }

    fn convert(
        &mut self,
        set: usize,
        rows: Vec<usize>,
        references: Vec<(Quantity, Option<usize>)>,
    ) -> Chart {
        let p = self.parsed;
        let spec = &p.raw;
        let series = spec
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| Series {
                field: s.field.clone(),
                label: self.localized(&s.label, &format!("series.{i}.label")),
            })
            .collect();
        let annotations = spec
            .annotations
            .iter()
            .enumerate()
            .map(|(i, a)| Annotation {
                kind: a.kind,
                from: a.from.clone(),
                to: a.to.clone(),
                text: self.localized(&a.text, &format!("annotations.{i}.text")),
            })
            .collect();
        let axis = Axis {
            title: spec
                .axis
                .title
                .as_ref()
                .map(|t| self.localized(t, "axis.title")),
            scale: spec.axis.scale,
            zero_label: spec
                .axis
                .zero_label
                .as_ref()
                .map(|t| self.localized(t, "axis.zero_label")),
            min: spec.axis.min,
            max: spec.axis.max,
            decimals: spec.axis.decimals,
        };
        let references = references
            .into_iter()
            .zip(&spec.references)
            .enumerate()
            .map(|(i, ((q, row), r))| Reference {
                q,
                row,
                label: self.localized(&r.label, &format!("references.{i}.label")),
            })
            .collect();
        let ends = spec.ends.as_ref().map(|e| {
            (
                self.localized(&e.from, "ends.from"),
                self.localized(&e.to, "ends.to"),
            )
        });
        Chart {
            id: p.id.clone(),
            kind: spec.kind,
            set,
            title: self.localized(&spec.title, "title"),
            subtitle: spec
                .subtitle
                .as_ref()
                .map(|d| self.localized(d, "subtitle")),
            description: spec
                .description
                .as_ref()
                .map(|d| self.localized(d, "description")),
            original_source: spec
                .original_source
                .as_ref()
                .map(|d| self.localized(d, "original_source")),
            rows,
            x: spec.x.clone(),
            value: spec.value.clone(),
            series,
            group: spec.group.clone(),
            label: spec.label.clone(),
            axis,
            orientation: spec.orientation,
            step: spec.step,
            annotations,
            references,
            ends,
            fingerprint: p.fingerprint,
        }
    }
}

fn value_field_names(spec: &RawChart) -> Vec<&str> {
    match spec.kind {
        ChartKind::GroupedBar => spec.series.iter().map(|s| s.field.as_str()).collect(),
        _ => spec.value.iter().map(String::as_str).collect(),
    }
}
