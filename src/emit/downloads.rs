//! Data downloads: every data file and every chart as CSV (per language, UTF-8 with BOM so Excel
//! in China opens it correctly, numbers in the same unit as the tables) and as JSON (all
//! languages, base units, full provenance). Texts come from the checked site as plain text.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::table::{Cell, Of, Table, Tidy};

use serde_json::{Map, Value as Json, json};

use crate::model::chart::Chart;
use crate::model::data::{DataSet, Provenance, Row, Text, TextItem, Value};
use crate::model::site::Site;
use crate::model::text::{Localized, Rich};

/// The download files of each table (of [`super::table::tables`]): (path from the site root,
/// bytes), made in parallel, in the tables' order.
pub fn files(site: &Site, tables: &[Tidy]) -> Vec<(String, Vec<u8>)> {
    tables
        .par_iter()
        .flat_map_iter(|t| {
            let mut json = match t.of {
                Of::Set(set) => set_json(site, set, &t.rows, &t.fields),
                Of::Chart(chart) => chart_json(site, chart, t.set, &t.rows, &t.fields),
            };
            let (dir, id) = (t.of.folder(), t.of.id());
            json["records"] = records_json(&t.table);
            let mut out = vec![
                (format!("{dir}/{id}.json"), json_bytes(&json)),
                (format!("{dir}/{id}.csv"), csv(&t.table, None)),
            ];
            for lang in site.languages() {
                out.push((format!("{lang}/{dir}/{id}.csv"), csv(&t.table, Some(lang))));
            }
            out
        })
        .collect()
}

fn json_bytes(v: &Json) -> Vec<u8> {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s.into_bytes()
}

/// A tidy table as CSV: in `lang` (a UTF-8 BOM so Excel in China reads it, headers and texts in
/// that language), or language-neutral for tools (`None`: machine names, every language's texts,
/// codes instead of labels, no BOM). Lines end in CRLF (RFC 4180).
pub fn csv(t: &Table, lang: Option<&str>) -> Vec<u8> {
    let mut s = String::new();
    let langs: Vec<&String> = t.languages.iter().collect();
    let mut header: Vec<String> = Vec::new();
    for c in &t.columns {
        match lang {
            Some(l) => header.push(c.header.get(l).cloned().unwrap_or_else(|| c.name.clone())),
            None if c.localized => header.extend(langs.iter().map(|l| format!("{}_{l}", c.name))),
            None => header.push(c.name.clone()),
        }
    }
    if lang.is_some() {
        s.push('\u{feff}');
    }
    // Each cell is written into the file as it is quoted; the separators go between them.
    let mut line = Line::new(&mut s);
    for h in &header {
        line.cell(h, false);
    }
    line.end();
    for cells in &t.lines {
        let mut line = Line::new(&mut s);
        for (c, cell) in t.columns.iter().zip(cells) {
            let numeric = matches!(cell, Cell::Number(_) | Cell::Year(_));
            match (lang, cell) {
                (None, Cell::Text(m)) if c.localized => {
                    for l in &langs {
                        line.cell(m.get(*l).map_or("", String::as_str), false);
                    }
                }
                (None, Cell::Empty) if c.localized => {
                    for _ in &langs {
                        line.cell("", false);
                    }
                }
                _ => line.cell(&cell.in_lang(lang), numeric),
            }
        }
        line.end();
    }
    s.into_bytes()
}

/// One CSV line being written: cells separated by commas, ended by CRLF.
struct Line<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Line<'a> {
    fn new(out: &'a mut String) -> Self {
        Line { out, first: true }
    }

    fn cell(&mut self, text: &str, numeric: bool) {
        if !std::mem::take(&mut self.first) {
            self.out.push(',');
        }
        quote_into(self.out, text, numeric);
    }

    fn end(self) {
        self.out.push_str("\r\n");
    }
}

/// The tidy lines as JSON objects under the neutral CSV's names; texts as `{lang: text}`.
fn records_json(t: &Table) -> Json {
    Json::Array(
        t.lines
            .iter()
            .map(|line| {
                let mut m = Map::new();
                for (c, cell) in t.columns.iter().zip(line) {
                    let v = match cell {
                        Cell::Empty => continue,
                        Cell::Number(x) => json!(x),
                        Cell::Year(y) => json!(y),
                        Cell::Code(s) | Cell::Labelled(s, _) => json!(s),
                        Cell::Text(m) => json!(m),
                    };
                    m.insert(c.name.clone(), v);
                }
                Json::Object(m)
            })
            .collect(),
    )
}

