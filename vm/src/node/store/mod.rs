//! The node's durable store (issue 6): per instance, the artifacts of every version it ran,
//! an ordered log of its inputs and swaps, idempotency keys and periodic snapshots, in one
//! redb file (`spec/storage.md` gives the layout and the rules).
//!
//! [`Store`] is the handle: appends and snapshots go to one committer thread ([`commit`]) and
//! come back as a [`Pending`] that resolves only once the record is durable under the chosen
//! [`Durability`]; reads ([`Store::recover`], [`Store::replay`], [`Store::lookup`], ...) run in
//! their own read transactions. The store runs nothing live: the instance that owns a log
//! assigns its positions, appends in order and decides when to snapshot ([`policy`]).

mod commit;
mod engine;
mod error;
mod history;
pub mod journal;
mod listing;
pub mod policy;
mod read;
mod record;
mod recover;
mod replay;
mod sequences;
mod snapshotter;
mod tables;

pub use commit::Durability;
pub use engine::{Replayer, Versions};
pub use error::StoreError;
pub use history::{History, Moment, Step};
pub use listing::LogLine;
pub use read::Start;
pub use record::{ClientKey, Position, Record, Snapshot};
pub use recover::{Recovered, describe};
pub use replay::{
    CandidateReport, DIFFERENCES_KEPT, Difference, DifferenceKind, Divergence, ReplayReport,
};
pub use sequences::SIGNED_SEQUENCES;
pub use snapshotter::LiveSnapshot;

use commit::{Committer, PendingKeys, PendingMap, Request};
use read::decode_row;
use redb::{Database, ReadableTable, TableError};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use tables::{CLIENTS, DROPPED_KEYS, INSTANCES, KEY_RUNS, KEYS, LOG, SNAPSHOTS};
use tokio::sync::oneshot;

use crate::bytecode::Artifact;
use crate::hash::Hash;
use crate::limits::Limits;
use crate::node::report::Outcome;

/// The file of the store inside a node's data dir.
pub const STORE_FILE: &str = "store.redb";

/// An open store.
pub struct Store {
    db: Arc<Database>,
    path: PathBuf,
    requests: Option<mpsc::Sender<Request>>,
    committer: Option<JoinHandle<()>>,
    /// Live states on their way to the snapshot encoder (`snapshotter`).
    snapshot_jobs: Option<mpsc::Sender<snapshotter::Job>>,
    encoder: Option<JoinHandle<()>>,
    halted: Arc<AtomicBool>,
    pending_keys: PendingKeys,
    commits: Arc<AtomicU64>,
    durability: Durability,
    /// The committer itself when the store commits on the caller's thread ([`Store::open_inline`]).
    inline: Option<std::sync::Mutex<Inline>>,
}

/// The committer of an inline store and, under `group`, the requests waiting for
/// [`Store::flush`].
struct Inline {
    committer: Committer,
    queued: Vec<Request>,
}

/// A record on its way to disk: resolves to its position once it is durable.
#[must_use = "a record is acknowledged only once its Pending resolves"]
pub struct Pending(oneshot::Receiver<Result<Position, StoreError>>);

impl Pending {
    /// Blocks until the record is durable (not from inside an async task: use [`Self::durable`]).
    pub fn wait(self) -> Result<Position, StoreError> {
        self.0.blocking_recv().unwrap_or(Err(StoreError::Closed))
    }

    /// Waits until the record is durable.
    pub async fn durable(self) -> Result<Position, StoreError> {
        self.0.await.unwrap_or(Err(StoreError::Closed))
    }
}

/// A record made but not yet sent to the committer ([`Store::stage_swap`]); dropping it
/// resolves its [`Pending`] as [`StoreError::Closed`].
#[must_use = "a staged record reaches the store only through Store::submit"]
pub struct Staged(Request);

