//! The checked site to HTML pages through the Tera templates. Each page renders on its own (in
//! parallel, by the caller) and can fail only on a template error; it reports what it read so a
//! preview knows when to render it again.

pub mod blocks;
pub mod breaks;
pub mod chart;
pub mod cite;
pub mod context;
pub mod csl;
pub mod cx;
pub mod doc;
pub mod footnotes;
pub mod print;
pub mod print_ids;
pub mod search_text;
pub mod share;

use std::collections::BTreeMap;

use tera::Tera;

use crate::diag::Diagnostic;
use crate::input::templates::render_error;
use crate::model::site::{HOME_KEY, Page, Site};
use context::{Link, PageCtx, SiteCtx, TocItem};
use cx::{Cx, Deps};
use doc::Section;

/// How the site is built: `check` fails on broken links, `build` warns, `serve` adds the
/// live-reload script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Build,
    Check,
    Serve,
}

/// One rendered page: where it goes, its HTML, its search sections and what it read.
#[derive(Debug, Clone)]
pub struct RenderedPage {
    pub path: String,
    /// The page as written: UTF-8, as the templates and their values are.
    pub html: Vec<u8>,
    pub sections: Vec<Section>,
    pub deps: Deps,
}

/// Above this many chapters a page's own chapter list shows only its neighbourhood (and a link
/// to the full contents on the home page), so every page stays the same size however long the
/// report grows: the site's bytes grow linearly with its chapters, not with their square. The
/// home page's contents then list the chapters without their sections.
pub const NAV_FULL_LIMIT: usize = 60;
/// How many chapters either side of the current one a long report's list shows: eleven in all,
/// which a laptop's screen shows without scrolling the list.
const NAV_WINDOW: usize = 5;

/// Whether a language's `n` chapters make a long report: its pages list only their
/// neighbourhood, and its home page lists the chapters without their sections.
fn is_long(n: usize) -> bool {
    n > NAV_FULL_LIMIT
}

/// The slice `lo..hi` of a language's `n` chapters a page lists: all of them for short reports,
/// else the chapters around `pos` (the first ones on pages that are not chapters).
pub fn nav_window(n: usize, pos: Option<usize>) -> (usize, usize) {
    if !is_long(n) {
        return (0, n);
    }
    let width = 2 * NAV_WINDOW + 1;
    let lo = pos.map_or(0, |p| p.saturating_sub(NAV_WINDOW).min(n - width));
    (lo, lo + width)
}

/// Puts a language's chapters (`items`) into `ctx` as `nav`: all of them for a short report,
/// else the window around `pos` with `more_before`, `more_after` and `total` for the links to
/// the full contents.
fn insert_nav(ctx: &mut tera::Context, items: &tera::Value, pos: Option<usize>) {
    match items.as_array() {
        Some(items) if is_long(items.len()) => {
            let (lo, hi) = nav_window(items.len(), pos);
            ctx.insert_value("nav", tera::Value::from(&items[lo..hi]));
            ctx.insert("more_before", &(lo > 0));
            ctx.insert("more_after", &(hi < items.len()));
            ctx.insert("total", &items.len());
        }
        _ => ctx.insert_value("nav", items.clone()),
    }
}

/// The value kept under `key`, made by `make` the first time it is asked for (pages render in
/// parallel: two may make it at once, and the later copy is dropped).
fn memo<K: Ord, V>(
    cache: &std::sync::Mutex<BTreeMap<K, std::sync::Arc<V>>>,
    key: K,
    make: impl FnOnce() -> V,
) -> std::sync::Arc<V> {
    if let Some(v) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return v;
    }
    let value = std::sync::Arc::new(make());
    if let Ok(mut c) = cache.lock() {
        return c.entry(key).or_insert(value).clone();
    }
    value
}

