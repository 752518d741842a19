//! The citation engine: CSL-JSON items (built by `model::cite`) formatted by hayagriva with the
//! official CSL styles and locales it bundles (GB/T 7714-2015 for Chinese, APA for English, any
//! other style by name). Nothing here writes a citation by hand: yanbao chooses the style and the
//! items, and turns the engine's output into escaped HTML (without inline styles, which the
//! site's Content-Security-Policy forbids) and plain text.

mod store;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use hayagriva::archive::ArchivedStyle;
use hayagriva::citationberg::json::Item;
use hayagriva::citationberg::{
    FontStyle, FontVariant, FontWeight, IndependentStyle, Locale, LocaleCode, Style,
    TextDecoration, VerticalAlign,
};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, BufWriteFormat, CitationItem, CitationRequest,
    ElemChild, ElemChildren, Formatting,
};

use crate::markup::escape;

fn independent(name: &str) -> Option<&'static IndependentStyle> {
    static STYLES: OnceLock<Mutex<BTreeMap<String, Option<&'static IndependentStyle>>>> =
        OnceLock::new();
    let mut map = unpoisoned(STYLES.get_or_init(Default::default));
    *map.entry(name.to_string()).or_insert_with(|| {
        match ArchivedStyle::by_name(name)?.get() {
            // Styles are few and live for the whole process: leaking one is cheaper than
            // reparsing it for every build of a preview.
            Style::Independent(s) => Some(&*Box::leak(Box::new(s))),
            Style::Dependent(_) => None,
        }
    })
}

/// The code of each CSL locale in hayagriva's archive (`archive::LOCALES`), in its order; a test
/// checks it against the decoded locales. Decoding all ~60 was a quarter of a small report's
/// build (the CBOR decoder formats an error for every variant it tries), while a request only
/// ever reads three: see [`locale_files`].
const LOCALE_CODES: &[&str] = &[
    "af-ZA",
    "ar",
    "bal-PK",
    "bg-BG",
    "brh-PK",
    "ca-AD",
    "cs-CZ",
    "cy-GB",
    "da-DK",
    "de-AT",
    "de-CH",
    "de-DE",
    "el-GR",
    "en-GB",
    "en-US",
    "es-CL",
    "es-ES",
    "es-MX",
    "et-EE",
    "eu",
    "fa-IR",
    "fi-FI",
    "fr-CA",
    "fr-FR",
    "gl-ES",
    "he-IL",
    "hi-IN",
    "hr-HR",
    "hu-HU",
    "hy-AM",
    "id-ID",
    "is-IS",
    "it-IT",
    "ja-JP",
    "km-KH",
    "ko-KR",
    "la",
    "lij-IT",
    "lt-LT",
    "lv-LV",
    "mn-MN",
    "ms-MY",
    "nb-NO",
    "nl-NL",
    "nn-NO",
    "pa-PK",
    "pl-PL",
    "pt-BR",
    "pt-PT",
    "ro-RO",
    "ru-RU",
    "sk-SK",
    "sl-SI",
    "sr-Cyrl-RS",
    "sr-Latn-RS",
    "sv-SE",
    "th-TH",
    "tl-PH",
    "tr-TR",
    "uk-UA",
    "vi-VN",
    "zh-CN",
    "zh-TW",
];

/// The locales a request for `code` can read: hayagriva looks up a term in the requested locale,
/// then in its language's main dialect (`de-AT` → `de-DE`), then in `en-US`. Each set is decoded
/// once per process.
fn locale_files(code: &str) -> &'static [Locale] {
    static SETS: OnceLock<Mutex<BTreeMap<String, &'static [Locale]>>> = OnceLock::new();
    let mut sets = unpoisoned(SETS.get_or_init(Default::default));
    sets.entry(code.to_string()).or_insert_with(|| {
        let code = LocaleCode(code.to_string());
        let mut wanted = vec![code.0.clone(), "en-US".to_string()];
        wanted.extend(code.fallback().map(|c| c.0));
        let set: Vec<Locale> = LOCALE_CODES
            .iter()
            .zip(hayagriva::archive::LOCALES)
            .filter(|(c, _)| wanted.iter().any(|w| w == *c))
            .filter_map(|(_, bytes)| ciborium::de::from_reader(*bytes).ok())
            .collect();
        // A set lives for the whole process, like the archive it is decoded from.
        &*Box::leak(set.into_boxed_slice())
    })
}

