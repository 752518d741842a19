//! What templates see: the site, the page, navigation, language links, headline figures and
//! the JSON-LD, built from the checked site (texts already resolved) for one page.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::markup::{escape, json_in_script};
use crate::model::data::{Provenance, SourceKind};
use crate::model::quantity::Style;
use crate::model::site::{Page, Site};
use crate::model::text::DataRef;
use crate::render::breaks;
use crate::render::cx::{Cx, Note};
use crate::render::doc::TocEntry;

#[derive(Serialize)]
pub struct SiteCtx<'a> {
    pub title: &'a str,
    /// The title as HTML for headings: year ranges kept whole, CJK word breaks marked.
    pub title_html: String,
    pub subtitle: &'a str,
    pub description: &'a str,
    pub publisher: &'a str,
    pub author: &'a str,
    /// `published`, as written (`date` is its older name in templates).
    pub date: &'a str,
    pub published: &'a str,
    /// `published` in the reader's language ("2025年3月15日", "15 Mar 2025").
    pub published_text: String,
    pub updated: &'a str,
    pub updated_text: String,
    /// `published` as citation_publication_date wants it: `2025/03/15`.
    pub citation_date: String,
    pub version: &'a str,
    pub authors: Vec<AuthorCtx<'a>>,
    pub license: Option<LicenseCtx<'a>>,
    pub doi: &'a str,
    pub isbn: &'a str,
    pub base_url: Option<String>,
    pub extra: BTreeMap<&'a str, &'a str>,
}

#[derive(Serialize)]
pub struct AuthorCtx<'a> {
    pub name: &'a str,
    pub affiliation: &'a str,
    pub orcid: &'a str,
}

#[derive(Serialize)]
pub struct LicenseCtx<'a> {
    pub id: &'a str,
    pub url: &'a str,
}

/// A date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`) as readers of `lang` write it.
pub fn date_text(site: &Site, lang: &str, date: &str) -> String {
    let pack = site.packs.get(lang);
    let parts: Vec<&str> = date.split('-').collect();
    let month = |m: &str| -> (String, String) {
        let n: usize = m.parse().unwrap_or(0);
        let names: Vec<&str> = pack.string("month_names").split(',').collect();
        (
            n.to_string(),
            names
                .get(n.wrapping_sub(1))
                .copied()
                .unwrap_or(m)
                .to_string(),
        )
    };
    match parts.as_slice() {
        [y, m] => {
            let (m, mon) = month(m);
            pack.string("date_month")
                .replace("{y}", y)
                .replace("{mon}", &mon)
                .replace("{m}", &m)
        }
        [y, m, d] => {
            let (m, mon) = month(m);
            pack.string("date_day")
                .replace("{y}", y)
                .replace("{mon}", &mon)
                .replace("{m}", &m)
                .replace("{d}", d.trim_start_matches('0'))
        }
        _ => date.to_string(),
    }
}

impl<'a> SiteCtx<'a> {
    pub fn new(site: &'a Site, lang: &str) -> Self {
        let get = |m: &'a Option<BTreeMap<String, String>>| {
            m.as_ref().map_or("", |m| site.string_in(m, lang))
        };
        let title = site.string_in(&site.config.title, lang);
        SiteCtx {
            title,
            title_html: breaks::title(title, &site.html_lang(lang)),
            subtitle: get(&site.config.subtitle),
            description: site.string_in(&site.config.description, lang),
            publisher: get(&site.config.publisher),
            author: get(&site.config.author),
            date: site.config.published.as_deref().unwrap_or(""),
            published: site.config.published.as_deref().unwrap_or(""),
            published_text: site
                .config
                .published
                .as_deref()
                .map_or(String::new(), |d| date_text(site, lang, d)),
            updated: site.config.updated.as_deref().unwrap_or(""),
            updated_text: site
                .config
                .updated
                .as_deref()
                .map_or(String::new(), |d| date_text(site, lang, d)),
            citation_date: site
                .config
                .published
                .as_deref()
                .map_or(String::new(), |d| d.replace('-', "/")),
            version: site.config.version.as_deref().unwrap_or(""),
            authors: site
                .config
                .authors
                .iter()
                .map(|a| AuthorCtx {
                    name: a.name.get(lang, site.default_language()),
                    affiliation: a
                        .affiliation
                        .as_ref()
                        .map_or("", |x| x.get(lang, site.default_language())),
                    orcid: a.orcid.as_deref().unwrap_or(""),
                })
                .collect(),
            license: site.config.license.as_ref().map(|l| LicenseCtx {
                id: l.id(),
                url: l.url().unwrap_or(""),
            }),
            doi: site.config.doi.as_deref().unwrap_or(""),
            isbn: site.config.isbn.as_deref().unwrap_or(""),
            base_url: site.config.base_url(),
            extra: site
                .config
                .extra
                .iter()
                .map(|(k, v)| (k.as_str(), v.get(lang).map(String::as_str).unwrap_or("")))
                .collect(),
        }
    }
}

