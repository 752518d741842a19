//! A page's body as the checked site holds it: pulldown-cmark events with yanbao's parts
//! resolved in place: heading ids, references, link targets, blocks. Rendering turns it into HTML
//! without looking anything up that could fail.

use pulldown_cmark::{BlockQuoteKind, CowStr, Event, Tag, TagEnd};

use crate::model::text::Rich;

#[derive(Debug, Clone, Default)]
pub struct Body {
    pub nodes: Vec<Node>,
}

/// One part of a body. A large site holds every page's nodes at once (two million at 5,000
/// chapters a language), so a node takes 24 bytes: text, and the tags that open and close
/// paragraphs, items and emphasis, most of a body, have small forms of their own; every other
/// Markdown event and the rare large parts are boxed. As Markdown events they took 80 bytes.
#[derive(Debug, Clone)]
pub enum Node {
    /// A Markdown text event.
    Text(Box<str>),
    /// A Markdown tag that holds nothing but its kind opens.
    Start(Open),
    /// A Markdown tag closes.
    End(TagEnd),
    /// Any other Markdown event that needs nothing from the site (code, HTML, breaks, tags
    /// with data: tables, code blocks, footnotes).
    Event(Box<Event<'static>>),
    /// Opens a heading; the inline nodes up to [`Node::HeadingEnd`] are its text.
    HeadingStart(Box<HeadingStart>),
    HeadingEnd,
    /// A `{{…}}` reference, resolved.
    Ref(Box<crate::model::text::Ref>),
    /// A citation written `[@key]`, `[@a; @b]` or `[@key, p. 12]`: one or more shared sources.
    Cite(Box<[Cited]>),
    /// A link or image start with its destination resolved.
    Link(Box<LinkStart>),
    /// One of the page's blocks (an index into the page's blocks).
    Block(usize),
    /// Ends the element a rebuilt figure opened around the Markdown block that follows it.
    WrapEnd,
}

/// The Markdown tags that hold nothing but their kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Open {
    Paragraph,
    BlockQuote(Option<BlockQuoteKind>),
    HtmlBlock,
    List(Option<u64>),
    Item,
    DefinitionList,
    DefinitionListTitle,
    DefinitionListDefinition,
    TableHead,
    TableRow,
    TableCell,
    Emphasis,
    Strong,
    Strikethrough,
    Superscript,
    Subscript,
}

impl Open {
    fn of(tag: &Tag<'_>) -> Option<Open> {
        Some(match tag {
            Tag::Paragraph => Open::Paragraph,
            Tag::BlockQuote(k) => Open::BlockQuote(*k),
            Tag::HtmlBlock => Open::HtmlBlock,
            Tag::List(n) => Open::List(*n),
            Tag::Item => Open::Item,
            Tag::DefinitionList => Open::DefinitionList,
            Tag::DefinitionListTitle => Open::DefinitionListTitle,
            Tag::DefinitionListDefinition => Open::DefinitionListDefinition,
            Tag::TableHead => Open::TableHead,
            Tag::TableRow => Open::TableRow,
            Tag::TableCell => Open::TableCell,
            Tag::Emphasis => Open::Emphasis,
            Tag::Strong => Open::Strong,
            Tag::Strikethrough => Open::Strikethrough,
            Tag::Superscript => Open::Superscript,
            Tag::Subscript => Open::Subscript,
            _ => return None,
        })
    }

    fn tag(self) -> Tag<'static> {
        match self {
            Open::Paragraph => Tag::Paragraph,
            Open::BlockQuote(k) => Tag::BlockQuote(k),
            Open::HtmlBlock => Tag::HtmlBlock,
            Open::List(n) => Tag::List(n),
            Open::Item => Tag::Item,
            Open::DefinitionList => Tag::DefinitionList,
            Open::DefinitionListTitle => Tag::DefinitionListTitle,
            Open::DefinitionListDefinition => Tag::DefinitionListDefinition,
            Open::TableHead => Tag::TableHead,
            Open::TableRow => Tag::TableRow,
            Open::TableCell => Tag::TableCell,
            Open::Emphasis => Tag::Emphasis,
            Open::Strong => Tag::Strong,
            Open::Strikethrough => Tag::Strikethrough,
            Open::Superscript => Tag::Superscript,
            Open::Subscript => Tag::Subscript,
        }
    }
}

