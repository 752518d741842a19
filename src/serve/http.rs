//! The preview's HTTP/1.1 layer: listening, reading request heads (parsed by `httparse`) and
//! writing responses, with limits that keep one bad client from holding the server. Every
//! connection gets its own thread, at most `Limits::connections` at once (beyond that a quick 503);
//! a request head must fit in `Limits::head_bytes` (else 431) and arrive within
//! `Limits::head_time` of its first byte; every write has a timeout and a whole response a
//! deadline. A client that sends slowly, sends a huge header, pipelines requests and never reads
//! the answers, or just stays connected holds only its own thread, and only for seconds.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How much a client may take.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections served at once (event streams are counted by the handler, not here).
    pub connections: usize,
    /// Request line plus headers.
    pub head_bytes: usize,
    /// From the first byte of a request to the end of its head.
    pub head_time: Duration,
    /// A kept-alive connection with no new request is closed after this.
    pub idle: Duration,
    /// One write that makes no progress.
    pub write: Duration,
    /// A whole response.
    pub response_time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            connections: 128,
            head_bytes: 16 * 1024,
            head_time: Duration::from_secs(10),
            idle: Duration::from_secs(30),
            write: Duration::from_secs(10),
            response_time: Duration::from_secs(30),
        }
    }
}

/// One request, as far as a preview needs it.
#[derive(Debug)]
pub struct Request {
    pub method: String,
    /// The request target as sent (`/zh/market/?x=1`).
    pub target: String,
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the handler answers.
pub enum Response {
    /// A complete response; HEAD requests get its head only.
    Full {
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// The handler takes the connection over (a server-sent event stream) and writes everything
    /// itself; the connection's slot is released first.
    Takeover(Box<dyn FnOnce(TcpStream) + Send>),
}

impl Response {
    pub fn text(status: u16, body: &str) -> Response {
        Response::Full {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.as_bytes().to_vec(),
        }
    }
}

pub type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

/// A listening server; dropping it stops accepting and frees the port (open connections end
/// on their own).
pub struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept; the thread then sees `stop` and drops the listener.
        let mut wake = self.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(match wake {
                SocketAddr::V4(_) => [127, 0, 0, 1].into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(1));
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

/// Binds `bind:port`; if that port is taken, the next ones up to 19 further (never past 65535).
/// Port 0 lets the system choose. Returns the listener and the port it got.
pub fn bind(bind: &str, port: u16) -> std::io::Result<(TcpListener, u16)> {
    let last_port = if port == 0 {
        0
    } else {
        port.saturating_add(19)
    };
    let mut last_err = None;
    for p in port..=last_port {
        let addr = if bind.contains(':') {
            format!("[{bind}]:{p}")
        } else {
            format!("{bind}:{p}")
        };
        match listen(&addr) {
            Ok(listener) => {
                let actual = listener.local_addr().map_or(p, |a| a.port());
                return Ok((listener, actual));
            }
            Err(e) => last_err = Some(e),
        }
    }
    Err(last_err.unwrap_or_else(|| ErrorKind::AddrInUse.into()))
}

/// A listening socket. SO_REUSEADDR lets a restarted preview take its old port while closed
/// connections linger in TIME_WAIT (it never lets two servers listen on one port on Unix);
/// TCP_NODELAY, which accepted connections inherit, keeps small responses from waiting ~40 ms
/// for a delayed ACK.
fn listen(addr: &str) -> std::io::Result<TcpListener> {
    use std::net::ToSocketAddrs;
    let sa = addr
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::new(ErrorKind::InvalidInput, "no address"))?;
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(sa),
        socket2::Type::STREAM,
        None,
    )?;
    #[cfg(unix)]
    socket.set_reuse_address(true)?;
    socket.set_nodelay(true)?;
    socket.bind(&sa.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

/// Serves `listener` in background threads until the returned server is dropped.
pub fn run(listener: TcpListener, handler: Handler, limits: Limits) -> std::io::Result<Server> {
    let addr = listener.local_addr()?;
    let stop = Arc::new(AtomicBool::new(false));
    let active = Arc::new(AtomicUsize::new(0));
    let limits = Arc::new(limits);
    let stopping = stop.clone();
    let accept = std::thread::spawn(move || {
        for stream in listener.incoming() {
            if stopping.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = stream else {
                // Out of file descriptors or similar: wait a moment rather than spin.
                std::thread::sleep(Duration::from_millis(20));
                continue;
            };
            if active.fetch_add(1, Ordering::SeqCst) >= limits.connections {
                active.fetch_sub(1, Ordering::SeqCst);
                refuse(stream);
                continue;
            }
            let slot = Slot(Some(active.clone()));
            let (handler, limits) = (handler.clone(), limits.clone());
            std::thread::spawn(move || connection(stream, &handler, &limits, slot));
        }
    });
    Ok(Server {
        addr,
        stop,
        accept: Some(accept),
    })
}

/// A connection's place in the count; given back when the connection ends or is taken over.
struct Slot(Option<Arc<AtomicUsize>>);

impl Slot {
    fn release(&mut self) {
        if let Some(n) = self.0.take() {
            n.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.release();
    }
}

/// Too many connections: one try at a 503 that never blocks the accepting thread.
fn refuse(mut stream: TcpStream) {
    let _ = stream.set_nonblocking(true);
    let _ = stream.write_all(
        b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\nConnection: close\r\n\r\n",
    );
}

/// Why reading a request head stopped.
#[derive(Debug, PartialEq)]
enum Stop {
    /// The client closed, went quiet, or was too slow: close without a word.
    Gone,
    TooLarge,
    Malformed,
}

fn connection(mut stream: TcpStream, handler: &Handler, limits: &Limits, mut slot: Slot) {
    if stream.set_write_timeout(Some(limits.write)).is_err() {
        return;
    }
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    loop {
        let head_len = match read_head(&mut stream, &mut buf, limits) {
            Ok(n) => n,
            Err(Stop::Gone) => return,
            Err(Stop::TooLarge) => {
                answer_and_close(&mut stream, 431, b"request header too large", limits);
                return;
            }
            Err(Stop::Malformed) => {
                answer_and_close(&mut stream, 400, b"bad request", limits);
                return;
            }
        };
        let parsed = parse(&buf[..head_len]);
        buf.drain(..head_len);
        let Some((req, version_1_1)) = parsed else {
            answer_and_close(&mut stream, 400, b"bad request", limits);
            return;
        };
        let connection = req.header("Connection").unwrap_or("").to_ascii_lowercase();
        // A body is never read: a request that has one ends the connection after its answer.
        let has_body = req.header("Transfer-Encoding").is_some()
            || req
                .header("Content-Length")
                .is_some_and(|v| v.trim() != "0");
        let close = has_body
            || connection.contains("close")
            || (!version_1_1 && !connection.contains("keep-alive"));
        let head_only = req.method == "HEAD";
        if req.method != "GET" && !head_only {
            answer_and_close(&mut stream, 405, b"method not allowed", limits);
            return;
        }
        match handler(&req) {
            Response::Full {
                status,
                content_type,
                body,
            } => {
                let sent = write_response(
                    &mut stream,
                    status,
                    content_type,
                    &body,
                    head_only,
                    close,
                    limits,
                );
                if sent.is_err() || close {
                    return;
                }
            }
            Response::Takeover(f) => {
                slot.release();
                let _ = stream.set_read_timeout(None);
                f(stream);
                return;
            }
        }
    }
}

/// A short plain-text answer after which the connection is closed (refused requests).
fn answer_and_close(stream: &mut TcpStream, status: u16, body: &[u8], limits: &Limits) {
    let _ = write_response(
        stream,
        status,
        "text/plain; charset=utf-8",
        body,
        false,
        true,
        limits,
    );
}

/// Reads until `buf` holds a whole request head; returns its length (bytes after it are the
/// start of a pipelined request and stay in `buf`).
fn read_head(stream: &mut TcpStream, buf: &mut Vec<u8>, limits: &Limits) -> Result<usize, Stop> {
    let mut started = (!buf.is_empty()).then(Instant::now);
    let mut searched = 0;
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = find_head_end(buf, searched) {
            return Ok(end);
        }
        searched = buf.len().saturating_sub(3);
        if buf.len() > limits.head_bytes {
            return Err(Stop::TooLarge);
        }
        let wait = match started {
            None => limits.idle,
            Some(t) => match limits.head_time.checked_sub(t.elapsed()) {
                Some(left) if !left.is_zero() => left,
                _ => return Err(Stop::Gone),
            },
        };
        stream
            .set_read_timeout(Some(wait))
            .map_err(|_| Stop::Gone)?;
        let n = match stream.read(&mut chunk) {
            Ok(0) => return Err(Stop::Gone),
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return Err(Stop::Gone),
        };
        // Blank lines before a request are allowed (RFC 9112 §2.2); they do not start the clock.
        buf.extend_from_slice(&chunk[..n]);
        if started.is_none() {
            let blank = buf
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
            buf.drain(..blank);
            if !buf.is_empty() {
                started = Some(Instant::now());
            }
        }
        if buf.len() > limits.head_bytes && find_head_end(buf, searched).is_none() {
            return Err(Stop::TooLarge);
        }
        if buf.first().is_some_and(|b| !b.is_ascii_alphabetic()) {
            return Err(Stop::Malformed);
        }
    }
}

fn find_head_end(buf: &[u8], from: usize) -> Option<usize> {
    buf.get(from..)?
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| from + i + 4)
}

/// The request and whether it is HTTP/1.1 (keep-alive by default).
fn parse(head: &[u8]) -> Option<(Request, bool)> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        _ => return None,
    }
    let request = Request {
        method: req.method?.to_string(),
        target: req.path?.to_string(),
        headers: req
            .headers
            .iter()
            .map(|h| {
                (
                    h.name.to_string(),
                    String::from_utf8_lossy(h.value).into_owned(),
                )
            })
            .collect(),
    };
    Some((request, req.version? >= 1))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Writes a response with a known length; gives up when the client stops reading.
fn write_response(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &[u8],
    head_only: bool,
    close: bool,
    limits: &Limits,
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n",
        reason(status),
        body.len()
    );
    if status == 405 {
        head.push_str("Allow: GET, HEAD\r\n");
    }
    head.push_str(if close {
        "Connection: close\r\n\r\n"
    } else {
        "Connection: keep-alive\r\n\r\n"
    });
    let deadline = Instant::now() + limits.response_time;
    let body = if head_only { &[][..] } else { body };
    for part in [head.as_bytes(), body] {
        for piece in part.chunks(64 * 1024) {
            if Instant::now() > deadline {
                return Err(ErrorKind::TimedOut.into());
            }
            stream.write_all(piece)?;
        }
    }
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufRead;

