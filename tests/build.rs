//! Builds fixture sites into temporary folders and checks the output: both languages, working
//! relative links, byte-identical rebuilds, atomic replacement, and one exact message per
//! invalid case in `tests/fixtures/invalid/` (run with `UPDATE_EXPECT=1` to rewrite them).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::*;
use yanbao::{Options, Severity};

#[test]
fn builds_every_page_in_both_languages() {
    let (_dir, root) = fixture_copy();
    let report = yanbao::build(&Options::new(&root)).expect("fixture builds");
    let out = root.join("public");
    for p in [
        "index.html",
        "404.html",
        "robots.txt",
        "manifest.webmanifest",
        "zh/index.html",
        "en/index.html",
        "zh/market/index.html",
        "en/market/index.html",
        "zh/outlook/index.html",
        "en/outlook/index.html",
        "zh/search/index.html",
        "search/zh.json",
        "search/en.json",
        "static/style.css",
        "data/market.json",
        "zh/data/market.csv",
        "en/charts/market.csv",
        "charts/market.json",
        ".yanbao-output",
    ] {
        assert!(out.join(p).is_file(), "missing {p}");
    }
    assert!(
        !out.join("sitemap.xml").exists(),
        "no sitemap without base_url"
    );
    assert_eq!(report.pages, 12);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let zh = read(&out.join("zh/market/index.html"));
    assert!(zh.contains("<html lang=\"zh-Hans\""));
    assert!(zh.contains("157亿元"));
    assert!(zh.contains("<h2 id=\"size\">规模"));
    // Live reload belongs to `serve` only: a hosted build has none of it.
    assert!(!zh.contains("__yanbao") && !zh.contains("EventSource"));
    let en = read(&out.join("en/market/index.html"));
    assert!(en.contains("<html lang=\"en\""));
    assert!(en.contains("CNY 15.7 billion"));
    assert!(en.contains("<h2 id=\"size\">Size"));
    // Markdown extensions: footnotes, task lists, strikethrough, smart quotes in English only.
    assert!(en.contains("class=\"fn-ref\""));
    assert!(en.contains("type=\"checkbox\""));
    assert!(en.contains("<del>Struck</del>"));
    assert!(en.contains("“next”"));
}

#[test]
fn every_zh_page_has_an_en_counterpart_with_the_same_sections() {
    let (_dir, root) = fixture_copy();
    yanbao::build(&Options::new(&root)).unwrap();
    let out = root.join("public");
    for page in ["index.html", "market/index.html", "outlook/index.html"] {
        let zh = read(&out.join("zh").join(page));
        let en = read(&out.join("en").join(page));
        assert_eq!(heading_ids(&zh), heading_ids(&en), "{page}");
        // The language switch of the zh page points at the en page, and vice versa.
        let depth = page.matches('/').count() + 1;
        let up = "../".repeat(depth);
        assert!(
            zh.contains(&format!("href=\"{up}en/{page}\" hreflang=\"en\"")),
            "{page}"
        );
        assert!(
            en.contains(&format!("href=\"{up}zh/{page}\" hreflang=\"zh-Hans\"")),
            "{page}"
        );
    }
}

