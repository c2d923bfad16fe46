//! Whole machines through codegen: the artifact verifies, turns give the expected outputs,
//! traps keep their sites, and composites behave as their parts wired together.

mod lower_support;

use lower_support::*;
use quiver_lang::ast::ComposeOp;
use quiver_lang::codegen::codegen;
use quiver_lang::span::Span;
use quiver_lang::tir::{Defined, Invariant, Machine, MachineBody, Program};
use quiver_vm::bytecode::{Artifact, DebugInfo};
use quiver_vm::eval_ref;
use quiver_vm::limits::Limits;
use quiver_vm::prim::Prim;
use quiver_vm::trap::TrapKind;
use quiver_vm::types::{EnumType, Field, Type, Variant};
use quiver_vm::value::Value;
use quiver_vm::verify;

fn enumeration(name: &str, variants: &[(&str, Vec<Type>)]) -> Type {
    Type::Enum(EnumType {
        name: name.into(),
        variants: variants
            .iter()
            .map(|(n, fields)| Variant {
                name: (*n).into(),
                fields: fields.clone(),
            })
            .collect(),
    })
}

fn counter_types() -> (Type, Type, Type) {
    let state = Type::Record(vec![Field {
        name: "count".into(),
        ty: Type::Int,
    }]);
    let input = enumeration(
        "Counter.Input",
        &[
            ("Incr", vec![Type::Int]),
            ("Decr", vec![Type::Int]),
            ("Reset", vec![]),
            ("Get", vec![]),
        ],
    );
    let output = enumeration(
        "Counter.Output",
        &[
            ("Ok", vec![]),
            ("Value", vec![Type::Int]),
            ("Rejected", vec![Type::String]),
        ],
    );
    (state, input, output)
}

/// The sketch's counter, as the checker would produce it.
fn counter() -> Machine {
    let (state, input, output) = counter_types();
    let result = Type::Tuple(vec![state.clone(), output.clone()]);
    let count = || proj(var(1, state.clone()), 0, Type::Int);
    let with_count = |e| tuple(vec![e], state.clone());
    let done = |s, out| tuple(vec![s, out], result.clone());
    let ok = || inj(0, unit(), output.clone());
    let incr = done(
        with_count(prim(Prim::Add, vec![count(), var(2, Type::Int)])),
        ok(),
    );
    let decr = match_(
        prim(Prim::Gt, vec![var(2, Type::Int), count()]),
        vec![
            done(
                with_count(prim(Prim::Sub, vec![count(), var(2, Type::Int)])),
                ok(),
            ),
            done(
                var(1, state.clone()),
                inj(2, string("would go negative"), output.clone()),
            ),
        ],
    );
    let reset = done(with_count(int(0)), ok());
    let get = done(var(1, state.clone()), inj(1, count(), output.clone()));
    let step = match_(var(0, input.clone()), vec![incr, decr, reset, get]);
    let invariant = Invariant {
        body: prim(
            Prim::Ge,
            vec![proj(var(0, state.clone()), 0, Type::Int), int(0)],
        ),
        text: "count >= 0".into(),
        span: Span::new(100, 110),
    };
    Machine {
        name: "Counter".into(),
        state: state.clone(),
        input,
        output,
        body: MachineBody::Defined(Defined {
            init: with_count(int(0)),
            step,
            invariants: vec![invariant],
            migrate_up: None,
            migrate_down: None,
        }),
        span: Span::default(),
    }
}

/// `machine Doubler`: Int in, `Incr(2n)` out, counting what it saw; traps on overflow.
fn doubler() -> Machine {
    let (_, counter_input, _) = counter_types();
    let state = Type::Record(vec![Field {
        name: "seen".into(),
        ty: Type::Int,
    }]);
    let seen = prim(
        Prim::Add,
        vec![proj(var(1, state.clone()), 0, Type::Int), int(1)],
    );
    let doubled = prim(Prim::Mul, vec![var(0, Type::Int), int(2)]);
    let step = tuple(
        vec![
            tuple(vec![seen], state.clone()),
            inj(0, doubled, counter_input.clone()),
        ],
        Type::Tuple(vec![state.clone(), counter_input.clone()]),
    );
    Machine {
        name: "Doubler".into(),
        state: state.clone(),
        input: Type::Int,
        output: counter_input,
        body: MachineBody::Defined(Defined {
            init: tuple(vec![int(0)], state),
            step,
            invariants: vec![],
            migrate_up: None,
            migrate_down: None,
        }),
        span: Span::default(),
    }
}

fn composite(name: &str, op: ComposeOp, left: Machine, right: Machine) -> Machine {
    let state = Type::Tuple(vec![left.state.clone(), right.state.clone()]);
    let pair = |a: &Type, b: &Type| Type::Tuple(vec![a.clone(), b.clone()]);
    let (input, output) = match op {
        ComposeOp::Then => (left.input.clone(), right.output.clone()),
        ComposeOp::Par => (
            pair(&left.input, &right.input),
            pair(&left.output, &right.output),
        ),
        ComposeOp::Fanout => (left.input.clone(), pair(&left.output, &right.output)),
        ComposeOp::Choice => (
            enumeration(
                &format!("{name}.Input"),
                &[
                    ("Left", vec![left.input.clone()]),
                    ("Right", vec![right.input.clone()]),
                ],
            ),
            left.output.clone(),
        ),
    };
    Machine {
        name: name.into(),
        state,
        input,
        output,
        body: MachineBody::Composed {
            op,
            left: Box::new(left),
            right: Box::new(right),
        },
        span: Span::default(),
    }
}

