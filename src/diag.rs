//! The tool's one error type and its problems. A content problem is a [`Diagnostic`] that names
//! `path:line:col`, quotes the line and says how to fix it; a build collects all of them in
//! [`Problems`] and fails once.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a diagnostic is. `check` turns some warnings of `build` (broken links) into errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// One problem in one file, with its position (1-based line and column; 0 when the whole file is meant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path relative to the site root, as the editor sees it.
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: Option<String>,
    /// The source line the position points into, quoted under the message.
    pub snippet: Option<String>,
    /// A consequence of another problem or of a difference between files (a heading without
    /// its translation): listed after the problems that are causes.
    pub follow_on: bool,
}

impl Diagnostic {
    pub fn error(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            line: 0,
            column: 0,
            message: message.into(),
            help: None,
            snippet: None,
            follow_on: false,
        }
    }

    /// The same diagnostic as a warning: reported, never failing the build.
    pub fn as_warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    /// Marks this as a consequence, listed after direct problems.
    pub fn follow_on(mut self) -> Self {
        self.follow_on = true;
        self
    }

    pub fn warning(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, message)
        }
    }

    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = line;
        self.column = column;
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Fills in the quoted line from the file's text (when the position is known).
    pub fn with_snippet_from(mut self, text: &str) -> Self {
        if self.line > 0 {
            self.snippet = text
                .lines()
                .nth(self.line - 1)
                .map(|l| l.trim_end().to_string());
        }
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `path:line:col`, the position an editor jumps to.
    pub fn location(&self) -> String {
        let path = self.path.display();
        match (self.line, self.column) {
            (0, _) => format!("{path}"),
            (l, 0) => format!("{path}:{l}"),
            (l, c) => format!("{path}:{l}:{c}"),
        }
    }

    fn sort_key(&self) -> (bool, &Path, usize, usize, &str) {
        (
            self.follow_on,
            &self.path,
            self.line,
            self.column,
            &self.message,
        )
    }
}

impl fmt::Display for Diagnostic {
    /// Shaped like rustc and `just`: the message, the position, the quoted line with a caret, the fix.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(f, "{kind}: {}", self.message)?;
        write!(f, "  --> {}", self.location())?;
        if let Some(snippet) = &self.snippet {
            let num = self.line.to_string();
            let pad = " ".repeat(num.len());
            let caret_pad: String = snippet
                .chars()
                .take(self.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            // Wide (CJK) characters take two columns in a terminal.
            let extra = snippet
                .chars()
                .take(self.column.saturating_sub(1))
                .filter(|c| is_wide(*c))
                .count();
            write!(
                f,
                "\n {pad} |\n {num} | {snippet}\n {pad} | {caret_pad}{}^",
                " ".repeat(extra)
            )?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

/// Characters that take two columns in a terminal and one em in a chart (CJK).
pub fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// Everything that can go wrong in yanbao.
#[derive(Debug)]
pub enum Error {
    /// Problems in the site's own files (content, data, templates): all of them, sorted.
    Content(Vec<Diagnostic>),
    /// A file or folder could not be read or written.
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// The output folder cannot be replaced safely (e.g. yanbao did not create it).
    Output { path: PathBuf, message: String },
    /// The dev server could not start or run.
    Serve(String),
    /// `yanbao pdf` could not print (no browser, or the browser failed): what and how to fix.
    Pdf(String),
}

impl Error {
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// Wraps collected diagnostics; sorts them so the report reads top to bottom, file by file.
    pub fn content(mut diagnostics: Vec<Diagnostic>) -> Self {
        sort_diagnostics(&mut diagnostics);
        Error::Content(diagnostics)
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Error::Content(d) => d,
            _ => &[],
        }
    }
}

pub fn sort_diagnostics(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics.dedup();
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Content(diags) => {
                let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
                for d in &errors {
                    writeln!(f, "{d}\n")?;
                }
                let n = errors.len();
                write!(
                    f,
                    "found {n} {}; nothing was written",
                    if n == 1 { "problem" } else { "problems" }
                )
            }
            Error::Io {
                action,
                path,
                source,
            } => write!(f, "error: could not {action} {}: {source}", path.display()),
            Error::Output { path, message } => {
                write!(f, "error: {message}\n  --> {}", path.display())
            }
            Error::Serve(message) | Error::Pdf(message) => write!(f, "error: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What is wrong and how to fix it, before it is placed at a position in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub help: String,
}

impl Problem {
    pub fn new(message: impl Into<String>, help: impl Into<String>) -> Self {
        Problem {
            message: message.into(),
            help: help.into(),
        }
    }
}

impl Diagnostic {
    /// This diagnostic with the message and help of `p` (the position stays).
    pub fn with(mut self, p: Problem) -> Self {
        self.message = p.message;
        if !p.help.is_empty() {
            self.help = Some(p.help);
        }
        self
    }
}

/// Every problem found so far, in the order found. Phases push into it and go on; the pipeline
/// fails once at the end if any is an error.
#[derive(Debug, Default)]
pub struct Problems {
    list: Vec<Diagnostic>,
}

impl Problems {
    pub fn push(&mut self, d: Diagnostic) {
        self.list.push(d);
    }

    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.list.extend(ds);
    }

    pub fn has_errors(&self) -> bool {
        self.list.iter().any(Diagnostic::is_error)
    }

    /// Where the next phase's problems will start (for [`Problems::follow_on_since`]).
    pub fn mark(&self) -> usize {
        self.list.len()
    }

    /// Lists every problem found since `mark` after the earlier ones: when an earlier phase could
    /// not read a file, what later phases say about the site without it may be a consequence,
    /// and the cause must come first.
    pub fn follow_on_since(&mut self, mark: usize) {
        for d in self.list.iter_mut().skip(mark) {
            d.follow_on = true;
        }
    }

    /// Sorted, deduplicated: errors fail the build, warnings are reported.
    pub fn finish(mut self) -> Result<Vec<Diagnostic>> {
        sort_diagnostics(&mut self.list);
        if self.has_errors() {
            Err(Error::Content(self.list))
        } else {
            Ok(self.list)
        }
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.list
    }
}

/// A text file of the site with its path relative to the root, so byte offsets become `line:col`.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        SourceFile {
            path: path.into(),
            text: text.into(),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(&self.text, offset)
    }

