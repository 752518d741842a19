//! The share card: one 1200×630 page per language (brand, title, subtitle, the home page's first
//! three headline figures, publisher and date) that `yanbao pdf` photographs with Chromium into
//! `share-<lang>.png` at the site root, the picture link previews show (`og:image`). Only a build
//! that writes PDFs renders the card, and the PDF step removes it once photographed.

use crate::diag::Diagnostic;
use crate::model::site::Site;
use crate::render::context::{self, PageCtx};
use crate::render::cx::Cx;
use crate::render::{RenderedPage, Renderer};

/// The card's size in CSS pixels, as link previews want it (1.91:1).
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 630;

/// Where the card page is staged for its photograph (beside the print edition, whose links it
/// shares).
pub fn card_path(lang: &str) -> String {
    format!("{}share-card.html", super::print::print_dir(lang))
}

/// The image of a language's card, at the site root.
pub fn image_name(lang: &str) -> String {
    format!("share-{lang}.png")
}

/// The absolute address pages announce as `og:image`: only with PDFs (the image exists) and a
/// base URL (link previews need an absolute one).
pub fn image_url(site: &Site, pdfs: bool, lang: &str) -> Option<String> {
    if !pdfs {
        return None;
    }
    site.absolute(&image_name(lang))
}

/// With PDFs but no base URL, the share images are written and no page can announce them: the
/// warning that says so and how to fix it.
pub fn unannounced(site: &Site, pdfs: bool) -> Option<Diagnostic> {
    (pdfs && site.config.base_url().is_none()).then(|| {
        Diagnostic::warning(
            crate::input::config::CONFIG_PATH,
            "the share images (share-<lang>.png) are written, but pages can announce them to link previews (og:image) only at an absolute address",
        )
        .help("set `base_url` in content/site.yaml, or pass --base-url")
    })
}

impl Renderer<'_> {
    /// The share card of a language.
    pub fn share_card(&self, lang: &str) -> Result<RenderedPage, Diagnostic> {
        let site = self.site;
        let path = card_path(lang);
        let prefix = "../".repeat(path.matches('/').count());
        let mut ctx = self.base_context(lang, (&prefix, None), None)?;
        let mut cx = Cx::new(site, lang, &prefix);
        let figures: Vec<context::KeyFigure> = site
            .home(lang)
            .or_else(|| site.home(site.default_language()))
            .map(|home| {
                home.front
                    .key_figures
                    .iter()
                    .take(3)
                    .map(|r| context::key_figure(&mut cx, r))
                    .collect()
            })
            .unwrap_or_default();
        ctx.insert("key_figures", &figures);
        ctx.insert("width", &WIDTH);
        ctx.insert("height", &HEIGHT);
        let title = site.string_in(&site.config.title, lang);
        let page = PageCtx::generated(
            "share",
            title,
            site.string_in(&site.config.description, lang),
            None,
        );
        self.render_generated("share.html", path, ctx, &page)
    }
}
