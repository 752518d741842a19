//! Walks `content/<lang>/`: each Markdown file's front matter (YAML, parsed) and body (parsed by
//! pulldown-cmark into events with byte ranges). Rules about what they say are `check`'s job.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, Mutex};

use pulldown_cmark::{Event, Options, Parser};
use rayon::prelude::*;
use serde::Deserialize;

use crate::diag::{Diagnostic, Problems, SourceFile};
use crate::input::files::{self, Found};
use crate::input::store::Store;
use crate::input::yaml::{self, Located};
use crate::model::config::SiteConfig;
use crate::model::fingerprint::Fingerprint;
use crate::model::lang::Packs;
use crate::model::site::HOME_KEY;

/// Folders of `content/` that are not languages.
pub const NOT_LANGUAGES: &[&str] = &["data", "charts", "i18n"];

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: Option<String>,
    /// Shorter title for navigation.
    #[serde(default)]
    pub short_title: Option<String>,
    /// Position in the table of contents.
    pub order: Option<i64>,
    /// Label shown before the title ("01").
    #[serde(default)]
    pub number: Option<String>,
    /// Last URL segment; defaults to the file name.
    #[serde(default)]
    pub slug: Option<String>,
    /// One sentence on what the page covers; the meta description.
    #[serde(default)]
    pub summary: Option<String>,
    /// Overrides the meta description.
    #[serde(default)]
    pub description: Option<String>,
    /// The chapter's main findings, a few sentences shown in a box under its title.
    #[serde(default)]
    pub key_points: Vec<String>,
    /// The key points were written for this edition, not taken from the report: the box says so.
    #[serde(default)]
    pub key_points_added: bool,
    /// Built only with `--drafts`.
    #[serde(default)]
    pub draft: bool,
    /// Home page: figures shown as headline numbers (`file.row` references).
    #[serde(default)]
    pub key_figures: Vec<String>,
    /// Home page: charts shown below the parts (chart ids).
    #[serde(default)]
    pub charts: Vec<String>,
    /// Heading level of the page's main sections, listed under it on the home page (default 2).
    #[serde(default)]
    pub section_level: Option<u8>,
    /// Template to render with instead of the default for the page kind.
    #[serde(default)]
    pub template: Option<String>,
    /// When the page was first published (`2025-03` or `2025-03-14`).
    #[serde(default)]
    pub date: Option<String>,
    /// When it was last revised.
    #[serde(default)]
    pub updated: Option<String>,
    /// Who wrote it, in the page's language.
    #[serde(default)]
    pub authors: Vec<String>,
    /// Subjects, in the page's language (listed under the title and in meta keywords).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Old addresses of the page (`zh/2023-status/`, `old/report.html`): each gets a page that
    /// sends readers and search engines on to this one.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// One Markdown file in one language.
#[derive(Debug)]
pub struct PageSource {
    pub lang: String,
    /// Translation key: the file stem, shared by every language's version.
    pub key: String,
    pub file: SourceFile,
    pub front: FrontMatter,
    pub front_loc: Located,
    /// Byte offset in the file where the Markdown body starts.
    pub body_start: usize,
    /// The body as events, with byte ranges into the body ([`PageSource::with_events`]), kept
    /// by a preview, which parses a file once and reuses its events in later builds. A build
    /// keeps none: it parses a page when its outline is read and again when its body is
    /// resolved, so it never holds every page's events at once (they take four times the text).
    events: Mutex<Option<Events>>,
    /// The language's punctuation rule, which the parse follows.
    smart: bool,
    /// Hash of the file's text, language and punctuation rule (all the parse depends on): what
    /// a preview compares.
    pub fingerprint: u64,
    /// [`PageSource::front_fingerprint`], made when first asked for.
    front_fingerprint: std::sync::OnceLock<u64>,
}

