//! Tera templates: the site's own `templates/*.html` where present, else the built-in ones
//! compiled into yanbao, so an editor can change the look without recompiling. Parse errors are
//! reported with the template's line and column.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use tera::Tera;

use crate::diag::Diagnostic;

/// Templates compiled into yanbao; a file of the same name in the site's `templates/` wins.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("home.html", include_str!("../../templates/home.html")),
    ("chapter.html", include_str!("../../templates/chapter.html")),
    ("search.html", include_str!("../../templates/search.html")),
    ("print.html", include_str!("../../templates/print.html")),
    ("404.html", include_str!("../../templates/404.html")),
    ("nav.html", include_str!("../../templates/nav.html")),
    ("notes.html", include_str!("../../templates/notes.html")),
    (
        "publication.html",
        include_str!("../../templates/publication.html"),
    ),
    ("share.html", include_str!("../../templates/share.html")),
    (
        "key_points.html",
        include_str!("../../templates/key_points.html"),
    ),
];

/// The templates a preview compiled in its previous build, with the hash of their sources.
#[derive(Default)]
pub struct Compiled(std::sync::Mutex<Option<(u64, Arc<Tera>)>>);

/// Loads the templates: the site's own where present, else the built-in ones. Also returns a
/// hash of their sources (for the rebuild cache). With `compiled` (a preview), templates whose
/// sources did not change are not compiled again.
pub fn load(
    root: &Path,
    escape: fn(&str) -> String,
    compiled: Option<&Compiled>,
) -> Result<(Arc<Tera>, u64), Vec<Diagnostic>> {
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
    let mut h = std::hash::DefaultHasher::new();
    std::hash::Hash::hash(&sources, &mut h);
    let hash = std::hash::Hasher::finish(&h);
    let memo = compiled.and_then(|c| c.0.lock().ok());
    if let Some((h, tera)) = memo.as_ref().and_then(|m| m.as_ref())
        && *h == hash
    {
        return Ok((tera.clone(), hash));
    }
    drop(memo);
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    // Tera's default also escapes `/`, which makes every URL in the output unreadable.
    tera.set_escape_fn(escape);
    if let Err(e) = add_templates(&mut tera, &sources) {
        // Tera names the failing template in its message: "Failed to parse 'chapter.html'".
        let msg = e.to_string();
        let name = msg.split('\'').nth(1).unwrap_or("base.html").to_string();
        let text = sources.get(&name).map(String::as_str).unwrap_or("");
        problems.push(template_error(&name, &e, text));
    }
    if problems.is_empty() {
        problems.extend(include_cycle(&sources));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let tera = Arc::new(tera);
    if let Some(mut m) = compiled.and_then(|c| c.0.lock().ok()) {
        *m = Some((hash, tera.clone()));
    }
    Ok((tera, hash))
}

/// Tera's `add_raw_templates`, with the templates parsed in parallel: parsing is most of the
/// time it takes, and the content is read meanwhile.
fn add_templates(tera: &mut Tera, sources: &BTreeMap<String, String>) -> tera::Result<()> {
    let parsed: Vec<tera::Result<tera::Template>> = sources
        .par_iter()
        .map(|(name, text)| {
            tera::Template::new(name, None, text)
                .map_err(|e| tera::Error::chain(format!("Failed to parse '{name}'"), e))
        })
        .collect();
    for template in parsed {
        let template = template?;
        tera.templates.insert(template.name.clone(), template);
    }
    tera.build_inheritance_chains()?;
    tera.check_macro_files()
}

fn builtin_sources() -> BTreeMap<String, String> {
    BUILTIN_TEMPLATES
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect()
}

/// `{% include "x" %}` in a template: the included name and the byte offset of the tag.
fn includes(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("{%") {
        let tag = text[at + 2..].trim_start_matches(['-', ' ', '\t', '\n', '\r']);
        let Some(rest) = tag.strip_prefix("include") else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(quote) = rest
            .chars()
            .next()
            .filter(|c| matches!(c, '"' | '\'' | '`'))
        else {
            continue;
        };
        if let Some(end) = rest[1..].find(quote) {
            out.push((rest[1..1 + end].to_string(), at));
        }
    }
    out
}

/// A template that includes itself, directly or through others, would recurse until the stack
/// overflows: the first such include is reported where it is written.
fn include_cycle(sources: &BTreeMap<String, String>) -> Option<Diagnostic> {
    let graph: BTreeMap<&str, Vec<(String, usize)>> = sources
        .iter()
        .map(|(n, t)| (n.as_str(), includes(t)))
        .collect();
    // Depth-first from each template, in name order; `path` is the chain being followed.
    fn visit<'a>(
        name: &'a str,
        graph: &'a BTreeMap<&str, Vec<(String, usize)>>,
        path: &mut Vec<(&'a str, usize)>,
        done: &mut std::collections::BTreeSet<&'a str>,
    ) -> Option<Vec<(&'a str, usize)>> {
        if done.contains(name) {
            return None;
        }
        for (child, at) in graph.get(name).map_or(&[][..], Vec::as_slice) {
            path.push((name, *at));
            if let Some(start) = path.iter().position(|(n, _)| *n == child.as_str()) {
                return Some(path[start..].to_vec());
            }
            if let Some((key, _)) = graph.get_key_value(child.as_str())
                && let Some(cycle) = visit(key, graph, path, done)
            {
                return Some(cycle);
            }
            path.pop();
        }
        done.insert(name);
        None
    }
    let mut done = std::collections::BTreeSet::new();
    for name in graph.keys() {
        if let Some(cycle) = visit(name, &graph, &mut Vec::new(), &mut done) {
            let (first, at) = cycle[0];
            let mut chain: Vec<&str> = cycle.iter().map(|(n, _)| *n).collect();
            chain.push(first);
            let text = &sources[first];
            let (line, column) = crate::diag::line_col(text, at);
            return Some(
                Diagnostic::error(
                    format!("templates/{first}"),
                    format!(
                        "template `{first}` includes itself ({}): it would never finish",
                        chain.join(" → ")
                    ),
                )
                .at(line, column)
                .with_snippet_from(text)
                .help("remove the include, or move the shared part into a template of its own"),
            );
        }
    }
    None
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn include_cycles_are_found_where_they_are_written() {
        let sources: BTreeMap<String, String> = [
            ("a.html", "x\n  {% include \"b.html\" %}"),
            ("b.html", "{%- include 'a.html' -%}"),
            (
                "c.html",
                "{% include \"a.html\" %}{% include \"missing.html\" %}",
            ),
        ]
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
        let d = include_cycle(&sources).unwrap();
        assert_eq!(
            d.message,
            "template `a.html` includes itself (a.html → b.html → a.html): it would never finish"
        );
        assert_eq!((d.line, d.column), (2, 3));
        let fine: BTreeMap<String, String> = builtin_sources();
        assert!(include_cycle(&fine).is_none());
    }
}
