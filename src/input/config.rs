//! The site's configuration, `content/site.yaml`: languages, per-language titles, publisher,
//! date and the optional base URL. Unknown keys and missing translations are errors.

use std::path::Path;

use crate::diag::{Diagnostic, Problem, SourceFile};
use crate::input::yaml::{self, Located};
use crate::model::config::{LICENSES, License, Names, SiteConfig, StyleChoice};
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
    let (config, loc) = from_file(&file)?;
    Ok((config, file, loc))
}

/// The configuration in `file`, validated, with the texts of unlisted languages left out.
fn from_file(file: &SourceFile) -> Result<(SiteConfig, Located), Vec<Diagnostic>> {
    let (mut config, loc) = yaml::parse::<SiteConfig>(file, &file.text, 0).map_err(|d| vec![d])?;
    let problems = validate(&config, &loc, file);
    if problems.is_empty() {
        listed_only(&mut config);
        Ok((config, loc))
    } else {
        Err(problems)
    }
}

/// The site's texts in its listed languages only (see [`check_localized`]).
fn listed_only(config: &mut SiteConfig) {
    let languages = config.languages.clone();
    let keep = |m: &mut Localized| retain_listed(m, &languages);
    keep(&mut config.title);
    keep(&mut config.description);
    for m in [
        &mut config.subtitle,
        &mut config.publisher,
        &mut config.author,
    ]
    .into_iter()
    .flatten()
    {
        keep(m);
    }
    config.extra.values_mut().for_each(keep);
    for a in &mut config.authors {
        for names in std::iter::once(&mut a.name).chain(a.affiliation.as_mut()) {
            if let Names::PerLang(m) = names {
                keep(m);
            }
        }
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
    check_publication(config, loc, file, &mut out);
    check_citation_style(config, loc, file, &mut out);
    if let Some(url) = &config.base_url
        && let Err(why) = check_base_url(url, "base_url")
    {
        out.push(loc.error(file, "base_url", why).help(
                "give the full address where the site will live, e.g. `https://example.org/reports/ai-2024/`",
            ));
    }
    out
}

/// `citation_style`: a style the citation engine bundles, for every language or per language.
fn check_citation_style(
    config: &SiteConfig,
    loc: &Located,
    file: &SourceFile,
    out: &mut Vec<Diagnostic>,
) {
    let styles: Vec<(String, &String)> = match &config.citation_style {
        None => return,
        Some(StyleChoice::All(s)) => vec![("citation_style".into(), s)],
        Some(StyleChoice::PerLang(m)) => {
            for lang in m.keys().filter(|l| !config.languages.contains(l)) {
                out.push(
                    loc.key_error(
                        file,
                        &format!("citation_style.{lang}"),
                        format!("unknown language `{lang}` in `citation_style`"),
                    )
                    .help(format!(
                        "the site's languages are {}; a language left out keeps its default style",
                        config.languages.join(", ")
                    )),
                );
            }
            m.iter()
                .map(|(l, s)| (format!("citation_style.{l}"), s))
                .collect()
        }
    };
    for (path, style) in styles {
        if !crate::model::cite::known_style(style) {
            out.push(
                loc.error(file, &path, format!("`{style}` is not a citation style yanbao knows"))
                    .help(format!(
                        "use the name of a CSL style bundled with the citation engine, e.g. {}; or one per language: `citation_style: {{zh: gb-7714-2015-numeric, en: apa}}`",
                        crate::model::cite::STYLE_EXAMPLES
                    )),
            );
        }
    }
}

/// Dates, authors, licence and identifiers of the publication.
fn check_publication(
    config: &SiteConfig,
    loc: &Located,
    file: &SourceFile,
    out: &mut Vec<Diagnostic>,
) {
    // `date` is the older name of `published`: errors name the key the file uses.
    let published_key = if loc.has("published") {
        "published"
    } else {
        "date"
    };
    for (key, value) in [
        (published_key, &config.published),
        ("updated", &config.updated),
    ] {
        if let Some(date) = value
            && !valid_date(date)
        {
            out.push(
                loc.error(file, key, format!("`{date}` is not a date"))
                    .help("write the date as YYYY, YYYY-MM or YYYY-MM-DD, in quotes"),
            );
        }
    }
    if let (Some(p), Some(u)) = (&config.published, &config.updated)
        && valid_date(p)
        && valid_date(u)
        && u.as_str() < p.as_str()
    {
        out.push(
            loc.error(file, "updated", format!("`updated` ({u}) is before `published` ({p})"))
                .help("`updated` is the date of the latest revision; it cannot come before the first publication"),
        );
    }
    if config
        .version
        .as_deref()
        .is_some_and(|v| v.trim().is_empty())
    {
        out.push(
            loc.error(file, "version", "`version` is empty")
                .help("write the edition (`\"1.0\"`) or remove the line"),
        );
    }
    for (i, a) in config.authors.iter().enumerate() {
        for (key, names) in [
            ("name", Some(&a.name)),
            ("affiliation", a.affiliation.as_ref()),
        ] {
            let path = format!("authors.{i}.{key}");
            match names {
                Some(Names::PerLang(m)) => check_localized(m, &path, &config.languages, loc, file, out),
                Some(Names::Same(s)) if s.trim().is_empty() => out.push(
                    loc.error(file, &path, format!("`{path}` is empty"))
                        .help("write the name, once (`name: 张三`) or per language (`name: {zh: 张三, en: Zhang San}`)"),
                ),
                _ => {}
            }
        }
        if let Some(orcid) = &a.orcid
            && !valid_orcid(orcid)
        {
            out.push(
                loc.error(file, &format!("authors.{i}.orcid"), format!("`{orcid}` is not an ORCID iD"))
                    .help("write the 16-character iD as ORCID shows it, e.g. `0000-0002-1825-0097` (without https://orcid.org/); its last character is a check digit"),
            );
        }
    }
    if let Some(license) = &config.license {
        let key = if matches!(license, License::Full { .. }) {
            "license.id"
        } else {
            "license"
        };
        let id = license.id();
        let known = LICENSES.iter().any(|(k, _)| *k == id);
        let custom = id.starts_with("LicenseRef-") && id.len() > "LicenseRef-".len();
        if let Some((k, _)) = LICENSES
            .iter()
            .find(|(k, _)| !known && k.eq_ignore_ascii_case(id))
        {
            out.push(
                loc.error(file, key, format!("`{id}` is not an SPDX licence id"))
                    .help(format!("SPDX ids are written `{k}`")),
            );
        } else if !known && !custom {
            out.push(
                loc.error(file, key, format!("`{id}` is not a licence yanbao knows"))
                    .help(format!(
                        "use an SPDX id ({}), or `LicenseRef-<name>` with its `url`: `license: {{id: LicenseRef-own, url: https://…}}`",
                        LICENSES.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
                    )),
            );
        } else if custom && license.url().is_none() {
            out.push(
                loc.error(file, key, format!("licence `{id}` has no `url`"))
                    .help(format!(
                        "readers need to find its terms: `license: {{id: {id}, url: https://…}}`"
                    )),
            );
        }
        if let License::Full { url: Some(u), .. } = license
            && !(u.starts_with("https://") || u.starts_with("http://"))
        {
            out.push(
                loc.error(file, "license.url", format!("`{u}` is not a web address"))
                    .help("give the full address of the licence text, starting with https://"),
            );
        }
    }
    if let Some(doi) = &config.doi
        && !valid_doi(doi)
    {
        out.push(
            loc.error(file, "doi", format!("`{doi}` is not a DOI"))
                .help("write the DOI itself, `10.` then the registrant, `/` and the suffix (`10.5281/zenodo.1234567`), without https://doi.org/"),
        );
    }
    if let Some(isbn) = &config.isbn
        && !valid_isbn(isbn)
    {
        out.push(
            loc.error(file, "isbn", format!("`{isbn}` is not an ISBN"))
                .help("write the ISBN-13 (or ISBN-10) with its check digit, hyphens allowed: `978-7-111-12345-3`"),
        );
    }
}

/// `0000-0002-1825-0097`: four groups of four, the last character an ISO 7064 11,2 check digit.
pub fn valid_orcid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    if groups.len() != 4 || groups.iter().any(|g| g.len() != 4) {
        return false;
    }
    let chars: Vec<char> = groups.concat().chars().collect();
    if !chars[..15].iter().all(char::is_ascii_digit) {
        return false;
    }
    let total = chars[..15]
        .iter()
        .fold(0u32, |t, c| (t + c.to_digit(10).unwrap_or(0)) * 2);
    let check = (12 - total % 11) % 11;
    let expected = if check == 10 {
        'X'
    } else {
        char::from_digit(check, 10).unwrap_or('?')
    };
    chars[15] == expected
}

