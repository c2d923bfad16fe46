//! The durability modes: `group` batches many records per commit, `sync` commits each one,
//! acknowledgements resolve in async code too, and the mode parses from its flag text.
#![cfg(feature = "node")]

mod common;
mod store_support;

use quiver_vm::node::report::Outcome;
use quiver_vm::node::store::{Durability, Pending, Record};
use std::sync::Arc;
use store_support::{Live, NAME, every, open, v1};

fn incr() -> Record {
    Record::Input {
        text: "Incr(1)".into(),
        outcome: Outcome::Output("Ok".into()),
        key: None,
    }
}

/// Commits used to make `count` pipelined appends durable.
fn commits_for(durability: Durability, count: u64) -> u64 {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), durability);
    drop(Live::deploy(&store, &v1(), every(u64::MAX)));
    let before = store.commits();
    let pendings: Vec<Pending> = (1..=count).map(|p| store.append(NAME, p, incr())).collect();
    for (position, pending) in (1..=count).zip(pendings) {
        assert_eq!(pending.wait(), Ok(position));
    }
    store.commits() - before
}

#[test]
fn group_commit_makes_many_records_durable_per_commit() {
    let commits = commits_for(Durability::group(), 2_000);
    assert!(
        (1..=200).contains(&commits),
        "{commits} commits for 2,000 records"
    );
}

#[test]
fn sync_commits_every_record_on_its_own() {
    assert_eq!(commits_for(Durability::Sync, 50), 50);
}

#[test]
fn an_acknowledgement_can_be_awaited() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), Durability::group());
    drop(Live::deploy(&store, &v1(), every(u64::MAX)));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    let store2 = Arc::clone(&store);
    let position = runtime.block_on(async move { store2.append(NAME, 1, incr()).durable().await });
    assert_eq!(position, Ok(1));
}

#[test]
fn the_mode_parses_from_its_flag_and_none_warns() {
    assert_eq!("sync".parse(), Ok(Durability::Sync));
    assert_eq!("group".parse(), Ok(Durability::group()));
    assert_eq!("none".parse(), Ok(Durability::None));
    assert_eq!(
        "fast".parse::<Durability>(),
        Err("unknown durability `fast`; use `sync`, `group` or `none`".to_string())
    );
    assert!(
        Durability::None
            .warning()
            .is_some_and(|w| w.contains("benchmarks"))
    );
    assert_eq!(Durability::group().warning(), None);
}
