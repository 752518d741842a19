//! Data files, checked and converted: fields and their types, every row's values, units and
//! provenance, and the references inside their texts resolved. A file with any problem is left
//! out of the site (its problems are reported) and references to it stay quiet.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_yaml::{Mapping, Value as Yaml};

use crate::check::bibliography::Shared;
use crate::check::ids::{self, IdKind};
use crate::check::refs::{ROW_KEYS, SetTarget, Targets};
use crate::diag::{Diagnostic, Problem, Problems};
use crate::input::config::{check_localized, language_key_problem, valid_date};
use crate::input::data::{DataFiles, Parsed, RawData};
use crate::input::store::Store;
use crate::model::data::{DataSet, Field, FieldKind, Row, Source, Text, TextItem, Value};
use crate::model::lang::Packs;
use crate::model::quantity::{Quantity, SYNTAX_HELP};
use crate::model::text::{Localized, Rich};

/// The references' view of every data file, built before any text is resolved.
pub fn targets(store: &DataFiles, targets: &mut Targets) {
    for (index, id, parsed) in store.iter() {
        let mut set = SetTarget {
            index,
            ..SetTarget::default()
        };
        for (i, map) in parsed.raw.rows.iter().enumerate() {
            let Some(row_id) = map.get("id").and_then(scalar_string) else {
                continue;
            };
            let fields = map
                .keys()
                .filter_map(Yaml::as_str)
                .filter(|k| !ROW_KEYS.contains(k))
                .map(String::from)
                .collect();
            if !set.rows.contains_key(&row_id) {
                set.row_ids.push(row_id.clone());
                set.rows.insert(row_id, (i, fields));
            }
        }
        targets.sets.insert(id.clone(), set);
    }
    targets.failed_sets.extend(store.failed_ids().cloned());
}

/// Every data file converted, at its position in the store (failed where the file has
/// problems), and the sources they define, numbered across the site.
pub fn check_all(
    store: &DataFiles,
    targets: &Targets,
    packs: &Packs,
    languages: &[String],
    shared: &Shared,
    problems: &mut Problems,
) -> (Store<DataSet>, Vec<Source>) {
    let mut sources = shared.sources.clone();
    let sets = store.map(|_, id, parsed| {
        if !IdKind::Name.accepts(id) {
            let p = ids::problem(IdKind::Name, "data file name", id);
            problems.push(Diagnostic::error(&parsed.file.path, p.message).help(format!(
                "{}; the name is used in references (`{{{{name.row}}}}`) and download file names",
                p.help
            )));
            return None;
        }
        let mut c = SetCheck::new(parsed, targets, packs, languages, shared);
        c.base = sources.len();
        let (set, own) = c.run();
        let ok = c.out.is_empty();
        problems.extend(c.out);
        problems.extend(c.warnings);
        ok.then(|| {
            sources.extend(own);
            set
        })
    });
    (sets, sources)
}

/// One data file being checked; its problems collect in `out`.
pub(super) struct SetCheck<'a> {
    pub(super) parsed: &'a Parsed<RawData>,
    pub(super) targets: &'a Targets,
    pub(super) packs: &'a Packs,
    pub(super) languages: &'a [String],
    pub(super) out: Vec<Diagnostic>,
    /// Problems that do not keep the file out of the site.
    pub(super) warnings: Vec<Diagnostic>,
    /// Index of this file's first source among the site's sources.
    pub(super) base: usize,
    /// The shared sources, which the file may name after its own.
    pub(super) shared: &'a Shared,
    /// Shared sources the file names, in order of first use.
    pub(super) used_shared: Vec<usize>,
    /// Path of a source of the file in its YAML: `sources.` in a data file, nothing in
    /// `content/sources.yaml`.
    pub(super) prefix: &'static str,
}

