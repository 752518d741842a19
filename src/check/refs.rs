//! `{{…}}` references: what they can point at ([`Targets`], known before anything is resolved)
//! and their resolution, the one place where a reference becomes a [`Ref`] or a problem.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::diag::Problem;
use crate::model::doc::FigureKind;
use crate::model::site::{ByLangKey, LangKey};
use crate::model::text::{DataRef, Piece, Ref, RefFormat, Rich, Span, join, split_refs};

/// Keys a data row may have besides its fields.
pub const ROW_KEYS: &[&str] = &["id", "source", "unit", "text"];

/// Everything a reference may name: data sets with their rows, and figures per language.
#[derive(Debug, Default)]
pub struct Targets {
    pub sets: HashMap<String, SetTarget>,
    /// Data files that exist but failed to load: references to them stay quiet.
    pub failed_sets: HashSet<String>,
    /// (lang, figure id) → kind.
    pub figures: ByLangKey<FigureKind>,
    pub default_language: String,
}

/// A data set as references see it: row ids and the fields each row fills.
#[derive(Debug, Default)]
pub struct SetTarget {
    pub index: usize,
    pub rows: HashMap<String, (usize, BTreeSet<String>)>,
    pub row_ids: Vec<String>,
}

/// A reference that did not resolve.
#[derive(Debug, Clone, PartialEq)]
pub enum Unresolved {
    /// What is wrong and how to fix it.
    Problem(Problem),
    /// It points into a file whose own problems are already reported.
    Quiet,
}

impl Unresolved {
    pub fn problem(message: impl Into<String>, help: impl Into<String>) -> Self {
        Unresolved::Problem(Problem::new(message, help))
    }
}

impl Targets {
    /// Resolves the text between `{{` and `}}`. `lang` is the language the text is shown in;
    /// `None` means every language (figures are then looked up in the default language).
    pub fn reference(&self, spec: &str, lang: Option<&str>) -> Result<Ref, Unresolved> {
        let spec = spec.trim();
        for (prefix, kind) in [("fig", FigureKind::Figure), ("tab", FigureKind::Table)] {
            if let Some(id) = spec.strip_prefix(prefix).and_then(|s| s.strip_prefix(':')) {
                return self.figure(id.trim(), kind, lang);
            }
        }
        self.data(spec).map(Ref::Data)
    }

    fn figure(&self, id: &str, want: FigureKind, lang: Option<&str>) -> Result<Ref, Unresolved> {
        let lang = lang.unwrap_or(&self.default_language);
        let Some(&kind) = self.figures.get(&LangKey(lang, id)) else {
            let mut known: Vec<&str> = self
                .figures
                .keys()
                .filter(|(l, _)| l == lang)
                .map(|(_, i)| i.as_str())
                .collect();
            known.sort();
            return Err(Unresolved::problem(
                format!("no figure or table with id `{id}`"),
                format!("ids: {}", known.join(", ")),
            ));
        };
        if kind != want {
            let (is, not, write) = match want {
                FigureKind::Table => ("figure", "table", "fig"),
                FigureKind::Figure => ("table", "figure", "tab"),
            };
            return Err(Unresolved::problem(
                format!("`{id}` is a {is}, not a {not}"),
                format!("write `{{{{{write}:{id}}}}}`"),
            ));
        }
        Ok(Ref::Figure(id.to_string()))
    }

    /// Resolves `file.row`, `file.row.field`, optionally followed by `|num`.
    pub fn data(&self, spec: &str) -> Result<DataRef, Unresolved> {
        let spec = spec.trim();
        let (path, format) = match spec.split_once('|') {
            None => (spec, RefFormat::Prose),
            Some((p, "num")) => (p.trim(), RefFormat::Number),
            Some((_, f)) => {
                return Err(Unresolved::problem(
                    format!("unknown format `{}` in `{{{{{spec}}}}}`", f.trim()),
                    "the only format is `|num` (the number without unit)",
                ));
            }
        };
        let parts: Vec<&str> = path.split('.').collect();
        let (file, row, field) = match parts.as_slice() {
            [f, r] => (*f, *r, None),
            [f, r, fld] => (*f, *r, Some(*fld)),
            _ => {
                return Err(Unresolved::problem(
                    format!("`{{{{{spec}}}}}` is not a data reference"),
                    "write `{{file.row}}` or `{{file.row.field}}`, e.g. `{{market_size.2024}}`",
                ));
            }
        };
        if self.failed_sets.contains(file) {
            return Err(Unresolved::Quiet);
        }
        let set = self.sets.get(file).ok_or_else(|| {
            let mut ids: Vec<&String> = self.sets.keys().collect();
            ids.sort();
            Unresolved::problem(
                format!("unknown data file `{file}` in `{{{{{spec}}}}}`"),
                format!("data files: {}", join(ids)),
            )
        })?;
        let (row_ix, fields) = set.rows.get(row).ok_or_else(|| {
            Unresolved::problem(
                format!("data file `{file}` has no row `{row}`"),
                format!("rows: {}", join(&set.row_ids)),
            )
        })?;
        let field = match field {
            Some(f) => f,
            None if fields.contains("value") => "value",
            None => {
                return Err(Unresolved::problem(
                    format!("row `{file}.{row}` has no `value`; name the field"),
                    format!(
                        "write `{{{{{file}.{row}.<field>}}}}` with one of: {}",
                        join(fields)
                    ),
                ));
            }
        };
        if !fields.contains(field) {
            return Err(Unresolved::problem(
                format!("row `{file}.{row}` has no field `{field}`"),
                format!("fields of this row: {}", join(fields)),
            ));
        }
        Ok(DataRef {
            set: set.index,
            row: *row_ix,
            field: field.to_string(),
            format,
        })
    }

