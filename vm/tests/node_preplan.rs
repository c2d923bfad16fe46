//! Upgrades planned at push time ([`Preplan`]): the plan is reused at the barrier only when the
//! version it was made against still runs, a stale or refused plan changes nothing about the
//! outcome, and through the node's mailboxes the swap's reply still leaves in order and its
//! pre-encoded artifact is what the store brings back.
#![cfg(feature = "node")]

mod common;

use common::{counter, counter_v2, int_const, seq};
use quiver_vm::bytecode::encode::encode;
use quiver_vm::bytecode::{Arrow, Artifact, Migration, Site};
use quiver_vm::hash::hash;
use quiver_vm::limits::Limits;
use quiver_vm::node::core::{InstanceCore, Item, Reply, SystemClock};
use quiver_vm::node::instances::{Instances, Pushed};
use quiver_vm::node::preplan::Preplan;
use quiver_vm::node::report::{Outcome, PushOutcome, Refusal};
use quiver_vm::node::store::journal::Journal;
use quiver_vm::node::store::policy::SnapshotPolicy;
use quiver_vm::node::store::{Durability, Record, Store};
use quiver_vm::node::version::{Version, prepare};
use quiver_vm::prim::Prim;
use quiver_vm::types::Type;
use std::sync::Arc;

fn version(artifact: &Artifact) -> Version {
    prepare(&encode(artifact, None), &Limits::default()).expect("test artifacts verify")
}

fn deployed(artifact: &Artifact) -> InstanceCore {
    InstanceCore::deploy("c", version(artifact), Limits::default()).expect("init is valid")
}

fn out(text: &str) -> Outcome {
    Outcome::Output(text.into())
}

/// `counter_v2` without a declared migration: the node derives `resets` from `init` (0).
fn derived_v2() -> Artifact {
    let mut v2 = counter_v2(None);
    v2.migrate_up = None;
    v2
}

fn incr(core: &mut InstanceCore, n: i64) {
    assert_eq!(core.input(&format!("Incr({n})"), &SystemClock), out("Ok"));
}

#[test]
fn a_plan_made_against_the_running_version_is_reused_and_gives_the_same_swap() {
    let running = version(&counter());
    let next = version(&derived_v2());
    let prepared = Preplan::new(&running, &next, &Limits::default());
    assert!(prepared.plan_for(&running).is_some());
    assert_eq!(prepared.encoded(), &encode(&derived_v2(), None)[..]);
    let mut planned = deployed(&counter());
    let mut unplanned = deployed(&counter());
    incr(&mut planned, 4);
    incr(&mut unplanned, 4);
    let a = planned.upgrade_prepared(next.clone(), None, Some(&prepared), &SystemClock);
    let b = unplanned.upgrade(next, None, &SystemClock);
    assert!(matches!(a, Ok(PushOutcome::Upgraded { .. })), "{a:?}");
    assert!(matches!(b, Ok(PushOutcome::Upgraded { .. })), "{b:?}");
    assert_eq!(planned.inspect(0).state, "{ count: 4, resets: 0 }");
    assert_eq!(planned.inspect(0).state, unplanned.inspect(0).state);
    assert_eq!(planned.current().hash, hash(&derived_v2()));
}

#[test]
fn a_plan_made_against_another_version_is_not_used() {
    // v2a declares `resets = 7`; the plan for the derived v2 was made while v1 ran.
    let v2a = counter_v2(Some(Arrow::Fork(vec![Arrow::Proj(0), int_const(7)])));
    let next = version(&derived_v2());
    let prepared = Preplan::new(&version(&counter()), &next, &Limits::default());
    let mut core = deployed(&counter());
    incr(&mut core, 3);
    let swapped = core.upgrade(version(&v2a), None, &SystemClock);
    assert!(matches!(swapped, Ok(PushOutcome::Upgraded { .. })));
    assert!(prepared.plan_for(core.current()).is_none());
    // The stale plan migrates from `{ count }`; the barrier plans again from `{ count, resets }`.
    let upgraded = core.upgrade_prepared(next, None, Some(&prepared), &SystemClock);
    assert!(
        matches!(upgraded, Ok(PushOutcome::Upgraded { .. })),
        "{upgraded:?}"
    );
    assert_eq!(core.inspect(0).state, "{ count: 3, resets: 7 }");
    assert_eq!(core.current().hash, hash(&derived_v2()));
}

#[test]
fn a_refused_plan_is_refused_again_at_the_barrier_with_its_reason() {
    let mut v2 = counter_v2(None);
    v2.migrate_up = Some(Migration {
        other: Type::Int,
        body: Arrow::Fork(vec![Arrow::Id, int_const(0)]),
    });
    let running = version(&counter());
    let next = version(&v2);
    let prepared = Preplan::new(&running, &next, &Limits::default());
    assert!(prepared.plan_for(&running).is_none());
    let mut core = deployed(&counter());
    let refused = core.upgrade_prepared(next, None, Some(&prepared), &SystemClock);
    assert!(
        matches!(refused, Err(Refusal::StateMismatch { .. })),
        "{refused:?}"
    );
    assert_eq!(core.current().hash, hash(&counter()));
}

