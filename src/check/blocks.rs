//! yanbao's fenced blocks (` ```chart `, ` ```table `, ` ```stats `, ` ```figure `,
//! ` ```glossary `): their specs as written, parsed from the block's YAML with positions in the
//! Markdown file, and what makes each one valid.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::check::doc::BlockInfo;
use crate::check::refs::Unresolved;
use crate::diag::Diagnostic;
use crate::input::content::PageSource;
use crate::input::yaml;
use crate::model::doc::{FigureKind, FigureStatus};

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    pub data: String,
    #[serde(default)]
    pub columns: Option<Vec<String>>,
    #[serde(default)]
    pub rows: Option<Vec<String>>,
    /// Id for `{{tab:id}}`; defaults to the data file's id.
    #[serde(default)]
    pub id: Option<String>,
    /// Caption; defaults to the data file's title.
    #[serde(default)]
    pub title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsSpec {
    pub data: String,
    pub rows: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureSpec {
    #[serde(default)]
    pub id: Option<String>,
    pub title: String,
    /// `lost` or `rebuilt` for an image the source lost; absent (or `image`) with `image:`.
    #[serde(default)]
    pub status: Option<FigureStatus>,
    /// The image: a file next to the chapter (`plant.jpg`) or in static/ (`/static/plant.jpg`).
    #[serde(default)]
    pub image: Option<String>,
    /// What the image shows, for readers who cannot see it.
    #[serde(default)]
    pub alt: Option<String>,
    /// The caption line the report printed under the image ("数据来源：…").
    #[serde(default)]
    pub source: Option<String>,
}

/// An image figure's file from the site root, and its alt text as written.
pub type ImageFile<'a> = (String, &'a str);

