//! Citation downloads: for the report and every numbered figure and table of each language, a
//! BibTeX (`.bib`), a RIS (`.ris`) and a CSL-JSON (`.json`) file, all written from the CSL-JSON
//! items `model::cite` builds. The writers escape every text, so no title or name (braces, `@`,
//! newlines, `ER  -`) can break out of its field.

use std::fmt::Write as _;

use serde_json::Value;

use crate::model::cite::{self, Citable, CiteKind};
use crate::model::site::Site;

/// Every citation file of the site: (path, bytes), the same bytes for the same site.
pub fn files(site: &Site) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for lang in site.languages() {
        for c in cite::citables(site, lang) {
            let path = |ext: &str| cite::file(lang, &c.stem, ext);
            out.push((path("bib"), bibtex(&c).into_bytes()));
            out.push((path("ris"), ris(&c).into_bytes()));
            out.push((path("json"), csl_json(&c).into_bytes()));
        }
    }
    out
}

/// The item as a CSL-JSON file: an array of one item, as Zotero and citeproc read it.
pub fn csl_json(c: &Citable) -> String {
    let mut s = serde_json::to_string_pretty(&Value::Array(vec![c.item.clone()]))
        .unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// The item as a BibTeX entry: `@techreport` for the report, `@misc` for a figure or table.
/// Texts are protected from case changes and escaped (see [`tex`]); names are kept whole.
pub fn bibtex(c: &Citable) -> String {
    let item = &c.item;
    let kind = match c.kind {
        CiteKind::Report => "techreport",
        CiteKind::Figure | CiteKind::Table => "misc",
    };
    let mut fields: Vec<(&str, String)> = Vec::new();
    let authors = cite::authors(item);
    if !authors.is_empty() {
        let names: Vec<String> = authors.iter().map(|a| format!("{{{}}}", tex(a))).collect();
        fields.push(("author", format!("\"{}\"", names.join(" and "))));
    }
    let mut text = |key: &'static str, csl: &str| {
        let v = cite::text(item, csl);
        if !v.trim().is_empty() {
            fields.push((key, format!("\"{{{}}}\"", tex(v))));
        }
    };
    text("title", "title");
    match c.kind {
        CiteKind::Report => text("institution", "publisher"),
        _ => {
            text("howpublished", "container-title");
            text("publisher", "publisher");
        }
    }
    let date = cite::issued(item);
    if let Some(y) = date.first() {
        fields.push(("year", format!("{{{y}}}")));
    }
    if let Some(m) = date
        .get(1)
        .and_then(|m| MONTHS.get((*m as usize).wrapping_sub(1)))
    {
        fields.push(("month", (*m).to_string()));
    }
    if date.len() > 1 {
        let iso: Vec<String> = date
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if i == 0 {
                    p.to_string()
                } else {
                    format!("{p:02}")
                }
            })
            .collect();
        fields.push(("date", format!("{{{}}}", iso.join("-"))));
    }
    let mut text = |key: &'static str, csl: &str| {
        let v = cite::text(item, csl);
        if !v.trim().is_empty() {
            fields.push((key, format!("\"{{{}}}\"", tex(v))));
        }
    };
    text("version", "version");
    text("isbn", "ISBN");
    for (key, csl) in [("doi", "DOI"), ("url", "URL")] {
        let v = cite::text(item, csl);
        if !v.is_empty() {
            fields.push((key, format!("{{{}}}", verbatim(v))));
        }
    }
    let lang = cite::text(item, "language");
    if !lang.is_empty() {
        fields.push(("language", format!("{{{}}}", tex(lang))));
    }
    let mut s = format!("@{kind}{{{},\n", key(&c.stem, &c.lang));
    for (k, v) in fields {
        let _ = writeln!(s, "  {k} = {v},");
    }
    s.push_str("}\n");
    s
}

/// A citation key of ASCII letters, digits and `-`: the file stem and the language
/// (`report-en`, `fig-market-size-zh`); other characters as `u` and their code in hex.
pub fn key(stem: &str, lang: &str) -> String {
    let mut k = String::new();
    for c in format!("{stem}-{lang}").chars() {
        if c.is_ascii_alphanumeric() || c == '-' {
            k.push(c);
        } else {
            let _ = write!(k, "u{:x}", c as u32);
        }
    }
    k
}