/// Everything the templates and the pages share for one build.
pub struct Renderer<'a> {
    pub site: &'a Site,
    pub tera: &'a Tera,
    pub mode: Mode,
    /// Static asset path → content hash, for cache busting.
    pub asset_versions: &'a BTreeMap<String, String>,
    /// This build also writes the PDFs of the print editions (`yanbao pdf`): pages link them.
    pub pdfs: bool,
    /// Chapter lists per (language, link prefix, with outlines), built once and shared.
    nav_cache: std::sync::Mutex<NavLists>,
    /// What every page of a language at one depth shares (site, strings, asset links), built
    /// once per (language, where links start) and cloned for each page instead of serialised
    /// again.
    shared_cache: std::sync::Mutex<BTreeMap<(String, Links), std::sync::Arc<tera::Context>>>,
    /// Chapter bodies shared with the print editions of the same build, if it makes them.
    pub bodies: Option<&'a Bodies>,
}

/// What a page and its language's print edition both show of a chapter: its key points and
/// body, rendered for one link prefix.
#[derive(Debug, Clone)]
pub struct Body {
    pub key_points: Vec<String>,
    pub doc: doc::BodyHtml,
}

/// The bodies a build's chapter pages and print editions render once for both, by page: a
/// chapter's page and the print edition (`<lang>/print/`) sit at the same depth, so they link
/// with the same prefix and number their notes alike. The page renders the body (with the
/// notes it cited and the data it read); the print edition, made after the pages, takes it (or
/// renders it, for a page whose job did not). Held until the print editions are written: a
/// report with a print edition has at most a few hundred chapters, unless
/// `print_edition: always` asks for one, whose print edition holds every body anyway.
pub struct Bodies(Vec<std::sync::OnceLock<(Body, Vec<cx::Note>, Deps)>>);

impl Bodies {
    pub fn new(site: &Site) -> Self {
        Bodies(site.pages.iter().map(|_| Default::default()).collect())
    }
}

/// Chapter lists by (language, where their links start, with outlines).
pub type NavLists = BTreeMap<(String, Links, bool), std::sync::Arc<tera::Value>>;

/// Where a page's links start: its prefix to the site root and its top folder (`Page::near`;
/// none for a page rendered away from its folder, whose links all go through the root).
type Links = (String, Option<String>);

/// [`Links`] as a cache key.
fn links_key((prefix, near): (&str, Option<&str>)) -> Links {
    (prefix.to_string(), near.map(str::to_string))
}

/// The language switch of a page every language has in its own folder (search, print): each
/// language's copy of it, at `path_of(language)` from the site root.
pub(crate) fn generated_languages(
    site: &Site,
    lang: &str,
    prefix: &str,
    path_of: impl Fn(&str) -> String,
) -> Vec<context::LangLink> {
    site.languages()
        .iter()
        .map(|l| context::LangLink {
            code: l.clone(),
            name: site.packs.get(l).name.clone(),
            html_lang: site.html_lang(l),
            href: site.href(prefix, &path_of(l)),
            current: l == lang,
            translated: true,
        })
        .collect()
}

impl<'a> Renderer<'a> {
    pub fn new(
        site: &'a Site,
        tera: &'a Tera,
        mode: Mode,
        asset_versions: &'a BTreeMap<String, String>,
    ) -> Self {
        Renderer {
            site,
            tera,
            mode,
            asset_versions,
            pdfs: false,
            nav_cache: Default::default(),
            shared_cache: Default::default(),
            bodies: None,
        }
    }

