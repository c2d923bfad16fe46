//! The reference evaluator: the obviously correct meaning of an [`Arrow`], and the oracle the
//! fast interpreter ([`crate::interp`]) is tested against.
//!
//! It is direct recursion over the arrow tree, one unit of fuel per node visited, with no
//! preparation and no cleverness. A `Prim` trap carries the site of its node; running out of
//! fuel, nesting past [`NESTING_MAX`] and meeting a value of the wrong shape (a verifier bug)
//! carry [`Site::NONE`].
//!
//! It deliberately does not check types (the verifier does) and is not fast.

use crate::bytecode::{Arrow, Artifact, Def, Site};
use crate::trap::{Trap, TrapKind};
use crate::value::Value;

/// The deepest nesting of arrow nodes an evaluation may reach, counting the body of a called
/// definition as nested inside the call. The verifier rejects programs that could nest deeper,
/// so a verified program never reaches it; it keeps the evaluators' stacks bounded on anything
/// else.
pub const NESTING_MAX: usize = 1024;

/// Evaluates `arrow` on `input`, taking one unit of `fuel` per node visited.
pub fn eval(defs: &[Def], arrow: &Arrow, input: Value, fuel: &mut u64) -> Result<Value, Trap> {
    Evaluator { defs, fuel }.eval(arrow, input, 0)
}

/// Runs one turn of `artifact`: the step on `(input, state)`, then every invariant on the new
/// state, all from one budget of `fuel`. Returns `(new state, output)`.
pub fn step(
    artifact: &Artifact,
    input: Value,
    state: Value,
    mut fuel: u64,
) -> Result<(Value, Value), Trap> {
    let pair = Value::tuple(vec![input, state]);
    let result = eval(&artifact.defs, &artifact.step, pair, &mut fuel)?;
    let Value::Tuple(items) = result else {
        return Err(ill_typed("step result"));
    };
    let [new_state, output] = &items[..] else {
        return Err(ill_typed("step result"));
    };
    check_invariants(artifact, new_state, &mut fuel)?;
    Ok((new_state.clone(), output.clone()))
}

/// Runs every invariant of `artifact` on `state`; the first that does not hold traps with
/// `InvariantViolated` at its site.
pub fn check_invariants(artifact: &Artifact, state: &Value, fuel: &mut u64) -> Result<(), Trap> {
    for (index, invariant) in artifact.invariants.iter().enumerate() {
        match eval(&artifact.defs, &invariant.body, state.clone(), fuel)? {
            Value::Bool(true) => {}
            Value::Bool(false) => {
                let index = u32::try_from(index).map_err(|_| ill_typed("invariant index"))?;
                let kind = TrapKind::InvariantViolated { index };
                return Err(Trap::new(kind, invariant.site));
            }
            _ => return Err(ill_typed("invariant result")),
        }
    }
    Ok(())
}

/// The trap for a value the verifier should have ruled out.
pub(crate) fn ill_typed(what: &str) -> Trap {
    Trap::new(
        TrapKind::LimitExceeded(format!("ill-typed {what}")),
        Site::NONE,
    )
}

struct Evaluator<'a> {
    defs: &'a [Def],
    fuel: &'a mut u64,
}

impl Evaluator<'_> {
    fn eval(&mut self, arrow: &Arrow, input: Value, depth: usize) -> Result<Value, Trap> {
        if *self.fuel == 0 {
            return Err(Trap::new(TrapKind::OutOfFuel, Site::NONE));
        }
        *self.fuel -= 1;
        if depth >= NESTING_MAX {
            let kind = TrapKind::LimitExceeded("evaluation nested too deeply".into());
            return Err(Trap::new(kind, Site::NONE));
        }
        let depth = depth + 1;
        match arrow {
            Arrow::Id => Ok(input),
            Arrow::Seq(arrows) => arrows
                .iter()
                .try_fold(input, |value, f| self.eval(f, value, depth)),
            Arrow::Proj(index) => project(&input, *index),
            Arrow::Fork(arrows) if arrows.is_empty() => Ok(Value::Unit),
            Arrow::Fork(arrows) => {
                let items = arrows
                    .iter()
                    .map(|f| self.eval(f, input.clone(), depth))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Value::tuple(items))
            }
            Arrow::Par(arrows) => self.par(arrows, &input, depth),
            Arrow::Inj { sum, tag } => Ok(inject(sum, *tag, input)),
            Arrow::Case(arms) => {
                let (tag, payload) = split_sum(input)?;
                let arm = usize::try_from(tag)
                    .ok()
                    .and_then(|t| arms.get(t))
                    .ok_or_else(|| ill_typed("case tag"))?;
                self.eval(arm, payload, depth)
            }
            Arrow::Distl => distl(input),
            Arrow::Const(_, lit) => Ok(Value::from_lit(lit)),
            Arrow::Prim(prim, site) => prim.apply(input).map_err(|kind| Trap::new(kind, *site)),
            Arrow::Call(index) => {
                let def = usize::try_from(*index)
                    .ok()
                    .and_then(|i| self.defs.get(i))
                    .ok_or_else(|| ill_typed("call target"))?;
                self.eval(&def.body, input, depth)
            }
        }
    }

    fn par(&mut self, arrows: &[Arrow], input: &Value, depth: usize) -> Result<Value, Trap> {
        let Value::Tuple(items) = input else {
            return Err(ill_typed("parallel input"));
        };
        if items.len() != arrows.len() {
            return Err(ill_typed("parallel input"));
        }
        let outputs = arrows
            .iter()
            .zip(items.iter())
            .map(|(f, item)| self.eval(f, item.clone(), depth))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Value::tuple(outputs))
    }
}

/// Component `index` of a product.
pub(crate) fn project(input: &Value, index: u32) -> Result<Value, Trap> {
    match input {
        Value::Tuple(items) => usize::try_from(index)
            .ok()
            .and_then(|i| items.get(i))
            .cloned()
            .ok_or_else(|| ill_typed("projection")),
        _ => Err(ill_typed("projection")),
    }
}

/// Case `tag` of `sum` holding `payload`; `Bool` is built as `Value::Bool`.
pub(crate) fn inject(sum: &crate::types::Type, tag: u32, payload: Value) -> Value {
    match sum {
        crate::types::Type::Bool => Value::Bool(tag == 1),
        _ => Value::variant(tag, payload),
    }
}

/// A sum value as its tag and payload (`Bool` is `Unit + Unit`).
pub(crate) fn split_sum(value: Value) -> Result<(u32, Value), Trap> {
    match value {
        Value::Bool(b) => Ok((u32::from(b), Value::Unit)),
        Value::Variant(tag, payload) => Ok((tag, (*payload).clone())),
        _ => Err(ill_typed("case input")),
    }
}

/// `(e, s) -> Variant(tag of s, (e, payload of s))`.
pub(crate) fn distl(input: Value) -> Result<Value, Trap> {
    let Value::Tuple(items) = input else {
        return Err(ill_typed("distl input"));
    };
    let [env, sum] = &items[..] else {
        return Err(ill_typed("distl input"));
    };
    let (tag, payload) = split_sum(sum.clone())?;
    Ok(Value::variant(
        tag,
        Value::tuple(vec![env.clone(), payload]),
    ))
}
