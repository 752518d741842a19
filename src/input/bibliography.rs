//! The site's one bibliography, read: `content/sources.yaml` (key → source, the kinds and keys
//! of a data file's `sources:`) and `content/sources.json` (CSL-JSON, as Zotero and other
//! reference managers export it), each optional. Syntax errors are reported here with their
//! line and column; what the entries mean is checked in `check::bibliography`.

use std::path::Path;

use serde_yaml::Mapping;

use crate::diag::{Diagnostic, Problems, SourceFile};
use crate::input::data::Parsed;
use crate::input::files::{self, Found};
use crate::input::yaml;

/// Where the shared sources live, from the site root.
pub const YAML_FILE: &str = "content/sources.yaml";
pub const JSON_FILE: &str = "content/sources.json";

/// The bibliography files as read.
#[derive(Debug, Clone, Default)]
pub struct Bibliography {
    /// `content/sources.yaml`, parsed, with positions.
    pub yaml: Option<Parsed<Mapping>>,
    /// `content/sources.json`: its entries, each with the byte offset where it starts.
    pub json: Option<JsonFile>,
    /// A file exists but could not be read or parsed (reported): references to shared sources
    /// stay quiet then.
    pub failed: bool,
    /// Hash of both files' text, for a preview's cache.
    pub fingerprint: u64,
}

/// `content/sources.json` as read.
#[derive(Debug, Clone)]
pub struct JsonFile {
    pub file: SourceFile,
    pub entries: Vec<(serde_json::Value, usize)>,
}

/// Reads the bibliography files that exist.
pub fn load(root: &Path, problems: &mut Problems) -> Bibliography {
    let mut out = Bibliography::default();
    let mut texts = String::new();
    if let Some(file) = read(root, YAML_FILE, problems, &mut out.failed) {
        texts.push_str(&file.text);
        match yaml::parse::<Mapping>(&file, &file.text, 0) {
            Ok((raw, loc)) => {
                out.yaml = Some(Parsed {
                    id: "sources".into(),
                    fingerprint: files::fingerprint(&file.text),
                    file,
                    loc,
                    raw,
                })
            }
            Err(d) => {
                problems.push(d);
                out.failed = true;
            }
        }
    }
    if let Some(file) = read(root, JSON_FILE, problems, &mut out.failed) {
        texts.push('\0');
        texts.push_str(&file.text);
        match parse_json(&file) {
            Ok(entries) => out.json = Some(JsonFile { file, entries }),
            Err(d) => {
                problems.push(*d);
                out.failed = true;
            }
        }
    }
    out.fingerprint = files::fingerprint(&texts);
    out
}

fn read(root: &Path, rel: &str, problems: &mut Problems, failed: &mut bool) -> Option<SourceFile> {
    let path = root.join(rel);
    if !path.is_file() {
        return None;
    }
    match files::read_text(&Found {
        path,
        rel: rel.to_string(),
    }) {
        Ok(f) => Some(f),
        Err(d) => {
            problems.push(d);
            *failed = true;
            None
        }
    }
}

/// A CSL-JSON file: an array of items. Each entry comes with the byte offset of its `{`.
pub fn parse_json(file: &SourceFile) -> Result<Vec<(serde_json::Value, usize)>, Box<Diagnostic>> {
    let value: serde_json::Value = serde_json::from_str(&file.text).map_err(|e| {
        let message = e.to_string();
        let message = message
            .rfind(" at line ")
            .map_or(message.as_str(), |i| &message[..i]);
        Box::new(
            file.error_at_line(e.line(), e.column(), format!("invalid JSON: {message}"))
                .help("a CSL-JSON file is an array of entries: `[{\"id\": \"key\", \"type\": \"report\", \"title\": \"…\"}]`, as Zotero exports it (File → Export → CSL JSON)"),
        )
    })?;
    let serde_json::Value::Array(items) = value else {
        return Err(Box::new(
            file.error_at_line(1, 1, "a CSL-JSON file must hold an array of entries")
                .help("wrap the entries in `[` … `]`"),
        ));
    };
    let starts = element_starts(&file.text);
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(i, v)| (v, starts.get(i).copied().unwrap_or(0)))
        .collect())
}

/// Byte offsets of the values of a JSON document's top-level array, in order.
fn element_starts(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut want_value = false;
    for (i, c) in text.char_indices() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if depth == 1 && want_value && !c.is_whitespace() && c != ']' {
            out.push(i);
            want_value = false;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                if depth == 1 {
                    want_value = true;
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 1 => want_value = true,
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_entries_know_where_they_start() {
        let text = "[\n  {\"id\": \"a\", \"title\": \"x, [y] \\\"z\\\"\"},\n  {\"id\": \"b\"}\n]\n";
        let file = SourceFile::new(JSON_FILE, text);
        let entries = parse_json(&file).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(file.line_col(entries[0].1), (2, 3));
        assert_eq!(file.line_col(entries[1].1), (3, 3));
        assert_eq!(entries[1].0["id"], "b");
    }

    #[test]
    fn broken_json_names_line_and_column() {
        let file = SourceFile::new(JSON_FILE, "[\n  {\"id\": \"a\",}\n]\n");
        let d = parse_json(&file).unwrap_err();
        assert_eq!((d.line, d.column), (2, 14));
        assert!(d.message.starts_with("invalid JSON: "), "{}", d.message);
        let d = parse_json(&SourceFile::new(JSON_FILE, "{\"id\": \"a\"}")).unwrap_err();
        assert_eq!(d.message, "a CSL-JSON file must hold an array of entries");
    }
}
