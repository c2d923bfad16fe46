//! Collection updates after fusion: a `case` whose arm pushes onto a list, followed by an
//! invariant. Fusion copies the invariant check into the arm so the push runs after the commit
//! point and updates a uniquely owned list in place; these tests check that this gives the
//! reference evaluator's states, outputs and traps, that a list shared with a kept copy of the
//! state is copied rather than changed, and that a trap after the push leaves the state as it
//! was.

use proptest::prelude::*;
use quiver_vm::bytecode::{Arrow, Artifact, Invariant, Lit, Site};
use quiver_vm::eval_ref;
use quiver_vm::interp::{Loaded, load};
use quiver_vm::limits::Limits;
use quiver_vm::machine::Instance;
use quiver_vm::prim::Prim;
use quiver_vm::trap::{Trap, TrapKind};
use quiver_vm::types::Type;
use quiver_vm::value::Value;
use quiver_vm::verify::verify;
use std::sync::Arc;

/// State `(history: List<Int>, total: Int)`, input `Push(Int) | Keep`, output `()`;
/// `Push(x)` appends `x` and adds it to `total`; the invariant is `total >= 0`.
fn ledger() -> Artifact {
    let state = Type::Tuple(vec![Type::List(Box::new(Type::Int)), Type::Int]);
    let field = |i| Arrow::Seq(vec![Arrow::Proj(0), Arrow::Proj(i)]);
    let pushed = Arrow::Seq(vec![
        Arrow::Fork(vec![field(0), Arrow::Proj(1)]),
        Arrow::Prim(Prim::ListPush, Site(1)),
    ]);
    let added = Arrow::Seq(vec![
        Arrow::Fork(vec![field(1), Arrow::Proj(1)]),
        Arrow::Prim(Prim::Add, Site(2)),
    ]);
    let push = Arrow::Fork(vec![Arrow::Fork(vec![pushed, added]), Arrow::Fork(vec![])]);
    let keep = Arrow::Fork(vec![Arrow::Proj(0), Arrow::Fork(vec![])]);
    let step = Arrow::Seq(vec![
        Arrow::Fork(vec![Arrow::Proj(1), Arrow::Proj(0)]),
        Arrow::Distl,
        Arrow::Case(vec![push, keep]),
    ]);
    let holds = Arrow::Seq(vec![
        Arrow::Fork(vec![Arrow::Proj(1), Arrow::Const(Type::Int, Lit::Int(0))]),
        Arrow::Prim(Prim::Ge, Site(3)),
    ]);
    Artifact {
        name: "Ledger".into(),
        state,
        input: Type::Sum(vec![Type::Int, Type::Unit]),
        output: Type::Unit,
        init: Lit::Tuple(vec![Lit::List(vec![]), Lit::Int(0)]),
        defs: vec![],
        step,
        invariants: vec![Invariant {
            body: holds,
            site: Site(4),
        }],
        migrate_up: None,
        migrate_down: None,
    }
}

fn loaded() -> Arc<Loaded> {
    match verify(ledger(), &Limits::default()) {
        Ok(program) => Arc::new(load(program)),
        Err(err) => panic!("the ledger verifies: {err}"),
    }
}

fn push(x: i64) -> Value {
    Value::variant(0, Value::Int(x))
}

fn keep() -> Value {
    Value::variant(1, Value::Unit)
}

fn history(state: &Value) -> Arc<imbl::Vector<Value>> {
    match state {
        Value::Tuple(items) => match &items[0] {
            Value::List(list) => Arc::clone(list),
            other => panic!("not a list: {other:?}"),
        },
        other => panic!("not a tuple: {other:?}"),
    }
}

fn ints(list: &imbl::Vector<Value>) -> Vec<i64> {
    list.iter()
        .map(|v| match v {
            Value::Int(n) => *n,
            other => panic!("not an int: {other:?}"),
        })
        .collect()
}