/// What the store knows of a client's input, for an idempotent retry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// The input was applied at `position` with this outcome. It may still be on its way to
    /// disk: acknowledge the retry after [`Store::barrier`] resolves.
    Applied {
        position: Position,
        outcome: Outcome,
    },
    /// The input may have been applied, but compaction dropped its record and outcome (its
    /// seq is at or below the highest seq of that client compaction dropped, `highest_seq`).
    Compacted { highest_seq: u64 },
}

/// What a compaction dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compacted {
    pub records: u64,
    pub snapshots: u64,
    /// Records up to and including this position are gone; `None` when nothing was dropped.
    pub through: Option<Position>,
}

impl Store {
    /// Opens (or creates) the store in `data_dir`.
    pub fn open(data_dir: &Path, durability: Durability) -> Result<Store, StoreError> {
        let path = data_dir.join(STORE_FILE);
        let open_error = |detail: String| StoreError::Open {
            path: path.display().to_string(),
            detail,
        };
        std::fs::create_dir_all(data_dir).map_err(|e| open_error(e.to_string()))?;
        let db = Arc::new(open_database(&path).map_err(open_error)?);
        let halted = Arc::new(AtomicBool::new(false));
        let pending_keys = PendingKeys::default();
        let commits = Arc::new(AtomicU64::new(0));
        let committer = Committer {
            db: db.clone(),
            mode: durability,
            halted: halted.clone(),
            pending_keys: pending_keys.clone(),
            next: BTreeMap::new(),
            commits: commits.clone(),
        };
        let (requests, receiver) = mpsc::channel();
        let committer = std::thread::Builder::new()
            .name("quiver-store-commit".into())
            .spawn(move || committer.run(receiver))
            .map_err(|e| open_error(format!("cannot start the committer: {e}")))?;
        let (snapshot_jobs, jobs) = mpsc::channel();
        let forward = requests.clone();
        let encoder = std::thread::Builder::new()
            .name("quiver-store-snapshot".into())
            .spawn(move || snapshotter::run(jobs, forward))
            .map_err(|e| open_error(format!("cannot start the snapshot encoder: {e}")))?;
        Ok(Store {
            db,
            path,
            requests: Some(requests),
            committer: Some(committer),
            snapshot_jobs: Some(snapshot_jobs),
            encoder: Some(encoder),
            halted,
            pending_keys,
            commits,
            durability,
            inline: None,
        })
    }