#[test]
fn every_internal_link_and_anchor_resolves() {
    let (_dir, root) = fixture_copy();
    yanbao::build(&Options::new(&root)).unwrap();
    let problems = check_links(&root.join("public"));
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn bundled_report_links_all_resolve() {
    // The real report: every link, stylesheet, script and anchor exists, so the folder works at
    // any sub-path and from the file system.
    let dir = tempfile::tempdir().unwrap();
    let mut opts = Options::new(repo_root());
    opts.output = dir.path().join("out");
    yanbao::build(&opts).expect("bundled report builds");
    let problems = check_links(&opts.output);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn two_builds_are_byte_identical() {
    let (_dir, root) = fixture_copy();
    let mut a = Options::new(&root);
    a.output = root.join("out-a");
    let mut b = Options::new(&root);
    b.output = root.join("out-b");
    yanbao::build(&a).unwrap();
    yanbao::build(&b).unwrap();
    let fa = all_files(&a.output);
    let fb = all_files(&b.output);
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (k, v) in &fa {
        assert!(v == &fb[k], "{k} differs between builds");
        let text = String::from_utf8_lossy(v);
        assert!(
            !text.contains(root.to_str().unwrap()),
            "{k} contains the absolute build path"
        );
    }
}

/// Each file of a built site by its path, with its inode.
#[cfg(unix)]
fn inodes(out: &Path) -> std::collections::BTreeMap<String, u64> {
    use std::os::unix::fs::MetadataExt;
    each_file(out, |e| e.metadata().unwrap().ino())
}

#[cfg(unix)]
#[test]
fn a_rebuild_keeps_the_files_it_would_write_unchanged() {
    // The EV fixture (three languages, one partly translated, charts and downloads). A rebuild
    // links each file whose bytes the previous site already holds: the same file, with its
    // modification time, so uploaders and HTTP caches see it unchanged. Every other file is
    // new, and the folder holds exactly the bytes of a fresh build.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ev");
    copy_dir(&repo_root().join("tests/fixtures/ev-report"), &root);
    let opts = Options::new(&root);
    let out = root.join("public");
    yanbao::build(&opts).unwrap();
    let first = inodes(&out);
    yanbao::build(&opts).unwrap();
    let second = inodes(&out);
    let rewritten: Vec<&String> = first
        .keys()
        .filter(|p| second.get(*p) != Some(&first[*p]))
        .collect();
    assert!(rewritten.is_empty(), "written again: {rewritten:?}");
    assert_eq!(second.len(), first.len());
    let before = all_files(&out);
    edit(
        &root,
        "content/zh/sales.md",
        "2024年，中国新能源汽车销量为",
        "2024年，中国新能源车销量为",
    );
    yanbao::build(&opts).unwrap();
    let mut fresh = Options::new(&root);
    fresh.output = root.join("fresh");
    yanbao::build(&fresh).unwrap();
    let after = all_files(&out);
    assert!(
        after == all_files(&fresh.output),
        "a rebuild gives a fresh build's bytes"
    );
    let now = inodes(&out);
    let (mut kept, mut new) = (0, 0);
    for path in now.keys() {
        if before.get(path) == after.get(path) {
            assert_eq!(
                now[path], first[path],
                "{path} is unchanged and was written again"
            );
            kept += 1;
        } else {
            if let Some(ino) = first.get(path) {
                assert_ne!(
                    now[path], *ino,
                    "{path} changed and was written through its link"
                );
            }
            new += 1;
        }
    }
    // The edit reaches its page, the search index and the pages that quote it, not the rest.
    assert!(kept > 50 && new > 2, "{kept} kept, {new} new");
}

#[test]
fn failed_build_leaves_previous_site_untouched() {
    let (_dir, root) = fixture_copy();
    yanbao::build(&Options::new(&root)).unwrap();
    let before = all_files(&root.join("public"));
    std::fs::write(
        root.join("content/data/market.yaml"),
        "title: {zh: [broken\n",
    )
    .unwrap();
    let err = yanbao::build(&Options::new(&root)).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("--> content/data/market.yaml:1:"), "{text}");
    assert_eq!(all_files(&root.join("public")), before);
    let leftovers: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("yanbao-tmp") || n.contains("yanbao-old"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn refuses_to_replace_a_folder_it_did_not_create() {
    let (_dir, root) = fixture_copy();
    let docs = root.join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("thesis.docx"), "precious").unwrap();
    let mut opts = Options::new(&root);
    opts.output = docs.clone();
    let err = yanbao::build(&opts).unwrap_err().to_string();
    assert!(
        err.contains("refusing to replace a folder that yanbao did not create"),
        "{err}"
    );
    assert_eq!(read(&docs.join("thesis.docx")), "precious");
}

#[test]
fn base_url_adds_canonical_sitemap_and_absolute_alternates() {
    let (_dir, root) = fixture_copy();
    let mut opts = Options::new(&root);
    opts.base_url = Some("https://example.org/reports/test".into());
    yanbao::build(&opts).unwrap();
    let out = root.join("public");
    let page = read(&out.join("en/market/index.html"));
    assert!(
        page.contains(
            "<link rel=\"canonical\" href=\"https://example.org/reports/test/en/market/\">"
        )
    );
    assert!(page.contains("<link rel=\"alternate\" hreflang=\"zh-Hans\" href=\"https://example.org/reports/test/zh/market/\">"));
    assert!(page.contains("<link rel=\"alternate\" hreflang=\"x-default\" href=\"https://example.org/reports/test/zh/market/\">"));
    let sitemap = read(&out.join("sitemap.xml"));
    assert!(sitemap.contains("<loc>https://example.org/reports/test/en/market/</loc>"));
    assert!(sitemap.contains("<loc>https://example.org/reports/test/zh/market/</loc>"));
    // The alternates are in each page's head (above), not repeated in the sitemap.
    assert!(!sitemap.contains("hreflang"), "{sitemap}");
    assert!(
        read(&out.join("robots.txt"))
            .contains("Sitemap: https://example.org/reports/test/sitemap.xml")
    );
    // The 404 page is served at any depth: its links are absolute paths under the base.
    assert!(read(&out.join("404.html")).contains("href=\"/reports/test/static/style.css"));
    // Internal links stay relative, so the folder still works anywhere.
    assert!(page.contains("href=\"../../static/style.css"));
}

#[test]
fn hreflang_links_are_absolute_or_absent() {
    // Search engines ignore relative hreflang URLs: without a base URL there are none (the
    // language switch still links every translation); with one, every page lists them all.
    let (_dir, root) = fixture_copy();
    yanbao::build(&Options::new(&root)).unwrap();
    let page = read(&root.join("public/en/market/index.html"));
    assert!(!page.contains("hreflang=\"zh-Hans\" href="), "{page}");
    assert!(!page.contains("rel=\"alternate\" hreflang"));
    assert!(page.contains("<a href=\"../../zh/market/index.html\" hreflang=\"zh-Hans\""));
    assert!(!page.contains("rel=\"canonical\""));
    let mut opts = Options::new(&root);
    opts.base_url = Some("https://example.org/r/".into());
    yanbao::build(&opts).unwrap();
    let page = read(&root.join("public/en/market/index.html"));
    assert!(page.contains(
        "<link rel=\"alternate\" hreflang=\"zh-Hans\" href=\"https://example.org/r/zh/market/\">"
    ), "{page}");
    assert!(page.contains(
        "<link rel=\"alternate\" hreflang=\"x-default\" href=\"https://example.org/r/zh/market/\">"
    ));
}

#[test]
fn broken_link_warns_in_build_and_fails_check() {
    let (_dir, root) = fixture_with("broken-link");
    let report = yanbao::build(&Options::new(&root)).expect("build only warns");
    let msgs: Vec<_> = report
        .warnings
        .iter()
        .map(|w| (w.severity, w.message.clone()))
        .collect();
    assert!(
        msgs.contains(&(
            Severity::Warning,
            "broken link: `content/en/market.md` has no heading or figure `#sise`".into()
        )),
        "{msgs:?}"
    );
    let err = yanbao::check(&Options::new(&root)).unwrap_err();
    assert_eq!(err.diagnostics().iter().filter(|d| d.is_error()).count(), 2);
}

#[test]
fn check_reports_three_problems_at_once() {
    let (_dir, root) = fixture_with("three-problems");
    let err = yanbao::check(&Options::new(&root)).unwrap_err();
    let errors: Vec<_> = err.diagnostics().iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 3, "{err}");
    assert!(
        err.to_string()
            .ends_with("found 3 problems; nothing was written")
    );
}

#[test]
fn invalid_cases_report_their_exact_message() {
    let cases_dir = repo_root().join("tests/fixtures/invalid");
    let mut cases: Vec<_> = std::fs::read_dir(&cases_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 25, "expected the full set of invalid cases");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let (_dir, root) = fixture_with(&name);
        let got = match yanbao::check(&Options::new(&root)) {
            Ok(r) => {
                let warnings: Vec<String> = r.warnings.iter().map(|w| w.to_string()).collect();
                format!("(no error)\n{}", warnings.join("\n\n"))
            }
            Err(e) => e.to_string(),
        };
        let expected_path = case.join("expected.txt");
        if update {
            std::fs::write(&expected_path, format!("{got}\n")).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected.trim_end() != got.trim_end() {
            failures.push(format!(
                "--- {name}: expected\n{}\n--- got\n{got}\n",
                expected.trim_end()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn heading_ids(html: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for tag in ["<h2 id=\"", "<h3 id=\"", "<h4 id=\"", "<h5 id=\""] {
        for (i, _) in html.match_indices(tag) {
            let rest = &html[i + tag.len()..];
            ids.insert(rest[..rest.find('"').unwrap()].to_string());
        }
    }
    ids
}

#[allow(dead_code)]
fn exists(p: &Path) -> bool {
    p.exists()
}

/// A preview session on a copy of the fixture site (nothing built yet).
fn preview() -> (tempfile::TempDir, PathBuf, Options, yanbao::Session) {
    let (dir, root) = fixture_copy();
    let opts = Options::new(&root);
    let session = yanbao::Session::new(&opts);
    (dir, root, opts, session)
}

#[test]
fn incremental_rebuilds_give_the_bytes_of_a_full_build() {
    use yanbao::Mode;
    let (_dir, root, opts, mut session) = preview();
    session.build().unwrap();
    let edit = |file: &str, from: &str, to: &str| edit(&root, file, from, to);
    // (edit, how many of the 7 page renders it should cost at most)
    let steps: Vec<(Box<dyn Fn()>, usize)> = vec![
        (
            Box::new(|| {
                edit(
                    "content/en/market.md",
                    "General-purpose models",
                    "General models",
                )
            }),
            1,
        ),
        (
            Box::new(|| {
                edit(
                    "content/zh/outlook.md",
                    "## 未来 {#future}",
                    "## 将来 {#future}",
                )
            }),
            7,
        ),
        (
            // A chapter's title shows on every page (chapter list, pager, home page).
            Box::new(|| {
                edit(
                    "content/en/outlook.md",
                    "title: Outlook",
                    "title: \"The outlook (general: {{shares.general}})\"",
                )
            }),
            7,
        ),
        (
            Box::new(|| edit("content/data/shares.yaml", "value: 28", "value: 29")),
            7,
        ),
        (
            // A value a chapter's summary shows, in the home page's contents.
            Box::new(|| {
                edit(
                    "content/data/market.yaml",
                    "value: 15700000000",
                    "value: 15800000000",
                )
            }),
            7,
        ),
        (
            Box::new(|| edit("content/charts/market.yaml", "en: Growth", "en: Growth!")),
            7,
        ),
        (
            // A chapter goes, and the preview forgets its page; then it comes back.
            Box::new(|| {
                std::fs::rename(root.join("content/en/outlook.md"), root.join("outlook.md"))
                    .unwrap()
            }),
            7,
        ),
        (
            Box::new(|| {
                std::fs::rename(root.join("outlook.md"), root.join("content/en/outlook.md"))
                    .unwrap()
            }),
            7,
        ),
        (
            Box::new(|| std::fs::create_dir_all(root.join("templates")).unwrap()),
            0,
        ),
        (
            Box::new(|| {
                let base = read(&repo_root().join("templates/chapter.html")).replace(
                    "<article class=\"chapter\">",
                    "<article class=\"chapter edited\">",
                );
                std::fs::write(root.join("templates/chapter.html"), base).unwrap();
            }),
            7,
        ),
    ];
    for (i, (step, max_rendered)) in steps.iter().enumerate() {
        step();
        let mut incremental = session.build().unwrap();
        // The search index and print editions are made when first asked for: one file of each
        // through `get`, the rest by `complete`.
        assert!(
            !incremental.files.contains_key("search/zh.json"),
            "step {i}"
        );
        let print = incremental.get("en/print/index.html").unwrap().unwrap();
        incremental.complete().unwrap();
        assert_eq!(incremental.files["en/print/index.html"], print, "step {i}");
        let full = yanbao::build_in_memory(&opts, Mode::Serve).unwrap();
        assert_eq!(
            incremental.files.keys().collect::<Vec<_>>(),
            full.files.keys().collect::<Vec<_>>(),
            "step {i}"
        );
        for (k, v) in &full.files {
            assert!(
                &incremental.files[k] == v,
                "step {i}: {k} differs from a full build"
            );
        }
        assert!(
            session.rendered() <= *max_rendered,
            "step {i}: rendered {} pages",
            session.rendered()
        );
        // The cache holds this build's pages and no others.
        assert_eq!(
            session.kept(),
            session.rendered() + session.reused(),
            "step {i}"
        );
    }
    // A body-only edit to one chapter re-renders that chapter alone.
    edit("content/zh/market.md", "脚注内容", "脚注的内容");
    session.build().unwrap();
    assert_eq!(session.rendered(), 1);
    // Data files are parsed again only when their text changed; one that no longer parses is
    // reported on every build until it is mended, and a file that goes is forgotten.
    let full = || yanbao::build_in_memory(&opts, Mode::Serve).unwrap().files;
    // Every file of a preview build, the deferred ones too.
    let complete = |session: &mut yanbao::Session| {
        let mut built = session.build().unwrap();
        built.complete().unwrap();
        built.files
    };
    // Two builds in a row fail, each naming the broken file.
    let fails_twice = |session: &mut yanbao::Session, path: &str| {
        for _ in 0..2 {
            let Err(err) = session.build() else {
                panic!("{path} is broken, yet the site builds")
            };
            assert!(err.to_string().contains(&format!("{path}:")), "{err}");
        }
    };
    let extra = root.join("content/data/extra.yaml");
    std::fs::copy(root.join("content/data/shares.yaml"), &extra).unwrap();
    let files = complete(&mut session);
    assert!(files.contains_key("data/extra.csv"));
    assert!(files == full());
    edit("content/data/shares.yaml", "value: 72", "value: [72");
    fails_twice(&mut session, "content/data/shares.yaml");
    edit("content/data/shares.yaml", "value: [72", "value: 72");
    std::fs::remove_file(&extra).unwrap();
    let files = complete(&mut session);
    assert!(!files.contains_key("data/extra.csv"));
    assert!(files == full());
    // So are the configuration and the UI strings: a pack that appears, an edit, a broken
    // configuration reported on every build until it is mended.
    let pack =
        read(&repo_root().join("templates/i18n/en.yaml")).replace("  next: Next", "  next: Onward");
    std::fs::create_dir_all(root.join("templates/i18n")).unwrap();
    std::fs::write(root.join("templates/i18n/en.yaml"), pack).unwrap();
    let (small, broken) = ("en: A small report.", "en: [A small report.");
    edit(
        "content/site.yaml",
        "en: A small bilingual report for tests.",
        small,
    );
    let files = complete(&mut session);
    assert!(String::from_utf8_lossy(&files["en/market/index.html"]).contains("Onward"));
    assert!(files == full());
    edit("content/site.yaml", small, broken);
    fails_twice(&mut session, "content/site.yaml");
    edit("content/site.yaml", broken, small);
    assert!(complete(&mut session) == full());
}

#[test]
fn a_third_language_needs_no_code() {
    let (_dir, root) = fixture_copy();
    // Configuration, UI strings, content: files only.
    let site = read(&root.join("content/site.yaml"))
        .replace("languages: [zh, en]", "languages: [zh, en, fr]")
        .replace("en: Test Report}", "en: Test Report, fr: Rapport de test}")
        .replace(
            "en: A small bilingual report for tests.}",
            "en: A small bilingual report for tests., fr: Un petit rapport pour les tests.}",
        )
        .replace(
            "en: Test Institute}",
            "en: Test Institute, fr: Institut de test}",
        );
    std::fs::write(root.join("content/site.yaml"), site).unwrap();
    std::fs::create_dir_all(root.join("templates/i18n")).unwrap();
    let fr = read(&repo_root().join("templates/i18n/en.yaml"))
        .replace("name: English", "name: Français")
        .replace("html_lang: en", "html_lang: fr")
        .replace("og_locale: en_US", "og_locale: fr_FR")
        .replace("  next: Next", "  next: Suivant");
    std::fs::write(root.join("templates/i18n/fr.yaml"), fr).unwrap();
    copy_dir(&root.join("content/en"), &root.join("content/fr"));
    // Every text given per language needs its French version too.
    for file in [
        "content/data/market.yaml",
        "content/data/shares.yaml",
        "content/data/glossary.yaml",
        "content/charts/market.yaml",
    ] {
        let p = root.join(file);
        let text = read(&p);
        let re_en = |s: &str| -> String {
            // `en: X}` → `en: X, fr: X}` for one-line maps (enough for this fixture).
            let mut out = String::new();
            for line in s.lines() {
                let mut l = line.to_string();
                let mut at = 0;
                while let Some(i) = l[at..].find("en: ") {
                    let start = at + i + 4;
                    let rest = &l[start..];
                    let (value, end) = if let Some(q) = rest.strip_prefix('"') {
                        let e = q.find('"').unwrap() + 2;
                        (rest[..e].to_string(), start + e)
                    } else {
                        let e = rest.find(['}', ',']).unwrap_or(rest.len());
                        (rest[..e].to_string(), start + e)
                    };
                    l.insert_str(end, &format!(", fr: {value}"));
                    at = end + value.len() + 6;
                }
                out.push_str(&l);
                out.push('\n');
            }
            out
        };
        std::fs::write(&p, re_en(&text)).unwrap();
    }
    let report = yanbao::build(&Options::new(&root)).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let page = read(&root.join("public/fr/market/index.html"));
    assert!(page.contains("<html lang=\"fr\""));
    assert!(page.contains("Suivant"));
    assert!(page.contains("hreflang=\"fr\""));
    let zh = read(&root.join("public/zh/market/index.html"));
    assert!(
        zh.contains(">Français</a>"),
        "the language switch lists the new language"
    );
}

#[test]
fn no_output_holds_an_unresolved_reference() {
    // The fixture puts references in summaries, chart titles, table captions and data notes; the
    // bundled report in data texts, notes and derivation methods. None may reach any output.
    // The EV fixture explains the syntax in a code span, which search indexes as text.
    for (root, search_too) in [
        (repo_root().join("tests/fixtures/site"), true),
        (repo_root().join("tests/fixtures/ev-report"), false),
        (repo_root(), true),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut opts = Options::new(&root);
        opts.output = dir.path().join("out");
        opts.base_url = Some("https://example.org/r/".into());
        yanbao::build(&opts).unwrap();
        for (path, bytes) in all_files(&opts.output) {
            if path.starts_with("static/") || (path.starts_with("search/") && !search_too) {
                continue;
            }
            let mut text = String::from_utf8_lossy(&bytes).into_owned();
            // Code spans show the syntax on purpose (a chapter explaining references).
            while let (Some(a), Some(b)) = (text.find("<code>"), text.find("</code>")) {
                if b < a {
                    break;
                }
                text.replace_range(a..b + 7, "");
            }
            if let Some(i) = text.find("{{") {
                let around: String = text[i.saturating_sub(60)..].chars().take(140).collect();
                panic!("{path} holds an unresolved reference: …{around}…");
            }
        }
    }
}

#[test]
fn references_in_front_matter_and_captions_are_resolved_everywhere() {
    let (_dir, root) = fixture_copy();
    let mut opts = Options::new(&root);
    opts.base_url = Some("https://example.org/r/".into());
    yanbao::build(&opts).unwrap();
    let out = root.join("public");
    let zh = read(&out.join("zh/market/index.html"));
    // The summary: lede and meta description.
    assert!(
        zh.contains("<meta name=\"description\" content=\"市场规模与构成：2024年为157亿元。\">"),
        "meta"
    );
    assert!(zh.contains("市场规模与构成：2024年为157亿元。</p>"), "lede");
    // The table caption and the chart title (caption, SVG title).
    assert!(zh.contains("模型构成（通用28%，见图 1）"), "table caption");
    assert!(
        zh.contains("<title id=\"fig-market-wide-t\">市场规模（通用模型占28%）</title>"),
        "svg title"
    );
    // The home page lists the chapter with its summary.
    let home = read(&out.join("en/index.html"));
    assert!(
        home.contains("Size and composition of the market: CNY 15.7 billion in 2024."),
        "home"
    );
    // Search index and JSON downloads. The index's address carries search.js's version (a
    // browser holding an index of an older format fetches the new one).
    let (_, v) = home
        .split_once("search.js?v=")
        .expect("search.js's version");
    let v = &v[..v.find('"').unwrap()];
    assert!(
        home.contains(&format!("data-index=\"../search/en.json?v={v}\"")),
        "index address"
    );
    let index = read(&out.join("search/en.json"));
    assert!(
        index.contains("Market size (general models: 28%)"),
        "search"
    );
    let json = read(&out.join("data/market.json"));
    assert!(
        json.contains("2025 is derived (CNY 30 billion); see Figure 1."),
        "{json}"
    );
}

#[test]
fn a_preview_follows_references_that_data_texts_gain() {
    // outlook.md reads the glossary only. When a definition starts citing `shares`, the page
    // must be rendered again, and from then on it follows edits to `shares` too: what a page
    // read is recorded when it renders, not guessed from the files.
    let (_dir, root, opts, mut session) = preview();
    session.build().unwrap();
    let edit = |file: &str, from: &str, to: &str| edit(&root, file, from, to);
    let rebuilt = |session: &mut yanbao::Session| -> String {
        let mut built = session.build().unwrap();
        built.complete().unwrap();
        let full = yanbao::build_in_memory(&opts, yanbao::Mode::Serve).unwrap();
        assert_eq!(built.files, full.files, "incremental bytes = full build");
        String::from_utf8(built.files["zh/outlook/index.html"].to_vec()).unwrap()
    };
    edit("content/data/shares.yaml", "value: 72", "value: 71");
    rebuilt(&mut session);
    let before = session.rendered();
    edit(
        "content/data/glossary.yaml",
        "definition: {zh: 面向特定行业的模型。",
        "definition: {zh: \"面向特定行业的模型，占{{shares.vertical}}。\"",
    );
    let page = rebuilt(&mut session);
    assert!(
        page.contains("占71%"),
        "the glossary page shows the new reference"
    );
    assert!(session.rendered() > 0 && before > 0);
    edit("content/data/shares.yaml", "value: 71", "value: 70");
    let page = rebuilt(&mut session);
    assert!(
        page.contains("占70%"),
        "an edit to the newly referenced set reaches the page"
    );
}

#[test]
fn every_table_row_has_a_column_name_for_each_cell_and_no_table_needs_inline_style() {
    // A phone shows each row as a card that labels each value with its column: yanbao.js takes
    // the names from the header row, cell by cell, so each row has as many cells as the header;
    // Markdown column alignment becomes a class (a strict CSP refuses style attributes).
    let (_dir, root) = fixture_copy();
    let page = root.join("content/en/outlook.md");
    let text = read(&page).replacen("|---|", "|--:|", 1);
    std::fs::write(&page, text).unwrap();
    let opts = Options::new(&root);
    yanbao::build(&opts).unwrap();
    let mut tables = 0;
    for (path, bytes) in all_files(&root.join("public")) {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(&bytes);
        assert!(!html.contains(" style=\""), "{path} has an inline style");
        for table in html.split("<table>").skip(1) {
            let table = &table[..table.find("</table>").expect("the table's end")];
            tables += 1;
            let (head, body) = table.split_once("</thead>").expect("a header row");
            let columns = head.matches("<th scope=\"col\"").count();
            assert!(columns > 0, "{path}: a header without column names: {head}");
            for row in body.split("<tr>").skip(1) {
                let cells = row.matches("<td").count() + row.matches("<th scope=\"row\"").count();
                assert_eq!(cells, columns, "{path}: a row unlike its header: {row}");
            }
        }
        assert!(
            !html.contains("data-label"),
            "{path}: the script's to fill in"
        );
    }
    assert!(tables >= 4, "the fixture has data and Markdown tables");
    let outlook = read(&root.join("public/en/outlook/index.html"));
    assert!(
        outlook.contains("<th scope=\"col\" class=\"num\">"),
        "{outlook}"
    );
}

#[test]
fn a_relative_base_url_on_the_command_line_is_refused_like_one_in_site_yaml() {
    let (_dir, root) = fixture_copy();
    let mut opts = Options::new(&root);
    opts.base_url = Some("reports/ev-2024/".into());
    let err = yanbao::build(&opts).unwrap_err().to_string();
    assert_eq!(
        err,
        "error: `--base-url` must be an absolute address starting with https:// or http://, found `reports/ev-2024/`\n  --> command line (--base-url)\n  = help: give the full address where the site will live, e.g. `--base-url https://example.org/reports/ai-2024/`; without it, links stay relative and the site works from any folder\n\nfound 1 problem; nothing was written"
    );
    assert!(!root.join("public").exists(), "nothing is written");
    opts.base_url = Some("https://example.org/reports/ev-2024/".into());
    yanbao::build(&opts).unwrap();
    let sitemap = read(&root.join("public/sitemap.xml"));
    assert!(
        sitemap.contains("<loc>https://example.org/reports/ev-2024/zh/market/</loc>"),
        "{sitemap}"
    );
}

#[test]
fn front_matter_dates_authors_and_tags_show_under_the_title_and_in_meta() {
    let (_dir, out) = build_ev();
    let en = read(&out.join("en/sales/index.html"));
    assert!(
        en.contains("<span class=\"label\">By</span> Li Wei, Anna O&#39;Neill</span>"),
        "authors"
    );
    assert!(
        en.contains("<time datetime=\"2025-03-14\">14 Mar 2025</time>"),
        "date"
    );
    assert!(
        en.contains(
            "<span class=\"label\">Updated</span> <time datetime=\"2025-06-02\">2 Jun 2025</time>"
        ),
        "updated"
    );
    assert!(en.contains("<li>carmakers &amp; groups</li>"), "tags");
    assert!(
        en.contains("<meta name=\"author\" content=\"Anna O&#39;Neill\">"),
        "meta author"
    );
    assert!(
        en.contains("<meta name=\"keywords\" content=\"sales, carmakers &amp; groups\">"),
        "keywords"
    );
    assert!(
        en.contains("<meta property=\"article:modified_time\" content=\"2025-06-02\">"),
        "modified"
    );
    assert!(en.contains("\"dateModified\":\"2025-06-02\""), "json-ld");
    let zh = read(&out.join("zh/sales/index.html"));
    assert!(
        zh.contains("<time datetime=\"2025-03-14\">2025年3月14日</time>"),
        "zh date"
    );
    assert!(zh.contains("李伟、安娜·奥尼尔"), "zh authors");
    // A page without its own shows the report's authors and dates, and every chapter ends with
    // the report's publication block.
    let other = read(&out.join("en/batteries/index.html"));
    assert!(
        other.contains(
            "<span class=\"label\">By</span> Wang Xiaoming, Jane O&#39;Neil &quot;JJ&quot;</span>"
        ),
        "report authors"
    );
    assert!(
        other.contains("<span class=\"label\">Published</span> <time datetime=\"2025-03-15\">15 Mar 2025</time>"),
        "report date"
    );
    assert!(
        other.contains(
            "<span class=\"label\">Updated</span> <time datetime=\"2025-06\">Jun 2025</time>"
        ),
        "report revision"
    );
    for page in [&en, &other] {
        let colophon = &page[page.find("<footer class=\"colophon\"").expect("colophon")..];
        let colophon = &colophon[..colophon.find("</footer>").unwrap()];
        for part in [
            "<h2 id=\"colophon-title\" class=\"section-label\">About this report</h2>",
            "<dt>Version</dt><dd>1.1</dd>",
            "<dt>Licence</dt><dd><a rel=\"license\" href=\"https://creativecommons.org/licenses/by/4.0/\">CC-BY-4.0</a></dd>",
            "<dt>DOI</dt><dd><a href=\"https://doi.org/10.5555/ev-2024-fictional\">10.5555/ev-2024-fictional</a></dd>",
            "<a class=\"orcid\" href=\"https://orcid.org/0000-0002-1825-0097\"",
            "<time datetime=\"2025-03-15\">15 Mar 2025</time>",
            "#cite-title\">Cite this report</a>",
        ] {
            assert!(colophon.contains(part), "{part}\n{colophon}");
        }
    }
    // A report without authors or dates: no byline, and a block with what it has.
    let (_bare, root) = fixture_copy();
    edit(&root, "content/site.yaml", "date: \"2025-01\"\n", "");
    let mut opts = Options::new(&root);
    opts.output = root.join("out");
    yanbao::build(&opts).unwrap();
    let page = read(&opts.output.join("en/market/index.html"));
    assert!(!page.contains("class=\"byline\""), "no byline");
    assert!(page.contains("<footer class=\"colophon\""), "colophon");
    assert!(
        page.contains("<dt>Publisher</dt><dd>Test Institute</dd>"),
        "publisher"
    );
    assert!(!page.contains("<dt>Authors</dt>"), "no authors");
}

#[test]
fn footnotes_have_their_own_marks_ids_and_back_links() {
    let (_dir, out) = build_ev();
    let en = read(&out.join("en/sales/index.html"));
    // The heading `{#2023}` and the footnote `[^2023]` no longer share an id.
    assert_eq!(en.matches("id=\"2023\"").count(), 1, "heading only");
    assert!(en.contains("<sup class=\"fn-ref\" id=\"fnref-2023\"><a href=\"#fn-2023\" role=\"doc-noteref\">[2]</a></sup>"));
    assert!(
        en.contains("<li id=\"fn-2023\" class=\"footnote\" value=\"2\" role=\"doc-footnote\">")
    );
    assert!(en.contains("<a class=\"fn-back\" href=\"#fnref-2023\" role=\"doc-backlink\" aria-label=\"Back to the text\">↩</a>"));
    assert!(en.contains("<h2 class=\"footnotes-title\">Footnotes</h2>"));
    assert!(
        !en.contains("footnote-definition"),
        "not pulldown-cmark's default look"
    );
    // Source notes keep theirs.
    assert!(en.contains("class=\"note-ref\""));
    let zh = read(&out.join("zh/sales/index.html"));
    assert!(zh.contains("<h2 class=\"footnotes-title\">脚注</h2>"));
    // Every id on the page is unique.
    let mut ids = BTreeSet::new();
    for (i, _) in en.match_indices(" id=\"") {
        let rest = &en[i + 5..];
        let id = &rest[..rest.find('"').unwrap()];
        assert!(ids.insert(id.to_string()), "id `{id}` twice");
    }
}

#[test]
fn a_language_other_than_the_default_publishes_the_pages_it_has() {
    let (_dir, root) = fixture_copy();
    std::fs::remove_file(root.join("content/en/outlook.md")).unwrap();
    let report = yanbao::build(&Options::new(&root)).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let out = root.join("public");
    assert!(!out.join("en/outlook").exists(), "no page is made up");
    assert!(out.join("zh/outlook/index.html").exists());
    let en = read(&out.join("en/market/index.html"));
    // Its navigation lists only its pages.
    assert!(
        !en.contains("href=\"../outlook/\""),
        "en nav lists no outlook"
    );
    // A link to the untranslated chapter reads the default language's version.
    assert!(
        en.contains("href=\"../../zh/outlook/index.html#future\""),
        "link falls back"
    );
    // The language switch on the untranslated page says so and goes to the English home page.
    let zh = read(&out.join("zh/outlook/index.html"));
    assert!(
        zh.contains("<a class=\"untranslated\" href=\"../../en/index.html\" hreflang=\"en\" title=\"本页尚无该语言译文，将打开该语言首页\">"),
        "switch"
    );
    assert!(
        !zh.contains("hreflang=\"en\" href="),
        "no alternate for a missing page"
    );
    // A translated page's switch is a plain link.
    assert!(en.contains(
        "<a href=\"../../zh/market/index.html\" hreflang=\"zh-Hans\" lang=\"zh-Hans\" data-lang-switch>"
    ));
    // The default language, however, must have every page.
    let (_dir2, root2) = fixture_copy();
    std::fs::remove_file(root2.join("content/zh/outlook.md")).unwrap();
    let err = yanbao::check(&Options::new(&root2))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("missing translation: no `zh` version of `outlook`"),
        "{err}"
    );
}

#[test]
fn init_writes_a_report_that_builds_at_once_and_new_chapter_adds_one_in_every_language() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("my-report");
    let written = yanbao::init(&root).unwrap();
    assert_eq!(written.len(), 8);
    let report = yanbao::build(&Options::new(&root)).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let en = read(&root.join("public/en/market/index.html"));
    assert!(en.contains("CNY 12 billion"), "a figure from data");
    assert!(en.contains("class=\"fn-ref\""), "a footnote");
    // The bibliography: a shared source named by the data, another cited in the text, both
    // notes formatted by the citation engine.
    assert!(en.contains("<sup class=\"note-ref cite\">"), "a citation");
    assert!(en.contains("A statistics agency. (2024, June 1). <i>Annual market statistics</i>."));
    assert!(en.contains(
        "An industry association. (2024, November). <i>Industry development survey</i>."
    ));
    assert!(read(&root.join("public/zh/index.html")).contains("新报告"));
    // A second init does not touch the report.
    let err = yanbao::init(&root).unwrap_err().to_string();
    assert!(err.contains("this folder already holds a report"), "{err}");
    // A new chapter, in both languages, after the last one.
    let added = yanbao::new_chapter(&root, "outlook").unwrap();
    assert_eq!(added.len(), 2);
    let zh = read(&root.join("content/zh/outlook.md"));
    assert!(zh.starts_with("---\ntitle: 新章节"), "{zh}");
    assert!(zh.contains("order: 2\n"), "{zh}");
    yanbao::check(&Options::new(&root)).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        yanbao::new_chapter(&root, "outlook")
            .unwrap_err()
            .to_string()
            .contains("chapter `outlook` already exists")
    );
    assert!(
        yanbao::new_chapter(&root, "Bad Name")
            .unwrap_err()
            .to_string()
            .contains("is not usable")
    );
}

#[test]
fn init_templates_copies_the_builtins_which_then_build_the_same_site_and_are_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("r");
    yanbao::init(&root).unwrap();
    let mut before = Options::new(&root);
    before.output = dir.path().join("before");
    yanbao::build(&before).unwrap();
    let copied = yanbao::init_templates(&root).unwrap();
    let rel: Vec<String> = copied
        .iter()
        .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    for want in [
        "templates/base.html",
        "templates/chapter.html",
        "templates/i18n/zh.yaml",
        "templates/i18n/en.yaml",
        "static/style.css",
        "static/search.js",
    ] {
        assert!(rel.iter().any(|r| r == want), "{want} in {rel:?}");
    }
    // The copies are the built-ins: the site comes out byte for byte the same.
    let mut after = Options::new(&root);
    after.output = dir.path().join("after");
    yanbao::build(&after).unwrap();
    for entry in walkdir::WalkDir::new(&before.output) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let r = entry.path().strip_prefix(&before.output).unwrap();
            assert!(
                std::fs::read(entry.path()).unwrap()
                    == std::fs::read(after.output.join(r)).unwrap(),
                "{} differs",
                r.display()
            );
        }
    }
    // An edited copy is used.
    common::edit(
        &root,
        "templates/chapter.html",
        "<article",
        "<article data-edited",
    );
    yanbao::build(&after).unwrap();
    assert!(read(&after.output.join("en/market/index.html")).contains("data-edited"));
    // A second run overwrites nothing and names every file in the way.
    let err = yanbao::init_templates(&root).unwrap_err().to_string();
    assert!(err.contains("templates/chapter.html"), "{err}");
    assert!(err.contains("never overwrites a file"), "{err}");
    assert_eq!(err.matches("error:").count(), copied.len(), "{err}");
    assert!(read(&root.join("templates/chapter.html")).contains("data-edited"));
}

