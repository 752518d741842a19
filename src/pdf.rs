//! `yanbao pdf`: builds the site and prints each language's print edition to
//! `report-<lang>.pdf` at the site root with headless Chromium (A4, running heads and page
//! numbers from the print style sheets, a PDF outline from the headings). The PDFs are printed
//! from the staged build, before it replaces the output: a missing or failing Chromium leaves the
//! previous site as it was, and a site whose pages link the PDFs always has them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::diag::{Diagnostic, Error, Result};
use crate::markup::escape;
use crate::output::Staging;
use crate::pipeline::{self, Options};
use crate::render::Mode;
use crate::render::print::{pdf_name, print_dir};
use crate::render::share;

/// The variable that names the browser to print with.
pub const CHROMIUM_VAR: &str = "YANBAO_CHROMIUM";
/// Browsers looked for on PATH, in order.
const CANDIDATES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];
/// How long one language may take to print (YANBAO_PDF_TIMEOUT, in seconds).
const DEFAULT_TIMEOUT: u64 = 300;

/// What `yanbao pdf` wrote besides the site, as paths from the site root.
pub struct Printed {
    pub pdfs: Vec<String>,
    pub share_images: Vec<String>,
}

/// Builds the site with its PDFs and share images. Returns the build's report and what it
/// printed.
pub fn build(opts: &Options) -> Result<(pipeline::Rendered, Printed)> {
    // Before anything is built: without a browser there is nothing to print with.
    let chromium = find_chromium(
        std::env::var_os(CHROMIUM_VAR).as_deref(),
        std::env::var_os("PATH").as_deref(),
    )?;
    if !opts.root.join(crate::input::config::CONFIG_PATH).is_file() {
        pipeline::check(opts)?;
    }
    let mut opts = opts.clone();
    opts.pdf = true;
    let staging = Staging::begin(&opts.output, &opts.root)?;
    let mut r = match pipeline::run(&opts, Mode::Build, None, &staging) {
        Ok(r) => r,
        Err(e) => {
            staging.abort();
            return Err(e);
        }
    };
    let site = staging.path().to_path_buf();
    let languages = languages_built(&site);
    if languages.is_empty() {
        staging.abort();
        return Err(Error::content(vec![Diagnostic::error(
            crate::input::config::CONFIG_PATH,
            "there is no print edition to print: `print_edition` in content/site.yaml leaves it out",
        )
        .help(format!(
            "set `print_edition: always` (`auto` makes it for a report of at most {} chapters)",
            crate::model::config::PRINT_EDITION_AUTO_MAX
        ))]));
    }
    let timeout = Duration::from_secs(
        std::env::var("YANBAO_PDF_TIMEOUT")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(DEFAULT_TIMEOUT),
    );
    // The languages print side by side: Chromium spends most of its time waiting.
    type Language = (String, Option<String>, Option<Diagnostic>);
    let results: Vec<Result<Language>> = std::thread::scope(|s| {
        let jobs: Vec<_> = languages
            .iter()
            .map(|lang| {
                s.spawn(|| {
                    let (pdf, warning) = print(&chromium, &site, lang, timeout)?;
                    let image = photograph(&chromium, &site, lang, timeout)?;
                    Ok((pdf, image, warning))
                })
            })
            .collect();
        jobs.into_iter()
            .map(|j| {
                j.join()
                    .unwrap_or_else(|_| Err(Error::Pdf(pdf_failure("the printing thread stopped"))))
            })
            .collect()
    });
    let mut printed = Printed {
        pdfs: Vec::new(),
        share_images: Vec::new(),
    };
    for res in results {
        match res {
            Ok((pdf, image, warning)) => {
                printed.pdfs.push(pdf);
                printed.share_images.extend(image);
                r.warnings.extend(warning);
            }
            Err(e) => {
                staging.abort();
                return Err(e);
            }
        }
    }
    // Each share image takes the place of the card it was photographed from.
    r.files += printed.pdfs.len();
    r.warnings.extend(staging.finish()?);
    Ok((r, printed))
}

/// The languages whose print edition the build wrote, in the site's order.
fn languages_built(site: &Path) -> Vec<String> {
    let mut langs: Vec<String> = std::fs::read_dir(site.join("print"))
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".css").map(str::to_string)
        })
        .filter(|l| site.join(print_dir(l)).join("index.html").is_file())
        .collect();
    langs.sort();
    langs
}

