//! The search index, built at build time and read by `static/search.js` (which tokenises queries
//! by the same rules; a test runs both on the same texts). Chinese is indexed as single
//! characters and overlapping pairs (模型 is found inside 大模型), numbers together with the
//! Chinese unit that follows them (157亿), other text as lower-case words with common English
//! endings removed (pricing, prices and priced all become `pric`). Each posting carries a weight:
//! how often the term occurs, more in a section's title and heading path.
//!
//! A small site gets one file per language, `search/<lang>.json`, with documents and terms. A
//! large one gets the same file as a manifest, terms split into shards by a hash of the term and
//! documents into chunks, under `search/<lang>/`, so a query loads only what it needs. Shards and
//! chunks are gzip files (`t0.json.gz`), a third of the bytes on the host and on the wire;
//! `search.js` decodes them with the browser's `DecompressionStream`, or reads them as they come
//! when the server has decoded them. A small site's documents hold each section's text, for the
//! excerpts and to rank higher a section that holds a query as typed; a large site's leave it out
//! (it was two thirds of the index), so there the excerpts come from the result's page, fetched
//! when it is shown, and only the titles count for "as typed".

use std::collections::HashMap;

use rayon::prelude::*;
use serde_json::json;

use crate::render::doc::Section;

/// Term tables: many short keys, built from our own text (no untrusted hash flooding), sorted
/// before they are written, so a fast fixed-seed hash is safe and output stays deterministic.
type Terms<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

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
    /// Its terms with their weights, when computed in the page's render job: a preview keeps
    /// them with the page, so a rebuilt index tokenises only the pages that changed. A build
    /// leaves them to the index, which tokenises a few hundred sections at a time instead of
    /// holding every section's terms at once (a sixth of a large build's memory).
    pub terms: Option<TermList>,
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
    let mut out = Vec::new();
    each_token(text, index, |t| out.push(t.text()));
    out
}

/// A term as the tokeniser finds it: a Chinese character or pair by its [`cjk_code`] (its text
/// is written only when a section meets it the first time), any other term as text.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Token<'a> {
    Cjk(u64),
    Text(&'a str),
}

impl Token<'_> {
    fn text(self) -> String {
        match self {
            Token::Cjk(code) => cjk_chars(code).into_iter().flatten().collect(),
            Token::Text(t) => t.to_string(),
        }
    }
}

/// A Chinese character's or pair's term as a number (the pair's second character in the low 21
/// bits, its first above them, and a mark above both): a section's index finds these, most of
/// a Chinese text's terms, by a number rather than by their text.
fn cjk_code(first: char, second: Option<char>) -> u64 {
    match second {
        None => first as u64,
        Some(c) => 1 << 42 | (first as u64) << 21 | c as u64,
    }
}

/// Calls `emit` with each term of `text`, in order: in a run of Chinese characters, each
/// character (when indexing, or when the run has one) and then each overlapping pair; in a run of
/// other letters and digits, the lower-cased word, after a number the same with the one and the
/// two Chinese characters that follow it, then the word stemmed. The text is read in place; a
/// run of Chinese characters is decoded once into a reused buffer, and each word is lower-cased
/// into another.
fn each_token(text: &str, index: bool, mut emit: impl FnMut(Token)) {
    let bytes = text.as_bytes();
    let mut buf = String::new();
    let mut run: Vec<char> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        // Spaces, punctuation and ASCII letters and digits, most of any text but Chinese, are
        // told apart by their byte; other characters are decoded.
        let c = match bytes[i] {
            b if ASCII_WORD[b as usize] => b as char,
            b if b.is_ascii() => {
                i += 1;
                continue;
            }
            _ => match text[i..].chars().next() {
                Some(c) => c,
                None => break,
            },
        };
        if is_cjk(c) {
            // The run of Chinese characters, decoded once (giving each character when
            // indexing), then its pairs.
            run.clear();
            for d in text[i..].chars() {
                if !is_cjk(d) {
                    break;
                }
                i += d.len_utf8();
                run.push(d);
                if index {
                    emit(Token::Cjk(cjk_code(d, None)));
                }
            }
            if run.len() == 1 && !index {
                emit(Token::Cjk(cjk_code(c, None)));
            }
            for pair in run.windows(2) {
                emit(Token::Cjk(cjk_code(pair[0], Some(pair[1]))));
            }
        } else if is_punctuation(c) {
            i += c.len_utf8();
        } else if c.is_alphanumeric() {
            let start = i;
            i += c.len_utf8();
            loop {
                // ASCII letters and digits, most of a word in most scripts, a byte at a time.
                while i < bytes.len() && ASCII_WORD[bytes[i] as usize] {
                    i += 1;
                }
                let Some(&b) = bytes.get(i) else {
                    break;
                };
                if b.is_ascii() {
                    // A decimal point inside a number belongs to it (15.7). Before it, a byte
                    // of a character other than ASCII is never a digit.
                    let point = b == b'.'
                        && bytes[i - 1].is_ascii_digit()
                        && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
                    if !point {
                        break;
                    }
                    i += 1;
                    continue;
                }
                let Some(d) = text[i..].chars().next() else {
                    break;
                };
                if is_cjk(d) || !d.is_alphanumeric() {
                    break;
                }
                i += d.len_utf8();
            }
            let word = &text[start..i];
            buf.clear();
            if word.is_ascii() {
                buf.push_str(word);
                buf.make_ascii_lowercase();
            } else {
                buf.push_str(&word.to_lowercase());
            }
            // A number with the Chinese unit that follows it: 157亿, 157亿元.
            if buf.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                let mut after = text[i..].chars();
                if let Some(unit) = after.next().filter(|&u| is_cjk(u)) {
                    let number = buf.len();
                    buf.push(unit);
                    emit(Token::Text(&buf));
                    if let Some(unit) = after.next().filter(|&u| is_cjk(u)) {
                        buf.push(unit);
                        emit(Token::Text(&buf));
                    }
                    buf.truncate(number);
                }
            }
            stem_in_place(&mut buf);
            emit(Token::Text(&buf));
        } else {
            i += c.len_utf8();
        }
    }
}

