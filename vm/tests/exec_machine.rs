//! Machine instances on the hand-built counter: turns, atomicity on traps, invariants, fuel,
//! input checking and upgrades (explicit, derived, failing).

mod common;

use common::*;
use quiver_vm::bytecode::{Arrow, Artifact, Def, Lit, Site};
use quiver_vm::eval_ref;
use quiver_vm::interp::{Loaded, load};
use quiver_vm::limits::Limits;
use quiver_vm::machine::{Instance, UpgradeError};
use quiver_vm::trap::{Trap, TrapKind};
use quiver_vm::types::Type;
use quiver_vm::value::Value;
use quiver_vm::verify::verify;
use std::sync::Arc;

fn loaded(artifact: Artifact) -> Arc<Loaded> {
    match verify(artifact, &Limits::default()) {
        Ok(program) => Arc::new(load(program)),
        Err(err) => panic!("fixture should verify: {err}"),
    }
}

fn counter_at(count: i64) -> Instance {
    let mut machine = Instance::new(loaded(counter()));
    if count > 0 {
        assert_eq!(machine.turn(incr(count)), Ok(ok()));
    }
    machine
}

#[test]
fn turns_change_the_state_and_are_counted() {
    let mut machine = Instance::new(loaded(counter()));
    assert_eq!(machine.state(), &count_state(0));
    assert_eq!(machine.turn(incr(3)), Ok(ok()));
    assert_eq!(machine.turn(incr(4)), Ok(ok()));
    assert_eq!(machine.turn(get()), Ok(value_output(7)));
    assert_eq!(machine.state(), &count_state(7));
    assert_eq!(machine.turns(), 3);
}

#[test]
fn a_trapped_turn_leaves_the_state_as_it_was() {
    let mut machine = counter_at(5);
    let trap = machine.turn(incr(i64::MAX));
    assert_eq!(trap, Err(Trap::new(TrapKind::Overflow, ADD_SITE)));
    assert_eq!(machine.state(), &count_state(5));
    assert_eq!(machine.turns(), 1);
}

#[test]
fn a_violated_invariant_rejects_the_turn() {
    let mut machine = counter_at(2);
    let kind = TrapKind::InvariantViolated { index: 0 };
    assert_eq!(machine.turn(decr(3)), Err(Trap::new(kind, INVARIANT_SITE)));
    assert_eq!(machine.state(), &count_state(2));
    assert_eq!(machine.turn(decr(2)), Ok(ok()));
    assert_eq!(machine.state(), &count_state(0));
}

#[test]
fn a_turn_that_runs_out_of_fuel_traps_and_changes_nothing() {
    let limits = Limits {
        fuel_turn: 4,
        ..Limits::default()
    };
    let mut machine = Instance::with_limits(loaded(counter()), &limits);
    let trap = machine.turn(incr(1));
    assert_eq!(trap, Err(Trap::new(TrapKind::OutOfFuel, Site::NONE)));
    assert_eq!(machine.state(), &count_state(0));
    assert_eq!(machine.turns(), 0);
}

#[test]
fn an_input_of_the_wrong_type_is_refused() {
    let mut machine = counter_at(1);
    let wrong = Value::variant(0, Value::str("five"));
    let result = machine.turn(wrong);
    assert!(
        matches!(&result, Err(Trap { kind: TrapKind::LimitExceeded(m), .. })
            if m == "the input is not a value of type Counter.Input"),
        "{result:?}"
    );
    assert_eq!(machine.state(), &count_state(1));
}

#[test]
fn the_interpreter_agrees_with_the_reference_on_a_run_of_turns() {
    let program = loaded(counter());
    let inputs = [
        incr(4),
        decr(1),
        get(),
        decr(9),
        incr(i64::MAX),
        reset(),
        incr(2),
        get(),
    ];
    let mut state = program.init();
    for input in inputs {
        let fast = program.step(input.clone(), &state, 10_000);
        let reference = eval_ref::step(&counter(), input, state.clone(), 10_000);
        assert_eq!(fast, reference);
        if let Ok((next, _)) = fast {
            state = next;
        }
    }
    assert_eq!(state, count_state(2));
}

#[test]
fn an_upgrade_runs_the_declared_migration() {
    let mut machine = counter_at(5);
    let result = machine.upgrade(loaded(counter_v2(None)), &Limits::default());
    assert_eq!(result, Ok(()));
    let expected = Value::tuple(vec![Value::Int(5), Value::Int(0)]);
    assert_eq!(machine.state(), &expected);
    assert_eq!(machine.turn(incr(1)), Ok(ok()));
    assert_eq!(
        machine.state(),
        &Value::tuple(vec![Value::Int(6), Value::Int(0)])
    );
}