    fn quick() -> Limits {
        Limits {
            connections: 4,
            head_bytes: 1024,
            head_time: Duration::from_millis(300),
            idle: Duration::from_millis(600),
            write: Duration::from_millis(300),
            response_time: Duration::from_secs(2),
        }
    }

    /// A server whose every page is `size` bytes of 'x', on a free port.
    fn server(limits: Limits, size: usize) -> (Server, u16) {
        let (listener, port) = bind("127.0.0.1", 0).unwrap();
        let handler: Handler = Arc::new(move |req: &Request| Response::Full {
            status: if req.target == "/missing" { 404 } else { 200 },
            content_type: "text/plain",
            body: vec![b'x'; size],
        });
        (run(listener, handler, limits).unwrap(), port)
    }

    fn connect(port: u16) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s
    }

    /// Reads one response: (status line, headers, body).
    fn response(r: &mut std::io::BufReader<TcpStream>) -> (String, String, Vec<u8>) {
        let mut status = String::new();
        r.read_line(&mut status).unwrap();
        let mut head = String::new();
        let mut len = 0;
        loop {
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap();
            }
            head.push_str(&line);
        }
        let mut body = vec![0; len];
        r.read_exact(&mut body).unwrap();
        (status.trim_end().to_string(), head, body)
    }

    /// Did the server close the connection (end of stream or reset), rather than the test's
    /// own 10 s read timeout running out?
    fn closed(s: &mut TcpStream) -> bool {
        let mut b = [0u8; 1];
        match s.read(&mut b) {
            Ok(n) => n == 0,
            Err(e) => !matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        }
    }

    #[test]
    fn keeps_alive_and_answers_pipelined_requests_in_order() {
        let (_srv, port) = server(quick(), 3);
        let mut s = connect(port);
        s.write_all(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nHEAD /missing HTTP/1.1\r\n\r\nGET /x HTTP/1.1\r\nConnection: close\r\n\r\n").unwrap();
        let mut r = std::io::BufReader::new(s);
        let (st, head, body) = response(&mut r);
        assert_eq!(
            (st.as_str(), body.as_slice()),
            ("HTTP/1.1 200 OK", &b"xxx"[..])
        );
        assert!(head.contains("Connection: keep-alive"), "{head}");
        // HEAD: the length of the body it would get, and no body.
        let mut status = String::new();
        r.read_line(&mut status).unwrap();
        assert_eq!(status, "HTTP/1.1 404 Not Found\r\n");
        let mut line = String::new();
        while line != "\r\n" {
            line.clear();
            r.read_line(&mut line).unwrap();
        }
        let (st, head, _) = response(&mut r);
        assert_eq!(st, "HTTP/1.1 200 OK");
        assert!(head.contains("Connection: close"), "{head}");
    }

    #[test]
    fn oversized_heads_get_431_and_the_connection_is_closed() {
        let (_srv, port) = server(quick(), 3);
        let mut s = connect(port);
        let mut req = b"GET / HTTP/1.1\r\nX-Big: ".to_vec();
        req.extend(std::iter::repeat_n(b'a', 4000));
        let _ = s.write_all(&req);
        let mut r = std::io::BufReader::new(s);
        let (st, _, _) = response(&mut r);
        assert_eq!(st, "HTTP/1.1 431 Request Header Fields Too Large");
        assert!(closed(r.get_mut()));
    }

    #[test]
    fn a_head_sent_too_slowly_or_not_at_all_is_dropped() {
        let (_srv, port) = server(quick(), 3);
        // One byte, then nothing: dropped after `head_time`, well before the test's 10 s read.
        let mut slow = connect(port);
        slow.write_all(b"G").unwrap();
        // Connected and silent: dropped after `idle`.
        let mut silent = connect(port);
        assert!(closed(&mut slow));
        assert!(closed(&mut silent));
    }

    #[test]
    fn malformed_requests_and_other_methods_are_refused() {
        let (_srv, port) = server(quick(), 3);
        for (req, want) in [
            (
                &b"\x16\x03\x01garbage\r\n\r\n"[..],
                "HTTP/1.1 400 Bad Request",
            ),
            (
                b"GET / HTTP/1.1\r\nBad Header\r\n\r\n",
                "HTTP/1.1 400 Bad Request",
            ),
            (
                b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
                "HTTP/1.1 405 Method Not Allowed",
            ),
        ] {
            let mut s = connect(port);
            s.write_all(req).unwrap();
            let mut r = std::io::BufReader::new(s);
            assert_eq!(response(&mut r).0, want);
            assert!(closed(r.get_mut()));
        }
    }

    #[test]
    fn clients_that_never_read_hold_only_their_own_connection() {
        let mut limits = quick();
        limits.connections = 64;
        // A big page, so that unread answers fill the socket buffers and writes block.
        let (_srv, port) = server(limits, 4 * 1024 * 1024);
        let hogs: Vec<TcpStream> = (0..16)
            .map(|_| {
                let mut s = connect(port);
                for _ in 0..8 {
                    s.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
                }
                s
            })
            .collect();
        std::thread::sleep(Duration::from_millis(100));
        let mut s = connect(port);
        s.write_all(b"GET /missing HTTP/1.1\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut r = std::io::BufReader::new(s);
        assert_eq!(response(&mut r).0, "HTTP/1.1 404 Not Found");
        drop(hogs);
    }

    #[test]
    fn beyond_the_connection_limit_a_503_not_a_hang() {
        let (_srv, port) = server(quick(), 3);
        let held: Vec<TcpStream> = (0..4).map(|_| connect(port)).collect();
        std::thread::sleep(Duration::from_millis(100));
        let mut r = std::io::BufReader::new(connect(port));
        assert_eq!(response(&mut r).0, "HTTP/1.1 503 Service Unavailable");
        drop(held);
    }

    #[test]
    fn ports_are_exact() {
        // Port 0: the system's choice, not "taken".
        let (a, pa) = bind("127.0.0.1", 0).unwrap();
        assert_ne!(pa, 0);
        // The last port: tried itself (an empty range used to fail at once).
        if let Ok((_, p)) = bind("127.0.0.1", 65535) {
            assert_eq!(p, 65535);
        }
        // A taken port moves on to the next free one.
        let (_b, pb) = bind("127.0.0.1", pa).unwrap();
        assert!(pb > pa && pb <= pa.saturating_add(19), "{pa} → {pb}");
        drop(a);
    }
}
