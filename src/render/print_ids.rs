//! Ids made unique on the print edition, where every chapter shares one page: each id of a
//! chapter's HTML gets the chapter's prefix (`price-cuts` → `status.price-cuts`), and every
//! reference to an id follows — fragment links, links to the chapter pages of the report
//! (`../../zh/status/index.html#price-cuts` → `#status.price-cuts`), `aria-labelledby` and other
//! id lists, and `url(#…)` in SVG paint and clip attributes. Chapter slugs hold no `.`, so a
//! prefixed id can never equal another chapter's, nor one of the print page's own ids (which
//! hold no `.` either).

/// A page of the report as the print edition holds it.
#[derive(Debug, Clone)]
pub struct Target {
    /// Its address as the chapters link it from the print page (`../../zh/status/index.html`).
    pub href: String,
    /// The prefix its ids get (`status`).
    pub prefix: String,
    /// The id of its start on the print page (`ch-status`).
    pub anchor: String,
}

/// Attributes holding one id.
const ID_ATTRS: &[&str] = &[
    "id",
    "for",
    "form",
    "list",
    "popovertarget",
    "commandfor",
    "aria-activedescendant",
    "aria-details",
    "aria-errormessage",
];
/// Attributes holding a space-separated list of ids.
const ID_LISTS: &[&str] = &[
    "headers",
    "aria-labelledby",
    "aria-describedby",
    "aria-controls",
    "aria-owns",
    "aria-flowto",
];
/// Attributes holding an address (a fragment, or a page of the report).
const HREF_ATTRS: &[&str] = &["href", "xlink:href", "usemap"];

/// `id` on the print page, inside the part whose prefix is `prefix`.
pub fn scoped(prefix: &str, id: &str) -> String {
    format!("{prefix}.{id}")
}

/// Rewrites the ids in `html` (a chapter's HTML) and the references to them: fragments get
/// `own`'s prefix, links to a page in `targets` point at that page's part of the print page.
pub fn rewrite(html: &str, own: &str, targets: &[Target]) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        // Comments, CDATA and doctypes pass unchanged.
        for (open, close) in [("<!--", "-->"), ("<![CDATA[", "]]>"), ("<!", ">")] {
            if rest.starts_with(open) {
                let end = rest[open.len()..]
                    .find(close)
                    .map_or(rest.len(), |e| open.len() + e + close.len());
                out.push_str(&rest[..end]);
                rest = &rest[end..];
                break;
            }
        }
        if !rest.starts_with('<') {
            continue;
        }
        let Some(len) = tag_len(rest) else {
            // A lone `<` in text.
            out.push('<');
            rest = &rest[1..];
            continue;
        };
        let tag = &rest[..len];
        // A tag without a value (`<p>`, `</li>`, `<br/>`) has nothing to rewrite.
        if tag.contains('=') {
            rewrite_tag(&mut out, tag, own, targets);
        } else {
            out.push_str(tag);
        }
        rest = &rest[len..];
        // The contents of script and style are not markup.
        let name = tag_name(tag);
        for raw in ["script", "style"] {
            if name.eq_ignore_ascii_case(raw) {
                let end = find_ci(rest, &format!("</{raw}")).unwrap_or(rest.len());
                out.push_str(&rest[..end]);
                rest = &rest[end..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The length of the tag that `s` starts with (up to and with its `>`, quotes respected), or
/// `None` when `s` does not start a tag.
fn tag_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    match b.get(1) {
        Some(c) if c.is_ascii_alphabetic() || *c == b'/' => {}
        _ => return None,
    }
    let mut quote: Option<u8> = None;
    for (i, &c) in b.iter().enumerate().skip(1) {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if c == b'>' => return Some(i + 1),
            None => {}
        }
    }
    None
}

fn tag_name(tag: &str) -> &str {
    let t = tag.trim_start_matches('<');
    let end = t
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(t.len());
    &t[..end]
}

/// Case-insensitive find of an ASCII needle.
fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    (0..h.len().saturating_sub(n.len() - 1)).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// One start tag, written to `out` with its id attributes rewritten; end tags unchanged.
fn rewrite_tag(out: &mut String, tag: &str, own: &str, targets: &[Target]) {
    if tag.starts_with("</") {
        out.push_str(tag);
        return;
    }
    let name_end = 1 + tag_name(tag).len();
    out.push_str(&tag[..name_end]);
    let b = tag.as_bytes();
    let mut i = name_end;
    while i < tag.len() {
        let c = b[i];
        if c.is_ascii_whitespace() || c == b'/' || c == b'>' {
            out.push(c as char);
            i += 1;
            continue;
        }
        // An attribute: name, then an optional value.
        let name_start = i;
        while i < tag.len() && !matches!(b[i], b'=' | b'>' | b'/') && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        let name = &tag[name_start..i];
        out.push_str(name);
        if b.get(i) != Some(&b'=') {
            continue;
        }
        out.push('=');
        i += 1;
        let (value, quote, after) = match b.get(i) {
            Some(&q @ (b'"' | b'\'')) => {
                let end = tag[i + 1..]
                    .find(q as char)
                    .map_or(tag.len() - 1, |e| i + 1 + e);
                (&tag[i + 1..end], Some(q as char), (end + 1).min(tag.len()))
            }
            _ => {
                let end = tag[i..]
                    .find(|c: char| c.is_ascii_whitespace() || c == '>')
                    .map_or(tag.len(), |e| i + e);
                (&tag[i..end], None, end)
            }
        };
        let value = rewrite_value(name, value, own, targets);
        match quote {
            Some(q) => {
                out.push(q);
                out.push_str(&value);
                out.push(q);
            }
            None => out.push_str(&value),
        }
        i = after;
    }
}

/// The value of attribute `name` (any case) on the print page: most stay as they are.
fn rewrite_value<'a>(
    name: &str,
    value: &'a str,
    own: &str,
    targets: &[Target],
) -> std::borrow::Cow<'a, str> {
    let is = |names: &[&str]| names.iter().any(|n| n.eq_ignore_ascii_case(name));
    if is(ID_ATTRS) {
        return scoped(own, value).into();
    }
    if is(ID_LISTS) {
        return value
            .split_ascii_whitespace()
            .map(|id| scoped(own, id))
            .collect::<Vec<_>>()
            .join(" ")
            .into();
    }
    if is(HREF_ATTRS) {
        return rewrite_href(value, own, targets).into();
    }
    if value.contains("url(#") {
        return value.replace("url(#", &format!("url(#{own}.")).into();
    }
    value.into()
}