/// Punctuation of Chinese text and general punctuation (，。、“”—…), told by range before
/// `char::is_alphanumeric` looks it up in the Unicode tables (3% of the tokeniser's
/// instructions at N=1000). None is a letter or a digit (a test goes through them).
fn is_punctuation(c: char) -> bool {
    matches!(c,
        '\u{2000}'..='\u{206F}' | '\u{3000}'..='\u{3004}' | '\u{3008}'..='\u{3020}'
        | '\u{FF01}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}')
}

/// The bytes that are ASCII letters and digits, looked up at a load each (a word's bytes are
/// most of an English text's).
const ASCII_WORD: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    table
};

/// Removes common English endings so that forms of a word meet: plurals (models → model,
/// companies → company, classes → class), -ing and -ed (pricing, priced → pric), a final -e
/// (price → pric) and a doubled final consonant (modelling → model). Only ASCII words of more
/// than three letters are touched.
#[cfg(test)]
pub fn stem(w: &str) -> String {
    let mut s = w.to_string();
    stem_in_place(&mut s);
    s
}

/// [`stem`] on a word in place (no allocation for the many words it leaves alone).
fn stem_in_place(s: &mut String) {
    if s.len() <= 3 || !s.bytes().all(|b| b.is_ascii_lowercase()) {
        return;
    }
    // The endings as byte patterns, which compile to a few comparisons each.
    let n = s.len();
    match s.as_bytes() {
        [.., b'i', b'e', b's'] if n > 4 => {
            s.truncate(n - 3);
            s.push('y');
        }
        // classes → class, as "class" itself stays.
        [.., b's', b's', b'e', b's'] => {
            s.truncate(n - 2);
            return;
        }
        [.., b's', b's'] | [.., b'i', b's'] => return,
        [.., b'u', b's'] if n > 4 => return,
        [.., b's'] => {
            s.pop();
        }
        _ => {}
    }
    let n = s.len();
    match s.as_bytes() {
        [.., b'i', b'n', b'g'] if n >= 6 => s.truncate(n - 3),
        [.., b'e', b'd'] if n >= 5 => s.truncate(n - 2),
        _ => {}
    }
    if s.len() > 3 && s.ends_with('e') {
        s.pop();
    }
    if let [.., a, b] = s.as_bytes()
        && s.len() > 3
        && a == b
        && !b"aeiou".contains(b)
    {
        s.pop();
    }
}

/// The weighted terms of a document: occurrences in its text (at most ten count), and more for
/// its title (8) and for the headings above it and the page's title (3).
pub fn doc_terms(d: &Doc) -> TermList {
    let mut list = gathered(d);
    list.shrink_to_fit();
    list
}

/// [`doc_terms`] as the index takes them (not shrunk: it is done with them soon), made with this
/// thread's gatherer: its tables (the main block's alone is 84 KB) are made once per thread, not
/// once per section.
fn gathered(d: &Doc) -> TermList {
    thread_local! {
        static GATHER: std::cell::RefCell<Gather> = std::cell::RefCell::default();
    }
    GATHER.with_borrow_mut(|g| g.terms(d))
}