impl FigureSpec {
    /// A figure shows its `image:` (with `alt:`), or says the source lost it (`status:`): the
    /// status, and the image's file from the site root with its alt text. `files` are the
    /// images next to the chapters, `assets` the static files, both by output path.
    pub fn image_file(
        &self,
        lang: &str,
        files: &BTreeMap<String, Vec<u8>>,
        assets: &BTreeMap<String, Vec<u8>>,
    ) -> Result<(FigureStatus, Option<ImageFile<'_>>), Unresolved> {
        let f = self;
        let status = match (f.status, &f.image) {
            (None | Some(FigureStatus::Image), Some(_)) => FigureStatus::Image,
            (Some(s @ (FigureStatus::Lost | FigureStatus::Rebuilt)), None) => s,
            (Some(_), Some(_)) => {
                return Err(Unresolved::problem(
                    "a figure with `image:` cannot be `lost` or `rebuilt`",
                    "remove `status:` to show the image, or remove `image:` if the image is lost",
                ));
            }
            (_, None) => {
                return Err(Unresolved::problem(
                    "a figure needs `image:` or `status: lost` / `status: rebuilt`",
                    "show an image with `image: plant.jpg` (next to the chapter) or `image: /static/plant.jpg`, and `alt: …`",
                ));
            }
        };
        let Some(src) = &f.image else {
            return Ok((status, None));
        };
        let Some(alt) = f.alt.as_deref().filter(|a| !a.trim().is_empty()) else {
            return Err(Unresolved::problem(
                "an image figure needs `alt:`",
                "describe what the image shows in a sentence, for readers who cannot see it (screen readers, a failed download)",
            ));
        };
        let path = match src.strip_prefix('/') {
            Some(p) if assets.contains_key(p) => p.to_string(),
            Some(p) => {
                return Err(Unresolved::problem(
                    format!("image `{src}`: no file {p}"),
                    "a path starting with `/` is a file of static/: check the name, or keep the image next to the chapter and give its name",
                ));
            }
            None => {
                let file = format!("{}/{}", lang, src.trim_start_matches("./"));
                if !files.contains_key(&file) {
                    return Err(Unresolved::problem(
                        format!("image `{src}`: no file content/{file}"),
                        format!(
                            "keep the image ({}) next to the chapter in content/{}/, or in static/ as `/static/…`",
                            crate::input::content::COLOCATED.join(", "),
                            lang
                        ),
                    ));
                }
                file
            }
        };
        Ok((status, Some((path, alt))))
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChartRef {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlossarySpec {
    #[serde(default = "glossary_id")]
    pub data: String,
}

fn glossary_id() -> String {
    "glossary".into()
}

#[derive(Debug, Clone, PartialEq)]
pub enum BlockSpec {
    Chart(ChartRef),
    Table(TableSpec),
    Stats(StatsSpec),
    Figure(FigureSpec),
    Glossary(GlossarySpec),
}

impl BlockSpec {
    /// Parses a block's YAML body; errors point into the Markdown file.
    pub fn parse(block: &BlockInfo, page: &PageSource) -> Result<BlockSpec, Diagnostic> {
        let file = &page.file;
        let offset = page.body_start + block.body_offset;
        let (line, _) = file.line_col(offset);
        let body = block.body.trim();
        let line_offset = line - 1;
        let text = &block.body;
        match block.kind.as_str() {
            // A bare id reads best in plain Markdown viewers: ```chart\nprice-trend\n```
            "chart" if !body.is_empty() && !body.contains(':') => Ok(BlockSpec::Chart(ChartRef {
                id: body.to_string(),
            })),
            "chart" => yaml::parse(file, text, line_offset).map(|(v, _)| BlockSpec::Chart(v)),
            "table" => yaml::parse(file, text, line_offset).map(|(v, _)| BlockSpec::Table(v)),
            "stats" => yaml::parse(file, text, line_offset).map(|(v, _)| BlockSpec::Stats(v)),
            "figure" => yaml::parse(file, text, line_offset).map(|(v, _)| BlockSpec::Figure(v)),
            "glossary" if body.is_empty() => Ok(BlockSpec::Glossary(GlossarySpec {
                data: glossary_id(),
            })),
            _ => yaml::parse(file, text, line_offset).map(|(v, _)| BlockSpec::Glossary(v)),
        }
        .map_err(|d| {
            if body.is_empty() {
                file.error_at(offset, format!("empty `{}` block", block.kind))
                    .help(block_help(&block.kind))
            } else {
                let h = d.help.clone().unwrap_or_default();
                d.help(format!(
                    "{h}{}{}",
                    if h.is_empty() { "" } else { "; " },
                    block_help(&block.kind)
                ))
            }
        })
    }

    pub fn figure_kind(&self) -> Option<FigureKind> {
        match self {
            BlockSpec::Chart(_) | BlockSpec::Figure(_) => Some(FigureKind::Figure),
            BlockSpec::Table(_) => Some(FigureKind::Table),
            _ => None,
        }
    }

    /// The id `{{fig:…}}` / `{{tab:…}}` use.
    pub fn figure_id(&self) -> Option<&str> {
        match self {
            BlockSpec::Chart(c) => Some(&c.id),
            BlockSpec::Figure(f) => f.id.as_deref(),
            BlockSpec::Table(t) => Some(t.id.as_deref().unwrap_or(&t.data)),
            _ => None,
        }
    }

    /// HTML id of the block's figure element.
    pub fn anchor(&self, number: usize) -> String {
        match (self.figure_kind(), self.figure_id()) {
            (Some(FigureKind::Table), Some(id)) => format!("tab-{id}"),
            (_, Some(id)) => format!("fig-{id}"),
            _ => format!("fig-{number}"),
        }
    }
}

fn block_help(kind: &str) -> &'static str {
    match kind {
        "chart" => "a chart block holds the chart's id: `id: price-trend`",
        "table" => {
            "a table block names a data file: `data: prices` (optional `columns: […]`, `rows: […]`)"
        }
        "stats" => {
            "a stats block names a data file and rows: `data: case_results` and `rows: [a, b]`"
        }
        "figure" => {
            "a figure block needs `title: …` and `image: file` (with `alt: …`), or `status: lost` or `status: rebuilt`"
        }
        _ => "a glossary block may name its data file: `data: glossary`",
    }
}
