//! The pages before their bodies are resolved: front matter rules, one page per slug, every
//! language folder configured, reading order, output folders, heading ids, block specs and the
//! numbering of figures and tables. What references and links can point at is known after this.

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;

use crate::check::blocks::BlockSpec;
use crate::check::doc::{self, Outline};
use crate::check::ids::{self, IdKind};
use crate::diag::{Diagnostic, Problem, Problems};
use crate::input::config::valid_language_code;
use crate::input::content::{PageSource, Pages};
use crate::model::config::SiteConfig;
use crate::model::doc::{Figure, FigureKind};
use crate::model::site::{ByLangKey, HOME_KEY, LangKey, LangKeys, is_sitemap_part};

/// A page being checked.
pub struct Draft<'a> {
    pub src: &'a PageSource,
    /// Output folder relative to the site root: `zh/`, `zh/status/`.
    pub dir: String,
    /// Shared with a preview's memo, which keeps it for the next build.
    pub outline: std::sync::Arc<Outline>,
    /// Parsed specs of the page's blocks, in order (None where the spec is invalid).
    pub specs: Vec<Option<BlockSpec>>,
    /// The figure each block is (numbered blocks only).
    pub block_figures: Vec<Option<usize>>,
    /// Ids a link may point at: headings and numbered blocks.
    pub anchors: HashSet<String>,
}

impl Draft<'_> {
    pub fn lang(&self) -> &str {
        &self.src.lang
    }

    pub fn key(&self) -> &str {
        &self.src.key
    }
}

/// The pages in site order with everything that other pages may point at.
pub struct Skeleton<'a> {
    pub drafts: Vec<Draft<'a>>,
    pub figures: Vec<Figure>,
    /// (lang, figure id) → figure.
    pub figure_ids: ByLangKey<usize>,
    /// (lang, key) → draft.
    pub index: ByLangKey<usize>,
    /// Pages that exist but failed (their problems are reported): links to them stay quiet.
    pub failed: LangKeys,
    /// The default language (complete; links from partial translations fall back to it).
    pub default_lang: String,
}

impl Skeleton<'_> {
    pub fn config_default(&self) -> Option<&str> {
        Some(self.default_lang.as_str()).filter(|l| !l.is_empty())
    }

    pub fn get(&self, lang: &str, key: &str) -> Option<&Draft<'_>> {
        self.index
            .get(&(lang.to_string(), key.to_string()))
            .map(|&i| &self.drafts[i])
    }
}

