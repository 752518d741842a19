//! Tera templates and their context. Templates load at run time from the site's `templates/`,
//! falling back to the built-in ones compiled into yanbao, so an editor can change the look
//! without recompiling. Each page renders independently (in parallel, by the caller).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use tera::Tera;

use crate::blocks::{BlockSpec, Ctx, Note};
use crate::content::HOME_KEY;
use crate::data::{SourceKind, Value};
use crate::error::{Diagnostic, Severity};
use crate::markdown::{self, BlockHtml, BlockInfo, Embedder, Rendered, TocEntry, escape};
use crate::quantity::Style;
use crate::site::{Page, Site};

/// Templates compiled into yanbao; a file of the same name in the site's `templates/` wins.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("chapter.html", include_str!("../templates/chapter.html")),
    ("search.html", include_str!("../templates/search.html")),
    ("404.html", include_str!("../templates/404.html")),
    ("nav.html", include_str!("../templates/nav.html")),
    ("notes.html", include_str!("../templates/notes.html")),
];

/// How strict link checking is: `check` fails on broken links, `build` warns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Build,
    Check,
    /// Like build, and pages get the live-reload script.
    Serve,
}

/// Loads the templates: the site's own where present, else the built-in ones. Also returns a
/// hash of their sources (for the rebuild cache).
pub fn load_templates(root: &Path) -> Result<(Tera, u64), Vec<Diagnostic>> {
    let mut sources: BTreeMap<String, String> = builtin_sources();
    let dir = root.join("templates");
    let mut problems = Vec::new();
    if dir.is_dir() {
        for entry in walkdir::WalkDir::new(&dir)
            .sort_by_file_name()
            .into_iter()
            .filter_map(|e| e.ok())
        {
            let path = entry.path();
            if !entry.file_type().is_file()
                || path.extension().and_then(|e| e.to_str()) != Some("html")
            {
                continue;
            }
            let name = path
                .strip_prefix(&dir)
                .unwrap_or(path)
                .to_string_lossy()
                .replace('\\', "/");
            match std::fs::read_to_string(path) {
                Ok(t) => {
                    sources.insert(name, t);
                }
                Err(e) => problems.push(Diagnostic::error(
                    format!("templates/{name}"),
                    format!("cannot read template: {e}"),
                )),
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    // Tera's default also escapes `/`, which makes every URL in the output unreadable.
    tera.set_escape_fn(escape_html);
    if let Err(e) = tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str()))) {
        // Tera names the failing template in its message: "Failed to parse 'chapter.html'".
        let msg = e.to_string();
        let name = msg.split('\'').nth(1).unwrap_or("base.html").to_string();
        let text = sources.get(&name).map(String::as_str).unwrap_or("");
        problems.push(template_error(&name, &e, text));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut h = std::hash::DefaultHasher::new();
    std::hash::Hash::hash(&sources, &mut h);
    Ok((tera, std::hash::Hasher::finish(&h)))
}

fn escape_html(s: &str) -> String {
    escape(s)
}

fn builtin_sources() -> BTreeMap<String, String> {
    BUILTIN_TEMPLATES
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect()
}

/// A Tera error as a diagnostic: the whole cause chain, and `line:col` when Tera gives one.
pub fn template_error(name: &str, e: &tera::Error, text: &str) -> Diagnostic {
    let mut chain = vec![e.to_string()];
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        chain.push(s.to_string());
        src = s.source();
    }
    let full = chain.join(": ");
    // Tera's parser reports ` --> line:col` inside the message.
    let pos = full.find("--> ").and_then(|i| {
        let rest = &full[i + 4..];
        let end = rest
            .find(|c: char| !c.is_ascii_digit() && c != ':')
            .unwrap_or(rest.len());
        let (l, c) = rest[..end].split_once(':')?;
        Some((l.parse::<usize>().ok()?, c.parse::<usize>().ok()?))
    });
    // Keep each cause's first line; for parser errors, the "= expected …" line says what is wrong.
    let message = chain
        .iter()
        .map(|s| {
            s.lines()
                .find_map(|l| l.trim().strip_prefix("= ").map(str::to_string))
                .unwrap_or_else(|| s.lines().next().unwrap_or("").trim().to_string())
        })
        .filter(|s| !s.is_empty() && !s.starts_with("-->"))
        .collect::<Vec<_>>()
        .join(": ");
    let mut d = Diagnostic::error(format!("templates/{name}"), message).help(
        "fix the template; `yanbao build` falls back to the built-in template only when the file is absent",
    );
    if let Some((l, c)) = pos {
        d = d.at(l, c).with_snippet_from(text);
    }
    d
}

