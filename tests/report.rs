//! The bundled report: every heading of the source in the zh site in order, the same sections in
//! en, no untranslated Chinese in en, key figures from one data file in both languages, derived
//! figures that follow their stated method, well-formed chart SVGs whose CSV matches the table.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;

/// The report built once for all tests of this file.
fn site() -> &'static Path {
    static SITE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, p) = SITE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut opts = yanbao::Options::new(repo_root());
        opts.output = dir.path().join("site");
        yanbao::build(&opts).expect("the bundled report builds");
        let out = opts.output.clone();
        (dir, out)
    });
    p
}

const ORDER: &[&str] = &[
    "index.html",
    "background/index.html",
    "status/index.html",
    "applications/index.html",
    "trends/index.html",
    "team/index.html",
];

fn page(lang: &str, rel: &str) -> String {
    read(&site().join(lang).join(rel))
}

/// Letters only: punctuation and spaces differ between PDF extraction and the site.
fn norm(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Text of the h1–h5 elements of a page, in order.
fn headings(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<h") {
        rest = &rest[i + 2..];
        if !rest.starts_with(['1', '2', '3', '4', '5']) {
            continue;
        }
        let level = &rest[..1];
        let Some(end) = rest.find(&format!("</h{level}>")) else {
            break;
        };
        let inner = &rest[rest.find('>').unwrap() + 1..end];
        out.push(strip_tags(inner));
        rest = &rest[end..];
    }
    out
}

#[test]
fn every_source_heading_appears_in_the_zh_site_in_order() {
    let expected: Vec<String> = read(&repo_root().join("tests/fixtures/report-headings.txt"))
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(norm)
        .collect();
    let site_headings: Vec<String> = ORDER
        .iter()
        .flat_map(|p| headings(&page("zh", p)))
        .map(|h| norm(&h))
        .collect();
    let mut at = 0;
    for h in &expected {
        match site_headings[at..].iter().position(|s| s == h) {
            Some(i) => at += i + 1,
            None => panic!(
                "heading `{h}` missing or out of order (searched after position {at})\nsite: {site_headings:#?}"
            ),
        }
    }
}

#[test]
fn en_pages_have_the_same_sections_as_zh() {
    for p in ORDER {
        let ids = |html: &str| -> Vec<String> {
            html.match_indices(" id=\"")
                .map(|(i, _)| html[i + 5..].split('"').next().unwrap().to_string())
                .filter(|id| !id.starts_with("fn") && !id.starts_with("note"))
                .collect()
        };
        assert_eq!(ids(&page("zh", p)), ids(&page("en", p)), "{p}");
    }
}

#[test]
fn en_pages_contain_no_untranslated_chinese() {
    for entry in walkdir::WalkDir::new(site().join("en"))
        .into_iter()
        .filter_map(|e| e.ok())
    {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("html")
            || path.to_string_lossy().contains("glossary")
        {
            continue;
        }
        let html = read(path);
        // Drop what may be Chinese by design: the language switch and hreflang links.
        let mut text = String::new();
        for line in html.lines() {
            if line.contains("lang=\"zh-Hans\"") || line.contains("hreflang=\"zh-Hans\"") {
                continue;
            }
            text.push_str(line);
            text.push('\n');
        }
        let plain = strip_tags(&text);
        let cjk: String = plain.chars().filter(|c| is_cjk(*c)).take(40).collect();
        assert!(
            cjk.is_empty(),
            "{}: Chinese left in English page: {cjk}",
            path.display()
        );
    }
}

#[test]
fn key_figures_appear_in_both_languages_from_one_data_file() {
    let zh = page("zh", "index.html");
    let en = page("en", "index.html");
    let figures = |html: &str| -> Vec<String> {
        html.match_indices("<span class=\"kf-value\">")
            .map(|(i, _)| {
                let rest = &html[i..];
                strip_tags(&rest[..rest.find("</a>").unwrap()])
            })
            .collect()
    };
    let (zh_f, en_f) = (figures(&zh), figures(&en));
    for (zh_v, en_v) in [
        ("309", "309"),
        ("157 亿元", "CNY 15.7 billion"),
        ("148%", "148%"),
        ("≤0.5 元/百万Tokens", "≤ CNY 0.5 per million tokens"),
    ] {
        assert!(
            zh_f.iter().any(|f| f.starts_with(zh_v)),
            "zh home lacks {zh_v}: {zh_f:?}"
        );
        assert!(
            en_f.iter().any(|f| f.starts_with(en_v)),
            "en home lacks {en_v}: {en_f:?}"
        );
    }
    // The numbers are typed once, in content/data; chapters only reference them.
    for entry in walkdir::WalkDir::new(repo_root().join("content"))
        .into_iter()
        .filter_map(|e| e.ok())
    {
        let p = entry.path();
        if p.extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let text = read(p);
        for figure in [
            "309", "157", "1130", "148%", "950", "190万", "0.5元", "55%", "88%",
        ] {
            assert!(
                !text.contains(figure),
                "{} types the figure {figure}; reference the data instead",
                p.display()
            );
        }
    }
}