#[test]
fn a_draft_in_the_default_language_holds_back_its_translations_and_one_elsewhere_only_itself() {
    let (_dir, root) = fixture_copy();
    for (file, link) in [
        ("content/zh/market.md", "[下一章](outlook.md#future)"),
        ("content/en/market.md", "[outlook](outlook.md#future)"),
    ] {
        edit(&root, file, link, "next");
    }
    edit(
        &root,
        "content/zh/outlook.md",
        "order: 2",
        "order: 2\ndraft: true",
    );
    let built = yanbao::build(&Options::new(&root)).unwrap_or_else(|e| panic!("{e}"));
    assert!(built.warnings.is_empty(), "{:?}", built.warnings);
    let out = root.join("public");
    assert!(!out.join("zh/outlook").exists());
    assert!(
        !out.join("en/outlook").exists(),
        "its translation waits for it"
    );
    let mut opts = Options::new(&root);
    opts.drafts = true;
    yanbao::build(&opts).unwrap_or_else(|e| panic!("{e}"));
    assert!(out.join("zh/outlook/index.html").is_file());
    assert!(out.join("en/outlook/index.html").is_file());

    // A draft in English only: the Chinese page is published, the English one waits.
    let (_dir, root) = fixture_copy();
    edit(
        &root,
        "content/en/outlook.md",
        "order: 2",
        "order: 2\ndraft: true",
    );
    yanbao::build(&Options::new(&root)).unwrap_or_else(|e| panic!("{e}"));
    let out = root.join("public");
    assert!(out.join("zh/outlook/index.html").is_file());
    assert!(!out.join("en/outlook").exists());
    let en = read(&out.join("en/market/index.html"));
    assert!(
        en.contains("href=\"../../zh/outlook/index.html#future\""),
        "falls back"
    );
}

