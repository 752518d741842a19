//! Translation coverage and staleness. A language other than the default may lack pages and
//! texts: its pages show the default language's text, and this module says how much each
//! language has (pages, headings, data texts), warns once per file and language about texts that
//! fall back, and compares each translated page with the default language's sections recorded
//! in `content/translations.lock` to name the sections that changed since.

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;

use crate::check::memo::Resolved;
use crate::check::pages::{Draft, Skeleton};
use crate::diag::{Diagnostic, Problems, SourceFile};
use crate::input::Inputs;
use crate::input::assets::short_hash;
use crate::input::config::valid_language_code;
use crate::input::lock::Lock;
use crate::input::yaml::Located;
use crate::model::translation::{Count, LangCoverage, Translation, lock_key};

/// Coverage of every language, warnings for fallbacks and stale sections. With `memo` (a
/// preview), a page whose file did not change keeps its section hashes.
pub fn translation(
    inputs: &Inputs,
    sk: &Skeleton,
    memo: Option<&Resolved>,
    problems: &mut Problems,
) -> Translation {
    let languages = &inputs.config.languages;
    let Some(default) = languages.first() else {
        return Translation::default();
    };
    let mut out = Translation {
        sections: sk
            .drafts
            .par_iter()
            .filter(|d| d.lang() == default)
            .map(|d| {
                let hit = memo.and_then(|m| m.sections(d.key(), d.src.fingerprint));
                (d.key().to_string(), hit.unwrap_or_else(|| sections(d)))
            })
            .collect::<Vec<_>>()
            .into_iter()
            .collect(),
        ..Translation::default()
    };
    if let Some(memo) = memo {
        let fingerprints = sk.drafts.iter().filter(|d| d.lang() == default);
        let fingerprints = fingerprints.map(|d| (d.key(), d.src.fingerprint));
        memo.keep_sections(fingerprints, &out.sections);
    }
    let mut texts: BTreeMap<&str, Count> = BTreeMap::new();
    let files = std::iter::once((&inputs.config_file, &inputs.config_loc))
        .chain(inputs.data.values().map(|p| (&p.file, &p.loc)))
        .chain(inputs.charts.values().map(|p| (&p.file, &p.loc)))
        .chain(inputs.bibliography.yaml.iter().map(|p| (&p.file, &p.loc)));
    for (file, loc) in files {
        file_texts(
            file,
            loc,
            languages,
            &mut texts,
            &mut out.unlisted,
            problems,
        );
    }
    let stale = inputs
        .lock
        .as_ref()
        .map(|lock| stale_sections(lock, sk, &out.sections, default, problems))
        .unwrap_or_default();
    for lang in languages {
        let mut c = LangCoverage {
            lang: lang.clone(),
            texts: texts.get(lang.as_str()).copied().unwrap_or_default(),
            ..LangCoverage::default()
        };
        for d in sk.drafts.iter().filter(|d| d.lang() == default) {
            let theirs = sk.get(lang, d.key());
            c.pages.add(theirs.is_some());
            let ids: HashSet<&str> = theirs
                .map(|t| t.outline.headings.iter().map(|h| h.id.as_str()).collect())
                .unwrap_or_default();
            for h in &d.outline.headings {
                c.headings.add(ids.contains(h.id.as_str()));
            }
            if lang != default && theirs.is_some() {
                match stale.get(&lock_key(lang, d.key())) {
                    Some(true) => c.stale += 1,
                    Some(false) => c.current += 1,
                    None => {}
                }
            }
        }
        out.coverage.push(c);
    }
    out
}

/// A page's sections as `(heading id, hash)`: the text before the first heading (id `""`), then
/// each heading with the text up to the next heading of any level. Trailing spaces and blank
/// lines do not count as changes.
pub fn sections(d: &Draft) -> Vec<(String, String)> {
    let body = d.src.body();
    let starts: Vec<(usize, &str)> = std::iter::once((0, ""))
        .chain(d.outline.headings.iter().map(|h| (h.offset, h.id.as_str())))
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(i, &(start, id))| {
            let end = starts.get(i + 1).map_or(body.len(), |n| n.0);
            let text = body.get(start..end).unwrap_or("");
            let normal: Vec<&str> = text
                .lines()
                .map(str::trim_end)
                .filter(|l| !l.is_empty())
                .collect();
            (id.to_string(), short_hash(normal.join("\n").as_bytes()))
        })
        .collect()
}

