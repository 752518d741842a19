//! Pages kept between rebuilds (`yanbao serve`). Each rendered page records what it read (data
//! sets and charts, by id) and the template it used; it is rendered again only when its own
//! file, one of those inputs, or something every page shows (configuration, language packs,
//! templates, assets, the outline of all pages) changed. The bytes are those a full build would
//! give (a test checks this). The cache also carries what the earlier phases keep for the next
//! build (parsed chapters and compiled templates, resolved pages): each phase owns its own rule
//! for when to reuse them.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use hashbrown::Equivalent;

use crate::emit::search::Doc;
use crate::model::fingerprint::Fingerprint;
use crate::model::site::Site;
use crate::output::Blob;
use crate::render::Mode;
use crate::render::cx::Deps;

/// A rendered page as a preview keeps it. Its bytes and search documents are shared between the
/// cache and the site being served, never copied.
#[derive(Clone)]
pub struct Kept {
    pub path: String,
    pub html: Blob,
    /// Its search documents, tokenised when it was rendered.
    pub docs: Arc<[Doc]>,
    /// The data sets and charts it read, by index.
    pub deps: Deps,
}

/// Where a kept page is: its language, its key and whether it is the root copy of the home page.
#[derive(Hash, PartialEq, Eq)]
struct Place {
    lang: String,
    key: String,
    at_root: bool,
}

/// The same, borrowed from the site: a page is looked up without copying its key.
#[derive(Hash, PartialEq, Eq)]
struct At<'a> {
    lang: &'a str,
    key: &'a str,
    at_root: bool,
}

impl Equivalent<Place> for At<'_> {
    fn equivalent(&self, p: &Place) -> bool {
        self.lang == p.lang && self.key == p.key && self.at_root == p.at_root
    }
}

impl<'a> At<'a> {
    fn of(site: &'a Site, page: usize, at_root: bool) -> Self {
        let p = &site.pages[page];
        At {
            lang: &p.lang,
            key: &p.key,
            at_root,
        }
    }

    fn place(&self) -> Place {
        Place {
            lang: self.lang.to_string(),
            key: self.key.to_string(),
            at_root: self.at_root,
        }
    }
}

/// Rendered pages kept from the previous build, by place. A build leaves the entries of the
/// pages it reuses untouched: it replaces those it renders and forgets those that are gone.
#[derive(Default)]
pub struct Cache {
    pages: hashbrown::HashMap<Place, Entry, foldhash::fast::FixedState>,
    /// Hash of what every page shows, for the build in progress.
    global: u64,
    /// Pages rendered (not reused) by the last build.
    pub rendered: usize,
    pub reused: usize,
    /// Pages yanbao makes itself (search pages, 404), by name, with the `global` they were made
    /// under.
    generated: std::sync::Mutex<HashMap<String, (u64, Kept)>>,
    /// What the last build read: its parsed pages and compiled templates.
    pub read: crate::input::Memo,
    /// The pages as resolved by the last build.
    pub resolved: crate::check::memo::Resolved,
    /// What every page shows of the others, for the build in progress (see
    /// [`Cache::begin_site`]).
    shown: u64,
    /// The same with every data set: what lists of every chapter are made from.
    lists: u64,
    heads: Listed<Vec<(String, Blob)>>,
    /// The same with every chart: what the files made from the model are made from.
    model: u64,
    model_files: Listed<Vec<(String, Blob)>>,
    navs: Listed<crate::render::NavLists>,
}

/// Something listing every chapter, kept from the last build with the `lists` fingerprint it
/// was made under.
struct Listed<T>(Option<(u64, T)>);

impl<T> Default for Listed<T> {
    fn default() -> Self {
        Listed(None)
    }
}

impl<T: Clone> Listed<T> {
    fn get(&self, key: u64) -> Option<T> {
        self.0
            .as_ref()
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    }

    fn keep(&mut self, key: u64, value: T) {
        self.0 = Some((key, value));
    }
}

struct Entry {
    fingerprint: u64,
    page: Kept,
    /// Ids of the data sets and charts the page read.
    sets: BTreeSet<String>,
    charts: BTreeSet<String>,
}

impl Cache {
    /// Starts a build: what every page shows of the others (their titles, headings and
    /// addresses), the figures and the sources, and what the pages' text is made from
    /// (configuration, language packs).
    pub fn begin_site(&mut self, site: &Site) {
        let mut f = Fingerprint::default();
        f.debug(&site.config).debug(&site.packs);
        for p in &site.pages {
            f.add(&(&p.lang, &p.key, &p.dir, p.shown()));
        }
        f.debug(&site.figures);
        // Every page's notes describe sources, and prose cites the shared ones by key.
        f.debug(&site.sources);
        let shown = f.finish();
        // Lists of every chapter (the chapter lists, the print edition's running heads) show
        // titles, and a title can show a value.
        let mut f = Fingerprint::default();
        f.add(&shown);
        for set in &site.data {
            f.add(&set.fingerprint);
        }
        self.shown = shown;
        self.lists = f.finish();
        // The downloads, citation files, data package, redirects, sitemap and manifest are made
        // from the configuration, the pages' front matter, figures, sources, data and charts.
        let mut f = Fingerprint::default();
        f.add(&self.lists);
        for chart in &site.charts {
            f.add(&chart.fingerprint);
        }
        self.model = f.finish();
    }

