//! `yanbao serve`: builds the site in memory, serves it on localhost, watches the sources and
//! rebuilds on every change (re-rendering only what changed), and tells open pages to reload
//! over server-sent events. A broken edit never stops the server: the last good build stays
//! online and the pages show the error until the next good save.
//!
//! The server answers only from the built site in memory, so `..`, encoded traversal, absolute
//! paths and symlinks out of `static/` (which the build skips) cannot reach other files.

pub mod http;

use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use notify_debouncer_full::notify::event::ModifyKind;
use notify_debouncer_full::notify::{EventKind, RecursiveMode};

use http::{Request, Response};

use crate::cache::Cache;
use crate::pipeline::Options;
use crate::render::Mode;
use crate::{Built, Error, Result};

/// Builds that reuse the pages of the previous one whose inputs did not change.
pub struct Session {
    opts: Options,
    cache: Cache,
}

impl Session {
    pub fn new(opts: &Options) -> Self {
        Session {
            opts: opts.clone(),
            cache: Cache::default(),
        }
    }

    /// A full build in memory, pages reused where nothing they read changed.
    pub fn build(&mut self) -> Result<Built> {
        let sink = crate::output::Memory::default();
        let r = crate::pipeline::run(&self.opts, Mode::Serve, Some(&mut self.cache), &sink)?;
        Ok(Built {
            files: sink.into_files(),
            warnings: r.warnings,
            pages: r.pages,
            deferred: r.deferred,
        })
    }

    /// Files the watcher saw change, from the site root (None: it lost track): the next build
    /// reads them again.
    pub fn changed(&mut self, rels: Option<&std::collections::HashSet<String>>) {
        self.cache.read.pages.forget(rels);
    }

    /// Pages the last build rendered, and those it reused.
    pub fn rendered(&self) -> usize {
        self.cache.rendered
    }

    pub fn reused(&self) -> usize {
        self.cache.reused
    }

    /// Pages the cache holds for the next build: the last build's, and no others.
    pub fn kept(&self) -> usize {
        self.cache.kept()
    }
}

/// Served at `/__yanbao/reload.js`; pages built by `serve` load it.
const RELOAD_JS: &str = include_str!("reload.js");
const EVENTS_PATH: &str = "/__yanbao/events";
/// Open pages each hold one event stream; beyond this, new ones are refused (bounded memory).
const MAX_EVENT_STREAMS: usize = 256;
/// A burst of saves within this window gives one rebuild.
const DEBOUNCE: Duration = Duration::from_millis(10);

/// The file watcher; it stops watching when dropped.
type Watcher = notify_debouncer_full::Debouncer<
    notify_debouncer_full::notify::RecommendedWatcher,
    notify_debouncer_full::RecommendedCache,
>;

/// What the server holds: the last good build, the current error (if the last build failed)
/// and a generation number bumped on every rebuild.
#[derive(Default)]
struct State {
    site: Arc<Built>,
    error: Option<String>,
    generation: u64,
}

/// The state and a condition variable that wakes event streams after a rebuild.
#[derive(Default)]
pub struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    streams: AtomicUsize,
}

impl Shared {
    /// The error of the last build, if it failed (the previous good site is still served).
    pub fn error(&self) -> Option<String> {
        self.state.lock().ok().and_then(|s| s.error.clone())
    }

    fn site(&self) -> Arc<Built> {
        self.state
            .lock()
            .map(|s| s.site.clone())
            .unwrap_or_default()
    }

    fn publish(&self, result: std::result::Result<Built, String>) {
        let mut old = None;
        if let Ok(mut s) = self.state.lock() {
            match result {
                Ok(built) => {
                    old = Some(std::mem::replace(&mut s.site, Arc::new(built)));
                    s.error = None;
                }
                Err(e) => s.error = Some(e),
            }
            s.generation += 1;
        }
        self.changed.notify_all();
        // The previous build (its whole model, when it was the last to hold it) is freed on a
        // thread of its own, after open pages were told to reload.
        if let Some(old) = old {
            crate::pipeline::drop_aside(old);
        }
    }
}

