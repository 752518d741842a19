//! YAML with positions. serde_yaml deserializes (and reports syntax and type errors with their
//! location); a second, event-level pass with yaml-rust2 records where every node starts, so that
//! problems found later (an unknown source id, a missing translation) can also name `line:col`.

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::diag::{Diagnostic, SourceFile};

/// A YAML document's text inside a file (a data file, or front matter starting at `line_offset`).
#[derive(Debug, Clone, Default)]
pub struct Located {
    /// Node path (`rows.3.source`) → 1-based (line, column) in the file of the node's value.
    values: HashMap<String, (usize, usize)>,
    /// Node path → position of its key in the enclosing mapping.
    keys: HashMap<String, (usize, usize)>,
    line_offset: usize,
}

impl Located {
    /// Position of the value at `path`, or of the nearest ancestor that has one.
    pub fn value(&self, path: &str) -> (usize, usize) {
        self.find(&self.values, path)
    }

    /// Position of the key of `path` (falls back to the value, then to ancestors).
    pub fn key(&self, path: &str) -> (usize, usize) {
        match self.keys.get(path) {
            Some(&(l, c)) => (l + self.line_offset, c),
            None => self.value(path),
        }
    }

    fn find(&self, map: &HashMap<String, (usize, usize)>, path: &str) -> (usize, usize) {
        let mut p = path;
        loop {
            if let Some(&(l, c)) = map.get(p) {
                return (l + self.line_offset, c);
            }
            match p.rfind('.') {
                Some(i) => p = &p[..i],
                None => {
                    return map
                        .get("")
                        .map(|&(l, c)| (l + self.line_offset, c))
                        .unwrap_or((1 + self.line_offset, 1));
                }
            }
        }
    }

    /// Every node path of the document (in no particular order).
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    /// Does the document have a node at `path`?
    pub fn has(&self, path: &str) -> bool {
        self.values.contains_key(path) || self.keys.contains_key(path)
    }

    /// An error pointing at the value at `path` in `file`.
    pub fn error(&self, file: &SourceFile, path: &str, message: impl Into<String>) -> Diagnostic {
        let (l, c) = self.value(path);
        file.error_at_line(l, c, message)
    }

    /// An error pointing at the key of `path` in `file`.
    pub fn key_error(
        &self,
        file: &SourceFile,
        path: &str,
        message: impl Into<String>,
    ) -> Diagnostic {
        let (l, c) = self.key(path);
        file.error_at_line(l, c, message)
    }
}

/// Parses `text` (which starts at line `line_offset + 1` of `file`) into `T`.
/// Errors carry the position in the file and, where serde names the problem, a hint.
pub fn parse<T: DeserializeOwned>(
    file: &SourceFile,
    text: &str,
    line_offset: usize,
) -> Result<(T, Located), Diagnostic> {
    // Flow brackets are counted before any parser runs: parsers slow down and give up on deep
    // nests before their own depth could be checked.
    let (located, found) = match flow_too_deep(text) {
        Some(at) => (
            Located::default(),
            Noticed {
                too_deep: Some(at),
                ..Noticed::default()
            },
        ),
        None => locate_checked(text, line_offset),
    };
    if let Some((list, (line, column))) = found.too_long {
        let limit = max_rows();
        let name = if list.is_empty() {
            "the list".to_string()
        } else {
            format!("`{list}`")
        };
        return Err(file
            .error_at_line(
                line + line_offset,
                column,
                format!("{name} has more than {limit} items; this is item {}", limit + 1),
            )
            .help(format!(
                "split the data into several files, or raise the limit: YANBAO_MAX_ROWS={} yanbao build",
                limit.saturating_mul(4)
            )));
    }
    if let Some((line, column)) = found.too_deep {
        return Err(file
            .error_at_line(
                line + line_offset,
                column,
                format!("YAML nested more than {MAX_DEPTH} levels deep"),
            )
            .help(
                "yanbao's files need a few levels at most; look for brackets that are never closed",
            ));
    }
    match serde_yaml::from_str::<T>(text) {
        Ok(value) => Ok((value, located)),
        Err(err) => {
            let mut d = to_diagnostic(file, &err, line_offset);
            let blank = text
                .lines()
                .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
            if blank && let Some(field) = d.message.strip_prefix("missing field ") {
                d = file
                    .error_at_line(line_offset + 1, 1, format!("nothing is written here; {field} and the other keys are required"))
                    .help("write the keys this file needs (README: \"Content layout\"), or delete the file");
            }
            // serde_yaml places a duplicate key at the start of its mapping; point at the key.
            let said = err.to_string();
            let duplicate = said.contains("duplicate entry") || said.contains("duplicate field");
            if let Some((key, (line, column))) = found.duplicate.filter(|_| duplicate) {
                d = file
                    .error_at_line(
                        line + line_offset,
                        column,
                        format!("key `{key}` is written twice in the same mapping"),
                    )
                    .help("keep one of them (YAML keeps neither silently: the file is refused)");
            }
            Err(d)
        }
    }
}

