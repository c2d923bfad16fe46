//! The store's append/recover round trips on a journaled counter: state, version, turns and
//! positions come back after a reopen, across snapshots, upgrades, rollbacks and compaction,
//! and idempotency keys find their recorded outcomes.
#![cfg(feature = "node")]

mod common;
mod store_support;

use quiver_vm::limits::Limits;
use quiver_vm::node::report::Outcome;
use quiver_vm::node::store::{Durability, Record, Recorded, StoreError};
use quiver_vm::text;
use store_support::{Expected, Live, NAME, every, key, open, snapshots_when, v1, v2};

/// Closes the live instance and its store, reopens and checks the recovered instance.
fn check_recovers(
    dir: &std::path::Path,
    live: Live,
    store: std::sync::Arc<quiver_vm::node::store::Store>,
) -> quiver_vm::node::store::Recovered {
    let expected = live.expected();
    drop(live);
    drop(store);
    let store = open(dir, Durability::Sync);
    let recovered = store.recover(NAME, &Limits::default()).expect("recovers");
    assert_eq!(Expected::of(&recovered), expected);
    recovered
}

#[test]
fn inputs_traps_and_rejections_survive_a_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), Durability::Sync);
    let mut live = Live::deploy(&store, &v1(), every(1000));
    assert_eq!(live.send("Incr(5)", None), Outcome::Output("Ok".into()));
    live.send("Incr(3)", None);
    assert!(matches!(live.send("Decr(100)", None), Outcome::Trapped(_)));
    assert!(matches!(live.send("Jump", None), Outcome::Rejected(_)));
    drop(live);
    drop(store);
    let recovered = {
        let live_state = "{ count: 8 }";
        let store = open(dir.path(), Durability::Sync);
        let recovered = store.recover(NAME, &Limits::default()).expect("recovers");
        let running = recovered.versions.last().expect("running").clone();
        assert_eq!(
            text::print(&recovered.state, &running.program.artifact().state),
            live_state
        );
        recovered
    };
    assert_eq!((recovered.turns, recovered.position), (2, 4));
    assert_eq!((recovered.snapshot, recovered.replayed), (None, 4));
}

#[test]
fn recovery_crosses_an_upgrade_and_a_rollback() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), Durability::Sync);
    let mut live = Live::deploy(&store, &v1(), every(1000));
    live.send("Incr(2)", None);
    assert!(live.upgrade(&v2()));
    live.send("Incr(7)", None);
    assert!(live.rollback());
    live.send("Decr(1)", None);
    assert!(live.upgrade(&v2()));
    let recovered = check_recovers(dir.path(), live, store);
    assert_eq!(recovered.position, 6);
}

#[test]
fn recovery_starts_from_the_newest_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), Durability::group());
    let mut live = Live::deploy(&store, &v1(), every(4));
    for _ in 0..10 {
        live.send("Incr(1)", None);
    }
    // The snapshotter may skip 4 when 8 is already due by the time it runs (a newer snapshot
    // supersedes an older one still queued), so wait for the newest one only.
    let written = snapshots_when(&store, |s| s.last() == Some(&8));
    assert_eq!(written.last(), Some(&8), "snapshots written: {written:?}");
    assert!(written.iter().all(|at| [4, 8].contains(at)), "{written:?}");
    let recovered = check_recovers(dir.path(), live, store);
    assert_eq!((recovered.snapshot, recovered.replayed), (Some(8), 2));
}

#[test]
fn a_retried_input_finds_its_recorded_outcome() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), Durability::group());
    let mut live = Live::deploy(&store, &v1(), every(1000));
    live.send("Incr(4)", key("alice", 1));
    live.send("Get", key("alice", 2));
    let expected = Recorded::Applied {
        position: 2,
        outcome: Outcome::Output("Value(4)".into()),
    };
    let found = store.lookup(NAME, &key("alice", 2).expect("key"));
    assert_eq!(found, Ok(Some(expected)));
    assert_eq!(store.lookup(NAME, &key("alice", 3).expect("key")), Ok(None));
    assert_eq!(store.lookup(NAME, &key("bob", 1).expect("key")), Ok(None));
}

#[test]
fn an_input_still_in_flight_is_found_by_its_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), Durability::group());
    let mut live = Live::deploy(&store, &v1(), every(1000));
    let (outcome, pending) = live.send_pending("Incr(9)", key("carol", 7));
    let found = store.lookup(NAME, &key("carol", 7).expect("key"));
    assert_eq!(
        found,
        Ok(Some(Recorded::Applied {
            position: 1,
            outcome
        }))
    );
    assert_eq!(pending.wait(), Ok(1));
}

