//! yanbao turns a research report written as Markdown chapters and YAML data into a bilingual
//! static website with charts drawn at build time.
//!
//! Data flows one way, and the folders say so: `input` reads files into raw shapes, `check`
//! applies every rule and produces the checked site (`model`), `render` turns it into pages,
//! `emit` makes the other files (downloads, search index, sitemap), `output` writes them
//! atomically. `pipeline` is the one place these phases are sequenced; [`build`], [`check`] and
//! [`serve`] are the entry points, and `main.rs` only parses arguments and prints.

mod cache;
mod charts;
mod check;
mod diag;
mod emit;
mod input;
mod markup;
mod model;
mod output;
mod pdf;
mod pipeline;
mod render;
mod scaffold;
mod serve;
#[cfg(test)]
mod testing;
mod timings;

use std::collections::BTreeMap;
use std::time::Instant;

pub use diag::{Diagnostic, Error, Result, Severity};
pub use pipeline::{Options, Report};
pub use render::Mode;
pub use scaffold::{copy_builtins as init_templates, init, new_chapter, translated};
pub use serve::{Preview, Session, serve, start as start_preview};

/// A built site in memory: output path → bytes, plus the warnings.
#[derive(Debug, Clone, Default)]
pub struct Built {
    pub files: BTreeMap<String, output::Blob>,
    pub warnings: Vec<Diagnostic>,
    pub pages: usize,
    /// A preview's search index and print editions, made when first asked for.
    pub deferred: Option<std::sync::Arc<pipeline::Deferred>>,
}

impl Built {
    /// The file at `path`, deferred ones included (made now if they were not yet).
    pub fn get(&self, path: &str) -> Result<Option<output::Blob>> {
        if let Some(bytes) = self.files.get(path) {
            return Ok(Some(bytes.clone()));
        }
        match &self.deferred {
            Some(d) => d.get(path),
            None => Ok(None),
        }
    }

    /// Makes the deferred files now, so `files` holds all that a build writes.
    pub fn complete(&mut self) -> Result<()> {
        if let Some(d) = self.deferred.take() {
            self.files.extend(d.all()?);
        }
        Ok(())
    }
}

/// Builds the site and writes it to `opts.output` (only if everything succeeded). Pages go to
/// a staging folder as they render, which replaces the output at the end.
pub fn build(opts: &Options) -> Result<Report> {
    let start = Instant::now();
    // Not a site (a typo in --root): say so before any folder is created.
    if !opts.root.join(input::config::CONFIG_PATH).is_file() {
        pipeline::check(opts)?;
    }
    let staging = output::Staging::begin(&opts.output, &opts.root)?;
    match pipeline::run(opts, Mode::Build, None, &staging) {
        Ok(mut r) => {
            let unchanged = staging.unchanged();
            r.warnings.extend(staging.finish()?);
            Ok(Report {
                unchanged,
                ..report(r, opts, start)
            })
        }
        Err(e) => {
            staging.abort();
            Err(e)
        }
    }
}

/// Builds the site like [`build`], and prints each language's print edition to
/// `report-<lang>.pdf` at its root with headless Chromium (found on PATH or named by
/// `YANBAO_CHROMIUM`), with the share image of link previews, `share-<lang>.png`. Without a working Chromium nothing is written.
pub fn pdf(opts: &Options) -> Result<Report> {
    let start = Instant::now();
    let (r, printed) = pdf::build(opts)?;
    let mut report = report(r, opts, start);
    report.pdfs = printed.pdfs;
    report.share_images = printed.share_images;
    Ok(report)
}

/// Runs every check of a build (broken links are errors here) without rendering or writing.
pub fn check(opts: &Options) -> Result<Report> {
    let start = Instant::now();
    let r = pipeline::check(opts)?;
    Ok(report(r, opts, start))
}

/// The whole build without writing: every output file in memory, or every problem found.
pub fn build_in_memory(opts: &Options, mode: Mode) -> Result<Built> {
    let sink = output::Memory::default();
    let r = pipeline::run(opts, mode, None, &sink)?;
    Ok(Built {
        files: sink.into_files(),
        warnings: r.warnings,
        pages: r.pages,
        deferred: r.deferred,
    })
}

/// The terms the search index holds for a text, and those a query for it looks up (the same
/// rules as `static/search.js`, which a test checks).
pub fn search_tokens(text: &str) -> (Vec<String>, Vec<String>) {
    (
        emit::search::index_tokens(text),
        emit::search::query_tokens(text),
    )
}

fn report(r: pipeline::Rendered, opts: &Options, start: Instant) -> Report {
    Report {
        pages: r.pages,
        files: r.files,
        unchanged: None,
        warnings: r.warnings,
        output: opts.output.clone(),
        elapsed: start.elapsed(),
        pdfs: Vec::new(),
        share_images: Vec::new(),
        coverage: r.coverage,
    }
}