/// A source in plain words: the report's section, an outside citation with its address, or a
/// derivation and what it rests on.
pub fn describe(site: &Site, source: usize, lang: &str) -> String {
    let pack = site.packs.get(lang);
    match &site.sources[source].provenance {
        p @ Provenance::Report { .. } => {
            let Some((page, anchor)) = site.report_page(lang, p) else {
                return p.section().unwrap_or_default();
            };
            let mut label = pack.string("source_report").to_string();
            if !page.is_home() {
                let title = site.plain(page.nav_title(), lang);
                match &page.front.number {
                    Some(n) => label.push_str(&format!(" · {n} {title}")),
                    None => label.push_str(&format!(" · {title}")),
                }
            }
            if let Some(h) = page.headings.iter().find(|h| h.id == anchor) {
                label.push_str(&format!(" › {}", site.plain(&h.text, lang)));
            }
            label
        }
        Provenance::External {
            publisher,
            title,
            date,
            url,
            ..
        } => {
            if let Some(f) = crate::render::cite::source(site, source, lang) {
                return f.text;
            }
            let cite = pack
                .string("cite_external")
                .replace("{publisher}", &site.text(publisher, lang))
                .replace("{title}", &site.text(title, lang))
                .replace("{date}", date);
            match url {
                Some(u) => format!("{cite} {u}"),
                None => cite,
            }
        }
        Provenance::Derived { from, method } => {
            let inputs: Vec<String> = from.iter().map(|&f| describe(site, f, lang)).collect();
            format!(
                "{}{} {} ({}{} {})",
                pack.string("source_derived"),
                pack.string("colon"),
                site.localized_plain(method, lang),
                pack.string("derived_from"),
                pack.string("colon"),
                inputs.join(pack.string("list_separator"))
            )
        }
    }
}

/// A cell as written to the file, quoted when needed (RFC 4180). Numbers are written as they
/// are. A text that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab
/// or a carriage return; OWASP's rule), or would silently turn into a date, a fraction, a time or
/// a rounded number ("1-3", "1/2", "1:30", "007", "1e5", 16+ digits), gets a leading `'`: the
/// text stays text and nothing of it is lost. Plain numbers in text cells and ISO dates
/// (`2024-05-15`) are left alone.
fn quote_into(out: &mut String, s: &str, numeric: bool) {
    let protect = !numeric && (formula(s) || mangled(s));
    let enclose = s.contains([',', '"', '\n', '\r']);
    if enclose {
        out.push('"');
    }
    if protect {
        out.push('\'');
    }
    if enclose {
        let mut pieces = s.split('"');
        out.push_str(pieces.next().unwrap_or_default());
        for piece in pieces {
            out.push_str("\"\"");
            out.push_str(piece);
        }
        out.push('"');
    } else {
        out.push_str(s);
    }
}

#[cfg(test)]
fn quote(s: &str, numeric: bool) -> String {
    let mut out = String::new();
    quote_into(&mut out, s, numeric);
    out
}

fn plain_number(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || b".eE+-".contains(&b))
        && s.parse::<f64>().is_ok()
}

fn formula(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r']) && !plain_number(s)
}

/// Would a spreadsheet read this text as something else?
fn mangled(s: &str) -> bool {
    // Each case of `read_as_other` is made of digits and these signs only: any other byte (every
    // word, every Chinese text) settles it at once.
    s.bytes()
        .all(|b| b.is_ascii_digit() || b"-/:.eE+".contains(&b))
        && read_as_other(s)
}

