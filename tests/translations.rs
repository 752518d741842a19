//! Translations on the EV report, a second report in three languages where `ja` is partial:
//! what a partial language publishes and falls back to, the coverage `check` prints, and the
//! lock file that names the sections of the default language changed since a translation was
//! brought in line.

mod common;

use common::*;
use yanbao::Options;

fn ev_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ev");
    copy_dir(&repo_root().join("tests/fixtures/ev-report"), &root);
    (dir, root)
}

#[test]
fn a_partial_language_publishes_what_it_has_and_falls_back_for_the_rest() {
    let (_dir, root) = ev_copy();
    let report = yanbao::build(&Options::new(&root)).unwrap_or_else(|e| panic!("{e}"));
    let out = root.join("public");
    // ja has a home page and one chapter; the rest is left out, not made up.
    assert!(out.join("ja/index.html").is_file());
    assert!(out.join("ja/prices/index.html").is_file());
    for key in ["sales", "batteries", "outlook", "glossary"] {
        assert!(!out.join("ja").join(key).exists(), "ja/{key} made up");
        assert!(out.join("zh").join(key).join("index.html").is_file());
    }
    let ja = read(&out.join("ja/prices/index.html"));
    assert!(ja.contains("<html lang=\"ja\""), "html lang");
    // A chart title written in ja is used; one without falls back to the zh text.
    assert!(ja.contains("車載電池パック平均価格の推移"));
    let zh_title = "2024年调价";
    let zh = read(&out.join("zh/prices/index.html"));
    assert!(zh.contains(zh_title));
    assert!(ja.contains("2024年の価格改定"), "ja heading");
    // Links to untranslated chapters open the zh page.
    assert!(
        ja.contains("href=\"../../zh/outlook/index.html#risks\""),
        "fallback link"
    );
    // Its navigation lists only its pages.
    assert!(!ja.contains("href=\"../sales/\""));
    // A key figure whose section is in a chapter ja lacks links to that section in zh.
    let home = read(&out.join("ja/index.html"));
    assert!(
        home.contains("<li class=\"kf kf-report\"><a href=\"../zh/sales/index.html#annual\">"),
        "key figure link"
    );
    assert_eq!(check_links(&out), Vec::<String>::new());
    // Text a ja page shows in zh, for want of its own, says so: readers and screen readers
    // read it as Chinese, in Chinese glyphs. Its own texts and the complete languages carry no
    // such mark.
    assert!(
        home.contains("<span class=\"kf-label\" lang=\"zh-Hans\">"),
        "key figure label"
    );
    assert!(
        ja.contains("<td><span lang=\"zh-Hans\">磷酸铁锂（LFP）"),
        "table cell"
    );
    assert!(!ja.contains("<span lang=\"zh-Hans\">車載電池パック平均価格の推移"));
    for (lang, other) in [("zh", "en"), ("en", "zh-Hans")] {
        for (path, bytes) in all_files(&out.join(lang)) {
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains(&format!("<span lang=\"{other}\">"))
                    && !text.contains("kf-label\" lang"),
                "{lang}/{path}: a complete language marks no fallback"
            );
        }
    }
    // UI strings the ja pack lacks are shown in English.
    assert!(ja.contains("Cite this") || ja.contains("Print edition") || ja.contains("Download"));
    // The texts written for `fr`, a language not listed yet, are published nowhere.
    for (path, bytes) in all_files(&out) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("Données fictives"), "fr text in {path}");
    }
    // One warning per file and language for the texts that fall back, never an error.
    let fallback: Vec<String> = report
        .warnings
        .iter()
        .filter(|w| w.message.contains("pages show the zh text"))
        .map(|w| format!("{}:{}:{} {}", w.path.display(), w.line, w.column, w.message))
        .collect();
    assert!(
        fallback.contains(&"content/data/battery_prices.yaml:5:3 `notes` has no `ja` text; ja pages show the zh text".to_string())
            || fallback.iter().any(|f| f.starts_with("content/data/battery_prices.yaml:") && f.contains("texts have no `ja` text (the first: `notes`)")),
        "{fallback:#?}"
    );
    assert!(
        fallback.contains(
            &"content/site.yaml:15:3 5 of 8 texts have no `ja` text (the first: `description`); ja pages show the zh text".to_string()
        ),
        "{fallback:#?}"
    );
    // A row's `text:` (how a value reads in zh prose) is not a missing translation.
    assert!(
        !fallback.iter().any(|f| f.contains("`en` text")),
        "{fallback:#?}"
    );
    let ui = report
        .warnings
        .iter()
        .find(|w| w.path.ends_with("templates/i18n/ja.yaml"))
        .expect("a warning about the ja pack");
    assert!(
        ui.message
            .ends_with("for language `ja`; its pages show them in English"),
        "{}",
        ui.message
    );
}