#[derive(Serialize)]
pub struct LangLink {
    pub code: String,
    pub name: String,
    pub html_lang: String,
    pub href: String,
    pub current: bool,
    /// False when this page has no version in that language (the link goes to its home page).
    pub translated: bool,
}

#[derive(Serialize, Clone)]
pub struct Link {
    pub title: String,
    pub number: Option<String>,
    pub href: String,
}

#[derive(Serialize)]
pub struct NavItem {
    pub key: String,
    pub title: String,
    pub short_title: String,
    pub number: Option<String>,
    pub summary: Option<String>,
    pub href: String,
    /// The chapter's main sections (its `section_level`); filled on the home page only.
    pub outline: Vec<TocItem>,
}

#[derive(Serialize, Clone)]
pub struct TocItem {
    pub level: u8,
    pub id: String,
    pub html: String,
    pub text: String,
    pub href: String,
}

impl TocItem {
    pub fn from_entry(t: &TocEntry, page_href: &str) -> TocItem {
        TocItem {
            level: t.level,
            id: t.id.clone(),
            html: t.html.clone(),
            text: t.text.clone(),
            href: format!("{page_href}#{}", t.id),
        }
    }
}

#[derive(Serialize)]
pub struct KeyFigure {
    /// The whole value as text ("CNY 15.7 billion"), and in parts for display.
    pub value: String,
    pub before: String,
    pub number: String,
    pub after: String,
    pub label: String,
    /// What the reader must know to read the number right (the row's `caveat` text).
    pub caveat: String,
    /// The `lang` of the label and of the caveat where they are another language's text (a
    /// partial translation); "" for the page's own.
    pub label_lang: String,
    pub caveat_lang: String,
    pub kind: &'static str,
    pub href: String,
}

/// A date as `<time datetime>` wants it and as the page's language writes it.
#[derive(Serialize, Debug, PartialEq)]
pub struct DateCtx {
    pub iso: String,
    pub text: String,
}

impl DateCtx {
    /// `2025-03-14` → "2025年3月14日" / "14 Mar 2025" with the pack's `date_day`, `date_month`
    /// and `month_names`; a year stays as written. The date was checked when read.
    pub fn new(iso: &str, t: impl Fn(&str) -> String) -> DateCtx {
        let parts: Vec<i64> = iso.split('-').filter_map(|p| p.parse().ok()).collect();
        let pattern = match parts.len() {
            3 => t("date_day"),
            2 => t("date_month"),
            _ => "{y}".to_string(),
        };
        let month = |m: i64| -> String {
            let names = t("month_names");
            names
                .split(',')
                .nth((m.max(1) - 1) as usize)
                .unwrap_or("")
                .to_string()
        };
        let text = pattern
            .replace(
                "{y}",
                &parts.first().map(|y| y.to_string()).unwrap_or_default(),
            )
            .replace(
                "{mon}",
                &parts.get(1).map(|&m| month(m)).unwrap_or_default(),
            )
            .replace(
                "{m}",
                &parts.get(1).map(|m| m.to_string()).unwrap_or_default(),
            )
            .replace(
                "{d}",
                &parts.get(2).map(|d| d.to_string()).unwrap_or_default(),
            );
        DateCtx {
            iso: iso.to_string(),
            text,
        }
    }
}

