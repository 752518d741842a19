//! The print edition and `yanbao pdf`: one page per language holding the whole report with ids
//! unique across chapters and links kept on the page, running heads per chapter, and PDFs
//! printed by headless Chromium whose text holds every chapter in order and page numbers. The
//! PDF tests need Chromium and poppler's `pdftotext`/`pdfinfo` (tests/run.sh installs them) and
//! never skip.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::*;
use yanbao::Options;

/// Every `id="…"` of a page, with how often it occurs.
fn id_counts(html: &str) -> BTreeMap<String, usize> {
    let mut ids = BTreeMap::new();
    for (i, _) in html.match_indices(" id=\"") {
        let rest = &html[i + 5..];
        let id = &rest[..rest.find('"').unwrap()];
        *ids.entry(id.to_string()).or_insert(0) += 1;
    }
    ids
}

/// The part of a page between `<main` and `</main>`.
fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a main element");
    let end = html.rfind("</main>").expect("main is closed");
    &html[start..end]
}

/// Checks one built site's print editions: every id once, every fragment link resolves on the
/// page, no link inside the report's text leaves for a chapter page, chapters in order.
fn check_print_editions(out: &Path, langs: &[&str]) {
    for lang in langs {
        let path = out.join(lang).join("print/index.html");
        let html = read(&path);
        let ids = id_counts(&html);
        let dups: Vec<_> = ids.iter().filter(|(_, n)| **n > 1).collect();
        assert!(dups.is_empty(), "{lang}: ids used twice: {dups:?}");
        let main = main_of(&html);
        for link in links(main) {
            if let Some(frag) = link.strip_prefix('#') {
                assert!(
                    ids.contains_key(frag),
                    "{lang}: #{frag} has no target on the print page"
                );
            }
            // Chapter pages (`../../zh/x/index.html`) are reached within the page; downloads,
            // other languages' pages and the cover's link to the online edition stay links.
            assert!(
                !link.starts_with(&format!("../../{lang}/"))
                    || link == format!("../../{lang}/index.html")
                    || link.contains("/cite/")
                    || link.contains("/data/")
                    || link.contains("/charts/")
                    // Images and PDFs kept next to the chapters.
                    || [".svg", ".png", ".jpg", ".pdf"].iter().any(|e| link.ends_with(e)),
                "{lang}: {link} leaves the print edition"
            );
        }
    }
}

#[test]
fn each_language_has_a_print_edition_with_the_whole_report() {
    let (_dir, root) = fixture_copy();
    // A heading id used by two chapters stays unique on the print page.
    for (lang, text) in [("zh", "## 未来 {#future}"), ("en", "## Future {#future}")] {
        edit(
            &root,
            &format!("content/{lang}/outlook.md"),
            text,
            &format!("{text}\n\n## size {{#size}}\n\nx"),
        );
    }
    let report = yanbao::build(&Options::new(&root)).expect("fixture builds");
    assert_eq!(
        report.pages, 12,
        "10 pages and a print edition per language"
    );
    let out = root.join("public");
    check_print_editions(&out, &["zh", "en"]);
    let zh = read(&out.join("zh/print/index.html"));
    let text = strip_tags(main_of(&zh));
    // Cover, contents, the home page's text, then the chapters in order, with their figures,
    // tables, footnotes and source notes, and the outside sources at the end.
    let order = [
        "测试报告",
        "测试研究院",
        "2025年1月",
        "目录",
        "01 市场规模",
        "02 展望",
        "参考资料",
        "市场规模与构成",
        "图 1",
        "表 1",
        "脚注",
        "数据来源与说明",
        "展望",
        "产业图谱",
        "参考资料",
        "某机构",
    ];
    let mut at = 0;
    for word in order {
        let found = text[at..]
            .find(word)
            .unwrap_or_else(|| panic!("`{word}` missing or out of order after byte {at}"));
        at += found;
    }
    // Both chapters' `size` headings, each under its chapter's prefix; links between chapters
    // stay on the page; the chart's patterns are referred to under the new ids.
    assert!(zh.contains("<h2 id=\"market.size\">"), "market.size");
    assert!(zh.contains("<h2 id=\"outlook.size\">"), "outlook.size");
    assert!(zh.contains("href=\"#market.size\""), "link to market#size");
    assert!(zh.contains("id=\"ch-market\"") && zh.contains("href=\"#ch-market\""));
    assert!(
        !main_of(&zh).contains("url(#fig-"),
        "url(#…) left unprefixed"
    );
    // Chapters carry their running head's named page; the language's heads name each chapter.
    assert!(zh.contains("class=\"print-chapter pp-market\""));
    let heads = read(&out.join("print/zh.css"));
    assert!(
        heads.contains("@page { @top-left { content: \"测试报告\"; } }"),
        "{heads}"
    );
    assert!(
        heads.contains(
            ".pp-market{page:pp-market}@page pp-market{@top-right{content:\"01 市场规模\"}}\n"
        ),
        "{heads}"
    );
    // The chapter pages use the same named pages when printed, and link the print edition.
    let chapter = read(&out.join("zh/market/index.html"));
    assert!(chapter.contains("<article class=\"chapter pp-market\">"));
    assert!(chapter.contains("href=\"../../print/zh.css?v="));
    assert!(chapter.contains("href=\"../../zh/print/index.html\""));
    let home = read(&out.join("zh/index.html"));
    assert!(home.contains("href=\"../zh/print/index.html\">打印版</a>"));
    // No PDF was made, so none is linked.
    assert!(!home.contains("report-zh.pdf") && !zh.contains("report-zh.pdf"));
    // The English edition switches to the Chinese one.
    let en = read(&out.join("en/print/index.html"));
    assert!(en.contains("href=\"../../zh/print/index.html\" hreflang=\"zh-Hans\""));
    assert!(en.contains("<h1 id=\"cover-title\">Test Report</h1>"));
    assert!(check_links(&out).is_empty(), "{:#?}", check_links(&out));
}

