//! A held state: a running machine's state kept as its components in the registers of a turn
//! lowered for it ([`StateIn::Held`]), so that a turn neither unpacks the state record nor
//! packs (allocates) a new one, and the old one is never freed. The whole value is built only
//! when asked for ([`Held::pack`]): to show it, snapshot it or migrate it.
//!
//! A state whose shape does not match the layout (impossible for a verified program's states),
//! or a program whose turn could not be lowered, is held whole and runs on
//! [`Loaded::step_owned`]: same results, without the saving.

use super::Loaded;
use super::exec::run_held;
use super::lower::{Loc, StateIn, StateOut, Turn, lower_turn};
use crate::trap::Trap;
use crate::value::Value;

/// A machine's state, held for the [`Loaded`] program that made it ([`Loaded::hold`]).
#[derive(Clone, Debug)]
pub struct Held {
    form: Form,
}

#[derive(Clone, Debug)]
enum Form {
    /// The register file of the held turn: the state's components in registers `2..`.
    Registers {
        regs: Vec<Value>,
        scratch: Vec<Value>,
    },
    Whole(Value),
}

/// The turn lowered for a held state, or `None` when lowering gave up.
pub fn lower_held(loaded: &Loaded) -> Option<Turn> {
    lower_turn(loaded.artifact(), StateIn::Held).ok()
}

impl Loaded {
    /// `state` held for running this program's turns.
    pub fn hold(&self, state: Value) -> Held {
        let Some(turn) = self.held_turn() else {
            return Held {
                form: Form::Whole(state),
            };
        };
        let StateOut::Held { layout, .. } = &turn.state else {
            return Held {
                form: Form::Whole(state),
            };
        };
        let mut regs = vec![Value::Unit; turn.registers];
        if spread(layout, &state, &mut regs) {
            Held {
                form: Form::Registers {
                    regs,
                    scratch: Vec::new(),
                },
            }
        } else {
            Held {
                form: Form::Whole(state),
            }
        }
    }

    /// One turn on a held state: the output, with `held` the new state; on a trap, `held` is
    /// as it was. Same results as [`Loaded::step_owned`].
    pub fn step_held(&self, input: Value, held: &mut Held, fuel: u64) -> Result<Value, Trap> {
        let mut fuel = fuel;
        match (&mut held.form, self.held_turn()) {
            (Form::Registers { regs, scratch }, Some(turn)) => {
                run_held(turn, input, regs, scratch, &mut fuel)
            }
            (form, _) => {
                let state = form.take_whole(self);
                match self.step_owned(input, state, fuel) {
                    Ok((state, output)) => {
                        *form = Form::Whole(state);
                        Ok(output)
                    }
                    Err((trap, state)) => {
                        *form = Form::Whole(state);
                        Err(trap)
                    }
                }
            }
        }
    }

    /// The whole value of a held state (its components are shared, not copied).
    pub fn pack(&self, held: &Held) -> Value {
        match (&held.form, self.held_turn()) {
            (Form::Whole(state), _) => state.clone(),
            (Form::Registers { regs, .. }, Some(turn)) => match &turn.state {
                StateOut::Held { layout, .. } => gather(layout, regs),
                StateOut::Whole(_) => Value::Unit,
            },
            (Form::Registers { .. }, None) => Value::Unit,
        }
    }
}

impl Form {
    fn take_whole(&mut self, loaded: &Loaded) -> Value {
        match std::mem::replace(self, Form::Whole(Value::Unit)) {
            Form::Whole(state) => state,
            registers => loaded.pack(&Held { form: registers }),
        }
    }
}

/// Puts the components of `value` into `regs` as `layout` places them; false when `value`
/// does not have the layout's shape.
fn spread(layout: &Loc, value: &Value, regs: &mut [Value]) -> bool {
    match (layout, value) {
        (Loc::Reg(reg), value) => match usize::try_from(*reg).ok().and_then(|r| regs.get_mut(r)) {
            Some(slot) => {
                *slot = value.clone();
                true
            }
            None => false,
        },
        (Loc::Tuple(parts), Value::Tuple(items)) => {
            parts.len() == items.len()
                && parts
                    .iter()
                    .zip(items.iter())
                    .all(|(part, item)| spread(part, item, regs))
        }
        (Loc::Tuple(_), _) => false,
    }
}