/// A running preview server (used by `serve` and by tests). Dropping it stops the server and
/// frees the port.
pub struct Preview {
    pub url: String,
    pub port: u16,
    pub shared: Arc<Shared>,
    _server: http::Server,
    _watcher: Arc<Mutex<Watcher>>,
}

/// The sources the preview watches, relative to the site root.
const WATCHED: [&str; 3] = ["content", "templates", "static"];

/// Builds, binds, watches; returns once the server is running in background threads.
pub fn start(opts: &Options, bind: &str, port: u16) -> Result<Preview> {
    start_with(opts, bind, port, http::Limits::default())
}

/// `start` with the server's limits given (tests use short ones).
pub fn start_with(opts: &Options, bind: &str, port: u16, limits: http::Limits) -> Result<Preview> {
    let shared = Arc::new(Shared::default());
    let mut session = Session::new(opts);
    let first = session.build();
    match first {
        Ok(built) => {
            print_warnings(&built);
            shared.publish(Ok(built));
        }
        Err(e) => {
            eprintln!("{e}\n");
            shared.publish(Err(e.to_string()));
        }
    }
    let (listener, port) = http::bind(bind, port).map_err(|e| {
        let tried = if port == 0 {
            format!("{bind} on any port")
        } else {
            format!(
                "{bind}:{port} or the {} ports after it",
                u16::MAX.saturating_sub(port).min(19)
            )
        };
        Error::Serve(format!(
            "cannot listen on {tried} ({e}); choose another with --port"
        ))
    })?;
    let host = if bind == "0.0.0.0" || bind == "::" {
        "127.0.0.1"
    } else {
        bind
    };
    let url = if host.contains(':') {
        format!("http://[{host}]:{port}/")
    } else {
        format!("http://{host}:{port}/")
    };
    let for_requests = shared.clone();
    let handler: http::Handler = Arc::new(move |req: &Request| handle(req, &for_requests));
    let server = http::run(listener, handler, limits)
        .map_err(|e| Error::Serve(format!("cannot serve on {url}: {e}")))?;
    let watcher = watch(opts, shared.clone(), session)?;
    Ok(Preview {
        url,
        port,
        shared,
        _server: server,
        _watcher: watcher,
    })
}

/// What to say when the preview did not get the port that was asked for.
pub fn port_note(asked: u16, got: u16) -> Option<String> {
    (asked != 0 && asked != got).then(|| format!("Port {asked} is taken; using {got} instead."))
}

/// `yanbao serve`: starts the preview and runs until interrupted.
pub fn serve(opts: &Options, bind: &str, port: u16, open: bool) -> Result<()> {
    let preview = start(opts, bind, port)?;
    if let Some(note) = port_note(port, preview.port) {
        println!("{note}");
    }
    println!(
        "Serving {} at {}",
        opts.root
            .canonicalize()
            .unwrap_or(opts.root.clone())
            .display(),
        preview.url
    );
    if bind != "127.0.0.1" && bind != "localhost" && bind != "::1" {
        println!("Listening on {bind}: other machines on the network can see this preview.");
    }
    println!("Watching content/, templates/ and static/; press Ctrl+C to stop.");
    if open {
        open_browser(&preview.url);
    }
    loop {
        std::thread::park();
    }
}

