//! The one place the phases are sequenced: read the inputs, check them into the site model,
//! render every page (in parallel), then the files made from the model (downloads, search index,
//! sitemap, robots, manifest), each handed to a sink as soon as it is ready.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rayon::prelude::*;

use crate::cache::{Cache, Kept};
use crate::diag::{Diagnostic, Error, Problems, Result};
use crate::emit::search::{self, Doc};
use crate::input::{self, Inputs};
use crate::model::site::Site;
use crate::output::{Blob, Sink};
use crate::render::{Bodies, Mode, RenderedPage, Renderer};
use crate::timings::Laps;

/// Options shared by `build`, `check` and `serve`.
#[derive(Debug, Clone)]
pub struct Options {
    /// The site's folder (holds `content/`).
    pub root: PathBuf,
    /// Where `build` writes the site.
    pub output: PathBuf,
    /// Overrides `base_url` from `content/site.yaml`.
    pub base_url: Option<String>,
    /// Include pages marked `draft: true`.
    pub drafts: bool,
    /// The build also writes the print editions as PDFs (`yanbao pdf`): pages link them.
    pub pdf: bool,
}

impl Options {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        Options {
            output: root.join("public"),
            root,
            base_url: None,
            drafts: false,
            pdf: false,
        }
    }
}

/// What a finished build or check reports.
#[derive(Debug)]
pub struct Report {
    /// HTML pages written (or that would be).
    pub pages: usize,
    /// All files written.
    pub files: usize,
    /// A build into the folder of an earlier one: how many of its files were unchanged (kept
    /// as they were, not written again).
    pub unchanged: Option<usize>,
    pub warnings: Vec<Diagnostic>,
    pub output: PathBuf,
    pub elapsed: Duration,
    /// The PDFs written (`yanbao pdf`), as paths from the site root.
    pub pdfs: Vec<String>,
    /// The share images written with them (`share-<lang>.png`).
    pub share_images: Vec<String>,
    /// `check`: each language's translation coverage as a table (sites in several languages).
    pub coverage: Option<String>,
}

/// What rendering produced, besides the files it handed to the sink.
#[derive(Debug, Default)]
pub struct Rendered {
    pub warnings: Vec<Diagnostic>,
    pub pages: usize,
    pub files: usize,
    pub coverage: Option<String>,
    /// A preview's search index and print editions, made when asked for.
    pub deferred: Option<Arc<Deferred>>,
}

/// Reads and checks the site. With no error, the checked site and the inputs it came from.
/// With a preview's cache, pages whose files did not change since its last build are not parsed
/// or resolved again.
pub fn load(
    opts: &Options,
    mode: Mode,
    cache: Option<&Cache>,
    problems: &mut Problems,
) -> Result<Option<(Inputs, Site)>> {
    let read = input::Read {
        root: &opts.root,
        base_url: opts.base_url.as_deref(),
        drafts: opts.drafts,
        escape: crate::markup::escape_to,
        memo: cache.map(|c| &c.read),
    };
    let mut laps = Laps::start();
    let inputs = input::load(&read, problems)?;
    laps.lap("read");
    let unreadable = problems.has_errors();
    let mark = problems.mark();
    let site = crate::check::run(
        &inputs,
        mode == Mode::Check,
        cache.map(|c| &c.resolved),
        problems,
    );
    laps.lap("check");
    if unreadable {
        problems.follow_on_since(mark);
    }
    Ok(site.map(|s| (inputs, s)))
}

/// `check`: every rule, and every page rendered as a build renders it, none written.
pub fn check(opts: &Options) -> Result<Rendered> {
    // Every step of a build, the pages rendered and let go: a template that fails on one
    // page (a field it lacks) fails `check` as it would fail the build.
    let mut r = run(opts, Mode::Check, None, &crate::output::Discard)?;
    r.files = 0;
    Ok(r)
}