#[test]
fn a_preplanned_migration_that_traps_leaves_the_old_version_running() {
    // { count } -> (count / 0, 0): division by zero.
    let divide = seq(vec![
        Arrow::Fork(vec![Arrow::Proj(0), int_const(0)]),
        Arrow::Prim(Prim::Div, Site::NONE),
    ]);
    let trapping = counter_v2(Some(Arrow::Fork(vec![divide, int_const(0)])));
    let running = version(&counter());
    let next = version(&trapping);
    let prepared = Preplan::new(&running, &next, &Limits::default());
    assert!(prepared.plan_for(&running).is_some(), "the checks pass");
    let mut core = deployed(&counter());
    incr(&mut core, 2);
    let refused = core.upgrade_prepared(next, None, Some(&prepared), &SystemClock);
    assert!(
        matches!(refused, Err(Refusal::MigrationTrapped(_))),
        "{refused:?}"
    );
    assert_eq!(core.current().hash, hash(&counter()));
    assert_eq!(core.inspect(0).state, "{ count: 2 }");
}

async fn send(instances: &Instances, item: Item) -> tokio::sync::oneshot::Receiver<Reply> {
    instances
        .enqueue("c", item)
        .await
        .expect("the instance runs")
}

/// Through the mailboxes with a store that waits for the disk: the input queued behind the
/// barrier runs on the new version, the swap's reply is out by the time the input's is, and
/// the store brings back the version the push encoded.
#[test]
fn a_pushed_upgrade_replies_in_order_and_its_artifact_is_stored() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let store = Store::open(dir.path(), Durability::Sync).expect("the store opens");
        let instances = Instances::new(
            Limits::default(),
            16,
            Arc::new(store),
            SnapshotPolicy::default(),
        );
        let deployed = instances.push("c", version(&counter()), None).await;
        assert!(matches!(deployed, Ok(Pushed::Deployed(_))));
        let first = send(&instances, Item::Inputs(vec!["Incr(5)".into()])).await;
        let Ok(Pushed::Queued(mut pushed)) =
            instances.push("c", version(&derived_v2()), None).await
        else {
            panic!("an upgrade of a running instance is queued");
        };
        let get = send(&instances, Item::Inputs(vec!["Get".into()])).await;
        let inspected = send(&instances, Item::Inspect).await;
        assert_eq!(first.await, Ok(Reply::Outputs(vec![out("Ok")])));
        assert_eq!(get.await, Ok(Reply::Outputs(vec![out("Value(5)")])));
        let reply = pushed
            .try_recv()
            .expect("the swap was answered before the input after it");
        assert!(
            matches!(reply, Reply::Pushed(Ok(PushOutcome::Upgraded { .. }))),
            "{reply:?}"
        );
        let Ok(Reply::Inspected(report)) = inspected.await else {
            panic!("an inspection is answered");
        };
        assert_eq!(report.state, "{ count: 5, resets: 0 }");
        let pause = report.last_swap.and_then(|s| s.pause_us);
        assert!(
            pause.is_some(),
            "the input behind the barrier ended the pause"
        );
        let closed = instances.close();
        for actor in closed.actors {
            actor.await.expect("an actor ends");
        }
        drop(closed.store);
    });
    let store = Store::open(dir.path(), Durability::Sync).expect("the store reopens");
    let recovered = store
        .recover("c", &Limits::default())
        .expect("the instance recovers");
    let hashes: Vec<_> = recovered.versions.iter().map(|v| v.hash).collect();
    assert_eq!(hashes, vec![hash(&counter()), hash(&derived_v2())]);
    assert_eq!(recovered.turns, 2);
}

fn positions(store: &Store) -> Vec<u64> {
    let log = store.log("c", 0, u64::MAX).expect("the log reads");
    log.iter().map(|(position, _)| *position).collect()
}

/// A staged swap record reaches the store only when submitted, by the journal's next record or
/// by `submit`, and in position order; its `Pending` resolves only then.
#[test]
fn a_staged_swap_record_is_stored_in_order_once_submitted() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Arc::new(Store::open(dir.path(), Durability::Sync).expect("the store opens"));
    let mut core = deployed(&counter());
    let (mut journal, deployed) =
        Journal::deploy(store.clone(), &core, "c", SnapshotPolicy::default());
    deployed.wait().expect("the deploy is durable");
    journal.defer_swap_records();
    let upgraded = core.upgrade(version(&derived_v2()), None, &SystemClock);
    assert!(matches!(upgraded, Ok(PushOutcome::Upgraded { .. })));
    let swap = journal.upgraded(&core, None);
    // Nothing was sent: a barrier behind it resolves without it.
    store.barrier().wait().expect("the barrier resolves");
    assert_eq!(positions(&store), vec![0]);
    // The next record sends the staged one first.
    let outcome = core.input("Incr(2)", &SystemClock);
    let input = journal.input(&core, "Incr(2)", &outcome, None);
    assert_eq!(input.wait().expect("the input is durable"), 2);
    assert_eq!(swap.wait().expect("the swap is durable"), 1);
    assert_eq!(positions(&store), vec![0, 1, 2]);
    let rolled = core.rollback(&SystemClock);
    assert!(rolled.is_ok(), "{rolled:?}");
    let rollback = journal.rolled_back(&core);
    store.barrier().wait().expect("the barrier resolves");
    assert_eq!(positions(&store), vec![0, 1, 2]);
    journal.submit();
    assert_eq!(rollback.wait().expect("the rollback is durable"), 3);
    let log = store.log("c", 1, 3).expect("the log reads");
    assert!(matches!(log[0].1, Record::Upgrade { to } if to == hash(&derived_v2())));
    assert!(matches!(log[2].1, Record::Rollback { to } if to == hash(&counter())));
    drop(journal);
    let recovered = store
        .recover("c", &Limits::default())
        .expect("the instance recovers");
    assert_eq!(recovered.versions.len(), 1);
    assert_eq!(recovered.turns, 1);
}
