//! Escaping text for HTML and XML: the one place it is done, for pages, SVG and feeds alike.

/// Escapes `&`, `<`, `>`, `"` and `'`: safe in text and in quoted attribute values. Runs
/// between them are copied whole (templates escape every value they print, most with nothing
/// to escape).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
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
        out.push_str(&s[done..i]);
        out.push_str(entity);
        done = i + 1;
    }
    out.push_str(&s[done..]);
    out
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
