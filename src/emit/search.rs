//! The search index, built at build time: one JSON file per language, loaded by the browser only
//! when the reader searches. Chinese is indexed as overlapping character pairs (so 模型 is found
//! inside 大模型), other text as lower-case words with plural endings removed. `static/search.js`
//! tokenises queries with the same rules; a test runs both on the same text.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::render::doc::Section;

/// One searchable section: where it is, what it is called, its text.
#[derive(Debug, Clone, Serialize)]
pub struct Doc {
    /// Link from the site root: `zh/status/index.html#price-cuts`.
    pub href: String,
    pub page: String,
    pub section: String,
    pub text: String,
}

#[derive(Serialize)]
struct Index<'a> {
    /// Documents as `[href, page, section, text]`.
    docs: Vec<[&'a str; 4]>,
    /// Term → ids of the documents containing it, ascending.
    terms: BTreeMap<String, Vec<usize>>,
}

pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// The terms of a text: CJK character pairs (a lone CJK character stands for itself) and
/// normalised words. Identical rules live in `static/search.js`.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_run = |run: &mut Vec<char>, out: &mut Vec<String>| {
        if run.len() == 1 {
            out.push(run[0].to_string());
        }
        for pair in run.windows(2) {
            out.push(pair.iter().collect());
        }
        run.clear();
    };
    let flush_word = |word: &mut String, out: &mut Vec<String>| {
        if !word.is_empty() {
            out.push(stem(&word.to_lowercase()));
            word.clear();
        }
    };
    for c in text.chars() {
        if is_cjk(c) {
            flush_word(&mut word, &mut out);
            run.push(c);
        } else if c.is_alphanumeric() {
            flush_run(&mut run, &mut out);
            word.push(c);
        } else {
            flush_run(&mut run, &mut out);
            flush_word(&mut word, &mut out);
        }
    }
    flush_run(&mut run, &mut out);
    flush_word(&mut word, &mut out);
    out
}

/// Removes English plural endings: models → model, companies → company, classes → class.
pub fn stem(w: &str) -> String {
    let n = w.chars().count();
    if !w.is_ascii() || n <= 3 {
        return w.to_string();
    }
    if let Some(s) = w.strip_suffix("ies") {
        if n > 4 {
            return format!("{s}y");
        }
    }
    if w.ends_with("ss") || (w.ends_with("us") && n > 4) || w.ends_with("is") {
        return w.to_string();
    }
    for end in ["sses", "xes", "zes", "ches", "shes"] {
        if w.ends_with(end) {
            return w[..w.len() - 2].to_string();
        }
    }
    match w.strip_suffix('s') {
        Some(s) => s.to_string(),
        None => w.to_string(),
    }
}

/// Builds the index JSON for a language from its pages' sections.
pub fn build(docs: &[Doc]) -> String {
    // A hash map while collecting (fast), sorted once for the output (deterministic).
    let mut collect: std::collections::HashMap<String, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, d) in docs.iter().enumerate() {
        let text = format!("{} {} {}", d.page, d.section, d.text);
        for t in tokens(&text) {
            let list = collect.entry(t).or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }
    let terms: BTreeMap<String, Vec<usize>> = collect.into_iter().collect();
    let index = Index {
        docs: docs
            .iter()
            .map(|d| {
                [
                    d.href.as_str(),
                    d.page.as_str(),
                    d.section.as_str(),
                    d.text.as_str(),
                ]
            })
            .collect(),
        terms,
    };
    serde_json::to_string(&index).unwrap_or_default()
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
            section: if s.id.is_empty() {
                String::new()
            } else {
                s.title.clone()
            },
            text: s.text.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_pairs_find_words_inside_words() {
        let t = tokens("大模型价格");
        assert_eq!(t, ["大模", "模型", "型价", "价格"]);
        assert!(tokens("模型").iter().all(|q| t.contains(q)));
        assert_eq!(tokens("模"), ["模"]);
    }

    #[test]
    fn words_ignore_case_and_plurals() {
        assert_eq!(
            tokens("Large Models, companies; Prices"),
            ["large", "model", "company", "price"]
        );
        assert_eq!(stem("class"), "class");
        assert_eq!(stem("boxes"), "box");
        assert_eq!(stem("status"), "status");
        assert_eq!(stem("gpus"), "gpu");
    }

    #[test]
    fn mixed_text() {
        assert_eq!(tokens("GLM-4大模型"), ["glm", "4", "大模", "模型"]);
    }

    #[test]
    fn index_lists_each_doc_once_per_term() {
        let docs = vec![
            Doc {
                href: "a".into(),
                page: "P".into(),
                section: "S".into(),
                text: "模型 模型".into(),
            },
            Doc {
                href: "b".into(),
                page: "P".into(),
                section: "T".into(),
                text: "model".into(),
            },
        ];
        let json = build(&docs);
        assert!(json.contains("\"模型\":[0]"), "{json}");
        assert!(json.contains("\"model\":[1]"));
    }
}
