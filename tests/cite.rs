//! "Cite this": the BibTeX and RIS files read back with independent parsers (Python's
//! bibtexparser with pylatexenc, and rispy, installed by tests/run.sh into target/pyenv) hold
//! what site.yaml says, for the bundled report, the EV fixture and hostile strings; each
//! figure's files name the figure its page shows; the pages show the citations escaped.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;
use yanbao::Options;

const BASE: &str = "https://example.org/r/";

fn build(root: &Path, base_url: Option<&str>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = Options::new(root);
    opts.output = dir.path().join("out");
    opts.base_url = base_url.map(str::to_string);
    yanbao::build(&opts).unwrap();
    let out = opts.output.clone();
    (dir, out)
}

/// Every .bib and .ris file of a language, parsed by tests/tools/read_citations.py: file
/// name → what the parser read.
fn parsed(out: &Path, lang: &str) -> BTreeMap<String, Value> {
    let python = repo_root().join("target/pyenv/bin/python");
    assert!(
        python.is_file(),
        "{} is missing: run tests/run.sh, which installs it (python3 -m venv target/pyenv && target/pyenv/bin/pip install bibtexparser rispy)",
        python.display()
    );
    let dir = out.join(lang).join("cite");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "bib" || x == "ris"))
        .collect();
    files.sort();
    let run = std::process::Command::new(&python)
        .arg(repo_root().join("tests/tools/read_citations.py"))
        .args(&files)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let all: BTreeMap<String, Value> = serde_json::from_slice(&run.stdout).unwrap();
    all.into_iter()
        .map(|(k, v)| {
            let name = Path::new(&k).file_name().unwrap().to_string_lossy().into();
            (name, v)
        })
        .collect()
}

/// A per-language text of site.yaml (`{zh: …, en: …}` or one text for all).
fn text_in(v: &serde_yaml::Value, lang: &str) -> Option<String> {
    match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Mapping(_) => v[lang].as_str().map(str::to_string),
        _ => None,
    }
}

/// The page shows English titles with typographic quotes; the comparison does not care.
fn plain_quotes(s: &str) -> String {
    s.replace(['‘', '’'], "'").replace(['“', '”'], "\"")
}

/// What a citation must say, from site.yaml alone. Line breaks in site.yaml read as spaces.
struct Expected {
    title: String,
    authors: Vec<String>,
    publisher: Option<String>,
    date: Vec<u32>,
    version: Option<String>,
    doi: Option<String>,
    isbn: Option<String>,
}