impl Node {
    /// The node of a Markdown event that needs nothing from the site, in its smallest form.
    pub fn event(ev: Event<'static>) -> Node {
        match ev {
            Event::Text(t) => Node::Text(t.into_string().into_boxed_str()),
            Event::Start(tag) => match Open::of(&tag) {
                Some(open) => Node::Start(open),
                None => Node::Event(Box::new(Event::Start(tag))),
            },
            Event::End(end) => Node::End(end),
            ev => Node::Event(Box::new(ev)),
        }
    }

    /// The Markdown event a node stands for, when it is one.
    pub fn to_event(&self) -> Option<Event<'static>> {
        Some(match self {
            Node::Text(t) => Event::Text(CowStr::Boxed(t.clone())),
            Node::Start(open) => Event::Start(open.tag()),
            Node::End(end) => Event::End(*end),
            Node::Event(ev) => (**ev).clone(),
            _ => return None,
        })
    }
}

/// A heading's opening: its level, id and the classes and attributes written in `{…}`.
#[derive(Debug, Clone)]
pub struct HeadingStart {
    pub level: u8,
    pub id: String,
    pub classes: Vec<String>,
    /// Attributes written in `{…}` (event handlers already dropped).
    pub attrs: Vec<(String, Option<String>)>,
}

/// A link or image start: the tag keeps title and type, the target is where it goes.
#[derive(Debug, Clone)]
pub struct LinkStart {
    pub tag: Tag<'static>,
    pub target: Target,
}

/// One source of a citation in prose, with the place in it (`p. 12`) when given.
#[derive(Debug, Clone, PartialEq)]
pub struct Cited {
    /// Index of the source in the site's sources.
    pub source: usize,
    pub locator: Option<String>,
}

/// Where a link written in Markdown goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// As written: outside the site (`https:`, `mailto:`), or not resolvable (a warning said so).
    AsWritten(String),
    /// An anchor on the same page (`#x`).
    Here(String),
    /// Another page of the site, by index, with an optional anchor.
    Page {
        page: usize,
        fragment: Option<String>,
    },
    /// A file of the output, from the site root (`/static/x.png`).
    Root {
        path: String,
        fragment: Option<String>,
    },
}

/// A yanbao fenced block, resolved.
#[derive(Debug, Clone)]
pub enum Block {
    Chart {
        chart: usize,
        figure: usize,
    },
    Table {
        set: usize,
        rows: Vec<usize>,
        columns: Vec<String>,
        title: Rich,
        figure: usize,
    },
    Stats {
        set: usize,
        rows: Vec<usize>,
    },
    Figure {
        title: Rich,
        status: FigureStatus,
        /// The image of a figure with `status: image`.
        image: Option<FigureImage>,
        /// The caption line the report printed under the image.
        source: Option<Rich>,
        figure: usize,
    },
    Glossary {
        set: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FigureStatus {
    /// The image is gone and nothing of it survives.
    Lost,
    /// The image is gone; its structure is rebuilt from the report's text right below.
    Rebuilt,
    /// The image is shown.
    Image,
}

/// The image of a figure: its file from the site root, and what it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureImage {
    pub path: String,
    pub alt: Rich,
}

/// Numbered separately: figures (charts and lost images) and tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FigureKind {
    Figure,
    Table,
}

/// A numbered figure or table of one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    pub kind: FigureKind,
    pub number: usize,
    /// HTML id of the figure element.
    pub anchor: String,
    /// Index of the page that holds it.
    pub page: usize,
}

/// A heading of a page, for outlines and source labels.
#[derive(Debug, Clone)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: Rich,
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_node_takes_24_bytes() {
        assert_eq!(std::mem::size_of::<super::Node>(), 24);
    }

    /// Every Markdown event comes back from its node as it went in.
    #[test]
    fn nodes_give_back_their_events() {
        let md = "> [!NOTE]\n> a *b* **c** ~~d~~ `e` <span>f</span>\n\n1. x\n2. y\n\n- [ ] t\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\n```rust\nfn x() {}\n```\n\nTerm\n: Definition\n\nx^2^ ~y~ [^n]\n\n[^n]: note\n\n---\n\n<div>raw</div>\n\nline  \nbreak\nsoft\n";
        let events: Vec<pulldown_cmark::Event<'static>> =
            pulldown_cmark::Parser::new_ext(md, pulldown_cmark::Options::all())
                .map(|e| e.into_static())
                .collect();
        assert!(events.len() > 60, "{}", events.len());
        for ev in events {
            let back = super::Node::event(ev.clone()).to_event();
            assert_eq!(back.as_ref(), Some(&ev));
        }
    }
}