    /// An error at a byte offset, with the line quoted.
    pub fn error_at(&self, offset: usize, message: impl Into<String>) -> Diagnostic {
        let (l, c) = self.line_col(offset);
        Diagnostic::error(&self.path, message)
            .at(l, c)
            .with_snippet_from(&self.text)
    }

    /// An error at a known line and column, with the line quoted.
    pub fn error_at_line(
        &self,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::error(&self.path, message)
            .at(line, column)
            .with_snippet_from(&self.text)
    }
}

/// 1-based line and column (in characters) of a byte offset into `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let offset = (0..=offset)
        .rev()
        .find(|o| text.is_char_boundary(*o))
        .unwrap_or(0);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "a\n中文b\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 2), (2, 1));
        assert_eq!(line_col(text, 8), (2, 3)); // 'b' after two 3-byte characters
        assert_eq!(line_col(text, 999), (3, 1));
    }

    #[test]
    fn diagnostic_display_quotes_line_with_caret() {
        let src = SourceFile::new("content/site.yaml", "title: a\ntitel: b\n");
        let d = src
            .error_at_line(2, 1, "unknown key `titel`")
            .help("did you mean `title`?");
        assert_eq!(
            d.to_string(),
            "error: unknown key `titel`\n  --> content/site.yaml:2:1\n   |\n 2 | titel: b\n   | ^\n  = help: did you mean `title`?"
        );
    }

    #[test]
    fn caret_accounts_for_wide_characters() {
        let src = SourceFile::new("a.md", "中文x");
        let d = src.error_at(6, "here");
        assert!(d.to_string().contains("\n   |     ^"), "{d}");
    }

    #[test]
    fn content_error_counts_problems() {
        let e = Error::content(vec![
            Diagnostic::error("b.md", "two").at(1, 1),
            Diagnostic::error("a.md", "one").at(3, 1),
        ]);
        let s = e.to_string();
        assert!(s.find("a.md").unwrap() < s.find("b.md").unwrap());
        assert!(s.ends_with("found 2 problems; nothing was written"));
    }
}
