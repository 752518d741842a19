//! What readers can cite, as CSL-JSON items: the report in each language and every numbered
//! figure and table. This is the one place that builds them; the citation engine
//! (`render::csl`) formats them for pages, and `emit::cite` writes the BibTeX, RIS and CSL-JSON
//! files from the same items. Also the citation style of each language and where the files go.

use serde_json::{Map, Value, json};

use crate::model::config::StyleChoice;
use crate::model::data::Provenance;
use crate::model::doc::{Block, Figure, FigureKind};
use crate::model::site::Site;

/// File stem of the report's own citation files (`zh/cite/report.bib`). Figure files are named
/// by the figure's HTML id (`fig-…`, `tab-…`), which never equals it.
pub const REPORT_STEM: &str = "report";

/// The three formats a citation is downloaded in: extension and label.
pub const FORMATS: &[(&str, &str)] = &[("bib", "BibTeX"), ("ris", "RIS"), ("json", "CSL-JSON")];

/// Where a citation file of `lang` is written, relative to the site root: `zh/cite/report.bib`.
pub fn file(lang: &str, stem: &str, ext: &str) -> String {
    format!("{lang}/cite/{stem}.{ext}")
}

/// The style a language uses when site.yaml names none: GB/T 7714-2015 (numeric) for Chinese,
/// APA for every other language.
pub fn default_style(lang: &str) -> &'static str {
    if lang == "zh" || lang.starts_with("zh-") {
        "gb-7714-2015-numeric"
    } else {
        "apa"
    }
}

/// Some style names the engine knows, for help texts.
pub const STYLE_EXAMPLES: &str = "gb-7714-2015-numeric, gb-7714-2015-author-date, apa, chicago-author-date, chicago-notes, ieee, modern-language-association, harvard-cite-them-right";

/// Is `name` a complete (independent) CSL style that the engine bundles (`apa`,
/// `chicago-author-date`, `gb-7714-2015-numeric`, …)?
pub fn known_style(name: &str) -> bool {
    use hayagriva::archive::ArchivedStyle;
    use hayagriva::citationberg::Style;
    ArchivedStyle::by_name(name).is_some_and(|s| matches!(s.get(), Style::Independent(_)))
}

/// The style of a language: site.yaml's `citation_style` (for all languages or this one), else
/// the language's default.
pub fn style_for(site: &Site, lang: &str) -> String {
    match &site.config.citation_style {
        Some(StyleChoice::All(s)) => s.clone(),
        Some(StyleChoice::PerLang(m)) => m
            .get(lang)
            .cloned()
            .unwrap_or_else(|| default_style(lang).to_string()),
        None => default_style(lang).to_string(),
    }
}

