//! `cargo bench -p quiver-bench [-- --quick]`: runs the whole suite, prints the results table
//! and writes it to `bench/results/latest.md` with the machine it ran on.

use quiver_bench::{Options, run};
use std::path::Path;

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let started = std::time::Instant::now();
    let table = run(Options { quick });
    let mode = if quick {
        "quick (checks the suite; judges nothing)"
    } else {
        "full"
    };
    let report = format!(
        "# quiver-bench results\n\nMode: {mode}. Machine: {}. Took {:.0} s.\n\n{}",
        machine(),
        started.elapsed().as_secs_f64(),
        table.markdown()
    );
    println!("{report}");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("results/latest.md");
    if let Err(e) = std::fs::write(&path, &report) {
        eprintln!("quiver-bench: cannot write {}: {e}", path.display());
    }
}

/// The CPU model and core count, from /proc/cpuinfo where there is one.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .and_then(|r| r.split(':').nth(1))
        })
        .map_or("unknown CPU", str::trim)
        .to_string();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{model}, {cores} cores, {}", std::env::consts::OS)
}
