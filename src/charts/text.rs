//! Text layout without fonts on the build machine: estimated widths (CJK characters one em,
//! Latin letters by class) and shortening with an ellipsis.

/// Width of a text in user units: CJK characters are one em, Latin letters about half.
pub fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| {
            if crate::diag::is_wide(c) {
                1.0
            } else if c == ' ' {
                0.3
            } else if c.is_ascii_uppercase() || c == '%' || c == 'm' || c == 'w' {
                0.68
            } else if c.is_ascii_digit() {
                0.58
            } else if matches!(
                c,
                'i' | 'l' | 'j' | '.' | ',' | '\'' | '|' | '!' | ':' | ';'
            ) {
                0.3
            } else {
                0.53
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
        assert!(text_width("ab", 10.0) < 12.0);
    }

    #[test]
    fn labels_are_shortened_to_fit() {
        let s = fit("字节跳动字节跳动", 50.0, 10.0);
        assert!(s.ends_with('…') && text_width(&s, 10.0) <= 50.0, "{s}");
        assert_eq!(fit("ab", 50.0, 10.0), "ab");
    }
}
