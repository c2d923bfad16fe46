//! Recovery: the newest snapshot plus a replay of the log after it through the real VM,
//! checking that every recomputed outcome equals the recorded one.
//!
//! A divergence is an error naming the position: a recovered instance is exactly the one that
//! ran, or none. This module rebuilds and checks; it does not restart anything.

use super::engine::Replayer;
use super::error::StoreError;
use super::read::{Reader, Start, decode_row};
use super::record::{Position, Record};
use crate::hash::Hash;
use crate::limits::Limits;
use crate::node::report::Outcome;
use crate::node::version::Version;
use crate::value::Value;
use redb::Database;

/// An instance as the store brings it back.
#[derive(Debug)]
pub struct Recovered {
    pub instance: String,
    /// The versions rollback returns to, oldest first, then the running version last.
    pub versions: Vec<Version>,
    pub state: Value,
    /// Successful turns so far.
    pub turns: u64,
    /// The position of the last record in the log; the next append takes `position + 1`.
    pub position: Position,
    /// The snapshot recovery started from, if any.
    pub snapshot: Option<Position>,
    /// Records replayed after the starting point.
    pub replayed: u64,
}

impl Recovered {
    pub fn running(&self) -> Hash {
        self.versions.last().map_or(Hash([0; 32]), |v| v.hash)
    }
}

pub(crate) fn recover(
    db: &Database,
    instance: &str,
    limits: &Limits,
) -> Result<Recovered, StoreError> {
    let mut reader = Reader::open(db, instance, limits)?;
    let (mut replayer, snapshot) = reader.start(Start::Latest(None))?;
    let start = replayer.position;
    let mut replayed = 0;
    if let Some(log) = reader.log()? {
        let rows = log
            .range((instance, start + 1)..=(instance, u64::MAX))
            .map_err(|e| StoreError::database("reading the log", e))?;
        for row in rows {
            let (position, record) = decode_row(instance, row)?;
            let recomputed = replayer.apply(position, &record, &mut reader)?;
            check(&replayer, position, &record, recomputed.as_ref())?;
            replayed += 1;
        }
    }
    Ok(finish(replayer, snapshot, replayed))
}

fn finish(replayer: Replayer, snapshot: Option<Position>, replayed: u64) -> Recovered {
    Recovered {
        instance: replayer.instance,
        versions: replayer.versions,
        state: replayer.state,
        turns: replayer.turns,
        position: replayer.position,
        snapshot,
        replayed,
    }
}

/// A recomputed input outcome against the recorded one.
pub(crate) fn check(
    replayer: &Replayer,
    position: Position,
    record: &Record,
    recomputed: Option<&Outcome>,
) -> Result<(), StoreError> {
    match (record, recomputed) {
        (Record::Input { outcome, .. }, Some(again)) if outcome != again => {
            Err(StoreError::Divergence {
                instance: replayer.instance.clone(),
                position,
                recorded: describe(outcome),
                recomputed: describe(again),
            })
        }
        _ => Ok(()),
    }
}

/// An outcome in one line, for messages.
pub fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Output(text) => format!("output {text}"),
        Outcome::Trapped(report) => format!("trap {report}"),
        Outcome::Rejected(why) => format!("rejection ({why})"),
    }
}
