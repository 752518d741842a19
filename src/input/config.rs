//! The site's configuration, `content/site.yaml`: languages, per-language titles, publisher,
//! date and the optional base URL. Unknown keys and missing translations are errors.

use std::path::Path;

use crate::diag::{Diagnostic, SourceFile};
use crate::input::yaml::{self, Located};
use crate::model::config::SiteConfig;
use crate::model::text::Localized;

pub const CONFIG_PATH: &str = "content/site.yaml";

/// Loads and validates `content/site.yaml` under `root`. All problems are returned together.
pub fn load(root: &Path) -> Result<(SiteConfig, SourceFile, Located), Vec<Diagnostic>> {
    let path = root.join(CONFIG_PATH);
    let bytes = match std::fs::read(&path) {
        Ok(t) => t,
        Err(e) => {
            return Err(vec![
                Diagnostic::error(CONFIG_PATH, format!("cannot read the site configuration: {e}"))
                    .help(format!(
                        "is `{}` a yanbao site? It needs `content/site.yaml` (see README.md, \"Content layout\")",
                        root.display()
                    )),
            ]);
        }
    };
    let file = crate::input::files::text_from_bytes(CONFIG_PATH, bytes).map_err(|d| vec![d])?;
    let (config, loc) = yaml::parse::<SiteConfig>(&file, &file.text, 0).map_err(|d| vec![d])?;
    let problems = validate(&config, &loc, &file);
    if problems.is_empty() {
        Ok((config, file, loc))
    } else {
        Err(problems)
    }
}

fn validate(config: &SiteConfig, loc: &Located, file: &SourceFile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if config.languages.is_empty() {
        out.push(
            loc.error(file, "languages", "`languages` is empty")
                .help("list at least one language code, the default first: `languages: [zh, en]`"),
        );
        return out;
    }
    for (i, lang) in config.languages.iter().enumerate() {
        if !valid_language_code(lang) {
            out.push(
                loc.error(
                    file,
                    &format!("languages.{i}"),
                    format!("`{lang}` is not a language code"),
                )
                .help("use a BCP 47 code such as `zh`, `en`, `fr` or `zh-Hant`"),
            );
        }
        if config.languages[..i].contains(lang) {
            out.push(
                loc.error(
                    file,
                    &format!("languages.{i}"),
                    format!("language `{lang}` is listed twice"),
                )
                .help("list each language once"),
            );
        }
    }
    check_localized(
        &config.title,
        "title",
        &config.languages,
        loc,
        file,
        &mut out,
    );
    check_localized(
        &config.description,
        "description",
        &config.languages,
        loc,
        file,
        &mut out,
    );
    for (key, value) in [
        ("subtitle", &config.subtitle),
        ("publisher", &config.publisher),
        ("author", &config.author),
    ] {
        if let Some(v) = value {
            check_localized(v, key, &config.languages, loc, file, &mut out);
        }
    }
    for (key, value) in &config.extra {
        check_localized(
            value,
            &format!("extra.{key}"),
            &config.languages,
            loc,
            file,
            &mut out,
        );
    }
    if let Some(date) = &config.date
        && !valid_date(date)
    {
        out.push(
            loc.error(file, "date", format!("`{date}` is not a date"))
                .help("write the date as YYYY, YYYY-MM or YYYY-MM-DD, in quotes"),
        );
    }
    if let Some(url) = &config.base_url
        && let Err(why) = check_base_url(url, "base_url")
    {
        out.push(loc.error(file, "base_url", why).help(
                "give the full address where the site will live, e.g. `https://example.org/reports/ai-2024/`",
            ));
    }
    out
}

/// Every configured language present, no unknown language.
pub fn check_localized(
    value: &Localized,
    path: &str,
    languages: &[String],
    loc: &Located,
    file: &SourceFile,
    out: &mut Vec<Diagnostic>,
) {
    for lang in languages {
        if !value.contains_key(lang) {
            out.push(
                loc.error(file, path, format!("`{path}` has no `{lang}` text"))
                    .help(format!(
                        "add `{lang}: …` (every language in `languages` needs one)"
                    )),
            );
        }
    }
    for key in value.keys() {
        if !languages.contains(key) {
            out.push(
                loc.key_error(file, &format!("{path}.{key}"), format!("unknown language `{key}` in `{path}`"))
                    .help(format!(
                        "the site's languages are {}; add `{key}` to `languages` in content/site.yaml or remove this line",
                        languages.join(", ")
                    )),
            );
        }
    }
}