/// A problem with printing, and what to do about it.
fn pdf_failure(what: &str) -> String {
    format!(
        "could not print the PDF: {what}\n  = help: check that Chromium runs (`chromium --headless --version`), or name another Chromium or Chrome with {CHROMIUM_VAR}=/path/to/chrome; `yanbao build` builds the site without PDFs"
    )
}

/// The browser to print with: `YANBAO_CHROMIUM` when set, else the first of the usual names
/// on PATH.
pub fn find_chromium(
    var: Option<&std::ffi::OsStr>,
    path: Option<&std::ffi::OsStr>,
) -> Result<PathBuf> {
    if let Some(v) = var.filter(|v| !v.is_empty()) {
        let p = PathBuf::from(v);
        if p.components().count() > 1 {
            if is_executable(&p) {
                return Ok(p);
            }
            return Err(Error::Pdf(format!(
                "{CHROMIUM_VAR} names {}, which is not an executable file\n  = help: set {CHROMIUM_VAR} to the path of Chromium or Chrome (e.g. /usr/bin/chromium), or unset it to look for one on PATH",
                p.display()
            )));
        }
        return search_path(&[&v.to_string_lossy()], path).ok_or_else(|| {
            Error::Pdf(format!(
                "{CHROMIUM_VAR} names `{}`, which is not on PATH\n  = help: set {CHROMIUM_VAR} to the full path of Chromium or Chrome, or unset it to look for one on PATH",
                p.display()
            ))
        });
    }
    search_path(CANDIDATES, path).ok_or_else(|| {
        Error::Pdf(format!(
            "`yanbao pdf` needs Chromium or Google Chrome to print the PDFs, and found none on PATH ({})\n  = help: install Chromium (Debian/Ubuntu: `apt-get install chromium`; macOS: `brew install --cask chromium`), or set {CHROMIUM_VAR}=/path/to/chrome; `yanbao build` builds the site without PDFs, and each language's print edition (<lang>/print/) can be saved as PDF from any browser",
            CANDIDATES.join(", ")
        ))
    })
}