/// Load, check and render into `sink`, collecting every problem.
pub fn run(
    opts: &Options,
    mode: Mode,
    cache: Option<&mut Cache>,
    sink: &dyn Sink,
) -> Result<Rendered> {
    let mut problems = Problems::default();
    let mut citations = crate::render::csl::Session::begin(&opts.root);
    let loaded = load(opts, mode, cache.as_deref(), &mut problems)?;
    let (mut inputs, site) = match loaded {
        Some((inputs, site)) if !problems.has_errors() => (inputs, site),
        _ => return Err(Error::content(problems.into_vec())),
    };
    let Some(tera) = inputs.templates.take() else {
        return Err(Error::content(problems.into_vec()));
    };
    // The parsed sources (every chapter's Markdown events) are not needed once the site is
    // checked: a build frees them before rendering, on a thread of its own (a preview keeps
    // them for its next build).
    if cache.is_none() {
        drop_aside(std::mem::take(&mut inputs.pages.pages));
    }
    let site = Arc::new(site);
    citations.ready();
    let full = cache.is_none();
    let mut r = render_site(&site, &tera, mode, opts.pdf, &inputs, cache, sink)?;
    if mode == Mode::Check {
        // `check` writes nothing, the kept citations included, and shows how far each
        // translation goes.
        r.coverage = site.translation.table();
    } else {
        citations.keep(full);
    }
    // Freeing a large site's model (every page's events and blocks) takes a noticeable share
    // of a build; it happens on a thread of its own while the output is swapped in.
    drop_aside((inputs, site, tera));
    problems.extend(std::mem::take(&mut r.warnings));
    r.warnings = problems.finish()?;
    Ok(r)
}

/// Drops `value` on a thread of its own: freeing a large site's model, documents or caches
/// (millions of small allocations) takes a noticeable share of a build, and nothing waits for it.
pub fn drop_aside<T: Send + 'static>(value: T) {
    std::thread::spawn(move || drop(value));
}

/// The search documents of a rendered page, made from its sections.
fn page_docs(
    site: &Site,
    ix: usize,
    sections: Vec<crate::render::doc::Section>,
    tokenize: bool,
) -> Vec<search::Doc> {
    let p = &site.pages[ix];
    let title = site.plain(&p.front.title, &p.lang);
    let title = if site.packs.get(&p.lang).smart_punctuation {
        crate::model::text::smart_quotes(&title)
    } else {
        title
    };
    search::page_docs(&format!("{}index.html", p.dir), &title, sections, tokenize)
}

/// A page job: the page, and whether it is the root copy of the default language's home page.
type Job = (usize, bool);

/// A page job done: its search documents, and with a cache, the page to keep for the next build
/// (if it was rendered) or whether the cache's was reused.
struct Done {
    job: Job,
    docs: Arc<[Doc]>,
    kept: Option<Kept>,
    reused: bool,
}

