//! "Cite this" on pages: the report's citation block on each home page and, in every numbered
//! figure and table, a permalink and a folded citation, each formatted by the citation engine
//! in the language's style, with links to the BibTeX, RIS and CSL-JSON files.

use std::fmt::Write as _;

use serde::Serialize;

use crate::markup::escape;
use crate::model::cite::{self, Citable, FORMATS};
use crate::model::doc::Figure;
use crate::model::site::Site;
use crate::render::csl;
use crate::render::cx::Cx;

/// What the home page template shows under "Cite this report".
#[derive(Debug, Clone, Serialize)]
pub struct CiteCtx {
    /// The formatted citation, escaped HTML.
    pub html: String,
    /// The same as plain text.
    pub text: String,
    /// The CSL style it is formatted in (`gb-7714-2015-numeric`, `apa`).
    pub style: String,
    pub files: Vec<CiteFile>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CiteFile {
    pub label: &'static str,
    pub href: String,
}

/// A citable formatted in its language's style.
pub fn format(site: &Site, c: &Citable) -> csl::Formatted {
    let style = cite::style_for(site, &c.lang);
    let locale = csl::locale_code(&site.html_lang(&c.lang));
    csl::format_values(std::slice::from_ref(&c.item), &style, &locale)
        .remove(&c.stem)
        .unwrap_or_default()
}

/// An outside source (of `content/sources.yaml`, `.json` or a data file) formatted by the
/// citation engine in the style of `lang`: GB/T 7714-2015 for Chinese, APA for English unless
/// `citation_style` says otherwise. None for the report's own and derived sources.
pub fn source(site: &Site, source: usize, lang: &str) -> Option<csl::Formatted> {
    let item = cite::source_item(site, source, lang)?;
    let style = cite::style_for(site, lang);
    let locale = csl::locale_code(&site.html_lang(lang));
    csl::format_values(std::slice::from_ref(&item), &style, &locale)
        .remove(&site.sources[source].id)
}

/// Links from a page at `prefix` to the citation files of `c`.
fn files(site: &Site, prefix: &str, c: &Citable) -> Vec<CiteFile> {
    FORMATS
        .iter()
        .map(|(ext, label)| CiteFile {
            label,
            href: site.asset_href(prefix, &cite::file(&c.lang, &c.stem, ext)),
        })
        .collect()
}

/// The report's citation for the home page of `lang`.
pub fn report(site: &Site, lang: &str, prefix: &str) -> CiteCtx {
    let c = cite::report(site, lang);
    let f = format(site, &c);
    CiteCtx {
        html: f.html,
        text: f.text,
        style: cite::style_for(site, lang),
        files: files(site, prefix, &c),
    }
}

impl Cx<'_> {
    /// The figure's permalink, for its tools line: its own id on its page (`#fig-…`), a link to
    /// that place from elsewhere (the home page's charts).
    pub fn permalink(&self, fig: &Figure, anchor: &str) -> String {
        let href = self.figure_href(fig, anchor == fig.anchor);
        format!(
            " <a class=\"fig-link\" href=\"{}\" title=\"{}\">{}</a>",
            escape(&href),
            escape(self.t("permalink_title")),
            escape(self.t("permalink"))
        )
    }

    /// "引用" / "Cite": the figure's citation folded in `<details>`, with its files.
    pub fn cite_details(&self, fig: &Figure) -> String {
        let site = self.site;
        let Some(ix) = cite::figure_ix(site, fig) else {
            return String::new();
        };
        let c = cite::figure(site, ix);
        let f = format(site, &c);
        let mut html = format!(
            "<details class=\"fig-cite\"><summary>{}</summary><p class=\"citation\">{}</p><p class=\"cite-files\">{}{}",
            escape(self.t("cite")),
            f.html,
            escape(self.t("cite_download")),
            escape(self.t("colon")),
        );
        let links: Vec<String> = files(site, &self.prefix, &c)
            .iter()
            .map(|f| {
                format!(
                    "<a href=\"{}\" download>{}</a>",
                    escape(&f.href),
                    escape(f.label)
                )
            })
            .collect();
        let _ = write!(html, "{}</p></details>", links.join(" · "));
        html
    }
}