/// A build's use of the engine: it reads the citations kept for the site (see [`store`]) while
/// the build reads and checks the site, and keeps what the build formatted for the next one.
/// With nothing kept it decodes the default styles on that thread instead, not at the first
/// citation.
pub struct Session {
    /// The memo's generation when the build began: a key it looked up has one as new or newer.
    since: u64,
    path: Option<PathBuf>,
    seeded: Option<std::sync::mpsc::Receiver<()>>,
}

impl Session {
    pub fn begin(root: &Path) -> Session {
        Session::kept_in(store::path_for(root))
    }

    /// A session keeping its citations in `path` (none: formatting only).
    fn kept_in(path: Option<PathBuf>) -> Session {
        let since = GENERATION.fetch_add(1, Ordering::SeqCst) + 1;
        let (done, seeded) = std::sync::mpsc::channel();
        let at = path.clone();
        std::thread::spawn(move || {
            let kept = at.as_deref().is_some_and(seed);
            let _ = done.send(());
            if !kept {
                independent("gb-7714-2015-numeric");
                independent("apa");
            }
        });
        Session {
            since,
            path,
            seeded: Some(seeded),
        }
    }

    /// Waits until the kept citations are in the memo (pages look them up from now on).
    pub fn ready(&mut self) {
        if let Some(seeded) = self.seeded.take() {
            let _ = seeded.recv();
        }
    }

    /// Keeps the citations the build looked up: after a full build exactly those, after a
    /// preview's (which formats only what its changed pages cite) those and the ones kept
    /// before. The file is written only when that changes what it holds.
    pub fn keep(mut self, full: bool) {
        self.ready();
        let Some(path) = self.path else {
            return;
        };
        let mut on_file = unpoisoned(on_file());
        let known = on_file.entry(path.clone()).or_default();
        let memo = unpoisoned(memo());
        let kept: Vec<(&String, &BTreeMap<String, Formatted>)> = memo
            .iter()
            .filter(|(key, slot)| slot.used >= self.since || (!full && known.contains(*key)))
            .filter_map(|(key, slot)| Some((key, slot.cell.get()?)))
            .collect();
        // Usually what the file holds already: then nothing is copied or written.
        if kept.len() == known.len() && kept.iter().all(|(key, _)| known.contains(*key)) {
            return;
        }
        let mut entries: Vec<store::Entry> = kept
            .into_iter()
            .map(|(key, f)| (key.clone(), f.clone()))
            .collect();
        drop(memo);
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        if store::save(&path, &entries).is_ok() {
            *known = entries.into_iter().map(|(key, _)| key).collect();
        }
    }
}

/// A lock whose holder panicked is still good here: every map it guards is only ever
/// inserted into whole.
fn unpoisoned<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Puts the citations kept in `path` into the memo, once per process and file (a preview's
/// later builds find them there); false when the file holds none.
fn seed(path: &Path) -> bool {
    let mut on_file = unpoisoned(on_file());
    if let Some(known) = on_file.get(path) {
        return !known.is_empty();
    }
    let entries = store::load(path);
    let keys: HashSet<String> = entries.iter().map(|(k, _)| k.clone()).collect();
    let any = !keys.is_empty();
    on_file.insert(path.to_path_buf(), keys);
    drop(on_file);
    let mut memo = unpoisoned(memo());
    for (key, formatted) in entries {
        memo.entry(key).or_insert_with(|| Slot {
            cell: Arc::new(OnceLock::from(formatted)),
            used: 0,
        });
    }
    any
}

/// The keys each cache file holds, as far as this process knows (it read or wrote them).
fn on_file() -> &'static Mutex<HashMap<PathBuf, HashSet<String>>> {
    static ON_FILE: OnceLock<Mutex<HashMap<PathBuf, HashSet<String>>>> = OnceLock::new();
    ON_FILE.get_or_init(Default::default)
}