fn search_path(names: &[&str], path: Option<&std::ffi::OsStr>) -> Option<PathBuf> {
    let dirs: Vec<PathBuf> = path
        .map(|p| std::env::split_paths(p).collect())
        .unwrap_or_default();
    names
        .iter()
        .find_map(|name| dirs.iter().map(|d| d.join(name)).find(|p| is_executable(p)))
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// Chromium refuses to run as root with its sandbox on.
fn running_as_root() -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// How many times a language may be printed while its contents' page numbers settle. The second
/// print gives the numbers; a third or fourth is needed only when filling them in moved a line.
const MAX_PRINTS: usize = 4;

/// Prints `<lang>/print/index.html` of the staged site to `report-<lang>.pdf`, then numbers its
/// contents: the first print says on which page each id landed (the PDF's named destinations);
/// the page is printed again from a copy whose contents carry those numbers, until the numbers
/// shown are the pages the ids are on. Returns the PDF's name and, when the numbers could not be
/// settled, a warning.
fn print(
    chromium: &Path,
    site: &Path,
    lang: &str,
    timeout: Duration,
) -> Result<(String, Option<Diagnostic>)> {
    let page = site.join(print_dir(lang)).join("index.html");
    let name = pdf_name(lang);
    let out = site.join(&name);
    print_once(chromium, &page, &out, lang, timeout)?;
    let html = std::fs::read_to_string(&page).map_err(|e| Error::io("read", &page, e))?;
    // The numbered copy sits beside the page, so its relative links and styles still resolve; it
    // is removed before the staged site is swapped in.
    let copy = page.with_file_name(".numbered.html");
    let mut shown: Vec<(String, u32)> = Vec::new();
    let mut settled = false;
    let mut unnumbered = false;
    for _ in 1..MAX_PRINTS {
        let pages = dest_pages(&out).map_err(|e| {
            Error::Pdf(pdf_failure(&format!(
                "could not read back the PDF for {lang} ({e})"
            )))
        })?;
        let (numbered, filled) = number_contents(&html, &pages);
        if filled.is_empty() || filled == shown {
            // Contents entries, but no page known for any: this browser wrote no destinations.
            unnumbered = filled.is_empty() && html.contains(SLOT);
            settled = true;
            break;
        }
        std::fs::write(&copy, numbered).map_err(|e| Error::io("write", &copy, e))?;
        let printed = print_once(chromium, &copy, &out, lang, timeout);
        let _ = std::fs::remove_file(&copy);
        printed?;
        shown = filled;
    }
    let warning = if unnumbered {
        Some(
            Diagnostic::warning(&name, "the contents have no page numbers: the browser wrote no named destinations into the PDF")
                .help(format!("use a recent Chromium or Chrome (set {CHROMIUM_VAR}); the PDF is complete otherwise")),
        )
    } else {
        (!settled).then(|| {
            Diagnostic::warning(
                &name,
                format!("the page numbers of the contents still moved after {MAX_PRINTS} prints; some may be one page off"),
            )
            .help("a number's width changed where a contents line breaks; shorten the longest contents entries")
        })
    };
    Ok((name, warning))
}

/// The page (from 1) of each named destination of a PDF: Chromium writes one for each id a link
/// on the page points to, in the catalog's `/Dests` (or a `/Names` tree in other writers).
fn dest_pages(
    pdf: &Path,
) -> std::result::Result<std::collections::HashMap<Vec<u8>, u32>, lopdf::Error> {
    use lopdf::Object;
    let doc = lopdf::Document::load(pdf)?;
    let page_of: std::collections::HashMap<lopdf::ObjectId, u32> =
        doc.get_pages().into_iter().map(|(n, id)| (id, n)).collect();
    // A destination is `[page /XYZ …]`, or a dictionary holding it as `/D`.
    let target = |dest: &Object| -> Option<u32> {
        let (_, dest) = doc.dereference(dest).ok()?;
        let array = match dest {
            Object::Dictionary(d) => doc.dereference(d.get(b"D").ok()?).ok()?.1.as_array().ok()?,
            other => other.as_array().ok()?,
        };
        page_of.get(&array.first()?.as_reference().ok()?).copied()
    };
    let mut pages = std::collections::HashMap::new();
    let catalog = doc.catalog()?;
    let dests = catalog
        .get(b"Dests")
        .and_then(|d| doc.dereference(d))
        .and_then(|(_, d)| d.as_dict());
    if let Ok(dests) = dests {
        for (name, dest) in dests.iter() {
            if let Some(n) = target(dest) {
                pages.insert(name.clone(), n);
            }
        }
    }
    let tree = catalog
        .get(b"Names")
        .and_then(|n| doc.dereference(n))
        .and_then(|(_, n)| n.as_dict())
        .and_then(|n| n.get(b"Dests"))
        .and_then(|d| doc.dereference(d))
        .and_then(|(_, d)| d.as_dict());
    if let Ok(tree) = tree {
        let mut named = Default::default();
        doc.get_named_destinations(tree, &mut named)?;
        for (name, dest) in named {
            let page = dest.page().ok().and_then(|p| p.as_reference().ok());
            if let Some(&n) = page.and_then(|p| page_of.get(&p)) {
                pages.insert(name, n);
            }
        }
    }
    Ok(pages)
}

/// The start of a contents entry's page-number slot in the print edition (templates/print.html).
const SLOT: &str = "<span class=\"pn\" data-page=\"";

/// The print page with each contents entry's page-number slot (`<span class="pn"
/// data-page="id"></span>`) filled from `pages`, and the (id, page) pairs filled, in order. A slot
/// whose id the PDF does not know stays empty.
fn number_contents(
    html: &str,
    pages: &std::collections::HashMap<Vec<u8>, u32>,
) -> (String, Vec<(String, u32)>) {
    let mut out = String::with_capacity(html.len() + 4096);
    let mut filled = Vec::new();
    // The attribute is written escaped; the PDF's names are the ids as they are.
    let by_attr: std::collections::HashMap<String, u32> = pages
        .iter()
        .map(|(name, n)| (escape(&String::from_utf8_lossy(name)), *n))
        .collect();
    let mut rest = html;
    while let Some(at) = rest.find(SLOT) {
        let after = &rest[at + SLOT.len()..];
        let Some(end) = after.find("\">") else { break };
        let id = &after[..end];
        out.push_str(&rest[..at + SLOT.len() + end + 2]);
        rest = &after[end + 2..];
        let page = by_attr.get(id).copied();
        if let (Some(n), true) = (page, rest.starts_with("</span>")) {
            out.push_str(&n.to_string());
            filled.push((id.to_string(), n));
        }
    }
    out.push_str(rest);
    (out, filled)
}

/// Headless Chromium with the flags every use here shares, and a profile of its own (so a
/// Chromium the user has open, or another print, does not interfere) that the caller removes.
fn headless(chromium: &Path, lang: &str, job: &str) -> (Command, PathBuf) {
    let profile = std::env::temp_dir().join(format!(
        "yanbao-chromium-{}-{lang}-{job}",
        std::process::id()
    ));
    let mut cmd = Command::new(chromium);
    cmd.arg("--headless")
        .arg("--disable-gpu")
        .arg("--disable-dev-shm-usage")
        .arg("--no-first-run")
        .arg("--no-default-browser-check")
        .arg("--disable-extensions")
        .arg(format!("--user-data-dir={}", profile.display()));
    if running_as_root() {
        cmd.arg("--no-sandbox");
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    (cmd, profile)
}

/// Runs a browser command that writes `out`, and checks that it did (the file starts with
/// `magic`).
fn write_with(
    chromium: &Path,
    (cmd, profile): (Command, PathBuf),
    out: &Path,
    magic: &[u8],
    lang: &str,
    timeout: Duration,
) -> Result<()> {
    let _ = std::fs::remove_file(out);
    let result = run(cmd, timeout);
    let _ = std::fs::remove_dir_all(&profile);
    let stderr = result.map_err(|e| {
        Error::Pdf(pdf_failure(&format!(
            "{} for {lang}: {e}",
            chromium.display()
        )))
    })?;
    let ok = std::fs::read(out)
        .map(|b| b.starts_with(magic) && b.len() > 100)
        .unwrap_or(false);
    if !ok {
        let _ = std::fs::remove_file(out);
        return Err(Error::Pdf(pdf_failure(&format!(
            "{} wrote no {} for {lang}{}",
            chromium.display(),
            out.file_name().unwrap_or_default().to_string_lossy(),
            stderr_tail(&stderr)
        ))));
    }
    Ok(())
}

/// One print of `page` to `out` with the browser.
fn print_once(
    chromium: &Path,
    page: &Path,
    out: &Path,
    lang: &str,
    timeout: Duration,
) -> Result<()> {
    let (mut cmd, profile) = headless(chromium, lang, "print");
    cmd.arg("--no-pdf-header-footer")
        .arg("--generate-pdf-document-outline")
        .arg(format!("--print-to-pdf={}", out.display()))
        .arg(file_url(page));
    write_with(chromium, (cmd, profile), out, b"%PDF-", lang, timeout)
}

/// Photographs a language's share card (staged by the build) into `share-<lang>.png` at the
/// site root and removes the card. None when the build staged no card.
fn photograph(
    chromium: &Path,
    site: &Path,
    lang: &str,
    timeout: Duration,
) -> Result<Option<String>> {
    let card = site.join(share::card_path(lang));
    if !card.is_file() {
        return Ok(None);
    }
    let name = share::image_name(lang);
    let out = site.join(&name);
    let (mut cmd, profile) = headless(chromium, lang, "share");
    cmd.arg("--hide-scrollbars")
        .arg("--force-device-scale-factor=1")
        .arg(format!("--window-size={},{}", share::WIDTH, share::HEIGHT))
        .arg(format!("--screenshot={}", out.display()))
        .arg(file_url(&card));
    let written = write_with(chromium, (cmd, profile), &out, b"\x89PNG", lang, timeout);
    let _ = std::fs::remove_file(&card);
    written?;
    Ok(Some(name))
}

/// Runs the browser to its end (killed after `timeout`); its error output when it exits 0.
fn run(mut cmd: Command, timeout: Duration) -> std::result::Result<String, String> {
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("could not start it ({e})"))?;
    // Read stderr on its own thread, so a chatty browser never blocks on a full pipe.
    let mut err = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(e) = err.as_mut() {
            use std::io::Read;
            let _ = e.read_to_string(&mut s);
        }
        s
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "it did not finish within {} s (raise YANBAO_PDF_TIMEOUT)",
                    timeout.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => return Err(format!("could not wait for it ({e})")),
        }
    };
    let stderr = reader.join().unwrap_or_default();
    if status.success() {
        Ok(stderr)
    } else {
        Err(format!("it failed ({status}){}", stderr_tail(&stderr)))
    }
}

