//! Raw HTML written in Markdown, under the site's `raw_html` policy: scripts, event handlers
//! (`onerror=`) and `javascript:` addresses are found and warned about (the pages run under a
//! strict Content-Security-Policy that blocks them), removed with the `ammonia` sanitizer, or
//! refused; `forbid` refuses raw HTML altogether.

use crate::diag::Problem;
use crate::model::config::RawHtml;

/// Active content found in a piece of raw HTML: what it is and its byte offset in the piece.
#[derive(Debug, Clone, PartialEq)]
pub struct Danger {
    pub what: String,
    pub at: usize,
}

/// Scripts, event handlers and script addresses in `html`, first one first. Character
/// references (`&#106;avascript:`) and blanks inside the scheme are seen through.
pub fn dangers(html: &str) -> Vec<Danger> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    for tag in [
        "script", "iframe", "object", "embed", "base", "meta", "form",
    ] {
        for (at, _) in lower.match_indices(&format!("<{tag}")) {
            let next = lower[at + 1 + tag.len()..].chars().next();
            if next.is_none_or(|c| c.is_ascii_whitespace() || c == '>' || c == '/') {
                found.push(Danger {
                    what: format!("a `<{tag}>` element"),
                    at,
                });
            }
        }
    }
    let b = lower.as_bytes();
    for (at, _) in lower.match_indices("on") {
        let before = at.checked_sub(1).map(|i| b[i]);
        if !matches!(
            before,
            Some(b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'"' | b'\'')
        ) {
            continue;
        }
        let name_end = at
            + 2
            + lower[at + 2..]
                .bytes()
                .take_while(u8::is_ascii_alphabetic)
                .count();
        if name_end == at + 2 || !inside_tag(&lower, at) {
            continue;
        }
        let rest = lower[name_end..].trim_start();
        if rest.starts_with('=') {
            found.push(Danger {
                what: format!("an event handler `{}=`", &html[at..name_end]),
                at,
            });
        }
    }
    let plain = decode(&lower);
    for scheme in ["javascript:", "vbscript:", "data:text/html"] {
        if plain.contains(scheme) {
            let at = lower.find(&scheme[..4]).unwrap_or(0);
            found.push(Danger {
                what: format!("a `{scheme}` address"),
                at,
            });
        }
    }
    found.sort_by_key(|d| d.at);
    found
}

/// Whether byte `at` of `html` sits inside a tag (after a `<` not yet closed by `>`).
fn inside_tag(html: &str, at: usize) -> bool {
    let before = &html[..at];
    match (before.rfind('<'), before.rfind('>')) {
        (Some(open), Some(close)) => open > close,
        (Some(_), None) => true,
        _ => false,
    }
}

/// `html` with numeric character references decoded and blanks and control characters dropped,
/// as a browser reads a URL scheme.
fn decode(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("&#") {
            let (hex, digits) = match after.strip_prefix(['x', 'X']) {
                Some(h) => (true, h),
                None => (false, after),
            };
            let len = digits
                .bytes()
                .take_while(|b| {
                    if hex {
                        b.is_ascii_hexdigit()
                    } else {
                        b.is_ascii_digit()
                    }
                })
                .count();
            let value = u32::from_str_radix(&digits[..len], if hex { 16 } else { 10 }).ok();
            if let Some(ch) = value.and_then(char::from_u32) {
                out.push(ch.to_ascii_lowercase());
                let used = html.len() - rest.len() + 2 + usize::from(hex) + len;
                rest = &html[used..];
                rest = rest.strip_prefix(';').unwrap_or(rest);
                continue;
            }
        }
        if let Some((len, ch)) = [("&colon;", ':'), ("&tab;", '\t'), ("&newline;", '\n')]
            .iter()
            .find(|(e, _)| rest.starts_with(e))
            .map(|(e, ch)| (e.len(), *ch))
        {
            out.push(ch);
            rest = &rest[len..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out.retain(|c| !c.is_whitespace() && !c.is_control());
    out
}

/// `html` with active content removed by the sanitizer; ordinary markup (with its classes,
/// ids and titles) stays.
pub fn strip(html: &str) -> String {
    ammonia::Builder::default()
        .add_generic_attributes(["class", "id", "lang", "dir", "title"])
        .clean(html)
        .to_string()
}

/// What to say about a danger under a policy (None: say nothing).
pub fn problem(policy: RawHtml, d: &Danger) -> Option<Problem> {
    match policy {
        RawHtml::Allow | RawHtml::Strip => None,
        RawHtml::Warn => Some(Problem::new(
            format!(
                "raw HTML with {}: it would run code in the reader's browser",
                d.what
            ),
            "yanbao's pages run under a strict Content-Security-Policy, which blocks it; remove it, or set `raw_html: strip` in content/site.yaml to remove such code at build time",
        )),
        RawHtml::Forbid => Some(forbidden()),
    }
}

/// Raw HTML under `raw_html: forbid`.
pub fn forbidden() -> Problem {
    Problem::new(
        "raw HTML is not allowed in this site",
        "content/site.yaml sets `raw_html: forbid`; write it in Markdown, or use a yanbao block (```figure, ```table)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whats(html: &str) -> Vec<String> {
        dangers(html).into_iter().map(|d| d.what).collect()
    }

    #[test]
    fn finds_scripts_handlers_and_script_addresses() {
        assert_eq!(whats("<script>alert(1)</script>"), ["a `<script>` element"]);
        assert_eq!(
            whats("<img src=x onerror=alert(1)>"),
            ["an event handler `onerror=`"]
        );
        assert_eq!(
            whats("<a href=\"JaVa&#115;cript&colon;x()\">"),
            ["a `javascript:` address"]
        );
        assert_eq!(
            whats("<a href=\"java\tscript:x()\">"),
            ["a `javascript:` address"]
        );
        assert_eq!(
            whats("<div\nONCLICK = \"x\">"),
            ["an event handler `ONCLICK=`"]
        );
        // Harmless look-alikes.
        assert!(whats("<span class=\"online\">on=1</span> <scripture>").is_empty());
        assert!(whats("<p>turn on = off</p>").is_empty());
        assert!(whats("<abbr title=\"JavaScript\">JS</abbr>").is_empty());
    }

    #[test]
    fn strip_keeps_markup_and_removes_code() {
        assert_eq!(
            strip("<span class=\"x\" onclick=\"y()\">a</span><script>z()</script>"),
            "<span class=\"x\">a</span>"
        );
        assert_eq!(
            strip("<img src=\"a.png\" onerror=\"x()\">"),
            "<img src=\"a.png\">"
        );
        assert!(!strip("<a href=\"javascript:x()\">a</a>").contains("javascript"));
    }
}
