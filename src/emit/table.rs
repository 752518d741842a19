//! The tidy table behind every download: one line per figure (a row's quantity in one field),
//! with the row's texts beside it, the value in base units at full precision, how it is shown,
//! its unit and qualifier, and where it comes from, all as plain text. The CSV files (one per
//! language, and one language-neutral for tools), the JSON `records` and `datapackage.json`
//! are written from this one table, so they cannot disagree.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::model::chart::Chart;
use crate::model::data::{DataSet, Provenance, Row, Value};
use crate::model::quantity::{Quantity, Style};
use crate::model::site::Site;

/// A column: its machine name (the neutral CSV's header, the JSON key, the Table Schema name),
/// its header per language, and its Table Schema type.
#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub header: BTreeMap<String, String>,
    /// Table Schema type: `string`, `number` or `year`.
    pub kind: &'static str,
    /// A text given per language: the neutral CSV has one column per language (`name_zh`).
    pub localized: bool,
    /// What the column holds, in English (the Table Schema `description`).
    pub description: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Number(f64),
    Year(i32),
    /// The same in every language (an id, a code, a date, a URL).
    Code(String),
    /// A text per language.
    Text(BTreeMap<String, String>),
    /// A code for tools with a label per language for readers (the source kind).
    Labelled(String, BTreeMap<String, String>),
}

impl Cell {
    /// As written in `lang`'s CSV (`None`: the neutral one, codes instead of labels).
    pub fn in_lang(&self, lang: Option<&str>) -> String {
        match (self, lang) {
            (Cell::Empty, _) => String::new(),
            (Cell::Number(x), _) => number(*x),
            (Cell::Year(y), _) => y.to_string(),
            (Cell::Code(s), _) | (Cell::Labelled(s, _), None) => s.clone(),
            (Cell::Text(t), Some(l)) | (Cell::Labelled(_, t), Some(l)) => {
                t.get(l).cloned().unwrap_or_default()
            }
            (Cell::Text(_), None) => String::new(),
        }
    }
}

/// A number at full precision, never in exponent form: Rust's shortest representation that
/// reads back to the same `f64` (4272145, 15700000000, 0.5).
pub fn number(x: f64) -> String {
    let s = format!("{x}");
    if s == "-0" { "0".into() } else { s }
}

pub struct Table {
    /// The site's languages, default first: the order of the neutral CSV's text columns.
    pub languages: Vec<String>,
    pub columns: Vec<Column>,
    pub lines: Vec<Vec<Cell>>,
}

/// Names of the fixed columns, in order, after the row id and the row's texts.
pub const MEASURE_COLUMNS: [&str; 8] = [
    "field",
    "field_label",
    "value",
    "low",
    "high",
    "qualifier",
    "unit",
    "display",
];
pub const SOURCE_COLUMNS: [&str; 7] = [
    "source",
    "source_kind",
    "source_title",
    "source_publisher",
    "source_date",
    "source_url",
    "source_method",
];

/// What a tidy table is made of: a whole data set, or the rows and fields a chart shows.
#[derive(Clone, Copy)]
pub enum Of<'a> {
    Set(&'a DataSet),
    Chart(&'a Chart),
}

impl Of<'_> {
    /// The folder of its downloads (`data/<id>.csv`, `charts/<id>.csv`).
    pub fn folder(&self) -> &'static str {
        match self {
            Of::Set(_) => "data",
            Of::Chart(_) => "charts",
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Of::Set(set) => &set.id,
            Of::Chart(chart) => &chart.id,
        }
    }
}

/// A data set's or a chart's tidy table with the rows it was made from: its downloads and its
/// data-package resource are written from it.
pub struct Tidy<'a> {
    pub of: Of<'a>,
    /// The data set the rows belong to (the chart's, for a chart).
    pub set: &'a DataSet,
    pub rows: Vec<&'a Row>,
    /// The fields it shows: the set's, or the chart's columns.
    pub fields: Vec<String>,
    pub table: Table,
}

/// Every data set's table, then every chart's, in site order; made in parallel, once per build.
pub fn tables(site: &Site) -> Vec<Tidy<'_>> {
    let ofs: Vec<Of> = site
        .data
        .iter()
        .map(Of::Set)
        .chain(site.charts.iter().map(Of::Chart))
        .collect();
    ofs.into_par_iter()
        .map(|of| {
            let (set, rows, fields): (&DataSet, Vec<&Row>, Vec<String>) = match of {
                Of::Set(set) => (set, set.rows.iter().collect(), set.field_names()),
                Of::Chart(chart) => {
                    let set = &site.data[chart.set];
                    let rows = set.rows_at(&chart.rows);
                    (set, rows, chart.table_fields())
                }
            };
            let table = table(site, set, &rows, &fields);
            Tidy {
                of,
                set,
                rows,
                fields,
                table,
            }
        })
        .collect()
}

