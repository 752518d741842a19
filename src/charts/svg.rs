//! The SVG that charts are drawn into: a plotters [`DrawingBackend`] that writes each element
//! with the CSS class of its colour role (`f-s0`, `k-grid`), so charts follow the light and dark
//! themes and print in black and white, and the accessible `<svg>` wrapper around them.
//!
//! plotters hands a backend colours, not names: each role is drawn with a colour of its own
//! ([`Role::color`]) and the backend turns that colour back into the role as it writes.

use std::fmt::Write as _;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};

use crate::model::data::SourceKind;
use crate::model::quantity::Qualifier;

/// Number of distinct series colours in the stylesheet.
pub const PALETTE: u8 = 8;

/// What an element is: its CSS class follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Text,
    Muted,
    Grid,
    Axis,
    Surface,
    /// A reference line (dashed) and a reference band (a light wash).
    Reference,
    RefBand,
    Series(u8),
    Band(u8),
    Hatch(u8),
    /// Dashed outline: an upper bound ("<5%").
    Dash(u8),
    /// Not drawn: opens (0) or closes (1) a mark's group (see [`mark`]).
    Group(u8),
}

impl Role {
    /// The colour plotters carries for this role (only the backend reads it).
    pub fn color(self) -> RGBColor {
        match self {
            Role::Text => RGBColor(1, 2, 1),
            Role::Muted => RGBColor(1, 2, 2),
            Role::Grid => RGBColor(1, 2, 3),
            Role::Axis => RGBColor(1, 2, 4),
            Role::Surface => RGBColor(1, 2, 5),
            Role::Reference => RGBColor(1, 2, 6),
            Role::RefBand => RGBColor(1, 2, 7),
            Role::Series(i) => RGBColor(1, 3, i),
            Role::Band(i) => RGBColor(1, 4, i),
            Role::Hatch(i) => RGBColor(1, 5, i),
            Role::Dash(i) => RGBColor(1, 6, i),
            Role::Group(i) => RGBColor(1, 7, i),
        }
    }

    fn from_color(c: BackendColor) -> Option<Role> {
        match c.rgb {
            (1, 2, 1) => Some(Role::Text),
            (1, 2, 2) => Some(Role::Muted),
            (1, 2, 3) => Some(Role::Grid),
            (1, 2, 4) => Some(Role::Axis),
            (1, 2, 5) => Some(Role::Surface),
            (1, 2, 6) => Some(Role::Reference),
            (1, 2, 7) => Some(Role::RefBand),
            (1, 3, i) => Some(Role::Series(i)),
            (1, 4, i) => Some(Role::Band(i)),
            (1, 5, i) => Some(Role::Hatch(i)),
            (1, 6, i) => Some(Role::Dash(i)),
            (1, 7, i) => Some(Role::Group(i)),
            _ => None,
        }
    }

    fn class(self) -> String {
        match self {
            Role::Text => "text".into(),
            Role::Muted => "muted".into(),
            Role::Grid => "grid".into(),
            Role::Axis => "axis".into(),
            Role::Surface => "surface".into(),
            Role::Reference => "ref".into(),
            Role::RefBand => "refband".into(),
            Role::Series(i) => format!("s{i}"),
            Role::Band(i) => format!("b{i}"),
            Role::Hatch(i) => format!("h{i}"),
            Role::Dash(i) => format!("d{i}"),
            Role::Group(i) => format!("g{i}"),
        }
    }
}

/// Chart elements written as SVG with classes. `id` names this SVG's hatch patterns.
pub struct ClassSvg<'a> {
    out: &'a mut String,
    size: (u32, u32),
    id: String,
}

impl<'a> ClassSvg<'a> {
    pub fn new(out: &'a mut String, size: (u32, u32), id: &str) -> Self {
        ClassSvg {
            out,
            size,
            id: id.to_string(),
        }
    }

    /// `class="f-…"` or `class="k-…"` for a fill or stroke colour (nothing for other colours).
    fn class(prefix: &str, c: BackendColor) -> Option<String> {
        Role::from_color(c).map(|r| format!("{prefix}-{}", r.class()))
    }

    /// Writes `<tag attrs… [fill=url(hatch)] class=…/>`.
    fn element(
        &mut self,
        tag: &str,
        attrs: &[(&str, String)],
        fill: Option<BackendColor>,
        stroke: Option<BackendColor>,
    ) {
        let mut classes = Vec::new();
        let _ = write!(self.out, "<{tag}");
        for (k, v) in attrs {
            let _ = write!(self.out, " {k}=\"{}\"", escape(v));
        }
        if let Some(c) = fill {
            if let Some(Role::Hatch(i)) = Role::from_color(c) {
                let _ = write!(self.out, " fill=\"url(#{}-h{i})\"", self.id);
            }
            classes.extend(Self::class("f", c));
        }
        if let Some(c) = stroke {
            classes.extend(Self::class("k", c));
        }
        if !classes.is_empty() {
            let _ = write!(self.out, " class=\"{}\"", classes.join(" "));
        }
        self.out.push_str("/>\n");
    }
}