#[test]
fn the_other_reports_print_editions_hold_every_chapter_with_unique_ids() {
    for (root, langs) in [
        (repo_root().join("tests/fixtures/ev-report"), &["zh", "en"]),
        (repo_root(), &["zh", "en"]),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut opts = Options::new(&root);
        opts.output = dir.path().join("out");
        yanbao::build(&opts).expect("builds");
        check_print_editions(&opts.output, langs);
        for lang in langs {
            let html = read(&opts.output.join(lang).join("print/index.html"));
            let chapters: Vec<String> = std::fs::read_dir(opts.output.join(lang))
                .unwrap()
                .filter_map(|e| e.ok())
                .filter(|e| e.path().join("index.html").is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n != "search" && n != "print")
                .collect();
            assert_eq!(
                html.matches("<article class=\"print-chapter").count(),
                chapters.len(),
                "{}: every chapter of {lang}",
                root.display()
            );
            // Each chapter reads the same in the print edition as on its page: body and source
            // notes (a build renders them once for both; ids and links differ, the text not).
            for slug in &chapters {
                let page = read(&opts.output.join(lang).join(slug).join("index.html"));
                let on_page = between(&page, "<div class=\"prose\">", "<footer class=\"colophon\"");
                let part = between(&html, &format!("id=\"ch-{slug}\">"), "</article>");
                let printed = after(part, "<div class=\"prose\">");
                assert!(
                    words(&strip_tags(on_page)).len() > 20,
                    "{lang}/{slug}: {on_page}"
                );
                assert_eq!(
                    words(&strip_tags(printed)),
                    words(&strip_tags(on_page)),
                    "{}: {lang}/{slug}",
                    root.display()
                );
            }
        }
    }
}

/// The text of `html` after `start`.
fn after<'a>(html: &'a str, start: &str) -> &'a str {
    let from = html.find(start).unwrap_or_else(|| panic!("no {start}")) + start.len();
    &html[from..]
}

/// The text of `html` from `start` to `end`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let rest = after(html, start);
    &rest[..rest
        .find(end)
        .unwrap_or_else(|| panic!("no {end} after {start}"))]
}

/// A text's words, whatever the white space between them.
fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

#[test]
fn hostile_titles_cannot_break_the_running_heads() {
    let (_dir, root) = fixture_copy();
    edit(
        &root,
        "content/zh/market.md",
        "title: 市场规模",
        "title: '规模\"} body { display: none } @page { x: \"\\'",
    );
    yanbao::build(&Options::new(&root)).expect("builds");
    let heads = read(&root.join("public/print/zh.css"));
    assert!(
        heads.contains(
            "@page pp-market{@top-right{content:\"01 规模\\\"} body { display: none } @page { x: \\\"\\\\\"}}\n"
        ),
        "{heads}"
    );
    // Every rule of the file is one of the known shapes: nothing escaped its string.
    for line in heads.lines().skip(1) {
        assert!(
            line.starts_with("@page ")
                || line.starts_with(".pp-") && line.ends_with("\"}}")
                || line.starts_with(".print-cover"),
            "{line}"
        );
    }
}

