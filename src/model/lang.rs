//! A language's UI strings and number and unit formats (`templates/i18n/<lang>.yaml`), as types,
//! and plain-number formatting. Loading and checking the files is `input::i18n`'s job.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguagePack {
    /// The language's name in itself, shown in the language switch ("简体中文", "English").
    pub name: String,
    /// Value of `<html lang>`; defaults to the language code.
    #[serde(default)]
    pub html_lang: Option<String>,
    /// Locale for OpenGraph (`zh_CN`, `en_US`).
    #[serde(default)]
    pub og_locale: Option<String>,
    /// Turn straight quotes and `--` into typographic ones (suits English, not Chinese).
    #[serde(default)]
    pub smart_punctuation: bool,
    pub number: NumberFormat,
    /// How a range reads, e.g. `"{lo}–{hi}"`.
    pub range: String,
    pub qualifiers: Qualifiers,
    pub units: BTreeMap<String, UnitFormat>,
    pub strings: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberFormat {
    pub decimal: String,
    /// Thousands separator ("" for none).
    pub group: String,
    /// Group only numbers with at least this many integer digits (4: 1,000; 5: 10,000 but 1000).
    #[serde(default = "default_group_min")]
    pub group_min: usize,
}

fn default_group_min() -> usize {
    4
}

/// How a value with a qualifier reads: `{v}` is the formatted value.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Qualifiers {
    pub more: String,
    pub less: String,
    pub at_most: String,
    pub about: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitFormat {
    /// Prose pattern, `{n}` is the number: `"{n}元"`.
    pub pattern: String,
    /// Pattern when the value is exactly 1 (English singulars: "1 day").
    #[serde(default)]
    pub one: Option<String>,
    /// Pattern for a range when the unit repeats on both ends: `"{lo}%-{hi}%"`.
    #[serde(default)]
    pub range: Option<String>,
    /// Larger magnitudes, tried in order: `{min: 1.0e8, divide: 1.0e8, pattern: "{n}亿元"}`.
    #[serde(default)]
    pub steps: Vec<Step>,
    /// How tables, chart axes and CSV files show this unit.
    #[serde(default)]
    pub table: TableUnit,
    /// Maximum decimals shown (trailing zeros are dropped).
    #[serde(default = "default_decimals")]
    pub decimals: usize,
}

fn default_decimals() -> usize {
    2
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub min: f64,
    pub divide: f64,
    pub pattern: String,
    #[serde(default)]
    pub one: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableUnit {
    #[serde(default = "one")]
    pub divide: f64,
    /// Unit name for column headers and axis titles ("亿元", "CNY bn", "%").
    #[serde(default)]
    pub label: Option<String>,
}

fn one() -> f64 {
    1.0
}

impl Default for TableUnit {
    fn default() -> Self {
        TableUnit {
            divide: 1.0,
            label: None,
        }
    }
}

impl LanguagePack {
    /// A UI string. Packs are checked at load time to have the same keys as the built-in ones,
    /// and a test checks that every key the code asks for exists.
    pub fn string(&self, key: &str) -> &str {
        self.strings.get(key).map_or("", String::as_str)
    }

    /// Formats a plain number with this language's separators and at most `decimals` decimals,
    /// more where fewer would round a non-zero number to 0 (two significant digits: 100 yuan in
    /// 亿元 is "0.000001", never "0"). Magnitudes beyond 1e15 or below 1e-9 are written as
    /// `1.5×10⁻¹²`, so no number runs to hundreds of digits.
    pub fn number(&self, x: f64, decimals: usize) -> String {
        self.number_as(x, decimals, false)
    }

    /// Like [`LanguagePack::number`], with exactly `decimals` decimals (trailing zeros kept), as
    /// an editor's `axis.decimals` asks for tick labels: "0.0, 0.5, 1.0".
    pub fn number_fixed(&self, x: f64, decimals: usize) -> String {
        self.number_as(x, decimals, true)
    }

    fn number_as(&self, x: f64, decimals: usize, fixed: bool) -> String {
        if !x.is_finite() {
            return x.to_string();
        }
        let a = x.abs();
        if a != 0.0 && !(1e-9..1e15).contains(&a) {
            let mut e = a.log10().floor() as i32;
            let mut m = x / 10f64.powi(e);
            if m.abs() >= 9.995 {
                m /= 10.0;
                e += 1;
            }
            return format!("{}×10{}", self.number(m, 2), superscript(e));
        }
        let decimals = if a != 0.0 && a < 0.5 * 10f64.powi(-(decimals as i32)) {
            (1 - a.log10().floor() as i32).max(0) as usize
        } else {
            decimals
        };
        let s = format!("{:.*}", decimals, x);
        let s = if s.contains('.') && !fixed {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        };
        let s = match s.strip_prefix('-') {
            Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => rest.to_string(),
            _ => s,
        };
        let (sign, s) = match s.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", s.as_str()),
        };
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        let mut grouped = String::new();
        if int.len() >= self.number.group_min && !self.number.group.is_empty() {
            for (i, ch) in int.chars().enumerate() {
                if i > 0 && (int.len() - i) % 3 == 0 {
                    grouped.push_str(&self.number.group);
                }
                grouped.push(ch);
            }
        } else {
            grouped.push_str(int);
        }
        if frac.is_empty() {
            format!("{sign}{grouped}")
        } else {
            format!("{sign}{grouped}{}{frac}", self.number.decimal)
        }
    }
}

