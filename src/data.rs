//! Data files, `content/data/<id>.yaml`: one subject per file, every figure of the report with its
//! provenance (the report's section, an outside source, or a derivation). Typed and validated here;
//! `{{file.row.field}}` references are resolved against them.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_yaml::{Mapping, Value as Yaml};

use crate::config::{Localized, check_localized, valid_date};
use crate::error::{Diagnostic, SourceFile};
use crate::i18n::Packs;
use crate::quantity::{Quantity, SYNTAX_HELP, Style};
use crate::yaml::{self, Located};

/// Keys a row may have besides its fields.
const ROW_KEYS: &[&str] = &["id", "source", "unit", "text"];

#[derive(Debug, Clone)]
pub struct DataStore {
    pub sets: BTreeMap<String, DataSet>,
    /// Files that exist but failed to load (their errors are already reported).
    pub failed: std::collections::BTreeSet<String>,
}

/// Keys, comma-separated, for messages that list what exists.
pub fn list_keys<V>(map: &BTreeMap<String, V>) -> String {
    map.keys()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Debug, Clone)]
pub struct DataSet {
    pub id: String,
    pub file: SourceFile,
    pub loc: Located,
    pub title: Localized,
    pub notes: Option<Localized>,
    /// Sources in file order.
    pub sources: Vec<(String, Provenance)>,
    /// Fields in file order.
    pub fields: Vec<(String, Field)>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    Text,
    Quantity,
    Year,
    Date,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    #[serde(rename = "type")]
    pub kind: FieldKind,
    pub label: Localized,
    /// Default unit of a quantity field (a row may override it with `unit:`).
    #[serde(default)]
    pub unit: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    /// Position in `rows`, for locating errors.
    pub index: usize,
    /// Source id: the row's own or the file's default.
    pub source: Option<String>,
    pub unit: Option<String>,
    /// How the value reads in prose for some languages (`{zh: 千亿}`).
    pub text: Option<Localized>,
    pub values: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(Text),
    Quantity(Quantity),
    Year(i32),
    Date(String),
}

/// Text in a data file: the same in every language, or per language; a string or a list.
#[derive(Debug, Clone, PartialEq)]
pub enum Text {
    Same(TextItem),
    PerLang(BTreeMap<String, TextItem>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum TextItem {
    One(String),
    List(Vec<String>),
}

impl Text {
    pub fn get(&self, lang: &str) -> Option<&TextItem> {
        match self {
            Text::Same(t) => Some(t),
            Text::PerLang(m) => m.get(lang),
        }
    }

    /// The text in `lang` as one string (list items joined by "; ").
    pub fn joined(&self, lang: &str) -> String {
        match self.get(lang) {
            Some(TextItem::One(s)) => s.clone(),
            Some(TextItem::List(v)) => v.join("; "),
            None => String::new(),
        }
    }
}

/// Where a figure comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Provenance {
    /// Printed in the report, at `<page key>#<heading id>`.
    Report { section: String },
    /// An outside public source.
    External {
        publisher: Text,
        title: Text,
        date: String,
        url: Option<String>,
    },
    /// Computed from other sources of the same file.
    Derived {
        from: Vec<String>,
        method: Localized,
    },
}

impl Provenance {
    pub fn kind(&self) -> SourceKind {
        match self {
            Provenance::Report { .. } => SourceKind::Report,
            Provenance::External { .. } => SourceKind::External,
            Provenance::Derived { .. } => SourceKind::Derived,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SourceKind {
    Report,
    External,
    Derived,
}

impl SourceKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            SourceKind::Report => "report",
            SourceKind::External => "external",
            SourceKind::Derived => "derived",
        }
    }

