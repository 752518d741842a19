//! The print edition: one page per language (`<lang>/print/`) holding the whole report — cover,
//! contents, the home page's opening text, every chapter with its figures and source notes, and
//! the outside sources cited — laid out for "Save as PDF"; and the running heads (report title,
//! chapter) that every printed page of the language carries, as named pages in
//! `print/<lang>.css`.

use std::fmt::Write as _;

use serde::Serialize;

use crate::diag::Diagnostic;
use crate::input::templates::render_error;
use crate::model::data::SourceKind;
use crate::model::site::{HOME_KEY, Page, Site};
use crate::render::breaks;
use crate::render::context::{DateCtx, PageCtx, TocItem};
use crate::render::cx::{Cx, Deps, Note};
use crate::render::print_ids::{self, Target};
use crate::render::{Body, RenderedPage, Renderer};

/// The print edition's folder in a language.
pub fn print_dir(lang: &str) -> String {
    format!("{lang}/print/")
}

/// The link prefix of a language's print edition: from its folder to the site root.
pub fn prefix(lang: &str) -> String {
    "../".repeat(print_dir(lang).matches('/').count())
}

/// How many chapters' running heads one style sheet holds. Browsers fetch a page's print style
/// sheets for the screen too, so a chapter page links only the file with its own chapter's: what
/// a reader downloads stays the same however long the report (2 MB for 20,000 chapters in one
/// file), and a changed title changes the links of a hundred pages, not of all of them.
pub const HEADS_PER_FILE: usize = 100;

/// The running heads of every chapter of a language: the only file of a report of at most
/// [`HEADS_PER_FILE`] chapters, and what the print edition links.
pub fn heads_path(lang: &str) -> String {
    format!("print/{lang}.css")
}

/// The style sheet with the running head of a language's chapter at `pos` (from 0) of `n`
/// chapters; other pages (`None`) link the first, which has the heads every page shares.
pub fn heads_part_path(lang: &str, n: usize, pos: Option<usize>) -> String {
    if n <= HEADS_PER_FILE {
        heads_path(lang)
    } else {
        format!("print/{lang}-{}.css", pos.unwrap_or(0) / HEADS_PER_FILE + 1)
    }
}

/// A language's running-head style sheets (path, CSS): one for a short report; for a long one,
/// a file per [`HEADS_PER_FILE`] chapters, and the whole list too when the print edition needs it.
pub fn heads_files(site: &Site, lang: &str) -> Vec<(String, String)> {
    let chapters: Vec<&Page> = site.chapters(lang).collect();
    let n = chapters.len();
    if n <= HEADS_PER_FILE {
        return vec![(heads_path(lang), heads_css(site, lang, &chapters))];
    }
    let mut files: Vec<(String, String)> = chapters
        .chunks(HEADS_PER_FILE)
        .enumerate()
        .map(|(i, part)| {
            let path = heads_part_path(lang, n, Some(i * HEADS_PER_FILE));
            (path, heads_css(site, lang, part))
        })
        .collect();
    if site.has_print_edition() {
        files.push((heads_path(lang), heads_css(site, lang, &chapters)));
    }
    files
}

/// The name of the PDF `yanbao pdf` writes for a language, at the site root.
pub fn pdf_name(lang: &str) -> String {
    format!("report-{lang}.pdf")
}

/// The named page (`@page pp-status`) of a chapter, which carries its running head.
pub fn page_name(page: &Page) -> String {
    format!("pp-{}", slug(page))
}

/// The last part of a page's folder (`zh/status/` → `status`): its slug.
fn slug(page: &Page) -> &str {
    page.dir
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
}

/// Where a page's ids live on the print edition: the chapter's slug; `_index` (never a slug)
/// for the home page's opening text.
fn id_prefix(page: &Page) -> String {
    if page.is_home() {
        HOME_KEY.to_string()
    } else {
        slug(page).to_string()
    }
}

/// One chapter on the print edition.
#[derive(Serialize)]
struct Part {
    anchor: String,
    page_name: String,
    number: Option<String>,
    title: String,
    /// The title as HTML for the chapter's heading (`render::breaks`).
    title_html: String,
    summary: Option<String>,
    key_points: Vec<String>,
    key_points_added: bool,
    authors: Vec<String>,
    date: Option<DateCtx>,
    updated: Option<DateCtx>,
    content: String,
    notes: String,
    outline: Vec<TocItem>,
}

