//! The worst turn latency of an instance with a 1,000,000-entry map while a snapshot is due,
//! for issue 6's closing note: the kv example journaled (`InstanceCore` + `Journal`, durability
//! `none`), filled with N `Put`s, then 1,000 more turns timed one by one (handling plus
//! journaling, as the instance's actor does them) with a snapshot falling due in the middle.
//! It also times what the actor did on that turn before snapshots moved to the store's encoder
//! thread: printing the state for the report and again for the snapshot (`inspect` +
//! `Snapshot::of`).
//! `cargo run --release -p quiver-bench --example snapshot_pause [N]` (N default 1,000,000).

use quiver_vm::bytecode::encode::encode;
use quiver_vm::limits::Limits;
use quiver_vm::node::core::{InstanceCore, SystemClock};
use quiver_vm::node::store::journal::Journal;
use quiver_vm::node::store::policy::SnapshotPolicy;
use quiver_vm::node::store::{Durability, Snapshot, Store};
use quiver_vm::node::version::prepare;
use std::sync::Arc;
use std::time::{Duration, Instant};

const KV: &str = include_str!("../../examples/kv.sm");

/// Turns timed after the fill; the snapshot falls due halfway.
const TIMED: u64 = 1_000;

fn main() {
    let entries: u64 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = Arc::new(Store::open(dir.path(), Durability::None).expect("the store opens"));
    let kv = quiver_lang::driver::compile(KV, "kv.sm", None).expect("kv compiles");
    let version = prepare(&encode(&kv.artifact, None), &Limits::default()).expect("verifies");
    let mut core = InstanceCore::deploy("kv", version, Limits::default()).expect("deploys");
    let policy = SnapshotPolicy {
        records: entries + TIMED / 2,
        bytes: u64::MAX,
    };
    let (mut journal, deployed) = Journal::deploy(store.clone(), &core, "kv", policy);
    drop(deployed);
    let turn = |core: &mut InstanceCore, journal: &mut Journal, i: u64| {
        let text = format!("Put(\"k{i}\", {i})");
        let started = Instant::now();
        let outcome = core.input(&text, &SystemClock);
        drop(journal.input(core, &text, &outcome, None));
        started.elapsed()
    };
    let fill = Instant::now();
    for i in 0..entries {
        turn(&mut core, &mut journal, i);
    }
    println!(
        "filled {entries} entries in {:.1} s",
        fill.elapsed().as_secs_f64()
    );
    let times: Vec<Duration> = (entries..entries + TIMED)
        .map(|i| turn(&mut core, &mut journal, i))
        .collect();
    // The policy counts input records only: the snapshot falls due on this timed turn.
    let due = times[(TIMED / 2 - 1) as usize];
    let mut sorted = times.clone();
    sorted.sort();
    println!(
        "{TIMED} turns around a due snapshot: the snapshot's turn {due:?}; median {:?}, worst {:?}",
        sorted[sorted.len() / 2],
        sorted[sorted.len() - 1]
    );
    let started = Instant::now();
    let report = core.inspect(0);
    let state_type = &core.current().program.artifact().state;
    let snapshot = Snapshot::of(vec![], core.state(), state_type, report.turns);
    println!(
        "what the actor did on that turn before (inspect + Snapshot::of, {} bytes of text): {:?}",
        snapshot.state.len(),
        started.elapsed()
    );
    let started = Instant::now();
    drop(store);
    println!(
        "closing the store (waits for the encoder and the committer): {:?}",
        started.elapsed()
    );
}