/// A section's terms as they are met. Each goes into the list the first time (a word into its
/// one string, no string per term; a Chinese character or pair as its [`cjk_code`]), and is
/// found again through a table of positions: a character of the main block of Chinese
/// characters (a Chinese text's most frequent terms) by its place in that block, other Chinese
/// characters and pairs by their code, words by their text.
#[derive(Default)]
struct Gather {
    list: TermList,
    /// For each character of [`MAIN_BLOCK`], its position in the list's Chinese terms plus one
    /// (0: not met yet), allocated when the first is met; `met` says which to clear for the next
    /// document.
    main: Vec<u32>,
    met: Vec<u16>,
    words: hashbrown::HashTable<u32>,
    cjk: hashbrown::HashTable<(u64, u32)>,
    state: foldhash::fast::FixedState,
}

/// CJK Unified Ideographs, U+4E00–U+9FFF: the characters of nearly all Chinese text.
const MAIN_BLOCK: std::ops::RangeInclusive<u64> = 0x4E00..=0x9FFF;
const MAIN_BLOCK_LEN: usize = (*MAIN_BLOCK.end() - *MAIN_BLOCK.start() + 1) as usize;

impl Gather {
    /// [`doc_terms`] with this gatherer's tables, which are left empty for the next document
    /// (a build or a preview tokenises thousands of sections on each thread).
    fn terms(&mut self, d: &Doc) -> TermList {
        each_token(&d.text, true, |t| self.add(t, 1, 10));
        each_token(&d.title, true, |t| self.add(t, 8, u32::MAX));
        // The path's separators (›) are not part of any term.
        let above = format!("{} {}", d.path, d.page);
        each_token(&above, true, |t| self.add(t, 3, u32::MAX));
        self.words.clear();
        self.cjk.clear();
        for &m in &self.met {
            self.main[m as usize] = 0;
        }
        self.met.clear();
        // In the order first met: the index sorts all terms once, and a term's postings follow
        // the documents' order whatever the order of the terms within one.
        std::mem::take(&mut self.list)
    }

    /// Adds `step` to the term's weight, up to `cap`. Inlined into the closures that call it:
    /// it runs for every term of every section.
    #[inline(always)]
    fn add(&mut self, t: Token, step: u32, cap: u32) {
        let Gather {
            list,
            main,
            met,
            words,
            cjk,
            state,
        } = self;
        let hash = |t: &str| std::hash::BuildHasher::hash_one(&*state, t);
        let hash_code = |c: u64| std::hash::BuildHasher::hash_one(&*state, c);
        let raise = |w: &mut u32| *w = w.saturating_add(step).min(cap);
        match t {
            Token::Cjk(code) if MAIN_BLOCK.contains(&code) => {
                if main.is_empty() {
                    *main = vec![0; MAIN_BLOCK_LEN];
                }
                let at = (code - MAIN_BLOCK.start()) as usize;
                match main[at] {
                    0 => {
                        list.push_cjk(code, step.min(cap));
                        main[at] = list.cjk.len() as u32;
                        met.push(at as u16);
                    }
                    i => raise(&mut list.cjk_weights[i as usize - 1]),
                }
            }
            Token::Cjk(code) => {
                let h = hash_code(code);
                match cjk.find(h, |&(c, _)| c == code) {
                    Some(&(_, i)) => raise(&mut list.cjk_weights[i as usize]),
                    None => {
                        cjk.insert_unique(h, (code, list.cjk.len() as u32), |&(c, _)| hash_code(c));
                        list.push_cjk(code, step.min(cap));
                    }
                }
            }
            Token::Text(t) => {
                let h = hash(t);
                match words.find(h, |&i| list.word(i as usize) == t) {
                    Some(&i) => raise(&mut list.ends[i as usize].1),
                    None => {
                        let i = list.ends.len() as u32;
                        list.push(t, step.min(cap));
                        words.insert_unique(h, i, |&j| hash(list.word(j as usize)));
                    }
                }
            }
        }
    }
}

/// A section's terms and their weights: words kept in one string, Chinese characters and pairs
/// as their [`cjk_code`]. A large site holds every section's list until its index is written,
/// and a `String` per term cost several times the bytes of the terms themselves.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TermList {
    text: String,
    /// Where each word ends in `text`, and its weight.
    ends: Vec<(u32, u32)>,
    /// The Chinese terms, and beside them their weights (a pair of vectors is a quarter smaller
    /// than one of pairs, which pads each to 16 bytes).
    cjk: Vec<u64>,
    cjk_weights: Vec<u32>,
}

impl TermList {
    /// The `i`th word.
    #[inline]
    fn word(&self, i: usize) -> &str {
        let start = if i == 0 {
            0
        } else {
            self.ends[i - 1].0 as usize
        };
        &self.text[start..self.ends[i].0 as usize]
    }

    /// Adds a word after the others, with its weight.
    fn push(&mut self, term: &str, weight: u32) {
        self.text.push_str(term);
        self.ends.push((self.text.len() as u32, weight));
    }

