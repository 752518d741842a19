//! A figure's value: a number, a bound ("950+", "<5", "<=0.5"), an approximation ("~1e11") or a range
//! ("40-45"), always in base units (yuan, not 亿元). Formatting for a language lives here too.

use crate::model::lang::{LanguagePack, UnitFormat};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Qualifier {
    /// "950+": more than the value.
    More,
    /// "<5": less than the value.
    Less,
    /// "<=0.5": at most the value.
    AtMost,
    /// "~1e11": about the value.
    About,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantity {
    pub lo: f64,
    /// Upper end of a range.
    pub hi: Option<f64>,
    pub qualifier: Option<Qualifier>,
}

/// How a quantity is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// In running text: unit and magnitude words, no qualifier (the prose says "more than").
    Prose,
    /// As a headline figure: like prose, with the qualifier ("90%+", "<5%").
    Full,
    /// In a table cell, chart label or CSV: the number in the unit's table scale, with qualifier,
    /// without the unit (the column header names it).
    Table,
}

pub const SYNTAX_HELP: &str = "write a number (157 or 1.57e10), a lower bound (\"950+\"), an upper bound (\"<5\" or \"<=0.5\"), an approximation (\"~1e11\") or a range (\"40-45\"), in base units (yuan, not 亿元)";

impl Quantity {
    pub fn exact(x: f64) -> Self {
        Quantity {
            lo: x,
            hi: None,
            qualifier: None,
        }
    }

    pub fn parse(text: &str) -> Result<Quantity, String> {
        let t = text.trim();
        let bad = || format!("`{text}` is not a quantity");
        let num = |s: &str| -> Result<f64, String> {
            let s = s.trim();
            if s.is_empty() || s.starts_with('+') || s.contains(',') {
                return Err(bad());
            }
            s.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(bad)
        };
        if let Some(rest) = t.strip_suffix('+') {
            return Ok(Quantity {
                qualifier: Some(Qualifier::More),
                ..Quantity::exact(num(rest)?)
            });
        }
        for (prefix, q) in [
            ("<=", Qualifier::AtMost),
            ("≤", Qualifier::AtMost),
            (">", Qualifier::More),
            ("<", Qualifier::Less),
            ("~", Qualifier::About),
        ] {
            if let Some(rest) = t.strip_prefix(prefix) {
                return Ok(Quantity {
                    qualifier: Some(q),
                    ..Quantity::exact(num(rest)?)
                });
            }
        }
        // A range: "40-45" or "40–45". A leading '-' is a negative number, not a range.
        let split = t
            .char_indices()
            .skip(1)
            .find(|&(i, c)| (c == '-' || c == '–') && !t[..i].ends_with(['e', 'E']));
        if let Some((i, c)) = split {
            let (lo, hi) = (num(&t[..i])?, num(&t[i + c.len_utf8()..])?);
            if lo >= hi {
                return Err(format!("range `{text}` must go from low to high"));
            }
            return Ok(Quantity {
                lo,
                hi: Some(hi),
                qualifier: None,
            });
        }
        Ok(Quantity::exact(num(t)?))
    }

    /// Formats for a language. `unit` is the unit's format in that language's pack.
    pub fn format(&self, unit: &UnitFormat, pack: &LanguagePack, style: Style) -> String {
        let (divide, pattern, one) = match style {
            Style::Table => (unit.table.divide, "{n}", None),
            Style::Prose | Style::Full => self.step(unit),
        };
        // A unit may spell ranges its own way ("40%-45%" rather than "40-45%").
        if let (Some(hi), Some(range), false) =
            (self.hi, &unit.range, style == Style::Table || divide != 1.0)
        {
            let n = |x: f64| pack.number(x / divide, unit.decimals);
            return range.replace("{lo}", &n(self.lo)).replace("{hi}", &n(hi));
        }
        let number = self.number(divide, unit.decimals, pack);
        let pattern = match one {
            Some(one) if self.hi.is_none() && (self.lo / divide - 1.0).abs() < 1e-12 => one,
            _ => pattern,
        };
        let text = pattern.replace("{n}", &number);
        match style {
            Style::Prose => text,
            Style::Full | Style::Table => self.qualify(text, pack),
        }
    }

