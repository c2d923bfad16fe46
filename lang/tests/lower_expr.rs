//! Lowered expressions evaluate (with the VM's reference evaluator) to what a direct
//! interpreter of the typed IR says, traps included; simplification keeps that.

mod lower_support;

use lower_support::random::{self, Choices};
use lower_support::*;
use proptest::prelude::*;
use quiver_lang::lower::measure::{depth, may_trap, size};
use quiver_lang::lower::simplify::simplify;
use quiver_lang::lower::{lower_expr, try_lower_expr};
use quiver_vm::bytecode::Arrow;
use quiver_vm::prim::Prim;
use quiver_vm::trap::TrapKind;
use quiver_vm::types::Type;
use quiver_vm::value::Value;
use quiver_vm::verify::{self, same_shape};

/// Lowers `expr` over variables of `types` holding `values`, and checks that the arrow, the
/// simplified arrow and the IR interpreter all give `expected`.
fn check(expr: &Expr, types: &[Type], values: Vec<Value>, expected: Result<Value, TrapKind>) {
    let fns = random::fns();
    let defs = defs_of(&fns);
    let direct = interpret(&fns, expr, &mut values.clone());
    assert_eq!(
        direct, expected,
        "the IR interpreter disagrees with the test"
    );
    let input = pack(values);
    let env_type = packed_type(types);
    let arrow = lower_expr(expr, types);
    let def_may_trap: Vec<bool> = defs.iter().map(|d| may_trap(&d.body, &[])).collect();
    let simple = simplify(arrow.clone(), &def_may_trap);
    for (what, arrow) in [("lowered", &arrow), ("simplified", &simple)] {
        let inferred = verify::infer(&defs, arrow, &env_type)
            .unwrap_or_else(|e| panic!("{what} arrow does not verify: {e}\n{}", shown(arrow)));
        assert!(
            same_shape(&inferred, &expr.ty),
            "{what} to {inferred}: {}",
            shown(arrow)
        );
        let result = run(&defs, arrow, input.clone());
        assert_eq!(result, expected, "{what}: {}", shown(arrow));
    }
    assert!(size(&simple) <= size(&arrow));
}

use quiver_lang::tir::Expr;

/// An arrow for a failure message, cut short when it is large.
fn shown(arrow: &Arrow) -> String {
    let text = format!("{arrow:?}");
    text.chars().take(2000).collect()
}

#[test]
fn addition_of_two_variables_adds() {
    let sum = prim(Prim::Add, vec![var(0, Type::Int), var(1, Type::Int)]);
    check(
        &sum,
        &[Type::Int, Type::Int],
        vec![Value::Int(2), Value::Int(40)],
        Ok(Value::Int(42)),
    );
}

#[test]
fn overflowing_addition_traps() {
    let sum = prim(Prim::Add, vec![var(0, Type::Int), int(1)]);
    check(
        &sum,
        &[Type::Int],
        vec![Value::Int(i64::MAX)],
        Err(TrapKind::Overflow),
    );
}

#[test]
fn division_by_zero_traps_even_when_its_value_is_unused() {
    let quotient = prim(Prim::Div, vec![int(1), int(0)]);
    let pair = tuple(
        vec![quotient, int(5)],
        Type::Tuple(vec![Type::Int, Type::Int]),
    );
    check(
        &proj(pair, 1, Type::Int),
        &[],
        vec![],
        Err(TrapKind::DivisionByZero),
    );
}

#[test]
fn lets_bind_in_order_and_shadow_nothing() {
    // let a = x + 1; let b = a * 2; b - x
    let body = let_(
        prim(Prim::Add, vec![var(0, Type::Int), int(1)]),
        let_(
            prim(Prim::Mul, vec![var(1, Type::Int), int(2)]),
            prim(Prim::Sub, vec![var(2, Type::Int), var(0, Type::Int)]),
        ),
    );
    check(
        &body,
        &[Type::Int],
        vec![Value::Int(10)],
        Ok(Value::Int(12)),
    );
}

#[test]
fn a_thousand_lets_lower_to_a_shallow_arrow() {
    let mut body = var(1000, Type::Int);
    for level in (1..=1000).rev() {
        body = let_(
            prim(Prim::Add, vec![var(level - 1, Type::Int), int(1)]),
            body,
        );
    }
    check(
        &body,
        &[Type::Int],
        vec![Value::Int(0)],
        Ok(Value::Int(1000)),
    );
    assert!(depth(&lower_expr(&body, &[Type::Int])) < 10);
    let size = size(&lower_expr(&body, &[Type::Int]));
    assert!(size < 100_000, "a thousand lets took {size} nodes");
}

#[test]
fn if_takes_the_true_arm_as_tag_one() {
    let cond = prim(Prim::Lt, vec![var(0, Type::Int), int(0)]);
    let abs = match_(
        cond,
        vec![var(0, Type::Int), prim(Prim::Neg, vec![var(0, Type::Int)])],
    );
    check(&abs, &[Type::Int], vec![Value::Int(-4)], Ok(Value::Int(4)));
    check(&abs, &[Type::Int], vec![Value::Int(3)], Ok(Value::Int(3)));
}