pub fn skeleton<'a>(
    pages: &'a Pages,
    config: &SiteConfig,
    memo: Option<&crate::check::memo::Resolved>,
    problems: &mut Problems,
) -> Skeleton<'a> {
    language_folders(pages, config, problems);
    let mut failed: LangKeys = pages
        .pages
        .failed_ids()
        .filter_map(|id| id.split_once('/'))
        .map(|(l, k)| (l.to_string(), k.to_string()))
        .collect();
    let mut ok: Vec<&PageSource> = Vec::new();
    for src in pages.pages.values() {
        let (found, usable) = front_matter_rules(src);
        problems.extend(found);
        if usable {
            ok.push(src);
        } else {
            failed.insert((src.lang.clone(), src.key.clone()));
        }
    }
    duplicate_slugs(&ok, problems);
    aliases(&ok, config, problems);
    missing_translations(&ok, config, &failed, problems);
    let lang_pos = |l: &str| {
        config
            .languages
            .iter()
            .position(|x| x == l)
            .unwrap_or(usize::MAX)
    };
    ok.sort_by(|a, b| {
        let key = |p: &PageSource| {
            (
                lang_pos(&p.lang),
                !p.is_home(),
                p.front.order.unwrap_or(0),
                p.key.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    // Each page's outline and block specs need nothing from the others: all at once, in
    // parallel, their problems then reported in page order.
    let drafted: Vec<(Draft, Problems)> = ok
        .into_par_iter()
        .map(|src| {
            let mut own = Problems::default();
            (draft(src, memo, &mut own), own)
        })
        .collect();
    if let Some(memo) = memo {
        memo.keep_outlines(
            drafted
                .iter()
                .map(|(d, _)| (d.lang(), d.key(), d.src.fingerprint, &d.outline)),
        );
    }
    let mut drafts = Vec::with_capacity(drafted.len());
    for (d, own) in drafted {
        problems.extend(own.into_vec());
        drafts.push(d);
    }
    let index = drafts
        .iter()
        .enumerate()
        .map(|(i, d)| ((d.lang().to_string(), d.key().to_string()), i))
        .collect();
    let mut s = Skeleton {
        drafts,
        figures: Vec::new(),
        figure_ids: ByLangKey::default(),
        index,
        failed,
        default_lang: config.languages.first().cloned().unwrap_or_default(),
    };
    number_blocks(&mut s, problems);
    s
}

/// Folders of `content/` that are not configured languages, and languages without a folder.
fn language_folders(pages: &Pages, config: &SiteConfig, problems: &mut Problems) {
    for name in &pages.folders {
        if !config.languages.contains(name) {
            let msg = if valid_language_code(name) {
                format!("unknown language `{name}`: content/{name}/ is not in the site's languages")
            } else {
                format!("unexpected folder content/{name}/")
            };
            problems.push(Diagnostic::error(format!("content/{name}"), msg).help(format!(
                "add `{name}` to `languages` in content/site.yaml (now: {}), or move the folder out of content/",
                config.languages.join(", ")
            )));
        }
    }
    for lang in &config.languages {
        if !pages.folders.contains(lang) {
            problems.push(
                Diagnostic::error(format!("content/{lang}"), format!("language `{lang}` has no folder content/{lang}/"))
                    .help(format!("create content/{lang}/ with an _index.md and one file per chapter, or remove `{lang}` from `languages`")),
            );
        }
    }
}

/// Folders of a language that yanbao writes pages of its own into, so no chapter may take them.
const RESERVED_SLUGS: &[(&str, &str)] = &[
    ("search", "the search page"),
    ("print", "the print edition"),
];

/// What a page's front matter must say, and whether the page can still be checked further: a
/// page without a title, an order or a usable slug cannot, one with a bad date or tag can (so
/// its figures and links raise no follow-on errors).
fn front_matter_rules(src: &PageSource) -> (Vec<Diagnostic>, bool) {
    let mut out = Vec::new();
    let (file, front, loc) = (&src.file, &src.front, &src.front_loc);
    let home = src.is_home();
    if !home {
        if front.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
            out.push(file.error_at_line(1, 1, "front matter has no `title`").help(
                "add `title: …`; it is the page's heading and its name in the table of contents",
            ));
        }
        if front.order.is_none() {
            out.push(
                file.error_at_line(1, 1, "front matter has no `order`")
                    .help("add `order: <number>`; chapters are listed by this number"),
            );
        }
    }
    match &front.slug {
        Some(slug) if !IdKind::Slug.accepts(slug) => out.push(
            loc.error(file, "slug", format!("slug `{slug}` is not usable in a URL"))
                .help("use lowercase letters, digits and `-`, e.g. `market-size`"),
        ),
        None if !home && !IdKind::Slug.accepts(&src.key) => out.push(
            file.error_at_line(1, 1, format!("file name `{}` is not usable in a URL", src.key))
                .help("rename the file with lowercase letters, digits and `-`, or give a `slug:` in the front matter"),
        ),
        _ => {}
    }
    if !home && let Some(own) = RESERVED_SLUGS.iter().find(|(s, _)| *s == src.slug()) {
        let message = format!(
            "slug `{}` is taken by {} (`{}/{}/`)",
            own.0, own.1, src.lang, own.0
        );
        let help = "rename the file or give it another `slug:`, e.g. `slug: ".to_string()
            + own.0
            + "-notes`";
        out.push(
            match front.slug {
                Some(_) => loc.error(file, "slug", message),
                None => file.error_at_line(1, 1, message),
            }
            .help(help),
        );
    }
    let usable = out.is_empty();
    for (key, value) in [("date", &front.date), ("updated", &front.updated)] {
        if let Some(d) = value
            && !crate::input::config::valid_date(d)
        {
            out.push(
                loc.error(file, key, format!("`{key}` `{d}` is not a date"))
                    .help("write `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, e.g. `2025-03-14`"),
            );
        }
    }
    if let (Some(d), Some(u)) = (&front.date, &front.updated) {
        // Same-format dates compare as text; `2025-03` and `2025-03-14` compare by their prefix.
        let n = d.len().min(u.len());
        if crate::input::config::valid_date(d)
            && crate::input::config::valid_date(u)
            && u[..n] < d[..n]
        {
            out.push(
                loc.error(file, "updated", format!("`updated` {u} is before `date` {d}"))
                    .help("`date` is when the page was first published, `updated` when it was last revised"),
            );
        }
    }
    for (key, list) in [("authors", &front.authors), ("tags", &front.tags)] {
        for (i, v) in list.iter().enumerate() {
            if v.trim().is_empty() {
                out.push(
                    loc.error(
                        file,
                        &format!("{key}.{i}"),
                        format!("`{key}` has an empty entry"),
                    )
                    .help("remove it, or write the name it should show".to_string()),
                );
            }
        }
    }
    if !home && (!front.key_figures.is_empty() || !front.charts.is_empty()) {
        let what = if front.key_figures.is_empty() {
            "charts"
        } else {
            "key_figures"
        };
        out.push(
            loc.key_error(
                file,
                what,
                format!("`{what}` is only used on the home page (_index.md)"),
            )
            .help("remove it here, or move it to _index.md"),
        );
    }
    (out, usable)
}

fn duplicate_slugs(pages: &[&PageSource], problems: &mut Problems) {
    let mut slugs: HashMap<(&str, &str), &PageSource> = HashMap::with_capacity(pages.len());
    for page in pages.iter().filter(|p| !p.is_home()) {
        if let Some(first) = slugs.insert((&page.lang, page.slug()), page) {
            let d = if page.front.slug.is_some() {
                page.front_loc.error(
                    &page.file,
                    "slug",
                    format!("duplicate slug `{}`", page.slug()),
                )
            } else {
                page.file
                    .error_at_line(1, 1, format!("duplicate slug `{}`", page.slug()))
            };
            problems.push(d.help(format!(
                "{} already uses it; give one of them a different `slug:`",
                first.file.path.display()
            )));
        }
    }
}

/// Names yanbao writes at the site root or in a language folder, which no alias may take (nor,
/// at the root, the names of a large site's sitemap parts: `sitemap-1.xml`…).
const OWN_NAMES: &[&str] = &[
    "404.html",
    "index.html",
    "sitemap.xml",
    "robots.txt",
    "manifest.webmanifest",
    "datapackage.json",
    "charts",
    "data",
    "cite",
    "search",
    "print",
    "static",
];

/// The file an alias becomes, from the site root: `zh/old/` and `zh/old` → `zh/old/index.html`;
/// `old/report.html` stays. Only a path inside the site, in plain URL characters, is accepted.
pub fn alias_file(alias: &str) -> Result<String, Problem> {
    let path = alias.trim().trim_start_matches('/');
    let plain = |seg: &str| {
        !seg.is_empty()
            && seg != "."
            && seg != ".."
            && seg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c))
    };
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    if alias.contains("://") || alias.starts_with("//") {
        return Err(Problem::new(
            format!("alias `{alias}` is not a path in this site"),
            "write the old address as a path from the site root, e.g. `zh/old-status/` (a redirect to another site belongs in the server's configuration)",
        ));
    }
    if path.is_empty() || !segments.iter().all(|s| plain(s)) {
        return Err(Problem::new(
            format!("alias `{alias}` is not a usable path"),
            "use ASCII letters, digits, `-`, `_`, `.` and `~` between `/`, e.g. `zh/old-status/` or `2023/report.html`; no `..`, spaces, `?` or `#`",
        ));
    }
    let last = segments.last().copied().unwrap_or("");
    Ok(if last.ends_with(".html") || last.ends_with(".htm") {
        segments.join("/")
    } else {
        format!("{}/index.html", segments.join("/"))
    })
}

