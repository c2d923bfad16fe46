//! The store's idempotency keys around compaction and out-of-order sequences: a compacted key
//! is reported as compacted (never to be applied again), while a key below a client's highest
//! that was never recorded is not; `highest_seq` sees appended and committed keys; a durable
//! instance answers a repeated key without applying it, after the original is durable; and the
//! history rebuilt for time travel has the version and state after every record.
#![cfg(feature = "node")]

mod common;
mod store_support;

use quiver_vm::limits::Limits;
use quiver_vm::node::core::{Item, Reply, SystemClock};
use quiver_vm::node::durable::DurableInstance;
use quiver_vm::node::report::Outcome;
use quiver_vm::node::store::{Durability, Record, Recorded, Snapshot};
use quiver_vm::text;
use store_support::{Live, NAME, every, key, open, snapshots_when, v1, v2};

#[test]
fn only_keys_compaction_dropped_are_reported_as_compacted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), Durability::group());
    let mut live = Live::deploy(&store, &v1(), every(3));
    live.send("Incr(1)", key("erin", 1));
    live.send("Incr(1)", key("erin", 5));
    for _ in 0..8 {
        live.send("Incr(2)", None);
    }
    live.send("Incr(1)", key("erin", 9));
    assert_eq!(store.highest_seq(NAME, "erin"), Ok(Some(9)));
    assert_eq!(store.highest_seq(NAME, "frank"), Ok(None));
    // Snapshots are encoded on the store's own thread and not awaited by a send: compacting
    // before they are written would keep everything (the first CI run that caught it did).
    let written = snapshots_when(&store, |s| {
        s.len() >= 2 && s.last().is_some_and(|p| *p >= 9)
    });
    assert!(written.len() >= 2, "snapshots written: {written:?}");
    store.compact(NAME, 2).expect("compacts");
    let lookup = |seq| store.lookup(NAME, &key("erin", seq).expect("key"));
    assert_eq!(lookup(1), Ok(Some(Recorded::Compacted { highest_seq: 5 })));
    assert_eq!(lookup(3), Ok(Some(Recorded::Compacted { highest_seq: 5 })));
    assert!(matches!(lookup(9), Ok(Some(Recorded::Applied { .. }))));
    assert_eq!(lookup(7), Ok(None), "never sent, above what was dropped");
    assert_eq!(store.highest_seq(NAME, "erin"), Ok(Some(9)));
}

#[test]
fn a_key_run_cut_by_compaction_keeps_its_tail() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), Durability::Sync);
    let mut live = Live::deploy(&store, &v1(), every(1000));
    // Six keyed inputs of one batch: positions 1..=6, one key run.
    for seq in 1..=6 {
        let outcome = live.core.input("Incr(1)", &SystemClock);
        let sent = live
            .journal
            .queue_input(&live.core, "Incr(1)", &outcome, key("hal", seq));
        assert!(sent.is_none(), "no snapshot due, nothing sent yet");
    }
    let batch = live.journal.flush().expect("six records queued");
    assert_eq!(
        batch.wait(),
        Ok(6),
        "one request, resolved at its last position"
    );
    let lookup = |seq| store.lookup(NAME, &key("hal", seq).expect("key"));
    for seq in 1..=6 {
        assert!(
            matches!(lookup(seq), Ok(Some(Recorded::Applied { position, .. })) if position == seq),
            "key {seq} before compaction: {:?}",
            lookup(seq)
        );
    }
    // A snapshot after position 3 cuts the run in two.
    let snapshot = Snapshot {
        versions: live.core.version_stack(),
        state: "{ count: 3 }".into(),
        turns: 3,
    };
    store
        .snapshot(NAME, 3, snapshot)
        .wait()
        .expect("the snapshot is written");
    store.compact(NAME, 1).expect("compacts");
    for seq in 1..=3 {
        assert_eq!(
            lookup(seq),
            Ok(Some(Recorded::Compacted { highest_seq: 3 }))
        );
    }
    for seq in 4..=6 {
        assert!(
            matches!(lookup(seq), Ok(Some(Recorded::Applied { position, .. })) if position == seq),
            "key {seq} after compaction: {:?}",
            lookup(seq)
        );
    }
    assert_eq!(lookup(7), Ok(None), "never sent");
    assert_eq!(store.highest_seq(NAME, "hal"), Ok(Some(6)));
}

#[test]
fn the_history_has_the_version_and_state_after_every_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), Durability::Sync);
    let mut live = Live::deploy(&store, &v1(), every(1000));
    live.send("Incr(5)", None);
    assert!(live.upgrade(&v2()));
    live.send("Incr(1)", None);
    let history = store
        .history(NAME, &Limits::default(), 100)
        .expect("rebuilds");
    assert_eq!(history.start.position, 0);
    assert_eq!(history.steps.len(), 3);
    assert!(matches!(history.steps[1].record, Record::Upgrade { .. }));
    let states: Vec<String> = history
        .steps
        .iter()
        .map(|step| {
            let state_type = &step.after.version.program.artifact().state;
            text::print(&step.after.state, state_type)
        })
        .collect();
    assert_eq!(states[0], "{ count: 5 }");
    assert_eq!(states[2], "{ count: 6, resets: 0 }");
    let short = store
        .history(NAME, &Limits::default(), 1)
        .expect("rebuilds");
    assert_eq!(short.steps.len(), 1);
}

fn keyed(first_seq: u64, inputs: &[&str]) -> Item {
    Item::KeyedInputs {
        client: "gail".into(),
        first_seq,
        inputs: inputs.iter().map(|i| (*i).to_string()).collect(),
    }
}

#[test]
fn a_repeated_key_is_answered_from_its_record_and_waits_for_the_original() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), Durability::group());
    let live = Live::deploy(&store, &v1(), every(1000));
    let mut instance = DurableInstance::new(live.core, live.journal);
    let first = instance.handle(keyed(1, &["Incr(3)", "Get"]), &SystemClock, 0);
    // The retry is handled at once, while the original may still be on its way to disk.
    let retry = instance.handle(keyed(1, &["Incr(3)", "Get"]), &SystemClock, 0);
    let outputs = Reply::Outputs(vec![
        Outcome::Output("Ok".into()),
        Outcome::Output("Value(3)".into()),
    ]);
    assert_eq!(first.reply, outputs);
    assert_eq!(retry.reply, outputs);
    assert_eq!(
        first.records.len(),
        1,
        "the batch's two records go to the store as one request"
    );
    assert_eq!(
        retry.records.len(),
        1,
        "no new record, one barrier to wait for"
    );
    for record in retry.records {
        record.wait().expect("the barrier resolves");
    }
    let lookup = store.lookup(NAME, &key("gail", 2).expect("key"));
    assert!(matches!(
        lookup,
        Ok(Some(Recorded::Applied { position: 2, .. }))
    ));
    let overlap = instance.handle(keyed(2, &["Get", "Incr(1)"]), &SystemClock, 0);
    assert_eq!(overlap.records.len(), 2, "one new record and a barrier");
    let empty = instance.handle(
        Item::KeyedInputs {
            client: String::new(),
            first_seq: 1,
            inputs: vec!["Get".into()],
        },
        &SystemClock,
        0,
    );
    assert!(matches!(&empty.reply, Reply::Outputs(o) if matches!(&o[0], Outcome::Rejected(_))));
    assert!(empty.records.is_empty());
}
