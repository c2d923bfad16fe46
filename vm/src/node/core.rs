//! One live instance, without IO: its mailbox items are handled here one at a time.
//!
//! An [`InstanceCore`] owns the running [`Version`], the versions a rollback returns to, the
//! state and the turn count. Each mailbox [`Item`] is handled to completion before the next,
//! so an upgrade or rollback is a barrier: every input before it runs on the old version and
//! every input after it on the new one. A swap commits by replacing the version and the state
//! together, after the migration and the invariants succeeded; on any refusal nothing changes.
//!
//! Inputs arrive as text and are parsed with the running version's input type when they are
//! handled, so variants are identified by name and an input the running version does not accept
//! is answered with [`Outcome::Rejected`]. Time comes from a [`Clock`] so tests can drive it.
//! This module knows nothing of mailboxes, tasks or the network; [`super::server`] does.

use super::bounded;
use super::preplan::Preplan;
use super::report::{
    InstanceReport, Outcome, PushOutcome, Refusal, SwapKind, SwapReport, VersionReport,
};
use super::store::Recovered;
use super::swap::{migrate_down, migrate_up, plan_upgrade};
use super::version::Version;
use crate::hash::Hash;
use crate::limits::Limits;
use crate::text;
use crate::value::Value;
use std::time::Instant;

/// Where a node gets the time.
pub trait Clock {
    fn now(&self) -> Instant;
}

/// The real monotonic clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// One item of an instance's mailbox.
pub enum Item {
    /// Inputs in text form, handled in order.
    Inputs(Vec<String>),
    /// An upgrade barrier; `expect` makes it a compare-and-swap on the running hash.
    /// `prepared` is what the push planned and encoded before the barrier ([`Preplan`]).
    Upgrade {
        version: Version,
        expect: Option<Hash>,
        prepared: Option<Box<Preplan>>,
    },
    /// A rollback barrier.
    Rollback,
    /// A rollback barrier that a signature authorised: only from `running` back to `to`.
    RollbackFrom { running: Hash, to: Hash },
    /// A snapshot for `inspect`.
    Inspect,
    /// Inputs keyed for idempotency: input `i` has the key `(client, first_seq + i)`. Only a
    /// durable instance can tell a retry ([`super::idempotent`]); a bare core runs them all.
    KeyedInputs {
        client: String,
        first_seq: u64,
        inputs: Vec<String>,
    },
}

/// The answer to one [`Item`], in the same order.
#[derive(Debug, PartialEq, Eq)]
pub enum Reply {
    Outputs(Vec<Outcome>),
    Pushed(Result<PushOutcome, Refusal>),
    RolledBack(Result<SwapReport, Refusal>),
    Inspected(InstanceReport),
}

/// A live instance.
pub struct InstanceCore {
    name: String,
    current: Version,
    /// The versions a rollback returns to, oldest first.
    previous: Vec<Version>,
    state: Value,
    turns: u64,
    limits: Limits,
    last_swap: Option<SwapReport>,
    /// The barrier instant of `last_swap` while its pause is still running.
    pause_from: Option<Instant>,
}

impl InstanceCore {
    /// A new instance in the version's initial state, which must satisfy its invariants.
    pub fn deploy(name: &str, version: Version, limits: Limits) -> Result<InstanceCore, Refusal> {
        let state = version.program.init();
        let mut fuel = limits.fuel_turn;
        version
            .program
            .check_invariants(&state, &mut fuel)
            .and_then(|()| bounded::check_state(&state, &version.program.artifact().state, &limits))
            .map_err(|trap| Refusal::InitRejected(version.report(trap)))?;
        Ok(InstanceCore {
            name: name.to_string(),
            current: version,
            previous: Vec::new(),
            state,
            turns: 0,
            limits,
            last_swap: None,
            pause_from: None,
        })
    }

    /// An instance brought back by the store: its version stack, state and turn count as they
    /// were after the last durable record. `None` when the store named no version at all.
    pub fn restore(recovered: Recovered, limits: Limits) -> Option<InstanceCore> {
        let Recovered {
            instance,
            mut versions,
            state,
            turns,
            ..
        } = recovered;
        let current = versions.pop()?;
        Some(InstanceCore {
            name: instance,
            current,
            previous: versions,
            state,
            turns,
            limits,
            last_swap: None,
            pause_from: None,
        })
    }

    /// Handles one mailbox item to completion; `mailbox` is how many items wait behind it.
    pub fn handle(&mut self, item: Item, clock: &dyn Clock, mailbox: usize) -> Reply {
        match item {
            Item::Inputs(texts) | Item::KeyedInputs { inputs: texts, .. } => {
                Reply::Outputs(texts.iter().map(|text| self.input(text, clock)).collect())
            }
            Item::Upgrade {
                version,
                expect,
                prepared,
            } => Reply::Pushed(self.upgrade_prepared(version, expect, prepared.as_deref(), clock)),
            Item::Rollback => Reply::RolledBack(self.rollback(clock)),
            Item::RollbackFrom { running, to } => {
                Reply::RolledBack(self.rollback_from(running, to, clock))
            }
            Item::Inspect => Reply::Inspected(self.inspect(mailbox)),
        }
    }

