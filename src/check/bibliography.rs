//! The shared bibliography checked: every key of `content/sources.yaml` (the kinds and keys of a
//! data file's `sources:`) and every entry of `content/sources.json` (CSL-JSON) becomes one
//! source of the site, first in its list of sources, so data files and prose cite it by key. A
//! key defined twice is an error naming both places.

use std::collections::HashMap;

use serde_yaml::{Mapping, Value as Yaml};

use crate::check::data::SetCheck;
use crate::check::refs::Targets;
use crate::diag::{Problems, SourceFile};
use crate::input::bibliography::{Bibliography, JsonFile};
use crate::input::data::{Parsed, RawData};
use crate::model::data::{Provenance, Source, Text, TextItem};
use crate::model::lang::Packs;
use crate::model::text::Rich;

/// The shared sources: the first entries of the site's sources, by key.
#[derive(Debug, Clone, Default)]
pub struct Shared {
    pub sources: Vec<Source>,
    /// Key → (index in the site's sources, where it is defined: `content/sources.yaml:4:3`).
    pub keys: HashMap<String, (usize, String)>,
    /// A bibliography file could not be read: names that are not found stay quiet.
    pub failed: bool,
}

impl Shared {
    /// The keys, in the order they are defined.
    pub fn names(&self) -> Vec<&str> {
        self.sources.iter().map(|s| s.id.as_str()).collect()
    }
}

/// Checks the bibliography files into the shared sources.
pub fn check(
    bib: &Bibliography,
    targets: &Targets,
    packs: &Packs,
    languages: &[String],
    problems: &mut Problems,
) -> Shared {
    let mut shared = Shared {
        failed: bib.failed,
        ..Shared::default()
    };
    // Every key first, so a derivation in sources.yaml may name an entry of sources.json.
    let yaml_keys: Vec<(String, String)> = bib.yaml.as_ref().map_or(Vec::new(), |y| {
        y.raw
            .keys()
            .filter_map(Yaml::as_str)
            .map(|k| {
                let (l, c) = y.loc.key(k);
                (k.to_string(), format!("{}:{l}:{c}", y.file.path.display()))
            })
            .collect()
    });
    for (i, (key, at)) in yaml_keys.iter().enumerate() {
        shared.keys.insert(key.clone(), (i, at.clone()));
    }
    if let Some(y) = &bib.yaml {
        for key in y.raw.keys() {
            match key.as_str() {
                Some(k) if !valid_key(k) => problems.push(
                    y.key_error(k, format!("`{k}` cannot be a source key"))
                        .help(KEY_HELP),
                ),
                Some(_) => {}
                None => problems.push(
                    y.error("", "source keys must be text")
                        .help("write each source as `key: {kind: …}`"),
                ),
            }
        }
    }
    let json = bib
        .json
        .as_ref()
        .map(|j| json_sources(j, &mut shared, yaml_keys.len(), problems))
        .unwrap_or_default();
    if let Some(y) = &bib.yaml {
        let parsed = as_data(y);
        // Only the JSON entries are "shared" from the YAML file's point of view: its own keys
        // come first, at index 0.
        let mut others = shared.clone();
        others.keys.retain(|_, (i, _)| *i >= yaml_keys.len());
        let mut c = SetCheck::new(&parsed, targets, packs, languages, &others);
        c.prefix = "";
        let sources = c.sources();
        problems.extend(c.out);
        problems.extend(c.warnings);
        shared.sources = sources;
    }
    shared.sources.extend(json);
    shared
}

/// `content/sources.yaml` in the shape of a data file with only `sources:`, so its sources are
/// checked by the same code, word for word.
fn as_data(y: &Parsed<Mapping>) -> Parsed<RawData> {
    Parsed {
        id: y.id.clone(),
        file: y.file.clone(),
        loc: y.loc.clone(),
        raw: RawData {
            title: Default::default(),
            notes: None,
            source: None,
            sources: y.raw.clone(),
            fields: Mapping::new(),
            rows: Vec::new(),
        },
        fingerprint: y.fingerprint,
    }
}

