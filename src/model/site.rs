//! The checked site: configuration, language packs, data sets, sources, charts, and the pages of
//! every language in reading order with their numbered figures. Everything in it is resolved and
//! indexed; lookups by id are hash lookups. No I/O, no HTML.

use std::collections::{BTreeMap, HashMap};

use crate::model::chart::Chart;
use crate::model::config::SiteConfig;
use crate::model::data::{DataSet, Provenance, Row, Source, SourceKind};
use crate::model::doc::{Block, Body, Figure, Heading};
use crate::model::lang::Packs;
use crate::model::text::{DataRef, Rich};

/// File stem of a language's home page.
pub const HOME_KEY: &str = "_index";

/// The name of the `n`th part (from 1) of the sitemap of a site too large for one file: the
/// parts sit at the site's root beside their index, `sitemap.xml`.
pub fn sitemap_part(n: usize) -> String {
    format!("sitemap-{n}.xml")
}

/// Whether `name` is one a sitemap part may take (see [`sitemap_part`]).
pub fn is_sitemap_part(name: &str) -> bool {
    name.strip_prefix("sitemap-")
        .and_then(|rest| rest.strip_suffix(".xml"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

#[derive(Debug, Clone)]
pub struct Site {
    pub config: SiteConfig,
    pub packs: Packs,
    /// Data sets, sorted by id.
    pub data: Vec<DataSet>,
    pub sources: Vec<Source>,
    /// Charts, sorted by id.
    pub charts: Vec<Chart>,
    /// Pages of every language; per language the home page first, then chapters by `order`.
    pub pages: Vec<std::sync::Arc<Page>>,
    /// Numbered figures and tables of every language.
    pub figures: Vec<Figure>,
    pub index: Index,
    /// What `check` reports about translations.
    pub translation: crate::model::translation::Translation,
}

/// A map keyed by (language, key): pages by their key, figures by their id. Looked up with a
/// [`LangKey`] of borrowed strings, so that a lookup copies neither (pages, links and figure
/// references look up tens of thousands of times on a large site).
pub type ByLangKey<V> = hashbrown::HashMap<(String, String), V, foldhash::fast::RandomState>;

/// A set of (language, key) pairs, looked up the same way.
pub type LangKeys = hashbrown::HashSet<(String, String), foldhash::fast::RandomState>;

/// A (language, key) pair borrowed for a lookup in a [`ByLangKey`] or [`LangKeys`]: it hashes as
/// the owned pair does (a tuple and a tuple struct hash their fields in order, a `&str` as its
/// `String`).
#[derive(Debug, Hash)]
pub struct LangKey<'a>(pub &'a str, pub &'a str);

impl hashbrown::Equivalent<(String, String)> for LangKey<'_> {
    fn equivalent(&self, owned: &(String, String)) -> bool {
        self.0 == owned.0 && self.1 == owned.1
    }
}

/// Lookups by key, built once when the site is assembled.
#[derive(Debug, Clone, Default)]
pub struct Index {
    pub data: HashMap<String, usize>,
    pub charts: HashMap<String, usize>,
    /// (lang, key) → page.
    pub pages: ByLangKey<usize>,
    /// (lang, figure id) → figure.
    pub figures: ByLangKey<usize>,
    /// Chapters of each language in reading order, and each chapter's position there.
    pub chapters: BTreeMap<String, Vec<usize>>,
    pub chapter_pos: HashMap<usize, usize>,
}

/// One page of one language.
#[derive(Debug)]
pub struct Page {
    pub lang: String,
    /// Translation key: the file stem, shared by every language's version.
    pub key: String,
    /// Output folder relative to the site root: `zh/`, `zh/status/`.
    pub dir: String,
    pub front: Front,
    /// The body ([`Page::body`]). A build without a print edition lets it go once the page is
    /// rendered; a preview keeps it for its next build.
    pub body: std::sync::RwLock<Body>,
    pub blocks: Vec<Block>,
    pub headings: Vec<Heading>,
    /// Hash of the source file's text: what a preview's cache compares.
    pub fingerprint: u64,
    /// [`Page::shown`], made when first asked for (a preview keeps an unchanged page, and
    /// with it this, from one build to the next).
    pub shown: std::sync::OnceLock<u64>,
}

/// A page's front matter, checked and resolved.
#[derive(Debug, Clone, Default)]
pub struct Front {
    pub title: Rich,
    pub short_title: Option<Rich>,
    pub number: Option<String>,
    pub summary: Option<Rich>,
    pub description: Option<Rich>,
    /// The chapter's main findings, and whether they were written for this edition.
    pub key_points: Vec<Rich>,
    pub key_points_added: bool,
    /// Home page: headline figures.
    pub key_figures: Vec<DataRef>,
    /// Home page: charts shown below the parts (indexes).
    pub charts: Vec<usize>,
    /// Heading level of the page's main sections, listed under it on the home page.
    pub section_level: u8,
    /// Template to render with instead of the default for the page kind.
    pub template: Option<String>,
    /// Published and last revised (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`, checked).
    pub date: Option<String>,
    pub updated: Option<String>,
    pub authors: Vec<String>,
    pub tags: Vec<String>,
    /// Files (from the site root) that redirect to this page: its old addresses.
    pub aliases: Vec<String>,
}

/// The top folder holding page folder `dir` (`Page::near`; `en/` for `en/search/`).
pub fn near(dir: &str) -> Option<&str> {
    dir.find('/').map(|i| &dir[..=i])
}

impl Page {
    /// The body: empty once released.
    pub fn body(&self) -> std::sync::RwLockReadGuard<'_, Body> {
        self.body
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Frees the body: a large site's bodies are most of its model.
    pub fn release_body(&self) {
        let mut body = self
            .body
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *body = Body::default();
    }

    pub fn is_home(&self) -> bool {
        self.key == HOME_KEY
    }

    /// A fingerprint of what other pages show of this one: its front matter and headings.
    pub fn shown(&self) -> u64 {
        *self.shown.get_or_init(|| {
            crate::model::fingerprint::Fingerprint::default()
                .debug(&self.front)
                .debug(&self.headings)
                .finish()
        })
    }

    /// Title for navigation (short title when given).
    pub fn nav_title(&self) -> &Rich {
        self.front.short_title.as_ref().unwrap_or(&self.front.title)
    }

    /// Relative prefix from this page to the site root (`zh/status/` → `../../`).
    pub fn prefix(&self) -> String {
        "../".repeat(self.dir.matches('/').count())
    }

    /// The top folder holding this page (`zh/` for `zh/status/` and for `zh/`), whose pages
    /// its links reach without climbing to the root; none for the root page.
    pub fn near(&self) -> Option<&str> {
        near(&self.dir)
    }
}

impl Site {
    pub fn languages(&self) -> &[String] {
        &self.config.languages
    }

    pub fn default_language(&self) -> &str {
        self.config.default_language()
    }

    pub fn page_ix(&self, lang: &str, key: &str) -> Option<usize> {
        self.index.pages.get(&LangKey(lang, key)).copied()
    }

    pub fn page(&self, lang: &str, key: &str) -> Option<&Page> {
        self.page_ix(lang, key).map(|i| &*self.pages[i])
    }

    pub fn home(&self, lang: &str) -> Option<&Page> {
        self.page(lang, HOME_KEY)
    }

    /// Chapters of a language in reading order (home page excluded).
    pub fn chapters<'a>(&'a self, lang: &str) -> impl Iterator<Item = &'a Page> + 'a {
        self.chapter_ixs(lang).map(|i| &*self.pages[i])
    }

    /// [`Site::chapters`] as page indices.
    pub fn chapter_ixs<'a>(&'a self, lang: &str) -> impl Iterator<Item = usize> + 'a {
        self.index.chapters.get(lang).into_iter().flatten().copied()
    }

    /// Whether a page's body is read again once the page is rendered: by the print edition, or
    /// by the root's copy of the default language's home page.
    pub fn body_read_again(&self, page: usize) -> bool {
        self.has_print_edition() || self.pages[page].is_home()
    }

    /// Whether the build makes the print editions (`print_edition` in `content/site.yaml`).
    pub fn has_print_edition(&self) -> bool {
        use crate::model::config::{PRINT_EDITION_AUTO_MAX, PrintEdition};
        match self.config.print_edition {
            PrintEdition::Always => true,
            PrintEdition::Never => false,
            PrintEdition::Auto => self.most_chapters() <= PRINT_EDITION_AUTO_MAX,
        }
    }

    /// The number of chapters of the language that has most.
    pub fn most_chapters(&self) -> usize {
        self.index
            .chapters
            .values()
            .map(Vec::len)
            .max()
            .unwrap_or(0)
    }

    /// The previous and next chapters of a page.
    pub fn neighbours(&self, page: usize) -> (Option<&Page>, Option<&Page>) {
        let lang = &self.pages[page].lang;
        let (Some(list), Some(&pos)) = (
            self.index.chapters.get(lang),
            self.index.chapter_pos.get(&page),
        ) else {
            return (None, None);
        };
        let prev = pos.checked_sub(1).map(|p| &*self.pages[list[p]]);
        let next = list.get(pos + 1).map(|&n| &*self.pages[n]);
        (prev, next)
    }

    pub fn set(&self, id: &str) -> Option<&DataSet> {
        self.index.data.get(id).map(|&i| &self.data[i])
    }

    pub fn chart(&self, id: &str) -> Option<&Chart> {
        self.index.charts.get(id).map(|&i| &self.charts[i])
    }

    /// A figure of a language by id; the default language's where `lang` lacks it.
    pub fn figure(&self, lang: &str, id: &str) -> Option<&Figure> {
        let get = |l: &str| self.index.figures.get(&LangKey(l, id));
        get(lang)
            .or_else(|| get(self.default_language()))
            .map(|&i| &self.figures[i])
    }

    /// The source of a row, if it has one.
    pub fn source_of(&self, row: &Row) -> Option<&Source> {
        row.source.map(|i| &self.sources[i])
    }

    /// Where a row's figures come from; the report's own when the row names no source.
    pub fn kind_of(&self, row: &Row) -> SourceKind {
        self.source_of(row)
            .map_or(SourceKind::Report, |s| s.provenance.kind())
    }

    /// The row a data reference points at.
    pub fn row_of(&self, r: &DataRef) -> (&DataSet, &Row) {
        let set = &self.data[r.set];
        (set, &set.rows[r.row])
    }

    /// The page a report source points at, in `lang`; in the default language where `lang` is a
    /// partial translation without that page (its readers are sent where the text is).
    pub fn report_page(&self, lang: &str, p: &Provenance) -> Option<(&Page, String)> {
        match p {
            Provenance::Report { page, anchor } => self
                .page(lang, page)
                .or_else(|| self.page(self.default_language(), page))
                .map(|pg| (pg, anchor.clone())),
            _ => None,
        }
    }

    /// Link from a page whose root prefix is `prefix` (`../../`, or `/` for the 404 page) to the
    /// page folder `dir` (`""` is the root), ending in `index.html` unless the site uses pretty URLs.
    pub fn href(&self, prefix: &str, dir: &str) -> String {
        let file = if self.config.pretty_urls {
            ""
        } else {
            "index.html"
        };
        let s = format!("{prefix}{dir}{file}");
        if s.is_empty() { "./".to_string() } else { s }
    }

    /// `href` from a page at `prefix` in top folder `near` (`Page::near`): a page under `near`
    /// is linked from there, not from the root (`../market/index.html` from `en/status/`,
    /// `market/index.html` from `en/`, not `../../en/market/index.html` and
    /// `../en/market/index.html`).
    pub fn href_near(&self, prefix: &str, near: Option<&str>, dir: &str) -> String {
        let climb = prefix.strip_prefix("../");
        match (climb, near.and_then(|n| dir.strip_prefix(n))) {
            (Some(climb), Some(rest)) => self.href(climb, rest),
            _ => self.href(prefix, dir),
        }
    }

    /// Link from a page with root prefix `prefix` to a file path from the site root.
    pub fn asset_href(&self, prefix: &str, path: &str) -> String {
        format!("{prefix}{path}")
    }

    /// Absolute URL of a page folder, when `base_url` is set.
    pub fn absolute(&self, dir: &str) -> Option<String> {
        self.config.base_url().map(|b| format!("{b}{dir}"))
    }

    /// `lang` as `<html lang>` writes it.
    pub fn html_lang(&self, lang: &str) -> String {
        self.packs
            .get(lang)
            .html_lang
            .clone()
            .unwrap_or_else(|| lang.to_string())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn sitemap_parts_are_named_and_recognised() {
        assert_eq!(sitemap_part(1), "sitemap-1.xml");
        for n in [1, 2, 12, 50_000] {
            assert!(is_sitemap_part(&sitemap_part(n)));
        }
        for other in [
            "sitemap.xml",
            "sitemap-.xml",
            "sitemap-1a.xml",
            "sitemap-1.xml.gz",
            "Sitemap-1.xml",
            "sitemap-1",
        ] {
            assert!(!is_sitemap_part(other), "{other}");
        }
    }

    /// A borrowed (language, key) finds what the owned pair was stored under, and only that:
    /// it must hash as the pair does, for keys of any length and script.
    #[test]
    fn borrowed_keys_find_owned_pairs() {
        use hashbrown::Equivalent;
        use std::hash::BuildHasher;
        let pairs = [
            ("zh", "index"),
            ("en", "index"),
            ("zh", "市场-规模"),
            ("", ""),
            ("ja", "a.b/c"),
            ("zh-Hant", &"长".repeat(300)),
        ];
        let map: ByLangKey<usize> = pairs
            .iter()
            .enumerate()
            .map(|(i, (l, k))| ((l.to_string(), k.to_string()), i))
            .collect();
        let set: LangKeys = map.keys().cloned().collect();
        for (i, (l, k)) in pairs.iter().enumerate() {
            assert_eq!(map.get(&LangKey(l, k)), Some(&i), "{l}/{k}");
            assert!(set.contains(&LangKey(l, k)));
            let owned = (l.to_string(), k.to_string());
            assert_eq!(
                map.hasher().hash_one(LangKey(l, k)),
                map.hasher().hash_one(&owned),
                "{l}/{k} hashes as its owned pair"
            );
            // Equal only to the same pair, whichever half differs (a lookup compares only when
            // hashes meet, so this is checked directly).
            assert!(LangKey(l, k).equivalent(&owned));
            assert!(!LangKey(l, "other").equivalent(&owned));
            assert!(!LangKey("other", k).equivalent(&owned));
        }
        for (l, k) in [
            ("zh", "Index"),
            ("en", ""),
            ("zhindex", ""),
            ("z", "hindex"),
        ] {
            assert_eq!(map.get(&LangKey(l, k)), None, "{l}/{k}");
        }
    }

    /// An empty site with the built-in packs, for tests of code that needs a `Site`.
    pub(crate) fn empty_site() -> Site {
        let config: SiteConfig = serde_yaml::from_str(
            "languages: [zh, en]\ntitle: {zh: a, en: b}\ndescription: {zh: a, en: b}\n",
        )
        .unwrap();
        Site {
            config,
            packs: crate::model::lang::tests::builtin_packs(),
            data: vec![],
            sources: vec![],
            charts: vec![],
            pages: vec![],
            figures: vec![],
            index: Index::default(),
            translation: Default::default(),
        }
    }

    #[test]
    fn relative_links_work_from_any_depth() {
        let site = empty_site();
        assert_eq!(site.href("", ""), "index.html");
        assert_eq!(
            site.href("../../", "en/status/"),
            "../../en/status/index.html"
        );
        assert_eq!(site.href("../", "zh/"), "../zh/index.html");
        assert_eq!(site.href("/r/", "zh/"), "/r/zh/index.html");
        assert_eq!(
            site.asset_href("../../", "static/style.css"),
            "../../static/style.css"
        );
        let mut pretty = site.clone();
        pretty.config.pretty_urls = true;
        assert_eq!(pretty.href("", ""), "./");
        assert_eq!(pretty.href("../../", "en/status/"), "../../en/status/");
    }

    #[test]
    fn a_page_links_the_pages_of_its_top_folder_from_there() {
        let site = empty_site();
        assert_eq!(near("en/status/"), Some("en/"));
        assert_eq!(near("en/a/b/"), Some("en/"));
        assert_eq!(near("en/"), Some("en/"));
        assert_eq!(near(""), None);
        let from = |near: Option<&str>, dir: &str| site.href_near("../../", near, dir);
        assert_eq!(from(Some("en/"), "en/market/"), "../market/index.html");
        assert_eq!(from(Some("en/"), "en/"), "../index.html");
        assert_eq!(
            from(Some("en/"), "zh/market/"),
            "../../zh/market/index.html"
        );
        assert_eq!(from(None, "en/market/"), "../../en/market/index.html");
        let home = |dir: &str| site.href_near("../", Some("en/"), dir);
        assert_eq!(home("en/market/"), "market/index.html");
        assert_eq!(home("en/"), "index.html");
        assert_eq!(home("zh/"), "../zh/index.html");
        let deep = |dir: &str| site.href_near("../../../", Some("en/"), dir);
        assert_eq!(deep("en/x/"), "../../x/index.html");
        // An absolute prefix (the 404 page's) stays absolute.
        assert_eq!(
            site.href_near("/r/", Some("en/"), "en/x/"),
            "/r/en/x/index.html"
        );
    }
}