fn watch(opts: &Options, shared: Arc<Shared>, mut session: Session) -> Result<Arc<Mutex<Watcher>>> {
    let (tx, rx) = mpsc::channel();
    let mut debouncer = notify_debouncer_full::new_debouncer(DEBOUNCE, None, tx)
        .map_err(|e| Error::Serve(format!("cannot watch files: {e}")))?;
    // The watcher reports absolute paths: compare them with the absolute root (serve is
    // usually started with the default root, `.`).
    let root = opts
        .root
        .canonicalize()
        .unwrap_or_else(|_| opts.root.clone());
    for dir in WATCHED {
        let p = root.join(dir);
        if p.is_dir() {
            debouncer
                .watch(&p, RecursiveMode::Recursive)
                .map_err(|e| Error::Serve(format!("cannot watch {}: {e}", p.display())))?;
        }
    }
    // Notice the source folders being created, removed, replaced or moved.
    let _ = debouncer.watch(&root, RecursiveMode::NonRecursive);
    let debouncer = Arc::new(Mutex::new(debouncer));
    let rearm = Arc::downgrade(&debouncer);
    std::thread::spawn(move || {
        while let Ok(result) = rx.recv() {
            let mut relevant = matters(&result, &root);
            let mut replaced = replaced_folders(&result, &root);
            session.changed(changed_files(&result, &root).as_ref());
            // Coalesce whatever else arrived meanwhile into the same rebuild.
            while let Ok(more) = rx.try_recv() {
                relevant |= matters(&more, &root);
                replaced |= replaced_folders(&more, &root);
                session.changed(changed_files(&more, &root).as_ref());
            }
            if replaced {
                // A folder that was deleted and restored, or moved away and back, is a new
                // folder: the old watch is gone with it. Watch whatever is there now.
                let Some(debouncer) = rearm.upgrade() else {
                    return;
                };
                if let Ok(mut d) = debouncer.lock() {
                    rewatch(&mut d, &root);
                }
            }
            if !relevant {
                continue;
            }
            let start = Instant::now();
            match session.build() {
                Ok(built) => {
                    print_warnings(&built);
                    println!(
                        "Rebuilt in {} ms ({} of {} pages re-rendered)",
                        start.elapsed().as_millis(),
                        session.rendered(),
                        session.rendered() + session.reused()
                    );
                    shared.publish(Ok(built));
                }
                Err(e) => {
                    eprintln!("{e}\n");
                    if !root.join("content").is_dir() {
                        eprintln!(
                            "content/ is gone from {}; the preview rebuilds when it is back.",
                            root.display()
                        );
                    }
                    eprintln!("The last good build is still being served.");
                    shared.publish(Err(e.to_string()));
                }
            }
        }
    });
    Ok(debouncer)
}

/// Watches each source folder as it is now (after it was removed, restored or moved).
fn rewatch(d: &mut Watcher, root: &Path) {
    for dir in WATCHED {
        let p = root.join(dir);
        let _ = d.unwatch(&p);
        if p.is_dir()
            && let Err(e) = d.watch(&p, RecursiveMode::Recursive)
        {
            eprintln!(
                "Cannot watch {} any more ({e}); restart yanbao serve.",
                p.display()
            );
        }
    }
}

/// Did a batch of events create, remove or rename one of the source folders themselves?
fn replaced_folders(result: &notify_debouncer_full::DebounceEventResult, root: &Path) -> bool {
    let Ok(events) = result else { return true };
    let folders: Vec<PathBuf> = WATCHED.iter().map(|d| root.join(d)).collect();
    events.iter().any(|e| {
        matches!(
            e.event.kind,
            EventKind::Create(_)
                | EventKind::Remove(_)
                | EventKind::Modify(ModifyKind::Name(_))
                | EventKind::Any
        ) && e.event.paths.iter().any(|p| folders.contains(p))
    })
}

/// Did a batch of file events touch a source? Reads (access events, which the build itself
/// causes) and folders outside the site's sources are ignored, or the rebuild would loop.
fn matters(result: &notify_debouncer_full::DebounceEventResult, root: &Path) -> bool {
    let Ok(events) = result else { return true };
    events.iter().any(|e| {
        !matches!(e.event.kind, EventKind::Access(_))
            && e.event.paths.iter().any(|p| {
                let rel = p.strip_prefix(root).unwrap_or(p);
                let first = rel
                    .components()
                    .next()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned());
                WATCHED.contains(&first.as_deref().unwrap_or(""))
            })
    })
}

