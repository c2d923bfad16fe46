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
//! may arrive out of order) and it runs. A key that cannot be checked (the store could not be
//! read) is rejected, and so is every later input of its batch: applying those would put them
//! before an input of the same client that must be retried first.

use super::core::{Clock, InstanceCore, Reply};
use super::durable::Journaled;
use super::report::Outcome;
use super::store::journal::Journal;
use super::store::{ClientKey, Pending, Recorded, StoreError};
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
        if client.is_empty() || client.len() > CLIENT_ID_BYTES_MAX {
            let why = format!(
                "a client id must have 1 to {CLIENT_ID_BYTES_MAX} bytes; nothing was applied"
            );
            return Journaled {
                reply: Reply::Outputs(vec![Outcome::Rejected(why); inputs.len()]),
                records,
            };
        }
        let mut batch = Live {
            dedup: self,
            core,
            journal,
            clock,
            records: &mut records,
        };
        let (outcomes, repeated) = answer_batch(&mut batch, client, first_seq, inputs);
        // Later items look keys up in the store, so the batch's records go to it now.
        records.extend(journal.flush());
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
    fn seen(&mut self, journal: &Journal, key: &ClientKey) -> Result<Seen, StoreError> {
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
        if let Some(cached) = self.highest.get_mut(client) {
            // The common case, once per input: no new entry, no allocation.
            *cached = highest;
            return;
        }
        if self.highest.len() >= CLIENTS_CACHED_MAX {
            self.highest.clear();
        }
        self.highest.insert(client.to_string(), highest);
    }
}

/// What [`answer_batch`] needs of an instance: the check of a key and the run of a new input.
trait Batch {
    /// Whether `key` is new, and if not what it gave.
    fn seen(&mut self, key: &ClientKey) -> Result<Seen, StoreError>;
    /// Applies a new input and logs it under `key`.
    fn run(&mut self, text: &str, key: ClientKey) -> Outcome;
}

/// The live instance behind a keyed batch.
struct Live<'a> {
    dedup: &'a mut Dedup,
    core: &'a mut InstanceCore,
    journal: &'a mut Journal,
    clock: &'a dyn Clock,
    records: &'a mut Vec<Pending>,
}

impl Batch for Live<'_> {
    fn seen(&mut self, key: &ClientKey) -> Result<Seen, StoreError> {
        self.dedup.seen(self.journal, key)
    }

    fn run(&mut self, text: &str, key: ClientKey) -> Outcome {
        let outcome = self.core.input(text, self.clock);
        let highest = self.dedup.highest.get(&key.client).copied().unwrap_or(0);
        self.dedup.remember(&key.client, key.seq.max(highest));
        self.records.extend(
            self.journal
                .queue_input(self.core, text, &outcome, Some(key)),
        );
        outcome
    }
}

/// The outcomes of a keyed batch, in order, and whether any input was a retry. A key that
/// cannot be checked stops the batch: every later input of it is rejected unapplied, since
/// applying one would put it before the earlier input of the same client that the client
/// must retry (the inputs of one client are applied in sequence order).
fn answer_batch(
    batch: &mut dyn Batch,
    client: &str,
    first_seq: u64,
    inputs: &[String],
) -> (Vec<Outcome>, bool) {
    let mut outcomes = Vec::with_capacity(inputs.len());
    let mut repeated = false;
    let mut stopped: Option<u64> = None;
    for (offset, text) in (0u64..).zip(inputs) {
        let Some(seq) = first_seq.checked_add(offset) else {
            outcomes.push(Outcome::Rejected(
                "the sequence number overflows; start a new client id".into(),
            ));
            continue;
        };
        if let Some(failed) = stopped {
            outcomes.push(Outcome::Rejected(format!(
                "the idempotency key ({client}, {failed}) of an earlier input of this batch \
                 could not be checked; nothing from it on was applied, retry later"
            )));
            continue;
        }
        let key = ClientKey {
            client: client.to_string(),
            seq,
        };
        let outcome = match batch.seen(&key) {
            Ok(Seen::New) => batch.run(text, key),
            Ok(Seen::Recorded(outcome)) => {
                repeated = true;
                outcome
            }
            Ok(Seen::Gone { highest }) => Outcome::Rejected(gone(&key, highest)),
            Err(error) => {
                stopped = Some(seq);
                Outcome::Rejected(format!(
                    "cannot check the idempotency key ({client}, {seq}): {error}; \
                     nothing was applied, retry later"
                ))
            }
        };
        outcomes.push(outcome);
    }
    (outcomes, repeated)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A batch whose key check fails at `failing`, recording which inputs ran.
    struct Fake {
        failing: u64,
        ran: Vec<u64>,
    }

    impl Batch for Fake {
        fn seen(&mut self, key: &ClientKey) -> Result<Seen, StoreError> {
            if key.seq == self.failing {
                Err(StoreError::Closed)
            } else {
                Ok(Seen::New)
            }
        }

        fn run(&mut self, _text: &str, key: ClientKey) -> Outcome {
            self.ran.push(key.seq);
            Outcome::Output("Ok".into())
        }
    }

    fn texts(count: usize) -> Vec<String> {
        vec!["Get".to_string(); count]
    }

    #[test]
    fn a_key_that_cannot_be_checked_stops_the_rest_of_its_batch() {
        let mut fake = Fake {
            failing: 11,
            ran: Vec::new(),
        };
        let (outcomes, repeated) = answer_batch(&mut fake, "k", 10, &texts(4));
        // Input 12 must not run before 11, which the client has to retry.
        assert_eq!(fake.ran, vec![10]);
        assert!(!repeated);
        assert_eq!(outcomes.len(), 4);
        assert_eq!(outcomes[0], Outcome::Output("Ok".into()));
        for (outcome, seq) in outcomes[1..].iter().zip(11..) {
            match outcome {
                Outcome::Rejected(why) => assert!(why.contains("(k, 11)"), "{seq}: {why}"),
                other => panic!("input {seq} was not rejected: {other:?}"),
            }
        }
    }

    #[test]
    fn a_batch_whose_keys_all_check_runs_every_input_in_order() {
        let mut fake = Fake {
            failing: 0,
            ran: Vec::new(),
        };
        let (outcomes, _) = answer_batch(&mut fake, "k", 5, &texts(3));
        assert_eq!(fake.ran, vec![5, 6, 7]);
        assert_eq!(outcomes, vec![Outcome::Output("Ok".into()); 3]);
    }
}
