//! Pages a preview resolved in its previous build. Resolving a page reads its own file and, from
//! the rest of the site, only what the checked context holds (other pages' outlines, figures,
//! data, charts, sources, files); a page is taken again when its file and a fingerprint of that
//! whole context are unchanged, with the problems it had. Any change to the context resolves
//! every page again: the memo never has to know which page read what.

use std::sync::{Arc, Mutex};

use crate::check::body::Context;
use crate::check::doc::Outline;
use crate::diag::Diagnostic;
use crate::model::fingerprint::Fingerprint;
use crate::model::site::{ByLangKey, LangKey, Page};

/// A resolved page with its problems.
pub type Done = (Arc<Page>, Vec<Diagnostic>);

#[derive(Default)]
pub struct Resolved {
    pages: Mutex<ByLangKey<Memo>>,
    /// Each page's outline, by language and key: walking every page's events for it was a
    /// sixth of a large site's rebuild.
    outlines: ByFile<(String, String), Arc<Outline>>,
    /// Each default-language page's section hashes (translation coverage), by key.
    sections: ByFile<String, Sections>,
}

/// Values made from one page's file alone, by page, each with the fingerprint of the file it
/// came from: one is taken again only while its file is unchanged.
struct ByFile<K, V>(Mutex<hashbrown::HashMap<K, (u64, V), foldhash::fast::RandomState>>);

impl<K, V> Default for ByFile<K, V> {
    fn default() -> Self {
        ByFile(Mutex::default())
    }
}

impl<K: std::hash::Hash + Eq, V: Clone> ByFile<K, V> {
    fn get<Q>(&self, key: &Q, file: u64) -> Option<V>
    where
        Q: std::hash::Hash + hashbrown::Equivalent<K> + ?Sized,
    {
        let kept = self.0.lock().ok()?;
        let (f, v) = kept.get(key)?;
        (*f == file).then(|| v.clone())
    }

    /// Keeps these (and only these) for the next build.
    fn replace(&self, kept: impl Iterator<Item = (K, (u64, V))>) {
        let kept = kept.collect();
        if let Ok(mut m) = self.0.lock() {
            *m = kept;
        }
    }
}

/// A page's sections as `(heading id, hash)`.
type Sections = Vec<(String, String)>;

struct Memo {
    file: u64,
    context: u64,
    done: Done,
}

impl Resolved {
    /// The page of `lang/key` as resolved before, if its file and the context are unchanged.
    pub fn get(&self, lang: &str, key: &str, file: u64, context: u64) -> Option<Done> {
        let pages = self.pages.lock().ok()?;
        let m = pages.get(&LangKey(lang, key))?;
        (m.file == file && m.context == context).then(|| m.done.clone())
    }

    /// The outline of `lang/key` as made before, if its file is unchanged.
    pub fn outline(&self, lang: &str, key: &str, file: u64) -> Option<Arc<Outline>> {
        self.outlines.get(&LangKey(lang, key), file)
    }

    /// Keeps this build's outlines (and only them) for the next.
    pub fn keep_outlines<'a>(
        &self,
        outlines: impl Iterator<Item = (&'a str, &'a str, u64, &'a Arc<Outline>)>,
    ) {
        self.outlines.replace(
            outlines.map(|(lang, key, f, o)| ((lang.to_string(), key.to_string()), (f, o.clone()))),
        );
    }

    /// The section hashes of the default-language page `key`, if its file is unchanged.
    pub fn sections(&self, key: &str, file: u64) -> Option<Sections> {
        self.sections.get(key, file)
    }

    /// Keeps this build's section hashes (and only them) for the next.
    pub fn keep_sections<'a>(
        &self,
        files: impl Iterator<Item = (&'a str, u64)>,
        sections: &std::collections::BTreeMap<String, Sections>,
    ) {
        self.sections.replace(
            files.filter_map(|(key, f)| Some((key.to_string(), (f, sections.get(key)?.clone())))),
        );
    }

    /// Keeps this build's pages (and only them) for the next.
    pub fn keep(&self, done: &[Done], context: u64) {
        let pages = done
            .iter()
            .map(|d| {
                let p = &d.0;
                let memo = Memo {
                    file: p.fingerprint,
                    context,
                    done: d.clone(),
                };
                ((p.lang.clone(), p.key.clone()), memo)
            })
            .collect();
        if let Ok(mut m) = self.pages.lock() {
            *m = pages;
        }
    }
}

/// A fingerprint of everything a page's resolution may read besides its own file. Sets and maps
/// are hashed in a fixed order.
pub fn context(cx: &Context) -> u64 {
    let mut f = Fingerprint::default();
    f.debug(cx.site_title)
        .debug(cx.packs)
        .add(&cx.strict_links)
        .debug(&cx.raw_html);
    let sk = cx.skeleton;
    // What other pages see of a page: not its text, nor where in its file things are (an edit
    // moves them), only its front matter, headings, blocks and anchors.
    for d in &sk.drafts {
        let mut anchors: Vec<&String> = d.anchors.iter().collect();
        anchors.sort();
        f.add(&(d.lang(), d.key(), &d.dir, anchors))
            .add(&d.src.front_fingerprint())
            .debug(&d.block_figures);
        for h in &d.outline.headings {
            f.add(&(h.level, &h.id, h.explicit, &h.raw));
        }
        for b in &d.outline.blocks {
            f.add(&(&b.kind, &b.body));
        }
    }
    let mut failed: Vec<&(String, String)> = sk.failed.iter().collect();
    failed.sort();
    f.debug(&sk.figures).add(&(failed, &sk.default_lang));
    f.debug(&cx.shared.sources).add(&cx.shared.failed);
    for set in cx.sets.values() {
        f.add(&(&set.id, set.fingerprint));
    }
    let mut failed_sets: Vec<&String> = cx.targets.failed_sets.iter().collect();
    failed_sets.sort();
    f.add(&failed_sets);
    for chart in cx.charts.values() {
        f.add(&(&chart.id, chart.fingerprint));
    }
    for files in [cx.files, cx.assets] {
        for (path, bytes) in files {
            f.add(&(path, bytes));
        }
    }
    f.finish()
}
