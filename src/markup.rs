//! Escaping text for HTML and XML: the one place it is done, for pages, SVG and feeds alike.

/// Escapes `&`, `<`, `>`, `"` and `'`: safe in text and in quoted attribute values. Runs
/// between them are copied whole (templates escape every value they print, most with nothing
/// to escape).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let _ = pieces(s, |p| {
        out.push_str(p);
        Ok(())
    });
    out
}

/// [`escape`] written to `out`: how the templates escape a value (Tera's escape function).
pub fn escape_to(s: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    pieces(s, |p| out.write_all(p.as_bytes()))
}

/// `s` as escaped pieces: each run without a special character as it is, each special
/// character as its entity.
fn pieces(s: &str, mut piece: impl FnMut(&str) -> std::io::Result<()>) -> std::io::Result<()> {
    let mut done = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        if done < i {
            piece(&s[done..i])?;
        }
        piece(entity)?;
        done = i + 1;
    }
    if done < s.len() {
        piece(&s[done..])?;
    }
    Ok(())
}

/// JSON placed inside a `<script>` element: `<` escaped so that no `</script>` or `<!--` in the
/// data can end or disturb the element.
pub fn json_in_script(json: &str) -> String {
    json.replace('<', "\\u003c")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
        assert_eq!(
            json_in_script(r#"{"a":"<!--<script>"}"#),
            r#"{"a":"\u003c!--\u003cscript>"}"#
        );
    }
}
