//! The sequential model the node is checked against: per instance, the stack of versions in
//! force, the state, and every keyed input applied, advanced one durable log record at a time.
//!
//! Outputs, migrations and invariants are recomputed with the reference evaluator
//! ([`quiver_vm::eval_ref`]), never with the node's interpreter or its swap code; the model
//! shares only the rules of the spec (which inputs are compatible, when a migration is derived,
//! the text form of values). Each check returns the sentence that explains a violation.

use crate::programs::{Program, by_hash};
use quiver_vm::bytecode::Arrow;
use quiver_vm::eval_ref;
use quiver_vm::limits::Limits;
use quiver_vm::migrate::derive;
use quiver_vm::node::report::{Outcome, Refusal};
use quiver_vm::node::store::{Position, Record};
use quiver_vm::node::swap::inputs_compatible;
use quiver_vm::node::version::Version;
use quiver_vm::text;
use quiver_vm::trap::Trap;
use quiver_vm::value::Value;
use std::collections::BTreeMap;

/// One applied keyed input: its text and the outcome it had.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub text: String,
    pub outcome: Outcome,
}

/// What the model says a swap should do.
#[derive(Debug)]
pub enum Prediction {
    Commits(Value),
    Unchanged,
    Refused(String),
}

/// One instance as the sequential model has it.
pub struct ModelInstance {
    /// Oldest first; the running version last.
    pub versions: Vec<Version>,
    pub state: Value,
    /// The position the next durable record must take.
    pub next: Position,
    pub applied: BTreeMap<(String, u64), Applied>,
    last_seq: BTreeMap<String, u64>,
}

impl ModelInstance {
    /// The instance as deployed.
    pub fn deployed(version: Version) -> ModelInstance {
        let state = version.program.init();
        ModelInstance {
            versions: vec![version],
            state,
            next: 1,
            applied: BTreeMap::new(),
            last_seq: BTreeMap::new(),
        }
    }

    pub fn running(&self) -> &Version {
        self.versions
            .last()
            .expect("invariant: a model instance always has a running version")
    }

    /// Applies the durable record at `position`, checking it against the model.
    pub fn apply(
        &mut self,
        position: Position,
        record: &Record,
        catalog: &[Program],
        limits: &Limits,
    ) -> Result<(), String> {
        if position != self.next {
            return Err(format!(
                "record at {position}, but the model expects {}",
                self.next
            ));
        }
        match record {
            Record::Deploy { .. } => return Err(format!("a second deploy at {position}")),
            Record::Input { text, outcome, key } => {
                let expected = self.input(text, limits);
                if !same_outcome(&expected, outcome) {
                    return Err(format!(
                        "input {text} at {position}: the node gave {outcome:?}, the model \
                         {expected:?}"
                    ));
                }
                if let Some(key) = key {
                    self.keyed(&key.client, key.seq, text, outcome)?;
                }
            }
            Record::Upgrade { to } => {
                let next = by_hash(catalog, *to)
                    .ok_or_else(|| format!("an upgrade to unknown version {}", to.short()))?;
                match self.predict_upgrade(&next.version, limits) {
                    Prediction::Commits(state) => {
                        self.state = state;
                        self.versions.push(next.version.clone());
                    }
                    other => {
                        return Err(format!(
                            "the node committed an upgrade to {} at {position}; the model \
                             says {other:?}",
                            next.label
                        ));
                    }
                }
            }
            Record::Rollback { to } => match self.predict_rollback(limits) {
                Prediction::Commits(state) if self.previous_hash() == Some(*to) => {
                    self.state = state;
                    self.versions.pop();
                }
                other => {
                    return Err(format!(
                        "the node committed a rollback at {position}; the model says {other:?}"
                    ));
                }
            },
        }
        self.next += 1;
        Ok(())
    }

    /// Per-client order, and no input applied twice: a client's keys arrive contiguously.
    fn keyed(
        &mut self,
        client: &str,
        seq: u64,
        text: &str,
        outcome: &Outcome,
    ) -> Result<(), String> {
        let last = self.last_seq.get(client).copied().unwrap_or(0);
        if seq <= last {
            return Err(format!(
                "input ({client}, {seq}) applied twice (or after {last})"
            ));
        }
        if seq != last + 1 {
            return Err(format!(
                "input ({client}, {seq}) applied before ({client}, {})",
                last + 1
            ));
        }
        self.last_seq.insert(client.to_string(), seq);
        let applied = Applied {
            text: text.to_string(),
            outcome: outcome.clone(),
        };
        self.applied.insert((client.to_string(), seq), applied);
        Ok(())
    }

    /// One input through the reference evaluator.
    fn input(&mut self, input_text: &str, limits: &Limits) -> Outcome {
        let artifact = self.running().program.artifact().clone();
        let input = match text::parse(input_text, &artifact.input) {
            Ok(input) => input,
            Err(e) => return Outcome::Rejected(format!("not a {} input: {e}", artifact.name)),
        };
        match eval_ref::step(&artifact, input, self.state.clone(), limits.fuel_turn) {
            Ok((state, output)) => {
                self.state = state;
                Outcome::Output(text::print(&output, &artifact.output))
            }
            Err(trap) => Outcome::Trapped(self.running().report(trap)),
        }
    }

