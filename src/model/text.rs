//! Texts as editors write them and as the checked site holds them: per-language strings, `{{…}}`
//! references (split by the one scanner, [`split_refs`]), texts whose references are resolved
//! ([`Rich`]), and typographic quotes.

use std::collections::BTreeMap;

/// A text given once per language: `{zh: …, en: …}`.
pub type Localized<T = String> = BTreeMap<String, T>;

/// A text with its `{{…}}` references resolved: plain runs and references, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rich {
    pub spans: Vec<Span>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Span {
    Text(String),
    Ref(Ref),
}

/// A resolved reference.
#[derive(Debug, Clone, PartialEq)]
pub enum Ref {
    /// `{{file.row}}`, `{{file.row.field}}`, optionally `|num`.
    Data(DataRef),
    /// `{{fig:id}}` or `{{tab:id}}`: the figure id, looked up per language when shown.
    Figure(String),
}

/// A value of a data set's row: indexes into the checked site.
#[derive(Debug, Clone, PartialEq)]
pub struct DataRef {
    pub set: usize,
    pub row: usize,
    pub field: String,
    pub format: RefFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefFormat {
    /// With its unit, as prose.
    Prose,
    /// The bare number (`|num`).
    Number,
}

impl Rich {
    /// A text without references.
    pub fn plain(s: impl Into<String>) -> Rich {
        let s = s.into();
        Rich {
            spans: if s.is_empty() {
                vec![]
            } else {
                vec![Span::Text(s)]
            },
        }
    }

    /// The data references of this text.
    pub fn data_refs(&self) -> impl Iterator<Item = &DataRef> {
        self.spans.iter().filter_map(|s| match s {
            Span::Ref(Ref::Data(d)) => Some(d),
            _ => None,
        })
    }
}

/// A piece of text split at its `{{…}}` references.
#[derive(Debug, PartialEq)]
pub enum Piece<'t> {
    /// Plain text (never empty).
    Text(&'t str),
    /// A reference: `spec` between the braces, `raw` with them, `at` the offset of `{{`.
    Ref {
        spec: &'t str,
        raw: &'t str,
        at: usize,
    },
    /// A `{{` that is never closed, at `at`.
    Unclosed { raw: &'t str, at: usize },
}

/// Where two bytes (`{{`, `[@`, `**`) first occur in `hay`: `memchr` for the first, then a look
/// at the next. Every text of every page is searched so, and both `str::find` and
/// `memchr::memmem::find` set up a general searcher on each call, which cost more than the
/// search itself in texts this short.
pub fn find_pair(hay: &[u8], pair: &[u8; 2]) -> Option<usize> {
    let mut from = 0;
    while let Some(o) = memchr::memchr(pair[0], &hay[from..]) {
        let at = from + o;
        if hay.get(at + 1) == Some(&pair[1]) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Splits `text` at its `{{…}}` references. The one scanner for references: in Markdown, in
/// data texts, in notes and in front matter.
pub fn split_refs(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut pos = 0;
    let find =
        |from: usize, pair: &[u8; 2]| find_pair(&text.as_bytes()[from..], pair).map(|o| from + o);
    while let Some(open) = find(pos, b"{{") {
        if open > pos {
            out.push(Piece::Text(&text[pos..open]));
        }
        let close = find(open + 2, b"}}");
        let reopen = find(open + 2, b"{{");
        let Some(close) = close.filter(|c| reopen.is_none_or(|r| r > *c)) else {
            // Never closed, or another `{{` comes first: this one is not a reference.
            let end = reopen.unwrap_or(text.len());
            out.push(Piece::Unclosed {
                raw: &text[open..end],
                at: open,
            });
            pos = end;
            continue;
        };
        out.push(Piece::Ref {
            spec: &text[open + 2..close],
            raw: &text[open..close + 2],
            at: open,
        });
        pos = close + 2;
    }
    if pos < text.len() {
        out.push(Piece::Text(&text[pos..]));
    }
    out
}

/// Turns straight quotes into typographic ones, carrying the open/close state across the pieces
/// of one text (so a quote pair around a reference stays paired).
#[derive(Debug, Default)]
pub struct Quoter {
    open_double: bool,
    prev: Option<char>,
}

impl Quoter {
    pub fn new() -> Self {
        Quoter {
            open_double: true,
            prev: None,
        }
    }

    /// `China's` → `China’s`, `"x"` → `“x”`.
    pub fn quote(&mut self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            match c {
                '\'' => out.push(if self.prev.is_some_and(|p| p.is_alphanumeric()) {
                    '’'
                } else {
                    '‘'
                }),
                '"' => {
                    out.push(if self.open_double { '“' } else { '”' });
                    self.open_double = !self.open_double;
                }
                _ => out.push(c),
            }
            self.prev = Some(c);
        }
        out
    }

    /// Text produced by a reference: it moves the state on without being changed.
    pub fn skip(&mut self, s: &str) {
        if let Some(c) = s.chars().last() {
            self.prev = Some(c);
        }
    }
}

/// Typographic quotes in one whole text.
pub fn smart_quotes(s: &str) -> String {
    Quoter::new().quote(s)
}

/// Keys of a map, comma-separated, for messages that list what exists.
pub fn list_keys<V>(map: &BTreeMap<String, V>) -> String {
    join(map.keys())
}

/// Items, comma-separated, for messages.
pub fn join<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    items
        .into_iter()
        .map(|s| s.as_ref().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_is_found_where_it_first_occurs() {
        let cases: &[(&str, Option<usize>)] = &[
            ("", None),
            ("{", None),
            ("a{b{", None),
            ("{{", Some(0)),
            ("{{{", Some(0)),
            ("a{b{{", Some(3)),
            ("模型{{x}}", Some(6)),
            ("x{", None),
        ];
        for &(hay, at) in cases {
            assert_eq!(find_pair(hay.as_bytes(), b"{{"), at, "{hay:?}");
            assert_eq!(find_pair(hay.as_bytes(), b"{{"), hay.find("{{"), "{hay:?}");
        }
        // Two different bytes: the second must follow the first.
        assert_eq!(find_pair(b"@[ [@", b"[@"), Some(3));
        assert_eq!(find_pair(b"*a**", b"**"), Some(2));
    }

    #[test]
    fn splits_text_at_references() {
        use Piece::*;
        assert_eq!(
            split_refs("a{{x.y}}{{z}}b {{open"),
            [
                Text("a"),
                Ref {
                    spec: "x.y",
                    raw: "{{x.y}}",
                    at: 1
                },
                Ref {
                    spec: "z",
                    raw: "{{z}}",
                    at: 8
                },
                Text("b "),
                Unclosed {
                    raw: "{{open",
                    at: 15
                },
            ]
        );
        assert_eq!(split_refs(""), []);
        assert_eq!(
            split_refs("}}{{"),
            [Text("}}"), Unclosed { raw: "{{", at: 2 }]
        );
    }

    #[test]
    fn smart_quotes_in_titles() {
        assert_eq!(smart_quotes("China's \"AI+\" plan"), "China’s “AI+” plan");
        assert_eq!(smart_quotes("'quoted'"), "‘quoted’");
        let mut q = Quoter::new();
        let a = q.quote("say \"");
        q.skip("157");
        let b = q.quote("\" now");
        assert_eq!(format!("{a}157{b}"), "say “157” now");
    }
}
