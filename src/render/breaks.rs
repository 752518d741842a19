//! Where a line may break in a title: every rule in one place.
//! - A year range ("2022-2027年", "2023–24") stays on one line: browsers may break after the
//!   hyphen or before 年, which leaves "2022-" at the end of a line.
//! - A Chinese or Japanese heading breaks only between words. Chromium's `word-break:
//!   auto-phrase` segments Japanese only, and Chinese headings broke inside words (产/业,
//!   互联/网); so headings get `<wbr>` at the word boundaries of ICU's dictionary segmenter, and
//!   the style sheet sets `word-break: keep-all` on them (no break between two CJK characters
//!   without one). No `<wbr>` goes after a digit (2024/年) or next to punctuation (line-start
//!   rules stay the browser's).

use std::sync::LazyLock;

use icu_segmenter::WordSegmenter;
use icu_segmenter::options::WordBreakInvariantOptions;

use crate::markup::escape;

/// The dictionary segmenter (Chinese and Japanese words from ICU's data compiled into yanbao).
static WORDS: LazyLock<icu_segmenter::WordSegmenterBorrowed<'static>> =
    LazyLock::new(|| WordSegmenter::new_dictionary(WordBreakInvariantOptions::default()));

/// Whether titles in the language `tag` (`zh-Hans`, `ja`) are written without spaces between
/// words, so they need their word boundaries marked.
pub fn unspaced(tag: &str) -> bool {
    let primary = tag.split(['-', '_']).next().unwrap_or("");
    ["zh", "ja", "yue", "lzh", "wuu"]
        .iter()
        .any(|p| primary.eq_ignore_ascii_case(p))
}

/// Han, kana and the CJK compatibility blocks.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3FFFF}')
}

/// How many ASCII digits `bytes` holds, counted 64 bytes at a time in a byte each, a sum the
/// compiler makes many bytes at a time (a filtered count took eight instructions a byte).
fn ascii_digits(bytes: &[u8]) -> usize {
    bytes
        .chunks(64)
        .map(|c| {
            let digits: u8 = c.iter().map(|&b| u8::from(b.wrapping_sub(b'0') < 10)).sum();
            usize::from(digits)
        })
        .sum()
}

/// Byte ranges of the year ranges in `text`.
fn year_spans(text: &str) -> Vec<(usize, usize)> {
    const DASHES: &[char] = &['-', '‐', '‑', '–', '—', '~', '～'];
    let bytes = text.as_bytes();
    // A range takes six digits at least (2023-24). Every text event of a page comes here, and
    // most have fewer: one look at their bytes is enough.
    if ascii_digits(bytes) < 6 {
        return Vec::new();
    }
    // Read by byte, not by decoded character: digits, letters and the ASCII dash are one byte
    // each, and no byte of another character is one of them (decoding every character of each
    // such text into a list was 2% of a build's instructions at N=1000).
    let digits_at = |i: usize| {
        bytes.get(i..).map_or(0, |rest| {
            rest.iter().take_while(|b| b.is_ascii_digit()).count()
        })
    };
    let after_nian = |j: usize| {
        if text[j..].starts_with('年') {
            j + '年'.len_utf8()
        } else {
            j
        }
    };
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if !bytes[i].is_ascii_digit() || !starts_word {
            i += 1;
            continue;
        }
        let run = digits_at(i);
        // A run of other than four digits starts no range, nor does any digit inside it.
        if run != 4 {
            i += run;
            continue;
        }
        let mut j = after_nian(i + 4);
        let Some(dash) = text[j..].chars().next().filter(|c| DASHES.contains(c)) else {
            i += 4;
            continue;
        };
        j += dash.len_utf8();
        let n = digits_at(j);
        if n != 2 && n != 4 || bytes.get(j + n).is_some_and(u8::is_ascii_alphanumeric) {
            i += 4;
            continue;
        }
        j = after_nian(j + n);
        spans.push((i, j));
        i = j;
    }
    spans
}

