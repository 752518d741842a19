//! Site-wide checks that no single file can make alone: every report source points at a real
//! section, translations have the same sections and figures, and references inside data files
//! resolve. Problems are collected; the caller fails once with all of them.

use std::collections::BTreeMap;

use crate::blocks::expand_refs;
use crate::data::{Provenance, Text, TextItem, Value};
use crate::error::Diagnostic;
use crate::site::Site;

pub fn site(site: &Site, problems: &mut Vec<Diagnostic>) {
    report_sections(site, problems);
    translations(site, problems);
    data_references(site, problems);
}

/// `kind: report` sources name `<page>#<heading>`: both must exist.
fn report_sections(site: &Site, out: &mut Vec<Diagnostic>) {
    let lang = site.default_language();
    for set in site.data.sets.values() {
        for (id, p) in &set.sources {
            let Provenance::Report { section } = p else {
                continue;
            };
            let (key, anchor) = section.split_once('#').unwrap_or((section, ""));
            let path = format!("sources.{id}.section");
            match site.page(lang, key) {
                None => out.push(
                    set.error(
                        &path,
                        format!("source section `{section}`: no page `{key}`"),
                    )
                    .help(format!(
                        "pages: {}",
                        site.pages_of(lang)
                            .map(|p| p.key().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                ),
                Some(page) if !site.page_anchors(page).contains(anchor) => {
                    let anchors: Vec<String> =
                        page.scan.headings.iter().map(|h| h.id.clone()).collect();
                    out.push(
                        set.error(
                            &path,
                            format!(
                                "source section `{section}`: `{key}` has no heading `#{anchor}`"
                            ),
                        )
                        .help(format!("headings there: {}", anchors.join(", "))),
                    );
                }
                Some(_) => {}
            }
        }
    }
}

/// Every language's version of a page has the same heading ids and the same figures, so the
/// language switch lands on the same section and figure numbers agree.
fn translations(site: &Site, out: &mut Vec<Diagnostic>) {
    let mut by_key: BTreeMap<&str, Vec<&crate::site::Page>> = BTreeMap::new();
    for p in &site.pages {
        by_key.entry(p.key()).or_default().push(p);
    }
    for pages in by_key.values() {
        let Some(first) = pages.first() else { continue };
        for other in &pages[1..] {
            for (a, b) in [(first, other), (other, first)] {
                for h in &a.scan.headings {
                    if !b.scan.headings.iter().any(|x| x.id == h.id) {
                        out.push(
                            a.src
                                .file
                                .error_at(a.src.body_start + h.offset, format!("heading `#{}` has no counterpart in {}", h.id, b.src.file.path.display()))
                                .help(format!(
                                    "give the matching heading in {} the same id: `{{#{}}}` (the language switch lands on it)",
                                    b.src.file.path.display(),
                                    h.id
                                )),
                        );
                    }
                }
            }
            let figs = |p: &crate::site::Page| -> Vec<String> {
                site.numbers
                    .iter()
                    .filter(|((l, k, _), _)| l == p.lang() && k == p.key())
                    .map(|(_, n)| n.anchor.clone())
                    .collect()
            };
            let (fa, fb) = (figs(first), figs(other));
            // A block whose spec is invalid is already reported; comparing would only repeat it.
            let all_valid = first.specs.iter().chain(&other.specs).all(Option::is_some);
            if all_valid && fa != fb {
                out.push(
                    Diagnostic::error(&other.src.file.path, format!(
                        "figures and tables differ from {}: [{}] here, [{}] there",
                        first.src.file.path.display(),
                        fb.join(", "),
                        fa.join(", ")
                    ))
                    .help("translations must have the same chart, table and figure blocks in the same order (their numbers must agree)"),
                );
            }
        }
    }
}

/// `{{…}}` inside data texts, notes and derivation methods must resolve.
fn data_references(site: &Site, out: &mut Vec<Diagnostic>) {
    for set in site.data.sets.values() {
        let mut check = |text: &str, path: &str| {
            let _ = expand_refs(text, |spec| {
                if let Err((msg, help)) = site.data.resolve(spec) {
                    out.push(set.error(path, msg).help(help));
                }
                None
            });
        };
        if let Some(notes) = &set.notes {
            for (lang, t) in notes {
                check(t, &format!("notes.{lang}"));
            }
        }
        for (id, p) in &set.sources {
            if let Provenance::Derived { method, .. } = p {
                for (lang, t) in method {
                    check(t, &format!("sources.{id}.method.{lang}"));
                }
            }
        }
        for row in &set.rows {
            for (field, v) in &row.values {
                if let Value::Text(t) = v {
                    for (path, s) in texts(t, &format!("rows.{}.{field}", row.index)) {
                        check(&s, &path);
                    }
                }
            }
        }
    }
    for chart in site.charts.charts.values() {
        for (i, a) in chart.spec.annotations.iter().enumerate() {
            for (lang, t) in &a.text {
                let _ = expand_refs(t, |spec| {
                    if let Err((msg, help)) = site.data.resolve(spec) {
                        out.push(
                            chart
                                .loc
                                .error(&chart.file, &format!("annotations.{i}.text.{lang}"), msg)
                                .help(help),
                        );
                    }
                    None
                });
            }
        }
    }
}

fn texts(t: &Text, path: &str) -> Vec<(String, String)> {
    let items: Vec<(String, &TextItem)> = match t {
        Text::Same(i) => vec![(path.to_string(), i)],
        Text::PerLang(m) => m.iter().map(|(l, i)| (format!("{path}.{l}"), i)).collect(),
    };
    items
        .into_iter()
        .flat_map(|(p, i)| match i {
            TextItem::One(s) => vec![(p, s.clone())],
            TextItem::List(v) => v
                .iter()
                .enumerate()
                .map(|(k, s)| (format!("{p}.{k}"), s.clone()))
                .collect(),
        })
        .collect()
}