/// The CSL locale of a page language: `zh` → `zh-CN`, `en` → `en-US`, `ja` → `ja-JP`.
pub fn locale_code(html_lang: &str) -> String {
    let have = |code: &str| LOCALE_CODES.contains(&code);
    if have(html_lang) {
        return html_lang.to_string();
    }
    let base = html_lang.split('-').next().unwrap_or(html_lang);
    let prefix = format!("{base}-");
    let mut codes: Vec<&str> = LOCALE_CODES
        .iter()
        .copied()
        .filter(|c| c.starts_with(&prefix))
        .collect();
    codes.sort();
    // The region CSL itself falls back to (en-US, zh-CN, de-DE, ja-JP…).
    let preferred = match base {
        "en" => "en-US",
        "zh" => "zh-CN",
        "pt" => "pt-PT",
        _ => "",
    };
    if codes.contains(&preferred) {
        return preferred.to_string();
    }
    let same = format!("{base}-{}", base.to_ascii_uppercase());
    if codes.contains(&same.as_str()) {
        return same;
    }
    codes
        .first()
        .map_or_else(|| "en-US".to_string(), |c| c.to_string())
}

/// One formatted reference: as HTML (escaped, links kept) and as plain text.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Formatted {
    pub html: String,
    pub text: String,
}

/// Formats every item as a bibliography entry in `style` for `locale`, without the list label a
/// numeric style puts before it (pages number their notes themselves). Keyed by item id.
pub fn bibliography(items: &[Item], style: &str, locale: &str) -> BTreeMap<String, Formatted> {
    let mut out = BTreeMap::new();
    let Some(style) = independent(style).or_else(|| independent("apa")) else {
        return out;
    };
    let locale_files = locale_files(locale);
    let code = LocaleCode(locale.to_string());
    let mut driver: BibliographyDriver<Item> = BibliographyDriver::new();
    for item in items {
        driver.citation(CitationRequest::from_items(
            vec![CitationItem::with_entry(item)],
            style,
            locale_files,
        ));
    }
    let rendered = driver.finish(BibliographyRequest {
        style,
        locale: Some(code),
        locale_files,
    });
    for entry in rendered.bibliography.map(|b| b.items).unwrap_or_default() {
        let mut html = String::new();
        let mut text = String::new();
        write_html(&entry.content, &mut html);
        let _ = entry.content.write_buf(&mut text, BufWriteFormat::Plain);
        out.insert(
            entry.key,
            Formatted {
                html: html.trim().to_string(),
                text: text.trim().to_string(),
            },
        );
    }
    out
}

/// One memo entry: the citations of a key, formatted once, and the last generation that looked
/// them up.
struct Slot {
    cell: Arc<OnceLock<BTreeMap<String, Formatted>>>,
    used: u64,
}

/// Counts builds: each [`Session`] begins a generation, and a lookup marks its key with the
/// newest (so a build keeps what it looked up even while another build runs in the process).
static GENERATION: AtomicU64 = AtomicU64::new(0);

fn memo() -> &'static Mutex<HashMap<String, Slot>> {
    static MEMO: OnceLock<Mutex<HashMap<String, Slot>>> = OnceLock::new();
    MEMO.get_or_init(Default::default)
}

/// Formats CSL-JSON items (as `model::cite` builds them); items that are not valid CSL-JSON
/// are left out. Results are remembered for the process (and, through a [`Session`], between
/// runs), so a preview's rebuilds format only what changed; pages rendering at once that need
/// the same citation (a chapter and its print edition) format it once, the others waiting for
/// it.
pub fn format_values(
    items: &[serde_json::Value],
    style: &str,
    locale: &str,
) -> BTreeMap<String, Formatted> {
    let key = format!(
        "{style}\n{locale}\n{}",
        serde_json::to_string(items).unwrap_or_default()
    );
    let format = || {
        let parsed: Vec<Item> = items.iter().filter_map(|v| item(v.clone()).ok()).collect();
        bibliography(&parsed, style, locale)
    };
    let cell = {
        let mut m = unpoisoned(memo());
        // A long preview session edits many titles: start again rather than grow without end.
        if m.len() > 20_000 {
            m.clear();
        }
        let slot = m.entry(key).or_insert_with(|| Slot {
            cell: Arc::default(),
            used: 0,
        });
        slot.used = GENERATION.load(Ordering::SeqCst);
        slot.cell.clone()
    };
    cell.get_or_init(format).clone()
}

