//! The sources a data file defines: printed in the report (a section), outside (publisher,
//! title, date, address) or derived (from other sources, by a stated method). Each is checked
//! for the keys its kind takes.

use serde_yaml::{Mapping, Value as Yaml};

use crate::check::data::SetCheck;
use crate::input::config::{check_localized, valid_date};
use crate::model::data::{Provenance, Source};
use crate::model::text::Localized;

impl SetCheck<'_> {
    /// The sources the file defines under `sources:` (or, for `content/sources.yaml`, at its
    /// top level), one for each key, valid or not, so that the indexes of the keys after it
    /// hold.
    pub(super) fn sources(&mut self) -> Vec<Source> {
        let p = self.parsed;
        let ids: Vec<String> = p
            .raw
            .sources
            .keys()
            .filter_map(Yaml::as_str)
            .map(String::from)
            .collect();
        let shared_file = self.prefix.is_empty();
        let mut out = Vec::new();
        for (key, value) in &p.raw.sources {
            let Some(name) = key.as_str() else { continue };
            let path = format!("{}{name}", self.prefix);
            if !shared_file && let Some((_, at)) = self.shared.keys.get(name) {
                let mut d = p
                    .key_error(
                        &path,
                        format!("source `{name}` of this file shadows the shared source `{name}` ({at})"),
                    )
                    .help("this file's rows and derivations use its own; delete it here to use the shared one, or rename one of them");
                d.severity = crate::diag::Severity::Warning;
                self.warnings.push(d);
            }
            let provenance = self.source(value, &path, &ids);
            match provenance {
                Some(provenance) => out.push(Source {
                    id: name.to_string(),
                    provenance,
                }),
                // Its problems are reported; the place is kept so that rows naming it are not
                // reported again as naming nothing (a file with problems is left out anyway).
                None => out.push(Source {
                    id: name.to_string(),
                    provenance: crate::model::data::Provenance::Report {
                        page: String::new(),
                        anchor: String::new(),
                    },
                }),
            }
        }
        out
    }

    /// The site index of the source `name` as this file names it: its own first, then the
    /// shared ones (a shared one is recorded as used by the file).
    pub(super) fn lookup(&mut self, name: &str, own: &[impl AsRef<str>]) -> Option<usize> {
        if let Some(k) = own.iter().position(|s| s.as_ref() == name) {
            return Some(self.base + k);
        }
        let (ix, _) = self.shared.keys.get(name)?;
        if !self.prefix.is_empty() && !self.used_shared.contains(ix) {
            self.used_shared.push(*ix);
        }
        Some(*ix)
    }

    /// `unknown source `x``, with the nearest known name and the names there are. Quiet (None)
    /// when the shared bibliography could not be read: its problems are reported already.
    pub(super) fn unknown_source(
        &self,
        path: &str,
        name: &str,
        own: &[impl AsRef<str>],
    ) -> Option<crate::diag::Diagnostic> {
        if self.shared.failed {
            return None;
        }
        let own: Vec<&str> = own.iter().map(AsRef::as_ref).collect();
        let shared = self.shared.names();
        let help =
            crate::check::bibliography::unknown_help(name, &own, &shared, self.prefix.is_empty());
        Some(
            self.parsed
                .error(path, format!("unknown source `{name}`"))
                .help(help),
        )
    }

    fn source(&mut self, v: &Yaml, path: &str, ids: &[String]) -> Option<Provenance> {
        let p = self.parsed;
        let Some(map) = v.as_mapping() else {
            self.out
                .push(p.error(path, "a source is a mapping with a `kind`").help(
                "e.g. `{kind: report, section: status#price-cuts}`, or kind `external` / `derived`",
            ));
            return None;
        };
        let kind = map.get("kind").and_then(Yaml::as_str);
        let allowed: &[&str] = match kind {
            Some("report") => &["kind", "section"],
            Some("external") => &["kind", "publisher", "title", "date", "url"],
            Some("derived") => &["kind", "from", "method"],
            other => {
                let found = other.map_or("nothing".to_string(), |k| format!("`{k}`"));
                self.out.push(
                    p.error(&format!("{path}.kind"), format!("source kind must be report, external or derived, found {found}"))
                        .help("report: printed in the report; external: an outside public source; derived: computed from other sources"),
                );
                return None;
            }
        };
        let before = self.out.len();
        for key in map.keys().filter_map(Yaml::as_str) {
            if !allowed.contains(&key) {
                self.out.push(
                    p.key_error(
                        &format!("{path}.{key}"),
                        format!("unknown key `{key}` in a source"),
                    )
                    .help(format!("this kind of source takes: {}", allowed.join(", "))),
                );
            }
        }
        let prov = match kind {
            Some("report") => self.report_source(map, path),
            Some("external") => self.external_source(map, path),
            _ => self.derived_source(map, path, ids),
        }?;
        (self.out.len() == before).then_some(prov)
    }

    /// A required key of a source, or a problem saying it is missing.
    fn need<'m>(
        &mut self,
        map: &'m Mapping,
        key: &str,
        path: &str,
        help: &str,
    ) -> Option<&'m Yaml> {
        let v = map.get(key);
        if v.is_none() {
            let d = self
                .parsed
                .error(path, format!("source has no `{key}`"))
                .help(help.to_string());
            self.out.push(d);
        }
        v
    }

    fn report_source(&mut self, map: &Mapping, path: &str) -> Option<Provenance> {
        let section = self.need(
            map,
            "section",
            path,
            "name where the report prints the figure: `section: <page>#<heading-id>`",
        )?;
        match section.as_str().and_then(|s| s.split_once('#')) {
            Some((page, anchor)) => Some(Provenance::Report {
                page: page.to_string(),
                anchor: anchor.to_string(),
            }),
            None => {
                let d = self
                    .parsed
                    .error(&format!("{path}.section"), "`section` must be `<page>#<heading-id>`")
                    .help("e.g. `section: status#price-cuts` (the page's file name, then the heading's id)");
                self.out.push(d);
                None
            }
        }
    }

    fn external_source(&mut self, map: &Mapping, path: &str) -> Option<Provenance> {
        let publisher = self.need(map, "publisher", path, "name who published the figure")?;
        let title = self.need(map, "title", path, "give the title of the page or document")?;
        let date = self.need(
            map,
            "date",
            path,
            "give the publication date, `date: \"2024-05-15\"`",
        )?;
        let publisher = self.text(publisher, &format!("{path}.publisher"));
        let title = self.text(title, &format!("{path}.title"));
        let date = match date.as_str() {
            Some(d) if valid_date(d) => Some(d.to_string()),
            _ => {
                let d = self
                    .parsed
                    .error(&format!("{path}.date"), "source `date` is not a date")
                    .help("write YYYY-MM-DD (or YYYY-MM) in quotes");
                self.out.push(d);
                None
            }
        };
        let url = match map.get("url").map(Yaml::as_str) {
            None => None,
            Some(Some(u)) if is_web_address(u) => Some(u.to_string()),
            Some(_) => {
                let d = self
                    .parsed
                    .error(
                        &format!("{path}.url"),
                        "source `url` must be an http(s) address",
                    )
                    .help("give the full address, or leave `url` out when the source has none");
                self.out.push(d);
                None
            }
        };
        Some(Provenance::External {
            publisher: publisher?,
            title: title?,
            date: date?,
            url,
            item: None,
        })
    }

    fn derived_source(&mut self, map: &Mapping, path: &str, ids: &[String]) -> Option<Provenance> {
        let p = self.parsed;
        let from = self.need(
            map,
            "from",
            path,
            "list the sources it is computed from: `from: [report_market]`",
        )?;
        let Some(items) = from.as_sequence() else {
            self.out.push(p.error(
                &format!("{path}.from"),
                "`from` must be a list of source ids",
            ));
            return None;
        };
        let mut indexes = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let name = item.as_str().unwrap_or_default();
            match self.lookup(name, ids) {
                Some(k) => indexes.push(k),
                None => {
                    let d = self.unknown_source(&format!("{path}.from.{i}"), name, ids);
                    self.out.extend(d);
                }
            }
        }
        let method = self.need(
            map,
            "method",
            path,
            "say how the value was derived, in every language",
        )?;
        let Ok(method) = serde_yaml::from_value::<Localized>(method.clone()) else {
            self.out.push(p.error(
                &format!("{path}.method"),
                "`method` must map languages to text",
            ));
            return None;
        };
        let mpath = format!("{path}.method");
        check_localized(
            &method,
            &mpath,
            self.languages,
            &p.loc,
            &p.file,
            &mut self.out,
        );
        let method = self.localized(&method, &mpath);
        Some(Provenance::Derived {
            from: indexes,
            method,
        })
    }
}

fn is_web_address(u: &str) -> bool {
    u.starts_with("https://") || u.starts_with("http://")
}