#[test]
fn aliases_leave_a_redirect_at_each_old_address() {
    let (_dir, root) = fixture_copy();
    edit(
        &root,
        "content/zh/market.md",
        "order: 1\n",
        "order: 1\naliases: [zh/old-market/, /2023/market.html]\n",
    );
    let mut opts = Options::new(&root);
    opts.base_url = Some("https://example.org/r/".into());
    let built = yanbao::build(&opts).unwrap_or_else(|e| panic!("{e}"));
    assert!(built.warnings.is_empty(), "{:?}", built.warnings);
    let out = root.join("public");
    let old = read(&out.join("zh/old-market/index.html"));
    assert!(
        old.contains("<meta http-equiv=\"refresh\" content=\"0; url=../../zh/market/index.html\">"),
        "{old}"
    );
    assert!(old.contains("<link rel=\"canonical\" href=\"https://example.org/r/zh/market/\">"));
    assert!(old.contains("<meta name=\"robots\" content=\"noindex\">"));
    assert!(old.contains("<a href=\"../../zh/market/index.html\">市场规模</a>"));
    assert!(
        !old.contains("<script") && !old.contains("style="),
        "strict CSP"
    );
    let old = read(&out.join("2023/market.html"));
    assert!(old.contains("url=../zh/market/index.html\""), "{old}");
    // Every link in the redirects resolves.
    assert_eq!(check_links(&out), Vec::<String>::new());

    // Paths that are not old addresses of this site are refused, each at its place.
    let (_dir, root) = fixture_copy();
    edit(
        &root,
        "content/zh/market.md",
        "order: 1\n",
        "order: 1\naliases:\n  - ../etc/passwd\n  - https://old.example.org/report\n  - zh/outlook/\n  - static/app.html\n  - en/search\n  - sitemap-2.xml\n  - zh/old/\n",
    );
    edit(
        &root,
        "content/en/outlook.md",
        "order: 2\n",
        "order: 2\naliases: [zh/old]\n",
    );
    let got = check_errors(&root);
    assert_eq!(
        got,
        [
            "content/en/outlook.md:4:11 alias `zh/old` is also an alias of content/zh/market.md",
            "content/zh/market.md:5:5 alias `../etc/passwd` is not a usable path",
            "content/zh/market.md:6:5 alias `https://old.example.org/report` is not a path in this site",
            "content/zh/market.md:7:5 alias `zh/outlook/` is the address of a page or file of this site (zh/outlook/index.html)",
            "content/zh/market.md:8:5 alias `static/app.html` is the address of a page or file of this site (static/app.html)",
            "content/zh/market.md:9:5 alias `en/search` is the address of a page or file of this site (en/search/index.html)",
            // A large site's sitemap parts take these names at the root.
            "content/zh/market.md:10:5 alias `sitemap-2.xml` is the address of a page or file of this site (sitemap-2.xml/index.html)",
        ]
    );
}

