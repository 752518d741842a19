//! Reading the site's files into their raw shapes: configuration, language packs, pages,
//! data files, chart specs, templates and static assets. Syntax errors are reported here with
//! their positions; what the contents mean is checked in `check`.

pub mod assets;
pub mod bibliography;
pub mod config;
pub mod content;
pub mod data;
pub mod files;
pub mod i18n;
pub mod lock;
pub mod store;
pub mod templates;
pub mod yaml;

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Mutex;

use crate::diag::{Diagnostic, Error, Problems, Result, SourceFile};
use crate::model::config::SiteConfig;
use crate::model::lang::Packs;

/// Everything read for one build.
pub struct Inputs {
    pub config: SiteConfig,
    pub config_file: SourceFile,
    pub config_loc: yaml::Located,
    pub packs: Packs,
    pub pages: content::Pages,
    pub data: data::DataFiles,
    /// `content/sources.yaml` and `content/sources.json`: the shared sources.
    pub bibliography: bibliography::Bibliography,
    pub charts: data::ChartFiles,
    /// None when a template has errors (they are in the problems).
    pub templates: Option<std::sync::Arc<tera::Tera>>,
    /// Hash of the templates' sources, for a preview's cache.
    pub templates_hash: u64,
    /// Static files by output path.
    pub assets: BTreeMap<String, Vec<u8>>,
    /// `content/translations.lock`, when there is one.
    pub lock: Option<lock::Lock>,
}

/// How to read the site.
pub struct Read<'a> {
    pub root: &'a Path,
    /// Replaces `base_url` of site.yaml.
    pub base_url: Option<&'a str>,
    pub drafts: bool,
    /// How templates escape values (HTML).
    pub escape: tera::EscapeFn,
    /// What a preview read in its previous build, reused where the files did not change.
    pub memo: Option<&'a Memo>,
}

/// What a preview keeps from one build's reading for the next: parsed pages, data files and
/// chart specs, compiled templates, the configuration and the UI string packs.
#[derive(Default)]
pub struct Memo {
    pub pages: content::Parsed,
    pub templates: templates::Compiled,
    pub data: data::LastParsed<data::RawData>,
    pub charts: data::LastParsed<data::RawChart>,
    config: ByBytes<(SiteConfig, SourceFile, yaml::Located)>,
    packs: ByBytes<(Packs, Vec<Diagnostic>)>,
}

/// What a preview's last build made from a few small files, with a hash of their paths and
/// bytes: the next build takes it again while they are the same (a file that fails is read again).
struct ByBytes<T>(Mutex<Option<(u64, T)>>);

impl<T> Default for ByBytes<T> {
    fn default() -> Self {
        ByBytes(Mutex::default())
    }
}

impl<T: Clone> ByBytes<T> {
    /// The value kept for the files `rels` of `root`, or the one `make` makes from them now.
    fn get_or<E>(
        memo: Option<&Self>,
        root: &Path,
        rels: &[String],
        make: impl FnOnce() -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let Some(memo) = memo else {
            return make();
        };
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for rel in rels {
            (rel, std::fs::read(root.join(rel)).ok()).hash(&mut h);
        }
        let key = h.finish();
        if let Ok(kept) = memo.0.lock()
            && let Some((k, value)) = kept.as_ref()
            && *k == key
        {
            return Ok(value.clone());
        }
        let value = make()?;
        if let Ok(mut kept) = memo.0.lock() {
            *kept = Some((key, value.clone()));
        }
        Ok(value)
    }
}

/// Reads every input. A broken configuration or language pack stops here (nothing else can be
/// read without them); other problems are collected and reading goes on.
pub fn load(r: &Read, problems: &mut Problems) -> Result<Inputs> {
    // Three strands that need nothing of each other run at once: the templates compile, the
    // data files, bibliography and charts are parsed, and the configuration and language packs
    // are read, then the content they govern. (The data files used to wait for the
    // configuration and packs: 2-3 ms of the bundled report's 12-14 ms of reading.)
    let compiled = r.memo.map(|m| &m.templates);
    let (templates, (files, governed)) = rayon::join(
        || templates::load(r.root, r.escape, compiled),
        || rayon::join(|| data_files(r), || governed(r)),
    );
    let (files, files_problems) = files;
    let (governed, governed_problems) = governed?;
    // Problems are sorted when they are reported; here they are only gathered.
    problems.extend(governed_problems.into_vec());
    problems.extend(files_problems.into_vec());
    let (templates, templates_hash) = match templates {
        Ok((t, h)) => (Some(t), h),
        Err(d) => {
            problems.extend(d);
            (None, 0)
        }
    };
    Ok(Inputs {
        config: governed.config,
        config_file: governed.config_file,
        config_loc: governed.config_loc,
        packs: governed.packs,
        pages: governed.pages,
        data: files.data,
        bibliography: files.bibliography,
        charts: files.charts,
        templates,
        templates_hash,
        assets: governed.assets,
        lock: governed.lock,
    })
}

/// The data files, the bibliography and the chart specs: none needs the configuration.
struct DataFiles {
    data: data::DataFiles,
    bibliography: bibliography::Bibliography,
    charts: data::ChartFiles,
}

fn data_files(r: &Read) -> (DataFiles, Problems) {
    let mut problems = Problems::default();
    let files = DataFiles {
        data: data::load(r.root, "data", r.memo.map(|m| &m.data), &mut problems),
        bibliography: bibliography::load(r.root, &mut problems),
        charts: data::load(r.root, "charts", r.memo.map(|m| &m.charts), &mut problems),
    };
    (files, problems)
}

/// The configuration, the language packs, and what they govern: the chapters (their languages
/// and folders), the static files and the translation lock.
struct Governed {
    config: SiteConfig,
    config_file: SourceFile,
    config_loc: yaml::Located,
    packs: Packs,
    pages: content::Pages,
    assets: BTreeMap<String, Vec<u8>>,
    lock: Option<lock::Lock>,
}

fn governed(r: &Read) -> Result<(Governed, Problems)> {
    let mut problems = Problems::default();
    let (mut config, config_file, config_loc) = ByBytes::get_or(
        r.memo.map(|m| &m.config),
        r.root,
        &[config::CONFIG_PATH.to_string()],
        || config::load(r.root),
    )
    .map_err(Error::content)?;
    if let Some(url) = r.base_url {
        config::check_cli_base_url(url).map_err(|d| Error::content(vec![d]))?;
        config.base_url = Some(url.to_string());
    }
    let pack_files: Vec<String> = config
        .languages
        .iter()
        .map(|l| i18n::pack_path(l))
        .collect();
    let (packs, pack_warnings) =
        ByBytes::get_or(r.memo.map(|m| &m.packs), r.root, &pack_files, || {
            i18n::load(r.root, &config.languages)
        })
        .map_err(Error::content)?;
    problems.extend(pack_warnings);
    let parsed = r.memo.map(|m| &m.pages);
    let pages = content::load(r.root, &config, &packs, r.drafts, parsed, &mut problems);
    let assets = assets::load(r.root, &mut problems);
    let lock = lock::load(r.root).unwrap_or_else(|d| {
        problems.push(d);
        None
    });
    let governed = Governed {
        config,
        config_file,
        config_loc,
        packs,
        pages,
        assets,
        lock,
    };
    Ok((governed, problems))
}