    /// Adds a Chinese term after the others, with its weight.
    fn push_cjk(&mut self, code: u64, weight: u32) {
        self.cjk.push(code);
        self.cjk_weights.push(weight);
    }

    /// The words with their weights, in the order first met.
    fn words(&self) -> impl Iterator<Item = (&str, u32)> {
        let starts = std::iter::once(0).chain(self.ends.iter().map(|&(end, _)| end as usize));
        starts
            .zip(&self.ends)
            .map(|(start, &(end, w))| (&self.text[start..end as usize], w))
    }

    /// The Chinese terms (by their code) with their weights, in the order first met.
    fn cjk(&self) -> impl Iterator<Item = (u64, u32)> {
        self.cjk
            .iter()
            .copied()
            .zip(self.cjk_weights.iter().copied())
    }

    /// Every term as text with its weight: the words, then the Chinese terms.
    #[cfg(test)]
    pub fn iter(&self) -> impl Iterator<Item = (String, u32)> {
        let words = self.words().map(|(t, w)| (t.to_string(), w));
        words.chain(self.cjk().map(|(code, w)| (Token::Cjk(code).text(), w)))
    }

    fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.cjk.shrink_to_fit();
        self.cjk_weights.shrink_to_fit();
    }
}

/// The documents of a page: one per section, linking to its anchor; with `tokenize`, with their
/// terms. The sections' texts move into the documents (a large site's texts are tens of MB).
pub fn page_docs(href: &str, page_title: &str, sections: Vec<Section>, tokenize: bool) -> Vec<Doc> {
    sections
        .into_iter()
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
                s.title
            },
            text: s.text,
            terms: None,
        })
        .map(|mut d| {
            if tokenize {
                d.terms = Some(doc_terms(&d));
            }
            d
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

/// The index files of one language: (path from the site root, bytes). Each document and each
/// term's postings are written as JSON once, straight from the strings (no intermediate
/// `serde_json::Value`) into the one file, or the shard or chunk, that holds them.
pub fn build(lang: &str, docs: &[&Doc]) -> Vec<(String, Vec<u8>)> {
    // Documents without their terms are tokenised a window at a time, in parallel; the
    // postings are added in the documents' order, a window's while the next is tokenised (so
    // a language whose index takes longest, once the others are done, keeps both cores busy).
    // A Chinese section's term list takes some 20 KB: 4,096 at a time held 80 MB a language at
    // the build's peak, 512 hold 10 MB (twice that with the window being added) and keep both
    // cores as busy.
    const WINDOW: usize = 512;
    type Lists<'a> = Vec<std::borrow::Cow<'a, TermList>>;
    fn gather<'a>(window: &[&'a Doc]) -> Lists<'a> {
        window
            .par_iter()
            .map(|d| match &d.terms {
                Some(t) => std::borrow::Cow::Borrowed(t),
                None => std::borrow::Cow::Owned(gathered(d)),
            })
            .collect()
    }
    fn add(postings: &mut Index, first: usize, lists: Lists) {
        for (k, list) in lists.iter().enumerate() {
            let i = (first + k) as u32;
            for (t, weight) in list.words() {
                postings.add_word(t, i, weight);
            }
            for (code, weight) in list.cjk() {
                postings.cjk.entry(code).or_default().push(i, weight);
            }
        }
    }
    let mut postings = Index::default();
    let mut pending = (0, Vec::new());
    for (w, window) in docs.chunks(WINDOW).enumerate() {
        let (first, lists) = std::mem::take(&mut pending);
        let ((), next) = rayon::join(|| add(&mut postings, first, lists), || gather(window));
        pending = (w * WINDOW, next);
    }
    let (first, lists) = pending;
    add(&mut postings, first, lists);
    let terms = postings.sorted();
    // Each term as `"term":"postings"` and each document as `[href,page,path,title,text]`,
    // written straight into the file (or shard, or chunk) that holds it.
    let term_json = |b: &mut Vec<u8>, (t, p): &(Box<str>, Postings)| {
        write_json(b, t);
        b.extend_from_slice(b":\"");
        b.extend_from_slice(&p.text);
        b.push(b'"');
    };
    let doc_json = |b: &mut Vec<u8>, d: &Doc| {
        write_json(b, &(&d.href, &d.page, &d.path, &d.title, &d.text));
    };
    // A large site's chunks leave the text out: it was two thirds of the index's bytes, and a
    // query for a common word loaded most chunks for it. `search.js` takes a result's excerpt
    // from its page, fetched when the result is shown.
    let chunk_json = |b: &mut Vec<u8>, d: &Doc| {
        write_json(b, &(&d.href, &d.page, &d.path, &d.title));
    };
    // Sizes as written, less the escapes JSON adds, which matter only near the limit.
    let terms_size: usize = terms.iter().map(|(t, p)| t.len() + p.text.len() + 6).sum();
    let fields_size = |d: &Doc| d.href.len() + d.page.len() + d.path.len() + d.title.len();
    let docs_size: usize = docs
        .iter()
        .map(|d| fields_size(d) + d.text.len() + 16)
        .sum();
    let main = format!("search/{lang}.json");
    if terms_size + docs_size + 32 <= SINGLE_FILE_LIMIT {
        let mut out = Vec::with_capacity(terms_size + docs_size + 32);
        out.extend_from_slice(b"{\"v\":3,\"docs\":");
        join(&mut out, b'[', docs.iter().copied(), b']', doc_json);
        out.extend_from_slice(b",\"terms\":");
        join(&mut out, b'{', terms.iter(), b'}', term_json);
        out.push(b'}');
        return vec![(main, out)];
    }
    let shards = terms_size.div_ceil(SHARD_SIZE).max(1);
    let mut by_shard: Vec<Vec<&(Box<str>, Postings)>> = vec![Vec::new(); shards];
    for term in &terms {
        by_shard[shard_of(&term.0, shards)].push(term);
    }
    let chunk_size: usize = docs.iter().map(|d| fields_size(d) + 14).sum();
    let per_chunk = (docs.len() * SHARD_SIZE / chunk_size.max(1)).max(1);
    // Each shard and chunk is written, compressed and dropped on its own, in parallel.
    let term_files = by_shard.into_par_iter().enumerate().map(|(k, parts)| {
        let mut b = Vec::with_capacity(SHARD_SIZE + SHARD_SIZE / 4);
        join(&mut b, b'{', parts.into_iter(), b'}', term_json);
        (format!("search/{lang}/t{k}.json.gz"), gzip(&b))
    });
    let doc_files = docs.par_chunks(per_chunk).enumerate().map(|(j, chunk)| {
        let mut b = Vec::with_capacity(SHARD_SIZE + SHARD_SIZE / 4);
        join(&mut b, b'[', chunk.iter().copied(), b']', chunk_json);
        (format!("search/{lang}/d{j}.json.gz"), gzip(&b))
    });
    let mut out: Vec<(String, Vec<u8>)> = term_files.chain(doc_files).collect();
    let manifest = json!({"v": 6, "shards": shards, "chunk": per_chunk, "ndocs": docs.len(), "dir": format!("{lang}/"), "ext": ".json.gz"});
    out.push((main, manifest.to_string().into_bytes()));
    out
}