/// One citable thing of one language: its file stem and its CSL-JSON item (`id` = the stem).
#[derive(Debug, Clone, PartialEq)]
pub struct Citable {
    pub lang: String,
    pub stem: String,
    pub kind: CiteKind,
    pub item: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CiteKind {
    Report,
    Figure,
    Table,
}

/// The report and every numbered figure and table of `lang`, in reading order.
pub fn citables(site: &Site, lang: &str) -> Vec<Citable> {
    let mut out = vec![report(site, lang)];
    out.extend(
        (0..site.figures.len())
            .filter(|&ix| site.pages[site.figures[ix].page].lang == lang)
            .map(|ix| figure(site, ix)),
    );
    out
}

/// The report in `lang`: type report, its title, authors, publisher, date, version, DOI, ISBN
/// and (with a base URL) the address of the language's home page.
pub fn report(site: &Site, lang: &str) -> Citable {
    let c = &site.config;
    let mut m = common(site, lang);
    m.insert("id".into(), json!(REPORT_STEM));
    m.insert("type".into(), json!("report"));
    m.insert("title".into(), json!(site.string_in(&c.title, lang)));
    if let Some(doi) = &c.doi {
        m.insert("DOI".into(), json!(doi));
    }
    if let Some(isbn) = &c.isbn {
        m.insert("ISBN".into(), json!(isbn));
    }
    let home = site
        .home(lang)
        .map_or_else(|| format!("{lang}/"), |p| p.dir.clone());
    if let Some(url) = site.absolute(&home) {
        m.insert("URL".into(), json!(url));
    }
    Citable {
        lang: lang.to_string(),
        stem: REPORT_STEM.to_string(),
        kind: CiteKind::Report,
        item: Value::Object(m),
    }
}

/// Figure or table `ix` (of `site.figures`) in its page's language: "图 3 …" / "Figure 3 …" as
/// its title, the report as its container, its permalink as its address.
pub fn figure(site: &Site, ix: usize) -> Citable {
    let fig = &site.figures[ix];
    let page = &site.pages[fig.page];
    let lang = page.lang.as_str();
    let pack = site.packs.get(lang);
    let (word, csl_type, kind) = match fig.kind {
        FigureKind::Figure => (pack.string("figure"), "figure", CiteKind::Figure),
        FigureKind::Table => (pack.string("table"), "dataset", CiteKind::Table),
    };
    let title = figure_title(site, ix);
    let label = format!("{word} {}", fig.number);
    let title = if title.is_empty() {
        label
    } else {
        format!("{label} {title}")
    };
    let mut m = common(site, lang);
    m.insert("id".into(), json!(fig.anchor));
    m.insert("type".into(), json!(csl_type));
    m.insert("title".into(), json!(title));
    m.insert(
        "container-title".into(),
        json!(site.string_in(&site.config.title, lang)),
    );
    if let Some(url) = site.absolute(&page.dir) {
        m.insert("URL".into(), json!(format!("{url}#{}", fig.anchor)));
    }
    Citable {
        lang: lang.to_string(),
        stem: fig.anchor.clone(),
        kind,
        item: Value::Object(m),
    }
}

/// The index in `site.figures` of a figure.
pub fn figure_ix(site: &Site, fig: &Figure) -> Option<usize> {
    site.figures
        .iter()
        .position(|f| f.page == fig.page && f.anchor == fig.anchor)
}

/// The title of figure `ix` as plain text, from the block that shows it.
pub fn figure_title(site: &Site, ix: usize) -> String {
    let page = &site.pages[site.figures[ix].page];
    let lang = page.lang.as_str();
    for block in &page.blocks {
        match block {
            Block::Chart { chart, figure } if *figure == ix => {
                return site.localized_plain(&site.charts[*chart].title, lang);
            }
            Block::Table { title, figure, .. } | Block::Figure { title, figure, .. }
                if *figure == ix =>
            {
                return site.plain(title, lang);
            }
            _ => {}
        }
    }
    String::new()
}

/// Fields the report and its figures share: authors, publisher, date, version, language.
fn common(site: &Site, lang: &str) -> Map<String, Value> {
    let c = &site.config;
    let default = site.default_language();
    let mut m = Map::new();
    let publisher = c.publisher.as_ref().map(|p| site.string_in(p, lang));
    // People when named, else the corporate author, else the publisher: always someone.
    let authors: Vec<String> = if !c.authors.is_empty() {
        c.authors
            .iter()
            .map(|a| a.name.get(lang, default).to_string())
            .collect()
    } else if let Some(a) = &c.author {
        vec![site.string_in(a, lang).to_string()]
    } else {
        publisher.map(str::to_string).into_iter().collect()
    };
    // Names stay as written (`literal`): yanbao cannot tell a family name from a given one
    // (王小明, Wang Xiaoming, Jane Doe), and a wrong split is worse than none.
    let authors: Vec<Value> = authors
        .into_iter()
        .filter(|a| !a.trim().is_empty())
        .map(|a| json!({ "literal": a }))
        .collect();
    if !authors.is_empty() {
        m.insert("author".into(), Value::Array(authors));
    }
    if let Some(p) = publisher.filter(|p| !p.trim().is_empty()) {
        m.insert("publisher".into(), json!(p));
    }
    if let Some(parts) = c.published.as_deref().and_then(date_parts) {
        m.insert("issued".into(), json!({ "date-parts": [parts] }));
    }
    if let Some(v) = &c.version {
        m.insert("version".into(), json!(v));
    }
    m.insert("language".into(), json!(site.html_lang(lang)));
    m
}

/// An outside source as a CSL-JSON item in `lang` (id: the source's key), for the citation
/// engine: the entry of `content/sources.json` as the editor wrote it, or one made from a YAML
/// source (the publisher as the author, as GB/T 7714 and APA want for an organisation's page,
/// printed once; with an address it is a web page). None for the report's own and derived sources.
pub fn source_item(site: &Site, source: usize, lang: &str) -> Option<Value> {
    let s = &site.sources[source];
    let Provenance::External {
        publisher,
        title,
        date,
        url,
        item,
    } = &s.provenance
    else {
        return None;
    };
    if let Some(item) = item {
        let mut item = item.clone();
        if let Some(m) = item.as_object_mut() {
            m.insert("id".into(), json!(s.id));
        }
        return Some(item);
    }
    let publisher = site.text(publisher, lang);
    let mut m = Map::new();
    m.insert("id".into(), json!(s.id));
    m.insert(
        "type".into(),
        json!(if url.is_some() { "webpage" } else { "document" }),
    );
    m.insert("title".into(), json!(site.text(title, lang)));
    // The publisher is the author (an organisation's own page); styles print it once.
    if !publisher.trim().is_empty() {
        m.insert("author".into(), json!([{ "literal": publisher }]));
    }
    if let Some(parts) = date_parts(date) {
        m.insert("issued".into(), json!({ "date-parts": [parts] }));
    }
    if let Some(u) = url {
        m.insert("URL".into(), json!(u));
    }
    m.insert("language".into(), json!(site.html_lang(lang)));
    Some(Value::Object(m))
}

/// `2025-03-15` → `[2025, 3, 15]` (`YYYY` and `YYYY-MM` give fewer parts).
pub fn date_parts(date: &str) -> Option<Vec<u32>> {
    if date.is_empty() {
        return None;
    }
    date.split('-').map(|p| p.parse().ok()).collect()
}

/// A CSL-JSON item's text field ("" when absent).
pub fn text<'a>(item: &'a Value, key: &str) -> &'a str {
    item.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A CSL-JSON item's authors, as written.