    /// The chapter lists and shared contexts built so far (a large site's take a while to free).
    pub fn take_caches(&mut self) -> impl Send + 'static {
        let shared = std::mem::take(
            self.shared_cache
                .get_mut()
                .unwrap_or_else(|e| e.into_inner()),
        );
        (self.take_navs(), shared)
    }

    /// The chapter lists built so far.
    pub fn take_navs(&mut self) -> NavLists {
        std::mem::take(self.nav_cache.get_mut().unwrap_or_else(|e| e.into_inner()))
    }

    /// Starts from chapter lists built earlier for the same pages and data.
    pub fn reuse_navs(&mut self, navs: NavLists) {
        *self.nav_cache.get_mut().unwrap_or_else(|e| e.into_inner()) = navs;
    }

    /// The chapter list of a language with links for pages at `prefix` in top folder `near`,
    /// built once.
    fn nav(
        &self,
        lang: &str,
        (prefix, near): (&str, Option<&str>),
        with_outline: bool,
    ) -> std::sync::Arc<tera::Value> {
        let key = (lang.to_string(), links_key((prefix, near)), with_outline);
        memo(&self.nav_cache, key, || {
            let nav = context::nav(self.site, lang, (prefix, near), with_outline);
            tera::Value::from_serializable(&nav)
        })
    }

    fn asset(&self, prefix: &str, path: &str) -> String {
        format!("{prefix}{path}{}", self.version(path))
    }

    /// `?v=` and the asset's version (nothing for a file without one).
    fn version(&self, path: &str) -> String {
        self.asset_versions
            .get(path)
            .map(|h| format!("?v={h}"))
            .unwrap_or_default()
    }

    /// A front-matter date as the language writes it.
    fn date(&self, lang: &str, iso: &str) -> context::DateCtx {
        let pack = self.site.packs.get(lang);
        context::DateCtx::new(iso, |k| pack.string(k).to_string())
    }

    /// Renders page `ix` (or, with `at_root`, the root copy of the default language's home).
    pub fn page(&self, ix: usize, at_root: bool) -> Result<RenderedPage, Diagnostic> {
        let site = self.site;
        let page = &site.pages[ix];
        let prefix = if at_root {
            String::new()
        } else {
            page.prefix()
        };
        let lang = page.lang.as_str();
        let near = if at_root { None } else { page.near() };
        let (mut cx, Body { key_points, doc }) = self.body(ix, &prefix);
        let mut ctx = self.base_context(lang, (&prefix, near), Some(page))?;
        let (prev, next) = site.neighbours(ix);
        let mut link = |p: &Page| Link {
            title: cx.reader(p.nav_title()),
            number: p.front.number.clone(),
            href: site.href_near(&prefix, near, &p.dir),
        };
        let (prev, next) = (prev.map(&mut link), next.map(&mut link));
        let key_figures: Vec<_> = page
            .front
            .key_figures
            .iter()
            .map(|r| context::key_figure(&mut cx, r))
            .collect();
        // The home page's charts in the report's order (图2 before 图11), whatever the order of
        // `charts:`; a chart the report does not number comes last.
        let mut chart_order: Vec<usize> = page.front.charts.clone();
        chart_order.sort_by_key(|&c| {
            site.figure(lang, &site.charts[c].id)
                .map_or(usize::MAX, |f| f.number)
        });
        let charts: Vec<String> = chart_order
            .iter()
            .map(|&c| self.home_chart(&mut cx, c))
            .collect();
        let title = cx.reader(&page.front.title);
        let description = match page
            .front
            .description
            .as_ref()
            .or(page.front.summary.as_ref())
        {
            Some(d) => cx.reader(d),
            None => site.string_in(&site.config.description, lang).to_string(),
        };
        let page_ctx = PageCtx {
            kind: if page.is_home() { "home" } else { "chapter" },
            key: page.key.clone(),
            title_html: breaks::title(&title, &site.html_lang(lang)),
            title: title.clone(),
            number: page.front.number.clone(),
            summary: page.front.summary.as_ref().map(|s| cx.reader(s)),
            description,
            content: doc.html,
            toc: doc.toc.iter().map(|t| TocItem::from_entry(t, "")).collect(),
            prev,
            next,
            key_points,
            key_points_added: page.front.key_points_added,
            notes: std::mem::take(&mut cx.notes),
            canonical: site.absolute(&page.dir),
            alternates: context::alternates(site, page, &prefix),
            key_figures,
            charts,
            date: page.front.date.as_deref().map(|d| self.date(lang, d)),
            updated: page.front.updated.as_deref().map(|d| self.date(lang, d)),
            authors: page.front.authors.clone(),
            tags: page.front.tags.clone(),
            page_name: if page.is_home() {
                String::new()
            } else {
                print::page_name(page)
            },
        };
        ctx.insert("page", &page_ctx);
        ctx.insert("json_ld", &context::json_ld(site, page, &prefix, &title));
        if page.is_home() {
            ctx.insert("cite", &cite::report(site, lang, &prefix));
        }
        let template = page.front.template.clone().unwrap_or_else(|| {
            if page.is_home() {
                "home.html".into()
            } else {
                "chapter.html".into()
            }
        });
        let path = if at_root {
            "index.html".to_string()
        } else {
            format!("{}index.html", page.dir)
        };
        let html = self.render_page(&template, &ctx)?;
        Ok(RenderedPage {
            path,
            html,
            sections: doc.sections,
            deps: cx.deps,
        })
    }

    /// Page `ix`'s key points and body for a page at `prefix`, with the context that rendered
    /// them (the notes they cited, the data they read) for the rest of the page. Shared with the
    /// print edition when the build makes one and the prefixes agree.
    fn body(&self, ix: usize, prefix: &str) -> (Cx<'_>, Body) {
        let site = self.site;
        let page = &site.pages[ix];
        let lang = page.lang.as_str();
        let render = || {
            let mut cx = Cx::new(site, lang, prefix);
            // Key points come first on the page, so their sources are numbered first.
            let key_points = page
                .front
                .key_points
                .iter()
                .map(|p| breaks::years_in_html(&cx.marked(p)))
                .collect();
            let doc = doc::render(&mut cx, page);
            (cx, Body { key_points, doc })
        };
        let shared = self
            .bodies
            .filter(|_| prefix == print::prefix(lang))
            .and_then(|b| b.0.get(ix));
        let Some(cell) = shared else {
            return render();
        };
        let (body, notes, deps) = cell.get_or_init(|| {
            let (cx, body) = render();
            (body, cx.notes, cx.deps)
        });
        let mut cx = Cx::new(site, lang, prefix);
        cx.notes = notes.clone();
        cx.deps = deps.clone();
        (cx, body.clone())
    }

    /// A chart on the home page, its caption linking to where the report discusses it.
    fn home_chart(&self, cx: &mut Cx, ix: usize) -> String {
        let site = self.site;
        let chart = &site.charts[ix];
        let uid = format!("home-{}", chart.id);
        match site.figure(cx.lang, &chart.id) {
            Some(fig) => {
                let href = format!(
                    "{}#{}",
                    site.href(&cx.prefix, &site.pages[fig.page].dir),
                    fig.anchor
                );
                let more = format!(
                    " <a class=\"fig-more\" href=\"{}\">{}</a>",
                    crate::markup::escape(&href),
                    crate::markup::escape(cx.t("read_more"))
                );
                let anchor = format!("home-{}", fig.anchor);
                cx.chart(ix, Some(fig), &anchor, &uid, Some(&more))
            }
            None => cx.chart(ix, None, &format!("{uid}-fig"), &uid, None),
        }
    }

    /// The context every page of `lang` at link prefix `prefix` starts from, built once.
    fn shared(&self, lang: &str, links: (&str, Option<&str>)) -> std::sync::Arc<tera::Context> {
        let key = (lang.to_string(), links_key(links));
        memo(&self.shared_cache, key, || self.build_shared(lang, links))
    }

    fn build_shared(&self, lang: &str, (prefix, near): (&str, Option<&str>)) -> tera::Context {
        let site = self.site;
        let pack = site.packs.get(lang);
        let mut ctx = tera::Context::new();
        ctx.insert("site", &SiteCtx::new(site, lang));
        ctx.insert("lang", lang);
        ctx.insert("html_lang", &site.html_lang(lang));
        ctx.insert("og_locale", pack.og_locale.as_deref().unwrap_or(""));
        ctx.insert("t", &pack.strings);
        ctx.insert("root", prefix);
        let home_href = site.href_near(prefix, near, &format!("{lang}/"));
        ctx.insert("home_href", &home_href);
        ctx.insert(
            "search_href",
            &site.href_near(prefix, near, &format!("{lang}/search/")),
        );
        // The index's format is search.js's: its address carries the script's version.
        let v = self.version("static/search.js");
        ctx.insert("search_index", &format!("{prefix}search/{lang}.json{v}"));
        if site.has_print_edition() {
            ctx.insert("print_href", &site.href(prefix, &print::print_dir(lang)));
        }
        ctx.insert("pdf_href", &self.pdf_href(prefix, lang));
        ctx.insert("share_image", &share::image_url(site, self.pdfs, lang));
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
        ctx
    }

    /// A page's context: what every page of its language shares (site, strings, assets), copied
    /// (Tera 2 shares a value's strings, lists and maps: a copy is a few dozen pointers), with the
    /// page's navigation and language links.
    fn base_context(
        &self,
        lang: &str,
        (prefix, near): (&str, Option<&str>),
        page: Option<&Page>,
    ) -> Result<tera::Context, Diagnostic> {
        let site = self.site;
        let mut ctx = (*self.shared(lang, (prefix, near))).clone();
        let key = page.map_or(HOME_KEY, |p| p.key.as_str());
        let dir = |p: &Page| p.dir.clone();
        ctx.insert(
            "languages",
            &context::languages(site, lang, (prefix, near), key, &dir),
        );
        // The chapter list (`nav.html`), rendered with this context and its own values, which
        // then leave it: a context of its own copied the language's strings again for each page.
        let all = self.nav(lang, (prefix, near), false);
        let pos = page
            .and_then(|p| site.page_ix(lang, &p.key))
            .and_then(|ix| site.index.chapter_pos.get(&ix).copied());
        insert_nav(&mut ctx, &all, pos);
        ctx.insert("current", page.map_or("", |p| p.key.as_str()));
        // The running heads: a chapter's in the style sheet with its part of the chapters.
        let chapters = site.index.chapters.get(lang).map_or(0, Vec::len);
        let heads = print::heads_part_path(lang, chapters, pos);
        ctx.insert("print_heads", &self.asset(prefix, &heads));
        let list = self
            .tera
            .render("nav.html", &ctx)
            .map_err(|e| render_error("nav.html", &e))?;
        for own in ["nav", "more_before", "more_after", "total", "current"] {
            ctx.remove(own);
        }
        ctx.insert("chapter_list", &list);
        // `nav` (the chapters as data) goes to the pages that list chapters themselves: the home
        // page (with each chapter's sections, unless the report is long), search and 404. A long
        // report's search and 404 pages get its first chapters, with `more_after` and `total`
        // for a link to the contents, as the menu does.
        let home = page.is_some_and(Page::is_home);
        if home || page.is_none() {
            let outline = home && !is_long(chapters);
            let nav = self.nav(lang, (prefix, near), outline);
            if home {
                ctx.insert_value("nav", (*nav).clone());
            } else {
                insert_nav(&mut ctx, &nav, None);
            }
        }
        Ok(ctx)
    }

    /// The 404 page: links are absolute paths (it is served at any depth).
    pub fn not_found(&self) -> Result<RenderedPage, Diagnostic> {
        let site = self.site;
        let lang = site.default_language();
        let prefix = site.config.base_path();
        let ctx = self.base_context(lang, (&prefix, None), None)?;
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
    pub fn search_page(&self, lang: &str) -> Result<RenderedPage, Diagnostic> {
        let site = self.site;
        let dir = format!("{lang}/search/");
        let prefix = "../../".to_string();
        let near = crate::model::site::near(&dir);
        let mut ctx = self.base_context(lang, (&prefix, near), None)?;
        let pack = site.packs.get(lang);
        let page = PageCtx::generated(
            "search",
            pack.string("search"),
            pack.string("search_label"),
            site.absolute(&dir),
        );
        // The language switch keeps the reader on the search page.
        let languages = generated_languages(site, lang, &prefix, |l| format!("{l}/search/"));
        ctx.insert("languages", &languages);
        self.render_generated("search.html", format!("{dir}index.html"), ctx, &page)
    }

    /// A page's HTML from its template, without the templates' indentation.
    fn render_page(&self, template: &str, ctx: &tera::Context) -> Result<Vec<u8>, Diagnostic> {
        // Rendered into bytes, as they are written: Tera's `render` would check the whole page
        // as UTF-8 again to return a `String`, and grow its buffer from 2 KB.
        let mut html = Vec::with_capacity(32 * 1024);
        self.tera
            .render_to(template, ctx, &mut html)
            .map_err(|e| render_error(template, &e))?;
        Ok(outdent(&html))
    }

    /// Renders a page yanbao makes itself (no Markdown source, no search sections).
    fn render_generated(
        &self,
        template: &str,
        path: String,
        mut ctx: tera::Context,
        page: &PageCtx,
    ) -> Result<RenderedPage, Diagnostic> {
        ctx.insert("page", page);
        ctx.insert("json_ld", "");
        let html = self.render_page(template, &ctx)?;
        Ok(RenderedPage {
            path,
            html,
            sections: vec![],
            deps: Deps::default(),
        })
    }
}