#[derive(Serialize)]
pub struct Alternate {
    pub hreflang: String,
    pub href: String,
}

#[derive(Serialize, Default)]
pub struct PageCtx {
    pub kind: &'static str,
    pub key: String,
    pub title: String,
    /// The title as HTML for the page's heading (`render::breaks`).
    pub title_html: String,
    pub number: Option<String>,
    pub summary: Option<String>,
    pub description: String,
    pub content: String,
    pub toc: Vec<TocItem>,
    pub prev: Option<Link>,
    pub next: Option<Link>,
    pub notes: Vec<Note>,
    /// The chapter's key points as HTML (with source marks), and whether they were added.
    pub key_points: Vec<String>,
    pub key_points_added: bool,
    /// Absolute URLs (only with base_url).
    pub canonical: Option<String>,
    pub alternates: Vec<Alternate>,
    pub key_figures: Vec<KeyFigure>,
    pub charts: Vec<String>,
    /// From the front matter: first published and last revised (ISO dates), authors, tags.
    pub date: Option<DateCtx>,
    pub updated: Option<DateCtx>,
    pub authors: Vec<String>,
    pub tags: Vec<String>,
    /// The named page of a chapter when printed (`pp-status`), which carries its running head.
    pub page_name: String,
}

impl PageCtx {
    /// A page made by yanbao rather than from a Markdown file (search, 404).
    pub fn generated(
        kind: &'static str,
        title: &str,
        description: &str,
        canonical: Option<String>,
    ) -> PageCtx {
        PageCtx {
            kind,
            key: kind.to_string(),
            title: title.to_string(),
            title_html: crate::markup::escape(title),
            description: description.to_string(),
            canonical,
            ..PageCtx::default()
        }
    }
}

/// The chapters of a language as templates list them, with links for pages at `prefix` in top
/// folder `near` (`Site::href_near`); with each chapter's main sections for the home page.
pub fn nav(
    site: &Site,
    lang: &str,
    (prefix, near): (&str, Option<&str>),
    with_outline: bool,
) -> Vec<NavItem> {
    let mut cx = Cx::new(site, lang, prefix);
    site.chapters(lang)
        .map(|p| {
            let outline = if with_outline {
                p.headings
                    .iter()
                    .filter(|h| h.level == p.front.section_level)
                    .map(|h| {
                        let text = cx.reader(&h.text);
                        TocItem {
                            level: h.level,
                            id: h.id.clone(),
                            html: escape(&text),
                            text,
                            href: format!("{}#{}", site.href_near(prefix, near, &p.dir), h.id),
                        }
                    })
                    .collect()
            } else {
                Vec::new()
            };
            NavItem {
                key: p.key.clone(),
                title: cx.reader(&p.front.title),
                short_title: cx.reader(p.nav_title()),
                number: p.front.number.clone(),
                summary: p.front.summary.as_ref().map(|s| cx.reader(s)),
                href: site.href_near(prefix, near, &p.dir),
                outline,
            }
        })
        .collect()
}

/// The same page in every language (the script adds the current section); a language without
/// the page links to its home page.
pub fn languages(
    site: &Site,
    lang: &str,
    (prefix, near): (&str, Option<&str>),
    key: &str,
    dir_of: &dyn Fn(&Page) -> String,
) -> Vec<LangLink> {
    site.languages()
        .iter()
        .map(|l| {
            let own = site.page(l, key);
            let p = own.or_else(|| site.home(l));
            LangLink {
                translated: own.is_some(),
                code: l.clone(),
                name: site.packs.get(l).name.clone(),
                html_lang: site.html_lang(l),
                href: p.map_or_else(
                    || site.href_near(prefix, near, &format!("{l}/")),
                    |p| site.href_near(prefix, near, &dir_of(p)),
                ),
                current: l == lang,
            }
        })
        .collect()
}

