//! A report that grows stays linear: a chapter page is the same size whether the report has 100
//! or 200 chapters (its chapter list shows its neighbourhood and links to the full contents on
//! the home page, which lists every chapter).

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// The small fixture plus `n` generated chapters per language, built; returns the output folder.
fn long_report(dir: &Path, n: usize) -> PathBuf {
    long_report_with(dir, n, "").0
}

/// The same, with `config` added to its site.yaml; also returns the build's warnings.
fn long_report_with(dir: &Path, n: usize, config: &str) -> (PathBuf, Vec<yanbao::Diagnostic>) {
    let root = dir.join(format!("site-{n}"));
    copy_dir(&repo_root().join("tests/fixtures/site"), &root);
    let yaml = root.join("content/site.yaml");
    std::fs::write(&yaml, read(&yaml) + config).unwrap();
    for lang in ["zh", "en"] {
        for i in 0..n {
            let body = format!(
                "---\ntitle: \"{lang} chapter {i}\"\norder: {}\n---\n\n## Part {{#part}}\n\nText of chapter {i}.\n",
                i + 10
            );
            std::fs::write(root.join(format!("content/{lang}/c{i:04}.md")), body).unwrap();
        }
    }
    let mut opts = yanbao::Options::new(&root);
    opts.output = dir.join(format!("out-{n}"));
    let report = yanbao::build(&opts).unwrap();
    (opts.output, report.warnings)
}

/// The page's chapter list (the phone menu, the side bar on a wide screen).
fn chapter_list(html: &str) -> &str {
    let start = html
        .find("<ol class=\"chapters\">")
        .expect("a chapter list");
    let end = start + html[start..].find("</ol>").expect("its end");
    &html[start..end]
}

/// How many chapters (`c0000`…) the chapter list links.
fn chapter_links(html: &str) -> usize {
    chapter_list(html).matches("/c0").count()
}

/// Whether the chapter list links chapter `key`.
fn lists(html: &str, key: &str) -> bool {
    chapter_list(html).contains(&format!("/{key}/index.html\""))
}

#[test]
fn chapter_pages_do_not_grow_with_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let small = long_report(dir.path(), 100);
    let large = long_report(dir.path(), 200);
    let page = "en/c0050/index.html";
    let (a, b) = (read(&small.join(page)), read(&large.join(page)));
    // Only the "(100)"/"(200)" counts differ.
    assert!(
        a.len().abs_diff(b.len()) < 16,
        "{page}: {} bytes with 100 chapters, {} with 200",
        a.len(),
        b.len()
    );
    // The chapter list (the phone menu, the side bar on a wide screen), once, shows the 11
    // chapters around this one, the current one marked.
    assert_eq!(b.matches("<ol class=\"chapters\">").count(), 1, "{b}");
    assert_eq!(chapter_links(&b), 11, "{b}");
    assert!(lists(&b, "c0045") && lists(&b, "c0055"));
    assert!(!lists(&b, "c0044") && !lists(&b, "c0056"));
    assert!(chapter_list(&b).contains("/c0050/index.html\" aria-current=\"page\""));
    // Both ends link to the full contents, which the home page has (pages of the language's
    // folder are linked from there, not from the root).
    assert_eq!(b.matches("\"../index.html#parts-title\"").count(), 2, "{b}");
    let home = read(&large.join("en/index.html"));
    assert!(home.contains("id=\"parts-title\""));
    assert!(home.contains("en chapter 0") && home.contains("en chapter 199"));
    // Without each chapter's sections: they would make the home page grow five times as fast.
    assert!(
        !home.contains("part-sections"),
        "a long report's contents list chapters only"
    );
    // The first and last chapters show a full window too.
    let last = read(&large.join("en/c0199/index.html"));
    assert_eq!(chapter_links(&last), 11);
    assert!(lists(&last, "c0189") && !lists(&last, "c0188"));
    // The 404 page does not grow either: the first chapters, then a link to the contents.
    let (a, b) = (read(&small.join("404.html")), read(&large.join("404.html")));
    assert!(
        a.len().abs_diff(b.len()) < 16,
        "404: {} and {} bytes",
        a.len(),
        b.len()
    );
    let big_list = |html: &str| {
        let start = html
            .find("<ol class=\"chapters-big\">")
            .expect("a chapter list");
        html[start..start + html[start..].find("</ol>").expect("its end")].to_string()
    };
    let list = big_list(&b);
    // The fixture's two chapters, then c0000 to c0008: eleven, as in the menu.
    assert_eq!(list.matches("<li>").count(), 11, "{list}");
    assert!(list.contains("/zh/c0008/index.html") && !list.contains("/zh/c0009/index.html"));
    assert!(
        list.contains("href=\"/zh/index.html#parts-title\">目录 (202) …</a>"),
        "{list}"
    );
}