#[test]
fn check_prints_each_languages_coverage() {
    let (_dir, root) = ev_copy();
    let (code, stdout, stderr) = yanbao(&["check", "--root", root.to_str().unwrap()], &root);
    assert_eq!(code, 0, "{stderr}");
    let table: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("Translation coverage"))
        .take(7)
        .collect();
    assert_eq!(
        table,
        [
            "Translation coverage (where a language has no text, its pages show the zh text):",
            "              zh       en                    ja",
            "  pages       6/6      6/6                   2/6",
            "  headings    26/26    26/26                 11/26",
            "  data texts  351/351  351/351               5/351",
            "  in line     —        0/6 (6 not recorded)  0/2 (2 not recorded)",
            "  (\"in line\": translated pages whose zh sections are unchanged since `yanbao translated` recorded them)",
        ],
        "{stdout}"
    );
    assert!(stdout.contains("Texts for languages not in `languages` (not published): fr (1)"));
    assert!(stderr.contains("warning: "), "{stderr}");
}

#[test]
fn check_names_the_sections_changed_since_a_translation_was_recorded() {
    let (_dir, root) = ev_copy();
    // Nothing recorded: no stale warnings.
    let stale = |root: &std::path::Path| -> Vec<String> {
        let r = yanbao::check(&Options::new(root)).unwrap_or_else(|e| panic!("{e}"));
        r.warnings
            .iter()
            .filter(|w| {
                w.message
                    .contains("since this translation was last brought in line")
            })
            .map(|w| format!("{}:{}:{} {}", w.path.display(), w.line, w.column, w.message))
            .collect()
    };
    assert_eq!(stale(&root), Vec::<String>::new());
    let recorded = yanbao::translated(&root, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(recorded.len(), 8, "{recorded:?}");
    assert!(
        recorded.contains(&("ja/prices".to_string(), 10)),
        "{recorded:?}"
    );
    let lock = read(&root.join("content/translations.lock"));
    assert!(lock.contains("\"ja/prices\":\n  \"\": \""), "{lock}");
    assert_eq!(stale(&root), Vec::<String>::new());
    let r = yanbao::check(&Options::new(&root)).unwrap();
    let table = r.coverage.expect("a table");
    assert!(
        table.contains("  in line     —        6/6      2/2"),
        "{table}"
    );

    // Whitespace is not a change.
    edit(
        &root,
        "content/zh/prices.md",
        "（见{{fig:price-cuts}}）。\n",
        "（见{{fig:price-cuts}}）。   \n\n",
    );
    assert_eq!(stale(&root), Vec::<String>::new());
    // A changed paragraph makes that section stale in every translation, at its heading.
    edit(
        &root,
        "content/zh/prices.md",
        "2024年的调价有涨有跌",
        "2024年的调价以降为主、也有上涨",
    );
    let ja_line = read(&root.join("content/ja/prices.md"))
        .lines()
        .position(|l| l.contains("{#price-cuts}"))
        .unwrap()
        + 1;
    let en_line = read(&root.join("content/en/prices.md"))
        .lines()
        .position(|l| l.contains("{#price-cuts}"))
        .unwrap()
        + 1;
    let msg = "section `#price-cuts` changed in content/zh/prices.md (line 36) since this translation was last brought in line";
    assert_eq!(
        stale(&root),
        [
            format!("content/en/prices.md:{en_line}:1 {msg}"),
            format!("content/ja/prices.md:{ja_line}:1 {msg}"),
        ]
    );
    let r = yanbao::check(&Options::new(&root)).unwrap();
    assert!(
        r.coverage
            .unwrap()
            .contains("  in line     —        5/6 (1 stale)  1/2 (1 stale)"),
    );
    // The English translator catches up and records it; Japanese stays stale.
    let recorded = yanbao::translated(&root, &["content/en/prices.md".to_string()]).unwrap();
    assert_eq!(recorded, [("en/prices".to_string(), 10)]);
    assert_eq!(
        stale(&root),
        [format!("content/ja/prices.md:{ja_line}:1 {msg}")]
    );
    // A language names all its pages.
    let recorded = yanbao::translated(&root, &["ja".to_string()]).unwrap();
    assert_eq!(recorded.len(), 2);
    assert_eq!(stale(&root), Vec::<String>::new());
    // A new section before the first heading, and the text before it.
    edit(
        &root,
        "content/zh/prices.md",
        "## 价格数据 {#price-table}",
        "新增一句。\n\n## 价格数据 {#price-table}",
    );
    assert_eq!(stale(&root).len(), 2);
}

#[test]
fn translated_refuses_what_it_cannot_record_and_check_reads_the_lock_with_care() {
    let (_dir, root) = ev_copy();
    let err = yanbao::translated(&root, &["ja/sales".to_string()]).unwrap_err();
    let d = &err.diagnostics()[0];
    assert_eq!(
        d.message,
        "`ja/sales` is not a translated page or a translation's language"
    );
    assert!(d.help.as_deref().unwrap().contains("ja/prices"));
    assert!(
        !root.join("content/translations.lock").exists(),
        "nothing written"
    );
    // The default language is not a translation.
    assert!(yanbao::translated(&root, &["zh".to_string()]).is_err());

    // A lock entry for a page that is gone: a warning naming it.
    std::fs::write(
        root.join("content/translations.lock"),
        "\"ja/sales\":\n  \"\": \"00000000\"\n",
    )
    .unwrap();
    let r = yanbao::check(&Options::new(&root)).unwrap_or_else(|e| panic!("{e}"));
    let w = r
        .warnings
        .iter()
        .find(|w| w.path.ends_with("translations.lock"))
        .expect("warning");
    assert_eq!(w.message, "no translated page `ja/sales`");
    assert_eq!((w.line, w.column), (1, 1));
    // A lock that is not YAML of the right shape: an error with its place and what to do.
    std::fs::write(
        root.join("content/translations.lock"),
        "\"ja/prices\": [1, 2\n",
    )
    .unwrap();
    let err = yanbao::check(&Options::new(&root)).unwrap_err();
    let d = &err.diagnostics()[0];
    assert!(d.path.ends_with("content/translations.lock"));
    assert!(d.line >= 1);
    assert!(
        d.help
            .as_deref()
            .unwrap()
            .contains("run `yanbao translated`"),
        "{d}"
    );
}

#[test]
fn a_text_keyed_by_something_that_is_not_a_language_code_is_an_error() {
    let (_dir, root) = ev_copy();
    edit(
        &root,
        "content/data/battery_prices.yaml",
        "  ja: 化学系別",
        "  Japanese: 化学系別",
    );
    let err = yanbao::check(&Options::new(&root)).unwrap_err();
    let errors: Vec<_> = err.diagnostics().iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{err}");
    let d = errors[0];
    assert_eq!(d.message, "`Japanese` is not a language code");
    assert_eq!(
        (d.path.to_str().unwrap(), d.line, d.column),
        ("content/data/battery_prices.yaml", 5, 3)
    );
}
