//! Each page resolved into the checked model: its front matter texts and headline figures, its
//! body's references, links and blocks. Problems are reported at their position in the page's
//! file; broken links are errors for `check` and warnings for `build`.

use std::collections::BTreeSet;
use std::sync::Arc;

use rayon::prelude::*;

use crate::check::blocks::BlockSpec;
use crate::check::doc::{self, CitePlace, Resolver};
use crate::check::memo::{Done, Resolved};
use crate::check::pages::{Draft, Skeleton};
use crate::check::refs::{Targets, Unresolved};
use crate::diag::{Diagnostic, Problem, Problems, Severity};
use crate::input::store::{Lookup, Store};
use crate::model::chart::Chart;
use crate::model::data::{DataSet, Value};
use crate::model::doc::{Block, Cited, FigureImage, Heading, Target};
use crate::model::site::{Front, LangKey, Page};
use crate::model::text::{Localized, Ref, Rich, join};

/// What resolving pages needs: every other part of the checked site.
pub struct Context<'a> {
    /// The language packs (quotes, number formats) the texts are resolved with.
    pub packs: &'a crate::model::lang::Packs,
    pub skeleton: &'a Skeleton<'a>,
    /// The shared sources, which prose cites as `[@key]`.
    pub shared: &'a crate::check::bibliography::Shared,
    pub targets: &'a Targets,
    pub sets: &'a Store<DataSet>,
    pub charts: &'a Store<Chart>,
    pub site_title: &'a Localized,
    /// Broken links are errors (`check`) or warnings (`build`, `serve`).
    pub strict_links: bool,
    /// What to do with active content in raw HTML.
    pub raw_html: crate::model::config::RawHtml,
    /// Images and PDFs next to the chapters, by output path (`zh/plant.jpg`).
    pub files: &'a std::collections::BTreeMap<String, Vec<u8>>,
    /// Static files by output path (`static/plant.jpg`).
    pub assets: &'a std::collections::BTreeMap<String, Vec<u8>>,
}

/// Every draft resolved into a page, in site order. With `memo` (a preview), a page whose file
/// and context did not change since the last build is taken from it.
pub fn resolve_all(
    cx: &Context,
    memo: Option<&Resolved>,
    problems: &mut Problems,
) -> Vec<Arc<Page>> {
    let context = memo.map(|_| crate::check::memo::context(cx));
    // Each page resolves against the shared, read-only context: all at once, in parallel;
    // their problems are then reported in page order.
    let resolved: Vec<Done> = cx
        .skeleton
        .drafts
        .par_iter()
        .map(|d| {
            if let (Some(memo), Some(context)) = (memo, context)
                && let Some(done) = memo.get(d.lang(), d.key(), d.src.fingerprint, context)
            {
                return done;
            }
            let mut r = PageResolver {
                cx,
                draft: d,
                blocks: Vec::new(),
                out: Vec::new(),
            };
            let page = r.page();
            (Arc::new(page), r.out)
        })
        .collect();
    if let (Some(memo), Some(context)) = (memo, context) {
        memo.keep(&resolved, context);
    }
    resolved
        .into_iter()
        .map(|(page, out)| {
            problems.extend(out);
            page
        })
        .collect()
}

struct PageResolver<'a> {
    cx: &'a Context<'a>,
    draft: &'a Draft<'a>,
    blocks: Vec<Block>,
    out: Vec<Diagnostic>,
}

