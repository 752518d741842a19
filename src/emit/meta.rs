//! The files that describe the site to machines: robots.txt, sitemap.xml (with hreflang
//! alternates, only when the site's address is known) and the web app manifest.

use crate::markup::escape;
use crate::model::site::Site;

pub fn robots(site: &Site) -> String {
    let mut s = String::from("User-agent: *\nAllow: /\n");
    if let Some(base) = site.config.base_url() {
        s.push_str(&format!("Sitemap: {base}sitemap.xml\n"));
    }
    s
}

/// sitemap.xml with hreflang alternates; only when base_url is known (sitemaps need absolute URLs).
pub fn sitemap(site: &Site) -> Option<String> {
    let base = site.config.base_url()?;
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    for page in &site.pages {
        s.push_str(&format!(
            "  <url>\n    <loc>{}</loc>\n",
            escape(&format!("{base}{}", page.dir))
        ));
        for lang in site.languages() {
            if let Some(p) = site.page(lang, &page.key) {
                let hl = site.html_lang(lang);
                s.push_str(&format!(
                    "    <xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>\n",
                    escape(&hl),
                    escape(&format!("{base}{}", p.dir))
                ));
            }
        }
        if let Some(p) = site.page(site.default_language(), &page.key) {
            let dir = if p.is_home() {
                String::new()
            } else {
                p.dir.clone()
            };
            s.push_str(&format!(
                "    <xhtml:link rel=\"alternate\" hreflang=\"x-default\" href=\"{}\"/>\n",
                escape(&format!("{base}{dir}"))
            ));
        }
        s.push_str("  </url>\n");
    }
    // The print editions: whole reports a search engine may send readers to.
    for lang in site.languages().iter().filter(|_| site.has_print_edition()) {
        s.push_str(&format!(
            "  <url>\n    <loc>{}</loc>\n  </url>\n",
            escape(&format!("{base}{lang}/print/"))
        ));
    }
    s.push_str("</urlset>\n");
    Some(s)
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