/// The files a batch of events names, from the site root with `/`; None if the watcher failed.
fn changed_files(
    result: &notify_debouncer_full::DebounceEventResult,
    root: &Path,
) -> Option<std::collections::HashSet<String>> {
    let events = result.as_ref().ok()?;
    let rel = |p: &PathBuf| {
        let rel = p.strip_prefix(root).unwrap_or(p);
        rel.to_string_lossy().replace('\\', "/")
    };
    let writes = events
        .iter()
        .filter(|e| !matches!(e.event.kind, EventKind::Access(_)));
    Some(writes.flat_map(|e| e.event.paths.iter().map(rel)).collect())
}

fn print_warnings(built: &Built) {
    for w in &built.warnings {
        eprintln!("{w}\n");
    }
}

fn handle(req: &Request, shared: &Arc<Shared>) -> Response {
    let raw = req.target.split(['?', '#']).next().unwrap_or("/");
    if raw == EVENTS_PATH {
        return stream_events(req, shared.clone());
    }
    if raw == "/__yanbao/reload.js" {
        return Response::Full {
            status: 200,
            content_type: content_type("reload.js"),
            body: RELOAD_JS.as_bytes().to_vec(),
        };
    }
    let site = shared.site();
    // A deferred file (search index, print edition) is made here, on its first request.
    let (status, path) = match resolve(raw, |p| matches!(site.get(p), Ok(Some(_)))) {
        Some(p) => (200, p),
        None => (404, "404.html".to_string()),
    };
    match site.get(&path) {
        Ok(Some(body)) => Response::Full {
            status,
            content_type: content_type(&path),
            body: body.to_vec(),
        },
        Ok(None) => Response::text(404, "not found"),
        Err(e) => Response::text(500, &e.to_string()),
    }
}

/// Maps a request path to a file of the built site, or None. Rejects traversal in any encoding.
pub fn resolve(raw: &str, exists: impl Fn(&str) -> bool) -> Option<String> {
    let decoded = percent_decode(raw)?;
    let path = decoded.strip_prefix('/')?;
    // An absolute path (`//etc/passwd`), a backslash or NUL never names a file of the site.
    if path.starts_with('/') || path.contains('\\') || path.contains('\0') {
        return None;
    }
    let segments: Vec<&str> = path.split('/').collect();
    if segments.iter().any(|s| *s == ".." || *s == ".") {
        return None;
    }
    if path.is_empty() || path.ends_with('/') {
        let index = format!("{path}index.html");
        return exists(&index).then_some(index);
    }
    if exists(path) {
        return Some(path.to_string());
    }
    let index = format!("{path}/index.html");
    exists(&index).then_some(index)
}

/// `%XX` decoding; None for malformed escapes or invalid UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &str) -> &'static str {
    match Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
    {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "webmanifest" => "application/manifest+json; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "pdf" => "application/pdf",
        "gz" => "application/gzip",
        _ => "application/octet-stream",
    }
}

/// A server-sent event stream: `reload` after every good rebuild, `problem` with the error
/// text after a failed one. Every message carries the build generation as its id, so a page that
/// reconnects (the browser sends `Last-Event-ID`) after missing a rebuild is told at once.
/// The handler writes it raw on the connection it takes over.
fn stream_events(req: &Request, shared: Arc<Shared>) -> Response {
    if shared.streams.fetch_add(1, Ordering::SeqCst) >= MAX_EVENT_STREAMS {
        shared.streams.fetch_sub(1, Ordering::SeqCst);
        return Response::text(503, "too many open pages");
    }
    let last_seen: Option<u64> = req
        .header("Last-Event-ID")
        .and_then(|v| v.trim().parse().ok());
    Response::Takeover(Box::new(move |mut w: TcpStream| {
        // Runs until the page goes away (a write fails or times out).
        let _ = (|| -> std::io::Result<()> {
            w.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n")?;
            let mut seen = {
                let s = shared.state.lock().map_err(|_| std::io::ErrorKind::Other)?;
                let first = match (&s.error, last_seen) {
                    (Some(e), _) => event("problem", e, s.generation),
                    (None, Some(g)) if g != s.generation => {
                        event("reload", &s.generation.to_string(), s.generation)
                    }
                    // No event, only the id: the page remembers which build it shows.
                    (None, _) => format!("id: {}\ndata:\n\n", s.generation),
                };
                w.write_all(first.as_bytes())?;
                s.generation
            };
            w.write_all(b": connected\n\n")?;
            w.flush()?;
            loop {
                let (message, generation) = {
                    let guard = shared.state.lock().map_err(|_| std::io::ErrorKind::Other)?;
                    let (guard, _) = shared
                        .changed
                        .wait_timeout_while(guard, Duration::from_secs(15), |s| {
                            s.generation == seen
                        })
                        .map_err(|_| std::io::ErrorKind::Other)?;
                    let g = guard.generation;
                    let message = if g == seen {
                        // Heartbeat: finds closed connections.
                        ": ping\n\n".to_string()
                    } else if let Some(e) = &guard.error {
                        event("problem", e, g)
                    } else {
                        event("reload", &g.to_string(), g)
                    };
                    (message, g)
                };
                seen = generation;
                w.write_all(message.as_bytes())?;
                w.flush()?;
            }
        })();
        shared.streams.fetch_sub(1, Ordering::SeqCst);
    }))
}

