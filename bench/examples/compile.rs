//! Checks (or compiles) a generated program in a loop for profiling (`perf record` /
//! callgrind): `cargo run --release -p quiver-bench --example compile -- [lines] [runs]`.
use quiver_bench::compiler::generate;
use quiver_lang::driver;

fn main() {
    let arg = |i: usize, default: usize| {
        std::env::args()
            .nth(i)
            .and_then(|n| n.parse().ok())
            .unwrap_or(default)
    };
    let source = generate(arg(1, 10_000));
    let runs = arg(2, 10);
    let mut ok = 0usize;
    for _ in 0..runs {
        ok += usize::from(driver::check(&source).is_ok());
    }
    println!(
        "{ok} of {runs} checks of {} lines succeeded",
        source.lines().count()
    );
}