/// Nesting deeper than this is refused before anything else reads the file: each level costs
/// every parser time and stack, and no yanbao file needs more than a handful.
pub const MAX_DEPTH: usize = 64;

/// Where flow brackets (`[`, `{`) first open [`MAX_DEPTH`] levels, counting the document's own
/// level, as (1-based line, 1-based column); brackets in quotes and comments do not count.
/// Linear in the text, so a million brackets are refused at once.
fn flow_too_deep(text: &str) -> Option<(usize, usize)> {
    let (mut depth, mut line, mut col) = (0usize, 1usize, 0usize);
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut prev = '\n';
    for c in text.chars() {
        col += 1;
        if c == '\n' {
            line += 1;
            col = 0;
            comment = false;
            quote = quote.filter(|_| depth > 0);
            prev = c;
            continue;
        }
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if comment => {}
            None => match c {
                '#' if prev.is_whitespace() => comment = true,
                '"' | '\'' if depth > 0 || prev.is_whitespace() || prev == ':' => quote = Some(c),
                '[' | '{' => {
                    depth += 1;
                    if depth >= MAX_DEPTH {
                        return Some((line, col));
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        prev = c;
    }
    None
}

/// What the position pass noticed beyond positions.
#[derive(Default)]
struct Noticed {
    /// Where nesting first passed [`MAX_DEPTH`] (0-based column turned 1-based).
    too_deep: Option<(usize, usize)>,
    /// The first key written twice in one mapping, and where.
    duplicate: Option<(String, (usize, usize))>,
    /// The first list to pass the item limit: its path and where its first extra item starts.
    too_long: Option<(String, (usize, usize))>,
}

/// Items one YAML list may hold (a data file's `rows`, a chart's series), unless
/// `YANBAO_MAX_ROWS` says otherwise. A file this long checks and renders in seconds; a longer
/// one is refused after a quick scan instead of taking minutes and gigabytes.
pub const MAX_ROWS: usize = 20_000;

fn max_rows() -> usize {
    std::env::var("YANBAO_MAX_ROWS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(MAX_ROWS)
}

/// Turns a serde_yaml error into a diagnostic at the right place in the file, with a fix hint.
pub fn to_diagnostic(file: &SourceFile, err: &serde_yaml::Error, line_offset: usize) -> Diagnostic {
    let raw = err.to_string();
    // serde_yaml appends " at line L column C"; we print the position ourselves.
    let message = match raw.find(" at line ") {
        Some(i) => raw[..i].to_string(),
        None => raw.clone(),
    };
    // Speak the editor's language, not Rust's.
    let message = message
        .replace("expected i64", "expected a whole number")
        .replace("expected u8", "expected a whole number")
        .replace("expected f64", "expected a number")
        .replace("expected a borrowed string", "expected text")
        .replace("expected a string", "expected text");
    let message = found_then_expected(&without_rust_names(&message));
    let (line, column) = err
        .location()
        .map(|l| (l.line() + line_offset, l.column()))
        .unwrap_or((line_offset + 1, 1));
    let mut help = hint_for(&message);
    let line_text = file.text.lines().nth(line.saturating_sub(1)).unwrap_or("");
    if line_text.contains("{{")
        && (message.contains("did not find expected") || message.contains("invalid type: map"))
    {
        help = Some(
            "a value containing a `{{…}}` reference must be quoted: `en: \"…{{file.row}}…\"`"
                .into(),
        );
    }
    let indent = &line_text[..line_text.len() - line_text.trim_start().len()];
    if indent.contains('\t') {
        help = Some("YAML does not allow tabs for indentation: indent with spaces".into());
    }
    let mut d = file.error_at_line(line, column, message);
    if let Some(h) = help {
        d = d.help(h);
    }
    d
}

/// serde's "invalid type: sequence, expected a mapping of keys" as "expected a mapping of keys,
/// found a list": what the place wants first, in the editor's words for YAML values.
fn found_then_expected(message: &str) -> String {
    let Some(rest) = message.strip_prefix("invalid type: ") else {
        return message.to_string();
    };
    let Some((found, expected)) = rest.split_once(", expected ") else {
        return message.to_string();
    };
    let found = if found == "sequence" {
        "a list".to_string()
    } else if found == "mapping" {
        "a mapping of keys".to_string()
    } else if found == "unit value" {
        "nothing (an empty value)".to_string()
    } else if let Some(text) = found.strip_prefix("string ") {
        format!("the text {text}")
    } else if let Some(n) = found
        .strip_prefix("integer ")
        .or_else(|| found.strip_prefix("floating point "))
    {
        format!("the number {}", n.trim_matches('`'))
    } else if let Some(b) = found.strip_prefix("boolean ") {
        format!("`{}` (a yes/no value)", b.trim_matches('`'))
    } else {
        found.to_string()
    };
    format!("expected {expected}, found {found}")
}

/// serde's words for Rust types (`struct RawFile`, `u128`, `f32`) in the editor's words.
fn without_rust_names(message: &str) -> String {
    let words: Vec<&str> = message.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        let core = w.trim_end_matches([',', '.', ';', ')']);
        let tail = &w[core.len()..];
        let next_is_name = words
            .get(i + 1)
            .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_uppercase()));
        let replaced = match core {
            "struct" if next_is_name => {
                let name = words[i + 1];
                let name_tail = &name[name.trim_end_matches([',', '.', ';', ')']).len()..];
                out.push(format!("a mapping of keys{name_tail}"));
                i += 2;
                continue;
            }
            "map" => Some("mapping"),
            "enum" if next_is_name => {
                i += 2;
                out.push("one of the listed values".into());
                continue;
            }
            "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "i8" | "i16" | "i32" | "i64"
            | "i128" | "isize" => Some("a whole number"),
            "f32" | "f64" => Some("a number"),
            "`u8`" | "`u16`" | "`u32`" | "`u64`" | "`u128`" | "`usize`" => Some("a whole number"),
            _ => None,
        };
        match replaced {
            Some(r) => out.push(format!("{r}{tail}")),
            None => out.push(w.to_string()),
        }
        i += 1;
    }
    out.join(" ")
}

fn hint_for(message: &str) -> Option<String> {
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let (field, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return Some(if expected.is_empty() {
            format!("remove {field}; this place takes no keys")
        } else {
            format!("remove or rename {field}; valid keys here: {expected}")
        });
    }
    if message.contains("missing field") {
        return Some("add the missing key with a value".into());
    }
    if message.contains("invalid type")
        || (message.starts_with("expected ") && message.contains(", found "))
    {
        return Some("check the value's type (quote text that looks like a number or date)".into());
    }
    if message.contains("unknown variant") {
        return Some("use one of the listed values".into());
    }
    if message.contains("did not find expected ',' or ']'")
        || message.contains("did not find expected ',' or '}'")
    {
        return Some("a `[` or `{` opened on this line or above is not closed (or a value inside it needs quotes)".into());
    }
    if message.contains("did not find expected")
        || message.contains("mapping values are not allowed")
    {
        return Some(
            "check indentation and quoting on this line (values with `: ` or starting with `{`, `[`, `*`, `&` need quotes)"
                .into(),
        );
    }
    None
}

/// Records the start of every node; keys of nested mappings are joined with `.`, sequence
/// items are numbered from 0 (`rows.0.id`).
#[cfg(test)]
#[cfg(test)]
fn locate(text: &str, line_offset: usize) -> Located {
    locate_checked(text, line_offset).0
}

fn locate_checked(text: &str, line_offset: usize) -> (Located, Noticed) {
    let mut rec = Recorder {
        max_items: max_rows(),
        ..Recorder::default()
    };
    let mut parser = Parser::new_from_str(text);
    // Driven event by event, so that a file refused for its nesting or its length is not read
    // to the end. A syntax error stops the walk; serde_yaml reports it with its own position.
    while let Ok((ev, mark)) = parser.next_token() {
        let end = matches!(ev, Event::StreamEnd | Event::DocumentEnd);
        rec.on_event(ev, mark);
        if end || rec.noticed.too_deep.is_some() || rec.noticed.too_long.is_some() {
            break;
        }
    }
    (
        Located {
            values: rec.values,
            keys: rec.keys,
            line_offset,
        },
        rec.noticed,
    )
}

#[derive(Default)]
struct Recorder {
    stack: Vec<Frame>,
    path: Vec<String>,
    values: HashMap<String, (usize, usize)>,
    keys: HashMap<String, (usize, usize)>,
    noticed: Noticed,
    max_items: usize,
}

enum Frame {
    /// `first` until the mapping's first key is seen.
    Map {
        awaiting_key: bool,
        first: bool,
    },
    Seq {
        next: usize,
    },
}

impl Recorder {
    fn joined(&self) -> String {
        self.path.join(".")
    }

    fn begin_node(&mut self, mark: Marker) {
        if let Some(Frame::Seq { next }) = self.stack.last() {
            self.path.push(next.to_string());
        }
        // yaml-rust2 columns are 0-based.
        self.values
            .entry(self.joined())
            .or_insert((mark.line(), mark.col() + 1));
    }

    fn end_node(&mut self) {
        match self.stack.last_mut() {
            Some(Frame::Map { awaiting_key, .. }) => {
                self.path.pop();
                *awaiting_key = true;
            }
            Some(Frame::Seq { next }) => {
                self.path.pop();
                *next += 1;
            }
            None => {}
        }
    }
}

impl MarkedEventReceiver for Recorder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.noticed.too_deep.is_some() || self.noticed.too_long.is_some() {
            return;
        }
        if let Some(Frame::Seq { next }) = self.stack.last()
            && *next >= self.max_items
            && !matches!(ev, Event::SequenceEnd)
        {
            self.noticed.too_long = Some((self.joined(), (mark.line(), mark.col() + 1)));
            return;
        }
        if matches!(ev, Event::MappingStart(..) | Event::SequenceStart(..))
            && self.stack.len() >= MAX_DEPTH
        {
            self.noticed.too_deep = Some((mark.line(), mark.col() + 1));
            return;
        }
        match ev {
            Event::Scalar(value, ..) => {
                if let Some(Frame::Map {
                    awaiting_key,
                    first,
                }) = self.stack.last_mut()
                    && *awaiting_key
                {
                    *awaiting_key = false;
                    let is_first = std::mem::replace(first, false);
                    let key_pos = (mark.line(), mark.col() + 1);
                    // yaml-rust2 marks a block mapping after its first key; point at the key.
                    if is_first {
                        let map_path = self.joined();
                        if let Some(pos) = self.values.get_mut(&map_path)
                            && key_pos < *pos
                        {
                            *pos = key_pos;
                        }
                    }
                    self.path.push(value);
                    let joined = self.joined();
                    if let std::collections::hash_map::Entry::Vacant(e) = self.keys.entry(joined) {
                        e.insert(key_pos);
                    } else {
                        if self.noticed.duplicate.is_none() {
                            let key = self.path.last().cloned().unwrap_or_default();
                            self.noticed.duplicate = Some((key, key_pos));
                        }
                    }
                    return;
                }
                self.begin_node(mark);
                self.end_node();
            }
            Event::MappingStart(..) => {
                self.begin_node(mark);
                self.stack.push(Frame::Map {
                    awaiting_key: true,
                    first: true,
                });
            }
            Event::SequenceStart(..) => {
                self.begin_node(mark);
                self.stack.push(Frame::Seq { next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.end_node();
            }
            Event::Alias(..) => {
                self.begin_node(mark);
                self.end_node();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn locates_nested_values_and_keys() {
        let text = "title: x\nrows:\n  - id: a\n    source: s1\n  - {id: b, source: s2}\n";
        let loc = locate(text, 0);
        assert_eq!(loc.value("rows.0.source"), (4, 13));
        assert_eq!(loc.key("rows.0.source"), (4, 5));
        assert_eq!(loc.value("rows.1.source"), (5, 21));
        // A block mapping is located at its first key.
        assert_eq!(loc.value("rows.0"), (3, 5));
        // Unknown paths fall back to the nearest ancestor.
        assert_eq!(loc.value("rows.1.nothing"), loc.value("rows.1"));
    }

    #[test]
    fn unquoted_reference_gets_a_precise_hint() {
        let f = SourceFile::new("d.yaml", "title: {zh: 按{{a.b}}算, en: x}\n");
        let d = parse::<serde_yaml::Value>(&f, &f.text, 0).unwrap_err();
        assert!(d.help.unwrap().contains("must be quoted"));
    }

    #[test]
    fn front_matter_offset_is_added() {
        let loc = locate("a: 1\nb: 2\n", 1);
        assert_eq!(loc.value("b"), (3, 4));
    }

    #[test]
    fn rust_type_names_do_not_reach_the_editor() {
        assert_eq!(
            without_rust_names("invalid type: string \"x\", expected struct RawFile"),
            "invalid type: string \"x\", expected a mapping of keys"
        );
        assert_eq!(
            without_rust_names("invalid value: integer `-1`, expected u128"),
            "invalid value: integer `-1`, expected a whole number"
        );
        assert_eq!(
            without_rust_names("invalid type: sequence, expected enum Kind"),
            "invalid type: sequence, expected one of the listed values"
        );
        assert_eq!(
            without_rust_names("invalid type: map, expected f64"),
            "invalid type: mapping, expected a number"
        );
    }

    #[test]
    fn a_list_past_the_row_limit_is_refused_at_its_first_extra_item() {
        let mut text = String::from("title: x\nrows:\n");
        for i in 0..=MAX_ROWS {
            text.push_str(&format!("  - {{id: r{i}, v: {i}}}\n"));
        }
        let file = SourceFile::new("content/data/big.yaml", text.clone());
        let d = parse::<serde_yaml::Value>(&file, &text, 0).unwrap_err();
        assert_eq!(
            d.message,
            format!(
                "`rows` has more than {MAX_ROWS} items; this is item {}",
                MAX_ROWS + 1
            )
        );
        assert_eq!((d.line, d.column), (MAX_ROWS + 3, 5));
        assert!(d.help.unwrap().contains("YANBAO_MAX_ROWS=80000"));
    }

    #[test]
    fn deep_nesting_is_refused_at_once_and_in_place() {
        // Brackets are counted before any parser runs, so a million levels are refused as fast
        // as a few (the time is measured in benches, not here).
        let deep = format!("a: {}1{}\n", "[".repeat(1_000_000), "]".repeat(1_000_000));
        let f = SourceFile::new("d.yaml", deep.clone());
        let d = parse::<serde_yaml::Value>(&f, &f.text, 0).unwrap_err();
        assert_eq!(d.message, "YAML nested more than 64 levels deep");
        assert_eq!((d.line, d.column), (1, 67));
        let ok = format!("a: {}1{}\n", "[".repeat(60), "]".repeat(60));
        assert!(parse::<serde_yaml::Value>(&SourceFile::new("d.yaml", ok.clone()), &ok, 0).is_ok());
    }

    #[test]
    fn a_duplicate_key_is_named_where_it_is_written() {
        let f = SourceFile::new("d.yaml", "title: a\nrows:\n  - id: x\n    id: y\n");
        let d = parse::<serde_yaml::Value>(&f, &f.text, 0).unwrap_err();
        assert_eq!(d.message, "key `id` is written twice in the same mapping");
        assert_eq!((d.line, d.column), (4, 5));
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        title: String,
    }

    #[test]
    fn serde_errors_name_position_and_fix() {
        let f = SourceFile::new("content/site.yaml", "title: a\ntitel: b\n");
        let d = parse::<T>(&f, &f.text, 0).unwrap_err();
        assert_eq!(d.message, "unknown field `titel`, expected `title`");
        assert_eq!((d.line, d.column), (2, 1));
        assert!(d.help.unwrap().contains("valid keys here: `title`"));
    }
}
