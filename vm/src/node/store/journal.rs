//! The bridge from a live [`InstanceCore`] to its log: after the core handled an item, the
//! journal appends what happened (and a snapshot when the [`SnapshotClock`] says so), and
//! hands back the [`Pending`] the reply must wait for.
//!
//! This is the small piece a node adopts to become durable; it decides positions and snapshot
//! timing but never runs a turn itself, and it logs only swaps that committed.

use super::policy::{SnapshotClock, SnapshotPolicy};
use super::record::{ClientKey, Position, Record, encode_record};
use super::{LiveSnapshot, Pending, Recovered, Staged, Store};
use crate::bytecode::encode::encode;
use crate::node::core::InstanceCore;
use crate::node::report::Outcome;
use crate::node::version::Version;
use std::sync::Arc;

/// One instance's writer into the store.
pub struct Journal {
    store: Arc<Store>,
    instance: String,
    next: Position,
    snapshots: SnapshotClock,
    /// Whether swap records wait in `staged` until [`Journal::submit`] (or the next record).
    defer_swaps: bool,
    staged: Option<Staged>,
    /// Input records queued by [`Journal::queue_input`] (encoded at their positions, which
    /// end just before `next`), sent by [`Journal::flush`].
    queued: Vec<(Record, Vec<u8>)>,
}

impl Journal {
    /// Logs the deploy of a fresh instance (position 0, with its artifact).
    pub fn deploy(
        store: Arc<Store>,
        core: &InstanceCore,
        instance: &str,
        policy: SnapshotPolicy,
    ) -> (Journal, Pending) {
        let mut journal = Journal {
            store,
            instance: instance.to_string(),
            next: 0,
            snapshots: SnapshotClock::new(policy),
            defer_swaps: false,
            staged: None,
            queued: Vec::new(),
        };
        let version = core.current();
        let record = Record::Deploy {
            version: version.hash,
        };
        let pending = journal.append_version(record, version);
        (journal, pending)
    }

    /// Continues the log of a recovered instance.
    pub fn resume(store: Arc<Store>, recovered: &Recovered, policy: SnapshotPolicy) -> Journal {
        Journal {
            store,
            instance: recovered.instance.clone(),
            next: recovered.position + 1,
            snapshots: SnapshotClock::new(policy),
            defer_swaps: false,
            staged: None,
            queued: Vec::new(),
        }
    }

    /// From now on a swap record is only staged when it is logged, and sent to the store by
    /// [`Self::submit`] or before the next record, whichever comes first: the instance's actor
    /// submits it once the first item after the swap was served, so that handing it to the
    /// committer thread is not part of the swap's pause. Its [`Pending`] resolves only once
    /// it is submitted and durable, so a reply that waits for it is not sent any earlier.
    pub fn defer_swap_records(&mut self) {
        self.defer_swaps = true;
    }

    /// Sends a staged swap record to the store, if one waits.
    pub fn submit(&mut self) {
        if let Some(staged) = self.staged.take() {
            self.store.submit(staged);
        }
    }

    /// The store this journal writes to.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The instance whose log this is.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// The position the next record takes.
    pub fn next(&self) -> Position {
        self.next
    }

    /// Logs an input the core just handled, with what it gave, as a request of its own.
    pub fn input(
        &mut self,
        core: &InstanceCore,
        text: &str,
        outcome: &Outcome,
        key: Option<ClientKey>,
    ) -> Pending {
        let sent_for_snapshot = self.queue_input(core, text, outcome, key);
        // One of the two holds the record; a barrier (never needed) would cover it too.
        let flushed = self.flush().or(sent_for_snapshot);
        flushed.unwrap_or_else(|| self.store.barrier())
    }