/// The engine's output as HTML: every text escaped, formatting as elements (`<i>`, `<b>`,
/// `<sup>`…, small capitals as a class), links only to web addresses.
fn write_html(children: &ElemChildren, out: &mut String) {
    for child in &children.0 {
        match child {
            ElemChild::Text(t) => formatted(&t.text, &t.formatting, out),
            ElemChild::Elem(e) => write_html(&e.children, out),
            ElemChild::Markup(m) => out.push_str(&escape(m)),
            ElemChild::Link { text, url } => {
                let web = url.starts_with("https://") || url.starts_with("http://");
                if web {
                    out.push_str("<a href=\"");
                    out.push_str(&escape(url));
                    out.push_str("\">");
                }
                formatted(&text.text, &text.formatting, out);
                if web {
                    out.push_str("</a>");
                }
            }
            ElemChild::Transparent { .. } => {}
        }
    }
}

fn formatted(text: &str, f: &Formatting, out: &mut String) {
    let mut close = Vec::new();
    let mut open = |tag: &'static str, attrs: &str, out: &mut String| {
        out.push('<');
        out.push_str(tag);
        out.push_str(attrs);
        out.push('>');
        close.push(tag);
    };
    if f.font_style == FontStyle::Italic {
        open("i", "", out);
    }
    if f.font_weight == FontWeight::Bold {
        open("b", "", out);
    }
    if f.font_variant == FontVariant::SmallCaps {
        open("span", " class=\"sc\"", out);
    }
    if f.text_decoration == TextDecoration::Underline {
        open("u", "", out);
    }
    match f.vertical_align {
        VerticalAlign::Sup => open("sup", "", out),
        VerticalAlign::Sub => open("sub", "", out),
        _ => {}
    }
    out.push_str(&escape(text));
    for tag in close.iter().rev() {
        out.push_str("</");
        out.push_str(tag);
        out.push('>');
    }
}