fn expected(root: &Path, lang: &str) -> Expected {
    let y: serde_yaml::Value =
        serde_yaml::from_str(&read(&root.join("content/site.yaml"))).unwrap();
    let one_line = |s: String| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let get = |k: &str| text_in(&y[k], lang).map(one_line);
    let default = y["languages"][0].as_str().unwrap();
    let authors: Vec<String> = match y["authors"].as_sequence() {
        Some(list) if !list.is_empty() => list
            .iter()
            .map(|a| {
                text_in(&a["name"], lang)
                    .or_else(|| text_in(&a["name"], default))
                    .unwrap()
            })
            .map(one_line)
            .collect(),
        _ => get("author").or(get("publisher")).into_iter().collect(),
    };
    let date = y["published"]
        .as_str()
        .or(y["date"].as_str())
        .map(|d| d.split('-').map(|p| p.parse().unwrap()).collect())
        .unwrap_or_default();
    Expected {
        title: get("title").unwrap(),
        authors,
        publisher: get("publisher"),
        date,
        version: y["version"].as_str().map(str::to_string),
        doi: y["doi"].as_str().map(str::to_string),
        isbn: y["isbn"].as_str().map(str::to_string),
    }
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// A parsed text, its runs of spaces as one (line breaks in site.yaml become spaces).
fn s(v: &Value) -> String {
    v.as_str()
        .map(|x| plain_quotes(&x.split_whitespace().collect::<Vec<_>>().join(" ")))
        .unwrap_or_default()
}

/// The report's .bib and .ris of every language say what site.yaml says.
fn check_report(root: &Path, out: &Path, base: Option<&str>) {
    let y: serde_yaml::Value =
        serde_yaml::from_str(&read(&root.join("content/site.yaml"))).unwrap();
    for lang in y["languages"].as_sequence().unwrap() {
        let lang = lang.as_str().unwrap();
        let e = expected(root, lang);
        let files = parsed(out, lang);
        let url = base.map(|b| format!("{b}{lang}/"));

        let bib = &files["report.bib"];
        assert_eq!(bib["failed"], 0, "{bib:#}");
        assert_eq!(bib["other_blocks"], 0, "{bib:#}");
        let entries = bib["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 1, "{bib:#}");
        let b = &entries[0];
        let f = &b["fields"];
        assert_eq!(b["type"], "techreport");
        assert_eq!(b["key"], format!("report-{lang}"));
        assert_eq!(s(&f["title"]), plain_quotes(&e.title), "{lang}");
        let authors: Vec<String> = b["authors"].as_array().unwrap().iter().map(s).collect();
        assert_eq!(authors, e.authors, "{lang}");
        assert_eq!(
            f.get("institution").map(s),
            e.publisher.clone(),
            "{lang}: {f:#}"
        );
        assert_eq!(f.get("year").map(s), e.date.first().map(|y| y.to_string()));
        assert_eq!(
            f.get("month").map(s),
            e.date.get(1).map(|m| MONTHS[*m as usize - 1].to_string())
        );
        assert_eq!(f.get("version").map(s), e.version.clone());
        assert_eq!(f.get("doi").map(s), e.doi.clone());
        assert_eq!(f.get("isbn").map(s), e.isbn.clone());
        assert_eq!(f.get("url").map(s), url.clone());

        let ris = &files["report.ris"]["entries"];
        assert_eq!(ris.as_array().unwrap().len(), 1, "{ris:#}");
        let r = &ris[0];
        assert_eq!(r["type_of_reference"], "RPRT");
        assert_eq!(s(&r["title"]), plain_quotes(&e.title));
        let authors: Vec<String> = r["authors"].as_array().unwrap().iter().map(s).collect();
        assert_eq!(authors, e.authors);
        assert_eq!(r.get("publisher").map(s), e.publisher.clone());
        assert_eq!(r.get("year").map(s), e.date.first().map(|y| y.to_string()));
        if !e.date.is_empty() {
            let part = |i: usize| e.date.get(i).map_or(String::new(), |p| format!("{p:02}"));
            assert_eq!(
                s(&r["date"]),
                format!("{}/{}/{}/", e.date[0], part(1), part(2))
            );
        }
        assert_eq!(r.get("edition").map(s), e.version.clone());
        assert_eq!(r.get("doi").map(s), e.doi.clone());
        assert_eq!(r.get("issn").map(s), e.isbn.clone());
        assert_eq!(r.get("urls").map(|u| s(&u[0])), url, "{lang}: {r:#}");

        // The CSL-JSON file is the same item.
        let csl: Value =
            serde_json::from_str(&read(&out.join(format!("{lang}/cite/report.json")))).unwrap();
        assert_eq!(s(&csl[0]["title"]), plain_quotes(&e.title));
        assert_eq!(csl[0]["type"], "report");

        // The home page shows it, formatted, with the three files.
        let home = read(&out.join(format!("{lang}/index.html")));
        let block = &home[home.find("<section class=\"cite-report\"").unwrap()..];
        let block = &block[..block.find("</section>").unwrap()];
        for f in ["report.bib", "report.ris", "report.json"] {
            assert!(
                block.contains(&format!("href=\"../{lang}/cite/{f}\" download")),
                "{block}"
            );
        }
        let text = plain_quotes(&strip_tags(block));
        assert!(text.contains(&plain_quotes(&e.title)), "{text}");
        // GB/T 7714 writes Latin names in capitals.
        assert!(
            text.to_lowercase().contains(&e.authors[0].to_lowercase()),
            "{text}"
        );
    }
}

/// Each figure's files: title "图 3 …"/"Figure 3 …" as its caption on the page reads, the
/// report as its container, its permalink as its address; the page links to them.
fn check_figures(root: &Path, out: &Path, base: &str) {
    let y: serde_yaml::Value =
        serde_yaml::from_str(&read(&root.join("content/site.yaml"))).unwrap();
    let mut seen = 0;
    for lang in y["languages"].as_sequence().unwrap() {
        let lang = lang.as_str().unwrap();
        let e = expected(root, lang);
        let files = parsed(out, lang);
        for (name, v) in &files {
            let Some(stem) = name.strip_suffix(".bib") else {
                continue;
            };
            if stem == "report" {
                continue;
            }
            seen += 1;
            assert_eq!(v["failed"], 0);
            let b = &v["entries"][0];
            let f = &b["fields"];
            assert_eq!(b["type"], "misc");
            assert_eq!(s(&f["howpublished"]), plain_quotes(&e.title));
            let url = s(&f["url"]);
            let (page, anchor) = url.strip_prefix(base).unwrap().split_once('#').unwrap();
            assert_eq!(anchor, stem);
            // The caption at the permalink reads as the citation's title.
            let html = read(&out.join(page).join("index.html"));
            let cap = &html[html
                .find(&format!("<figcaption id=\"{stem}-cap\">"))
                .unwrap_or_else(|| panic!("{url}: no figure {stem}"))..];
            // Its title, without the subtitle that says what is measured.
            let cap = &cap[..cap.find("</figcaption>").unwrap()];
            let cap = strip_tags(
                &cap[..cap
                    .find("<span class=\"fig-subtitle\">")
                    .unwrap_or(cap.len())],
            );
            assert_eq!(plain_quotes(&cap), s(&f["title"]), "{url}");
            assert!(
                html.contains(&format!("<a class=\"fig-link\" href=\"#{stem}\"")),
                "{url}: no permalink"
            );
            for ext in ["bib", "ris", "json"] {
                assert!(html.contains(&format!("/{lang}/cite/{stem}.{ext}\" download>")));
            }
            let ris = &files[&format!("{stem}.ris")]["entries"][0];
            assert_eq!(s(&ris["title"]), s(&f["title"]));
            assert_eq!(s(&ris["secondary_title"]), plain_quotes(&e.title));
            assert_eq!(s(&ris["urls"][0]), url);
            assert!(matches!(
                ris["type_of_reference"].as_str(),
                Some("FIGURE" | "DATA")
            ));
        }
    }
    assert!(seen > 4, "only {seen} figures cited");
}

#[test]
fn the_bundled_report_is_cited_as_site_yaml_says() {
    let root = repo_root();
    let (_d, out) = build(&root, Some(BASE));
    check_report(&root, &out, Some(BASE));
    check_figures(&root, &out, BASE);
}

#[test]
fn the_ev_report_is_cited_with_its_authors_date_and_identifiers() {
    let root = repo_root().join("tests/fixtures/ev-report");
    // Its own base_url.
    let (_d, out) = build(&root, None);
    let base = "https://example.org/reports/ev-2024/";
    check_report(&root, &out, Some(base));
    check_figures(&root, &out, base);
    let en = read(&out.join("en/index.html"));
    let block = strip_tags(&en[en.find("<section class=\"cite-report\"").unwrap()..]);
    // APA, with the date and DOI from site.yaml.
    assert!(block.contains("Wang Xiaoming, & Jane O'Neil \"JJ\". (2025). China’s new-energy vehicle market and battery prices, 2019–2024 (Version 1.1)"), "{block}");
    assert!(
        block.contains("https://doi.org/10.5555/ev-2024-fictional"),
        "{block}"
    );
    let zh = read(&out.join("zh/index.html"));
    let block = strip_tags(&zh[zh.find("<section class=\"cite-report\"").unwrap()..]);
    assert!(block.contains("王小明, JANE O'NEIL \"JJ\". 2019–2024年中国新能源汽车市场与动力电池价格[R/OL]. 示例研究所, 2025."), "{block}");
}

#[test]
fn hostile_strings_stay_inside_their_fields() {
    let (_dir, root) = fixture_copy();
    let evil_title =
        r#"Evil } @misc{x, title={y}, \end % & $ # _ ^ ~ "q" --  <script>alert(1)</script>"#;
    edit(
        &root,
        "content/site.yaml",
        "title: {zh: 测试报告, en: Test Report}",
        &format!(
            "title:\n  zh: \"坏}}标题\\n@book{{z,\\r\\nER  - \\nTY  - BOOK\"\n  en: '{}'\nauthors:\n  - name: \"A}} and {{B @book{{w,\"\n  - name: {{zh: \"王\\n小明\", en: \"<img src=x onerror=alert(1)>\"}}\nversion: \"1.0 {{beta}}\"",
            evil_title.replace('\'', "''")
        ),
    );
    let (_d, out) = build(&root, None);
    check_report(&root, &out, None);
    for lang in ["zh", "en"] {
        for (name, v) in parsed(out.as_path(), lang) {
            let n = v["entries"].as_array().unwrap().len();
            assert_eq!(n, 1, "{lang}/{name}: {v:#}");
            if name.ends_with(".bib") {
                assert_eq!(v["failed"], 0, "{lang}/{name}");
                assert_eq!(v["other_blocks"], 0, "{lang}/{name}");
            }
        }
        let home = read(&out.join(format!("{lang}/index.html")));
        assert!(
            !home.contains("<script>alert") && !home.contains("<img src=x"),
            "{lang}"
        );
    }
    let en = read(&out.join("en/index.html"));
    assert!(en.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

/// Runs the binary's build of `root` into `out` with `cache` as its cache folder ("" turns it
/// off), and returns what it wrote.
fn build_with_cache(root: &Path, out: &Path, cache: &str) -> BTreeMap<String, Vec<u8>> {
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_yanbao"))
        .args(["build", "--root"])
        .arg(root)
        .arg("--output")
        .arg(out)
        .env("YANBAO_CACHE_DIR", cache)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    all_files(out)
}

/// The one file of kept citations in `cache`, and what it holds: memo key → item id → html.
fn kept_file(cache: &Path) -> (PathBuf, BTreeMap<String, String>) {
    let files: Vec<PathBuf> = std::fs::read_dir(cache.join("citations"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let v: Value = serde_json::from_slice(&std::fs::read(&files[0]).unwrap()).unwrap();
    let mut held = BTreeMap::new();
    for e in v["entries"].as_array().unwrap() {
        for (id, f) in e[1].as_object().unwrap() {
            let text = |v: &Value| v.as_str().unwrap().to_string();
            held.insert(format!("{}|{id}", text(&e[0])), text(&f["html"]));
        }
    }
    (files[0].clone(), held)
}

/// Citations kept between runs (the user's cache folder) never change a byte of the site: a
/// build with none kept, with them kept, with the file damaged, with the cache off, after an
/// edit, and two builds at once, all give what a build without the cache gives. The kept file
/// is what the later builds read (a marker put in it shows on the pages), is written only when
/// the citations change, and holds only the ones the last build used.
#[test]
fn citations_kept_between_runs_change_no_byte() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_dir(&repo_root().join("tests/fixtures/ev-report"), &root);
    let cache = dir.path().join("cache");
    let c = cache.to_str().unwrap();
    let out = |n: &str| dir.path().join(n);

    let plain = build_with_cache(&root, &out("plain"), "");
    assert!(!cache.exists(), "the cache is off");
    assert_eq!(build_with_cache(&root, &out("cold"), c), plain);
    let (file, held) = kept_file(&cache);
    // Figures and sources, in the three languages' styles.
    assert!(held.len() > 10, "{held:?}");
    for style in ["apa\n", "gb-7714-2015-numeric\n"] {
        assert!(
            held.keys().any(|k| k.starts_with(style)),
            "{style}: {held:?}"
        );
    }
    let bytes = std::fs::read(&file).unwrap();
    let written = std::fs::metadata(&file).unwrap().modified().unwrap();
    assert_eq!(build_with_cache(&root, &out("warm"), c), plain);
    assert_eq!(std::fs::read(&file).unwrap(), bytes);
    assert_eq!(
        std::fs::metadata(&file).unwrap().modified().unwrap(),
        written,
        "nothing changed: the file is not written again"
    );

    // The builds read the file: a marker put in one citation shows on the pages.
    let (key, html) = held.iter().find(|(k, _)| k.starts_with("apa\n")).unwrap();
    let marked = String::from_utf8(bytes.clone()).unwrap().replacen(
        &serde_json::to_string(html).unwrap(),
        "\"KEPT-MARKER\"",
        1,
    );
    assert_ne!(marked.as_bytes(), &bytes[..], "{key}");
    std::fs::write(&file, marked).unwrap();
    let shown = build_with_cache(&root, &out("marked"), c);
    assert!(
        shown
            .values()
            .any(|b| String::from_utf8_lossy(b).contains("KEPT-MARKER"))
    );

    // A damaged file is formatted anew, and replaced.
    for damaged in [&b"{\"layout\":1,\"entries\":[[\"apa"[..], b"\0\xff", b""] {
        std::fs::write(&file, damaged).unwrap();
        assert_eq!(build_with_cache(&root, &out("damaged"), c), plain);
        assert_eq!(std::fs::read(&file).unwrap(), bytes);
    }

    // An edited source: the new title is formatted and kept, the old one dropped.
    edit(
        &root,
        "content/sources.yaml",
        "The NEV market in 2019: annual review (example)",
        "The NEV market in 2019, reviewed again (example)",
    );
    let edited = build_with_cache(&root, &out("edited-plain"), "");
    assert_ne!(edited, plain);
    assert_eq!(build_with_cache(&root, &out("edited"), c), edited);
    let (_, held) = kept_file(&cache);
    assert!(held.values().any(|h| h.contains("reviewed again")));
    assert!(!held.values().any(|h| h.contains("2019: annual review")));

    // Two builds at once, neither finding anything kept.
    std::fs::remove_dir_all(&cache).unwrap();
    let both: Vec<_> = ["twin-a", "twin-b"]
        .map(|n| {
            let (root, o) = (root.clone(), out(n));
            let c = c.to_string();
            std::thread::spawn(move || build_with_cache(&root, &o, &c))
        })
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    assert!(both.iter().all(|b| *b == edited));
    let (_, held) = kept_file(&cache);
    assert!(held.values().any(|h| h.contains("reviewed again")));
}

/// A cache folder that cannot be used (a file in its place, or a folder where the citations'
/// file would be) only means formatting again: the build succeeds with the same bytes.
#[test]
fn an_unusable_cache_folder_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = repo_root().join("tests/fixtures/ev-report");
    let plain = build_with_cache(&root, &dir.path().join("plain"), "");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    assert_eq!(
        build_with_cache(&root, &dir.path().join("out1"), file.to_str().unwrap()),
        plain
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"not a folder");
    // The site's file replaced by a folder: read as nothing, and not written over.
    let cache = dir.path().join("cache");
    let c = cache.to_str().unwrap();
    build_with_cache(&root, &dir.path().join("out2"), c);
    let (kept, _) = kept_file(&cache);
    std::fs::remove_file(&kept).unwrap();
    std::fs::create_dir(&kept).unwrap();
    assert_eq!(build_with_cache(&root, &dir.path().join("out3"), c), plain);
    assert!(kept.is_dir());
    let left: Vec<_> = std::fs::read_dir(cache.join("citations"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left.len(), 1, "no temporary file stays: {left:?}");
}