/// `yanbao pdf` of the site at `root`, printing with `browser` (a stand-in, or one that fails).
fn pdf_with(root: &Path, browser: impl AsRef<std::ffi::OsStr>) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_yanbao"))
        .args(["pdf", "--root", root.to_str().unwrap()])
        .env("YANBAO_CHROMIUM", browser)
        .output()
        .unwrap()
}

fn tool(name: &str) -> String {
    let ok = Command::new(name)
        .arg("-v")
        .output()
        .map(|o| o.status.success() || !o.stderr.is_empty())
        .unwrap_or(false);
    assert!(
        ok,
        "the PDF tests need `{name}` (poppler-utils). Install it with: apt-get install -y poppler-utils (tests/run.sh does)"
    );
    name.to_string()
}

#[test]
fn pdf_prints_each_language_with_chapters_in_order_page_numbers_and_a_numbered_contents() {
    let (_dir, root) = fixture_copy();
    let out = root.join("public");
    let (code, stdout, stderr) = yanbao(
        &[
            "pdf",
            "--root",
            root.to_str().unwrap(),
            "--base-url",
            "https://example.org/r/",
        ],
        &root,
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("PDF: ") && stdout.contains("report-zh.pdf"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Share image: ") && stdout.contains("share-en.png"),
        "{stdout}"
    );
    // The share cards were photographed into 1200×630 PNGs, then removed.
    assert!(
        all_files(&out).keys().all(|p| !p.contains("share-card")),
        "a share card left in the output"
    );
    for (lang, titles, lang_name) in [
        (
            "zh",
            ["测试报告", "目录", "市场规模", "展望", "参考资料"],
            "zh",
        ),
        (
            "en",
            [
                "Test Report",
                "Contents",
                "Market Size",
                "Outlook",
                "Sources cited",
            ],
            "en",
        ),
    ] {
        let pdf = out.join(format!("report-{lang}.pdf"));
        assert!(pdf.is_file(), "{lang}: no PDF");
        let info = Command::new(tool("pdfinfo")).arg(&pdf).output().unwrap();
        let info = String::from_utf8_lossy(&info.stdout).into_owned();
        let pages: usize = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0);
        assert!(pages > 1, "{lang}: {pages} pages\n{info}");
        let text = Command::new(tool("pdftotext"))
            .args(["-layout"])
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&text.stdout).into_owned();
        let mut at = 0;
        for t in titles {
            at += text[at..]
                .find(t)
                .unwrap_or_else(|| panic!("{lang}: `{t}` missing or out of order\n{text}"));
        }
        // Page numbers "n / N" from the @page rules, and the chapter's running head.
        assert!(
            text.contains(&format!("2 / {pages}")) || text.contains(&format!("2/{pages}")),
            "{lang}: no page number\n{text}"
        );
        assert!(text.contains(if lang_name == "zh" {
            "01 市场规模"
        } else {
            "01 Market Size"
        }));
        let png = std::fs::read(out.join(format!("share-{lang}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{lang}: not a PNG");
        let size = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
        assert_eq!(
            (size(16), size(20)),
            (1200, 630),
            "{lang}: share image size"
        );
        // The home page links the PDF that now exists, and every page announces the share image.
        let home = read(&out.join(lang).join("index.html"));
        let chapter = read(&out.join(lang).join("market/index.html"));
        for page in [&home, &chapter] {
            assert!(page.contains(&format!("<meta property=\"og:image\" content=\"https://example.org/r/share-{lang}.png\">")), "{lang}: og:image");
            assert!(page.contains("<meta name=\"twitter:card\" content=\"summary_large_image\">"));
        }
        assert!(
            home.contains(&format!("href=\"../report-{lang}.pdf\" download")),
            "{lang}"
        );
        // The contents give each entry's page, read back from the PDF: the first page on which
        // the entry's heading stands as a line of its own is the page it names.
        let page_text = |n: usize| {
            let out = Command::new(tool("pdftotext"))
                .args(["-layout", "-f", &n.to_string(), "-l", &n.to_string()])
                .arg(&pdf)
                .arg("-")
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        let contents = page_text(2);
        let entries: Vec<(String, usize)> = contents
            .lines()
            .filter_map(|l| {
                let (title, n) = l.trim().rsplit_once("  ")?;
                Some((title.trim().to_string(), n.trim().parse().ok()?))
            })
            .collect();
        assert!(
            entries.len() >= 6,
            "{lang}: contents without page numbers\n{contents}"
        );
        let texts: Vec<String> = (1..=pages).map(page_text).collect();
        for (title, n) in &entries {
            // "01 Market Size" is printed as the kicker "01" over the title "Market Size".
            let heading = title
                .split_once(' ')
                .filter(|(num, _)| num.chars().all(|c| c.is_ascii_digit()))
                .map_or(title.as_str(), |(_, t)| t);
            let first = texts
                .iter()
                .position(|t| t.lines().skip(1).any(|l| l.trim() == heading))
                .map(|i| i + 1);
            assert_eq!(
                first,
                Some(*n),
                "{lang}: `{title}` is listed on page {n}\n{contents}"
            );
        }
        assert!(
            entries.windows(2).all(|w| w[0].1 <= w[1].1),
            "{lang}: pages out of order"
        );
        // A PDF outline (bookmarks) from the headings.
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(
            bytes.windows(9).any(|w| w == b"/Outlines"),
            "{lang}: no outline"
        );
    }
}

/// A build without PDFs announces no share image; one with them but without a base URL says
/// why pages cannot announce theirs.
#[test]
fn share_images_are_announced_only_where_they_exist_at_an_absolute_address() {
    let (_dir, root) = fixture_copy();
    let mut opts = Options::new(&root);
    opts.base_url = Some("https://example.org/r/".into());
    yanbao::build(&opts).unwrap();
    let home = read(&opts.output.join("en/index.html"));
    assert!(!home.contains("og:image"), "no image without PDFs");
    assert!(home.contains("<meta name=\"twitter:card\" content=\"summary\">"));
    let mut opts = Options::new(&root);
    opts.pdf = true;
    let report = yanbao::build(&opts).unwrap();
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.path.ends_with("content/site.yaml")
                && w.message.contains("share images")
                && w.help.as_deref()
                    == Some("set `base_url` in content/site.yaml, or pass --base-url")),
        "{:#?}",
        report.warnings
    );
    let home = read(&opts.output.join("en/index.html"));
    assert!(!home.contains("og:image"), "no relative og:image");
}

