//! Text layout without fonts on the build machine: estimated widths (CJK characters one em,
//! Latin letters by class) and shortening with an ellipsis.

/// Advance widths in thousandths of an em of printable ASCII (space to `~`), from DejaVu Sans,
/// the widest of the common sans-serif fonts a page falls back to (Arial, Helvetica, Segoe UI
/// and Roboto are 5–12% narrower): an estimate from it never under-measures Latin text.
const ASCII: [u16; 95] = [
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318,
    337, // ' '..'/'
    636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838,
    531, // '0'..'?'
    1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748,
    787, // '@'..'O'
    603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838,
    500, // 'P'..'_'
    500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634,
    612, // '`'..'o'
    635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838, // 'p'..'~'
];

/// Width of a text in user units: CJK and other wide characters one em, ASCII by the table
/// above, other letters (accented Latin, Greek, Cyrillic) as a wide lowercase letter.
pub fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| {
            if crate::diag::is_wide(c) || c == '…' {
                1.0
            } else if (' '..='~').contains(&c) {
                ASCII[c as usize - 32] as f64 / 1000.0
            } else if matches!(c, '·' | '’' | '‘') {
                0.32
            } else if matches!(c, '−' | '–' | '×' | '≤' | '≥' | '±') {
                0.84
            } else if c.is_ascii_control() || c == '\u{200b}' {
                0.0
            } else {
                0.7
            }
        })
        .sum::<f64>()
        * size
}

/// Shortens a label with an ellipsis to fit `width`.
pub fn fit(s: &str, width: f64, size: f64) -> String {
    if text_width(s, size) <= width {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        if text_width(&format!("{out}{c}…"), size) > width {
            break;
        }
        out.push(c);
    }
    format!("{out}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_width_counts_cjk_as_one_em() {
        assert_eq!(text_width("中文", 10.0), 20.0);
        assert!(text_width("ab", 10.0) < 13.0);
        // Latin is measured as DejaVu Sans sets it (Chromium's fallback here): 22 characters
        // of "Doubao-vision-lite-32k" at 16 px measure 180.6 px in Chromium.
        let w = text_width("Doubao-vision-lite-32k", 16.0);
        assert!((170.0..190.0).contains(&w), "{w}");
        assert!(text_width("WWW", 10.0) > text_width("iii", 10.0) * 3.0);
    }

    #[test]
    fn labels_are_shortened_to_fit() {
        let s = fit("字节跳动字节跳动", 50.0, 10.0);
        assert!(s.ends_with('…') && text_width(&s, 10.0) <= 50.0, "{s}");
        assert_eq!(fit("ab", 50.0, 10.0), "ab");
    }
}
