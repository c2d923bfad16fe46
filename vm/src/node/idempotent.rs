//! Idempotent inputs: a keyed input (client id, sequence number) is applied at most once, and
//! a retry is answered with the outcome recorded for the first copy.
//!
//! The instance's actor is the only writer of its log and handles items one at a time, so when
//! a keyed input is handled every earlier copy of it is either in the log (durable, or appended
//! and still on its way to disk, which [`Store::lookup`] sees too) or was never handled. A retry
//! of an input that is not durable yet is answered only once it is: its reply waits for a
//! [`Store::barrier`] behind the original's record. Sequence numbers above the client's highest
//! seen are new and run without a lookup; the highest is cached per client (loaded from the
//! store's `clients` table on first sight, so it survives restarts). A key at or below the
//! highest is looked up: found, it is answered from its record; at or below the highest key of
//! that client that compaction dropped, it is never applied and is answered with a rejection
//! that says its output is gone; otherwise it was never applied (concurrent calls of one client
//! may arrive out of order) and it runs.

use super::core::{Clock, InstanceCore, Reply};
use super::durable::Journaled;
use super::report::Outcome;
use super::store::journal::Journal;
use super::store::{ClientKey, Recorded};
use std::collections::BTreeMap;

/// Clients whose highest sequence is cached; past this the cache starts over (it is only a
/// shortcut: the store is the truth).
const CLIENTS_CACHED_MAX: usize = 4096;

/// The longest client id a node keys inputs with (it is stored with every keyed input).
pub const CLIENT_ID_BYTES_MAX: usize = 128;

/// What an instance knows of its clients' sequence numbers.
#[derive(Default)]
pub struct Dedup {
    highest: BTreeMap<String, u64>,
}

/// How one keyed input is to be answered.
enum Seen {
    /// Never applied: run it.
    New,
    /// Applied before: this is what it gave.
    Recorded(Outcome),
    /// Maybe applied before, and compaction dropped its record (`highest`: the highest seq of
    /// that client it dropped).
    Gone { highest: u64 },
}

impl Dedup {
    /// Handles a keyed batch: input `i` has the key `(client, first_seq + i)`.
    pub fn handle(
        &mut self,
        core: &mut InstanceCore,
        journal: &mut Journal,
        client: &str,
        first_seq: u64,
        inputs: &[String],
        clock: &dyn Clock,
    ) -> Journaled {
        let mut records = Vec::new();
        let mut repeated = false;
        let mut outcomes = Vec::with_capacity(inputs.len());
        if client.is_empty() || client.len() > CLIENT_ID_BYTES_MAX {
            let why = format!(
                "a client id must have 1 to {CLIENT_ID_BYTES_MAX} bytes; nothing was applied"
            );
            return Journaled {
                reply: Reply::Outputs(vec![Outcome::Rejected(why); inputs.len()]),
                records,
            };
        }
        for (offset, text) in (0u64..).zip(inputs) {
            let Some(seq) = first_seq.checked_add(offset) else {
                outcomes.push(Outcome::Rejected(
                    "the sequence number overflows; start a new client id".into(),
                ));
                continue;
            };
            let key = ClientKey {
                client: client.to_string(),
                seq,
            };
            let outcome = match self.seen(journal, &key) {
                Ok(Seen::New) => {
                    let outcome = core.input(text, clock);
                    records.push(journal.input(core, text, &outcome, Some(key)));
                    self.remember(
                        client,
                        seq.max(self.highest.get(client).copied().unwrap_or(0)),
                    );
                    outcome
                }
                Ok(Seen::Recorded(outcome)) => {
                    repeated = true;
                    outcome
                }
                Ok(Seen::Gone { highest }) => Outcome::Rejected(gone(&key, highest)),
                Err(error) => Outcome::Rejected(format!(
                    "cannot check the idempotency key ({client}, {seq}): {error}; \
                     nothing was applied, retry later"
                )),
            };
            outcomes.push(outcome);
        }
        if repeated {
            // A retry may overtake nothing: its answer waits until the original is durable.
            records.push(journal.store().barrier());
        }
        Journaled {
            reply: Reply::Outputs(outcomes),
            records,
        }
    }

    /// Whether `key` is new, and if not what it gave.
    fn seen(
        &mut self,
        journal: &Journal,
        key: &ClientKey,
    ) -> Result<Seen, super::store::StoreError> {
        let highest = match self.highest.get(&key.client) {
            Some(highest) => Some(*highest),
            None => {
                let loaded = journal
                    .store()
                    .highest_seq(journal.instance(), &key.client)?;
                if let Some(highest) = loaded {
                    self.remember(&key.client, highest);
                }
                loaded
            }
        };
        match highest {
            Some(highest) if key.seq <= highest => {
                match journal.store().lookup(journal.instance(), key)? {
                    Some(Recorded::Applied { outcome, .. }) => Ok(Seen::Recorded(outcome)),
                    Some(Recorded::Compacted { highest_seq }) => Ok(Seen::Gone {
                        highest: highest_seq,
                    }),
                    // Below the highest, yet never applied: a concurrent call's input that
                    // arrived after a later one.
                    None => Ok(Seen::New),
                }
            }
            _ => Ok(Seen::New),
        }
    }

    fn remember(&mut self, client: &str, highest: u64) {
        if self.highest.len() >= CLIENTS_CACHED_MAX {
            self.highest.clear();
        }
        self.highest.insert(client.to_string(), highest);
    }
}

/// The answer to a key whose record is gone.
fn gone(key: &ClientKey, highest: u64) -> String {
    format!(
        "input {} of client {} was already sent, and its record was compacted away (the \
         node dropped that client's keys up to {highest}); it was not applied again and its \
         original output is gone",
        key.seq, key.client
    )
}
