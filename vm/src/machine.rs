//! A running machine: a loaded program, its current state and how many turns it has taken.
//!
//! A turn is atomic: the new state replaces the old one only when the step and every invariant
//! succeeded, so on any trap the state is exactly as before. An upgrade is atomic the same way:
//! the state is migrated through the next version's `migrate_up` (or a migration derived by
//! [`crate::migrate::derive`]) and checked against its invariants, and only then does the
//! instance switch; on any failure the old version and state keep running.
//!
//! This module does no IO and keeps no history; a node that wants snapshots clones the state
//! (O(1): values share structure).

use crate::bytecode::{Migration, Site};
use crate::interp::{Held, Loaded, load};
use crate::limits::Limits;
use crate::migrate::derive;
use crate::trap::{Trap, TrapKind};
use crate::types::Type;
use crate::value::Value;
use crate::verify::{VerifyError, same_shape, verify};
use std::sync::{Arc, OnceLock};

/// A running machine.
#[derive(Debug, Clone)]
pub struct Instance {
    program: Arc<Loaded>,
    /// The state, held unpacked in registers between turns ([`Loaded::hold`]).
    held: Held,
    /// The whole state value, packed on the first [`Instance::state`] after a turn.
    packed: OnceLock<Value>,
    turns: u64,
    fuel_turn: u64,
}

/// Why an upgrade was refused; the old version keeps running.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UpgradeError {
    #[error(
        "the new version migrates from state {declared}, but the running state is {running}; \
         declare `migrate(old: {running})` in the new version"
    )]
    StateMismatch { declared: Type, running: Type },
    #[error("{0}")]
    NoMigration(String),
    #[error("the derived migration was rejected: {0}")]
    Rejected(#[from] VerifyError),
    #[error("the migration trapped: {0}")]
    Trapped(Trap),
}

impl Instance {
    /// A machine in the program's initial state, with the default fuel per turn.
    pub fn new(program: Arc<Loaded>) -> Instance {
        Instance::with_limits(program, &Limits::default())
    }

    /// A machine in the program's initial state, with `limits.fuel_turn` fuel per turn.
    pub fn with_limits(program: Arc<Loaded>, limits: &Limits) -> Instance {
        let held = program.hold(program.init());
        Instance {
            program,
            held,
            packed: OnceLock::new(),
            turns: 0,
            fuel_turn: limits.fuel_turn,
        }
    }

    /// A machine at a point of its history that was rebuilt elsewhere (a node's log replayed
    /// through the same VM): `state` must be a state `program` reached, as the replay checked.
    pub fn restored(program: Arc<Loaded>, state: Value, turns: u64, limits: &Limits) -> Instance {
        let held = program.hold(state);
        Instance {
            program,
            held,
            packed: OnceLock::new(),
            turns,
            fuel_turn: limits.fuel_turn,
        }
    }

    /// Handles one input: the output, or the trap (and the state is as it was before).
    /// An input that is not a value of the machine's input type is refused the same way.
    pub fn turn(&mut self, input: Value) -> Result<Value, Trap> {
        if !self.program.accepts_input(&input) {
            let input_type = &self.program.artifact().input;
            let what = format!("the input is not a value of type {input_type}");
            return Err(Trap::new(TrapKind::LimitExceeded(what), Site::NONE));
        }
        // A packed copy shares the state's collections: dropping it first lets the turn
        // update them in place. A trap leaves the held state unchanged.
        self.packed.take();
        let output = self
            .program
            .step_held(input, &mut self.held, self.fuel_turn)?;
        self.turns += 1;
        Ok(output)
    }

    /// The current state (packed from the held components on the first call after a turn).
    pub fn state(&self) -> &Value {
        self.packed.get_or_init(|| self.program.pack(&self.held))
    }

    /// The number of turns that succeeded, across upgrades.
    pub fn turns(&self) -> u64 {
        self.turns
    }

    pub fn program(&self) -> &Arc<Loaded> {
        &self.program
    }

    /// Switches to `next`, migrating the state; on any error nothing changes.
    pub fn upgrade(&mut self, next: Arc<Loaded>, limits: &Limits) -> Result<(), UpgradeError> {
        let running = &self.program.artifact().state;
        let old = self.state().clone();
        let state = match &next.artifact().migrate_up {
            Some(migration) if !same_shape(&migration.other, running) => {
                return Err(UpgradeError::StateMismatch {
                    declared: migration.other.clone(),
                    running: running.clone(),
                });
            }
            Some(_) => next.migrate_up(old, limits.fuel_migration),
            None => derived_program(&next, running, limits)?.migrate_up(old, limits.fuel_migration),
        }
        .map_err(UpgradeError::Trapped)?;
        self.held = next.hold(state);
        self.program = next;
        self.packed = OnceLock::new();
        Ok(())
    }
}

/// `next` with a derived `migrate_up` from `running`, verified and loaded like any artifact,
/// so that nothing runs unverified.
fn derived_program(next: &Loaded, running: &Type, limits: &Limits) -> Result<Loaded, UpgradeError> {
    let mut artifact = next.artifact().clone();
    let body =
        derive(running, &artifact.state, &artifact.init).map_err(UpgradeError::NoMigration)?;
    artifact.migrate_up = Some(Migration {
        other: running.clone(),
        body,
    });
    Ok(load(verify(artifact, limits)?))
}
