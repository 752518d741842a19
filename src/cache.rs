//! Pages kept between rebuilds (`yanbao serve`). Each rendered page records what it read (data
//! sets and charts, by id) and the template it used; it is rendered again only when its own
//! file, one of those inputs, or something every page shows (configuration, language packs,
//! templates, assets, the outline of all pages) changed. The bytes are those a full build would
//! give (a test checks this). The cache also carries what the earlier phases keep for the next
//! build (parsed chapters and compiled templates, resolved pages): each phase owns its own rule
//! for when to reuse them.

use std::collections::{BTreeSet, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

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

/// Rendered pages kept from the previous build, by (lang, key, at_root).
#[derive(Default)]
pub struct Cache {
    pages: HashMap<(String, String, bool), Entry>,
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

    /// The kept page, if nothing it depends on changed.
    pub fn get(&self, site: &Site, page: usize, at_root: bool) -> Option<Kept> {
        let p = &site.pages[page];
        let e = self.pages.get(&(p.lang.clone(), p.key.clone(), at_root))?;
        let now = self.fingerprint(site, page, at_root, &e.sets, &e.charts)?;
        (now == e.fingerprint).then(|| e.page.clone())
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

    /// Ends a build: keeps every page with what it read.
    pub fn finish(
        &mut self,
        site: &Site,
        pages: impl IntoIterator<Item = (usize, bool, Kept, bool)>,
    ) {
        self.rendered = 0;
        self.reused = 0;
        let mut kept = HashMap::new();
        for (ix, at_root, page, reused) in pages {
            if reused {
                self.reused += 1;
            } else {
                self.rendered += 1;
            }
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
            let Some(fingerprint) = self.fingerprint(site, ix, at_root, &sets, &charts) else {
                continue;
            };
            let p = &site.pages[ix];
            kept.insert(
                (p.lang.clone(), p.key.clone(), at_root),
                Entry {
                    fingerprint,
                    page,
                    sets,
                    charts,
                },
            );
        }
        self.pages = kept;
    }
}
