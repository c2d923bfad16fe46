//! Hand-built artifacts shared by the vm's integration tests: a counter machine written
//! directly as arrows, so the tests do not depend on the compiler.
#![allow(dead_code)]

use quiver_vm::bytecode::{Arrow, Artifact, Def, Invariant, Lit, Migration, Site};
use quiver_vm::prim::Prim;
use quiver_vm::types::{EnumType, Field, Type, Variant};
use quiver_vm::value::Value;

pub const ADD_SITE: Site = Site(1);
pub const SUB_SITE: Site = Site(2);
pub const INVARIANT_SITE: Site = Site(3);

pub fn variant(name: &str, fields: Vec<Type>) -> Variant {
    Variant {
        name: name.into(),
        fields,
    }
}

pub fn input_type() -> Type {
    Type::Enum(EnumType {
        name: "Counter.Input".into(),
        variants: vec![
            variant("Incr", vec![Type::Int]),
            variant("Decr", vec![Type::Int]),
            variant("Reset", vec![]),
            variant("Get", vec![]),
        ],
    })
}

pub fn output_type() -> Type {
    Type::Enum(EnumType {
        name: "Counter.Output".into(),
        variants: vec![variant("Ok", vec![]), variant("Value", vec![Type::Int])],
    })
}

pub fn record(fields: &[(&str, Type)]) -> Type {
    Type::Record(
        fields
            .iter()
            .map(|(name, ty)| Field {
                name: (*name).into(),
                ty: ty.clone(),
            })
            .collect(),
    )
}

pub fn state_type() -> Type {
    record(&[("count", Type::Int)])
}

pub fn seq(arrows: Vec<Arrow>) -> Arrow {
    Arrow::Seq(arrows)
}

pub fn int_const(n: i64) -> Arrow {
    Arrow::Const(Type::Int, Lit::Int(n))
}

/// `(state, n) -> ({ count: state.count op n }, Ok)`, through def 0 for `op = add`.
fn arith_arm(op: Arrow) -> Arrow {
    let count = seq(vec![Arrow::Proj(0), Arrow::Proj(0)]);
    let new_count = seq(vec![Arrow::Fork(vec![count, Arrow::Proj(1)]), op]);
    Arrow::Fork(vec![Arrow::Fork(vec![new_count]), ok_output()])
}

pub fn ok_output() -> Arrow {
    seq(vec![
        Arrow::Fork(vec![]),
        Arrow::Inj {
            sum: output_type(),
            tag: 0,
        },
    ])
}

/// The counter: `Incr(n)` adds (through def 0 `add`), `Decr(n)` subtracts, `Reset` zeroes,
/// `Get` answers `Value(count)`; one invariant `count >= 0`.
pub fn counter() -> Artifact {
    let add_def = Def {
        name: "add".into(),
        input: Type::Tuple(vec![Type::Int, Type::Int]),
        output: Type::Int,
        body: Arrow::Prim(Prim::Add, ADD_SITE),
    };
    let reset = Arrow::Fork(vec![Arrow::Fork(vec![int_const(0)]), ok_output()]);
    let get = Arrow::Fork(vec![
        Arrow::Proj(0),
        seq(vec![
            Arrow::Proj(0),
            Arrow::Proj(0),
            Arrow::Inj {
                sum: output_type(),
                tag: 1,
            },
        ]),
    ]);
    let step = seq(vec![
        Arrow::Fork(vec![Arrow::Proj(1), Arrow::Proj(0)]),
        Arrow::Distl,
        Arrow::Case(vec![
            arith_arm(Arrow::Call(0)),
            arith_arm(Arrow::Prim(Prim::Sub, SUB_SITE)),
            reset,
            get,
        ]),
    ]);
    let invariant = Invariant {
        body: seq(vec![
            Arrow::Fork(vec![Arrow::Proj(0), int_const(0)]),
            Arrow::Prim(Prim::Ge, Site::NONE),
        ]),
        site: INVARIANT_SITE,
    };
    Artifact {
        name: "Counter".into(),
        state: state_type(),
        input: input_type(),
        output: output_type(),
        init: Lit::Tuple(vec![Lit::Int(0)]),
        defs: vec![add_def],
        step,
        invariants: vec![invariant],
        migrate_up: None,
        migrate_down: None,
    }
}

/// Counter v2: state `{ count, resets }`, migrating up from `{ count }` with `resets = 0`,
/// and down by dropping `resets`. Its step is the v1 step on `count` alone.
pub fn counter_v2(migrate_up_body: Option<Arrow>) -> Artifact {
    let v1 = counter();
    let state = record(&[("count", Type::Int), ("resets", Type::Int)]);
    // (input, {count, resets}) -> v1 step on (input, {count}) -> ({count, resets}, output)
    let to_v1 = Arrow::Fork(vec![
        Arrow::Proj(0),
        seq(vec![Arrow::Proj(1), Arrow::Fork(vec![Arrow::Proj(0)])]),
    ]);
    let v1_step = Arrow::Fork(vec![
        seq(vec![to_v1, v1.step.clone()]),
        seq(vec![Arrow::Proj(1), Arrow::Proj(1)]),
    ]);
    // ((v1 state, output), resets) -> ((count, resets), output)
    let rebuild = Arrow::Fork(vec![
        Arrow::Fork(vec![
            seq(vec![Arrow::Proj(0), Arrow::Proj(0), Arrow::Proj(0)]),
            Arrow::Proj(1),
        ]),
        seq(vec![Arrow::Proj(0), Arrow::Proj(1)]),
    ]);
    let up = migrate_up_body.unwrap_or_else(|| Arrow::Fork(vec![Arrow::Proj(0), int_const(0)]));
    Artifact {
        name: "Counter".into(),
        state: state.clone(),
        init: Lit::Tuple(vec![Lit::Int(0), Lit::Int(0)]),
        step: seq(vec![v1_step, rebuild]),
        migrate_up: Some(Migration {
            other: state_type(),
            body: up,
        }),
        migrate_down: Some(Migration {
            other: state_type(),
            body: Arrow::Fork(vec![Arrow::Proj(0)]),
        }),
        ..v1
    }
}

pub fn incr(n: i64) -> Value {
    Value::variant(0, Value::Int(n))
}

pub fn decr(n: i64) -> Value {
    Value::variant(1, Value::Int(n))
}

pub fn reset() -> Value {
    Value::variant(2, Value::Unit)
}

pub fn get() -> Value {
    Value::variant(3, Value::Unit)
}

pub fn count_state(n: i64) -> Value {
    Value::tuple(vec![Value::Int(n)])
}

pub fn ok() -> Value {
    Value::variant(0, Value::Unit)
}

pub fn value_output(n: i64) -> Value {
    Value::variant(1, Value::Int(n))
}