/// Text for a BibTeX field: LaTeX's special characters as commands that print them (braces
/// as `\textbraceleft{}`, so a lone `}` cannot end the field), the pairs TeX would join into
/// another character (`--`, ``` `` ```, `''`, `<<`, `!``) kept apart, line breaks and other
/// control characters as spaces, everything else (Chinese, accents, `@`, `"`) as UTF-8.
pub fn tex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied().unwrap_or(' ');
        let ligature = matches!(
            (c, next),
            ('-', '-') | ('`', '`') | ('\'', '\'') | ('<', '<') | ('>', '>') | ('!' | '?', '`')
        );
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' => out.push_str("\\textbraceleft{}"),
            '}' => out.push_str("\\textbraceright{}"),
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '%' | '&' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
        if ligature {
            out.push_str("{}");
        }
    }
    out.trim().to_string()
}

/// An address for a verbatim field (`url`, `doi`): characters that would unbalance or end the
/// field, and spaces, percent-encoded.
fn verbatim(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '{' | '}' | '\\' | '"' => {
                let _ = write!(out, "%{:02X}", c as u32);
            }
            c if c.is_whitespace() || c.is_control() => {
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "%{b:02X}");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// The item as a RIS record (TY, AU, TI, T2, PY, DA, PB, ET, UR, DO, SN, LA, ER), lines ending
/// in CR LF as the RIS specification writes them. Each value is one line.
pub fn ris(c: &Citable) -> String {
    let item = &c.item;
    let mut s = String::new();
    let mut tag = |t: &str, v: &str| {
        let v = one_line(v);
        if !v.is_empty() {
            let _ = write!(s, "{t}  - {v}\r\n");
        }
    };
    tag(
        "TY",
        match c.kind {
            CiteKind::Report => "RPRT",
            CiteKind::Figure => "FIGURE",
            CiteKind::Table => "DATA",
        },
    );
    for a in cite::authors(item) {
        tag("AU", a);
    }
    tag("TI", cite::text(item, "title"));
    tag("T2", cite::text(item, "container-title"));
    let date = cite::issued(item);
    if let Some(y) = date.first() {
        tag("PY", &y.to_string());
        let part = |i: usize| date.get(i).map_or(String::new(), |p| format!("{p:02}"));
        tag("DA", &format!("{y}/{}/{}/", part(1), part(2)));
    }
    for (t, csl) in [
        ("PB", "publisher"),
        ("ET", "version"),
        ("UR", "URL"),
        ("DO", "DOI"),
        ("SN", "ISBN"),
        ("LA", "language"),
    ] {
        tag(t, cite::text(item, csl));
    }
    s.push_str("ER  - \r\n");
    s
}

/// A RIS value: control characters (line breaks) as spaces, trimmed.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn citable(kind: CiteKind, item: Value) -> Citable {
        Citable {
            lang: "en".into(),
            stem: cite::text(&item, "id").to_string(),
            kind,
            item,
        }
    }

    fn report() -> Citable {
        citable(
            CiteKind::Report,
            json!({
                "id": "report", "type": "report", "title": "Cars, 2024",
                "author": [{"literal": "Wang Xiaoming"}, {"literal": "Jane O'Neil \"JJ\""}],
                "publisher": "Example Institute", "issued": {"date-parts": [[2025, 3, 15]]},
                "version": "1.1", "DOI": "10.5555/ev", "ISBN": "978-0-306-40615-7",
                "URL": "https://example.org/r/en/", "language": "en"
            }),
        )
    }

    #[test]
    fn bibtex_entry_of_a_report() {
        assert_eq!(
            bibtex(&report()),
            "@techreport{report-en,\n  author = \"{Wang Xiaoming} and {Jane O'Neil \"JJ\"}\",\n  title = \"{Cars, 2024}\",\n  institution = \"{Example Institute}\",\n  year = {2025},\n  month = mar,\n  date = {2025-03-15},\n  version = \"{1.1}\",\n  isbn = \"{978-0-306-40615-7}\",\n  doi = {10.5555/ev},\n  url = {https://example.org/r/en/},\n  language = {en},\n}\n"
        );
    }

    #[test]
    fn ris_record_of_a_report() {
        assert_eq!(
            ris(&report()),
            "TY  - RPRT\r\nAU  - Wang Xiaoming\r\nAU  - Jane O'Neil \"JJ\"\r\nTI  - Cars, 2024\r\nPY  - 2025\r\nDA  - 2025/03/15/\r\nPB  - Example Institute\r\nET  - 1.1\r\nUR  - https://example.org/r/en/\r\nDO  - 10.5555/ev\r\nSN  - 978-0-306-40615-7\r\nLA  - en\r\nER  - \r\n"
        );
    }

    #[test]
    fn figures_name_their_report_and_partial_dates_stay_partial() {
        let fig = citable(
            CiteKind::Table,
            json!({
                "id": "tab-市场", "type": "dataset", "title": "表 2 价格",
                "container-title": "报告", "publisher": "研究院",
                "issued": {"date-parts": [[2025]]}, "author": [{"literal": "研究院"}]
            }),
        );
        let b = bibtex(&fig);
        assert!(b.starts_with("@misc{tab-u5e02u573a-en,\n"), "{b}");
        assert!(
            b.contains(
                "howpublished = \"{报告}\",\n  publisher = \"{研究院}\",\n  year = {2025},\n}"
            ),
            "{b}"
        );
        assert!(!b.contains("month") && !b.contains("date ="), "{b}");
        let r = ris(&fig);
        assert!(r.starts_with("TY  - DATA\r\nAU  - 研究院\r\nTI  - 表 2 价格\r\nT2  - 报告\r\nPY  - 2025\r\nDA  - 2025///\r\n"), "{r}");
    }

    #[test]
    fn hostile_texts_stay_inside_their_fields() {
        assert_eq!(
            tex("a}b{c\\d %&$#_ ^~ @x \"q\"\nER  - 中"),
            "a\\textbraceright{}b\\textbraceleft{}c\\textbackslash{}d \\%\\&\\$\\#\\_ \\textasciicircum{}\\textasciitilde{} @x \"q\" ER  - 中"
        );
        assert_eq!(
            verbatim("https://x.org/a b{}\\\""),
            "https://x.org/a%20b%7B%7D%5C%22"
        );
        let hostile = citable(
            CiteKind::Figure,
            json!({"id": "fig-x", "title": "}\n@misc{evil,\ntitle={x}\r\nER  - \r\nTY  - BOOK",
                   "author": [{"literal": "A} and {B"}]}),
        );
        let b = bibtex(&hostile);
        // One entry, every brace balanced, no line that starts a new entry.
        assert_eq!(b.matches('@').count(), 2, "{b}");
        assert!(
            b.lines().skip(1).all(|l| l.starts_with("  ") || l == "}"),
            "{b}"
        );
        let depth = b.chars().try_fold(0i32, |d, c| match c {
            '{' => Some(d + 1),
            '}' => (d > 0).then_some(d - 1),
            _ => Some(d),
        });
        assert_eq!(depth, Some(0), "{b}");
        let r = ris(&hostile);
        assert_eq!(r.matches("\r\n").count(), 4, "{r}");
        assert_eq!(r.matches("ER  - ").count(), 2, "{r}");
        assert!(r.ends_with("\r\nER  - \r\n"));
        assert!(
            r.contains("TI  - } @misc{evil, title={x}  ER  -   TY  - BOOK\r\n"),
            "{r}"
        );
    }

    #[test]
    fn tex_ligatures_are_kept_apart() {
        assert_eq!(
            tex("1--3 ``q'' <<a>> !`"),
            "1-{}-3 `{}`q'{}' <{}<a>{}> !{}`"
        );
        assert_eq!(tex("2019–2024 O'Neil"), "2019–2024 O'Neil");
    }

    #[test]
    fn keys_are_ascii() {
        assert_eq!(key("report", "zh"), "report-zh");
        assert_eq!(key("fig-a.b_c", "en"), "fig-au2ebu5fc-en");
    }
}
