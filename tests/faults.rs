//! Faults and hostile situations around the build: concurrent builds, symbolic links around the
//! output, injection through site texts and data, and exit codes when the reader goes away.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::*;

/// Names in `dir` that a build leaves next to its output (temporary or old folders).
fn leftovers(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".yanbao-tmp-") || n.contains(".yanbao-old-"))
        .collect();
    names.sort();
    names
}

#[test]
fn concurrent_builds_into_one_output_never_publish_a_partial_site() {
    let (_dir, root) = fixture_copy();
    let (code, _, err) = yanbao(&["build", "--output", "reference"], &root);
    assert_eq!(code, 0, "{err}");
    let reference = all_files(&root.join("reference"));
    for round in 0..3 {
        let children: Vec<_> = (0..4)
            .map(|_| {
                Command::new(env!("CARGO_BIN_EXE_yanbao"))
                    .arg("build")
                    .current_dir(&root)
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let mut ok = 0;
        for child in children {
            let out = child.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            match out.status.code() {
                Some(0) => ok += 1,
                Some(2) => assert!(
                    err.contains("another build is writing to this output folder"),
                    "round {round}: {err}"
                ),
                other => panic!("round {round}: exit {other:?}: {err}"),
            }
        }
        assert!(ok >= 1, "round {round}: no build finished");
        assert_eq!(
            all_files(&root.join("public")),
            reference,
            "round {round}: the published site differs from a lone build"
        );
        assert!(leftovers(&root).is_empty(), "{:?}", leftovers(&root));
    }
    // And the folder is still accepted by the next build.
    assert_eq!(yanbao(&["build"], &root).0, 0);
}

#[test]
fn a_held_lock_is_refused_with_a_clear_message_and_nothing_is_touched() {
    let (_dir, root) = fixture_copy();
    assert_eq!(yanbao(&["build"], &root).0, 0);
    let before = all_files(&root.join("public"));
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(root.join(".public.yanbao-lock"))
        .unwrap();
    lock.lock().unwrap();
    // A leftover of the running build must survive the refused one.
    let busy = root.join(".public.yanbao-tmp-999999");
    std::fs::create_dir_all(&busy).unwrap();
    std::fs::write(busy.join(".yanbao-output"), "").unwrap();
    let (code, out, err) = yanbao(&["build"], &root);
    assert_eq!(code, 2, "{out}{err}");
    let public = root.canonicalize().unwrap().join("public");
    assert_eq!(
        err.trim_end(),
        format!(
            "error: another build is writing to this output folder; wait for it to finish, or choose another --output\n  --> {}",
            public.display()
        )
    );
    assert!(busy.is_dir());
    assert_eq!(all_files(&root.join("public")), before);
    drop(lock);
    // Once the lock is free, the dead build's leftovers are cleaned up.
    assert_eq!(yanbao(&["build"], &root).0, 0);
    assert!(!busy.exists());
}

#[cfg(unix)]
#[test]
fn an_output_that_is_a_link_is_published_through() {
    let (_dir, root) = fixture_copy();
    std::fs::create_dir_all(root.join("www")).unwrap();
    std::os::unix::fs::symlink("www", root.join("public")).unwrap();
    for _ in 0..2 {
        let (code, _, err) = yanbao(&["build"], &root);
        assert_eq!(code, 0, "{err}");
        assert!(root.join("public").is_symlink(), "the link was replaced");
        assert!(root.join("www/index.html").is_file());
        assert!(root.join("www/.yanbao-output").is_file());
        assert!(leftovers(&root).is_empty(), "{:?}", leftovers(&root));
    }
    // A link that points nowhere yet: its target is created.
    std::os::unix::fs::symlink("later", root.join("pub2")).unwrap();
    let (code, _, err) = yanbao(&["build", "--output", "pub2"], &root);
    assert_eq!(code, 0, "{err}");
    assert!(root.join("pub2").is_symlink());
    assert!(root.join("later/index.html").is_file());
}

#[cfg(unix)]
#[test]
fn links_cannot_smuggle_the_output_into_the_sources() {
    let (dir, root) = fixture_copy();
    let before = all_files(&root.join("content"));
    // --output through a link into content/.
    std::os::unix::fs::symlink(root.join("content"), dir.path().join("elsewhere")).unwrap();
    let out = dir.path().join("elsewhere/public");
    let (code, _, err) = yanbao(&["build", "--output", out.to_str().unwrap()], &root);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("the output folder is inside the site's content/ folder"),
        "{err}"
    );
    // --root through a link, output given by the real path.
    std::os::unix::fs::symlink(&root, dir.path().join("site-link")).unwrap();
    let real_out = root.canonicalize().unwrap().join("content/zh/out");
    let (code, _, err) = yanbao(
        &[
            "build",
            "--root",
            "site-link",
            "--output",
            real_out.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("the output folder is inside the site's content/ folder"),
        "{err}"
    );
    // The output is a link to the site folder itself.
    std::os::unix::fs::symlink(&root, dir.path().join("to-root")).unwrap();
    let (code, _, err) = yanbao(
        &[
            "build",
            "--output",
            dir.path().join("to-root").to_str().unwrap(),
        ],
        &root,
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("contains the site's sources"), "{err}");
    assert_eq!(all_files(&root.join("content")), before);
}

#[test]
fn a_reader_that_goes_away_does_not_change_the_exit_code() {
    let run = |root: &Path, close_stdout: bool| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_yanbao"))
            .arg("check")
            .current_dir(root)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader leaves before yanbao prints anything (`yanbao check | true`).
        if close_stdout {
            drop(child.stdout.take());
        } else {
            drop(child.stderr.take());
        }
        child.wait().unwrap().code()
    };
    let (_dir, root) = fixture_copy();
    assert_eq!(run(&root, true), Some(0));
    let (_dir, root) = fixture_with("three-problems");
    assert_eq!(run(&root, false), Some(1));
    assert_eq!(run(&root, true), Some(1));
}

#[test]
fn a_root_that_is_not_a_site_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = yanbao(&["build", "--root", "sitee"], dir.path());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("cannot read the site configuration"), "{err}");
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "folders were created"
    );
}