/// Every alias is a usable path that no page, no file of yanbao's and no other alias takes.
fn aliases(pages: &[&PageSource], config: &SiteConfig, problems: &mut Problems) {
    if pages.iter().all(|p| p.front.aliases.is_empty()) {
        return;
    }
    // Page folders (`zh/status/`) and home pages.
    let taken: HashSet<String> = pages
        .iter()
        .map(|p| format!("{}index.html", p.dir()))
        .collect();
    let mut seen: HashMap<String, &PageSource> = HashMap::new();
    for page in pages {
        for (i, alias) in page.front.aliases.iter().enumerate() {
            let path = format!("aliases.{i}");
            let err = |message: String| page.front_loc.error(&page.file, &path, message);
            let file = match alias_file(alias) {
                Ok(f) => f,
                Err(p) => {
                    problems.push(err(String::new()).with(p));
                    continue;
                }
            };
            let segs: Vec<&str> = file.split('/').collect();
            let own = match segs.as_slice() {
                [first, ..] if OWN_NAMES.contains(first) || is_sitemap_part(first) => true,
                [lang, second, ..] if config.languages.iter().any(|l| l == lang) => {
                    OWN_NAMES.contains(second)
                }
                _ => false,
            };
            if taken.contains(&file) || own {
                problems.push(
                    err(format!("alias `{alias}` is the address of a page or file of this site ({file})"))
                        .help("an alias is an old address that no longer has a page; remove it, or pick the old path exactly"),
                );
            } else if let Some(first) = seen.insert(file.clone(), page) {
                problems.push(
                    err(format!(
                        "alias `{alias}` is also an alias of {}",
                        first.file.path.display()
                    ))
                    .help("an old address can lead to one page only; remove one of them"),
                );
            }
        }
    }
}

