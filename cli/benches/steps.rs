//! VM step throughput against hand-written Rust, measured in the same run.
//!
//! `cargo bench -p quiver-cli --bench steps` prints, for each machine, turns per second on the
//! VM, on a native Rust implementation of the same machine (a plain `fn step(&mut State,
//! Input) -> Output`), and their ratio; for `kv.sm` at 1,000 and 1,000,000 keys. Add `--quick`
//! for a short run (CI uses it to keep the bench itself working, not to judge speed).
//! The performance issue sets targets against these ratios; this file only measures.

use quiver_lang::driver;
use quiver_vm::interp;
use quiver_vm::limits::Limits;
use quiver_vm::machine::Instance;
use quiver_vm::value::Value;
use quiver_vm::{text, verify};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

const COUNTER: &str = include_str!("../../examples/counter.sm");
const KV: &str = include_str!("../../examples/kv.sm");

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let budget = if quick {
        Duration::from_millis(50)
    } else {
        Duration::from_millis(700)
    };
    println!("| machine | VM turns/s | native turns/s | native / VM |");
    println!("|---|---:|---:|---:|");
    bench_counter(budget);
    for keys in [1_000usize, if quick { 10_000 } else { 1_000_000 }] {
        bench_kv(keys, budget);
    }
}

fn instance(src: &str, name: &str) -> (Instance, quiver_vm::bytecode::Artifact) {
    let compiled = driver::compile(src, name, None).expect("the example compiles");
    let verified =
        verify::verify(compiled.artifact.clone(), &Limits::default()).expect("it verifies");
    (
        Instance::new(Arc::new(interp::load(verified))),
        compiled.artifact,
    )
}

/// Runs `turn` repeatedly for about `budget`, returning turns per second.
fn rate(budget: Duration, mut turn: impl FnMut(u64)) -> f64 {
    let mut done = 0u64;
    let started = Instant::now();
    while started.elapsed() < budget {
        for _ in 0..1024 {
            turn(done);
            done += 1;
        }
    }
    done as f64 / started.elapsed().as_secs_f64()
}

fn report(machine: &str, vm: f64, native: f64) {
    println!(
        "| {machine} | {vm:.0} | {native:.0} | {:.1}x |",
        native / vm
    );
}

fn bench_counter(budget: Duration) {
    let (mut vm, artifact) = instance(COUNTER, "counter.sm");
    let inputs: Vec<Value> = ["Incr(3)", "Decr(1)", "Get", "Decr(100)"]
        .iter()
        .map(|t| text::parse(t, &artifact.input).expect("inputs parse"))
        .collect();
    let vm_rate = rate(budget, |i| {
        black_box(vm.turn(inputs[(i % 4) as usize].clone()).ok());
    });

    enum In {
        Incr(i64),
        Decr(i64),
        Get,
    }
    enum Out {
        Ok,
        Value(i64),
        Rejected(&'static str),
        Trap,
    }
    fn step(count: &mut i64, input: &In) -> Out {
        match *input {
            In::Incr(n) => match count.checked_add(n) {
                Some(c) if c >= 0 => {
                    *count = c;
                    Out::Ok
                }
                _ => Out::Trap,
            },
            In::Decr(n) if n > *count => Out::Rejected("would go negative"),
            In::Decr(n) => {
                *count -= n;
                Out::Ok
            }
            In::Get => Out::Value(*count),
        }
    }
    let native_inputs = [In::Incr(3), In::Decr(1), In::Get, In::Decr(100)];
    let mut count = 0i64;
    let native_rate = rate(budget, |i| {
        let out = step(&mut count, black_box(&native_inputs[(i % 4) as usize]));
        // Consume the whole output, as the VM's caller gets a whole output value.
        let consumed = match out {
            Out::Ok => 0,
            Out::Value(v) => v,
            Out::Rejected(reason) => reason.len() as i64,
            Out::Trap => -1,
        };
        black_box(consumed);
    });
    report("counter.sm", vm_rate, native_rate);
}

fn bench_kv(keys: usize, budget: Duration) {
    let (mut vm, artifact) = instance(KV, "kv.sm");
    let put = |k: usize, v: i64| format!("Put(\"key{k}\", {v})");
    for k in 0..keys {
        let input = text::parse(&put(k, k as i64), &artifact.input).expect("inputs parse");
        vm.turn(input).expect("filling the map succeeds");
    }
    let inputs: Vec<Value> = (0..1024)
        .map(|i| {
            let k = (i * 7919) % keys;
            let t = if i % 2 == 0 {
                put(k, i as i64)
            } else {
                format!("Get(\"key{k}\")")
            };
            text::parse(&t, &artifact.input).expect("inputs parse")
        })
        .collect();
    let vm_rate = rate(budget, |i| {
        black_box(vm.turn(inputs[(i % 1024) as usize].clone()).ok());
    });

    let mut data: BTreeMap<String, i64> =
        (0..keys).map(|k| (format!("key{k}"), k as i64)).collect();
    let mut writes = 0i64;
    let native_inputs: Vec<(bool, String, i64)> = (0..1024)
        .map(|i| ((i % 2) == 0, format!("key{}", (i * 7919) % keys), i as i64))
        .collect();
    let native_rate = rate(budget, |i| {
        let (is_put, key, value) = &native_inputs[(i % 1024) as usize];
        if *is_put {
            // The VM's input owns its key, so the native step gets an owned key too.
            data.insert(key.clone(), *value);
            writes += 1;
            black_box(writes);
        } else {
            black_box(data.get(key));
        }
    });
    report(&format!("kv.sm, {keys} keys"), vm_rate, native_rate);
}
