//! The committer: the one thread that writes appends and snapshots, batching them into
//! transactions according to the [`Durability`] mode, and acknowledging each request only
//! after the transaction that holds it committed.
//!
//! `sync` commits every request in its own fsynced transaction; `group` commits, in one fsynced
//! transaction, everything that queued up while the previous one was written (a lone request
//! at once; a batch grows for at most a window of a few milliseconds); `none`
//! commits whatever is queued without fsync (benchmarks only: a crash may lose acknowledged
//! records). Requests keep their arrival order. Within a transaction, the keys of one client
//! whose seqs and positions both go up by one are written as one `key_runs` row (a row per
//! key cost more than the log row it indexes). A halt (a simulated crash) drops the gathered
//! batch without committing it. This module does not read the log back; recovery does.

use super::error::StoreError;
use super::record::{Position, Record, encode_record};
use super::tables::{
    ARTIFACTS, CLIENTS, INSTANCES, KEY_RUNS, KeyRun, LOG, SNAPSHOTS, next_position,
};
use crate::hash::Hash;
use crate::node::report::Outcome;
use redb::{Database, ReadableTable, WriteTransaction};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// When an appended record counts as durable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// One fsynced transaction per record.
    Sync,
    /// Whatever queued during the previous commit (gathered for at most `window`), in one
    /// fsynced transaction.
    Group { window: Duration },
    /// No fsync: for benchmarks only, a crash may lose acknowledged records.
    None,
}

impl Durability {
    /// `group` with a 2 ms window: the default.
    pub fn group() -> Durability {
        Durability::Group {
            window: Duration::from_millis(2),
        }
    }

    /// What a node should print when it starts in this mode, if anything.
    pub fn warning(&self) -> Option<&'static str> {
        match self {
            Durability::None => Some(
                "durability `none` is for benchmarks: inputs are acknowledged before they reach \
                 the disk and a crash may lose them; use `group` (the default) or `sync`",
            ),
            _ => None,
        }
    }
}

/// `sync`, `group` (2 ms window) or `none`, as `--durability` takes them.
impl std::str::FromStr for Durability {
    type Err = String;

    fn from_str(text: &str) -> Result<Durability, String> {
        match text {
            "sync" => Ok(Durability::Sync),
            "group" => Ok(Durability::group()),
            "none" => Ok(Durability::None),
            other => Err(format!(
                "unknown durability `{other}`; use `sync`, `group` or `none`"
            )),
        }
    }
}

impl std::fmt::Display for Durability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Durability::Sync => write!(f, "sync"),
            Durability::Group { window } => write!(f, "group ({} us)", window.as_micros()),
            Durability::None => write!(f, "none"),
        }
    }
}

/// The most requests one group transaction holds.
const BATCH_MAX: usize = 8192;

pub(crate) type Ack = oneshot::Sender<Result<Position, StoreError>>;

/// Idempotency keys appended but not yet committed: `(instance, client, seq) -> position`.
pub(crate) type PendingKeys = Arc<Mutex<PendingMap>>;

/// `instance -> client -> seq -> (position, outcome)` of keyed inputs appended but not yet
/// committed. Nested by name so that a batch's keys are added and removed without allocating
/// a name per key.
#[derive(Default)]
pub(crate) struct PendingMap(BTreeMap<String, BTreeMap<String, PendingSeqs>>);

/// One client's pending keys: `seq -> (position, outcome)`.
type PendingSeqs = BTreeMap<u64, (Position, Outcome)>;

impl PendingMap {
    /// Remembers the key of `record` (if it has one) at `position`.
    pub fn add(&mut self, instance: &str, position: Position, record: &Record) {
        let Record::Input {
            key: Some(key),
            outcome,
            ..
        } = record
        else {
            return;
        };
        if !self.0.contains_key(instance) {
            self.0.insert(instance.to_string(), BTreeMap::new());
        }
        let Some(clients) = self.0.get_mut(instance) else {
            return;
        };
        if !clients.contains_key(&key.client) {
            clients.insert(key.client.clone(), BTreeMap::new());
        }
        if let Some(seqs) = clients.get_mut(&key.client) {
            seqs.insert(key.seq, (position, outcome.clone()));
        }
    }

    /// Forgets the key of `record`, if it has one.
    pub fn forget(&mut self, instance: &str, record: &Record) {
        let Record::Input { key: Some(key), .. } = record else {
            return;
        };
        let Some(clients) = self.0.get_mut(instance) else {
            return;
        };
        if let Some(seqs) = clients.get_mut(&key.client) {
            seqs.remove(&key.seq);
            if seqs.is_empty() {
                clients.remove(&key.client);
            }
        }
        if clients.is_empty() {
            self.0.remove(instance);
        }
    }

