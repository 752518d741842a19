//! Tera templates: the site's own `templates/*.html` where present, else the built-in ones
//! compiled into yanbao, so an editor can change the look without recompiling. Parse errors are
//! reported with the template's line and column.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

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
    escape: tera::EscapeFn,
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
    let mut tera = Tera::new();
    tera.autoescape_on([".html", ".xml"]);
    // The project's one escape (markup.rs), as for the text yanbao writes itself.
    tera.set_escape_fn(escape);
    // An include loop is reported where its first include is written (Tera names only the
    // templates in the loop).
    if let Some(cycle) = include_cycle(&sources) {
        return Err(vec![cycle]);
    }
    if let Err(e) = tera.add_raw_templates(&sources) {
        return Err(template_errors(&e, &sources));
    }
    let tera = Arc::new(tera);
    if let Some(mut m) = compiled.and_then(|c| c.0.lock().ok()) {
        *m = Some((hash, tera.clone()));
    }
    Ok((tera, hash))
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

/// A Tera error as diagnostics, each in the template where Tera found it, at its line and
/// column (with the line itself where `sources` has the template's text), in Tera's words. An
/// error without a place (an inheritance loop, a missing parent) names the template it
/// concerns.
pub fn template_errors(e: &tera::Error, sources: &BTreeMap<String, String>) -> Vec<Diagnostic> {
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            vec![reported(r, e, sources)]
        }
        tera::ErrorKind::CircularExtend { tpl, .. }
        | tera::ErrorKind::CircularInclude { tpl, .. }
        | tera::ErrorKind::MissingParent { current: tpl, .. } => {
            vec![diagnostic(tpl, e.to_string())]
        }
        _ => {
            // Unknown filters, tests, functions and includes: Tera's reports in one message.
            let text = e.to_string();
            let found: Vec<Diagnostic> = reports(&text)
                .into_iter()
                .map(|(name, message, line, column)| {
                    placed(name, message.to_string(), line, column, sources)
                })
                .collect();
            if found.is_empty() {
                vec![diagnostic("base.html", with_causes(text, e))]
            } else {
                found
            }
        }
    }
}

/// A Tera error rendering `template` as a diagnostic: where Tera says it is, else `template`.
pub fn render_error(template: &str, e: &tera::Error) -> Diagnostic {
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            reported(r, e, &BTreeMap::new())
        }
        _ => diagnostic(template, with_causes(e.to_string(), e)),
    }
}

/// The error `e` Tera reported with its place (`r`), and the line it is on: from `sources`, or
/// (an error while rendering, where yanbao holds no template text) as Tera's report quotes it.
fn reported(
    r: &tera::ReportError,
    e: &tera::Error,
    sources: &BTreeMap<String, String>,
) -> Diagnostic {
    let span = r.span();
    let message = with_causes(r.message().to_string(), e);
    let mut d = placed(
        r.filename(),
        message,
        span.start_line,
        span.start_col + 1,
        sources,
    );
    if d.snippet.is_none() {
        let quoted = format!("{} | ", span.start_line);
        d.snippet = e.to_string().lines().find_map(|l| {
            let line = l.trim_start().strip_prefix(quoted.as_str())?;
            Some(line.trim_end().to_string())
        });
    }
    d
}

/// A diagnostic at `line:column` of template `name`, with that line where `sources` has it.
fn placed(
    name: &str,
    message: String,
    line: usize,
    column: usize,
    sources: &BTreeMap<String, String>,
) -> Diagnostic {
    let d = diagnostic(name, message).at(line, column);
    match sources.get(name) {
        Some(text) => d.with_snippet_from(text),
        None => d,
    }
}

fn diagnostic(name: &str, message: String) -> Diagnostic {
    Diagnostic::error(format!("templates/{name}"), message).help(
        "fix the template; yanbao uses its built-in template only where the site has no file of that name",
    )
}

/// `message` with the causes under `e` (a filter's or function's own error), each after `: `.
fn with_causes(mut message: String, e: &tera::Error) -> String {
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        message = format!("{message}: {c}");
        cause = c.source();
    }
    message
}

/// The errors in a report Tera wrote as text: each `error: <message>` line followed by
/// ` --> <template>:<line>:<column>`, as (template, message, line, column).
fn reports(text: &str) -> Vec<(&str, &str, usize, usize)> {
    let mut out = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(message) = line.strip_prefix("error: ") else {
            continue;
        };
        let Some(place) = lines
            .peek()
            .and_then(|l| l.trim_start().strip_prefix("--> "))
        else {
            continue;
        };
        let mut parts = place.rsplitn(3, ':');
        let (Some(column), Some(at), Some(name)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if let (Ok(at), Ok(column)) = (at.parse(), column.parse()) {
            out.push((name, message, at, column));
        }
    }
    out
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

    /// Each unknown filter, in any template, is its own error at its own place, with its line.
    #[test]
    fn every_unknown_filter_is_reported_where_it_is_written() {
        let sources: BTreeMap<String, String> = [
            ("a.html", "<p>{{ x | shout }}</p>"),
            ("b.html", "\n\n  {{ y | whisper(n=1) }}"),
        ]
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
        let mut tera = Tera::new();
        let e = tera.add_raw_templates(&sources).unwrap_err();
        let got: Vec<String> = template_errors(&e, &sources)
            .iter()
            .map(|d| {
                let at = format!("{}:{}:{}", d.path.display(), d.line, d.column);
                format!(
                    "{at} {} | {}",
                    d.message,
                    d.snippet.as_deref().unwrap_or("").trim()
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "templates/a.html:1:11 Unknown filter `shout` | <p>{{ x | shout }}</p>",
                "templates/b.html:3:10 Unknown filter `whisper` | {{ y | whisper(n=1) }}",
            ]
        );
    }
}