#[test]
fn a_short_report_lists_every_chapter_on_every_page() {
    let dir = tempfile::tempdir().unwrap();
    let out = long_report(dir.path(), 20);
    let page = read(&out.join("zh/c0010/index.html"));
    assert!(lists(&page, "c0000") && lists(&page, "c0019"));
    assert!(!page.contains("chapters-more"));
    let not_found = read(&out.join("404.html"));
    assert!(
        not_found.contains("/zh/c0000/index.html") && not_found.contains("/zh/c0019/index.html")
    );
    assert!(!not_found.contains("chapters-more"));
    let home = read(&out.join("zh/index.html"));
    assert!(home.contains("<ol class=\"part-sections\"><li><a href=\"c0019/index.html#part\">"));
}

/// `print_edition: auto` leaves out the one page holding every chapter once a report is longer
/// than a browser can lay out, says so, and links nothing to it; `always` makes it anyway.
#[test]
fn a_very_long_report_has_no_print_edition_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let mentions_print = |w: &yanbao::Diagnostic| w.message.contains("print edition");
    // The fixture's own two chapters and 298 more: 300, the most `auto` prints.
    let (out, warnings) = long_report_with(&dir.path().join("at-limit"), 298, "");
    assert!(out.join("zh/print/index.html").is_file());
    assert!(!warnings.iter().any(mentions_print));
    let (out, warnings) = long_report_with(&dir.path().join("auto"), 400, "");
    for lang in ["zh", "en"] {
        assert!(
            !out.join(format!("{lang}/print")).exists(),
            "{lang}: no print edition"
        );
        for page in [
            format!("{lang}/index.html"),
            format!("{lang}/c0010/index.html"),
        ] {
            let html = read(&out.join(&page));
            assert!(
                !html.contains("print/index.html"),
                "{page} links no print edition"
            );
        }
        // The chapter's editions line keeps its citation link.
        let chapter = read(&out.join(format!("{lang}/c0010/index.html")));
        assert!(chapter.contains("class=\"editions\""), "{lang}");
    }
    let w = warnings
        .iter()
        .find(|w| w.message.starts_with("no print edition"))
        .expect("a warning says why");
    assert_eq!(
        w.message,
        "no print edition: the report has 402 chapters, and `print_edition: auto` makes one for at most 300 (it is a single page holding every chapter)"
    );
    assert!(w.path.ends_with("content/site.yaml"));
    assert_eq!(
        w.help.as_deref(),
        Some(
            "set `print_edition: always` in content/site.yaml to make it anyway, or `never` to leave it out without this warning"
        )
    );
    let (out, warnings) =
        long_report_with(&dir.path().join("always"), 400, "print_edition: always\n");
    assert!(!warnings.iter().any(mentions_print));
    let print = read(&out.join("en/print/index.html"));
    assert!(print.contains("en chapter 399"), "every chapter is in it");
    assert!(read(&out.join("en/c0010/index.html")).contains("../../en/print/index.html"));
}

