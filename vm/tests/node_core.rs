//! The sans-IO node core: inputs as text, upgrades, rollbacks, compare-and-swap and pauses,
//! all without a network, on the hand-built counters of `common`.
#![cfg(feature = "node")]

mod common;

use common::{counter, counter_v2, int_const, seq, state_type, variant};
use quiver_vm::bytecode::encode::encode;
use quiver_vm::bytecode::{Arrow, Artifact, Migration, Site};
use quiver_vm::hash::hash;
use quiver_vm::limits::Limits;
use quiver_vm::node::core::{Clock, InstanceCore, Item, Reply};
use quiver_vm::node::report::{Outcome, PushOutcome, Refusal, SwapKind};
use quiver_vm::node::version::{Version, prepare};
use quiver_vm::prim::Prim;
use quiver_vm::trap::TrapKind;
use quiver_vm::types::{EnumType, Type};
use std::cell::Cell;
use std::time::{Duration, Instant};

/// A clock that moves only when told to.
struct TestClock {
    start: Instant,
    elapsed_us: Cell<u64>,
}

impl TestClock {
    fn new() -> TestClock {
        TestClock {
            start: Instant::now(),
            elapsed_us: Cell::new(0),
        }
    }

    fn advance_us(&self, us: u64) {
        self.elapsed_us.set(self.elapsed_us.get() + us);
    }
}

impl Clock for TestClock {
    fn now(&self) -> Instant {
        self.start + Duration::from_micros(self.elapsed_us.get())
    }
}

fn version(artifact: &Artifact) -> Version {
    prepare(&encode(artifact, None), &Limits::default()).expect("test artifacts verify")
}

fn deployed(artifact: &Artifact) -> InstanceCore {
    InstanceCore::deploy("c", version(artifact), Limits::default()).expect("init is valid")
}

/// Sends each input and checks the printed outcomes.
fn check(core: &mut InstanceCore, inputs: &[&str], expected: &[Outcome]) {
    let clock = TestClock::new();
    let texts = inputs.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        core.handle(Item::Inputs(texts), &clock, 0),
        Reply::Outputs(expected.to_vec())
    );
}

fn out(text: &str) -> Outcome {
    Outcome::Output(text.into())
}

fn state_text(core: &InstanceCore) -> String {
    core.inspect(0).state
}

fn upgrade(core: &mut InstanceCore, next: &Artifact) -> Result<PushOutcome, Refusal> {
    core.upgrade(version(next), None, &TestClock::new())
}

#[test]
fn inputs_are_parsed_by_name_and_outputs_printed() {
    let mut core = deployed(&counter());
    check(
        &mut core,
        &["Incr(5)", "Counter.Input.Decr(2)", "Get"],
        &[out("Ok"), out("Ok"), out("Value(3)")],
    );
    assert_eq!(core.inspect(0).turns, 3);
}

#[test]
fn an_input_that_does_not_parse_is_rejected_without_a_turn() {
    let mut core = deployed(&counter());
    let clock = TestClock::new();
    let Outcome::Rejected(message) = core.input("Jump(1)", &clock) else {
        panic!("expected a rejection");
    };
    assert!(message.starts_with("not a Counter input: "), "{message}");
    assert_eq!(core.inspect(0).turns, 0);
}

#[test]
fn a_trap_is_returned_as_data_and_leaves_the_state_unchanged() {
    let mut core = deployed(&counter());
    check(&mut core, &["Incr(1)"], &[out("Ok")]);
    let clock = TestClock::new();
    let Outcome::Trapped(report) = core.input("Decr(2)", &clock) else {
        panic!("expected a trap");
    };
    assert_eq!(report.trap.kind, TrapKind::InvariantViolated { index: 0 });
    assert_eq!(state_text(&core), "{ count: 1 }");
}

#[test]
fn an_upgrade_migrates_the_state_and_later_inputs_run_on_the_new_version() {
    let mut core = deployed(&counter());
    check(&mut core, &["Incr(5)"], &[out("Ok")]);
    let v2 = counter_v2(None);
    let Ok(PushOutcome::Upgraded { swap }) = upgrade(&mut core, &v2) else {
        panic!("expected an upgrade");
    };
    assert_eq!(
        (swap.kind, swap.from, swap.to),
        (SwapKind::Upgrade, hash(&counter()), hash(&v2))
    );
    assert_eq!(state_text(&core), "{ count: 5, resets: 0 }");
    check(
        &mut core,
        &["Incr(1)", "Get"],
        &[out("Ok"), out("Value(6)")],
    );
    let versions: Vec<_> = core.inspect(0).versions.iter().map(|v| v.hash).collect();
    assert_eq!(versions, vec![hash(&v2), hash(&counter())]);
}

