//! VM step throughput: turns per second of [`Instance::turn`] on compiled examples against the
//! native machines of [`crate::native`], in the same run, with the same input sequences.
//! Outputs are consumed with `black_box` on both sides.

use crate::Options;
use crate::measure::{budget, rate};
use crate::native;
use crate::table::{Baseline, Better, Figure, Target};
use quiver_lang::driver;
use quiver_vm::bytecode::Artifact;
use quiver_vm::interp;
use quiver_vm::limits::Limits;
use quiver_vm::machine::Instance;
use quiver_vm::value::Value;
use quiver_vm::{text, verify};
use std::hint::black_box;
use std::sync::Arc;

const COUNTER: &str = include_str!("../../examples/counter.sm");
const KV: &str = include_str!("../../examples/kv.sm");
const BANK: &str = include_str!("../../examples/bank.sm");
const PIPELINE: &str = include_str!("../../examples/pipeline.sm");

/// Every VM step figure.
pub fn figures(options: Options) -> Vec<Figure> {
    let small = kv(1_000, options);
    let large_keys = if options.quick { 20_000 } else { 1_000_000 };
    let large = kv(large_keys, options);
    let scaling = Figure {
        name: format!("kv.sm at {large_keys} keys vs 1000 keys"),
        ours: large.ours,
        unit: "turns/s",
        better: Better::Higher,
        baseline: Baseline::Measured(small.ours),
        target: Target::AdvantageAtLeast(0.5),
    };
    vec![
        counter(options),
        small,
        large,
        scaling,
        bank(options),
        pipeline(options),
    ]
}

/// A compiled, verified and loaded example in its initial state.
pub fn instance(src: &str, name: &str) -> (Instance, Artifact) {
    let compiled = driver::compile(src, name, None).expect("the example compiles");
    let verified =
        verify::verify(compiled.artifact.clone(), &Limits::default()).expect("it verifies");
    let program = Arc::new(interp::load(verified));
    (Instance::new(program), compiled.artifact)
}

fn inputs(artifact: &Artifact, texts: &[String]) -> Vec<Value> {
    texts
        .iter()
        .map(|t| text::parse(t, &artifact.input).expect("the bench inputs parse"))
        .collect()
}

/// Turns per second of `vm` cycling through `inputs`.
fn vm_rate(options: Options, vm: &mut Instance, inputs: &[Value]) -> f64 {
    let n = inputs.len() as u64;
    rate(budget(options.quick), |i| {
        black_box(vm.turn(inputs[(i % n) as usize].clone()).is_ok());
    })
}

fn versus_native(name: String, vm: f64, native: f64, within: f64) -> Figure {
    Figure {
        name,
        ours: vm,
        unit: "turns/s",
        better: Better::Higher,
        baseline: Baseline::Measured(native),
        target: Target::AdvantageAtLeast(1.0 / within),
    }
}

fn counter(options: Options) -> Figure {
    let (mut vm, artifact) = instance(COUNTER, "counter.sm");
    let texts = ["Incr(3)", "Decr(1)", "Get", "Decr(100)"].map(String::from);
    let vm = vm_rate(options, &mut vm, &inputs(&artifact, &texts));
    use native::CounterIn::{Decr, Get, Incr};
    let native_inputs = [Incr(3), Decr(1), Get, Decr(100)];
    let mut count = 0i64;
    let native = rate(budget(options.quick), |i| {
        let out = native::counter(&mut count, black_box(&native_inputs[(i % 4) as usize]));
        black_box(matches!(out, Ok(native::CounterOut::Value(_))));
    });
    versus_native(
        "counter.sm step (VM vs native Rust)".into(),
        vm,
        native,
        20.0,
    )
}

