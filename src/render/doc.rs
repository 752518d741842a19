//! A checked body to HTML: nodes become pulldown-cmark events (references, blocks and links
//! rendered through the page's [`Cx`]) and go through `pulldown_cmark::html`. The table of
//! contents and the search sections come out of the same walk.

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use crate::markup::escape;
use crate::model::doc::{HeadingStart, Node, Target};
use crate::model::site::Page;
use crate::render::breaks;
use crate::render::cx::Cx;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    /// Heading text as HTML (references expanded).
    pub html: String,
    /// Heading text as plain text.
    pub text: String,
}

/// A section of a page as search sees it: the heading and the text up to the next heading.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub text: String,
    /// The titles of the headings it sits under (a case study's "客户问题" under its case).
    pub path: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct BodyHtml {
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub sections: Vec<Section>,
}

/// Renders a page's body.
pub fn render(cx: &mut Cx, page: &Page) -> BodyHtml {
    let body = page.body();
    let nodes = &body.nodes;
    let mut out: Vec<Event<'static>> = Vec::with_capacity(nodes.len());
    let mut toc = Vec::new();
    let mut sections = vec![Section::default()];
    // Open headings (level, title): the path of the next section.
    let mut open: Vec<(u8, String)> = Vec::new();
    let mut closes: Vec<String> = Vec::new();
    let mut block_sections: Vec<Section> = Vec::new();
    let mut tables = Tables::default();
    // Inside a code block or an image's alt text, text is written as it is.
    let mut verbatim = 0usize;
    let unspaced = breaks::unspaced(&cx.site.html_lang(&page.lang));
    let mut i = 0;
    while i < nodes.len() {
        match &nodes[i] {
            Node::HeadingStart(h) => {
                let HeadingStart {
                    level,
                    id,
                    classes,
                    attrs,
                } = &**h;
                let end = nodes[i..]
                    .iter()
                    .position(|n| matches!(n, Node::HeadingEnd))
                    .map_or(nodes.len(), |p| i + p);
                let raw = inline_events(cx, page, &nodes[i + 1..end]);
                let text = plain_text(&raw).trim().to_string();
                let inner = raw.into_iter().map(|ev| mark_title(ev, unspaced));
                let mut inner_html = String::new();
                pulldown_cmark::html::push_html(&mut inner_html, inner);
                out.push(Event::Html(CowStr::from(heading_html(
                    *level,
                    id,
                    classes,
                    attrs,
                    &inner_html,
                ))));
                toc.push(TocEntry {
                    level: *level,
                    id: id.clone(),
                    html: inner_html,
                    text: text.clone(),
                });
                open.retain(|(l, _)| l < level);
                sections.push(Section {
                    id: id.clone(),
                    title: text.clone(),
                    text: String::new(),
                    path: open.iter().map(|(_, t)| t.clone()).collect(),
                });
                open.push((*level, text));
                i = end + 1;
                continue;
            }
            Node::Block(b) => {
                let block = cx.block(&page.blocks[*b], page);
                let mut own = cx.block_text(&page.blocks[*b]);
                own.sections.extend(block.sections);
                push_text(&mut sections, &own.text);
                // The block's own sections sit under the current heading; the current section
                // carries on after the block.
                let mut path: Vec<String> = open.iter().map(|(_, t)| t.clone()).collect();
                path.retain(|t| !t.is_empty());
                for mut s in own.sections {
                    s.path = path.clone();
                    block_sections.push(s);
                }
                out.push(Event::Html(CowStr::from(block.html)));
                closes.extend(block.close);
            }
            Node::WrapEnd => {
                if !closes.is_empty() {
                    out.push(Event::Html(CowStr::from(closes.remove(0))));
                }
            }
            node => {
                for ev in inline_events(cx, page, std::slice::from_ref(node)) {
                    section_text(&mut sections, &ev);
                    match &ev {
                        Event::Start(Tag::CodeBlock(_) | Tag::Image { .. }) => verbatim += 1,
                        Event::End(TagEnd::CodeBlock | TagEnd::Image) => {
                            verbatim = verbatim.saturating_sub(1)
                        }
                        _ => {}
                    }
                    let ev = tables.map(ev);
                    out.push(if verbatim == 0 {
                        keep_year_ranges(ev)
                    } else {
                        ev
                    });
                }
            }
        }
        i += 1;
    }
    let out = crate::render::footnotes::rewrite(out, cx.t("footnotes"), cx.t("footnote_back"));
    let mut html = String::with_capacity(nodes.len() * 16);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    sections.extend(block_sections);
    for s in &mut sections {
        collapse_spaces(&mut s.text);
    }
    sections.retain(|s| !s.id.is_empty() || !s.text.is_empty());
    BodyHtml {
        html,
        toc,
        sections,
    }
}