/// The backend's error: writing to a string cannot fail.
#[derive(Debug)]
pub struct Never;

impl std::fmt::Display for Never {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("unreachable")
    }
}

impl std::error::Error for Never {}

type DrawResult = Result<(), DrawingErrorKind<Never>>;

impl DrawingBackend for ClassSvg<'_> {
    type ErrorType = Never;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> DrawResult {
        Ok(())
    }

    fn present(&mut self) -> DrawResult {
        Ok(())
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> DrawResult {
        let attrs = [
            ("x", point.0.to_string()),
            ("y", point.1.to_string()),
            ("width", "1".into()),
            ("height", "1".into()),
            ("stroke", "none".into()),
        ];
        self.element("rect", &attrs, Some(color), None);
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> DrawResult {
        let attrs = [
            ("stroke-width", style.stroke_width().to_string()),
            ("x1", from.0.to_string()),
            ("y1", from.1.to_string()),
            ("x2", to.0.to_string()),
            ("y2", to.1.to_string()),
        ];
        self.element("line", &attrs, None, Some(style.color()));
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        ul: BackendCoord,
        br: BackendCoord,
        style: &S,
        fill: bool,
    ) -> DrawResult {
        let mut attrs = vec![
            ("x", ul.0.to_string()),
            ("y", ul.1.to_string()),
            ("width", (br.0 - ul.0).to_string()),
            ("height", (br.1 - ul.1).to_string()),
        ];
        if fill {
            attrs.push(("stroke", "none".into()));
            self.element("rect", &attrs, Some(style.color()), None);
        } else {
            attrs.push(("fill", "none".into()));
            self.element("rect", &attrs, None, Some(style.color()));
        }
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> DrawResult {
        let points = path.into_iter().fold(String::new(), |mut s, (x, y)| {
            let _ = write!(s, "{x},{y} ");
            s
        });
        let attrs = [
            ("fill", "none".into()),
            ("stroke-width", style.stroke_width().to_string()),
            ("points", points),
        ];
        self.element("polyline", &attrs, None, Some(style.color()));
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> DrawResult {
        let mut attrs = vec![
            ("cx", center.0.to_string()),
            ("cy", center.1.to_string()),
            ("r", radius.to_string()),
        ];
        if fill {
            attrs.push(("stroke", "none".into()));
            attrs.push(("stroke-width", style.stroke_width().to_string()));
            self.element("circle", &attrs, Some(style.color()), None);
        } else {
            attrs.push(("fill", "none".into()));
            attrs.push(("stroke-width", style.stroke_width().to_string()));
            self.element("circle", &attrs, None, Some(style.color()));
        }
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> DrawResult {
        let points = path.into_iter().fold(String::new(), |mut s, (x, y)| {
            let _ = write!(s, "{x},{y} ");
            s
        });
        self.element("polygon", &[("points", points)], Some(style.color()), None);
        Ok(())
    }

    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> DrawResult {
        // A mark's group: the text is its already escaped opening tag's inside.
        match Role::from_color(style.color()) {
            Some(Role::Group(0)) => {
                let _ = writeln!(self.out, "<g {text}>");
                return Ok(());
            }
            Some(Role::Group(_)) => {
                self.out.push_str("</g>\n");
                return Ok(());
            }
            _ => {}
        }
        let anchor = match style.anchor().h_pos {
            HPos::Left => "start",
            HPos::Right => "end",
            HPos::Center => "middle",
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => "0.76em",
            VPos::Center => "0.5ex",
            VPos::Bottom => "-0.5ex",
        };
        let class = Self::class("f", style.color())
            .map(|c| format!(" class=\"{c}\""))
            .unwrap_or_default();
        let _ = write!(
            self.out,
            "<text x=\"{}\" y=\"{}\" dy=\"{dy}\" text-anchor=\"{anchor}\" font-size=\"{}\"{class}>\n{}\n</text>\n",
            pos.0,
            pos.1,
            style.size(),
            escape(text)
        );
        Ok(())
    }
}

/// XML escaping as plotters did it (apostrophes as `&apos;`).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            other => out.push(other),
        }
    }
    out
}

/// Where chart primitives draw.
pub type Area<'a, 'b> = DrawingArea<ClassSvg<'b>, Shift>;

/// Runs `f` on a canvas of `w`×`h` and returns the elements it drew.
pub fn canvas(w: i32, h: i32, id: &str, f: impl FnOnce(&Area)) -> String {
    let mut buf = String::new();
    {
        let root = ClassSvg::new(&mut buf, (w as u32, h as u32), id).into_drawing_area();
        f(&root);
        let _ = root.present();
    }
    buf.trim().to_string()
}

// A drawing primitive: text, position, size, colour role and anchor are each needed.
#[allow(clippy::too_many_arguments)]
pub fn text(area: &Area, s: &str, x: f64, y: f64, size: f64, role: Role, h: HPos, v: VPos) {
    let style = ("sans-serif", size)
        .into_font()
        .color(&role.color())
        .pos(Pos::new(h, v));
    let _ = area.draw(&Text::new(
        s.to_string(),
        (x.round() as i32, y.round() as i32),
        style,
    ));
}

/// Draws a mark (a bar, a point, a segment) inside `<g class="mark {class}" data-value="…">`
/// with a `<title>`: hovering shows its label and value without script, and readers and tests
/// can read the number back. `value` is in the data's base unit; a range adds `data-hi`.
pub fn mark<T>(
    area: &Area,
    class: &str,
    (value, hi): (f64, Option<f64>),
    title: &str,
    draw: impl FnOnce() -> T,
) -> T {
    let esc = crate::markup::escape;
    let mut open = format!("class=\"mark {class}\" data-value=\"{}\"", plain(value));
    if let Some(hi) = hi {
        let _ = write!(open, " data-hi=\"{}\"", plain(hi));
    }
    let _ = write!(open, "><title>{}</title", esc(title));
    let group = |s: String, i: u8| {
        let style = ("sans-serif", 1.0)
            .into_font()
            .color(&Role::Group(i).color());
        let _ = area.draw(&Text::new(s, (0, 0), style));
    };
    group(open, 0);
    let out = draw();
    group(" ".into(), 1);
    out
}

/// A number as a machine reads it: shortest round-trip form, exponent for extremes.
pub fn plain(x: f64) -> String {
    let s = format!("{x:?}");
    s.strip_suffix(".0").map_or(s.clone(), str::to_string)
}

pub fn line(area: &Area, pts: &[(f64, f64)], role: Role, width: u32) {
    let pts: Vec<(i32, i32)> = pts
        .iter()
        .map(|(x, y)| (x.round() as i32, y.round() as i32))
        .collect();
    let _ = area.draw(&PathElement::new(
        pts,
        ShapeStyle {
            color: role.color().into(),
            filled: false,
            stroke_width: width,
        },
    ));
}

pub fn rect(area: &Area, x0: f64, y0: f64, x1: f64, y1: f64, fill: Role, stroke: Option<Role>) {
    let (a, b) = (
        (x0.min(x1).round() as i32, y0.min(y1).round() as i32),
        (x0.max(x1).round() as i32, y0.max(y1).round() as i32),
    );
    let _ = area.draw(&Rectangle::new([a, b], fill.color().filled()));
    if let Some(s) = stroke {
        let _ = area.draw(&Rectangle::new(
            [a, b],
            ShapeStyle {
                color: s.color().into(),
                filled: false,
                stroke_width: 1,
            },
        ));
    }
}

/// A point marker: filled (reported value) or hollow (outside or derived), outlined in its
/// series colour.
pub fn dot(area: &Area, x: f64, y: f64, r: i32, series: Role, hollow: bool) {
    let fill = if hollow { Role::Surface } else { series };
    let (xi, yi) = (x.round() as i32, y.round() as i32);
    let _ = area.draw(&Circle::new(
        (xi, yi),
        r,
        ShapeStyle {
            color: fill.color().into(),
            filled: true,
            stroke_width: 1,
        },
    ));
    let _ = area.draw(&Circle::new(
        (xi, yi),
        r,
        ShapeStyle {
            color: series.color().into(),
            filled: false,
            stroke_width: 2,
        },
    ));
}

/// Bar fill for a value: solid (reported), hatched (derived), banded (outside source).
pub fn bar_roles(kind: SourceKind, series: u8) -> (Role, Option<Role>) {
    match kind {
        SourceKind::Report => (Role::Series(series), None),
        SourceKind::External => (Role::Band(series), Some(Role::Series(series))),
        SourceKind::Derived => (Role::Hatch(series), Some(Role::Series(series))),
    }
}

/// Draws one bar from the base of the value scale to the value, honouring ranges and bounds.
/// `across` is the bar's extent across the value axis. Returns the far end in pixels.
pub fn value_bar(
    area: &Area,
    scale: &crate::charts::scale::Scale,
    horizontal: bool,
    across: (f64, f64),
    v: &crate::charts::input::Value,
    kind: SourceKind,
    series: u8,
) -> f64 {
    let (q, (lo, hi)) = (&v.q, v.scaled);
    let base = scale.map(if scale.log {
        scale.lo
    } else {
        0f64.max(scale.lo)
    });
    let to_lo = scale.map(lo);
    let to_hi = scale.map(hi);
    let (fill, stroke) = bar_roles(kind, series);
    let draw = |a: f64, b: f64, fill: Role, stroke: Option<Role>| {
        if horizontal {
            rect(area, a, across.0, b, across.1, fill, stroke)
        } else {
            rect(area, across.0, a, across.1, b, fill, stroke)
        }
    };
    match q.qualifier {
        // An upper bound: the whole bar is uncertain, drawn light with an outline.
        Some(Qualifier::Less | Qualifier::AtMost) => {
            draw(base, to_lo, Role::Band(series), Some(Role::Dash(series)));
            to_lo
        }
        _ if q.hi.is_some() => {
            draw(base, to_lo, fill, stroke);
            draw(to_lo, to_hi, Role::Band(series), Some(Role::Series(series)));
            to_hi
        }
        _ => {
            draw(base, to_lo, fill, stroke);
            to_lo
        }
    }
}

/// Wraps drawn elements in an accessible, themeable SVG: viewBox without fixed size,
/// `<title>`/`<desc>`, hatch patterns.
pub fn finish(
    body: &str,
    w: i32,
    h: i32,
    id: &str,
    title: &str,
    desc: &str,
    variant: &str,
) -> String {
    let esc = crate::markup::escape;
    let mut svg = format!(
        "<svg class=\"chart-svg chart-{variant}\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" focusable=\"false\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc><defs>",
        esc(title),
        esc(desc)
    );
    for i in 0..PALETTE {
        let _ = write!(
            svg,
            "<pattern id=\"{id}-h{i}\" class=\"hatch h{i}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect class=\"hatch-bg\" width=\"6\" height=\"6\"/><line class=\"hatch-line\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\"/></pattern>"
        );
    }
    svg.push_str("</defs>");
    svg.push_str(body);
    svg.push_str("</svg>");
    svg
}

/// A legend swatch: a tiny inline SVG drawn with the chart classes.
pub fn swatch(class: &str, shape: &str) -> String {
    match shape {
        "line" => format!(
            "<svg class=\"swatch\" viewBox=\"0 0 16 16\" aria-hidden=\"true\"><line class=\"{class}\" x1=\"1\" y1=\"8\" x2=\"15\" y2=\"8\"/></svg>"
        ),
        "dot" => format!(
            "<svg class=\"swatch\" viewBox=\"0 0 16 16\" aria-hidden=\"true\"><circle class=\"{class}\" cx=\"8\" cy=\"8\" r=\"4.5\"/></svg>"
        ),
        // Hatching drawn as lines: a pattern would need an id unique on the page.
        "hatch" => format!(
            "<svg class=\"swatch\" viewBox=\"0 0 16 16\" aria-hidden=\"true\"><rect class=\"f-surface {class}\" x=\"1.5\" y=\"3.5\" width=\"13\" height=\"9\"/><path class=\"{class}\" d=\"M2 11 6 4M6 12.5 11 4M10.5 12.5 14 6.5\"/></svg>"
        ),
        _ => format!(
            "<svg class=\"swatch\" viewBox=\"0 0 16 16\" aria-hidden=\"true\"><rect class=\"{class}\" x=\"1.5\" y=\"3.5\" width=\"13\" height=\"9\"/></svg>"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_carry_their_role_as_a_class() {
        let body = canvas(100, 50, "c", |a| {
            rect(a, 1.0, 2.0, 11.0, 12.0, Role::Series(0), None);
            rect(
                a,
                1.0,
                2.0,
                11.0,
                12.0,
                Role::Hatch(2),
                Some(Role::Series(2)),
            );
            text(a, "a'b", 1.0, 1.0, 11.5, Role::Text, HPos::Left, VPos::Top);
        });
        assert!(
            body.contains(
                "<rect x=\"1\" y=\"2\" width=\"10\" height=\"10\" stroke=\"none\" class=\"f-s0\"/>"
            ),
            "{body}"
        );
        assert!(
            body.contains("stroke=\"none\" fill=\"url(#c-h2)\" class=\"f-h2\"/>"),
            "{body}"
        );
        assert!(body.contains("fill=\"none\" class=\"k-s2\"/>"), "{body}");
        assert!(
            body.contains("font-size=\"11.5\" class=\"f-text\">\na&apos;b\n</text>"),
            "{body}"
        );
        assert!(
            !body.contains('#') || body.contains("url(#"),
            "no colours in the output"
        );
    }
}
