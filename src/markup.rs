//! Escaping text for HTML and XML: the one place it is done, for pages, SVG and feeds alike.

/// Escapes `&`, `<`, `>`, `"` and `'`: safe in text and in quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
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