    /// The position and outcome of a pending key.
    pub fn get(&self, instance: &str, client: &str, seq: u64) -> Option<&(Position, Outcome)> {
        self.0.get(instance)?.get(client)?.get(&seq)
    }

    /// The highest pending seq of a client.
    pub fn highest(&self, instance: &str, client: &str) -> Option<u64> {
        let seqs = self.0.get(instance)?.get(client)?;
        seqs.last_key_value().map(|(seq, _)| *seq)
    }
}

pub(crate) enum Request {
    Append {
        instance: String,
        position: Position,
        record: Record,
        artifact: Option<(Hash, Vec<u8>)>,
        done: Ack,
    },
    /// Consecutive input records from `first` on, each with its encoded and sealed bytes: the
    /// inputs of one mailbox item, sent and acknowledged as one request (one channel send,
    /// one acknowledgement and one encoding per record instead of two).
    Inputs {
        instance: String,
        first: Position,
        records: Vec<(Record, Vec<u8>)>,
        done: Ack,
    },
    /// A snapshot already encoded and sealed (see `snapshotter`).
    Snapshot {
        instance: String,
        position: Position,
        bytes: Vec<u8>,
        done: Ack,
    },
    /// Resolves once every request before it is durable.
    Barrier { done: Ack },
    /// Commit what is gathered, then stop.
    Shutdown,
}

pub(crate) struct Committer {
    pub db: Arc<Database>,
    pub mode: Durability,
    pub halted: Arc<AtomicBool>,
    pub pending_keys: PendingKeys,
    /// The next position of each instance seen, as committed.
    pub next: BTreeMap<String, Position>,
    /// Transactions committed so far.
    pub commits: Arc<AtomicU64>,
}

impl Committer {
    /// Runs until the store shuts down or halts.
    pub fn run(mut self, requests: Receiver<Request>) {
        while let Ok(first) = requests.recv() {
            let mut batch = vec![first];
            let stopping = self.gather(&requests, &mut batch);
            if self.halted.load(Ordering::SeqCst) {
                self.finish(batch, Err(StoreError::Closed));
                return;
            }
            self.commit(batch);
            if stopping {
                break;
            }
        }
        if self.mode == Durability::None && !self.halted.load(Ordering::SeqCst) {
            // A clean close makes the unsynced commits durable.
            let _ = self.flush_all();
        }
    }

    /// Commits `batch` on the caller's thread, in one transaction (the inline store).
    pub fn commit_inline(&mut self, batch: Vec<Request>) {
        if batch.is_empty() {
            return;
        }
        if self.halted.load(Ordering::SeqCst) {
            return self.finish(batch, Err(StoreError::Closed));
        }
        self.commit(batch);
    }

