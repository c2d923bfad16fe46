//! The fast path: a [`VerifiedProgram`] loaded for running without re-checking types.
//!
//! A turn (the step and every invariant after it) is lowered to a flat register form with
//! products split into registers ([`lower`], [`ops`], run by [`exec`]). Everything else
//! (migrations, `check_invariants` on its own) and any turn too large to lower runs on
//! pre-resolved nodes ([`compile`], [`run`]). A running [`crate::machine::Instance`] keeps its
//! state unpacked in registers between turns ([`held`]).
//!
//! It agrees exactly with [`crate::eval_ref`] on values, traps and trap sites; only the fuel
//! each node costs differs (a fused projection path or a fork of projections costs one unit).
//! There are no string lookups at run time, and a turn never copies the state: values share
//! structure, and the state before a turn stays valid whatever the turn does.
//!
//! This module does not keep state between turns; [`crate::machine`] does.

mod commit;
mod compile;
mod exec;
mod fuse;
mod held;
mod liveness;
mod lower;
mod ops;
mod run;
mod shape;

use crate::bytecode::{Artifact, Site};
use crate::eval_ref::ill_typed;
use crate::trap::{Trap, TrapKind};
use crate::value::Value;
use crate::verify::VerifiedProgram;
use compile::{Node, compile};
use std::sync::{Arc, OnceLock};

pub use held::Held;

/// A verified program ready to run.
#[derive(Debug)]
pub struct Loaded {
    program: VerifiedProgram,
    step: Node,
    /// The step and invariants lowered to registers, unless lowering gave up.
    turn: Option<lower::Turn>,
    /// The turn lowered for a held state ([`held`]), lowered on the first [`Loaded::hold`] so
    /// that loading (and a swap's pause) does not pay for it when only a node runs it.
    held: OnceLock<Option<lower::Turn>>,
    /// The input type, precomputed for [`Loaded::accepts_input`].
    input: shape::Shape,
    invariants: Vec<(Node, Site)>,
    migrate_up: Option<Node>,
    migrate_down: Option<Node>,
    init: Value,
}

/// Loads a verified program: compiles the definitions in index order, then everything that
/// calls them.
pub fn load(program: VerifiedProgram) -> Loaded {
    let artifact = program.artifact();
    let mut defs: Vec<Arc<Node>> = Vec::with_capacity(artifact.defs.len());
    for def in &artifact.defs {
        defs.push(Arc::new(compile(&def.body, &defs)));
    }
    let step = compile(&artifact.step, &defs);
    let turn = lower::lower_turn(artifact, lower::StateIn::Whole).ok();
    let input = shape::Shape::of(&artifact.input);
    let invariants = artifact
        .invariants
        .iter()
        .map(|inv| (compile(&inv.body, &defs), inv.site))
        .collect();
    let migrate_up = artifact
        .migrate_up
        .as_ref()
        .map(|m| compile(&m.body, &defs));
    let migrate_down = artifact
        .migrate_down
        .as_ref()
        .map(|m| compile(&m.body, &defs));
    let init = Value::from_lit(&artifact.init);
    Loaded {
        program,
        step,
        turn,
        held: OnceLock::new(),
        input,
        invariants,
        migrate_up,
        migrate_down,
        init,
    }
}

impl Loaded {
    pub fn artifact(&self) -> &Artifact {
        self.program.artifact()
    }

    fn held_turn(&self) -> Option<&lower::Turn> {
        self.held.get_or_init(|| held::lower_held(self)).as_ref()
    }

    /// Whether `value` is a value of the input type (what `verify::value_has_type` says,
    /// without its per-call cost).
    pub fn accepts_input(&self, value: &Value) -> bool {
        self.input.admits(value)
    }

    /// The initial state.
    pub fn init(&self) -> Value {
        self.init.clone()
    }

    /// One turn: the step on `(input, state)`, then every invariant on the new state, all from
    /// one budget of `fuel`. Returns `(new state, output)`; `state` itself is never changed.
    pub fn step(&self, input: Value, state: &Value, fuel: u64) -> Result<(Value, Value), Trap> {
        let mut fuel = fuel;
        if let Some(turn) = &self.turn {
            return exec::run_turn(turn, input, state.clone(), &mut fuel).map_err(|(trap, _)| trap);
        }
        let pair = Value::tuple(vec![input, state.clone()]);
        let result = run::run(&self.step, pair, &mut fuel)?;
        let Value::Tuple(items) = result else {
            return Err(ill_typed("step result"));
        };
        let [new_state, output] = &items[..] else {
            return Err(ill_typed("step result"));
        };
        self.check_invariants(new_state, &mut fuel)?;
        Ok((new_state.clone(), output.clone()))
    }