/// Compiles the last machine of `machines` and checks that the artifact verifies.
fn compile(machines: Vec<Machine>) -> (Artifact, DebugInfo) {
    let program = Program {
        fns: random::fns(),
        machines,
    };
    let last = program.machines.len() - 1;
    let (artifact, debug) = codegen(&program, last, "test.sm").expect("the machine compiles");
    verify::verify(artifact.clone(), &Limits::default())
        .unwrap_or_else(|e| panic!("the artifact does not verify: {e}\n{artifact:#?}"));
    (artifact, debug)
}

/// Runs `inputs` from the initial state, giving each output or trap kind.
fn check(artifact: &Artifact, inputs: Vec<Value>, expected: Vec<Result<Value, TrapKind>>) {
    let mut state = Value::from_lit(&artifact.init);
    let mut outputs = Vec::new();
    for input in inputs {
        match eval_ref::step(artifact, input, state.clone(), 1_000_000) {
            Ok((next, output)) => {
                state = next;
                outputs.push(Ok(output));
            }
            Err(trap) => outputs.push(Err(trap.kind)),
        }
    }
    assert_eq!(outputs, expected);
}

fn v(tag: u32, payload: Value) -> Value {
    Value::variant(tag, payload)
}

#[test]
fn the_counter_accepts_rejects_and_reports_as_the_sketch_says() {
    let (artifact, _) = compile(vec![counter()]);
    assert_eq!(
        artifact.init,
        quiver_vm::bytecode::Lit::Tuple(vec![quiver_vm::bytecode::Lit::Int(0)])
    );
    let inputs = vec![
        v(0, Value::Int(5)),
        v(1, Value::Int(10)),
        v(1, Value::Int(3)),
        v(3, Value::Unit),
    ];
    let expected = vec![
        Ok(v(0, Value::Unit)),
        Ok(v(2, Value::str("would go negative"))),
        Ok(v(0, Value::Unit)),
        Ok(v(1, Value::Int(2))),
    ];
    check(&artifact, inputs, expected);
}

#[test]
fn a_negative_increment_breaks_the_invariant_at_its_site() {
    let (artifact, debug) = compile(vec![counter()]);
    let state = Value::from_lit(&artifact.init);
    let trap = eval_ref::step(&artifact, v(0, Value::Int(-1)), state, 1_000_000)
        .expect_err("count would become -1");
    assert_eq!(trap.kind, TrapKind::InvariantViolated { index: 0 });
    let site = debug.site(trap.site).expect("the invariant has a site");
    assert_eq!(
        (site.start, site.end, site.what.as_str()),
        (100, 110, "invariant count >= 0")
    );
}

#[test]
fn an_overflowing_increment_traps_at_the_addition() {
    let (artifact, debug) = compile(vec![counter()]);
    let state = Value::tuple(vec![Value::Int(i64::MAX)]);
    let trap = eval_ref::step(&artifact, v(0, Value::Int(1)), state, 1_000_000)
        .expect_err("i64::MAX + 1 overflows");
    assert_eq!(trap.kind, TrapKind::Overflow);
    assert_eq!(
        debug.site(trap.site).map(|s| s.what.as_str()),
        Some("integer addition")
    );
}

#[test]
fn then_feeds_the_left_output_to_the_right_machine() {
    let (artifact, _) = compile(vec![composite(
        "Pipe",
        ComposeOp::Then,
        doubler(),
        counter(),
    )]);
    check(
        &artifact,
        vec![Value::Int(3), Value::Int(-1), Value::Int(i64::MAX)],
        vec![
            Ok(v(0, Value::Unit)),
            Ok(v(0, Value::Unit)),
            Err(TrapKind::Overflow),
        ],
    );
    let state_after_two = eval_ref::step(
        &artifact,
        Value::Int(3),
        Value::from_lit(&artifact.init),
        1000,
    )
    .and_then(|(s, _)| eval_ref::step(&artifact, Value::Int(2), s, 1000))
    .expect("two small turns succeed")
    .0;
    let expected = Value::tuple(vec![
        Value::tuple(vec![Value::Int(2)]),
        Value::tuple(vec![Value::Int(10)]),
    ]);
    assert_eq!(state_after_two, expected);
}

#[test]
fn then_is_rejected_by_the_right_invariant_lifted_to_the_pair() {
    let (artifact, _) = compile(vec![composite(
        "Pipe",
        ComposeOp::Then,
        doubler(),
        counter(),
    )]);
    check(
        &artifact,
        vec![Value::Int(-2)],
        vec![Err(TrapKind::InvariantViolated { index: 0 })],
    );
}

