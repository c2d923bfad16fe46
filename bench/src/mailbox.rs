//! The node in-process: calls through an instance's mailbox with a reply per input (one caller,
//! and one caller per instance on several instances), and swap pauses with maps of growing
//! size, against the Erlang/OTP figures of [`crate::erlang`].
//!
//! A call here is what a `gen_server:call` is in Erlang: enqueue one input, wait for its
//! reply. The swap pause is the node's own measure (barrier to the first input the new version
//! served), read back with `inspect`; every input sent around a swap must be answered.

use crate::Options;
use crate::erlang::ErlangFigures;
use crate::measure::percentile;
use crate::store::{store, store_v2};
use crate::table::{Baseline, Better, Figure, Target};
use quiver_vm::bytecode::Artifact;
use quiver_vm::bytecode::encode::encode;
use quiver_vm::limits::Limits;
use quiver_vm::node::core::{Item, Reply};
use quiver_vm::node::instances::{Instances, Pushed};
use quiver_vm::node::report::Outcome;
use quiver_vm::node::store::policy::SnapshotPolicy;
use quiver_vm::node::store::{Durability, Store};
use quiver_vm::node::version::{Version, prepare};
use std::sync::Arc;
use std::time::{Duration, Instant};

const COUNTER: &str = include_str!("../../examples/counter.sm");

/// Every in-process node figure.
pub async fn figures(options: Options, erlang: &ErlangFigures) -> Vec<Figure> {
    let mut rows = Vec::new();
    let counter = quiver_lang::driver::compile(COUNTER, "counter.sm", None)
        .expect("the counter example compiles")
        .artifact;
    let one = calls(&counter, 1, options).await;
    rows.push(versus_erlang(
        "node calls/s, 1 caller (vs gen_server:call)",
        one,
        erlang.calls(1),
    ));
    let four = calls(&counter, 4, options).await;
    rows.push(versus_erlang(
        "node calls/s, 4 callers on 4 instances",
        four,
        erlang.calls(4),
    ));
    rows.push(Figure {
        name: "node calls: 4 callers vs 1 caller (2 cores)".into(),
        ours: four,
        unit: "calls/s",
        better: Better::Higher,
        baseline: Baseline::Measured(one),
        target: Target::Informational,
    });
    let sizes: &[usize] = if options.quick {
        &[0, 10_000]
    } else {
        &[0, 10_000, 100_000, 1_000_000]
    };
    rows.extend(swap_pauses(sizes, options, erlang).await);
    rows
}

fn versus_erlang(name: &str, ours: f64, erlang: Baseline) -> Figure {
    Figure {
        name: name.into(),
        ours,
        unit: "calls/s",
        better: Better::Higher,
        baseline: erlang,
        target: Target::AdvantageAtLeast(2.0),
    }
}

pub fn version(artifact: &Artifact) -> Version {
    prepare(&encode(artifact, None), &Limits::default()).expect("the bench artifact loads")
}

pub async fn deploy(instances: &Instances, name: &str, artifact: &Artifact) {
    match instances.push(name, version(artifact), None).await {
        Ok(Pushed::Deployed(_)) => {}
        _ => panic!("deploying {name} on a fresh node succeeds"),
    }
}

/// The node's instances over a throwaway store with durability `none`: the node's own path,
/// journal included, minus the disk flushes, so these figures measure the mailbox and the VM
/// (the store's own figures are `vm/examples/store_figures.rs`). Keep the directory alive as
/// long as the instances.
pub fn mailboxes() -> (Instances, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory for the store");
    let store = Store::open(dir.path(), Durability::None).expect("a store in a new directory");
    let instances = Instances::new(
        Limits::default(),
        1024,
        Arc::new(store),
        SnapshotPolicy::default(),
    );
    (instances, dir)
}

/// One input through the mailbox, waiting for its reply.
async fn call(instances: &Instances, name: &str, input: &str) -> Vec<Outcome> {
    let receiver = instances
        .enqueue(name, Item::Inputs(vec![input.to_string()]))
        .await
        .expect("the instance exists");
    match receiver.await {
        Ok(Reply::Outputs(outcomes)) => outcomes,
        _ => Vec::new(),
    }
}