fn event(name: &str, data: &str, id: u64) -> String {
    let mut s = format!("event: {name}\nid: {id}\n");
    for line in data.lines() {
        s.push_str("data: ");
        s.push_str(line);
        s.push('\n');
    }
    if data.is_empty() {
        s.push_str("data:\n");
    }
    s.push('\n');
    s
}

fn open_browser(url: &str) {
    let cmd = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(cmd).arg(url).spawn().is_err() {
        println!("Could not open a browser; visit {url}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn site() -> BTreeMap<String, Vec<u8>> {
        [
            "index.html",
            "zh/index.html",
            "static/style.css",
            "404.html",
            "zh/a b.html",
        ]
        .iter()
        .map(|k| (k.to_string(), b"x".to_vec()))
        .collect()
    }

    /// A request path resolved against `site()`.
    fn in_site(raw: &str) -> Option<String> {
        let f = site();
        resolve(raw, |p| f.contains_key(p))
    }

    #[test]
    fn resolves_files_and_folders() {
        assert_eq!(in_site("/").as_deref(), Some("index.html"));
        assert_eq!(in_site("/zh/").as_deref(), Some("zh/index.html"));
        assert_eq!(in_site("/zh").as_deref(), Some("zh/index.html"));
        assert_eq!(
            in_site("/static/style.css").as_deref(),
            Some("static/style.css")
        );
        assert_eq!(in_site("/zh/a%20b.html").as_deref(), Some("zh/a b.html"));
    }

    #[test]
    fn rejects_traversal_in_every_form() {
        for bad in [
            "/../Cargo.toml",
            "/zh/../../etc/passwd",
            "/%2e%2e/Cargo.toml",
            "/%2E%2E%2fCargo.toml",
            "/zh%2f..%2f..%2fetc%2fpasswd",
            "//etc/passwd",
            "/%2fetc%2fpasswd",
            "/zh/%5c..%5cx",
            "/%00",
            "/%zz",
            "/%c0%ae%c0%ae/x",
            "relative",
        ] {
            assert_eq!(in_site(bad), None, "{bad}");
        }
    }

    #[test]
    fn content_types_declare_utf8_for_text() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("x.svg"), "image/svg+xml; charset=utf-8");
        assert_eq!(content_type("d.csv"), "text/csv; charset=utf-8");
        assert_eq!(content_type("s.js"), "text/javascript; charset=utf-8");
    }

    #[test]
    fn only_a_port_that_was_asked_for_and_not_got_is_called_taken() {
        assert_eq!(port_note(0, 41234), None);
        assert_eq!(port_note(8000, 8000), None);
        assert_eq!(
            port_note(8000, 8003).as_deref(),
            Some("Port 8000 is taken; using 8003 instead.")
        );
    }

    #[test]
    fn events_are_framed_line_by_line() {
        assert_eq!(
            event("problem", "a\nb", 7),
            "event: problem\nid: 7\ndata: a\ndata: b\n\n"
        );
    }
}