/// `10.<registrant>/<suffix>`.
pub fn valid_doi(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("10.") else {
        return false;
    };
    let Some((registrant, suffix)) = rest.split_once('/') else {
        return false;
    };
    !registrant.is_empty()
        && registrant.chars().all(|c| c.is_ascii_digit() || c == '.')
        && !suffix.is_empty()
        && !suffix.chars().any(char::is_whitespace)
}

/// An ISBN-13 or ISBN-10 (hyphens or spaces between groups) with a right check digit.
pub fn valid_isbn(s: &str) -> bool {
    let chars: Vec<char> = s.chars().filter(|c| *c != '-' && *c != ' ').collect();
    let digit = |c: &char| c.to_digit(10);
    match chars.len() {
        13 if chars.iter().all(char::is_ascii_digit) => {
            let sum: u32 = chars
                .iter()
                .enumerate()
                .map(|(i, c)| digit(c).unwrap_or(0) * if i % 2 == 0 { 1 } else { 3 })
                .sum();
            sum.is_multiple_of(10)
        }
        10 if chars[..9].iter().all(char::is_ascii_digit)
            && (chars[9].is_ascii_digit() || chars[9] == 'X') =>
        {
            let sum: u32 = chars
                .iter()
                .enumerate()
                .map(|(i, c)| (10 - i as u32) * if *c == 'X' { 10 } else { digit(c).unwrap_or(0) })
                .sum();
            sum.is_multiple_of(11)
        }
        _ => false,
    }
}

