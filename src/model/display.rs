//! How the checked site's values and texts read in a language, as plain text: a reference's
//! value with its unit, a text with its references expanded, a figure's label. HTML rendering
//! and every download build on these, so a value reads the same everywhere.

use crate::model::data::{Text, TextItem, Value};
use crate::model::quantity::Style;
use crate::model::site::Site;
use crate::model::text::{DataRef, Localized, Ref, RefFormat, Rich, Span};

/// References inside data texts may nest (a cell that cites another row); check refuses cycles,
/// and this bound keeps display finite whatever happens.
const MAX_DEPTH: usize = 16;

impl Site {
    /// The value a reference points at as it reads in prose in `lang` (texts with their own
    /// references expanded).
    pub fn ref_text(&self, r: &DataRef, lang: &str) -> String {
        self.ref_text_at(r, lang, 0)
    }

    fn ref_text_at(&self, r: &DataRef, lang: &str, depth: usize) -> String {
        let (set, row) = self.row_of(r);
        let pack = self.packs.get(lang);
        match row.values.get(&r.field) {
            Some(Value::Quantity(q)) => {
                if r.format == RefFormat::Number {
                    return pack.number(q.lo, 6);
                }
                if let Some(t) = row.text.as_ref().and_then(|t| t.get(lang)) {
                    return t.clone();
                }
                match set.unit_of(row, &r.field).and_then(|u| pack.units.get(u)) {
                    Some(unit) => q.format(unit, pack, Style::Prose),
                    None => pack.number(q.lo, 6),
                }
            }
            Some(Value::Text(t)) => self.text_at(t, lang, depth + 1),
            Some(Value::Year(y)) => y.to_string(),
            Some(Value::Date(d)) => d.clone(),
            None => String::new(),
        }
    }

    /// A resolved text as plain text in `lang`.
    pub fn plain(&self, rich: &Rich, lang: &str) -> String {
        self.plain_at(rich, lang, 0)
    }

    fn plain_at(&self, rich: &Rich, lang: &str, depth: usize) -> String {
        let mut out = String::new();
        for span in &rich.spans {
            match span {
                Span::Text(t) => out.push_str(t),
                Span::Ref(r) if depth < MAX_DEPTH => out.push_str(&self.ref_plain(r, lang, depth)),
                Span::Ref(_) => {}
            }
        }
        out
    }

    fn ref_plain(&self, r: &Ref, lang: &str, depth: usize) -> String {
        match r {
            Ref::Data(d) => self.ref_text_at(d, lang, depth),
            Ref::Figure(id) => self.figure_label(lang, id),
        }
    }

    /// A reference's text inside a text being shown: `f` writes each piece.
    pub fn ref_plain_text(&self, r: &Ref, lang: &str) -> String {
        self.ref_plain(r, lang, 0)
    }

    /// "图 2" / "Figure 2" / "Table 1".
    pub fn figure_label(&self, lang: &str, id: &str) -> String {
        let Some(fig) = self.figure(lang, id) else {
            return String::new();
        };
        let pack = self.packs.get(lang);
        let word = match fig.kind {
            crate::model::doc::FigureKind::Figure => pack.string("figure"),
            crate::model::doc::FigureKind::Table => pack.string("table"),
        };
        format!("{word} {}", fig.number)
    }

    /// A data text in `lang` (the default language's where `lang` has none), list items joined
    /// by "; ".
    pub fn text(&self, t: &Text, lang: &str) -> String {
        self.text_at(t, lang, 0)
    }

    fn text_at(&self, t: &Text, lang: &str, depth: usize) -> String {
        match t.get(lang, self.default_language()) {
            Some(TextItem::One(r)) => self.plain_at(r, lang, depth),
            Some(TextItem::List(items)) => items
                .iter()
                .map(|r| self.plain_at(r, lang, depth))
                .collect::<Vec<_>>()
                .join("; "),
            None => String::new(),
        }
    }

    /// A per-language text in `lang`, else in the default language.
    pub fn localized<'a>(&self, l: &'a Localized<Rich>, lang: &str) -> Option<&'a Rich> {
        l.get(lang).or_else(|| l.get(self.default_language()))
    }

    /// The language of the text `localized` gives for `lang` when it is not `lang`'s own: the
    /// default language's, shown where a partial translation has none. None for `lang`'s own
    /// text, or none at all.
    pub fn fallback_lang<T>(&self, l: &Localized<T>, lang: &str) -> Option<&str> {
        let default = self.default_language();
        (!l.contains_key(lang) && l.contains_key(default)).then_some(default)
    }

    /// A per-language text in `lang` as plain text ("" when absent).
    pub fn localized_plain(&self, l: &Localized<Rich>, lang: &str) -> String {
        self.localized(l, lang)
            .map(|r| self.plain(r, lang))
            .unwrap_or_default()
    }

    /// A per-language plain string in `lang`, else in the default language ("" when absent).
    pub fn string_in<'a>(&self, l: &'a Localized, lang: &str) -> &'a str {
        l.get(lang)
            .or_else(|| l.get(self.default_language()))
            .map_or("", String::as_str)
    }
}

/// Machine-readable value for `<data value>`: the number in base units, a range as `lo-hi`.
pub fn machine_value(v: &Value) -> Option<String> {
    match v {
        Value::Quantity(q) => Some(match q.hi {
            Some(hi) => format!("{}-{}", q.lo, hi),
            None => q.lo.to_string(),
        }),
        Value::Year(y) => Some(y.to_string()),
        _ => None,
    }
}