/// A body's Markdown events, with byte ranges into the body.
pub type Events = Vec<(Event<'static>, Range<usize>)>;

impl PageSource {
    /// Calls `f` with the body's events: the kept ones, or parsed now.
    pub fn with_events<R>(&self, f: impl FnOnce(&[(Event<'static>, Range<usize>)]) -> R) -> R {
        self.kept_or(|| parse_markdown(self.body(), self.smart), f)
    }

    /// Calls `f` with the body's events, for a reader that keeps none of them: the kept ones,
    /// or parsed now with their texts borrowed from the body.
    pub fn with_borrowed_events<R>(&self, f: impl FnOnce(&[(Event<'_>, Range<usize>)]) -> R) -> R {
        self.kept_or(|| parse_markdown_borrowed(self.body(), self.smart), f)
    }

    /// Calls `f` with the kept events, or with those `parse` makes when none are kept (the
    /// lock is not held while parsing).
    fn kept_or<'e, R>(
        &self,
        parse: impl FnOnce() -> Vec<(Event<'e>, Range<usize>)>,
        f: impl FnOnce(&[(Event<'e>, Range<usize>)]) -> R,
    ) -> R {
        let kept = self.kept();
        if let Some(events) = kept.as_deref() {
            return f(events);
        }
        drop(kept);
        f(&parse())
    }

    /// The events a preview keeps (none in a build), locked while they are read.
    fn kept(&self) -> std::sync::MutexGuard<'_, Option<Events>> {
        self.events
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Keeps the body's events, parsed now, for the builds to come (a preview).
    fn keep_events(&self) {
        let mut events = parse_markdown(self.body(), self.smart);
        events.shrink_to_fit();
        *self.kept() = Some(events);
    }

    pub fn is_home(&self) -> bool {
        self.key == HOME_KEY
    }

    /// A fingerprint of the front matter, made once per file: a preview hashes every page's
    /// on each rebuild, and keeps the pages whose files did not change.
    pub fn front_fingerprint(&self) -> u64 {
        *self.front_fingerprint.get_or_init(|| {
            crate::model::fingerprint::Fingerprint::default()
                .debug(&self.front)
                .finish()
        })
    }

    pub fn body(&self) -> &str {
        &self.file.text[self.body_start..]
    }

    pub fn slug(&self) -> &str {
        self.front.slug.as_deref().unwrap_or(&self.key)
    }

    /// The page's output folder from the site root: `zh/` for a home page, `zh/status/`.
    pub fn dir(&self) -> String {
        if self.is_home() {
            format!("{}/", self.lang)
        } else {
            format!("{}/{}/", self.lang, self.slug())
        }
    }

    /// An error at a byte offset of the body.
    pub fn error_at(&self, body_offset: usize, message: impl Into<String>) -> Diagnostic {
        self.file.error_at(self.body_start + body_offset, message)
    }
}

/// What `content/` holds besides the pages: folders that are neither languages nor data.
#[derive(Debug, Default)]
pub struct Pages {
    /// By `lang/key`.
    pub pages: Store<Arc<PageSource>>,
    /// Language folders found in `content/` (configured or not).
    pub folders: Vec<String>,
    /// Images and PDFs kept next to the chapters, by output path (`zh/plant.jpg` for
    /// `content/zh/plant.jpg`): copied to the site, and what relative links and image figures
    /// in a chapter resolve to.
    pub files: BTreeMap<String, Vec<u8>>,
}

/// Files next to the chapters that are copied to the site (by extension, lowercase).
pub const COLOCATED: &[&str] = &["png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "pdf"];

/// The pages a preview parsed in its previous build, by file: a rebuild reads again only the
/// files whose size or modification time changed (or that the watcher reported), and parses
/// again only those whose bytes changed.
#[derive(Default)]
pub struct Parsed {
    pages: Mutex<HashMap<String, Memo>>,
}

struct Memo {
    stamp: Option<Stamp>,
    /// The language's punctuation rule the page was parsed with.
    smart: bool,
    hash: u64,
    page: Arc<PageSource>,
}

/// A file's size and modification time.
type Stamp = (u64, std::time::SystemTime);

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

impl Parsed {
    fn by_stamp(&self, rel: &str, stamp: Option<Stamp>, smart: bool) -> Option<Arc<PageSource>> {
        let pages = self.pages.lock().ok()?;
        let m = pages.get(rel)?;
        (stamp.is_some() && m.stamp == stamp && m.smart == smart).then(|| m.page.clone())
    }

    fn by_hash(&self, rel: &str, hash: u64) -> Option<Arc<PageSource>> {
        let pages = self.pages.lock().ok()?;
        let m = pages.get(rel)?;
        (m.hash == hash).then(|| m.page.clone())
    }

    fn put(&self, rel: &str, stamp: Option<Stamp>, smart: bool, hash: u64, page: &Arc<PageSource>) {
        if let Ok(mut pages) = self.pages.lock() {
            let page = page.clone();
            let memo = Memo {
                stamp,
                smart,
                hash,
                page,
            };
            pages.insert(rel.to_string(), memo);
        }
    }

    /// Forgets the files that are gone.
    fn keep_only(&self, seen: &HashSet<String>) {
        if let Ok(mut pages) = self.pages.lock() {
            pages.retain(|rel, _| seen.contains(rel));
        }
    }

    /// Files the watcher saw change (paths from the site root): read them again whatever their
    /// stamp says (two saves within one tick of the file system's clock can keep it).
    /// None: every file (the watcher lost track).
    pub fn forget(&self, rels: Option<&HashSet<String>>) {
        if let Ok(mut pages) = self.pages.lock() {
            match rels {
                Some(rels) => {
                    for rel in rels {
                        if let Some(m) = pages.get_mut(rel) {
                            m.stamp = None;
                        }
                    }
                }
                None => pages.values_mut().for_each(|m| m.stamp = None),
            }
        }
    }
}

/// Reads every page of every configured language. Drafts are left out unless `drafts`. With
/// `parsed`, files unchanged since the last build are not parsed again.
pub fn load(
    root: &Path,
    config: &SiteConfig,
    packs: &Packs,
    drafts: bool,
    parsed: Option<&Parsed>,
    problems: &mut Problems,
) -> Pages {
    let mut out = Pages::default();
    let content = root.join("content");
    let entries = match std::fs::read_dir(&content) {
        Ok(e) => e,
        Err(e) => {
            problems.push(Diagnostic::error(
                "content",
                format!("cannot read the content folder: {e}"),
            ));
            return out;
        }
    };
    let mut folders: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !NOT_LANGUAGES.contains(&n.as_str()) && !n.starts_with('.'))
        .collect();
    folders.sort();
    out.folders = folders;
    // A chapter drafted in the default language is left out in every language: its
    // translations cannot be published before it (a draft in another language only hides that
    // language's version).
    let mut default_drafts: HashSet<String> = HashSet::new();
    let mut seen: HashSet<String> = HashSet::new();
    let default = config.languages.first();
    for lang in &config.languages {
        if !content.join(lang).is_dir() {
            continue;
        }
        let smart = packs.get(lang).smart_punctuation;
        let mut chapters = Vec::new();
        for found in files::walk(root, &format!("content/{lang}"), true, problems) {
            if found.extension() != "md" {
                let ext = found.extension().to_ascii_lowercase();
                if COLOCATED.contains(&ext.as_str()) {
                    match std::fs::read(&found.path) {
                        Ok(b) => {
                            let out_path = found.rel.trim_start_matches("content/").to_string();
                            out.files.insert(out_path, b);
                        }
                        Err(e) => problems
                            .push(Diagnostic::error(&found.rel, format!("cannot read: {e}"))),
                    }
                }
                continue;
            }
            if found.rel.matches('/').count() > 2 {
                problems.push(
                    Diagnostic::error(
                        &found.rel,
                        "chapters must sit directly in the language folder",
                    )
                    .help(format!(
                        "move this file to content/{lang}/ (sub-folders are not supported)"
                    )),
                );
                continue;
            }
            if parsed.is_some() {
                seen.insert(found.rel.clone());
            }
            chapters.push(found);
        }
        // Reading and parsing a file needs nothing from the others: all of a language's files
        // at once, in parallel; what they hold is then taken in walk order.
        let read: Vec<(String, Result<Arc<PageSource>, Diagnostic>)> = chapters
            .par_iter()
            .map(|found| {
                (
                    format!("{lang}/{}", found.stem()),
                    read_page(found, lang, smart, parsed),
                )
            })
            .collect();
        for (id, page) in read {
            match page {
                Ok(page) if page.front.draft && !drafts => {
                    if Some(lang) == default {
                        default_drafts.insert(page.key.clone());
                    }
                }
                Ok(page) if !drafts && default_drafts.contains(&page.key) => {}
                Ok(page) => out.pages.insert(id, page),
                Err(d) => {
                    problems.push(d);
                    out.pages.fail(id);
                }
            }
        }
    }
    if let Some(parsed) = parsed {
        parsed.keep_only(&seen);
    }
    out
}

fn read_page(
    found: &Found,
    lang: &str,
    smart: bool,
    parsed: Option<&Parsed>,
) -> Result<Arc<PageSource>, Diagnostic> {
    let stamp = parsed.and_then(|_| stamp(&found.path));
    if let Some(page) = parsed.and_then(|p| p.by_stamp(&found.rel, stamp, smart)) {
        return Ok(page);
    }
    let file = files::read_text(found)?;
    // What the parse depends on: the bytes, the language and its punctuation rule.
    let hash = Fingerprint::default()
        .add(&(&file.text, lang, smart))
        .finish();
    if let Some(parsed) = parsed
        && let Some(page) = parsed.by_hash(&found.rel, hash)
    {
        parsed.put(&found.rel, stamp, smart, hash, &page);
        return Ok(page);
    }
    let key = found.stem();
    let (front_text, front_line, body_start) =
        split_front_matter(&file.text).ok_or_else(|| front_matter_problem(&file))?;
    let (front, front_loc) = yaml::parse::<FrontMatter>(&file, front_text, front_line)?;
    let page = Arc::new(PageSource {
        lang: lang.to_string(),
        key,
        fingerprint: hash,
        file,
        front,
        front_loc,
        body_start,
        events: Mutex::new(None),
        smart,
        front_fingerprint: std::sync::OnceLock::new(),
    });
    if let Some(parsed) = parsed {
        page.keep_events();
        parsed.put(&found.rel, stamp, smart, hash, &page);
    }
    Ok(page)
}

/// Why a page has no usable front matter: none at all, or a `---` that is never closed.
fn front_matter_problem(file: &SourceFile) -> Diagnostic {
    let opens = file
        .text
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .map(str::trim_end)
        == Some("---");
    if opens {
        file.error_at_line(1, 1, "the front matter is not closed: no second `---` line")
            .help("end the YAML block with a line holding only `---`, before the text of the page")
    } else {
        file.error_at_line(1, 1, "missing front matter").help(
            "start the file with a YAML block between two `---` lines: `---`, `title: …`, `order: 1`, `---`",
        )
    }
}

/// Markdown with the extensions yanbao supports; typographic quotes where the language wants them.
pub fn parse_markdown(body: &str, smart_punctuation: bool) -> Vec<(Event<'static>, Range<usize>)> {
    let mut events = Vec::with_capacity(event_room(body));
    events.extend(
        parser(body, smart_punctuation)
            .into_offset_iter()
            .map(|(e, r)| (e.into_static(), r)),
    );
    events
}

/// [`parse_markdown`] with the events' texts borrowed from `body`, for a reader that keeps none
/// of them (a page's outline): no copy of each text event.
pub fn parse_markdown_borrowed(
    body: &str,
    smart_punctuation: bool,
) -> Vec<(Event<'_>, Range<usize>)> {
    let mut events = Vec::with_capacity(event_room(body));
    events.extend(parser(body, smart_punctuation).into_offset_iter());
    events
}

fn parser(body: &str, smart_punctuation: bool) -> Parser<'_> {
    let mut opts = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        // `> [!NOTE]` and the other GitHub alert kinds: editor's notes set apart from the text.
        | Options::ENABLE_GFM;
    if smart_punctuation {
        opts |= Options::ENABLE_SMART_PUNCTUATION;
    }
    Parser::new_ext(body, opts)
}

/// Room for the events a body of this length usually makes (one per 20-35 bytes in the bundled
/// report, the fixtures and the benchmark's corpus), so that the list is not copied as it grows:
/// 1.3% of a build's instructions at N=1000.
fn event_room(body: &str) -> usize {
    body.len() / 16 + 8
}

/// Returns (front matter text, number of lines before it, byte offset of the body).
pub fn split_front_matter(text: &str) -> Option<(&str, usize, usize)> {
    let first_end = text.find('\n')?;
    if text[..first_end].trim_end() != "---" {
        return None;
    }
    let yaml_start = first_end + 1;
    let mut pos = yaml_start;
    for line in text[yaml_start..].split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Some((&text[yaml_start..pos], 1, pos + line.len()));
        }
        pos += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter() {
        let t = "---\ntitle: x\norder: 1\n---\nbody\n";
        let (fm, line, start) = split_front_matter(t).unwrap();
        assert_eq!(fm, "title: x\norder: 1\n");
        assert_eq!(line, 1);
        assert_eq!(&t[start..], "body\n");
        assert!(split_front_matter("title: x\n").is_none());
        assert!(split_front_matter("---\ntitle: x\n").is_none());
        let crlf = "---\r\ntitle: x\r\n---\r\nbody";
        assert_eq!(&crlf[split_front_matter(crlf).unwrap().2..], "body");
    }
}