#[test]
fn a_uniquely_owned_list_is_pushed_in_place() {
    let program = loaded();
    let (state, _) = program
        .step_owned(push(1), program.init(), 1_000)
        .expect("a turn");
    let before = Arc::as_ptr(&history(&state));
    let (state, _) = program.step_owned(push(2), state, 1_000).expect("a turn");
    assert_eq!(
        Arc::as_ptr(&history(&state)),
        before,
        "the same list, pushed"
    );
    assert_eq!(ints(&history(&state)), vec![1, 2]);
}

#[test]
fn a_list_shared_with_a_kept_state_is_copied_not_changed() {
    let mut machine = Instance::new(loaded());
    assert_eq!(machine.turn(push(1)), Ok(Value::Unit));
    let kept = machine.state().clone();
    assert_eq!(machine.turn(push(2)), Ok(Value::Unit));
    assert_eq!(
        ints(&history(&kept)),
        vec![1],
        "the kept state is unchanged"
    );
    assert_eq!(ints(&history(machine.state())), vec![1, 2]);
    // The same through `step_owned` with the state shared.
    let program = loaded();
    let (state, _) = program
        .step_owned(push(3), program.init(), 1_000)
        .expect("a turn");
    let alias = state.clone();
    let (after, _) = program.step_owned(push(4), state, 1_000).expect("a turn");
    assert_eq!(ints(&history(&alias)), vec![3]);
    assert_eq!(ints(&history(&after)), vec![3, 4]);
}

#[test]
fn a_broken_invariant_after_the_push_leaves_the_list_as_it_was() {
    let mut machine = Instance::new(loaded());
    assert_eq!(machine.turn(push(5)), Ok(Value::Unit));
    let before = machine.state().clone();
    assert_eq!(
        machine.turn(push(-6)),
        Err(Trap::new(TrapKind::InvariantViolated { index: 0 }, Site(4)))
    );
    assert_eq!(machine.state(), &before);
    assert_eq!(machine.turn(push(1)), Ok(Value::Unit));
    assert_eq!(ints(&history(machine.state())), vec![5, 1]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Every path (held instance, owned and borrowed steps) agrees with the reference
    /// evaluator on states, outputs and traps, turn after turn.
    #[test]
    fn fused_turns_agree_with_the_reference(
        inputs in proptest::collection::vec(
            prop_oneof![(-8i64..8).prop_map(Some), Just(None), Just(Some(i64::MAX))], 1..16),
    ) {
        let program = loaded();
        let artifact = ledger();
        let mut machine = Instance::new(Arc::clone(&program));
        let mut owned = program.init();
        let mut reference = program.init();
        for x in inputs {
            let input = x.map_or_else(keep, push);
            let expected = eval_ref::step(&artifact, input.clone(), reference.clone(), 1_000);
            let borrowed = program.step(input.clone(), &reference, 1_000);
            prop_assert_eq!(&borrowed, &expected);
            let got = program.step_owned(input.clone(), std::mem::replace(&mut owned, Value::Unit), 1_000);
            let held = machine.turn(input);
            match (got, expected) {
                (Ok((state, out)), Ok((ref_state, ref_out))) => {
                    prop_assert_eq!(&state, &ref_state);
                    prop_assert_eq!(&out, &ref_out);
                    prop_assert_eq!(held, Ok(ref_out));
                    prop_assert_eq!(machine.state(), &ref_state);
                    owned = state;
                    reference = ref_state;
                }
                (Err((trap, back)), Err(ref_trap)) => {
                    prop_assert_eq!(&trap, &ref_trap);
                    prop_assert_eq!(&back, &reference);
                    prop_assert_eq!(held, Err(ref_trap));
                    prop_assert_eq!(machine.state(), &reference);
                    owned = back;
                }
                (got, expected) => prop_assert!(false, "{:?} vs {:?}", got, expected),
            }
        }
    }
}
