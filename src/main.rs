//! The `yanbao` command: parses arguments, calls the library, prints results and problems, and
//! sets the exit code (0 on success, 1 on content problems, 2 on other failures).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use yanbao::{Error, Options, Report};

/// A preview rebuild allocates and frees a whole site's worth of small strings: mimalloc does
/// that with a third less CPU than the system allocator (benches/preview_latency.py).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Transparent huge pages are for the preview server alone. Its pages, models and caches are
/// touched again after it sat idle, and on a busy host each such touch costs tens of
/// microseconds per 4 KiB page, twenty times less per 2 MiB page (save-to-reload at 2,000 pages:
/// 134 -> 71-75 ms with edits 0.5 s apart, 377 -> 98-110 ms 3 s apart). A command that runs once
/// only touches fresh memory, and with huge pages each first touch zeroes 2 MiB (peak RSS: the
/// bundled build 28 -> 58 MiB, 5,000 chapters 253 -> 291-295 MiB), so it turns them off for the
/// whole process, mimalloc's memory reserved before `main` included.
fn one_shot_memory() {
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

#[derive(Parser)]
#[command(
    name = "yanbao",
    version,
    about = "Builds bilingual research-report websites from Markdown chapters and YAML data",
    long_about = "yanbao (研报) turns a research report written as Markdown chapters and YAML data files into a fast, bilingual static website, with charts drawn as SVG at build time.\n\nRun `yanbao build` in a site folder (one that holds content/site.yaml)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (replaced only if the build succeeds)
    Build(Common),
    /// Build the site, then print each language's print edition to report-<lang>.pdf in the
    /// output folder with headless Chromium (PATH, or YANBAO_CHROMIUM)
    Pdf(Common),
    /// Check content, data, links and translations; write nothing
    Check(Common),
    /// Build, serve on localhost, rebuild and reload pages on every change
    Serve(ServeArgs),
    /// Write a small working bilingual report to start from
    Init {
        /// Folder to create the report in
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Instead of a report, copy the built-in templates, language packs and static files
        /// into DIR's templates/ and static/ for editing (never overwrites a file)
        #[arg(long)]
        templates: bool,
    },
    /// Record that translations are in line with the default language's pages as they are now
    /// (content/translations.lock); `check` then names the sections that change afterwards
    Translated {
        /// Pages (`en/status` or content/en/status.md) or languages (`en`); all translations
        /// when none is given
        pages: Vec<String>,
        /// Site folder (the one holding content/)
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Add something to the report
    New {
        #[command(subcommand)]
        what: NewWhat,
    },
}

#[derive(Subcommand)]
enum NewWhat {
    /// A chapter in every language, with its front matter filled in
    Chapter {
        /// File name without `.md` (lowercase letters, digits and `-`)
        name: String,
        /// Site folder (the one holding content/)
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

#[derive(Args, Clone)]
struct Common {
    /// Site folder (the one holding content/)
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Output folder [default: <root>/public]
    #[arg(long)]
    output: Option<PathBuf>,
    /// Absolute URL the site will be served from (enables canonical links and sitemap.xml)
    #[arg(long)]
    base_url: Option<String>,
    /// Include pages marked `draft: true`
    #[arg(long)]
    drafts: bool,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    common: Common,
    /// Port to listen on (the next free one is used if taken)
    #[arg(long, default_value_t = 1111)]
    port: u16,
    /// Address to bind; 127.0.0.1 keeps the preview private to this machine
    #[arg(long, default_value = "127.0.0.1")]
    bind: String,
    /// Open the site in the default browser
    #[arg(long)]
    open: bool,
}

impl Common {
    fn options(&self) -> Options {
        let mut o = Options::new(&self.root);
        if let Some(out) = &self.output {
            o.output = out.clone();
        }
        o.base_url = self.base_url.clone();
        o.drafts = self.drafts;
        o
    }
}

/// Prints a line to stdout. A reader that went away (`yanbao check | head -0`) is not an error:
/// the exit code still says how the command went.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// Prints a line to stderr, likewise never failing.
macro_rules! err {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version exit 0, usage errors 2; a closed pipe changes neither.
            let _ = e.print();
            return ExitCode::from(if e.exit_code() == 0 { 0 } else { 2 });
        }
    };
    if !matches!(cli.command, Command::Serve(_)) {
        one_shot_memory();
    }
    let result = match &cli.command {
        Command::Build(c) => yanbao::build(&c.options()).map(|r| print_build(&r)),
        Command::Pdf(c) => yanbao::pdf(&c.options()).map(|r| {
            print_build(&r);
            let out = r.output.canonicalize().unwrap_or_else(|_| r.output.clone());
            for p in &r.pdfs {
                out!("PDF: {}", out.join(p).display());
            }
            for p in &r.share_images {
                out!("Share image: {}", out.join(p).display());
            }
        }),
        Command::Check(c) => yanbao::check(&c.options()).map(|r| print_check(&r)),
        Command::Serve(s) => yanbao::serve(&s.common.options(), &s.bind, s.port, s.open),
        Command::Init {
            dir,
            templates: true,
        } => yanbao::init_templates(dir).map(|files| {
            print_written(&files);
            println!(
                "yanbao now uses these files instead of its built-in ones; edit them, and delete any you leave unchanged so it keeps getting yanbao's updates"
            );
        }),
        Command::Init { dir, .. } => yanbao::init(dir).map(|files| {
            print_written(&files);
            println!(
                "Next: yanbao build --root {0}   (or: yanbao serve --root {0})",
                dir.display()
            );
        }),
        Command::Translated { pages, root } => yanbao::translated(root, pages).map(|recorded| {
            for (page, sections) in &recorded {
                out!("Recorded {page}: in line with {sections} sections");
            }
            out!(
                "Wrote {}",
                root.join("content/translations.lock").display()
            );
        }),
        Command::New {
            what: NewWhat::Chapter { name, root },
        } => yanbao::new_chapter(root, name).map(|files| print_written(&files)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            err!("{e}");
            match e {
                Error::Content(_) => ExitCode::from(1),
                _ => ExitCode::from(2),
            }
        }
    }
}

fn print_written(files: &[PathBuf]) {
    for f in files {
        println!("Created {}", f.display());
    }
}

fn print_warnings(r: &Report) {
    for w in &r.warnings {
        err!("{w}\n");
    }
}

fn print_build(r: &Report) {
    print_warnings(r);
    let out = r.output.canonicalize().unwrap_or_else(|_| r.output.clone());
    // A rebuild says how many files it changed: what an upload will send.
    let changed = r
        .unchanged
        .map(|kept| format!(", {} changed", r.files.saturating_sub(kept)))
        .unwrap_or_default();
    out!(
        "Built {} pages ({} files{changed}) in {} ms{}",
        r.pages,
        r.files,
        r.elapsed.as_millis(),
        warn_suffix(r)
    );
    out!("Site: {}", out.display());
    out!("Open: {}", out.join("index.html").display());
}

fn print_check(r: &Report) {
    print_warnings(r);
    if let Some(table) = &r.coverage {
        out!("{}", table.trim_end());
    }
    out!("Checked {} pages: no problems{}", r.pages, warn_suffix(r));
}

fn warn_suffix(r: &Report) -> String {
    match r.warnings.len() {
        0 => String::new(),
        1 => " (1 warning)".into(),
        n => format!(" ({n} warnings)"),
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn one_shot_commands_turn_transparent_huge_pages_off_for_the_process() {
        super::one_shot_memory();
        assert_eq!(
            rustix::thread::transparent_huge_pages_are_disabled().ok(),
            Some(true)
        );
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        assert!(status.contains("THP_enabled:\t0"), "{status}");
    }
}