/// The value whose components `layout` places in `regs`.
fn gather(layout: &Loc, regs: &[Value]) -> Value {
    match layout {
        Loc::Reg(reg) => usize::try_from(*reg)
            .ok()
            .and_then(|r| regs.get(r))
            .cloned()
            .unwrap_or(Value::Unit),
        Loc::Tuple(parts) => Value::tuple(parts.iter().map(|p| gather(p, regs)).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytecode::{Arrow, Artifact, Site};
    use crate::limits::Limits;
    use crate::prim::Prim;
    use crate::types::Type;
    use crate::verify::verify;
    use std::sync::Arc;

    /// `(x, (m, c)) -> ((insert(m, x, x), c + x), ())`: the insert runs before the add, which
    /// can overflow.
    fn insert_then_add() -> Loaded {
        let map = Type::Map(Box::new(Type::Int), Box::new(Type::Int));
        let field = |i| Arrow::Seq(vec![Arrow::Proj(1), Arrow::Proj(i)]);
        let inserted = Arrow::Seq(vec![
            Arrow::Fork(vec![field(0), Arrow::Proj(0), Arrow::Proj(0)]),
            Arrow::Prim(Prim::MapInsert, Site::NONE),
        ]);
        let added = Arrow::Seq(vec![
            Arrow::Fork(vec![field(1), Arrow::Proj(0)]),
            Arrow::Prim(Prim::Add, Site(7)),
        ]);
        let artifact = Artifact {
            name: "T".into(),
            state: Type::Tuple(vec![map, Type::Int]),
            input: Type::Int,
            output: Type::Unit,
            init: crate::bytecode::Lit::Tuple(vec![
                crate::bytecode::Lit::Map(vec![]),
                crate::bytecode::Lit::Int(0),
            ]),
            defs: vec![],
            step: Arrow::Fork(vec![
                Arrow::Fork(vec![inserted, added]),
                Arrow::Fork(vec![]),
            ]),
            invariants: vec![],
            migrate_up: None,
            migrate_down: None,
        };
        super::super::load(verify(artifact, &Limits::default()).expect("the artifact verifies"))
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
    fn a_held_state_is_kept_in_registers_and_packs_to_its_value() {
        let program = insert_then_add();
        let mut held = program.hold(program.init());
        assert!(matches!(held.form, Form::Registers { .. }));
        program
            .step_held(Value::Int(3), &mut held, 100)
            .expect("a turn");
        let state = program.pack(&held);
        assert_eq!(map_of(&state).len(), 1);
        let Value::Tuple(items) = &state else {
            panic!("the state is a tuple");
        };
        assert_eq!(items[1], Value::Int(3));
    }

    #[test]
    fn a_held_map_is_updated_in_place_across_turns() {
        let program = insert_then_add();
        let mut held = program.hold(program.init());
        program
            .step_held(Value::Int(1), &mut held, 100)
            .expect("a turn");
        let before = Arc::as_ptr(&map_of(&program.pack(&held)));
        program
            .step_held(Value::Int(2), &mut held, 100)
            .expect("a turn");
        let after = map_of(&program.pack(&held));
        assert_eq!(Arc::as_ptr(&after), before, "the same map, updated");
        assert_eq!(after.len(), 2);
    }

    #[test]
    fn a_trap_leaves_a_held_state_as_it_was() {
        let program = insert_then_add();
        let mut held = program.hold(program.init());
        program
            .step_held(Value::Int(i64::MAX), &mut held, 100)
            .expect("the first turn fits");
        let kept = program.pack(&held);
        let trap = program
            .step_held(Value::Int(1), &mut held, 100)
            .expect_err("the count overflows");
        assert_eq!(trap, Trap::new(crate::trap::TrapKind::Overflow, Site(7)));
        assert_eq!(program.pack(&held), kept);
    }

    #[test]
    fn a_state_of_another_shape_is_held_whole_and_still_runs() {
        let program = insert_then_add();
        let odd = Value::tuple(vec![Value::Map(Arc::default())]);
        let held = program.hold(odd.clone());
        assert!(matches!(held.form, Form::Whole(_)));
        assert_eq!(program.pack(&held), odd);
    }
}
