//! One instance made durable: an [`InstanceCore`] and the [`Journal`] of its log, handling a
//! mailbox item and logging what it did.
//!
//! Every input (whatever its outcome) and every committed upgrade or rollback is appended to the
//! store (the inputs of one item as one request); the caller gets the reply together with the [`Pending`] records it must wait for
//! before the reply may leave the node. Refused swaps and inspections are not logged. This
//! module does not wait for anything itself and knows nothing of tasks or the network.

use super::core::{Clock, InstanceCore, Item, Reply};
use super::idempotent::Dedup;
use super::report::PushOutcome;
use super::store::Pending;
use super::store::journal::Journal;

/// A live instance and its writer into the store.
pub struct DurableInstance {
    core: InstanceCore,
    journal: Journal,
    /// The clients' sequence numbers, for keyed inputs.
    dedup: Dedup,
}

/// A reply that may be sent only once every one of `records` is durable.
pub struct Journaled {
    pub reply: Reply,
    pub records: Vec<Pending>,
}

impl DurableInstance {
    pub fn new(core: InstanceCore, journal: Journal) -> DurableInstance {
        DurableInstance {
            core,
            journal,
            dedup: Dedup::default(),
        }
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
            Item::Upgrade { version, expect } => {
                let pushed = self.core.upgrade(version, expect, clock);
                if let Ok(PushOutcome::Upgraded { .. }) = &pushed {
                    records.push(self.journal.upgraded(&self.core));
                }
                Reply::Pushed(pushed)
            }
            Item::Rollback => {
                let rolled = self.core.rollback(clock);
                if rolled.is_ok() {
                    records.push(self.journal.rolled_back(&self.core));
                }
                Reply::RolledBack(rolled)
            }
            Item::RollbackFrom { running, to } => {
                let rolled = self.core.rollback_from(running, to, clock);
                if rolled.is_ok() {
                    records.push(self.journal.rolled_back(&self.core));
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