    /// Formats a value that has no unit: the number or range, with its qualifier.
    pub fn format_bare(&self, pack: &LanguagePack, decimals: usize) -> String {
        self.qualify(self.number(1.0, decimals, pack), pack)
    }

    /// The value split for display as a headline figure: (words before the number, the number
    /// with its qualifier, words after it): `("CNY", "≤0.5", "per million tokens")`,
    /// `("", "157", "亿元")`. A `%` stays with the number.
    pub fn parts(&self, unit: &UnitFormat, pack: &LanguagePack) -> (String, String, String) {
        let (divide, pattern, _) = self.step(unit);
        let mut number = self.number(divide, unit.decimals, pack);
        let (before, after) = pattern.split_once("{n}").unwrap_or(("", pattern));
        let mut after = after.to_string();
        if after.starts_with('%') {
            number.push('%');
            after.remove(0);
        }
        (
            before.trim().to_string(),
            self.qualify(number, pack),
            after.trim().to_string(),
        )
    }

    /// The unit's step for this magnitude: (divisor, pattern, pattern for exactly one).
    fn step<'u>(&self, unit: &'u UnitFormat) -> (f64, &'u str, Option<&'u str>) {
        let magnitude = self.hi.unwrap_or(self.lo).abs();
        match unit.steps.iter().find(|s| magnitude >= s.min) {
            Some(step) => (step.divide, step.pattern.as_str(), step.one.as_deref()),
            None => (1.0, unit.pattern.as_str(), unit.one.as_deref()),
        }
    }

    /// The number, or the range, divided by `divide` and written in the language's notation.
    fn number(&self, divide: f64, decimals: usize, pack: &LanguagePack) -> String {
        let n = |x: f64| pack.number(x / divide, decimals);
        match self.hi {
            Some(hi) => pack
                .range
                .replace("{lo}", &n(self.lo))
                .replace("{hi}", &n(hi)),
            None => n(self.lo),
        }
    }

    /// `text` inside the qualifier's pattern (`950+`, `≤0.5`), or as it is without one.
    fn qualify(&self, text: String, pack: &LanguagePack) -> String {
        let pattern = match self.qualifier {
            None => return text,
            Some(Qualifier::More) => &pack.qualifiers.more,
            Some(Qualifier::Less) => &pack.qualifiers.less,
            Some(Qualifier::AtMost) => &pack.qualifiers.at_most,
            Some(Qualifier::About) => &pack.qualifiers.about,
        };
        pattern.replace("{v}", &text)
    }

    /// The value in a table's unit, for CSV and JSON: (low, high-or-same).
    pub fn scaled(&self, unit: &UnitFormat) -> (f64, f64) {
        let d = unit.table.divide;
        (self.lo / d, self.hi.unwrap_or(self.lo) / d)
    }

    pub fn qualifier_code(&self) -> &'static str {
        match self.qualifier {
            None => "",
            Some(Qualifier::More) => "more_than",
            Some(Qualifier::Less) => "less_than",
            Some(Qualifier::AtMost) => "at_most",
            Some(Qualifier::About) => "about",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::lang::tests::pack;

    fn fmt(q: &str, unit: &str, lang: &str, style: Style) -> String {
        let p = pack(lang);
        Quantity::parse(q)
            .unwrap()
            .format(&p.units[unit], &p, style)
    }

    #[test]
    fn parses_every_form() {
        assert_eq!(Quantity::parse("157").unwrap(), Quantity::exact(157.0));
        assert_eq!(Quantity::parse("1.57e10").unwrap().lo, 1.57e10);
        assert_eq!(
            Quantity::parse("950+").unwrap().qualifier,
            Some(Qualifier::More)
        );
        assert_eq!(
            Quantity::parse("<5").unwrap().qualifier,
            Some(Qualifier::Less)
        );
        assert_eq!(
            Quantity::parse("<=0.5").unwrap().qualifier,
            Some(Qualifier::AtMost)
        );
        assert_eq!(
            Quantity::parse("~1e11").unwrap().qualifier,
            Some(Qualifier::About)
        );
        let r = Quantity::parse("40-45").unwrap();
        assert_eq!((r.lo, r.hi), (40.0, Some(45.0)));
        assert_eq!(Quantity::parse("-3").unwrap().lo, -3.0);
        assert_eq!(Quantity::parse("1e-3").unwrap().lo, 0.001);
    }

    #[test]
    fn rejects_what_is_not_a_quantity() {
        for bad in [
            "", "abc", "1,000", "157亿", "45-40", "+5", "5-", "inf", "NaN",
        ] {
            assert!(Quantity::parse(bad).is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn formats_amounts_per_language() {
        assert_eq!(fmt("15700000000", "cny", "zh", Style::Prose), "157亿元");
        assert_eq!(
            fmt("15700000000", "cny", "en", Style::Prose),
            "CNY 15.7 billion"
        );
        assert_eq!(fmt("113000000000", "cny", "zh", Style::Prose), "1130亿元");
        assert_eq!(
            fmt("113000000000", "cny", "en", Style::Prose),
            "CNY 113 billion"
        );
        assert_eq!(
            fmt("200000000+", "cny", "en", Style::Prose),
            "CNY 200 million"
        );
        assert_eq!(fmt("200000000+", "cny", "zh", Style::Full), "2亿元+");
        assert_eq!(fmt("15700000000", "cny", "zh", Style::Table), "157");
        assert_eq!(fmt("15700000000", "cny", "en", Style::Table), "15.7");
    }

    #[test]
    fn formats_counts_params_and_shares() {
        assert_eq!(fmt("1900000+", "count", "zh", Style::Prose), "190万");
        assert_eq!(fmt("1900000+", "count", "en", Style::Prose), "1.9 million");
        assert_eq!(fmt("1000+", "count", "en", Style::Full), "1,000+");
        assert_eq!(fmt("117000000", "params", "zh", Style::Prose), "1.17亿");
        assert_eq!(
            fmt("117000000", "params", "en", Style::Prose),
            "117 million"
        );
        assert_eq!(
            fmt("175000000000", "params", "en", Style::Prose),
            "175 billion"
        );
        assert_eq!(fmt("70000000000", "params_b", "zh", Style::Prose), "70B");
        assert_eq!(fmt("40-45", "percent", "zh", Style::Prose), "40%-45%");
        assert_eq!(fmt("40-45", "percent", "en", Style::Prose), "40–45%");
        assert_eq!(fmt("<5", "percent", "en", Style::Full), "<5%");
        assert_eq!(fmt("90+", "percent", "zh", Style::Full), "90%+");
        assert_eq!(
            fmt("0.5", "cny_per_mtok", "en", Style::Prose),
            "CNY 0.5 per million tokens"
        );
    }

    #[test]
    fn headline_parts() {
        let p = |q: &str, u: &str, l: &str| {
            let pk = pack(l);
            Quantity::parse(q).unwrap().parts(&pk.units[u], &pk)
        };
        let t = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
        assert_eq!(
            p("<=0.5", "cny_per_mtok", "en"),
            t("CNY", "≤0.5", "per million tokens")
        );
        assert_eq!(p("15700000000", "cny", "zh"), t("", "157", "亿元"));
        assert_eq!(p("15700000000", "cny", "en"), t("CNY", "15.7", "billion"));
        assert_eq!(p("148", "percent", "en"), t("", "148%", ""));
        assert_eq!(p("90+", "percent", "zh"), t("", "90%+", ""));
        assert_eq!(p("309", "count", "zh"), t("", "309", ""));
    }

    #[test]
    fn singular_units() {
        assert_eq!(fmt("1", "days", "en", Style::Prose), "1 day");
        assert_eq!(fmt("2", "days", "en", Style::Prose), "2 days");
        assert_eq!(fmt("1-3", "hours", "en", Style::Prose), "1–3 hours");
        assert_eq!(fmt("1-3", "hours", "zh", Style::Prose), "1-3小时");
    }
}