#[test]
fn par_runs_each_part_on_its_component() {
    let (artifact, _) = compile(vec![composite(
        "Both",
        ComposeOp::Par,
        doubler(),
        counter(),
    )]);
    let input = Value::tuple(vec![Value::Int(4), v(3, Value::Unit)]);
    let expected = Value::tuple(vec![v(0, Value::Int(8)), v(1, Value::Int(0))]);
    check(&artifact, vec![input], vec![Ok(expected)]);
}

#[test]
fn fanout_gives_both_parts_the_same_input() {
    let (artifact, _) = compile(vec![composite(
        "Fan",
        ComposeOp::Fanout,
        counter(),
        counter(),
    )]);
    let expected = Value::tuple(vec![v(0, Value::Unit), v(0, Value::Unit)]);
    let get = Value::tuple(vec![v(1, Value::Int(7)), v(1, Value::Int(7))]);
    check(
        &artifact,
        vec![v(0, Value::Int(7)), v(3, Value::Unit)],
        vec![Ok(expected), Ok(get)],
    );
    assert_eq!(
        artifact.defs.len(),
        1,
        "one part lowered once: {:?}",
        artifact.defs
    );
}

#[test]
fn choice_runs_only_the_chosen_part() {
    let (artifact, _) = compile(vec![composite(
        "Either",
        ComposeOp::Choice,
        counter(),
        counter(),
    )]);
    let inputs = vec![
        v(0, v(0, Value::Int(2))),
        v(1, v(0, Value::Int(5))),
        v(0, v(3, Value::Unit)),
        v(1, v(3, Value::Unit)),
    ];
    let ok = || Ok(v(0, Value::Unit));
    check(
        &artifact,
        inputs,
        vec![ok(), ok(), Ok(v(1, Value::Int(2))), Ok(v(1, Value::Int(5)))],
    );
}

#[test]
fn composites_nest() {
    let inner = composite("Pipe", ComposeOp::Then, doubler(), counter());
    let outer = composite("Twice", ComposeOp::Fanout, inner.clone(), inner);
    let (artifact, _) = compile(vec![outer]);
    let ok = Value::tuple(vec![v(0, Value::Unit), v(0, Value::Unit)]);
    check(&artifact, vec![Value::Int(1)], vec![Ok(ok)]);
}

#[test]
fn functions_the_machine_reaches_become_definitions_callees_first() {
    let mut machine = counter();
    let MachineBody::Defined(defined) = &mut machine.body else {
        unreachable!()
    };
    // Reset sets the count to positive(seven()) as 0/1 through a match: calls fns 2 and 1.
    let (state, _, output) = counter_types();
    let positive = call(2, vec![call(1, vec![], Type::Int)], Type::Bool);
    let count = match_(positive, vec![int(0), int(1)]);
    let reset = tuple(
        vec![
            tuple(vec![count], state.clone()),
            inj(0, unit(), output.clone()),
        ],
        Type::Tuple(vec![state, output]),
    );
    let quiver_lang::tir::ExprKind::Match(_, arms) = &mut defined.step.kind else {
        unreachable!()
    };
    arms[2] = reset;
    let (artifact, _) = compile(vec![machine]);
    let names: Vec<&str> = artifact.defs.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["scale", "seven", "positive"]);
    check(
        &artifact,
        vec![v(2, Value::Unit), v(3, Value::Unit)],
        vec![Ok(v(0, Value::Unit)), Ok(v(1, Value::Int(1)))],
    );
}

#[test]
fn an_initial_state_that_traps_is_a_diagnostic_at_the_state_block() {
    let mut machine = counter();
    let MachineBody::Defined(defined) = &mut machine.body else {
        unreachable!()
    };
    let state = machine.state.clone();
    let mut init = tuple(vec![prim(Prim::Div, vec![int(1), int(0)])], state);
    init.span = Span::new(20, 30);
    defined.init = init;
    let program = Program {
        fns: vec![],
        machines: vec![machine],
    };
    let errors = codegen(&program, 0, "test.sm").expect_err("1 / 0 traps");
    assert_eq!(errors[0].code, "E0504");
    assert_eq!(errors[0].span(), Span::new(20, 30));
    assert!(
        errors[0].message.contains("division by zero"),
        "{}",
        errors[0].message
    );
}

#[test]
fn an_initial_state_that_breaks_an_invariant_is_a_diagnostic() {
    let mut machine = counter();
    let MachineBody::Defined(defined) = &mut machine.body else {
        unreachable!()
    };
    defined.init = tuple(vec![int(-1)], machine.state.clone());
    let program = Program {
        fns: vec![],
        machines: vec![machine],
    };
    let errors = codegen(&program, 0, "test.sm").expect_err("-1 breaks count >= 0");
    assert_eq!(errors[0].code, "E0505");
}

#[test]
fn asking_for_a_machine_that_does_not_exist_is_a_diagnostic() {
    let program = Program {
        fns: vec![],
        machines: vec![],
    };
    let errors = codegen(&program, 0, "test.sm").expect_err("there is no machine 0");
    assert_eq!(errors[0].code, "E0500");
}
