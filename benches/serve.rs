//! Edit-to-reload latency and rebuild times of `yanbao serve` on the bundled report.
//! Run: `cargo bench --bench serve`. Prints medians and 95th percentiles; no thresholds are
//! asserted (speed goals live here, not in tests).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use yanbao::Mode;
use yanbao::Options;

fn copy_site(to: &Path) {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for dir in ["content", "templates", "static"] {
        for e in walkdir::WalkDir::new(repo.join(dir)) {
            let e = e.unwrap();
            let rel = e.path().strip_prefix(&repo).unwrap();
            let target = to.join(rel);
            if e.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::copy(e.path(), &target).unwrap();
            }
        }
    }
}

fn stats(name: &str, mut xs: Vec<Duration>) {
    xs.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p95 = xs[((xs.len() as f64 * 0.95).ceil() as usize).min(xs.len()) - 1];
    println!(
        "| {name} | {} | {:.1} | {:.1} | {:.1} |",
        xs.len(),
        ms(xs[0]),
        ms(xs[xs.len() / 2]),
        ms(p95)
    );
}

fn get(port: u16, path: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut b = String::new();
    s.read_to_string(&mut b).unwrap();
    b
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    copy_site(&root);
    let opts = Options::new(&root);
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this once as a smoke test,
    // in the debug profile, so its figures are not the ones to quote.
    let bench = std::env::args().any(|a| a == "--bench");
    let runs = if bench { 30 } else { 1 };
    let profile = if cfg!(debug_assertions) {
        "debug build: smoke run, not a measurement"
    } else {
        "release build"
    };
    let chapter = root.join("content/zh/status.md");
    let original = std::fs::read_to_string(&chapter).unwrap();

    println!("| measure (bundled report, {profile}) | runs | min ms | median ms | p95 ms |");
    println!("|---|---|---|---|---|");

    // Full rebuild in memory (what `build` does minus writing files).
    let mut full = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        yanbao::build_in_memory(&opts, Mode::Build).unwrap();
        full.push(t.elapsed());
    }
    stats("full rebuild, in memory", full);

    // Full build to disk, with the atomic swap.
    let mut disk = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        yanbao::build(&opts).unwrap();
        disk.push(t.elapsed());
    }
    stats("full build to disk (yanbao build)", disk);

    // Incremental rebuild after editing one chapter's text.
    let mut session = yanbao::Session::new(&opts);
    session.build().unwrap();
    let mut inc = Vec::new();
    for i in 0..runs {
        std::fs::write(&chapter, format!("{original}\n\n编辑 {i}。\n")).unwrap();
        let t = Instant::now();
        session.build().unwrap();
        inc.push(t.elapsed());
        assert_eq!(session.rendered(), 1);
    }
    stats("incremental rebuild, one chapter edited", inc);

    // Edit to reload: save a chapter, time until the open page's event stream says reload, and
    // until the new text is served.
    std::fs::write(&chapter, &original).unwrap();
    let preview = yanbao::start_preview(&opts, "127.0.0.1", 0).unwrap();
    let mut events = TcpStream::connect(("127.0.0.1", preview.port)).unwrap();
    write!(events, "GET /__yanbao/events HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut reader = BufReader::new(events);
    let mut line = String::new();
    while line != ": connected\n" {
        line.clear();
        reader.read_line(&mut line).unwrap();
    }
    let mut reload = Vec::new();
    let mut served = Vec::new();
    for i in 0..runs {
        std::thread::sleep(Duration::from_millis(150));
        let marker = format!("latency-marker-{i}");
        let t = Instant::now();
        std::fs::write(&chapter, format!("{original}\n\n{marker}\n")).unwrap();
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            if line.starts_with("event: reload") {
                break;
            }
        }
        reload.push(t.elapsed());
        assert!(get(preview.port, "/zh/status/").contains(&marker));
        served.push(t.elapsed());
    }
    stats("save → reload event (incl. 25 ms debounce)", reload);
    stats("save → new page fetched", served);
    std::fs::write(&chapter, &original).unwrap();
}