impl PageResolver<'_> {
    fn lang(&self) -> &str {
        self.draft.lang()
    }

    fn error_at(&self, offset: usize, severity: Severity, p: Problem) -> Diagnostic {
        let mut d = self.draft.src.error_at(offset, "").with(p);
        d.severity = severity;
        d
    }

    fn problem(&mut self, offset: usize, p: Problem) {
        let d = self.error_at(offset, Severity::Error, p);
        self.out.push(d);
    }

    fn page(&mut self) -> Page {
        let d = self.draft;
        let front = self.front();
        let src = d.src;
        let body = src.with_events(|events| doc::resolve(events, src.body(), &d.outline, self));
        let headings = d
            .outline
            .headings
            .iter()
            .map(|h| Heading {
                level: h.level,
                id: h.id.clone(),
                text: self.heading_text(&h.raw),
            })
            .collect();
        Page {
            lang: d.lang().to_string(),
            key: d.key().to_string(),
            dir: d.dir.clone(),
            front,
            body: std::sync::RwLock::new(body),
            blocks: std::mem::take(&mut self.blocks),
            headings,
            fingerprint: d.src.fingerprint,
            shown: std::sync::OnceLock::new(),
        }
    }

    /// A heading's text with its references resolved. Its problems are reported where the
    /// body's walk meets them, so they are not reported here again.
    fn heading_text(&self, raw: &str) -> Rich {
        self.cx.targets.rich(raw, Some(self.lang()), &mut |_, _| {})
    }

    /// A text of a block's spec (a caption) with its references resolved, problems at the block.
    fn block_text(&mut self, text: &str, index: usize) -> Rich {
        let offset = self.draft.outline.blocks[index].body_offset;
        let src = self.draft.src;
        let lang = self.lang().to_string();
        let out = &mut self.out;
        self.cx.targets.rich(text, Some(&lang), &mut |_, p| {
            out.push(src.error_at(offset, "").with(p));
        })
    }

    /// A front-matter text with its references resolved, problems at its key.
    fn front_text(&mut self, text: &str, key: &str) -> Rich {
        let src = self.draft.src;
        let lang = self.lang().to_string();
        let out = &mut self.out;
        self.cx.targets.rich(text, Some(&lang), &mut |_, p| {
            out.push(src.front_loc.error(&src.file, key, "").with(p));
        })
    }

    fn front(&mut self) -> Front {
        let src = self.draft.src;
        let f = &src.front;
        let title = match &f.title {
            Some(t) => self.front_text(t, "title"),
            None => Rich::plain(
                self.cx
                    .site_title
                    .get(self.lang())
                    .or_else(|| self.cx.site_title.get(&self.cx.skeleton.default_lang))
                    .cloned()
                    .unwrap_or_default(),
            ),
        };
        let short_title = f
            .short_title
            .as_ref()
            .map(|t| self.front_text(t, "short_title"));
        let summary = f.summary.as_ref().map(|t| self.front_text(t, "summary"));
        let description = f
            .description
            .as_ref()
            .map(|t| self.front_text(t, "description"));
        let key_points = f
            .key_points
            .iter()
            .enumerate()
            .map(|(i, t)| self.front_text(t, &format!("key_points.{i}")))
            .collect();
        let key_figures = self.key_figures();
        let charts = self.home_charts();
        Front {
            title,
            short_title,
            number: f.number.clone(),
            summary,
            description,
            key_points,
            key_points_added: f.key_points_added,
            key_figures,
            charts,
            section_level: f.section_level.unwrap_or(2),
            template: f.template.clone(),
            date: f.date.clone(),
            updated: f.updated.clone(),
            authors: f.authors.clone(),
            tags: f.tags.clone(),
            aliases: f
                .aliases
                .iter()
                .filter_map(|a| crate::check::pages::alias_file(a).ok())
                .collect(),
        }
    }

    /// Home page: headline figures must be quantities.
    fn key_figures(&mut self) -> Vec<crate::model::text::DataRef> {
        let src = self.draft.src;
        let mut out = Vec::new();
        for (i, spec) in src.front.key_figures.iter().enumerate() {
            let path = format!("key_figures.{i}");
            match self.cx.targets.data(spec) {
                Ok(r) => {
                    let is_quantity = self.cx.sets.at(r.set).is_some_and(|s| {
                        matches!(s.rows[r.row].values.get(&r.field), Some(Value::Quantity(_)))
                    });
                    let set_ok = self.cx.sets.at(r.set).is_some();
                    if is_quantity {
                        out.push(r);
                    } else if set_ok {
                        self.out.push(
                            src.front_loc
                                .error(&src.file, &path, format!("`{spec}` is not a figure"))
                                .help("key figures must be quantities"),
                        );
                    }
                }
                Err(Unresolved::Problem(p)) => {
                    self.out
                        .push(src.front_loc.error(&src.file, &path, "").with(p));
                }
                Err(Unresolved::Quiet) => {}
            }
        }
        out
    }

    /// Home page: charts shown below the parts.
    fn home_charts(&mut self) -> Vec<usize> {
        let src = self.draft.src;
        let mut out = Vec::new();
        for (i, id) in src.front.charts.iter().enumerate() {
            match self.cx.charts.get(id) {
                Lookup::Found(c, _) => out.push(c),
                Lookup::Failed => {}
                Lookup::Missing => self.out.push(
                    src.front_loc
                        .error(
                            &src.file,
                            &format!("charts.{i}"),
                            format!("unknown chart `{id}`"),
                        )
                        .help(format!("known charts: {}", self.cx.charts.ids())),
                ),
            }
        }
        out
    }

    fn link_problem(&mut self, offset: usize, message: String, help: String) {
        let severity = if self.cx.strict_links {
            Severity::Error
        } else {
            Severity::Warning
        };
        let d = self.error_at(offset, severity, Problem::new(message, help));
        self.out.push(d);
    }

    fn anchors_help(draft: &Draft) -> String {
        let anchors: BTreeSet<&String> = draft.anchors.iter().collect();
        if anchors.is_empty() {
            return "that page has no anchors".into();
        }
        let shown: Vec<&str> = anchors.iter().take(12).map(|s| s.as_str()).collect();
        format!(
            "anchors there: {}{}",
            shown.join(", "),
            if anchors.len() > 12 { ", …" } else { "" }
        )
    }

    fn resolve_link(&mut self, dest: &str, offset: usize) -> Target {
        let sk = self.cx.skeleton;
        if dest.is_empty() || dest.starts_with("//") || has_scheme(dest) {
            return Target::AsWritten(dest.to_string());
        }
        let (path, frag) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (dest, None),
        };
        if path.is_empty() {
            let f = frag.unwrap_or("");
            if !f.is_empty() && !self.draft.anchors.contains(f) {
                let help = Self::anchors_help(self.draft);
                self.link_problem(
                    offset,
                    format!("broken link: no heading or figure `#{f}` on this page"),
                    help,
                );
            }
            return Target::Here(f.to_string());
        }
        if let Some(rest) = path.strip_prefix('/') {
            return Target::Root {
                path: rest.to_string(),
                fragment: frag.map(String::from),
            };
        }
        // Resolve relative to content/<lang>/.
        let mut parts: Vec<&str> = vec![self.lang()];
        for seg in path.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                s => parts.push(s),
            }
        }
        if !path.ends_with(".md") {
            // A file kept next to the chapters (an image, a PDF): copied to the same place.
            let file = parts.join("/");
            if self.cx.files.contains_key(&file) {
                return Target::Root {
                    path: file,
                    fragment: frag.map(String::from),
                };
            }
            self.link_problem(
                offset,
                format!("link to `{path}`: no chapter, and no file content/{file}"),
                format!(
                    "link chapters as `status.md#anchor`; keep images and PDFs ({}) next to the chapter (content/{}/) and link them by name, or put files in static/ and link them as `/static/file`",
                    crate::input::content::COLOCATED.join(", "),
                    self.lang()
                ),
            );
            return Target::AsWritten(dest.to_string());
        }
        let (lang, key) = match parts.as_slice() {
            [lang, file] => (lang.to_string(), file.trim_end_matches(".md").to_string()),
            _ => (String::new(), String::new()),
        };
        // A page not (yet) translated into this language: the link goes to the default
        // language's version, which always exists.
        let found = sk.index.get(&LangKey(&lang, &key)).or_else(|| {
            sk.config_default()
                .filter(|d| *d != lang)
                .and_then(|d| sk.index.get(&LangKey(d, &key)))
        });
        let Some(&target) = found else {
            if !sk.failed.contains(&LangKey(&lang, &key)) {
                let keys: Vec<String> = sk
                    .drafts
                    .iter()
                    .filter(|d| d.lang() == self.lang())
                    .map(|d| format!("{}.md", d.key()))
                    .collect();
                self.link_problem(
                    offset,
                    format!("broken link: `{path}` is not a page of this site"),
                    format!("link one of: {}", keys.join(", ")),
                );
            }
            return Target::AsWritten(dest.to_string());
        };
        let draft = &sk.drafts[target];
        if let Some(f) = frag
            && !f.is_empty()
            && !draft.anchors.contains(f)
        {
            let help = Self::anchors_help(draft);
            self.link_problem(
                offset,
                format!(
                    "broken link: `{}` has no heading or figure `#{f}`",
                    draft.src.file.path.display()
                ),
                help,
            );
        }
        Target::Page {
            page: target,
            fragment: frag.map(String::from),
        }
    }

    fn resolve_block(&mut self, index: usize) -> Result<Block, Unresolved> {
        let d = self.draft;
        let Some(Some(spec)) = d.specs.get(index) else {
            return Err(Unresolved::Quiet);
        };
        let figure = d.block_figures.get(index).copied().flatten();
        let lang = self.lang().to_string();
        let quiet = || Unresolved::Quiet;
        match spec {
            BlockSpec::Chart(c) => {
                let chart = match self.cx.charts.get(&c.id) {
                    Lookup::Found(i, _) => i,
                    Lookup::Failed => return Err(quiet()),
                    Lookup::Missing => {
                        return Err(Unresolved::problem(
                            format!("unknown chart `{}`", c.id),
                            format!(
                                "charts are content/charts/<id>.yaml; known: {}",
                                self.cx.charts.ids()
                            ),
                        ));
                    }
                };
                Ok(Block::Chart {
                    chart,
                    figure: figure.ok_or_else(quiet)?,
                })
            }
            BlockSpec::Table(t) => {
                let (set_ix, set) = self.data_set(&t.data)?;
                let rows = select_rows(set, t.rows.as_deref())?;
                let columns: Vec<String> = match &t.columns {
                    Some(c) => c.clone(),
                    None => set.field_names(),
                };
                for c in &columns {
                    if set.field(c).is_none() {
                        return Err(Unresolved::problem(
                            format!("data file `{}` has no field `{c}`", set.id),
                            format!("fields: {}", join(set.fields.iter().map(|(n, _)| n))),
                        ));
                    }
                }
                let title = match &t.title {
                    Some(title) => self.block_text(title, index),
                    None => set.title.get(&lang).cloned().unwrap_or_default(),
                };
                Ok(Block::Table {
                    set: set_ix,
                    rows,
                    columns,
                    title,
                    figure: figure.ok_or_else(quiet)?,
                })
            }
            BlockSpec::Stats(s) => {
                let (set_ix, set) = self.data_set(&s.data)?;
                let rows = select_rows(set, Some(&s.rows))?;
                for &r in &rows {
                    if set.rows[r].quantity("value").is_none() {
                        return Err(Unresolved::problem(
                            format!(
                                "row `{}.{}` has no quantity `value` to show",
                                set.id, set.rows[r].id
                            ),
                            "stats show each row's `value` with its `label`",
                        ));
                    }
                }
                Ok(Block::Stats { set: set_ix, rows })
            }
            BlockSpec::Figure(f) => {
                let (status, image) = f.image_file(self.lang(), self.cx.files, self.cx.assets)?;
                let image = image.map(|(path, alt)| FigureImage {
                    path,
                    alt: self.block_text(alt, index),
                });
                let title = self.block_text(&f.title, index);
                let source = f.source.as_ref().map(|s| self.block_text(s, index));
                Ok(Block::Figure {
                    title,
                    status,
                    image,
                    source,
                    figure: figure.ok_or_else(quiet)?,
                })
            }
            BlockSpec::Glossary(g) => {
                let (set_ix, set) = self.data_set(&g.data)?;
                for row in &set.rows {
                    if !matches!(row.values.get("term"), Some(Value::Text(_))) {
                        return Err(Unresolved::problem(
                            format!("glossary row `{}` has no `term`", row.id),
                            "each row needs `term: {zh: …, en: …}` and `definition: {zh: …, en: …}`",
                        ));
                    }
                }
                Ok(Block::Glossary { set: set_ix })
            }
        }
    }

    fn data_set(&self, id: &str) -> Result<(usize, &DataSet), Unresolved> {
        match self.cx.sets.get(id) {
            Lookup::Found(i, s) => Ok((i, s)),
            Lookup::Failed => Err(Unresolved::Quiet),
            Lookup::Missing => Err(Unresolved::problem(
                format!("unknown data file `{id}`"),
                format!("data files: {}", self.cx.sets.ids()),
            )),
        }
    }
}

