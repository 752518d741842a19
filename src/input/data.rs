//! Data files, `content/data/<id>.yaml`, and chart specs, `content/charts/<id>.yaml`, read and
//! parsed as YAML into their raw shapes. What the values mean is checked in `check`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use serde::Deserialize;
use serde_yaml::Mapping;

use crate::diag::{Diagnostic, Problems, SourceFile};
use crate::input::files;
use crate::input::store::Store;
use crate::input::yaml::{self, Located};
use crate::model::chart::{AnnotationKind, ChartKind, Orientation, ScaleKind};
use crate::model::text::Localized;

/// A YAML file of the site, parsed, with positions for later messages.
#[derive(Debug, Clone)]
pub struct Parsed<T> {
    pub id: String,
    pub file: SourceFile,
    pub loc: Located,
    pub raw: T,
    /// Hash of the file's text.
    pub fingerprint: u64,
}

impl<T> Parsed<T> {
    /// An error at the value of a node of this file (`rows.3.source`).
    pub fn error(&self, path: &str, message: impl Into<String>) -> crate::diag::Diagnostic {
        self.loc.error(&self.file, path, message)
    }

    /// An error at the key of a node of this file.
    pub fn key_error(&self, path: &str, message: impl Into<String>) -> crate::diag::Diagnostic {
        self.loc.key_error(&self.file, path, message)
    }
}

/// A data file as written: its parts are checked one by one later, so every problem in it can
/// be reported with its position.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawData {
    pub title: Localized,
    #[serde(default)]
    pub notes: Option<Localized>,
    /// Default source id for rows without one.
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub sources: Mapping,
    pub fields: Mapping,
    pub rows: Vec<Mapping>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawAxis {
    /// Value-axis title; the unit is added from the language pack.
    #[serde(default)]
    pub title: Option<Localized>,
    #[serde(default)]
    pub scale: ScaleKind,
    /// Log scales cannot show 0: zero values go to a band with this label ("免费" / "free").
    #[serde(default)]
    pub zero_label: Option<Localized>,
    /// Where the value axis starts and ends, in the data's base units (as rows write values);
    /// either may be left out, and the axis then fits the data on that side.
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    /// Decimals of the value axis's tick labels (by default, as many as the tick step needs).
    #[serde(default)]
    pub decimals: Option<u8>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSeries {
    pub field: String,
    pub label: Localized,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAnnotation {
    pub kind: AnnotationKind,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    pub text: Localized,
}

/// A reference line or band as written: a value (`0.5`, `"<=0.5"`, `"40-45"`), or the row of
/// the chart's data that holds it (with the field, by default the chart's `value`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReference {
    #[serde(default)]
    pub value: Option<serde_yaml::Value>,
    #[serde(default)]
    pub row: Option<String>,
    #[serde(default)]
    pub field: Option<String>,
    pub label: Localized,
}

/// Dumbbells: what the first and the last dot of each row stand for.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEnds {
    pub from: Localized,
    pub to: Localized,
}

/// A chart spec as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChart {
    pub kind: ChartKind,
    pub data: String,
    pub title: Localized,
    /// The line under the title: what is measured, where and when, in which unit (the title can
    /// then state the finding).
    #[serde(default)]
    pub subtitle: Option<Localized>,
    #[serde(default)]
    pub description: Option<Localized>,
    #[serde(default)]
    pub rows: Option<Vec<String>>,
    #[serde(default)]
    pub x: Option<String>,
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub series: Vec<RawSeries>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub label: Vec<String>,
    #[serde(default)]
    pub axis: RawAxis,
    #[serde(default)]
    pub orientation: Orientation,
    #[serde(default)]
    pub step: bool,
    #[serde(default)]
    pub annotations: Vec<RawAnnotation>,
    #[serde(default)]
    pub original_source: Option<Localized>,
    #[serde(default)]
    pub references: Vec<RawReference>,
    #[serde(default)]
    pub ends: Option<RawEnds>,
}

/// The data files, by id.
pub type DataFiles = Store<Arc<Parsed<RawData>>>;
/// The chart specs, by id.
pub type ChartFiles = Store<Arc<Parsed<RawChart>>>;

/// The files of a folder a preview's last build parsed, by path: a file whose text has not
/// changed is not parsed again.
pub struct LastParsed<T> {
    files: Mutex<HashMap<String, Arc<Parsed<T>>>>,
}

impl<T> Default for LastParsed<T> {
    fn default() -> Self {
        LastParsed {
            files: Mutex::default(),
        }
    }
}

impl<T> LastParsed<T> {
    /// The file parsed from the same text, if it was.
    fn get(&self, rel: &str, fingerprint: u64) -> Option<Arc<Parsed<T>>> {
        let files = self.files.lock().ok()?;
        files
            .get(rel)
            .filter(|p| p.fingerprint == fingerprint)
            .cloned()
    }

    /// Keeps what this build parsed, and forgets files that are gone or no longer parse.
    fn keep(&self, parsed: impl Iterator<Item = (String, Arc<Parsed<T>>)>) {
        if let Ok(mut files) = self.files.lock() {
            *files = parsed.collect();
        }
    }
}

/// Every `*.yaml` file of `content/<dir>/`, parsed as `T`, by file stem. Files that cannot be
/// read or parsed are reported and recorded as failed. With `kept`, a file whose text is the
/// same as in the last build is taken from it.
pub fn load<T: serde::de::DeserializeOwned + Send + Sync>(
    root: &Path,
    dir: &str,
    kept: Option<&LastParsed<T>>,
    problems: &mut Problems,
) -> Store<Arc<Parsed<T>>> {
    // Files are read and parsed in parallel, then stored (and their problems reported) in the
    // order of their names.
    let found = files::yaml_files(root, &format!("content/{dir}"), problems);
    let parsed: Vec<(&files::Found, Result<_, Diagnostic>)> = found
        .par_iter()
        .map(|found| {
            let parsed = files::read_text(found).and_then(|file| {
                let fingerprint = files::fingerprint(&file.text);
                if let Some(p) = kept.and_then(|k| k.get(&found.rel, fingerprint)) {
                    return Ok(p);
                }
                let (raw, loc) = yaml::parse::<T>(&file, &file.text, 0)?;
                Ok(Arc::new(Parsed {
                    id: found.stem(),
                    file,
                    loc,
                    raw,
                    fingerprint,
                }))
            });
            (found, parsed)
        })
        .collect();
    if let Some(kept) = kept {
        kept.keep(
            parsed
                .iter()
                .filter_map(|(f, p)| Some((f.rel.clone(), p.as_ref().ok()?.clone()))),
        );
    }
    let mut store = Store::default();
    for (found, parsed) in parsed {
        match parsed {
            Ok(p) => store.insert(found.stem(), p),
            Err(d) => {
                problems.push(d);
                store.fail(found.stem());
            }
        }
    }
    store
}
