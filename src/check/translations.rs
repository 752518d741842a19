//! Rules across files: every language's version of a page has the same heading ids and the same
//! figures (so the language switch lands on the same section and numbers agree), and every
//! `kind: report` source names a heading that exists.

use std::collections::{BTreeMap, HashSet};

use crate::check::doc::HeadingInfo;
use crate::check::pages::{Draft, Skeleton};
use crate::diag::{Diagnostic, Problem, Problems};
use crate::input::data::DataFiles;
use crate::input::store::Store;
use crate::model::data::{DataSet, Provenance, Source};

/// Headings and figures that one translation has and another lacks.
pub fn translations(sk: &Skeleton, problems: &mut Problems) {
    let mut by_key: BTreeMap<&str, Vec<&Draft>> = BTreeMap::new();
    for d in &sk.drafts {
        by_key.entry(d.key()).or_default().push(d);
    }
    for pages in by_key.values() {
        let Some(first) = pages.first() else { continue };
        for other in &pages[1..] {
            for (a, b) in [(first, other), (other, first)] {
                headings_have_counterparts(a, b, problems);
            }
            same_figures(sk, first, other, problems);
        }
    }
}

/// Headings pair across languages by id, never by position: a heading of `a` whose id `b` lacks
/// is an error naming both files. When the id was generated from the heading's text (which
/// differs between languages), the help proposes one explicit id for both, taking the heading at
/// the same position in `b` as the likely counterpart.
fn headings_have_counterparts(a: &Draft, b: &Draft, problems: &mut Problems) {
    let theirs: HashSet<&str> = b.outline.headings.iter().map(|h| h.id.as_str()).collect();
    let ours: HashSet<&str> = a.outline.headings.iter().map(|h| h.id.as_str()).collect();
    let other = b.src.file.path.display();
    for (i, h) in a.outline.headings.iter().enumerate() {
        if theirs.contains(h.id.as_str()) {
            continue;
        }
        // The heading at the same place over there, if it is unpaired too.
        let twin = b
            .outline
            .headings
            .get(i)
            .filter(|t| !ours.contains(t.id.as_str()) && t.level == h.level);
        let help = match (h.explicit, twin) {
            (_, Some(t)) if !h.explicit || !t.explicit => {
                let id = shared_id(h, t);
                let (line, _) = b.src.file.line_col(b.src.body_start + t.offset);
                format!(
                    "headings pair by id, and ids made from the text differ between languages: give both the same id, `{} {{#{id}}}` here and `{} {{#{id}}}` in {other} (line {line})",
                    hashes(h.level) + " " + &h.raw,
                    hashes(t.level) + " " + &t.raw,
                )
            }
            (true, _) => format!(
                "give the matching heading in {other} the same id: `{{#{}}}` (the language switch lands on it)",
                h.id
            ),
            (false, _) => format!(
                "this id is made from the heading's text; give it an explicit id (`{{#…}}`) and the matching heading in {other} the same one"
            ),
        };
        let what = if h.explicit {
            "heading"
        } else {
            "heading (id from its text)"
        };
        problems.push(
            a.src
                .error_at(
                    h.offset,
                    format!("{what} `#{}` has no counterpart in {other}", h.id),
                )
                .help(help)
                .follow_on(),
        );
    }
}

fn hashes(level: u8) -> String {
    "#".repeat(level as usize)
}

/// The id to propose for two headings that should pair: an explicit one if either has it, else
/// the one in Latin letters (short and readable in any language's URL), else this one's.
fn shared_id(a: &HeadingInfo, b: &HeadingInfo) -> String {
    let latin = |h: &HeadingInfo| h.id.is_ascii();
    [a, b]
        .into_iter()
        .find(|h| h.explicit)
        .or_else(|| [a, b].into_iter().find(|h| latin(h)))
        .map_or_else(|| a.id.clone(), |h| h.id.clone())
}

fn same_figures(sk: &Skeleton, first: &Draft, other: &Draft, problems: &mut Problems) {
    let anchors = |d: &Draft| -> Vec<String> {
        d.block_figures
            .iter()
            .flatten()
            .map(|&f| sk.figures[f].anchor.clone())
            .collect()
    };
    // A block whose spec is invalid is already reported; comparing would only repeat it.
    let all_valid = first.specs.iter().chain(&other.specs).all(Option::is_some);
    let (fa, fb) = (anchors(first), anchors(other));
    if all_valid && fa != fb {
        problems.push(
            Diagnostic::error(
                &other.src.file.path,
                format!(
                    "figures and tables differ from {}: [{}] here, [{}] there",
                    first.src.file.path.display(),
                    fb.join(", "),
                    fa.join(", ")
                ),
            )
            .help("translations must have the same chart, table and figure blocks in the same order (their numbers must agree)")
            .follow_on(),
        );
    }
}

/// `kind: report` sources name `<page>#<heading>` of the default language: both must exist.
pub fn report_sections(
    sk: &Skeleton,
    store: &DataFiles,
    sets: &Store<DataSet>,
    sources: &[Source],
    default_language: &str,
    problems: &mut Problems,
) {
    for (i, _, set) in sets.iter() {
        let Some(parsed) = store.at(i) else { continue };
        for &s in &set.sources {
            let source = &sources[s];
            let Provenance::Report { page, anchor } = &source.provenance else {
                continue;
            };
            if let Some(p) = section_problem(sk, default_language, page, anchor) {
                let path = format!("sources.{}.section", source.id);
                problems.push(parsed.error(&path, "").with(p).follow_on());
            }
        }
    }
}

/// What is wrong with a `kind: report` source's `<page>#<heading>`: the default language must
/// have the page, and the page the heading. Data files and `content/sources.yaml` share it.
pub fn section_problem(
    sk: &Skeleton,
    default_language: &str,
    page: &str,
    anchor: &str,
) -> Option<Problem> {
    let section = format!("{page}#{anchor}");
    match sk.get(default_language, page) {
        None => {
            let keys: Vec<&str> = sk
                .drafts
                .iter()
                .filter(|d| d.lang() == default_language)
                .map(|d| d.key())
                .collect();
            Some(Problem::new(
                format!("source section `{section}`: no page `{page}`"),
                format!("pages: {}", keys.join(", ")),
            ))
        }
        Some(d) if !d.anchors.contains(anchor) => {
            let ids: Vec<&str> = d.outline.headings.iter().map(|h| h.id.as_str()).collect();
            Some(Problem::new(
                format!("source section `{section}`: `{page}` has no heading `#{anchor}`"),
                format!("headings there: {}", ids.join(", ")),
            ))
        }
        Some(_) => None,
    }
}
