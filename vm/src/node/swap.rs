//! The checks and migrations of a swap, as pure functions of versions and states.
//!
//! An upgrade is planned first ([`plan_upgrade`]: state types, input compatibility, the
//! migration to run, derived and verified when the new version declares none) and only then
//! run ([`migrate_up`]: the migration under fuel, then the new version's invariants). A
//! rollback runs the current version's `migrate down` and checks the previous version's
//! invariants ([`migrate_down`]). Nothing here changes an instance; [`super::core`] commits.
//!
//! Input compatibility rule: when the old input type is an enum, the new one must be an enum
//! that has, for every old variant, a variant of the same name with exactly the same field
//! types (new variants may be added and variants may be reordered, because inputs travel as
//! text and are matched by name). Any other old input type must stay exactly the same. The
//! rule is not applied to rollbacks: an input the restored version does not accept is answered
//! with an error, never reinterpreted.

use super::bounded;
use super::report::Refusal;
use super::version::Version;
use crate::bytecode::Migration;
use crate::interp::{Loaded, load};
use crate::limits::Limits;
use crate::migrate::derive;
use crate::types::Type;
use crate::value::Value;
use crate::verify::verify;
use std::sync::Arc;

/// A checked upgrade: the program whose `migrate_up` turns the running state into the new one.
#[derive(Clone)]
pub struct UpgradePlan {
    migration: Arc<Loaded>,
}

/// Every check of an upgrade from `running` to `next` that does not need the state.
pub fn plan_upgrade(
    running: &Version,
    next: &Version,
    limits: &Limits,
) -> Result<UpgradePlan, Refusal> {
    let old = running.program.artifact();
    let new = next.program.artifact();
    inputs_compatible(&old.input, &new.input).map_err(Refusal::InputsIncompatible)?;
    let migration = match &new.migrate_up {
        Some(declared) if declared.other != old.state => {
            return Err(Refusal::StateMismatch {
                declared: declared.other.clone(),
                running: old.state.clone(),
            });
        }
        Some(_) => next.program.clone(),
        None => Arc::new(derived(next, &old.state, limits)?),
    };
    Ok(UpgradePlan { migration })
}

/// Runs a planned migration on `state` under the migration fuel, checking the new invariants.
pub fn migrate_up(
    plan: &UpgradePlan,
    next: &Version,
    state: Value,
    limits: &Limits,
) -> Result<Value, Refusal> {
    let migrated = plan
        .migration
        .migrate_up(state, limits.fuel_migration)
        .and_then(|state| {
            bounded::check_state(&state, &next.program.artifact().state, limits).map(|()| state)
        });
    migrated.map_err(|trap| Refusal::MigrationTrapped(next.report(trap)))
}

/// `current`'s state taken back to `previous` through `current`'s `migrate down`, checked
/// against `previous`'s invariants; each of the two gets the migration fuel.
pub fn migrate_down(
    current: &Version,
    previous: &Version,
    state: Value,
    limits: &Limits,
) -> Result<Value, Refusal> {
    let Some(down) = &current.program.artifact().migrate_down else {
        return Err(Refusal::NoMigrateDown(current.hash));
    };
    let previous_state = &previous.program.artifact().state;
    if &down.other != previous_state {
        return Err(Refusal::DownMismatch {
            declared: down.other.clone(),
            previous: previous_state.clone(),
        });
    }
    let migrated = current
        .program
        .migrate_down(state, limits.fuel_migration)
        .map_err(|trap| Refusal::MigrationTrapped(current.report(trap)))?;
    let mut fuel = limits.fuel_migration;
    previous
        .program
        .check_invariants(&migrated, &mut fuel)
        .and_then(|()| bounded::check_state(&migrated, previous_state, limits))
        .map_err(|trap| Refusal::MigrationTrapped(previous.report(trap)))?;
    Ok(migrated)
}

/// `next` with a `migrate_up` derived from the running state type, verified and loaded like
/// any pushed artifact so that nothing runs unverified.
fn derived(next: &Version, running: &Type, limits: &Limits) -> Result<Loaded, Refusal> {
    let mut artifact = next.program.artifact().clone();
    let body = derive(running, &artifact.state, &artifact.init).map_err(Refusal::NoMigration)?;
    artifact.migrate_up = Some(Migration {
        other: running.clone(),
        body,
    });
    let verified = verify(artifact, limits)
        .map_err(|e| Refusal::NoMigration(format!("the derived migration was rejected: {e}")))?;
    Ok(load(verified))
}

/// Whether every input the old type accepts means the same under the new type (module doc).
pub fn inputs_compatible(old: &Type, new: &Type) -> Result<(), String> {
    match (old, new) {
        (Type::Enum(old_enum), Type::Enum(new_enum)) => {
            for variant in &old_enum.variants {
                let Some(found) = new_enum.variants.iter().find(|v| v.name == variant.name) else {
                    return Err(format!(
                        "input variant `{}` is gone; keep it (it may do nothing) so that \
                         queued and retried inputs still mean the same",
                        variant.name
                    ));
                };
                if found.fields != variant.fields {
                    return Err(format!(
                        "input variant `{}` changed its fields from ({}) to ({}); add a \
                         variant with a new name instead",
                        variant.name,
                        list(&variant.fields),
                        list(&found.fields)
                    ));
                }
            }
            Ok(())
        }
        _ if old == new => Ok(()),
        _ => Err(format!("the input type changed from {old} to {new}")),
    }
}

fn list(types: &[Type]) -> String {
    types
        .iter()
        .map(Type::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
