//! Runs one machine's turns in a loop for profiling (`perf record` / callgrind):
//! `cargo run --release -p quiver-bench --example turns -- counter|kv|bank|pipeline [turns]`.
use quiver_bench::steps::{instance, profile_inputs};

fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "counter".into());
    let turns: usize = std::env::args()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let (src, texts) = profile_inputs(&which);
    let (mut vm, artifact) = instance(src, &which);
    let inputs: Vec<_> = texts
        .iter()
        .map(|t| quiver_vm::text::parse(t, &artifact.input).expect("inputs parse"))
        .collect();
    if std::env::var_os("DUMP").is_some() {
        println!("{:#?}", vm.program());
    }
    let mut ok = 0usize;
    for i in 0..turns {
        ok += usize::from(vm.turn(inputs[i % inputs.len()].clone()).is_ok());
    }
    println!("{ok} of {turns} turns succeeded");
}