/// Renders the checked site, handing each file to `sink` as soon as it is ready. With a cache,
/// pages whose inputs are unchanged are reused.
pub fn render_site(
    site: &Arc<Site>,
    tera: &Arc<tera::Tera>,
    mode: Mode,
    pdfs: bool,
    inputs: &Inputs,
    mut cache: Option<&mut Cache>,
    sink: &dyn Sink,
) -> Result<Rendered> {
    let mut laps = Laps::start();
    let mut files = 0;
    // Static assets first: pages link them with a content hash for cache busting.
    let mut versions: BTreeMap<String, String> = BTreeMap::new();
    for (path, bytes) in &inputs.assets {
        versions.insert(path.clone(), crate::input::assets::short_hash(bytes));
        sink.put(path, bytes.clone())?;
        files += 1;
    }
    // Images and PDFs kept next to the chapters, where their links point (in the versions too,
    // so a preview renders pages again when one appears or goes).
    for (path, bytes) in &inputs.pages.files {
        versions.insert(path.clone(), crate::input::assets::short_hash(bytes));
        sink.put(path, bytes.clone())?;
        files += 1;
    }
    // The running heads of printed pages, linked by every page like the assets. They and the
    // chapter lists list every chapter: a preview makes them again only when what they show
    // may have changed.
    if let Some(c) = cache.as_deref_mut() {
        c.begin_site(site);
    }
    let heads: Vec<(String, Blob)> = match cache.as_deref().and_then(Cache::heads) {
        Some(heads) => heads,
        None => site
            .languages()
            .iter()
            .flat_map(|lang| crate::render::print::heads_files(site, lang))
            .map(|(path, css)| (path, css.into_bytes().into()))
            .collect(),
    };
    for (path, css) in &heads {
        versions.insert(path.clone(), crate::input::assets::short_hash(css));
        sink.put_blob(path, css.clone())?;
        files += 1;
    }
    if let Some(c) = cache.as_deref_mut() {
        c.keep_heads(heads);
    }
    let keep = cache.is_some();
    // A build makes its print editions after the pages, from the bodies the pages rendered:
    // each chapter's body is rendered once for both.
    let print = !keep && site.has_print_edition();
    let bodies = print.then(|| Arc::new(Bodies::new(site)));
    let mut renderer = Renderer::new(site, tera, mode, &versions);
    renderer.pdfs = pdfs;
    renderer.bodies = bodies.as_deref();
    let mut jobs: Vec<Job> = (0..site.pages.len()).map(|i| (i, false)).collect();
    if let Some(home) = site.page_ix(site.default_language(), crate::model::HOME_KEY) {
        jobs.push((home, true));
    }
    // The home pages go first: each lists every chapter, so on a large site they are the
    // longest jobs, and the one that came last kept a core busy alone at the end (0.2 s of
    // 5 s at 20,000 chapters). Their results are put back in page order below.
    jobs.sort_by_key(|&(i, _)| !site.pages[i].is_home());
    if let Some(c) = cache.as_deref_mut() {
        c.begin(inputs.templates_hash, &versions, mode);
        if let Some(navs) = c.navs() {
            renderer.reuse_navs(navs);
        }
    }
    let cached: Vec<Option<&Kept>> = jobs
        .iter()
        .map(|&(p, root)| cache.as_deref().and_then(|c| c.get(site, p, root)))
        .collect();
    // Pages render in parallel and go to the sink at once; without a cache their HTML is not
    // kept, so a large site need not fit in memory. Alongside them, the files that need no
    // page's result: those made from the model.
    let render_pages = || {
        jobs.par_iter()
            .zip(cached.into_par_iter())
            .map(|(&job, hit)| {
                if let Some(kept) = hit {
                    sink.put_blob(&kept.path, kept.html.clone())?;
                    return Ok(Done {
                        job,
                        docs: kept.docs.clone(),
                        kept: None,
                        reused: true,
                    });
                }
                let mut page = renderer
                    .page(job.0, job.1)
                    .map_err(|d| Error::content(vec![d]))?;
                // A build holds no page's body longer than it needs it.
                if !keep && !site.body_read_again(job.0) {
                    site.pages[job.0].release_body();
                }
                // The page's search documents; a preview tokenises them here, in parallel with the
                // other pages, and keeps them with the page (a build leaves that to the index).
                let docs: Arc<[Doc]> = if job.1 {
                    Arc::new([])
                } else {
                    page_docs(site, job.0, std::mem::take(&mut page.sections), keep).into()
                };
                if !keep {
                    sink.put(&page.path, page.html)?;
                    return Ok(Done {
                        job,
                        docs,
                        kept: None,
                        reused: false,
                    });
                }
                let kept = Kept {
                    html: page.html.into(),
                    path: page.path,
                    docs: docs.clone(),
                    deps: page.deps,
                };
                sink.put_blob(&kept.path, kept.html.clone())?;
                Ok(Done {
                    job,
                    docs,
                    kept: Some(kept),
                    reused: false,
                })
            })
            .collect::<Result<Vec<Done>>>()
    };
    // A preview makes the files of the model again only when what they are made from changed,
    // and keeps them for its next build.
    let kept_model = cache.as_deref().and_then(Cache::model_files);
    let model = || -> Result<(usize, Option<Made>)> {
        if let Some(made) = &kept_model {
            put_blobs(sink, made)?;
            return Ok((made.len(), None));
        }
        let made = crate::emit::model_files(site);
        if !keep {
            return Ok((put_all(sink, made)?, None));
        }
        let made: Made = made.into_iter().map(|(p, b)| (p, b.into())).collect();
        put_blobs(sink, &made)?;
        Ok((made.len(), Some(made)))
    };
    let (results, model) = rayon::join(render_pages, model);
    let mut results = results?;
    results.sort_by_key(|d| (d.job.1, d.job.0));
    let (n, made) = model?;
    files += n;
    if let (Some(c), Some(made)) = (cache.as_deref_mut(), made) {
        c.keep_model_files(made);
    }
    let mut docs: Docs = BTreeMap::new();
    let mut pages = 0;
    let mut kept = Vec::new();
    let mut reused = 0;
    for done in results {
        let (ix, root) = done.job;
        files += 1;
        pages += 1;
        reused += usize::from(done.reused);
        if let Some(page) = done.kept {
            kept.push((ix, root, page));
        }
        docs.entry(site.pages[ix].lang.clone())
            .or_default()
            .push(done.docs);
    }
    if let Some(c) = cache.as_deref_mut() {
        c.finish(site, &jobs, kept, reused);
    }
    laps.lap("pages and other files");
    // Pages yanbao makes itself (search pages, 404) show only what every page shows: a
    // preview renders them again only when that changed.
    let generated = |name: String, make: &dyn Fn() -> Result<RenderedPage>| -> Result<Kept> {
        if let Some(hit) = cache.as_deref().and_then(|c| c.generated(&name)) {
            return Ok(hit);
        }
        let r = make()?;
        let kept = Kept {
            path: r.path,
            html: r.html.into(),
            docs: Arc::new([]),
            deps: r.deps,
        };
        if let Some(c) = cache.as_deref() {
            c.keep_generated(name, &kept);
        }
        Ok(kept)
    };
    let as_error = |d: Diagnostic| Error::content(vec![d]);
    for lang in site.languages() {
        let make = || renderer.search_page(lang).map_err(as_error);
        let r = generated(format!("search:{lang}"), &make)?;
        files += 1;
        pages += 1;
        sink.put_blob(&r.path, r.html)?;
    }
    // The search index and the print editions: a preview makes them when a reader asks for
    // them; a build has made the print editions along with the pages, and makes each
    // language's index now, on a thread of its own.
    let later = Deferred {
        site: site.clone(),
        tera: tera.clone(),
        versions: versions.clone(),
        mode,
        pdfs,
        docs,
        bodies: bodies.clone(),
        made: Mutex::default(),
    };
    if site.has_print_edition() {
        pages += site.languages().len();
    }
    let deferred = if keep {
        Some(Arc::new(later))
    } else {
        // The search index and the print editions, in parallel: every chapter's body is ready,
        // rendered for its page. (Made with the pages, a print edition waited for the bodies
        // pages were rendering, and pages for those it was, leaving a core idle.)
        let made = later.make(&later.parts())?;
        laps.lap("search index and print editions");
        files += put_all(sink, made)?;
        // The documents, with every section's text.
        drop_aside(later);
        None
    };
    let r = generated("404".into(), &|| renderer.not_found().map_err(as_error))?;
    files += 1;
    sink.put_blob(&r.path, r.html)?;
    pages += 1;
    laps.lap("404");
    match cache {
        Some(c) => c.keep_navs(renderer.take_navs()),
        None => drop_aside(renderer.take_caches()),
    }
    Ok(Rendered {
        warnings: crate::render::share::unannounced(site, pdfs)
            .into_iter()
            .chain(crate::render::print::left_out(site))
            .collect(),
        pages,
        files,
        coverage: None,
        deferred,
    })
}

