//! Re-running logged records through the real VM: the same semantics as
//! [`crate::node::core::InstanceCore`] (inputs parsed by the running input type, atomic turns,
//! upgrades through [`crate::node::swap`]), without clocks, mailboxes or IO.
//!
//! A [`Replayer`] starts from a deploy or a snapshot and applies records one at a time, giving
//! back the outcome it recomputed so the caller can compare it with the recorded one. It does
//! not read the store; versions come from a [`Versions`] source.

use super::error::StoreError;
use super::record::{Position, Record};
use crate::hash::Hash;
use crate::limits::Limits;
use crate::node::bounded;
use crate::node::report::Outcome;
use crate::node::swap::{migrate_down, migrate_up, plan_upgrade};
use crate::node::version::Version;
use crate::text;
use crate::value::Value;

/// Where a replayer gets a version by hash.
pub trait Versions {
    fn version(&mut self, hash: Hash) -> Result<Version, StoreError>;
}

/// An instance being rebuilt from its log.
pub struct Replayer {
    pub(crate) instance: String,
    /// The versions rollback returns to, oldest first, then the running version.
    pub(crate) versions: Vec<Version>,
    pub(crate) state: Value,
    pub(crate) turns: u64,
    /// The position of the last record applied.
    pub(crate) position: Position,
    pub(crate) limits: Limits,
}

impl Replayer {
    /// The instance as deployed: `version`'s initial state, which must satisfy its invariants.
    pub fn deployed(
        instance: &str,
        version: Version,
        limits: Limits,
    ) -> Result<Replayer, StoreError> {
        let state = version.program.init();
        let mut fuel = limits.fuel_turn;
        version
            .program
            .check_invariants(&state, &mut fuel)
            .and_then(|()| bounded::check_state(&state, &version.program.artifact().state, &limits))
            .map_err(|trap| StoreError::Unreplayable {
                instance: instance.to_string(),
                position: 0,
                detail: format!("the initial state is rejected: {}", version.report(trap)),
            })?;
        Ok(Replayer {
            instance: instance.to_string(),
            versions: vec![version],
            state,
            turns: 0,
            position: 0,
            limits,
        })
    }

    /// The state after the last record applied.
    pub fn state(&self) -> &Value {
        &self.state
    }

    /// Successful turns so far.
    pub fn turns(&self) -> u64 {
        self.turns
    }

    /// The position of the last record applied.
    pub fn position(&self) -> Position {
        self.position
    }

    pub fn running(&self) -> &Version {
        self.versions
            .last()
            .expect("invariant: a replayer always has a running version")
    }

    /// Applies the record at `position`; an input gives back the outcome recomputed for it.
    pub fn apply(
        &mut self,
        position: Position,
        record: &Record,
        versions: &mut dyn Versions,
    ) -> Result<Option<Outcome>, StoreError> {
        if position != self.position + 1 {
            return Err(StoreError::Corrupt {
                what: format!(
                    "instance `{}` has a gap in its log: position {} follows {}",
                    self.instance, position, self.position
                ),
            });
        }
        let outcome = match record {
            Record::Input { text, .. } => Some(self.input(text)),
            Record::Upgrade { to } => {
                let next = versions.version(*to)?;
                self.upgrade(position, next)?;
                None
            }
            Record::Rollback { to } => {
                self.rollback(position, *to)?;
                None
            }
            Record::Deploy { .. } => return Err(self.unreplayable(position, "a second deploy")),
        };
        self.position = position;
        Ok(outcome)
    }

    /// One input, exactly as the live instance handles it.
    pub fn input(&mut self, input_text: &str) -> Outcome {
        let running = self.running().clone();
        let artifact = running.program.artifact();
        match text::parse(input_text, &artifact.input) {
            Err(e) => Outcome::Rejected(format!("not a {} input: {e}", artifact.name)),
            Ok(input) => match bounded::turn(&running, input, &self.state, &self.limits) {
                Ok((state, output)) => {
                    self.state = state;
                    self.turns += 1;
                    Outcome::Output(text::print(&output, &artifact.output))
                }
                Err(trap) => Outcome::Trapped(running.report(trap)),
            },
        }
    }

    /// Switches to `next` through its migration, as a committed upgrade did.
    pub fn upgrade(&mut self, position: Position, next: Version) -> Result<(), StoreError> {
        let plan = plan_upgrade(self.running(), &next, &self.limits)
            .map_err(|refusal| self.unreplayable(position, &refusal.to_string()))?;
        self.state = migrate_up(&plan, &next, self.state.clone(), &self.limits)
            .map_err(|refusal| self.unreplayable(position, &refusal.to_string()))?;
        self.versions.push(next);
        Ok(())
    }

    fn rollback(&mut self, position: Position, to: Hash) -> Result<(), StoreError> {
        let count = self.versions.len();
        let Some(previous) = count.checked_sub(2).map(|i| &self.versions[i]) else {
            return Err(self.unreplayable(position, "a rollback with no previous version"));
        };
        if previous.hash != to {
            let detail = format!(
                "the log rolls back to {}, but the previous version is {}",
                to.short(),
                previous.hash.short()
            );
            return Err(self.unreplayable(position, &detail));
        }
        self.state = migrate_down(self.running(), previous, self.state.clone(), &self.limits)
            .map_err(|refusal| self.unreplayable(position, &refusal.to_string()))?;
        self.versions.pop();
        Ok(())
    }

    fn unreplayable(&self, position: Position, detail: &str) -> StoreError {
        StoreError::Unreplayable {
            instance: self.instance.clone(),
            position,
            detail: detail.to_string(),
        }
    }
}