/// A page without the spaces and tabs that start its lines (the templates' indentation) and
/// without blank lines, except inside `<pre>` and `<textarea>`, where they are text. A browser
/// shows the page the same: white space at a line's start collapses into the line break before
/// it. It was 4% of a chapter page's bytes.
fn outdent(html: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(html.len());
    // How many <pre> or <textarea> elements are open at the start of the line, and how many the
    // line opens and closes so far.
    let mut open: usize = 0;
    let (mut starts, mut ends) = (0, 0);
    let mut line_start = 0;
    // Line ends and tags in one pass over the page (a search per line and another per tag was
    // 2% of a build's instructions).
    let marks = memchr::memchr2_iter(b'\n', b'<', html).chain(std::iter::once(html.len()));
    for at in marks {
        if at < html.len() && html[at] == b'<' {
            match preformatted_tag(&html[at + 1..]) {
                Some(false) => starts += 1,
                Some(true) => ends += 1,
                None => {}
            }
            continue;
        }
        let end = (at + 1).min(html.len());
        push_line(&mut out, &html[line_start..end], open > 0);
        line_start = end;
        open = (open + starts).saturating_sub(ends);
        (starts, ends) = (0, 0);
    }
    out
}

/// Appends a line of the page (its line break included): whole inside preformatted text, else
/// without its indentation, and not at all when it is blank after a line break.
fn push_line(out: &mut Vec<u8>, line: &[u8], preformatted: bool) {
    if preformatted {
        out.extend_from_slice(line);
        return;
    }
    let indent = line
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    let text = &line[indent..];
    if !(text == b"\n" && out.last() == Some(&b'\n')) {
        out.extend_from_slice(text);
    }
}

