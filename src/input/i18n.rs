//! Per-language UI strings and number/unit formats. yanbao ships complete packs for `zh` and
//! `en`; a site's `templates/i18n/<lang>.yaml` holds only what it changes or adds (a new unit, a
//! reworded string) and is laid over the built-in pack. A language yanbao has no pack for needs a
//! complete file. Every pack must end up with the same strings and units.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::diag::{Diagnostic, SourceFile};
use crate::input::yaml::{self, Located};
use crate::model::lang::{LanguagePack, NumberFormat, Packs, Qualifiers, UnitFormat};

/// Built-in packs, compiled in from the repository's `templates/i18n/`.
pub const BUILTIN: &[(&str, &str)] = &[
    ("zh", include_str!("../../templates/i18n/zh.yaml")),
    ("en", include_str!("../../templates/i18n/en.yaml")),
];

/// A site's language file: every key optional, laid over the built-in pack key by key (a unit
/// given here replaces the built-in unit of that name as a whole).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFile {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    html_lang: Option<String>,
    #[serde(default)]
    og_locale: Option<String>,
    #[serde(default)]
    smart_punctuation: Option<bool>,
    #[serde(default)]
    number: Option<NumberFile>,
    #[serde(default)]
    range: Option<String>,
    #[serde(default)]
    qualifiers: Option<QualifiersFile>,
    #[serde(default)]
    units: BTreeMap<String, UnitFormat>,
    #[serde(default)]
    strings: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NumberFile {
    #[serde(default)]
    decimal: Option<String>,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    group_min: Option<usize>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct QualifiersFile {
    #[serde(default)]
    more: Option<String>,
    #[serde(default)]
    less: Option<String>,
    #[serde(default)]
    at_most: Option<String>,
    #[serde(default)]
    about: Option<String>,
}

/// The built-in pack of a language, if yanbao has one. Each is parsed once per process: a build
/// asks for English up to three times, and a preview asks again on every rebuild.
pub fn builtin(lang: &str) -> Option<LanguagePack> {
    static PARSED: [OnceLock<Option<LanguagePack>>; BUILTIN.len()] =
        [const { OnceLock::new() }; BUILTIN.len()];
    let i = BUILTIN.iter().position(|(l, _)| *l == lang)?;
    PARSED[i]
        .get_or_init(|| serde_yaml::from_str(BUILTIN[i].1).ok())
        .clone()
}

/// A pack being assembled, with the file it came from (if the site has one) for messages.
struct Loaded {
    lang: String,
    pack: LanguagePack,
    file: Option<(SourceFile, Located)>,
    /// Has yanbao a built-in pack for this language (so the file only overrides)?
    has_builtin: bool,
}

impl Loaded {
    fn rel(&self) -> String {
        pack_path(&self.lang)
    }

    /// An error at `path` in the site's file, or naming the file when there is none.
    fn error(&self, path: &str, key: bool, message: String) -> Diagnostic {
        match &self.file {
            Some((file, loc)) if key => loc.key_error(file, path, message),
            Some((file, loc)) => loc.error(file, path, message),
            None => Diagnostic::error(self.rel(), message),
        }
    }
}

/// Where a site's own UI strings for `lang` live.
pub fn pack_path(lang: &str) -> String {
    format!("templates/i18n/{lang}.yaml")
}

/// Loads one pack per language: the built-in pack with the site's `templates/i18n/<lang>.yaml`
/// laid over it, or the site's file alone for a language yanbao has no pack for. Such a file
/// may lack built-in UI strings (added by a newer yanbao, or not translated yet): they are taken
/// from the English pack, with a warning (the second value) that lists them.
pub fn load(
    root: &Path,
    languages: &[String],
) -> Result<(Packs, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let mut loaded: Vec<Loaded> = Vec::new();
    for lang in languages {
        let rel = pack_path(lang);
        let path = root.join(&rel);
        let base = builtin(lang);
        let file = if path.is_file() {
            let bytes = match std::fs::read(&path) {
                Ok(b) => b,
                Err(e) => {
                    problems.push(Diagnostic::error(
                        &rel,
                        format!("cannot read UI strings: {e}"),
                    ));
                    continue;
                }
            };
            match crate::input::files::text_from_bytes(&rel, bytes) {
                Ok(f) => Some(f),
                Err(d) => {
                    problems.push(d);
                    continue;
                }
            }
        } else {
            None
        };
        let (over, file) = match file {
            Some(file) => match yaml::parse::<Option<PackFile>>(&file, &file.text, 0) {
                Ok((over, loc)) => (over.unwrap_or_default(), Some((file, loc))),
                Err(d) => {
                    problems.push(d);
                    continue;
                }
            },
            None if base.is_some() => (PackFile::default(), None),
            None => {
                problems.push(
                    Diagnostic::error(&rel, format!("no UI strings for language `{lang}`")).help(format!(
                        "yanbao has built-in packs for zh and en only; create {rel} with every key: start from a copy of yanbao's templates/i18n/en.yaml and translate it"
                    )),
                );
                continue;
            }
        };
        let mut l = Loaded {
            lang: lang.clone(),
            has_builtin: base.is_some(),
            pack: base.unwrap_or_else(empty_pack),
            file,
        };
        let missing = lay_over(&mut l.pack, over);
        for key in missing {
            problems.push(l.error("", false, format!("`{key}` is missing for language `{lang}`")).help(format!(
                "`{lang}` has no built-in pack, so {} must define every key; start from a copy of yanbao's templates/i18n/en.yaml",
                l.rel()
            )));
        }
        loaded.push(l);
    }
    let warnings: Vec<Diagnostic> = loaded.iter_mut().filter_map(english_strings).collect();
    problems.extend(same_keys(&loaded));
    if problems.is_empty() {
        let packs = Packs {
            by_lang: loaded.into_iter().map(|l| (l.lang, l.pack)).collect(),
        };
        Ok((packs, warnings))
    } else {
        Err(problems)
    }
}

/// Fills the built-in UI strings a language without a built-in pack lacks with the English ones,
/// and says which.
fn english_strings(l: &mut Loaded) -> Option<Diagnostic> {
    if l.has_builtin {
        return None;
    }
    let en = builtin("en")?;
    let missing: Vec<String> = en
        .strings
        .keys()
        .filter(|k| !l.pack.strings.contains_key(*k))
        .cloned()
        .collect();
    let first = missing.first()?;
    let n = missing.len();
    let list = if n > 8 {
        format!("{} and {} more", missing[..8].join(", "), n - 8)
    } else {
        missing.join(", ")
    };
    let what = if n == 1 {
        format!("UI string `{first}` is missing")
    } else {
        format!("{n} UI strings are missing ({list})")
    };
    let d = l
        .error("strings", true, format!("{what} for language `{}`; its pages show them in English", l.lang))
        .as_warning()
        .help(format!(
            "add them under `strings:` in {} (yanbao's templates/i18n/en.yaml has every key; `yanbao init --templates` copies it)",
            l.rel()
        ));
    for k in missing {
        if let Some(v) = en.strings.get(&k) {
            l.pack.strings.insert(k, v.clone());
        }
    }
    Some(d)
}

/// A pack with nothing in it, for a language without a built-in pack (its file fills it).
fn empty_pack() -> LanguagePack {
    LanguagePack {
        name: String::new(),
        html_lang: None,
        og_locale: None,
        smart_punctuation: false,
        number: NumberFormat {
            decimal: String::new(),
            group: String::new(),
            group_min: 4,
        },
        range: String::new(),
        qualifiers: Qualifiers {
            more: String::new(),
            less: String::new(),
            at_most: String::new(),
            about: String::new(),
        },
        units: BTreeMap::new(),
        strings: BTreeMap::new(),
    }
}

/// Lays the site's file over `pack`. For a pack that started empty, returns the required keys
/// the file did not give (strings and units are compared across packs afterwards).
fn lay_over(pack: &mut LanguagePack, over: PackFile) -> Vec<&'static str> {
    let complete_before = !pack.name.is_empty();
    let mut missing = Vec::new();
    let mut need = |given: bool, key: &'static str| {
        if !given && !complete_before {
            missing.push(key);
        }
    };
    need(over.name.is_some(), "name");
    if let Some(v) = over.name {
        pack.name = v;
    }
    if over.html_lang.is_some() {
        pack.html_lang = over.html_lang;
    }
    if over.og_locale.is_some() {
        pack.og_locale = over.og_locale;
    }
    if let Some(v) = over.smart_punctuation {
        pack.smart_punctuation = v;
    }
    let number = over.number.unwrap_or_default();
    need(number.decimal.is_some(), "number.decimal");
    need(number.group.is_some(), "number.group");
    if let Some(v) = number.decimal {
        pack.number.decimal = v;
    }
    if let Some(v) = number.group {
        pack.number.group = v;
    }
    if let Some(v) = number.group_min {
        pack.number.group_min = v;
    }
    need(over.range.is_some(), "range");
    if let Some(v) = over.range {
        pack.range = v;
    }
    let q = over.qualifiers.unwrap_or_default();
    for (given, key, slot) in [
        (q.more, "qualifiers.more", &mut pack.qualifiers.more),
        (q.less, "qualifiers.less", &mut pack.qualifiers.less),
        (
            q.at_most,
            "qualifiers.at_most",
            &mut pack.qualifiers.at_most,
        ),
        (q.about, "qualifiers.about", &mut pack.qualifiers.about),
    ] {
        need(given.is_some(), key);
        if let Some(v) = given {
            *slot = v;
        }
    }
    pack.units.extend(over.units);
    pack.strings.extend(over.strings);
    missing
}

