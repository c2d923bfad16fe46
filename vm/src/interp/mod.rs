//! The fast path: a [`VerifiedProgram`] loaded for running without re-checking types.
//!
//! A turn (the step and every invariant after it) is lowered to a flat register form with
//! products split into registers ([`lower`], [`ops`], run by [`exec`]). Everything else
//! (migrations, `check_invariants` on its own) and any turn too large to lower runs on
//! pre-resolved nodes ([`compile`], [`run`]).
//!
//! It agrees exactly with [`crate::eval_ref`] on values, traps and trap sites; only the fuel
//! each node costs differs (a fused projection path or a fork of projections costs one unit).
//! There are no string lookups at run time, and a turn never copies the state: values share
//! structure, and the state before a turn stays valid whatever the turn does.
//!
//! This module does not keep state between turns; [`crate::machine`] does.

mod compile;
mod exec;
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
use std::sync::Arc;

/// A verified program ready to run.
#[derive(Debug)]
pub struct Loaded {
    program: VerifiedProgram,
    step: Node,
    /// The step and invariants lowered to registers, unless lowering gave up.
    turn: Option<lower::Turn>,
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
    let turn = lower::lower_turn(artifact).ok();
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
            return exec::run_turn(turn, input, state, &mut fuel);
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
}
