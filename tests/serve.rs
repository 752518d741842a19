//! `yanbao serve` end to end: start on a free port, fetch, edit, see the change; a broken edit
//! keeps the old page and reports the error to open pages; every traversal attempt gets 404.
//! Waits poll with generous limits: speed is measured in benches/serve.rs, not here.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::*;
use yanbao::Options;

/// A raw HTTP/1.1 GET: (status, headers, body). Paths are sent exactly as given.
fn get(port: u16, path: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn start(root: &std::path::Path) -> yanbao::Preview {
    yanbao::start_preview(&Options::new(root), "127.0.0.1", 0).expect("server starts")
}

#[test]
fn serves_pages_and_shows_an_edit_on_the_next_fetch() {
    let (_dir, root) = fixture_copy();
    let preview = start(&root);
    let (status, head, body) = get(preview.port, "/zh/market/");
    assert_eq!(status, 200);
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(body.contains("2024年市场规模为"));
    // Serve mode adds the reload script; a hosted build never has it.
    assert!(body.contains("/__yanbao/reload.js"));
    let page = root.join("content/zh/market.md");
    let text = read(&page).replace("2024年市场规模为", "2024年市场规模（已修改）为");
    std::fs::write(&page, text).unwrap();
    wait_for("the edited text", || {
        get(preview.port, "/zh/market/").2.contains("（已修改）")
    });
}

#[test]
fn the_search_index_and_print_edition_follow_an_edit() {
    // A preview makes these two from the whole site only when they are asked for: after an
    // edit they must hold the new text all the same, and under their usual addresses.
    let (_dir, root) = fixture_copy();
    let preview = start(&root);
    let (status, _, index) = get(preview.port, "/search/zh.json");
    assert_eq!(status, 200);
    assert!(!index.contains("甲乙丙"), "{index}");
    let (status, _, print) = get(preview.port, "/zh/print/");
    assert_eq!(status, 200);
    assert!(print.contains("2024年市场规模为"));
    let page = root.join("content/zh/market.md");
    let text = read(&page).replace("2024年市场规模为", "2024年甲乙丙市场规模为");
    std::fs::write(&page, text).unwrap();
    wait_for("the edit in the print edition", || {
        get(preview.port, "/zh/print/")
            .2
            .contains("2024年甲乙丙市场规模为")
    });
    let (status, _, index) = get(preview.port, "/search/zh.json");
    assert_eq!(status, 200);
    assert!(index.contains("甲乙"), "the new terms are indexed");
    assert_eq!(get(preview.port, "/search/xx.json").0, 404);
}

#[test]
fn broken_yaml_keeps_the_last_good_site_and_reports_to_open_pages() {
    let (_dir, root) = fixture_copy();
    let preview = start(&root);
    // An open page's event stream.
    let mut events = TcpStream::connect(("127.0.0.1", preview.port)).unwrap();
    events
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        events,
        "GET /__yanbao/events HTTP/1.1\r\nHost: localhost\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::new(events);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 200"), "{line}");

    let data = root.join("content/data/shares.yaml");
    let good = read(&data);
    std::fs::write(&data, "title: {zh: [broken\n").unwrap();
    // The overlay message names the file, line and column.
    let mut seen = String::new();
    loop {
        line.clear();
        assert!(reader.read_line(&mut line).unwrap() > 0, "stream closed");
        seen.push_str(&line);
        if seen.contains("event: problem") && line == "\n" {
            break;
        }
    }
    assert!(seen.contains("content/data/shares.yaml:1:"), "{seen}");
    // The previous build is still served.
    let (status, _, body) = get(preview.port, "/en/market/");
    assert_eq!(status, 200);
    assert!(body.contains("General-purpose models make up"));
    // The next good save reloads the pages (and so clears the overlay).
    std::fs::write(&data, good).unwrap();
    seen.clear();
    loop {
        line.clear();
        assert!(reader.read_line(&mut line).unwrap() > 0, "stream closed");
        seen.push_str(&line);
        if seen.contains("event: reload") {
            break;
        }
    }
}

/// Reads an event stream until `want` has been seen and the message ended.
fn read_until(reader: &mut BufReader<TcpStream>, want: &str) -> String {
    let mut seen = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "stream closed: {seen}"
        );
        seen.push_str(&line);
        if seen.contains(want) && line == "\n" {
            return seen;
        }
    }
}

fn open_events(port: u16, last_event_id: Option<u64>) -> BufReader<TcpStream> {
    let mut events = TcpStream::connect(("127.0.0.1", port)).unwrap();
    events
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let resume = last_event_id.map_or(String::new(), |g| format!("Last-Event-ID: {g}\r\n"));
    write!(
        events,
        "GET /__yanbao/events HTTP/1.1\r\nHost: localhost\r\n{resume}\r\n"
    )
    .unwrap();
    BufReader::new(events)
}