    /// The UI string naming this kind to readers ("from the report", "outside source", …).
    pub fn label_key(self) -> &'static str {
        match self {
            SourceKind::Report => "kind_report",
            SourceKind::External => "kind_external",
            SourceKind::Derived => "kind_derived",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    title: Localized,
    #[serde(default)]
    notes: Option<Localized>,
    /// Default source id for rows without one.
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    sources: Mapping,
    fields: Mapping,
    rows: Vec<Mapping>,
}

impl DataSet {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, f)| f)
    }

    /// Row ids, comma-separated, for messages.
    pub fn row_ids(&self) -> String {
        self.rows
            .iter()
            .map(|r| r.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Field names, comma-separated, for messages.
    pub fn field_names(&self) -> String {
        self.fields
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn row(&self, id: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.id == id)
    }

    pub fn source(&self, id: &str) -> Option<&Provenance> {
        self.sources.iter().find(|(n, _)| n == id).map(|(_, p)| p)
    }

    /// Where a row's figures come from; the report's own when the row names no source.
    pub fn kind_of(&self, row: &Row) -> SourceKind {
        row.source
            .as_deref()
            .and_then(|s| self.source(s))
            .map_or(SourceKind::Report, Provenance::kind)
    }

    /// The unit of a quantity in `row` under `field`.
    pub fn unit_of<'a>(&'a self, row: &'a Row, field: &str) -> Option<&'a str> {
        row.unit
            .as_deref()
            .or_else(|| self.field(field).and_then(|f| f.unit.as_deref()))
    }

    /// Error at a node of this file.
    pub fn error(&self, path: &str, message: impl Into<String>) -> Diagnostic {
        self.loc.error(&self.file, path, message)
    }
}

/// Loads every `content/data/*.yaml`. `packs` tells which units exist.
pub fn load(
    root: &Path,
    languages: &[String],
    packs: &Packs,
    problems: &mut Vec<Diagnostic>,
) -> DataStore {
    let mut sets = BTreeMap::new();
    let mut failed = std::collections::BTreeSet::new();
    for (id, file) in read_yaml_dir(root, "content/data", problems) {
        if !valid_id(&id) {
            problems.push(Diagnostic::error(&file.path, format!("data file name `{id}` cannot be referenced")).help(
                "rename it with lowercase letters, digits, `_` and `-` (it is used as `{{name.row}}`)",
            ));
            continue;
        }
        match parse_set(id.clone(), file, languages, packs, problems) {
            Some(set) => {
                sets.insert(id, set);
            }
            None => {
                failed.insert(id);
            }
        }
    }
    DataStore { sets, failed }
}

/// The `*.yaml` files of a folder under the site root, read: (file stem, file). A file that
/// cannot be read is reported and skipped.
pub fn read_yaml_dir(
    root: &Path,
    rel_dir: &str,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(String, SourceFile)> {
    let mut out = Vec::new();
    for path in yaml_files(&root.join(rel_dir)) {
        let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        let id = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        match std::fs::read_to_string(&path) {
            Ok(text) => out.push((id, SourceFile::new(rel, text))),
            Err(e) => problems.push(Diagnostic::error(
                &rel,
                format!("cannot read this file: {e}"),
            )),
        }
    }
    out
}

/// `*.yaml` / `*.yml` files directly in `dir`, sorted.
pub fn yaml_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
        })
        .collect();
    files.sort();
    files
}

pub fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