#[test]
fn site_texts_cannot_break_out_of_the_json_ld_block() {
    let (_dir, root) = fixture_copy();
    let site = root.join("content/site.yaml");
    let yaml = read(&site).replace(
        "publisher: {zh: 测试研究院, en: Test Institute}",
        "publisher: {zh: \"测试<!--<script>\", en: \"</script><script>alert(1)</script>\"}",
    );
    assert!(yaml.contains("alert(1)"));
    std::fs::write(&site, yaml).unwrap();
    let built = yanbao::build_in_memory(&yanbao::Options::new(&root), yanbao::Mode::Build).unwrap();
    let mut seen = 0;
    for (path, bytes) in &built.files {
        let html = String::from_utf8_lossy(bytes);
        let Some(start) = html.find("<script type=\"application/ld+json\">") else {
            continue;
        };
        let body = &html[start + 35..];
        let body = &body[..body.find("</script>").unwrap()];
        assert!(!body.contains('<'), "{path}: {body}");
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert!(json.to_string().contains("<"), "{path}: the text was lost");
        seen += 1;
    }
    assert!(seen > 0, "no page has JSON-LD");
}

#[test]
fn raw_html_strip_removes_code_and_keeps_markup() {
    let (_dir, root) = fixture_with("raw-html-strip");
    let built = yanbao::build_in_memory(&yanbao::Options::new(&root), yanbao::Mode::Build).unwrap();
    let html = String::from_utf8_lossy(&built.files["en/market/index.html"]).into_owned();
    assert!(html.contains("<div class=\"note\">Harmless"), "{html}");
    assert!(html.contains("<img src=\"x.png\">"), "{html}");
    for code in ["alert(", "onerror", "javascript:", "jav&#x61;script"] {
        assert!(!html.contains(code), "{code} left in {html}");
    }
    // Under the default policy the same page keeps its HTML, and `check` says why.
    let (_dir, root) = fixture_with("raw-html-active");
    let built = yanbao::build_in_memory(&yanbao::Options::new(&root), yanbao::Mode::Build).unwrap();
    let html = String::from_utf8_lossy(&built.files["en/market/index.html"]).into_owned();
    assert!(html.contains("onerror=\"alert(2)\""));
}

#[test]
fn a_fifty_megabyte_data_file_is_refused_before_it_is_read() {
    // A sparse 50 MB file: refused by its size, before reading (speed goals live in benches).
    let (_dir, root) = fixture_copy();
    let big = std::fs::File::create(root.join("content/data/big.yaml")).unwrap();
    big.set_len(50 * 1024 * 1024).unwrap();
    let (code, _, err) = yanbao(&["check"], &root);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.starts_with(
            "error: this file is 50.0 MB, over the limit of 16 MB for one file\n  --> content/data/big.yaml\n  = help: split it into several files, or raise the limit: YANBAO_MAX_FILE_MB=50 yanbao build"
        ),
        "{err}"
    );
}

#[test]
fn ten_thousand_identical_headings_get_distinct_ids() {
    // Deduplication is linear (it took 17 s for 10,000 when quadratic); its speed is a bench
    // matter, this checks the result.
    let (_dir, root) = fixture_copy();
    for lang in ["zh", "en"] {
        let path = root.join(format!("content/{lang}/outlook.md"));
        let mut text = read(&path);
        text.push_str(&"\n## Same\n".repeat(10_000));
        std::fs::write(&path, text).unwrap();
    }
    let r = yanbao::check(&yanbao::Options::new(&root));
    assert!(r.is_ok(), "{:?}", r.err().map(|e| e.to_string()));
}

