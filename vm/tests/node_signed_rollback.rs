//! The rollback a signature authorised (`Item::RollbackFrom`): it runs only from the signed
//! running version back to the signed target, on the hand-built counters of `common`.
#![cfg(feature = "node")]

mod common;

use common::{counter, counter_v2};
use quiver_vm::bytecode::Artifact;
use quiver_vm::bytecode::encode::encode;
use quiver_vm::hash::{Hash, hash};
use quiver_vm::limits::Limits;
use quiver_vm::node::core::{InstanceCore, Item, Reply, SystemClock};
use quiver_vm::node::report::Refusal;
use quiver_vm::node::version::{Version, prepare};

fn version(artifact: &Artifact) -> Version {
    prepare(&encode(artifact, None), &Limits::default()).expect("test artifacts verify")
}

/// `counter` upgraded to `counter_v2`: v2 runs, v1 is what rollback returns to.
fn upgraded() -> InstanceCore {
    let mut core =
        InstanceCore::deploy("c", version(&counter()), Limits::default()).expect("init is valid");
    core.upgrade(version(&counter_v2(None)), None, &SystemClock)
        .expect("upgrade");
    core
}

fn rollback_from(core: &mut InstanceCore, running: Hash, to: Hash) -> Reply {
    core.handle(Item::RollbackFrom { running, to }, &SystemClock, 0)
}

#[test]
fn a_signed_rollback_from_the_running_to_the_previous_version_commits() {
    let (v1, v2) = (hash(&counter()), hash(&counter_v2(None)));
    let mut core = upgraded();
    let Reply::RolledBack(Ok(swap)) = rollback_from(&mut core, v2, v1) else {
        panic!("the rollback commits");
    };
    assert_eq!((swap.from, swap.to, core.current().hash), (v2, v1, v1));
}

#[test]
fn a_signed_rollback_from_a_version_that_no_longer_runs_is_refused() {
    let (v1, v2) = (hash(&counter()), hash(&counter_v2(None)));
    let mut core = upgraded();
    assert_eq!(
        rollback_from(&mut core, v1, v1),
        Reply::RolledBack(Err(Refusal::ExpectMismatch {
            expected: v1,
            running: Some(v2)
        }))
    );
    assert_eq!(core.current().hash, v2);
}

#[test]
fn a_signed_rollback_to_another_version_than_the_previous_is_refused() {
    let (v1, v2) = (hash(&counter()), hash(&counter_v2(None)));
    let other = Hash([7; 32]);
    let mut core = upgraded();
    assert_eq!(
        rollback_from(&mut core, v2, other),
        Reply::RolledBack(Err(Refusal::RollbackTargetMismatch {
            instance: "c".into(),
            signed: other,
            previous: v1
        }))
    );
    assert_eq!(core.current().hash, v2);
}