#[test]
fn pdf_without_chromium_says_how_to_fix_and_writes_nothing() {
    let (_dir, root) = fixture_copy();
    let empty = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yanbao"))
        .args(["pdf", "--root", root.to_str().unwrap()])
        .env("PATH", empty.path())
        .env_remove("YANBAO_CHROMIUM")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("error: `yanbao pdf` needs Chromium or Google Chrome to print the PDFs, and found none on PATH (chromium, chromium-browser, google-chrome, google-chrome-stable)\n  = help: install Chromium"),
        "{stderr}"
    );
    assert!(!root.join("public").exists(), "nothing is written");
    // A browser that fails leaves the previous site as it was.
    let (code, _, stderr) = yanbao(&["build", "--root", root.to_str().unwrap()], &root);
    assert_eq!(code, 0, "{stderr}");
    let before = all_files(&root.join("public"));
    let out = pdf_with(&root, "/bin/false");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("error: could not print the PDF: /bin/false for ")
            && stderr.contains("it failed (exit status: 1)")
            && stderr.contains("= help: check that Chromium runs"),
        "{stderr}"
    );
    assert_eq!(
        all_files(&root.join("public")),
        before,
        "the old site stays"
    );
}

#[test]
fn home_charts_follow_the_report_and_year_ranges_stay_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = Options::new(repo_root());
    opts.output = dir.path().join("out");
    yanbao::build(&opts).expect("builds");
    // `charts: [market-size, price-trend]` lists 图11 first; the home page follows the report.
    for (lang, first, second) in [("zh", "图 2", "图 11"), ("en", "Figure 2", "Figure 11")] {
        let home = read(&opts.output.join(lang).join("index.html"));
        let a = home.find(&format!("<span class=\"fig-num\">{first}</span>"));
        let b = home.find(&format!("<span class=\"fig-num\">{second}</span>"));
        assert!(
            a.is_some() && b.is_some() && a < b,
            "{lang}: {first} before {second}"
        );
    }
    // "2022-2027年" never breaks after its hyphen, in text and in headings, and search still
    // reads the words.
    let status = read(&opts.output.join("zh/status/index.html"));
    assert!(status.contains("，<span class=\"nobr\">2022-2027年</span><wbr>复合<wbr>增长"));
    assert!(!strip_tags(&status).contains("2022- 2027"));
    let index = read(&opts.output.join("search/zh.json"));
    assert!(!index.contains("nobr"));
}