fn parse_set(
    id: String,
    file: SourceFile,
    languages: &[String],
    packs: &Packs,
    problems: &mut Vec<Diagnostic>,
) -> Option<DataSet> {
    let (raw, loc) = match yaml::parse::<RawFile>(&file, &file.text, 0) {
        Ok(v) => v,
        Err(d) => {
            problems.push(d);
            return None;
        }
    };
    let start = problems.len();
    check_localized(&raw.title, "title", languages, &loc, &file, problems);
    if let Some(notes) = &raw.notes {
        check_localized(notes, "notes", languages, &loc, &file, problems);
    }

    let mut sources = Vec::new();
    for (key, value) in &raw.sources {
        let Some(name) = key.as_str() else { continue };
        let path = format!("sources.{name}");
        match parse_source(value, &path, languages, &loc, &file, problems) {
            Some(p) => sources.push((name.to_string(), p)),
            None => continue,
        }
    }
    let source_ids: Vec<&str> = sources.iter().map(|(n, _)| n.as_str()).collect();
    for (name, p) in &sources {
        if let Provenance::Derived { from, .. } = p {
            for (i, f) in from.iter().enumerate() {
                if !source_ids.contains(&f.as_str()) {
                    problems.push(
                        loc.error(
                            &file,
                            &format!("sources.{name}.from.{i}"),
                            format!("unknown source `{f}`"),
                        )
                        .help(format!(
                            "a derivation names sources of this file: {}",
                            source_ids.join(", ")
                        )),
                    );
                }
            }
        }
    }
    if let Some(default) = &raw.source {
        if !source_ids.contains(&default.as_str()) {
            problems.push(
                loc.error(&file, "source", format!("unknown source `{default}`"))
                    .help(help_choose("sources defined under `sources:`", &source_ids)),
            );
        }
    }

    let mut fields = Vec::new();
    for (key, value) in &raw.fields {
        let Some(name) = key.as_str() else { continue };
        let path = format!("fields.{name}");
        if ROW_KEYS.contains(&name) {
            problems.push(
                loc.key_error(&file, &path, format!("`{name}` cannot be a field name"))
                    .help(format!(
                        "{} are reserved row keys; rename the field",
                        ROW_KEYS.join(", ")
                    )),
            );
            continue;
        }
        match serde_yaml::from_value::<Field>(value.clone()) {
            Ok(field) => {
                check_localized(
                    &field.label,
                    &format!("{path}.label"),
                    languages,
                    &loc,
                    &file,
                    problems,
                );
                if let Some(unit) = &field.unit {
                    check_unit(unit, &format!("{path}.unit"), packs, &loc, &file, problems);
                }
                fields.push((name.to_string(), field));
            }
            Err(e) => problems.push(serde_error(&e, &path, &loc, &file)),
        }
    }

    let mut rows: Vec<Row> = Vec::new();
    for (index, map) in raw.rows.iter().enumerate() {
        let path = format!("rows.{index}");
        let mut row = Row {
            id: String::new(),
            index,
            source: raw.source.clone(),
            unit: None,
            text: None,
            values: BTreeMap::new(),
        };
        for (key, value) in map {
            let Some(k) = key.as_str() else { continue };
            let vpath = format!("{path}.{k}");
            match k {
                "id" => match scalar_string(value) {
                    Some(s) if valid_id(&s) => row.id = s,
                    _ => problems.push(
                        loc.error(
                            &file,
                            &vpath,
                            "row id must be lowercase letters, digits, `_` or `-`",
                        )
                        .help("ids are used in references: `{{file.row}}`"),
                    ),
                },
                "source" => match value.as_str() {
                    Some(s) if source_ids.contains(&s) => row.source = Some(s.to_string()),
                    Some(s) => problems.push(
                        loc.error(&file, &vpath, format!("unknown source `{s}`"))
                            .help(help_choose("sources defined under `sources:`", &source_ids)),
                    ),
                    None => problems.push(loc.error(&file, &vpath, "`source` must be a source id")),
                },
                "unit" => match value.as_str() {
                    Some(u) => {
                        check_unit(u, &vpath, packs, &loc, &file, problems);
                        row.unit = Some(u.to_string());
                    }
                    None => problems.push(loc.error(&file, &vpath, "`unit` must be a unit name")),
                },
                "text" => match serde_yaml::from_value::<Localized>(value.clone()) {
                    Ok(t) => {
                        for lang in t.keys().filter(|l| !languages.contains(l)) {
                            problems.push(loc.key_error(
                                &file,
                                &format!("{vpath}.{lang}"),
                                format!("unknown language `{lang}`"),
                            ));
                        }
                        row.text = Some(t);
                    }
                    Err(_) => problems.push(
                        loc.error(&file, &vpath, "`text` must map languages to text")
                            .help("e.g. `text: {zh: 千亿}`"),
                    ),
                },
                _ => {
                    let Some((_, field)) = fields.iter().find(|(n, _)| n == k) else {
                        let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
                        problems.push(
                            loc.key_error(
                                &file,
                                &vpath,
                                format!("`{k}` is not a field of this file"),
                            )
                            .help(format!(
                                "declare it under `fields:`, or use one of: {}",
                                names.join(", ")
                            )),
                        );
                        continue;
                    };
                    match parse_value(field.kind, value, languages) {
                        Ok(v) => {
                            row.values.insert(k.to_string(), v);
                        }
                        Err((msg, help)) => problems.push(loc.error(&file, &vpath, msg).help(help)),
                    }
                }
            }
        }
        if row.id.is_empty() {
            if !map.contains_key("id") {
                problems.push(
                    loc.error(&file, &path, "row has no `id`")
                        .help("add `id: <name>`; references use it"),
                );
            }
            continue;
        }
        if let Some(first) = rows.iter().find(|r| r.id == row.id) {
            problems.push(
                loc.error(
                    &file,
                    &format!("{path}.id"),
                    format!("duplicate row id `{}`", row.id),
                )
                .help(format!(
                    "row {} already uses it; ids must be unique in a file",
                    first.index + 1
                )),
            );
        }
        let has_quantity = row.values.values().any(|v| matches!(v, Value::Quantity(_)));
        if has_quantity && row.source.is_none() {
            problems.push(
                loc.error(&file, &path, format!("row `{}` has a figure but no source", row.id)).help(format!(
                    "every figure needs its provenance: add `source: <id>` naming one of {}, or a file-level `source:`",
                    if source_ids.is_empty() { "the `sources:` you define".to_string() } else { source_ids.join(", ") }
                )),
            );
        }
        for (name, value) in &row.values {
            if matches!(value, Value::Quantity(_)) {
                let has_unit =
                    row.unit.is_some() || fields.iter().any(|(n, f)| n == name && f.unit.is_some());
                if !has_unit {
                    problems.push(
                        loc.error(&file, &format!("{path}.{name}"), format!("quantity `{name}` has no unit"))
                            .help("give the field a `unit:` or the row a `unit:` (cny, percent, count, …)"),
                    );
                }
            }
        }
        rows.push(row);
    }
    if problems.len() > start {
        return None;
    }
    Some(DataSet {
        id,
        file,
        loc,
        title: raw.title,
        notes: raw.notes,
        sources,
        fields,
        rows,
    })
}