/// Writes made files to the sink, in parallel; how many.
fn put_all(sink: &dyn Sink, made: Vec<(String, Vec<u8>)>) -> Result<usize> {
    let n = made.len();
    made.into_par_iter()
        .try_for_each(|(path, bytes)| sink.put(&path, bytes))?;
    Ok(n)
}

/// Files made, kept to be written again: (path, bytes).
type Made = Vec<(String, Blob)>;

/// [`put_all`] for files kept to be written again.
fn put_blobs(sink: &dyn Sink, made: &[(String, Blob)]) -> Result<()> {
    made.par_iter()
        .try_for_each(|(path, bytes)| sink.put_blob(path, bytes.clone()))
}

/// A language's print edition and, with PDFs, the share card `yanbao pdf` photographs (and then
/// removes).
fn print_files(
    site: &Arc<Site>,
    tera: &Arc<tera::Tera>,
    versions: &BTreeMap<String, String>,
    mode: Mode,
    pdfs: bool,
    bodies: Option<&Bodies>,
    lang: &str,
) -> Result<Vec<(String, Vec<u8>)>> {
    let mut renderer = Renderer::new(site, tera, mode, versions);
    renderer.pdfs = pdfs;
    renderer.bodies = bodies;
    let as_error = |d: Diagnostic| Error::content(vec![d]);
    let r = renderer.print_page(lang).map_err(as_error)?;
    let mut files = vec![(r.path, r.html)];
    if pdfs {
        let card = renderer.share_card(lang).map_err(as_error)?;
        files.push((card.path, card.html));
    }
    Ok(files)
}

