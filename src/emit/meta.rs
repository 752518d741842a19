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
    s.push_str("</urlset>\n");
    Some(s)
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