#[derive(Serialize)]
struct SiteCtx<'a> {
    title: &'a str,
    subtitle: &'a str,
    description: &'a str,
    publisher: &'a str,
    author: &'a str,
    date: &'a str,
    base_url: Option<String>,
    extra: BTreeMap<&'a str, &'a str>,
}

#[derive(Serialize)]
struct LangLink {
    code: String,
    name: String,
    html_lang: String,
    href: String,
    current: bool,
}

#[derive(Serialize, Clone)]
struct Link {
    title: String,
    number: Option<String>,
    href: String,
}

#[derive(Serialize)]
struct NavItem {
    key: String,
    title: String,
    short_title: String,
    number: Option<String>,
    summary: Option<String>,
    href: String,
    /// The chapter's main sections (its `section_level`); filled on the home page only.
    outline: Vec<TocItem>,
}

#[derive(Serialize, Clone)]
struct TocItem {
    level: u8,
    id: String,
    html: String,
    text: String,
    href: String,
}

#[derive(Serialize)]
struct KeyFigure {
    /// The whole value as text ("CNY 15.7 billion"), and in parts for display.
    value: String,
    before: String,
    number: String,
    after: String,
    label: String,
    kind: &'static str,
    href: String,
}

#[derive(Serialize)]
struct Alternate {
    hreflang: String,
    href: String,
}

#[derive(Serialize)]
struct PageCtx {
    kind: &'static str,
    key: String,
    title: String,
    number: Option<String>,
    summary: Option<String>,
    description: String,
    content: String,
    toc: Vec<TocItem>,
    prev: Option<Link>,
    next: Option<Link>,
    notes: Vec<Note>,
    /// Absolute URLs (only with base_url).
    canonical: Option<String>,
    alternates: Vec<Alternate>,
    key_figures: Vec<KeyFigure>,
    charts: Vec<String>,
}

impl PageCtx {
    /// A page made by yanbao rather than from a Markdown file (search, 404).
    fn generated(
        kind: &'static str,
        title: &str,
        description: &str,
        canonical: Option<String>,
    ) -> PageCtx {
        PageCtx {
            kind,
            key: kind.to_string(),
            title: title.to_string(),
            number: None,
            summary: None,
            description: description.to_string(),
            content: String::new(),
            toc: vec![],
            prev: None,
            next: None,
            notes: vec![],
            canonical,
            alternates: vec![],
            key_figures: vec![],
            charts: vec![],
        }
    }
}

/// One rendered output file and the search sections of its page.
#[derive(Debug, Clone)]
pub struct RenderedPage {
    pub path: String,
    pub html: String,
    pub sections: Vec<markdown::Section>,
}

/// Renders the Markdown of a page, collecting problems (with file positions) as it goes.
pub struct PageEmbed<'a> {
    pub site: &'a Site,
    pub page: &'a Page,
    pub ctx: Ctx<'a>,
    pub mode: Mode,
    pub problems: Vec<Diagnostic>,
}

impl<'a> PageEmbed<'a> {
    pub fn new(site: &'a Site, page: &'a Page, prefix: &str, mode: Mode) -> Self {
        PageEmbed {
            site,
            page,
            ctx: Ctx::new(site, page.lang(), prefix),
            mode,
            problems: Vec::new(),
        }
    }

    fn at(&self, offset: usize, severity: Severity, message: String, help: String) -> Diagnostic {
        let mut d = self
            .page
            .src
            .file
            .error_at(self.page.src.body_start + offset, message);
        d.severity = severity;
        if !help.is_empty() {
            d = d.help(help);
        }
        d
    }

    fn link_problem(&mut self, offset: usize, message: String, help: String) {
        let severity = if self.mode == Mode::Check {
            Severity::Error
        } else {
            Severity::Warning
        };
        let d = self.at(offset, severity, message, help);
        self.problems.push(d);
    }

