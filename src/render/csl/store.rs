//! Citations kept between runs. What the engine gives depends only on the engine, the style, the
//! locale and the item, yet formatting takes it 0.05–0.4 ms an item: a quarter of the bundled
//! report's build. So a build keeps what it formatted in the user's cache folder, one file per
//! site and executable (the executable stands for the engine and the code around it), and the
//! next build of that site reads it instead of formatting again.
//!
//! The folder: `YANBAO_CACHE_DIR`, else `$XDG_CACHE_HOME/yanbao`, else `~/.cache/yanbao`; an
//! empty `YANBAO_CACHE_DIR` turns it off. Any fault (no folder, a damaged or foreign file, a
//! failed write) only means formatting again, never another page: the file holds whole memo
//! keys (style, locale and the item's CSL-JSON), and a test builds sites with it cold, warm,
//! damaged and off, and compares the bytes.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use super::Formatted;

/// Files the folder keeps (one per site and executable): writing one more removes the oldest.
const KEEP_FILES: usize = 64;

/// The file's layout; a file of another layout is read as empty.
const LAYOUT: u32 = 1;

/// One memo key and what formatting it gave, by item id.
pub type Entry = (String, BTreeMap<String, Formatted>);

#[derive(Deserialize)]
struct File {
    layout: u32,
    entries: Vec<Entry>,
}

#[derive(Serialize)]
struct FileRef<'a> {
    layout: u32,
    entries: &'a [Entry],
}

/// The cache folder, or None when it is turned off or there is no home to put it in.
fn folder() -> Option<PathBuf> {
    folder_from(|name| std::env::var_os(name))
}

/// [`folder`] with the environment read by `var`.
fn folder_from(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let absolute = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    match var("YANBAO_CACHE_DIR") {
        Some(dir) if dir.is_empty() => None,
        Some(dir) => Some(PathBuf::from(dir)),
        None => var("XDG_CACHE_HOME")
            .and_then(absolute)
            .or_else(|| var("HOME").and_then(absolute).map(|h| h.join(".cache")))
            .map(|dir| dir.join("yanbao")),
    }
}

/// The file kept for the site at `root` by this executable, or None without a cache folder.
pub fn path_for(root: &Path) -> Option<PathBuf> {
    let dir = folder()?;
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(&exe).ok()?;
    let root = std::fs::canonicalize(root).ok()?;
    let mut h = DefaultHasher::new();
    (root, exe, meta.len(), meta.modified().ok()?).hash(&mut h);
    Some(
        dir.join("citations")
            .join(format!("{:016x}.json", h.finish())),
    )
}

/// What the file at `path` holds; nothing when it is missing, damaged or of another layout.
pub fn load(path: &Path) -> Vec<Entry> {
    let Ok(bytes) = std::fs::read(path) else {
        return Vec::new();
    };
    match serde_json::from_slice::<File>(&bytes) {
        Ok(file) if file.layout == LAYOUT => file.entries,
        _ => Vec::new(),
    }
}

/// Replaces the file at `path` with `entries` (sorted by key, so the same citations give the
/// same file): written beside it and renamed over it, so a reader never sees half a file and of
/// two processes the last to finish wins. Then the folder keeps its newest files only.
pub fn save(path: &Path, entries: &[Entry]) -> std::io::Result<()> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let bytes = serde_json::to_vec(&FileRef {
        layout: LAYOUT,
        entries,
    })?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&tmp, bytes)?;
    if let Err(e) = std::fs::rename(&tmp, path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    prune(dir);
    Ok(())
}

