//! Writes a built site: everything goes into a temporary folder next to the output, which is
//! swapped in only when complete. A failed build leaves the previous site untouched, and a folder
//! that yanbao did not create is never deleted. A file whose bytes the previous site already
//! holds is linked from it rather than written again, so it keeps its inode and modification
//! time (see [`Staging::put`]).

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

/// Files made and let go (`check`: every page is rendered, none is written).
pub struct Discard;

impl Sink for Discard {
    fn put(&self, _: &str, _: Vec<u8>) -> Result<()> {
        Ok(())
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
    /// The previous site, when the output holds one: unchanged files are linked from it.
    previous: Option<Previous>,
    /// Files linked from the previous site so far.
    kept: std::sync::atomic::AtomicUsize,
    /// Folders of the temporary folder made so far: a folder is made once, not asked for again
    /// with each of its files (making a folder that exists takes two system calls). It is the
    /// files sharing a folder that gain: 234 of the bundled report's 264 (downloads, search
    /// shards, static files); a page's own folder is new, and takes one call either way.
    folders: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
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
        let previous = match std::fs::metadata(&marker) {
            Ok(made) if out.join(MARKER).is_file() => Some(Previous::new(made)),
            _ => None,
        };
        // The marker too stays the same file from one build to the next (an upload of an
        // unchanged site has nothing to send). It is written first all the same: a build stopped
        // between the two steps leaves an empty folder, which the next build removes.
        if let Some(previous) = &previous
            && std::fs::remove_file(&marker).is_ok()
        {
            let old = out.join(MARKER);
            previous
                .link_or_write(&old, &marker, MARKER_TEXT.as_bytes())
                .map_err(|e| Error::io("write", &marker, e))?;
        }
        Ok(Staging {
            tmp,
            out,
            parent,
            name,
            done: false,
            warnings,
            previous,
            kept: Default::default(),
            folders: Default::default(),
            _lock: lock,
        })
    }