/// The shapes a spreadsheet reads as a date, a fraction, a time or a rounded number.
fn read_as_other(s: &str) -> bool {
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let iso_date = {
        let p: Vec<&str> = s.split('-').collect();
        p.len() >= 2 && p.len() <= 3 && p[0].len() == 4 && p[1..].iter().all(|x| x.len() == 2)
    };
    // "1-3", "1/2", "3/4/2024", "1.2.3", "1:30", "12:30:05"
    let split = |sep: char| {
        let p: Vec<&str> = s.split(sep).collect();
        (2..=3).contains(&p.len()) && p.iter().all(|x| digits(x) && x.len() <= 4)
    };
    let separated = (split('-') && !iso_date) || split('/') || split(':') || {
        let p: Vec<&str> = s.split('.').collect();
        p.len() == 3 && p.iter().all(|x| digits(x))
    };
    let leading_zero = s.len() > 1 && s.starts_with('0') && digits(s);
    let long = digits(s) && s.len() > 15;
    let exponent = plain_number(s) && s.contains(['e', 'E']);
    separated || leading_zero || long || exponent
}

/// A text in every language, plain (references expanded).
fn texts_json(site: &Site, t: &Localized<Rich>) -> Json {
    Json::Object(
        t.iter()
            .map(|(l, r)| (l.clone(), json!(site.plain(r, l))))
            .collect(),
    )
}

fn text_json(site: &Site, t: &Text) -> Json {
    let item = |i: &TextItem, lang: &str| match i {
        TextItem::One(r) => json!(site.plain(r, lang)),
        TextItem::List(v) => json!(v.iter().map(|r| site.plain(r, lang)).collect::<Vec<_>>()),
    };
    match t {
        Text::Same(i) => item(i, site.default_language()),
        Text::PerLang(m) => Json::Object(m.iter().map(|(k, v)| (k.clone(), item(v, k))).collect()),
    }
}

fn value_json(site: &Site, v: &Value) -> Json {
    match v {
        Value::Quantity(q) => {
            let mut m = Map::new();
            match q.hi {
                Some(hi) => {
                    m.insert("min".into(), json!(q.lo));
                    m.insert("max".into(), json!(hi));
                }
                None => {
                    m.insert("value".into(), json!(q.lo));
                }
            }
            if q.qualifier.is_some() {
                m.insert("qualifier".into(), json!(q.qualifier_code()));
            }
            if m.len() == 1 && m.contains_key("value") {
                json!(q.lo)
            } else {
                Json::Object(m)
            }
        }
        Value::Text(t) => text_json(site, t),
        Value::Year(y) => json!(y),
        Value::Date(d) => json!(d),
    }
}

fn source_json(site: &Site, p: &Provenance) -> Json {
    match p {
        Provenance::Report { page, anchor } => {
            let section = format!("{page}#{anchor}");
            let mut m = json!({"kind": "report", "section": section});
            if let Some(page) = site.page(site.default_language(), page)
                && let Some(url) = site.absolute(&page.dir)
            {
                m["url"] = json!(format!("{url}#{anchor}"));
            }
            m
        }
        Provenance::External {
            publisher,
            title,
            date,
            url,
            item,
        } => {
            if let Some(item) = item {
                return json!({"kind": "external", "csl": item, "publisher": text_json(site, publisher), "title": text_json(site, title), "date": date, "url": url});
            }
            json!({"kind": "external", "publisher": text_json(site, publisher), "title": text_json(site, title), "date": date, "url": url})
        }
        Provenance::Derived { from, method } => {
            let from: Vec<&str> = from.iter().map(|&f| site.sources[f].id.as_str()).collect();
            json!({"kind": "derived", "from": from, "method": texts_json(site, method)})
        }
    }
}

fn rows_json(site: &Site, set: &DataSet, rows: &[&Row], fields: &[String]) -> Json {
    Json::Array(
        rows.iter()
            .map(|r| {
                let mut m = Map::new();
                m.insert("id".into(), json!(r.id));
                for f in fields {
                    if let Some(v) = r.values.get(f) {
                        m.insert(f.clone(), value_json(site, v));
                    }
                }
                // The unit of each figure the row has: one `unit` when they share it, else
                // `units` per field (a field without a value in this row names no unit).
                let units: BTreeMap<&str, &str> = fields
                    .iter()
                    .filter(|f| matches!(r.values.get(*f), Some(Value::Quantity(_))))
                    .filter_map(|f| set.unit_of(r, f).map(|u| (f.as_str(), u)))
                    .collect();
                let mut distinct: Vec<&str> = units.values().copied().collect();
                distinct.sort_unstable();
                distinct.dedup();
                match distinct.as_slice() {
                    [] => {}
                    [u] => {
                        m.insert("unit".into(), json!(u));
                    }
                    _ => {
                        m.insert("units".into(), json!(units));
                    }
                }
                if let Some(s) = r.source {
                    m.insert("source".into(), json!(site.sources[s].id));
                }
                Json::Object(m)
            })
            .collect(),
    )
}

