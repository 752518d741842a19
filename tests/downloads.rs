//! The data downloads read back with a real CSV reader: every figure of every data file is in
//! every CSV (neutral and per language) at full precision in base units, with its unit and
//! qualifier; hostile texts survive as text; datapackage.json passes the Frictionless validator.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use yanbao::Options;

/// A quantity as the data files write it: (low, high, qualifier code).
fn quantity(v: &serde_yaml::Value) -> (f64, Option<f64>, &'static str) {
    if let Some(x) = v.as_f64() {
        return (x, None, "");
    }
    let s = v
        .as_str()
        .expect("a quantity is a number or a string")
        .trim();
    let num = |t: &str| t.trim().parse::<f64>().unwrap();
    if let Some(r) = s.strip_suffix('+') {
        return (num(r), None, "more_than");
    }
    for (p, code) in [
        ("<=", "at_most"),
        ("≤", "at_most"),
        (">", "more_than"),
        ("<", "less_than"),
        ("~", "about"),
    ] {
        if let Some(r) = s.strip_prefix(p) {
            return (num(r), None, code);
        }
    }
    let split = s
        .char_indices()
        .skip(1)
        .find(|&(i, c)| (c == '-' || c == '–') && !s[..i].ends_with(['e', 'E']));
    match split {
        Some((i, c)) => (num(&s[..i]), Some(num(&s[i + c.len_utf8()..])), "range"),
        None => (num(s), None, ""),
    }
}

/// Every figure of a site's data files: (set, row, field) → (low, high, qualifier, unit).
type Figures = BTreeMap<(String, String, String), (f64, Option<f64>, &'static str, String)>;

fn figures(root: &Path) -> Figures {
    let mut out = Figures::new();
    for entry in std::fs::read_dir(root.join("content/data")).unwrap() {
        let path = entry.unwrap().path();
        let set = path.file_stem().unwrap().to_string_lossy().to_string();
        let doc: serde_yaml::Value = serde_yaml::from_str(&read(&path)).unwrap();
        let fields = doc["fields"].as_mapping().unwrap();
        for row in doc["rows"].as_sequence().unwrap() {
            let id = row["id"].as_str().unwrap().to_string();
            for (name, spec) in fields {
                let name = name.as_str().unwrap();
                if spec["type"].as_str() != Some("quantity") || row.get(name).is_none() {
                    continue;
                }
                let (lo, hi, q) = quantity(&row[name]);
                let unit = row["unit"]
                    .as_str()
                    .or(spec["unit"].as_str())
                    .unwrap_or("")
                    .to_string();
                out.insert(
                    (set.clone(), id.clone(), name.to_string()),
                    (lo, hi, q, unit),
                );
            }
        }
    }
    out
}

fn build(root: &Path) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = Options::new(root);
    opts.output = dir.path().join("out");
    yanbao::build(&opts).unwrap();
    let out = opts.output.clone();
    (dir, out)
}

fn records(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = read(path);
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (headers, rows)
}

/// Compares one CSV with the data files: each line's figure is the YAML's, exactly.
/// Returns the (row, field) pairs the CSV holds. The measure columns sit at fixed places from
/// the end (the seven source columns follow them), whatever the language of the headers.
fn check_csv(path: &Path, set: &str, figures: &Figures, neutral: bool) -> Vec<(String, String)> {
    let (headers, rows) = records(path);
    let n = headers.len();
    // Neutral files carry localized columns once per language: find them by name there.
    let at = |name: &str, from_end: usize| {
        if neutral {
            headers.iter().position(|h| h == name).unwrap()
        } else {
            n - from_end
        }
    };
    let (field, value, low, high, qualifier, unit) = (
        at("field", 7 + 8),
        at("value", 7 + 6),
        at("low", 7 + 5),
        at("high", 7 + 4),
        at("qualifier", 7 + 3),
        at("unit", 7 + 2),
    );
    let mut seen = Vec::new();
    for r in rows {
        if r[field].is_empty() {
            // A row without a figure in these fields: its texts only.
            assert_eq!(r[value], "", "{r:?}");
            continue;
        }
        let key = (set.to_string(), r[0].clone(), r[field].clone());
        let Some((lo, hi, q, u)) = figures.get(&key) else {
            panic!(
                "{}: line {r:?} is not a figure of the data files",
                path.display()
            );
        };
        let num = |s: &str| {
            s.parse::<f64>()
                .unwrap_or_else(|_| panic!("{s:?} in {}", path.display()))
        };
        match hi {
            Some(hi) => {
                assert_eq!(r[value], "", "{key:?}: a range has no single value");
                assert_eq!(
                    num(&r[low]).to_bits(),
                    lo.to_bits(),
                    "{key:?} low in {}",
                    path.display()
                );
                assert_eq!(num(&r[high]).to_bits(), hi.to_bits(), "{key:?} high");
            }
            None => {
                assert_eq!(
                    num(&r[value]).to_bits(),
                    lo.to_bits(),
                    "{key:?} value in {}",
                    path.display()
                );
                assert_eq!((r[low].as_str(), r[high].as_str()), ("", ""), "{key:?}");
            }
        }
        assert_eq!(&r[qualifier], q, "{key:?} qualifier in {}", path.display());
        assert_eq!(&r[unit], u, "{key:?} unit in {}", path.display());
        seen.push((r[0].clone(), r[field].clone()));
    }
    seen
}

