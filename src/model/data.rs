//! Data sets as the checked site holds them: typed fields and rows, every figure's provenance
//! resolved to a source of the site, every text's references resolved.

use std::collections::{BTreeMap, HashMap};

use crate::model::quantity::Quantity;
use crate::model::text::{Localized, Rich};

/// One data file, `content/data/<id>.yaml`.
#[derive(Debug, Clone)]
pub struct DataSet {
    pub id: String,
    pub title: Localized<Rich>,
    pub notes: Option<Localized<Rich>>,
    /// The sources the file defines, as indexes into the site's sources, in file order.
    pub sources: Vec<usize>,
    /// The shared sources (`content/sources.yaml`, `.json`) the file names, in order of first
    /// use.
    pub shared: Vec<usize>,
    /// Fields in file order.
    pub fields: Vec<(String, Field)>,
    pub rows: Vec<Row>,
    pub row_index: HashMap<String, usize>,
    /// Hash of the file's text: what a preview's cache compares.
    pub fingerprint: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    Text,
    Quantity,
    Year,
    Date,
}

impl FieldKind {
    pub fn name(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Quantity => "quantity",
            FieldKind::Year => "year",
            FieldKind::Date => "date",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Field {
    pub kind: FieldKind,
    pub label: Localized,
    /// Default unit of a quantity field (a row may override it).
    pub unit: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    /// Index into the site's sources: the row's own or the file's default.
    pub source: Option<usize>,
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
    One(Rich),
    List(Vec<Rich>),
}

impl Text {
    /// The text in `lang`, or in the default language `fallback` where `lang` has none.
    pub fn get(&self, lang: &str, fallback: &str) -> Option<&TextItem> {
        match self {
            Text::Same(t) => Some(t),
            Text::PerLang(m) => m.get(lang).or_else(|| m.get(fallback)),
        }
    }

    /// The texts of every language, each list item on its own.
    pub fn riches(&self) -> Vec<&Rich> {
        let items: Vec<&TextItem> = match self {
            Text::Same(i) => vec![i],
            Text::PerLang(m) => m.values().collect(),
        };
        items
            .into_iter()
            .flat_map(|i| match i {
                TextItem::One(r) => vec![r],
                TextItem::List(v) => v.iter().collect(),
            })
            .collect()
    }

    /// `fallback` when [`Text::get`] gives its text because `lang` has none.
    pub fn fell_back<'a>(&self, lang: &str, fallback: &'a str) -> Option<&'a str> {
        match self {
            Text::Same(_) => None,
            Text::PerLang(m) => {
                (!m.contains_key(lang) && m.contains_key(fallback)).then_some(fallback)
            }
        }
    }
}

/// Where figures come from; the site keeps one list of them: the shared sources first
/// (`content/sources.yaml`, then `content/sources.json`), then each data file's own.
#[derive(Debug, Clone)]
pub struct Source {
    /// Its id in that file (a shared source's key).
    pub id: String,
    pub provenance: Provenance,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Provenance {
    /// Printed in the report, at a heading of a page.
    Report { page: String, anchor: String },
    /// An outside public source.
    External {
        publisher: Text,
        title: Text,
        /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; empty when a CSL-JSON entry has no date.
        date: String,
        url: Option<String>,
        /// The whole CSL-JSON entry, when the source comes from `content/sources.json`: the
        /// citation engine formats it with every field it has (authors, journal, DOI…).
        item: Option<serde_json::Value>,
    },
    /// Computed from other sources (indexes into the site's sources).
    Derived {
        from: Vec<usize>,
        method: Localized<Rich>,
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

    /// `page#anchor` of a report source, as editors write it.
    pub fn section(&self) -> Option<String> {
        match self {
            Provenance::Report { page, anchor } => Some(format!("{page}#{anchor}")),
            _ => None,
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
    pub const ALL: [SourceKind; 3] = [
        SourceKind::Report,
        SourceKind::External,
        SourceKind::Derived,
    ];

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

impl DataSet {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, f)| f)
    }

    /// The names of its fields, in order.
    pub fn field_names(&self) -> Vec<String> {
        self.fields.iter().map(|(n, _)| n.clone()).collect()
    }

    /// The rows at these positions (a chart's or a table block's), in that order.
    pub fn rows_at(&self, positions: &[usize]) -> Vec<&Row> {
        positions.iter().map(|&r| &self.rows[r]).collect()
    }

    /// The unit of a quantity in `row` under `field`.
    pub fn unit_of<'a>(&'a self, row: &'a Row, field: &str) -> Option<&'a str> {
        row.unit
            .as_deref()
            .or_else(|| self.field(field).and_then(|f| f.unit.as_deref()))
    }

    /// The unit shared by all rows of a column that have a quantity there, if they share one.
    pub fn column_unit<'a>(&'a self, rows: &[&'a Row], field: &str) -> Option<&'a str> {
        let mut units = rows
            .iter()
            .filter(|r| matches!(r.values.get(field), Some(Value::Quantity(_))))
            .map(|r| self.unit_of(r, field));
        let first = units.next()??;
        units.all(|u| u == Some(first)).then_some(first)
    }

    /// Does any row hold a figure?
    pub fn has_quantities(&self) -> bool {
        self.rows
            .iter()
            .any(|r| r.values.values().any(|v| matches!(v, Value::Quantity(_))))
    }
}

impl Row {
    pub fn quantity(&self, field: &str) -> Option<Quantity> {
        match self.values.get(field) {
            Some(Value::Quantity(q)) => Some(*q),
            _ => None,
        }
    }
}