/// A text event holding a year range ("2022-2027年", "2023–2024") as HTML that keeps each range
/// on one line (`render::breaks`). Other events, and texts without a range, are unchanged.
fn keep_year_ranges(ev: Event<'static>) -> Event<'static> {
    mark_title(ev, false)
}

/// A heading's text event as HTML with its year ranges kept whole and, in a language written
/// without spaces (`unspaced`), its word boundaries marked (`render::breaks`).
fn mark_title(ev: Event<'static>, unspaced: bool) -> Event<'static> {
    match &ev {
        Event::Text(t) => match breaks::title_html(t, unspaced) {
            Some(html) => Event::InlineHtml(CowStr::from(html)),
            None => ev,
        },
        _ => ev,
    }
}

/// `<hN id…>text</hN>`. The `#` link beside a heading, for copying its address, is added by
/// `static/yanbao.js`: it serves the mouse only (hidden from screen readers and the keyboard,
/// which have the contents box), and written into the page it took 0.3 KB of every chapter.
fn heading_html(
    level: u8,
    id: &str,
    classes: &[String],
    attrs: &[(String, Option<String>)],
    inner: &str,
) -> String {
    let class_attr = if classes.is_empty() {
        String::new()
    } else {
        format!(" class=\"{}\"", escape(&classes.join(" ")))
    };
    let extra: String = attrs
        .iter()
        .map(|(k, v)| match v {
            Some(v) => format!(" {k}=\"{}\"", escape(v)),
            None => format!(" {k}"),
        })
        .collect();
    let id = escape(id);
    format!("<h{level} id=\"{id}\"{class_attr}{extra}>{inner}</h{level}>\n")
}

/// Nodes that need no more than the page's context, as events: references rendered, links
/// pointed at their output, raw HTML passed through.
fn inline_events(cx: &mut Cx, page: &Page, nodes: &[Node]) -> Vec<Event<'static>> {
    let mut out = Vec::with_capacity(nodes.len());
    for n in nodes {
        match n {
            Node::Event(e) => match &**e {
                Event::InlineHtml(h) => out.push(Event::Html(h.clone())),
                e => out.push(e.clone()),
            },
            Node::Text(_) | Node::Start(_) | Node::End(_) => out.extend(n.to_event()),
            Node::Ref(r) => out.push(Event::InlineHtml(CowStr::from(cx.inline(r, page)))),
            Node::Cite(items) => out.push(Event::InlineHtml(CowStr::from(cx.cite_mark(items)))),
            Node::Link(link) => {
                let href = link_href(cx, &link.target);
                out.push(Event::Start(relink(&link.tag, href)));
            }
            Node::HeadingStart(_) | Node::HeadingEnd | Node::Block(_) | Node::WrapEnd => {}
        }
    }
    out
}

/// The output address of a link, relative to the page.
fn link_href(cx: &Cx, target: &Target) -> String {
    let site = cx.site;
    let frag = |f: &Option<String>| f.as_ref().map(|f| format!("#{f}")).unwrap_or_default();
    match target {
        Target::AsWritten(s) => s.clone(),
        Target::Here(f) => format!("#{f}"),
        Target::Page { page, fragment } => format!(
            "{}{}",
            site.href(&cx.prefix, &site.pages[*page].dir),
            frag(fragment)
        ),
        Target::Root { path, fragment } => {
            format!("{}{}", site.asset_href(&cx.prefix, path), frag(fragment))
        }
    }
}

/// A link or image with its destination replaced; other tags unchanged.
fn relink(tag: &Tag<'static>, dest: String) -> Tag<'static> {
    match tag {
        Tag::Link {
            link_type,
            title,
            id,
            ..
        } => Tag::Link {
            link_type: *link_type,
            dest_url: CowStr::from(dest),
            title: title.clone(),
            id: id.clone(),
        },
        Tag::Image {
            link_type,
            title,
            id,
            ..
        } => Tag::Image {
            link_type: *link_type,
            dest_url: CowStr::from(dest),
            title: title.clone(),
            id: id.clone(),
        },
        other => other.clone(),
    }
}

/// What an event adds to the current search section's text.
fn section_text(sections: &mut [Section], ev: &Event) {
    match ev {
        Event::Text(t) | Event::Code(t) => push_text(sections, t),
        Event::InlineHtml(h) => push_text(sections, &strip_tags(h)),
        Event::SoftBreak
        | Event::HardBreak
        | Event::End(TagEnd::Paragraph)
        | Event::End(TagEnd::Item)
        | Event::End(TagEnd::TableCell) => push_text(sections, " "),
        _ => {}
    }
}

fn push_text(sections: &mut [Section], s: &str) {
    if let Some(last) = sections.last_mut() {
        last.text.push_str(s);
    }
}

/// Text content of inline events (HTML tags dropped).
fn plain_text(events: &[Event<'static>]) -> String {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::InlineHtml(h) => s.push_str(&strip_tags(h)),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    s
}

/// Removes tags from generated HTML and decodes the few entities we emit, for plain text.
/// The contents of `<svg>`, `<script>`, `<style>` and heading anchors (`<a class="anchor">`) are
/// dropped: they are not reading text.
pub fn strip_tags(html: &str) -> String {
    const SKIPPED: &[(&str, &str)] = &[
        ("<svg", "</svg>"),
        ("<script", "</script>"),
        ("<style", "</style>"),
        ("<a class=\"anchor\"", "</a>"),
        // Note marks (`…157亿元¹`, a citation's `²`) are not reading text: an excerpt would read
        // "157亿元 1".
        ("<sup class=\"note-ref", "</sup>"),
    ];
    let mut out = String::with_capacity(html.len());
    let mut skip: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < html.len() {
        let rest = &html[i..];
        if rest.starts_with('<') {
            // A note mark leaves nothing behind: "sales¹;" reads "sales;".
            let mark = rest.starts_with("<sup class=\"note-ref") || skip.last() == Some(&"</sup>");
            if let Some(close) = skip.last() {
                if rest.starts_with(close) {
                    skip.pop();
                }
            } else if let Some((_, close)) = SKIPPED.iter().find(|(open, _)| rest.starts_with(open))
            {
                skip.push(close);
            }
            let end = rest.find('>').map_or(html.len(), |e| i + e + 1);
            // A <wbr> (a word boundary in a CJK heading) is no space either.
            if !mark && !rest.starts_with("<wbr>") {
                out.push(' ');
            }
            i = end;
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        if skip.is_empty() {
            if c == '&' {
                let ents = [
                    ("&amp;", '&'),
                    ("&lt;", '<'),
                    ("&gt;", '>'),
                    ("&quot;", '"'),
                    ("&#39;", '\''),
                    ("&nbsp;", ' '),
                ];
                if let Some((ent, ch)) = ents.iter().find(|(e, _)| rest.starts_with(e)) {
                    out.push(*ch);
                    i += ent.len();
                    continue;
                }
            }
            out.push(c);
        }
        i += c.len_utf8();
    }
    collapse_spaces(&mut out);
    out
}

/// Each run of white space (as `char::is_whitespace` has it) as one space, and none at either
/// end, as `split_whitespace` joined by spaces would give. Most texts are that already (single
/// spaces between words, or none in Chinese): they are read, then copied whole, not word by
/// word.
fn collapse_spaces(s: &mut String) {
    // A section's text ends in the space its last paragraph's end left.
    let end = s.trim_end_matches(' ').len();
    let start = end - s[..end].trim_start_matches(' ').len();
    if is_collapsed(&s[start..end]) {
        // Copied, not cut in place: a section's text is kept until the search index is made,
        // and without the room it grew by (up to as much again, which the allocator keeps on
        // `shrink_to_fit`), a 5,000-chapter build's peak memory is 25 MB less.
        *s = s[start..end].to_owned();
    } else {
        *s = collapsed(s);
    }
}

/// The bytes that may begin a white space character: ASCII's, and the lead bytes of those
/// beyond it (U+0085, U+00A0: 0xC2; U+1680: 0xE1; U+2000–U+205F: 0xE2; U+3000: 0xE3). A scan
/// for these passes over Chinese text without decoding it.
const MAY_BEGIN_SPACE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = matches!(b as u8, b' ' | b'\t'..=b'\r' | 0xC2 | 0xE1 | 0xE2 | 0xE3);
        b += 1;
    }
    t
};

/// The next byte from `i` that may begin a white space character, or the end.
fn next_maybe_space(s: &str, i: usize) -> usize {
    let rest = &s.as_bytes()[i..];
    i + rest
        .iter()
        .position(|&b| MAY_BEGIN_SPACE[b as usize])
        .unwrap_or(rest.len())
}

/// The length of the white space character at byte `i`, or 0. Those beyond ASCII are told by
/// their bytes (most characters with these lead bytes are Chinese punctuation, not spaces):
/// U+0085 and U+00A0; U+1680; U+2000–U+200A, U+2028, U+2029, U+202F and U+205F; U+3000 (a
/// test goes through every character).
fn space_at(s: &str, i: usize) -> usize {
    let b = &s.as_bytes()[i.min(s.len())..];
    match *b {
        [b' ' | b'\t'..=b'\r', ..] => 1,
        [0xC2, 0x85 | 0xA0, ..] => 2,
        [0xE1, 0x9A, 0x80, ..]
        | [0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF, ..]
        | [0xE2, 0x81, 0x9F, ..]
        | [0xE3, 0x80, 0x80, ..] => 3,
        _ => 0,
    }
}

/// Whether the only white space is single spaces between other characters.
fn is_collapsed(s: &str) -> bool {
    let mut i = 0;
    loop {
        i = next_maybe_space(s, i);
        match space_at(s, i) {
            _ if i == s.len() => return true,
            0 => i += 1,
            // A space between two other characters (the one before was checked in its turn).
            1 if s.as_bytes()[i] == b' ' && i > 0 && i + 1 < s.len() && space_at(s, i + 1) == 0 => {
                i += 1
            }
            _ => return false,
        }
    }
}

/// [`collapse_spaces`] into a new string.
fn collapsed(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let start = i;
        loop {
            i = next_maybe_space(s, i);
            if i == s.len() || space_at(s, i) > 0 {
                break;
            }
            i += 1;
        }
        if i > start {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&s[start..i]);
        }
        while let n @ 1.. = space_at(s, i) {
            i += n;
        }
    }
    out
}