/// hreflang alternates of a page, plus x-default, as absolute URLs under `base_url`.
///
/// hreflang links must be absolute URLs (search engines ignore relative ones), so without a base
/// URL there are none; the language switch still links every translation.
pub fn alternates(site: &Site, page: &Page, _prefix: &str) -> Vec<Alternate> {
    if site.absolute("").is_none() {
        return Vec::new();
    }
    let url = |dir: &str| site.absolute(dir).unwrap_or_default();
    let mut out = Vec::new();
    for lang in site.languages() {
        if let Some(p) = site.page(lang, &page.key) {
            out.push(Alternate {
                hreflang: site.html_lang(lang),
                href: url(&p.dir),
            });
        }
    }
    if let Some(p) = site.page(site.default_language(), &page.key) {
        let dir = if p.is_home() { "" } else { p.dir.as_str() };
        out.push(Alternate {
            hreflang: "x-default".into(),
            href: url(dir),
        });
    }
    out
}

/// A headline figure for the home page: value (with qualifier), label, link to its source.
pub fn key_figure(cx: &mut Cx, r: &DataRef) -> KeyFigure {
    let site = cx.site;
    let lang = cx.lang;
    let (set, row) = cx.row_of(r);
    let q = row
        .quantity(&r.field)
        .unwrap_or(crate::model::quantity::Quantity::exact(0.0));
    let pack = site.packs.get(lang);
    let unit = set.unit_of(row, &r.field).and_then(|u| pack.units.get(u));
    let (value, (before, number, after)) = match (row.text.as_ref().and_then(|t| t.get(lang)), unit)
    {
        (Some(t), _) => (t.clone(), (String::new(), t.clone(), String::new())),
        (None, Some(unit)) => (q.format(unit, pack, Style::Full), q.parts(unit, pack)),
        (None, None) => {
            let n = pack.number(q.lo, 2);
            (n.clone(), (String::new(), n, String::new()))
        }
    };
    let default = site.default_language();
    let (label, label_from) = match row.values.get("label") {
        Some(crate::model::data::Value::Text(t)) => (cx.text_reader(t), t.fell_back(lang, default)),
        _ => (
            cx.reader_in(&set.title),
            site.fallback_lang(&set.title, lang),
        ),
    };
    let (caveat, caveat_from) = match row.values.get("caveat") {
        Some(crate::model::data::Value::Text(t)) => (cx.text_reader(t), t.fell_back(lang, default)),
        _ => (String::new(), None),
    };
    let (kind, href) = match site.source_of(row) {
        Some(s) => match &s.provenance {
            Provenance::Report { .. } => {
                let href = site
                    .report_page(lang, &s.provenance)
                    .map(|(p, anchor)| format!("{}#{anchor}", site.href(&cx.prefix, &p.dir)))
                    .unwrap_or_default();
                (SourceKind::Report, href)
            }
            p => {
                let n = cx.cite(row.source.unwrap_or_default());
                (p.kind(), format!("#note-{n}"))
            }
        },
        None => (SourceKind::Report, String::new()),
    };
    KeyFigure {
        value,
        before,
        number,
        after,
        label_lang: cx.lang_attr(label_from),
        caveat_lang: cx.lang_attr(caveat_from),
        label,
        caveat,
        kind: kind.as_str(),
        href,
    }
}