/// A file gzip-compressed by libdeflate at level 1, its fastest that compresses (0 only stores):
/// level 6 makes the N=1000 index 5% smaller (1.65 MB, not 1.74) and a build at N=5000 12%
/// slower (1.61–1.69 s against 1.42–1.55 s, three runs each). The header carries no time or
/// name, so the bytes depend on the input only.
///
/// Each thread keeps one compressor (not one set up per file) and compresses into one buffer of
/// its own, sized for the worst case; the result is copied out at its own size. A buffer per
/// file, cut to the compressed length, kept its worst-case capacity (the input's size) until the
/// file was written, and a large index is held whole before it is written (at N=1000, 14 MB of
/// the build's 46 MB heap at its peak).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    thread_local! {
        static GZIP: std::cell::RefCell<Option<(libdeflater::Compressor, Vec<u8>)>> =
            const { std::cell::RefCell::new(None) };
    }
    GZIP.with_borrow_mut(|kept| {
        let (compressor, buf) = kept.get_or_insert_with(|| {
            let level = libdeflater::CompressionLvl::new(1).unwrap_or_default();
            (libdeflater::Compressor::new(level), Vec::new())
        });
        buf.resize(
            compressor.gzip_compress_bound(bytes.len()).max(buf.len()),
            0,
        );
        // The buffer holds the worst case, so compressing cannot run out of room.
        let n = compressor.gzip_compress(bytes, buf).unwrap_or(0);
        buf[..n].to_vec()
    })
}

/// Every term's postings while the index is built: Chinese characters and pairs (most of a
/// Chinese text's terms) by their [`cjk_code`], a number that is cheaper to hash and compare
/// than their text; other terms by their text.
#[derive(Default)]
struct Index {
    cjk: Terms<u64, Postings>,
    words: Terms<Box<str>, Postings>,
}

impl Index {
    /// Adds a document (after every one already added) to a word's postings.
    fn add_word(&mut self, term: &str, doc: u32, weight: u32) {
        let postings = match self.words.get_mut(term) {
            Some(p) => p,
            None => self.words.entry(term.into()).or_default(),
        };
        postings.push(doc, weight);
    }