    /// [`Loaded::step`] on a state given by value: with no other reference to it, the turn
    /// updates its collections in place after its commit point. On a trap the state comes back
    /// unchanged with it.
    pub fn step_owned(
        &self,
        input: Value,
        state: Value,
        fuel: u64,
    ) -> Result<(Value, Value), (Trap, Value)> {
        let mut fuel = fuel;
        match &self.turn {
            Some(turn) => exec::run_turn(turn, input, state, &mut fuel),
            None => self.step(input, &state, fuel).map_err(|trap| (trap, state)),
        }
    }

    /// The state of the replaced version, migrated to this version's state, then checked
    /// against every invariant. Traps with `LimitExceeded` when there is no `migrate_up`.
    pub fn migrate_up(&self, old: Value, fuel: u64) -> Result<Value, Trap> {
        self.migrate(self.migrate_up.as_ref(), "migrate_up", old, fuel)
    }

    /// This version's state, migrated back to the replaced version's state. The invariants
    /// checked are this version's (on the state being migrated); the caller checks the older
    /// version's invariants on the result by running it there.
    pub fn migrate_down(&self, state: Value, fuel: u64) -> Result<Value, Trap> {
        let mut fuel = fuel;
        let Some(node) = &self.migrate_down else {
            return Err(missing("migrate_down"));
        };
        run::run(node, state, &mut fuel)
    }

    fn migrate(
        &self,
        node: Option<&Node>,
        which: &str,
        old: Value,
        fuel: u64,
    ) -> Result<Value, Trap> {
        let mut fuel = fuel;
        let node = node.ok_or_else(|| missing(which))?;
        let state = run::run(node, old, &mut fuel)?;
        self.check_invariants(&state, &mut fuel)?;
        Ok(state)
    }

    /// Every invariant on `state`; the first that does not hold traps at its site.
    pub fn check_invariants(&self, state: &Value, fuel: &mut u64) -> Result<(), Trap> {
        for (index, (node, site)) in self.invariants.iter().enumerate() {
            match run::run(node, state.clone(), fuel)? {
                Value::Bool(true) => {}
                Value::Bool(false) => {
                    let index = u32::try_from(index).map_err(|_| ill_typed("invariant index"))?;
                    return Err(Trap::new(TrapKind::InvariantViolated { index }, *site));
                }
                _ => return Err(ill_typed("invariant result")),
            }
        }
        Ok(())
    }
}

