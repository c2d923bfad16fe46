//! The verifier accepts the hand-built counter and rejects a minimally broken artifact for
//! each rule, with a message that says where.

mod common;

use common::*;
use quiver_vm::bytecode::{Arrow, Artifact, Def, Lit, Migration, Site};
use quiver_vm::limits::Limits;
use quiver_vm::prim::Prim;
use quiver_vm::types::Type;
use quiver_vm::verify::{self, verify};

fn check(artifact: Artifact, expected: &str) {
    match verify(artifact, &Limits::default()) {
        Ok(_) => panic!("the artifact verified, expected: {expected}"),
        Err(err) => assert_eq!(err.to_string(), expected),
    }
}

/// The counter with its step replaced.
fn with_step(step: Arrow) -> Artifact {
    Artifact { step, ..counter() }
}

/// The counter whose `Get` arm (step.2.case[3]) is replaced.
fn with_get_arm(arm: Arrow) -> Artifact {
    let mut artifact = counter();
    if let Arrow::Seq(items) = &mut artifact.step
        && let Some(Arrow::Case(arms)) = items.get_mut(2)
    {
        arms[3] = arm;
    }
    artifact
}

fn pair_type() -> Type {
    Type::Tuple(vec![Type::Int, Type::Int])
}

#[test]
fn the_counter_verifies() {
    let program = verify(counter(), &Limits::default());
    assert!(program.is_ok(), "{program:?}");
}

#[test]
fn counter_v2_with_its_migrations_verifies() {
    let program = verify(counter_v2(None), &Limits::default());
    assert!(program.is_ok(), "{program:?}");
}

#[test]
fn a_projection_out_of_range_is_rejected_with_its_path() {
    let arm = seq(vec![Arrow::Proj(3)]);
    check(
        with_get_arm(arm),
        "in the step, at step.2.case[3].0: projection 3 out of range of a 2-component product",
    );
}

#[test]
fn a_projection_of_a_non_product_is_rejected() {
    check(
        with_step(seq(vec![Arrow::Proj(0), Arrow::Proj(0)])),
        "in the step, at step.1: projection 0 of Counter.Input, which is not a product",
    );
}

#[test]
fn a_par_of_the_wrong_arity_is_rejected() {
    check(
        with_step(Arrow::Par(vec![Arrow::Id])),
        "in the step, at step: parallel of 1 arrows on (Counter.Input, { count: Int }), \
         which is not a 1-component product",
    );
}

#[test]
fn an_injection_tag_out_of_range_is_rejected() {
    let arm = Arrow::Fork(vec![
        Arrow::Proj(0),
        seq(vec![
            Arrow::Fork(vec![]),
            Arrow::Inj {
                sum: output_type(),
                tag: 2,
            },
        ]),
    ]);
    check(
        with_get_arm(arm),
        "in the step, at step.2.case[3].fork[1].1: injection tag 2 out of range of the 2 cases \
         of Counter.Output",
    );
}

#[test]
fn an_injection_of_the_wrong_payload_is_rejected() {
    let arm = Arrow::Fork(vec![
        Arrow::Proj(0),
        Arrow::Inj {
            sum: output_type(),
            tag: 1,
        },
    ]);
    check(
        with_get_arm(arm),
        "in the step, at step.2.case[3].fork[1]: injection into case 1 of Counter.Output \
         expects Int, found ({ count: Int }, Unit)",
    );
}

#[test]
fn a_case_with_too_few_arms_is_rejected() {
    let mut artifact = counter();
    if let Arrow::Seq(items) = &mut artifact.step
        && let Some(Arrow::Case(arms)) = items.get_mut(2)
    {
        arms.pop();
    }
    check(
        artifact,
        "in the step, at step.2: case has 3 arms for a sum of 4 cases",
    );
}

#[test]
fn case_arms_of_different_shapes_are_rejected() {
    check(
        with_get_arm(int_const(1)),
        "in the step, at step.2: case arm 3 gives Int, but arm 0 gives ((Int), Counter.Output)",
    );
}

#[test]
fn distl_on_a_pair_without_a_sum_is_rejected() {
    check(
        with_step(seq(vec![
            Arrow::Fork(vec![Arrow::Proj(1), Arrow::Proj(1)]),
            Arrow::Distl,
        ])),
        "in the step, at step.1: distl on a pair whose second component { count: Int } is not a sum",
    );
}

#[test]
fn a_constant_that_does_not_match_its_type_is_rejected() {
    let arm = Arrow::Fork(vec![
        Arrow::Proj(0),
        Arrow::Const(output_type(), Lit::Variant(1, Box::new(Lit::Bool(true)))),
    ]);
    check(
        with_get_arm(arm),
        "in the step, at step.2.case[3].fork[1]: constant at .variant[1] should be of type Int, \
         found a bool",
    );
}

#[test]
fn a_map_constant_with_unsorted_keys_is_rejected() {
    let map = Type::Map(Box::new(Type::Int), Box::new(Type::Unit));
    let lit = Lit::Map(vec![(Lit::Int(2), Lit::Unit), (Lit::Int(1), Lit::Unit)]);
    check(
        with_step(seq(vec![Arrow::Const(map, lit)])),
        "in the step, at step.0: map constant keys must be strictly ascending, but key 1 is not \
         above key 0",
    );
}