fn kv(keys: usize, options: Options) -> Figure {
    let (mut vm, artifact) = instance(KV, "kv.sm");
    let put = |k: usize, v: usize| format!("Put(\"key{k}\", {v})");
    for k in 0..keys {
        let input = text::parse(&put(k, k), &artifact.input).expect("the bench inputs parse");
        vm.turn(input).expect("filling the map succeeds");
    }
    let texts: Vec<String> = (0..1024)
        .map(|i| {
            let k = (i * 7919) % keys;
            if i % 2 == 0 {
                put(k, i)
            } else {
                format!("Get(\"key{k}\")")
            }
        })
        .collect();
    let vm = vm_rate(options, &mut vm, &inputs(&artifact, &texts));
    let mut state = native::Kv {
        data: (0..keys).map(|k| (format!("key{k}"), k as i64)).collect(),
        writes: 0,
    };
    let native_inputs: Vec<native::KvIn> = (0..1024)
        .map(|i| {
            let key = format!("key{}", (i * 7919) % keys);
            if i % 2 == 0 {
                native::KvIn::Put(key, i as i64)
            } else {
                native::KvIn::Get(key)
            }
        })
        .collect();
    let native = rate(budget(options.quick), |i| {
        let out = native::kv(&mut state, black_box(&native_inputs[(i % 1024) as usize]));
        black_box(matches!(out, Ok(native::KvOut::Found(_))));
    });
    versus_native(
        format!("kv.sm step, {keys} keys (VM vs native Rust)"),
        vm,
        native,
        5.0,
    )
}

fn bank(options: Options) -> Figure {
    let (mut vm, artifact) = instance(BANK, "bank.sm");
    let texts = ["Deposit(5)", "Withdraw(3)", "Withdraw(1000000000)"].map(String::from);
    let vm = vm_rate(options, &mut vm, &inputs(&artifact, &texts));
    use native::BankIn::{Deposit, Withdraw};
    let native_inputs = [Deposit(5), Withdraw(3), Withdraw(1_000_000_000)];
    let mut account = native::Account {
        balance: 0,
        overdraft: 50,
        history: Vec::new(),
    };
    let native = rate(budget(options.quick), |i| {
        let out = native::bank(&mut account, black_box(&native_inputs[(i % 3) as usize]));
        black_box(matches!(out, Ok(native::BankOut::Balance(_))));
    });
    versus_native("bank.sm step (VM vs native Rust)".into(), vm, native, 5.0)
}

fn pipeline(options: Options) -> Figure {
    let (mut vm, artifact) = instance(PIPELINE, "pipeline.sm");
    let texts = ["Add(5)", "Sub(2)", "Add(1)", "Add(7)", "Tick"].map(String::from);
    let vm = vm_rate(options, &mut vm, &inputs(&artifact, &texts));
    use native::Cmd::{Add, Sub, Tick};
    let native_inputs = [Add(5), Sub(2), Add(1), Add(7), Tick];
    let mut state = (0i64, 0i64);
    let native = rate(budget(options.quick), |i| {
        black_box(native::pipeline(&mut state, black_box(&native_inputs[(i % 5) as usize])).ok());
    });
    versus_native(
        "pipeline.sm composition step (VM vs native Rust)".into(),
        vm,
        native,
        5.0,
    )
}

/// The source and a cycle of input texts for profiling one machine (`examples/turns.rs`).
pub fn profile_inputs(which: &str) -> (&'static str, Vec<String>) {
    let texts: Vec<&str> = match which {
        "kv" => vec!["Put(\"a\", 1)", "Get(\"a\")", "Put(\"b\", 2)", "Get(\"c\")"],
        "bank" => vec!["Deposit(5)", "Withdraw(3)", "Withdraw(1000000000)"],
        "pipeline" => vec!["Add(5)", "Sub(2)", "Add(1)", "Add(7)", "Tick"],
        _ => vec!["Incr(3)", "Decr(1)", "Get", "Decr(100)"],
    };
    let src = match which {
        "kv" => KV,
        "bank" => BANK,
        "pipeline" => PIPELINE,
        _ => COUNTER,
    };
    (src, texts.into_iter().map(String::from).collect())
}
