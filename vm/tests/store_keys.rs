//! The store's idempotency keys around compaction and out-of-order sequences: a compacted key
//! is reported as compacted (never to be applied again), while a key below a client's highest
//! that was never recorded is not; `highest_seq` sees appended and committed keys; and the
//! history rebuilt for time travel has the version and state after every record.
#![cfg(feature = "node")]

mod common;
mod store_support;

use quiver_vm::limits::Limits;
use quiver_vm::node::store::{Durability, Record, Recorded};
use quiver_vm::text;
use store_support::{Live, NAME, every, key, open, v1, v2};

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
    store.compact(NAME, 2).expect("compacts");
    let lookup = |seq| store.lookup(NAME, &key("erin", seq).expect("key"));
    assert_eq!(lookup(1), Ok(Some(Recorded::Compacted { highest_seq: 5 })));
    assert_eq!(lookup(3), Ok(Some(Recorded::Compacted { highest_seq: 5 })));
    assert!(matches!(lookup(9), Ok(Some(Recorded::Applied { .. }))));
    assert_eq!(lookup(7), Ok(None), "never sent, above what was dropped");
    assert_eq!(store.highest_seq(NAME, "erin"), Ok(Some(9)));
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
