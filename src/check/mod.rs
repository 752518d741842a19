//! Every rule about the site's content, in one pass over the loaded inputs: each file's own rules,
//! then everything that crosses files. What comes out is the checked [`Site`], with every
//! reference, link, block and figure number resolved, or the problems that prevent it. Rendering
//! relies on this and cannot fail on content.

pub mod bibliography;
pub mod blocks;
pub mod body;
mod chart_axis;
pub mod charts;
pub mod cite;
pub mod coverage;
pub mod cycles;
pub mod data;
pub mod doc;
pub mod html;
pub mod ids;
pub mod memo;
pub mod pages;
pub mod refs;
pub mod sources;
pub mod translations;

use std::collections::HashMap;

use crate::diag::Problems;
use crate::input::Inputs;
use crate::input::store::Store;
use crate::model::chart::Chart;
use crate::model::config::SiteConfig;
use crate::model::data::{DataSet, Source};
use crate::model::site::{Index, Site};
use crate::model::text::smart_quotes;

/// Checks everything and builds the site. Problems are collected in `problems`; the site is
/// returned only when none of them is an error.
/// With `memo` (a preview), pages unchanged since its last build are not resolved again.
pub fn run(
    inputs: &Inputs,
    strict_links: bool,
    memo: Option<&memo::Resolved>,
    problems: &mut Problems,
) -> Option<Site> {
    let config = site_texts(inputs, problems);
    let languages = &config.languages;
    // Work that needs nothing of the other runs in pairs, one on each core (on a small site this
    // phase took milliseconds a core sat out): the pages' skeleton beside the data's reference
    // targets, then the data, bibliography and charts beside the translation checks.
    let mut targets = refs::Targets {
        default_language: config.default_language().to_string(),
        ..refs::Targets::default()
    };
    let (skeleton, ()) = rayon::join(
        || gathered(|p| pages::skeleton(&inputs.pages, &config, memo, p)),
        || data::targets(&inputs.data, &mut targets),
    );
    let skeleton = skeleton.take(problems);
    for ((lang, id), &f) in &skeleton.figure_ids {
        targets
            .figures
            .insert((lang.clone(), id.clone()), skeleton.figures[f].kind);
    }
    let (checked, translation) = rayon::join(
        || gathered(|p| data_side(inputs, &targets, languages, p)),
        || {
            gathered(|p| {
                translations::translations(&skeleton, p);
                coverage::translation(inputs, &skeleton, memo, p)
            })
        },
    );
    let (shared, sets, sources, charts) = checked.take(problems);
    let translation = translation.take(problems);
    translations::report_sections(
        &skeleton,
        &inputs.data,
        &sets,
        &sources,
        config.default_language(),
        problems,
    );
    bibliography::report_sections(
        &skeleton,
        &inputs.bibliography,
        &shared,
        config.default_language(),
        problems,
    );
    let cx = body::Context {
        packs: &inputs.packs,
        shared: &shared,
        skeleton: &skeleton,
        targets: &targets,
        sets: &sets,
        charts: &charts,
        site_title: &config.title,
        strict_links,
        raw_html: config.raw_html,
        files: &inputs.pages.files,
        assets: &inputs.assets,
    };
    let pages = body::resolve_all(&cx, memo, problems);
    if problems.has_errors() {
        return None;
    }
    let (data, charts) = (sets.complete()?, charts.complete()?);
    let index = index(&data, &charts, &pages, &skeleton);
    Some(Site {
        config,
        packs: inputs.packs.clone(),
        data,
        sources,
        charts,
        pages,
        figures: skeleton.figures.clone(),
        index,
        translation,
    })
}

/// A value and the problems found making it on a strand of its own.
struct Gathered<T>(T, Problems);

impl<T> Gathered<T> {
    fn take(self, problems: &mut Problems) -> T {
        problems.extend(self.1.into_vec());
        self.0
    }
}

fn gathered<T>(make: impl FnOnce(&mut Problems) -> T) -> Gathered<T> {
    let mut problems = Problems::default();
    let value = make(&mut problems);
    Gathered(value, problems)
}

/// The bibliography, the data files and the charts, checked against the reference targets;
/// derivations and references that go round in circles are reported here.
fn data_side(
    inputs: &Inputs,
    targets: &refs::Targets,
    languages: &[String],
    problems: &mut Problems,
) -> (
    bibliography::Shared,
    Store<DataSet>,
    Vec<Source>,
    Store<Chart>,
) {
    let shared = bibliography::check(
        &inputs.bibliography,
        targets,
        &inputs.packs,
        languages,
        problems,
    );
    let (sets, sources) = data::check_all(
        &inputs.data,
        targets,
        &inputs.packs,
        languages,
        &shared,
        problems,
    );
    cycles::reference_cycles(&inputs.data, &sets, problems);
    bibliography::derivation_cycles(
        &inputs.bibliography,
        &inputs.data,
        &sets,
        &sources,
        problems,
    );
    let charts = charts::check_all(
        &inputs.charts,
        &sets,
        targets,
        &inputs.packs,
        languages,
        problems,
    );
    (shared, sets, sources, charts)
}

/// The site's own texts: shown as written (references are not expanded there), with
/// typographic quotes in languages that use them.
fn site_texts(inputs: &Inputs, problems: &mut Problems) -> SiteConfig {
    let mut config = inputs.config.clone();
    let texts = [
        ("title", Some(&mut config.title)),
        ("description", Some(&mut config.description)),
        ("subtitle", config.subtitle.as_mut()),
        ("publisher", config.publisher.as_mut()),
        ("author", config.author.as_mut()),
    ];
    for (key, texts) in texts {
        let Some(texts) = texts else { continue };
        for (lang, t) in texts.iter_mut() {
            if t.contains("{{") {
                let (l, c) = inputs.config_loc.value(&format!("{key}.{lang}"));
                problems.push(
                    inputs
                        .config_file
                        .error_at_line(l, c, format!("`{{{{…}}}}` in `{key}` is not expanded"))
                        .help("site.yaml texts are shown as written; put the figure in a chapter or the home page"),
                );
            }
            if inputs.packs.get(lang).smart_punctuation {
                *t = smart_quotes(t);
            }
        }
    }
    config
}

fn index(
    data: &[DataSet],
    charts: &[Chart],
    pages: &[std::sync::Arc<crate::model::site::Page>],
    sk: &pages::Skeleton,
) -> Index {
    let mut chapters: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
    let mut chapter_pos = HashMap::new();
    for (i, p) in pages.iter().enumerate() {
        if !p.is_home() {
            let list = chapters.entry(p.lang.clone()).or_default();
            chapter_pos.insert(i, list.len());
            list.push(i);
        }
    }
    Index {
        data: data
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id.clone(), i))
            .collect(),
        charts: charts
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect(),
        pages: sk.index.clone(),
        figures: sk.figure_ids.clone(),
        chapters,
        chapter_pos,
    }
}