/// schema.org JSON-LD: the report, and on the home page its datasets with their downloads.
/// `<` is escaped, so no text can end the script element.
pub fn json_ld(site: &Site, page: &Page, prefix: &str, title: &str) -> String {
    let lang = page.lang.as_str();
    // Downloads are absolute with base_url, else relative to the page.
    let root = site.config.base_url().unwrap_or_else(|| prefix.to_string());
    let site_title = site.string_in(&site.config.title, lang).to_string();
    let mut report = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Report",
        "name": site_title,
        "headline": title,
        "inLanguage": site.html_lang(lang),
    });
    if let Some(url) = site.absolute(&page.dir) {
        report["url"] = serde_json::json!(url);
    }
    if let Some(p) = site.config.publisher.as_ref().and_then(|p| p.get(lang)) {
        report["publisher"] = serde_json::json!({"@type": "Organization", "name": p});
    }
    publication_ld(site, lang, &mut report);
    // A page's own front matter overrides the report's dates and authors.
    if let Some(d) = &page.front.date {
        report["datePublished"] = serde_json::json!(d);
    }
    if let Some(d) = &page.front.updated {
        report["dateModified"] = serde_json::json!(d);
    }
    if !page.front.authors.is_empty() {
        let authors: Vec<serde_json::Value> = page
            .front
            .authors
            .iter()
            .map(|a| serde_json::json!({"@type": "Person", "name": a}))
            .collect();
        report["author"] = serde_json::json!(authors);
    }
    if !page.front.tags.is_empty() {
        report["keywords"] = serde_json::json!(page.front.tags.join(", "));
    }
    if page.is_home() {
        let datasets: Vec<serde_json::Value> = site
            .data
            .iter()
            .filter(|s| s.has_quantities())
            .map(|s| {
                let name = site.localized_plain(&s.title, lang);
                let description = s
                    .notes
                    .as_ref()
                    .map(|n| site.localized_plain(n, lang))
                    .unwrap_or_else(|| name.clone());
                serde_json::json!({
                    "@type": "Dataset",
                    "name": name,
                    "description": description,
                    "inLanguage": lang,
                    "distribution": distribution(site, &root, &s.id),
                })
            })
            .collect();
        report["hasPart"] = serde_json::json!(datasets);
    }
    json_in_script(&serde_json::to_string(&report).unwrap_or_default())
}

/// Every file of a data set: the language-neutral CSV (described by datapackage.json), the CSV of
/// each language, and the JSON.
fn distribution(site: &Site, root: &str, id: &str) -> Vec<serde_json::Value> {
    let mut files = vec![
        serde_json::json!({"@type": "DataDownload", "encodingFormat": "text/csv", "contentUrl": format!("{root}data/{id}.csv")}),
    ];
    for l in site.languages() {
        files.push(serde_json::json!({"@type": "DataDownload", "encodingFormat": "text/csv", "inLanguage": site.html_lang(l), "contentUrl": format!("{root}{l}/data/{id}.csv")}));
    }
    files.push(serde_json::json!({"@type": "DataDownload", "encodingFormat": "application/json", "contentUrl": format!("{root}data/{id}.json")}));
    files
}

/// Authors, dates, version, licence and identifiers of the report, as schema.org says them.
fn publication_ld(site: &Site, lang: &str, report: &mut serde_json::Value) {
    let c = &site.config;
    let fallback = site.default_language();
    let authors: Vec<serde_json::Value> = c
        .authors
        .iter()
        .map(|a| {
            let mut p = serde_json::json!({"@type": "Person", "name": a.name.get(lang, fallback)});
            if let Some(org) = &a.affiliation {
                p["affiliation"] =
                    serde_json::json!({"@type": "Organization", "name": org.get(lang, fallback)});
            }
            if let Some(o) = &a.orcid {
                p["sameAs"] = serde_json::json!(format!("https://orcid.org/{o}"));
            }
            p
        })
        .collect();
    if !authors.is_empty() {
        report["author"] = serde_json::json!(authors);
    } else if let Some(a) = &c.author {
        report["author"] =
            serde_json::json!({"@type": "Organization", "name": site.string_in(a, lang)});
    }
    if let Some(d) = &c.published {
        report["datePublished"] = serde_json::json!(d);
    }
    if let Some(d) = &c.updated {
        report["dateModified"] = serde_json::json!(d);
    }
    if let Some(v) = &c.version {
        report["version"] = serde_json::json!(v);
    }
    if let Some(l) = &c.license {
        report["license"] = serde_json::json!(l.url().unwrap_or(l.id()));
    }
    if let Some(doi) = &c.doi {
        report["identifier"] =
            serde_json::json!({"@type": "PropertyValue", "propertyID": "DOI", "value": doi});
        report["sameAs"] = serde_json::json!(format!("https://doi.org/{doi}"));
    }
    if let Some(isbn) = &c.isbn {
        report["isbn"] = serde_json::json!(isbn);
    }
}