fn help_choose(what: &str, ids: &[&str]) -> String {
    if ids.is_empty() {
        format!("this file has no {what}; define one first")
    } else {
        format!("use one of the {what}: {}", ids.join(", "))
    }
}

fn check_unit(
    unit: &str,
    path: &str,
    packs: &Packs,
    loc: &Located,
    file: &SourceFile,
    out: &mut Vec<Diagnostic>,
) {
    if let Some((lang, pack)) = packs
        .by_lang
        .iter()
        .find(|(_, p)| !p.units.contains_key(unit))
    {
        out.push(
            loc.error(file, path, format!("unknown unit `{unit}`"))
                .help(format!(
                    "units come from templates/i18n/{lang}.yaml: {}",
                    list_keys(&pack.units)
                )),
        );
    }
}

fn serde_error(e: &serde_yaml::Error, path: &str, loc: &Located, file: &SourceFile) -> Diagnostic {
    let msg = e.to_string();
    // Errors from an already-parsed value carry no position: point at the offending key if named.
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        if let Some(name) = rest.split('`').next() {
            let (l, c) = loc.key(&format!("{path}.{name}"));
            return file
                .error_at_line(l, c, msg.clone())
                .help("remove or rename this key");
        }
    }
    loc.error(file, path, msg)
}

