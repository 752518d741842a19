//! Walks `content/<lang>/`, splits each Markdown file's front matter from its body and pairs
//! translations by file name (`content/zh/status.md` ↔ `content/en/status.md`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use walkdir::WalkDir;

use crate::config::{SiteConfig, valid_language_code};
use crate::error::{Diagnostic, SourceFile};
use crate::yaml::{self, Located};

/// File stem of a language's home page.
pub const HOME_KEY: &str = "_index";

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
}

/// One Markdown file in one language.
#[derive(Debug, Clone)]
pub struct PageSource {
    pub lang: String,
    /// Translation key: the file stem, shared by every language's version.
    pub key: String,
    pub file: SourceFile,
    pub front: FrontMatter,
    pub front_loc: Located,
    /// Byte offset in the file where the Markdown body starts.
    pub body_start: usize,
}

impl PageSource {
    pub fn is_home(&self) -> bool {
        self.key == HOME_KEY
    }

    pub fn body(&self) -> &str {
        &self.file.text[self.body_start..]
    }

    pub fn slug(&self) -> &str {
        self.front.slug.as_deref().unwrap_or(&self.key)
    }

    /// Turns straight apostrophes and quotes of the front matter's texts into typographic ones,
    /// as pulldown-cmark does for the body (languages with smart punctuation only).
    pub fn smarten_front_matter(&mut self) {
        let texts = [
            &mut self.front.title,
            &mut self.front.short_title,
            &mut self.front.summary,
            &mut self.front.description,
        ];
        for s in texts.into_iter().flatten() {
            *s = smart_quotes(s);
        }
    }
}

/// `China's` → `China’s`, `"x"` → `“x”`.
pub fn smart_quotes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut open_double = true;
    let mut prev: Option<char> = None;
    for c in s.chars() {
        match c {
            '\'' => out.push(if prev.is_some_and(|p| p.is_alphanumeric()) {
                '’'
            } else {
                '‘'
            }),
            '"' => {
                out.push(if open_double { '“' } else { '”' });
                open_double = !open_double;
            }
            _ => out.push(c),
        }
        prev = Some(c);
    }
    out
}

/// Loads every page of every configured language. Problems are collected, not returned early.
/// Pages found but not loadable (bad front matter): their errors are reported, so problems that
/// only follow from their absence (missing translation, links to them) are not.
pub type FailedPages = std::collections::BTreeSet<(String, String)>;

pub fn load(
    root: &Path,
    config: &SiteConfig,
    drafts: bool,
    problems: &mut Vec<Diagnostic>,
) -> (Vec<PageSource>, FailedPages) {
    let content = root.join("content");
    let mut pages = Vec::new();
    let mut failed = FailedPages::new();
    let entries = match std::fs::read_dir(&content) {
        Ok(e) => e,
        Err(e) => {
            problems.push(Diagnostic::error(
                "content",
                format!("cannot read the content folder: {e}"),
            ));
            return (pages, failed);
        }
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in &names {
        if matches!(name.as_str(), "data" | "charts" | "i18n") || name.starts_with('.') {
            continue;
        }
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
        let dir = content.join(lang);
        if !dir.is_dir() {
            problems.push(
                Diagnostic::error(format!("content/{lang}"), format!("language `{lang}` has no folder content/{lang}/"))
                    .help(format!("create content/{lang}/ with an _index.md and one file per chapter, or remove `{lang}` from `languages`")),
            );
            continue;
        }
        let mut files: Vec<PathBuf> = WalkDir::new(&dir)
            .min_depth(1)
            .sort_by_file_name()
            .into_iter()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_file())
            .map(|e| e.into_path())
            .collect();
        files.sort();
        for path in files {
            let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            if path.extension().and_then(|e| e.to_str()) != Some("md") {
                continue;
            }
            if path.parent() != Some(dir.as_path()) {
                problems.push(
                    Diagnostic::error(&rel, "chapters must sit directly in the language folder")
                        .help(format!(
                            "move this file to content/{lang}/ (sub-folders are not supported)"
                        )),
                );
                continue;
            }
            match load_page(&path, &rel, lang) {
                Ok(page) => {
                    if page.front.draft && !drafts {
                        continue;
                    }
                    pages.push(page);
                }
                Err(mut d) => {
                    problems.append(&mut d);
                    let key = path
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    failed.insert((lang.clone(), key));
                }
            }
        }
    }
    check_pages(&pages, config, &failed, problems);
    (pages, failed)
}

