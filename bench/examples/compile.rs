//! Checks a generated program, or compiles every example, in a loop for profiling (`perf
//! record` / callgrind): `cargo run --release -p quiver-bench --example compile -- [lines]
//! [runs]`, or `... -- examples [runs]` for the examples figure's work.
use quiver_bench::compiler::{EXAMPLES, generate};
use quiver_lang::driver;

fn main() {
    let arg = |i: usize, default: usize| {
        std::env::args()
            .nth(i)
            .and_then(|n| n.parse().ok())
            .unwrap_or(default)
    };
    let runs = arg(2, 10);
    let mut ok = 0usize;
    if std::env::args().nth(1).as_deref() == Some("examples") {
        for _ in 0..runs {
            for (name, src) in EXAMPLES {
                ok += usize::from(driver::compile(src, name, None).is_ok());
            }
        }
        println!(
            "{ok} of {} example compiles succeeded",
            runs * EXAMPLES.len()
        );
        return;
    }
    let source = generate(arg(1, 10_000));
    for _ in 0..runs {
        ok += usize::from(driver::check(&source).is_ok());
    }
    println!(
        "{ok} of {runs} checks of {} lines succeeded",
        source.lines().count()
    );
}
