//! The search index, built at build time and read by `static/search.js` (which tokenises queries
//! by the same rules; a test runs both on the same texts). Chinese is indexed as single
//! characters and overlapping pairs (模型 is found inside 大模型), numbers together with the
//! Chinese unit that follows them (157亿), other text as lower-case words with common English
//! endings removed (pricing, prices and priced all become `pric`). Each posting carries a weight:
//! how often the term occurs, more in a section's title and heading path.
//!
//! A small site gets one file per language, `search/<lang>.json`, with documents and terms. A
//! large one gets the same file as a manifest, terms split into shards by a hash of the term and
//! documents into chunks, under `search/<lang>/`, so a query loads only what it needs.

use std::collections::HashMap;

use serde_json::json;

use crate::render::doc::Section;

/// Above this size (JSON bytes, before compression) the index is split into shards.
const SINGLE_FILE_LIMIT: usize = 1_500_000;
/// Target size of one shard or chunk.
const SHARD_SIZE: usize = 250_000;

/// One searchable section: where it is, what it is called, its text.
#[derive(Debug, Clone)]
pub struct Doc {
    /// Link from the site root: `zh/status/index.html#price-cuts`.
    pub href: String,
    /// The page's title.
    pub page: String,
    /// Headings the section sits under, joined by " › ".
    pub path: String,
    /// The section's own title.
    pub title: String,
    pub text: String,
    /// Its terms with their weights (computed in the page's render job).
    pub terms: Vec<(String, u32)>,
}

pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Terms of a text as the index stores them.
pub fn index_tokens(text: &str) -> Vec<String> {
    tokenize(text, true)
}

/// Terms of a query: Chinese pairs only (a lone Chinese character stands for itself).
pub fn query_tokens(text: &str) -> Vec<String> {
    tokenize(text, false)
}

fn tokenize(text: &str, index: bool) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_cjk(c) {
            let start = i;
            while i < chars.len() && is_cjk(chars[i]) {
                i += 1;
            }
            let run = &chars[start..i];
            if run.len() == 1 || index {
                out.extend(run.iter().map(|c| c.to_string()));
            }
            out.extend(run.windows(2).map(|p| p.iter().collect::<String>()));
        } else if c.is_alphanumeric() {
            let start = i;
            while i < chars.len() && !is_cjk(chars[i]) {
                let d = chars[i];
                // A decimal point inside a number belongs to it (15.7).
                let point = d == '.'
                    && i > start
                    && chars[i - 1].is_ascii_digit()
                    && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
                if !(d.is_alphanumeric() || point) {
                    break;
                }
                i += 1;
            }
            let word: String = chars[start..i].iter().collect::<String>().to_lowercase();
            // A number with the Chinese unit that follows it: 157亿, 157亿元.
            if word.chars().all(|d| d.is_ascii_digit() || d == '.')
                && i < chars.len()
                && is_cjk(chars[i])
            {
                out.push(format!("{word}{}", chars[i]));
                if i + 1 < chars.len() && is_cjk(chars[i + 1]) {
                    out.push(format!("{word}{}{}", chars[i], chars[i + 1]));
                }
            }
            out.push(stem(&word));
        } else {
            i += 1;
        }
    }
    out
}

/// Removes common English endings so that forms of a word meet: plurals (models → model,
/// companies → company, classes → class), -ing and -ed (pricing, priced → pric), a final -e
/// (price → pric) and a doubled final consonant (modelling → model). Only ASCII words of more
/// than three letters are touched.
pub fn stem(w: &str) -> String {
    if !w.bytes().all(|b| b.is_ascii_lowercase()) || w.len() <= 3 {
        return w.to_string();
    }
    let mut s = w.to_string();
    if let Some(b) = s.strip_suffix("ies").filter(|b| b.len() > 1) {
        s = format!("{b}y");
    } else if s.ends_with("sses") {
        // classes → class, as "class" itself stays.
        s.truncate(s.len() - 2);
        return s;
    } else if s.ends_with("ss") || (s.ends_with("us") && s.len() > 4) || s.ends_with("is") {
        return s;
    } else if s.ends_with('s') {
        s.pop();
    }
    for end in ["ing", "ed"] {
        if s.len() >= end.len() + 3 && s.ends_with(end) {
            s.truncate(s.len() - end.len());
            break;
        }
    }
    if s.len() > 3 && s.ends_with('e') {
        s.pop();
    }
    let b = s.as_bytes();
    let n = b.len();
    if n > 3 && b[n - 1] == b[n - 2] && !b"aeiou".contains(&b[n - 1]) {
        s.pop();
    }
    s
}