/// A CSS string: `"…"` with quotes, backslashes and line breaks escaped.
pub fn css_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A style sheet of a language's running heads: the report's title on every page, each of
/// `chapters`' number and title on its pages (a named page per chapter, which the print
/// edition's chapters and the chapter pages both use), nothing on the print edition's cover.
/// Chromium lets a later `@page` rule win over an earlier named one, so the named pages follow
/// the general rule here.
fn heads_css(site: &Site, lang: &str, chapters: &[&Page]) -> String {
    let mut cx = Cx::new(site, lang, "");
    let title = site.string_in(&site.config.title, lang);
    let mut css = format!(
        "/* Running heads of the printed pages ({lang}), written by yanbao: one named page per chapter. */\n@page {{ @top-left {{ content: {}; }} }}\n.print-cover {{ page: pp--cover; }}\n@page pp--cover {{ @top-left {{ content: none; }} @top-right {{ content: none; }} @bottom-right {{ content: none; }} }}\n",
        css_string(title)
    );
    for page in chapters {
        let name = page_name(page);
        let mut head = cx.reader(page.nav_title());
        if let Some(n) = &page.front.number {
            head = format!("{n} {head}");
        }
        let _ = writeln!(
            css,
            ".{name}{{page:{name}}}@page {name}{{@top-right{{content:{}}}}}",
            css_string(&head)
        );
    }
    css
}

/// The warning of a build whose report is too long for `print_edition: auto`.
pub fn left_out(site: &Site) -> Option<Diagnostic> {
    let auto = site.config.print_edition == crate::model::config::PrintEdition::Auto;
    (auto && !site.has_print_edition()).then(|| {
        Diagnostic::warning(
            crate::input::config::CONFIG_PATH,
            format!(
                "no print edition: the report has {} chapters, and `print_edition: auto` makes one for at most {} (it is a single page holding every chapter)",
                site.most_chapters(),
                crate::model::config::PRINT_EDITION_AUTO_MAX
            ),
        )
        .help("set `print_edition: always` in content/site.yaml to make it anyway, or `never` to leave it out without this warning")
    })
}

