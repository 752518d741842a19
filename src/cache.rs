//! Memo of rendered pages between rebuilds (`yanbao serve`). A page is rendered again only when
//! an input it reads has changed: the site-wide inputs (configuration, UI strings, templates,
//! assets), the outline every page shows (titles, headings, numbering), its own text, and the
//! data files and charts it uses. Everything else is reused, so an edit to one chapter re-renders
//! that chapter only, and the bytes are those a full build would give (a test checks this).

use std::collections::{BTreeSet, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::blocks::BlockSpec;
use crate::error::Diagnostic;
use crate::render::RenderedPage;
use crate::site::{Page, Site};

/// Rendered pages kept from the previous build, by (lang, key, at_root).
#[derive(Default)]
pub struct Cache {
    pages: HashMap<(String, String, bool), Entry>,
    /// Pages rendered (not reused) by the last build.
    pub rendered: usize,
    pub reused: usize,
}

struct Entry {
    fingerprint: u64,
    page: Option<RenderedPage>,
    problems: Vec<Diagnostic>,
}

impl Cache {
    pub fn get(
        &self,
        key: &(String, String, bool),
        fingerprint: u64,
    ) -> Option<(Option<RenderedPage>, Vec<Diagnostic>)> {
        self.pages
            .get(key)
            .filter(|e| e.fingerprint == fingerprint)
            .map(|e| (e.page.clone(), e.problems.clone()))
    }

    pub fn put(
        &mut self,
        key: (String, String, bool),
        fingerprint: u64,
        page: Option<RenderedPage>,
        problems: Vec<Diagnostic>,
    ) {
        self.pages.insert(
            key,
            Entry {
                fingerprint,
                page,
                problems,
            },
        );
    }
}

/// Inputs every page reads: configuration, packs, templates, asset versions, mode, and the
/// outline (titles, numbers, slugs, headings and figure numbers of all pages).
pub fn global_fingerprint(
    site: &Site,
    templates: u64,
    assets: &impl Hash,
    mode: crate::render::Mode,
) -> u64 {
    let mut h = DefaultHasher::new();
    format!("{:?}", site.config).hash(&mut h);
    format!("{:?}", site.packs).hash(&mut h);
    templates.hash(&mut h);
    assets.hash(&mut h);
    format!("{mode:?}").hash(&mut h);
    for p in &site.pages {
        p.lang().hash(&mut h);
        p.key().hash(&mut h);
        p.dir.hash(&mut h);
        format!("{:?}", p.src.front).hash(&mut h);
        for hd in &p.scan.headings {
            (hd.level, &hd.id, &hd.raw).hash(&mut h);
        }
    }
    format!("{:?}", site.numbers).hash(&mut h);
    format!("{:?}", site.failed_pages).hash(&mut h);
    h.finish()
}

/// The data files a page reads, directly or through references inside data texts.
fn data_used(site: &Site, page: &Page) -> BTreeSet<String> {
    let mut direct: BTreeSet<String> = BTreeSet::new();
    let file_of = |spec: &str| {
        spec.split(['.', '|'])
            .next()
            .unwrap_or("")
            .trim()
            .to_string()
    };
    for (spec, _) in &page.scan.refs {
        if !spec.starts_with("fig:") && !spec.starts_with("tab:") {
            direct.insert(file_of(spec));
        }
    }
    for spec in page.src.front.key_figures.iter() {
        direct.insert(file_of(spec));
    }
    let mut charts: BTreeSet<&str> = page.src.front.charts.iter().map(String::as_str).collect();
    for spec in page.specs.iter().flatten() {
        match spec {
            BlockSpec::Chart(c) => {
                charts.insert(&c.id);
            }
            BlockSpec::Table(t) => {
                direct.insert(t.data.clone());
            }
            BlockSpec::Stats(s) => {
                direct.insert(s.data.clone());
            }
            BlockSpec::Glossary(g) => {
                direct.insert(g.data.clone());
            }
            BlockSpec::Figure(_) => {}
        }
    }
    for c in charts {
        if let Some(chart) = site.charts.charts.get(c) {
            direct.insert(chart.spec.data.clone());
        }
    }
    // Close over references written inside data files (`{{model_facts.x}}` in a table cell).
    let mut all = direct.clone();
    let mut todo: Vec<String> = direct.into_iter().collect();
    while let Some(id) = todo.pop() {
        let Some(set) = site.data.sets.get(&id) else {
            continue;
        };
        let text = &set.file.text;
        for (i, _) in text.match_indices("{{") {
            let other = file_of(&text[i + 2..]);
            if !other.is_empty() && all.insert(other.clone()) {
                todo.push(other);
            }
        }
    }
    all
}

/// Everything that decides a page's bytes.
pub fn page_fingerprint(site: &Site, page: &Page, at_root: bool, global: u64) -> u64 {
    let mut h = DefaultHasher::new();
    global.hash(&mut h);
    at_root.hash(&mut h);
    page.src.file.text.hash(&mut h);
    for id in data_used(site, page) {
        id.hash(&mut h);
        if let Some(set) = site.data.sets.get(&id) {
            set.file.text.hash(&mut h);
        }
        site.data.failed.contains(&id).hash(&mut h);
    }
    for (id, chart) in &site.charts.charts {
        // Charts are few and small: any chart change re-renders the pages that draw charts.
        if page
            .specs
            .iter()
            .flatten()
            .any(|s| matches!(s, BlockSpec::Chart(c) if &c.id == id))
            || page.src.front.charts.contains(id)
        {
            chart.file.text.hash(&mut h);
        }
    }
    h.finish()
}
