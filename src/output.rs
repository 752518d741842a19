//! Writes a built site: everything goes into a temporary folder next to the output, which is
//! swapped in only when complete. A failed build leaves the previous site untouched, and a folder
//! that yanbao did not create is never deleted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Error, Result};

/// File in every output folder yanbao writes; its presence allows replacing the folder.
pub const MARKER: &str = ".yanbao-output";
const MARKER_TEXT: &str = "This folder was written by yanbao and is replaced by every build.\n";

/// A file's bytes, shared: a preview keeps each page once, in its cache and in the site it serves.
pub type Blob = std::sync::Arc<[u8]>;

/// Where rendered files go. Paths are relative to the site root, with `/`.
pub trait Sink: Sync {
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<()>;

    /// A file whose bytes are kept elsewhere too (a preview's cached pages).
    fn put_blob(&self, path: &str, bytes: Blob) -> Result<()> {
        self.put(path, bytes.to_vec())
    }
}

/// Files kept in memory (the preview server, tests).
#[derive(Default)]
pub struct Memory {
    files: std::sync::Mutex<BTreeMap<String, Blob>>,
}

impl Memory {
    pub fn into_files(self) -> BTreeMap<String, Blob> {
        self.files.into_inner().unwrap_or_default()
    }
}

impl Sink for Memory {
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<()> {
        self.put_blob(path, bytes.into())
    }

    fn put_blob(&self, path: &str, bytes: Blob) -> Result<()> {
        if let Ok(mut f) = self.files.lock() {
            f.insert(path.to_string(), bytes);
        }
        Ok(())
    }
}

/// A build in progress: a temporary folder next to the output, swapped in by
/// [`Staging::finish`], removed by [`Staging::abort`] (or when dropped unfinished). It holds
/// the output's lock file for its whole life, so a second build into the same output is refused
/// instead of deleting this one's files.
pub struct Staging {
    tmp: PathBuf,
    out: PathBuf,
    parent: PathBuf,
    name: String,
    done: bool,
    /// Problems met along the way that did not stop the build (leftovers that could not be deleted).
    warnings: Vec<Diagnostic>,
    /// Open while the build runs: the operating system releases the lock when the process ends,
    /// however it ends.
    _lock: std::fs::File,
}