#[test]
fn image_figures_are_numbered_and_images_next_to_a_chapter_are_copied() {
    let (_dir, root) = fixture_copy();
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><rect width=\"10\" height=\"10\"/></svg>\n";
    std::fs::create_dir_all(root.join("content/zh/img")).unwrap();
    std::fs::write(root.join("content/zh/img/map.svg"), svg).unwrap();
    std::fs::create_dir_all(root.join("static")).unwrap();
    std::fs::write(root.join("static/map-en.svg"), svg).unwrap();
    edit(
        &root,
        "content/zh/outlook.md",
        "status: lost\nsource: 测试研究院整理\n```",
        "image: img/map.svg\nalt: 产业链上中下游三层示意\nsource: 测试研究院整理\n```\n\n见![小图](img/map.svg)",
    );
    edit(
        &root,
        "content/en/outlook.md",
        "status: lost\nsource: compiled by the Test Institute",
        "image: /static/map-en.svg\nalt: The upstream, midstream and downstream layers of the industry\nsource: compiled by the Test Institute",
    );
    let built = yanbao::build(&Options::new(&root)).unwrap_or_else(|e| panic!("{e}"));
    assert!(built.warnings.is_empty(), "{:?}", built.warnings);
    let out = root.join("public");
    assert_eq!(
        read(&out.join("zh/img/map.svg")),
        svg,
        "copied where it was"
    );
    let zh = read(&out.join("zh/outlook/index.html"));
    assert!(
        zh.contains("<figure class=\"figure-image\" id=\"fig-lost-map\">"),
        "{zh}"
    );
    assert!(zh.contains("<img src=\"../../zh/img/map.svg\" alt=\"产业链上中下游三层示意\" loading=\"lazy\" decoding=\"async\">"));
    assert!(
        zh.contains("<img src=\"../../zh/img/map.svg\" alt=\"小图\""),
        "a Markdown image"
    );
    assert!(
        zh.contains("<span class=\"fig-num\">图 2</span> 产业图谱</figcaption><img "),
        "numbered like any figure, the image under its caption"
    );
    let en = read(&out.join("en/outlook/index.html"));
    assert!(en.contains("<img src=\"../../static/map-en.svg\""), "{en}");
    assert_eq!(check_links(&out), Vec::<String>::new());

    // What can go wrong, each at the block or link.
    let cases = [
        (
            "image: img/map.svg\nsource: 测试研究院整理",
            "an image figure needs `alt:`",
        ),
        (
            "image: img/nope.svg\nalt: x\nsource: 测试研究院整理",
            "image `img/nope.svg`: no file content/zh/img/nope.svg",
        ),
        (
            "image: /static/nope.svg\nalt: x\nsource: 测试研究院整理",
            "image `/static/nope.svg`: no file static/nope.svg",
        ),
        (
            "image: img/map.svg\nalt: x\nstatus: lost\nsource: 测试研究院整理",
            "a figure with `image:` cannot be `lost` or `rebuilt`",
        ),
        (
            "source: 测试研究院整理",
            "a figure needs `image:` or `status: lost` / `status: rebuilt`",
        ),
    ];
    for (spec, message) in cases {
        let (_dir, root) = fixture_copy();
        std::fs::create_dir_all(root.join("content/zh/img")).unwrap();
        std::fs::write(root.join("content/zh/img/map.svg"), svg).unwrap();
        edit(
            &root,
            "content/zh/outlook.md",
            "status: lost\nsource: 测试研究院整理",
            spec,
        );
        let err = yanbao::check(&Options::new(&root)).unwrap_err();
        let d = err
            .diagnostics()
            .iter()
            .find(|d| d.is_error())
            .unwrap_or_else(|| panic!("no error for {spec}"));
        assert_eq!(d.message, message, "{err}");
        assert!(
            d.path.ends_with("content/zh/outlook.md") && d.line > 0,
            "{d}"
        );
    }
    // A Markdown image that names no file.
    let (_dir, root) = fixture_copy();
    edit(
        &root,
        "content/zh/outlook.md",
        "status: lost\nsource: 测试研究院整理\n```",
        "status: lost\n```\n\n![图](gone.png)",
    );
    let err = yanbao::check(&Options::new(&root)).unwrap_err();
    assert!(
        err.to_string()
            .contains("link to `gone.png`: no chapter, and no file content/zh/gone.png"),
        "{err}"
    );
}