fn missing_translations(
    pages: &[&PageSource],
    config: &SiteConfig,
    failed: &LangKeys,
    problems: &mut Problems,
) {
    let mut by_key: BTreeMap<&str, Vec<&PageSource>> = BTreeMap::new();
    for page in pages {
        by_key.entry(&page.key).or_default().push(page);
    }
    // The default language is complete; the others publish what they have translated, and
    // need at least their home page.
    let default = &config.languages[0];
    if let Some(home) = by_key
        .get(HOME_KEY)
        .and_then(|v| v.iter().find(|p| &p.lang == default))
    {
        for lang in &config.languages[1..] {
            let has = by_key[HOME_KEY].iter().any(|p| &p.lang == lang);
            if !has && !failed.contains(&LangKey(lang, HOME_KEY)) {
                problems.push(
                    Diagnostic::error(
                        &home.file.path,
                        format!("missing translation: no `{lang}` home page"),
                    )
                    .at(1, 1)
                    .help(format!(
                        "create content/{lang}/_index.md; the chapters of `{lang}` may come one at a time, but its home page is where its navigation starts"
                    ))
                    .with_snippet_from(&home.file.text),
                );
            }
        }
    }
    for (key, versions) in by_key {
        if versions.iter().any(|p| &p.lang == default) || failed.contains(&LangKey(default, key)) {
            continue;
        }
        let Some(have) = versions.first() else {
            continue;
        };
        problems.push(
            Diagnostic::error(
                &have.file.path,
                format!("missing translation: no `{default}` version of `{key}`"),
            )
            .at(1, 1)
            .help(format!(
                "create content/{default}/{key}.md: the default language (the first in `languages`) must have every page; other languages may leave pages out"
            ))
            .with_snippet_from(&have.file.text),
        );
    }
}

