//! Data downloads: every data file and every chart as CSV (per language, UTF-8 with BOM so Excel
//! in China opens it correctly, numbers in the same unit as the tables) and as JSON (all
//! languages, base units, full provenance). Texts come from the checked site as plain text.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json, json};

use crate::model::chart::Chart;
use crate::model::data::{DataSet, Provenance, Row, Text, TextItem, Value};
use crate::model::quantity::Qualifier;
use crate::model::site::Site;
use crate::model::text::{Localized, Rich};

/// All download files: (path from the site root, bytes).
pub fn files(site: &Site) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for set in &site.data {
        let fields: Vec<String> = set.fields.iter().map(|(n, _)| n.clone()).collect();
        let rows: Vec<&Row> = set.rows.iter().collect();
        out.push((
            format!("data/{}.json", set.id),
            json_bytes(&set_json(site, set, &rows, &fields)),
        ));
        for lang in site.languages() {
            out.push((
                format!("{lang}/data/{}.csv", set.id),
                csv(site, lang, set, &rows, &fields),
            ));
        }
    }
    for chart in &site.charts {
        let set = &site.data[chart.set];
        let rows: Vec<&Row> = chart.rows.iter().map(|&r| &set.rows[r]).collect();
        let fields = chart.table_fields();
        out.push((
            format!("charts/{}.json", chart.id),
            json_bytes(&chart_json(site, chart, set, &rows, &fields)),
        ));
        for lang in site.languages() {
            out.push((
                format!("{lang}/charts/{}.csv", chart.id),
                csv(site, lang, set, &rows, &fields),
            ));
        }
    }
    out
}

fn json_bytes(v: &Json) -> Vec<u8> {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s.into_bytes()
}

/// A CSV of `rows` × `fields` in `lang`, with the provenance of each row in two last columns.
pub fn csv(site: &Site, lang: &str, set: &DataSet, rows: &[&Row], fields: &[String]) -> Vec<u8> {
    let pack = site.packs.get(lang);
    let mut lines: Vec<Vec<String>> = Vec::new();
    let mut header = Vec::new();
    for f in fields {
        let label = set
            .field(f)
            .map(|x| site.string_in(&x.label, lang).to_string())
            .unwrap_or_else(|| f.clone());
        let unit = set
            .column_unit(rows, f)
            .and_then(|u| pack.units.get(u))
            .and_then(|u| u.table.label.clone());
        header.push(match unit {
            Some(u) => format!("{label}{}", pack.string("with_unit").replace("{unit}", &u)),
            None => label,
        });
    }
    header.push(pack.string("source_kind").to_string());
    header.push(pack.string("source").to_string());
    lines.push(header);
    for row in rows {
        let mut line: Vec<String> = fields
            .iter()
            .map(|f| cell(site, lang, set, row, f))
            .collect();
        let (kind, desc) = match row.source {
            Some(s) => (
                pack.string(site.kind_of(row).label_key()).to_string(),
                describe(site, s, lang),
            ),
            None => (String::new(), String::new()),
        };
        line.push(kind);
        line.push(desc);
        lines.push(line);
    }
    let mut s = String::from('\u{feff}');
    for l in lines {
        let cells: Vec<String> = l.iter().map(|c| quote(c)).collect();
        s.push_str(&cells.join(","));
        s.push_str("\r\n");
    }
    s.into_bytes()
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
        } => {
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

/// A CSV cell: numbers in the table unit without thousands separators, so spreadsheets read them.
pub fn cell(site: &Site, lang: &str, set: &DataSet, row: &Row, field: &str) -> String {
    let pack = site.packs.get(lang);
    match row.values.get(field) {
        None => String::new(),
        Some(Value::Quantity(q)) => {
            let unit = set.unit_of(row, field).and_then(|u| pack.units.get(u));
            let (lo, hi) = unit.map_or((q.lo, q.hi.unwrap_or(q.lo)), |u| q.scaled(u));
            let decimals = unit.map_or(6, |u| u.decimals.max(2) + 2);
            let n = |x: f64| plain_number(x, decimals);
            let v = if q.hi.is_some() {
                format!("{}-{}", n(lo), n(hi))
            } else {
                n(lo)
            };
            match q.qualifier {
                None => v,
                Some(Qualifier::More) => format!("{v}+"),
                Some(Qualifier::Less) => format!("<{v}"),
                Some(Qualifier::AtMost) => format!("<={v}"),
                Some(Qualifier::About) => format!("~{v}"),
            }
        }
        Some(Value::Text(t)) => site.text(t, lang),
        Some(Value::Year(y)) => y.to_string(),
        Some(Value::Date(d)) => d.clone(),
    }
}

fn plain_number(x: f64, decimals: usize) -> String {
    // A non-zero value never rounds to 0: 100 yuan in 亿元 is 0.000001 (three significant digits
    // where the decimals are too few; an exponent below 1e-9).
    let a = x.abs();
    if a != 0.0 && a < 1e-9 {
        return format!("{x:e}");
    }
    let decimals = if a != 0.0 && a < 0.5 * 10f64.powi(-(decimals as i32)) {
        (2 - a.log10().floor() as i32).max(0) as usize
    } else {
        decimals
    };
    let s = format!("{:.*}", decimals, x);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A cell as written to the file: quoted when needed, and a text that a spreadsheet would run
/// as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) prefixed with
/// `'`, as OWASP advises. Plain numbers, negative ones included, stay numbers.
fn quote(s: &str) -> String {
    let formula = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let number = s
        .bytes()
        .all(|b| b.is_ascii_digit() || b".eE+-".contains(&b))
        && s.parse::<f64>().is_ok();
    let s = if formula && !number {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
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
        } => {
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
                if fields
                    .iter()
                    .any(|f| matches!(r.values.get(f), Some(Value::Quantity(_))))
                {
                    let unit: Vec<&str> = fields.iter().filter_map(|f| set.unit_of(r, f)).collect();
                    if let Some(u) = unit.first() {
                        m.insert("unit".into(), json!(u));
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

    #[test]
    fn quoting_and_numbers() {
        assert_eq!(quote("a,b"), "\"a,b\"");
        assert_eq!(quote("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(quote("plain"), "plain");
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
            assert_eq!(quote(hostile), safe, "{hostile:?}");
        }
        for number in ["-3.5", "+2", "-1e-3", "0", "12.5"] {
            assert_eq!(quote(number), number);
        }
        assert_eq!(plain_number(157.0, 4), "157");
        assert_eq!(plain_number(15.7, 4), "15.7");
        // 100 and 250 yuan in 亿元: never "0".
        assert_eq!(plain_number(0.000001, 4), "0.000001");
        assert_eq!(plain_number(-0.0000025, 4), "-0.0000025");
        assert_eq!(plain_number(1e-300, 4), "1e-300");
        assert_eq!(plain_number(0.12345678, 4), "0.1235");
    }
}