/// The entries of `content/sources.json` as outside sources, numbered from `base`.
fn json_sources(
    j: &JsonFile,
    shared: &mut Shared,
    base: usize,
    problems: &mut Problems,
) -> Vec<Source> {
    let mut out = Vec::new();
    for (value, offset) in &j.entries {
        let at = |f: &SourceFile, m: String| f.error_at(*offset, m);
        let Some(id) = value.get("id").and_then(serde_json::Value::as_str) else {
            problems.push(at(&j.file, "CSL-JSON entry has no `id`".into()).help(
                "give it `\"id\": \"key\"`: prose cites it as `[@key]`, data as `source: key`",
            ));
            continue;
        };
        let (line, col) = j.file.line_col(*offset);
        let here = format!("{}:{line}:{col}", j.file.path.display());
        if !valid_key(id) {
            problems.push(at(&j.file, format!("`{id}` cannot be a source key")).help(KEY_HELP));
            continue;
        }
        if let Some((_, first)) = shared.keys.get(id) {
            problems.push(
                at(&j.file, format!("source key `{id}` is defined twice")).help(format!(
                    "it is defined first at {first}; rename one of them"
                )),
            );
            continue;
        }
        match json_source(id, value) {
            Ok(s) => {
                shared.keys.insert(id.to_string(), (base + out.len(), here));
                out.push(s);
            }
            Err(m) => problems.push(at(&j.file, format!("CSL-JSON entry `{id}`: {m}")).help(
                "entries need `id`, `type` (report, webpage, article-journal, book…) and `title`, in CSL-JSON's field names",
            )),
        }
    }
    out
}

/// One CSL-JSON entry as an outside source: publisher (or the journal, or the authors), title,
/// date and address are what tables and downloads show; the engine formats the whole entry.
fn json_source(id: &str, v: &serde_json::Value) -> Result<Source, String> {
    // What the citation engine will read: an entry it cannot is an error here, not a gap.
    serde_json::from_value::<hayagriva::citationberg::json::Item>(v.clone())
        .map_err(|e| e.to_string())?;
    let text = |k: &str| v.get(k).and_then(serde_json::Value::as_str).map(str::trim);
    if text("type").is_none_or(str::is_empty) {
        return Err("it has no `type`".into());
    }
    let Some(title) = text("title").filter(|t| !t.is_empty()) else {
        return Err("it has no `title`".into());
    };
    let authors: Vec<String> = v
        .get("author")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| {
            let part = |k: &str| a.get(k).and_then(serde_json::Value::as_str);
            part("literal").map(String::from).or_else(|| {
                let name = [part("given"), part("family")]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                (!name.is_empty()).then_some(name)
            })
        })
        .collect();
    let publisher = text("publisher")
        .or(text("container-title"))
        .map(String::from)
        .unwrap_or_else(|| authors.join(", "));
    let date = crate::model::cite::issued(v)
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if i == 0 {
                format!("{p:04}")
            } else {
                format!("{p:02}")
            }
        })
        .collect::<Vec<_>>()
        .join("-");
    let url = text("URL")
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .map(String::from)
        .or_else(|| text("DOI").map(|d| format!("https://doi.org/{d}")));
    let plain = |s: &str| Text::Same(TextItem::One(Rich::plain(s)));
    Ok(Source {
        id: id.to_string(),
        provenance: Provenance::External {
            publisher: plain(&publisher),
            title: plain(title),
            date,
            url,
            item: Some(v.clone()),
        },
    })
}

const KEY_HELP: &str = "a key starts with a letter, digit or `_` and goes on with letters, digits and `_-:.#$%&+?<>~/` (not at its end), so `[@key]` can cite it";

/// Can `[@key]` cite this key? Pandoc's rule: a letter, digit or `_` first, then also internal
/// punctuation `:.#$%&-+?<>~/`.
pub fn valid_key(k: &str) -> bool {
    let mut chars = k.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let inner = |c: char| c.is_alphanumeric() || c == '_' || ":.#$%&-+?<>~/".contains(c);
    (first.is_alphanumeric() || first == '_')
        && k.chars().all(inner)
        && k.chars()
            .last()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// Help for a source name that is not found: the nearest known one, then what exists.
pub fn unknown_help(name: &str, own: &[&str], shared: &[&str], in_shared_file: bool) -> String {
    let mut parts = Vec::new();
    let near = nearest(name, own.iter().chain(shared).copied());
    if in_shared_file {
        parts.push(format!(
            "keys of the bibliography: {}",
            list(own.iter().chain(shared).copied())
        ));
    } else {
        if !own.is_empty() {
            parts.push(format!(
                "sources of this file: {}",
                list(own.iter().copied())
            ));
        }
        if !shared.is_empty() {
            parts.push(format!(
                "shared sources (content/sources.yaml, .json): {}",
                list(shared.iter().copied())
            ));
        }
        if own.is_empty() && shared.is_empty() {
            parts.push(
                "define it under `sources:`, or in content/sources.yaml for the whole site".into(),
            );
        }
    }
    match near {
        Some(n) => format!("did you mean `{n}`? {}", parts.join("; ")),
        None => parts.join("; "),
    }
}

/// Up to 12 names, comma-separated.
pub fn list<'n>(names: impl Iterator<Item = &'n str>) -> String {
    let names: Vec<&str> = names.collect();
    let mut s = names
        .iter()
        .take(12)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > 12 {
        s.push_str(&format!(", … ({} in all)", names.len()));
    }
    s
}