/// A page's output folder, outline and block specs.
/// A preview takes the outline of a file it has seen unchanged from its memo.
fn draft<'a>(
    src: &'a PageSource,
    memo: Option<&crate::check::memo::Resolved>,
    problems: &mut Problems,
) -> Draft<'a> {
    let dir = src.dir();
    let outline = memo
        .and_then(|m| m.outline(&src.lang, &src.key, src.fingerprint))
        .unwrap_or_else(|| {
            std::sync::Arc::new(src.with_borrowed_events(|events| doc::outline(events, src.body())))
        });
    for h in outline.headings.iter().filter(|h| h.explicit) {
        if !IdKind::Anchor.accepts(&h.id) {
            problems.push(src.error_at(h.offset, "").with(ids::problem(
                IdKind::Anchor,
                "heading id",
                &h.id,
            )));
        }
    }
    for (id, offset) in &outline.duplicate_ids {
        problems.push(
            src.error_at(
                *offset,
                format!("heading id `#{id}` is used twice on this page"),
            )
            .help(
                "give each heading its own `{#id}`; links and the language switch need one target",
            ),
        );
    }
    let specs = outline
        .blocks
        .iter()
        .map(|b| match BlockSpec::parse(b, src) {
            // A figure id ends up in HTML and URLs: a spec with a bad one counts as invalid.
            Ok(s) => match s.figure_id().filter(|id| !IdKind::Anchor.accepts(id)) {
                Some(id) => {
                    let p = ids::problem(IdKind::Anchor, "figure id", id);
                    problems.push(src.error_at(b.body_offset, "").with(p));
                    None
                }
                None => Some(s),
            },
            Err(d) => {
                problems.push(d);
                None
            }
        })
        .collect::<Vec<_>>();
    let anchors = outline.headings.iter().map(|h| h.id.clone()).collect();
    Draft {
        src,
        dir,
        block_figures: vec![None; specs.len()],
        specs,
        outline,
        anchors,
    }
}

/// Numbers figures (charts and lost-image figures) and data tables per language, in reading
/// order, and gives each an HTML id.
fn number_blocks(s: &mut Skeleton, problems: &mut Problems) {
    let mut counters: HashMap<(String, FigureKind), usize> = HashMap::new();
    let keys: Vec<String> = s.drafts.iter().map(|d| d.src.key.clone()).collect();
    for (page_ix, draft) in s.drafts.iter_mut().enumerate() {
        for (i, spec) in draft.specs.iter().enumerate() {
            let Some(spec) = spec else { continue };
            let Some(kind) = spec.figure_kind() else {
                continue;
            };
            let n = counters.entry((draft.src.lang.clone(), kind)).or_insert(0);
            *n += 1;
            let base = spec.anchor(*n);
            let mut anchor = base.clone();
            let mut k = 2;
            while draft.anchors.contains(&anchor) {
                anchor = format!("{base}-{k}");
                k += 1;
            }
            draft.anchors.insert(anchor.clone());
            let fig_ix = s.figures.len();
            s.figures.push(Figure {
                kind,
                number: *n,
                anchor,
                page: page_ix,
            });
            draft.block_figures[i] = Some(fig_ix);
            if let Some(id) = spec.figure_id() {
                let key = (draft.src.lang.clone(), id.to_string());
                if let Some(&first) = s.figure_ids.get(&key) {
                    let first: &Figure = &s.figures[first];
                    let first_page = &keys[first.page];
                    problems.push(
                        draft
                            .src
                            .error_at(draft.outline.blocks[i].body_offset, format!("figure id `{id}` is used twice"))
                            .help(format!("it is already figure {} on page `{}`; give this block another `id:`", first.number, first_page)),
                    );
                } else {
                    s.figure_ids.insert(key, fig_ix);
                }
            }
        }
    }
}
