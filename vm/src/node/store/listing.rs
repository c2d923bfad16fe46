//! The log as lines for people (`quiver log`): each record with the version running after it,
//! found by following the deploy, upgrade and rollback records, without running the VM.
//!
//! The version stack at the start of the range comes from the newest snapshot before it (or the
//! deploy record). This module reads only; it checks nothing but that rollbacks return to the
//! version below them.

use super::error::StoreError;
use super::read::{Reader, decode_row};
use super::record::{Position, Record};
use crate::hash::Hash;
use crate::limits::Limits;
use redb::Database;

/// One record of the log and the version running once it was applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub position: Position,
    pub record: Record,
    pub version: Hash,
}

/// The records of `instance` from `from` through `to` with their versions.
pub(crate) fn listing(
    db: &Database,
    instance: &str,
    from: Position,
    to: Position,
) -> Result<Vec<LogLine>, StoreError> {
    let reader = Reader::open(db, instance, &Limits::default())?;
    let start = match from.checked_sub(1) {
        Some(before) => reader.snapshot(true, Some(before))?,
        None => None,
    }
    .or(oldest_after_compaction(&reader)?);
    let (mut stack, first) = match start {
        Some((position, snapshot)) => (snapshot.versions, position + 1),
        None => (Vec::new(), 0),
    };
    let Some(log) = reader.log()? else {
        return Ok(Vec::new());
    };
    let rows = log
        .range((instance, first)..=(instance, to))
        .map_err(|e| StoreError::database("reading the log", e))?;
    let mut lines = Vec::new();
    for row in rows {
        let (position, record) = decode_row(instance, row)?;
        follow(&mut stack, &record).map_err(|what| StoreError::Corrupt {
            what: format!("instance `{instance}` at position {position}: {what}"),
        })?;
        if position >= from {
            let version = *stack.last().ok_or_else(|| StoreError::Corrupt {
                what: format!("instance `{instance}` has no version at position {position}"),
            })?;
            lines.push(LogLine {
                position,
                record,
                version,
            });
        }
    }
    Ok(lines)
}

/// The oldest snapshot when the deploy record was compacted away, else none.
fn oldest_after_compaction(
    reader: &Reader,
) -> Result<Option<(Position, super::record::Snapshot)>, StoreError> {
    let Some(log) = reader.log()? else {
        return Ok(None);
    };
    let deployed = log
        .get((reader.instance(), 0))
        .map_err(|e| StoreError::database("reading the log", e))?
        .is_some();
    if deployed {
        Ok(None)
    } else {
        reader.snapshot(false, None)
    }
}

/// The version stack after `record`.
fn follow(stack: &mut Vec<Hash>, record: &Record) -> Result<(), String> {
    match record {
        Record::Deploy { version } => *stack = vec![*version],
        Record::Upgrade { to } => stack.push(*to),
        Record::Rollback { to } => {
            stack.pop();
            if stack.last() != Some(to) {
                return Err(format!(
                    "a rollback to {} is not to the previous version",
                    to.short()
                ));
            }
        }
        Record::Input { .. } => {}
    }
    Ok(())
}