    /// Logs an input the core just handled, with what it gave, in the batch of the item being
    /// handled: the record is encoded now (once, for the store and the snapshot policy) and
    /// sent with the rest of the batch by [`Journal::flush`], which the caller must call before
    /// the item's reply. When a snapshot is due the queued records are sent first (the
    /// snapshot is of the state after them), and their [`Pending`] is returned.
    pub fn queue_input(
        &mut self,
        core: &InstanceCore,
        text: &str,
        outcome: &Outcome,
        key: Option<ClientKey>,
    ) -> Option<Pending> {
        let record = Record::Input {
            text: text.to_string(),
            outcome: outcome.clone(),
            key,
        };
        // A staged swap record precedes this input in the log: send it first.
        self.submit();
        let bytes = encode_record(&self.instance, self.next, &record);
        let size = bytes.len();
        self.queued.push((record, bytes));
        self.next += 1;
        if self.snapshots.appended(size) {
            let sent = self.flush();
            self.snapshot(core);
            return sent;
        }
        None
    }

    /// Sends the queued input records as one request; `None` when none were queued.
    pub fn flush(&mut self) -> Option<Pending> {
        if self.queued.is_empty() {
            return None;
        }
        let records = std::mem::take(&mut self.queued);
        let first = self.next - records.len() as u64;
        Some(self.store.append_inputs(&self.instance, first, records))
    }

    /// Logs a committed upgrade: the core now runs the new version. `encoded` is that
    /// version's artifact already encoded (by the push, before the barrier), if it was.
    pub fn upgraded(&mut self, core: &InstanceCore, encoded: Option<&[u8]>) -> Pending {
        let version = core.current();
        let record = Record::Upgrade { to: version.hash };
        let pending = match encoded {
            Some(bytes) => self.append_swap(record, Some(bytes)),
            None => {
                let bytes = encode(version.program.artifact(), version.debug.as_deref());
                self.append_swap(record, Some(&bytes))
            }
        };
        self.count_swap(core);
        pending
    }

    /// Logs a committed rollback: the core runs the previous version again.
    pub fn rolled_back(&mut self, core: &InstanceCore) -> Pending {
        let record = Record::Rollback {
            to: core.current().hash,
        };
        let pending = self.append_swap(record, None);
        self.count_swap(core);
        pending
    }

    /// Appends (or stages, see [`Self::defer_swap_records`]) a swap record.
    fn append_swap(&mut self, record: Record, artifact: Option<&[u8]>) -> Pending {
        debug_assert!(self.queued.is_empty(), "queued inputs are flushed first");
        self.submit();
        let pending = if self.defer_swaps {
            let (pending, staged) =
                self.store
                    .stage_swap(&self.instance, self.next, record, artifact);
            self.staged = Some(staged);
            pending
        } else {
            match artifact {
                Some(bytes) => self
                    .store
                    .append_version(&self.instance, self.next, record, bytes),
                None => self.store.append(&self.instance, self.next, record),
            }
        };
        self.next += 1;
        pending
    }

    /// A swap counts towards the snapshot policy like any record. It takes no snapshot of its
    /// own: that would serialise the whole state inside the swap's pause, making the pause
    /// grow with the state, and recovery replays a swap through its migration anyway.
    fn count_swap(&mut self, core: &InstanceCore) {
        if self.snapshots.appended(0) {
            self.snapshot(core);
        }
    }

    fn append_version(&mut self, record: Record, version: &Version) -> Pending {
        let bytes = encode(version.program.artifact(), version.debug.as_deref());
        let pending = self
            .store
            .append_version(&self.instance, self.next, record, &bytes);
        self.next += 1;
        pending
    }

    /// Snapshots the core as it is after the last record. The state is handed to the store's
    /// snapshot encoder, so this costs a reference count however large the state is; its
    /// durability is not awaited (recovery falls back to an older snapshot and a longer
    /// replay).
    pub fn snapshot(&mut self, core: &InstanceCore) {
        // The snapshot follows every record up to it, a staged swap included.
        self.submit();
        let live = LiveSnapshot {
            versions: core.version_stack(),
            state_type: core.current().program.artifact().state.clone(),
            state: core.state().clone(),
            turns: core.turns(),
        };
        drop(
            self.store
                .snapshot_live(&self.instance, self.next - 1, live),
        );
    }
}
