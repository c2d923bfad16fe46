//! Near-miss programs for the verifier: a compiled example with a few of its arrows rewritten,
//! for the `artifact_mutate` target.
//!
//! Mutating artifact *bytes* mostly stops at the decoder (the encoding is canonical), so the
//! verifier rarely sees a program that is almost right. Here the mutations work on the tree
//! instead: a node is replaced by a small arrow (a projection, an injection, a constant, a
//! primitive, a call, the distributive law), wrapped in a composition, fork, parallel or case
//! with another, or has its index changed; or a declared type (state, input, output, a
//! definition's, a migration's) or the initial state is replaced. Most results are ill-typed and must be rejected;
//! whatever the verifier accepts goes to [`crate::program::exercise`], which runs it, after an
//! instance of the original example is upgraded to it.

use crate::examples;
use crate::generate::{arbitrary_type, arbitrary_value};
use crate::program::{assert_well_typed_trap, exercise, limits};
use arbitrary::{Result, Unstructured};
use quiver_vm::bytecode::{Arrow, Artifact, Lit, Site};
use quiver_vm::interp::load;
use quiver_vm::limits::Limits;
use quiver_vm::machine::{Instance, UpgradeError};
use quiver_vm::prim::Prim;
use quiver_vm::types::Type;
use quiver_vm::verify::{VerifiedProgram, value_has_type, verify};
use std::sync::Arc;

/// The most mutations applied to one example.
const MUTATIONS_MAX: usize = 4;

/// The `artifact_mutate` target: `[example] [mutations...] [value bytes]`.
pub fn check_mutated_example(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(artifact) = mutated(&mut u) else {
        return;
    };
    let limits = limits();
    if let Ok(program) = verify(artifact, &limits) {
        upgrade_to(&program, &limits);
        exercise(program, u.take_rest(), &limits);
    }
}

/// An instance of the example the mutant came from upgrades to it (through its `migrate_up`
/// or a derived migration), or is refused with its state untouched.
fn upgrade_to(program: &VerifiedProgram, limits: &Limits) {
    let compiled = examples::compiled();
    let Some((_, original)) = compiled
        .iter()
        .find(|(_, c)| c.artifact.name == program.artifact().name)
    else {
        return;
    };
    let Ok(original) = verify(original.artifact.clone(), limits) else {
        return;
    };
    let mut instance = Instance::with_limits(Arc::new(load(original)), limits);
    let before = instance.state().clone();
    let next = Arc::new(load(program.clone()));
    match instance.upgrade(next, limits) {
        Ok(()) => assert!(
            value_has_type(instance.state(), &program.artifact().state),
            "an upgraded state {:?} is not a {}",
            instance.state(),
            program.artifact().state
        ),
        Err(UpgradeError::Trapped(trap)) => {
            assert_well_typed_trap(&trap);
            assert_eq!(
                instance.state(),
                &before,
                "a refused upgrade changed the state"
            );
        }
        Err(_) => assert_eq!(
            instance.state(),
            &before,
            "a refused upgrade changed the state"
        ),
    }
}

/// An example's artifact, mutated by the bytes.
pub fn mutated(u: &mut Unstructured<'_>) -> Result<Artifact> {
    let compiled = examples::compiled();
    let mut artifact = compiled[u.choose_index(compiled.len())?].1.artifact.clone();
    for _ in 0..u.int_in_range(1..=MUTATIONS_MAX)? {
        if u.ratio(1, 5)? {
            mutate_declaration(u, &mut artifact)?;
            continue;
        }
        let body = choose_body(u, &mut artifact)?;
        let count = size(body);
        let mut target = u.choose_index(count)?;
        mutate_nth(u, body, &mut target)?;
    }
    Ok(artifact)
}

/// A declared type or the initial state replaced: the verifier must hold the arrows to the
/// declarations, whatever they say.
fn mutate_declaration(u: &mut Unstructured<'_>, artifact: &mut Artifact) -> Result<()> {
    let ty = some_type(u)?;
    match u.choose_index(6)? {
        0 => artifact.state = ty,
        1 => artifact.input = ty,
        2 => artifact.output = ty,
        3 => {
            if let Some(value) = arbitrary_value(u, &ty)? {
                artifact.init = value.to_lit();
            }
        }
        4 => {
            if !artifact.defs.is_empty() {
                let index = u.choose_index(artifact.defs.len())?;
                let def = &mut artifact.defs[index];
                if u.arbitrary()? {
                    def.input = ty;
                } else {
                    def.output = ty;
                }
            }
        }
        _ => {
            let migrations = [&mut artifact.migrate_up, &mut artifact.migrate_down];
            for migration in migrations.into_iter().flatten() {
                migration.other = ty.clone();
            }
        }
    }
    Ok(())
}

/// The step, an invariant, a definition or a migration of `artifact`.
fn choose_body<'a>(u: &mut Unstructured<'_>, artifact: &'a mut Artifact) -> Result<&'a mut Arrow> {
    let mut bodies: Vec<&'a mut Arrow> = vec![&mut artifact.step];
    bodies.extend(artifact.invariants.iter_mut().map(|i| &mut i.body));
    bodies.extend(artifact.defs.iter_mut().map(|d| &mut d.body));
    bodies.extend(artifact.migrate_up.iter_mut().map(|m| &mut m.body));
    bodies.extend(artifact.migrate_down.iter_mut().map(|m| &mut m.body));
    let index = u.choose_index(bodies.len())?;
    Ok(bodies.swap_remove(index))
}

