//! The in-memory site: pages by language in reading order, their URLs, anchors and translation
//! pairs, and the numbering of figures and tables. Built from loaded inputs; does no I/O.

use std::collections::{BTreeMap, BTreeSet};

use crate::blocks::{BlockSpec, FigureKind};
use crate::charts::ChartStore;
use crate::config::SiteConfig;
use crate::content::{HOME_KEY, PageSource};
use crate::data::DataStore;
use crate::error::Diagnostic;
use crate::i18n::Packs;
use crate::markdown::{self, Doc, Scan};

/// One page of one language, parsed.
#[derive(Debug, Clone)]
pub struct Page {
    pub src: PageSource,
    pub doc: Doc,
    pub scan: Scan,
    /// Parsed specs of the page's yanbao blocks, in order (None where the spec was invalid).
    pub specs: Vec<Option<BlockSpec>>,
    /// Output folder relative to the site root: `zh/`, `zh/status/`.
    pub dir: String,
}

impl Page {
    pub fn lang(&self) -> &str {
        &self.src.lang
    }

    pub fn key(&self) -> &str {
        &self.src.key
    }

    pub fn is_home(&self) -> bool {
        self.src.is_home()
    }

    /// Title for navigation (short title when given).
    pub fn nav_title(&self) -> &str {
        self.src
            .front
            .short_title
            .as_deref()
            .or(self.src.front.title.as_deref())
            .unwrap_or("")
    }

    /// Relative prefix from this page to the site root (`zh/status/` → `../../`).
    pub fn prefix(&self) -> String {
        "../".repeat(self.dir.matches('/').count())
    }

    /// Ids a link may point at: headings and numbered blocks.
    pub fn anchors(&self) -> impl Iterator<Item = &str> {
        self.scan.headings.iter().map(|h| h.id.as_str())
    }
}

/// A numbered figure or table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Numbered {
    pub kind: FigureKind,
    pub number: usize,
    /// HTML id of the figure element.
    pub anchor: String,
    /// Translation key of the page that holds it.
    pub page: String,
}

#[derive(Debug, Clone)]
pub struct Site {
    pub config: SiteConfig,
    pub packs: Packs,
    pub data: DataStore,
    pub charts: ChartStore,
    /// Pages of every language; per language the home page first, then chapters by `order`.
    pub pages: Vec<Page>,
    /// (lang, page key, block index) → its number.
    pub numbers: BTreeMap<(String, String, usize), Numbered>,
    /// (lang, figure id) → its number, for `{{fig:id}}` and `{{tab:id}}`.
    pub figure_ids: BTreeMap<(String, String), Numbered>,
    /// Pages that exist but failed to load (already reported).
    pub failed_pages: crate::content::FailedPages,
}

impl Site {
    pub fn assemble(
        config: SiteConfig,
        packs: Packs,
        data: DataStore,
        charts: ChartStore,
        (sources, failed_pages): (Vec<PageSource>, crate::content::FailedPages),
        problems: &mut Vec<Diagnostic>,
    ) -> Site {
        let mut pages: Vec<Page> = sources
            .into_iter()
            .map(|mut src| {
                let smart = packs.get(&src.lang).smart_punctuation;
                if smart {
                    src.smarten_front_matter();
                }
                let doc = markdown::parse(src.body(), smart);
                let scan = markdown::scan(&doc, src.body());
                let dir = if src.is_home() {
                    format!("{}/", src.lang)
                } else {
                    format!("{}/{}/", src.lang, src.slug())
                };
                let specs = scan
                    .blocks
                    .iter()
                    .map(|b| match BlockSpec::parse(b, &src) {
                        Ok(s) => Some(s),
                        Err(d) => {
                            problems.push(d);
                            None
                        }
                    })
                    .collect();
                Page {
                    src,
                    doc,
                    scan,
                    specs,
                    dir,
                }
            })
            .collect();
        let lang_pos = |l: &str| {
            config
                .languages
                .iter()
                .position(|x| x == l)
                .unwrap_or(usize::MAX)
        };
        pages.sort_by(|a, b| {
            (
                lang_pos(a.lang()),
                !a.is_home(),
                a.src.front.order.unwrap_or(0),
                a.key(),
            )
                .cmp(&(
                    lang_pos(b.lang()),
                    !b.is_home(),
                    b.src.front.order.unwrap_or(0),
                    b.key(),
                ))
        });
        let mut site = Site {
            config,
            packs,
            data,
            charts,
            pages,
            numbers: BTreeMap::new(),
            figure_ids: BTreeMap::new(),
            failed_pages,
        };
        site.number_blocks(problems);
        site
    }

