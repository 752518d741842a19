//! A report that grows stays linear: a chapter page is the same size whether the report has 100
//! or 200 chapters (its chapter list shows its neighbourhood and links to the full contents on
//! the home page, which lists every chapter).

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// The small fixture plus `n` generated chapters per language, built; returns the output folder.
fn long_report(dir: &Path, n: usize) -> PathBuf {
    let root = dir.join(format!("site-{n}"));
    copy_dir(&repo_root().join("tests/fixtures/site"), &root);
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
    yanbao::build(&opts).unwrap();
    opts.output
}

fn chapter_links(html: &str) -> usize {
    html.matches("data-page=\"c").count()
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
    // Sidebar and phone menu each list the 25 chapters around this one, the current one marked.
    assert_eq!(chapter_links(&b), 2 * 25, "{b}");
    assert!(b.contains("data-page=\"c0038\"") && b.contains("data-page=\"c0062\""));
    assert!(!b.contains("data-page=\"c0037\"") && !b.contains("data-page=\"c0063\""));
    assert!(b.contains("data-page=\"c0050\" aria-current=\"page\""));
    // Both ends link to the full contents, which the home page has.
    assert_eq!(b.matches("en/index.html#parts-title\"").count(), 4, "{b}");
    let home = read(&large.join("en/index.html"));
    assert!(home.contains("id=\"parts-title\""));
    assert!(home.contains("en chapter 0") && home.contains("en chapter 199"));
    // The first and last chapters show a full window too.
    let last = read(&large.join("en/c0199/index.html"));
    assert_eq!(chapter_links(&last), 2 * 25);
    assert!(last.contains("data-page=\"c0175\""));
}

#[test]
fn a_short_report_lists_every_chapter_on_every_page() {
    let dir = tempfile::tempdir().unwrap();
    let out = long_report(dir.path(), 20);
    let page = read(&out.join("zh/c0010/index.html"));
    assert!(page.contains("data-page=\"c0000\"") && page.contains("data-page=\"c0019\""));
    assert!(!page.contains("chapters-more"));
}