#[test]
fn pushing_the_running_version_is_a_no_op_success() {
    let mut core = deployed(&counter());
    check(&mut core, &["Incr(2)"], &[out("Ok")]);
    let wrong_expect = Some(hash(&counter_v2(None)));
    let outcome = core.upgrade(version(&counter()), wrong_expect, &TestClock::new());
    assert_eq!(
        outcome,
        Ok(PushOutcome::Unchanged {
            hash: hash(&counter())
        })
    );
    assert_eq!(state_text(&core), "{ count: 2 }");
    assert!(core.inspect(0).last_swap.is_none());
}

#[test]
fn a_wrong_expect_is_refused_and_the_old_version_keeps_running() {
    let mut core = deployed(&counter());
    let expected = hash(&counter_v2(None));
    let outcome = core.upgrade(
        version(&counter_v2(None)),
        Some(expected),
        &TestClock::new(),
    );
    assert_eq!(
        outcome,
        Err(Refusal::ExpectMismatch {
            expected,
            running: Some(hash(&counter()))
        })
    );
    assert_eq!(core.current().hash, hash(&counter()));
}

#[test]
fn a_right_expect_lets_the_upgrade_through() {
    let mut core = deployed(&counter());
    let outcome = core.upgrade(
        version(&counter_v2(None)),
        Some(hash(&counter())),
        &TestClock::new(),
    );
    assert!(
        matches!(outcome, Ok(PushOutcome::Upgraded { .. })),
        "{outcome:?}"
    );
}

#[test]
fn a_trapping_migration_leaves_the_old_version_running_with_its_state() {
    let mut core = deployed(&counter());
    check(&mut core, &["Incr(7)"], &[out("Ok")]);
    // { count } -> (count / 0, 0): division by zero.
    let divide = seq(vec![
        Arrow::Fork(vec![Arrow::Proj(0), int_const(0)]),
        Arrow::Prim(Prim::Div, Site::NONE),
    ]);
    let trapping = counter_v2(Some(Arrow::Fork(vec![divide, int_const(0)])));
    let Err(Refusal::MigrationTrapped(report)) = upgrade(&mut core, &trapping) else {
        panic!("expected the migration to trap");
    };
    assert_eq!(report.trap.kind, TrapKind::DivisionByZero);
    assert_eq!(core.current().hash, hash(&counter()));
    check(&mut core, &["Get"], &[out("Value(7)")]);
}

#[test]
fn a_migration_from_another_state_type_is_refused() {
    let mut core = deployed(&counter());
    let mut v2 = counter_v2(None);
    v2.migrate_up = Some(Migration {
        other: Type::Int,
        body: Arrow::Fork(vec![Arrow::Id, int_const(0)]),
    });
    let outcome = upgrade(&mut core, &v2);
    assert_eq!(
        outcome,
        Err(Refusal::StateMismatch {
            declared: Type::Int,
            running: state_type()
        })
    );
}

/// The counter's inputs with `Reset` renamed to `Zero` (same shape, so the step still verifies).
fn input_with_zero_for_reset() -> Type {
    Type::Enum(EnumType {
        name: "Counter.Input".into(),
        variants: vec![
            variant("Incr", vec![Type::Int]),
            variant("Decr", vec![Type::Int]),
            variant("Zero", vec![]),
            variant("Get", vec![]),
        ],
    })
}

#[test]
fn a_new_version_that_drops_an_input_variant_is_refused() {
    let mut core = deployed(&counter());
    let mut v2 = counter_v2(None);
    v2.input = input_with_zero_for_reset();
    let Err(Refusal::InputsIncompatible(message)) = upgrade(&mut core, &v2) else {
        panic!("expected incompatible inputs");
    };
    assert!(
        message.starts_with("input variant `Reset` is gone"),
        "{message}"
    );
    assert_eq!(core.current().hash, hash(&counter()));
}

#[test]
fn an_input_variant_with_other_fields_is_incompatible() {
    use quiver_vm::node::swap::inputs_compatible;
    let Type::Enum(mut retyped) = common::input_type() else {
        unreachable!("the counter's input is an enum")
    };
    retyped.variants[1] = variant("Decr", vec![Type::String]);
    let message = inputs_compatible(&common::input_type(), &Type::Enum(retyped));
    assert_eq!(
        message,
        Err(
            "input variant `Decr` changed its fields from (Int) to (String); add a variant \
             with a new name instead"
                .into()
        )
    );
}