fn scalar_string(v: &Yaml) -> Option<String> {
    match v {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn parse_text(v: &Yaml, languages: &[String]) -> Result<Text, (String, String)> {
    let item = |v: &Yaml| -> Option<TextItem> {
        match v {
            Yaml::Sequence(items) => items
                .iter()
                .map(scalar_string)
                .collect::<Option<Vec<_>>>()
                .map(TextItem::List),
            other => scalar_string(other).map(TextItem::One),
        }
    };
    match v {
        Yaml::Mapping(m) => {
            let mut per = BTreeMap::new();
            for (k, v) in m {
                let lang = k.as_str().unwrap_or_default().to_string();
                if !languages.contains(&lang) {
                    return Err((
                        format!("unknown language `{lang}` in text"),
                        format!("the site's languages are {}", languages.join(", ")),
                    ));
                }
                let Some(t) = item(v) else {
                    return Err((
                        format!("`{lang}` text must be a string or a list of strings"),
                        String::new(),
                    ));
                };
                per.insert(lang, t);
            }
            if let Some(missing) = languages.iter().find(|l| !per.contains_key(*l)) {
                return Err((
                    format!("text has no `{missing}` version"),
                    format!("add `{missing}: …`, or write one string for all languages"),
                ));
            }
            Ok(Text::PerLang(per))
        }
        other => item(other).map(Text::Same).ok_or_else(|| {
            (
                "expected text, a list of texts, or one per language".to_string(),
                "e.g. `vendor: {zh: 百度, en: Baidu}`".to_string(),
            )
        }),
    }
}

fn parse_value(kind: FieldKind, v: &Yaml, languages: &[String]) -> Result<Value, (String, String)> {
    match kind {
        FieldKind::Text => parse_text(v, languages).map(Value::Text),
        FieldKind::Quantity => {
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
                Some(t) if t.trim_end().ends_with('%') => "write the number without `%`: the unit `percent` adds the sign (`value: 28`)".to_string(),
                Some(t) if t.contains('亿') || t.contains('万') => "write the amount in base units: 157亿 is `15700000000` (the unit formats it back)".to_string(),
                _ => SYNTAX_HELP.to_string(),
            };
            q.map(Value::Quantity).map_err(|m| (m, help))
        }
        FieldKind::Year => match v.as_i64() {
            Some(y) if (1000..=9999).contains(&y) => Ok(Value::Year(y as i32)),
            _ => Err((
                "expected a four-digit year".into(),
                "e.g. `year: 2024`".into(),
            )),
        },
        FieldKind::Date => match v.as_str() {
            Some(d) if valid_date(d) => Ok(Value::Date(d.to_string())),
            _ => Err((
                "expected a date".into(),
                "write YYYY-MM-DD (or YYYY-MM) in quotes, e.g. `date: \"2024-05-15\"`".into(),
            )),
        },
    }
}

fn parse_source(
    v: &Yaml,
    path: &str,
    languages: &[String],
    loc: &Located,
    file: &SourceFile,
    out: &mut Vec<Diagnostic>,
) -> Option<Provenance> {
    let Some(map) = v.as_mapping() else {
        out.push(loc.error(file, path, "a source is a mapping with a `kind`").help(
            "e.g. `{kind: report, section: status#price-cuts}`, or kind `external` / `derived`",
        ));
        return None;
    };
    let get = |k: &str| map.get(Yaml::String(k.into()));
    let allowed: &[&str] = match get("kind").and_then(Yaml::as_str) {
        Some("report") => &["kind", "section"],
        Some("external") => &["kind", "publisher", "title", "date", "url"],
        Some("derived") => &["kind", "from", "method"],
        other => {
            let found = other.map_or("nothing".to_string(), |k| format!("`{k}`"));
            out.push(
                loc.error(file, &format!("{path}.kind"), format!("source kind must be report, external or derived, found {found}"))
                    .help("report: printed in the report; external: an outside public source; derived: computed from other sources"),
            );
            return None;
        }
    };
    let before = out.len();
    for key in map.keys().filter_map(Yaml::as_str) {
        if !allowed.contains(&key) {
            out.push(
                loc.key_error(
                    file,
                    &format!("{path}.{key}"),
                    format!("unknown key `{key}` in a source"),
                )
                .help(format!("this kind of source takes: {}", allowed.join(", "))),
            );
        }
    }
    let mut need = |key: &str, help: &str| -> Option<&Yaml> {
        let v = get(key);
        if v.is_none() {
            out.push(
                loc.error(file, path, format!("source has no `{key}`"))
                    .help(help.to_string()),
            );
        }
        v
    };
    let prov = match get("kind").and_then(Yaml::as_str) {
        Some("report") => {
            let section = need(
                "section",
                "name where the report prints the figure: `section: <page>#<heading-id>`",
            )?;
            match section.as_str() {
                Some(s) if s.contains('#') => Provenance::Report {
                    section: s.to_string(),
                },
                _ => {
                    out.push(
                        loc.error(file, &format!("{path}.section"), "`section` must be `<page>#<heading-id>`")
                            .help("e.g. `section: status#price-cuts` (the page's file name, then the heading's id)"),
                    );
                    return None;
                }
            }
        }
        Some("external") => {
            let publisher = need("publisher", "name who published the figure")?.clone();
            let title = need("title", "give the title of the page or document")?.clone();
            let date = need("date", "give the publication date, `date: \"2024-05-15\"`")?.clone();
            let url = get("url").cloned();
            let mut text = |v: &Yaml, key: &str| match parse_text(v, languages) {
                Ok(t) => Some(t),
                Err((m, h)) => {
                    out.push(loc.error(file, &format!("{path}.{key}"), m).help(h));
                    None
                }
            };
            let publisher = text(&publisher, "publisher");
            let title = text(&title, "title");
            let date = match date.as_str() {
                Some(d) if valid_date(d) => Some(d.to_string()),
                _ => {
                    out.push(
                        loc.error(file, &format!("{path}.date"), "source `date` is not a date")
                            .help("write YYYY-MM-DD (or YYYY-MM) in quotes"),
                    );
                    None
                }
            };
            let url = match url.as_ref().map(|u| u.as_str()) {
                None => None,
                Some(Some(u)) if u.starts_with("https://") || u.starts_with("http://") => {
                    Some(u.to_string())
                }
                Some(_) => {
                    out.push(
                        loc.error(
                            file,
                            &format!("{path}.url"),
                            "source `url` must be an http(s) address",
                        )
                        .help("give the full address, or leave `url` out when the source has none"),
                    );
                    None
                }
            };
            Provenance::External {
                publisher: publisher?,
                title: title?,
                date: date?,
                url,
            }
        }
        _ => {
            let from = need(
                "from",
                "list the sources it is computed from: `from: [report_market]`",
            )?;
            let from: Vec<String> = match from.as_sequence() {
                Some(items) => items
                    .iter()
                    .filter_map(|i| i.as_str().map(String::from))
                    .collect(),
                None => {
                    out.push(loc.error(
                        file,
                        &format!("{path}.from"),
                        "`from` must be a list of source ids",
                    ));
                    return None;
                }
            };
            let method = need("method", "say how the value was derived, in every language")?;
            let method: Localized = match serde_yaml::from_value(method.clone()) {
                Ok(m) => m,
                Err(_) => {
                    out.push(loc.error(
                        file,
                        &format!("{path}.method"),
                        "`method` must map languages to text",
                    ));
                    return None;
                }
            };
            check_localized(
                &method,
                &format!("{path}.method"),
                languages,
                loc,
                file,
                out,
            );
            Provenance::Derived { from, method }
        }
    };
    (out.len() == before).then_some(prov)
}

/// A parsed `{{file.row.field|format}}` reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefFormat {
    /// With unit, as prose.
    Prose,
    /// The bare number.
    Number,
}

