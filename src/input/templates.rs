//! Tera templates: the site's own `templates/*.html` where present, else the built-in ones
//! compiled into yanbao, so an editor can change the look without recompiling. Parse errors are
//! reported with the template's line and column.

use std::collections::BTreeMap;
use std::path::Path;

use tera::Tera;

use crate::diag::Diagnostic;

/// Templates compiled into yanbao; a file of the same name in the site's `templates/` wins.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("home.html", include_str!("../../templates/home.html")),
    ("chapter.html", include_str!("../../templates/chapter.html")),
    ("search.html", include_str!("../../templates/search.html")),
    ("404.html", include_str!("../../templates/404.html")),
    ("nav.html", include_str!("../../templates/nav.html")),
    ("notes.html", include_str!("../../templates/notes.html")),
];

/// Loads the templates: the site's own where present, else the built-in ones. Also returns a
/// hash of their sources (for the rebuild cache).
pub fn load(root: &Path, escape: fn(&str) -> String) -> Result<(Tera, u64), Vec<Diagnostic>> {
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
    tera.set_escape_fn(escape);
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