fn check_site(root: &Path) {
    let figures = figures(root);
    assert!(figures.len() > 20, "{}: figures found", root.display());
    let (_dir, out) = build(root);
    let langs = ["zh", "en"];
    let sets: std::collections::BTreeSet<&String> = figures.keys().map(|k| &k.0).collect();
    for set in sets {
        let expected: Vec<(String, String)> = figures
            .keys()
            .filter(|k| &k.0 == set)
            .map(|k| (k.1.clone(), k.2.clone()))
            .collect();
        let mut files = vec![(out.join(format!("data/{set}.csv")), true)];
        files.extend(langs.map(|l| (out.join(format!("{l}/data/{set}.csv")), false)));
        for (file, neutral) in files {
            let mut seen = check_csv(&file, set, &figures, neutral);
            seen.sort();
            let mut want = expected.clone();
            want.sort();
            assert_eq!(seen, want, "{}: every figure exactly once", file.display());
        }
        // The JSON mirrors the CSV: the same figures under the same names.
        let json: serde_json::Value =
            serde_json::from_str(&read(&out.join(format!("data/{set}.json")))).unwrap();
        for rec in json["records"].as_array().unwrap() {
            let key = (
                set.clone(),
                rec["row"].as_str().unwrap().to_string(),
                rec["field"].as_str().unwrap_or_default().to_string(),
            );
            if let Some((lo, hi, _, unit)) = figures.get(&key) {
                let v = if hi.is_some() {
                    &rec["low"]
                } else {
                    &rec["value"]
                };
                assert_eq!(v.as_f64(), Some(*lo), "{key:?} in JSON");
                assert_eq!(
                    rec["unit"].as_str(),
                    Some(unit.as_str()),
                    "{key:?} unit in JSON"
                );
            }
        }
    }
    // Chart CSVs: each line is a figure of the chart's data set.
    for entry in std::fs::read_dir(out.join("charts")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let json: serde_json::Value = serde_json::from_str(&read(&path)).unwrap();
            let set = json["data"].as_str().unwrap();
            let id = path.file_stem().unwrap().to_string_lossy();
            assert!(
                !check_csv(&out.join(format!("charts/{id}.csv")), set, &figures, true).is_empty()
            );
            for l in langs {
                check_csv(
                    &out.join(format!("{l}/charts/{id}.csv")),
                    set,
                    &figures,
                    false,
                );
            }
        }
    }
    frictionless(&out);
}

#[test]
fn every_csv_holds_the_data_files_figures_in_base_units() {
    check_site(&repo_root());
    check_site(&repo_root().join("tests/fixtures/ev-report"));
}

#[test]
fn the_unit_of_each_json_row_is_its_own() {
    // commercialization: shares are percent, the customer count is a count.
    let (_dir, out) = build(&repo_root());
    let json: serde_json::Value =
        serde_json::from_str(&read(&out.join("data/commercialization.json"))).unwrap();
    let rows = json["rows"].as_array().unwrap();
    let unit = |id: &str| {
        rows.iter().find(|r| r["id"] == id).unwrap()["unit"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(unit("tencent_maas_users"), "count");
    assert_eq!(unit("custom"), "percent");
}

/// `target/pyenv/bin/frictionless`, installed by tests/run.sh.
fn frictionless(out: &Path) {
    let bin = repo_root().join("target/pyenv/bin/frictionless");
    assert!(
        bin.is_file(),
        "{} is missing: run tests/run.sh, which installs it (python3 -m venv target/pyenv && target/pyenv/bin/pip install frictionless)",
        bin.display()
    );
    let run = std::process::Command::new(&bin)
        .args(["validate", "--json", "datapackage.json"])
        .current_dir(out)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&run.stderr)));
    assert_eq!(report["valid"], true, "{report:#}");
    assert!(run.status.success());
    let tasks = report["tasks"].as_array().unwrap();
    let package: serde_json::Value =
        serde_json::from_str(&read(&out.join("datapackage.json"))).unwrap();
    assert_eq!(tasks.len(), package["resources"].as_array().unwrap().len());
}

#[test]
fn hostile_texts_stay_text_and_are_never_smart_quoted() {
    let (_dir, root) = fixture_copy();
    let hostile = [
        "=HYPERLINK(\"http://evil.example\",\"x\")",
        "+1+2",
        "@SUM(A1)",
        "-3+4",
        "1-3",
        "1/2",
        "007",
        "1e5",
        "He said \"so\", it's 'fine'",
        "line one\nline two",
    ];
    let mut yaml = String::from(
        "title: {zh: 测试, en: Test}\nsource: rep\nsources:\n  rep: {kind: report, section: market#mix}\nfields:\n  label: {type: text, label: {zh: 名称, en: Name}}\n  value: {type: quantity, unit: percent, label: {zh: 占比, en: Share}}\nrows:\n",
    );
    for (i, h) in hostile.iter().enumerate() {
        yaml.push_str(&format!(
            "  - {{id: r{i}, label: {}, value: {}}}\n",
            serde_json::to_string(h).unwrap(),
            i + 1
        ));
    }
    std::fs::write(root.join("content/data/hostile.yaml"), yaml).unwrap();
    let (_out_dir, out) = build(&root);
    for file in [
        "data/hostile.csv",
        "en/data/hostile.csv",
        "zh/data/hostile.csv",
    ] {
        let (_, rows) = records(&out.join(file));
        let labels: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
        for (got, want) in labels.iter().zip(hostile) {
            let protected = ["=", "+", "@", "-", "1-3", "1/2", "007", "1e5"]
                .iter()
                .any(|p| want.starts_with(p) && (p.len() == 1 || want == *p));
            let expected = if protected {
                format!("'{want}")
            } else {
                want.to_string()
            };
            assert_eq!(*got, expected, "{file}");
        }
        let text = read(&out.join(file));
        assert!(
            !text.contains(['“', '”', '‘', '’']),
            "{file}: no smart quotes"
        );
    }
    let json = read(&out.join("data/hostile.json"));
    assert!(
        json.contains("He said \\\"so\\\", it's 'fine'"),
        "JSON keeps the text as written"
    );
}