/// The number of nodes of an arrow tree.
fn size(arrow: &Arrow) -> usize {
    1 + children(arrow).map(size).sum::<usize>()
}

fn children(arrow: &Arrow) -> impl Iterator<Item = &Arrow> {
    match arrow {
        Arrow::Seq(items) | Arrow::Fork(items) | Arrow::Par(items) | Arrow::Case(items) => {
            items.iter()
        }
        _ => [].iter(),
    }
}

/// Mutates the node `*target` counts down to, in pre-order.
fn mutate_nth(u: &mut Unstructured<'_>, arrow: &mut Arrow, target: &mut usize) -> Result<bool> {
    if *target == 0 {
        mutate_node(u, arrow)?;
        return Ok(true);
    }
    *target -= 1;
    if let Arrow::Seq(items) | Arrow::Fork(items) | Arrow::Par(items) | Arrow::Case(items) = arrow {
        for item in items {
            if mutate_nth(u, item, target)? {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

fn mutate_node(u: &mut Unstructured<'_>, arrow: &mut Arrow) -> Result<()> {
    let old = std::mem::replace(arrow, Arrow::Id);
    *arrow = match u.choose_index(9)? {
        0 => small_arrow(u)?,
        1 => Arrow::Seq(vec![old, small_arrow(u)?]),
        2 => Arrow::Seq(vec![small_arrow(u)?, old]),
        3 => Arrow::Fork(vec![old.clone(), old]),
        4 => Arrow::Par(vec![old, small_arrow(u)?]),
        5 => Arrow::Case(vec![old.clone(), old]),
        6 => renumbered(u, old)?,
        7 => match old {
            Arrow::Seq(mut items) | Arrow::Fork(mut items) | Arrow::Par(mut items)
                if items.len() > 1 =>
            {
                let last = items.len() - 1;
                items.swap(0, last);
                Arrow::Seq(items)
            }
            other => other,
        },
        _ => match old {
            Arrow::Seq(mut items) | Arrow::Case(mut items) if !items.is_empty() => {
                let index = u.choose_index(items.len())?;
                items.remove(index)
            }
            other => other,
        },
    };
    Ok(())
}

/// The same node with a different index: a projection, tag or call off by a little.
fn renumbered(u: &mut Unstructured<'_>, arrow: Arrow) -> Result<Arrow> {
    let delta = u.int_in_range(1..=3)?;
    Ok(match arrow {
        Arrow::Proj(i) => Arrow::Proj(i.wrapping_add(delta)),
        Arrow::Inj { sum, tag } => Arrow::Inj {
            sum,
            tag: tag.wrapping_add(delta),
        },
        Arrow::Call(i) => Arrow::Call(i.wrapping_add(delta)),
        Arrow::Prim(_, site) => Arrow::Prim(*u.choose(Prim::ALL)?, site),
        other => other,
    })
}

/// A leaf arrow of any kind, with a type and a constant that may or may not fit.
fn small_arrow(u: &mut Unstructured<'_>) -> Result<Arrow> {
    Ok(match u.choose_index(8)? {
        0 => Arrow::Id,
        1 => Arrow::Proj(u.int_in_range(0..=3)?),
        2 => Arrow::Inj {
            sum: some_type(u)?,
            tag: u.int_in_range(0..=3)?,
        },
        3 => {
            let ty = some_type(u)?;
            let lit = match arbitrary_value(u, &ty)? {
                Some(value) if u.ratio(7, 8)? => value.to_lit(),
                _ => Lit::Int(u.arbitrary()?),
            };
            Arrow::Const(ty, lit)
        }
        4 => Arrow::Prim(*u.choose(Prim::ALL)?, Site(u.int_in_range(0..=3)?)),
        5 => Arrow::Call(u.int_in_range(0..=3)?),
        6 => Arrow::Distl,
        _ => Arrow::Fork(Vec::new()),
    })
}

/// An example's type most of the time (those fit the program), else a generated one.
fn some_type(u: &mut Unstructured<'_>) -> Result<Type> {
    let types = examples::types();
    if u.ratio(3, 4)? {
        Ok(types[u.choose_index(types.len())?].clone())
    } else {
        arbitrary_type(u)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn some_mutated_examples_still_verify_and_run_safely_and_most_do_not() {
        let (mut accepted, mut rejected) = (0, 0);
        for seed in 0u32..400 {
            let bytes: Vec<u8> = (0..128u32)
                .map(|i| (seed.wrapping_mul(2_654_435_761).wrapping_add(i * 131) >> 9) as u8)
                .collect();
            let artifact = mutated(&mut Unstructured::new(&bytes)).expect("mutation never fails");
            match verify(artifact, &limits()) {
                Ok(program) => {
                    upgrade_to(&program, &limits());
                    exercise(program, &bytes, &limits());
                    accepted += 1;
                }
                Err(_) => rejected += 1,
            }
        }
        assert!(accepted > 10, "only {accepted} of 400 mutants verified");
        assert!(
            rejected > 100,
            "only {rejected} of 400 mutants were rejected"
        );
    }
}
