//! The store's tables in the redb file, and the small reads every other part shares.
//!
//! Every table is keyed by the instance name first, so one instance's rows are one contiguous
//! range. This module knows the layout; it does not decide what to write or when.

use super::error::StoreError;
use super::record::Position;
use redb::{ReadableTable, TableDefinition};

/// `(instance, position) -> encoded Record`.
pub const LOG: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("log");
/// `(instance, position) -> encoded Snapshot` (the instance after the record at `position`).
pub const SNAPSHOTS: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("snapshots");
/// `(instance, artifact hash) -> encoded artifact` (with its debug sidecar when pushed with one).
pub const ARTIFACTS: TableDefinition<(&str, &[u8]), &[u8]> = TableDefinition::new("artifacts");
/// `(instance, client, seq) -> position` of the input that client sent with that sequence:
/// one row per key, as stores before `key_runs` wrote them (read, compacted, no longer written).
pub const KEYS: TableDefinition<(&str, &str, u64), u64> = TableDefinition::new("keys");
/// `(instance, client, first seq) -> (first position, count)`: a run of one client's keys,
/// seqs `first seq..first seq + count` at positions `first position..first position + count`,
/// as one row (a pipelined batch's keys are one run). A client's runs never share a seq.
pub const KEY_RUNS: TableDefinition<(&str, &str, u64), (u64, u64)> =
    TableDefinition::new("key_runs");
/// `(instance, client) -> highest seq` ever recorded, kept when compaction drops keys.
pub const CLIENTS: TableDefinition<(&str, &str), u64> = TableDefinition::new("clients");
/// `(instance, client) -> highest seq among that client's keys compaction dropped`: a key at
/// or below it that is not in `keys` may have been applied, so it is never applied again.
pub const DROPPED_KEYS: TableDefinition<(&str, &str), u64> = TableDefinition::new("dropped_keys");
/// `instance -> position of its deploy record` (always 0): the list of instances.
pub const INSTANCES: TableDefinition<&str, u64> = TableDefinition::new("instances");

/// The last key of `instance` in a `(instance, position)` table.
pub fn last_position<T>(table: &T, instance: &str) -> Result<Option<Position>, StoreError>
where
    T: ReadableTable<(&'static str, u64), &'static [u8]>,
{
    let mut range = table
        .range((instance, 0)..=(instance, u64::MAX))
        .map_err(|e| StoreError::database("reading the log", e))?;
    match range.next_back() {
        None => Ok(None),
        Some(Ok((key, _))) => Ok(Some(key.value().1)),
        Some(Err(e)) => Err(StoreError::database("reading the log", e)),
    }
}

/// The positions of `instance`'s rows in a `(instance, position)` table, ascending.
pub fn positions<T>(table: &T, instance: &str) -> Result<Vec<Position>, StoreError>
where
    T: ReadableTable<(&'static str, u64), &'static [u8]>,
{
    let range = table
        .range((instance, 0)..=(instance, u64::MAX))
        .map_err(|e| StoreError::database("listing positions", e))?;
    range
        .map(|row| {
            row.map(|(key, _)| key.value().1)
                .map_err(|e| StoreError::database("listing positions", e))
        })
        .collect()
}

/// The position the next record of `instance` must take.
pub fn next_position<L, S>(log: &L, snapshots: &S, instance: &str) -> Result<Position, StoreError>
where
    L: ReadableTable<(&'static str, u64), &'static [u8]>,
    S: ReadableTable<(&'static str, u64), &'static [u8]>,
{
    // Compaction may leave no record after the newest snapshot, so both tables count.
    let last = last_position(log, instance)?.max(last_position(snapshots, instance)?);
    Ok(last.map_or(0, |p| p + 1))
}

/// A run of one client's keys (see [`KEY_RUNS`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRun {
    pub client: String,
    pub first_seq: u64,
    pub first_position: Position,
    pub count: u64,
}

impl KeyRun {
    /// Whether `seq` at `position` extends this run by one.
    pub fn extends(&self, client: &str, seq: u64, position: Position) -> bool {
        self.client == client
            && self.first_seq.checked_add(self.count) == Some(seq)
            && self.first_position.checked_add(self.count) == Some(position)
    }
}

/// The position of `(client, seq)` in `instance`'s key runs, if a run holds it: the run with
/// the highest first seq at or below `seq` is the only one that can.
pub fn find_in_runs<T>(
    runs: &T,
    instance: &str,
    client: &str,
    seq: u64,
) -> Result<Option<Position>, StoreError>
where
    T: ReadableTable<(&'static str, &'static str, u64), (u64, u64)>,
{
    let fail = |e: redb::StorageError| StoreError::database("looking up a key", e);
    let mut range = runs
        .range((instance, client, 0)..=(instance, client, seq))
        .map_err(fail)?;
    let Some(row) = range.next_back() else {
        return Ok(None);
    };
    let (key, value) = row.map_err(fail)?;
    let (_, _, first_seq) = key.value();
    let (first_position, count) = value.value();
    let offset = seq - first_seq;
    Ok((offset < count).then(|| first_position + offset))
}