    /// One input: parsed with the running input type, then one atomic turn.
    pub fn input(&mut self, text: &str, clock: &dyn Clock) -> Outcome {
        let artifact = self.current.program.artifact();
        let outcome = match text::parse(text, &artifact.input) {
            Err(e) => Outcome::Rejected(format!("not a {} input: {e}", artifact.name)),
            Ok(input) => match bounded::turn(&self.current, input, &self.state, &self.limits) {
                Ok((state, output)) => {
                    self.state = state;
                    self.turns += 1;
                    Outcome::Output(text::print(&output, &artifact.output))
                }
                Err(trap) => Outcome::Trapped(self.current.report(trap)),
            },
        };
        if self.pause_from.is_some() {
            self.close_pause(clock.now());
        }
        outcome
    }

    /// Ends the pause of the last swap, if it is still running: the instance has nothing more
    /// to do, so it is serving again.
    pub fn idle(&mut self, clock: &dyn Clock) {
        self.close_pause(clock.now());
    }

    fn close_pause(&mut self, now: Instant) {
        if let (Some(from), Some(swap)) = (self.pause_from.take(), self.last_swap.as_mut()) {
            swap.pause_us = Some(micros(now.saturating_duration_since(from)));
        }
    }

    /// An upgrade barrier: checks, migration, invariants, then one commit.
    pub fn upgrade(
        &mut self,
        next: Version,
        expect: Option<Hash>,
        clock: &dyn Clock,
    ) -> Result<PushOutcome, Refusal> {
        self.upgrade_prepared(next, expect, None, clock)
    }

    /// [`Self::upgrade`], reusing the plan of `prepared` if it was made against the version
    /// running now (else planning here, as without it).
    pub fn upgrade_prepared(
        &mut self,
        next: Version,
        expect: Option<Hash>,
        prepared: Option<&Preplan>,
        clock: &dyn Clock,
    ) -> Result<PushOutcome, Refusal> {
        let barrier = clock.now();
        if next.hash == self.current.hash {
            return Ok(PushOutcome::Unchanged { hash: next.hash });
        }
        if let Some(expected) = expect
            && expected != self.current.hash
        {
            return Err(Refusal::ExpectMismatch {
                expected,
                running: Some(self.current.hash),
            });
        }
        let planned_now;
        let plan = match prepared.and_then(|p| p.plan_for(&self.current)) {
            Some(plan) => plan,
            None => {
                planned_now = plan_upgrade(&self.current, &next, &self.limits)?;
                &planned_now
            }
        };
        let state = migrate_up(plan, &next, self.state.clone(), &self.limits)?;
        let previous = std::mem::replace(&mut self.current, next);
        self.state = state;
        let swap = self.commit(SwapKind::Upgrade, previous.hash, barrier, clock);
        self.previous.push(previous);
        Ok(PushOutcome::Upgraded { swap })
    }

    /// A rollback barrier through the running version's `migrate down`.
    pub fn rollback(&mut self, clock: &dyn Clock) -> Result<SwapReport, Refusal> {
        let barrier = clock.now();
        let Some(previous) = self.previous.last() else {
            return Err(Refusal::NoPrevious(self.name.clone()));
        };
        let state = migrate_down(&self.current, previous, self.state.clone(), &self.limits)?;
        let restored = self
            .previous
            .pop()
            .expect("invariant: `previous` was non-empty a moment ago");
        let from = std::mem::replace(&mut self.current, restored).hash;
        self.state = state;
        Ok(self.commit(SwapKind::Rollback, from, barrier, clock))
    }

    /// A rollback only if `running` runs and `to` is the version it returns to.
    pub fn rollback_from(
        &mut self,
        running: Hash,
        to: Hash,
        clock: &dyn Clock,
    ) -> Result<SwapReport, Refusal> {
        if running != self.current.hash {
            return Err(Refusal::ExpectMismatch {
                expected: running,
                running: Some(self.current.hash),
            });
        }
        let Some(previous) = self.previous.last() else {
            return Err(Refusal::NoPrevious(self.name.clone()));
        };
        if previous.hash != to {
            return Err(Refusal::RollbackTargetMismatch {
                instance: self.name.clone(),
                signed: to,
                previous: previous.hash,
            });
        }
        self.rollback(clock)
    }

    fn commit(
        &mut self,
        kind: SwapKind,
        from: Hash,
        barrier: Instant,
        clock: &dyn Clock,
    ) -> SwapReport {
        let swap = SwapReport {
            kind,
            from,
            to: self.current.hash,
            swap_us: micros(clock.now().saturating_duration_since(barrier)),
            pause_us: None,
        };
        self.last_swap = Some(swap.clone());
        self.pause_from = Some(barrier);
        swap
    }

    /// A snapshot of the instance; `mailbox` is how many items wait behind this one.
    pub fn inspect(&self, mailbox: usize) -> InstanceReport {
        let artifact = self.current.program.artifact();
        let versions = std::iter::once(&self.current)
            .chain(self.previous.iter().rev())
            .map(|v| VersionReport {
                hash: v.hash,
                name: v.name().to_string(),
            })
            .collect();
        InstanceReport {
            instance: self.name.clone(),
            versions,
            state: text::print(&self.state, &artifact.state),
            turns: self.turns,
            mailbox: u64::try_from(mailbox).unwrap_or(u64::MAX),
            last_swap: self.last_swap.clone(),
        }
    }

    pub fn current(&self) -> &Version {
        &self.current
    }

    pub fn state(&self) -> &Value {
        &self.state
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Successful turns so far.
    pub fn turns(&self) -> u64 {
        self.turns
    }

    /// The hashes of the version stack: rollback targets oldest first, the running one last.
    pub fn version_stack(&self) -> Vec<Hash> {
        self.previous
            .iter()
            .chain(std::iter::once(&self.current))
            .map(|v| v.hash)
            .collect()
    }
}

fn micros(duration: std::time::Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}