#[test]
fn a_primitive_on_the_wrong_argument_types_is_rejected() {
    let invariant_body = seq(vec![
        Arrow::Fork(vec![
            Arrow::Proj(0),
            Arrow::Const(Type::Bool, Lit::Bool(true)),
        ]),
        Arrow::Prim(Prim::Ge, Site::NONE),
    ]);
    let mut artifact = counter();
    artifact.invariants[0].body = invariant_body;
    check(
        artifact,
        "in invariant 0, at invariant[0].1: argument 2 of `ge` should be Int, found Bool",
    );
}

#[test]
fn a_primitive_given_too_few_arguments_is_rejected() {
    let mut artifact = counter();
    artifact.invariants[0].body = Arrow::Prim(Prim::Add, Site::NONE);
    check(
        artifact,
        "in invariant 0, at invariant[0]: `add` takes its 2 arguments as a 2-component product, \
         found { count: Int }",
    );
}

#[test]
fn a_def_calling_itself_is_rejected() {
    let mut artifact = counter();
    artifact.defs[0].body = Arrow::Call(0);
    check(
        artifact,
        "in def `add`, at body: def 0 may only call defs with a smaller index, found call 0",
    );
}

#[test]
fn a_call_out_of_range_is_rejected() {
    check(
        with_get_arm(Arrow::Call(7)),
        "in the step, at step.2.case[3]: call 7 out of range of the 1 defs",
    );
}

#[test]
fn a_call_with_the_wrong_input_is_rejected() {
    check(
        with_get_arm(Arrow::Call(0)),
        "in the step, at step.2.case[3]: call of def `add` expects (Int, Int), found ({ count: Int }, Unit)",
    );
}

#[test]
fn a_def_whose_body_does_not_give_its_output_is_rejected() {
    let mut artifact = counter();
    artifact.defs.push(Def {
        name: "wrong".into(),
        input: pair_type(),
        output: Type::Bool,
        body: Arrow::Prim(Prim::Add, Site::NONE),
    });
    check(
        artifact,
        "in def `wrong`, at body: gives Int, but the def declares Bool",
    );
}

#[test]
fn a_step_that_gives_the_wrong_type_is_rejected() {
    check(
        with_step(Arrow::Id),
        "in the step, at step: gives (Counter.Input, { count: Int }), but it should give \
         ({ count: Int }, Counter.Output)",
    );
}

#[test]
fn an_invariant_that_is_not_a_bool_is_rejected() {
    let mut artifact = counter();
    artifact.invariants[0].body = Arrow::Proj(0);
    check(
        artifact,
        "in invariant 0, at invariant[0]: gives Int, but it should give Bool",
    );
}

#[test]
fn a_migration_to_the_wrong_state_is_rejected() {
    check(
        counter_v2(Some(Arrow::Id)),
        "in migrate_up, at migrate_up: gives { count: Int }, but it should give \
         { count: Int, resets: Int }",
    );
}

#[test]
fn a_down_migration_to_the_wrong_state_is_rejected() {
    let mut artifact = counter_v2(None);
    artifact.migrate_down = Some(Migration {
        other: state_type(),
        body: Arrow::Id,
    });
    check(
        artifact,
        "in migrate_down, at migrate_down: gives { count: Int, resets: Int }, but it should \
         give { count: Int }",
    );
}

#[test]
fn an_initial_state_of_the_wrong_type_is_rejected() {
    let artifact = Artifact {
        init: Lit::Int(0),
        ..counter()
    };
    check(
        artifact,
        "in the artifact: the initial state: constant should be of type { count: Int }, found \
         an integer",
    );
}

#[test]
fn an_arrow_nested_past_the_depth_limit_is_rejected() {
    let mut step = counter().step;
    for _ in 0..300 {
        step = seq(vec![step]);
    }
    let artifact = with_step(step);
    let err = verify(artifact, &Limits::default()).err();
    let message = err.map(|e| e.message).unwrap_or_default();
    assert_eq!(message, "arrow nested deeper than the limit of 256 levels");
}

#[test]
fn too_many_defs_are_rejected() {
    let limits = Limits {
        defs_max: 0,
        ..Limits::default()
    };
    let err = verify(counter(), &limits).err().map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("in the artifact: 1 defs, more than the limit of 0")
    );
}

#[test]
fn a_long_chain_of_forks_cannot_build_an_arbitrarily_deep_type() {
    let forks = seq(vec![Arrow::Fork(vec![Arrow::Id]); 300]);
    let err = verify::infer(&[], &forks, &Type::Int).err();
    let message = err.map(|e| e.message).unwrap_or_default();
    assert_eq!(message, "the type built here nests deeper than 256 levels");
}

#[test]
fn calls_that_nest_too_deeply_in_total_are_rejected() {
    // Each def wraps the previous one's call in 200 levels: 10 defs nest 2000 levels.
    let mut defs = Vec::new();
    for k in 0..10u32 {
        let mut body = if k == 0 {
            Arrow::Id
        } else {
            Arrow::Call(k - 1)
        };
        for _ in 0..200 {
            body = seq(vec![body]);
        }
        defs.push(Def {
            name: format!("d{k}"),
            input: Type::Int,
            output: Type::Int,
            body,
        });
    }
    let artifact = Artifact { defs, ..counter() };
    let err = verify(artifact, &Limits::default()).err();
    let message = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.starts_with("in def `d5`, at body: evaluation would nest"),
        "{message}"
    );
}

#[test]
fn infer_types_a_fork_of_projections() {
    let arrow = Arrow::Fork(vec![Arrow::Proj(1), Arrow::Proj(0)]);
    let input = Type::Tuple(vec![Type::Int, Type::Bool]);
    assert_eq!(
        verify::infer(&[], &arrow, &input),
        Ok(Type::Tuple(vec![Type::Bool, Type::Int]))
    );
}