    /// The terms with their postings, sorted by their text. No word is one or two Chinese
    /// characters (the tokeniser makes those only as [`Token::Cjk`]), so no text comes twice.
    fn sorted(self) -> Vec<(Box<str>, Postings)> {
        let cjk = self
            .cjk
            .into_iter()
            .map(|(code, p)| (Token::Cjk(code).text().into(), p));
        let mut terms: Vec<(Box<str>, Postings)> = self.words.into_iter().chain(cjk).collect();
        terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        terms
    }
}

/// The characters of a [`cjk_code`].
fn cjk_chars(code: u64) -> [Option<char>; 2] {
    const LOW: u64 = (1 << 21) - 1;
    let char_of = |n: u64| char::from_u32(n as u32);
    if code >> 42 == 0 {
        [char_of(code), None]
    } else {
        [char_of(code >> 21 & LOW), char_of(code & LOW)]
    }
}

/// The 64 characters posting lists are written with: none needs escaping in JSON.
const DIGITS: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/// A term's posting list (`doc, weight, doc, weight, …`, documents ascending), kept as the
/// text the index writes: each document as its distance from the previous one, doubled, plus
/// one when its weight follows (most weights are 1, written as nothing: at N=1000 the Chinese
/// terms took 3.86 MB with each weight written, 2.99 MB so, 8% less once compressed); each
/// number in groups of five bits, lowest first, every group but the last marked by its sixth
/// bit. About a quarter of the size of the same list as JSON numbers,
/// and a third of the memory of the numbers themselves while a large site's index is built.
/// `static/search.js` decodes it.
#[derive(Debug, Default)]
struct Postings {
    text: Vec<u8>,
    /// The last document added.
    last: u32,
}

impl Postings {
    /// Adds a document (after every one already added) with its weight.
    fn push(&mut self, doc: u32, weight: u32) {
        let gap = u64::from(doc - self.last) * 2;
        if weight == 1 {
            push_number(&mut self.text, gap);
        } else {
            push_number(&mut self.text, gap + 1);
            push_number(&mut self.text, weight.into());
        }
        self.last = doc;
    }
}

fn push_number(out: &mut Vec<u8>, mut n: u64) {
    while n >= 32 {
        out.push(DIGITS[(32 | (n & 31)) as usize]);
        n >>= 5;
    }
    out.push(DIGITS[n as usize]);
}

/// Appends a value as JSON (strings and numbers cannot fail to serialise).
fn write_json(out: &mut Vec<u8>, v: &impl serde::Serialize) {
    if let Err(e) = serde_json::to_writer(&mut *out, v) {
        unreachable!("JSON of plain strings and numbers: {e}");
    }
}

