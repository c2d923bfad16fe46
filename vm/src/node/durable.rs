//! One instance made durable: an [`InstanceCore`] and the [`Journal`] of its log, handling a
//! mailbox item and logging what it did.
//!
//! Every input (whatever its outcome) and every committed upgrade or rollback is appended to the
//! store (the inputs of one item as one request); the caller gets the reply together with the
//! [`Pending`] records it must wait for
//! before the reply may leave the node. Refused swaps and inspections are not logged. This
//! module does not wait for anything itself and knows nothing of tasks or the network.

use super::core::{Clock, InstanceCore, Item, Reply};
use super::idempotent::Dedup;
use super::preplan::Preplan;
use super::report::PushOutcome;
use super::store::Pending;
use super::store::journal::Journal;
use super::version::Version;
use std::sync::{Arc, Mutex};

/// A live instance and its writer into the store.
pub struct DurableInstance {
    core: InstanceCore,
    journal: Journal,
    /// The clients' sequence numbers, for keyed inputs.
    dedup: Dedup,
    /// The running version as pushes see it, to plan their upgrade before the barrier.
    running: Running,
    /// The plan of the last upgrade, dropped in [`Self::submit`] rather than inside the
    /// swap's pause (freeing a derived migration program is not free).
    spent: Option<Box<Preplan>>,
}

/// The version an instance runs, shared with the pushes that plan against it
/// ([`super::preplan`]); updated after every committed swap.
pub type Running = Arc<Mutex<Version>>;

/// A reply that may be sent only once every one of `records` is durable.
pub struct Journaled {
    pub reply: Reply,
    pub records: Vec<Pending>,
}

impl DurableInstance {
    pub fn new(core: InstanceCore, journal: Journal) -> DurableInstance {
        let running = Arc::new(Mutex::new(core.current().clone()));
        DurableInstance {
            core,
            journal,
            dedup: Dedup::default(),
            running,
            spent: None,
        }
    }

    /// Stages swap records instead of sending them ([`Journal::defer_swap_records`]); the
    /// owner then calls [`Self::submit`] once the item after a swap was handled.
    pub fn defer_swap_records(&mut self) {
        self.journal.defer_swap_records();
    }

    /// Sends a staged swap record to the store, if one waits, and frees the last plan.
    pub fn submit(&mut self) {
        self.journal.submit();
        self.spent = None;
    }

    /// The running version, kept current for pushes that plan ahead.
    pub fn running(&self) -> Running {
        self.running.clone()
    }

    fn publish(&self) {
        // Every update replaces the whole version, so a poisoned lock still holds a valid one.
        *self
            .running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = self.core.current().clone();
    }

    /// Handles one item to completion and appends what happened to the log.
    pub fn handle(&mut self, item: Item, clock: &dyn Clock, mailbox: usize) -> Journaled {
        let mut records = Vec::new();
        let reply = match item {
            Item::Inputs(texts) => {
                let outcomes = texts
                    .iter()
                    .map(|text| {
                        let outcome = self.core.input(text, clock);
                        records.extend(self.journal.queue_input(&self.core, text, &outcome, None));
                        outcome
                    })
                    .collect();
                records.extend(self.journal.flush());
                Reply::Outputs(outcomes)
            }
            Item::Upgrade {
                version,
                expect,
                prepared,
            } => {
                let pushed =
                    self.core
                        .upgrade_prepared(version, expect, prepared.as_deref(), clock);
                if let Ok(PushOutcome::Upgraded { .. }) = &pushed {
                    // The pushed version now runs: its encoding, if the push made one, is the
                    // running version's.
                    let encoded = prepared.as_ref().map(|p| p.encoded());
                    records.push(self.journal.upgraded(&self.core, encoded));
                    self.publish();
                }
                self.spent = prepared;
                Reply::Pushed(pushed)
            }
            Item::Rollback => {
                let rolled = self.core.rollback(clock);
                if rolled.is_ok() {
                    records.push(self.journal.rolled_back(&self.core));
                    self.publish();
                }
                Reply::RolledBack(rolled)
            }
            Item::RollbackFrom { running, to } => {
                let rolled = self.core.rollback_from(running, to, clock);
                if rolled.is_ok() {
                    records.push(self.journal.rolled_back(&self.core));
                    self.publish();
                }
                Reply::RolledBack(rolled)
            }
            Item::Inspect => Reply::Inspected(self.core.inspect(mailbox)),
            Item::KeyedInputs {
                client,
                first_seq,
                inputs,
            } => {
                return self.dedup.handle(
                    &mut self.core,
                    &mut self.journal,
                    &client,
                    first_seq,
                    &inputs,
                    clock,
                );
            }
        };
        Journaled { reply, records }
    }

    /// The live instance.
    pub fn core(&self) -> &InstanceCore {
        &self.core
    }

    /// The instance has nothing more to do (see [`InstanceCore::idle`]).
    pub fn idle(&mut self, clock: &dyn Clock) {
        self.core.idle(clock);
    }
}
