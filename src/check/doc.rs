//! A page body's Markdown events, read twice: [`outline`] finds what other pages need before
//! anything is resolved (heading ids, yanbao's blocks), [`resolve`] turns the events into the
//! checked body, asking a [`Resolver`] for references, links and blocks.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Tag, TagEnd};

use crate::model::doc::{Body, Cited, HeadingStart, LinkStart, Node, Target};
use crate::model::text::{Piece, Ref, find_pair, split_refs};

/// Info strings of fenced blocks that yanbao renders itself.
pub const BLOCK_KINDS: &[&str] = &["chart", "table", "stats", "figure", "glossary"];

/// A body's Markdown events with their byte ranges: borrowed from the body where nothing keeps
/// them (the outline), owned where the resolved body keeps their text.
type Events<'a> = [(Event<'a>, Range<usize>)];

/// A heading with its id.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadingInfo {
    pub level: u8,
    pub id: String,
    pub explicit: bool,
    /// The heading's source text (references unexpanded).
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
}

/// What other pages need to know about a page before it is resolved.
#[derive(Debug, Clone, Default)]
pub struct Outline {
    pub headings: Vec<HeadingInfo>,
    pub blocks: Vec<BlockInfo>,
    /// Explicit heading ids written twice: (id, offset of the second).
    pub duplicate_ids: Vec<(String, usize)>,
}