    /// The temporary folder the site is written to (a later step may add files, then finish).
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// How many of the files put so far the previous site already held (they were linked, not
    /// written); `None` when there is no previous site, or when files could not be linked and
    /// so were no longer compared.
    pub fn unchanged(&self) -> Option<usize> {
        let compared = self.previous.as_ref().is_some_and(Previous::compared);
        compared.then(|| self.kept.load(std::sync::atomic::Ordering::Relaxed))
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

    /// Makes `dir` (and the folders above it) unless this build has made it already. Two
    /// threads may both make a new folder; making one that exists is not an error.
    fn make_folder(&self, dir: &Path) -> Result<()> {
        if self.folders.lock().is_ok_and(|f| f.contains(dir)) {
            return Ok(());
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
        if let Ok(mut f) = self.folders.lock() {
            f.insert(dir.to_path_buf());
        }
        Ok(())
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
    /// Writes the file, or links the previous site's copy when it holds the same bytes. An
    /// unchanged page then keeps its modification time: `rsync -a` and other uploaders skip it,
    /// and a server's `Last-Modified` and `ETag` (made from the time and size) stay valid, so
    /// readers' browsers revalidate it instead of downloading it again. Linking also spares the
    /// disk a new file: a rebuild of an unchanged site writes its folders and nothing else.
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<()> {
        let target = self.tmp.join(path);
        if let Some(dir) = target.parent() {
            self.make_folder(dir)?;
        }
        let kept = match &self.previous {
            Some(previous) => previous.link_or_write(&self.out.join(path), &target, &bytes),
            None => write_new(&target, &bytes).map(|()| false),
        }
        .map_err(|e| Error::io("write", &target, e))?;
        if kept {
            self.kept.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(())
    }
}

/// The previous site a build compares its files with.
struct Previous {
    /// The owner and permissions a file written now gets (the marker's).
    made: std::fs::Metadata,
    /// Set when a link could not be made: the file system may have none (FAT), or the output
    /// may be a mount point of its own, and the build stops comparing files it cannot link.
    unlinkable: std::sync::atomic::AtomicBool,
}

impl Previous {
    fn new(made: std::fs::Metadata) -> Previous {
        Previous {
            made,
            unlinkable: Default::default(),
        }
    }

    /// Whether files are still compared (no link has failed).
    fn compared(&self) -> bool {
        !self.unlinkable.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Links the previous site's copy `old` at `target` when it is the file a write would make
    /// (see [`linked`](Self::linked)), else writes `bytes` there. Says whether it linked. The
    /// marker and every file of the site go through here.
    fn link_or_write(&self, old: &Path, target: &Path, bytes: &[u8]) -> std::io::Result<bool> {
        if self.linked(old, target, bytes)? {
            return Ok(true);
        }
        write_new(target, bytes).map(|()| false)
    }

    /// Links `old` at `target` when it is the file a write would make: a regular file holding
    /// exactly `bytes`, with the owner and permissions of `made` (a file just written) and no
    /// other name. Says whether it did. Any other case (no such file, other bytes, a symbolic
    /// link, permissions someone changed, a file system without hard links) leaves `target`
    /// absent, to be written. A link that fails sets `unlinkable`, and later calls say no at
    /// once.
    #[cfg(unix)]
    fn linked(&self, old: &Path, target: &Path, bytes: &[u8]) -> std::io::Result<bool> {
        use std::os::unix::fs::MetadataExt;
        use std::sync::atomic::Ordering::Relaxed;
        let Previous { made, unlinkable } = self;
        if unlinkable.load(Relaxed) {
            return Ok(false);
        }
        // A file with a name outside the previous site (a hard link someone made) is not only the
        // site's: the new site gets a file of its own.
        let alike = |m: &std::fs::Metadata| {
            m.is_file()
                && m.nlink() == 1
                && m.len() == bytes.len() as u64
                && m.uid() == made.uid()
                && m.mode() == made.mode()
        };
        // Most changed files change size: one call tells them apart without opening them.
        if !std::fs::symlink_metadata(old).is_ok_and(|m| alike(&m)) {
            return Ok(false);
        }
        let Ok(file) = std::fs::File::open(old) else {
            return Ok(false);
        };
        let Ok(meta) = file.metadata() else {
            return Ok(false);
        };
        if !alike(&meta) || !holds(file, bytes) {
            return Ok(false);
        }
        if let Err(e) = std::fs::hard_link(old, target) {
            // A path written twice in one build already has its file.
            if e.kind() != std::io::ErrorKind::AlreadyExists {
                unlinkable.store(true, Relaxed);
            }
            return Ok(false);
        }
        // The name may point elsewhere since the file was compared (the link is made from the name,
        // and a symbolic link is linked as itself): keep only a link to the file compared. A file
        // system whose inode numbers do not say so (some network and FUSE ones) gets no more links.
        match std::fs::symlink_metadata(target) {
            Ok(m) if m.is_file() && m.dev() == meta.dev() && m.ino() == meta.ino() => Ok(true),
            _ => {
                unlinkable.store(true, Relaxed);
                std::fs::remove_file(target).map(|()| false)
            }
        }
    }

    #[cfg(not(unix))]
    fn linked(&self, _old: &Path, _target: &Path, _bytes: &[u8]) -> std::io::Result<bool> {
        Ok(false)
    }
}

/// Writes `bytes` to a new file at `target`. A file already there is replaced, never written
/// through: it may be a link to the previous site's copy, which must stay as it is until the
/// new site is swapped in.
fn write_new(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let create = || {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(target)
    };
    let mut file = match create() {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::remove_file(target)?;
            create()?
        }
        other => other?,
    };
    file.write_all(bytes)
}

/// Whether the rest of `file` is exactly `bytes`, read a piece at a time.
#[cfg(unix)]
fn holds(mut file: std::fs::File, mut bytes: &[u8]) -> bool {
    use std::io::Read;
    let mut buf = [0u8; 16 * 1024];
    loop {
        match file.read(&mut buf) {
            Ok(0) => return bytes.is_empty(),
            Ok(n) => match bytes.strip_prefix(&buf[..n]) {
                Some(rest) => bytes = rest,
                None => return false,
            },
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
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
    if let Err(e) = remove_tree(dir) {
        warnings.push(
            Diagnostic::warning(dir, format!("could not delete the previous site: {e}")).help(
                "the new site is in place; delete this folder yourself (check its permissions)",
            ),
        );
    }
}

/// Deletes a folder and everything in it, its top-level folders (a site's languages) on
/// several threads. Each goes through `remove_dir_all`, which removes a symbolic link and never
/// follows one, even when a name is swapped for a link while it runs. On a disk that discards
/// freed blocks as they are freed (ext4 mounted with `discard` and no journal), deleting mostly
/// waits on the device, and the waits overlap.
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    use rayon::prelude::*;
    if std::fs::symlink_metadata(dir)?.is_dir() {
        let mut folders = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                folders.push(entry.path());
            }
        }
        folders.par_iter().try_for_each(std::fs::remove_dir_all)?;
    }
    // What is left: the top level's files.
    std::fs::remove_dir_all(dir)
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

    /// Each file's (inode, modification time), by path.
    #[cfg(unix)]
    fn identities(out: &Path, paths: &[&str]) -> Vec<(u64, std::time::SystemTime)> {
        use std::os::unix::fs::MetadataExt;
        paths
            .iter()
            .map(|p| {
                let m = std::fs::symlink_metadata(out.join(p)).unwrap();
                (m.ino(), m.modified().unwrap())
            })
            .collect()
    }

    #[cfg(unix)]
    #[test]
    fn unchanged_files_keep_their_identity_and_changed_ones_are_new() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(&root).unwrap();
        let out = root.join("public");
        let first = files(&[
            ("same/index.html", "kept"),
            ("grown.html", "short"),
            ("edited.html", "abc"),
            ("empty.txt", ""),
            ("gone.html", "bye"),
        ]);
        write(&out, &root, &first).unwrap();
        let paths = [
            "same/index.html",
            "grown.html",
            "edited.html",
            "empty.txt",
            MARKER,
        ];
        let before = identities(&out, &paths);
        // Clocks with coarse file times would hide a rewrite behind an equal time.
        std::thread::sleep(std::time::Duration::from_millis(20));
        let second = files(&[
            ("same/index.html", "kept"),
            ("grown.html", "short and longer"),
            ("edited.html", "abd"),
            ("empty.txt", ""),
            ("new.html", "hello"),
        ]);
        write(&out, &root, &second).unwrap();
        let after = identities(&out, &paths);
        assert_eq!(after[0], before[0], "an unchanged file is the same file");
        assert_eq!(after[3], before[3], "so is an unchanged empty one");
        assert_eq!(after[4], before[4], "and the folder's marker");
        assert_ne!(after[1].0, before[1].0, "a file of another size is new");
        assert_ne!(after[2].0, before[2].0, "a file of other bytes is new");
        // The output is exactly the second build's files, whatever was linked.
        let mut found = BTreeMap::new();
        for entry in walkdir::WalkDir::new(&out) {
            let entry = entry.unwrap();
            if entry.file_type().is_file() && entry.file_name() != MARKER {
                let rel = entry.path().strip_prefix(&out).unwrap();
                found.insert(
                    rel.to_string_lossy().into_owned(),
                    std::fs::read(entry.path()).unwrap(),
                );
            }
        }
        assert_eq!(found, second);
        // The previous site is gone, and with it the second name of each linked file.
        use std::os::unix::fs::MetadataExt;
        let links = std::fs::metadata(out.join("same/index.html"))
            .unwrap()
            .nlink();
        assert_eq!(links, 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_a_private_file_or_one_named_elsewhere_is_not_taken_over() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(&root).unwrap();
        let out = root.join("public");
        write(
            &out,
            &root,
            &files(&[("page.html", "text"), ("p.html", "x")]),
        )
        .unwrap();
        // A page someone made unreadable to others: a rebuild makes it as a fresh build does.
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode();
        let fresh = mode(&out.join("p.html"));
        let other = if fresh & 0o777 == 0o600 { 0o640 } else { 0o600 };
        let private = std::fs::Permissions::from_mode(other);
        std::fs::set_permissions(out.join("p.html"), private).unwrap();
        // A page someone also linked from elsewhere: the new site's page is a file of its own.
        std::fs::write(out.join("shared.html"), "same").unwrap();
        let elsewhere_name = dir.path().join("second-name.html");
        std::fs::hard_link(out.join("shared.html"), &elsewhere_name).unwrap();
        // Someone replaced the page with a link to a file elsewhere that holds the same bytes.
        let elsewhere = dir.path().join("elsewhere.html");
        std::fs::write(&elsewhere, "text").unwrap();
        std::fs::remove_file(out.join("page.html")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join("page.html")).unwrap();
        let pages = [
            ("page.html", "text"),
            ("p.html", "x"),
            ("shared.html", "same"),
        ];
        write(&out, &root, &files(&pages)).unwrap();
        assert_eq!(mode(&out.join("p.html")), fresh);
        use std::os::unix::fs::MetadataExt;
        let shared = std::fs::metadata(out.join("shared.html")).unwrap();
        assert_ne!(
            shared.ino(),
            std::fs::metadata(&elsewhere_name).unwrap().ino()
        );
        assert_eq!(shared.nlink(), 1);
        let m = std::fs::symlink_metadata(out.join("page.html")).unwrap();
        assert!(m.is_file(), "a file of its own, not the link");
        assert_eq!(
            std::fs::read_to_string(out.join("page.html")).unwrap(),
            "text"
        );
        assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "text");
    }

    #[cfg(unix)]
    #[test]
    fn a_failed_link_stops_the_comparing() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old.html");
        std::fs::write(&old, "same").unwrap();
        let made = std::fs::metadata(&old).unwrap();
        let previous = Previous::new(made.clone());
        // No folder to link into, as a link across file systems or on FAT fails.
        let nowhere = dir.path().join("missing/new.html");
        assert!(!previous.linked(&old, &nowhere, b"same").unwrap());
        assert!(!previous.compared());
        // A target a link could be made at is not tried any more.
        let target = dir.path().join("new.html");
        assert!(!previous.linked(&old, &target, b"same").unwrap());
        assert!(!target.exists());
        let fresh = Previous::new(made);
        assert!(fresh.linked(&old, &target, b"same").unwrap());
    }

    #[test]
    fn a_file_written_twice_leaves_the_previous_site_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(&root).unwrap();
        let out = root.join("public");
        let first = Staging::begin(&out, &root).unwrap();
        assert_eq!(first.unchanged(), None, "nothing to compare with");
        first.abort();
        write(&out, &root, &files(&[("a.html", "old")])).unwrap();
        // Linked from the previous site, then written again with other bytes: the second
        // write replaces the link instead of writing through it into the site being served.
        let staging = Staging::begin(&out, &root).unwrap();
        assert_eq!(staging.unchanged(), Some(0));
        staging.put("a.html", b"old".to_vec()).unwrap();
        assert_eq!(staging.unchanged(), Some(usize::from(cfg!(unix))));
        staging.put("a.html", b"new".to_vec()).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a.html")).unwrap(), "old");
        staging.abort();
        assert_eq!(std::fs::read_to_string(out.join("a.html")).unwrap(), "old");
        let staging = Staging::begin(&out, &root).unwrap();
        staging.put("a.html", b"old".to_vec()).unwrap();
        staging.put("a.html", b"new".to_vec()).unwrap();
        // Once a link failed, files are no longer compared: no count is claimed.
        let previous = staging.previous.as_ref().unwrap();
        previous
            .unlinkable
            .store(true, std::sync::atomic::Ordering::Relaxed);
        assert_eq!(staging.unchanged(), None);
        staging.finish().unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a.html")).unwrap(), "new");
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

    #[cfg(unix)]
    #[test]
    fn a_tree_goes_at_every_depth_and_its_links_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(outside.join("keep")).unwrap();
        std::fs::write(outside.join("keep/file"), "x").unwrap();
        let tree = dir.path().join("tree");
        std::fs::create_dir_all(tree.join("zh/ch1/deeper/still")).unwrap();
        std::fs::create_dir_all(tree.join("en/ch1")).unwrap();
        std::fs::create_dir_all(tree.join("empty")).unwrap();
        for f in [
            "top.html",
            "zh/index.html",
            "zh/ch1/index.html",
            "zh/ch1/deeper/still/x",
        ] {
            std::fs::write(tree.join(f), f).unwrap();
        }
        // Links at each of the top levels, to a folder whose contents must stay.
        for l in ["link", "zh/link", "zh/ch1/link"] {
            std::os::unix::fs::symlink(&outside, tree.join(l)).unwrap();
        }
        remove_tree(&tree).unwrap();
        assert!(!tree.exists());
        // A link given as the folder itself goes alone.
        let alias = dir.path().join("alias");
        std::os::unix::fs::symlink(&outside, &alias).unwrap();
        remove_tree(&alias).unwrap();
        assert!(std::fs::symlink_metadata(&alias).is_err());
        assert_eq!(
            std::fs::read_to_string(outside.join("keep/file")).unwrap(),
            "x"
        );
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
