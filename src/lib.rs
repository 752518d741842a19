//! yanbao turns a research report written as Markdown chapters and YAML data into a bilingual
//! static website with charts drawn at build time.
//!
//! The pipeline runs one way: load (config, UI strings, content, data, charts) → assemble the
//! site model → check → render pages in parallel → add downloads, search index, sitemap and
//! assets → write the output folder atomically. [`build`], [`check`] and [`serve`] are the
//! three entry points; `main.rs` only parses arguments and prints.

pub mod blocks;
pub mod cache;
pub mod charts;
pub mod check;
pub mod config;
pub mod content;
pub mod data;
pub mod error;
pub mod export;
pub mod i18n;
pub mod markdown;
pub mod output;
pub mod quantity;
pub mod render;
pub mod search;
pub mod serve;
pub mod site;
pub mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

pub use error::{Diagnostic, Error, Result, Severity};
use render::{Mode, RenderedPage, Renderer};
use site::Site;

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
}

impl Options {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        Options {
            output: root.join("public"),
            root,
            base_url: None,
            drafts: false,
        }
    }
}

/// What a finished build reports.
#[derive(Debug)]
pub struct Report {
    /// HTML pages written.
    pub pages: usize,
    /// All files written.
    pub files: usize,
    pub warnings: Vec<Diagnostic>,
    pub output: PathBuf,
    pub elapsed: Duration,
}

impl Report {
    fn new(r: Rendered, opts: &Options, start: Instant) -> Report {
        Report {
            pages: r.pages,
            files: r.files,
            warnings: r.warnings,
            output: opts.output.clone(),
            elapsed: start.elapsed(),
        }
    }
}

/// A built site in memory: output path → bytes, plus the warnings.
#[derive(Debug, Clone, Default)]
pub struct Built {
    pub files: BTreeMap<String, Vec<u8>>,
    pub warnings: Vec<Diagnostic>,
    pub pages: usize,
}

/// What rendering produced, besides the files it handed to the sink.
#[derive(Debug, Default)]
pub struct Rendered {
    pub warnings: Vec<Diagnostic>,
    pub pages: usize,
    pub files: usize,
}

/// Builds the site and writes it to `opts.output` (only if everything succeeded). Pages go to
/// a staging folder as they render, which replaces the output at the end.
pub fn build(opts: &Options) -> Result<Report> {
    let start = Instant::now();
    let staging = output::Staging::begin(&opts.output, &opts.root)?;
    match run(opts, Mode::Build, None, &staging) {
        Ok(r) => {
            staging.finish()?;
            Ok(Report::new(r, opts, start))
        }
        Err(e) => {
            staging.abort();
            Err(e)
        }
    }
}

/// Runs every check of a build (broken links are errors here) without writing anything.
pub fn check(opts: &Options) -> Result<Report> {
    let start = Instant::now();
    let r = run(opts, Mode::Check, None, &output::Discard)?;
    Ok(Report::new(r, opts, start))
}

pub use serve::serve;

/// Everything loaded for one build.
pub struct Loaded {
    pub site: Site,
    /// None when a template has errors (rendering is then impossible).
    pub tera: Option<tera::Tera>,
    pub templates_hash: u64,
    pub problems: Vec<Diagnostic>,
}

/// Loads every input and assembles the site model. Problems are collected, not fatal: the site
/// is assembled from whatever loaded, so rendering can find the rest (links, references). Only a
/// broken configuration or language pack stops here.
pub fn load(opts: &Options) -> Result<Loaded> {
    let root = &opts.root;
    let (mut config, _) = config::load(root).map_err(Error::content)?;
    if let Some(url) = &opts.base_url {
        config.base_url = Some(url.clone());
    }
    let packs = i18n::load(root, &config.languages).map_err(Error::content)?;
    // Typographic quotes in the site's own texts, as in the pages of those languages.
    for (lang, pack) in &packs.by_lang {
        if pack.smart_punctuation {
            for texts in [
                Some(&mut config.title),
                Some(&mut config.description),
                config.subtitle.as_mut(),
                config.publisher.as_mut(),
            ]
            .into_iter()
            .flatten()
            {
                if let Some(t) = texts.get_mut(lang) {
                    *t = content::smart_quotes(t);
                }
            }
        }
    }
    let mut problems = Vec::new();
    let (tera, templates_hash) = match render::load_templates(root) {
        Ok((t, h)) => (Some(t), h),
        Err(mut d) => {
            problems.append(&mut d);
            (None, 0)
        }
    };
    let data = data::load(root, &config.languages, &packs, &mut problems);
    let charts = charts::load(root, &data, &packs, &config.languages, &mut problems);
    let pages = content::load(root, &config, opts.drafts, &mut problems);
    let site = Site::assemble(config, packs, data, charts, pages, &mut problems);
    check::site(&site, &mut problems);
    Ok(Loaded {
        site,
        tera,
        templates_hash,
        problems,
    })
}