/// The note of `needle` on a page: its number, and how many notes name it.
fn notes_naming(html: &str, needle: &str) -> (Vec<String>, Vec<String>) {
    let notes = &html[html
        .find("<section class=\"notes\"")
        .expect("a notes section")..];
    let notes = &notes[..notes.find("</section>").unwrap()];
    let mut numbers = Vec::new();
    let mut items = Vec::new();
    for li in notes.split("<li id=\"note-").skip(1) {
        let li = &li[..li.find("</li>").unwrap()];
        if li.contains(needle) {
            numbers.push(li[..li.find('"').unwrap()].to_string());
            items.push(li.to_string());
        }
    }
    (numbers, items)
}

#[test]
fn one_bibliography_gives_one_note_per_source_in_each_language_style() {
    // In the EV fixture, content/sources.yaml holds the association's monthly report once: the
    // sales data (a row), the city data (the file's default and a derivation's input) and the
    // chapter's prose ([@key], with a second key and, elsewhere, a locator) all cite it.
    let (_dir, out) = build_ev();
    let zh = read(&out.join("zh/sales/index.html"));
    let en = read(&out.join("en/sales/index.html"));
    let (zn, zitems) = notes_naming(&zh, "2024年新能源汽车上险量月报");
    let (en_n, eitems) = notes_naming(&en, "Monthly NEV insurance registrations");
    assert_eq!((zn.len(), en_n.len()), (1, 1), "one note per language");
    // GB/T 7714-2015 on the Chinese page, APA on the English one, by the citation engine.
    assert!(
        zitems[0].contains("示例汽车流通协会. 2024年新能源汽车上险量月报（示例）[EB/OL]. (2025-01-12). <a href=\"https://example.org/eada/registrations/2024-12\">"),
        "{}",
        zitems[0]
    );
    assert!(
        eitems[0].contains("Example Automobile Dealers Association. (2025, January 12). <i>Monthly NEV insurance registrations, December 2024 (example)</i>. <a href=\"https://example.org/eada/registrations/2024-12\">"),
        "{}",
        eitems[0]
    );
    // Every mark that cites it (rows of two data files, a derivation, the prose) uses its number.
    let n = &en_n[0];
    let link = format!("href=\"#note-{n}\"");
    assert!(
        en.contains(&format!("registrations<sup class=\"note-ref cite\"><a {link} aria-label=\"Outside data {n}\">{n}</a>")),
        "prose cites it, the space before the mark dropped"
    );
    assert!(en.matches(&link).count() >= 4, "rows, derivation and prose");
    assert!(
        en.contains("<span class=\"locator\">: p. 3</span>"),
        "locator"
    );
    assert!(
        zh.contains("<span class=\"locator\">：第3页</span>"),
        "locator"
    );
    // An article of content/sources.json, with authors, journal and DOI.
    let en_prices = read(&out.join("en/prices/index.html"));
    let zh_prices = read(&out.join("zh/prices/index.html"));
    assert!(en_prices.contains("Zhang, S., &amp; Li, S. (2024). Cost outlook for sodium-ion traction batteries, 2024-2030 (fictional). <i>Journal of Example Energy Storage</i>, <i>12</i>(3), 45–67."));
    assert!(zh_prices.contains("ZHANG S, LI S. Cost outlook for sodium-ion traction batteries, 2024-2030 (fictional)[J/OL]. Journal of Example Energy Storage, 2024, 12(3): 45-67."));
    // In a code span the syntax stays as written.
    assert!(en_prices.contains("<code>[@key]</code>"));
    // No page, print edition or search text shows a citation as written.
    for (path, bytes) in all_files(&out) {
        if !(path.ends_with(".html") || path.ends_with(".json")) {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes).replace("<code>[@key]</code>", "");
        let text = text.replace("`[@key]`", "").replace("[@key]", "");
        assert!(!text.contains("[@"), "{path} shows a citation as written");
    }
    let search = read(&out.join("search/en.json"));
    assert!(
        search.contains("checked against the association’s monthly registrations; for 2019, see its annual review."),
        "search text reads without marks"
    );
    // The print edition lists the source once under "Sources cited".
    let print = read(&out.join("en/print/index.html"));
    let bib = &print[print.find("id=\"bibliography\"").unwrap()..];
    assert_eq!(
        bib.matches("Monthly NEV insurance registrations").count(),
        1
    );
    // Downloads name the shared key.
    let json = read(&out.join("data/city_sales.json"));
    assert!(
        json.contains("\"eada_registrations_2024\": {"),
        "{}",
        &json[..400]
    );
}