/// The rule for every per-language text: the default language (the first in `languages`) is
/// required; another listed language may be missing (its pages show the default language's text,
/// and `check` reports the coverage); a key that is a language code but not listed yet is allowed
/// (a translation can be written before its language is published) and left out of the site.
pub fn check_localized(
    value: &Localized,
    path: &str,
    languages: &[String],
    loc: &Located,
    file: &SourceFile,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(default) = languages.first()
        && !value.contains_key(default)
    {
        out.push(
            loc.error(file, path, format!("`{path}` has no `{default}` text"))
                .help(format!(
                    "add `{default}: …`: the default language (the first in `languages`) needs every text; other languages fall back to it"
                )),
        );
    }
    for key in value.keys() {
        if let Some(problem) = language_key_problem(key, languages) {
            out.push(
                loc.key_error(file, &format!("{path}.{key}"), problem.message)
                    .help(problem.help),
            );
        }
    }
}

/// What is wrong with `key` as a language key of a text: nothing for a listed language or any
/// other well-formed code (a translation not published yet).
pub fn language_key_problem(key: &str, languages: &[String]) -> Option<Problem> {
    (!languages.iter().any(|l| l == key) && !valid_language_code(key)).then(|| {
        Problem::new(
            format!("`{key}` is not a language code"),
            format!(
                "per-language texts are keyed by language code; the site's languages are {}",
                languages.join(", ")
            ),
        )
    })
}