fn missing(which: &str) -> Trap {
    Trap::new(
        TrapKind::LimitExceeded(format!("the artifact declares no {which}")),
        Site::NONE,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytecode::{Arrow, Lit};
    use crate::limits::Limits;
    use crate::prim::Prim;
    use crate::types::Type;
    use crate::verify::verify;

    fn loaded(state: Type, init: Lit, step: Arrow, output: Type) -> Loaded {
        let artifact = Artifact {
            name: "T".into(),
            state,
            input: Type::Int,
            output,
            init,
            defs: vec![],
            step,
            invariants: vec![],
            migrate_up: None,
            migrate_down: None,
        };
        load(verify(artifact, &Limits::default()).expect("the test artifact verifies"))
    }

    #[test]
    fn a_step_that_answers_with_its_state_keeps_both() {
        let step = Arrow::Fork(vec![Arrow::Proj(1), Arrow::Proj(1)]);
        let program = loaded(Type::Int, Lit::Int(5), step, Type::Int);
        let got = program.step(Value::Int(1), &Value::Int(5), 100);
        assert_eq!(got, Ok((Value::Int(5), Value::Int(5))));
    }

    #[test]
    fn an_unchanged_record_state_is_the_same_value_after_the_turn() {
        let state = Type::Tuple(vec![Type::Int, Type::Int]);
        let step = Arrow::Fork(vec![
            Arrow::Proj(1),
            Arrow::Seq(vec![Arrow::Proj(1), Arrow::Proj(0)]),
        ]);
        let init = Lit::Tuple(vec![Lit::Int(1), Lit::Int(2)]);
        let program = loaded(state, init, step, Type::Int);
        let before = program.init();
        let (after, output) = program
            .step(Value::Int(9), &before, 100)
            .expect("the turn runs");
        assert_eq!(output, Value::Int(1));
        let (Value::Tuple(a), Value::Tuple(b)) = (&before, &after) else {
            panic!("the state is a tuple");
        };
        assert!(std::sync::Arc::ptr_eq(a, b), "no new tuple was built");
    }

    /// `(x, (m, c)) -> ((insert(m, x, x), c + x), ())`: the insert runs before the add, which
    /// can overflow.
    fn insert_then_add() -> Loaded {
        let map = Type::Map(Box::new(Type::Int), Box::new(Type::Int));
        let state = Type::Tuple(vec![map, Type::Int]);
        let field = |i| Arrow::Seq(vec![Arrow::Proj(1), Arrow::Proj(i)]);
        let inserted = Arrow::Seq(vec![
            Arrow::Fork(vec![field(0), Arrow::Proj(0), Arrow::Proj(0)]),
            Arrow::Prim(Prim::MapInsert, Site::NONE),
        ]);
        let added = Arrow::Seq(vec![
            Arrow::Fork(vec![field(1), Arrow::Proj(0)]),
            Arrow::Prim(Prim::Add, Site(7)),
        ]);
        let step = Arrow::Fork(vec![
            Arrow::Fork(vec![inserted, added]),
            Arrow::Fork(vec![]),
        ]);
        let init = Lit::Tuple(vec![Lit::Map(vec![]), Lit::Int(i64::MAX - 1)]);
        loaded(state, init, step, Type::Unit)
    }

    fn map_of(state: &Value) -> Arc<imbl::OrdMap<Value, Value>> {
        match state {
            Value::Tuple(items) => match &items[0] {
                Value::Map(map) => Arc::clone(map),
                other => panic!("not a map: {other:?}"),
            },
            other => panic!("not a tuple: {other:?}"),
        }
    }

    #[test]
    fn a_trap_after_an_update_hands_back_the_state_unchanged() {
        let program = insert_then_add();
        let (state, _) = program
            .step_owned(Value::Int(1), program.init(), 100)
            .expect("the first turn fits");
        let kept = state.clone();
        let (trap, back) = program
            .step_owned(Value::Int(2), state, 100)
            .expect_err("the count overflows");
        assert_eq!(trap, Trap::new(TrapKind::Overflow, Site(7)));
        assert_eq!(back, kept);
        assert_eq!(map_of(&back).len(), 1);
    }

    #[test]
    fn a_uniquely_owned_map_is_updated_in_place() {
        let program = insert_then_add();
        let init = Value::tuple(vec![Value::Map(Arc::default()), Value::Int(0)]);
        let (state, _) = program
            .step_owned(Value::Int(1), init, 100)
            .expect("a turn");
        let before = Arc::as_ptr(&map_of(&state));
        let (state, _) = program
            .step_owned(Value::Int(2), state, 100)
            .expect("a turn");
        assert_eq!(
            Arc::as_ptr(&map_of(&state)),
            before,
            "the same map, updated"
        );
        assert_eq!(map_of(&state).len(), 2);
    }

    #[test]
    fn a_shared_state_is_left_as_it_was() {
        let program = insert_then_add();
        let init = Value::tuple(vec![Value::Map(Arc::default()), Value::Int(0)]);
        let (state, _) = program
            .step_owned(Value::Int(1), init, 100)
            .expect("a turn");
        let kept = state.clone();
        let (after, _) = program
            .step_owned(Value::Int(2), state, 100)
            .expect("a turn");
        assert_eq!(map_of(&kept).len(), 1);
        assert_eq!(map_of(&after).len(), 2);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        #[test]
        fn owned_turns_with_in_place_updates_agree_with_the_reference(
            inputs in proptest::collection::vec(
                proptest::prop_oneof![0i64..5, proptest::strategy::Just(i64::MAX / 2)], 1..12),
        ) {
            use proptest::prelude::*;
            let program = insert_then_add();
            let artifact = program.artifact().clone();
            let mut fast = Value::tuple(vec![Value::Map(Arc::default()), Value::Int(0)]);
            let mut reference = fast.clone();
            for x in inputs {
                let expected = crate::eval_ref::step(&artifact, Value::Int(x), reference.clone(), 100);
                let got = program.step_owned(Value::Int(x), std::mem::replace(&mut fast, Value::Unit), 100);
                match (got, expected) {
                    (Ok((state, out)), Ok((ref_state, ref_out))) => {
                        prop_assert_eq!(&state, &ref_state);
                        prop_assert_eq!(out, ref_out);
                        fast = state;
                        reference = ref_state;
                    }
                    (Err((trap, back)), Err(ref_trap)) => {
                        prop_assert_eq!(trap, ref_trap);
                        prop_assert_eq!(&back, &reference);
                        fast = back;
                    }
                    (got, expected) => prop_assert!(false, "{:?} vs {:?}", got, expected),
                }
            }
        }
    }
}