fn data(file: &str) -> serde_yaml::Value {
    serde_yaml::from_str(&read(&repo_root().join("content/data").join(file))).unwrap()
}

fn value(rows: &serde_yaml::Value, id: &str) -> f64 {
    rows.as_sequence()
        .unwrap()
        .iter()
        .find(|r| r["id"].as_str() == Some(id))
        .and_then(|r| r["value"].as_f64())
        .unwrap_or_else(|| panic!("no numeric value for {id}"))
}

#[test]
fn derived_market_sizes_follow_their_stated_method() {
    let m = data("market_size.yaml");
    let rows = &m["rows"];
    let cagr = value(&data("market_facts.yaml")["rows"], "cagr") / 100.0;
    let round = |x: f64| (x / 1e7).round() * 1e7; // 0.1亿元
    let (v24, v27) = (value(rows, "2024"), value(rows, "2027"));
    // One rounding rule: compute from unrounded values, round once at the end.
    let v22 = v27 / (1.0 + cagr).powi(5);
    assert_eq!(value(rows, "2022"), round(v22));
    assert_eq!(value(rows, "2023"), round((v22 * v24).sqrt()));
    let r = (v27 / v24).powf(1.0 / 3.0);
    assert_eq!(value(rows, "2025"), round(v24 * r));
    assert_eq!(value(rows, "2026"), round(v24 * r * r));
    let implied = value(
        &data("market_facts.yaml")["rows"],
        "implied_growth_2024_2027",
    );
    assert_eq!(implied, ((r - 1.0) * 1000.0).round() / 10.0);
}

/// `<svg class="chart-svg …">…</svg>` elements of a page.
fn chart_svgs(html: &str) -> Vec<String> {
    html.match_indices("<svg class=\"chart-svg")
        .map(|(i, _)| {
            let end = html[i..].find("</svg>").unwrap();
            html[i..i + end + 6].to_string()
        })
        .collect()
}

#[test]
fn charts_are_well_formed_svg_in_each_language() {
    let mut seen = BTreeMap::new();
    for lang in ["zh", "en"] {
        for p in ORDER {
            for svg in chart_svgs(&page(lang, p)) {
                let doc = roxmltree::Document::parse(&svg)
                    .unwrap_or_else(|e| panic!("{lang}/{p}: not well-formed XML: {e}"));
                let root = doc.root_element();
                assert!(root.attribute("viewBox").is_some(), "viewBox");
                assert!(
                    root.attribute("width").is_none(),
                    "no fixed width: the chart scales to the column"
                );
                assert_eq!(root.attribute("role"), Some("img"));
                assert!(
                    doc.descendants().any(|n| n.has_tag_name("title"))
                        && doc.descendants().any(|n| n.has_tag_name("desc"))
                );
                let text: String = doc
                    .descendants()
                    .filter(|n| n.is_text())
                    .map(|n| n.text().unwrap_or(""))
                    .collect();
                let has_cjk = text.chars().any(is_cjk);
                if lang == "zh" {
                    assert!(has_cjk, "{p}: a zh chart has Chinese labels");
                } else {
                    assert!(!has_cjk, "{p}: an en chart has Chinese text: {text}");
                }
                // No colour is hard-coded: fills and strokes are classes (themes, print).
                assert!(
                    !svg.contains("fill=\"#") && !svg.contains("stroke=\"#"),
                    "{lang}/{p}: hard-coded colour"
                );
                *seen.entry(lang).or_insert(0) += 1;
            }
        }
    }
    // Five charts, two variants each, plus the two on each home page.
    assert_eq!(seen.get("zh"), Some(&14));
    assert_eq!(seen.get("en"), Some(&14));
}