fn set_json(site: &Site, set: &DataSet, rows: &[&Row], fields: &[String]) -> Json {
    let field_map: Map<String, Json> = set
        .fields
        .iter()
        .map(|(n, f)| {
            (
                n.clone(),
                json!({"type": f.kind.name(), "unit": f.unit, "label": f.label}),
            )
        })
        .collect();
    let sources: Map<String, Json> = set
        .sources
        .iter()
        .chain(&set.shared)
        .map(|&s| {
            (
                site.sources[s].id.clone(),
                source_json(site, &site.sources[s].provenance),
            )
        })
        .collect();
    json!({
        "id": set.id,
        "title": texts_json(site, &set.title),
        "notes": set.notes.as_ref().map(|n| texts_json(site, n)),
        "units": "values are in base units (yuan, counts, percent), as in the data file",
        "fields": field_map,
        "sources": sources,
        "rows": rows_json(site, set, rows, fields),
    })
}

fn chart_json(site: &Site, chart: &Chart, set: &DataSet, rows: &[&Row], fields: &[String]) -> Json {
    let used: BTreeMap<&str, Json> = rows
        .iter()
        .filter_map(|r| r.source)
        .map(|s| {
            (
                site.sources[s].id.as_str(),
                source_json(site, &site.sources[s].provenance),
            )
        })
        .collect();
    json!({
        "chart": chart.id,
        "title": texts_json(site, &chart.title),
        "data": set.id,
        "fields": fields,
        "sources": used,
        "rows": rows_json(site, set, rows, fields),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quoting as it was first written: the text copied, marked, then searched and
    /// escaped as a whole.
    fn quote_reference(s: &str, numeric: bool) -> String {
        let protect = !numeric && (formula(s) || read_as_other(s));
        let s = if protect {
            format!("'{s}")
        } else {
            s.to_string()
        };
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    }

    #[test]
    fn quoting_matches_the_first_version_on_random_texts() {
        let pieces = [
            "0", "1", "7", "2024", "-", "/", ":", ".", "e", "E", "+", "=", "@", ",", "\"", "\n",
            "\r", "\t", "'", " ", "a", "数据", "x", "00", "12",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for i in 0..50_000 {
            let text = crate::testing::random_text(&mut seed, &pieces, i % 9);
            for numeric in [false, true] {
                assert_eq!(
                    quote(&text, numeric),
                    quote_reference(&text, numeric),
                    "{text:?}"
                );
            }
            assert_eq!(mangled(&text), read_as_other(&text), "{text:?}");
        }
    }

    #[test]
    fn quoting_and_formulas() {
        let q = |s: &str| quote(s, false);
        assert_eq!(q("a,b"), "\"a,b\"");
        assert_eq!(q("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(q("plain"), "plain");
        for (hostile, safe) in [
            (
                "=HYPERLINK(\"http://x\")",
                "\"'=HYPERLINK(\"\"http://x\"\")\"",
            ),
            ("+1+2", "'+1+2"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "\"'\rx\""),
            ("-inf", "'-inf"),
        ] {
            assert_eq!(q(hostile), safe, "{hostile:?}");
        }
        for number in ["-3.5", "+2", "-1e-3", "0", "12.5", "15700000000"] {
            assert_eq!(quote(number, true), number);
        }
        for text in [
            "-3.5",
            "12.5",
            "2024",
            "2024-05-15",
            "2024-05",
            "1-3 hours",
            "40%",
        ] {
            assert_eq!(q(text), text, "{text} stays as it is");
        }
    }

    #[test]
    fn texts_a_spreadsheet_would_mangle_stay_text() {
        for text in [
            "1-3",
            "1/2",
            "3/4/2024",
            "1:30",
            "12:30:05",
            "1.2.3",
            "007",
            "1e5",
            "-1e-3",
            "12345678901234567",
        ] {
            assert_eq!(quote(text, false), format!("'{text}"), "{text}");
        }
    }
}