/// The tidy table of `rows` restricted to `fields` (a chart's columns, or every field).
pub fn table(site: &Site, set: &DataSet, rows: &[&Row], fields: &[String]) -> Table {
    let langs = site.languages();
    let per_lang = |f: &dyn Fn(&str) -> String| -> BTreeMap<String, String> {
        langs.iter().map(|l| (l.clone(), f(l))).collect()
    };
    let header = |key: &str| per_lang(&|l| site.packs.get(l).string(key).to_string());
    let col = |name: &str, kind: &'static str, localized: bool, description: &str| Column {
        name: name.to_string(),
        header: header(&format!("csv_{name}")),
        kind,
        localized,
        description: description.to_string(),
    };
    let is_quantity = |f: &String| {
        set.field(f)
            .is_some_and(|x| x.kind == crate::model::data::FieldKind::Quantity)
    };
    let texts: Vec<&String> = fields.iter().filter(|f| !is_quantity(f)).collect();
    let measures: Vec<&String> = fields.iter().filter(|f| is_quantity(f)).collect();

    let mut columns = vec![col(
        "row",
        "string",
        false,
        "Id of the row in the data file",
    )];
    for f in &texts {
        let field = set.field(f);
        let kind = match field.map(|x| x.kind) {
            Some(crate::model::data::FieldKind::Year) => "year",
            _ => "string",
        };
        columns.push(Column {
            name: f.to_string(),
            header: per_lang(&|l| {
                field.map_or_else(
                    || f.to_string(),
                    |x| site.string_in(&x.label, l).to_string(),
                )
            }),
            kind,
            localized: matches!(
                field.map(|x| x.kind),
                Some(crate::model::data::FieldKind::Text)
            ),
            description: format!("The row's `{f}`"),
        });
    }
    for (name, kind, localized, description) in [
        (
            "field",
            "string",
            false,
            "Which figure of the row this line holds (a field of the data file)",
        ),
        ("field_label", "string", true, "That field's name"),
        (
            "value",
            "number",
            false,
            "The value in base units (yuan, count, percent points), full precision; empty for a range",
        ),
        ("low", "number", false, "Low end of a range, in base units"),
        (
            "high",
            "number",
            false,
            "High end of a range, in base units",
        ),
        (
            "qualifier",
            "string",
            false,
            "more_than, less_than, at_most, about or range; empty for an exact value",
        ),
        (
            "unit",
            "string",
            false,
            "Unit of value/low/high (cny, percent, count, …; see README)",
        ),
        (
            "display",
            "string",
            true,
            "The value as the report shows it",
        ),
        (
            "source",
            "string",
            false,
            "Id of the row's source in the data file",
        ),
        (
            "source_kind",
            "string",
            false,
            "report, external or derived",
        ),
        (
            "source_title",
            "string",
            true,
            "The report section, the outside document, or what a derivation rests on",
        ),
        ("source_publisher", "string", true, "Who published it"),
        (
            "source_date",
            "string",
            false,
            "When it was published (YYYY, YYYY-MM or YYYY-MM-DD)",
        ),
        ("source_url", "string", false, "Where to read it"),
        (
            "source_method",
            "string",
            true,
            "How a derived value was computed",
        ),
    ] {
        // A data set without figures (a glossary) has no measure columns.
        if measures.is_empty() && MEASURE_COLUMNS.contains(&name) {
            continue;
        }
        columns.push(col(name, kind, localized, description));
    }

    let mut lines = Vec::new();
    for row in rows {
        let mut head = vec![Cell::Code(row.id.clone())];
        for f in &texts {
            head.push(match row.values.get(*f) {
                None => Cell::Empty,
                Some(Value::Text(t)) => Cell::Text(per_lang(&|l| site.text(t, l))),
                Some(Value::Year(y)) => Cell::Year(*y),
                Some(Value::Date(d)) => Cell::Code(d.clone()),
                Some(Value::Quantity(q)) => Cell::Number(q.lo),
            });
        }
        let source = source_cells(site, row, &per_lang);
        let present: Vec<(&String, Quantity)> = measures
            .iter()
            .filter_map(|f| row.quantity(f).map(|q| (*f, q)))
            .collect();
        if present.is_empty() {
            let mut line = head.clone();
            if !measures.is_empty() {
                line.extend(std::iter::repeat_n(Cell::Empty, MEASURE_COLUMNS.len()));
            }
            line.extend(source.iter().cloned());
            lines.push(line);
        }
        for (f, q) in present {
            let mut line = head.clone();
            let unit = set.unit_of(row, f);
            let label = set.field(f).map(|x| &x.label);
            line.push(Cell::Code(f.clone()));
            line.push(Cell::Text(per_lang(&|l| {
                label.map_or_else(|| f.clone(), |x| site.string_in(x, l).to_string())
            })));
            match q.hi {
                Some(hi) => line.extend([Cell::Empty, Cell::Number(q.lo), Cell::Number(hi)]),
                None => line.extend([Cell::Number(q.lo), Cell::Empty, Cell::Empty]),
            }
            line.push(match (q.hi, q.qualifier) {
                (Some(_), _) => Cell::Code("range".into()),
                (None, None) => Cell::Empty,
                (None, Some(_)) => Cell::Code(q.qualifier_code().into()),
            });
            line.push(unit.map_or(Cell::Empty, |u| Cell::Code(u.into())));
            line.push(Cell::Text(per_lang(&|l| display(site, row, unit, &q, l))));
            line.extend(source.iter().cloned());
            lines.push(line);
        }
    }
    Table {
        languages: langs.to_vec(),
        columns,
        lines,
    }
}

