//! Bad input never panics: thousands of corruptions of the fixture site (truncated files, stray
//! bytes, broken YAML and Markdown, odd Unicode) each end in a clean build or a clean error.

mod common;

use std::panic::AssertUnwindSafe;

use common::*;

/// A small deterministic PRNG (xorshift), so failures reproduce from the printed seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SNIPPETS: &[&str] = &[
    "{{",
    "}}",
    "{{market.2024",
    "{{fig:",
    "{{tab:nope}}",
    "{{market..}}",
    "{{|num}}",
    "```",
    "```chart\n",
    "```table\ndata: [\n",
    "---\n",
    ": ",
    "- ",
    "[x](",
    "](market.md#",
    "#",
    "{#",
    "**",
    "\u{0}",
    "\u{feff}",
    "\u{202e}",
    "中文",
    "𠀀",
    "\r\n",
    "\t",
    "<script>",
    "&#",
    "%",
    "1e309",
    "-1",
    "NaN",
    "\"",
    "'",
    "\\",
    "!!binary",
    "&anchor",
    "*anchor",
    "? ",
    "|",
    ">-",
];

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut s: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(s.len() + 1);
        match rng.below(5) {
            0 => s.truncate(at),
            1 => {
                let end = (at + rng.below(20)).min(s.len());
                s.drain(at..end);
            }
            2 | 3 => {
                let snip = SNIPPETS[rng.below(SNIPPETS.len())];
                for (i, c) in snip.chars().enumerate() {
                    s.insert((at + i).min(s.len()), c);
                }
            }
            _ => {
                if !s.is_empty() {
                    let i = at.min(s.len() - 1);
                    s[i] = char::from_u32(rng.below(0x3000) as u32 + 0x20).unwrap_or('?');
                }
            }
        }
    }
    s.into_iter().collect()
}

/// Rounds per fixture: `ROBUSTNESS_ROUNDS`, else 400 (ten times more in a release build, where
/// each check is fast: `cargo test --release --test robustness`).
fn rounds() -> u64 {
    std::env::var("ROBUSTNESS_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if cfg!(debug_assertions) { 400 } else { 4000 })
}

#[test]
fn corrupted_sites_never_panic() {
    let (_dir, root) = fixture_copy();
    mutate_and_check(&root, 0, rounds());
}

#[test]
fn a_corrupted_second_report_never_panics() {
    // The EV report: other data shapes (negative values, 69 categories, stacked shares, a
    // partial third language, ja), other seeds.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ev");
    copy_dir(&repo_root().join("tests/fixtures/ev-report"), &root);
    // A check of this report takes about four times as long: a quarter of the rounds.
    mutate_and_check(&root, 1 << 32, rounds() / 4);
}

fn mutate_and_check(root: &std::path::Path, seed_base: u64, rounds: u64) {
    let files: Vec<_> = walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    let originals: Vec<String> = files.iter().map(|f| read(f)).collect();
    let mut outcomes = [0usize; 2];
    for seed in seed_base + 1..=seed_base + rounds {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed);
        let i = rng.below(files.len());
        let mutated = mutate(&originals[i], &mut rng);
        std::fs::write(&files[i], &mutated).unwrap();
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
            yanbao::check(&yanbao::Options::new(root))
        }));
        match result {
            Ok(Ok(_)) => outcomes[0] += 1,
            Ok(Err(e)) => {
                // Every content error names a file.
                for d in e.diagnostics() {
                    assert!(
                        !d.path.as_os_str().is_empty(),
                        "seed {seed}: diagnostic without a file: {d}"
                    );
                }
                outcomes[1] += 1;
            }
            Err(_) => panic!(
                "seed {seed}: panic while checking {} mutated to:\n{mutated}",
                files[i].display()
            ),
        }
        std::fs::write(&files[i], &originals[i]).unwrap();
    }
    // The mutations must actually break things most of the time, or the test proves little.
    assert!(outcomes[1] > rounds as usize / 3, "{outcomes:?}");
}