    /// Adds the requests that share a transaction with the first; true when shutting down.
    fn gather(&self, requests: &Receiver<Request>, batch: &mut Vec<Request>) -> bool {
        if matches!(batch.last(), Some(Request::Shutdown)) {
            batch.pop();
            return true;
        }
        // Group commit is adaptive: the batch is what queued up while the previous transaction
        // was being written, taken without waiting, so a lone record is committed at once (no
        // added latency) and a flood shares each fsync. The window bounds how long a batch may
        // keep growing under a flood, so no record waits longer than one window plus a commit.
        let deadline = match self.mode {
            Durability::Sync => return false,
            Durability::Group { window } => Some(Instant::now() + window),
            Durability::None => None,
        };
        while batch.len() < BATCH_MAX {
            if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                break;
            }
            let next = match requests.try_recv() {
                Ok(request) => request,
                Err(_) => break,
            };
            if matches!(next, Request::Shutdown) {
                return true;
            }
            batch.push(next);
        }
        false
    }

    fn commit(&mut self, batch: Vec<Request>) {
        match self.write(&batch) {
            Ok(results) => {
                for (request, result) in batch.into_iter().zip(results) {
                    answer(request, result, &self.pending_keys);
                }
            }
            Err(error) => {
                // Nothing of the batch is in the file: forget the positions it advanced.
                self.next.clear();
                self.finish(batch, Err(error));
            }
        }
    }

    fn finish(&self, batch: Vec<Request>, result: Result<Position, StoreError>) {
        for request in batch {
            answer(request, result.clone(), &self.pending_keys);
        }
    }

    /// One transaction for the batch: a result per request, or the error that lost them all.
    fn write(
        &mut self,
        batch: &[Request],
    ) -> Result<Vec<Result<Position, StoreError>>, StoreError> {
        let mut txn = self
            .db
            .begin_write()
            .map_err(|e| StoreError::database("starting a commit", e))?;
        txn.set_durability(match self.mode {
            Durability::None => redb::Durability::None,
            _ => redb::Durability::Immediate,
        });
        let mut advanced = BTreeMap::new();
        let results = {
            let mut tables = BatchTables::open(&txn)?;
            let results = batch
                .iter()
                .map(|request| self.apply(&txn, &mut tables, request, &mut advanced))
                .collect::<Result<Vec<_>, _>>()?;
            tables.close(&txn)?;
            results
        };
        txn.commit()
            .map_err(|e| StoreError::database("committing", e))?;
        self.commits.fetch_add(1, Ordering::Relaxed);
        self.next.extend(advanced);
        Ok(results)
    }

    /// One request inside the batch's transaction; `Err` only for database failures.
    fn apply(
        &self,
        txn: &WriteTransaction,
        tables: &mut BatchTables<'_>,
        request: &Request,
        advanced: &mut BTreeMap<String, Position>,
    ) -> Result<Result<Position, StoreError>, StoreError> {
        match request {
            Request::Append {
                instance,
                position,
                record,
                artifact,
                ..
            } => {
                if let Some(refused) =
                    self.out_of_order(txn, tables, instance, advanced, *position)?
                {
                    return Ok(Err(refused));
                }
                let bytes = encode_record(instance, *position, record);
                write_append(txn, tables, instance, *position, record, &bytes)?;
                if let Some(artifact) = artifact {
                    write_artifact(txn, instance, artifact)?;
                }
                advanced.insert(instance.clone(), position + 1);
                Ok(Ok(*position))
            }
            Request::Inputs {
                instance,
                first,
                records,
                ..
            } => {
                if let Some(refused) = self.out_of_order(txn, tables, instance, advanced, *first)? {
                    return Ok(Err(refused));
                }
                let mut position = *first;
                for (record, bytes) in records {
                    write_append(txn, tables, instance, position, record, bytes)?;
                    position += 1;
                }
                advanced.insert(instance.clone(), position);
                Ok(Ok(position.saturating_sub(1)))
            }
            Request::Snapshot {
                instance,
                position,
                bytes,
                ..
            } => {
                let mut table = txn.open_table(SNAPSHOTS).map_err(write_error)?;
                table
                    .insert((instance.as_str(), *position), bytes.as_slice())
                    .map_err(write_error)?;
                Ok(Ok(*position))
            }
            Request::Barrier { .. } | Request::Shutdown => Ok(Ok(0)),
        }
    }

    /// The position the next record of `instance` must take.
    /// The refusal of a request whose first record is not at the instance's next position.
    fn out_of_order(
        &self,
        txn: &WriteTransaction,
        tables: &BatchTables<'_>,
        instance: &str,
        advanced: &BTreeMap<String, Position>,
        got: Position,
    ) -> Result<Option<StoreError>, StoreError> {
        let expected = self.expected(txn, tables, instance, advanced)?;
        Ok((got != expected).then(|| StoreError::OutOfOrder {
            instance: instance.to_string(),
            expected,
            got,
        }))
    }

    fn expected(
        &self,
        txn: &WriteTransaction,
        tables: &BatchTables<'_>,
        instance: &str,
        advanced: &BTreeMap<String, Position>,
    ) -> Result<Position, StoreError> {
        match advanced.get(instance).or(self.next.get(instance)) {
            Some(next) => Ok(*next),
            None => {
                let snapshots = txn.open_table(SNAPSHOTS).map_err(write_error)?;
                next_position(&tables.log, &snapshots, instance)
            }
        }
    }

    /// An empty fsynced commit: everything committed before it becomes durable.
    fn flush_all(&self) -> Result<(), StoreError> {
        let mut txn = self
            .db
            .begin_write()
            .map_err(|e| StoreError::database("flushing", e))?;
        txn.set_durability(redb::Durability::Immediate);
        txn.commit()
            .map_err(|e| StoreError::database("flushing", e))
    }
}

/// The tables nearly every request of a batch writes, opened once per transaction (opening a
/// table per record cost more than the record), the key runs still growing, and the clients'
/// highest sequence numbers, merged into `CLIENTS` once when the batch closes.
struct BatchTables<'txn> {
    log: redb::Table<'txn, (&'static str, u64), &'static [u8]>,
    runs: redb::Table<'txn, (&'static str, &'static str, u64), (u64, u64)>,
    /// `(instance, run)`: written when the next key of its client does not extend it, or when
    /// the batch closes; a pipelined batch's keys thus cost one row, not one each.
    open_runs: Vec<(String, KeyRun)>,
    highest: BTreeMap<(String, String), u64>,
}

/// Key runs kept open at once; past this they are all written (many clients in one batch).
const OPEN_RUNS_MAX: usize = 64;

