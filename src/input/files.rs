//! Finding and reading the site's files, with one policy for all of them: sorted by name,
//! symbolic links followed when they stay inside the site folder (a warning otherwise, never a
//! silent skip), text read as UTF-8 with a byte-order mark dropped and invalid bytes reported at
//! their line and column.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Problems, SourceFile};

/// A file found under the site root.
#[derive(Debug, Clone)]
pub struct Found {
    pub path: PathBuf,
    /// Path from the site root, with `/`.
    pub rel: String,
}

impl Found {
    /// The file name without its extension.
    pub fn stem(&self) -> String {
        self.path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    pub fn extension(&self) -> &str {
        self.path.extension().and_then(|e| e.to_str()).unwrap_or("")
    }
}

/// Files under `root/rel_dir` (recursively or not), sorted. Links that point outside the site
/// folder, or nowhere, are reported as warnings and left out.
pub fn walk(root: &Path, rel_dir: &str, recursive: bool, problems: &mut Problems) -> Vec<Found> {
    let dir = root.join(rel_dir);
    let canon_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut walker = walkdir::WalkDir::new(&dir)
        .min_depth(1)
        .follow_links(false)
        .sort_by_file_name();
    if !recursive {
        walker = walker.max_depth(1);
    }
    let mut out = Vec::new();
    for entry in walker.into_iter().filter_map(|e| e.ok()) {
        let path = entry.path().to_path_buf();
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        if entry.file_type().is_dir() {
            continue;
        }
        if entry.path_is_symlink() {
            match path.canonicalize() {
                Ok(target) if !target.starts_with(&canon_root) => {
                    problems.push(
                        Diagnostic::warning(
                            &rel,
                            "skipped: this link points outside the site folder",
                        )
                        .help("copy the file into the site instead of linking to it"),
                    );
                    continue;
                }
                Ok(target) if target.is_dir() => {
                    problems.push(
                        Diagnostic::warning(
                            &rel,
                            "skipped: this link points to a folder, and folder links are not followed",
                        )
                        .help("move the folder here, or link each file in it instead"),
                    );
                    continue;
                }
                Ok(_) => {}
                Err(_) => {
                    problems.push(
                        Diagnostic::warning(&rel, "skipped: this link points to nothing")
                            .help("remove the link or restore the file it points to"),
                    );
                    continue;
                }
            }
        }
        out.push(Found { path, rel });
    }
    out
}

/// `*.yaml` / `*.yml` files directly in `root/rel_dir`.
pub fn yaml_files(root: &Path, rel_dir: &str, problems: &mut Problems) -> Vec<Found> {
    walk(root, rel_dir, false, problems)
        .into_iter()
        .filter(|f| matches!(f.extension(), "yaml" | "yml"))
        .collect()
}

/// Reads a text file of the site. Invalid UTF-8 is reported at the line and column of the first
/// bad byte; a byte-order mark is dropped.
pub fn read_text(found: &Found) -> Result<SourceFile, Diagnostic> {
    let limit = max_file_mb();
    if let Ok(meta) = std::fs::metadata(&found.path)
        && meta.len() > limit * 1024 * 1024
    {
        return Err(too_large(&found.rel, meta.len(), limit));
    }
    let bytes = std::fs::read(&found.path)
        .map_err(|e| Diagnostic::error(&found.rel, format!("cannot read this file: {e}")))?;
    text_from_bytes(&found.rel, bytes)
}

/// Files larger than this many megabytes are refused before they are read (reading, checking
/// and rendering a huge file would take minutes and gigabytes); `YANBAO_MAX_FILE_MB` raises it.
pub const MAX_FILE_MB: u64 = 16;

fn max_file_mb() -> u64 {
    std::env::var("YANBAO_MAX_FILE_MB")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(MAX_FILE_MB)
}

fn too_large(rel: &str, len: u64, limit: u64) -> Diagnostic {
    let mb = len as f64 / (1024.0 * 1024.0);
    Diagnostic::error(
        rel,
        format!("this file is {mb:.1} MB, over the limit of {limit} MB for one file"),
    )
    .help(format!(
        "split it into several files, or raise the limit: YANBAO_MAX_FILE_MB={} yanbao build",
        (mb.ceil() as u64).max(limit + 1)
    ))
}

/// Bytes of a file as its text (see [`read_text`]).
pub fn text_from_bytes(rel: &str, bytes: Vec<u8>) -> Result<SourceFile, Diagnostic> {
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            // A NUL is never part of a text an editor wrote: the file is damaged or binary, and
            // Markdown would silently turn it into U+FFFD on the page.
            if let Some(at) = text.find('\0') {
                let (line, column) = crate::diag::line_col(&text, at);
                return Err(Diagnostic::error(rel, "this file contains a NUL byte")
                    .at(line, column)
                    .with_snippet_from(&text.replace('\0', "\u{2400}"))
                    .help("it is damaged or not a text file; delete the character (shown as ␀) or restore the file"));
            }
            Ok(SourceFile::new(rel, text))
        }
        Err(e) => {
            let bytes = e.as_bytes();
            let at = e.utf8_error().valid_up_to();
            let good = String::from_utf8_lossy(&bytes[..at]).into_owned();
            let (line, column) = crate::diag::line_col(&good, good.len());
            Err(Diagnostic::error(rel, "this file is not UTF-8 text")
                .at(line, column)
                .help("save it as UTF-8 (most editors: \"Save with encoding\" → UTF-8)"))
        }
    }
}