/// A value as the report shows it in `lang`: the row's own wording (千亿) or the unit's format.
pub fn display(site: &Site, row: &Row, unit: Option<&str>, q: &Quantity, lang: &str) -> String {
    if let Some(t) = row.text.as_ref().and_then(|t| t.get(lang)) {
        return t.clone();
    }
    let pack = site.packs.get(lang);
    match unit.and_then(|u| pack.units.get(u)) {
        Some(u) => q.format(u, pack, Style::Full),
        None => q.format_bare(pack, 6),
    }
}

/// Makes a text in every language from a text in one.
type PerLang<'a> = dyn Fn(&dyn Fn(&str) -> String) -> BTreeMap<String, String> + 'a;

/// The row's source as seven cells: id, kind, title, publisher, date, URL, method.
fn source_cells(site: &Site, row: &Row, per_lang: &PerLang) -> Vec<Cell> {
    let Some(s) = row.source else {
        return vec![Cell::Empty; SOURCE_COLUMNS.len()];
    };
    let source = &site.sources[s];
    let kind = source.provenance.kind();
    let text = |f: &dyn Fn(&str) -> String| {
        let t = per_lang(f);
        if t.values().all(String::is_empty) {
            Cell::Empty
        } else {
            Cell::Text(t)
        }
    };
    let code = |s: String| {
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Code(s)
        }
    };
    let mut cells = vec![
        Cell::Code(source.id.clone()),
        Cell::Labelled(
            kind.as_str().into(),
            per_lang(&|l| site.packs.get(l).string(kind.label_key()).to_string()),
        ),
    ];
    match &source.provenance {
        p @ Provenance::Report { .. } => {
            let publisher = site.config.publisher.as_ref();
            cells.push(text(&|l| super::downloads::describe(site, s, l)));
            cells.push(text(&|l| {
                publisher.map_or("", |p| site.string_in(p, l)).to_string()
            }));
            cells.push(code(site.config.published.clone().unwrap_or_default()));
            // The section in the reader's language; the default language's for tools.
            let url = report_url(site, p, site.default_language());
            cells.push(if url.is_empty() {
                Cell::Empty
            } else {
                Cell::Labelled(url, per_lang(&|l| report_url(site, p, l)))
            });
            cells.push(Cell::Empty);
        }
        Provenance::External {
            publisher,
            title,
            date,
            url,
            ..
        } => {
            cells.push(text(&|l| site.text(title, l)));
            cells.push(text(&|l| site.text(publisher, l)));
            cells.push(code(date.clone()));
            cells.push(code(url.clone().unwrap_or_default()));
            cells.push(Cell::Empty);
        }
        Provenance::Derived { from, method } => {
            cells.push(text(&|l| {
                let pack = site.packs.get(l);
                let inputs: Vec<String> = from
                    .iter()
                    .map(|&f| super::downloads::describe(site, f, l))
                    .collect();
                format!(
                    "{}{}{}",
                    pack.string("derived_from"),
                    pack.string("colon"),
                    inputs.join(pack.string("list_separator"))
                )
            }));
            cells.push(Cell::Empty);
            cells.push(Cell::Empty);
            cells.push(Cell::Empty);
            cells.push(text(&|l| {
                site.localized_plain(method, l).trim().to_string()
            }));
        }
    }
    cells
}

/// Where a report source can be read in `lang`: its absolute address with `base_url`, else its
/// path from the site root.
fn report_url(site: &Site, p: &Provenance, lang: &str) -> String {
    let Some((page, anchor)) = site.report_page(lang, p) else {
        return String::new();
    };
    let dir = site.absolute(&page.dir).unwrap_or_else(|| page.dir.clone());
    format!("{dir}#{anchor}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_full_precision() {
        assert_eq!(number(4272145.0), "4272145");
        assert_eq!(number(15_700_000_000.0), "15700000000");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(number(1e21).parse::<f64>().unwrap(), 1e21);
        assert_eq!(number(1.5e-7).parse::<f64>().unwrap(), 1.5e-7);
    }
}
