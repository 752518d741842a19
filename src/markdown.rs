//! The pulldown-cmark pipeline. A chapter body is parsed once into owned events with byte ranges;
//! [`scan`] reads what other pages need (heading ids, blocks, links) and [`render`] transforms the
//! event stream (heading ids and anchors, `{{…}}` references, yanbao's fenced blocks, link
//! rewriting, scrollable tables) before handing it to `pulldown_cmark::html`.

use std::collections::BTreeSet;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Info strings of fenced blocks that yanbao renders itself.
pub const BLOCK_KINDS: &[&str] = &["chart", "table", "stats", "figure", "glossary"];

/// A parsed Markdown body. Ranges are byte offsets into the body.
#[derive(Debug, Clone)]
pub struct Doc {
    pub events: Vec<(Event<'static>, Range<usize>)>,
}

pub fn parse(body: &str, smart_punctuation: bool) -> Doc {
    let mut opts = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    if smart_punctuation {
        opts |= Options::ENABLE_SMART_PUNCTUATION;
    }
    let events = Parser::new_ext(body, opts)
        .into_offset_iter()
        .map(|(e, r)| (e.into_static(), r))
        .collect();
    Doc { events }
}

/// A heading with its resolved id.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadingInfo {
    pub level: u8,
    pub id: String,
    pub explicit: bool,
    /// The heading's source text (references unexpanded), for messages.
    pub raw: String,
    pub offset: usize,
}

/// A yanbao fenced block: its kind, YAML body and where the body starts.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockInfo {
    pub kind: String,
    pub body: String,
    /// Byte offset of the block's first body line (for error positions).
    pub body_offset: usize,
    /// Byte offset of the opening fence.
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LinkInfo {
    pub dest: String,
    pub offset: usize,
}

/// What other pages need to know about a page: anchors, numbered blocks, links.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    pub headings: Vec<HeadingInfo>,
    pub blocks: Vec<BlockInfo>,
    pub links: Vec<LinkInfo>,
    /// `{{…}}` references and their offsets.
    pub refs: Vec<(String, usize)>,
}

