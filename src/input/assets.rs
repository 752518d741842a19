//! Static assets: the built-in stylesheet, scripts and icon, replaced file by file by the site's
//! `static/` folder. Each gets a content hash that pages use to bust caches.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diag::{Diagnostic, Problems};
use crate::input::files;

/// Static files by output path (`static/style.css`): the built-in ones, then the site's `static/`
/// (which wins). Links leading out of `static/` are skipped with a warning: a build never copies
/// files from elsewhere on the machine.
pub fn load(root: &Path, problems: &mut Problems) -> BTreeMap<String, Vec<u8>> {
    let mut files: BTreeMap<String, Vec<u8>> = BUILTIN_STATIC
        .iter()
        .map(|(n, b)| (format!("static/{n}"), b.to_vec()))
        .collect();
    let Ok(static_dir) = root.join("static").canonicalize() else {
        return files;
    };
    for found in files::walk(root, "static", true, problems) {
        let inside = found
            .path
            .canonicalize()
            .is_ok_and(|c| c.starts_with(&static_dir));
        if !inside {
            problems.push(
                Diagnostic::warning(&found.rel, "skipped: this link points outside static/")
                    .help("copy the file into static/ instead of linking to it"),
            );
            continue;
        }
        match std::fs::read(&found.path) {
            Ok(b) => {
                files.insert(found.rel, b);
            }
            Err(e) => problems.push(Diagnostic::error(&found.rel, format!("cannot read: {e}"))),
        }
    }
    files
}

/// Assets compiled into yanbao; a site's `static/` may replace any of them.
pub const BUILTIN_STATIC: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../../static/style.css")),
    ("print.css", include_bytes!("../../static/print.css")),
    ("theme.js", include_bytes!("../../static/theme.js")),
    ("yanbao.js", include_bytes!("../../static/yanbao.js")),
    ("search.js", include_bytes!("../../static/search.js")),
    ("favicon.svg", include_bytes!("../../static/favicon.svg")),
];

/// FNV-1a, 8 hex digits: stable across runs and machines.
pub fn short_hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{:08x}", h >> 32)
}