#[test]
fn each_charts_csv_has_the_numbers_of_its_table() {
    for (lang, rel, id) in [
        ("zh", "status/index.html", "market-size"),
        ("en", "status/index.html", "market-size"),
        ("zh", "background/index.html", "price-trend"),
        ("en", "status/index.html", "price-comparison"),
        ("zh", "status/index.html", "commercialization-mix"),
        ("en", "status/index.html", "filing-types"),
    ] {
        let html = page(lang, rel);
        let fig = &html[html.find(&format!("id=\"fig-{id}\"")).unwrap()..];
        let table = &fig[fig.find("<details class=\"chart-data\">").unwrap()..];
        let table = &table[..table.find("</table>").unwrap()];
        let rows: Vec<Vec<String>> = table
            .split("<tr>")
            .skip(2)
            .map(|r| {
                r.split("</t")
                    .filter_map(|c| c.rfind('>').map(|i| strip_tags(&c[i + 1..])))
                    .filter(|c| !c.is_empty())
                    .collect()
            })
            .collect();
        let csv = read(&site().join(lang).join(format!("charts/{id}.csv")));
        assert!(
            csv.starts_with('\u{feff}'),
            "CSV starts with a BOM for Excel"
        );
        // The CSV is tidy: one line per figure, so a table row is the CSV lines of its row id.
        let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
        let headers = reader.headers().unwrap().clone();
        let shown = headers
            .iter()
            .position(|h| h == t(lang, "csv_display"))
            .unwrap();
        let mut groups: Vec<(String, String)> = Vec::new();
        for record in reader.records() {
            let record = record.unwrap();
            let norm = |s: &str| {
                s.replace([',', '%', ' '], "")
                    .replace('–', "-")
                    .replace('≤', "<=")
            };
            let line = format!(
                "{} {}",
                norm(&record.iter().collect::<Vec<_>>().join(" ")),
                norm(&record[shown])
            );
            match groups.last_mut() {
                Some((id, text)) if id == &record[0] => text.push_str(&line),
                _ => groups.push((record[0].to_string(), line)),
            }
        }
        assert_eq!(rows.len(), groups.len(), "{lang} {id}: row count");
        for (t, (_, c)) in rows.iter().zip(&groups) {
            // Every number in the table row is shown the same way in the CSV row's lines.
            for cell in t {
                let n = cell.replace([',', '%', ' '], "");
                if n.chars()
                    .next()
                    .is_some_and(|ch| ch.is_ascii_digit() || "<≤~".contains(ch))
                {
                    let n = n
                        .replace('≤', "<=")
                        .replace('–', "-")
                        .trim_end_matches(|ch: char| !ch.is_ascii_digit() && ch != '+')
                        .to_string();
                    assert!(
                        c.contains(&n),
                        "{lang} {id}: table value {cell} not in CSV row {c}"
                    );
                }
            }
        }
    }
}

/// A UI string of the built-in language packs.
fn t(lang: &str, key: &str) -> String {
    let pack: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string(format!("templates/i18n/{lang}.yaml")).unwrap(),
    )
    .unwrap();
    pack["strings"][key].as_str().unwrap().to_string()
}

#[test]
fn glossary_lists_its_terms_in_both_languages() {
    let zh = page("zh", "glossary/index.html");
    let en = page("en", "glossary/index.html");
    for term in [
        "百模大战",
        "Battle of a Hundred Models",
        "信创",
        "Model-as-a-Service",
        "央企",
        "central state-owned enterprise",
        "具身智能",
        "embodied intelligence",
    ] {
        assert!(
            zh.contains(term) && en.contains(term),
            "glossary lacks {term}"
        );
    }
}

#[test]
fn editors_notes_are_set_apart_and_never_show_their_markup() {
    let mut notes = 0;
    for lang in ["zh", "en"] {
        for rel in [
            "status/index.html",
            "applications/index.html",
            "trends/index.html",
        ] {
            let html = page(lang, rel);
            assert!(
                !html.contains("[!NOTE]"),
                "{lang}/{rel} shows the alert markup"
            );
            notes += html
                .matches("<blockquote class=\"markdown-alert-note\">")
                .count();
        }
    }
    assert!(
        notes >= 4,
        "the report's editor's notes render as notes ({notes})"
    );
}

/// Chart captions state the finding in the title (the report's own sentence, its numbers from
/// the data) with what is measured in a subtitle; key points open each chapter, marked as
/// written for this edition.
#[test]
fn chart_titles_state_the_finding_and_chapters_open_with_key_points() {
    for (lang, title, subtitle, added) in [
        (
            "zh",
            "2024年AI大模型应用市场规模约为157亿元，2022-2027年复合增长率达148%",
            "2022-2027年中国AI大模型应用市场规模",
            "网页版编者据本章内容整理，并非报告原文。",
        ),
        (
            "en",
            "The large AI model application market reached about CNY 15.7 billion in 2024, with a compound annual growth rate of 148% over 2022–2027",
            "China’s large AI model application market, 2022–2027",
            "Summarised from this chapter by the web edition’s editors; not part of the original report.",
        ),
    ] {
        let html = page(lang, "status/index.html");
        let fig = &html[html
            .find("<figure class=\"chart\" id=\"fig-market-size\">")
            .unwrap()..];
        let caption = &fig[..fig.find("</figcaption>").unwrap()];
        assert!(
            caption.contains(&format!(
                "</span> {title}<span class=\"fig-subtitle\">{subtitle}</span>"
            )),
            "{lang}: {caption}"
        );
        for chapter in ["background", "status", "applications", "trends"] {
            let html = page(lang, &format!("{chapter}/index.html"));
            assert!(
                html.contains("<aside class=\"key-points\""),
                "{lang}/{chapter}"
            );
            assert!(html.contains(added), "{lang}/{chapter}: marked as added");
        }
    }
}
