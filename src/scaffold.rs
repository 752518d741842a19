//! Starting points: `yanbao init` writes a small working bilingual report (compiled in from
//! `templates/starter/`), and `yanbao new chapter` adds a chapter in every language with its
//! front matter filled in; `yanbao init --templates` copies the built-in templates, language
//! packs and static files into a site for editing. None of them ever overwrites a file.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Error, Result};

/// The starter report, path → text.
const STARTER: &[(&str, &str)] = &[
    (
        "content/site.yaml",
        include_str!("../templates/starter/content/site.yaml"),
    ),
    (
        "content/zh/_index.md",
        include_str!("../templates/starter/content/zh/_index.md"),
    ),
    (
        "content/en/_index.md",
        include_str!("../templates/starter/content/en/_index.md"),
    ),
    (
        "content/zh/market.md",
        include_str!("../templates/starter/content/zh/market.md"),
    ),
    (
        "content/en/market.md",
        include_str!("../templates/starter/content/en/market.md"),
    ),
    (
        "content/sources.yaml",
        include_str!("../templates/starter/content/sources.yaml"),
    ),
    (
        "content/data/market.yaml",
        include_str!("../templates/starter/content/data/market.yaml"),
    ),
    (
        "content/charts/market-size.yaml",
        include_str!("../templates/starter/content/charts/market-size.yaml"),
    ),
];

/// Writes the starter report into `dir` (created if needed) and returns the files written.
/// Refuses a folder that already holds `content/`.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>> {
    let content = dir.join("content");
    if content.exists() {
        return Err(Error::content(vec![
            Diagnostic::error(
                content.display().to_string(),
                "this folder already holds a report (`content/` exists)",
            )
            .help("run `yanbao init NEW-FOLDER` to start a report in another folder"),
        ]));
    }
    let mut written = Vec::new();
    for (rel, text) in STARTER {
        let path = dir.join(rel);
        write_new(&path, text)?;
        written.push(path);
    }
    Ok(written)
}

/// Copies the built-in templates, language packs and static files into the site at `dir`, where
/// yanbao then uses them instead of its own. Writes nothing when any of them exists already.
pub fn copy_builtins(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<(String, &[u8])> = Vec::new();
    for (name, text) in crate::input::templates::BUILTIN_TEMPLATES {
        files.push((format!("templates/{name}"), text.as_bytes()));
    }
    for (lang, text) in crate::input::i18n::BUILTIN {
        files.push((format!("templates/i18n/{lang}.yaml"), text.as_bytes()));
    }
    for (name, bytes) in crate::input::assets::BUILTIN_STATIC {
        files.push((format!("static/{name}"), bytes));
    }
    let existing: Vec<Diagnostic> = files
        .iter()
        .filter(|(rel, _)| dir.join(rel).symlink_metadata().is_ok())
        .map(|(rel, _)| {
            Diagnostic::error(
                rel.clone(),
                "already exists; `init --templates` never overwrites a file",
            )
            .help("rename or move your copy, run the command again, then carry your changes over")
        })
        .collect();
    if !existing.is_empty() {
        return Err(Error::content(existing));
    }
    let mut written = Vec::new();
    for (rel, bytes) in files {
        let path = dir.join(&rel);
        write_new_bytes(&path, bytes)?;
        written.push(path);
    }
    Ok(written)
}

/// Adds chapter `name` in every language of the site at `root`, ordered after the last one.
pub fn new_chapter(root: &Path, name: &str) -> Result<Vec<PathBuf>> {
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-');
    if !valid {
        return Err(Error::content(vec![
            Diagnostic::error(
                "command line (new chapter)",
                format!("chapter name `{name}` is not usable as a file name and in a URL"),
            )
            .help("use lowercase letters, digits and `-`, e.g. `market-size`"),
        ]));
    }
    let (config, _, _) = crate::input::config::load(root).map_err(Error::content)?;
    let mut targets = Vec::new();
    for lang in &config.languages {
        let path = root.join("content").join(lang).join(format!("{name}.md"));
        if path.exists() {
            return Err(Error::content(vec![
                Diagnostic::error(
                    format!("content/{lang}/{name}.md"),
                    format!("chapter `{name}` already exists"),
                )
                .help("choose another name, or edit the existing file"),
            ]));
        }
        targets.push((lang, path));
    }
    let order = next_order(root, &config.languages) + 1;
    let mut written = Vec::new();
    for (lang, path) in targets {
        let title = if lang == "zh" {
            "新章节"
        } else {
            "New chapter"
        };
        let text = format!(
            "---\ntitle: {title}   # TODO: the chapter's title in `{lang}`\norder: {order}\nnumber: \"{order:02}\"\nslug: {name}\n# summary: one sentence for the home page and the meta description\n---\n\n## {title} {{#{name}}}\n\n"
        );
        write_new(&path, &text)?;
        written.push(path);
    }
    Ok(written)
}