fn rewrite_href(href: &str, own: &str, targets: &[Target]) -> String {
    let (path, fragment) = match href.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (href, None),
    };
    if path.is_empty() {
        return match fragment {
            Some(f) if !f.is_empty() => format!("#{}", scoped(own, f)),
            _ => href.to_string(),
        };
    }
    match (targets.iter().find(|t| t.href == path), fragment) {
        (Some(t), Some(f)) if !f.is_empty() => format!("#{}", scoped(&t.prefix, f)),
        (Some(t), _) => format!("#{}", t.anchor),
        (None, _) => href.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Vec<Target> {
        vec![
            Target {
                href: "../../zh/status/index.html".into(),
                prefix: "status".into(),
                anchor: "ch-status".into(),
            },
            Target {
                href: "../../zh/index.html".into(),
                prefix: "_index".into(),
                anchor: "cover".into(),
            },
        ]
    }

    #[test]
    fn ids_and_references_get_the_chapter_prefix() {
        let html = "<h2 id=\"price-cuts\">降价<a class=\"anchor\" href=\"#price-cuts\">#</a></h2>\n<p>见<a href=\"../../zh/status/index.html#market-size\">规模</a>、<a href=\"../../zh/status/index.html\">现状</a>、<a href=\"../../zh/index.html#scope\">范畴</a>和<a href=\"https://example.org/a#b\">外部</a>。</p>";
        assert_eq!(
            rewrite(html, "trends", &targets()),
            "<h2 id=\"trends.price-cuts\">降价<a class=\"anchor\" href=\"#trends.price-cuts\">#</a></h2>\n<p>见<a href=\"#status.market-size\">规模</a>、<a href=\"#ch-status\">现状</a>、<a href=\"#_index.scope\">范畴</a>和<a href=\"https://example.org/a#b\">外部</a>。</p>"
        );
    }

    #[test]
    fn svg_references_and_id_lists_follow() {
        let html = "<svg aria-labelledby=\"f-t  f-d\"><title id=f-t>T</title><pattern id='h0'/><rect fill=\"url(#h0)\" clip-path=\"url(#c)\"/><use xlink:href=\"#h0\"/></svg>";
        assert_eq!(
            rewrite(html, "s", &[]),
            "<svg aria-labelledby=\"s.f-t s.f-d\"><title id=s.f-t>T</title><pattern id='s.h0'/><rect fill=\"url(#s.h0)\" clip-path=\"url(#s.c)\"/><use xlink:href=\"#s.h0\"/></svg>"
        );
    }

    #[test]
    fn text_comments_scripts_and_odd_markup_pass_unchanged() {
        for html in [
            "a < b and c > d, id=\"x\" in text",
            "<!-- <p id=\"x\"> -->",
            "<script>if (a<b) { x.id = \"y\"; }</script>",
            "<p title=\"a > b id=&quot;c&quot;\">x</p>",
            "<br/><hr /><input disabled>",
            "<p id=\"unclosed",
            "",
            "<",
            "<a href=\"#\">top</a>",
        ] {
            assert_eq!(rewrite(html, "s", &[]), html);
        }
    }

    #[test]
    fn hostile_ids_keep_their_text() {
        assert_eq!(
            rewrite("<p ID=\"x y\" data-id=\"z\">", "c", &[]),
            "<p ID=\"c.x y\" data-id=\"z\">"
        );
        assert_eq!(
            rewrite("<td headers=\"a b\">", "c", &[]),
            "<td headers=\"c.a c.b\">"
        );
        assert_eq!(
            rewrite("<a href=\"#%E5%B8%82\">", "c", &[]),
            "<a href=\"#c.%E5%B8%82\">"
        );
    }
}