#[test]
fn a_hostile_page_title_is_text_everywhere_it_appears() {
    let (_dir, root) = fixture_with("hostile-title");
    let built = yanbao::build_in_memory(&yanbao::Options::new(&root), yanbao::Mode::Build).unwrap();
    let mut places = 0;
    for (path, bytes) in &built.files {
        let text = String::from_utf8_lossy(bytes);
        // Markup files only: a CSV or JSON download holds the title as the plain text it is.
        let markup = [".html", ".xml", ".svg"].iter().any(|e| path.ends_with(e));
        assert!(
            !(markup && text.contains("<script>alert(1)")),
            "{path}: the title's markup reached the output as markup"
        );
        if path.ends_with(".html") && text.contains("alert(1)") {
            places += 1;
        }
    }
    // The page itself, its neighbours' links, the home page's contents, the other language's
    // page (language switch) at least.
    assert!(places >= 3, "the title appears on {places} pages");
    let page = String::from_utf8_lossy(&built.files["en/market/index.html"]).into_owned();
    assert!(
        page.contains("&lt;&#x2F;title&gt;&lt;script&gt;alert(1)")
            || page.contains("&lt;/title&gt;&lt;script&gt;alert(1)"),
        "the title is not shown as text"
    );
    assert!(
        page.contains("{% raw %}"),
        "template syntax in a title is text"
    );
}

#[test]
fn a_data_file_with_too_many_rows_is_refused_at_the_first_extra_row() {
    // 30,000 rows (2 MB, under the size limit): refused after the first 20,000, with the limit,
    // the place and how to raise it; with the limit raised, the same file builds.
    let (_dir, root) = fixture_copy();
    let mut yaml = String::from(
        "title: {zh: 大表, en: Big table}\nsources:\n  web: {kind: external, publisher: {zh: 某机构, en: Some Agency}, title: Stats, date: \"2024-06-01\", url: \"https://example.org/s\"}\nfields:\n  year: {type: year, label: {zh: 年份, en: Year}}\n  value: {type: quantity, unit: cny, label: {zh: 规模, en: Size}}\nrows:\n",
    );
    for i in 0..30_000 {
        yaml.push_str(&format!(
            "  - {{id: \"r{i}\", year: {}, value: {}, source: web}}\n",
            2000 + i % 25,
            i * 1000 + 7
        ));
    }
    std::fs::write(root.join("content/data/big.yaml"), yaml).unwrap();
    let (code, _, err) = yanbao(&["check"], &root);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.starts_with(
            "error: `rows` has more than 20000 items; this is item 20001\n  --> content/data/big.yaml:20008:5"
        ),
        "{err}"
    );
    assert!(
        err.contains("= help: split the data into several files, or raise the limit: YANBAO_MAX_ROWS=80000 yanbao build"),
        "{err}"
    );
    let raised = std::process::Command::new(env!("CARGO_BIN_EXE_yanbao"))
        .args(["check", "--root"])
        .arg(&root)
        .env("YANBAO_MAX_ROWS", "30000")
        .output()
        .unwrap();
    assert!(
        raised.status.success(),
        "{}",
        String::from_utf8_lossy(&raised.stderr)
    );
}

#[test]
fn a_build_killed_midway_leaves_the_old_site_and_the_next_build_recovers() {
    let (_dir, root) = fixture_copy();
    assert_eq!(yanbao(&["build"], &root).0, 0);
    let old = all_files(&root.join("public"));
    // A data file large enough that the build is still running when it is killed.
    let mut yaml = String::from(
        "title: {zh: 大表, en: Big table}\nsources:\n  web: {kind: external, publisher: {zh: 某机构, en: Some Agency}, title: Stats, date: \"2024-06-01\", url: \"https://example.org/s\"}\nfields:\n  year: {type: year, label: {zh: 年份, en: Year}}\n  value: {type: quantity, unit: cny, label: {zh: 规模, en: Size}}\nrows:\n",
    );
    for i in 0..15_000 {
        yaml.push_str(&format!(
            "  - {{id: \"r{i}\", year: {}, value: {i}, source: web}}\n",
            2000 + i % 25
        ));
    }
    std::fs::write(root.join("content/data/big.yaml"), yaml).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_yanbao"))
        .arg("build")
        .current_dir(&root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once it has started writing its temporary folder (or after 30 s of trying).
    let start = std::time::Instant::now();
    while leftovers(&root).is_empty() && start.elapsed() < std::time::Duration::from_secs(30) {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let killed_midway = child.try_wait().unwrap().is_none();
    // A build runs without transparent huge pages (the preview keeps them: tests/cli.rs).
    #[cfg(target_os = "linux")]
    if killed_midway {
        let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
        assert!(status.contains("THP_enabled:\t0"), "{status}");
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(killed_midway, "the build ended before it could be killed");
    // The published site is the old one, whole.
    assert_eq!(all_files(&root.join("public")), old);
    // The next build is not blocked by the dead one's lock and cleans up after it.
    let (code, _, err) = yanbao(&["build"], &root);
    assert_eq!(code, 0, "{err}");
    assert!(leftovers(&root).is_empty(), "{:?}", leftovers(&root));
    assert!(root.join("public/data/big.csv").is_file());
}