    /// What pushing `next` onto the running version should do, from the model's state.
    pub fn predict_upgrade(&self, next: &Version, limits: &Limits) -> Prediction {
        let old = self.running().program.artifact();
        let new = next.program.artifact();
        if next.hash == self.running().hash {
            return Prediction::Unchanged;
        }
        if let Err(why) = inputs_compatible(&old.input, &new.input) {
            return Prediction::Refused(why);
        }
        let body = match &new.migrate_up {
            Some(declared) if declared.other != old.state => {
                return Prediction::Refused("the declared migration is from another state".into());
            }
            Some(declared) => declared.body.clone(),
            None => match derive(&old.state, &new.state, &new.init) {
                Ok(body) => body,
                Err(why) => return Prediction::Refused(why),
            },
        };
        let mut fuel = limits.fuel_migration;
        match migrate(new, &body, self.state.clone(), &mut fuel) {
            Ok(state) => Prediction::Commits(state),
            Err(trap) => Prediction::Refused(format!("the migration traps: {trap}")),
        }
    }

    /// What a rollback should do, from the model's state.
    pub fn predict_rollback(&self, limits: &Limits) -> Prediction {
        let count = self.versions.len();
        let Some(previous) = count.checked_sub(2).map(|i| &self.versions[i]) else {
            return Prediction::Refused("no previous version".into());
        };
        let current = self.running().program.artifact();
        let Some(down) = &current.migrate_down else {
            return Prediction::Refused("no migrate down".into());
        };
        let before = previous.program.artifact();
        if down.other != before.state {
            return Prediction::Refused("migrate down to another state".into());
        }
        let mut fuel = limits.fuel_migration;
        let migrated =
            match eval_ref::eval(&current.defs, &down.body, self.state.clone(), &mut fuel) {
                Ok(state) => state,
                Err(trap) => return Prediction::Refused(format!("migrate down traps: {trap}")),
            };
        let mut fuel = limits.fuel_migration;
        match eval_ref::check_invariants(before, &migrated, &mut fuel) {
            Ok(()) => Prediction::Commits(migrated),
            Err(trap) => Prediction::Refused(format!("the previous invariants fail: {trap}")),
        }
    }

    fn previous_hash(&self) -> Option<quiver_vm::hash::Hash> {
        let count = self.versions.len();
        count.checked_sub(2).map(|i| self.versions[i].hash)
    }
}

/// A migration body, then the new version's invariants, from one budget of fuel.
fn migrate(
    new: &quiver_vm::bytecode::Artifact,
    body: &Arrow,
    state: Value,
    fuel: &mut u64,
) -> Result<Value, Trap> {
    let migrated = eval_ref::eval(&new.defs, body, state, fuel)?;
    eval_ref::check_invariants(new, &migrated, fuel)?;
    Ok(migrated)
}

/// Outcomes agree: the same output or rejection, or a trap of the same kind at the same site.
pub fn same_outcome(model: &Outcome, node: &Outcome) -> bool {
    match (model, node) {
        (Outcome::Trapped(a), Outcome::Trapped(b)) => a.trap == b.trap,
        _ => model == node,
    }
}

/// Whether a node's refusal is the kind the model predicted.
pub fn refusal_matches(prediction: &Prediction, refusal: &Refusal) -> bool {
    matches!(prediction, Prediction::Refused(_))
        && !matches!(refusal, Refusal::Unstored(_) | Refusal::ShuttingDown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::programs::catalog;
    use quiver_vm::node::store::ClientKey;

    fn input(text: &str, outcome: &str, seq: u64) -> Record {
        Record::Input {
            text: text.into(),
            outcome: Outcome::Output(outcome.into()),
            key: Some(ClientKey {
                client: "c".into(),
                seq,
            }),
        }
    }

    fn fresh() -> (ModelInstance, Vec<Program>, Limits) {
        let limits = Limits::default();
        let catalog = catalog(&limits).expect("the simulator's programs compile");
        (
            ModelInstance::deployed(catalog[0].version.clone()),
            catalog,
            limits,
        )
    }

    #[test]
    fn the_model_refuses_an_input_applied_twice_or_out_of_order() {
        let (mut model, catalog, limits) = fresh();
        model
            .apply(1, &input("Incr(1)", "Ok", 1), &catalog, &limits)
            .expect("in order");
        let twice = model.apply(2, &input("Incr(1)", "Ok", 1), &catalog, &limits);
        assert!(twice.is_err_and(|e| e.contains("applied twice")));
        let (mut model, catalog, limits) = fresh();
        let skipped = model.apply(1, &input("Incr(1)", "Ok", 2), &catalog, &limits);
        assert!(skipped.is_err_and(|e| e.contains("applied before")));
    }

    #[test]
    fn the_model_refuses_an_output_its_own_evaluation_does_not_give() {
        let (mut model, catalog, limits) = fresh();
        let wrong = model.apply(1, &input("Get", "Value(1)", 1), &catalog, &limits);
        assert!(wrong.is_err_and(|e| e.contains("Value(0)")));
    }

    #[test]
    fn the_model_predicts_a_failing_migration_from_the_state() {
        let (mut model, catalog, limits) = fresh();
        let breaking = &catalog[4].version;
        assert!(matches!(
            model.predict_upgrade(breaking, &limits),
            Prediction::Refused(_)
        ));
        for seq in 1..=3 {
            model
                .apply(seq, &input("Incr(1)", "Ok", seq), &catalog, &limits)
                .expect("in order");
        }
        assert!(matches!(
            model.predict_upgrade(breaking, &limits),
            Prediction::Commits(_)
        ));
    }
}
