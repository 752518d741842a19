//! `content/translations.lock`: for each translated page, the hash of each section of the
//! default language as it was when the translation was last brought in line with it. `yanbao
//! translated` writes it; `check` compares it with the sections as they are now.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diag::{Diagnostic, SourceFile};
use crate::input::yaml::{self, Located};
use crate::model::translation::LOCK_PATH;

/// Page (`en/status`) → section id (`""` before the first heading) → hash.
pub type Entries = BTreeMap<String, BTreeMap<String, String>>;

/// The lock file as read, with positions for its problems.
#[derive(Debug, Clone)]
pub struct Lock {
    pub file: SourceFile,
    pub loc: Located,
    pub entries: Entries,
}

/// Reads the lock file; `None` when there is none.
pub fn load(root: &Path) -> Result<Option<Lock>, Diagnostic> {
    let path = root.join(LOCK_PATH);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Diagnostic::error(
                LOCK_PATH,
                format!("cannot read the file: {e}"),
            ));
        }
    };
    let file = crate::input::files::text_from_bytes(LOCK_PATH, bytes)?;
    if file.text.trim().is_empty() {
        return Ok(None);
    }
    let (entries, loc) = yaml::parse::<Entries>(&file, &file.text, 0).map_err(|d| {
        d.help("this file is written by `yanbao translated`: delete it and run `yanbao translated` to write it again")
    })?;
    Ok(Some(Lock { file, loc, entries }))
}

/// The file's text: one block per page, in order, each section's id quoted.
pub fn render(entries: &Entries, default_lang: &str) -> String {
    let mut s = format!(
        "# Written by `yanbao translated`. For each translated page, a hash of each section of the\n\
         # `{default_lang}` page as it was when the translation was last brought in line with it;\n\
         # `yanbao check` lists the sections changed since. \"\" is the text before the first heading.\n"
    );
    for (page, sections) in entries {
        s.push_str(&quoted(page));
        s.push_str(":\n");
        for (id, hash) in sections {
            s.push_str("  ");
            s.push_str(&quoted(id));
            s.push_str(": ");
            s.push_str(&quoted(hash));
            s.push('\n');
        }
    }
    s
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_what_it_reads() {
        let mut entries = Entries::new();
        entries.insert(
            "en/status".into(),
            [
                ("".into(), "0a1b2c3d".into()),
                ("价格: \"x\"".into(), "ffffffff".into()),
            ]
            .into_iter()
            .collect(),
        );
        let text = render(&entries, "zh");
        let file = SourceFile::new(LOCK_PATH, text.clone());
        let (back, _) = yaml::parse::<Entries>(&file, &text, 0).expect("parses");
        assert_eq!(back, entries);
        assert!(text.starts_with("# Written by `yanbao translated`"));
    }
}