/// Whether the tag after a `<` opens (false) or closes (true) a `<pre>` or `<textarea>`
/// element (any case); None for any other tag or text.
fn preformatted_tag(tag: &[u8]) -> Option<bool> {
    let (closing, name) = match tag.first() {
        Some(b'/') => (true, &tag[1..]),
        _ => (false, tag),
    };
    [&b"pre"[..], b"textarea"].into_iter().find_map(|word| {
        let ends_name = matches!(
            name.get(word.len()),
            Some(b'>' | b' ' | b'\t' | b'\n' | b'\r')
        );
        (ends_name && name[..word.len()].eq_ignore_ascii_case(word)).then_some(closing)
    })
}

#[cfg(test)]
mod tests {
    use super::{nav_window, outdent, push_line};
    use crate::testing::random_text;

    #[test]
    fn indentation_goes_except_in_preformatted_text() {
        let html = "<nav>\n    <ol>\n\t<li>a</li>\n  \n\n  </ol>\n</nav>\n<pre><code>fn main() {\n    x\n  }\n</code></pre>\n  <p>after</p>\n<PRE class=\"c\">\n  kept\n</PRE>\n <textarea>\n  kept too\n</textarea>\n  gone\n";
        assert_eq!(
            outdent(html.as_bytes()),
            b"<nav>\n<ol>\n<li>a</li>\n</ol>\n</nav>\n<pre><code>fn main() {\n    x\n  }\n</code></pre>\n<p>after</p>\n<PRE class=\"c\">\n  kept\n</PRE>\n<textarea>\n  kept too\n</textarea>\ngone\n"
        );
        // Two blocks on one line, and one that opens and closes on the same line.
        let html = "<pre>a</pre><pre>\n  b\n\n</pre>\n  c\n";
        assert_eq!(
            outdent(html.as_bytes()),
            b"<pre>a</pre><pre>\n  b\n\n</pre>\nc\n"
        );
    }