/// Rows of a data file by id (all, when `ids` is None), or an error naming the unknown id.
fn select_rows(set: &DataSet, ids: Option<&[String]>) -> Result<Vec<usize>, Unresolved> {
    match ids {
        None => Ok((0..set.rows.len()).collect()),
        Some(ids) => ids
            .iter()
            .map(|id| {
                set.row_index.get(id).copied().ok_or_else(|| {
                    Unresolved::problem(
                        format!("data file `{}` has no row `{id}`", set.id),
                        format!("rows: {}", join(set.rows.iter().map(|r| &r.id))),
                    )
                })
            })
            .collect(),
    }
}

impl Resolver for PageResolver<'_> {
    fn reference(&mut self, spec: &str, offset: usize) -> Option<Ref> {
        let lang = self.lang().to_string();
        match self.cx.targets.reference(spec, Some(&lang)) {
            Ok(r) => Some(r),
            Err(Unresolved::Problem(p)) => {
                self.problem(offset, p);
                None
            }
            Err(Unresolved::Quiet) => None,
        }
    }

    fn unclosed(&mut self, offset: usize) {
        self.problem(offset, crate::check::refs::unclosed());
    }

    fn link(&mut self, dest: &str, offset: usize) -> Target {
        use crate::model::config::RawHtml;
        let policy = self.cx.raw_html;
        if policy != RawHtml::Allow
            && let Some(d) = crate::check::html::dangers(dest).first()
        {
            if policy == RawHtml::Strip {
                return Target::AsWritten(String::new());
            }
            let severity = if policy == RawHtml::Forbid {
                Severity::Error
            } else {
                Severity::Warning
            };
            let p = crate::check::html::problem(RawHtml::Warn, d)
                .unwrap_or_else(crate::check::html::forbidden);
            let d = self.error_at(offset, severity, p);
            self.out.push(d);
        }
        self.resolve_link(dest, offset)
    }

    fn raw_html(&mut self, html: &str, offset: usize) -> Option<String> {
        use crate::check::html;
        use crate::model::config::RawHtml;
        let policy = self.cx.raw_html;
        if policy == RawHtml::Forbid {
            let d = self.error_at(offset, Severity::Error, html::forbidden());
            self.out.push(d);
            return None;
        }
        let dangers = html::dangers(html);
        if dangers.is_empty() {
            return None;
        }
        if policy == RawHtml::Strip {
            return Some(html::strip(html));
        }
        for d in &dangers {
            if let Some(p) = html::problem(policy, d) {
                let w = self.error_at(offset + d.at, Severity::Warning, p);
                self.out.push(w);
            }
        }
        None
    }

    fn block(&mut self, index: usize) -> Option<(usize, bool)> {
        match self.resolve_block(index) {
            Ok(block) => {
                let wraps = matches!(
                    block,
                    Block::Figure {
                        status: crate::model::doc::FigureStatus::Rebuilt,
                        ..
                    }
                );
                self.blocks.push(block);
                Some((self.blocks.len() - 1, wraps))
            }
            Err(Unresolved::Problem(p)) => {
                let offset = self.draft.outline.blocks[index].body_offset;
                self.problem(offset, p);
                None
            }
            Err(Unresolved::Quiet) => None,
        }
    }

    fn cite(&mut self, items: &[(String, Option<String>, usize)]) -> Option<Vec<Cited>> {
        let shared = self.cx.shared;
        let mut out = Vec::new();
        for (key, locator, offset) in items {
            match shared.keys.get(key) {
                Some((source, _)) => out.push(Cited {
                    source: *source,
                    locator: locator.clone(),
                }),
                None if shared.failed => return None,
                None => {
                    let names = shared.names();
                    let mut help = crate::check::bibliography::unknown_help(key, &[], &names, true);
                    if names.is_empty() {
                        help = "prose cites the shared sources: define it in content/sources.yaml (or content/sources.json)".into();
                    } else {
                        help.push_str("; a data file's own sources are cited through its figures (`{{file.row}}`)");
                    }
                    self.problem(
                        *offset,
                        Problem::new(format!("unknown source `{key}` in a citation"), help),
                    );
                    return None;
                }
            }
        }
        Some(out)
    }

    fn bad_cite(&mut self, raw: &str, offset: usize, place: CitePlace) {
        let (message, help) = match place {
            CitePlace::Malformed => (
                format!("`{raw}` is not a citation"),
                "write `[@key]`, `[@a; @b]` or `[@key, p. 12]` (keys of content/sources.yaml); to show the brackets as they are, write `\\[@`".to_string(),
            ),
            CitePlace::Heading => (
                format!("citation `{raw}` in a heading"),
                "headings are also the table of contents and search titles: cite in the text below the heading".to_string(),
            ),
            CitePlace::Link => (
                format!("citation `{raw}` inside a link's text"),
                "its note mark would be a link inside a link: put the citation after the link".to_string(),
            ),
        };
        self.problem(offset, Problem::new(message, help));
    }

    fn stray_emphasis(&mut self, offset: usize) {
        let d = self.error_at(
            offset,
            Severity::Warning,
            Problem::new(
                "`**` was not turned into bold and shows as asterisks",
                "CommonMark does not close `**` after full-width punctuation followed by a character (`**定义：**正文`); put the punctuation outside: `**定义**：正文`",
            ),
        );
        self.out.push(d);
    }
}

fn has_scheme(s: &str) -> bool {
    match s.find(':') {
        Some(i) => {
            i > 0
                && s[..i]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.')
        }
        None => false,
    }
}
