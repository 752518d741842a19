//! Browser tests, part of `cargo test`: builds the bundled report, then runs
//! `tests/browser/e2e.mjs` in headless Chromium (playwright-core) and the W3C Nu HTML Checker
//! (vnu-jar) on every page. They never skip: a missing tool fails with what to install.
//! With `YANBAO_SHOTS=1`, screenshots land in `target/browser-shots/` for people to look at.
//! The tests take turns (one Chromium or JVM at a time): on a small CI machine, running them
//! together only made each slow enough to time out.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// Held by each test while it runs, so the browser tests take turns.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn take_turn() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

fn need(program: &str, version_arg: &str, install: &str) -> PathBuf {
    let found = Command::new(program)
        .arg(version_arg)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "browser tests need `{program}`, which is not installed.\nInstall it with: {install}\n(.ci/run does this on a fresh machine.)"
    );
    PathBuf::from(program)
}

fn chromium() -> PathBuf {
    let path = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&path).exists(),
        "browser tests need Chromium at {path}.\nInstall it with: apt-get install -y chromium fonts-noto-cjk\n(or set CHROMIUM=/path/to/chromium; .ci/run installs it on a fresh machine.)"
    );
    PathBuf::from(path)
}

/// What a test that drives Chromium from node starts with: its turn, Chromium, and the folder
/// of the node scripts with their packages.
fn browser_turn() -> (std::sync::MutexGuard<'static, ()>, PathBuf, PathBuf) {
    let turn = take_turn();
    let chromium = chromium();
    need("node", "--version", "apt-get install -y nodejs npm");
    (turn, chromium, node_modules())
}

/// `npm ci` in tests/browser when its packages are missing (playwright-core, axe-core, vnu-jar).
fn node_modules() -> PathBuf {
    let dir = repo_root().join("tests/browser");
    if !dir.join("node_modules/playwright-core").is_dir()
        || !dir.join("node_modules/vnu-jar").is_dir()
        || !dir.join("node_modules/lighthouse").is_dir()
    {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .expect("run npm ci in tests/browser");
        assert!(
            status.success(),
            "npm ci in tests/browser failed (needs the npm registry)"
        );
    }
    dir
}

/// Runs a browser script with node and fails the test, showing its output, when it fails.
fn run_script(script: &Path, args: &[&std::ffi::OsStr], chromium: &Path, what: &str) {
    let out = Command::new("node")
        .arg(script)
        .args(args)
        .env("CHROMIUM", chromium)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}\n{stderr}");
    assert!(out.status.success(), "{what} failed:\n{stdout}\n{stderr}");
}

fn built_report() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = yanbao::Options::new(repo_root());
    opts.output = dir.path().join("site");
    // The e2e server hosts the site under this sub-path; base_url gives the 404 page (served at
    // any depth) its absolute links, and adds canonical links and the sitemap.
    opts.base_url = Some("https://example.org/reports/ai-2024/".into());
    yanbao::build(&opts).expect("bundled report builds");
    let out = opts.output.clone();
    (dir, out)
}

#[test]
fn site_in_headless_chromium() {
    let (_turn, chromium, browser_dir) = browser_turn();
    let (dir, site) = built_report();
    // Token samples from the Rust tokenizer, for the script to compare with its own.
    let samples = [
        "大模型价格走势",
        "模型",
        "Large Models, companies; Prices",
        "GLM-4大模型 API调用",
        "MaaS服务用户已超千家",
        "classes boxes status GPUs",
    ];
    let tokens: Vec<(String, Vec<String>)> = samples
        .iter()
        .map(|s| (s.to_string(), yanbao::search_tokens(s).0))
        .collect();
    let tokens_file = dir.path().join("tokens.json");
    std::fs::write(&tokens_file, serde_json::to_string(&tokens).unwrap()).unwrap();
    let shots = repo_root().join("target/browser-shots");
    run_script(
        &browser_dir.join("e2e.mjs"),
        &[site.as_os_str(), shots.as_os_str(), tokens_file.as_os_str()],
        &chromium,
        "browser tests",
    );
}

#[test]
fn nu_html_checker_finds_no_errors() {
    let _turn = take_turn();
    need(
        "java",
        "-version",
        "apt-get install -y default-jre-headless",
    );
    let browser_dir = node_modules();
    let (_dir, site) = built_report();
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&site)
        .into_iter()
        .filter_map(|e| e.ok())
        .map(|e| e.into_path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("html")))
        .collect();
    files.sort();
    assert!(files.len() >= 18);
    let jar = browser_dir.join("node_modules/vnu-jar/build/dist/vnu.jar");
    let out = Command::new("java")
        .args(["-jar"])
        .arg(&jar)
        .args(["--errors-only", "--format", "text"])
        .args(&files)
        .output()
        .expect("run vnu");
    let report =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "Nu HTML Checker errors:\n{report}");
    // SVG files (the favicon) are checked as SVG.
    let svgs: Vec<PathBuf> = walkdir::WalkDir::new(&site)
        .into_iter()
        .filter_map(|e| e.ok())
        .map(|e| e.into_path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("svg"))
        .collect();
    let out = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--svg"])
        .args(&svgs)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "Nu HTML Checker errors in SVG:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn live_reload_in_chromium() {
    let (_turn, chromium, browser_dir) = browser_turn();
    let (_dir, root) = fixture_copy();
    let preview = yanbao::start_preview(&yanbao::Options::new(&root), "127.0.0.1", 0)
        .expect("preview starts");
    run_script(
        &browser_dir.join("reload.mjs"),
        &[std::ffi::OsStr::new(&preview.url), root.as_os_str()],
        &chromium,
        "live reload",
    );
}

/// A large site's search index is sharded into gzip files: Chromium finds the same sections when
/// search.js decodes them and when the host sends them decoded (tests/browser/sharded_search.mjs).
#[test]
fn sharded_gzip_search_in_chromium() {
    let (_turn, chromium, browser_dir) = browser_turn();
    let dir = tempfile::tempdir().unwrap();
    let mut opts = yanbao::Options::new(sharded_site(dir.path()));
    opts.output = dir.path().join("out");
    yanbao::build(&opts).expect("the generated site builds");
    assert!(opts.output.join("search/en/t0.json.gz").is_file());
    run_script(
        &browser_dir.join("sharded_search.mjs"),
        &[opts.output.as_os_str()],
        &chromium,
        "sharded search",
    );
}

/// Lighthouse (mobile) on a chapter page of each language: at least 95 in accessibility, best
/// practices and SEO; performance printed, and required only with LIGHTHOUSE_PERF=1 (its score
/// follows the machine's load; tests/browser/lighthouse.mjs says why and lists what cost points).
#[test]
fn lighthouse_scores_at_least_95() {
    let (_turn, chromium, browser_dir) = browser_turn();
    let (_dir, site) = built_report();
    let out = repo_root().join("target/lighthouse");
    run_script(
        &browser_dir.join("lighthouse.mjs"),
        &[
            site.as_os_str(),
            out.as_os_str(),
            "zh/status/index.html".as_ref(),
            "en/status/index.html".as_ref(),
        ],
        &chromium,
        "Lighthouse",
    );
}