impl Staging {
    /// Checks that `out` may be replaced, takes its lock and creates the temporary folder.
    /// Symbolic links in `out` and `root` are resolved first: an output that is a link is
    /// published through (the link stays, its target gets the site), and the safety rules see
    /// the real folders.
    pub fn begin(out: &Path, root: &Path) -> Result<Staging> {
        let out = resolve(&absolute(out));
        refuse_dangerous(&out, &resolve(&absolute(root)))?;
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
        let lock = lock(&parent, &name, &out)?;
        check_replaceable(&out)?;
        // Safe now: any other build of this output would hold the lock we hold.
        let mut warnings = Vec::new();
        clean_stale(&parent, &name, &mut warnings);
        let tmp = parent.join(format!(".{name}.yanbao-tmp-{}", std::process::id()));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(|e| Error::io("remove", &tmp, e))?;
        }
        std::fs::create_dir_all(&tmp).map_err(|e| Error::io("create", &tmp, e))?;
        // Marked at once, so an interrupted build's leftovers are recognisably ours.
        let marker = tmp.join(MARKER);
        std::fs::write(&marker, MARKER_TEXT).map_err(|e| Error::io("write", &marker, e))?;
        Ok(Staging {
            tmp,
            out,
            parent,
            name,
            done: false,
            warnings,
            _lock: lock,
        })
    }

    /// The temporary folder the site is written to (a later step may add files, then finish).
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Swaps the finished folder in for the output. The warnings are about leftovers that could
    /// not be deleted; the new site is in place either way.
    pub fn finish(mut self) -> Result<Vec<Diagnostic>> {
        self.done = true;
        let mut warnings = std::mem::take(&mut self.warnings);
        let r = swap(
            &self.tmp,
            &self.out,
            &self.parent,
            &self.name,
            std::process::id(),
            &mut warnings,
        );
        if r.is_err() {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
        r.map(|()| warnings)
    }

    /// Removes the temporary folder; the previous output stays as it was.
    pub fn abort(mut self) {
        self.done = true;
        let _ = std::fs::remove_dir_all(&self.tmp);
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

impl Sink for Staging {
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<()> {
        let target = self.tmp.join(path);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
        }
        std::fs::write(&target, bytes).map_err(|e| Error::io("write", &target, e))
    }
}

/// Takes the output's lock (`.<name>.yanbao-lock` next to it), or says who holds it. The file
/// stays when the build ends: deleting it would let two later builds lock two different files.
fn lock(parent: &Path, name: &str, out: &Path) -> Result<std::fs::File> {
    let path = parent.join(format!(".{name}.yanbao-lock"));
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io("create the lock file", &path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Output {
            path: out.to_path_buf(),
            message: "another build is writing to this output folder; wait for it to finish, or choose another --output".into(),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io("lock", &path, e)),
    }
}

fn check_replaceable(out: &Path) -> Result<()> {
    if !out.exists() {
        return Ok(());
    }
    if !out.is_dir() {
        return Err(Error::Output {
            path: out.to_path_buf(),
            message: "the output path exists and is not a folder; yanbao will not replace it"
                .into(),
        });
    }
    let empty = std::fs::read_dir(out)
        .map_err(|e| Error::io("read", out, e))?
        .next()
        .is_none();
    if !empty && !out.join(MARKER).is_file() {
        return Err(Error::Output {
            path: out.to_path_buf(),
            message: format!(
                "refusing to replace a folder that yanbao did not create (it has no {MARKER} file); choose another --output or empty it yourself"
            ),
        });
    }
    Ok(())
}

fn swap(
    tmp: &Path,
    out: &Path,
    parent: &Path,
    name: &str,
    pid: u32,
    warnings: &mut Vec<Diagnostic>,
) -> Result<()> {
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
    remove_leftover(&old, warnings);
    Ok(())
}

/// Deletes a folder yanbao left behind, or says that it could not.
fn remove_leftover(dir: &Path, warnings: &mut Vec<Diagnostic>) {
    if let Err(e) = std::fs::remove_dir_all(dir) {
        warnings.push(
            Diagnostic::warning(dir, format!("could not delete the previous site: {e}")).help(
                "the new site is in place; delete this folder yourself (check its permissions)",
            ),
        );
    }
}

/// Removes temporary folders left by an interrupted build (only ours: they carry the marker).
/// Called with the output's lock held, so none of them belongs to a running build.
fn clean_stale(parent: &Path, name: &str, warnings: &mut Vec<Diagnostic>) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.starts_with(&format!(".{name}.yanbao-tmp-"))
                || n.starts_with(&format!(".{name}.yanbao-old-"))
        })
        .map(|e| e.path())
        .filter(|p| !p.is_symlink())
        .collect();
    found.sort();
    for dir in found {
        if dir.join(MARKER).is_file() {
            remove_leftover(&dir, warnings);
        } else {
            // A build killed between creating its folder and marking it leaves it empty; an
            // empty folder holds nothing to lose (remove_dir refuses any other).
            let _ = std::fs::remove_dir(&dir);
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
        if out.starts_with(resolve(&root.join(sub))) {
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

/// `p` (absolute) with every symbolic link resolved, even when its last parts do not exist
/// yet: the nearest existing ancestor is resolved and the rest appended. A link that points
/// nowhere is followed to where it points.
fn resolve(p: &Path) -> PathBuf {
    resolve_depth(p, 0)
}

fn resolve_depth(p: &Path, depth: usize) -> PathBuf {
    if let Ok(real) = p.canonicalize() {
        return real;
    }
    // A dangling link: follow it by hand (bounded, in case of a loop).
    if depth < 40
        && let Ok(target) = std::fs::read_link(p)
    {
        let base = p.parent().unwrap_or(Path::new("/"));
        return resolve_depth(&absolute(&base.join(target)), depth + 1);
    }
    match (p.parent(), p.file_name()) {
        (Some(parent), Some(name)) if parent != p => resolve_depth(parent, depth).join(name),
        _ => p.to_path_buf(),
    }
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

    /// A whole build's worth of files through a staging folder, as `yanbao build` streams them.
    fn write(out: &Path, root: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<()> {
        let staging = Staging::begin(out, root)?;
        for (path, bytes) in files {
            staging.put(path, bytes.clone())?;
        }
        staging.finish().map(|_| ())
    }

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
        let mut leftovers: Vec<_> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        leftovers.sort();
        assert_eq!(leftovers, [".public.yanbao-lock", "public"]);
    }

    #[test]
    fn stale_folders_are_removed_when_marked_or_empty_and_kept_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        let marked = dir.path().join(".public.yanbao-tmp-1");
        std::fs::create_dir_all(marked.join("zh")).unwrap();
        std::fs::write(marked.join(MARKER), MARKER_TEXT).unwrap();
        // Killed between creating its folder and marking it.
        let empty = dir.path().join(".public.yanbao-tmp-2");
        std::fs::create_dir_all(&empty).unwrap();
        // Not ours to judge: it has content and no marker.
        let foreign = dir.path().join(".public.yanbao-tmp-3");
        std::fs::create_dir_all(&foreign).unwrap();
        std::fs::write(foreign.join("keep.txt"), "x").unwrap();
        let mut warnings = Vec::new();
        clean_stale(dir.path(), "public", &mut warnings);
        assert!(!marked.exists() && !empty.exists() && foreign.join("keep.txt").is_file());
        assert!(warnings.is_empty());
    }

    #[test]
    fn a_leftover_that_cannot_be_deleted_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        // Not a folder: removing it as one fails, as a folder without permission would.
        let stuck = dir.path().join(".public.yanbao-old-1");
        std::fs::write(&stuck, "x").unwrap();
        let mut warnings = Vec::new();
        remove_leftover(&stuck, &mut warnings);
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0]
                .message
                .starts_with("could not delete the previous site: "),
            "{}",
            warnings[0]
        );
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
