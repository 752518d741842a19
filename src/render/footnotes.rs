//! Footnotes (`[^label]`) in their own look: numbered in reading order, marks linking to the
//! note and back, ids namespaced (`fn-<label>`, `fnref-<label>`) so they never clash with a
//! heading's id, and the notes gathered in one list at the end of the text, apart from the
//! page's source notes.

use std::collections::HashMap;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use crate::markup::escape;

/// A footnote label as an id fragment: whitespace and characters HTML ids dislike become `-`.
pub fn label_id(label: &str) -> String {
    label
        .chars()
        .map(|c| {
            if c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '&' | '#') {
                '-'
            } else {
                c
            }
        })
        .collect()
}

/// Rewrites a body's events: each reference becomes a numbered mark, each definition is taken
/// out of the flow and listed, in the order of first reference, in a closing section titled
/// `heading`; `back` labels the link from a note to its mark.
pub fn rewrite(events: Vec<Event<'static>>, heading: &str, back: &str) -> Vec<Event<'static>> {
    if !events
        .iter()
        .any(|e| matches!(e, Event::FootnoteReference(_)))
        && !events
            .iter()
            .any(|e| matches!(e, Event::Start(Tag::FootnoteDefinition(_))))
    {
        return events;
    }
    let mut out = Vec::with_capacity(events.len());
    // label → (number, times referenced)
    let mut numbers: HashMap<String, (usize, usize)> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut defs: HashMap<String, Vec<Event<'static>>> = HashMap::new();
    let mut in_def: Option<(String, Vec<Event<'static>>)> = None;
    for ev in events {
        match ev {
            Event::Start(Tag::FootnoteDefinition(label)) => {
                in_def = Some((label.to_string(), Vec::new()));
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                if let Some((label, body)) = in_def.take() {
                    defs.entry(label).or_insert(body);
                }
            }
            ev => {
                let ev = match ev {
                    Event::FootnoteReference(label) => {
                        let label = label.to_string();
                        let next = numbers.len() + 1;
                        let entry = numbers.entry(label.clone()).or_insert_with(|| {
                            order.push(label.clone());
                            (next, 0)
                        });
                        entry.1 += 1;
                        let id = escape(&label_id(&label));
                        let suffix = if entry.1 > 1 {
                            format!("-{}", entry.1)
                        } else {
                            String::new()
                        };
                        Event::InlineHtml(CowStr::from(format!(
                            "<sup class=\"fn-ref\" id=\"fnref-{id}{suffix}\"><a href=\"#fn-{id}\" role=\"doc-noteref\">[{}]</a></sup>",
                            entry.0
                        )))
                    }
                    ev => ev,
                };
                match &mut in_def {
                    Some((_, body)) => body.push(ev),
                    None => out.push(ev),
                }
            }
        }
    }
    // Notes never referenced are still listed, after the others, in the order written.
    let mut unreferenced: Vec<&String> =
        defs.keys().filter(|l| !numbers.contains_key(*l)).collect();
    unreferenced.sort();
    let listed: Vec<String> = order
        .iter()
        .filter(|l| defs.contains_key(*l))
        .chain(unreferenced)
        .cloned()
        .collect();
    if listed.is_empty() {
        return out;
    }
    out.push(Event::Html(CowStr::from(format!(
        "<section class=\"footnotes\" role=\"doc-endnotes\" aria-label=\"{0}\">\n<h2 class=\"footnotes-title\">{0}</h2>\n<ol>\n",
        escape(heading)
    ))));
    for label in listed {
        let id = escape(&label_id(&label));
        let (n, refs) = numbers.get(&label).copied().unwrap_or((0, 0));
        let value = if n > 0 {
            format!(" value=\"{n}\"")
        } else {
            String::new()
        };
        out.push(Event::Html(CowStr::from(format!(
            "<li id=\"fn-{id}\" class=\"footnote\"{value} role=\"doc-footnote\">"
        ))));
        let mut body = defs.remove(&label).unwrap_or_default();
        let backs: String = (1..=refs)
            .map(|k| {
                let suffix = if k > 1 { format!("-{k}") } else { String::new() };
                let mark = if k > 1 { format!("↩<sup>{k}</sup>") } else { "↩".into() };
                format!(
                    " <a class=\"fn-back\" href=\"#fnref-{id}{suffix}\" role=\"doc-backlink\" aria-label=\"{}\">{mark}</a>",
                    escape(back)
                )
            })
            .collect();
        // The back links go at the end of the note's last paragraph.
        let at = body
            .iter()
            .rposition(|e| matches!(e, Event::End(TagEnd::Paragraph)))
            .unwrap_or(body.len());
        body.insert(at, Event::InlineHtml(CowStr::from(backs)));
        out.extend(body);
        out.push(Event::Html(CowStr::from("</li>\n")));
    }
    out.push(Event::Html(CowStr::from("</ol>\n</section>\n")));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Options, Parser};

    fn html(md: &str) -> String {
        let events: Vec<Event<'static>> = Parser::new_ext(md, Options::ENABLE_FOOTNOTES)
            .map(|e| e.into_static())
            .collect();
        let mut s = String::new();
        pulldown_cmark::html::push_html(&mut s, rewrite(events, "Footnotes", "Back").into_iter());
        s
    }

    #[test]
    fn notes_are_numbered_by_first_reference_with_back_links_and_own_ids() {
        let got = html("B[^b] and a[^a], b again[^b].\n\n[^a]: Note A.\n\n[^b]: Note B.\n");
        assert_eq!(
            got,
            "<p>B<sup class=\"fn-ref\" id=\"fnref-b\"><a href=\"#fn-b\" role=\"doc-noteref\">[1]</a></sup> and a<sup class=\"fn-ref\" id=\"fnref-a\"><a href=\"#fn-a\" role=\"doc-noteref\">[2]</a></sup>, b again<sup class=\"fn-ref\" id=\"fnref-b-2\"><a href=\"#fn-b\" role=\"doc-noteref\">[1]</a></sup>.</p>\n\
<section class=\"footnotes\" role=\"doc-endnotes\" aria-label=\"Footnotes\">\n<h2 class=\"footnotes-title\">Footnotes</h2>\n<ol>\n\
<li id=\"fn-b\" class=\"footnote\" value=\"1\" role=\"doc-footnote\">\n<p>Note B. <a class=\"fn-back\" href=\"#fnref-b\" role=\"doc-backlink\" aria-label=\"Back\">↩</a> <a class=\"fn-back\" href=\"#fnref-b-2\" role=\"doc-backlink\" aria-label=\"Back\">↩<sup>2</sup></a></p>\n</li>\n\
<li id=\"fn-a\" class=\"footnote\" value=\"2\" role=\"doc-footnote\">\n<p>Note A. <a class=\"fn-back\" href=\"#fnref-a\" role=\"doc-backlink\" aria-label=\"Back\">↩</a></p>\n</li>\n</ol>\n</section>\n"
        );
    }

    #[test]
    fn hostile_labels_make_safe_ids_and_pages_without_notes_are_untouched() {
        let got = html("x[^a \"b\" <c>]\n\n[^a \"b\" <c>]: n\n");
        assert!(got.contains("id=\"fn-a--b---c-\""), "{got}");
        assert!(!got.contains("<c>"), "{got}");
        assert_eq!(html("plain\n"), "<p>plain</p>\n");
    }
}
