//! `YANBAO_TIMINGS=1`: the time of each phase of a build, with the process's memory, page faults
//! and CPU time so far, on stderr.

use std::time::Instant;

/// With `YANBAO_TIMINGS` set, each phase's wall time goes to stderr (`timing: pages 1.234 s`), so a
/// benchmark can say where the time goes without a profiler.
pub struct Laps {
    on: bool,
    last: Instant,
}

impl Laps {
    pub fn start() -> Laps {
        Laps {
            on: std::env::var_os("YANBAO_TIMINGS").is_some(),
            last: Instant::now(),
        }
    }

    pub fn lap(&mut self, phase: &str) {
        if self.on {
            eprintln!(
                "timing: {phase} {:.3} s{}",
                self.last.elapsed().as_secs_f64(),
                memory()
            );
            self.last = Instant::now();
        }
    }
}

/// The process's resident memory now and at its peak, its page faults and CPU time so far, where
/// the system tells (Linux).
fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status.lines().find_map(|l| l.strip_prefix(name)).map(|v| {
            v.trim()
                .trim_end_matches(" kB")
                .trim()
                .parse::<u64>()
                .unwrap_or(0)
                / 1024
        })
    };
    // Fields 10, 14 and 15 of /proc/self/stat (after the command's closing parenthesis: 8, 12
    // and 13): minor page faults, user and system time in clock ticks (100 a second).
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let stat: Vec<u64> = stat
        .rsplit(')')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    let at = |i: usize| stat.get(i).copied().unwrap_or(0);
    match (field("VmRSS:"), field("VmHWM:")) {
        (Some(now), Some(peak)) => format!(
            " (memory {now} MiB, peak {peak} MiB; so far: {} faults, user {:.2} s, system {:.2} s)",
            at(7),
            at(11) as f64 / 100.0,
            at(12) as f64 / 100.0
        ),
        _ => String::new(),
    }
}