/// A CSL-JSON item from a JSON value (the shape yanbao builds or an editor's file holds).
pub fn item(v: serde_json::Value) -> Result<Item, String> {
    serde_json::from_value(v).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report() -> Item {
        item(json!({
            "id": "r", "type": "report",
            "title": "2024年中国AI大模型产业发展与应用研究报告",
            "author": [{"literal": "第一新声研究院"}],
            "publisher": "第一新声研究院",
            "URL": "https://example.org/zh/",
            "issued": {"date-parts": [[2025, 1]]}
        }))
        .unwrap()
    }

    /// A build keeps the citations it looked up, a preview's build adds its own to those kept.
    /// (Other tests format citations in this process meanwhile, which a session keeps too: only
    /// this test's are compared. tests/cite.rs checks the whole file and when it is written.)
    #[test]
    fn sessions_keep_what_their_builds_looked_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("citations/site.json");
        let cite = |title: &str| {
            let item = json!({"id": "s", "type": "report", "title": title});
            format_values(&[item], "apa", "en-US")["s"].text.clone()
        };
        let kept = || -> Vec<String> {
            store::load(&path)
                .into_iter()
                .filter(|(key, _)| key.contains("7f3e"))
                .map(|(_, f)| f["s"].text.clone())
                .collect()
        };
        // Titles of their own: other tests share the process's memo.
        let (a, b) = ("Session test A 7f3e", "Session test B 7f3e");
        let mut s = Session::kept_in(Some(path.clone()));
        s.ready();
        let first = cite(a);
        assert!(first.contains(a), "{first}");
        s.keep(true);
        assert_eq!(kept(), std::slice::from_ref(&first));

        // A preview's build adds what it formatted to what was kept…
        let s = Session::kept_in(Some(path.clone()));
        let second = cite(b);
        s.keep(false);
        let mut both = vec![first.clone(), second.clone()];
        both.sort();
        let mut got = kept();
        got.sort();
        assert_eq!(got, both);

        // …and a full build keeps only what it looked up.
        let s = Session::kept_in(Some(path.clone()));
        cite(b);
        s.keep(true);
        assert_eq!(kept(), [second]);

        // Without a file, nothing is written anywhere.
        let s = Session::kept_in(None);
        cite(a);
        s.keep(true);
        assert_eq!(
            std::fs::read_dir(dir.path().join("citations"))
                .unwrap()
                .count(),
            1
        );
    }

    /// The codes yanbao keeps for hayagriva's locales are the codes of the locales it decodes,
    /// in the archive's order (an update of hayagriva that changes them fails here).
    #[test]
    fn locale_codes_follow_the_archive() {
        let decoded: Vec<String> = hayagriva::archive::locales()
            .into_iter()
            .map(|l| l.lang.map(|c| c.0).unwrap_or_default())
            .collect();
        assert_eq!(decoded, LOCALE_CODES);
        let set: Vec<String> = locale_files("de-AT")
            .iter()
            .filter_map(|l| l.lang.as_ref().map(|c| c.0.clone()))
            .collect();
        assert_eq!(set, ["de-AT", "de-DE", "en-US"]);
        let set: Vec<String> = locale_files("zh-CN")
            .iter()
            .filter_map(|l| l.lang.as_ref().map(|c| c.0.clone()))
            .collect();
        assert_eq!(set, ["en-US", "zh-CN"]);
    }

    #[test]
    fn chinese_follows_gb_t_7714() {
        let out = bibliography(&[report()], "gb-7714-2015-numeric", "zh-CN");
        let r = &out["r"].text;
        assert!(
            r.starts_with("第一新声研究院. 2024年中国AI大模型产业发展与应用研究报告[R"),
            "{r}"
        );
        assert!(r.contains("https://example.org/zh/"), "{r}");
    }

    #[test]
    fn english_follows_apa() {
        let mut it = report();
        it.0.insert(
            "title".into(),
            hayagriva::citationberg::json::Value::String("Research report".into()),
        );
        let out = bibliography(&[it], "apa", "en-US");
        let r = &out["r"].text;
        assert!(
            r.starts_with("第一新声研究院. (2025). Research report"),
            "{r}"
        );
    }

    #[test]
    fn hostile_texts_are_escaped_and_links_are_web_addresses_only() {
        let it = json!({
            "id": "x", "type": "report",
            "title": "<script>alert(1)</script> & \"q\"",
            "author": [{"literal": "<img src=x onerror=alert(1)>"}],
            "URL": "https://example.org/a?b=<c>&d",
            "issued": {"date-parts": [[2025]]}
        });
        for style in ["apa", "gb-7714-2015-numeric", "chicago-author-date"] {
            let out = format_values(std::slice::from_ref(&it), style, "en-US");
            let h = &out["x"].html;
            assert!(
                !h.contains("<script") && !h.contains("<img"),
                "{style}: {h}"
            );
            assert!(h.contains("&lt;script&gt;"), "{style}: {h}");
            assert!(!h.contains("style="), "{style}: {h}");
            assert!(
                out["x"].text.contains("<script>alert(1)</script>"),
                "{style}"
            );
        }
        let mut html = String::new();
        formatted(
            "t",
            &Formatting {
                font_style: FontStyle::Italic,
                vertical_align: VerticalAlign::Sup,
                ..Default::default()
            },
            &mut html,
        );
        assert_eq!(html, "<i><sup>t</sup></i>");
    }

    #[test]
    fn figures_cite_their_report() {
        let fig = json!({
            "id": "fig-a", "type": "figure", "title": "Figure 3 Market size",
            "container-title": "Cars, 2024", "author": [{"literal": "Example Institute"}],
            "publisher": "Example Institute", "issued": {"date-parts": [[2025, 3, 15]]},
            "URL": "https://example.org/r/en/market/#fig-a"
        });
        let out = format_values(std::slice::from_ref(&fig), "apa", "en-US");
        let t = &out["fig-a"].text;
        assert!(t.starts_with("Example Institute. (2025"), "{t}");
        assert!(
            t.contains("Figure 3 Market size") && t.contains("#fig-a"),
            "{t}"
        );
        assert!(
            out["fig-a"]
                .html
                .contains("<a href=\"https://example.org/r/en/market/#fig-a\">"),
            "{}",
            out["fig-a"].html
        );
    }

    #[test]
    fn locales_and_styles() {
        assert_eq!(locale_code("zh"), "zh-CN");
        assert_eq!(locale_code("en"), "en-US");
        assert_eq!(locale_code("zh-Hans"), "zh-CN");
        assert_eq!(locale_code("ja"), "ja-JP");
        assert!(independent("apa").is_some() && independent("no-such-style").is_none());
    }
}