/// A hash of a file's text, for a preview's cache to tell changed inputs from unchanged ones.
pub fn fingerprint(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_order_mark_is_dropped_and_bad_bytes_located() {
        let f = text_from_bytes("a.yaml", b"\xef\xbb\xbftitle: x\n".to_vec()).unwrap();
        assert_eq!(f.text, "title: x\n");
        let d = text_from_bytes("a.yaml", b"a: 1\nb: \xff\n".to_vec()).unwrap_err();
        assert_eq!((d.line, d.column), (2, 4));
        assert_eq!(d.message, "this file is not UTF-8 text");
    }

    #[test]
    fn a_huge_file_is_refused_before_it_is_read() {
        let d = too_large("content/data/big.yaml", 50 * 1024 * 1024 + 1, 16);
        assert_eq!(
            d.to_string(),
            "error: this file is 50.0 MB, over the limit of 16 MB for one file\n  --> content/data/big.yaml\n  = help: split it into several files, or raise the limit: YANBAO_MAX_FILE_MB=51 yanbao build"
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_outside_the_site_are_reported_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("content/zh")).unwrap();
        std::fs::write(dir.path().join("outside.md"), "x").unwrap();
        std::fs::write(root.join("content/zh/a.md"), "x").unwrap();
        std::os::unix::fs::symlink(root.join("content/zh/a.md"), root.join("content/zh/b.md"))
            .unwrap();
        std::os::unix::fs::symlink(dir.path().join("outside.md"), root.join("content/zh/c.md"))
            .unwrap();
        std::fs::create_dir_all(root.join("content/more")).unwrap();
        std::os::unix::fs::symlink(root.join("content/more"), root.join("content/zh/d")).unwrap();
        let mut p = Problems::default();
        let found: Vec<String> = walk(&root, "content/zh", false, &mut p)
            .into_iter()
            .map(|f| f.rel)
            .collect();
        assert_eq!(found, ["content/zh/a.md", "content/zh/b.md"]);
        let msgs: Vec<String> = p.into_vec().into_iter().map(|d| d.message).collect();
        assert_eq!(
            msgs,
            [
                "skipped: this link points outside the site folder",
                "skipped: this link points to a folder, and folder links are not followed"
            ]
        );
    }
}