impl<'a> SetCheck<'a> {
    pub(super) fn new(
        parsed: &'a Parsed<RawData>,
        targets: &'a Targets,
        packs: &'a Packs,
        languages: &'a [String],
        shared: &'a Shared,
    ) -> Self {
        SetCheck {
            parsed,
            targets,
            packs,
            languages,
            out: Vec::new(),
            warnings: Vec::new(),
            base: 0,
            shared,
            used_shared: Vec::new(),
            prefix: "sources.",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    #[serde(rename = "type")]
    kind: FieldKind,
    label: Localized,
    #[serde(default)]
    unit: Option<String>,
}

impl SetCheck<'_> {
    fn run(&mut self) -> (DataSet, Vec<Source>) {
        let p = self.parsed;
        let raw = &p.raw;
        check_localized(
            &raw.title,
            "title",
            self.languages,
            &p.loc,
            &p.file,
            &mut self.out,
        );
        if let Some(notes) = &raw.notes {
            check_localized(
                notes,
                "notes",
                self.languages,
                &p.loc,
                &p.file,
                &mut self.out,
            );
        }
        let title = self.localized(&raw.title, "title");
        let notes = raw.notes.as_ref().map(|n| self.localized(n, "notes"));
        let sources = self.sources();
        let source_ids: Vec<&str> = sources.iter().map(|s| s.id.as_str()).collect();
        let default_source = raw.source.as_ref().and_then(|d| {
            let found = self.lookup(d, &source_ids);
            if found.is_none() {
                let d = self.unknown_source("source", d, &source_ids);
                self.out.extend(d);
            }
            found
        });
        let fields = self.fields();
        let rows = self.rows(&fields, &source_ids, default_source);
        let row_index = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        let set = DataSet {
            id: p.id.clone(),
            title,
            notes,
            sources: (self.base..self.base + sources.len()).collect(),
            shared: std::mem::take(&mut self.used_shared),
            fields,
            rows,
            row_index,
            fingerprint: p.fingerprint,
        };
        (set, sources)
    }

    /// A per-language text with its references resolved (each language's own figures).
    pub(super) fn localized(&mut self, texts: &Localized, path: &str) -> Localized<Rich> {
        texts
            .iter()
            .filter(|(lang, _)| self.languages.contains(lang))
            .map(|(lang, t)| {
                let r = self.rich(t, Some(lang), &format!("{path}.{lang}"));
                (lang.clone(), r)
            })
            .collect()
    }

    fn rich(&mut self, text: &str, lang: Option<&str>, path: &str) -> Rich {
        let p = self.parsed;
        let out = &mut self.out;
        self.targets.rich(text, lang, &mut |_, problem| {
            out.push(p.error(path, "").with(problem));
        })
    }

    fn fields(&mut self) -> Vec<(String, Field)> {
        let p = self.parsed;
        let mut fields = Vec::new();
        for (key, value) in &p.raw.fields {
            let Some(name) = key.as_str() else { continue };
            let path = format!("fields.{name}");
            if ROW_KEYS.contains(&name) {
                self.out.push(
                    p.key_error(&path, format!("`{name}` cannot be a field name"))
                        .help(format!(
                            "{} are reserved row keys; rename the field",
                            ROW_KEYS.join(", ")
                        )),
                );
                continue;
            }
            match serde_yaml::from_value::<RawField>(value.clone()) {
                Ok(f) => {
                    let lpath = format!("{path}.label");
                    check_localized(
                        &f.label,
                        &lpath,
                        self.languages,
                        &p.loc,
                        &p.file,
                        &mut self.out,
                    );
                    if let Some(unit) = &f.unit {
                        self.check_unit(unit, &format!("{path}.unit"));
                    }
                    fields.push((
                        name.to_string(),
                        Field {
                            kind: f.kind,
                            label: f.label,
                            unit: f.unit,
                        },
                    ));
                }
                Err(e) => self.out.push(serde_error(&e, &path, p)),
            }
        }
        fields
    }

    fn rows(
        &mut self,
        fields: &[(String, Field)],
        source_ids: &[&str],
        default_source: Option<usize>,
    ) -> Vec<Row> {
        let p = self.parsed;
        let mut rows: Vec<Row> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (index, map) in p.raw.rows.iter().enumerate() {
            let path = format!("rows.{index}");
            let row = self.row(map, &path, fields, source_ids, default_source);
            if row.id.is_empty() {
                if !map.contains_key("id") {
                    self.out.push(
                        p.error(&path, "row has no `id`")
                            .help("add `id: <name>`; references use it"),
                    );
                }
            } else if let Some(first) = seen.get(&row.id) {
                self.out.push(
                    p.error(
                        &format!("{path}.id"),
                        format!("duplicate row id `{}`", row.id),
                    )
                    .help(format!(
                        "row {} already uses it; ids must be unique in a file",
                        first + 1
                    )),
                );
            } else {
                seen.insert(row.id.clone(), index);
            }
            self.row_rules(&row, &path, fields, source_ids);
            rows.push(row);
        }
        rows
    }

    fn row(
        &mut self,
        map: &Mapping,
        path: &str,
        fields: &[(String, Field)],
        source_ids: &[&str],
        default_source: Option<usize>,
    ) -> Row {
        let p = self.parsed;
        let mut row = Row {
            id: String::new(),
            source: default_source,
            unit: None,
            text: None,
            values: BTreeMap::new(),
        };
        for (key, value) in map {
            let Some(k) = key.as_str() else { continue };
            let vpath = format!("{path}.{k}");
            match k {
                "id" => match scalar_string(value) {
                    Some(s) if IdKind::Name.accepts(&s) => row.id = s,
                    _ => self.out.push(
                        p.error(
                            &vpath,
                            "row id must be lowercase letters, digits, `_` or `-`",
                        )
                        .help("ids are used in references: `{{file.row}}`"),
                    ),
                },
                "source" => match value.as_str() {
                    Some(s) => match self.lookup(s, source_ids) {
                        Some(i) => row.source = Some(i),
                        None => {
                            let d = self.unknown_source(&vpath, s, source_ids);
                            self.out.extend(d);
                        }
                    },
                    None => self
                        .out
                        .push(p.error(&vpath, "`source` must be a source id")),
                },
                "unit" => match value.as_str() {
                    Some(u) => {
                        self.check_unit(u, &vpath);
                        row.unit = Some(u.to_string());
                    }
                    None => self.out.push(p.error(&vpath, "`unit` must be a unit name")),
                },
                "text" => row.text = self.prose_override(value, &vpath),
                _ => {
                    let Some((_, field)) = fields.iter().find(|(n, _)| n == k) else {
                        let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
                        self.out.push(
                            p.key_error(&vpath, format!("`{k}` is not a field of this file"))
                                .help(format!(
                                    "declare it under `fields:`, or use one of: {}",
                                    names.join(", ")
                                )),
                        );
                        continue;
                    };
                    if let Some(v) = self.value(field.kind, value, &vpath) {
                        row.values.insert(k.to_string(), v);
                    }
                }
            }
        }
        row
    }

    /// `text: {zh: 千亿}`: how a value reads in prose in some languages.
    fn prose_override(&mut self, value: &Yaml, path: &str) -> Option<Localized> {
        let p = self.parsed;
        match serde_yaml::from_value::<Localized>(value.clone()) {
            Ok(t) => {
                for lang in t.keys().filter(|l| !self.languages.contains(l)) {
                    self.out.push(p.key_error(
                        &format!("{path}.{lang}"),
                        format!("unknown language `{lang}`"),
                    ));
                }
                Some(t)
            }
            Err(_) => {
                self.out.push(
                    p.error(path, "`text` must map languages to text")
                        .help("e.g. `text: {zh: 千亿}`"),
                );
                None
            }
        }
    }

    /// Rules of a whole row: a figure needs a source, a quantity a unit.
    fn row_rules(
        &mut self,
        row: &Row,
        path: &str,
        fields: &[(String, Field)],
        source_ids: &[&str],
    ) {
        let p = self.parsed;
        let has_quantity = row.values.values().any(|v| matches!(v, Value::Quantity(_)));
        if has_quantity && row.source.is_none() && !row.id.is_empty() {
            self.out.push(
                p.error(path, format!("row `{}` has a figure but no source", row.id)).help(format!(
                    "every figure needs its provenance: add `source: <id>` naming one of {}, or a file-level `source:`",
                    {
                        let mut names: Vec<&str> = source_ids.to_vec();
                        names.extend(self.shared.names());
                        if names.is_empty() { "the `sources:` you define".to_string() } else { names.join(", ") }
                    }
                )),
            );
        }
        for (name, value) in &row.values {
            if matches!(value, Value::Quantity(_)) {
                let has_unit =
                    row.unit.is_some() || fields.iter().any(|(n, f)| n == name && f.unit.is_some());
                if !has_unit {
                    self.out.push(
                        p.error(&format!("{path}.{name}"), format!("quantity `{name}` has no unit"))
                            .help("give the field a `unit:` or the row a `unit:` (cny, percent, count, …)"),
                    );
                }
            }
        }
    }

    fn value(&mut self, kind: FieldKind, v: &Yaml, path: &str) -> Option<Value> {
        let parsed = match kind {
            FieldKind::Text => return self.text(v, path).map(Value::Text),
            FieldKind::Quantity => parse_quantity(v).map(Value::Quantity),
            FieldKind::Year => match v.as_i64() {
                Some(y) if (1000..=9999).contains(&y) => Ok(Value::Year(y as i32)),
                _ => Err(Problem::new(
                    "expected a four-digit year",
                    "e.g. `year: 2024`",
                )),
            },
            FieldKind::Date => match v.as_str() {
                Some(d) if valid_date(d) => Ok(Value::Date(d.to_string())),
                _ => Err(Problem::new(
                    "expected a date",
                    "write YYYY-MM-DD (or YYYY-MM) in quotes, e.g. `date: \"2024-05-15\"`",
                )),
            },
        };
        match parsed {
            Ok(v) => Some(v),
            Err(problem) => {
                self.out.push(self.parsed.error(path, "").with(problem));
                None
            }
        }
    }

    /// A data text: one string or a list, the same for all languages or one per language.
    pub(super) fn text(&mut self, v: &Yaml, path: &str) -> Option<Text> {
        match raw_text(v, self.languages) {
            Ok(RawText::Same(item)) => Some(Text::Same(self.item(&item, None, path))),
            Ok(RawText::PerLang(items)) => Some(Text::PerLang(
                items
                    .iter()
                    .map(|(lang, item)| {
                        let r = self.item(item, Some(lang), &format!("{path}.{lang}"));
                        (lang.clone(), r)
                    })
                    .collect(),
            )),
            Err(problem) => {
                self.out.push(self.parsed.error(path, "").with(problem));
                None
            }
        }
    }

    fn item(&mut self, item: &RawItem, lang: Option<&str>, path: &str) -> TextItem {
        match item {
            RawItem::One(s) => TextItem::One(self.rich(s, lang, path)),
            RawItem::List(v) => TextItem::List(
                v.iter()
                    .enumerate()
                    .map(|(k, s)| self.rich(s, lang, &format!("{path}.{k}")))
                    .collect(),
            ),
        }
    }

    fn check_unit(&mut self, unit: &str, path: &str) {
        if let Some((lang, pack)) = self
            .packs
            .by_lang
            .iter()
            .find(|(_, p)| !p.units.contains_key(unit))
        {
            self.out.push(
                self.parsed
                    .error(path, format!("unknown unit `{unit}`"))
                    .help(format!(
                        "units come from templates/i18n/{lang}.yaml: {}",
                        crate::model::text::list_keys(&pack.units)
                    )),
            );
        }
    }
}

/// A text as written: one string or a list, for all languages or per language.
enum RawText {
    Same(RawItem),
    PerLang(BTreeMap<String, RawItem>),
}

enum RawItem {
    One(String),
    List(Vec<String>),
}

fn raw_text(v: &Yaml, languages: &[String]) -> Result<RawText, Problem> {
    let item = |v: &Yaml| -> Option<RawItem> {
        match v {
            Yaml::Sequence(items) => items
                .iter()
                .map(scalar_string)
                .collect::<Option<Vec<_>>>()
                .map(RawItem::List),
            other => scalar_string(other).map(RawItem::One),
        }
    };
    match v {
        Yaml::Mapping(m) => {
            let mut per = BTreeMap::new();
            for (k, v) in m {
                let lang = k.as_str().unwrap_or_default().to_string();
                if let Some(problem) = language_key_problem(&lang, languages) {
                    return Err(problem);
                }
                let Some(t) = item(v) else {
                    return Err(Problem::new(
                        format!("`{lang}` text must be a string or a list of strings"),
                        String::new(),
                    ));
                };
                // A language not listed yet: kept in the file, left out of the site.
                if languages.contains(&lang) {
                    per.insert(lang, t);
                }
            }
            if let Some(default) = languages.first()
                && !per.contains_key(default)
            {
                return Err(Problem::new(
                    format!("text has no `{default}` version"),
                    format!(
                        "add `{default}: …` (the default language needs every text; others fall back to it), or write one string for all languages"
                    ),
                ));
            }
            Ok(RawText::PerLang(per))
        }
        other => item(other).map(RawText::Same).ok_or_else(|| {
            Problem::new(
                "expected text, a list of texts, or one per language",
                "e.g. `vendor: {zh: 百度, en: Baidu}`",
            )
        }),
    }
}

pub(super) fn parse_quantity(v: &Yaml) -> Result<Quantity, Problem> {
    let q = match v {
        Yaml::Number(n) => n
            .as_f64()
            .filter(|x| x.is_finite())
            .map(Quantity::exact)
            .ok_or_else(|| format!("`{n}` is not a finite number")),
        Yaml::String(s) => Quantity::parse(s),
        _ => Err("expected a quantity".to_string()),
    };
    let help = match v.as_str() {
        Some(t) if t.trim_end().ends_with('%') => {
            "write the number without `%`: the unit `percent` adds the sign (`value: 28`)"
                .to_string()
        }
        Some(t) if t.contains('亿') || t.contains('万') => {
            "write the amount in base units: 157亿 is `15700000000` (the unit formats it back)"
                .to_string()
        }
        _ => SYNTAX_HELP.to_string(),
    };
    q.map_err(|m| Problem::new(m, help))
}

fn serde_error(e: &serde_yaml::Error, path: &str, p: &Parsed<RawData>) -> Diagnostic {
    let msg = e.to_string();
    // Errors from an already-parsed value carry no position: point at the offending key if named.
    if let Some(rest) = msg.strip_prefix("unknown field `")
        && let Some(name) = rest.split('`').next()
    {
        return p
            .key_error(&format!("{path}.{name}"), msg.clone())
            .help("remove or rename this key");
    }
    p.error(path, msg)
}

pub fn scalar_string(v: &Yaml) -> Option<String> {
    match v {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::SourceFile;
    use crate::model::lang::tests::builtin_packs;
    use crate::model::text::{RefFormat, Span};

    /// Checks one data file `t` on its own: the set, or its problems.
    fn check(text: &str) -> Result<(DataSet, Vec<Source>), Vec<Diagnostic>> {
        let langs = vec!["zh".to_string(), "en".to_string()];
        let file = SourceFile::new("content/data/t.yaml", text);
        let (raw, loc) =
            crate::input::yaml::parse::<RawData>(&file, text, 0).map_err(|d| vec![d])?;
        let mut store = Store::default();
        store.insert(
            "t".into(),
            std::sync::Arc::new(Parsed {
                id: "t".into(),
                file,
                loc,
                raw,
                fingerprint: 0,
            }),
        );
        let mut targets = Targets {
            default_language: "zh".into(),
            ..Targets::default()
        };
        super::targets(&store, &mut targets);
        let mut problems = Problems::default();
        let (sets, sources) = check_all(
            &store,
            &targets,
            &builtin_packs(),
            &langs,
            &crate::check::bibliography::Shared::default(),
            &mut problems,
        );
        let problems = problems.into_vec();
        match sets.complete() {
            Some(mut v) if problems.is_empty() => Ok((v.remove(0), sources)),
            _ => Err(problems),
        }
    }

    const HEAD: &str = "title: {zh: 标题, en: Title}\nsources:\n  rep: {kind: report, section: status#x}\nfields:\n  value: {type: quantity, unit: cny, label: {zh: 值, en: Value}}\n";

    #[test]
    fn valid_file_and_reference() {
        let (set, sources) = check(&format!(
            "{HEAD}rows:\n  - {{id: a, value: 15700000000, source: rep}}\n"
        ))
        .unwrap();
        let mut site = crate::model::site::tests::empty_site();
        site.data.push(set);
        site.sources = sources;
        let r = DataRefFor::value(0, 0, RefFormat::Prose);
        assert_eq!(site.ref_text(&r, "zh"), "157亿元");
        assert_eq!(site.ref_text(&r, "en"), "CNY 15.7 billion");
        assert_eq!(site.sources[site.data[0].rows[0].source.unwrap()].id, "rep");
        let n = DataRefFor::value(0, 0, RefFormat::Number);
        assert_eq!(site.ref_text(&n, "en"), "15,700,000,000");
        assert_eq!(site.ref_text(&n, "zh"), "15700000000");
    }

    struct DataRefFor;
    impl DataRefFor {
        fn value(set: usize, row: usize, format: RefFormat) -> crate::model::text::DataRef {
            crate::model::text::DataRef {
                set,
                row,
                field: "value".into(),
                format,
            }
        }
    }

    #[test]
    fn figure_without_source_is_refused_with_position() {
        let errs = check(&format!("{HEAD}rows:\n  - id: a\n    value: 5\n")).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].message, "row `a` has a figure but no source");
        assert_eq!((errs[0].line, errs[0].column), (7, 5));
    }

