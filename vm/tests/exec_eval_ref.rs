//! The reference evaluator on the hand-built counter: values, traps with sites, invariants
//! and fuel.

mod common;

use common::*;
use quiver_vm::bytecode::{Arrow, Site};
use quiver_vm::eval_ref;
use quiver_vm::trap::{Trap, TrapKind};
use quiver_vm::value::Value;

fn check(input: Value, state: i64, expected: Result<(Value, Value), Trap>) {
    let got = eval_ref::step(&counter(), input, count_state(state), 10_000);
    assert_eq!(got, expected);
}

#[test]
fn incr_adds_through_a_call_and_answers_ok() {
    check(incr(5), 2, Ok((count_state(7), ok())));
}

#[test]
fn get_answers_the_count_and_keeps_the_state() {
    check(get(), 3, Ok((count_state(3), value_output(3))));
}

#[test]
fn reset_zeroes_the_count() {
    check(reset(), 9, Ok((count_state(0), ok())));
}

#[test]
fn overflow_traps_at_the_site_of_the_primitive_inside_the_call() {
    check(
        incr(1),
        i64::MAX,
        Err(Trap::new(TrapKind::Overflow, ADD_SITE)),
    );
}

#[test]
fn a_violated_invariant_traps_with_its_index_and_site() {
    let kind = TrapKind::InvariantViolated { index: 0 };
    check(decr(5), 2, Err(Trap::new(kind, INVARIANT_SITE)));
}

#[test]
fn running_out_of_fuel_traps() {
    let got = eval_ref::step(&counter(), incr(1), count_state(0), 5);
    assert_eq!(got, Err(Trap::new(TrapKind::OutOfFuel, Site::NONE)));
}

#[test]
fn each_node_visited_costs_one_unit_of_fuel() {
    let arrow = seq(vec![Arrow::Id, Arrow::Id]);
    let mut fuel = 10;
    let got = eval_ref::eval(&[], &arrow, Value::Int(1), &mut fuel);
    assert_eq!(got, Ok(Value::Int(1)));
    assert_eq!(fuel, 7);
}

#[test]
fn distl_on_a_bool_pairs_the_environment_with_unit() {
    let mut fuel = 10;
    let input = Value::tuple(vec![Value::Int(4), Value::Bool(true)]);
    let got = eval_ref::eval(&[], &Arrow::Distl, input, &mut fuel);
    let expected = Value::variant(1, Value::tuple(vec![Value::Int(4), Value::Unit]));
    assert_eq!(got, Ok(expected));
}

#[test]
fn nesting_past_the_bound_traps_instead_of_overflowing_the_stack() {
    let mut arrow = Arrow::Id;
    for _ in 0..eval_ref::NESTING_MAX + 10 {
        arrow = seq(vec![arrow]);
    }
    let mut fuel = u64::MAX;
    let got = eval_ref::eval(&[], &arrow, Value::Unit, &mut fuel);
    assert!(matches!(
        got,
        Err(Trap {
            kind: TrapKind::LimitExceeded(_),
            ..
        })
    ));
}