    /// Resolves a link written in Markdown to an output URL relative to this page.
    fn resolve_link(&mut self, dest: &str, offset: usize) -> String {
        let site = self.site;
        let page = self.page;
        if dest.is_empty() || dest.starts_with("//") || has_scheme(dest) {
            return dest.to_string();
        }
        let (path, frag) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (dest, None),
        };
        if path.is_empty() {
            let f = frag.unwrap_or("");
            if !f.is_empty() && !site.page_anchors(page).contains(f) {
                self.link_problem(
                    offset,
                    format!("broken link: no heading or figure `#{f}` on this page"),
                    anchors_help(site, page),
                );
            }
            return dest.to_string();
        }
        if let Some(rest) = path.strip_prefix('/') {
            return format!(
                "{}{}",
                site.asset_href(&self.ctx.prefix, rest),
                frag.map(|f| format!("#{f}")).unwrap_or_default()
            );
        }
        if !path.ends_with(".md") {
            self.link_problem(
                offset,
                format!("link to `{path}` is neither a chapter (`.md`) nor a site path (`/…`)"),
                "link chapters as `status.md#anchor`; put files in static/ and link them as `/static/file`".into(),
            );
            return dest.to_string();
        }
        // Resolve relative to content/<lang>/.
        let mut parts: Vec<&str> = vec![page.lang()];
        for seg in path.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                s => parts.push(s),
            }
        }
        let target = match parts.as_slice() {
            [lang, file] => {
                let key = file.trim_end_matches(".md");
                site.page(lang, key)
            }
            _ => None,
        };
        let Some(target) = target else {
            if let [lang, file] = parts.as_slice() {
                if site
                    .failed_pages
                    .contains(&(lang.to_string(), file.trim_end_matches(".md").to_string()))
                {
                    return dest.to_string();
                }
            }
            let keys: Vec<&str> = site.pages_of(page.lang()).map(|p| p.key()).collect();
            self.link_problem(
                offset,
                format!("broken link: `{path}` is not a page of this site"),
                format!(
                    "link one of: {}",
                    keys.iter()
                        .map(|k| format!("{k}.md"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            return dest.to_string();
        };
        let mut href = site.href(&self.ctx.prefix, &target.dir);
        if let Some(f) = frag {
            if !f.is_empty() && !site.page_anchors(target).contains(f) {
                self.link_problem(
                    offset,
                    format!(
                        "broken link: `{}` has no heading or figure `#{f}`",
                        target.src.file.path.display()
                    ),
                    anchors_help(site, target),
                );
            }
            href.push('#');
            href.push_str(f);
        }
        href
    }

    fn figure_ref(&mut self, kind: &str, id: &str) -> Result<String, (String, String)> {
        let site = self.site;
        let key = (self.page.lang().to_string(), id.to_string());
        let n = site.figure_ids.get(&key).ok_or_else(|| {
            let known: Vec<&str> = site
                .figure_ids
                .keys()
                .filter(|(l, _)| l == self.page.lang())
                .map(|(_, i)| i.as_str())
                .collect();
            (
                format!("no figure or table with id `{id}`"),
                format!("ids: {}", known.join(", ")),
            )
        })?;
        let expected = if kind == "tab" {
            crate::blocks::FigureKind::Table
        } else {
            crate::blocks::FigureKind::Figure
        };
        if n.kind != expected {
            return Err((
                format!(
                    "`{id}` is a {}, not a {}",
                    if kind == "tab" { "figure" } else { "table" },
                    if kind == "tab" { "table" } else { "figure" }
                ),
                format!(
                    "write `{{{{{}:{id}}}}}`",
                    if kind == "tab" { "fig" } else { "tab" }
                ),
            ));
        }
        let pack = site.packs.get(self.page.lang());
        let label = pack.string(if kind == "tab" { "table" } else { "figure" });
        let href = if n.page == self.page.key() {
            format!("#{}", n.anchor)
        } else {
            let target = site
                .page(self.page.lang(), &n.page)
                .map(|p| p.dir.clone())
                .unwrap_or_default();
            format!("{}#{}", site.href(&self.ctx.prefix, &target), n.anchor)
        };
        Ok(format!(
            "<a class=\"xref\" href=\"{}\">{} {}</a>",
            escape(&href),
            escape(label),
            n.number
        ))
    }
}

fn has_scheme(s: &str) -> bool {
    match s.find(':') {
        Some(i) => {
            s[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.')
                && i > 0
        }
        None => false,
    }
}

fn anchors_help(site: &Site, page: &Page) -> String {
    let anchors: Vec<String> = site.page_anchors(page).into_iter().collect();
    if anchors.is_empty() {
        "that page has no anchors".into()
    } else {
        let shown: Vec<&str> = anchors.iter().take(12).map(String::as_str).collect();
        format!(
            "anchors there: {}{}",
            shown.join(", "),
            if anchors.len() > 12 { ", …" } else { "" }
        )
    }
}

impl Embedder for PageEmbed<'_> {
    fn reference(&mut self, spec: &str, _offset: usize) -> Result<String, (String, String)> {
        let spec = spec.trim();
        for kind in ["fig", "tab"] {
            if let Some(id) = spec.strip_prefix(kind).and_then(|s| s.strip_prefix(':')) {
                return self.figure_ref(kind, id.trim());
            }
        }
        let site = self.site;
        let resolved = site.data.resolve(spec)?;
        Ok(self.ctx.inline(&resolved))
    }

    fn block(&mut self, block: &BlockInfo, index: usize) -> Result<BlockHtml, (String, String)> {
        let site = self.site;
        let page = self.page;
        // Invalid specs were reported when the site was assembled.
        let Some(Some(spec)) = page.specs.get(index) else {
            return Ok(BlockHtml::default());
        };
        let numbered = site
            .numbers
            .get(&(page.lang().to_string(), page.key().to_string(), index))
            .cloned();
        let _ = block;
        match spec {
            BlockSpec::Chart(c) => {
                if site.charts.failed.contains(&c.id) {
                    return Err((crate::error::ALREADY_REPORTED.into(), String::new()));
                }
                let chart = site.charts.charts.get(&c.id).ok_or_else(|| {
                    (
                        format!("unknown chart `{}`", c.id),
                        format!(
                            "charts are content/charts/<id>.yaml; known: {}",
                            crate::data::list_keys(&site.charts.charts)
                        ),
                    )
                })?;
                let uid = numbered
                    .as_ref()
                    .map_or_else(|| format!("c{index}"), |n| n.anchor.clone());
                self.ctx
                    .chart(chart, numbered.as_ref(), &uid)
                    .map(BlockHtml::from)
            }
            BlockSpec::Table(t) => {
                let n =
                    numbered.ok_or_else(|| ("table is not numbered".to_string(), String::new()))?;
                self.ctx.table(t, &n).map(BlockHtml::from)
            }
            BlockSpec::Stats(s) => self.ctx.stats(s).map(BlockHtml::from),
            BlockSpec::Figure(f) => {
                let n = numbered
                    .ok_or_else(|| ("figure is not numbered".to_string(), String::new()))?;
                let (html, close) = self.ctx.figure(f, &n);
                Ok(BlockHtml {
                    html,
                    close,
                    ..BlockHtml::default()
                })
            }
            BlockSpec::Glossary(g) => self.ctx.glossary(g),
        }
    }

    fn link(&mut self, dest: &str, offset: usize) -> String {
        self.resolve_link(dest, offset)
    }

    fn problem(&mut self, offset: usize, message: String, help: String) {
        let d = self.at(offset, Severity::Error, message, help);
        self.problems.push(d);
    }
}

/// Everything the templates and the pages share for one build.
pub struct Renderer<'a> {
    pub site: &'a Site,
    pub tera: &'a Tera,
    pub mode: Mode,
    /// Static asset path → `?v=hash` for cache busting.
    pub asset_versions: &'a BTreeMap<String, String>,
    /// Navigation per (language, link prefix, with outlines), built once and shared by pages.
    pub nav_cache: std::sync::Mutex<BTreeMap<(String, String, bool), std::sync::Arc<tera::Value>>>,
    /// The rendered chapter list (`nav.html`) per (language, link prefix).
    pub list_cache: std::sync::Mutex<BTreeMap<(String, String), std::sync::Arc<String>>>,
}

impl Renderer<'_> {
    /// The chapter list of a language with links for pages at `prefix`; with the sections of
    /// each chapter (`outline`) for the home page. Built once per combination: a page only
    /// compares `item.key` with its own key to mark itself current.
    fn nav(&self, lang: &str, prefix: &str, with_outline: bool) -> std::sync::Arc<tera::Value> {
        let key = (lang.to_string(), prefix.to_string(), with_outline);
        if let Some(v) = self
            .nav_cache
            .lock()
            .ok()
            .and_then(|c| c.get(&key).cloned())
        {
            return v;
        }
        let site = self.site;
        let ctx = Ctx::new(site, lang, prefix);
        let nav: Vec<NavItem> = site
            .chapters(lang)
            .map(|p| {
                let level = p.src.front.section_level.unwrap_or(2);
                let outline = if with_outline {
                    p.scan
                        .headings
                        .iter()
                        .filter(|h| h.level == level)
                        .map(|h| {
                            let text = ctx.expand_plain(&h.raw);
                            TocItem {
                                level: h.level,
                                id: h.id.clone(),
                                html: escape(&text),
                                text,
                                href: format!("{}#{}", site.href(prefix, &p.dir), h.id),
                            }
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                NavItem {
                    key: p.key().to_string(),
                    title: p.src.front.title.clone().unwrap_or_default(),
                    short_title: p.nav_title().to_string(),
                    number: p.src.front.number.clone(),
                    summary: p.src.front.summary.clone(),
                    href: site.href(prefix, &p.dir),
                    outline,
                }
            })
            .collect();
        let value = std::sync::Arc::new(tera::to_value(&nav).unwrap_or(tera::Value::Null));
        if let Ok(mut c) = self.nav_cache.lock() {
            c.insert(key, value.clone());
        }
        value
    }

    /// The chapter list of `nav.html`, rendered once per language and folder depth, with the
    /// page `key` marked current. Rendering it for every page made large sites quadratic in
    /// template work (a thousand chapters: 3.8 s of 6.2 s).
    fn chapter_list(
        &self,
        lang: &str,
        prefix: &str,
        key: &str,
    ) -> std::result::Result<String, tera::Error> {
        let cache_key = (lang.to_string(), prefix.to_string());
        let cached = self
            .list_cache
            .lock()
            .ok()
            .and_then(|c| c.get(&cache_key).cloned());
        let list = match cached {
            Some(l) => l,
            None => {
                let mut ctx = tera::Context::new();
                ctx.insert("nav", &*self.nav(lang, prefix, false));
                ctx.insert("home_href", &self.site.href(prefix, &format!("{lang}/")));
                ctx.insert("t", &self.site.packs.get(lang).strings);
                ctx.insert("lang", lang);
                let l = std::sync::Arc::new(self.tera.render("nav.html", &ctx)?);
                if let Ok(mut c) = self.list_cache.lock() {
                    c.insert(cache_key, l.clone());
                }
                l
            }
        };
        let marker = format!(" data-page=\"{}\"", escape(key));
        Ok(list.replacen(&marker, &format!("{marker} aria-current=\"page\""), 1))
    }

    fn asset(&self, prefix: &str, path: &str) -> String {
        let v = self
            .asset_versions
            .get(path)
            .map(|h| format!("?v={h}"))
            .unwrap_or_default();
        format!("{prefix}{path}{v}")
    }

    /// Renders one page (or the root copy of the default language's home page).
    pub fn page(&self, page: &Page, at_root: bool) -> (Option<RenderedPage>, Vec<Diagnostic>) {
        let site = self.site;
        let prefix = if at_root {
            String::new()
        } else {
            page.prefix()
        };
        let mut embed = PageEmbed::new(site, page, &prefix, self.mode);
        let body = page.src.body();
        let Rendered {
            html,
            toc,
            sections,
        } = markdown::render(&page.doc, body, &mut embed);
        lint_emphasis(&html, page, &mut embed.problems);
        let lang = page.lang();
        let pack = site.packs.get(lang);
        let mut ctx = match self.base_context(lang, &prefix, Some(page)) {
            Ok(c) => c,
            Err(d) => {
                embed.problems.push(d);
                return (None, embed.problems);
            }
        };
        let toc_items: Vec<TocItem> = toc.iter().map(|t| toc_item(t, "")).collect();
        let front = &page.src.front;
        let (prev, next) = site.neighbours(page);
        let link = |p: &Page| Link {
            title: p.nav_title().to_string(),
            number: p.src.front.number.clone(),
            href: site.href(&prefix, &p.dir),
        };
        let mut key_figures = Vec::new();
        let mut charts = Vec::new();
        if page.is_home() {
            for (i, spec) in front.key_figures.iter().enumerate() {
                match key_figure(&mut embed, spec, &prefix) {
                    Ok(k) => key_figures.push(k),
                    Err((m, h)) => embed.problems.push(
                        page.src
                            .front_loc
                            .error(&page.src.file, &format!("key_figures.{i}"), m)
                            .help(h),
                    ),
                }
            }
            for (i, id) in front.charts.iter().enumerate() {
                if site.charts.failed.contains(id) {
                    continue;
                }
                let Some(chart) = site.charts.charts.get(id) else {
                    embed.problems.push(
                        page.src
                            .front_loc
                            .error(
                                &page.src.file,
                                &format!("charts.{i}"),
                                format!("unknown chart `{id}`"),
                            )
                            .help(format!(
                                "known charts: {}",
                                crate::data::list_keys(&site.charts.charts)
                            )),
                    );
                    continue;
                };
                // On the home page a chart links to where the report discusses it.
                let numbered = site
                    .figure_ids
                    .get(&(lang.to_string(), id.clone()))
                    .cloned()
                    .map(|mut n| {
                        let dir = site
                            .page(lang, &n.page)
                            .map(|p| p.dir.clone())
                            .unwrap_or_default();
                        n.anchor = format!("home-{}", n.anchor);
                        (n, dir)
                    });
                match embed.ctx.chart(
                    chart,
                    numbered.as_ref().map(|(n, _)| n),
                    &format!("home-{id}"),
                ) {
                    Ok(mut html) => {
                        if let Some((n, dir)) = &numbered {
                            let href = format!(
                                "{}#{}",
                                site.href(&prefix, dir),
                                n.anchor.trim_start_matches("home-")
                            );
                            html = html.replacen(
                                "</figcaption>",
                                &format!(
                                    " <a class=\"fig-more\" href=\"{}\">{}</a></figcaption>",
                                    escape(&href),
                                    escape(pack.string("read_more"))
                                ),
                                1,
                            );
                        }
                        charts.push(html);
                    }
                    Err((m, h)) => embed.problems.push(
                        page.src
                            .front_loc
                            .error(&page.src.file, &format!("charts.{i}"), m)
                            .help(h),
                    ),
                }
            }
        }
        let title = if page.is_home() {
            front
                .title
                .clone()
                .unwrap_or_else(|| site.config.title.get(lang).cloned().unwrap_or_default())
        } else {
            front.title.clone().unwrap_or_default()
        };
        let description = front
            .description
            .clone()
            .or_else(|| front.summary.clone())
            .unwrap_or_else(|| {
                site.config
                    .description
                    .get(lang)
                    .cloned()
                    .unwrap_or_default()
            });
        let canonical = site.absolute(&page.dir);
        let alternates = self.alternates(page, &prefix);
        let page_ctx = PageCtx {
            kind: if page.is_home() { "home" } else { "chapter" },
            key: page.key().to_string(),
            title,
            number: front.number.clone(),
            summary: front.summary.clone(),
            description,
            content: html,
            toc: toc_items,
            prev: prev.map(link),
            next: next.map(link),
            notes: std::mem::take(&mut embed.ctx.notes.items),
            canonical,
            alternates,
            key_figures,
            charts,
        };
        ctx.insert("page", &page_ctx);
        ctx.insert("json_ld", &json_ld(site, page, &prefix));
        let template = front.template.clone().unwrap_or_else(|| {
            if page.is_home() {
                "home.html".into()
            } else {
                "chapter.html".into()
            }
        });
        let mut problems = embed.problems;
        let path = if at_root {
            "index.html".to_string()
        } else {
            format!("{}index.html", page.dir)
        };
        match self.tera.render(&template, &ctx) {
            Ok(out) => (
                Some(RenderedPage {
                    path,
                    html: out,
                    sections,
                }),
                problems,
            ),
            Err(e) => {
                problems.push(template_error(&template, &e, ""));
                (None, problems)
            }
        }
    }

    /// hreflang alternates of a page, plus x-default: absolute with base_url, else relative.
    fn alternates(&self, page: &Page, prefix: &str) -> Vec<Alternate> {
        let site = self.site;
        let url = |dir: &str| site.absolute(dir).unwrap_or_else(|| site.href(prefix, dir));
        let mut out = Vec::new();
        for lang in site.languages() {
            if let Some(p) = site.page(lang, page.key()) {
                let hreflang = site
                    .packs
                    .get(lang)
                    .html_lang
                    .clone()
                    .unwrap_or_else(|| lang.clone());
                out.push(Alternate {
                    hreflang,
                    href: url(&p.dir),
                });
            }
        }
        if let Some(p) = site.page(site.default_language(), page.key()) {
            let dir = if p.is_home() { "" } else { p.dir.as_str() };
            out.push(Alternate {
                hreflang: "x-default".into(),
                href: url(dir),
            });
        }
        out
    }

    /// Context shared by every page of a language: site, strings, navigation, assets.
    pub fn base_context(
        &self,
        lang: &str,
        prefix: &str,
        page: Option<&Page>,
    ) -> Result<tera::Context, Diagnostic> {
        let site = self.site;
        let pack = site.packs.get(lang);
        fn get<'m>(m: &'m Option<BTreeMap<String, String>>, lang: &str) -> &'m str {
            m.as_ref()
                .and_then(|m| m.get(lang))
                .map(String::as_str)
                .unwrap_or("")
        }
        let site_ctx = SiteCtx {
            title: site
                .config
                .title
                .get(lang)
                .map(String::as_str)
                .unwrap_or(""),
            subtitle: get(&site.config.subtitle, lang),
            description: site
                .config
                .description
                .get(lang)
                .map(String::as_str)
                .unwrap_or(""),
            publisher: get(&site.config.publisher, lang),
            author: get(&site.config.author, lang),
            date: site.config.date.as_deref().unwrap_or(""),
            base_url: site.config.base_url(),
            extra: site
                .config
                .extra
                .iter()
                .map(|(k, v)| (k.as_str(), v.get(lang).map(String::as_str).unwrap_or("")))
                .collect(),
        };
        let mut ctx = tera::Context::new();
        ctx.insert("site", &site_ctx);
        ctx.insert("lang", lang);
        ctx.insert("html_lang", pack.html_lang.as_deref().unwrap_or(lang));
        ctx.insert("og_locale", pack.og_locale.as_deref().unwrap_or(""));
        ctx.insert("t", &pack.strings);
        ctx.insert("root", prefix);
        ctx.insert("home_href", &site.href(prefix, &format!("{lang}/")));
        ctx.insert(
            "search_href",
            &site.href(prefix, &format!("{lang}/search/")),
        );
        ctx.insert("search_index", &format!("{prefix}search/{lang}.json"));
        ctx.insert("serve", &(self.mode == Mode::Serve));
        let assets: BTreeMap<&str, String> = [
            ("css", "static/style.css"),
            ("print_css", "static/print.css"),
            ("theme_js", "static/theme.js"),
            ("js", "static/yanbao.js"),
            ("search_js", "static/search.js"),
            ("favicon", "static/favicon.svg"),
            ("manifest", "manifest.webmanifest"),
            ("reload_js", "__yanbao/reload.js"),
        ]
        .into_iter()
        .map(|(k, p)| (k, self.asset(prefix, p)))
        .collect();
        ctx.insert("assets", &assets);
        // Language switch: the same page in every language (the script adds the current section).
        let key = page.map_or(HOME_KEY, |p| p.key());
        let languages: Vec<LangLink> = site
            .languages()
            .iter()
            .map(|l| {
                let p = site.page(l, key).or_else(|| site.home(l));
                let lp = site.packs.get(l);
                LangLink {
                    code: l.clone(),
                    name: lp.name.clone(),
                    html_lang: lp.html_lang.clone().unwrap_or_else(|| l.clone()),
                    href: p.map_or_else(
                        || site.href(prefix, &format!("{l}/")),
                        |p| site.href(prefix, &p.dir),
                    ),
                    current: l == lang,
                }
            })
            .collect();
        ctx.insert("languages", &languages);
        // `nav` (the chapters as data) goes to the pages that list chapters themselves: the home
        // page (with each chapter's sections), search and 404. Every page gets the rendered list.
        let home = page.is_some_and(Page::is_home);
        if home || page.is_none() {
            ctx.insert("nav", &*self.nav(lang, prefix, home));
        }
        let key = page.map_or("", Page::key);
        let list = self
            .chapter_list(lang, prefix, key)
            .map_err(|e| template_error("nav.html", &e, ""))?;
        ctx.insert("chapter_list", &list);
        Ok(ctx)
    }

    /// The 404 page: links are absolute paths (it is served at any depth).
    pub fn not_found(&self) -> (Option<RenderedPage>, Vec<Diagnostic>) {
        let site = self.site;
        let lang = site.default_language();
        let prefix = site.config.base_path();
        let ctx = match self.base_context(lang, &prefix, None) {
            Ok(c) => c,
            Err(d) => return (None, vec![d]),
        };
        let pack = site.packs.get(lang);
        let page = PageCtx::generated(
            "404",
            pack.string("not_found_title"),
            pack.string("not_found_text"),
            None,
        );
        self.render_generated("404.html", "404.html".into(), ctx, &page)
    }

    /// The search page of a language.
    pub fn search_page(&self, lang: &str) -> (Option<RenderedPage>, Vec<Diagnostic>) {
        let site = self.site;
        let dir = format!("{lang}/search/");
        let prefix = "../../".to_string();
        let mut ctx = match self.base_context(lang, &prefix, None) {
            Ok(c) => c,
            Err(d) => return (None, vec![d]),
        };
        let pack = site.packs.get(lang);
        let page = PageCtx::generated(
            "search",
            pack.string("search"),
            pack.string("search_label"),
            site.absolute(&dir),
        );
        // The language switch keeps the reader on the search page.
        let languages: Vec<LangLink> = site
            .languages()
            .iter()
            .map(|l| {
                let lp = site.packs.get(l);
                LangLink {
                    code: l.clone(),
                    name: lp.name.clone(),
                    html_lang: lp.html_lang.clone().unwrap_or_else(|| l.clone()),
                    href: site.href(&prefix, &format!("{l}/search/")),
                    current: l == lang,
                }
            })
            .collect();
        ctx.insert("languages", &languages);
        self.render_generated("search.html", format!("{dir}index.html"), ctx, &page)
    }

    /// Renders a page yanbao makes itself (no Markdown source, no search sections).
    fn render_generated(
        &self,
        template: &str,
        path: String,
        mut ctx: tera::Context,
        page: &PageCtx,
    ) -> (Option<RenderedPage>, Vec<Diagnostic>) {
        ctx.insert("page", page);
        ctx.insert("json_ld", "");
        match self.tera.render(template, &ctx) {
            Ok(html) => (
                Some(RenderedPage {
                    path,
                    html,
                    sections: vec![],
                }),
                vec![],
            ),
            Err(e) => (None, vec![template_error(template, &e, "")]),
        }
    }
}

fn toc_item(t: &TocEntry, page_href: &str) -> TocItem {
    TocItem {
        level: t.level,
        id: t.id.clone(),
        html: t.html.clone(),
        text: t.text.clone(),
        href: format!("{page_href}#{}", t.id),
    }
}

/// A headline figure for the home page: value (with qualifier), label, link to its source.
fn key_figure(
    embed: &mut PageEmbed,
    spec: &str,
    prefix: &str,
) -> Result<KeyFigure, (String, String)> {
    let site = embed.site;
    let lang = embed.page.lang();
    let r = site.data.resolve(spec)?;
    let Value::Quantity(q) = r.value else {
        return Err((
            format!("`{spec}` is not a figure"),
            "key figures must be quantities".into(),
        ));
    };
    let pack = site.packs.get(lang);
    let unit = r
        .set
        .unit_of(r.row, r.field)
        .and_then(|u| pack.units.get(u));
    let (value, (before, number, after)) =
        match (r.row.text.as_ref().and_then(|t| t.get(lang)), unit) {
            (Some(t), _) => (t.clone(), (String::new(), t.clone(), String::new())),
            (None, Some(unit)) => (q.format(unit, pack, Style::Full), q.parts(unit, pack)),
            (None, None) => {
                let n = pack.number(q.lo, 2);
                (n.clone(), (String::new(), n, String::new()))
            }
        };
    let label = match r.row.values.get("label") {
        Some(Value::Text(t)) => embed.ctx.expand_plain(&t.joined(lang)),
        _ => r.set.title.get(lang).cloned().unwrap_or_default(),
    };
    let (kind, href) = match r.provenance() {
        Some((_, crate::data::Provenance::Report { section })) => {
            let (key, anchor) = section.split_once('#').unwrap_or((section, ""));
            let href = site
                .page(lang, key)
                .map(|p| format!("{}#{anchor}", site.href(prefix, &p.dir)))
                .unwrap_or_default();
            (SourceKind::Report, href)
        }
        Some((id, p)) => {
            let n = embed.ctx.cite(r.set, id);
            (p.kind(), format!("#note-{n}"))
        }
        None => (SourceKind::Report, String::new()),
    };
    Ok(KeyFigure {
        value,
        before,
        number,
        after,
        label,
        kind: kind.as_str(),
        href,
    })
}

/// `**` left in the output means emphasis that CommonMark did not close: usually full-width
/// punctuation right before the closing `**` with a character after it (`**定义：**正文`).
fn lint_emphasis(html: &str, page: &Page, problems: &mut Vec<Diagnostic>) {
    if !html.contains("**") {
        return;
    }
    let body = page.src.body();
    // Point at the first `**` of the source line that produced it.
    let text = markdown::strip_tags(html);
    for frag in text.split("**").skip(1).take(1) {
        let snippet: String = frag.chars().take(8).collect();
        let offset = body
            .find(&format!("**{snippet}"))
            .or_else(|| body.find("**"))
            .unwrap_or(0);
        let mut d = page
            .src
            .file
            .error_at(page.src.body_start + offset, "`**` was not turned into bold and shows as asterisks")
            .help("CommonMark does not close `**` after full-width punctuation followed by a character (`**定义：**正文`); put the punctuation outside: `**定义**：正文`");
        d.severity = Severity::Warning;
        problems.push(d);
    }
}

/// schema.org JSON-LD: the report, and its datasets with their CSV downloads.
fn json_ld(site: &Site, page: &Page, prefix: &str) -> String {
    let lang = page.lang();
    // Downloads are absolute with base_url, else relative to the page.
    let root = site.config.base_url().unwrap_or_else(|| prefix.to_string());
    let title = site.config.title.get(lang).cloned().unwrap_or_default();
    let publisher = site
        .config
        .publisher
        .as_ref()
        .and_then(|p| p.get(lang))
        .cloned();
    let datasets: Vec<serde_json::Value> = site
        .data
        .sets
        .values()
        .filter(|s| s.rows.iter().any(|r| r.values.values().any(|v| matches!(v, Value::Quantity(_)))))
        .map(|s| {
            serde_json::json!({
                "@type": "Dataset",
                "name": s.title.get(lang),
                "description": s.notes.as_ref().and_then(|n| n.get(lang)).or(s.title.get(lang)),
                "inLanguage": lang,
                "distribution": [
                    {"@type": "DataDownload", "encodingFormat": "text/csv", "contentUrl": format!("{root}{lang}/data/{}.csv", s.id)},
                    {"@type": "DataDownload", "encodingFormat": "application/json", "contentUrl": format!("{root}data/{}.json", s.id)}
                ]
            })
        })
        .collect();
    let mut report = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Report",
        "name": title,
        "headline": page.src.front.title.clone().unwrap_or(title.clone()),
        "inLanguage": site.packs.get(lang).html_lang.clone().unwrap_or(lang.to_string()),
    });
    if let Some(url) = site.absolute(&page.dir) {
        report["url"] = serde_json::json!(url);
    }
    if let Some(p) = publisher {
        report["publisher"] = serde_json::json!({"@type": "Organization", "name": p});
    }
    if let Some(d) = &site.config.date {
        report["datePublished"] = serde_json::json!(d);
    }
    if page.is_home() {
        report["hasPart"] = serde_json::json!(datasets);
    }
    // `</` must not appear inside a <script> element.
    serde_json::to_string(&report)
        .unwrap_or_default()
        .replace("</", "<\\/")
}
