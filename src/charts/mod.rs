//! Charts drawn as SVG at build time through plotters, from an [`Input`] that holds everything
//! for one language (texts, values formatted by the caller). No fonts are needed on the build
//! machine: text is laid out with estimated widths and the page's fonts render it. Each chart
//! comes in a wide and a narrow variant; CSS shows the one that fits.

pub mod axes;
pub mod bar;
pub mod dumbbell;
pub mod grouped;
pub mod input;
pub mod line;
pub mod reference;
pub mod scale;
pub mod stacked;
pub mod svg;
pub mod text;

pub use input::Input;

use crate::model::chart::{ChartKind, Orientation};
use axes::Variant;

/// A chart drawn for one language.
#[derive(Debug, Clone)]
pub struct Drawing {
    /// Two SVGs: wide (desktop) and narrow (phone).
    pub wide: String,
    pub narrow: String,
    pub legend: Vec<LegendItem>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LegendItem {
    /// Swatch HTML (a tiny inline SVG using the chart classes).
    pub swatch: String,
    pub label: String,
}

/// Draws both variants; the legend is the wide variant's.
pub fn draw(input: &Input) -> Drawing {
    let mut legend = Vec::new();
    let mut svgs = Vec::new();
    for variant in [Variant::Wide, Variant::Narrow] {
        let id = format!("{}-{}", input.uid, variant.name());
        let (body, h, items) = match input.kind {
            ChartKind::Bar if input.orientation == Orientation::Horizontal => {
                bar::horizontal(input, variant, &id)
            }
            ChartKind::Bar => bar::vertical(input, variant, &id),
            ChartKind::GroupedBar => grouped::draw(input, variant, &id),
            ChartKind::StackedShare => stacked::draw(input, variant, &id),
            ChartKind::Line => line::draw(input, variant, &id),
            ChartKind::Dumbbell => dumbbell::draw(input, variant, &id),
        };
        if variant == Variant::Wide {
            legend = items;
        }
        let w = variant.layout().w;
        svgs.push(svg::finish(
            &body,
            w,
            h,
            &id,
            &input.title,
            &input.summary,
            variant.name(),
        ));
    }
    let narrow = svgs.pop().unwrap_or_default();
    let wide = svgs.pop().unwrap_or_default();
    Drawing {
        wide,
        narrow,
        legend,
    }
}
