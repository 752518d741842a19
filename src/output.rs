//! Writes a built site: everything goes into a temporary folder next to the output, which is
//! swapped in only when complete. A failed build leaves the previous site untouched, and a folder
//! that yanbao did not create is never deleted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// File in every output folder yanbao writes; its presence allows replacing the folder.
pub const MARKER: &str = ".yanbao-output";
const MARKER_TEXT: &str = "This folder was written by yanbao and is replaced by every build.\n";

/// Replaces `out` with `files` (path from the site root → bytes).
pub fn write(out: &Path, root: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<()> {
    let out = absolute(out);
    refuse_dangerous(&out, &absolute(root))?;
    let parent = out
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::Output {
            path: out.clone(),
            message: "the output path has no folder name".into(),
        })?;
    std::fs::create_dir_all(&parent).map_err(|e| Error::io("create", &parent, e))?;
    if out.exists() {
        if !out.is_dir() {
            return Err(Error::Output {
                path: out.clone(),
                message: "the output path exists and is not a folder; yanbao will not replace it"
                    .into(),
            });
        }
        let empty = std::fs::read_dir(&out)
            .map_err(|e| Error::io("read", &out, e))?
            .next()
            .is_none();
        if !empty && !out.join(MARKER).is_file() {
            return Err(Error::Output {
                path: out.clone(),
                message: format!(
                    "refusing to replace a folder that yanbao did not create (it has no {MARKER} file); choose another --output or empty it yourself"
                ),
            });
        }
    }
    clean_stale(&parent, &name);
    let pid = std::process::id();
    let tmp = parent.join(format!(".{name}.yanbao-tmp-{pid}"));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| Error::io("remove", &tmp, e))?;
    }
    let result = write_all(&tmp, files).and_then(|()| swap(&tmp, &out, &parent, &name, pid));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

fn write_all(dir: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    let mut made: std::collections::BTreeSet<PathBuf> = std::collections::BTreeSet::new();
    for (rel, bytes) in files {
        let path = dir.join(rel);
        if let Some(p) = path.parent() {
            if made.insert(p.to_path_buf()) {
                std::fs::create_dir_all(p).map_err(|e| Error::io("create", p, e))?;
            }
        }
        std::fs::write(&path, bytes).map_err(|e| Error::io("write", &path, e))?;
    }
    let marker = dir.join(MARKER);
    std::fs::write(&marker, MARKER_TEXT).map_err(|e| Error::io("write", &marker, e))
}

fn swap(tmp: &Path, out: &Path, parent: &Path, name: &str, pid: u32) -> Result<()> {
    if !out.exists() {
        return std::fs::rename(tmp, out).map_err(|e| Error::io("move the new site into", out, e));
    }
    let old = parent.join(format!(".{name}.yanbao-old-{pid}"));
    std::fs::rename(out, &old).map_err(|e| Error::io("move aside", out, e))?;
    if let Err(e) = std::fs::rename(tmp, out) {
        // Put the previous site back.
        let _ = std::fs::rename(&old, out);
        return Err(Error::io("move the new site into", out, e));
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// Removes temporary folders left by an interrupted build (only ours: they carry the marker).
fn clean_stale(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        let ours = n.starts_with(&format!(".{name}.yanbao-tmp-"))
            || n.starts_with(&format!(".{name}.yanbao-old-"));
        if ours && e.path().join(MARKER).is_file() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Never replace the site's own folder or anything that contains it.
fn refuse_dangerous(out: &Path, root: &Path) -> Result<()> {
    if root.starts_with(out) {
        return Err(Error::Output {
            path: out.to_path_buf(),
            message: "the output folder contains the site's sources; choose another --output (default: public/)".into(),
        });
    }
    for sub in ["content", "templates", "static"] {
        if out.starts_with(root.join(sub)) {
            return Err(Error::Output {
                path: out.to_path_buf(),
                message: format!(
                    "the output folder is inside the site's {sub}/ folder; choose another --output"
                ),
            });
        }
    }
    Ok(())
}

fn absolute(p: &Path) -> PathBuf {
    let p = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    // Normalise `.` and `..` without touching the file system (the folder may not exist yet).
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn writes_then_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(&root).unwrap();
        let out = root.join("public");
        write(&out, &root, &files(&[("a/index.html", "one")])).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html")).unwrap(),
            "one"
        );
        write(&out, &root, &files(&[("b.html", "two")])).unwrap();
        assert!(!out.join("a").exists());
        assert!(out.join(MARKER).is_file());
        let leftovers: Vec<_> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("public")]);
    }

    #[test]
    fn refuses_foreign_folder_and_leaves_it_alone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("docs");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("precious.txt"), "keep").unwrap();
        let err = write(&out, &dir.path().join("site"), &files(&[("x", "y")])).unwrap_err();
        assert!(
            err.to_string()
                .contains("refusing to replace a folder that yanbao did not create")
        );
        assert_eq!(
            std::fs::read_to_string(out.join("precious.txt")).unwrap(),
            "keep"
        );
    }

    #[test]
    fn refuses_to_overwrite_the_sources() {
        let dir = tempfile::tempdir().unwrap();
        let err = write(dir.path(), dir.path(), &files(&[("x", "y")])).unwrap_err();
        assert!(err.to_string().contains("contains the site's sources"));
        let err = write(
            &dir.path().join("content/out"),
            dir.path(),
            &files(&[("x", "y")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("inside the site's content/"));
    }
}