/// Each language's search documents, page by page in site order.
type Docs = BTreeMap<String, Vec<Arc<[Doc]>>>;

/// A file group made from the whole site, deferred by a preview.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    /// A language's search index (one file, or a manifest with shards).
    Search(String),
    /// A language's print edition.
    Print(String),
}

/// What a preview makes only when a reader asks for it: each language's search index and print
/// edition, made from the whole site. An edit then waits only for the pages it changed; a
/// build makes every part at once.
pub struct Deferred {
    site: Arc<Site>,
    tera: Arc<tera::Tera>,
    versions: BTreeMap<String, String>,
    mode: Mode,
    pdfs: bool,
    docs: Docs,
    /// A build's chapter bodies, rendered by the pages, for the print editions (a preview's
    /// print editions render their own).
    bodies: Option<Arc<Bodies>>,
    /// The parts made so far, with their files.
    made: Mutex<BTreeMap<Part, BTreeMap<String, Blob>>>,
}

impl std::fmt::Debug for Deferred {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deferred")
            .field("parts", &self.parts())
            .finish()
    }
}

impl Deferred {
    /// Every part: each language's search index, then each language's print edition when the
    /// site has them.
    fn parts(&self) -> Vec<Part> {
        let langs = self.site.languages();
        let print = langs.iter().filter(|_| self.site.has_print_edition());
        langs
            .iter()
            .map(|l| Part::Search(l.clone()))
            .chain(print.map(|l| Part::Print(l.clone())))
            .collect()
    }

    /// The part that holds `path`, if one does.
    fn part_of(&self, path: &str) -> Option<Part> {
        let print = self.site.has_print_edition();
        self.site.languages().iter().find_map(|lang| {
            if print && path == format!("{}index.html", crate::render::print::print_dir(lang)) {
                Some(Part::Print(lang.clone()))
            } else {
                let rest = path.strip_prefix("search/")?.strip_prefix(lang.as_str())?;
                (rest == ".json" || rest.starts_with('/')).then(|| Part::Search(lang.clone()))
            }
        })
    }

    fn render(&self, part: &Part) -> Result<Vec<(String, Vec<u8>)>> {
        match part {
            Part::Search(lang) => {
                let docs: Vec<&Doc> = self
                    .docs
                    .get(lang)
                    .into_iter()
                    .flatten()
                    .flat_map(|d| d.iter())
                    .collect();
                Ok(search::build(lang, &docs))
            }
            Part::Print(lang) => print_files(
                &self.site,
                &self.tera,
                &self.versions,
                self.mode,
                self.pdfs,
                self.bodies.as_deref(),
                lang,
            ),
        }
    }

    /// The deferred file at `path`, made on the first request for it (with the rest of its part).
    /// None when no part holds it.
    pub fn get(&self, path: &str) -> Result<Option<Blob>> {
        let Some(part) = self.part_of(path) else {
            return Ok(None);
        };
        let mut made = self.made.lock().map_err(|_| poisoned())?;
        if !made.contains_key(&part) {
            let files = self.render(&part)?;
            let files = files.into_iter().map(|(p, b)| (p, b.into())).collect();
            made.insert(part.clone(), files);
        }
        Ok(made.get(&part).and_then(|files| files.get(path)).cloned())
    }

    /// The given parts' files: each part on a thread of its own.
    fn make(&self, parts: &[Part]) -> Result<Vec<(String, Vec<u8>)>> {
        let made: Vec<Vec<(String, Vec<u8>)>> = parts
            .par_iter()
            .map(|part| self.render(part))
            .collect::<Result<_>>()?;
        Ok(made.into_iter().flatten().collect())
    }

    /// Every deferred file, as a build writes them, shared.
    pub fn all(&self) -> Result<BTreeMap<String, Blob>> {
        Ok(self
            .make(&self.parts())?
            .into_iter()
            .map(|(path, bytes)| (path, bytes.into()))
            .collect())
    }
}

fn poisoned() -> Error {
    Error::Serve("a thread making the search index or a print edition failed".into())
}