/// Per-language texts of one YAML file, found by their paths (`rows.3.vendor.en`): a node whose
/// children include the default language is a text. Counts them per language and warns once
/// per language that lacks some.
fn file_texts<'a>(
    file: &SourceFile,
    loc: &Located,
    languages: &'a [String],
    counts: &mut BTreeMap<&'a str, Count>,
    unlisted: &mut BTreeMap<String, usize>,
    problems: &mut Problems,
) {
    let Some(default) = languages.first() else {
        return;
    };
    let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
    for path in loc.paths() {
        if let Some((parent, key)) = path.rsplit_once('.').or(Some(("", path)))
            && valid_language_code(key)
        {
            children.entry(parent).or_default().push(key);
        }
    }
    let mut missing: BTreeMap<&str, Vec<(usize, usize, &str)>> = BTreeMap::new();
    let mut total = 0;
    for (text, keys) in &children {
        if !keys.contains(&default.as_str()) || is_prose_override(text) {
            continue;
        }
        total += 1;
        for lang in languages {
            let have = keys.contains(&lang.as_str());
            counts.entry(lang.as_str()).or_default().add(have);
            if !have {
                let (line, col) = loc.value(text);
                missing.entry(lang).or_default().push((line, col, text));
            }
        }
        for k in keys.iter().filter(|k| !languages.iter().any(|l| l == *k)) {
            *unlisted.entry(k.to_string()).or_default() += 1;
        }
    }
    for (lang, mut at) in missing {
        at.sort();
        let Some(&(line, col, first)) = at.first() else {
            continue;
        };
        let n = at.len();
        let what = if n == 1 {
            format!("`{first}` has no `{lang}` text")
        } else {
            format!("{n} of {total} texts have no `{lang}` text (the first: `{first}`)")
        };
        problems.push(
            Diagnostic::warning(&file.path, format!("{what}; {lang} pages show the {default} text"))
                .at(line, col)
                .help(format!(
                    "add `{lang}: …` beside `{default}: …` to translate; `yanbao check` lists each language's coverage"
                ))
                .with_snippet_from(&file.text),
        );
    }
}

/// A row's `text:` says how its value reads in prose in some languages; the others write the
/// number, so a language without one lacks nothing.
fn is_prose_override(path: &str) -> bool {
    let parts: Vec<&str> = path.split('.').collect();
    matches!(parts.as_slice(), ["rows", n, "text"] if n.parse::<usize>().is_ok())
}

/// Compares every translated page recorded in the lock with its default-language page now: a
/// warning at the translation's heading for each section that changed or is new. Returns, per
/// recorded page, whether it is stale.
fn stale_sections(
    lock: &Lock,
    sk: &Skeleton,
    now: &BTreeMap<String, Vec<(String, String)>>,
    default: &str,
    problems: &mut Problems,
) -> HashMap<String, bool> {
    let mut out = HashMap::new();
    for (page, recorded) in &lock.entries {
        let found = page.split_once('/').and_then(|(lang, key)| {
            Some((sk.get(lang, key)?, sk.get(default, key)?, now.get(key)?))
                .filter(|_| lang != default)
        });
        let Some((ours, theirs, sections)) = found else {
            problems.push(
                lock.loc
                    .key_error(&lock.file, page, format!("no translated page `{page}`"))
                    .as_warning()
                    .help("the page was removed or renamed: run `yanbao translated` to write the lock file again"),
            );
            continue;
        };
        let mut stale = false;
        for (id, hash) in sections {
            let why = match recorded.get(id) {
                Some(h) if h == hash => continue,
                Some(_) => "changed",
                None => "is new",
            };
            stale = true;
            let heading = ours.outline.headings.iter().find(|h| &h.id == id);
            let offset = heading.map_or(0, |h| h.offset);
            let theirs_line = theirs
                .outline
                .headings
                .iter()
                .find(|h| &h.id == id)
                .map_or(1, |h| {
                    theirs.src.file.line_col(theirs.src.body_start + h.offset).0
                });
            let name = if id.is_empty() {
                "the text before the first heading".to_string()
            } else {
                format!("section `#{id}`")
            };
            problems.push(
                ours.src
                    .file
                    .error_at(
                        ours.src.body_start + offset,
                        format!(
                            "{name} {why} in {} (line {theirs_line}) since this translation was last brought in line",
                            theirs.src.file.path.display()
                        ),
                    )
                    .as_warning()
                    .help(format!(
                    "update the translation, then run `yanbao translated {page}` to record it"
                )),
            );
        }
        out.insert(page.clone(), stale);
    }
    out
}