/// Walks the events once: heading ids and blocks.
pub fn outline(events: &Events<'_>, body: &str) -> Outline {
    let mut out = Outline::default();
    let mut ids = IdAllocator::default();
    let mut i = 0;
    while i < events.len() {
        let (ev, range) = &events[i];
        match ev {
            Event::Start(Tag::Heading { level, id, .. }) => {
                let end = find_end(events, i);
                let raw = plain_text(events[i + 1..end].iter().map(|(e, _)| e))
                    .trim()
                    .to_string();
                let explicit = id.is_some();
                if let Some(id) = id
                    && !ids.is_free(id)
                    && ids.explicit.contains(id.as_ref())
                {
                    out.duplicate_ids.push((id.to_string(), range.start));
                }
                let id = ids.heading(id.as_deref(), &raw);
                out.headings.push(HeadingInfo {
                    level: level_num(*level),
                    id,
                    explicit,
                    raw,
                    offset: range.start,
                });
                i = end;
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if is_block(info) => {
                let end = find_end(events, i);
                let (text, body_offset) = block_body(&events[i + 1..end], range, body);
                out.blocks.push(BlockInfo {
                    kind: block_kind(info).to_string(),
                    body: text,
                    body_offset,
                });
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// What resolving a body asks of the site. Each method reports its own problems.
pub trait Resolver {
    /// `{{spec}}` (without braces) at a body offset; None when it does not resolve.
    fn reference(&mut self, spec: &str, offset: usize) -> Option<Ref>;
    /// A `{{` never closed, at a body offset.
    fn unclosed(&mut self, offset: usize);
    /// Where a link written in Markdown goes.
    fn link(&mut self, dest: &str, offset: usize) -> Target;
    /// Block `index` of the page: None when it is invalid (reported), else its position among
    /// the page's resolved blocks and whether it encloses the next Markdown block (a figure
    /// rebuilt from the text).
    fn block(&mut self, index: usize) -> Option<(usize, bool)>;
    /// Asterisks left as text at a body offset: CommonMark did not close the emphasis.
    fn stray_emphasis(&mut self, offset: usize);
    /// Raw HTML at a body offset, under the site's policy: what to publish instead (None: as
    /// written).
    fn raw_html(&mut self, html: &str, offset: usize) -> Option<String>;
    /// A citation `[@…]` (its items, key offsets in the body); None when a key is unknown
    /// (reported).
    fn cite(&mut self, items: &[(String, Option<String>, usize)]) -> Option<Vec<Cited>>;
    /// A citation the page cannot show: malformed, or in a heading or a link's text
    /// (`place`), at a body offset.
    fn bad_cite(&mut self, raw: &str, offset: usize, place: CitePlace);
}

/// Why a `[@…]` is not shown as a citation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CitePlace {
    /// It is not `[@key]`, `[@a; @b]` or `[@key, locator]`.
    Malformed,
    Heading,
    Link,
}

/// The checked body: headings with their ids, references, links and blocks resolved.
pub fn resolve(
    events: &Events<'static>,
    body: &str,
    outline: &Outline,
    r: &mut dyn Resolver,
) -> Body {
    let mut w = Walk {
        nodes: Vec::with_capacity(events.len()),
        pending_close: 0,
        depth: 0,
        warned_emphasis: false,
        links: 0,
        in_heading: false,
    };
    let mut heading = 0;
    let mut block = 0;
    let mut in_code = false;
    let mut i = 0;
    while i < events.len() {
        let (ev, range) = &events[i];
        match ev {
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code = !matches!(kind, CodeBlockKind::Fenced(info) if is_block(info));
            }
            Event::End(TagEnd::CodeBlock) => in_code = false,
            _ => {}
        }
        if w.pending_close > 0 {
            match ev {
                Event::Start(_) => w.depth += 1,
                Event::End(_) => w.depth = w.depth.saturating_sub(1),
                _ => {}
            }
        }
        match ev {
            Event::Start(Tag::Heading { classes, attrs, .. }) => {
                // A heading ends any figure still waiting for its content.
                w.close_all();
                let end = find_end(events, i);
                let info = outline.headings.get(heading).cloned();
                heading += 1;
                w.nodes.push(Node::HeadingStart(Box::new(HeadingStart {
                    level: info.as_ref().map_or(2, |h| h.level),
                    id: info.map(|h| h.id).unwrap_or_default(),
                    classes: classes.iter().map(|c| c.to_string()).collect(),
                    attrs: attrs
                        .iter()
                        .filter(|(k, _)| safe_attr(k))
                        .map(|(k, v)| (k.to_string(), v.as_ref().map(|v| v.to_string())))
                        .collect(),
                })));
                w.in_heading = true;
                w.inline(&events[i + 1..end], body, r);
                w.in_heading = false;
                w.nodes.push(Node::HeadingEnd);
                i = end + 1;
                continue;
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if is_block(info) => {
                let end = find_end(events, i);
                if let Some((slot, wraps)) = r.block(block) {
                    w.nodes.push(Node::Block(slot));
                    if wraps {
                        w.pending_close += 1;
                        w.depth = 0;
                    }
                }
                block += 1;
                i = end + 1;
                continue;
            }
            Event::Start(tag @ (Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. })) => {
                let target = r.link(dest_url, range.start);
                w.links += 1;
                w.nodes.push(Node::Link(Box::new(LinkStart {
                    tag: tag.clone(),
                    target,
                })));
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                w.links = w.links.saturating_sub(1);
                w.nodes.push(Node::event(ev.clone()));
            }
            Event::Text(_) if !in_code => {
                let end = text_run_end(events, i);
                w.inline(&events[i..end], body, r);
                i = end;
                continue;
            }
            Event::Html(h) | Event::InlineHtml(h) if !in_code => {
                let ev = match r.raw_html(h, range.start) {
                    Some(clean) if matches!(ev, Event::Html(_)) => Event::Html(clean.into()),
                    Some(clean) => Event::InlineHtml(clean.into()),
                    None => ev.clone(),
                };
                w.nodes.push(Node::event(ev));
            }
            _ => w.nodes.push(Node::event(ev.clone())),
        }
        if w.pending_close > 0 && w.depth == 0 && matches!(ev, Event::End(_)) {
            w.close_all();
        }
        i += 1;
    }
    w.close_all();
    Body { nodes: w.nodes }
}

struct Walk {
    nodes: Vec<Node>,
    /// Figures waiting for the next top-level block to end, and the nesting depth seen since.
    pending_close: usize,
    depth: usize,
    warned_emphasis: bool,
    /// Links (and images) open around the current text: a citation there would nest links.
    links: usize,
    in_heading: bool,
}

impl Walk {
    fn close_all(&mut self) {
        for _ in 0..self.pending_close {
            self.nodes.push(Node::WrapEnd);
        }
        self.pending_close = 0;
        self.depth = 0;
    }

    /// Inline events with their references resolved. Adjacent text events are merged first
    /// because pulldown-cmark splits text at characters that might start markup.
    fn inline(&mut self, events: &Events<'static>, body: &str, r: &mut dyn Resolver) {
        let mut i = 0;
        while i < events.len() {
            let Event::Text(_) = &events[i].0 else {
                match &events[i].0 {
                    Event::Start(
                        tag @ (Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }),
                    ) => {
                        let target = r.link(dest_url, events[i].1.start);
                        self.links += 1;
                        self.nodes.push(Node::Link(Box::new(LinkStart {
                            tag: tag.clone(),
                            target,
                        })));
                    }
                    ev @ Event::End(TagEnd::Link | TagEnd::Image) => {
                        self.links = self.links.saturating_sub(1);
                        self.nodes.push(Node::event(ev.clone()));
                    }
                    Event::InlineHtml(h) => {
                        let h = r
                            .raw_html(h, events[i].1.start)
                            .unwrap_or_else(|| h.to_string());
                        self.nodes.push(Node::event(Event::InlineHtml(h.into())));
                    }
                    ev => self.nodes.push(Node::event(ev.clone())),
                }
                i += 1;
                continue;
            };
            let end = text_run_end(events, i);
            let (merged, offsets) = merge_text(&events[i..end]);
            let start = events[i].1.start;
            let map = |pos: usize| -> usize {
                offsets
                    .iter()
                    .rev()
                    .find(|(m, _)| *m <= pos)
                    .map_or(start, |(m, s)| s + (pos - m))
            };
            if !self.warned_emphasis
                && let Some(at) = stray_asterisks(&merged, body, map(0))
            {
                self.warned_emphasis = true;
                r.stray_emphasis(at);
            }
            for piece in split_refs(&merged) {
                match piece {
                    Piece::Text(t) => {
                        let from = t.as_ptr() as usize - merged.as_ptr() as usize;
                        self.cited_text(t, from, body, &map, r);
                    }
                    Piece::Ref { spec, raw, at } => match r.reference(spec, map(at)) {
                        Some(reference) => self.nodes.push(Node::Ref(Box::new(reference))),
                        None => self.text(raw),
                    },
                    Piece::Unclosed { raw, at } => {
                        r.unclosed(map(at));
                        self.text(raw);
                    }
                }
            }
            i = end;
        }
    }

    /// Text with its citations resolved; `from` is its position in the merged run, `map`
    /// turns such positions into body offsets. `\[@key]` and `[\@key]` stay text.
    fn cited_text(
        &mut self,
        t: &str,
        from: usize,
        body: &str,
        map: &dyn Fn(usize) -> usize,
        r: &mut dyn Resolver,
    ) {
        let escaped = |pos: usize| body.as_bytes().get(map(from + pos)) == Some(&b'\\');
        for piece in crate::check::cite::split(t) {
            match piece {
                crate::check::cite::Piece::Text(x) => self.text(x),
                crate::check::cite::Piece::Cite { raw, at, .. }
                | crate::check::cite::Piece::Malformed { raw, at }
                    if escaped(at) || escaped(at + 1) =>
                {
                    self.text(raw)
                }
                crate::check::cite::Piece::Malformed { raw, at } => {
                    r.bad_cite(raw, map(from + at), CitePlace::Malformed);
                    self.text(raw);
                }
                crate::check::cite::Piece::Cite { raw, at, .. }
                    if self.in_heading || self.links > 0 =>
                {
                    let place = if self.in_heading {
                        CitePlace::Heading
                    } else {
                        CitePlace::Link
                    };
                    r.bad_cite(raw, map(from + at), place);
                    self.text(raw);
                }
                crate::check::cite::Piece::Cite { items, raw, .. } => {
                    let items: Vec<(String, Option<String>, usize)> = items
                        .iter()
                        .map(|i| {
                            (
                                i.key.to_string(),
                                i.locator.map(String::from),
                                map(from + i.at),
                            )
                        })
                        .collect();
                    match r.cite(&items) {
                        Some(cited) => {
                            // A note mark sits on the word before it: `sales [@a].` reads
                            // "sales¹." (as Pandoc does for note styles).
                            if let Some(Node::Text(t)) = self.nodes.last_mut() {
                                let kept = t.trim_end().len();
                                if kept < t.len() {
                                    *t = t[..kept].into();
                                }
                            }
                            self.nodes.push(Node::Cite(cited.into_boxed_slice()));
                        }
                        None => self.text(raw),
                    }
                }
            }
        }
    }

    fn text(&mut self, t: &str) {
        self.nodes.push(Node::Text(t.into()));
    }
}

/// The text of consecutive text events, and for each the (position in the merged text, byte
/// offset in the body) where it starts.
fn merge_text(events: &Events<'_>) -> (String, Vec<(usize, usize)>) {
    let mut merged = String::new();
    let mut offsets = Vec::with_capacity(events.len());
    for (e, r) in events {
        if let Event::Text(t) = e {
            offsets.push((merged.len(), r.start));
            merged.push_str(t);
        }
    }
    (merged, offsets)
}

/// `**` left in text means emphasis CommonMark did not close (usually full-width punctuation
/// right before the closing `**` with a character after it: `**定义：**正文`). Returns the body
/// offset of the first `**` from `from`.
fn stray_asterisks(text: &str, body: &str, from: usize) -> Option<usize> {
    find_pair(text.as_bytes(), b"**")?;
    let rest = body.get(from..)?;
    find_pair(rest.as_bytes(), b"**")
        .map(|i| from + i)
        .or(Some(from))
}

/// Index one past the last of consecutive `Text` events starting at `i`.
fn text_run_end(events: &Events<'_>, i: usize) -> usize {
    let mut end = i;
    while end < events.len() && matches!(events[end].0, Event::Text(_)) {
        end += 1;
    }
    end
}

/// Index of the `End` matching the `Start` at `i`.
fn find_end(events: &Events<'_>, i: usize) -> usize {
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
fn block_body(inner: &Events<'_>, fence: &Range<usize>, body: &str) -> (String, usize) {
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

pub fn level_num(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Text content of inline events (inline HTML kept as written).
fn plain_text<'e, 'a: 'e>(events: impl IntoIterator<Item = &'e Event<'a>>) -> String {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    s
}

/// Attribute names an editor may give a heading: no event handlers.
fn safe_attr(name: &str) -> bool {
    !name.is_empty()
        && !name.to_ascii_lowercase().starts_with("on")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Assigns heading ids: explicit `{#id}` wins; otherwise the heading's own words, in any script
/// (`## 市场规模` → `市场规模`, `## Market size` → `market-size`), so an id does not move when
/// another heading is added. Duplicates get `-2`, `-3` (in constant time per heading).
#[derive(Default)]
struct IdAllocator {
    used: HashSet<String>,
    explicit: HashSet<String>,
    next: HashMap<String, usize>,
}

impl IdAllocator {
    fn is_free(&self, id: &str) -> bool {
        !self.used.contains(id)
    }

    fn heading(&mut self, explicit: Option<&str>, text: &str) -> String {
        let base = match explicit {
            Some(id) => {
                self.explicit.insert(id.to_string());
                id.to_string()
            }
            None => {
                // A reference reads as its name (`{{sales.2024}}` → `sales-2024`).
                let words: String = split_refs(text)
                    .into_iter()
                    .map(|p| match p {
                        Piece::Text(t) => t,
                        Piece::Ref { spec, .. } => spec,
                        Piece::Unclosed { raw, .. } => raw,
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
                let s = slugify(&words);
                if s.is_empty() {
                    "section".to_string()
                } else {
                    s
                }
            }
        };
        if self.used.insert(base.clone()) {
            return base;
        }
        let n = self.next.entry(base.clone()).or_insert(2);
        loop {
            let id = format!("{base}-{n}");
            *n += 1;
            if self.used.insert(id.clone()) {
                return id;
            }
        }
    }
}

/// Words of any script, lowercased, joined by `-`; punctuation and symbols dropped. The result
/// is a valid heading id (letters of any script, digits and `-`).
pub fn slugify(text: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            out.extend(c.to_lowercase());
            dash = false;
        } else {
            dash = true;
        }
    }
    // Ids are capped at 200 bytes; a long heading keeps its first words.
    if out.len() > 120 {
        let mut cut = 120;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out = out.trim_end_matches('-').to_string();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::content::parse_markdown;

    #[test]
    fn headings_get_ids() {
        let md = "## 定义及分类 {#definition}\n\n### Market Size\n\n### 市场\n\n### Market Size\n";
        let o = outline(&parse_markdown(md, false), md);
        let ids: Vec<_> = o.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["definition", "market-size", "市场", "market-size-2"]);
    }

    #[test]
    fn generated_ids_keep_every_script_and_do_not_move() {
        let md = "## 2.1 市场规模\n\n## Über uns\n\n## 東京 · 大阪\n\n## {{sales.2024}}年销量\n\n## ？！\n\n## ——\n";
        let o = outline(&parse_markdown(md, false), md);
        let ids: Vec<_> = o.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "2-1-市场规模",
                "über-uns",
                "東京-大阪",
                "sales-2024-年销量",
                "section",
                "section-2"
            ]
        );
        for id in &ids {
            assert!(crate::check::ids::IdKind::Anchor.accepts(id), "{id}");
        }
        // A heading added above does not rename the ones below.
        let md2 = format!("## 新增一节\n\n{md}");
        let o2 = outline(&parse_markdown(&md2, false), &md2);
        assert_eq!(o2.headings[1].id, "2-1-市场规模");
        let long = format!("## {}\n", "很长的标题".repeat(40));
        let o = outline(&parse_markdown(&long, false), &long);
        assert!(o.headings[0].id.len() <= 120);
    }

    #[test]
    fn many_identical_headings_stay_fast_and_unique() {
        let md = "## Same\n\n".repeat(10_000);
        let o = outline(&parse_markdown(&md, false), &md);
        let ids: HashSet<_> = o.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids.len(), 10_000);
        assert_eq!(o.headings[9_999].id, "same-10000");
    }

    #[test]
    fn duplicate_explicit_ids_are_found() {
        let md = "## A {#x}\n\n## B {#x}\n";
        let o = outline(&parse_markdown(md, false), md);
        assert_eq!(o.duplicate_ids, [("x".to_string(), 11)]);
    }

    #[test]
    fn blocks_are_found_with_their_offsets() {
        let md = "```chart\nid: a\n```\n\n```table\ndata: b\n```\n\n```rust\nx\n```\n";
        let o = outline(&parse_markdown(md, false), md);
        assert_eq!(o.blocks.len(), 2);
        assert_eq!(
            &md[o.blocks[0].body_offset..o.blocks[0].body_offset + 5],
            "id: a"
        );
        assert_eq!(o.blocks[1].kind, "table");
    }
}