/// The weighted terms of a section: occurrences in the text (at most ten count), and more for
/// the title (8) and the headings above it (3).
pub fn section_terms(s: &Section, page_title: &str) -> Vec<(String, u32)> {
    let mut w: HashMap<String, u32> = HashMap::new();
    for t in index_tokens(&s.text) {
        let e = w.entry(t).or_insert(0);
        *e = (*e + 1).min(10);
    }
    for t in index_tokens(&s.title) {
        *w.entry(t).or_insert(0) += 8;
    }
    let mut above = s.path.join(" ");
    above.push(' ');
    above.push_str(page_title);
    for t in index_tokens(&above) {
        *w.entry(t).or_insert(0) += 3;
    }
    let mut terms: Vec<(String, u32)> = w.into_iter().collect();
    terms.sort();
    terms
}

/// The documents of a page: one per section, linking to its anchor.
pub fn page_docs(href: &str, page_title: &str, sections: &[Section]) -> Vec<Doc> {
    sections
        .iter()
        .filter(|s| !s.text.is_empty() || !s.title.is_empty())
        .map(|s| Doc {
            href: if s.id.is_empty() {
                href.to_string()
            } else {
                format!("{href}#{}", s.id)
            },
            page: page_title.to_string(),
            path: s.path.join(" › "),
            title: if s.id.is_empty() {
                String::new()
            } else {
                s.title.clone()
            },
            text: s.text.clone(),
            terms: section_terms(s, page_title),
        })
        .collect()
}

/// FNV-1a (32 bits) of a term: which shard holds it. `static/search.js` computes the same.
pub fn shard_of(term: &str, shards: usize) -> usize {
    let mut h: u32 = 0x811c9dc5;
    for b in term.bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(0x01000193);
    }
    h as usize % shards.max(1)
}

