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
}

struct Entry {
    fingerprint: u64,
    page: Kept,
    /// Ids of the data sets and charts the page read.
    sets: BTreeSet<String>,
    charts: BTreeSet<String>,
}

impl Cache {
    /// Starts a build: what every page shows.
    pub fn begin(&mut self, site: &Site, templates: u64, assets: &impl Hash, mode: Mode) {
        let mut f = Fingerprint::default();
        f.debug(&site.config).debug(&site.packs);
        f.add(&templates).add(assets).debug(&mode);
        for p in &site.pages {
            f.add(&(&p.lang, &p.key, &p.dir, p.shown()));
        }
        f.debug(&site.figures);
        // Every page's notes describe sources, and prose cites the shared ones by key.
        f.debug(&site.sources);
        self.global = f.finish();
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