/// Markdown tables with their structure written here rather than by pulldown-cmark: in a
/// scrolling wrapper, column alignment as classes (pulldown-cmark writes `style` attributes, which
/// a strict Content-Security-Policy refuses), header cells as column headers. Events arrive
/// one at a time, so the table being written is state.
#[derive(Default)]
struct Tables {
    align: Vec<pulldown_cmark::Alignment>,
    in_head: bool,
    col: usize,
    body_open: bool,
}

impl Tables {
    fn map(&mut self, ev: Event<'static>) -> Event<'static> {
        use pulldown_cmark::Alignment;
        let html = |s: String| Event::Html(CowStr::from(s));
        match ev {
            Event::Start(Tag::Table(a)) => {
                *self = Tables {
                    align: a,
                    ..Tables::default()
                };
                html("<div class=\"table-wrap\" tabindex=\"0\" role=\"region\"><table>".into())
            }
            Event::End(TagEnd::Table) => {
                let tbody = if self.body_open { "</tbody>" } else { "" };
                html(format!("{tbody}</table></div>\n"))
            }
            Event::Start(Tag::TableHead) => {
                self.in_head = true;
                self.col = 0;
                html("<thead><tr>".into())
            }
            Event::End(TagEnd::TableHead) => {
                self.in_head = false;
                html("</tr></thead>".into())
            }
            Event::Start(Tag::TableRow) => {
                self.col = 0;
                let tbody = if self.body_open { "" } else { "<tbody>" };
                self.body_open = true;
                html(format!("{tbody}<tr>"))
            }
            Event::End(TagEnd::TableRow) => html("</tr>".into()),
            Event::Start(Tag::TableCell) => {
                let class = match self.align.get(self.col) {
                    Some(Alignment::Right) => " class=\"num\"",
                    Some(Alignment::Center) => " class=\"center\"",
                    _ => "",
                };
                if self.in_head {
                    html(format!("<th scope=\"col\"{class}>"))
                } else {
                    html(format!("<td{class}>"))
                }
            }
            Event::End(TagEnd::TableCell) => {
                self.col += 1;
                html(if self.in_head { "</th>" } else { "</td>" }.into())
            }
            ev => ev,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::random_text;

    #[test]
    fn strip_tags_drops_svg_and_decodes() {
        assert_eq!(
            strip_tags("<p>a &amp; b</p><svg><text>x</text></svg>c"),
            "a & b c"
        );
        // Heading anchors are dropped, and the text after them is kept.
        assert_eq!(
            strip_tags("<h2>T<a class=\"anchor\" href=\"#t\">#</a></h2><p>**x**</p>"),
            "T **x**"
        );
        assert_eq!(strip_tags("<h2>市场<wbr>规模</h2>"), "市场规模");
    }

    /// Random texts of white space (ASCII's and Unicode's), characters that are not, Chinese,
    /// Latin and emoji: the collapse gives what `split_whitespace` joined by spaces gives.
    #[test]
    fn white_space_collapses_as_split_whitespace_would() {
        const PIECES: &[&str] = &[
            " ", "\t", "\n", "\r", "\u{b}", "\u{c}", "\u{85}", "\u{a0}", "\u{1680}", "\u{2003}",
            "\u{2028}", "\u{202f}", "\u{205f}", "\u{3000}", "\u{200b}", "©", "ᚁ", "—", "、", "。",
            "模型", "a", "Zz", "😀", "\u{1f}",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for case in 0..5_000 {
            let text = random_text(&mut seed, PIECES, case % 30);
            let expected = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(is_collapsed(&text), text == expected, "{text:?}");
            let mut t = text.clone();
            collapse_spaces(&mut t);
            assert_eq!(t, expected, "{text:?}");
        }
    }

    /// Every white space character, of every Unicode version Rust knows, is one the collapse
    /// looks at: ASCII, or one beginning with a lead byte it decodes.
    #[test]
    fn every_white_space_character_is_seen() {
        for c in (0..=char::MAX as u32).filter_map(char::from_u32) {
            let mut text = format!("a{c}b");
            let expected = text.split_whitespace().collect::<Vec<_>>().join(" ");
            collapse_spaces(&mut text);
            assert_eq!(text, expected, "U+{:04X}", c as u32);
        }
    }
}