/// Walks the events once without rendering.
pub fn scan(doc: &Doc, body: &str) -> Scan {
    let mut out = Scan::default();
    let mut ids = IdAllocator::default();
    let mut i = 0;
    let events = &doc.events;
    let mut in_code = false;
    while i < events.len() {
        let (ev, range) = &events[i];
        match ev {
            Event::Start(Tag::CodeBlock(_)) if !matches!(ev, Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if is_block(info)) =>
            {
                in_code = true;
            }
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Text(_) if in_code => {}
            Event::Start(Tag::Heading { level, id, .. }) => {
                let end = find_end(events, i);
                let raw = plain_text(events[i + 1..end].iter().map(|(e, _)| e))
                    .trim()
                    .to_string();
                let explicit = id.is_some();
                let id = ids.heading(id.as_deref(), &raw);
                out.headings.push(HeadingInfo {
                    level: level_num(*level),
                    id,
                    explicit,
                    raw: raw.clone(),
                    offset: range.start,
                });
                collect_refs(&events[i + 1..end], &mut out.refs);
                i = end;
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if is_block(info) => {
                let end = find_end(events, i);
                let (text, body_offset) = block_body(&events[i + 1..end], range, body);
                out.blocks.push(BlockInfo {
                    kind: block_kind(info).to_string(),
                    body: text,
                    body_offset,
                    offset: range.start,
                });
                i = end;
            }
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                out.links.push(LinkInfo {
                    dest: dest_url.to_string(),
                    offset: range.start,
                });
            }
            Event::Text(_) => {
                let end = text_run_end(events, i);
                collect_refs(&events[i..end], &mut out.refs);
                i = end - 1;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// What the renderer asks of the site: references, blocks, links. Errors are (message, help).
pub trait Embedder {
    /// HTML for `{{spec}}` (spec without braces) at `offset`.
    fn reference(&mut self, spec: &str, offset: usize) -> Result<String, (String, String)>;
    /// HTML for a yanbao block; `index` counts blocks of the page from 0.
    fn block(&mut self, block: &BlockInfo, index: usize) -> Result<BlockHtml, (String, String)>;
    /// The output URL for a link destination written in Markdown.
    fn link(&mut self, dest: &str, offset: usize) -> String;
    /// Reports a problem at a body offset.
    fn problem(&mut self, offset: usize, message: String, help: String);
}

/// A block's HTML. With `wrap_next`, the block opens an element that encloses the next
/// top-level Markdown block (a table or list rebuilt from a lost figure) and `close` ends it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BlockHtml {
    pub html: String,
    pub close: Option<String>,
    /// Search sections of its own (a glossary's terms), each with its anchor.
    pub sections: Vec<Section>,
}

impl From<String> for BlockHtml {
    fn from(html: String) -> Self {
        BlockHtml {
            html,
            ..BlockHtml::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
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
}

#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub sections: Vec<Section>,
}

/// Renders a body to HTML through the adapters, asking `embed` for references, blocks and links.
pub fn render(doc: &Doc, body: &str, embed: &mut dyn Embedder) -> Rendered {
    let mut out: Vec<Event<'static>> = Vec::with_capacity(doc.events.len());
    let mut toc = Vec::new();
    let mut sections = vec![Section::default()];
    let mut ids = IdAllocator::default();
    let mut block_index = 0;
    let events = &doc.events;
    // Closers waiting for the next top-level block to end: (nesting depth seen so far, HTML).
    let mut pending_close: Vec<(usize, String)> = Vec::new();
    let mut depth_tracking = false;
    let mut depth = 0usize;
    let mut in_code = false;
    let mut i = 0;
    while i < events.len() {
        let (ev, range) = &events[i];
        match ev {
            // yanbao's own blocks are consumed whole below; only other code blocks count.
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code = !matches!(kind, CodeBlockKind::Fenced(info) if is_block(info));
            }
            Event::End(TagEnd::CodeBlock) => in_code = false,
            _ => {}
        }
        if depth_tracking {
            match ev {
                Event::Start(_) => depth += 1,
                Event::End(_) => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        match ev {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                // A heading ends any figure still waiting for its content.
                for (_, close) in pending_close.drain(..) {
                    out.push(Event::Html(CowStr::from(close)));
                }
                depth_tracking = false;
                depth = 0;
                let end = find_end(events, i);
                let raw = plain_text(events[i + 1..end].iter().map(|(e, _)| e))
                    .trim()
                    .to_string();
                let hid = ids.heading(id.as_deref(), &raw);
                let inner = expand_inline(&events[i + 1..end], embed);
                let mut inner_html = String::new();
                pulldown_cmark::html::push_html(&mut inner_html, inner.iter().cloned());
                let text = plain_text(&inner).trim().to_string();
                let n = level_num(*level);
                let mut class_attr = String::new();
                if !classes.is_empty() {
                    class_attr = format!(
                        " class=\"{}\"",
                        escape(
                            &classes
                                .iter()
                                .map(|c| c.as_ref())
                                .collect::<Vec<_>>()
                                .join(" ")
                        )
                    );
                }
                let extra: String = attrs
                    .iter()
                    .filter(|(k, _)| safe_attr(k))
                    .map(|(k, v)| match v {
                        Some(v) => format!(" {}=\"{}\"", k, escape(v)),
                        None => format!(" {k}"),
                    })
                    .collect();
                out.push(Event::Html(CowStr::from(format!(
                    "<h{n} id=\"{id}\"{class_attr}{extra}>{inner_html}<a class=\"anchor\" href=\"#{id}\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h{n}>\n",
                    id = escape(&hid)
                ))));
                toc.push(TocEntry {
                    level: n,
                    id: hid.clone(),
                    html: inner_html,
                    text: text.clone(),
                });
                sections.push(Section {
                    id: hid,
                    title: text,
                    text: String::new(),
                });
                i = end + 1;
                continue;
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if is_block(info) => {
                let end = find_end(events, i);
                let (text, body_offset) = block_body(&events[i + 1..end], range, body);
                let block = BlockInfo {
                    kind: block_kind(info).to_string(),
                    body: text,
                    body_offset,
                    offset: range.start,
                };
                match embed.block(&block, block_index) {
                    Ok(BlockHtml {
                        html,
                        close,
                        sections: own,
                    }) => {
                        if own.is_empty() {
                            if let Some(s) = sections.last_mut() {
                                push_text(&mut s.text, &strip_tags(&html));
                            }
                        } else {
                            // The block's own sections, then the surrounding one carries on.
                            let current = sections.last().map(|s| (s.id.clone(), s.title.clone()));
                            sections.extend(own);
                            if let Some((id, title)) = current {
                                sections.push(Section {
                                    id,
                                    title,
                                    text: String::new(),
                                });
                            }
                        }
                        out.push(Event::Html(CowStr::from(html)));
                        if let Some(close) = close {
                            pending_close.push((0usize, close));
                            depth_tracking = true;
                        }
                    }
                    Err((msg, help)) => embed.problem(block.body_offset, msg, help),
                }
                block_index += 1;
                i = end + 1;
                continue;
            }
            Event::Start(Tag::Table(_)) => {
                out.push(Event::Html(CowStr::from(
                    "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\">".to_string(),
                )));
                out.push(ev.clone());
            }
            Event::End(TagEnd::Table) => {
                out.push(ev.clone());
                out.push(Event::Html(CowStr::from("</div>\n".to_string())));
            }
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                out.push(Event::Start(relink(tag, |dest| {
                    embed.link(dest, range.start)
                })));
            }
            Event::Text(t) if in_code => {
                if let Some(s) = sections.last_mut() {
                    push_text(&mut s.text, t);
                }
                out.push(ev.clone());
            }
            Event::Text(_) => {
                let end = text_run_end(events, i);
                let expanded = expand_inline(&events[i..end], embed);
                if let Some(s) = sections.last_mut() {
                    push_text(&mut s.text, &plain_text(&expanded));
                }
                out.extend(expanded);
                i = end;
                continue;
            }
            Event::Code(c) => {
                if let Some(s) = sections.last_mut() {
                    push_text(&mut s.text, c);
                }
                out.push(ev.clone());
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                // Raw HTML written by the editor passes through, as CommonMark says.
                out.push(Event::Html(h.clone()));
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(s) = sections.last_mut() {
                    push_text(&mut s.text, " ");
                }
                out.push(ev.clone());
            }
            Event::End(TagEnd::Paragraph)
            | Event::End(TagEnd::Item)
            | Event::End(TagEnd::TableCell) => {
                if let Some(s) = sections.last_mut() {
                    push_text(&mut s.text, " ");
                }
                out.push(ev.clone());
            }
            _ => out.push(ev.clone()),
        }
        if depth_tracking && depth == 0 && matches!(ev, Event::End(_)) {
            for (_, close) in pending_close.drain(..) {
                out.push(Event::Html(CowStr::from(close)));
            }
            depth_tracking = false;
        }
        i += 1;
    }
    for (_, close) in pending_close.drain(..) {
        out.push(Event::Html(CowStr::from(close)));
    }
    let mut html = String::with_capacity(body.len() * 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    for s in &mut sections {
        s.text = s.text.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    sections.retain(|s| !s.id.is_empty() || !s.text.is_empty());
    Rendered {
        html,
        toc,
        sections,
    }
}

fn push_text(buf: &mut String, s: &str) {
    buf.push_str(s);
}

/// Expands `{{…}}` references inside a run of inline events. Adjacent text events are merged
/// first because pulldown-cmark splits text at characters that might start markup.
fn expand_inline(
    events: &[(Event<'static>, Range<usize>)],
    embed: &mut dyn Embedder,
) -> Vec<Event<'static>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Text(_) = &events[i].0 {
            let end = text_run_end(events, i);
            let start_offset = events[i].1.start;
            let mut merged = String::new();
            let mut offsets = Vec::new();
            for (e, r) in &events[i..end] {
                if let Event::Text(t) = e {
                    offsets.push((merged.len(), r.start));
                    merged.push_str(t);
                }
            }
            let map_offset = |pos: usize| -> usize {
                offsets
                    .iter()
                    .rev()
                    .find(|(m, _)| *m <= pos)
                    .map_or(start_offset, |(m, s)| s + (pos - m))
            };
            for piece in split_refs(&merged) {
                match piece {
                    Piece::Text(t) => out.push(Event::Text(CowStr::from(t.to_string()))),
                    Piece::Ref { spec, raw, at } => {
                        let offset = map_offset(at);
                        match embed.reference(spec, offset) {
                            Ok(html) => out.push(Event::InlineHtml(CowStr::from(html))),
                            Err((msg, help)) => {
                                embed.problem(offset, msg, help);
                                out.push(Event::Text(CowStr::from(raw.to_string())));
                            }
                        }
                    }
                }
            }
            i = end;
        } else {
            out.push(events[i].0.clone());
            i += 1;
        }
    }
    out
}

fn collect_refs(events: &[(Event<'static>, Range<usize>)], out: &mut Vec<(String, usize)>) {
    let mut merged = String::new();
    let mut start = None;
    for (e, r) in events {
        if let Event::Text(t) = e {
            start.get_or_insert(r.start);
            merged.push_str(t);
        }
    }
    for piece in split_refs(&merged) {
        if let Piece::Ref { spec, at, .. } = piece {
            out.push((spec.to_string(), start.unwrap_or(0) + at));
        }
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
}

/// Splits `text` at its `{{…}}` references; a `{{` that is never closed stays text. The one
/// scanner for references: in Markdown, in data texts and in notes.
pub fn split_refs(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(open) = text[pos..].find("{{").map(|o| pos + o) {
        let Some(close) = text[open + 2..].find("}}").map(|c| open + 2 + c) else {
            break;
        };
        if open > pos {
            out.push(Piece::Text(&text[pos..open]));
        }
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

/// A link or image with its destination rewritten; other tags unchanged.
fn relink(tag: &Tag<'static>, mut rewrite: impl FnMut(&str) -> String) -> Tag<'static> {
    match tag {
        Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        } => Tag::Link {
            link_type: *link_type,
            dest_url: CowStr::from(rewrite(dest_url)),
            title: title.clone(),
            id: id.clone(),
        },
        Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        } => Tag::Image {
            link_type: *link_type,
            dest_url: CowStr::from(rewrite(dest_url)),
            title: title.clone(),
            id: id.clone(),
        },
        other => other.clone(),
    }
}

/// Index one past the last of consecutive `Text` events starting at `i`.
fn text_run_end(events: &[(Event<'static>, Range<usize>)], i: usize) -> usize {
    let mut end = i;
    while end < events.len() && matches!(events[end].0, Event::Text(_)) {
        end += 1;
    }
    end
}

/// Index of the `End` matching the `Start` at `i`.
fn find_end(events: &[(Event<'static>, Range<usize>)], i: usize) -> usize {
    let mut depth = 0usize;
    for (j, (e, _)) in events.iter().enumerate().skip(i) {
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    events.len() - 1
}

fn is_block(info: &str) -> bool {
    BLOCK_KINDS.contains(&block_kind(info))
}

fn block_kind(info: &str) -> &str {
    info.split_whitespace().next().unwrap_or("")
}

/// The block's text and the byte offset where it starts in the body.
fn block_body(
    inner: &[(Event<'static>, Range<usize>)],
    fence: &Range<usize>,
    body: &str,
) -> (String, usize) {
    let mut text = String::new();
    let mut start = None;
    for (e, r) in inner {
        if let Event::Text(t) = e {
            start.get_or_insert(r.start);
            text.push_str(t);
        }
    }
    let start = start.unwrap_or_else(|| {
        // Empty block: point at the line after the fence.
        body[fence.start..fence.end]
            .find('\n')
            .map_or(fence.start, |i| fence.start + i + 1)
    });
    (text, start)
}

fn level_num(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Text content of inline events (HTML tags dropped).
fn plain_text<'e>(events: impl IntoIterator<Item = &'e Event<'static>>) -> String {
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
    ];
    let mut out = String::with_capacity(html.len());
    let mut skip: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < html.len() {
        let rest = &html[i..];
        if rest.starts_with('<') {
            if let Some(close) = skip.last() {
                if rest.starts_with(close) {
                    skip.pop();
                }
            } else if let Some((_, close)) = SKIPPED.iter().find(|(open, _)| rest.starts_with(open))
            {
                skip.push(close);
            }
            let end = rest.find('>').map_or(html.len(), |e| i + e + 1);
            out.push(' ');
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
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// HTML escaping for text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn safe_attr(name: &str) -> bool {
    !name.is_empty()
        && !name.to_ascii_lowercase().starts_with("on")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Assigns heading ids: explicit `{#id}` wins; otherwise a slug of the ASCII words, else
/// `section-N`; duplicates get `-2`, `-3`.
#[derive(Default)]
struct IdAllocator {
    used: BTreeSet<String>,
    auto: usize,
}

impl IdAllocator {
    fn heading(&mut self, explicit: Option<&str>, text: &str) -> String {
        let base = match explicit {
            Some(id) => id.to_string(),
            None => {
                self.auto += 1;
                let s = slugify(&crate::blocks::expand_refs(text, |_| Some(String::new())));
                if s.is_empty() {
                    format!("section-{}", self.auto)
                } else {
                    s
                }
            }
        };
        let mut id = base.clone();
        let mut n = 2;
        while !self.used.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }
}

/// Lowercase ASCII words joined by `-`; other characters dropped.
pub fn slugify(text: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
            dash = false;
        } else {
            dash = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake {
        problems: Vec<(usize, String)>,
    }

    impl Embedder for Fake {
        fn reference(&mut self, spec: &str, _: usize) -> Result<String, (String, String)> {
            match spec {
                "x.y" => Ok("<data value=\"1\">1亿元</data>".into()),
                _ => Err((format!("bad {spec}"), String::new())),
            }
        }
        fn block(&mut self, b: &BlockInfo, index: usize) -> Result<BlockHtml, (String, String)> {
            let html = format!(
                "<div class=\"{}\" data-i=\"{index}\">{}</div>",
                b.kind,
                escape(b.body.trim())
            );
            if b.kind == "figure" {
                return Ok(BlockHtml {
                    html: "<figure>".into(),
                    close: Some("</figure>".into()),
                    ..BlockHtml::default()
                });
            }
            Ok(html.into())
        }
        fn link(&mut self, dest: &str, _: usize) -> String {
            dest.replace(".md", "/index.html")
        }
        fn problem(&mut self, offset: usize, message: String, _: String) {
            self.problems.push((offset, message));
        }
    }

    fn go(md: &str) -> (Rendered, Vec<(usize, String)>) {
        let doc = parse(md, false);
        let mut f = Fake { problems: vec![] };
        let r = render(&doc, md, &mut f);
        (r, f.problems)
    }

    #[test]
    fn headings_get_ids_anchor_and_toc() {
        let (r, _) =
            go("## 定义及分类 {#definition}\n\n### Market Size\n\n### 市场\n\n### Market Size\n");
        assert!(r.html.starts_with(
            "<h2 id=\"definition\">定义及分类<a class=\"anchor\" href=\"#definition\""
        ));
        let ids: Vec<_> = r.toc.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(
            ids,
            ["definition", "market-size", "section-2", "market-size-2"]
        );
    }

    #[test]
    fn references_expand_in_text_and_headings_with_offsets() {
        let md = "## 规模{{x.y}}\n\n已超过{{x.y}}个，{{bad}}。\n";
        let (r, problems) = go(md);
        assert!(
            r.html
                .contains("<h2 id=\"section-1\">规模<data value=\"1\">1亿元</data>"),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains("<p>已超过<data value=\"1\">1亿元</data>个，{{bad}}。</p>"),
            "{}",
            r.html
        );
        assert_eq!(r.toc[0].text, "规模1亿元");
        assert_eq!(
            problems,
            vec![(md.find("{{bad}}").unwrap(), "bad bad".to_string())]
        );
    }

    #[test]
    fn references_survive_emphasis_splits() {
        let (r, p) = go("a *b* {{x.y}} [c]{{x.y}}\n");
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(r.html.matches("1亿元").count(), 2);
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
                Text("b {{open"),
            ]
        );
        assert_eq!(split_refs(""), []);
        assert_eq!(split_refs("}}{{"), [Text("}}{{")]);
    }

    #[test]
    fn references_after_a_block_still_expand() {
        let (r, p) = go("```chart\nid: a\n```\n\ntext **{{x.y}}** and {{x.y}}\n");
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(r.html.matches("1亿元").count(), 2, "{}", r.html);
        let s = scan(&parse("```chart\nid: a\n```\n\n{{x.y}}\n", false), "");
        assert_eq!(s.refs.len(), 1);
    }

    #[test]
    fn code_is_left_alone() {
        let (r, p) = go("`{{not.a.ref}}`\n\n```rust\n{{x}}\n```\n");
        assert!(p.is_empty());
        assert!(r.html.contains("<code>{{not.a.ref}}</code>"));
    }

    #[test]
    fn blocks_are_rendered_by_the_embedder_in_order() {
        let md = "```chart\nid: a\n```\n\n```table\ndata: b\n```\n";
        let (r, _) = go(md);
        assert!(
            r.html
                .contains("<div class=\"chart\" data-i=\"0\">id: a</div>")
        );
        assert!(
            r.html
                .contains("<div class=\"table\" data-i=\"1\">data: b</div>")
        );
        let s = scan(&parse(md, false), md);
        assert_eq!(s.blocks.len(), 2);
        assert_eq!(
            &md[s.blocks[0].body_offset..s.blocks[0].body_offset + 5],
            "id: a"
        );
    }

    #[test]
    fn rebuilt_figure_encloses_the_next_block() {
        let md = "```figure\ntitle: x\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nafter\n";
        let (r, _) = go(md);
        let fig = r.html.find("<figure>").unwrap();
        let table_end = r.html.find("</table>").unwrap();
        let close = r.html.find("</figure>").unwrap();
        let after = r.html.find("<p>after").unwrap();
        assert!(
            fig < table_end && table_end < close && close < after,
            "{}",
            r.html
        );
        // With nothing after it, the figure is still closed.
        let (r, _) = go("```figure\ntitle: x\n```\n");
        assert!(r.html.contains("</figure>"));
    }

    #[test]
    fn links_are_rewritten_and_tables_wrapped() {
        let (r, _) = go("[see](status.md#x)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(r.html.contains("<a href=\"status/index.html#x\">see</a>"));
        assert!(
            r.html
                .contains("<div class=\"table-wrap\" tabindex=\"0\" role=\"region\"><table>")
        );
    }

    #[test]
    fn sections_collect_text_for_search() {
        let (r, _) = go("intro\n\n## A {#a}\n\none **two**\n\n- three\n");
        assert_eq!(r.sections[0].text, "intro");
        assert_eq!(r.sections[1].id, "a");
        assert_eq!(r.sections[1].text, "one two three");
    }

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
    }

    #[test]
    fn event_handlers_are_not_passed_through_heading_attributes() {
        let (r, _) = go("## T {#t onclick=alert(1) data-x=1}\n");
        assert!(!r.html.contains("onclick"));
        assert!(r.html.contains("data-x=\"1\""));
    }
}
