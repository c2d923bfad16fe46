//! Log compaction: keep the newest snapshots of an instance, drop older snapshots, the log up
//! to the oldest kept snapshot and the idempotency keys of the dropped records, in one
//! transaction. Artifacts are kept (a kept snapshot's rollback stack may name any of them),
//! and so are the clients' highest sequence numbers; the highest dropped sequence per client
//! is recorded (`dropped_keys`), so a retry of a compacted input is still recognised. This module does not decide when to compact.

use super::Compacted;
use super::error::StoreError;
use super::record::Position;
use super::tables::{ARTIFACTS, DROPPED_KEYS, KEY_RUNS, KEYS, LOG, SNAPSHOTS, positions};
use crate::hash::Hash;
use redb::{Database, ReadableTable, TableError};
use std::collections::BTreeMap;

pub(crate) fn compact(db: &Database, instance: &str, keep: usize) -> Result<Compacted, StoreError> {
    let fail = |e: redb::StorageError| StoreError::database("compacting", e);
    let txn = db
        .begin_write()
        .map_err(|e| StoreError::database("compacting", e))?;
    let open = |e: TableError| StoreError::database("compacting", e);
    let dropped = {
        let mut snapshots = txn.open_table(SNAPSHOTS).map_err(open)?;
        let all = positions(&snapshots, instance)?;
        let Some(&oldest_kept) = all.len().checked_sub(keep).and_then(|i| all.get(i)) else {
            return Ok(Compacted {
                records: 0,
                snapshots: 0,
                through: None,
            });
        };
        let older = &all[..all.len() - keep];
        for position in older {
            snapshots.remove((instance, *position)).map_err(fail)?;
        }
        let records = drop_log(&txn, instance, oldest_kept)?;
        Compacted {
            records,
            snapshots: older.len() as u64,
            through: Some(oldest_kept),
        }
    };
    txn.commit()
        .map_err(|e| StoreError::database("committing a compaction", e))?;
    Ok(dropped)
}

/// Drops the records up to and including `through`, and the keys that point at them.
fn drop_log(
    txn: &redb::WriteTransaction,
    instance: &str,
    through: Position,
) -> Result<u64, StoreError> {
    let fail = |e: redb::StorageError| StoreError::database("compacting", e);
    let open = |e: TableError| StoreError::database("compacting", e);
    let mut log = txn.open_table(LOG).map_err(open)?;
    let doomed = {
        let rows = log
            .range((instance, 0)..=(instance, through))
            .map_err(fail)?;
        rows.count() as u64
    };
    log.retain_in((instance, 0)..=(instance, through), |_, _| false)
        .map_err(fail)?;
    let mut keys = txn.open_table(KEYS).map_err(open)?;
    // Client ids have no upper bound, so the range runs on into later instances, which the
    // predicate keeps.
    let mut dropped: BTreeMap<String, u64> = BTreeMap::new();
    keys.retain_in((instance, "", 0).., |(name, client, seq), position| {
        let keep = name != instance || position > through;
        if !keep {
            let highest = dropped.entry(client.to_string()).or_default();
            *highest = (*highest).max(seq);
        }
        keep
    })
    .map_err(fail)?;
    drop_runs(txn, instance, through, &mut dropped)?;
    remember_dropped(txn, instance, &dropped)?;
    Ok(doomed)
}

/// Drops the keys of `key_runs` that point at records up to `through`: a run wholly at or
/// before it goes, a run that straddles it keeps its tail as a new run.
fn drop_runs(
    txn: &redb::WriteTransaction,
    instance: &str,
    through: Position,
    dropped: &mut BTreeMap<String, u64>,
) -> Result<(), StoreError> {
    let fail = |e: redb::StorageError| StoreError::database("compacting", e);
    let mut runs = txn
        .open_table(KEY_RUNS)
        .map_err(|e| StoreError::database("compacting", e))?;
    let mut tails = Vec::new();
    runs.retain_in(
        (instance, "", 0)..,
        |(name, client, first_seq), (first, count)| {
            if name != instance || first > through {
                return true;
            }
            // Keys `first_seq..first_seq + gone` point at dropped records.
            let gone = (through - first + 1).min(count);
            let highest = dropped.entry(client.to_string()).or_default();
            *highest = (*highest).max(first_seq + (gone - 1));
            if gone < count {
                tails.push((
                    client.to_string(),
                    first_seq + gone,
                    first + gone,
                    count - gone,
                ));
            }
            false
        },
    )
    .map_err(fail)?;
    for (client, first_seq, first, count) in tails {
        runs.insert((instance, client.as_str(), first_seq), (first, count))
            .map_err(fail)?;
    }
    Ok(())
}

/// Raises each client's dropped-key watermark to the highest seq this compaction dropped.
fn remember_dropped(
    txn: &redb::WriteTransaction,
    instance: &str,
    dropped: &BTreeMap<String, u64>,
) -> Result<(), StoreError> {
    let fail = |e: redb::StorageError| StoreError::database("compacting", e);
    let mut table = txn
        .open_table(DROPPED_KEYS)
        .map_err(|e| StoreError::database("compacting", e))?;
    for (client, seq) in dropped {
        let before = table
            .get((instance, client.as_str()))
            .map_err(fail)?
            .map_or(0, |seq| seq.value());
        table
            .insert((instance, client.as_str()), before.max(*seq))
            .map_err(fail)?;
    }
    Ok(())
}

/// The hashes stored for `instance`.
pub(crate) fn artifacts(db: &Database, instance: &str) -> Result<Vec<Hash>, StoreError> {
    let fail = |e: redb::StorageError| StoreError::database("listing artifacts", e);
    let txn = db
        .begin_read()
        .map_err(|e| StoreError::database("listing artifacts", e))?;
    let table = match txn.open_table(ARTIFACTS) {
        Ok(table) => table,
        Err(TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
        Err(e) => return Err(StoreError::database("listing artifacts", e)),
    };
    let low: &[u8] = &[];
    let high: &[u8] = &[0xff; 33];
    let rows = table
        .range((instance, low)..=(instance, high))
        .map_err(fail)?;
    rows.map(|row| {
        let (key, _) = row.map_err(fail)?;
        let bytes = key.value().1;
        let hash: [u8; 32] = bytes.try_into().map_err(|_| StoreError::Corrupt {
            what: format!(
                "instance `{instance}` has an artifact key of {} bytes",
                bytes.len()
            ),
        })?;
        Ok(Hash(hash))
    })
    .collect()
}
