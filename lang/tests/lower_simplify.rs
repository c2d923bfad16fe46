//! Simplification by the category laws: each law fires where it is sound, and never where it
//! would drop a trap; the result evaluates like the original and is no larger.

mod lower_support;

use lower_support::random::{self, Choices};
use lower_support::*;
use proptest::prelude::*;
use quiver_lang::lower::lower_expr;
use quiver_lang::lower::measure::{may_trap, size};
use quiver_lang::lower::simplify::simplify;
use quiver_vm::bytecode::{Arrow, Lit, Site};
use quiver_vm::prim::Prim;
use quiver_vm::types::Type;
use quiver_vm::value::Value;

/// Simplifies `arrow`, expects `expected`, and checks both evaluate alike on `input`.
fn check(arrow: Arrow, input: Value, expected: Arrow) {
    let simple = simplify(arrow.clone(), &[]);
    assert_eq!(simple, expected);
    assert_eq!(run(&[], &simple, input.clone()), run(&[], &arrow, input));
    assert!(size(&simple) <= size(&arrow));
}

fn int_const(n: i64) -> Arrow {
    Arrow::Const(Type::Int, Lit::Int(n))
}

fn prim(p: Prim) -> Arrow {
    Arrow::Prim(p, Site(0))
}

fn seq(items: Vec<Arrow>) -> Arrow {
    Arrow::Seq(items)
}

fn pair(a: Arrow, b: Arrow) -> Arrow {
    Arrow::Fork(vec![a, b])
}

#[test]
fn identities_and_nested_sequences_disappear() {
    let arrow = seq(vec![
        Arrow::Id,
        seq(vec![Arrow::Proj(1), Arrow::Id]),
        Arrow::Id,
    ]);
    check(
        arrow,
        Value::tuple(vec![Value::Int(1), Value::Int(2)]),
        Arrow::Proj(1),
    );
}

#[test]
fn a_projection_of_a_fork_picks_the_component_when_the_rest_cannot_trap() {
    let arrow = seq(vec![
        pair(Arrow::Id, pair(Arrow::Id, Arrow::Id)),
        Arrow::Proj(0),
    ]);
    check(arrow, Value::Int(3), Arrow::Id);
}

#[test]
fn a_projection_of_a_fork_keeps_a_sibling_that_may_trap() {
    let overflow = seq(vec![pair(Arrow::Id, int_const(1)), prim(Prim::Add)]);
    let arrow = seq(vec![pair(Arrow::Id, overflow), Arrow::Proj(0)]);
    check(arrow.clone(), Value::Int(i64::MAX), arrow);
}

#[test]
fn constants_fold_through_primitives_that_do_not_trap() {
    let arrow = seq(vec![pair(int_const(2), int_const(40)), prim(Prim::Add)]);
    check(arrow, Value::Unit, int_const(42));
}

#[test]
fn a_constant_division_by_zero_is_not_folded_away() {
    let arrow = seq(vec![pair(int_const(1), int_const(0)), prim(Prim::Div)]);
    let folded_operands = seq(vec![
        Arrow::Const(
            Type::Tuple(vec![Type::Int, Type::Int]),
            Lit::Tuple(vec![Lit::Int(1), Lit::Int(0)]),
        ),
        prim(Prim::Div),
    ]);
    check(arrow, Value::Unit, folded_operands);
}

#[test]
fn a_case_of_a_known_injection_takes_its_arm() {
    let option = Type::Option(Box::new(Type::Int));
    let arrow = seq(vec![
        Arrow::Inj {
            sum: option,
            tag: 1,
        },
        Arrow::Case(vec![Arrow::Const(Type::Int, Lit::Int(0)), Arrow::Id]),
    ]);
    check(arrow, Value::Int(8), Arrow::Id);
}

#[test]
fn a_case_of_a_constant_boolean_takes_its_arm() {
    let arrow = seq(vec![
        Arrow::Const(Type::Bool, Lit::Bool(true)),
        Arrow::Case(vec![int_const(0), int_const(1)]),
    ]);
    check(arrow, Value::Unit, int_const(1));
}

#[test]
fn work_before_a_constant_is_dropped_only_when_it_cannot_trap() {
    check(
        seq(vec![Arrow::Proj(0), int_const(5)]),
        Value::tuple(vec![Value::Int(1), Value::Int(2)]),
        int_const(5),
    );
    let negate = seq(vec![prim(Prim::Neg), int_const(5)]);
    check(negate.clone(), Value::Int(i64::MIN), negate);
}

#[test]
fn a_parallel_of_identities_is_the_identity() {
    check(
        Arrow::Par(vec![Arrow::Id, Arrow::Id]),
        Value::tuple(vec![Value::Int(1), Value::Unit]),
        Arrow::Id,
    );
}

#[test]
fn a_fork_of_every_projection_after_a_fork_of_the_same_arity_is_dropped() {
    let first = pair(prim(Prim::Neg), Arrow::Id);
    let arrow = seq(vec![first.clone(), pair(Arrow::Proj(0), Arrow::Proj(1))]);
    check(arrow, Value::Int(4), first);
}

#[test]
fn a_call_of_a_definition_that_may_trap_is_kept() {
    let arrow = seq(vec![pair(Arrow::Id, Arrow::Call(0)), Arrow::Proj(0)]);
    assert_eq!(simplify(arrow.clone(), &[true]), arrow);
    assert_eq!(simplify(arrow, &[false]), Arrow::Id);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Lowered random expressions are full of forks, projections, constants and cases to
    /// rewrite; a trap of the original must survive, and the value must not change.
    #[test]
    fn simplification_keeps_values_and_traps_and_never_grows(
        choices in proptest::collection::vec(any::<u8>(), 0..200),
        x in prop_oneof![Just(i64::MAX), Just(i64::MIN), Just(0i64), -3i64..3],
    ) {
        let mut env = vec![Type::Int];
        let expr = random::expr(&mut Choices::new(choices), &Type::Int, &mut env, 6);
        let fns = random::fns();
        let defs = defs_of(&fns);
        let def_may_trap: Vec<bool> = defs.iter().map(|d| may_trap(&d.body, &[])).collect();
        let arrow = lower_expr(&expr, &[Type::Int]);
        let simple = simplify(arrow.clone(), &def_may_trap);
        prop_assert!(size(&simple) <= size(&arrow));
        prop_assert_eq!(run(&defs, &simple, Value::Int(x)), run(&defs, &arrow, Value::Int(x)));
        prop_assert_eq!(simplify(simple.clone(), &def_may_trap), simple);
    }
}