    /// Numbers figures (charts and lost-image figures) and data tables per language, in reading
    /// order, and gives each an HTML id.
    fn number_blocks(&mut self, problems: &mut Vec<Diagnostic>) {
        let mut counters: BTreeMap<(String, FigureKind), usize> = BTreeMap::new();
        for page in &self.pages {
            let mut used: BTreeSet<String> =
                page.scan.headings.iter().map(|h| h.id.clone()).collect();
            for (i, spec) in page.specs.iter().enumerate() {
                let Some(spec) = spec else { continue };
                let Some(kind) = spec.figure_kind() else {
                    continue;
                };
                let n = counters.entry((page.lang().to_string(), kind)).or_insert(0);
                *n += 1;
                let base = spec.anchor(*n);
                let mut anchor = base.clone();
                let mut k = 2;
                while used.contains(&anchor) {
                    anchor = format!("{base}-{k}");
                    k += 1;
                }
                used.insert(anchor.clone());
                let numbered = Numbered {
                    kind,
                    number: *n,
                    anchor,
                    page: page.key().to_string(),
                };
                if let Some(id) = spec.figure_id() {
                    let key = (page.lang().to_string(), id.to_string());
                    if let Some(first) = self.figure_ids.get(&key) {
                        let b = &page.scan.blocks[i];
                        problems.push(
                            page.src
                                .file
                                .error_at(page.src.body_start + b.body_offset, format!("figure id `{id}` is used twice"))
                                .help(format!("it is already figure {} on page `{}`; give this block another `id:`", first.number, first.page)),
                        );
                    } else {
                        self.figure_ids.insert(key, numbered.clone());
                    }
                }
                self.numbers.insert(
                    (page.lang().to_string(), page.key().to_string(), i),
                    numbered,
                );
            }
        }
    }

    pub fn languages(&self) -> &[String] {
        &self.config.languages
    }

    pub fn default_language(&self) -> &str {
        self.config.default_language()
    }

    pub fn pages_of<'a>(&'a self, lang: &str) -> impl Iterator<Item = &'a Page> + 'a {
        let lang = lang.to_string();
        self.pages.iter().filter(move |p| p.lang() == lang)
    }

    /// Chapters of a language in reading order (home page excluded).
    pub fn chapters<'a>(&'a self, lang: &str) -> impl Iterator<Item = &'a Page> + 'a {
        self.pages_of(lang).filter(|p| !p.is_home())
    }

    pub fn page(&self, lang: &str, key: &str) -> Option<&Page> {
        self.pages
            .iter()
            .find(|p| p.lang() == lang && p.key() == key)
    }

    pub fn home(&self, lang: &str) -> Option<&Page> {
        self.page(lang, HOME_KEY)
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

    /// Link from a page with root prefix `prefix` to a file path from the site root.
    pub fn asset_href(&self, prefix: &str, path: &str) -> String {
        format!("{prefix}{path}")
    }

    /// Absolute URL of a page folder, when `base_url` is set.
    pub fn absolute(&self, dir: &str) -> Option<String> {
        self.config.base_url().map(|b| format!("{b}{dir}"))
    }

    /// The previous and next chapters of a chapter.
    pub fn neighbours<'a>(&'a self, page: &Page) -> (Option<&'a Page>, Option<&'a Page>) {
        let chapters: Vec<&Page> = self.chapters(page.lang()).collect();
        let Some(i) = chapters.iter().position(|p| p.key() == page.key()) else {
            return (None, None);
        };
        let prev = if i > 0 { Some(chapters[i - 1]) } else { None };
        (prev, chapters.get(i + 1).copied())
    }

    /// Every anchor of a page: heading ids and numbered blocks.
    pub fn page_anchors(&self, page: &Page) -> BTreeSet<String> {
        let mut set: BTreeSet<String> = page.anchors().map(String::from).collect();
        for ((lang, key, _), n) in &self.numbers {
            if lang == page.lang() && key == page.key() {
                set.insert(n.anchor.clone());
            }
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_work_from_any_depth() {
        let config: SiteConfig = serde_yaml::from_str(
            "languages: [zh, en]\ntitle: {zh: a, en: b}\ndescription: {zh: a, en: b}\n",
        )
        .unwrap();
        let site = Site {
            config,
            packs: Packs {
                by_lang: BTreeMap::new(),
            },
            data: DataStore {
                sets: BTreeMap::new(),
                failed: Default::default(),
            },
            charts: ChartStore::default(),
            pages: vec![],
            numbers: BTreeMap::new(),
            figure_ids: BTreeMap::new(),
            failed_pages: Default::default(),
        };
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
}