/// The index files of one language: (path from the site root, bytes).
pub fn build(lang: &str, docs: &[Doc]) -> Vec<(String, Vec<u8>)> {
    let mut postings: HashMap<&str, Vec<u32>> = HashMap::new();
    for (i, d) in docs.iter().enumerate() {
        for (t, w) in &d.terms {
            let p = postings.entry(t.as_str()).or_default();
            p.push(i as u32);
            p.push(*w);
        }
    }
    let mut terms: Vec<(&str, Vec<u32>)> = postings.into_iter().collect();
    terms.sort_by(|a, b| a.0.cmp(b.0));
    let docs_json: Vec<serde_json::Value> = docs
        .iter()
        .map(|d| json!([d.href, d.page, d.path, d.title, d.text]))
        .collect();
    let terms_map = |ts: &[&(&str, Vec<u32>)]| -> serde_json::Map<String, serde_json::Value> {
        ts.iter().map(|(t, p)| (t.to_string(), json!(p))).collect()
    };
    let all: Vec<&(&str, Vec<u32>)> = terms.iter().collect();
    let single = json!({"v": 2, "docs": docs_json, "terms": terms_map(&all)}).to_string();
    let main = format!("search/{lang}.json");
    if single.len() <= SINGLE_FILE_LIMIT {
        return vec![(main, single.into_bytes())];
    }
    let terms_size: usize = terms.iter().map(|(t, p)| t.len() + p.len() * 6 + 8).sum();
    let shards = terms_size.div_ceil(SHARD_SIZE).max(1);
    let mut by_shard: Vec<Vec<&(&str, Vec<u32>)>> = vec![Vec::new(); shards];
    for t in &terms {
        by_shard[shard_of(t.0, shards)].push(t);
    }
    let mut out = Vec::new();
    for (k, ts) in by_shard.iter().enumerate() {
        out.push((
            format!("search/{lang}/t{k}.json"),
            serde_json::Value::Object(terms_map(ts))
                .to_string()
                .into_bytes(),
        ));
    }
    let docs_size: usize = docs
        .iter()
        .map(|d| d.text.len() + d.href.len() + d.page.len() + d.path.len() + d.title.len() + 20)
        .sum();
    let per_chunk = (docs.len() * SHARD_SIZE / docs_size.max(1)).max(1);
    for (j, chunk) in docs_json.chunks(per_chunk).enumerate() {
        out.push((
            format!("search/{lang}/d{j}.json"),
            json!(chunk).to_string().into_bytes(),
        ));
    }
    let manifest = json!({"v": 2, "shards": shards, "chunk": per_chunk, "ndocs": docs.len(), "dir": format!("{lang}/")});
    out.push((main, manifest.to_string().into_bytes()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_indexed_as_characters_and_pairs() {
        assert_eq!(
            index_tokens("模型价格"),
            ["模", "型", "价", "格", "模型", "型价", "价格"]
        );
        assert_eq!(query_tokens("大模型"), ["大模", "模型"]);
        assert_eq!(query_tokens("模"), ["模"]);
    }

    #[test]
    fn numbers_keep_their_chinese_unit_and_decimals() {
        assert_eq!(query_tokens("157亿"), ["157亿", "157", "亿"]);
        let t = index_tokens("规模为157亿元");
        assert!(
            t.contains(&"157亿".to_string()) && t.contains(&"157亿元".to_string()),
            "{t:?}"
        );
        assert_eq!(query_tokens("CNY 15.7 billion"), ["cny", "15.7", "billion"]);
    }

    #[test]
    fn english_forms_of_a_word_meet() {
        for (a, b) in [
            ("pricing", "price"),
            ("prices", "priced"),
            ("models", "modelling"),
            ("companies", "company"),
            ("cuts", "cutting"),
            ("classes", "class"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} / {b}");
        }
        assert_eq!(stem("status"), "status");
        assert_eq!(stem("gpus"), "gpu");
        assert_eq!(stem("being"), "being");
        // A number keeps the one or two characters after it (157亿, 157亿元), whatever they are.
        assert_eq!(
            query_tokens("GLM-4大模型"),
            ["glm", "4大", "4大模", "4", "大模", "模型"]
        );
    }

    #[test]
    fn titles_and_paths_weigh_more() {
        let s = Section {
            id: "a".into(),
            title: "价格".into(),
            text: "价格 价格".into(),
            path: vec!["发展现状".into()],
        };
        let terms: HashMap<String, u32> = section_terms(&s, "报告").into_iter().collect();
        assert_eq!(terms["价格"], 2 + 8);
        assert_eq!(terms["现状"], 3);
    }

    #[test]
    fn large_indexes_are_split_and_small_ones_are_not() {
        let doc = |i: usize| Doc {
            href: format!("p{i}/index.html"),
            page: "P".into(),
            path: String::new(),
            title: format!("T{i}"),
            text: format!("word{i} {}", "filler ".repeat(200)),
            terms: vec![(format!("word{i}"), 1), ("fill".into(), 10)],
        };
        let small: Vec<Doc> = (0..3).map(doc).collect();
        assert_eq!(build("en", &small).len(), 1);
        let large: Vec<Doc> = (0..2_000).map(doc).collect();
        let files = build("en", &large);
        assert!(files.len() > 3, "{}", files.len());
        let manifest: serde_json::Value = serde_json::from_slice(&files.last().unwrap().1).unwrap();
        let shards = manifest["shards"].as_u64().unwrap() as usize;
        let k = shard_of("word7", shards);
        let shard = files
            .iter()
            .find(|(p, _)| p == &format!("search/en/t{k}.json"))
            .unwrap();
        let shard: serde_json::Value = serde_json::from_slice(&shard.1).unwrap();
        assert_eq!(shard["word7"], json!([7, 1]));
    }
}