    /// The page as first outdented, a search per line and another per tag (each line written as
    /// the outdent writes it).
    fn reference_outdent(html: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(html.len());
        // How many <pre> or <textarea> elements are open at the start of the line.
        let mut open: usize = 0;
        let mut at = 0;
        while at < html.len() {
            let end = memchr::memchr(b'\n', &html[at..]).map_or(html.len(), |i| at + i + 1);
            let line = &html[at..end];
            at = end;
            push_line(&mut out, line, open > 0);
            let (starts, ends) = preformatted_tags(line);
            open = (open + starts).saturating_sub(ends);
        }
        out
    }

    /// How many `<pre>` and `<textarea>` elements a line opens and closes (any case).
    fn preformatted_tags(line: &[u8]) -> (usize, usize) {
        let (mut starts, mut ends) = (0, 0);
        let mut at = 0;
        while let Some(i) = memchr::memchr(b'<', &line[at..]) {
            let tag = &line[at + i + 1..];
            let (closing, name) = match tag.first() {
                Some(b'/') => (true, &tag[1..]),
                _ => (false, tag),
            };
            for word in [&b"pre"[..], b"textarea"] {
                let ends_name = matches!(
                    name.get(word.len()),
                    Some(b'>' | b' ' | b'\t' | b'\n' | b'\r')
                );
                if name.len() > word.len()
                    && name[..word.len()].eq_ignore_ascii_case(word)
                    && ends_name
                {
                    if closing {
                        ends += 1;
                    } else {
                        starts += 1;
                    }
                }
            }
            at += i + 1;
        }
        (starts, ends)
    }