#[test]
fn a_preview_reads_again_the_files_the_watcher_names() {
    // A preview reads a chapter again only when its size or modification time changed, or when
    // the watcher named it: two saves within one tick of the file system's clock keep the time.
    let (_dir, root, _, mut session) = preview();
    session.build().unwrap();
    let rel = "content/zh/market.md";
    let path = root.join(rel);
    let time = std::fs::metadata(&path).unwrap().modified().unwrap();
    // 为 and 是 are both three bytes: the size stays too.
    edit(&root, rel, "2024年市场规模为", "2024年市场规模是");
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(time).unwrap();
    drop(file);
    let page =
        |b: &yanbao::Built| String::from_utf8_lossy(&b.files["zh/market/index.html"]).into_owned();
    assert!(
        page(&session.build().unwrap()).contains("2024年市场规模为"),
        "the stamp hides it"
    );
    session.changed(Some(&[rel.to_string()].into_iter().collect()));
    let built = session.build().unwrap();
    assert!(page(&built).contains("2024年市场规模是"));
    // The watcher losing track (None) makes every file be read again.
    edit(&root, rel, "2024年市场规模是", "2024年市场规模为");
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(time)
        .unwrap();
    session.changed(None);
    assert!(page(&session.build().unwrap()).contains("2024年市场规模为"));
}