    /// A text with its references resolved. Each reference that does not resolve is reported
    /// through `report` (with its byte offset in `text`) and kept as written.
    pub fn rich(
        &self,
        text: &str,
        lang: Option<&str>,
        report: &mut dyn FnMut(usize, Problem),
    ) -> Rich {
        let mut spans = Vec::new();
        for piece in split_refs(text) {
            match piece {
                Piece::Text(t) => push_text(&mut spans, t),
                Piece::Ref { spec, raw, at } => match self.reference(spec, lang) {
                    Ok(r) => spans.push(Span::Ref(r)),
                    Err(u) => {
                        if let Unresolved::Problem(p) = u {
                            report(at, p);
                        }
                        push_text(&mut spans, raw);
                    }
                },
                Piece::Unclosed { raw, at } => {
                    report(at, unclosed());
                    push_text(&mut spans, raw);
                }
            }
        }
        Rich { spans }
    }
}

/// The problem of a `{{` that is never closed.
pub fn unclosed() -> Problem {
    Problem::new(
        "`{{` is not closed",
        "end the reference with `}}`, e.g. `{{market_size.2024}}`",
    )
}

fn push_text(spans: &mut Vec<Span>, t: &str) {
    if let Some(Span::Text(last)) = spans.last_mut() {
        last.push_str(t);
    } else if !t.is_empty() {
        spans.push(Span::Text(t.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Targets {
        let mut t = Targets {
            default_language: "zh".into(),
            ..Targets::default()
        };
        let mut set = SetTarget::default();
        set.rows.insert(
            "a".into(),
            (0, ["value".to_string(), "label".to_string()].into()),
        );
        set.row_ids.push("a".into());
        t.sets.insert("t".into(), set);
        t.failed_sets.insert("broken".into());
        t.figures
            .insert(("zh".into(), "m".into()), FigureKind::Figure);
        t
    }

    fn msg(r: Result<impl std::fmt::Debug, Unresolved>) -> String {
        match r.unwrap_err() {
            Unresolved::Problem(p) => p.message,
            Unresolved::Quiet => "(quiet)".into(),
        }
    }

    #[test]
    fn bad_references_explain_themselves() {
        let t = targets();
        assert_eq!(msg(t.data("u.a")), "unknown data file `u` in `{{u.a}}`");
        assert_eq!(msg(t.data("t.b")), "data file `t` has no row `b`");
        assert_eq!(msg(t.data("t.a.x")), "row `t.a` has no field `x`");
        assert_eq!(
            msg(t.data("t.a|pct")),
            "unknown format `pct` in `{{t.a|pct}}`"
        );
        assert_eq!(msg(t.data("t")), "`{{t}}` is not a data reference");
        assert_eq!(msg(t.data("broken.a")), "(quiet)");
        assert_eq!(
            msg(t.reference("tab:m", None)),
            "`m` is a figure, not a table"
        );
        assert_eq!(t.data("t.a").unwrap().field, "value");
    }

    #[test]
    fn texts_keep_unresolved_references_as_written() {
        let t = targets();
        let mut seen = vec![];
        let r = t.rich("x {{t.a}} y {{t.b}} {{open", None, &mut |at, p| {
            seen.push((at, p.message))
        });
        assert_eq!(r.spans.len(), 3);
        assert_eq!(r.spans[2], Span::Text(" y {{t.b}} {{open".into()));
        assert_eq!(
            seen,
            [
                (12, "data file `t` has no row `b`".to_string()),
                (20, "`{{` is not closed".to_string())
            ]
        );
    }
}
