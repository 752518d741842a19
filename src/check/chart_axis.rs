//! A chart's value axis as the editor sets it: its ends (`axis.min`/`axis.max`) and the
//! reference lines and bands drawn on it, each checked against the data it must show.

use crate::check::charts::ChartCheck;
use crate::model::chart::{ChartKind, ScaleKind};
use crate::model::data::{DataSet, FieldKind, Row};
use crate::model::quantity::Quantity;
use crate::model::text::join;

impl ChartCheck<'_> {
    /// The editor's axis ends: finite, in order, zero between them for bars, positive on a log
    /// scale, and beyond every drawn value (one outside would be cut off or not drawn at all).
    pub(super) fn axis_bounds(&mut self, rows: &[&Row], value_fields: &[(String, String)]) {
        let spec = &self.parsed.raw;
        let (min, max, log) = (
            spec.axis.min,
            spec.axis.max,
            spec.axis.scale == ScaleKind::Log,
        );
        if min.is_none() && max.is_none() {
            return;
        }
        if spec.kind == ChartKind::StackedShare {
            let at = if min.is_some() {
                "axis.min"
            } else {
                "axis.max"
            };
            self.err(
                at,
                "a stacked share always spans 0–100%: it takes no `axis.min` or `axis.max`".into(),
                "remove them",
            );
            return;
        }
        for (at, v) in [("axis.min", min), ("axis.max", max)] {
            if v.is_some_and(|v| !v.is_finite()) {
                self.err(
                    at,
                    format!("`{at}` must be a finite number"),
                    "write a number, in the data's base units",
                );
                return;
            }
        }
        if let (Some(lo), Some(hi)) = (min, max)
            && lo >= hi
        {
            self.err(
                "axis.max",
                format!("`axis.max` ({hi}) must be above `axis.min` ({lo})"),
                "swap them, or leave one out so the axis fits the data on that side",
            );
            return;
        }
        if log && min.is_some_and(|lo| lo <= 0.0) {
            self.err(
                "axis.min",
                format!(
                    "a log scale starts above zero; `axis.min` is {}",
                    min.unwrap_or_default()
                ),
                "give a positive start (such as 0.1), or leave it out",
            );
            return;
        }
        if matches!(spec.kind, ChartKind::Bar | ChartKind::GroupedBar) && !log {
            if let Some(lo) = min.filter(|lo| *lo > 0.0) {
                self.err(
                    "axis.min",
                    format!("bars grow from zero: `axis.min` must be 0 or below, not {lo}"),
                    "a bar cut off above zero exaggerates differences; leave `axis.min` out, or draw a line chart",
                );
                return;
            }
            if let Some(hi) = max.filter(|hi| *hi < 0.0) {
                self.err(
                    "axis.max",
                    format!("bars grow from zero: `axis.max` must be 0 or above, not {hi}"),
                    "leave `axis.max` out, or draw a line chart",
                );
                return;
            }
        }
        for (_, f) in value_fields {
            let drawn = rows.iter().filter_map(|r| r.quantity(f).map(|q| (r, q)));
            // Zero values on a log scale sit in their own band, not on the axis.
            let drawn: Vec<_> = drawn.filter(|(_, q)| !(log && q.lo == 0.0)).collect();
            if let Some(lo) = min
                && let Some((r, q)) = drawn.iter().find(|(_, q)| q.lo < lo)
            {
                self.err(
                    "axis.min",
                    format!(
                        "row `{}` has {} in `{f}`, below `axis.min` ({lo})",
                        r.id, q.lo
                    ),
                    "lower `axis.min`, or leave it out so the axis fits the data",
                );
            }
            if let Some(hi) = max
                && let Some((r, q)) = drawn.iter().find(|(_, q)| q.hi.unwrap_or(q.lo) > hi)
            {
                self.err(
                    "axis.max",
                    format!(
                        "row `{}` has {} in `{f}`, above `axis.max` ({hi})",
                        r.id,
                        q.hi.unwrap_or(q.lo)
                    ),
                    "raise `axis.max`, or leave it out so the axis fits the data",
                );
            }
        }
    }

    /// Reference lines and bands: a value or a data row's value, in the axis's unit, drawable on
    /// its scale and within the editor's axis ends.
    pub(super) fn references(
        &mut self,
        set: &DataSet,
        rows: &[usize],
        value_fields: &[(String, String)],
    ) -> Vec<(Quantity, Option<usize>)> {
        let spec = &self.parsed.raw;
        let mut out = Vec::new();
        let axis_unit = value_fields.first().and_then(|(_, f)| {
            rows.iter()
                .find_map(|&r| set.unit_of(&set.rows[r], f).map(str::to_string))
        });
        for (i, r) in spec.references.iter().enumerate() {
            let at = format!("references.{i}");
            if spec.kind == ChartKind::StackedShare {
                self.err(
                    &at,
                    "a stacked share has no value axis to mark".into(),
                    "remove `references`, or draw the values as a bar chart",
                );
                return Vec::new();
            }
            let found = match (&r.value, &r.row) {
                (Some(v), None) => match super::data::parse_quantity(v) {
                    Ok(q) => (q, None),
                    Err(p) => {
                        self.out
                            .push(self.parsed.error(&format!("{at}.value"), "").with(p));
                        continue;
                    }
                },
                (None, Some(id)) => {
                    let Some(&ri) = set.row_index.get(id) else {
                        self.err(
                            &format!("{at}.row"),
                            format!("data file `{}` has no row `{id}`", set.id),
                            format!("rows: {}", join(set.rows.iter().map(|r| &r.id))),
                        );
                        continue;
                    };
                    let field = r
                        .field
                        .clone()
                        .or_else(|| value_fields.first().map(|(_, f)| f.clone()))
                        .unwrap_or_default();
                    if !self.field(
                        set,
                        &format!("{at}.field"),
                        &field,
                        &[FieldKind::Quantity],
                        "a number (quantity)",
                    ) {
                        continue;
                    }
                    let row = &set.rows[ri];
                    let Some(q) = row.quantity(&field) else {
                        self.err(
                            &format!("{at}.row"),
                            format!("row `{id}` has no value in `{field}`"),
                            "name a row that has the value, or give `field:`",
                        );
                        continue;
                    };
                    let unit = set.unit_of(row, &field);
                    if axis_unit.is_some() && unit != axis_unit.as_deref() {
                        self.err(
                            &format!("{at}.field"),
                            format!(
                                "`{field}` of row `{id}` is in {}, the axis in {}",
                                unit.unwrap_or("no unit"),
                                axis_unit.as_deref().unwrap_or("no unit")
                            ),
                            "a reference is drawn on the value axis: choose a value in its unit",
                        );
                        continue;
                    }
                    (q, Some(ri))
                }
                _ => {
                    self.err(
                        &at,
                        "a reference needs either `value` or `row` (not both)".into(),
                        "write `value: 0.5` (or \"<=0.5\", \"40-45\"), or `row: <row id>` to read it from the data",
                    );
                    continue;
                }
            };
            let (q, _) = found;
            let top = q.hi.unwrap_or(q.lo);
            if spec.axis.scale == ScaleKind::Log && q.lo <= 0.0 {
                self.err(
                    &at,
                    format!("a log scale cannot show the reference {}", q.lo),
                    "give a positive value, or use a linear scale",
                );
                continue;
            }
            if let Some(lo) = spec.axis.min.filter(|lo| q.lo < *lo) {
                self.err(
                    &at,
                    format!("the reference {} is below `axis.min` ({lo})", q.lo),
                    "lower `axis.min`, or leave it out so the axis fits the data and the references",
                );
                continue;
            }
            if let Some(hi) = spec.axis.max.filter(|hi| top > *hi) {
                self.err(
                    &at,
                    format!("the reference {top} is above `axis.max` ({hi})"),
                    "raise `axis.max`, or leave it out so the axis fits the data and the references",
                );
                continue;
            }
            out.push(found);
        }
        out
    }
}
