//! A page's body as the checked site holds it: pulldown-cmark events with yanbao's parts
//! resolved in place: heading ids, references, link targets, blocks. Rendering turns it into HTML
//! without looking anything up that could fail.

use pulldown_cmark::{Event, Tag};

use crate::model::text::Rich;

#[derive(Debug, Clone, Default)]
pub struct Body {
    pub nodes: Vec<Node>,
}

/// One part of a body. A large site holds every page's nodes at once, so the rare large ones
/// (headings, links) are boxed: a node takes the size of a Markdown event (88 bytes, not 128).
#[derive(Debug, Clone)]
pub enum Node {
    /// A Markdown event that needs nothing from the site.
    Event(Event<'static>),
    /// Opens a heading; the inline nodes up to [`Node::HeadingEnd`] are its text.
    HeadingStart(Box<HeadingStart>),
    HeadingEnd,
    /// A `{{…}}` reference, resolved.
    Ref(crate::model::text::Ref),
    /// A citation written `[@key]`, `[@a; @b]` or `[@key, p. 12]`: one or more shared sources.
    Cite(Vec<Cited>),
    /// A link or image start with its destination resolved.
    Link(Box<LinkStart>),
    /// One of the page's blocks (an index into the page's blocks).
    Block(usize),
    /// Ends the element a rebuilt figure opened around the Markdown block that follows it.
    WrapEnd,
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
    fn a_node_is_no_larger_than_an_event() {
        let event = std::mem::size_of::<pulldown_cmark::Event<'static>>();
        assert!(std::mem::size_of::<super::Node>() <= event + 8);
    }
}