/// `yanbao translated [PAGE…]`: records in `content/translations.lock` that each named
/// translation (`en/status`, `content/en/status.md`, or a language `en` for all its pages; every
/// translation when none is named) is now in line with the default language's page as it is, so
/// `check` can later name the sections that changed since. Returns each page recorded with its
/// number of sections. The site must check without errors.
pub fn translated(root: &Path, targets: &[String]) -> Result<Vec<(String, usize)>> {
    use crate::input::lock;
    use crate::model::translation::{LOCK_PATH, lock_key};
    let opts = crate::pipeline::Options::new(root);
    let mut problems = crate::diag::Problems::default();
    let loaded = crate::pipeline::load(&opts, crate::render::Mode::Check, None, &mut problems)?;
    problems.finish()?;
    let Some((inputs, site)) = loaded else {
        return Err(Error::content(Vec::new()));
    };
    let default = site.default_language().to_string();
    let translations: Vec<(String, String)> = site
        .pages
        .iter()
        .filter(|p| p.lang != default)
        .map(|p| (p.lang.clone(), p.key.clone()))
        .collect();
    let mut chosen: Vec<&(String, String)> = Vec::new();
    for t in targets {
        let name = t
            .trim_start_matches("./")
            .trim_start_matches("content/")
            .trim_end_matches(".md")
            .trim_end_matches('/');
        let matches: Vec<&(String, String)> = translations
            .iter()
            .filter(|(l, k)| name == l || name == lock_key(l, k))
            .collect();
        if matches.is_empty() {
            let known: Vec<String> = translations.iter().map(|(l, k)| lock_key(l, k)).collect();
            return Err(Error::content(vec![
                Diagnostic::error(
                    "command line (translated)",
                    format!("`{t}` is not a translated page or a translation's language"),
                )
                .help(format!(
                    "name a page as `en/status` (or its file) or a language; translated pages: {}",
                    known.join(", ")
                )),
            ]));
        }
        chosen.extend(matches);
    }
    if targets.is_empty() {
        chosen = translations.iter().collect();
    }
    // A page named twice (`en en/status`) is recorded once.
    let mut seen = std::collections::HashSet::new();
    chosen.retain(|t| seen.insert(*t));
    let mut entries = match inputs.lock {
        Some(l) if !targets.is_empty() => l.entries,
        _ => lock::Entries::new(),
    };
    let mut recorded = Vec::new();
    for (lang, key) in chosen {
        let sections = site
            .translation
            .sections
            .get(key)
            .cloned()
            .unwrap_or_default();
        recorded.push((lock_key(lang, key), sections.len()));
        entries.insert(lock_key(lang, key), sections.into_iter().collect());
    }
    let path = root.join(LOCK_PATH);
    let tmp = root.join(format!("{LOCK_PATH}.tmp"));
    let io = |e: std::io::Error| Error::Io {
        action: "write",
        path: path.clone(),
        source: e,
    };
    std::fs::write(&tmp, lock::render(&entries, &default)).map_err(io)?;
    std::fs::rename(&tmp, &path).map_err(io)?;
    Ok(recorded)
}

/// The highest `order:` among the chapters of the site, 0 if none.
fn next_order(root: &Path, languages: &[String]) -> i64 {
    let mut max = 0;
    for lang in languages {
        let Ok(dir) = std::fs::read_dir(root.join("content").join(lang)) else {
            continue;
        };
        for entry in dir.flatten() {
            let Ok(text) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            let front = text.split("\n---").next().unwrap_or("");
            for line in front.lines() {
                if let Some(n) = line
                    .strip_prefix("order:")
                    .and_then(|v| v.split('#').next())
                    .and_then(|v| v.trim().parse::<i64>().ok())
                {
                    max = max.max(n);
                }
            }
        }
    }
    max
}

fn write_new(path: &Path, text: &str) -> Result<()> {
    write_new_bytes(path, text.as_bytes())
}

/// Writes a file that must not exist yet (never follows a link onto another file).
fn write_new_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |e: std::io::Error| Error::Io {
        action: "write",
        path: path.to_path_buf(),
        source: e,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, bytes))
        .map_err(io)
}