#[test]
fn a_page_that_reconnects_after_missing_a_rebuild_reloads_at_once() {
    let (_dir, root) = fixture_copy();
    let preview = start(&root);
    // A page opens the stream and learns which build it shows.
    let mut first = open_events(preview.port, None);
    let hello = read_until(&mut first, "id: ");
    assert!(!hello.contains("event: reload"), "{hello}");
    let generation: u64 = hello
        .lines()
        .find_map(|l| l.strip_prefix("id: "))
        .and_then(|g| g.trim().parse().ok())
        .expect("the stream names the build generation");
    drop(first);
    // While it is disconnected, an edit rebuilds the site.
    let page = root.join("content/en/market.md");
    std::fs::write(
        &page,
        read(&page).replace("A footnote.", "A footnote, edited."),
    )
    .unwrap();
    wait_for("the rebuild", || {
        get(preview.port, "/en/market/").2.contains("edited.")
    });
    // It reconnects naming the build it saw, and is told to reload straight away.
    let mut again = open_events(preview.port, Some(generation));
    let told = read_until(&mut again, "event: reload");
    assert!(told.contains("event: reload"), "{told}");
    // A page that already shows the current build is not reloaded again.
    let current: u64 = told
        .lines()
        .find_map(|l| l.strip_prefix("id: "))
        .and_then(|g| g.trim().parse().ok())
        .unwrap();
    let mut fresh = open_events(preview.port, Some(current));
    let quiet = read_until(&mut fresh, ": connected");
    assert!(!quiet.contains("event: reload"), "{quiet}");
}

#[test]
fn content_types_and_missing_pages() {
    let (_dir, root) = fixture_copy();
    let preview = start(&root);
    for (path, ty) in [
        ("/static/style.css", "text/css; charset=utf-8"),
        ("/static/yanbao.js", "text/javascript; charset=utf-8"),
        ("/static/favicon.svg", "image/svg+xml; charset=utf-8"),
        ("/search/en.json", "application/json; charset=utf-8"),
        ("/zh/data/market.csv", "text/csv; charset=utf-8"),
    ] {
        let (status, head, _) = get(preview.port, path);
        assert_eq!(status, 200, "{path}");
        assert!(
            head.to_ascii_lowercase()
                .contains(&format!("content-type: {ty}")),
            "{path}: {head}"
        );
    }
    let (status, _, body) = get(preview.port, "/nowhere/");
    assert_eq!(status, 404);
    assert!(body.contains("<html"), "the site's own 404 page");
}

fn assert_404(path: &str) {
    let (_dir, root) = fixture_copy();
    // A secret next to the site, which traversal would reach.
    std::fs::write(root.parent().unwrap().join("secret.txt"), "SECRET").unwrap();
    let preview = start(&root);
    let (status, _, body) = get(preview.port, path);
    assert_eq!(status, 404, "{path}");
    assert!(
        !body.contains("SECRET") && !body.contains("root:"),
        "{path} leaked a file"
    );
}

#[test]
fn traversal_with_dot_dot_is_404() {
    assert_404("/../secret.txt");
}

#[test]
fn traversal_nested_is_404() {
    assert_404("/zh/../../secret.txt");
}

#[test]
fn traversal_encoded_dots_is_404() {
    assert_404("/%2e%2e/secret.txt");
}

#[test]
fn traversal_encoded_slash_is_404() {
    assert_404("/zh%2f..%2f..%2fsecret.txt");
}

#[test]
fn traversal_double_encoded_is_404() {
    assert_404("/%252e%252e/secret.txt");
}

#[test]
fn traversal_backslash_is_404() {
    assert_404("/..%5csecret.txt");
}

#[test]
fn absolute_path_is_404() {
    assert_404("//etc/passwd");
}

#[test]
fn absolute_path_encoded_is_404() {
    assert_404("/%2fetc%2fpasswd");
}

#[test]
fn symlink_out_of_static_is_404() {
    let (_dir, root) = fixture_copy();
    std::fs::write(root.parent().unwrap().join("secret.txt"), "SECRET").unwrap();
    std::fs::create_dir_all(root.join("static")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        root.parent().unwrap().join("secret.txt"),
        root.join("static/leak.txt"),
    )
    .unwrap();
    let preview = start(&root);
    let (status, _, body) = get(preview.port, "/static/leak.txt");
    assert_eq!(status, 404);
    assert!(!body.contains("SECRET"));
}

#[test]
fn taken_port_moves_to_the_next_one() {
    let (_dir, root) = fixture_copy();
    let first = start(&root);
    let second = yanbao::start_preview(&Options::new(&root), "127.0.0.1", first.port).unwrap();
    assert_ne!(first.port, second.port);
    assert_eq!(get(second.port, "/").0, 200);
}