#[derive(Debug, Clone)]
pub struct Resolved<'a> {
    pub set: &'a DataSet,
    pub row: &'a Row,
    pub field: &'a str,
    pub value: &'a Value,
    pub format: RefFormat,
}

impl DataStore {
    /// Resolves `file.row`, `file.row.field`, optionally followed by `|num`.
    /// Errors are (message, help).
    pub fn resolve(&self, spec: &str) -> Result<Resolved<'_>, (String, String)> {
        let spec = spec.trim();
        let (path, format) = match spec.split_once('|') {
            None => (spec, RefFormat::Prose),
            Some((p, "num")) => (p.trim(), RefFormat::Number),
            Some((_, f)) => {
                return Err((
                    format!("unknown format `{}` in `{{{{{spec}}}}}`", f.trim()),
                    "the only format is `|num` (the number without unit)".into(),
                ));
            }
        };
        let parts: Vec<&str> = path.split('.').collect();
        let (file, row, field) = match parts.as_slice() {
            [f, r] => (*f, *r, None),
            [f, r, fld] => (*f, *r, Some(*fld)),
            _ => {
                return Err((
                    format!("`{{{{{spec}}}}}` is not a data reference"),
                    "write `{{file.row}}` or `{{file.row.field}}`, e.g. `{{market_size.2024}}`"
                        .into(),
                ));
            }
        };
        if self.failed.contains(file) {
            return Err((crate::error::ALREADY_REPORTED.into(), String::new()));
        }
        let set = self.sets.get(file).ok_or_else(|| {
            (
                format!("unknown data file `{file}` in `{{{{{spec}}}}}`"),
                format!("data files: {}", list_keys(&self.sets)),
            )
        })?;
        let row = set.row(row).ok_or_else(|| {
            (
                format!("data file `{file}` has no row `{row}`"),
                format!("rows: {}", set.row_ids()),
            )
        })?;
        let field = match field {
            Some(f) => f,
            None if row.values.contains_key("value") => "value",
            None => {
                return Err((
                    format!("row `{file}.{}` has no `value`; name the field", row.id),
                    format!(
                        "write `{{{{{file}.{}.<field>}}}}` with one of: {}",
                        row.id,
                        list_keys(&row.values)
                    ),
                ));
            }
        };
        let (field, value) = row.values.get_key_value(field).ok_or_else(|| {
            (
                format!("row `{file}.{}` has no field `{field}`", row.id),
                format!("fields of this row: {}", list_keys(&row.values)),
            )
        })?;
        Ok(Resolved {
            set,
            row,
            field,
            value,
            format,
        })
    }
}

