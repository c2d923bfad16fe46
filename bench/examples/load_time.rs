//! Times verifying and loading the store artifacts (the work a derived migration does inside a
//! swap's barrier): `cargo run --release -p quiver-bench --example load_time`.
use quiver_vm::{interp, limits::Limits, verify};
use std::time::Instant;

fn main() {
    for (name, artifact) in [
        ("store", quiver_bench::store::store()),
        ("store_v2", quiver_bench::store::store_v2()),
    ] {
        let limits = Limits::default();
        let started = Instant::now();
        let rounds = 20_000;
        for _ in 0..rounds {
            let verified = verify::verify(artifact.clone(), &limits).expect("it verifies");
            std::hint::black_box(interp::load(verified));
        }
        println!(
            "{name}: verify + load {:.2} µs",
            started.elapsed().as_secs_f64() * 1e6 / rounds as f64
        );
    }
}
