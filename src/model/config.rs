//! The site's configuration (`content/site.yaml`) as a type: languages, per-language texts,
//! publication details, base URL. Reading and checking the file is `input::config`'s job.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::text::Localized;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// Language codes; the first is the default language served at the site root.
    pub languages: Vec<String>,
    pub title: Localized,
    #[serde(default)]
    pub subtitle: Option<Localized>,
    pub description: Localized,
    #[serde(default)]
    pub publisher: Option<Localized>,
    /// The report's corporate author (a team, an institute); `authors` names people.
    #[serde(default)]
    pub author: Option<Localized>,
    /// First publication, `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (`date` is the older name).
    #[serde(default, alias = "date")]
    pub published: Option<String>,
    /// Last revision, in the same form; not before `published`.
    #[serde(default)]
    pub updated: Option<String>,
    /// The edition, as written ("1.2", "2024 edition").
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub authors: Vec<Author>,
    #[serde(default)]
    pub license: Option<License>,
    /// `10.1234/abcd`, without `https://doi.org/`.
    #[serde(default)]
    pub doi: Option<String>,
    #[serde(default)]
    pub isbn: Option<String>,
    /// The CSL style of "cite this" blocks: one name for every language, or one per language
    /// (a language left out keeps its default: GB/T 7714-2015 for Chinese, APA otherwise).
    #[serde(default)]
    pub citation_style: Option<StyleChoice>,
    /// Absolute URL where the site will live; enables canonical links and the sitemap.
    #[serde(default)]
    pub base_url: Option<String>,
    /// Links end in `/` instead of `/index.html`. Nicer addresses, but the site then needs a web
    /// server (it no longer works opened from the file system).
    #[serde(default)]
    pub pretty_urls: bool,
    /// What to do with scripts, event handlers and `javascript:` links in raw HTML written in
    /// Markdown: `allow`, `warn` (the default), `strip` (removed by a sanitizer) or `forbid`
    /// (any raw HTML is an error).
    #[serde(default)]
    pub raw_html: RawHtml,
    /// Whether the build makes the print edition (the whole report on one page, what
    /// `yanbao pdf` prints): `auto` (the default) for a report of at most
    /// [`PRINT_EDITION_AUTO_MAX`] chapters per language, `always` or `never`.
    #[serde(default)]
    pub print_edition: PrintEdition,
    /// Free-form strings handed to templates as `site.extra`.
    #[serde(default)]
    pub extra: BTreeMap<String, Localized>,
}

/// A person who wrote the report.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Author {
    pub name: Names,
    #[serde(default)]
    pub affiliation: Option<Names>,
    /// `0000-0002-1825-0097`, without `https://orcid.org/`.
    #[serde(default)]
    pub orcid: Option<String>,
}

/// A name written once for every language, or per language.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Names {
    Same(String),
    PerLang(Localized),
}

impl Names {
    /// The name in `lang`, else in `fallback`.
    pub fn get<'a>(&'a self, lang: &str, fallback: &str) -> &'a str {
        match self {
            Names::Same(s) => s,
            Names::PerLang(m) => m
                .get(lang)
                .or_else(|| m.get(fallback))
                .map_or("", String::as_str),
        }
    }
}

/// A citation style for every language, or per language.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum StyleChoice {
    All(String),
    PerLang(Localized),
}

/// The licence of the report and its data: an SPDX id, and where to read it.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum License {
    Id(String),
    Full {
        id: String,
        #[serde(default)]
        url: Option<String>,
    },
}

/// Licences yanbao knows the address of (SPDX ids). Others are written `LicenseRef-…` with a
/// `url`.
pub const LICENSES: &[(&str, &str)] = &[
    ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"),
    (
        "CC-BY-SA-4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    (
        "CC-BY-NC-4.0",
        "https://creativecommons.org/licenses/by-nc/4.0/",
    ),
    (
        "CC-BY-NC-SA-4.0",
        "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    ),
    (
        "CC-BY-ND-4.0",
        "https://creativecommons.org/licenses/by-nd/4.0/",
    ),
    (
        "CC-BY-NC-ND-4.0",
        "https://creativecommons.org/licenses/by-nc-nd/4.0/",
    ),
    ("CC-BY-3.0", "https://creativecommons.org/licenses/by/3.0/"),
    (
        "CC-BY-SA-3.0",
        "https://creativecommons.org/licenses/by-sa/3.0/",
    ),
    (
        "CC0-1.0",
        "https://creativecommons.org/publicdomain/zero/1.0/",
    ),
    ("ODC-By-1.0", "https://opendatacommons.org/licenses/by/1-0/"),
    ("ODbL-1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
    ("PDDL-1.0", "https://opendatacommons.org/licenses/pddl/1-0/"),
    ("MIT", "https://opensource.org/license/mit/"),
    ("Apache-2.0", "https://www.apache.org/licenses/LICENSE-2.0"),
];

impl License {
    pub fn id(&self) -> &str {
        match self {
            License::Id(id) | License::Full { id, .. } => id,
        }
    }

    /// The given address, else the known one of the id.
    pub fn url(&self) -> Option<&str> {
        match self {
            License::Full { url: Some(u), .. } => Some(u),
            _ => LICENSES
                .iter()
                .find(|(id, _)| *id == self.id())
                .map(|(_, u)| *u),
        }
    }
}

/// The `raw_html` policy of `content/site.yaml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RawHtml {
    Allow,
    #[default]
    Warn,
    Strip,
    Forbid,
}

/// The `print_edition` choice of `content/site.yaml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrintEdition {
    #[default]
    Auto,
    Always,
    Never,
}

/// The most chapters (per language) for which `print_edition: auto` makes a print edition: a
/// book's length. The edition is one more copy of every chapter, on one page: at 1,000 of the
/// benchmark corpus's chapters it is a 7 MB page that prints to 3,144 pages (two minutes in
/// Chromium), and a fifth of the site's bytes.
pub const PRINT_EDITION_AUTO_MAX: usize = 300;

impl SiteConfig {
    pub fn default_language(&self) -> &str {
        &self.languages[0]
    }

    /// `base_url` normalised to end with exactly one `/`.
    pub fn base_url(&self) -> Option<String> {
        self.base_url
            .as_ref()
            .map(|u| format!("{}/", u.trim_end_matches('/')))
    }

    /// The path of `base_url` on its host (`/reports/ai-2024/`); `/` without a base URL.
    pub fn base_path(&self) -> String {
        self.base_url()
            .and_then(|u| {
                let after_scheme = u.split_once("://").map_or(u.as_str(), |(_, r)| r);
                after_scheme
                    .find('/')
                    .map(|i| after_scheme[i..].to_string())
            })
            .unwrap_or_else(|| "/".to_string())
    }
}