/// Appends `open part,part,… close`, each part written by `write`.
fn join<T>(
    out: &mut Vec<u8>,
    open: u8,
    parts: impl Iterator<Item = T>,
    close: u8,
    write: impl Fn(&mut Vec<u8>, T),
) {
    out.push(open);
    for (i, p) in parts.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(out, p);
    }
    out.push(close);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::random_text;

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
    fn punctuation_told_by_range_is_no_letter_nor_digit() {
        let told = (0..=char::MAX as u32)
            .filter_map(char::from_u32)
            .filter(|&c| is_punctuation(c));
        let mut n = 0;
        for c in told {
            assert!(!c.is_alphanumeric() && !is_cjk(c), "U+{:04X}", c as u32);
            n += 1;
        }
        assert!(n > 150, "{n}");
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

    /// The tokeniser as it was first written, over a vector of characters: the reference the
    /// one that reads the text in place must agree with.
    fn reference_tokens(text: &str, index: bool) -> Vec<String> {
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

    /// Random texts from the characters the tokeniser treats apart (Chinese of both planes,
    /// ASCII and other letters, digits, points, spaces, punctuation, letters whose lower case is
    /// longer or depends on context): both tokenisers give the same terms in the same order, and
    /// a section's terms are the distinct ones with the weights their occurrences give.
    #[test]
    fn the_tokeniser_agrees_with_its_reference_on_random_text() {
        const PIECES: &[&str] = &[
            "模", "型", "价", "格", "亿", "元", "𠀀", "丽", "a", "B", "z", "ing", "es", "ΣΑΣ", "İ",
            "ß", "é", "0", "7", "15", ".", "..", " ", "\n", "，", "。", "-", "›", "%", "Ⅻ", "٣",
            "ﬁ", "\u{3000}",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut gather = Gather::default();
        for case in 0..5_000 {
            // Some long enough for a term to pass the cap of ten.
            let len = if case % 10 == 0 { 400 } else { case % 40 };
            let text = random_text(&mut seed, PIECES, len);
            for index in [true, false] {
                assert_eq!(
                    tokenize(&text, index),
                    reference_tokens(&text, index),
                    "{text:?}, index {index}"
                );
            }
            // Its second half as the title: occurrences in the text count up to ten, each one
            // in the title eight more. One gatherer takes every text, as a build's threads do.
            let title: String = text.chars().skip(text.chars().count() / 2).collect();
            let d = Doc {
                href: String::new(),
                page: String::new(),
                path: String::new(),
                title: title.clone(),
                text: text.clone(),
                terms: None,
            };
            let mut expected: std::collections::BTreeMap<String, u32> = Default::default();
            for t in reference_tokens(&text, true) {
                let w = expected.entry(t).or_default();
                *w = (*w + 1).min(10);
            }
            for t in reference_tokens(&title, true) {
                *expected.entry(t).or_default() += 8;
            }
            let list = gather.terms(&d);
            let terms: std::collections::BTreeMap<String, u32> =
                list.iter().map(|(t, w)| (t.to_string(), w)).collect();
            assert_eq!(terms.len(), list.iter().count(), "each term once: {text:?}");
            assert_eq!(terms, expected, "{text:?}");
        }
    }

    /// A posting list as the index writes it.
    fn encode_postings(list: &[u32]) -> Vec<u8> {
        let mut p = Postings::default();
        for pair in list.chunks(2) {
            p.push(pair[0], pair[1]);
        }
        p.text
    }

    /// A build leaves the terms to the index, a preview computes them with the page: the index
    /// is the same, one file or sharded.
    #[test]
    fn terms_made_by_the_index_or_with_the_page_give_the_same_index() {
        for n in [3, 9_000] {
            let sections: Vec<Section> = (0..n)
                .map(|i| Section {
                    id: format!("s{i}"),
                    title: format!("标题{} Prices {i}", i % 7),
                    text: format!(
                        "大模型价格 {} models priced at 157亿元 {i}",
                        "文本".repeat(i % 5)
                    ),
                    path: vec![format!("第{}章", i % 11), "Part › two".into()],
                })
                .collect();
            let with = page_docs("p/index.html", "报告", sections.clone(), true);
            let without = page_docs("p/index.html", "报告", sections, false);
            assert!(with.iter().all(|d| d.terms.is_some()));
            assert!(without.iter().all(|d| d.terms.is_none()));
            let a = build("zh", &with.iter().collect::<Vec<_>>());
            let b = build("zh", &without.iter().collect::<Vec<_>>());
            assert_eq!(a, b, "{n} sections");
            assert_eq!(a.len() > 1, n > 3, "{n} sections: sharded only when large");
        }
    }

    /// The index keeps Chinese terms by number and words by text: each Chinese term gives its
    /// text back, and no word is one or two Chinese characters, so no text is written twice.
    #[test]
    fn chinese_terms_and_words_never_share_a_text() {
        let text = "大模型价格 𠀀模 157亿元 GLM-4大模型 ai 模 丽 2024年 Ⅻ亿";
        let mut tokens = Vec::new();
        each_token(text, true, |t| {
            tokens.push(match t {
                Token::Cjk(code) => Ok(code),
                Token::Text(t) => Err(t.to_string()),
            })
        });
        assert!(tokens.iter().any(Result::is_ok) && tokens.iter().any(Result::is_err));
        for t in tokens {
            match t {
                Ok(code) => {
                    let back = Token::Cjk(code).text();
                    assert!(back.chars().all(is_cjk) && (1..=2).contains(&back.chars().count()));
                    let mut chars = back.chars();
                    let (first, second) = (chars.next().unwrap_or(' '), chars.next());
                    assert_eq!(cjk_code(first, second), code, "{back}");
                }
                Err(word) => assert!(
                    !(word.chars().all(is_cjk) && (1..=2).contains(&word.chars().count())),
                    "{word}"
                ),
            }
        }
    }

    #[test]
    fn titles_and_paths_weigh_more() {
        let s = Section {
            id: "a".into(),
            title: "价格".into(),
            text: "价格 价格".into(),
            path: vec!["发展现状".into()],
        };
        let doc = &page_docs("p/index.html", "报告", vec![s], true)[0];
        let list = doc.terms.clone().unwrap_or_default();
        let terms: HashMap<String, u32> = list.iter().collect();
        assert_eq!(terms["价格"], 2 + 8);
        assert_eq!(terms["现状"], 3);
    }

    #[test]
    fn chinese_terms_found_by_number_keep_their_counts_apart_from_words() {
        let s = Section {
            id: "a".into(),
            title: String::new(),
            text: "模型模型 157亿 亿元 ai AI 𠀀模".into(),
            path: Vec::new(),
        };
        let doc = &page_docs("p/index.html", "", vec![s], true)[0];
        let list = doc.terms.clone().unwrap_or_default();
        let terms: Vec<(String, u32)> = list.iter().collect();
        // Each term once with its own count: the words, then the Chinese terms, each in the
        // order first met.
        let expected = [
            ("157亿", 1),
            ("157", 1),
            ("ai", 2),
            ("模", 3),
            ("型", 2),
            ("模型", 2),
            ("型模", 1),
            ("亿", 2),
            ("元", 1),
            ("亿元", 1),
            ("𠀀", 1),
            ("𠀀模", 1),
        ];
        assert_eq!(terms, expected.map(|(t, w)| (t.to_string(), w)));
    }

    #[test]
    fn large_indexes_are_split_and_small_ones_are_not() {
        let doc = |i: usize| Doc {
            href: format!("p{i}/index.html"),
            page: "P".into(),
            path: String::new(),
            title: format!("T{i}"),
            text: format!("word{i} {}", "filler ".repeat(200)),
            terms: Some(term_list(&[(&format!("word{i}"), 1), ("fill", 10)])),
        };
        let small: Vec<Doc> = (0..3).map(doc).collect();
        assert_eq!(build("en", &small.iter().collect::<Vec<_>>()).len(), 1);
        let large: Vec<Doc> = (0..2_000).map(doc).collect();
        let files = build("en", &large.iter().collect::<Vec<_>>());
        // Terms in shards, documents in chunks (without their texts, which fit one here), and
        // the manifest.
        assert!(files.len() >= 3, "{}", files.len());
        let manifest: serde_json::Value = serde_json::from_slice(&files.last().unwrap().1).unwrap();
        assert_eq!(manifest["ndocs"], 2_000, "{manifest}");
        let file = |name: String| {
            let (_, gz) = files.iter().find(|(p, _)| *p == name).unwrap();
            let mut json = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut json)
                .unwrap();
            serde_json::from_slice::<serde_json::Value>(&json).unwrap()
        };
        let chunk = file("search/en/d0.json.gz".into());
        assert_eq!(
            chunk[7],
            serde_json::json!(["p7/index.html", "P", "", "T7"])
        );
        let shards = manifest["shards"].as_u64().unwrap() as usize;
        for i in [7, 511, 512, 1500, 1999] {
            // In the first window of documents added, and in later ones, added while the next
            // window was tokenised.
            let word = format!("word{i}");
            let shard = file(format!("search/en/t{}.json.gz", shard_of(&word, shards)));
            assert_eq!(decode(shard[&word].as_str().unwrap()), [i, 1], "{word}");
        }
    }

    /// A term list of the given terms and weights, in order.
    fn term_list(terms: &[(&str, u32)]) -> TermList {
        let mut list = TermList::default();
        for &(t, w) in terms {
            list.push(t, w);
        }
        list
    }

    /// What `static/search.js` does with a posting list.
    fn decode(s: &str) -> Vec<u32> {
        let (mut out, mut n, mut shift, mut doc) = (Vec::new(), 0u64, 0, 0u32);
        let mut weight_follows = false;
        for c in s.bytes() {
            let v = DIGITS.iter().position(|&d| d == c).unwrap() as u64;
            n |= (v & 31) << shift;
            if v & 32 != 0 {
                shift += 5;
                continue;
            }
            if weight_follows {
                out.push(n as u32);
                weight_follows = false;
            } else {
                doc += (n / 2) as u32;
                out.push(doc);
                weight_follows = n % 2 == 1;
                if !weight_follows {
                    out.push(1);
                }
            }
            (n, shift) = (0, 0);
        }
        out
    }

    #[test]
    fn term_lists_give_back_their_terms() {
        let terms = [("价格", 3), ("a", 1), ("", 2), ("模型价格", 10)];
        let list = term_list(&terms);
        assert_eq!(list.words().collect::<Vec<_>>(), terms);
        assert_eq!(TermList::default().iter().count(), 0);
    }

    #[test]
    fn posting_lists_survive_their_encoding() {
        let lists: [&[u32]; 5] = [
            &[],
            &[0, 1],
            &[0, 0, 31, 32, 32, 1],
            &[7, 1, 1_000, 3, 1_001, 40_000, u32::MAX, u32::MAX],
            &[5, 2, 6, 1, 1_048_576, 1],
        ];
        for list in lists {
            let b = encode_postings(list);
            assert!(b.iter().all(|c| DIGITS.contains(c)));
            assert_eq!(decode(std::str::from_utf8(&b).unwrap()), list);
        }
        let b = encode_postings(&[8599, 1, 8600, 3, 8601, 1, 8602, 1]);
        assert_eq!(
            b, b"kvG3322",
            "a dense list takes a character or two a document, a weight of 1 none"
        );
    }
}