impl Resolved<'_> {
    /// The provenance of this value (rows with figures always have one).
    pub fn provenance(&self) -> Option<(&str, &Provenance)> {
        let id = self.row.source.as_deref()?;
        self.set.source(id).map(|p| (id, p))
    }

    /// The value as it reads in prose in `lang`. Text values may hold references themselves; the
    /// caller expands those.
    pub fn text(&self, lang: &str, packs: &Packs) -> String {
        let pack = packs.get(lang);
        match self.value {
            Value::Quantity(q) => {
                if self.format == RefFormat::Number {
                    return pack.number(q.lo, 6);
                }
                if let Some(t) = self.row.text.as_ref().and_then(|t| t.get(lang)) {
                    return t.clone();
                }
                match self
                    .set
                    .unit_of(self.row, self.field)
                    .and_then(|u| pack.units.get(u))
                {
                    Some(unit) => q.format(unit, pack, Style::Prose),
                    None => pack.number(q.lo, 6),
                }
            }
            Value::Text(t) => t.joined(lang),
            Value::Year(y) => y.to_string(),
            Value::Date(d) => d.clone(),
        }
    }

    /// Machine-readable value for `<data value>`.
    pub fn machine_value(&self) -> Option<String> {
        match self.value {
            Value::Quantity(q) => Some(match q.hi {
                Some(hi) => format!("{}-{}", q.lo, hi),
                None => q.lo.to_string(),
            }),
            Value::Year(y) => Some(y.to_string()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packs() -> Packs {
        let mut by_lang = BTreeMap::new();
        for (l, t) in [
            ("zh", include_str!("../templates/i18n/zh.yaml")),
            ("en", include_str!("../templates/i18n/en.yaml")),
        ] {
            by_lang.insert(l.to_string(), serde_yaml::from_str(t).unwrap());
        }
        Packs { by_lang }
    }

    fn parse(text: &str) -> Result<DataSet, Vec<Diagnostic>> {
        let langs = vec!["zh".to_string(), "en".to_string()];
        let mut problems = Vec::new();
        let set = parse_set(
            "t".into(),
            SourceFile::new("content/data/t.yaml", text),
            &langs,
            &packs(),
            &mut problems,
        );
        match set {
            Some(s) if problems.is_empty() => Ok(s),
            _ => Err(problems),
        }
    }

    const HEAD: &str = "title: {zh: 标题, en: Title}\nsources:\n  rep: {kind: report, section: status#x}\nfields:\n  value: {type: quantity, unit: cny, label: {zh: 值, en: Value}}\n";

    #[test]
    fn valid_file_and_reference() {
        let set = parse(&format!(
            "{HEAD}rows:\n  - {{id: a, value: 15700000000, source: rep}}\n"
        ))
        .unwrap();
        let store = DataStore {
            sets: BTreeMap::from([("t".to_string(), set)]),
            failed: Default::default(),
        };
        let r = store.resolve("t.a").unwrap();
        assert_eq!(r.text("zh", &packs()), "157亿元");
        assert_eq!(r.text("en", &packs()), "CNY 15.7 billion");
        assert_eq!(r.provenance().unwrap().0, "rep");
        assert_eq!(
            store.resolve("t.a|num").unwrap().text("en", &packs()),
            "15,700,000,000"
        );
        assert_eq!(
            store.resolve("t.a|num").unwrap().text("zh", &packs()),
            "15700000000"
        );
    }

    #[test]
    fn figure_without_source_is_refused_with_position() {
        let errs = parse(&format!("{HEAD}rows:\n  - id: a\n    value: 5\n")).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].message, "row `a` has a figure but no source");
        assert_eq!((errs[0].line, errs[0].column), (7, 5));
    }

    #[test]
    fn unknown_source_unit_field_and_bad_quantity_all_reported() {
        let text = format!(
            "{HEAD}  other: {{type: quantity, unit: yen, label: {{zh: a, en: b}}}}\nrows:\n  - {{id: a, value: 12abc, source: nope, colour: red}}\n"
        );
        let errs = parse(&text).unwrap_err();
        let msgs: Vec<_> = errs.iter().map(|d| d.message.as_str()).collect();
        assert!(msgs.contains(&"unknown unit `yen`"), "{msgs:?}");
        assert!(msgs.contains(&"unknown source `nope`"), "{msgs:?}");
        assert!(
            msgs.contains(&"`colour` is not a field of this file"),
            "{msgs:?}"
        );
        assert!(msgs.contains(&"`12abc` is not a quantity"), "{msgs:?}");
    }

    #[test]
    fn bad_references_explain_themselves() {
        let set = parse(&format!(
            "{HEAD}rows:\n  - {{id: a, value: 1, source: rep}}\n"
        ))
        .unwrap();
        let store = DataStore {
            sets: BTreeMap::from([("t".to_string(), set)]),
            failed: Default::default(),
        };
        assert_eq!(
            store.resolve("u.a").unwrap_err().0,
            "unknown data file `u` in `{{u.a}}`"
        );
        assert_eq!(
            store.resolve("t.b").unwrap_err().0,
            "data file `t` has no row `b`"
        );
        assert_eq!(
            store.resolve("t.a.x").unwrap_err().0,
            "row `t.a` has no field `x`"
        );
        assert_eq!(
            store.resolve("t.a|pct").unwrap_err().0,
            "unknown format `pct` in `{{t.a|pct}}`"
        );
        assert_eq!(
            store.resolve("t").unwrap_err().0,
            "`{{t}}` is not a data reference"
        );
    }

    #[test]
    fn text_needs_every_language() {
        let text = "title: {zh: 标题, en: Title}\nfields:\n  name: {type: text, label: {zh: 名, en: Name}}\nrows:\n  - {id: a, name: {zh: 百度}}\n";
        let errs = parse(text).unwrap_err();
        assert_eq!(errs[0].message, "text has no `en` version");
        assert_eq!(errs[0].line, 5);
    }

    #[test]
    fn external_source_needs_date_and_http_url() {
        let text = "title: {zh: 标题, en: Title}\nsources:\n  x: {kind: external, publisher: P, title: T, date: May 2024, url: www.x.com}\nfields:\n  value: {type: quantity, unit: cny, label: {zh: 值, en: Value}}\nrows: []\n";
        let errs = parse(text).unwrap_err();
        let msgs: Vec<_> = errs.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "source `date` is not a date",
                "source `url` must be an http(s) address"
            ]
        );
    }
}
