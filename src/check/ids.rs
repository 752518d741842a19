//! Every identifier an editor writes, and the characters it may hold. Ids end up in URLs, file
//! names and HTML attributes, so each kind is checked once, where it is read, with a message that
//! says what is allowed.

use crate::diag::Problem;

/// The kinds of identifiers, each with its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// A page's URL segment (`slug:` or the file name).
    Slug,
    /// A data file, chart file or row id: used in references (`{{file.row}}`), file names of
    /// downloads and HTML ids.
    Name,
    /// A heading id (`{#id}`) or a figure or table id (`id:` of a block): an HTML id and a URL
    /// fragment. Letters of any script are allowed.
    Anchor,
}

impl IdKind {
    /// Does `s` follow the rule?
    pub fn accepts(self, s: &str) -> bool {
        let mut chars = s.chars();
        let Some(first) = chars.next() else {
            return false;
        };
        match self {
            IdKind::Slug => {
                !s.starts_with('-')
                    && !s.ends_with('-')
                    && s.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            }
            IdKind::Name => s
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'),
            IdKind::Anchor => {
                first.is_alphanumeric()
                    && s.len() <= 200
                    && chars.all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
            }
        }
    }

    /// What the rule allows, for messages.
    pub fn allowed(self) -> &'static str {
        match self {
            IdKind::Slug => "lowercase letters a–z, digits and `-` (not at either end)",
            IdKind::Name => "lowercase letters a–z, digits, `_` and `-`",
            IdKind::Anchor => {
                "letters (of any script), digits, `-`, `_` and `.`, starting with a letter or digit"
            }
        }
    }

    /// A fix for `s`: the same text with the characters the rule allows.
    pub fn suggest(self, s: &str) -> String {
        let keep = |c: char| match self {
            IdKind::Slug => c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-',
            IdKind::Name => c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-',
            IdKind::Anchor => c.is_alphanumeric() || matches!(c, '-' | '_' | '.'),
        };
        let mut out = String::new();
        let mut dash = false;
        for c in s.chars().flat_map(char::to_lowercase) {
            if keep(c) {
                if dash && !out.is_empty() {
                    out.push('-');
                }
                out.push(c);
                dash = false;
            } else {
                dash = true;
            }
        }
        out.trim_matches('-').to_string()
    }
}

/// The message and help for an id that breaks its rule.
pub fn problem(kind: IdKind, what: &str, id: &str) -> Problem {
    let suggestion = kind.suggest(id);
    let mut help = format!("use {}", kind.allowed());
    if !suggestion.is_empty() && suggestion != id {
        help.push_str(&format!(", e.g. `{suggestion}`"));
    }
    Problem::new(
        format!("{what} `{id}` has characters that are not allowed"),
        help,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(IdKind::Slug.accepts("market-size") && IdKind::Slug.accepts("a1"));
        for bad in ["Market", "a b", "-a", "模型", ""] {
            assert!(!IdKind::Slug.accepts(bad), "{bad}");
        }
    }

    #[test]
    fn names_and_anchors() {
        assert!(IdKind::Name.accepts("market_size") && IdKind::Name.accepts("2024"));
        assert!(!IdKind::Name.accepts("Market") && !IdKind::Name.accepts("a.b"));
        assert!(IdKind::Anchor.accepts("price-cuts") && IdKind::Anchor.accepts("市场规模"));
        for bad in [
            "x\"><img src=y onerror=alert(1)>",
            "a b",
            "#x",
            "-a",
            "",
            "a/b",
        ] {
            assert!(!IdKind::Anchor.accepts(bad), "{bad}");
        }
    }

    #[test]
    fn problems_suggest_a_fix() {
        let p = problem(IdKind::Anchor, "figure id", "fig x\"y");
        assert_eq!(
            p.message,
            "figure id `fig x\"y` has characters that are not allowed"
        );
        assert!(p.help.ends_with("e.g. `fig-x-y`"), "{}", p.help);
    }
}
