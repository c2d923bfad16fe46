//! What the crash suite knows independently of the node: which input ids were applied at the
//! last check, which were sent or acknowledged since, and which version must be running. After
//! each kill and restart, [`Model::check`] compares the node's recovered state with it and then
//! adopts that state as the new starting point.

use super::ledger::{GROWS, LedgerState, parse_state, shorten};
use quiver_vm::node::report::InstanceReport;
use std::collections::BTreeSet;

/// A swap asked for during the current round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Swap {
    None,
    /// Sent to the node; no answer (yet).
    Requested {
        to: String,
    },
    /// The node acknowledged it: it must survive the crash.
    Acknowledged {
        to: String,
    },
}

/// The model of the ledger instance.
#[derive(Debug)]
pub struct Model {
    /// The ids the node's state held at the last check (durable: that state was recovered).
    applied: BTreeSet<u64>,
    /// Ids sent since the last check; each may or may not have been applied.
    sent: BTreeSet<u64>,
    /// Ids the node acknowledged since the last check; each must have been applied.
    acknowledged: BTreeSet<u64>,
    next_id: u64,
    /// The running version's hash at the last check.
    pub running: String,
    pub swap: Swap,
}

impl Model {
    pub fn new(running: &str) -> Model {
        Model {
            applied: BTreeSet::new(),
            sent: BTreeSet::new(),
            acknowledged: BTreeSet::new(),
            next_id: 1,
            running: running.to_string(),
            swap: Swap::None,
        }
    }

    /// `count` fresh ids, recorded as sent.
    pub fn send(&mut self, count: usize) -> Vec<u64> {
        let ids: Vec<u64> = (self.next_id..).take(count).collect();
        self.next_id += count as u64;
        self.sent.extend(&ids);
        ids
    }

    /// The node acknowledged these ids.
    pub fn acknowledge(&mut self, ids: &[u64]) {
        self.acknowledged.extend(ids);
    }

    /// Compares the node's report after a restart with the model, then adopts it.
    pub fn check(&mut self, report: &InstanceReport, v1: &str, v2: &str) -> Result<(), String> {
        let state = parse_state(&report.state)?;
        self.check_inputs(&state, report.turns)?;
        self.check_version(&state, report, [v1, v2])?;
        self.applied = state.seen.into_keys().collect();
        self.sent.clear();
        self.acknowledged.clear();
        self.swap = Swap::None;
        Ok(())
    }

    /// Every acknowledged id is present, nothing earlier is lost, nothing unsent appears and
    /// nothing was applied twice.
    fn check_inputs(&self, state: &LedgerState, turns: u64) -> Result<(), String> {
        if state.dups != 0 || state.seen.values().any(|&times| times != 1) {
            return Err(format!("an input was applied twice (dups {})", state.dups));
        }
        if let Some(lost) = self
            .acknowledged
            .iter()
            .find(|id| !state.seen.contains_key(id))
        {
            return Err(format!("acknowledged input Add({lost}) is lost"));
        }
        if let Some(lost) = self.applied.iter().find(|id| !state.seen.contains_key(id)) {
            return Err(format!("input Add({lost}), recovered before, is lost"));
        }
        let known = |id: &u64| self.applied.contains(id) || self.sent.contains(id);
        if let Some(ghost) = state.seen.keys().find(|id| !known(id)) {
            return Err(format!(
                "input Add({ghost}) is applied but was never sent, or was lost by an earlier \
                 restart and came back"
            ));
        }
        let expected_turns = state.seen.len() as u64 + GROWS;
        if turns != expected_turns {
            return Err(format!(
                "{turns} turns, but {} ids and {GROWS} grows were applied",
                state.seen.len()
            ));
        }
        Ok(())
    }

    /// The running version is the old or the new one as the swap's acknowledgement allows,
    /// and the state has that version's shape.
    fn check_version(
        &mut self,
        state: &LedgerState,
        report: &InstanceReport,
        [v1, v2]: [&str; 2],
    ) -> Result<(), String> {
        let running = report
            .versions
            .first()
            .map(|v| v.hash.to_string())
            .ok_or("the report names no version")?;
        let allowed = match &self.swap {
            Swap::None => running == self.running,
            Swap::Requested { to } => running == self.running || running == *to,
            Swap::Acknowledged { to } => running == *to,
        };
        if !allowed {
            return Err(format!(
                "running {running}, but the model had {} with swap {:?}",
                self.running, self.swap
            ));
        }
        if running != v1 && running != v2 {
            return Err(format!("running {running} is neither v1 nor v2"));
        }
        // v2's state carries `swaps`: the state must have the running version's shape.
        if state.is_v2 != (running == v2) {
            return Err(format!(
                "state {} does not fit the running version {running}",
                shorten(&report.state)
            ));
        }
        self.running = running;
        Ok(())
    }
}
