//! Helpers shared by the integration tests: fixture copies and an output link checker.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

pub fn copy_dir(src: &Path, dst: &Path) {
    for entry in walkdir::WalkDir::new(src) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(src).unwrap();
        let target = dst.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A fresh copy of the valid fixture site; the temp dir lives as long as the first value.
pub fn fixture_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_dir(&repo_root().join("tests/fixtures/site"), &root);
    (dir, root)
}

/// The valid fixture with an invalid case laid over it (its files replace the fixture's;
/// `delete.txt` lists files to remove).
pub fn fixture_with(case: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, root) = fixture_copy();
    let case_dir = repo_root().join("tests/fixtures/invalid").join(case);
    for entry in walkdir::WalkDir::new(&case_dir) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(&case_dir).unwrap();
        let name = rel.to_string_lossy();
        if entry.file_type().is_dir() || name == "expected.txt" {
            continue;
        }
        if name == "delete.txt" {
            for line in read(entry.path()).lines().filter(|l| !l.trim().is_empty()) {
                std::fs::remove_file(root.join(line.trim())).unwrap();
            }
            continue;
        }
        let target = root.join(rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(entry.path(), &target).unwrap();
    }
    (dir, root)
}

pub fn all_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    each_file(dir, |e| std::fs::read(e.path()).unwrap())
}

/// Each file under `dir` by its path from `dir` (with `/`), with what `read` takes from it.
pub fn each_file<T>(dir: &Path, read: impl Fn(&walkdir::DirEntry) -> T) -> BTreeMap<String, T> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, read(&e))
        })
        .collect()
}

/// Values of `href="…"` and `src="…"` in an HTML file (test helper, not a parser).
pub fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in [" href=\"", " src=\""] {
        for (i, _) in html.match_indices(attr) {
            let rest = &html[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].replace("&amp;", "&"));
            }
        }
    }
    out
}

fn ids(html: &str) -> BTreeSet<String> {
    html.match_indices(" id=\"")
        .map(|(i, _)| {
            let rest = &html[i + 5..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

/// Every relative link in every HTML page points at an existing file (and anchor).
/// External links and the 404 page (absolute by design) are skipped.
pub fn check_links(out: &Path) -> Vec<String> {
    let files = all_files(out);
    let mut problems = Vec::new();
    for (path, bytes) in &files {
        if !path.ends_with(".html") || path == "404.html" {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        let here = Path::new(path).parent().unwrap_or(Path::new(""));
        for link in links(&html) {
            if link.is_empty() {
                problems.push(format!("{path}: an empty link (href=\"\") leads nowhere"));
                continue;
            }
            if link.starts_with("http://")
                || link.starts_with("https://")
                || link.starts_with("mailto:")
            {
                continue;
            }
            assert!(
                !link.starts_with('/'),
                "{path}: root-relative link {link} breaks under a sub-path"
            );
            let (file, frag) = link.split_once('#').unwrap_or((&link, ""));
            let file = file.split('?').next().unwrap();
            let target = if file.is_empty() {
                PathBuf::from(path)
            } else {
                normalize(&here.join(file))
            };
            let key = target.to_string_lossy().replace('\\', "/");
            let key = if key.ends_with('/') || key.is_empty() {
                format!("{key}index.html")
            } else {
                key
            };
            let Some(content) = files.get(&key) else {
                problems.push(format!("{path}: {link} → {key} does not exist"));
                continue;
            };
            if !frag.is_empty() && key.ends_with(".html") {
                let frag = frag.replace("%20", " ");
                if !ids(&String::from_utf8_lossy(content)).contains(&frag) {
                    problems.push(format!("{path}: {link} → no id `{frag}` in {key}"));
                }
            }
        }
    }
    problems
}

fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// Removes tags from HTML and decodes the entities yanbao writes (the contents of `<svg>` are
/// dropped): the text a reader sees.
pub fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut skip: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < html.len() {
        let rest = &html[i..];
        if rest.starts_with('<') {
            if let Some(close) = skip.last() {
                if rest.starts_with(close) {
                    skip.pop();
                }
            } else if rest.starts_with("<svg") {
                skip.push("</svg>");
            }
            i = rest.find('>').map_or(html.len(), |e| i + e + 1);
            // A <wbr> (a word boundary in a CJK heading) is no space.
            if !rest.starts_with("<wbr>") {
                out.push(' ');
            }
            continue;
        }
        let c = rest.chars().next().unwrap();
        if skip.is_empty() {
            let ents = [
                ("&amp;", '&'),
                ("&lt;", '<'),
                ("&gt;", '>'),
                ("&quot;", '"'),
                ("&#39;", '\''),
                ("&nbsp;", ' '),
            ];
            if let Some((ent, ch)) = ents.iter().find(|(e, _)| rest.starts_with(e)) {
                out.push(*ch);
                i += ent.len();
                continue;
            }
            out.push(c);
        }
        i += c.len_utf8();
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Chinese characters (the CJK ideograph blocks).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Runs the `yanbao` binary in `dir`: (exit code, stdout, stderr).
pub fn yanbao(args: &[&str], dir: &Path) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yanbao"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Replaces the first `from` with `to` in `root/file`, which must contain it.
pub fn edit(root: &Path, file: &str, from: &str, to: &str) {
    let p = root.join(file);
    let text = read(&p);
    assert!(text.contains(from), "{file} lacks {from}");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

/// The small fixture with 600 generated chapters per language, in `dir/site`: its search index
/// no longer fits one file, so it is sharded. Each chapter has a word of its own,
/// `marker<i>word`, in its section `#unique`.
pub fn sharded_site(dir: &Path) -> PathBuf {
    let root = dir.join("site");
    copy_dir(&repo_root().join("tests/fixtures/site"), &root);
    for lang in ["zh", "en"] {
        for i in 0..600 {
            let words = if lang == "zh" {
                "市场规模与算力投资的长期分析"
            } else {
                "long-term analysis of market size and compute investment"
            };
            // Forty words of its own per chapter, so the terms alone outgrow one shard.
            let own: String = (0..40).map(|k| format!(" term{i}x{k}")).collect();
            let body = format!(
                "---\ntitle: \"{lang} chapter {i}\"\norder: {}\n---\n\n## Part {{#part}}\n\n{}{own}\n\n## Unique {{#unique}}\n\nmarker{i}word\n",
                i + 10,
                words.repeat(40)
            );
            std::fs::write(root.join(format!("content/{lang}/c{i:04}.md")), body).unwrap();
        }
    }
    root
}
