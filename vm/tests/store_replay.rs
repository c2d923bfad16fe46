//! Offline replay: the state at any position, the first divergence of a forged history, and a
//! candidate version dry-run against recorded inputs.
#![cfg(feature = "node")]

mod common;
mod store_support;

use common::{INVARIANT_SITE, counter, int_const, seq};
use quiver_vm::bytecode::{Arrow, Artifact, Invariant};
use quiver_vm::limits::Limits;
use quiver_vm::node::report::Outcome;
use quiver_vm::node::store::{DifferenceKind, Durability, Record, Snapshot, Store, StoreError};
use quiver_vm::prim::Prim;
use std::sync::Arc;
use store_support::{Live, NAME, every, open, v1, v2};

/// A history of eight records across an upgrade, with snapshots every three.
fn history(store: &Arc<Store>) -> Live {
    let mut live = Live::deploy(store, &v1(), every(3));
    for text in ["Incr(5)", "Incr(2)", "Decr(9)", "Get"] {
        live.send(text, None);
    }
    assert!(live.upgrade(&v2()));
    live.send("Decr(3)", None);
    live.send("Get", None);
    live
}

#[test]
fn replay_rebuilds_the_state_at_every_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), Durability::Sync);
    let live = history(&store);
    for (position, state) in live.states.iter().enumerate() {
        let report = store
            .replay(NAME, Some(position as u64), &Limits::default())
            .expect("replays");
        assert_eq!((report.reached, &report.state), (position as u64, state));
        assert_eq!(report.divergence, None);
    }
    let full = store
        .replay(NAME, None, &Limits::default())
        .expect("replays");
    assert_eq!((full.started_at, full.checked, full.turns), (0, 6, 5));
    assert_eq!(full.running, quiver_vm::hash::hash(&v2()));
}

/// Appends a `Get` whose recorded output is not what the machine answers.
fn forge(store: &Store, position: u64) {
    let forged = Record::Input {
        text: "Get".into(),
        outcome: Outcome::Output("Value(999)".into()),
        key: None,
    };
    store
        .append(NAME, position, forged)
        .wait()
        .expect("appends");
}

#[test]
fn replay_reports_the_first_divergence_and_stops_before_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), Durability::Sync);
    let live = history(&store);
    let position = live.journal.next();
    forge(&store, position);
    let report = store
        .replay(NAME, None, &Limits::default())
        .expect("replays");
    let divergence = report.divergence.expect("a divergence");
    assert_eq!(divergence.position, position);
    assert_eq!(divergence.recomputed, Outcome::Output("Value(4)".into()));
    assert_eq!(report.reached, position - 1);
    assert_eq!(report.state, "{ count: 4, resets: 0 }");
}

#[test]
fn recovery_refuses_a_divergent_log_naming_the_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), Durability::Sync);
    let live = history(&store);
    let position = live.journal.next();
    forge(&store, position);
    let error = store
        .recover(NAME, &Limits::default())
        .expect_err("diverges");
    assert_eq!(
        error,
        StoreError::Divergence {
            instance: NAME.into(),
            position,
            recorded: "output Value(999)".into(),
            recomputed: "output Value(4)".into(),
        }
    );
    assert!(error.to_string().contains("at position 8"), "{error}");
}

/// The counter with `Incr` subtracting instead of adding.
fn incr_subtracts() -> Artifact {
    let mut artifact = counter();
    artifact.defs[0].body = Arrow::Prim(Prim::Sub, common::ADD_SITE);
    artifact
}

/// The counter with the invariant `count <= 5`.
fn capped_at_five() -> Artifact {
    let mut artifact = counter();
    artifact.invariants = vec![Invariant {
        body: seq(vec![
            Arrow::Fork(vec![Arrow::Proj(0), int_const(5)]),
            Arrow::Prim(Prim::Le, quiver_vm::bytecode::Site::NONE),
        ]),
        site: INVARIANT_SITE,
    }];
    artifact
}

fn recorded_inputs(texts: &[&str]) -> (tempfile::TempDir, Arc<Store>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), Durability::Sync);
    let mut live = Live::deploy(&store, &v1(), every(1000));
    for text in texts {
        live.send(text, None);
    }
    (dir, store)
}

#[test]
fn a_compatible_candidate_reproduces_every_output() {
    let (_dir, store) = recorded_inputs(&["Incr(5)", "Get", "Reset", "Get"]);
    let report = store
        .replay_with(NAME, &v2(), &Limits::default())
        .expect("runs");
    assert_eq!((report.inputs, report.same), (4, 4));
    assert_eq!(report.migration_refused, None);
    assert!(report.differences.is_empty());
}

#[test]
fn a_candidate_that_traps_is_reported_with_the_input() {
    let (_dir, store) = recorded_inputs(&["Incr(5)", "Get", "Incr(1)", "Get"]);
    let report = store
        .replay_with(NAME, &incr_subtracts(), &Limits::default())
        .expect("runs");
    // Incr(5) on 0 now goes negative: an invariant violation; both Gets answer 0, not 5 and 6.
    assert_eq!(
        (
            report.inputs,
            report.same,
            report.invariant_violations,
            report.output_differences
        ),
        (4, 0, 2, 2)
    );
    let first = &report.differences[0];
    assert_eq!(
        (first.kind, first.position, first.input.as_str()),
        (DifferenceKind::InvariantViolated, 1, "Incr(5)")
    );
}

#[test]
fn a_candidate_with_a_stricter_invariant_counts_its_violations() {
    let (_dir, store) = recorded_inputs(&["Incr(3)", "Incr(3)", "Get"]);
    let report = store
        .replay_with(NAME, &capped_at_five(), &Limits::default())
        .expect("runs");
    assert_eq!(
        (
            report.same,
            report.invariant_violations,
            report.output_differences
        ),
        (1, 1, 1)
    );
    assert_eq!(
        report.differences[1].candidate,
        Outcome::Output("Value(3)".into())
    );
}

#[test]
fn a_candidate_whose_migration_is_refused_says_why() {
    let (_dir, store) = recorded_inputs(&["Incr(3)"]);
    let mut other_state = v2();
    other_state.migrate_up = None;
    other_state.state = common::record(&[
        ("total", quiver_vm::types::Type::Int),
        ("resets", quiver_vm::types::Type::Int),
    ]);
    let report = store.replay_with(NAME, &other_state, &Limits::default());
    let refused = report.map(|r| r.migration_refused);
    assert!(
        matches!(&refused, Ok(Some(why)) if why.contains("count")),
        "{refused:?}"
    );
}

#[test]
fn replay_reports_a_snapshot_that_does_not_match_the_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), Durability::Sync);
    let mut live = Live::deploy(&store, &v1(), every(1000));
    for _ in 0..4 {
        live.send("Incr(1)", None);
    }
    let wrong = Snapshot {
        versions: vec![quiver_vm::hash::hash(&v1())],
        state: "{ count: 999 }".into(),
        turns: 2,
    };
    store.snapshot(NAME, 2, wrong).wait().expect("writes");
    let report = store
        .replay(NAME, None, &Limits::default())
        .expect("replays");
    assert_eq!((report.bad_snapshot, report.divergence), (Some(2), None));
    assert_eq!(report.state, "{ count: 4 }");
}
