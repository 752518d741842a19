//! The files that describe the site to machines: robots.txt, sitemap.xml (only when the site's
//! address is known) and the web app manifest.

use crate::markup::escape;
use crate::model::site::{Site, sitemap_part};

pub fn robots(site: &Site) -> String {
    let mut s = String::from("User-agent: *\nAllow: /\n");
    if let Some(base) = site.config.base_url() {
        s.push_str(&format!("Sitemap: {base}sitemap.xml\n"));
    }
    s
}

/// The most a sitemap file may hold (sitemaps.org): 50,000 addresses and 50 MiB uncompressed.
const SITEMAP_MAX_URLS: usize = 50_000;
const SITEMAP_MAX_BYTES: usize = 50 * 1024 * 1024;

const URLSET_OPEN: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
const URLSET_CLOSE: &str = "</urlset>\n";

/// The sitemap; only when base_url is known (sitemaps need absolute
/// URLs). A site whose addresses fit one file gets `sitemap.xml`; a larger one (more than 50,000
/// pages, or more than 50 MiB of entries, as many languages make) gets `sitemap-1.xml`,
/// `sitemap-2.xml`… and a `sitemap.xml` that is their index, which is what robots.txt names.
/// The parts stay at the site's root: a sitemap may list only addresses under its own folder.
pub fn sitemaps(site: &Site) -> Vec<(String, String)> {
    let Some(base) = site.config.base_url() else {
        return Vec::new();
    };
    split_sitemap(
        sitemap_entries(site, &base),
        &base,
        SITEMAP_MAX_URLS,
        SITEMAP_MAX_BYTES,
    )
}

/// Each page's `<url>` entry and the print editions': whole reports a search engine may send
/// readers to. The entries name no hreflang alternates: every page's head has them (as absolute
/// links, with x-default), which search engines take as the same signal, and in the sitemap
/// they were three quarters of its bytes (3.4 MB at 10,000 pages).
fn sitemap_entries<'a>(site: &'a Site, base: &'a str) -> impl Iterator<Item = String> + 'a {
    let pages = site.pages.iter().map(move |page| {
        format!(
            "  <url>\n    <loc>{}</loc>\n  </url>\n",
            escape(&format!("{base}{}", page.dir))
        )
    });
    let prints = site.languages().iter().filter(|_| site.has_print_edition());
    pages.chain(prints.map(move |lang| {
        format!(
            "  <url>\n    <loc>{}</loc>\n  </url>\n",
            escape(&format!("{base}{lang}/print/"))
        )
    }))
}

/// The sitemap files for `entries`: one `sitemap.xml` when they fit in a file of at most
/// `max_urls` entries and `max_bytes` bytes, else parts of that size in order and their index.
/// (An entry larger than `max_bytes` alone, which no site comes near, gets a part of its own.)
fn split_sitemap(
    entries: impl IntoIterator<Item = String>,
    base: &str,
    max_urls: usize,
    max_bytes: usize,
) -> Vec<(String, String)> {
    let mut parts: Vec<String> = Vec::new();
    let mut part = String::from(URLSET_OPEN);
    let mut count = 0;
    for entry in entries {
        if count > 0
            && (count == max_urls || part.len() + entry.len() + URLSET_CLOSE.len() > max_bytes)
        {
            part.push_str(URLSET_CLOSE);
            parts.push(std::mem::replace(&mut part, String::from(URLSET_OPEN)));
            count = 0;
        }
        part.push_str(&entry);
        count += 1;
    }
    part.push_str(URLSET_CLOSE);
    parts.push(part);
    if parts.len() == 1 {
        return vec![("sitemap.xml".into(), parts.remove(0))];
    }
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut files = Vec::with_capacity(parts.len() + 1);
    for (i, part) in parts.into_iter().enumerate() {
        let name = sitemap_part(i + 1);
        index.push_str(&format!(
            "  <sitemap>\n    <loc>{}</loc>\n  </sitemap>\n",
            escape(&format!("{base}{name}"))
        ));
        files.push((name, part));
    }
    index.push_str("</sitemapindex>\n");
    files.push(("sitemap.xml".into(), index));
    files
}

/// The pages at a page's old addresses (`aliases:`): each sends the reader on at once (a
/// `refresh`, which needs no script), tells search engines where the page is now (`canonical`,
/// absolute under a base URL) and keeps a plain link for anyone it does not move.
pub fn redirects(site: &Site) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for page in site.pages.iter().filter(|p| !p.front.aliases.is_empty()) {
        let title = site.plain(&page.front.title, &page.lang);
        let lang = site.html_lang(&page.lang);
        for file in &page.front.aliases {
            let prefix = "../".repeat(file.matches('/').count());
            let href = site.href(&prefix, &page.dir);
            let canonical = match site.config.base_url() {
                Some(base) => format!("{base}{}", page.dir),
                None => href.clone(),
            };
            let (href, canonical, title) = (escape(&href), escape(&canonical), escape(&title));
            out.push((
                file.clone(),
                format!(
                    "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<meta name=\"robots\" content=\"noindex\">\n<link rel=\"canonical\" href=\"{canonical}\">\n<meta http-equiv=\"refresh\" content=\"0; url={href}\">\n</head>\n<body>\n<p><a href=\"{href}\">{title}</a></p>\n</body>\n</html>\n"
                ),
            ));
        }
    }
    out
}

