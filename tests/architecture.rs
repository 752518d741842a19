//! The crate's layout, checked: modules depend on each other one way only (the order below),
//! no source file is longer than 700 lines before its tests, and every module says its job in a
//! `//!` line. A change that breaks the layering fails here, not in review.

mod common;

use std::collections::{BTreeMap, BTreeSet};

/// Top-level modules from the bottom up: each may use only modules listed before it.
const LAYERS: &[&str] = &[
    "diag", "markup", "model", "input", "check", "charts", "render", "emit", "output", "cache",
    "pipeline", "pdf", "serve", "scaffold",
];

fn sources() -> Vec<(String, String)> {
    let src = common::repo_root().join("src");
    walkdir::WalkDir::new(&src)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, common::read(e.path()))
        })
        .collect()
}

/// The top-level module a source file belongs to (`check/data.rs` → `check`).
fn module_of(rel: &str) -> String {
    rel.split('/')
        .next()
        .unwrap()
        .trim_end_matches(".rs")
        .to_string()
}

#[test]
fn modules_depend_one_way() {
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, text) in sources() {
        let from = module_of(&rel);
        if from == "lib" || from == "main" {
            continue;
        }
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for (i, _) in code.match_indices("crate::") {
            let name: String = code[i + 7..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if LAYERS.contains(&name.as_str()) && name != from {
                deps.entry(from.clone()).or_default().insert(name);
            }
        }
    }
    let rank = |m: &str| {
        LAYERS
            .iter()
            .position(|x| *x == m)
            .unwrap_or_else(|| panic!("module `{m}` is not in LAYERS"))
    };
    let mut wrong = Vec::new();
    for (from, tos) in &deps {
        for to in tos {
            if rank(to) > rank(from) {
                wrong.push(format!("{from} → {to}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "dependencies that point up the layers: {wrong:?}"
    );
}

#[test]
fn files_stay_small_and_say_their_job() {
    for (rel, text) in sources() {
        let before_tests = text
            .split("#[cfg(test)]")
            .next()
            .unwrap_or("")
            .lines()
            .count();
        assert!(
            before_tests <= 700,
            "src/{rel} has {before_tests} lines before its tests"
        );
        if rel.ends_with(".rs") {
            assert!(
                text.starts_with("//!"),
                "src/{rel} does not open with a `//!` line on its job"
            );
        }
    }
}