    /// Opens (or creates) a store on `backend` that commits on the caller's thread: no
    /// committer thread, so a single-threaded simulation that drives it is deterministic.
    /// Under `sync` every request is committed in its own fsynced transaction before the call
    /// returns; under `group` (or `none`) requests wait until [`Store::flush`] commits them all
    /// in one fsynced transaction, as one group of the threaded committer. `name` stands in
    /// for the path in messages.
    pub fn open_inline(
        backend: impl redb::StorageBackend,
        name: &str,
        durability: Durability,
    ) -> Result<Store, StoreError> {
        let durability = match durability {
            Durability::Sync => Durability::Sync,
            _ => Durability::group(),
        };
        let open_error = |detail: String| StoreError::Open {
            path: name.to_string(),
            detail,
        };
        let opened = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            redb::Builder::new().create_with_backend(backend)
        }));
        let db = match opened {
            Ok(Ok(db)) => Arc::new(db),
            Ok(Err(e)) => return Err(open_error(e.to_string())),
            Err(_) => return Err(open_error(DAMAGED.into())),
        };
        let halted = Arc::new(AtomicBool::new(false));
        let pending_keys = PendingKeys::default();
        let commits = Arc::new(AtomicU64::new(0));
        let committer = Committer {
            db: db.clone(),
            mode: durability,
            halted: halted.clone(),
            pending_keys: pending_keys.clone(),
            next: BTreeMap::new(),
            commits: commits.clone(),
        };
        Ok(Store {
            db,
            path: PathBuf::from(name),
            requests: None,
            committer: None,
            halted,
            pending_keys,
            commits,
            durability,
            snapshot_jobs: None,
            encoder: None,
            inline: Some(std::sync::Mutex::new(Inline {
                committer,
                queued: Vec::new(),
            })),
        })
    }

    /// Commits every request an inline `group` store holds, in one transaction; nothing for
    /// any other store.
    pub fn flush(&self) {
        if let Some(inline) = &self.inline {
            let mut inline = lock_inline(inline);
            let batch = std::mem::take(&mut inline.queued);
            inline.committer.commit_inline(batch);
        }
    }

    /// The mode this store was opened in.
    pub fn durability(&self) -> Durability {
        self.durability
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many append transactions the committer has committed since the store opened.
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Appends `record` at `position` (the instance's next one, starting at 0 for the deploy).
    pub fn append(&self, instance: &str, position: Position, record: Record) -> Pending {
        self.pending().add(instance, position, &record);
        self.send(|done| Request::Append {
            instance: instance.to_string(),
            position,
            record,
            artifact: None,
            done,
        })
    }

    /// Appends consecutive input records from `first` on, each with the bytes
    /// [`record::encode_record`] gave for it at its position, as one request: one
    /// acknowledgement for them all, which resolves (to the last one's position) once every
    /// one is durable.
    pub fn append_inputs(
        &self,
        instance: &str,
        first: Position,
        records: Vec<(Record, Vec<u8>)>,
    ) -> Pending {
        {
            let mut pending = self.pending();
            for (position, (record, _)) in (first..).zip(&records) {
                pending.add(instance, position, record);
            }
        }
        self.send(|done| Request::Inputs {
            instance: instance.to_string(),
            first,
            records,
            done,
        })
    }

    /// Appends a deploy or upgrade record together with the encoded artifact it names.
    pub fn append_version(
        &self,
        instance: &str,
        position: Position,
        record: Record,
        artifact: &[u8],
    ) -> Pending {
        let hash = match &record {
            Record::Deploy { version } | Record::Upgrade { to: version } => *version,
            Record::Rollback { to } => *to,
            Record::Input { .. } => return self.append(instance, position, record),
        };
        self.send(|done| Request::Append {
            instance: instance.to_string(),
            position,
            record,
            artifact: Some((hash, artifact.to_vec())),
            done,
        })
    }

    /// Stores a snapshot of the instance after the record at `position`, encoded here.
    pub fn snapshot(&self, instance: &str, position: Position, snapshot: Snapshot) -> Pending {
        let bytes = record::encode_snapshot(instance, position, &snapshot);
        self.send(|done| Request::Snapshot {
            instance: instance.to_string(),
            position,
            bytes,
            done,
        })
    }

    /// Stores a snapshot of a live state after the record at `position` (every record up to it
    /// already appended), encoded on the store's snapshot thread: the caller pays for a
    /// reference count, not for the encoding. Resolves once written, or with
    /// [`StoreError::Superseded`] when a newer snapshot of the instance replaced it first.
    pub fn snapshot_live(&self, instance: &str, position: Position, live: LiveSnapshot) -> Pending {
        if self.inline.is_some() {
            // No encoder thread in an inline store: encoded here, committed like an append.
            return self.send(|done| {
                snapshotter::encode(snapshotter::Job {
                    instance: instance.to_string(),
                    position,
                    live,
                    done,
                })
            });
        }
        let (done, receiver) = oneshot::channel();
        if let Some(jobs) = &self.snapshot_jobs {
            // A stopped encoder drops `done`, which resolves the Pending as `Closed`.
            let _ = jobs.send(snapshotter::Job {
                instance: instance.to_string(),
                position,
                live,
                done,
            });
        }
        Pending(receiver)
    }

    /// Resolves once everything appended before it is durable.
    pub fn barrier(&self) -> Pending {
        self.send(|done| Request::Barrier { done })
    }

    /// Makes the append of a swap record (an upgrade or deploy with its encoded artifact, or
    /// a rollback) without sending it: nothing reaches the committer until [`Self::submit`],
    /// and the [`Pending`] resolves only after that. The caller must submit it before any later
    /// record of the instance, so that the committer still sees them in order. This lets an
    /// instance keep the hand-off to the committer thread out of a swap's pause.
    pub fn stage_swap(
        &self,
        instance: &str,
        position: Position,
        record: Record,
        artifact: Option<&[u8]>,
    ) -> (Pending, Staged) {
        let artifact = match (&record, artifact) {
            (Record::Deploy { version } | Record::Upgrade { to: version }, Some(bytes)) => {
                Some((*version, bytes.to_vec()))
            }
            _ => None,
        };
        self.stage(|done| Request::Append {
            instance: instance.to_string(),
            position,
            record,
            artifact,
            done,
        })
    }

    /// Sends a staged record to the committer.
    pub fn submit(&self, staged: Staged) {
        let request = staged.0;
        if let Some(inline) = &self.inline {
            let mut inline = lock_inline(inline);
            if self.durability == Durability::Sync {
                inline.committer.commit_inline(vec![request]);
            } else {
                inline.queued.push(request);
            }
        } else if let Some(requests) = &self.requests {
            // A closed channel drops `done`, which resolves the Pending as `Closed`.
            let _ = requests.send(request);
        }
    }

    fn stage(&self, request: impl FnOnce(commit::Ack) -> Request) -> (Pending, Staged) {
        let (done, receiver) = oneshot::channel();
        (Pending(receiver), Staged(request(done)))
    }

    fn send(&self, request: impl FnOnce(commit::Ack) -> Request) -> Pending {
        let (pending, staged) = self.stage(request);
        self.submit(staged);
        pending
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, PendingMap> {
        commit::lock_pending(&self.pending_keys)
    }

    /// Whether `key` was already applied to `instance`, and what it gave.
    pub fn lookup(&self, instance: &str, key: &ClientKey) -> Result<Option<Recorded>, StoreError> {
        let pending = self.pending().get(instance, &key.client, key.seq).cloned();
        if let Some((position, outcome)) = pending {
            return Ok(Some(Recorded::Applied { position, outcome }));
        }
        let txn = self.read()?;
        if let Some(found) = lookup_committed(&txn, instance, key)? {
            return Ok(Some(found));
        }
        let fail = |e: redb::StorageError| StoreError::database("looking up a key", e);
        let Some(dropped) = open_optional(&txn, DROPPED_KEYS)? else {
            return Ok(None);
        };
        let highest = dropped.get((instance, key.client.as_str())).map_err(fail)?;
        Ok(highest
            .map(|seq| seq.value())
            .filter(|highest| key.seq <= *highest)
            .map(|highest_seq| Recorded::Compacted { highest_seq }))
    }

    /// The highest sequence number `client` ever had applied to `instance` (appended, durable
    /// or not yet), or `None` for a client never seen.
    pub fn highest_seq(&self, instance: &str, client: &str) -> Result<Option<u64>, StoreError> {
        let pending = self.pending().highest(instance, client);
        let txn = self.read()?;
        let committed = match open_optional(&txn, CLIENTS)? {
            Some(clients) => clients
                .get((instance, client))
                .map_err(|e| StoreError::database("reading a client's sequence", e))?
                .map(|seq| seq.value()),
            None => None,
        };
        Ok(pending.max(committed))
    }

    /// The first position still in `instance`'s log (after compaction), or `None` when it has
    /// no record at all.
    pub fn first_position(&self, instance: &str) -> Result<Option<Position>, StoreError> {
        let txn = self.read()?;
        let Some(log) = open_optional(&txn, LOG)? else {
            return Ok(None);
        };
        let mut rows = log
            .range((instance, 0)..=(instance, u64::MAX))
            .map_err(|e| StoreError::database("reading the log", e))?;
        match rows.next() {
            None => Ok(None),
            Some(Ok((key, _))) => Ok(Some(key.value().1)),
            Some(Err(e)) => Err(StoreError::database("reading the log", e)),
        }
    }

    fn read(&self) -> Result<redb::ReadTransaction, StoreError> {
        self.db
            .begin_read()
            .map_err(|e| StoreError::database("starting a read", e))
    }

    /// Every instance with a history, in name order.
    pub fn instances(&self) -> Result<Vec<String>, StoreError> {
        let txn = self.read()?;
        let Some(table) = open_optional(&txn, INSTANCES)? else {
            return Ok(Vec::new());
        };
        let rows = table
            .iter()
            .map_err(|e| StoreError::database("listing instances", e))?;
        rows.map(|row| {
            row.map(|(name, _)| name.value().to_string())
                .map_err(|e| StoreError::database("listing instances", e))
        })
        .collect()
    }

    /// The records of `instance` from `from` through `to`, in order.
    pub fn log(
        &self,
        instance: &str,
        from: Position,
        to: Position,
    ) -> Result<Vec<(Position, Record)>, StoreError> {
        let txn = self.read()?;
        let Some(log) = open_optional(&txn, LOG)? else {
            return Ok(Vec::new());
        };
        let rows = log
            .range((instance, from)..=(instance, to))
            .map_err(|e| StoreError::database("reading the log", e))?;
        rows.map(|row| decode_row(instance, row)).collect()
    }

    /// The records of `instance` from `from` through `to`, each with the version running after
    /// it: what `quiver log` lists.
    pub fn listing(
        &self,
        instance: &str,
        from: Position,
        to: Position,
    ) -> Result<Vec<LogLine>, StoreError> {
        listing::listing(&self.db, instance, from, to)
    }

    /// `instance`'s history from its earliest point, every record's version and state
    /// rebuilt and checked, at most `steps_max` records (for time travel over the log).
    pub fn history(
        &self,
        instance: &str,
        limits: &Limits,
        steps_max: usize,
    ) -> Result<History, StoreError> {
        history::history(&self.db, instance, limits, steps_max)
    }

    /// The positions of `instance`'s snapshots, ascending.
    pub fn snapshots(&self, instance: &str) -> Result<Vec<Position>, StoreError> {
        let txn = self.read()?;
        match open_optional(&txn, SNAPSHOTS)? {
            Some(table) => tables::positions(&table, instance),
            None => Ok(Vec::new()),
        }
    }

    /// `instance` rebuilt from its newest snapshot and the log after it, every output checked.
    pub fn recover(&self, instance: &str, limits: &Limits) -> Result<Recovered, StoreError> {
        recover::recover(&self.db, instance, limits)
    }

    /// `instance` rebuilt from the start of its history up to `to`, reporting a divergence.
    pub fn replay(
        &self,
        instance: &str,
        to: Option<Position>,
        limits: &Limits,
    ) -> Result<ReplayReport, StoreError> {
        replay::replay(&self.db, instance, to, limits)
    }

    /// `instance`'s recorded inputs re-run against `candidate`.
    pub fn replay_with(
        &self,
        instance: &str,
        candidate: &Artifact,
        limits: &Limits,
    ) -> Result<CandidateReport, StoreError> {
        replay::replay_with(&self.db, instance, candidate, limits)
    }

    /// Keeps the newest `keep_snapshots` snapshots (at least one) of `instance` and drops the
    /// older ones and every record up to the oldest kept snapshot, in one transaction.
    pub fn compact(&self, instance: &str, keep_snapshots: usize) -> Result<Compacted, StoreError> {
        compact::compact(&self.db, instance, keep_snapshots.max(1))
    }

    /// Simulates a crash: the committer stops without committing what it gathered, and every
    /// record not yet acknowledged fails with [`StoreError::Closed`]; so does every later one.
    pub fn halt(&self) {
        self.halted.store(true, Ordering::SeqCst);
        // Wakes a committer waiting for work, so it stops now rather than at the next append.
        drop(self.barrier());
    }

    /// The hashes of the artifacts stored for `instance`.
    pub fn artifacts(&self, instance: &str) -> Result<Vec<Hash>, StoreError> {
        compact::artifacts(&self.db, instance)
    }
}

mod compact;

/// The recorded input for `key`, if its record is still in the log.
fn lookup_committed(
    txn: &redb::ReadTransaction,
    instance: &str,
    key: &ClientKey,
) -> Result<Option<Recorded>, StoreError> {
    let fail = |e: redb::StorageError| StoreError::database("looking up a key", e);
    let Some(log) = open_optional(txn, LOG)? else {
        return Ok(None);
    };
    let in_runs = match open_optional(txn, KEY_RUNS)? {
        Some(runs) => tables::find_in_runs(&runs, instance, &key.client, key.seq)?,
        None => None,
    };
    let position = match (in_runs, open_optional(txn, KEYS)?) {
        (Some(position), _) => position,
        (None, Some(keys)) => match keys
            .get((instance, key.client.as_str(), key.seq))
            .map_err(fail)?
        {
            Some(position) => position.value(),
            None => return Ok(None),
        },
        (None, None) => return Ok(None),
    };
    let Some(bytes) = log.get((instance, position)).map_err(fail)? else {
        return Ok(None);
    };
    let record = record::decode_record(bytes.value(), instance, position)?;
    if !matches!(&record, Record::Input { key: Some(found), .. } if found == key) {
        return Err(StoreError::Corrupt {
            what: format!(
                "the key ({}, {}) of instance `{instance}` points at position {position}, \
                 which is not its input",
                key.client, key.seq
            ),
        });
    }
    Ok(applied(position, record))
}

/// One request at a time is what the lock is for; a poisoned committer is consistent because
/// a failed commit forgets the positions it advanced.
fn lock_inline(inline: &std::sync::Mutex<Inline>) -> std::sync::MutexGuard<'_, Inline> {
    inline
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

const DAMAGED: &str = "the file is damaged (shorter than its header says, or inconsistent)";

/// Opens the redb file. redb asserts on some damaged files (a file cut shorter than its
/// header says) instead of returning an error; that panic is turned into a refusal here, and
/// the panic hook is silenced meanwhile so the refusal is the only message the user sees (a
/// store is opened once, at start, before the node runs anything else).
fn open_database(path: &Path) -> Result<Database, String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let opened = std::panic::catch_unwind(|| Database::create(path));
    std::panic::set_hook(hook);
    match opened {
        Ok(Ok(db)) => Ok(db),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(DAMAGED.into()),
    }
}

fn applied(position: Position, record: Record) -> Option<Recorded> {
    match record {
        Record::Input { outcome, .. } => Some(Recorded::Applied { position, outcome }),
        _ => None,
    }
}

fn open_optional<K: redb::Key + 'static, V: redb::Value + 'static>(
    txn: &redb::ReadTransaction,
    table: redb::TableDefinition<K, V>,
) -> Result<Option<redb::ReadOnlyTable<K, V>>, StoreError> {
    match txn.open_table(table) {
        Ok(table) => Ok(Some(table)),
        Err(TableError::TableDoesNotExist(_)) => Ok(None),
        Err(e) => Err(StoreError::database("opening a table", e)),
    }
}

/// Closing encodes the snapshots handed over, commits what was gathered and waits for both
/// threads.
impl Drop for Store {
    fn drop(&mut self) {
        drop(self.snapshot_jobs.take());
        if let Some(encoder) = self.encoder.take() {
            let _ = encoder.join();
        }
        if let Some(requests) = self.requests.take() {
            let _ = requests.send(Request::Shutdown);
        }
        if let Some(committer) = self.committer.take() {
            let _ = committer.join();
        }
    }
}