pub fn manifest(site: &Site) -> String {
    let lang = site.default_language();
    let title = site.string_in(&site.config.title, lang).to_string();
    let short: String = title.chars().take(12).collect();
    let m = serde_json::json!({
        "name": title,
        "short_name": short,
        "lang": site.html_lang(lang),
        "start_url": format!("./{lang}/"),
        "scope": "./",
        "display": "browser",
        "background_color": "#fbfaf7",
        "theme_color": "#9a3b26",
        "icons": [{"src": "static/favicon.svg", "sizes": "any", "type": "image/svg+xml"}]
    });
    serde_json::to_string_pretty(&m).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://example.org/r&d/";

    /// An entry whose size varies with `i`, as pages with longer or shorter addresses do.
    fn entry(i: usize) -> String {
        format!(
            "  <url>\n    <loc>{BASE}p{i}/{}</loc>\n  </url>\n",
            "long-address/".repeat(i % 4)
        )
        .replace('&', "&amp;")
    }

    /// The `<loc>` texts under `root` of an XML file, which must parse.
    fn locs(xml: &str, root: &str) -> Vec<String> {
        let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
        assert_eq!(doc.root_element().tag_name().name(), root);
        doc.descendants()
            .filter(|n| n.has_tag_name("loc"))
            .map(|n| n.text().unwrap_or_default().to_string())
            .collect()
    }

    #[test]
    fn a_site_that_fits_gets_one_sitemap() {
        let entries: Vec<String> = (0..5).map(entry).collect();
        let files = split_sitemap(entries.clone(), BASE, 5, 1 << 20);
        assert_eq!(files.len(), 1);
        let (name, xml) = &files[0];
        assert_eq!(name, "sitemap.xml");
        assert_eq!(
            *xml,
            format!("{URLSET_OPEN}{}{URLSET_CLOSE}", entries.concat())
        );
        assert_eq!(locs(xml, "urlset").len(), 5);
    }

    #[test]
    fn a_larger_site_gets_parts_within_both_limits_and_their_index() {
        let entries: Vec<String> = (0..103).map(entry).collect();
        let largest = entries.iter().map(String::len).max().unwrap_or(0);
        for (max_urls, max_bytes) in [
            (7, 1 << 20),
            (1000, URLSET_OPEN.len() + URLSET_CLOSE.len() + 3 * largest),
            (1, 1 << 20),
            (102, 1 << 20),
        ] {
            let files = split_sitemap(entries.clone(), BASE, max_urls, max_bytes);
            let (index, parts) = files.split_last().unwrap();
            assert_eq!(index.0, "sitemap.xml");
            assert!(parts.len() > 1, "{max_urls} {max_bytes}");
            // The index lists the parts in order, by their absolute addresses (escaped).
            let listed = locs(&index.1, "sitemapindex");
            let names: Vec<String> = (1..=parts.len()).map(sitemap_part).collect();
            assert_eq!(parts.iter().map(|p| p.0.clone()).collect::<Vec<_>>(), names);
            let expected: Vec<String> = names
                .iter()
                .map(|n| format!("https://example.org/r&d/{n}"))
                .collect();
            assert_eq!(listed, expected);
            assert!(index.1.contains("r&amp;d/sitemap-1.xml"));
            // Every entry once, in order; no part over either limit, none empty.
            let mut all = String::new();
            for (_, xml) in parts {
                let n = locs(xml, "urlset").len();
                assert!(n >= 1 && n <= max_urls, "{n} entries, at most {max_urls}");
                assert!(
                    xml.len() <= max_bytes,
                    "{} bytes, at most {max_bytes}",
                    xml.len()
                );
                let body = &xml[URLSET_OPEN.len()..xml.len() - URLSET_CLOSE.len()];
                all.push_str(body);
            }
            assert_eq!(all, entries.concat());
        }
    }

    #[test]
    fn the_limits_are_the_protocols_and_reached_exactly() {
        assert_eq!((SITEMAP_MAX_URLS, SITEMAP_MAX_BYTES), (50_000, 52_428_800));
        let entries: Vec<String> = (0..8).map(entry).collect();
        assert_eq!(split_sitemap(entries.clone(), BASE, 8, 1 << 20).len(), 1);
        assert_eq!(
            split_sitemap(entries[..7].to_vec(), BASE, 8, 1 << 20).len(),
            1
        );
        // One more than a file holds: two parts and the index.
        assert_eq!(split_sitemap(entries.clone(), BASE, 7, 1 << 20).len(), 3);
        let exact = URLSET_OPEN.len() + entries.concat().len() + URLSET_CLOSE.len();
        assert_eq!(split_sitemap(entries.clone(), BASE, 8, exact).len(), 1);
        assert_eq!(split_sitemap(entries.clone(), BASE, 8, exact - 1).len(), 3);
    }

    #[test]
    fn an_entry_larger_than_a_file_gets_a_part_of_its_own() {
        let entries = vec![entry(0), "x".repeat(500), entry(1)];
        let files = split_sitemap(entries.clone(), BASE, 10, 300);
        let sizes: Vec<usize> = files.iter().map(|f| f.1.len()).collect();
        assert_eq!(files.len(), 4, "{sizes:?}");
        assert!(files[1].1.contains(&"x".repeat(500)));
    }
}