#[test]
fn a_preview_checks_again_the_links_into_a_page_whose_headings_changed() {
    // outlook.md links to market.md#size. Renaming that anchor in market.md must make the link
    // broken in outlook.md, which did not change, and renaming it back must mend it: a preview
    // keeps resolved pages only while nothing they can point at changed.
    let (_dir, root, opts, mut session) = preview();
    let said = |r: yanbao::Result<yanbao::Built>| match r {
        Ok(b) => b.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
        Err(e) => vec![e.to_string()],
    };
    let clean = said(session.build());
    assert!(!clean.iter().any(|w| w.contains("outlook.md")), "{clean:?}");
    edit(
        &root,
        "content/en/market.md",
        "## Size {#size}",
        "## Size {#scale}",
    );
    edit(
        &root,
        "content/zh/market.md",
        "## 规模 {#size}",
        "## 规模 {#scale}",
    );
    edit(
        &root,
        "content/data/market.yaml",
        "market#size",
        "market#scale",
    );
    let broken = said(session.build());
    assert_eq!(
        broken,
        said(yanbao::build_in_memory(&opts, yanbao::Mode::Serve))
    );
    for lang in ["en", "zh"] {
        assert!(
            broken
                .iter()
                .any(|w| w.contains(&format!("content/{lang}/outlook.md:30"))
                    && w.contains("broken link")),
            "{broken:?}"
        );
    }
    edit(
        &root,
        "content/en/market.md",
        "## Size {#scale}",
        "## Size {#size}",
    );
    edit(
        &root,
        "content/zh/market.md",
        "## 规模 {#scale}",
        "## 规模 {#size}",
    );
    edit(
        &root,
        "content/data/market.yaml",
        "market#scale",
        "market#size",
    );
    assert_eq!(said(session.build()), clean);
}

#[test]
fn a_preview_parses_again_when_a_language_changes_its_punctuation_rule() {
    // English has typographic quotes by default; a language file turning them off must reach
    // chapters whose files did not change.
    let (_dir, root, opts, mut session) = preview();
    let page =
        |b: &yanbao::Built| String::from_utf8_lossy(&b.files["en/market/index.html"]).into_owned();
    assert!(page(&session.build().unwrap()).contains("“next”"));
    std::fs::create_dir_all(root.join("templates/i18n")).unwrap();
    std::fs::write(
        root.join("templates/i18n/en.yaml"),
        "smart_punctuation: false\n",
    )
    .unwrap();
    let mut built = session.build().unwrap();
    built.complete().unwrap();
    assert!(page(&built).contains("&quot;next&quot;") || page(&built).contains("\"next\""));
    let full = yanbao::build_in_memory(&opts, yanbao::Mode::Serve).unwrap();
    let same = |k: &str| built.files[k] == full.files[k];
    assert!(
        same("en/market/index.html"),
        "the page is that of a full build"
    );
    let differ: Vec<&String> = full.files.keys().filter(|k| !same(k)).collect();
    assert!(differ.is_empty(), "{differ:?}");
}

#[test]
fn a_preview_keeps_reporting_the_problems_of_pages_it_did_not_check_again() {
    // A page whose file did not change keeps its outline from the last build, and with it the
    // problems found there: an edit elsewhere must not make them disappear.
    let (_dir, root, opts, mut session) = preview();
    session.build().unwrap();
    edit(
        &root,
        "content/en/outlook.md",
        "## Future {#future}",
        "## Future {#future}\n\n## Again {#future}",
    );
    let said = |r: yanbao::Result<yanbao::Built>| match r {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    };
    let first = said(session.build());
    assert!(first.contains("`#future` is used twice"), "{first}");
    edit(
        &root,
        "content/en/market.md",
        "General-purpose models",
        "General models",
    );
    assert_eq!(said(session.build()), first);
    assert_eq!(
        said(session.build()),
        said(yanbao::build_in_memory(&opts, yanbao::Mode::Serve))
    );
    edit(&root, "content/en/outlook.md", "\n\n## Again {#future}", "");
    assert_eq!(said(session.build()), "");
}

#[test]
fn a_preview_of_a_partly_translated_site_gives_the_bytes_of_a_full_build() {
    // The EV fixture: three languages, ja with two pages falling back to zh for the rest, data
    // and charts each page reads. Edits to a page ja falls back to, to the data a ja page shows
    // and to ja's own page must reach every page exactly as a full build does.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ev");
    copy_dir(&repo_root().join("tests/fixtures/ev-report"), &root);
    let opts = Options::new(&root);
    let mut session = yanbao::Session::new(&opts);
    session.build().unwrap();
    let steps = [
        (
            "content/zh/sales.md",
            "2024年，中国新能源汽车销量为",
            "2024年，中国新能源车销量为",
        ),
        (
            "content/data/battery_prices.yaml",
            "value: 880}",
            "value: 870}",
        ),
        ("content/ja/prices.md", "\n## ", "\n追加の一文。\n\n## "),
    ];
    for (file, from, to) in steps {
        edit(&root, file, from, to);
        let mut built = session.build().unwrap();
        built.complete().unwrap();
        let full = yanbao::build_in_memory(&opts, yanbao::Mode::Serve).unwrap();
        assert_eq!(built.warnings, full.warnings, "{file}");
        let keys = |b: &yanbao::Built| b.files.keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&built), keys(&full), "{file}");
        let differ: Vec<&String> = full
            .files
            .keys()
            .filter(|k| built.files[*k] != full.files[*k])
            .collect();
        assert!(differ.is_empty(), "{file}: {differ:?}");
    }
}

/// Key points in front matter: a box under the title with their figures' source marks numbered
/// first, text escaped, year ranges kept whole, the "added" note where asked for, the same box
/// in the print edition; a reference that does not resolve is an error at its place.
#[test]
fn key_points_show_under_the_title_with_their_sources() {
    let (_dir, out) = build_ev();
    let en = read(&out.join("en/sales/index.html"));
    let kp = &en[en.find("<aside class=\"key-points\"").expect("key points")..];
    let kp = &kp[..kp.find("</aside>").unwrap()];
    assert!(kp.contains("<h2 id=\"kp-title\" class=\"section-label\">Key points</h2>"));
    assert!(
        kp.contains(
            "Sales reached 2.68 million vehicles<sup class=\"note-ref\"><a href=\"#note-1\""
        ),
        "the first source mark of the page: {kp}"
    );
    assert!(
        kp.contains("over <span class=\"nobr\">2019–2024</span>."),
        "{kp}"
    );
    assert!(
        kp.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "escaped"
    );
    assert!(!kp.contains("added-note"), "written by the report: no note");
    // The box comes before the text.
    assert!(en.find("class=\"key-points\"") < en.find("<div class=\"prose\">"));
    let zh = read(&out.join("zh/sales/index.html"));
    assert!(zh.contains("<p class=\"added-note\">网页版编者据本章内容整理，并非报告原文。</p>"));
    let print = read(&out.join("zh/print/index.html"));
    assert!(print.contains("<h2 id=\"ch-sales.kp-title\" class=\"section-label\">本章要点</h2>"));
    // A page without key points has no box.
    assert!(!read(&out.join("en/batteries/index.html")).contains("key-points"));

    let (_dir, root) = fixture_copy();
    edit(
        &root,
        "content/zh/market.md",
        "section_level: 2\n",
        "section_level: 2\nkey_points:\n  - 规模为{{market.2024}}。\n  - 增速为{{market.nope}}。\n",
    );
    let got = check_errors(&root);
    assert!(
        got.iter()
            .any(|g| g == "content/zh/market.md:9:5 data file `market` has no row `nope`"),
        "{got:#?}"
    );
}

/// The errors `check` reports for the site at `root`, as `path:line:column message`.
fn check_errors(root: &std::path::Path) -> Vec<String> {
    let err = yanbao::check(&Options::new(root)).unwrap_err();
    err.diagnostics()
        .iter()
        .map(|d| format!("{}:{}:{} {}", d.path.display(), d.line, d.column, d.message))
        .collect()
}

/// The EV fixture (three languages, ja partial) built into a temporary folder: the folder (kept
/// while it lives) and the output in it.
fn build_ev() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = Options::new(repo_root().join("tests/fixtures/ev-report"));
    opts.output = dir.path().join("out");
    yanbao::build(&opts).unwrap();
    (dir, opts.output)
}
