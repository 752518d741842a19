//! `yanbao serve`: builds the site in memory, serves it on localhost, watches the sources and
//! rebuilds on every change (re-rendering only what changed), and tells open pages to reload
//! over server-sent events. A broken edit never stops the server: the last good build stays
//! online and the pages show the error until the next good save.
//!
//! The server answers only from the built site in memory, so `..`, encoded traversal, absolute
//! paths and symlinks out of `static/` (which the build skips) cannot reach other files.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use notify_debouncer_full::notify::{EventKind, RecursiveMode};
use tiny_http::{Header, Method, Request, Response, Server};

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
        })
    }

    /// Pages the last build rendered, and those it reused.
    pub fn rendered(&self) -> usize {
        self.cache.rendered
    }

    pub fn reused(&self) -> usize {
        self.cache.reused
    }
}

/// Served at `/__yanbao/reload.js`; pages built by `serve` load it.
const RELOAD_JS: &str = include_str!("reload.js");
const EVENTS_PATH: &str = "/__yanbao/events";
/// Open pages each hold one event stream; beyond this, new ones are refused (bounded memory).
const MAX_EVENT_STREAMS: usize = 256;
/// A burst of saves within this window gives one rebuild.
const DEBOUNCE: Duration = Duration::from_millis(25);

/// The file watcher; it stops watching when dropped.
type Watcher = notify_debouncer_full::Debouncer<
    notify_debouncer_full::notify::RecommendedWatcher,
    notify_debouncer_full::RecommendedCache,
>;

/// What the server holds: the last good build, the current error (if the last build failed)
/// and a generation number bumped on every rebuild.
#[derive(Default)]
struct State {
    files: Arc<BTreeMap<String, Vec<u8>>>,
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
    fn files(&self) -> Arc<BTreeMap<String, Vec<u8>>> {
        self.state
            .lock()
            .map(|s| s.files.clone())
            .unwrap_or_default()
    }

    fn publish(&self, result: std::result::Result<Built, String>) {
        if let Ok(mut s) = self.state.lock() {
            match result {
                Ok(built) => {
                    s.files = Arc::new(built.files);
                    s.error = None;
                }
                Err(e) => s.error = Some(e),
            }
            s.generation += 1;
        }
        self.changed.notify_all();
    }
}

/// A running preview server (used by `serve` and by tests).
pub struct Preview {
    pub url: String,
    pub port: u16,
    pub shared: Arc<Shared>,
    server: Arc<Server>,
    _watcher: Watcher,
}

impl Drop for Preview {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

/// Builds, binds, watches; returns once the server is running in background threads.
pub fn start(opts: &Options, bind: &str, port: u16) -> Result<Preview> {
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
    let (server, port) = bind_free(bind, port)?;
    let server = Arc::new(server);
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
    // Request workers: plain pages are answered from memory; event streams get a thread each.
    for _ in 0..8 {
        let server = server.clone();
        let shared = shared.clone();
        std::thread::spawn(move || {
            while let Ok(req) = server.recv() {
                handle(req, &shared);
            }
        });
    }
    let watcher = watch(opts, shared.clone(), session)?;
    Ok(Preview {
        url,
        port,
        shared,
        server,
        _watcher: watcher,
    })
}

/// `yanbao serve`: starts the preview and runs until interrupted.
pub fn serve(opts: &Options, bind: &str, port: u16, open: bool) -> Result<()> {
    let preview = start(opts, bind, port)?;
    if preview.port != port {
        println!("Port {port} is taken; using {} instead.", preview.port);
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

/// Binds `bind:port`, or the next free port (up to 20 tries).
fn bind_free(bind: &str, port: u16) -> Result<(Server, u16)> {
    let mut last = String::new();
    for p in port..port.saturating_add(20) {
        let addr = if bind.contains(':') {
            format!("[{bind}]:{p}")
        } else {
            format!("{bind}:{p}")
        };
        match listen(&addr) {
            Ok(listener) => {
                let actual = listener.local_addr().map_or(p, |a| a.port());
                let server = Server::from_listener(listener, None)
                    .map_err(|e| Error::Serve(e.to_string()))?;
                return Ok((server, actual));
            }
            Err(e) => last = e.to_string(),
        }
        if port == 0 {
            break;
        }
    }
    Err(Error::Serve(format!(
        "cannot listen on {bind}:{port} or the next ports ({last}); try --port"
    )))
}

/// A listening socket with TCP_NODELAY, which accepted connections inherit: tiny_http writes a
/// response in pieces and, without it, the last piece waits ~40 ms for a delayed ACK.
fn listen(addr: &str) -> std::io::Result<std::net::TcpListener> {
    use std::net::ToSocketAddrs;
    let sa = addr
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "no address"))?;
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(sa),
        socket2::Type::STREAM,
        None,
    )?;
    socket.set_nodelay(true)?;
    socket.bind(&sa.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

fn watch(opts: &Options, shared: Arc<Shared>, mut session: Session) -> Result<Watcher> {
    let (tx, rx) = mpsc::channel();
    let mut debouncer = notify_debouncer_full::new_debouncer(DEBOUNCE, None, tx)
        .map_err(|e| Error::Serve(format!("cannot watch files: {e}")))?;
    // The watcher reports absolute paths: compare them with the absolute root (serve is
    // usually started with the default root, `.`).
    let root = opts
        .root
        .canonicalize()
        .unwrap_or_else(|_| opts.root.clone());
    for dir in ["content", "templates", "static"] {
        let p = root.join(dir);
        if p.is_dir() {
            debouncer
                .watch(&p, RecursiveMode::Recursive)
                .map_err(|e| Error::Serve(format!("cannot watch {}: {e}", p.display())))?;
        }
    }
    // Notice templates/ or static/ being created later.
    let _ = debouncer.watch(&root, RecursiveMode::NonRecursive);
    std::thread::spawn(move || {
        while let Ok(result) = rx.recv() {
            let mut relevant = matters(&result, &root);
            // Coalesce whatever else arrived meanwhile into the same rebuild.
            while let Ok(more) = rx.try_recv() {
                relevant |= matters(&more, &root);
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
                    eprintln!("The last good build is still being served.");
                    shared.publish(Err(e.to_string()));
                }
            }
        }
    });
    Ok(debouncer)
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
                matches!(first.as_deref(), Some("content" | "templates" | "static"))
            })
    })
}