/// Drops the texts of languages that are not listed (yet): the site never shows them.
pub fn retain_listed<T>(value: &mut Localized<T>, languages: &[String]) {
    value.retain(|k, _| languages.iter().any(|l| l == k));
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
        from_file(&SourceFile::new(CONFIG_PATH, text)).map(|(c, _)| c)
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
            "unknown field `titel`, expected one of `languages`, `title`, `subtitle`, `description`, `publisher`, `author`, `date`, `published`, `updated`, `version`, `authors`, `license`, `doi`, `isbn`, `citation_style`, `base_url`, `pretty_urls`, `raw_html`, `print_edition`, `extra`"
        );
        assert_eq!(errs[0].line, 4);
    }

    #[test]
    fn missing_default_text_and_a_key_that_is_no_language_are_reported_together() {
        let errs = parse(
            "languages: [zh, en]\ntitle: {en: Report, Fr: Rapport}\ndescription: {zh: a, en: b}\n",
        )
        .unwrap_err();
        let msgs: Vec<_> = errs.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            msgs,
            ["`title` has no `zh` text", "`Fr` is not a language code"]
        );
        assert_eq!((errs[1].line, errs[1].column), (2, 21));
        // Another language may lack a text (its pages show the default's), and a language not
        // listed yet may have one (kept out of the site).
        let c = parse(
            "languages: [zh, en]\ntitle: {zh: 报告, fr: Rapport}\ndescription: {zh: a, en: b}\n",
        )
        .unwrap();
        assert_eq!(c.title.keys().collect::<Vec<_>>(), ["zh"]);
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
    fn citation_styles_are_ones_the_engine_has() {
        let ok = parse(&format!("{OK}citation_style: chicago-author-date\n")).unwrap();
        assert!(
            matches!(ok.citation_style, Some(StyleChoice::All(ref s)) if s == "chicago-author-date")
        );
        let per = parse(&format!("{OK}citation_style: {{en: ieee}}\n")).unwrap();
        assert!(
            matches!(per.citation_style, Some(StyleChoice::PerLang(ref m)) if m["en"] == "ieee")
        );
        let errs = |extra: &str| -> Vec<(String, usize, usize)> {
            parse(&format!("{OK}{extra}"))
                .unwrap_err()
                .into_iter()
                .map(|d| (d.message, d.line, d.column))
                .collect()
        };
        assert_eq!(
            errs("citation_style: apa7\n"),
            [(
                "`apa7` is not a citation style yanbao knows".to_string(),
                4,
                17
            )]
        );
        assert_eq!(
            errs("citation_style: {zh: gb7714, fr: apa}\n"),
            [
                (
                    "unknown language `fr` in `citation_style`".to_string(),
                    4,
                    30
                ),
                (
                    "`gb7714` is not a citation style yanbao knows".to_string(),
                    4,
                    22
                ),
            ]
        );
        let d = &parse(&format!("{OK}citation_style: apa7\n")).unwrap_err()[0];
        assert!(
            d.help.as_deref().unwrap_or("").contains(
                "gb-7714-2015-numeric, gb-7714-2015-author-date, apa, chicago-author-date"
            ),
            "{d:?}"
        );
    }

    #[test]
    fn publication_metadata_is_checked_where_it_is_written() {
        let good = format!(
            "{OK}published: \"2024-11-02\"\nupdated: \"2025-01\"\nversion: \"1.1\"\nauthors:\n  - {{name: {{zh: 张三, en: Zhang San}}, affiliation: Example Institute, orcid: 0000-0002-1825-0097}}\n  - name: Li Si\nlicense: CC-BY-4.0\ndoi: 10.5281/zenodo.1234567\nisbn: 978-7-111-12345-3\n"
        );
        let c = parse(&good).unwrap();
        assert_eq!(c.published.as_deref(), Some("2024-11-02"));
        assert_eq!(c.authors[0].name.get("en", "zh"), "Zhang San");
        assert_eq!(c.authors[1].name.get("zh", "zh"), "Li Si");
        assert_eq!(
            c.license.as_ref().and_then(|l| l.url()),
            Some("https://creativecommons.org/licenses/by/4.0/")
        );
        // `date` is still read, as the older name of `published`.
        let old = parse(&format!("{OK}date: \"2025-01\"\n")).unwrap();
        assert_eq!(old.published.as_deref(), Some("2025-01"));
        let errs = |extra: &str| -> Vec<(String, usize, usize)> {
            parse(&format!("{OK}{extra}"))
                .unwrap_err()
                .into_iter()
                .map(|d| (d.message, d.line, d.column))
                .collect()
        };
        let m = |s: &str, l: usize, c: usize| vec![(s.to_string(), l, c)];
        assert_eq!(
            errs("published: \"2024-02-30\"\n"),
            m("`2024-02-30` is not a date", 4, 12)
        );
        assert_eq!(errs("date: 2024/05\n"), m("`2024/05` is not a date", 4, 7));
        assert_eq!(
            errs("published: \"2025-03\"\nupdated: \"2024-12-01\"\n"),
            m(
                "`updated` (2024-12-01) is before `published` (2025-03)",
                5,
                10
            )
        );
        assert_eq!(
            errs("license: CC-BY-4\n"),
            m("`CC-BY-4` is not a licence yanbao knows", 4, 10)
        );
        assert_eq!(
            errs("license: cc-by-4.0\n"),
            m("`cc-by-4.0` is not an SPDX licence id", 4, 10)
        );
        assert_eq!(
            errs("license: {id: LicenseRef-house}\n"),
            m("licence `LicenseRef-house` has no `url`", 4, 15)
        );
        assert!(
            parse(&format!(
                "{OK}license: {{id: LicenseRef-house, url: https://example.org/terms}}\n"
            ))
            .is_ok()
        );
        assert_eq!(
            errs("authors:\n  - name: A\n    orcid: 0000-0002-1825-0098\n"),
            m("`0000-0002-1825-0098` is not an ORCID iD", 6, 12)
        );
        assert_eq!(
            errs("authors:\n  - name: {en: Zhang San}\n"),
            m("`authors.0.name` has no `zh` text", 5, 11)
        );
        assert_eq!(
            errs("doi: https://doi.org/10.1/x\n"),
            m("`https://doi.org/10.1/x` is not a DOI", 4, 6)
        );
        assert_eq!(
            errs("isbn: 978-7-111-12345-7\n"),
            m("`978-7-111-12345-7` is not an ISBN", 4, 7)
        );
        assert!(
            valid_isbn("0-306-40615-2")
                && valid_isbn("9780306406157")
                && !valid_isbn("0-306-40615-3")
        );
        assert!(valid_orcid("0000-0002-1694-233X") && !valid_orcid("0000-0002-1694-2330"));
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