impl<'txn> BatchTables<'txn> {
    fn open(txn: &'txn WriteTransaction) -> Result<BatchTables<'txn>, StoreError> {
        Ok(BatchTables {
            log: txn.open_table(LOG).map_err(write_error)?,
            runs: txn.open_table(KEY_RUNS).map_err(write_error)?,
            open_runs: Vec::new(),
            highest: BTreeMap::new(),
        })
    }

    /// Adds `(client, seq) -> position` to its client's open run, or starts a new run.
    fn add_key(
        &mut self,
        instance: &str,
        client: &str,
        seq: u64,
        position: Position,
    ) -> Result<(), StoreError> {
        let open = self
            .open_runs
            .iter()
            .position(|(name, run)| name == instance && run.client == client);
        if let Some(index) = open {
            if let Some((_, run)) = self.open_runs.get_mut(index)
                && run.extends(client, seq, position)
            {
                run.count += 1;
                return Ok(());
            }
            let (name, run) = self.open_runs.swap_remove(index);
            self.write_run(&name, &run)?;
        } else if self.open_runs.len() >= OPEN_RUNS_MAX {
            for (name, run) in std::mem::take(&mut self.open_runs) {
                self.write_run(&name, &run)?;
            }
        }
        let run = KeyRun {
            client: client.to_string(),
            first_seq: seq,
            first_position: position,
            count: 1,
        };
        self.open_runs.push((instance.to_string(), run));
        Ok(())
    }

    fn write_run(&mut self, instance: &str, run: &KeyRun) -> Result<(), StoreError> {
        self.runs
            .insert(
                (instance, run.client.as_str(), run.first_seq),
                (run.first_position, run.count),
            )
            .map_err(write_error)?;
        let last = run.first_seq + (run.count - 1);
        let highest = self
            .highest
            .entry((instance.to_string(), run.client.clone()))
            .or_insert(last);
        *highest = (*highest).max(last);
        Ok(())
    }

    /// Writes the open key runs, and records the highest sequence number of every client the
    /// batch wrote a key of.
    fn close(mut self, txn: &WriteTransaction) -> Result<(), StoreError> {
        for (name, run) in std::mem::take(&mut self.open_runs) {
            self.write_run(&name, &run)?;
        }
        if self.highest.is_empty() {
            return Ok(());
        }
        let mut clients = txn.open_table(CLIENTS).map_err(write_error)?;
        for ((instance, client), seq) in self.highest {
            let stored = clients
                .get((instance.as_str(), client.as_str()))
                .map_err(write_error)?
                .map_or(0, |seq| seq.value());
            clients
                .insert((instance.as_str(), client.as_str()), stored.max(seq))
                .map_err(write_error)?;
        }
        Ok(())
    }
}

fn write_artifact(
    txn: &WriteTransaction,
    instance: &str,
    (hash, bytes): &(Hash, Vec<u8>),
) -> Result<(), StoreError> {
    let mut artifacts = txn.open_table(ARTIFACTS).map_err(write_error)?;
    artifacts
        .insert((instance, hash.0.as_slice()), bytes.as_slice())
        .map_err(write_error)?;
    Ok(())
}

/// Writes `record` (encoded and sealed as `bytes`) at `position`, with its key if it has one.
fn write_append(
    txn: &WriteTransaction,
    tables: &mut BatchTables<'_>,
    instance: &str,
    position: Position,
    record: &Record,
    bytes: &[u8],
) -> Result<(), StoreError> {
    match record {
        Record::Deploy { .. } => {
            let mut instances = txn.open_table(INSTANCES).map_err(write_error)?;
            instances.insert(instance, position).map_err(write_error)?;
        }
        Record::Input { key: Some(key), .. } => {
            tables.add_key(instance, &key.client, key.seq, position)?;
        }
        _ => {}
    }
    tables
        .log
        .insert((instance, position), bytes)
        .map_err(write_error)?;
    Ok(())
}

/// Tells the requester how its request ended and forgets its pending keys.
fn answer(request: Request, result: Result<Position, StoreError>, pending: &PendingKeys) {
    let done = match request {
        Request::Append {
            instance,
            record,
            done,
            ..
        } => {
            lock_pending(pending).forget(&instance, &record);
            done
        }
        Request::Inputs {
            instance,
            records,
            done,
            ..
        } => {
            let mut pending = lock_pending(pending);
            for (record, _) in &records {
                pending.forget(&instance, record);
            }
            done
        }
        Request::Snapshot { done, .. } | Request::Barrier { done } => done,
        Request::Shutdown => return,
    };
    // The requester may have stopped waiting; the record is committed all the same.
    let _ = done.send(result);
}

/// Each key is added or removed by one call, so a poisoned map is still consistent.
pub(crate) fn lock_pending(pending: &PendingKeys) -> std::sync::MutexGuard<'_, PendingMap> {
    pending
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write_error(error: impl std::fmt::Display) -> StoreError {
    StoreError::database("writing a record", error)
}
