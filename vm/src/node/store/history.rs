//! An instance's whole recorded history as points in time, for time travel over a node's log
//! (the REPL's `:open`): the starting point, then the version and state after every record,
//! rebuilt through the real VM exactly as recovery does.
//!
//! It starts at the deploy record, or at the oldest snapshot when compaction dropped the log
//! before it, and reads in one read transaction, so it never mixes two commits. States share
//! structure, so keeping one per record is cheap. It checks every recomputed outcome against
//! the recorded one and stops with the divergence if they differ. It only reads.

use super::engine::Replayer;
use super::error::StoreError;
use super::read::{Reader, Start, decode_row};
use super::record::{Position, Record};
use super::recover::describe;
use crate::limits::Limits;
use crate::node::version::Version;
use crate::value::Value;
use redb::Database;

/// The instance as it was at one point of its history.
#[derive(Clone, Debug)]
pub struct Moment {
    /// The position of the record this moment follows.
    pub position: Position,
    /// The running version.
    pub version: Version,
    pub state: Value,
    /// Successful turns so far.
    pub turns: u64,
}

/// One record and the moment after it.
#[derive(Clone, Debug)]
pub struct Step {
    pub record: Record,
    pub after: Moment,
}

/// An instance's history: where it starts, then every record in order.
#[derive(Clone, Debug)]
pub struct History {
    pub instance: String,
    /// The deploy (position 0), or the oldest snapshot after a compaction.
    pub start: Moment,
    pub steps: Vec<Step>,
}

/// The history of `instance` from its earliest point, at most `steps_max` records long.
pub(crate) fn history(
    db: &Database,
    instance: &str,
    limits: &Limits,
    steps_max: usize,
) -> Result<History, StoreError> {
    let mut reader = Reader::open(db, instance, limits)?;
    let (mut replayer, _) = reader.start(Start::Earliest)?;
    let start = moment(&replayer);
    let mut steps = Vec::new();
    let log = reader.log()?;
    if let Some(log) = log {
        let first = replayer.position() + 1;
        let rows = log
            .range((instance, first)..=(instance, u64::MAX))
            .map_err(|e| StoreError::database("reading the log", e))?;
        for row in rows.take(steps_max) {
            let (position, record) = decode_row(instance, row)?;
            let recomputed = replayer.apply(position, &record, &mut reader)?;
            check(instance, position, &record, recomputed.as_ref())?;
            steps.push(Step {
                record,
                after: moment(&replayer),
            });
        }
    }
    Ok(History {
        instance: instance.to_string(),
        start,
        steps,
    })
}

fn moment(replayer: &Replayer) -> Moment {
    Moment {
        position: replayer.position(),
        version: replayer.running().clone(),
        state: replayer.state().clone(),
        turns: replayer.turns(),
    }
}

/// A recomputed outcome must be the recorded one.
fn check(
    instance: &str,
    position: Position,
    record: &Record,
    recomputed: Option<&crate::node::report::Outcome>,
) -> Result<(), StoreError> {
    match (record, recomputed) {
        (Record::Input { outcome, .. }, Some(again)) if outcome != again => {
            Err(StoreError::Unreplayable {
                instance: instance.to_string(),
                position,
                detail: format!(
                    "the input was recorded as {} but replays as {}",
                    describe(outcome),
                    describe(again)
                ),
            })
        }
        _ => Ok(()),
    }
}
