//! The verifier's promise, checked by running: a program it accepts never panics and never
//! traps on a type error, whatever values of its declared types it is given.
//!
//! [`check_artifact_bytes`] is the `artifact` target: decode, verify, and if accepted, run.
//! [`exercise`] is the running part, shared with the source targets (whose compiled programs
//! must verify): turns from the initial state on generated inputs, one turn from a generated
//! state, and both migrations from generated values. After each it checks that results have
//! their declared types, that a trap left the state as it was, that no trap says "ill-typed"
//! (the kind the VM gives a value the verifier should have ruled out, `eval_ref::ill_typed`),
//! and that the fast interpreter agrees with the reference evaluator.

use crate::generate::arbitrary_value;
use arbitrary::Unstructured;
use quiver_vm::bytecode::decode::decode;
use quiver_vm::bytecode::{Artifact, disasm, encode};
use quiver_vm::eval_ref;
use quiver_vm::interp::{Loaded, load};
use quiver_vm::limits::Limits;
use quiver_vm::machine::Instance;
use quiver_vm::trap::{Trap, TrapKind};
use quiver_vm::types::Type;
use quiver_vm::value::Value;
use quiver_vm::verify::{VerifiedProgram, value_has_type, verify};
use std::sync::Arc;

/// Turns taken from the initial state per input.
const TURNS: usize = 4;

/// Bounds for fuzzing: the defaults, with little fuel so that loops of calls end quickly.
pub fn limits() -> Limits {
    Limits {
        fuel_turn: 20_000,
        fuel_migration: 20_000,
        ..Limits::default()
    }
}

/// The `artifact` target. The input is `k`, then `k` bytes to generate values from, then the
/// artifact's encoding (a seed is `[0]` followed by a `.smb` file).
pub fn check_artifact_bytes(data: &[u8]) {
    let Some((&seed_len, rest)) = data.split_first() else {
        return;
    };
    let (value_bytes, artifact_bytes) = rest.split_at(usize::from(seed_len).min(rest.len()));
    let limits = limits();
    let Ok((artifact, debug)) = decode(artifact_bytes, &limits) else {
        return;
    };
    let encoded = encode::encode(&artifact, debug.as_ref());
    let again = decode(&encoded, &limits).expect("an encoded artifact decodes");
    assert_eq!(again, (artifact.clone(), debug.clone()), "encode -> decode");
    disasm::disassemble(&artifact, debug.as_ref());
    if let Ok(program) = verify(artifact, &limits) {
        exercise(program, value_bytes, &limits);
    }
}

/// Runs a verified program on values generated from `bytes` (see the module doc).
pub fn exercise(program: VerifiedProgram, bytes: &[u8], limits: &Limits) {
    let artifact = program.artifact().clone();
    let loaded = Arc::new(load(program));
    assert_has_type(&loaded.init(), &artifact.state, "the initial state");
    let mut u = Unstructured::new(bytes);
    turns_from_init(&loaded, &artifact, &mut u, limits);
    let state = arbitrary_value(&mut u, &artifact.state).ok().flatten();
    let input = arbitrary_value(&mut u, &artifact.input).ok().flatten();
    if let (Some(state), Some(input)) = (state, input) {
        one_turn(&loaded, &artifact, input, state, limits);
    }
    migrations(&loaded, &artifact, &mut u, limits);
}

fn turns_from_init(
    loaded: &Arc<Loaded>,
    artifact: &Artifact,
    u: &mut Unstructured<'_>,
    limits: &Limits,
) {
    let mut instance = Instance::with_limits(Arc::clone(loaded), limits);
    for _ in 0..TURNS {
        let Some(input) = arbitrary_value(u, &artifact.input).ok().flatten() else {
            return;
        };
        let before = instance.state().clone();
        let reference = eval_ref::step(artifact, input.clone(), before.clone(), limits.fuel_turn);
        let outcome = instance.turn(input);
        match &outcome {
            Ok(output) => {
                assert_has_type(output, &artifact.output, "an output");
                assert_has_type(instance.state(), &artifact.state, "a state after a turn");
            }
            Err(trap) => {
                assert_well_typed_trap(trap);
                assert_eq!(
                    instance.state(),
                    &before,
                    "a trapped turn changed the state"
                );
            }
        }
        let fast = outcome.map(|output| (instance.state().clone(), output));
        assert_agree(&fast, &reference);
    }
}