pub fn valid_language_code(code: &str) -> bool {
    let mut parts = code.split('-');
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_lowercase())
        && parts
            .all(|p| !p.is_empty() && p.len() <= 8 && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` naming a real month and day (no 2025-02-29, no 04-31).
pub fn valid_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, len: usize| p.len() == len && p.chars().all(|c| c.is_ascii_digit());
    match parts.as_slice() {
        [y] => num(y, 4),
        [y, m] => num(y, 4) && num(m, 2) && (1..=12).contains(&m.parse::<u32>().unwrap_or(0)),
        [y, m, d] => {
            num(y, 4)
                && num(m, 2)
                && num(d, 2)
                && (1..=12).contains(&m.parse::<u32>().unwrap_or(0))
                && (1..=days_in_month(y.parse().unwrap_or(0), m.parse().unwrap_or(0)))
                    .contains(&d.parse::<u32>().unwrap_or(0))
        }
        _ => false,
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Is `url` usable as the site's address? `name` is how the editor gave it (`base_url` in
/// site.yaml, or `--base-url`), for the message.
pub fn check_base_url(url: &str, name: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| {
            format!("`{name}` must be an absolute address starting with https:// or http://, found `{url}`")
        })?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("`{name}` `{url}` has no host name"));
    }
    if url.contains(['?', '#', ' ']) {
        return Err(format!(
            "`{name}` `{url}` must not contain `?`, `#` or spaces"
        ));
    }
    Ok(())
}

/// `--base-url` given on the command line, checked like `base_url` in site.yaml.
pub fn check_cli_base_url(url: &str) -> Result<(), Diagnostic> {
    check_base_url(url, "--base-url").map_err(|why| {
        Diagnostic::error("command line (--base-url)", why).help(
            "give the full address where the site will live, e.g. `--base-url https://example.org/reports/ai-2024/`; without it, links stay relative and the site works from any folder",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SiteConfig, Vec<Diagnostic>> {
        let file = SourceFile::new(CONFIG_PATH, text);
        let (config, loc) = yaml::parse::<SiteConfig>(&file, &file.text, 0).map_err(|d| vec![d])?;
        let problems = validate(&config, &loc, &file);
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    const OK: &str = "languages: [zh, en]\ntitle: {zh: 报告, en: Report}\ndescription: {zh: 描述, en: Description}\n";

    #[test]
    fn minimal_config_parses() {
        let c = parse(OK).unwrap();
        assert_eq!(c.default_language(), "zh");
        assert_eq!(c.base_url(), None);
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let errs = parse(&format!("{OK}titel: x\n")).unwrap_err();
        assert_eq!(
            errs[0].message,
            "unknown field `titel`, expected one of `languages`, `title`, `subtitle`, `description`, `publisher`, `author`, `date`, `base_url`, `pretty_urls`, `raw_html`, `extra`"
        );
        assert_eq!(errs[0].line, 4);
    }

    #[test]
    fn missing_translation_and_unknown_language_are_reported_together() {
        let errs = parse(
            "languages: [zh, en]\ntitle: {zh: 报告, fr: Rapport}\ndescription: {zh: a, en: b}\n",
        )
        .unwrap_err();
        let msgs: Vec<_> = errs.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "`title` has no `en` text",
                "unknown language `fr` in `title`"
            ]
        );
        assert_eq!((errs[1].line, errs[1].column), (2, 17));
    }

    #[test]
    fn base_url_is_normalised_and_checked() {
        let c = parse(&format!("{OK}base_url: https://example.org/r\n")).unwrap();
        assert_eq!(c.base_url().as_deref(), Some("https://example.org/r/"));
        assert_eq!(c.base_path(), "/r/");
        assert_eq!(parse(OK).unwrap().base_path(), "/");
        let root = parse(&format!("{OK}base_url: https://example.org\n")).unwrap();
        assert_eq!(root.base_path(), "/");
        let errs = parse(&format!("{OK}base_url: example.org\n")).unwrap_err();
        assert_eq!(
            errs[0].message,
            "`base_url` must be an absolute address starting with https:// or http://, found `example.org`"
        );
        let d = check_cli_base_url("reports/ev-2024/").unwrap_err();
        assert_eq!(
            d.message,
            "`--base-url` must be an absolute address starting with https:// or http://, found `reports/ev-2024/`"
        );
        assert!(check_cli_base_url("https://example.org/r/").is_ok());
        assert_eq!(
            check_cli_base_url("https:///r").unwrap_err().message,
            "`--base-url` `https:///r` has no host name"
        );
    }

    #[test]
    fn dates_and_codes() {
        assert!(valid_date("2025-01") && valid_date("2024-12-31") && valid_date("2024"));
        assert!(!valid_date("2024-13") && !valid_date("24-01-01") && !valid_date("2024/01"));
        assert!(valid_date("2024-02-29") && valid_date("2000-02-29"));
        assert!(!valid_date("2025-02-29") && !valid_date("1900-02-29"));
        assert!(
            !valid_date("2025-02-30") && !valid_date("2025-04-31") && !valid_date("2025-00-10")
        );
        assert!(
            valid_language_code("zh")
                && valid_language_code("zh-Hant")
                && !valid_language_code("ZH")
        );
    }
}
