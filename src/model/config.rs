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
    #[serde(default)]
    pub author: Option<Localized>,
    /// Publication date, `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[serde(default)]
    pub date: Option<String>,
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
    /// Free-form strings handed to templates as `site.extra`.
    #[serde(default)]
    pub extra: BTreeMap<String, Localized>,
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