/// Byte offsets inside `text` where a CJK title may break: word boundaries with a letter on
/// each side, at least one of them CJK, no digit before, and not between two one-character
/// words (where the dictionary did not know a word, it splits it into characters: 图|谱).
/// A date's 年, 月 or 日 after digits ends a word, so 2024年中国 is not read as 年中 (mid-year).
fn word_breaks(text: &str) -> Vec<usize> {
    let mut bounds = vec![0];
    let mut piece = 0;
    let mut prev_digit = false;
    let mut cuts: Vec<usize> = Vec::new();
    for (i, c) in text.char_indices() {
        if prev_digit && matches!(c, '年' | '月' | '日') {
            cuts.push(i + c.len_utf8());
        }
        prev_digit = c.is_ascii_digit();
    }
    cuts.push(text.len());
    for cut in cuts {
        if cut <= piece {
            continue;
        }
        bounds.extend(
            WORDS
                .segment_str(&text[piece..cut])
                .filter(|&b| b > 0)
                .map(|b| piece + b),
        );
        piece = cut;
    }
    bounds.dedup();
    let one_cjk = |a: usize, b: usize| {
        let mut cs = text[a..b].chars();
        cs.next().is_some_and(is_cjk) && cs.next().is_none()
    };
    bounds
        .windows(3)
        .filter(|w| !(one_cjk(w[0], w[1]) && one_cjk(w[1], w[2])))
        .map(|w| w[1])
        .filter(|&b| {
            let before = text[..b].chars().next_back();
            let after = text[b..].chars().next();
            match (before, after) {
                (Some(x), Some(y)) => {
                    x.is_alphanumeric()
                        && y.is_alphanumeric()
                        && !x.is_ascii_digit()
                        && (is_cjk(x) || is_cjk(y))
                }
                _ => false,
            }
        })
        .collect()
}

/// Appends `html` kept on one line.
fn push_nobr(out: &mut String, html: &str) {
    out.push_str("<span class=\"nobr\">");
    out.push_str(html);
    out.push_str("</span>");
}

/// `text` as HTML with each year range in `<span class="nobr">` and, with `unspaced` (a
/// Chinese or Japanese title), `<wbr>` between its words; `None` when there is nothing to mark.
pub fn title_html(text: &str, unspaced: bool) -> Option<String> {
    let spans = year_spans(text);
    let breaks = if unspaced && text.chars().any(is_cjk) {
        word_breaks(text)
    } else {
        Vec::new()
    };
    if spans.is_empty() && breaks.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 8 * breaks.len() + 32 * spans.len());
    let mut done = 0;
    let mut spans = spans.into_iter().peekable();
    let mut breaks = breaks.into_iter().peekable();
    loop {
        let next_span = spans.peek().copied();
        let next_break = breaks.peek().copied();
        match (next_span, next_break) {
            (Some((from, to)), b) if b.is_none_or(|b| b >= from) => {
                out.push_str(&escape(&text[done..from]));
                push_nobr(&mut out, &escape(&text[from..to]));
                done = to;
                spans.next();
                // No break inside the range.
                while breaks.next_if(|&b| b < to).is_some() {}
            }
            (_, Some(b)) => {
                out.push_str(&escape(&text[done..b]));
                out.push_str("<wbr>");
                done = b;
                breaks.next();
            }
            (None, None) => break,
            (Some(_), None) => unreachable!("a span with no break is the first arm"),
        }
    }
    out.push_str(&escape(&text[done..]));
    Some(out)
}

/// HTML (escaped text and tags) with the year ranges of its text kept whole: for text that
/// reaches the page as HTML already (key points with their source marks).
pub fn years_in_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 32);
    let mut rest = html;
    while !rest.is_empty() {
        let text_end = rest.find('<').unwrap_or(rest.len());
        let text = &rest[..text_end];
        let mut done = 0;
        for (from, to) in year_spans(text) {
            out.push_str(&text[done..from]);
            push_nobr(&mut out, &text[from..to]);
            done = to;
        }
        out.push_str(&text[done..]);
        rest = &rest[text_end..];
        let tag_end = rest.find('>').map_or(rest.len(), |e| e + 1);
        out.push_str(&rest[..tag_end]);
        rest = &rest[tag_end..];
    }
    out
}

