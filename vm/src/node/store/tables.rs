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
/// `(instance, client, seq) -> position` of the input that client sent with that sequence.
pub const KEYS: TableDefinition<(&str, &str, u64), u64> = TableDefinition::new("keys");
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