/// The known name closest to `name` (edit distance at most a third of its length, and 1 for
/// short ones), if one is.
pub fn nearest<'n>(name: &str, known: impl Iterator<Item = &'n str>) -> Option<&'n str> {
    let limit = (name.chars().count() / 3).max(1);
    known
        .map(|k| (distance(name, k), k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, k)| (*d, *k))
        .map(|(_, k)| k)
}

/// Levenshtein distance in characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// `kind: report` sources of `content/sources.yaml` name `<page>#<heading>` of the default
/// language: both must exist (as in data files).
pub fn report_sections(
    sk: &crate::check::pages::Skeleton,
    bib: &Bibliography,
    shared: &Shared,
    default_language: &str,
    problems: &mut Problems,
) {
    let Some(y) = &bib.yaml else { return };
    for source in &shared.sources {
        let Provenance::Report { page, anchor } = &source.provenance else {
            continue;
        };
        if page.is_empty() {
            continue;
        }
        if let Some(p) =
            crate::check::translations::section_problem(sk, default_language, page, anchor)
        {
            let path = format!("{}.section", source.id);
            problems.push(y.error(&path, "").with(p).follow_on());
        }
    }
}

/// A derivation that rests on itself (`a` from `b`, `b` from `a`) could never be described: each
/// such circle is an error at the `from:` of its first source.
pub fn derivation_cycles(
    bib: &Bibliography,
    store: &crate::input::data::DataFiles,
    sets: &crate::input::store::Store<crate::model::data::DataSet>,
    sources: &[Source],
    problems: &mut Problems,
) {
    let from = |s: usize| match sources.get(s).map(|x| &x.provenance) {
        Some(Provenance::Derived { from, .. }) => from.clone(),
        _ => Vec::new(),
    };
    // 0: not seen, 1: on the current path, 2: done.
    let mut state = vec![0u8; sources.len()];
    for start in 0..sources.len() {
        if state[start] != 0 {
            continue;
        }
        let mut path = vec![start];
        let mut stack = vec![(start, from(start), 0usize)];
        state[start] = 1;
        while let Some((node, next, k)) = stack.last_mut() {
            let Some(&n) = next.get(*k) else {
                state[*node] = 2;
                stack.pop();
                path.pop();
                continue;
            };
            *k += 1;
            match state.get(n) {
                Some(0) => {
                    state[n] = 1;
                    path.push(n);
                    stack.push((n, from(n), 0));
                }
                Some(1) => {
                    let at = path.iter().position(|&p| p == n).unwrap_or(0);
                    let circle: Vec<String> = path[at..]
                        .iter()
                        .chain([&n])
                        .map(|&p| format!("`{}`", sources[p].id))
                        .collect();
                    let message =
                        format!("derivation goes round in a circle: {}", circle.join(" → "));
                    let help = "a derived source rests on others; one of these must be a report or outside source";
                    let id = &sources[n].id;
                    // A data file's own source, or else one of the bibliography.
                    let d = match sets.iter().find(|(_, _, set)| set.sources.contains(&n)) {
                        Some((i, _, _)) => store
                            .at(i)
                            .map(|p| p.error(&format!("sources.{id}.from"), message.clone())),
                        None => bib
                            .yaml
                            .as_ref()
                            .map(|y| y.error(&format!("{id}.from"), message.clone())),
                    };
                    problems.push(
                        d.unwrap_or_else(|| {
                            crate::diag::Diagnostic::error(
                                crate::input::bibliography::YAML_FILE,
                                message,
                            )
                        })
                        .help(help),
                    );
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_pandoc() {
        for k in ["eada2024", "smith:2020", "a.b-c", "_x", "中汽协2024"] {
            assert!(valid_key(k), "{k}");
        }
        for k in ["", "-a", "a-", "a b", "a]", "a;b", "a,b"] {
            assert!(!valid_key(k), "{k}");
        }
    }

    #[test]
    fn the_nearest_name_is_suggested() {
        let known = ["registry_2024", "tariff", "survey"];
        assert_eq!(
            nearest("registry_2025", known.iter().copied()),
            Some("registry_2024")
        );
        assert_eq!(nearest("survy", known.iter().copied()), Some("survey"));
        assert_eq!(nearest("other", known.iter().copied()), None);
        assert_eq!(
            unknown_help("survy", &["survey"], &["tariff"], false),
            "did you mean `survey`? sources of this file: survey; shared sources (content/sources.yaml, .json): tariff"
        );
    }
}