/// A title as HTML, marked for the language `tag`: always escaped.
pub fn title(text: &str, tag: &str) -> String {
    title_html(text, unspaced(tag)).unwrap_or_else(|| escape(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::random_text;

    #[test]
    fn year_ranges_stay_on_one_line() {
        assert_eq!(
            title_html("2022-2027年复合增长率", false).as_deref(),
            Some("<span class=\"nobr\">2022-2027年</span>复合增长率")
        );
        assert_eq!(
            title_html("from 2023–24 & 2020年~2021年 <b>", false).as_deref(),
            Some(
                "from <span class=\"nobr\">2023–24</span> &amp; <span class=\"nobr\">2020年~2021年</span> &lt;b&gt;"
            )
        );
        // Six digits are the fewest a range has.
        assert_eq!(
            title_html("2023-24", false).as_deref(),
            Some("<span class=\"nobr\">2023-24</span>")
        );
        assert_eq!(title_html("2023-2", false), None);
        // Not years: phone numbers, longer digit runs, ranges of other numbers, words with digits.
        for t in [
            "010-12345678",
            "12022-2027",
            "40-45%",
            "A2022-2027",
            "2022-",
            "2022-7",
            "2022",
        ] {
            assert_eq!(title_html(t, false), None, "{t}");
        }
    }

    /// The year ranges of a text as first written, by decoded character: the byte scan must
    /// find the same.
    fn reference_year_spans(text: &str) -> Vec<(usize, usize)> {
        const DASHES: &[char] = &['-', '‐', '‑', '–', '—', '~', '～'];
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let digits_at = |i: usize| {
            chars[i..]
                .iter()
                .take_while(|(_, c)| c.is_ascii_digit())
                .count()
        };
        let mut spans = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let starts_word = i == 0 || !chars[i - 1].1.is_ascii_alphanumeric();
            if !starts_word || digits_at(i) != 4 {
                i += 1;
                continue;
            }
            let mut j = i + 4;
            if chars.get(j).is_some_and(|(_, c)| *c == '年') {
                j += 1;
            }
            if !chars.get(j).is_some_and(|(_, c)| DASHES.contains(c)) {
                i += 1;
                continue;
            }
            j += 1;
            let n = if j < chars.len() { digits_at(j) } else { 0 };
            if n != 2 && n != 4
                || chars
                    .get(j + n)
                    .is_some_and(|(_, c)| c.is_ascii_alphanumeric())
            {
                i += 1;
                continue;
            }
            j += n;
            if chars.get(j).is_some_and(|(_, c)| *c == '年') {
                j += 1;
            }
            spans.push((chars[i].0, chars.get(j).map_or(text.len(), |(b, _)| *b)));
            i = j;
        }
        spans
    }

    #[test]
    fn year_ranges_are_found_as_by_their_reference_on_random_text() {
        const PIECES: &[&str] = &[
            "2022", "2027", "24", "1", "0", "-", "–", "—", "~", "～", "‐", "‑", "年", "a", "Z",
            " ", "é", "模", "，", "\u{3000}",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut found = 0;
        for case in 0..20_000 {
            let text = random_text(&mut seed, PIECES, case % 24);
            let spans = year_spans(&text);
            assert_eq!(spans, reference_year_spans(&text), "{text:?}");
            found += spans.len();
        }
        // The texts hold ranges, not only misses.
        assert!(found > 500, "{found}");
    }

    /// The headings the issue saw break inside words, and others of the bundled report: every
    /// break falls between words, never after a digit, never inside a year range.
    #[test]
    fn chinese_titles_break_between_words() {
        let marked = |t: &str| title_html(t, true).unwrap_or_else(|| escape(t));
        assert_eq!(
            marked("AI大模型产业发展现状"),
            "AI<wbr>大<wbr>模型<wbr>产业<wbr>发展<wbr>现状"
        );
        for (title, words) in [
            ("2024年中国AI大模型产业图谱", &["产业", "中国", "图谱"][..]),
            (
                "TOP5大模型应用行业：互联网、金融、医疗、教育、政务",
                &["互联网", "金融", "医疗", "教育", "政务"],
            ),
            (
                "2024年AI大模型应用市场规模约为157亿元，2022-2027年复合增长率达148%",
                &["市场", "规模", "复合", "增长"],
            ),
            (
                "国产大模型已大幅降价，为广泛商业化应用奠定基础",
                &["降价", "广泛", "奠定", "基础"],
            ),
        ] {
            let html = marked(title);
            for w in words {
                assert!(html.contains(w), "{title}: `{w}` split in {html}");
            }
            assert!(
                !html.contains("<wbr>年") && !html.contains("<wbr>亿"),
                "after a digit: {html}"
            );
            assert!(
                !html.contains("<wbr>，") && !html.contains("，<wbr>") && !html.contains("<wbr>、"),
                "by punctuation: {html}"
            );
            // The text is unchanged apart from the marks.
            assert_eq!(
                html.replace("<wbr>", "")
                    .replace("<span class=\"nobr\">", "")
                    .replace("</span>", ""),
                escape(title)
            );
        }
        assert!(
            marked("2022-2027年复合增长率")
                .starts_with("<span class=\"nobr\">2022-2027年</span><wbr>复合")
        );
        // Japanese too; Latin titles and other languages are left alone.
        assert!(marked("中国の新エネルギー車市場").contains("<wbr>"));
        assert_eq!(
            title_html("Market size, 2022–2027", false).as_deref(),
            Some("Market size, <span class=\"nobr\">2022–2027</span>")
        );
        assert_eq!(title_html("Market size", true), None);
        assert_eq!(title("市场规模", "en"), "市场规模");
        assert_eq!(title("<b>", "zh-Hans"), "&lt;b&gt;");
        assert_eq!(
            years_in_html("over 2022–2027; <a href=\"#n-2023-2024\">2023-24</a>"),
            "over <span class=\"nobr\">2022–2027</span>; <a href=\"#n-2023-2024\"><span class=\"nobr\">2023-24</span></a>"
        );
        assert!(
            unspaced("zh-Hans")
                && unspaced("ja")
                && unspaced("ZH")
                && !unspaced("en")
                && !unspaced("ko")
        );
    }
}