    #[test]
    fn unknown_source_unit_field_and_bad_quantity_all_reported() {
        let text = format!(
            "{HEAD}  other: {{type: quantity, unit: yen, label: {{zh: a, en: b}}}}\nrows:\n  - {{id: a, value: 12abc, source: nope, colour: red}}\n"
        );
        let errs = check(&text).unwrap_err();
        let msgs: Vec<_> = errs.iter().map(|d| d.message.as_str()).collect();
        for m in [
            "unknown unit `yen`",
            "unknown source `nope`",
            "`colour` is not a field of this file",
            "`12abc` is not a quantity",
        ] {
            assert!(msgs.contains(&m), "{msgs:?}");
        }
    }

    #[test]
    fn text_needs_the_default_language_and_language_codes() {
        let text = "title: {zh: 标题, en: Title}\nfields:\n  name: {type: text, label: {zh: 名, en: Name}}\nrows:\n  - {id: a, name: {en: Baidu}}\n";
        let errs = check(text).unwrap_err();
        assert_eq!(errs[0].message, "text has no `zh` version");
        assert_eq!(errs[0].line, 5);
        let text = "title: {zh: 标题, en: Title}\nfields:\n  name: {type: text, label: {zh: 名, en: Name}}\nrows:\n  - {id: a, name: {zh: 百度, EN: Baidu}}\n";
        let errs = check(text).unwrap_err();
        assert_eq!(errs[0].message, "`EN` is not a language code");
        // en falls back to zh; ja (not listed) is kept out.
        let text = "title: {zh: 标题, en: Title}\nfields:\n  name: {type: text, label: {zh: 名, en: Name}}\nrows:\n  - {id: a, name: {zh: 百度, ja: バイドゥ}}\n";
        assert!(check(text).is_ok());
    }