#[test]
fn compaction_drops_the_log_before_the_oldest_kept_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), Durability::group());
    let mut live = Live::deploy(&store, &v1(), every(3));
    live.send("Incr(1)", key("dave", 1));
    for _ in 0..9 {
        live.send("Incr(2)", None);
    }
    assert_eq!(snapshots_when(&store, |s| s == [3, 6, 9]), vec![3, 6, 9]);
    let compacted = store.compact(NAME, 2).expect("compacts");
    assert_eq!(
        (compacted.records, compacted.snapshots, compacted.through),
        (7, 1, Some(6))
    );
    assert_eq!(store.snapshots(NAME).expect("lists"), vec![6, 9]);
    let first = store.log(NAME, 0, u64::MAX).expect("reads");
    assert_eq!(first.first().map(|(p, _)| *p), Some(7));
    let retry = store.lookup(NAME, &key("dave", 1).expect("key"));
    assert_eq!(retry, Ok(Some(Recorded::Compacted { highest_seq: 1 })));
    check_recovers(dir.path(), live, store);
    let store = open(dir.path(), Durability::Sync);
    let report = store
        .replay(NAME, None, &Limits::default())
        .expect("replays");
    assert_eq!((report.started_at, report.reached), (6, 10));
    assert_eq!(report.state, "{ count: 19 }");
}

#[test]
fn an_append_out_of_order_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), Durability::Sync);
    let _live = Live::deploy(&store, &v1(), every(1000));
    let record = Record::Input {
        text: "Get".into(),
        outcome: Outcome::Output("Value(0)".into()),
        key: None,
    };
    let refused = store.append(NAME, 5, record).wait();
    assert_eq!(
        refused,
        Err(StoreError::OutOfOrder {
            instance: NAME.into(),
            expected: 1,
            got: 5
        })
    );
}

#[test]
fn an_unknown_instance_is_named_in_the_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), Durability::Sync);
    let error = store
        .recover("ghost", &Limits::default())
        .expect_err("no history");
    assert_eq!(
        error.to_string(),
        "instance `ghost` has no history in the store"
    );
}

#[test]
fn the_store_lists_its_instances_and_artifacts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), Durability::Sync);
    let mut live = Live::deploy(&store, &v1(), every(1000));
    assert!(live.upgrade(&v2()));
    assert_eq!(store.instances(), Ok(vec![NAME.to_string()]));
    let mut expected = vec![quiver_vm::hash::hash(&v1()), quiver_vm::hash::hash(&v2())];
    expected.sort();
    assert_eq!(store.artifacts(NAME), Ok(expected));
}

#[test]
fn compacting_one_instance_leaves_the_others_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), Durability::group());
    let mut a = Live::deploy_as(&store, "a", &v1(), every(2));
    let mut b = Live::deploy_as(&store, "b", &v1(), every(2));
    for seq in 1..=6 {
        a.send("Incr(1)", key("zed", seq));
        b.send("Incr(2)", key("zed", seq));
    }
    store.compact("a", 1).expect("compacts");
    let kept = store.lookup("b", &key("zed", 1).expect("key"));
    assert_eq!(
        kept,
        Ok(Some(Recorded::Applied {
            position: 1,
            outcome: Outcome::Output("Ok".into())
        }))
    );
    assert_eq!(store.log("b", 0, u64::MAX).map(|log| log.len()), Ok(7));
    assert_eq!(
        store.instances(),
        Ok(vec!["a".to_string(), "b".to_string()])
    );
}

#[test]
fn the_listing_names_the_version_after_every_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), Durability::group());
    let mut live = Live::deploy(&store, &v1(), every(2));
    live.send("Incr(1)", None);
    assert!(live.upgrade(&v2()));
    live.send("Incr(1)", None);
    assert!(live.rollback());
    live.send("Get", None);
    let (one, two) = (quiver_vm::hash::hash(&v1()), quiver_vm::hash::hash(&v2()));
    let versions = |from| {
        store
            .listing(NAME, from, u64::MAX)
            .expect("lists")
            .iter()
            .map(|line| (line.position, line.version))
            .collect::<Vec<_>>()
    };
    let all = vec![(0, one), (1, one), (2, two), (3, two), (4, one), (5, one)];
    assert_eq!(versions(0), all);
    assert_eq!(versions(3), all[3..].to_vec());
    store.compact(NAME, 1).expect("compacts");
    let kept = versions(0);
    assert_eq!(kept, all[kept[0].0 as usize..].to_vec());
}
