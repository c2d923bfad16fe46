//! Compiler speed: lines per second to check and compile every example, and to check a
//! generated 10,000-line program (many small type/fn/machine blocks, each a renamed copy of
//! the shapes the examples use).

use crate::Options;
use crate::measure::budget;
use crate::table::{Baseline, Better, Figure, Target};
use quiver_lang::driver;
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Instant;

/// The examples the first figure compiles, by file name.
pub const EXAMPLES: [(&str, &str); 8] = [
    ("bank.sm", include_str!("../../examples/bank.sm")),
    ("bank_v2.sm", include_str!("../../examples/bank_v2.sm")),
    ("counter.sm", include_str!("../../examples/counter.sm")),
    (
        "counter_v2.sm",
        include_str!("../../examples/counter_v2.sm"),
    ),
    ("kv.sm", include_str!("../../examples/kv.sm")),
    ("pipeline.sm", include_str!("../../examples/pipeline.sm")),
    (
        "thermostat.sm",
        include_str!("../../examples/thermostat.sm"),
    ),
    ("turnstile.sm", include_str!("../../examples/turnstile.sm")),
];

/// Both compiler figures.
pub fn figures(options: Options) -> Vec<Figure> {
    let examples_lines: usize = EXAMPLES.iter().map(|(_, src)| src.lines().count()).sum();
    let examples = lines_per_second(options, examples_lines, || {
        for (name, src) in EXAMPLES {
            black_box(driver::compile(src, name, None).is_ok());
        }
    });
    let generated = generate(10_000);
    let generated_lines = generated.lines().count();
    assert!(
        driver::check(&generated).is_ok(),
        "the generated program checks"
    );
    let big = lines_per_second(options, generated_lines, || {
        black_box(driver::check(&generated).is_ok());
    });
    let row = |name: String, ours: f64| Figure {
        name,
        ours,
        unit: "lines/s",
        better: Better::Higher,
        baseline: Baseline::None,
        target: Target::AtLeast(200_000.0),
    };
    vec![
        row("compiler: check and compile every example".into(), examples),
        row(
            format!("compiler: check a generated {generated_lines}-line program"),
            big,
        ),
    ]
}

/// How many timed rounds a figure takes the best of: one round slowed by another process on
/// the shared machine should not decide the figure.
const ROUNDS: u32 = 5;

/// Lines per second of `work`, the best of [`ROUNDS`] rounds that share the time budget.
fn lines_per_second(options: Options, lines: usize, mut work: impl FnMut()) -> f64 {
    let round_budget = budget(options.quick) / ROUNDS;
    (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            let mut runs = 0u64;
            while runs == 0 || started.elapsed() < round_budget {
                work();
                runs += 1;
            }
            (runs as f64 * lines as f64) / started.elapsed().as_secs_f64()
        })
        .fold(0.0, f64::max)
}

/// A program of at least `lines` lines that checks.
pub fn generate(lines: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut i = 0;
    while count < lines {
        let start = out.len();
        block(&mut out, i);
        // Counting only the new block's lines keeps generation linear in its length.
        count += out[start..].lines().count();
        i += 1;
    }
    out
}

fn block(out: &mut String, i: usize) {
    let _ = write!(
        out,
        r#"type Limits{i} = {{ low: Int, high: Int }}

fn clamp{i}(x: Int, limits: Limits{i}) -> Int {{
    if x < limits.low {{ limits.low }} else if x > limits.high {{ limits.high }} else {{ x }}
}}

machine Counter{i} {{
    state {{
        count: Int = 0,
        limits: Limits{i} = {{ low: 0, high: {high} }},
        seen: Map<String, Int> = {{}},
    }}
    input  Incr(Int) | Decr(Int) | Note(String) | Get
    output Ok | Value(Int) | Rejected(String)

    invariant count >= 0 && count <= limits.high

    on Incr(n) {{
        count = clamp{i}(count + n, limits);
        Ok
    }}
    on Decr(n) {{
        if n > count {{
            Rejected("would go negative")
        }} else {{
            count = count - n;
            Ok
        }}
    }}
    on Note(k) {{
        seen = Map.insert(seen, k, count);
        Ok
    }}
    on Get {{ Value(count) }}
}}

"#,
        high = 1000 + i
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_program_checks_and_has_the_lines_asked_for() {
        let src = generate(500);
        assert!(src.lines().count() >= 500);
        assert!(src.lines().count() < 600, "no more blocks than needed");
        assert!(driver::check(&src).is_ok());
    }
}