    /// Then what every page is made with: templates, assets (by content hash) and the mode.
    pub fn begin(&mut self, templates: u64, assets: &impl Hash, mode: Mode) {
        let mut f = Fingerprint::default();
        f.add(&self.shown).add(&templates).add(assets).debug(&mode);
        self.global = f.finish();
    }

    /// The last build's running heads of printed pages (path, CSS), if still current.
    pub fn heads(&self) -> Option<Vec<(String, Blob)>> {
        self.heads.get(self.lists)
    }

    pub fn keep_heads(&mut self, heads: Vec<(String, Blob)>) {
        self.heads.keep(self.lists, heads);
    }

    /// The last build's files made from the model (path, bytes), if still current.
    pub fn model_files(&self) -> Option<Vec<(String, Blob)>> {
        self.model_files.get(self.model)
    }

    pub fn keep_model_files(&mut self, files: Vec<(String, Blob)>) {
        self.model_files.keep(self.model, files);
    }

    /// The last build's chapter lists, if still current.
    pub fn navs(&self) -> Option<crate::render::NavLists> {
        self.navs.get(self.lists)
    }

    pub fn keep_navs(&mut self, navs: crate::render::NavLists) {
        self.navs.keep(self.lists, navs);
    }

    /// A page yanbao makes itself, if what every page shows did not change since it was made.
    pub fn generated(&self, name: &str) -> Option<Kept> {
        let g = self.generated.lock().ok()?;
        let (global, kept) = g.get(name)?;
        (*global == self.global).then(|| kept.clone())
    }

    pub fn keep_generated(&self, name: String, page: &Kept) {
        if let Ok(mut g) = self.generated.lock() {
            g.insert(name, (self.global, page.clone()));
        }
    }

    /// How many pages are kept.
    pub fn kept(&self) -> usize {
        self.pages.len()
    }

    /// The kept page, if nothing it depends on changed.
    pub fn get(&self, site: &Site, page: usize, at_root: bool) -> Option<&Kept> {
        let e = self.pages.get(&At::of(site, page, at_root))?;
        let now = self.fingerprint(site, page, at_root, &e.sets, &e.charts)?;
        (now == e.fingerprint).then_some(&e.page)
    }

    /// Everything that decides a page's bytes, given what it read last time. None when one of
    /// those inputs is gone.
    fn fingerprint(
        &self,
        site: &Site,
        page: usize,
        at_root: bool,
        sets: &BTreeSet<String>,
        charts: &BTreeSet<String>,
    ) -> Option<u64> {
        let mut h = DefaultHasher::new();
        self.global.hash(&mut h);
        at_root.hash(&mut h);
        site.pages[page].fingerprint.hash(&mut h);
        for id in sets {
            site.set(id)?.fingerprint.hash(&mut h);
        }
        for id in charts {
            site.chart(id)?.fingerprint.hash(&mut h);
        }
        Some(h.finish())
    }

    /// Ends a build of the pages `jobs` (page, at_root): keeps each page it rendered with what
    /// it read; the `reused` others are kept as they were.
    pub fn finish(
        &mut self,
        site: &Site,
        jobs: &[(usize, bool)],
        rendered: impl IntoIterator<Item = (usize, bool, Kept)>,
        reused: usize,
    ) {
        self.rendered = 0;
        self.reused = reused;
        let mut gone = 0;
        for (ix, at_root, page) in rendered {
            self.rendered += 1;
            let sets: BTreeSet<String> = page
                .deps
                .sets
                .iter()
                .map(|&i| site.data[i].id.clone())
                .collect();
            let charts: BTreeSet<String> = page
                .deps
                .charts
                .iter()
                .map(|&i| site.charts[i].id.clone())
                .collect();
            let at = At::of(site, ix, at_root);
            match self.fingerprint(site, ix, at_root, &sets, &charts) {
                Some(fingerprint) => {
                    let entry = Entry {
                        fingerprint,
                        page,
                        sets,
                        charts,
                    };
                    match self.pages.get_mut(&at) {
                        Some(e) => *e = entry,
                        None => {
                            self.pages.insert(at.place(), entry);
                        }
                    }
                }
                None => {
                    gone += 1;
                    self.pages.remove(&at);
                }
            }
        }
        // Every job's page is now kept, or was just forgotten: any other entry is of a page
        // this build did not make (removed, renamed, or no longer at the root).
        if self.pages.len() != jobs.len() - gone {
            let made: HashSet<At> = jobs
                .iter()
                .map(|&(ix, at_root)| At::of(site, ix, at_root))
                .collect();
            self.pages.retain(|p, _| {
                made.contains(&At {
                    lang: &p.lang,
                    key: &p.key,
                    at_root: p.at_root,
                })
            });
        }
    }
}