#[test]
fn an_upgrade_without_a_migration_derives_one_from_the_initial_state() {
    let mut v2 = counter_v2(None);
    v2.migrate_up = None;
    v2.init = Lit::Tuple(vec![Lit::Int(0), Lit::Int(3)]);
    let mut machine = counter_at(5);
    assert_eq!(machine.upgrade(loaded(v2), &Limits::default()), Ok(()));
    let expected = Value::tuple(vec![Value::Int(5), Value::Int(3)]);
    assert_eq!(machine.state(), &expected);
}

#[test]
fn a_migration_that_violates_an_invariant_keeps_the_old_version_running() {
    let negative = Arrow::Fork(vec![int_const(-1), int_const(0)]);
    let mut machine = counter_at(5);
    let old_program = Arc::clone(machine.program());
    let result = machine.upgrade(loaded(counter_v2(Some(negative))), &Limits::default());
    let kind = TrapKind::InvariantViolated { index: 0 };
    assert_eq!(
        result,
        Err(UpgradeError::Trapped(Trap::new(kind, INVARIANT_SITE)))
    );
    assert!(Arc::ptr_eq(machine.program(), &old_program));
    assert_eq!(machine.state(), &count_state(5));
}

#[test]
fn a_migration_from_another_state_shape_is_refused() {
    let mut v2 = counter_v2(None);
    if let Some(up) = &mut v2.migrate_up {
        up.other = Type::Int;
        up.body = Arrow::Fork(vec![Arrow::Id, int_const(0)]);
    }
    let mut machine = counter_at(5);
    let err = machine.upgrade(loaded(v2), &Limits::default()).err();
    let message = err.map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(
        message,
        "the new version migrates from state Int, but the running state is { count: Int }; \
         declare `migrate(old: { count: Int })` in the new version"
    );
    assert_eq!(machine.state(), &count_state(5));
}

#[test]
fn an_upgrade_that_cannot_be_derived_names_the_blocking_field() {
    let v3 = Artifact {
        state: record(&[("total", Type::Int)]),
        migrate_up: None,
        migrate_down: None,
        ..counter()
    };
    let mut machine = counter_at(5);
    let err = machine.upgrade(loaded(v3), &Limits::default()).err();
    let message = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.starts_with("cannot derive a migration: field `count` of the old state"),
        "{message}"
    );
    assert_eq!(machine.state(), &count_state(5));
}

#[test]
fn migrate_down_goes_back_to_the_old_state() {
    let v2 = loaded(counter_v2(None));
    let state = Value::tuple(vec![Value::Int(4), Value::Int(2)]);
    assert_eq!(v2.migrate_down(state, 1000), Ok(count_state(4)));
}

#[test]
fn the_deepest_nesting_the_verifier_allows_runs_without_overflowing_the_stack() {
    // Four defs of 250 nested `Seq`s each, calling the previous: about 1000 levels in all.
    let mut defs = Vec::new();
    for k in 0..4u32 {
        let mut body = if k == 0 {
            Arrow::Prim(quiver_vm::prim::Prim::Neg, Site(9))
        } else {
            Arrow::Call(k - 1)
        };
        for _ in 0..250 {
            body = seq(vec![body, Arrow::Id]);
        }
        defs.push(Def {
            name: format!("deep{k}"),
            input: Type::Int,
            output: Type::Int,
            body,
        });
    }
    let deep_state = Arrow::Fork(vec![seq(vec![
        Arrow::Proj(1),
        Arrow::Proj(0),
        Arrow::Call(3),
    ])]);
    let step = Arrow::Fork(vec![deep_state, ok_output()]);
    let artifact = Artifact {
        defs,
        step,
        invariants: vec![],
        ..counter()
    };
    let program = loaded(artifact.clone());
    let state = count_state(i64::MIN);
    let expected = Err(Trap::new(TrapKind::Overflow, Site(9)));
    assert_eq!(program.step(get(), &state, 1_000_000), expected);
    assert_eq!(eval_ref::step(&artifact, get(), state, 1_000_000), expected);
    assert_eq!(
        program.step(get(), &count_state(3), 1_000_000),
        Ok((count_state(-3), ok()))
    );
}

#[test]
fn a_migration_body_is_charged_fuel() {
    let v2 = loaded(counter_v2(None));
    let result = v2.migrate_up(count_state(1), 2);
    assert_eq!(result, Err(Trap::new(TrapKind::OutOfFuel, Site::NONE)));
}