    /// Random pages of tags, indentation and line breaks: the one-pass outdent gives what the
    /// line-by-line one gave.
    #[test]
    fn outdent_agrees_with_its_reference_on_random_pages() {
        const PIECES: &[&str] = &[
            "<pre>",
            "</pre>",
            "<PRE class=x>",
            "</Pre >",
            "<textarea>",
            "</textarea>",
            "<pre",
            "<prex>",
            "</p>",
            "<p>",
            "<",
            "\n",
            "\n",
            "  ",
            "\t",
            "a",
            "模型",
            "\r",
            "<pre\n",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for case in 0..20_000 {
            let html = random_text(&mut seed, PIECES, case % 30);
            assert_eq!(
                outdent(html.as_bytes()),
                reference_outdent(html.as_bytes()),
                "{html:?}"
            );
        }
    }

    #[test]
    fn long_reports_list_a_window_of_chapters() {
        assert_eq!(nav_window(7, Some(3)), (0, 7));
        assert_eq!(nav_window(60, None), (0, 60));
        assert_eq!(nav_window(1000, None), (0, 11));
        assert_eq!(nav_window(1000, Some(0)), (0, 11));
        assert_eq!(nav_window(1000, Some(500)), (495, 506));
        assert_eq!(nav_window(1000, Some(999)), (989, 1000));
    }
}