#[test]
fn reordered_and_added_input_variants_are_compatible() {
    use quiver_vm::node::swap::inputs_compatible;
    let old = common::input_type();
    let Type::Enum(mut reordered) = old.clone() else {
        unreachable!("the counter's input is an enum")
    };
    reordered.variants.reverse();
    reordered.variants.push(variant("Double", vec![]));
    assert_eq!(inputs_compatible(&old, &Type::Enum(reordered)), Ok(()));
    assert!(inputs_compatible(&Type::Int, &Type::String).is_err());
}

#[test]
fn a_rollback_goes_back_through_migrate_down() {
    let mut core = deployed(&counter());
    upgrade(&mut core, &counter_v2(None)).expect("upgrade");
    check(&mut core, &["Incr(4)"], &[out("Ok")]);
    let swap = core.rollback(&TestClock::new()).expect("rollback");
    assert_eq!((swap.kind, swap.to), (SwapKind::Rollback, hash(&counter())));
    assert_eq!(state_text(&core), "{ count: 4 }");
    assert_eq!(core.inspect(0).versions.len(), 1);
    assert_eq!(
        core.rollback(&TestClock::new()),
        Err(Refusal::NoPrevious("c".into()))
    );
}

#[test]
fn a_rollback_is_refused_when_the_running_version_has_no_migrate_down() {
    let mut core = deployed(&counter());
    let mut renamed = counter();
    renamed.name = "Counter2".into();
    upgrade(&mut core, &renamed).expect("same state: derived identity migration");
    assert_eq!(
        core.rollback(&TestClock::new()),
        Err(Refusal::NoMigrateDown(hash(&renamed)))
    );
    assert_eq!(core.current().hash, hash(&renamed));
}

#[test]
fn a_rollback_that_breaks_the_previous_invariants_is_refused() {
    let mut core = deployed(&counter());
    let mut v2 = counter_v2(None);
    v2.migrate_down = Some(Migration {
        other: state_type(),
        body: Arrow::Fork(vec![int_const(-1)]),
    });
    upgrade(&mut core, &v2).expect("upgrade");
    let Err(Refusal::MigrationTrapped(report)) = core.rollback(&TestClock::new()) else {
        panic!("expected the previous invariant to fail");
    };
    assert_eq!(report.trap.kind, TrapKind::InvariantViolated { index: 0 });
    assert_eq!(core.current().hash, hash(&v2));
}

#[test]
fn the_pause_runs_from_the_barrier_to_the_first_input_served() {
    let mut core = deployed(&counter());
    let clock = TestClock::new();
    core.upgrade(version(&counter_v2(None)), None, &clock)
        .expect("upgrade");
    assert_eq!(core.inspect(0).last_swap.and_then(|s| s.pause_us), None);
    clock.advance_us(250);
    core.input("Get", &clock);
    clock.advance_us(1000);
    core.input("Get", &clock);
    let swap = core.inspect(0).last_swap.expect("a swap happened");
    assert_eq!((swap.swap_us, swap.pause_us), (0, Some(250)));
}

#[test]
fn going_idle_ends_the_pause() {
    let mut core = deployed(&counter());
    let clock = TestClock::new();
    core.upgrade(version(&counter_v2(None)), None, &clock)
        .expect("upgrade");
    clock.advance_us(40);
    core.idle(&clock);
    clock.advance_us(1000);
    core.input("Get", &clock);
    assert_eq!(core.inspect(0).last_swap.and_then(|s| s.pause_us), Some(40));
}

#[test]
fn corrupted_and_ill_typed_artifacts_are_refused() {
    let mut bytes = encode(&counter(), None);
    bytes.truncate(bytes.len() / 2);
    assert!(matches!(
        prepare(&bytes, &Limits::default()),
        Err(Refusal::Undecodable(_))
    ));
    let mut ill_typed = counter();
    ill_typed.step = Arrow::Proj(7);
    let bytes = encode(&ill_typed, None);
    assert!(matches!(
        prepare(&bytes, &Limits::default()),
        Err(Refusal::Unverified(_))
    ));
}

#[test]
fn an_initial_state_that_breaks_an_invariant_is_refused_at_deploy() {
    let mut broken = counter();
    broken.init = quiver_vm::bytecode::Lit::Tuple(vec![quiver_vm::bytecode::Lit::Int(-3)]);
    let outcome = InstanceCore::deploy("c", version(&broken), Limits::default());
    assert!(matches!(outcome, Err(Refusal::InitRejected(_))));
}
