//! Figures for issue 6's closing note: pipelined journaled inputs per second under each
//! durability mode, and the recovery time of an instance with 1,000,000 logged turns (from
//! its newest snapshot, and from the deploy with no snapshot at all). Run with
//! `cargo run --release -p quiver-vm --features node --example store_figures [DIR]`
//! (DIR is where the stores go, default a temporary dir: put it on the disk you care about).
//!
//! The machine is a hand-built adder (state Int, input Int, output the new sum), so this needs
//! no compiler. It prints; it asserts only that the figures are about what it recorded.

use quiver_vm::bytecode::encode::encode;
use quiver_vm::bytecode::{Arrow, Artifact, Lit, Site};
use quiver_vm::limits::Limits;
use quiver_vm::node::core::{InstanceCore, SystemClock};
use quiver_vm::node::store::journal::Journal;
use quiver_vm::node::store::policy::SnapshotPolicy;
use quiver_vm::node::store::{Durability, Pending, Store};
use quiver_vm::node::version::prepare;
use quiver_vm::prim::Prim;
use quiver_vm::types::Type;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Instant;

/// `(input, state) -> (state + input, state + input)`.
fn adder() -> Artifact {
    let sum = Arrow::Seq(vec![
        Arrow::Fork(vec![Arrow::Proj(1), Arrow::Proj(0)]),
        Arrow::Prim(Prim::Add, Site::NONE),
    ]);
    Artifact {
        name: "Adder".into(),
        state: Type::Int,
        input: Type::Int,
        output: Type::Int,
        init: Lit::Int(0),
        defs: vec![],
        step: Arrow::Seq(vec![sum, Arrow::Fork(vec![Arrow::Id, Arrow::Id])]),
        invariants: vec![],
        migrate_up: None,
        migrate_down: None,
    }
}

/// Sends `count` inputs through a journaled core, pipelined: a second thread waits for the
/// acknowledgements. Returns inputs per second, first input to last acknowledgement.
fn journaled_inputs(dir: &Path, durability: Durability, policy: SnapshotPolicy, count: u64) -> f64 {
    let store = Arc::new(Store::open(dir, durability).expect("the store opens"));
    let version = prepare(&encode(&adder(), None), &Limits::default()).expect("verifies");
    let mut core = InstanceCore::deploy("adder", version, Limits::default()).expect("deploys");
    let (mut journal, deployed) = Journal::deploy(store.clone(), &core, "adder", policy);
    deployed.wait().expect("the deploy is durable");
    let (acks, waiting) = mpsc::sync_channel::<Pending>(100_000);
    let waiter = std::thread::spawn(move || {
        let mut last = 0;
        for pending in waiting {
            last = pending.wait().expect("every input is acknowledged");
        }
        last
    });
    let start = Instant::now();
    for _ in 0..count {
        let outcome = core.input("1", &SystemClock);
        acks.send(journal.input(&core, "1", &outcome, None))
            .expect("the waiter runs");
    }
    drop(acks);
    let last = waiter.join().expect("the waiter finishes");
    let seconds = start.elapsed().as_secs_f64();
    assert_eq!(last, count, "the last acknowledgement is the last input");
    count as f64 / seconds
}

fn recovery_seconds(dir: &Path) -> (f64, u64) {
    let store = Store::open(dir, Durability::Sync).expect("the store opens");
    let start = Instant::now();
    let recovered = store
        .recover("adder", &Limits::default())
        .expect("recovers");
    let seconds = start.elapsed().as_secs_f64();
    assert_eq!(recovered.turns, 1_000_000);
    (seconds, recovered.replayed)
}

fn main() {
    let temp = tempfile::tempdir().expect("tempdir");
    let root = std::env::args()
        .nth(1)
        .map_or_else(|| temp.path().to_path_buf(), Into::into);
    let default = SnapshotPolicy::default();
    for (name, durability, count) in [
        ("sync", Durability::Sync, 2_000),
        ("group (2 ms)", Durability::group(), 200_000),
        ("none", Durability::None, 200_000),
    ] {
        let dir = root.join(format!("append-{}", name.split(' ').next().unwrap_or(name)));
        let rate = journaled_inputs(&dir, durability, default, count);
        println!("{name:>13}: {rate:>10.0} journaled inputs/s ({count} inputs, pipelined)");
    }
    let snapshotted = root.join("million-snapshots");
    let rate = journaled_inputs(&snapshotted, Durability::None, default, 1_000_000);
    println!("wrote 1,000,000 turns with snapshots every 10,000 at {rate:.0}/s");
    let (seconds, replayed) = recovery_seconds(&snapshotted);
    println!("recovery from the newest snapshot: {seconds:.3} s ({replayed} records replayed)");
    let bare = root.join("million-bare");
    let never = SnapshotPolicy {
        records: u64::MAX,
        bytes: u64::MAX,
    };
    journaled_inputs(&bare, Durability::None, never, 1_000_000);
    let (seconds, replayed) = recovery_seconds(&bare);
    println!("recovery from the deploy, no snapshot: {seconds:.3} s ({replayed} records replayed)");
}