/// The whole build without writing: every output file in memory, or every problem found.
pub fn build_in_memory(opts: &Options, mode: Mode) -> Result<Built> {
    build_with_cache(opts, mode, None)
}

/// Like [`build_in_memory`], reusing pages from `cache` whose inputs did not change.
pub fn build_with_cache(
    opts: &Options,
    mode: Mode,
    cache: Option<&mut cache::Cache>,
) -> Result<Built> {
    let sink = output::Memory::default();
    let r = run(opts, mode, cache, &sink)?;
    Ok(Built {
        files: sink.into_files(),
        warnings: r.warnings,
        pages: r.pages,
    })
}

/// Load, check and render into `sink`, collecting every problem.
fn run(
    opts: &Options,
    mode: Mode,
    cache: Option<&mut cache::Cache>,
    sink: &dyn output::Sink,
) -> Result<Rendered> {
    let Loaded {
        site,
        tera,
        templates_hash,
        mut problems,
    } = load(opts)?;
    let Some(tera) = tera else {
        return Err(Error::content(problems));
    };
    match render_site(&site, &tera, mode, &opts.root, templates_hash, cache, sink) {
        Ok(mut r) if !problems.iter().any(Diagnostic::is_error) => {
            r.warnings.append(&mut problems);
            error::sort_diagnostics(&mut r.warnings);
            Ok(r)
        }
        Ok(r) => {
            problems.extend(r.warnings);
            Err(Error::content(problems))
        }
        Err(Error::Content(mut more)) => {
            problems.append(&mut more);
            Err(Error::content(problems))
        }
        Err(e) => Err(e),
    }
}

/// One page job's outcome: what rendered (or was reused from the cache) and its problems.
struct PageOutcome<'a> {
    page: &'a site::Page,
    at_root: bool,
    rendered: Option<RenderedPage>,
    problems: Vec<Diagnostic>,
    reused: bool,
}