/// An exponent in superscript digits: `-12` → `⁻¹²`.
pub fn superscript(e: i32) -> String {
    e.to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })
        .collect()
}

/// The packs of every configured language, by code.
#[derive(Debug, Clone)]
pub struct Packs {
    pub by_lang: BTreeMap<String, LanguagePack>,
}

impl Packs {
    pub fn get(&self, lang: &str) -> &LanguagePack {
        // Load guarantees a pack per configured language.
        &self.by_lang[lang]
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The built-in pack of `lang` (zh or en).
    pub(crate) fn pack(lang: &str) -> LanguagePack {
        let text = match lang {
            "zh" => include_str!("../../templates/i18n/zh.yaml"),
            _ => include_str!("../../templates/i18n/en.yaml"),
        };
        serde_yaml::from_str(text).unwrap()
    }

    pub(crate) fn builtin_packs() -> Packs {
        Packs {
            by_lang: ["zh", "en"]
                .into_iter()
                .map(|l| (l.to_string(), pack(l)))
                .collect(),
        }
    }

    #[test]
    fn numbers_group_and_trim() {
        let en = pack("en");
        assert_eq!(en.number(1000.0, 2), "1,000");
        assert_eq!(en.number(1_234_567.891, 2), "1,234,567.89");
        assert_eq!(en.number(12.000000000000002, 2), "12");
        assert_eq!(en.number(0.5, 2), "0.5");
        // Non-zero never rounds to 0: two significant digits where the decimals are too few.
        assert_eq!(en.number(-0.001, 2), "-0.001");
        assert_eq!(en.number(0.000_001, 2), "0.000001");
        assert_eq!(en.number(0.000_001_234, 2), "0.0000012");
        assert_eq!(en.number(0.004, 2), "0.004");
        assert_eq!(en.number(0.006, 2), "0.01");
        assert_eq!(en.number(0.0, 2), "0");
        assert_eq!(en.number(1e-300, 2), "1×10⁻³⁰⁰");
        assert_eq!(en.number(-2.5e300, 2), "-2.5×10³⁰⁰");
        assert_eq!(en.number(9.999e20, 2), "1×10²¹");
        assert_eq!(en.number(15_700_000_000.0, 6), "15,700,000,000");
        let zh = pack("zh");
        assert_eq!(zh.number(1130.0, 2), "1130");
    }
}
