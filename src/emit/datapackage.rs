//! `datapackage.json`: the site's data as a Frictionless Tabular Data Package (v1), so a data
//! desk loads every figure with one standard tool. It describes the language-neutral CSV files
//! (`data/<id>.csv`, `charts/<id>.csv`): their headers are machine names that never change with
//! the language, and they carry every language's texts side by side (`label_zh`, `label_en`).
//! The per-language CSV files are the same lines for spreadsheets, with translated headers.

use serde_json::{Value as Json, json};

use rayon::prelude::*;

use crate::emit::table::{Of, Table, Tidy};
use crate::model::data::{Provenance, Row};
use crate::model::site::Site;

/// The descriptor of the site's tables (of [`crate::emit::table::tables`]), pretty-printed.
pub fn datapackage(site: &Site, tables: &[Tidy]) -> String {
    let lang = site.default_language();
    let resources: Vec<Json> = tables
        .par_iter()
        .map(|t| {
            let path = format!("{}/{}.csv", t.of.folder(), t.of.id());
            let mut r = match t.of {
                Of::Set(set) => {
                    let mut r = resource(site, &format!("data-{}", set.id), &path, &t.table);
                    r["title"] = json!(site.localized_plain(&set.title, lang));
                    if let Some(n) = &set.notes {
                        r["description"] = json!(site.localized_plain(n, lang));
                    }
                    r
                }
                Of::Chart(chart) => {
                    let mut r = resource(site, &format!("chart-{}", chart.id), &path, &t.table);
                    r["title"] = json!(site.localized_plain(&chart.title, lang));
                    r["description"] = json!(format!(
                        "The rows and fields of data set `data-{}` that chart `{}` shows.",
                        t.set.id, chart.id
                    ));
                    r
                }
            };
            r["sources"] = json!(sources(site, &t.rows));
            r
        })
        .collect();
    let config = &site.config;
    let mut p = json!({
        "profile": "tabular-data-package",
        "name": package_name(site),
        "title": site.string_in(&config.title, lang),
        "description": site.string_in(&config.description, lang),
    });
    if let Some(base) = config.base_url() {
        p["homepage"] = json!(base);
    }
    if let Some(v) = &config.version {
        p["version"] = json!(v);
    }
    if let Some(l) = &config.license {
        p["licenses"] = json!([{"name": l.id(), "path": l.url(), "title": l.id()}]);
    }
    let mut contributors: Vec<Json> = config
        .authors
        .iter()
        .map(|a| {
            let mut c = json!({"title": a.name.get(lang, lang), "role": "author"});
            if let Some(org) = &a.affiliation {
                c["organization"] = json!(org.get(lang, lang));
            }
            if let Some(orcid) = &a.orcid {
                c["path"] = json!(format!("https://orcid.org/{orcid}"));
            }
            c
        })
        .collect();
    if let (true, Some(author)) = (config.authors.is_empty(), &config.author) {
        contributors.push(json!({"title": site.string_in(author, lang), "role": "author"}));
    }
    if let Some(publisher) = &config.publisher {
        contributors.push(json!({"title": site.string_in(publisher, lang), "role": "publisher"}));
    }
    if !contributors.is_empty() {
        p["contributors"] = json!(contributors);
    }
    p["resources"] = json!(resources);
    let mut s = serde_json::to_string_pretty(&p).unwrap_or_default();
    s.push('\n');
    s
}

/// A name as Frictionless wants it (lower case, digits, `-`, `_`, `.`): the last part of
/// `base_url`'s path, else `report`.
fn package_name(site: &Site) -> String {
    let from_url = site.config.base_url().and_then(|u| {
        let path = u.split_once("://").map_or(u.as_str(), |(_, r)| r);
        path.trim_end_matches('/')
            .rsplit('/')
            .next()
            .filter(|s| path.contains('/') && !s.is_empty())
            .map(str::to_string)
    });
    let name: String = from_url
        .unwrap_or_default()
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let name = name.trim_matches('-').to_string();
    if name.is_empty() {
        "report".to_string()
    } else {
        name
    }
}

fn resource(site: &Site, name: &str, path: &str, t: &Table) -> Json {
    let mut fields = Vec::new();
    let lang = site.default_language();
    for c in &t.columns {
        let title = c.header.get(lang).cloned().unwrap_or_default();
        let mut field = |name: String, title: String, description: String| {
            let mut f =
                json!({"name": name, "type": c.kind, "title": title, "description": description});
            if c.name == "row" {
                f["constraints"] = json!({"required": true});
            }
            fields.push(f);
        };
        if c.localized {
            for l in site.languages() {
                field(
                    format!("{}_{l}", c.name),
                    c.header.get(l).cloned().unwrap_or_default(),
                    format!("{} (in `{l}`)", c.description),
                );
            }
        } else {
            field(c.name.clone(), title, c.description.clone());
        }
    }
    json!({
        "name": name.to_lowercase(),
        "path": path,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {"fields": fields, "missingValues": [""]},
    })
}

/// The outside sources the rows rest on, directly or through a derivation, and the report
/// itself where rows come from it.
fn sources(site: &Site, rows: &[&Row]) -> Vec<Json> {
    let lang = site.default_language();
    let mut seen = std::collections::BTreeSet::new();
    let mut stack: Vec<usize> = rows.iter().filter_map(|r| r.source).collect();
    let mut out = Vec::new();
    let mut report = false;
    while let Some(s) = stack.pop() {
        if !seen.insert(s) {
            continue;
        }
        match &site.sources[s].provenance {
            Provenance::Report { .. } => report = true,
            Provenance::External {
                publisher,
                title,
                url,
                ..
            } => {
                let mut j = json!({"title": format!("{}: {}", site.text(publisher, lang), site.text(title, lang))});
                if let Some(u) = url {
                    j["path"] = json!(u);
                }
                out.push(j);
            }
            Provenance::Derived { from, .. } => stack.extend(from.iter().copied()),
        }
    }
    out.sort_by_key(|j| j["title"].as_str().unwrap_or_default().to_string());
    if report {
        let mut j = json!({"title": site.string_in(&site.config.title, lang)});
        if let Some(base) = site.config.base_url() {
            j["path"] = json!(base);
        }
        out.insert(0, j);
    }
    out
}