/// One turn from any state of the state type, by reference and by value.
fn one_turn(loaded: &Loaded, artifact: &Artifact, input: Value, state: Value, limits: &Limits) {
    let fuel = limits.fuel_turn;
    let reference = eval_ref::step(artifact, input.clone(), state.clone(), fuel);
    let by_ref = loaded.step(input.clone(), &state, fuel);
    let by_value = loaded.step_owned(input, state.clone(), fuel);
    if let Err((trap, back)) = &by_value {
        assert_eq!(
            back, &state,
            "a trapped turn on an owned state changed it ({trap})"
        );
    }
    let by_value = by_value.map_err(|(trap, _)| trap);
    for outcome in [&by_ref, &by_value] {
        match outcome {
            Ok((state, output)) => {
                assert_has_type(state, &artifact.state, "a state after a turn");
                assert_has_type(output, &artifact.output, "an output");
            }
            Err(trap) => assert_well_typed_trap(trap),
        }
        assert_agree(outcome, &reference);
    }
}

fn migrations(loaded: &Loaded, artifact: &Artifact, u: &mut Unstructured<'_>, limits: &Limits) {
    let fuel = limits.fuel_migration;
    if let Some(migration) = &artifact.migrate_up
        && let Some(old) = arbitrary_value(u, &migration.other).ok().flatten()
    {
        match loaded.migrate_up(old, fuel) {
            Ok(state) => assert_has_type(&state, &artifact.state, "a migrated state"),
            Err(trap) => assert_well_typed_trap(&trap),
        }
    }
    if let Some(migration) = &artifact.migrate_down
        && let Some(state) = arbitrary_value(u, &artifact.state).ok().flatten()
    {
        match loaded.migrate_down(state, fuel) {
            Ok(old) => assert_has_type(&old, &migration.other, "a state migrated down"),
            Err(trap) => assert_well_typed_trap(&trap),
        }
    }
}

/// The fast interpreter and the reference evaluator agree exactly, unless either ran out of
/// fuel (they count fuel differently).
fn assert_agree(fast: &Result<(Value, Value), Trap>, reference: &Result<(Value, Value), Trap>) {
    let out_of_fuel = |r: &Result<(Value, Value), Trap>| {
        matches!(
            r,
            Err(Trap {
                kind: TrapKind::OutOfFuel,
                ..
            })
        )
    };
    if !out_of_fuel(fast) && !out_of_fuel(reference) {
        assert_eq!(
            fast, reference,
            "the interpreter and the reference evaluator disagree"
        );
    }
}

fn assert_has_type(value: &Value, ty: &Type, what: &str) {
    assert!(
        value_has_type(value, ty),
        "{what} {value:?} is not a value of {ty}"
    );
}

/// A trap of a verified program is never the VM's "ill-typed" trap (or an input refusal: the
/// inputs are generated for the input type).
pub fn assert_well_typed_trap(trap: &Trap) {
    if let TrapKind::LimitExceeded(what) = &trap.kind {
        assert!(
            !what.contains("ill-typed") && !what.contains("is not a value of type"),
            "a verified program trapped on a type error: {what}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quiver_vm::bytecode::Site;

    #[test]
    #[should_panic(expected = "trapped on a type error")]
    fn an_ill_typed_trap_is_a_crash() {
        let kind = TrapKind::LimitExceeded("ill-typed projection".into());
        assert_well_typed_trap(&Trap::new(kind, Site::NONE));
    }

    #[test]
    fn a_trap_a_program_may_raise_is_not_a_crash() {
        for kind in [
            TrapKind::Overflow,
            TrapKind::OutOfFuel,
            TrapKind::AssertFailed,
        ] {
            assert_well_typed_trap(&Trap::new(kind, Site::NONE));
        }
    }
}