fn load_page(path: &Path, rel: &Path, lang: &str) -> Result<PageSource, Vec<Diagnostic>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![Diagnostic::error(
            rel,
            format!("cannot read this file: {e}"),
        )]
    })?;
    let file = SourceFile::new(rel, text);
    let key = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (front_text, front_line, body_start) = split_front_matter(&file.text).ok_or_else(|| {
        vec![file.error_at_line(1, 1, "missing front matter").help(
            "start the file with a YAML block between two `---` lines, e.g.\n---\ntitle: 研究背景\norder: 1\n---",
        )]
    })?;
    let (front, front_loc) =
        yaml::parse::<FrontMatter>(&file, front_text, front_line).map_err(|d| vec![d])?;
    let mut problems = Vec::new();
    let is_home = key == HOME_KEY;
    if !is_home {
        if front.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
            problems.push(
                file.error_at_line(1, 1, "front matter has no `title`")
                    .help("add `title: …`; it is the page's heading and its name in the table of contents"),
            );
        }
        if front.order.is_none() {
            problems.push(
                file.error_at_line(1, 1, "front matter has no `order`")
                    .help("add `order: <number>`; chapters are listed by this number"),
            );
        }
    }
    if let Some(slug) = &front.slug {
        if !valid_slug(slug) {
            problems.push(
                front_loc
                    .error(
                        &file,
                        "slug",
                        format!("slug `{slug}` is not usable in a URL"),
                    )
                    .help("use lowercase letters, digits and `-`, e.g. `market-size`"),
            );
        }
    } else if !is_home && !valid_slug(&key) {
        problems.push(file.error_at_line(1, 1, format!("file name `{key}` is not usable in a URL")).help(
            "rename the file with lowercase letters, digits and `-`, or give a `slug:` in the front matter",
        ));
    }
    if !is_home && (!front.key_figures.is_empty() || !front.charts.is_empty()) {
        let what = if front.key_figures.is_empty() {
            "charts"
        } else {
            "key_figures"
        };
        problems.push(
            front_loc
                .key_error(
                    &file,
                    what,
                    format!("`{what}` is only used on the home page (_index.md)"),
                )
                .help("remove it here, or move it to _index.md"),
        );
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(PageSource {
        lang: lang.to_string(),
        key,
        file,
        front,
        front_loc,
        body_start,
    })
}

/// Returns (front matter text, number of lines before it, byte offset of the body).
pub fn split_front_matter(text: &str) -> Option<(&str, usize, usize)> {
    let text_start = text.strip_prefix('\u{feff}').map_or(0, |_| 3);
    let rest = &text[text_start..];
    let first_end = rest.find('\n')?;
    if rest[..first_end].trim_end() != "---" {
        return None;
    }
    let yaml_start = text_start + first_end + 1;
    let mut pos = yaml_start;
    for line in text[yaml_start..].split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Some((&text[yaml_start..pos], 1, pos + line.len()));
        }
        pos += line.len();
    }
    None
}

pub fn valid_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Duplicate slugs and missing translations, across all loaded pages.
fn check_pages(
    pages: &[PageSource],
    config: &SiteConfig,
    failed: &FailedPages,
    problems: &mut Vec<Diagnostic>,
) {
    let mut slugs: BTreeMap<(&str, &str), &PageSource> = BTreeMap::new();
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
    let mut by_key: BTreeMap<&str, Vec<&PageSource>> = BTreeMap::new();
    for page in pages {
        by_key.entry(&page.key).or_default().push(page);
    }
    for (key, versions) in by_key {
        for lang in &config.languages {
            if versions.iter().any(|p| &p.lang == lang)
                || failed.contains(&(lang.clone(), key.to_string()))
            {
                continue;
            }
            // Report against the default language's version when there is one.
            let Some(have) = versions
                .iter()
                .find(|p| p.lang == config.languages[0])
                .or(versions.first())
            else {
                continue;
            };
            problems.push(
                Diagnostic::error(
                    &have.file.path,
                    format!("missing translation: no `{lang}` version of `{key}`"),
                )
                .at(1, 1)
                .help(format!(
                    "create content/{lang}/{key}.md (translations are paired by file name)"
                ))
                .with_snippet_from(&have.file.text),
            );
        }
    }
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

    #[test]
    fn smart_quotes_in_titles() {
        assert_eq!(smart_quotes("China's \"AI+\" plan"), "China’s “AI+” plan");
        assert_eq!(smart_quotes("'quoted'"), "‘quoted’");
    }

    #[test]
    fn slugs() {
        assert!(valid_slug("market-size") && valid_slug("a1"));
        assert!(
            !valid_slug("Market") && !valid_slug("a b") && !valid_slug("-a") && !valid_slug("模型")
        );
    }
}