fn print_warnings(built: &Built) {
    for w in &built.warnings {
        eprintln!("{w}\n");
    }
}

fn handle(req: Request, shared: &Arc<Shared>) {
    let method = req.method().clone();
    if method != Method::Get && method != Method::Head {
        let _ = req.respond(Response::from_string("method not allowed").with_status_code(405));
        return;
    }
    let raw = req
        .url()
        .split(['?', '#'])
        .next()
        .unwrap_or("/")
        .to_string();
    if raw == EVENTS_PATH {
        stream_events(req, shared.clone());
        return;
    }
    if raw == "/__yanbao/reload.js" {
        let _ = req.respond(with_type(
            Response::from_data(RELOAD_JS.as_bytes().to_vec()),
            "reload.js",
        ));
        return;
    }
    let files = shared.files();
    let (status, path) = match resolve(&raw, &files) {
        Some(p) => (200, p),
        None => (404, "404.html".to_string()),
    };
    let body = files
        .get(&path)
        .cloned()
        .unwrap_or_else(|| b"not found".to_vec());
    let mut resp = with_type(
        Response::from_data(if method == Method::Head {
            Vec::new()
        } else {
            body
        }),
        &path,
    )
    .with_status_code(status);
    if let Ok(h) = Header::from_bytes("Cache-Control", "no-store") {
        resp = resp.with_header(h);
    }
    // The length is known: send Content-Length rather than tiny_http's chunking above 32 KB.
    let _ = req.respond(resp.with_chunked_threshold(usize::MAX));
}

/// Maps a request path to a file of the built site, or None. Rejects traversal in any encoding.
pub fn resolve(raw: &str, files: &BTreeMap<String, Vec<u8>>) -> Option<String> {
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
        return files.contains_key(&index).then_some(index);
    }
    if files.contains_key(path) {
        return Some(path.to_string());
    }
    let index = format!("{path}/index.html");
    files.contains_key(&index).then_some(index)
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
        _ => "application/octet-stream",
    }
}

fn with_type<R: std::io::Read>(resp: Response<R>, path: &str) -> Response<R> {
    match Header::from_bytes("Content-Type", content_type(path)) {
        Ok(h) => resp.with_header(h),
        Err(()) => resp,
    }
}

/// A server-sent event stream: `reload` after every good rebuild, `problem` with the error
/// text after a failed one. Every message carries the build generation as its id, so a page that
/// reconnects (the browser sends `Last-Event-ID`) after missing a rebuild is told at once.
/// Written raw (tiny_http would buffer a chunked body).
fn stream_events(req: Request, shared: Arc<Shared>) {
    if shared.streams.fetch_add(1, Ordering::SeqCst) >= MAX_EVENT_STREAMS {
        shared.streams.fetch_sub(1, Ordering::SeqCst);
        let _ = req.respond(Response::from_string("too many open pages").with_status_code(503));
        return;
    }
    let last_seen: Option<u64> = req
        .headers()
        .iter()
        .find(|h| h.field.equiv("Last-Event-ID"))
        .and_then(|h| h.value.as_str().trim().parse().ok());
    std::thread::spawn(move || {
        let mut w = req.into_writer();
        // Runs until the page goes away (a write fails).
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
    });
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

    #[test]
    fn resolves_files_and_folders() {
        let f = site();
        assert_eq!(resolve("/", &f).as_deref(), Some("index.html"));
        assert_eq!(resolve("/zh/", &f).as_deref(), Some("zh/index.html"));
        assert_eq!(resolve("/zh", &f).as_deref(), Some("zh/index.html"));
        assert_eq!(
            resolve("/static/style.css", &f).as_deref(),
            Some("static/style.css")
        );
        assert_eq!(
            resolve("/zh/a%20b.html", &f).as_deref(),
            Some("zh/a b.html")
        );
    }

    #[test]
    fn rejects_traversal_in_every_form() {
        let f = site();
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
            assert_eq!(resolve(bad, &f), None, "{bad}");
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
    fn events_are_framed_line_by_line() {
        assert_eq!(
            event("problem", "a\nb", 7),
            "event: problem\nid: 7\ndata: a\ndata: b\n\n"
        );
    }
}
