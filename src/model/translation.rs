//! Where each translation stands: how much of the site a language has (pages, headings, data
//! texts), and the sections of the default language that a translation was last brought in
//! line with (`content/translations.lock`, written by `yanbao translated`).

use std::collections::BTreeMap;

/// What `check` reports about translations.
#[derive(Debug, Clone, Default)]
pub struct Translation {
    /// One entry per language, in site order (the default language first).
    pub coverage: Vec<LangCoverage>,
    /// Texts written for languages that are not listed (yet): language → how many.
    pub unlisted: BTreeMap<String, usize>,
    /// Each default-language page's sections as `(heading id, hash)` in order, `""` being the
    /// text before the first heading: what `yanbao translated` records.
    pub sections: BTreeMap<String, Vec<(String, String)>>,
}

/// How much of the site one language has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LangCoverage {
    pub lang: String,
    pub pages: Count,
    pub headings: Count,
    pub texts: Count,
    /// Translated pages whose default-language sections are unchanged since the translation was
    /// last brought in line (recorded in the lock file).
    pub current: usize,
    /// Translated pages with at least one changed section.
    pub stale: usize,
}

/// `have` of `of`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    pub have: usize,
    pub of: usize,
}

impl Count {
    pub fn add(&mut self, have: bool) {
        self.of += 1;
        self.have += usize::from(have);
    }
}

/// The lock file's place under the site root.
pub const LOCK_PATH: &str = "content/translations.lock";

/// The lock file's entry name of a translated page: `en/status`.
pub fn lock_key(lang: &str, key: &str) -> String {
    format!("{lang}/{key}")
}

impl Translation {
    /// The coverage table `yanbao check` prints; `None` for a site in one language.
    pub fn table(&self) -> Option<String> {
        let [default, others @ ..] = self.coverage.as_slice() else {
            return None;
        };
        if others.is_empty() {
            return None;
        }
        let frac = |c: Count| format!("{}/{}", c.have, c.of);
        let mut rows: Vec<(&str, Vec<String>)> = vec![
            (
                "pages",
                self.coverage.iter().map(|c| frac(c.pages)).collect(),
            ),
            (
                "headings",
                self.coverage.iter().map(|c| frac(c.headings)).collect(),
            ),
            (
                "data texts",
                self.coverage.iter().map(|c| frac(c.texts)).collect(),
            ),
        ];
        let in_line = std::iter::once("—".to_string())
            .chain(others.iter().map(|c| {
                let untracked = c.pages.have - c.current - c.stale;
                let mut s = format!("{}/{}", c.current, c.pages.have);
                let notes: Vec<String> = [(c.stale, "stale"), (untracked, "not recorded")]
                    .into_iter()
                    .filter(|(n, _)| *n > 0)
                    .map(|(n, what)| format!("{n} {what}"))
                    .collect();
                if !notes.is_empty() {
                    s.push_str(&format!(" ({})", notes.join(", ")));
                }
                s
            }))
            .collect();
        rows.push(("in line", in_line));
        let head: Vec<String> = self.coverage.iter().map(|c| c.lang.clone()).collect();
        let label_w = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
        let widths: Vec<usize> = (0..head.len())
            .map(|i| {
                rows.iter()
                    .map(|r| r.1[i].chars().count())
                    .chain([head[i].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |label: &str, cells: &[String]| {
            let mut s = format!("  {label:<label_w$}");
            for (c, w) in cells.iter().zip(&widths) {
                s.push_str(&format!("  {c:<w$}"));
            }
            s.trim_end().to_string()
        };
        let mut out = format!(
            "Translation coverage (where a language has no text, its pages show the {} text):\n",
            default.lang
        );
        out.push_str(&line("", &head));
        out.push('\n');
        for (label, cells) in &rows {
            out.push_str(&line(label, cells));
            out.push('\n');
        }
        out.push_str(&format!(
            "  (\"in line\": translated pages whose {} sections are unchanged since `yanbao translated` recorded them)\n",
            default.lang
        ));
        if !self.unlisted.is_empty() {
            let list: Vec<String> = self
                .unlisted
                .iter()
                .map(|(l, n)| format!("{l} ({n})"))
                .collect();
            out.push_str(&format!(
                "  Texts for languages not in `languages` (not published): {}\n",
                list.join(", ")
            ));
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(have: usize, of: usize) -> Count {
        Count { have, of }
    }

    #[test]
    fn table_lists_each_language() {
        let lang = |l: &str, pages, current, stale| LangCoverage {
            lang: l.into(),
            pages: count(pages, 5),
            headings: count(pages * 4, 20),
            texts: count(if l == "ja" { 3 } else { 40 }, 40),
            current,
            stale,
        };
        let t = Translation {
            coverage: vec![
                lang("zh", 5, 0, 0),
                lang("en", 5, 4, 1),
                lang("ja", 2, 0, 0),
            ],
            unlisted: [("fr".to_string(), 2)].into_iter().collect(),
            sections: BTreeMap::new(),
        };
        let table = t.table().expect("three languages");
        assert_eq!(
            table,
            "Translation coverage (where a language has no text, its pages show the zh text):\n\
             \x20             zh     en             ja\n\
             \x20 pages       5/5    5/5            2/5\n\
             \x20 headings    20/20  20/20          8/20\n\
             \x20 data texts  40/40  40/40          3/40\n\
             \x20 in line     —      4/5 (1 stale)  0/2 (2 not recorded)\n\
             \x20 (\"in line\": translated pages whose zh sections are unchanged since `yanbao translated` recorded them)\n\
             \x20 Texts for languages not in `languages` (not published): fr (2)\n"
        );
        let one = Translation {
            coverage: vec![lang("zh", 5, 0, 0)],
            ..Translation::default()
        };
        assert_eq!(one.table(), None);
    }
}