/// Calls per second, all callers together, each caller on its own instance.
async fn calls(counter: &Artifact, callers: usize, options: Options) -> f64 {
    let (instances, _store_dir) = mailboxes();
    for c in 0..callers {
        deploy(&instances, &format!("c{c}"), counter).await;
    }
    let budget = crate::measure::budget(options.quick);
    let started = Instant::now();
    let tasks: Vec<_> = (0..callers)
        .map(|c| {
            let instances = instances.clone();
            tokio::spawn(async move {
                let name = format!("c{c}");
                let mut done = 0u64;
                while started.elapsed() < budget {
                    for _ in 0..64 {
                        let outcomes = call(&instances, &name, "Incr(1)").await;
                        assert!(
                            matches!(outcomes[..], [Outcome::Output(_)]),
                            "a call is answered"
                        );
                        done += 1;
                    }
                }
                done
            })
        })
        .collect();
    let mut total = 0u64;
    for task in tasks {
        total += task.await.expect("a caller task finishes");
    }
    total as f64 / started.elapsed().as_secs_f64()
}

/// Fills the store with `Put(k)` for `k` in `from..to`, in batches.
pub async fn fill(instances: &Instances, from: usize, to: usize) {
    let texts: Vec<String> = (from..to).map(|k| format!("Put({k})")).collect();
    for batch in texts.chunks(4096) {
        let receiver = instances
            .enqueue("s", Item::Inputs(batch.to_vec()))
            .await
            .expect("the store exists");
        match receiver.await {
            Ok(Reply::Outputs(outcomes)) if outcomes.len() == batch.len() => {}
            _ => panic!("every fill input is answered"),
        }
    }
}

/// One upgrade with an input queued right behind the barrier, then a rollback: the pause in
/// microseconds, and whether the input was answered.
pub async fn one_swap(instances: &Instances, next: &Version) -> (f64, bool) {
    let pushed = instances.push("s", next.clone(), None).await;
    let served = instances
        .enqueue("s", Item::Inputs(vec!["Len".into()]))
        .await;
    let upgraded = match pushed {
        Ok(Pushed::Queued(reply)) => matches!(reply.await, Ok(Reply::Pushed(Ok(_)))),
        _ => false,
    };
    let answered = match served {
        Ok(reply) => {
            matches!(reply.await, Ok(Reply::Outputs(o)) if matches!(o[..], [Outcome::Output(_)]))
        }
        Err(_) => false,
    };
    let pause = match instances.enqueue("s", Item::Inspect).await {
        Ok(reply) => match reply.await {
            Ok(Reply::Inspected(report)) => report.last_swap.and_then(|s| s.pause_us),
            _ => None,
        },
        Err(_) => None,
    };
    let rolled_back = match instances.enqueue("s", Item::Rollback).await {
        Ok(reply) => matches!(reply.await, Ok(Reply::RolledBack(Ok(_)))),
        Err(_) => false,
    };
    (
        pause.unwrap_or(u64::MAX) as f64,
        upgraded && answered && rolled_back,
    )
}

async fn swap_pauses(sizes: &[usize], options: Options, erlang: &ErlangFigures) -> Vec<Figure> {
    let (instances, _store_dir) = mailboxes();
    deploy(&instances, "s", &store()).await;
    let next = version(&store_v2());
    let repeats = if options.quick { 5 } else { 21 };
    let mut rows = Vec::new();
    let mut filled = 0;
    for &size in sizes {
        fill(&instances, filled, size).await;
        filled = size;
        let mut pauses = Vec::new();
        let mut lost = 0;
        for _ in 0..repeats {
            let (pause, answered) = one_swap(&instances, &next).await;
            pauses.push(pause);
            lost += usize::from(!answered);
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        let median = percentile(&mut pauses, 0.5);
        let max = percentile(&mut pauses, 1.0);
        rows.push(Figure {
            name: format!("swap pause median, {size} entries (vs Erlang sys:change_code window)"),
            ours: median,
            unit: "µs",
            better: Better::Lower,
            baseline: erlang.pause_median(size),
            target: Target::AdvantageAtLeast(5.0),
        });
        if size == 0 {
            rows.push(Figure {
                name: "swap pause median, tiny state".into(),
                ours: median,
                unit: "µs",
                better: Better::Lower,
                baseline: Baseline::None,
                target: Target::AtMost(50.0),
            });
        }
        rows.push(Figure {
            name: format!("swap pause max, {size} entries"),
            ours: max,
            unit: "µs",
            better: Better::Lower,
            baseline: erlang.pause_max(size),
            target: Target::Informational,
        });
        rows.push(Figure {
            name: format!("inputs lost across {repeats} swaps, {size} entries"),
            ours: lost as f64,
            unit: "inputs",
            better: Better::Lower,
            baseline: Baseline::None,
            target: Target::AtMost(0.0),
        });
    }
    rows
}