/// Renders a loaded site, handing each file to `sink` as soon as it is ready. With a cache,
/// pages whose inputs are unchanged are reused.
pub fn render_site(
    site: &Site,
    tera: &tera::Tera,
    mode: Mode,
    root: &Path,
    templates_hash: u64,
    cache: Option<&mut cache::Cache>,
    sink: &dyn output::Sink,
) -> Result<Rendered> {
    let mut problems: Vec<Diagnostic> = Vec::new();
    let mut files = 0;
    // Static assets first: pages link them with a content hash for cache busting.
    let mut versions: BTreeMap<String, String> = BTreeMap::new();
    for (path, bytes) in static_files(root, &mut problems) {
        versions.insert(path.clone(), short_hash(&bytes));
        sink.put(&path, bytes)?;
        files += 1;
    }
    let renderer = Renderer {
        site,
        tera,
        mode,
        asset_versions: &versions,
        nav_cache: Default::default(),
        list_cache: Default::default(),
    };
    let mut jobs: Vec<(&site::Page, bool)> = site.pages.iter().map(|p| (p, false)).collect();
    if let Some(home) = site.home(site.default_language()) {
        jobs.push((home, true));
    }
    let key = |p: &site::Page, r: bool| (p.lang().to_string(), p.key().to_string(), r);
    // Fingerprints only matter to a cache (serve); a plain build does not compute them.
    let fingerprints: Vec<u64> = match &cache {
        Some(_) => {
            let global = cache::global_fingerprint(site, templates_hash, &versions, mode);
            jobs.iter()
                .map(|(p, r)| cache::page_fingerprint(site, p, *r, global))
                .collect()
        }
        None => Vec::new(),
    };
    let cached: Vec<_> = jobs
        .iter()
        .enumerate()
        .map(|(i, (p, r))| {
            let c = cache.as_ref()?;
            c.get(&key(p, *r), fingerprints[i])
        })
        .collect();
    let keep_html = cache.is_some();
    // Pages render in parallel and go to the sink at once; without a cache their HTML is not
    // kept, so a large site need not fit in memory.
    let results: Vec<PageOutcome> = jobs
        .par_iter()
        .zip(cached.into_par_iter())
        .map(|(&(page, at_root), hit)| {
            let (rendered, problems, reused) = match hit {
                Some((r, d)) => (r, d, true),
                None => {
                    let (r, d) = renderer.page(page, at_root);
                    (r, d, false)
                }
            };
            let rendered = match rendered {
                Some(mut r) => {
                    let html = if keep_html {
                        r.html.clone()
                    } else {
                        std::mem::take(&mut r.html)
                    };
                    sink.put(&r.path, html.into_bytes())?;
                    Some(r)
                }
                None => None,
            };
            Ok(PageOutcome {
                page,
                at_root,
                rendered,
                problems,
                reused,
            })
        })
        .collect::<Result<_>>()?;
    if let Some(c) = cache {
        c.rendered = results.iter().filter(|o| !o.reused).count();
        c.reused = results.len() - c.rendered;
        for (o, f) in results.iter().zip(&fingerprints) {
            c.put(
                key(o.page, o.at_root),
                *f,
                o.rendered.clone(),
                o.problems.clone(),
            );
        }
    }
    let mut search_docs: BTreeMap<String, Vec<search::Doc>> = BTreeMap::new();
    let mut pages = 0;
    for mut o in results {
        // The root copy repeats the default home page's problems.
        if !o.at_root {
            problems.append(&mut o.problems);
        }
        if let Some(r) = o.rendered {
            if !o.at_root {
                let title = o.page.src.front.title.clone().unwrap_or_default();
                let href = format!("{}index.html", o.page.dir);
                search_docs
                    .entry(o.page.lang().to_string())
                    .or_default()
                    .extend(search::page_docs(&href, &title, &r.sections));
            }
            files += 1;
            pages += 1;
        }
    }
    let mut put = |path: String, bytes: Vec<u8>| -> Result<()> {
        files += 1;
        sink.put(&path, bytes)
    };
    for lang in site.languages() {
        let (r, mut d) = renderer.search_page(lang);
        problems.append(&mut d);
        if let Some(r) = r {
            put(r.path, r.html.into_bytes())?;
            pages += 1;
        }
        let docs = search_docs.remove(lang).unwrap_or_default();
        put(
            format!("search/{lang}.json"),
            search::build(&docs).into_bytes(),
        )?;
    }
    let (r, mut d) = renderer.not_found();
    problems.append(&mut d);
    if let Some(r) = r {
        put(r.path, r.html.into_bytes())?;
        pages += 1;
    }
    for (path, bytes) in export::files(site) {
        put(path, bytes)?;
    }
    put("robots.txt".into(), robots(site).into_bytes())?;
    if let Some(xml) = sitemap(site) {
        put("sitemap.xml".into(), xml.into_bytes())?;
    }
    put("manifest.webmanifest".into(), manifest(site).into_bytes())?;
    error::sort_diagnostics(&mut problems);
    if problems.iter().any(Diagnostic::is_error) {
        return Err(Error::Content(problems));
    }
    Ok(Rendered {
        warnings: problems,
        pages,
        files,
    })
}