#[test]
fn match_on_an_option_binds_the_payload_of_some() {
    let option = Type::Option(Box::new(Type::Int));
    let unwrap = match_(var(0, option.clone()), vec![int(-1), var(2, Type::Int)]);
    let types = [option, Type::Int];
    check(
        &unwrap,
        &types,
        vec![Value::variant(1, Value::Int(9)), Value::Int(0)],
        Ok(Value::Int(9)),
    );
    check(
        &unwrap,
        &types,
        vec![Value::variant(0, Value::Unit), Value::Int(0)],
        Ok(Value::Int(-1)),
    );
}

#[test]
fn match_on_an_enum_sees_outer_variables_and_tuple_payloads() {
    let shape = random::shape();
    let rect = Type::Tuple(vec![Type::Int, Type::Int]);
    let area = match_(
        var(1, shape.clone()),
        vec![
            var(0, Type::Int),
            prim(Prim::Mul, vec![var(2, Type::Int), var(2, Type::Int)]),
            prim(
                Prim::Mul,
                vec![
                    proj(var(2, rect.clone()), 0, Type::Int),
                    proj(var(2, rect), 1, Type::Int),
                ],
            ),
        ],
    );
    let types = [Type::Int, shape];
    let rect_value = Value::variant(2, Value::tuple(vec![Value::Int(3), Value::Int(4)]));
    check(
        &area,
        &types,
        vec![Value::Int(0), rect_value],
        Ok(Value::Int(12)),
    );
    check(
        &area,
        &types,
        vec![Value::Int(5), Value::variant(0, Value::Unit)],
        Ok(Value::Int(5)),
    );
}

#[test]
fn calls_pack_arguments_by_the_calling_convention() {
    let both = prim(
        Prim::Add,
        vec![
            call(0, vec![int(2), int(1)], Type::Int),
            call(1, vec![], Type::Int),
        ],
    );
    check(&both, &[], vec![], Ok(Value::Int(14)));
    let positive = call(2, vec![var(0, Type::Int)], Type::Bool);
    check(
        &positive,
        &[Type::Int],
        vec![Value::Int(-3)],
        Ok(Value::Bool(false)),
    );
}

#[test]
fn injecting_into_bool_gives_a_boolean() {
    check(
        &inj(1, unit(), Type::Bool),
        &[],
        vec![],
        Ok(Value::Bool(true)),
    );
}

#[test]
fn a_failed_assert_traps() {
    let assert = prim(
        Prim::Assert,
        vec![prim(Prim::Lt, vec![var(0, Type::Int), int(0)])],
    );
    check(
        &assert,
        &[Type::Int],
        vec![Value::Int(1)],
        Err(TrapKind::AssertFailed),
    );
}

#[test]
fn a_variable_out_of_scope_is_an_internal_error_not_a_panic() {
    let errors = try_lower_expr(&var(3, Type::Int), &[Type::Int]).expect_err("level 3 is unbound");
    assert_eq!(errors[0].code, "E0590");
    assert_eq!(
        lower_expr(&var(3, Type::Int), &[Type::Int]),
        Arrow::Call(u32::MAX)
    );
}

#[test]
fn nesting_past_the_bound_is_reported_not_overflowed() {
    let mut deep = int(0);
    for _ in 0..5000 {
        deep = prim(Prim::Neg, vec![deep]);
    }
    let errors = try_lower_expr(&deep, &[]).expect_err("5000 nested negations are too deep");
    assert_eq!(errors[0].code, "E0501");
    std::mem::forget(deep); // dropping 5000 nested boxes recursively is the IR's own concern
}

fn env_types() -> Vec<Type> {
    vec![Type::Int, Type::Bool, random::shape(), Type::Int]
}

fn env_values() -> impl Strategy<Value = Vec<Value>> {
    let int = prop_oneof![Just(i64::MAX), Just(i64::MIN), -5i64..5, any::<i64>()];
    let shape = prop_oneof![
        Just(Value::variant(0, Value::Unit)),
        (-3i64..3).prop_map(|n| Value::variant(1, Value::Int(n))),
        (-3i64..3, -3i64..3)
            .prop_map(|(a, b)| Value::variant(2, Value::tuple(vec![Value::Int(a), Value::Int(b)]))),
    ];
    (int.clone(), any::<bool>(), shape, int)
        .prop_map(|(a, b, s, d)| vec![Value::Int(a), Value::Bool(b), s, Value::Int(d)])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_expressions_lower_to_what_the_ir_means(
        choices in proptest::collection::vec(any::<u8>(), 0..160),
        values in env_values(),
        result_choice in 0usize..6,
    ) {
        let ty = random::types()[result_choice].clone();
        let mut types = env_types();
        let expr = random::expr(&mut Choices::new(choices), &ty, &mut types, 5);
        let expected = interpret(&random::fns(), &expr, &mut values.clone());
        check(&expr, &env_types(), values, expected);
    }
}