impl Renderer<'_> {
    /// The print edition of a language.
    pub fn print_page(&self, lang: &str) -> Result<RenderedPage, Diagnostic> {
        let site = self.site;
        let dir = print_dir(lang);
        let prefix = prefix(lang);
        let ixs: Vec<usize> = site
            .page_ix(lang, HOME_KEY)
            .into_iter()
            .chain(site.chapter_ixs(lang))
            .collect();
        let pages: Vec<&Page> = ixs.iter().map(|&i| &*site.pages[i]).collect();
        let targets: Vec<Target> = pages
            .iter()
            .map(|p| Target {
                href: site.href(&prefix, &p.dir),
                prefix: id_prefix(p),
                anchor: if p.is_home() {
                    "cover".into()
                } else {
                    format!("ch-{}", slug(p))
                },
            })
            .collect();
        let mut deps = Deps::default();
        let mut cited: Vec<usize> = Vec::new();
        let mut intro = String::new();
        let mut intro_outline = Vec::new();
        let mut parts = Vec::new();
        for ((&ix, page), target) in ixs.iter().zip(&pages).zip(&targets) {
            let (mut cx, Body { key_points, doc }) = self.body(ix, &prefix);
            let key_points: Vec<String> = key_points
                .iter()
                .map(|html| print_ids::rewrite(html, &target.prefix, &targets))
                .collect();
            let notes = self.notes_html(lang, &cx.notes)?;
            for n in &cx.notes {
                if !cited.contains(&n.source()) {
                    cited.push(n.source());
                }
            }
            deps.sets.extend(&cx.deps.sets);
            deps.charts.extend(&cx.deps.charts);
            let outline: Vec<TocItem> = doc
                .toc
                .iter()
                .filter(|t| t.level == page.front.section_level)
                .map(|t| {
                    let mut item = TocItem::from_entry(t, "");
                    item.href = format!("#{}", print_ids::scoped(&target.prefix, &t.id));
                    item
                })
                .collect();
            let content = print_ids::rewrite(&doc.html, &target.prefix, &targets);
            let notes = print_ids::rewrite(&notes, &target.prefix, &targets);
            if page.is_home() {
                intro = format!("{content}{notes}");
                intro_outline = outline;
                continue;
            }
            parts.push(Part {
                anchor: target.anchor.clone(),
                page_name: page_name(page),
                number: page.front.number.clone(),
                title: cx.reader(&page.front.title),
                title_html: breaks::title(&cx.reader(&page.front.title), &site.html_lang(lang)),
                summary: page.front.summary.as_ref().map(|s| cx.reader(s)),
                key_points,
                key_points_added: page.front.key_points_added,
                authors: page.front.authors.clone(),
                date: page.front.date.as_deref().map(|d| self.date(lang, d)),
                updated: page.front.updated.as_deref().map(|d| self.date(lang, d)),
                content,
                notes,
                outline,
            });
        }
        let bibliography = self.bibliography(lang, &prefix, &cited, &targets);
        let mut ctx = self.base_context(lang, (&prefix, None), None)?;
        // Every chapter's running head.
        ctx.insert("print_heads", &self.asset(&prefix, &heads_path(lang)));
        let pack = site.packs.get(lang);
        let title = format!(
            "{}{}{}",
            pack.string("print_edition"),
            pack.string("colon"),
            site.string_in(&site.config.title, lang)
        );
        let page = PageCtx::generated(
            "print",
            &title,
            site.string_in(&site.config.description, lang),
            site.absolute(&dir),
        );
        let languages = super::generated_languages(site, lang, &prefix, print_dir);
        ctx.insert("languages", &languages);
        ctx.insert("intro", &intro);
        ctx.insert("intro_outline", &intro_outline);
        ctx.insert("parts", &parts);
        ctx.insert("bibliography", &bibliography);
        ctx.insert("web_href", &site.href(&prefix, &format!("{lang}/")));
        ctx.insert("web_url", &site.absolute(&format!("{lang}/")));
        ctx.insert("pdf_href", &self.pdf_href(&prefix, lang));
        let mut rendered =
            self.render_generated("print.html", format!("{dir}index.html"), ctx, &page)?;
        rendered.deps = deps;
        Ok(rendered)
    }

    /// The link to a language's PDF, when this build writes one.
    pub(crate) fn pdf_href(&self, prefix: &str, lang: &str) -> Option<String> {
        self.pdfs
            .then(|| site_file(prefix, &pdf_name(lang)))
            .filter(|_| self.site.languages().iter().any(|l| l == lang))
    }

    /// A page's source notes, as on its own page.
    fn notes_html(&self, lang: &str, notes: &[Note]) -> Result<String, Diagnostic> {
        if notes.is_empty() {
            return Ok(String::new());
        }
        let mut ctx = tera::Context::new();
        ctx.insert("page", &serde_json::json!({ "notes": notes }));
        ctx.insert("t", &self.site.packs.get(lang).strings);
        self.tera
            .render("notes.html", &ctx)
            .map_err(|e| render_error("notes.html", &e))
    }

    /// The outside documents cited anywhere in the report, in order of first citation, each
    /// once.
    fn bibliography(
        &self,
        lang: &str,
        prefix: &str,
        cited: &[usize],
        targets: &[Target],
    ) -> Vec<String> {
        let site = self.site;
        let mut cx = Cx::new(site, lang, prefix);
        let mut seen = std::collections::BTreeSet::new();
        cited
            .iter()
            .filter(|&&s| site.sources[s].provenance.kind() == SourceKind::External)
            .map(|&s| cx.describe(s))
            .filter(|html| seen.insert(html.clone()))
            .map(|html| print_ids::rewrite(&html, "bibliography", targets))
            .collect()
    }
}

/// A file at the site root, from a page at `prefix`.
fn site_file(prefix: &str, path: &str) -> String {
    format!("{prefix}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chapters_running_head_is_in_the_file_of_its_hundred() {
        // A report of at most a hundred chapters keeps one file.
        for pos in [None, Some(0), Some(99)] {
            assert_eq!(heads_part_path("zh", 100, pos), "print/zh.css");
        }
        assert_eq!(heads_part_path("zh", 0, None), "print/zh.css");
        // One more, and the heads come a hundred to a file; pages that are no chapter link the first.
        assert_eq!(heads_part_path("en", 101, None), "print/en-1.css");
        assert_eq!(heads_part_path("en", 101, Some(0)), "print/en-1.css");
        assert_eq!(heads_part_path("en", 101, Some(99)), "print/en-1.css");
        assert_eq!(heads_part_path("en", 101, Some(100)), "print/en-2.css");
        assert_eq!(
            heads_part_path("en", 20_000, Some(19_999)),
            "print/en-200.css"
        );
    }

    #[test]
    fn css_strings_cannot_end_early() {
        assert_eq!(css_string("02 现状"), "\"02 现状\"");
        assert_eq!(
            css_string("a\"} body{x:y} \\ \n</style>"),
            "\"a\\\"} body{x:y} \\\\  </style>\""
        );
    }
}
