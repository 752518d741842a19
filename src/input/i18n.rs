//! Per-language UI strings and number/unit formats, from `templates/i18n/<lang>.yaml`.
//! yanbao ships packs for `zh` and `en`; a site may override them or add a language by adding a
//! file, with no code change. Every pack must define the same strings and units.

use std::collections::BTreeSet;
use std::path::Path;

use crate::diag::{Diagnostic, SourceFile};
use crate::input::yaml::{self, Located};
use crate::model::lang::{LanguagePack, Packs};

/// Built-in packs, compiled in from the repository's `templates/i18n/`.
const BUILTIN: &[(&str, &str)] = &[
    ("zh", include_str!("../../templates/i18n/zh.yaml")),
    ("en", include_str!("../../templates/i18n/en.yaml")),
];

/// Loads one pack per language: the site's `templates/i18n/<lang>.yaml`, else the built-in one.
pub fn load(root: &Path, languages: &[String]) -> Result<Packs, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let mut loaded: Vec<(String, LanguagePack, SourceFile, Located)> = Vec::new();
    for lang in languages {
        let rel = format!("templates/i18n/{lang}.yaml");
        let path = root.join(&rel);
        let text = if path.is_file() {
            match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) => {
                    problems.push(Diagnostic::error(
                        &rel,
                        format!("cannot read UI strings: {e}"),
                    ));
                    continue;
                }
            }
        } else if let Some((_, t)) = BUILTIN.iter().find(|(l, _)| l == lang) {
            (*t).to_string()
        } else {
            problems.push(
                Diagnostic::error(&rel, format!("no UI strings for language `{lang}`")).help(format!(
                    "create {rel}: copy templates/i18n/en.yaml from yanbao's repository and translate its values"
                )),
            );
            continue;
        };
        let file = SourceFile::new(&rel, text);
        match yaml::parse::<LanguagePack>(&file, &file.text, 0) {
            Ok((pack, loc)) => loaded.push((lang.clone(), pack, file, loc)),
            Err(d) => problems.push(d),
        }
    }
    // Every pack must have every key any pack (or the built-in English pack) has.
    let mut string_keys: BTreeSet<String> = builtin_keys(|p| p.strings.keys().cloned().collect());
    let mut unit_keys: BTreeSet<String> = builtin_keys(|p| p.units.keys().cloned().collect());
    for (_, pack, _, _) in &loaded {
        string_keys.extend(pack.strings.keys().cloned());
        unit_keys.extend(pack.units.keys().cloned());
    }
    for (lang, pack, file, loc) in &loaded {
        for key in &string_keys {
            if !pack.strings.contains_key(key) {
                problems.push(
                    loc.key_error(
                        file,
                        "strings",
                        format!("UI string `{key}` is missing for language `{lang}`"),
                    )
                    .help(format!(
                        "add `{key}: …` under `strings:` in {}",
                        file.path.display()
                    )),
                );
            }
        }
        for key in &unit_keys {
            if !pack.units.contains_key(key) {
                problems.push(
                    loc.key_error(
                        file,
                        "units",
                        format!("unit `{key}` is missing for language `{lang}`"),
                    )
                    .help(format!(
                        "add a `{key}:` format under `units:` in {}",
                        file.path.display()
                    )),
                );
            }
        }
        for (key, unit) in &pack.units {
            let mut patterns = vec![("pattern", &unit.pattern)];
            patterns.extend(unit.steps.iter().map(|s| ("steps.pattern", &s.pattern)));
            for (what, p) in patterns {
                if !p.contains("{n}") {
                    problems.push(
                        loc.error(
                            file,
                            &format!("units.{key}.pattern"),
                            format!("unit `{key}`: {what} `{p}` has no `{{n}}`"),
                        )
                        .help("put `{n}` where the number goes, e.g. \"{n}元\""),
                    );
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(Packs {
            by_lang: loaded.into_iter().map(|(l, p, _, _)| (l, p)).collect(),
        })
    } else {
        Err(problems)
    }
}

fn builtin_keys(f: impl Fn(&LanguagePack) -> BTreeSet<String>) -> BTreeSet<String> {
    BUILTIN
        .iter()
        .find(|(l, _)| *l == "en")
        .and_then(|(_, t)| serde_yaml::from_str::<LanguagePack>(t).ok())
        .map(|p| f(&p))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin(lang: &str) -> LanguagePack {
        let text = BUILTIN.iter().find(|(l, _)| *l == lang).unwrap().1;
        serde_yaml::from_str(text).unwrap()
    }

    #[test]
    fn builtin_packs_parse_and_agree_on_keys() {
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
    fn numbers_group_and_trim() {
        let en = builtin("en");
        assert_eq!(en.number(1000.0, 2), "1,000");
        assert_eq!(en.number(1_234_567.891, 2), "1,234,567.89");
        assert_eq!(en.number(12.000000000000002, 2), "12");
        assert_eq!(en.number(0.5, 2), "0.5");
        assert_eq!(en.number(15_700_000_000.0, 6), "15,700,000,000");
        let zh = builtin("zh");
        assert_eq!(zh.number(1130.0, 2), "1130");
    }

    #[test]
    fn missing_string_in_one_language_names_key_and_language() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates/i18n")).unwrap();
        let mut en = BUILTIN[1].1.replace("  next: Next\n", "");
        assert_ne!(en, BUILTIN[1].1, "fixture must remove a key");
        en.push('\n');
        std::fs::write(dir.path().join("templates/i18n/en.yaml"), en).unwrap();
        let errs = load(dir.path(), &["zh".into(), "en".into()]).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(
            errs[0].message,
            "UI string `next` is missing for language `en`"
        );
        assert_eq!(errs[0].path, Path::new("templates/i18n/en.yaml"));
        assert!(errs[0].line > 0);
    }

    #[test]
    fn unknown_language_without_pack_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let errs = load(dir.path(), &["zh".into(), "fr".into()]).unwrap_err();
        assert_eq!(errs[0].message, "no UI strings for language `fr`");
    }
}