/// Every pack must have every string and unit any pack (or the built-in English pack) has, and
/// every unit pattern must say where the number goes.
fn same_keys(loaded: &[Loaded]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let en = builtin("en");
    let mut string_keys: BTreeSet<&str> = BTreeSet::new();
    let mut unit_keys: BTreeSet<&str> = BTreeSet::new();
    if let Some(en) = &en {
        string_keys.extend(en.strings.keys().map(String::as_str));
        unit_keys.extend(en.units.keys().map(String::as_str));
    }
    for l in loaded {
        string_keys.extend(l.pack.strings.keys().map(String::as_str));
        unit_keys.extend(l.pack.units.keys().map(String::as_str));
    }
    // Why a language needs a key it lacks, for the help.
    let why = |l: &Loaded, key: &str, strings: bool| -> String {
        if !l.has_builtin {
            return format!(
                "`{}` has no built-in pack, so its file must define every key (start from a copy of yanbao's templates/i18n/en.yaml)",
                l.lang
            );
        }
        let langs: Vec<&str> = loaded
            .iter()
            .filter(|o| {
                if strings {
                    o.pack.strings.contains_key(key)
                } else {
                    o.pack.units.contains_key(key)
                }
            })
            .map(|o| o.lang.as_str())
            .collect();
        format!(
            "it is defined for {}, and every language needs it",
            langs.join(", ")
        )
    };
    for l in loaded {
        let lang = &l.lang;
        let rel = l.rel();
        for key in &string_keys {
            if !l.pack.strings.contains_key(*key) {
                problems.push(
                    l.error(
                        "strings",
                        true,
                        format!("UI string `{key}` is missing for language `{lang}`"),
                    )
                    .help(format!(
                        "add `{key}: …` under `strings:` in {rel}: {}",
                        why(l, key, true)
                    )),
                );
            }
        }
        for key in &unit_keys {
            if !l.pack.units.contains_key(*key) {
                problems.push(
                    l.error(
                        "units",
                        true,
                        format!("unit `{key}` is missing for language `{lang}`"),
                    )
                    .help(format!(
                        "add a `{key}:` format under `units:` in {rel}: {}",
                        why(l, key, false)
                    )),
                );
            }
        }
        for (key, unit) in &l.pack.units {
            let mut patterns = vec![("pattern", &unit.pattern)];
            patterns.extend(unit.steps.iter().map(|s| ("steps.pattern", &s.pattern)));
            for (what, p) in patterns {
                if !p.contains("{n}") {
                    problems.push(
                        l.error(
                            &format!("units.{key}.pattern"),
                            false,
                            format!("unit `{key}`: {what} `{p}` has no `{{n}}`"),
                        )
                        .help("put `{n}` where the number goes, e.g. \"{n}元\""),
                    );
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin(lang: &str) -> LanguagePack {
        super::builtin(lang).unwrap()
    }

    fn site_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates/i18n")).unwrap();
        for (lang, text) in files {
            std::fs::write(dir.path().join(format!("templates/i18n/{lang}.yaml")), text).unwrap();
        }
        dir
    }

    fn langs(l: &[&str]) -> Vec<String> {
        l.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn builtin_packs_parse_and_agree_on_keys() {
        // Parsed as a site's file would be: a key given twice is an error, not a silent override.
        for (lang, text) in BUILTIN {
            let file = crate::diag::SourceFile::new(format!("templates/i18n/{lang}.yaml"), *text);
            if let Err(d) = yaml::parse::<PackFile>(&file, text, 0) {
                panic!("{d}");
            }
        }
        let zh = builtin("zh");
        let en = builtin("en");
        let zk: Vec<_> = zh.strings.keys().collect();
        let ek: Vec<_> = en.strings.keys().collect();
        assert_eq!(zk, ek);
        assert_eq!(
            zh.units.keys().collect::<Vec<_>>(),
            en.units.keys().collect::<Vec<_>>()
        );
    }

    #[test]
    fn every_string_the_code_asks_for_exists() {
        let en = builtin("en");
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        for entry in walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(|e| e.ok())
        {
            if entry.path().extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).unwrap();
            for pat in ["string(\"", "t(\""] {
                for (i, _) in text.match_indices(pat) {
                    // Whole identifiers only: a call named `get` is not a call named `t`.
                    if text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                        continue;
                    }
                    let rest = &text[i + pat.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    if key.chars().all(|c| c.is_ascii_lowercase() || c == '_') && !key.is_empty() {
                        assert!(
                            en.strings.contains_key(key),
                            "UI string `{key}` is used but not defined"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn an_override_holds_only_what_it_changes_or_adds() {
        let dir = site_with(&[
            (
                "en",
                "units:\n  vehicles: {pattern: \"{n} vehicles\", one: \"{n} vehicle\"}\n  percent: {pattern: \"{n} pc\"}\nstrings:\n  next: Onwards\n",
            ),
            ("zh", "units:\n  vehicles: {pattern: \"{n}辆\"}\n"),
        ]);
        let (packs, _) = load(dir.path(), &langs(&["zh", "en"])).unwrap();
        let en = packs.get("en");
        assert_eq!(en.string("next"), "Onwards");
        assert_eq!(en.string("previous"), "Previous", "the rest is built in");
        assert_eq!(en.units["vehicles"].one.as_deref(), Some("{n} vehicle"));
        // A unit given in the file replaces the built-in one as a whole.
        assert_eq!(en.units["percent"].pattern, "{n} pc");
        assert_eq!(en.units["percent"].decimals, 2);
        assert!(en.units.contains_key("cny"));
        assert_eq!(packs.get("zh").string("next"), "下一章");
    }

    #[test]
    fn a_unit_added_for_one_language_is_missing_in_the_other() {
        let dir = site_with(&[("en", "units:\n  vehicles: {pattern: \"{n} vehicles\"}\n")]);
        let errs = load(dir.path(), &langs(&["zh", "en"])).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(
            errs[0].message,
            "unit `vehicles` is missing for language `zh`"
        );
        assert_eq!(errs[0].path, Path::new("templates/i18n/zh.yaml"));
        assert_eq!(
            errs[0].help.as_deref(),
            Some(
                "add a `vehicles:` format under `units:` in templates/i18n/zh.yaml: it is defined for en, and every language needs it"
            )
        );
    }

    #[test]
    fn a_new_language_needs_its_formats_and_borrows_missing_strings_from_english() {
        let fr = BUILTIN[1]
            .1
            .replace("  next: Next\n", "")
            .replace("range: \"{lo}–{hi}\"\n", "");
        let dir = site_with(&[("fr", &fr)]);
        let errs = load(dir.path(), &langs(&["zh", "fr"])).unwrap_err();
        let msgs: Vec<_> = errs.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(msgs, ["`range` is missing for language `fr`"]);

        let fr = BUILTIN[1].1.replace("  next: Next\n", "");
        let dir = site_with(&[("fr", &fr)]);
        let (packs, warnings) = load(dir.path(), &langs(&["zh", "fr"])).unwrap();
        assert_eq!(packs.get("fr").string("next"), "Next");
        assert_eq!(warnings.len(), 1);
        let w = &warnings[0];
        assert!(!w.is_error());
        assert_eq!(
            w.message,
            "UI string `next` is missing for language `fr`; its pages show them in English"
        );
        assert!(w.line > 0);
        assert_eq!(
            w.help.as_deref(),
            Some(
                "add them under `strings:` in templates/i18n/fr.yaml (yanbao's templates/i18n/en.yaml has every key; `yanbao init --templates` copies it)"
            )
        );
    }

    #[test]
    fn overrides_are_checked_for_unknown_keys_and_patterns() {
        let dir = site_with(&[("en", "strngs:\n  next: x\n")]);
        let errs = load(dir.path(), &langs(&["en"])).unwrap_err();
        assert!(
            errs[0].message.starts_with("unknown field `strngs`"),
            "{}",
            errs[0].message
        );
        assert_eq!((errs[0].line, errs[0].column), (1, 1));
        let dir = site_with(&[("en", "units:\n  cny: {pattern: \"CNY\"}\n")]);
        let errs = load(dir.path(), &langs(&["en"])).unwrap_err();
        assert_eq!(errs[0].message, "unit `cny`: pattern `CNY` has no `{n}`");
        assert_eq!(errs[0].line, 2);
        // An empty file changes nothing.
        let dir = site_with(&[("en", "# nothing to change yet\n")]);
        assert_eq!(
            load(dir.path(), &langs(&["en"]))
                .unwrap()
                .0
                .get("en")
                .string("next"),
            "Next"
        );
    }

    #[test]
    fn unknown_language_without_pack_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let errs = load(dir.path(), &langs(&["zh", "fr"])).unwrap_err();
        assert_eq!(errs[0].message, "no UI strings for language `fr`");
    }
}