#[test]
fn edits_are_seen_when_the_root_is_relative() {
    // `yanbao serve` is usually started as-is in the site folder (root `.`); the watcher
    // reports absolute paths, which must still match the sources.
    let rel = format!("target/serve-relative-root-{}", std::process::id());
    let abs = repo_root().join(&rel);
    let _ = std::fs::remove_dir_all(&abs);
    copy_dir(&repo_root().join("tests/fixtures/site"), &abs);
    let preview =
        yanbao::start_preview(&Options::new(&rel), "127.0.0.1", 0).expect("server starts");
    let page = abs.join("content/en/market.md");
    std::fs::write(
        &page,
        read(&page).replace(
            "General-purpose models make up",
            "Edited: general-purpose models make up",
        ),
    )
    .unwrap();
    wait_for("the edit through a relative root", || {
        get(preview.port, "/en/market/")
            .2
            .contains("Edited: general")
    });
    drop(preview);
    let _ = std::fs::remove_dir_all(&abs);
}

#[test]
fn a_restarted_preview_gets_its_port_back() {
    // Connections the server closed linger in TIME_WAIT; without SO_REUSEADDR a preview
    // restarted at once would land on the next port.
    let (_dir, root) = fixture_copy();
    let first = start(&root);
    let port = first.port;
    for _ in 0..3 {
        assert_eq!(get(port, "/").0, 200);
    }
    drop(first);
    let again = yanbao::start_preview(&Options::new(&root), "127.0.0.1", port).unwrap();
    assert_eq!(again.port, port);
    assert_eq!(get(port, "/").0, 200);
}

#[test]
fn clients_that_never_read_do_not_block_the_others() {
    let (_dir, root) = fixture_copy();
    let preview = start(&root);
    // Sixteen clients each pipeline a hundred requests for the largest page and read nothing.
    let hogs: Vec<TcpStream> = (0..16)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", preview.port)).unwrap();
            let burst = "GET /static/search.js HTTP/1.1\r\nHost: x\r\n\r\n".repeat(100);
            let _ = s.write_all(burst.as_bytes());
            s
        })
        .collect();
    for _ in 0..5 {
        assert_eq!(get(preview.port, "/zh/market/").0, 200);
    }
    drop(hogs);
}

#[test]
fn a_huge_request_header_is_refused_without_being_read() {
    let (_dir, root) = fixture_copy();
    let preview = start(&root);
    let mut s = TcpStream::connect(("127.0.0.1", preview.port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut sent = s.write(b"GET / HTTP/1.1\r\nX-Fill: ").unwrap();
    let filler = vec![b'a'; 64 * 1024];
    // The server stops reading after 16 KiB and closes: writing 300 MB must fail long before.
    while sent < 300 << 20 {
        match s.write(&filler) {
            Ok(n) => sent += n,
            Err(_) => break,
        }
    }
    assert!(sent < 300 << 20, "the server read a 300 MB header");
    let mut reply = Vec::new();
    let _ = s.read_to_end(&mut reply);
    let reply = String::from_utf8_lossy(&reply);
    // The 431 may be lost to the reset that follows unread data; either way nothing hangs.
    assert!(
        reply.is_empty() || reply.starts_with("HTTP/1.1 431"),
        "{reply}"
    );
    assert_eq!(get(preview.port, "/").0, 200);
}

/// Edits a chapter and waits until the preview shows the edit.
fn edit_and_see(preview: &yanbao::Preview, root: &std::path::Path, marker: &str) {
    let page = root.join("content/en/market.md");
    std::fs::write(
        &page,
        read(&page).replacen(
            "General-purpose models make up",
            &format!("{marker} General-purpose models make up"),
            1,
        ),
    )
    .unwrap();
    wait_for(marker, || {
        get(preview.port, "/en/market/").2.contains(marker)
    });
}

#[test]
fn edits_are_seen_after_content_is_deleted_and_restored() {
    let (_dir, root) = fixture_copy();
    let preview = start(&root);
    let backup = root.with_file_name("content-backup");
    copy_dir(&root.join("content"), &backup);
    std::fs::remove_dir_all(root.join("content")).unwrap();
    wait_for("the missing content/ to be reported", || {
        preview
            .shared
            .error()
            .is_some_and(|e| e.contains("content"))
    });
    // The last good build is still served meanwhile.
    assert_eq!(get(preview.port, "/en/market/").0, 200);
    copy_dir(&backup, &root.join("content"));
    wait_for("the restored content/ to build", || {
        preview.shared.error().is_none()
    });
    edit_and_see(&preview, &root, "EditedAfterRestore");
}

#[test]
fn edits_are_seen_after_content_is_moved_away_and_back() {
    let (_dir, root) = fixture_copy();
    let preview = start(&root);
    let away = root.join("content-away");
    std::fs::rename(root.join("content"), &away).unwrap();
    wait_for("the missing content/ to be reported", || {
        preview.shared.error().is_some()
    });
    std::fs::rename(&away, root.join("content")).unwrap();
    wait_for("content/ to build again", || {
        preview.shared.error().is_none()
    });
    edit_and_see(&preview, &root, "EditedAfterMove");
    // Edits inside the folder while it was away do not count; edits after it is back do.
    edit_and_see(&preview, &root, "EditedTwice");
}
