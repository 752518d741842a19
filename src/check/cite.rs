//! Citations in prose, `[@key]`, `[@a; @b]` and `[@key, p. 12]` (Pandoc's syntax without
//! prefixes): the scanner that finds them in a run of Markdown text. What the keys name is
//! resolved by the page's resolver.

/// A piece of text split at its citations.
#[derive(Debug, PartialEq)]
pub enum Piece<'t> {
    Text(&'t str),
    /// `[@…]`: its items, the whole bracket as written and the offset of its `[`.
    Cite {
        items: Vec<Item<'t>>,
        raw: &'t str,
        at: usize,
    },
    /// `[@…]` that is not a well-formed citation, at `at`.
    Malformed {
        raw: &'t str,
        at: usize,
    },
}

/// One cited key with its locator (`p. 12`), and the offset of the key in the text.
#[derive(Debug, PartialEq)]
pub struct Item<'t> {
    pub key: &'t str,
    pub locator: Option<&'t str>,
    pub at: usize,
}

/// Splits `text` at its citations. A `[@` without a closing `]` before the next `[` is text.
pub fn split(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut from = 0;
    while let Some(open) =
        crate::model::text::find_pair(&text.as_bytes()[from..], b"[@").map(|o| from + o)
    {
        let inner_start = open + 1;
        let Some(close) = text[inner_start..]
            .find([']', '['])
            .map(|c| inner_start + c)
            .filter(|&c| text[c..].starts_with(']'))
        else {
            from = open + 2;
            continue;
        };
        if open > pos {
            out.push(Piece::Text(&text[pos..open]));
        }
        let raw = &text[open..=close];
        match items(text, inner_start, close) {
            Some(items) => out.push(Piece::Cite {
                items,
                raw,
                at: open,
            }),
            None => out.push(Piece::Malformed { raw, at: open }),
        }
        pos = close + 1;
        from = pos;
    }
    if pos < text.len() {
        out.push(Piece::Text(&text[pos..]));
    }
    out
}

/// The items of `text[start..end]` (between the brackets), or None when one is not `@key` with
/// an optional `, locator`.
fn items(text: &str, start: usize, end: usize) -> Option<Vec<Item<'_>>> {
    let mut out = Vec::new();
    let mut at = start;
    for part in text[start..end].split(';') {
        let lead = part.len() - part.trim_start().len();
        let body = part.trim();
        let rest = body.strip_prefix('@')?;
        let key_start = at + lead + 1;
        let mut key_len = rest
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || ":.#$%&-+?<>~/".contains(*c)))
            .map_or(rest.len(), |(i, _)| i);
        // Punctuation ends a key only inside it: `[@smith.]` cites `smith`.
        while key_len > 0 && !rest[..key_len].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            key_len -= rest[..key_len]
                .chars()
                .next_back()
                .map_or(1, char::len_utf8);
        }
        if key_len == 0 {
            return None;
        }
        let after = rest[key_len..].trim();
        let locator = match after {
            "" => None,
            a => Some(a.strip_prefix(',')?.trim()).filter(|l| !l.is_empty()),
        };
        out.push(Item {
            key: &rest[..key_len],
            locator,
            at: key_start,
        });
        at += part.len() + 1;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys<'t>(p: &Piece<'t>) -> Vec<(&'t str, Option<&'t str>, usize)> {
        match p {
            Piece::Cite { items, .. } => items.iter().map(|i| (i.key, i.locator, i.at)).collect(),
            _ => vec![],
        }
    }

    #[test]
    fn finds_citations_with_locators() {
        let text = "据统计[@eada2024]，另见[@a; @b:2020, p. 12]。";
        let pieces = split(text);
        assert_eq!(pieces.len(), 5);
        assert_eq!(pieces[0], Piece::Text("据统计"));
        assert_eq!(keys(&pieces[1]), [("eada2024", None, 11)]);
        assert_eq!(&text[11..19], "eada2024");
        let k = keys(&pieces[3]);
        assert_eq!(k[0].0, "a");
        assert_eq!((k[1].0, k[1].1), ("b:2020", Some("p. 12")));
        assert_eq!(&text[k[1].2..k[1].2 + 6], "b:2020");
        assert_eq!(pieces[4], Piece::Text("。"));
    }

    #[test]
    fn other_brackets_stay_text() {
        for t in ["[x] [see @a] email@x.org", "[@open", "[@a [b]", "a [@"] {
            assert!(
                split(t).iter().all(|p| matches!(p, Piece::Text(_))),
                "{t}: {:?}",
                split(t)
            );
        }
        assert!(matches!(split("[@a b]")[0], Piece::Malformed { .. }));
        assert!(matches!(split("[@]")[0], Piece::Malformed { .. }));
        assert!(matches!(split("[@a; b]")[0], Piece::Malformed { .. }));
        assert!(matches!(split("[@smith.]")[0], Piece::Malformed { .. }));
        assert_eq!(
            keys(&split("[@smith:2020.x]")[0]),
            [("smith:2020.x", None, 2)]
        );
    }
}