/// A long report's running heads come in style sheets of a hundred chapters: a chapter page
/// links the one with its own (browsers fetch print style sheets for the screen too, so a reader
/// downloads the same whatever the report's length), every other page the first, which has the
/// heads all pages share, and the print edition the whole list.
#[test]
fn a_long_reports_running_heads_come_a_hundred_chapters_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    // The fixture's two chapters and 248 more: three files of heads per language.
    let out = long_report(dir.path(), 248);
    // The running-heads style sheet a page links (`print/…css`, without its version).
    let heads_of = |html: &str| -> String {
        html.split("<link rel=\"stylesheet\" href=\"")
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap()])
            .find(|href| href.contains("print/") && !href.contains("static/"))
            .map(|href| href[href.rfind("print/").unwrap()..href.find('?').unwrap()].to_string())
            .expect("a running-heads link")
    };
    for lang in ["zh", "en"] {
        let mut named = 0;
        for n in 1..=3 {
            let css = read(&out.join(format!("print/{lang}-{n}.css")));
            assert!(
                css.contains("@page { @top-left { content: "),
                "{lang}-{n}: the shared heads"
            );
            let chapters =
                css.matches("@page pp-").count() - css.matches("@page pp--cover").count();
            assert!(
                (1..=100).contains(&chapters),
                "{lang}-{n}: {chapters} chapters"
            );
            named += chapters;
        }
        assert_eq!(named, 250, "{lang}: every chapter's head, once");
        assert!(!out.join(format!("print/{lang}-4.css")).exists());
        // Each chapter page links the file with its own named page.
        let mut pages = 0;
        for entry in std::fs::read_dir(out.join(lang)).unwrap() {
            let path = entry.unwrap().path().join("index.html");
            let Ok(html) = std::fs::read_to_string(&path) else {
                continue;
            };
            let Some(at) = html.find("<article class=\"chapter ") else {
                continue;
            };
            let class = &html[at + 24..];
            let name = &class[..class.find('"').unwrap()];
            let css = read(&out.join(heads_of(&html)));
            assert!(
                css.contains(&format!("@page {name}{{")),
                "{}: {name}",
                path.display()
            );
            pages += 1;
        }
        assert_eq!(pages, 250, "{lang}");
        assert_eq!(
            heads_of(&read(&out.join(format!("{lang}/index.html")))),
            format!("print/{lang}-1.css")
        );
        assert_eq!(
            heads_of(&read(&out.join(format!("{lang}/search/index.html")))),
            format!("print/{lang}-1.css")
        );
        // The print edition (250 chapters: `auto` makes it) links every chapter's head.
        let print = read(&out.join(format!("{lang}/print/index.html")));
        assert_eq!(heads_of(&print), format!("print/{lang}.css"));
        let all = read(&out.join(format!("print/{lang}.css")));
        assert_eq!(all.matches("@page pp-").count() - 1, 250);
    }
    // A changed title changes the heads file of its hundred, not every page's link: a rebuild
    // leaves a page of another hundred, outside the chapter's neighbourhood, the same file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let ino = |page: &str| std::fs::metadata(out.join(page)).unwrap().ino();
        let (far, near) = (ino("zh/c0020/index.html"), ino("zh/c0201/index.html"));
        let root = dir.path().join("site-248");
        let chapter = root.join("content/zh/c0200.md");
        std::fs::write(
            &chapter,
            read(&chapter).replace("zh chapter 200", "改过的标题"),
        )
        .unwrap();
        let mut opts = yanbao::Options::new(&root);
        opts.output = out.clone();
        yanbao::build(&opts).unwrap();
        assert!(read(&out.join("zh/c0201/index.html")).contains("改过的标题"));
        assert_ne!(
            ino("zh/c0201/index.html"),
            near,
            "a neighbour lists the new title"
        );
        assert_eq!(
            ino("zh/c0020/index.html"),
            far,
            "a page of another hundred is unchanged"
        );
    }
}