/// Built-in assets, then the site's `static/` (which wins). Symlinks leading out of `static/`
/// are skipped: a build never copies files from elsewhere on the machine.
fn static_files(root: &Path, problems: &mut Vec<Diagnostic>) -> Vec<(String, Vec<u8>)> {
    let mut files: BTreeMap<String, Vec<u8>> = BUILTIN_STATIC
        .iter()
        .map(|(n, b)| (format!("static/{n}"), b.to_vec()))
        .collect();
    let dir = root.join("static");
    if let Ok(canon_dir) = dir.canonicalize() {
        for entry in walkdir::WalkDir::new(&dir)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_map(|e| e.ok())
        {
            let path = entry.path();
            let rel = path
                .strip_prefix(&dir)
                .unwrap_or(path)
                .to_string_lossy()
                .replace('\\', "/");
            if entry.file_type().is_dir() || rel.is_empty() {
                continue;
            }
            let inside = path
                .canonicalize()
                .map(|c| c.starts_with(&canon_dir))
                .unwrap_or(false);
            if !inside {
                problems.push(
                    Diagnostic::warning(
                        format!("static/{rel}"),
                        "skipped: this link points outside static/",
                    )
                    .help("copy the file into static/ instead of linking to it"),
                );
                continue;
            }
            if path.is_dir() {
                continue;
            }
            match std::fs::read(path) {
                Ok(b) => {
                    files.insert(format!("static/{rel}"), b);
                }
                Err(e) => problems.push(Diagnostic::error(
                    format!("static/{rel}"),
                    format!("cannot read: {e}"),
                )),
            }
        }
    }
    files.into_iter().collect()
}

/// Assets compiled into yanbao; a site's `static/` may replace any of them.
pub const BUILTIN_STATIC: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../static/style.css")),
    ("print.css", include_bytes!("../static/print.css")),
    ("theme.js", include_bytes!("../static/theme.js")),
    ("yanbao.js", include_bytes!("../static/yanbao.js")),
    ("search.js", include_bytes!("../static/search.js")),
    ("favicon.svg", include_bytes!("../static/favicon.svg")),
];

/// FNV-1a, 8 hex digits: stable across runs and machines.
pub fn short_hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{:08x}", h >> 32)
}

fn robots(site: &Site) -> String {
    let mut s = String::from("User-agent: *\nAllow: /\n");
    if let Some(base) = site.config.base_url() {
        s.push_str(&format!("Sitemap: {base}sitemap.xml\n"));
    }
    s
}

fn xml_escape(s: &str) -> String {
    markdown::escape(s)
}

/// sitemap.xml with hreflang alternates; only when base_url is known (sitemaps need absolute URLs).
fn sitemap(site: &Site) -> Option<String> {
    let base = site.config.base_url()?;
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    for page in &site.pages {
        s.push_str(&format!(
            "  <url>\n    <loc>{}</loc>\n",
            xml_escape(&format!("{base}{}", page.dir))
        ));
        for lang in site.languages() {
            if let Some(p) = site.page(lang, page.key()) {
                let hl = site
                    .packs
                    .get(lang)
                    .html_lang
                    .clone()
                    .unwrap_or_else(|| lang.clone());
                s.push_str(&format!(
                    "    <xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>\n",
                    xml_escape(&hl),
                    xml_escape(&format!("{base}{}", p.dir))
                ));
            }
        }
        if let Some(p) = site.page(site.default_language(), page.key()) {
            let dir = if p.is_home() {
                String::new()
            } else {
                p.dir.clone()
            };
            s.push_str(&format!(
                "    <xhtml:link rel=\"alternate\" hreflang=\"x-default\" href=\"{}\"/>\n",
                xml_escape(&format!("{base}{dir}"))
            ));
        }
        s.push_str("  </url>\n");
    }
    s.push_str("</urlset>\n");
    Some(s)
}

fn manifest(site: &Site) -> String {
    let lang = site.default_language();
    let title = site.config.title.get(lang).cloned().unwrap_or_default();
    let short: String = title.chars().take(12).collect();
    let m = serde_json::json!({
        "name": title,
        "short_name": short,
        "lang": site.packs.get(lang).html_lang.clone().unwrap_or(lang.to_string()),
        "start_url": format!("./{lang}/"),
        "scope": "./",
        "display": "browser",
        "background_color": "#fbfaf7",
        "theme_color": "#9a3b26",
        "icons": [{"src": "static/favicon.svg", "sizes": "any", "type": "image/svg+xml"}]
    });
    serde_json::to_string_pretty(&m).unwrap_or_default()
}