    #[test]
    fn external_source_needs_date_and_http_url() {
        let text = "title: {zh: 标题, en: Title}\nsources:\n  x: {kind: external, publisher: P, title: T, date: May 2024, url: www.x.com}\nfields:\n  value: {type: quantity, unit: cny, label: {zh: 值, en: Value}}\nrows: []\n";
        let errs = check(text).unwrap_err();
        let msgs: Vec<_> = errs.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "source `date` is not a date",
                "source `url` must be an http(s) address"
            ]
        );
    }

    #[test]
    fn references_inside_texts_resolve_to_rows() {
        let text = format!(
            "{HEAD}  note: {{type: text, label: {{zh: 注, en: Note}}}}\nrows:\n  - {{id: a, value: 1, source: rep}}\n  - {{id: b, note: \"见 {{{{t.a}}}}\"}}\n"
        );
        let (set, _) = check(&text).unwrap();
        let Some(Value::Text(Text::Same(TextItem::One(r)))) = set.rows[1].values.get("note") else {
            panic!("a text");
        };
        assert!(matches!(&r.spans[1], Span::Ref(crate::model::text::Ref::Data(d)) if d.row == 0));
    }

    #[test]
    fn duplicate_row_ids_are_found_in_linear_time() {
        // As many rows as a file may have (the last one a duplicate).
        let mut text = format!("{HEAD}rows:\n");
        for i in 0..crate::input::yaml::MAX_ROWS - 1 {
            text.push_str(&format!("  - {{id: r{i}, value: {i}, source: rep}}\n"));
        }
        text.push_str("  - {id: r7, value: 1, source: rep}\n");
        let errs = check(&text).unwrap_err();
        assert_eq!(errs[0].message, "duplicate row id `r7`");
        assert_eq!(
            errs[0].help.as_deref(),
            Some("row 8 already uses it; ids must be unique in a file")
        );
    }
}