/// Removes the oldest files of `dir` beyond [`KEEP_FILES`], and what a process stopped between
/// writing and renaming left (a temporary file over an hour old).
fn prune(dir: &Path) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
    for e in read.flatten() {
        let (path, modified) = (e.path(), e.metadata().and_then(|m| m.modified()));
        let Ok(modified) = modified else {
            continue;
        };
        match path.extension().and_then(|x| x.to_str()) {
            Some("json") => files.push((modified, path)),
            Some("tmp") if modified < hour_ago => {
                let _ = std::fs::remove_file(&path);
            }
            _ => {}
        }
    }
    if files.len() <= KEEP_FILES {
        return;
    }
    files.sort();
    for (_, old) in &files[..files.len() - KEEP_FILES] {
        let _ = std::fs::remove_file(old);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &str, html: &str) -> Entry {
        let f = Formatted {
            html: html.to_string(),
            text: html.to_string(),
        };
        (key.to_string(), BTreeMap::from([("id".to_string(), f)]))
    }

    #[test]
    fn the_folder_follows_the_environment() {
        let folder = |vars: &[(&str, &str)]| {
            let vars: Vec<(String, String)> = vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            folder_from(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.into()))
        };
        let home = ("HOME", "/home/ed");
        assert_eq!(folder(&[home]), Some("/home/ed/.cache/yanbao".into()));
        let xdg = ("XDG_CACHE_HOME", "/var/cache/ed");
        assert_eq!(folder(&[home, xdg]), Some("/var/cache/ed/yanbao".into()));
        // XDG's rule: a relative path is ignored.
        let relative = ("XDG_CACHE_HOME", "cache");
        assert_eq!(
            folder(&[home, relative]),
            Some("/home/ed/.cache/yanbao".into())
        );
        let own = ("YANBAO_CACHE_DIR", "/tmp/y");
        assert_eq!(folder(&[home, xdg, own]), Some("/tmp/y".into()));
        assert_eq!(folder(&[home, ("YANBAO_CACHE_DIR", "")]), None, "off");
        assert_eq!(folder(&[]), None, "no home");
        assert_eq!(folder(&[("HOME", "")]), None);
    }

    #[test]
    fn saved_entries_load_back_and_faults_load_as_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("citations").join("a.json");
        assert!(load(&path).is_empty(), "a missing file is empty");
        let entries = vec![entry("apa\nen-US\n[1]", "<i>A</i>"), entry("k2", "B & C")];
        save(&path, &entries).unwrap();
        assert_eq!(load(&path), entries);
        // No temporary file is left beside it.
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.json")]);
        for damaged in [
            &b""[..],
            b"{\"layout\":1,\"entries\":[[\"k\"",
            b"\xff\xfe",
            b"{\"layout\":2,\"entries\":[]}",
            b"{\"layout\":1,\"entries\":[[\"k\",{\"id\":{\"html\":1}}]]}",
        ] {
            std::fs::write(&path, damaged).unwrap();
            assert!(load(&path).is_empty(), "{damaged:?}");
        }
    }

    #[test]
    fn the_folder_keeps_its_newest_files() {
        let dir = tempfile::tempdir().unwrap();
        let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        for i in 0..KEEP_FILES + 3 {
            let p = dir.path().join(format!("{i:03}.json"));
            std::fs::write(&p, "{}").unwrap();
            let f = std::fs::File::options().write(true).open(&p).unwrap();
            f.set_modified(old + std::time::Duration::from_secs(i as u64))
                .unwrap();
        }
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        // Left by processes stopped before renaming: an old one goes, a recent one may be
        // another process's, still being written.
        for (name, age) in [(".1.0.tmp", 7200), (".2.0.tmp", 60)] {
            let p = dir.path().join(name);
            std::fs::write(&p, "{").unwrap();
            let f = std::fs::File::options().write(true).open(&p).unwrap();
            f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(age))
                .unwrap();
        }
        save(&dir.path().join("new.json"), &[entry("k", "v")]).unwrap();
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names.len(), KEEP_FILES + 2, "{names:?}");
        assert!(!names.contains(&".1.0.tmp".to_string()));
        assert!(names.contains(&".2.0.tmp".to_string()));
        assert!(names.contains(&"new.json".to_string()));
        assert!(names.contains(&"notes.txt".to_string()), "other files stay");
        for gone in ["000.json", "001.json", "002.json", "003.json"] {
            assert!(!names.contains(&gone.to_string()), "{gone}");
        }
        assert!(names.contains(&"004.json".to_string()));
    }
}
