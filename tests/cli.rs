//! The `yanbao` binary: help, version, exit codes and what it prints.

mod common;

use common::*;

#[test]
fn help_lists_the_commands() {
    let (code, out, _) = yanbao(&["--help"], &repo_root());
    assert_eq!(code, 0);
    for cmd in ["build", "check", "serve"] {
        assert!(out.contains(cmd), "{out}");
    }
    let (code, out, _) = yanbao(&["build", "--help"], &repo_root());
    assert_eq!(code, 0);
    for opt in ["--root", "--output", "--base-url", "--drafts"] {
        assert!(out.contains(opt), "{out}");
    }
    let (code, out, _) = yanbao(&["serve", "--help"], &repo_root());
    assert_eq!(code, 0);
    for opt in ["--port", "--bind", "--open"] {
        assert!(out.contains(opt), "{out}");
    }
}

#[test]
fn version_is_the_crate_version() {
    let (code, out, _) = yanbao(&["--version"], &repo_root());
    assert_eq!(code, 0);
    assert_eq!(out.trim(), format!("yanbao {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn build_prints_where_the_site_is_and_exits_zero() {
    let (_dir, root) = fixture_copy();
    let (code, out, err) = yanbao(&["build"], &root);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Built 12 pages"), "{out}");
    let site = root.join("public").canonicalize().unwrap();
    assert!(out.contains(&format!("Site: {}", site.display())), "{out}");
    assert!(
        out.contains(&format!("Open: {}", site.join("index.html").display())),
        "{out}"
    );
}

#[test]
fn a_rebuild_says_how_many_files_it_changed() {
    let (_dir, root) = fixture_copy();
    let (_, first, _) = yanbao(&["build"], &root);
    // A first build has nothing to compare with.
    assert!(!first.contains("changed"), "{first}");
    let files = |out: &str| -> usize {
        let at = out.find(" files").unwrap();
        let start = out[..at].rfind('(').unwrap() + 1;
        out[start..at].parse().unwrap()
    };
    let (code, again, err) = yanbao(&["build"], &root);
    assert_eq!(code, 0, "{err}");
    assert!(
        again.contains(&format!("({} files, 0 changed)", files(&first))),
        "{again}"
    );
    edit(&root, "content/zh/market.md", "## ", "新增的一句。\n\n## ");
    let (_, edited, _) = yanbao(&["build"], &root);
    let changed: usize = edited
        .split(" files, ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{edited}"));
    // The chapter, and what shows its text (the search index), not the rest.
    assert!((1..files(&edited) / 2).contains(&changed), "{edited}");
}

#[test]
fn broken_yaml_exits_one_names_the_place_and_keeps_the_old_site() {
    let (_dir, root) = fixture_copy();
    assert_eq!(yanbao(&["build"], &root).0, 0);
    let before = all_files(&root.join("public"));
    std::fs::write(
        root.join("content/data/shares.yaml"),
        "title: {zh: 模型, en: [Mix\n",
    )
    .unwrap();
    let (code, out, err) = yanbao(&["build"], &root);
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("--> content/data/shares.yaml:"), "{err}");
    assert!(
        err.trim_end()
            .ends_with("found 1 problem; nothing was written"),
        "{err}"
    );
    assert_eq!(all_files(&root.join("public")), before);
}

#[test]
fn check_exits_one_with_every_problem_and_zero_when_clean() {
    let (_dir, root) = fixture_with("three-problems");
    let (code, _, err) = yanbao(&["check"], &root);
    assert_eq!(code, 1);
    assert_eq!(
        err.matches("\nerror: ").count() + usize::from(err.starts_with("error: ")),
        3,
        "{err}"
    );
    let (_dir, root) = fixture_copy();
    let (code, out, _) = yanbao(&["check"], &root);
    assert_eq!(code, 0);
    assert_eq!(
        out.lines().last(),
        Some("Checked 12 pages: no problems"),
        "{out}"
    );
    // A site in two languages gets its translation coverage.
    assert!(out.contains("\n  pages       3/3    3/3\n"), "{out}");
}

#[test]
fn not_a_site_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = yanbao(&["build"], dir.path());
    assert_eq!(code, 1);
    assert!(err.contains("cannot read the site configuration"), "{err}");
    assert!(err.contains("needs `content/site.yaml`"), "{err}");
}

#[test]
fn refusing_the_output_folder_exits_two() {
    let (_dir, root) = fixture_copy();
    std::fs::create_dir_all(root.join("mine")).unwrap();
    std::fs::write(root.join("mine/notes.txt"), "keep").unwrap();
    let (code, _, err) = yanbao(&["build", "--output", "mine"], &root);
    assert_eq!(code, 2);
    assert!(
        err.contains("refusing to replace a folder that yanbao did not create"),
        "{err}"
    );
}

#[test]
fn init_and_init_templates_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = yanbao(&["init", "r"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Next: yanbao build --root r"), "{out}");
    let (code, out, err) = yanbao(&["init", "--templates", "r"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("chapter.html") && out.contains("instead of its built-in ones"),
        "{out}"
    );
    // Again: content error (exit 1), nothing overwritten.
    let (code, _, err) = yanbao(&["init", "--templates", "r"], dir.path());
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("templates/base.html") && err.contains("never overwrites"),
        "{err}"
    );
    let (code, _, err) = yanbao(&["build", "--root", "r"], dir.path());
    assert_eq!(code, 0, "{err}");
}

/// The preview server keeps transparent huge pages as it found them (on where the kernel has
/// them): it touches its pages and caches again after sitting idle, which costs far less per
/// 2 MiB page than per 4 KiB page. A build turns them off: tests/faults.rs.
#[cfg(target_os = "linux")]
#[test]
fn the_preview_server_keeps_transparent_huge_pages() {
    use std::io::{BufRead, BufReader};
    let (_dir, root) = fixture_copy();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_yanbao"))
        .args(["serve", "--port", &port.to_string()])
        .current_dir(&root)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let serving = lines.any(|l| l.is_ok_and(|l| l.starts_with("Serving ")));
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(serving, "the preview did not start");
    let thp = |status: &str| {
        let line = status.lines().find(|l| l.starts_with("THP_enabled:"));
        line.map(str::to_string)
    };
    let own = std::fs::read_to_string("/proc/self/status").unwrap();
    assert!(thp(&status).is_some(), "{status}");
    assert_eq!(thp(&status), thp(&own));
}
