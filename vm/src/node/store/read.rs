//! Reading one instance's history in one read transaction: its log, its snapshots and its
//! versions (decoded, verified and loaded once each), and the starting point of a replay.
//!
//! A [`Reader`] sees one consistent view of the store, so a recovery or a replay never mixes
//! two commits. It decides where a replay starts; what to do with the records is up to the
//! caller ([`super::recover`], [`super::replay`]).

use super::engine::{Replayer, Versions};
use super::error::StoreError;
use super::record::{Position, Record, Snapshot, decode_record, decode_snapshot, decode_state};
use super::tables::{ARTIFACTS, LOG, SNAPSHOTS, positions};
use crate::hash::Hash;
use crate::limits::Limits;
use crate::node::version::{Version, prepare};
use redb::{Database, ReadOnlyTable, ReadTransaction, TableError};
use std::collections::BTreeMap;

/// Where a replay starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// The newest snapshot at or before the bound, else the deploy: the fastest recovery.
    Latest(Option<Position>),
    /// The deploy record if the log still has it, else the oldest snapshot: the most checking.
    Earliest,
}

pub(crate) type LogTable = ReadOnlyTable<(&'static str, u64), &'static [u8]>;

pub(crate) struct Reader {
    txn: ReadTransaction,
    instance: String,
    limits: Limits,
    cache: BTreeMap<Hash, Version>,
}

impl Reader {
    pub fn open(db: &Database, instance: &str, limits: &Limits) -> Result<Reader, StoreError> {
        let txn = db
            .begin_read()
            .map_err(|e| StoreError::database("starting a read", e))?;
        Ok(Reader {
            txn,
            instance: instance.to_string(),
            limits: limits.clone(),
            cache: BTreeMap::new(),
        })
    }

    /// The log table; `None` when nothing was ever written.
    pub fn log(&self) -> Result<Option<LogTable>, StoreError> {
        match self.txn.open_table(LOG) {
            Ok(table) => Ok(Some(table)),
            Err(TableError::TableDoesNotExist(_)) => Ok(None),
            Err(e) => Err(StoreError::database("opening the log", e)),
        }
    }

    /// The replayer at the chosen starting point, and the snapshot it came from if any.
    pub fn start(&mut self, start: Start) -> Result<(Replayer, Option<Position>), StoreError> {
        let deploy = self.deploy_record()?;
        let snapshot = match (start, &deploy) {
            (Start::Earliest, Some(_)) => None,
            (Start::Earliest, None) => self.snapshot(false, None)?,
            (Start::Latest(bound), _) => self.snapshot(true, bound)?,
        };
        match (snapshot, deploy) {
            (Some((position, snapshot)), _) => {
                Ok((self.resume_at(position, &snapshot)?, Some(position)))
            }
            (None, Some(version)) => {
                let version = self.version(version)?;
                let replayer = Replayer::deployed(&self.instance, version, self.limits.clone())?;
                Ok((replayer, None))
            }
            (None, None) => Err(StoreError::UnknownInstance(self.instance.clone())),
        }
    }

    /// The running hash of the deploy record at position 0, if the log still has it.
    fn deploy_record(&self) -> Result<Option<Hash>, StoreError> {
        let Some(log) = self.log()? else {
            return Ok(None);
        };
        let row = log
            .get((self.instance.as_str(), 0))
            .map_err(|e| StoreError::database("reading the log", e))?;
        let Some(bytes) = row else { return Ok(None) };
        match decode_record(bytes.value(), &self.instance, 0)? {
            Record::Deploy { version } => Ok(Some(version)),
            _ => Err(StoreError::Corrupt {
                what: format!("{} is not a deploy record", self.at(0)),
            }),
        }
    }

    /// The newest (or oldest) snapshot, at or before `bound` when given.
    pub(crate) fn snapshot(
        &self,
        newest: bool,
        bound: Option<Position>,
    ) -> Result<Option<(Position, Snapshot)>, StoreError> {
        let table = match self.txn.open_table(SNAPSHOTS) {
            Ok(table) => table,
            Err(TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(StoreError::database("opening the snapshots", e)),
        };
        let name = self.instance.as_str();
        let mut range = table
            .range((name, 0)..=(name, bound.unwrap_or(u64::MAX)))
            .map_err(|e| StoreError::database("reading the snapshots", e))?;
        let row = if newest {
            range.next_back()
        } else {
            range.next()
        };
        match row {
            None => Ok(None),
            Some(Err(e)) => Err(StoreError::database("reading the snapshots", e)),
            Some(Ok((key, value))) => {
                let position = key.value().1;
                Ok(Some((
                    position,
                    decode_snapshot(value.value(), name, position)?,
                )))
            }
        }
    }

    fn resume_at(
        &mut self,
        position: Position,
        snapshot: &Snapshot,
    ) -> Result<Replayer, StoreError> {
        let at = self.at(position);
        let versions = snapshot
            .versions
            .iter()
            .map(|hash| self.version(*hash))
            .collect::<Result<Vec<_>, _>>()?;
        let Some(running) = versions.last() else {
            return Err(StoreError::Corrupt {
                what: format!("the snapshot at {at} names no version"),
            });
        };
        let state = decode_state(snapshot, &running.program.artifact().state, &at)?;
        Ok(Replayer {
            instance: self.instance.clone(),
            versions,
            state,
            turns: snapshot.turns,
            position,
            limits: self.limits.clone(),
        })
    }

    /// The positions of the instance's snapshots, ascending.
    pub fn snapshot_positions(&self) -> Result<Vec<Position>, StoreError> {
        match self.txn.open_table(SNAPSHOTS) {
            Ok(table) => positions(&table, &self.instance),
            Err(TableError::TableDoesNotExist(_)) => Ok(Vec::new()),
            Err(e) => Err(StoreError::database("opening the snapshots", e)),
        }
    }

    /// Whether the snapshot at `position` describes `replayer` exactly.
    pub fn snapshot_matches(&self, replayer: &Replayer) -> Result<bool, StoreError> {
        let Some((position, snapshot)) = self.snapshot(true, Some(replayer.position))? else {
            return Ok(false);
        };
        let running = replayer.running();
        let versions: Vec<Hash> = replayer.versions.iter().map(|v| v.hash).collect();
        let state = crate::text::print(&replayer.state, &running.program.artifact().state);
        Ok(position == replayer.position
            && snapshot.versions == versions
            && snapshot.state == state
            && snapshot.turns == replayer.turns)
    }

    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// `instance `x` position n`, for messages.
    pub fn at(&self, position: Position) -> String {
        format!("instance `{}` position {position}", self.instance)
    }
}

impl Versions for Reader {
    fn version(&mut self, hash: Hash) -> Result<Version, StoreError> {
        if let Some(version) = self.cache.get(&hash) {
            return Ok(version.clone());
        }
        let missing = || StoreError::MissingArtifact {
            instance: self.instance.clone(),
            hash,
        };
        let table = self.txn.open_table(ARTIFACTS).map_err(|_| missing())?;
        let row = table
            .get((self.instance.as_str(), hash.0.as_slice()))
            .map_err(|e| StoreError::database("reading an artifact", e))?
            .ok_or_else(missing)?;
        let version = prepare(row.value(), &self.limits).map_err(|e| StoreError::Corrupt {
            what: format!("artifact {} is unusable: {e}", hash.short()),
        })?;
        if version.hash != hash {
            return Err(StoreError::Corrupt {
                what: format!(
                    "the artifact stored as {} hashes to {}",
                    hash.short(),
                    version.hash.short()
                ),
            });
        }
        self.cache.insert(hash, version.clone());
        Ok(version)
    }
}

/// One row of a log range.
pub(crate) type LogRow<'a> = Result<
    (
        redb::AccessGuard<'a, (&'static str, u64)>,
        redb::AccessGuard<'a, &'static [u8]>,
    ),
    redb::StorageError,
>;

/// Decodes one log row.
pub(crate) fn decode_row(
    instance: &str,
    row: LogRow<'_>,
) -> Result<(Position, Record), StoreError> {
    let (key, value) = row.map_err(|e| StoreError::database("reading the log", e))?;
    let position = key.value().1;
    Ok((position, decode_record(value.value(), instance, position)?))
}