pub fn authors(item: &Value) -> Vec<&str> {
    item.get("author")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| a.get("literal").and_then(Value::as_str))
        .collect()
}

/// A CSL-JSON item's date parts (year, month, day).
pub fn issued(item: &Value) -> Vec<u64> {
    item.pointer("/issued/date-parts/0")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_u64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::site::tests::empty_site;

    #[test]
    fn report_item_has_what_site_yaml_gives() {
        let mut site = empty_site();
        site.config = serde_yaml::from_str(
            "languages: [zh, en]\ntitle: {zh: 报告, en: Report}\ndescription: {zh: a, en: b}\npublisher: {zh: 某研究院, en: Some Institute}\npublished: \"2025-03\"\nversion: \"1.1\"\nauthors:\n  - {name: {zh: 王小明, en: Wang Xiaoming}}\n  - name: Jane Doe\ndoi: 10.5555/x\nisbn: 978-0-306-40615-7\nbase_url: https://example.org/r\n",
        )
        .unwrap();
        let r = report(&site, "en").item;
        assert_eq!(text(&r, "type"), "report");
        assert_eq!(text(&r, "title"), "Report");
        assert_eq!(authors(&r), ["Wang Xiaoming", "Jane Doe"]);
        assert_eq!(text(&r, "publisher"), "Some Institute");
        assert_eq!(issued(&r), [2025, 3]);
        assert_eq!(text(&r, "version"), "1.1");
        assert_eq!(text(&r, "DOI"), "10.5555/x");
        assert_eq!(text(&r, "ISBN"), "978-0-306-40615-7");
        assert_eq!(text(&r, "URL"), "https://example.org/r/en/");
        assert_eq!(text(&r, "language"), "en");
        assert_eq!(authors(&report(&site, "zh").item), ["王小明", "Jane Doe"]);
    }

    #[test]
    fn the_publisher_is_the_author_when_no_one_is_named() {
        let mut site = empty_site();
        site.config.publisher = Some([("zh".into(), "研究院".into())].into());
        let r = report(&site, "zh").item;
        assert_eq!(authors(&r), ["研究院"]);
        assert!(r.get("URL").is_none() && r.get("issued").is_none());
        site.config.author = Some([("zh".into(), "课题组".into())].into());
        assert_eq!(authors(&report(&site, "zh").item), ["课题组"]);
    }

    #[test]
    fn styles_per_language() {
        let mut site = empty_site();
        assert_eq!(style_for(&site, "zh"), "gb-7714-2015-numeric");
        assert_eq!(style_for(&site, "en"), "apa");
        site.config.citation_style = Some(StyleChoice::PerLang(
            [("en".into(), "chicago-author-date".into())].into(),
        ));
        assert_eq!(style_for(&site, "en"), "chicago-author-date");
        assert_eq!(style_for(&site, "zh"), "gb-7714-2015-numeric");
        assert!(known_style("apa") && known_style("gb-7714-2015-numeric"));
        assert!(!known_style("no-such-style") && !known_style(""));
        for s in STYLE_EXAMPLES.split(", ") {
            assert!(known_style(s), "{s}");
        }
        assert_eq!(date_parts("2025-03-15"), Some(vec![2025, 3, 15]));
        assert_eq!(date_parts("2025"), Some(vec![2025]));
    }
}