/// The last lines of a browser's error output that say something (not its D-Bus chatter).
fn stderr_tail(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.contains("dbus") && !l.contains("D-Bus"))
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    let tail = &lines[lines.len().saturating_sub(4)..];
    format!("; it said:\n    {}", tail.join("\n    "))
}

/// `file://` URL of a local file, with the characters a URL cannot hold percent-encoded.
fn file_url(p: &Path) -> String {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut url = String::from("file://");
    for b in abs.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_encode_spaces_and_cjk() {
        assert_eq!(
            file_url(Path::new("/tmp/my site/报告/index.html")),
            "file:///tmp/my%20site/%E6%8A%A5%E5%91%8A/index.html"
        );
    }

    #[test]
    fn a_missing_browser_says_how_to_get_one() {
        let dir = tempfile::tempdir().unwrap();
        let e = find_chromium(None, Some(dir.path().as_os_str())).unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("error: `yanbao pdf` needs Chromium or Google Chrome to print the PDFs, and found none on PATH (chromium, chromium-browser, google-chrome, google-chrome-stable)"), "{text}");
        assert!(text.contains("= help: install Chromium"), "{text}");
        let e = find_chromium(Some("/nonexistent/chrome".as_ref()), None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "error: YANBAO_CHROMIUM names /nonexistent/chrome, which is not an executable file\n  = help: set YANBAO_CHROMIUM to the path of Chromium or Chrome (e.g. /usr/bin/chromium), or unset it to look for one on PATH"
        );
        let e = find_chromium(
            Some("no-such-browser".as_ref()),
            Some(dir.path().as_os_str()),
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with(
                "error: YANBAO_CHROMIUM names `no-such-browser`, which is not on PATH"
            )
        );
    }

    #[cfg(unix)]
    #[test]
    fn finds_the_first_browser_on_path() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let chrome = dir.path().join("google-chrome");
        std::fs::write(&chrome, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&chrome, std::fs::Permissions::from_mode(0o755)).unwrap();
        // Not executable: skipped.
        std::fs::write(dir.path().join("chromium"), "").unwrap();
        assert_eq!(
            find_chromium(None, Some(dir.path().as_os_str())).unwrap(),
            chrome
        );
        assert_eq!(
            find_chromium(Some("google-chrome".as_ref()), Some(dir.path().as_os_str())).unwrap(),
            chrome
        );
    }

    #[test]
    fn contents_slots_take_the_pages_of_their_ids() {
        let html = "<li><a href=\"#a.b\">A</a><span class=\"pn\" data-page=\"a.b\"></span></li>\
            <li><span class=\"pn\" data-page=\"x&amp;y\"></span></li>\
            <li><span class=\"pn\" data-page=\"gone\"></span></li>";
        let pages = [(b"a.b".to_vec(), 3), (b"x&y".to_vec(), 12)]
            .into_iter()
            .collect();
        let (out, filled) = number_contents(html, &pages);
        assert_eq!(
            out,
            "<li><a href=\"#a.b\">A</a><span class=\"pn\" data-page=\"a.b\">3</span></li>\
            <li><span class=\"pn\" data-page=\"x&amp;y\">12</span></li>\
            <li><span class=\"pn\" data-page=\"gone\"></span></li>"
        );
        assert_eq!(
            filled,
            [("a.b".to_string(), 3), ("x&amp;y".to_string(), 12)]
        );
    }

    #[test]
    fn browser_chatter_is_left_out_of_messages() {
        let err = "[1:2:ERROR:dbus/bus.cc:405] Failed to connect to the bus\nline a\n\nline b\n";
        assert_eq!(stderr_tail(err), "; it said:\n    line a\n    line b");
        assert_eq!(stderr_tail("[x] dbus only"), "");
    }
}