/// A browser whose PDFs carry no named destinations (a stand-in script that writes a one-page
/// PDF made with lopdf, and a PNG): the PDFs are written, and the build says the contents have
/// no page numbers and what to do.
#[cfg(unix)]
#[test]
fn a_browser_without_named_destinations_gives_a_warning_not_wrong_numbers() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, root) = fixture_copy();
    let tools = tempfile::tempdir().unwrap();
    // A valid PDF without destinations, and a PNG, for the stand-in to copy.
    let mut doc = lopdf::Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let page_id = doc.add_object(lopdf::dictionary! {
        "Type" => "Page", "Parent" => pages_id, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()]
    });
    doc.objects.insert(
        pages_id,
        lopdf::Object::Dictionary(lopdf::dictionary! {
            "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1
        }),
    );
    let catalog = doc.add_object(lopdf::dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc.save(tools.path().join("plain.pdf")).unwrap();
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.resize(200, 0);
    std::fs::write(tools.path().join("plain.png"), png).unwrap();
    let browser = tools.path().join("chromium");
    std::fs::write(
        &browser,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in --print-to-pdf=*) cp {0}/plain.pdf \"${{a#--print-to-pdf=}}\";; --screenshot=*) cp {0}/plain.png \"${{a#--screenshot=}}\";; esac; done\n",
            tools.path().display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = pdf_with(&root, &browser);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("warning: the contents have no page numbers: the browser wrote no named destinations into the PDF\n  --> report-zh.pdf")
            && stderr.contains("= help: use a recent Chromium or Chrome (set YANBAO_CHROMIUM)"),
        "{stderr}"
    );
    assert!(root.join("public/report-en.pdf").is_file());
    assert!(
        !all_files(&root.join("public"))
            .keys()
            .any(|p| p.contains(".numbered") || p.contains("share-card")),
        "no working copies left"
    );
}

/// `print_edition: never`: no print edition, no link to one, nothing in the sitemap, no warning;
/// `yanbao pdf` says there is nothing to print and how to change that.
#[test]
fn print_edition_never_leaves_it_out_everywhere() {
    let (_dir, root) = fixture_copy();
    let yaml = root.join("content/site.yaml");
    std::fs::write(&yaml, read(&yaml) + "print_edition: never\n").unwrap();
    let mut opts = yanbao::Options::new(&root);
    opts.base_url = Some("https://example.org/r/".into());
    let report = yanbao::build(&opts).unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let out = root.join("public");
    for (rel, bytes) in all_files(&out) {
        assert!(!rel.contains("/print/index.html"), "{rel}");
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("print/index.html") && !text.contains("/print/<"),
            "{rel} links the print edition"
        );
    }
    let (code, _, stderr) = yanbao(&["check", "--root", root.to_str().unwrap()], &root);
    assert_eq!(code, 0, "{stderr}");
    let out = pdf_with(&root, "/bin/false");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("there is no print edition to print: `print_edition` in content/site.yaml leaves it out")
            && stderr.contains("= help: set `print_edition: always` (`auto` makes it for a report of at most 300 chapters)"),
        "{stderr}"
    );
    // A wrong value is an error at its place.
    std::fs::write(
        &yaml,
        read(&yaml).replace("print_edition: never", "print_edition: sometimes"),
    )
    .unwrap();
    let (code, _, stderr) = yanbao(&["check", "--root", root.to_str().unwrap()], &root);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("site.yaml:")
            && stderr
                .contains("unknown variant `sometimes`, expected one of `auto`, `always`, `never`"),
        "{stderr}"
    );
}
