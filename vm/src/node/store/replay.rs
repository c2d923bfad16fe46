//! Offline replay: rebuild an instance at any position and check determinism, or re-run its
//! recorded inputs against a candidate version (a dry run of an upgrade on real traffic).
//!
//! Both start as early as the store allows (the deploy, or the oldest snapshot after
//! compaction). [`replay`] stops at the first divergence and reports it as data;
//! [`replay_with`] runs every recorded input and classifies the differences. Neither writes.

use super::engine::Replayer;
use super::error::StoreError;
use super::read::{Reader, Start, decode_row};
use super::record::{Position, Record};
use crate::bytecode::Artifact;
use crate::bytecode::encode::encode;
use crate::hash::Hash;
use crate::limits::Limits;
use crate::node::report::Outcome;
use crate::node::swap::{migrate_up, plan_upgrade};
use crate::node::version::prepare;
use crate::text;
use crate::trap::TrapKind;
use redb::Database;

/// The first input whose recomputed outcome differs from the recorded one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    pub position: Position,
    pub input: String,
    pub recorded: Outcome,
    pub recomputed: Outcome,
}

/// An instance rebuilt at a position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplayReport {
    pub instance: String,
    /// Where the replay started: 0 for the deploy, else a snapshot's position.
    pub started_at: Position,
    /// The position of the last record applied.
    pub reached: Position,
    pub running: Hash,
    /// The state after `reached`, in canonical text form.
    pub state: String,
    pub turns: u64,
    /// Inputs whose outcome was recomputed and compared.
    pub checked: u64,
    /// The first divergence; the replay stopped before applying it.
    pub divergence: Option<Divergence>,
    /// The first snapshot passed on the way that does not describe the replayed instance
    /// (a recovery from it would be wrong); the replay goes on.
    pub bad_snapshot: Option<Position>,
}

/// Rebuilds `instance` up to position `to` (the whole log when `None`).
pub fn replay(
    db: &Database,
    instance: &str,
    to: Option<Position>,
    limits: &Limits,
) -> Result<ReplayReport, StoreError> {
    let mut reader = Reader::open(db, instance, limits)?;
    let (mut replayer, _) = reader.start(Start::Earliest)?;
    let started_at = replayer.position;
    let snapshots = reader.snapshot_positions()?;
    let mut checked = 0;
    let mut divergence = None;
    let mut bad_snapshot = None;
    if let Some(log) = reader.log()? {
        let rows = log
            .range((instance, started_at + 1)..=(instance, to.unwrap_or(u64::MAX)))
            .map_err(|e| StoreError::database("reading the log", e))?;
        for row in rows {
            let (position, record) = decode_row(instance, row)?;
            checked += u64::from(matches!(record, Record::Input { .. }));
            divergence = checked_step(&mut replayer, &mut reader, position, &record)?;
            if divergence.is_some() {
                break;
            }
            if bad_snapshot.is_none()
                && snapshots.binary_search(&position).is_ok()
                && !reader.snapshot_matches(&replayer)?
            {
                bad_snapshot = Some(position);
            }
        }
    }
    Ok(report(
        replayer,
        started_at,
        checked,
        divergence,
        bad_snapshot,
    ))
}

/// Applies one record; on a divergence the replayer is left as it was before the record.
fn checked_step(
    replayer: &mut Replayer,
    reader: &mut Reader,
    position: Position,
    record: &Record,
) -> Result<Option<Divergence>, StoreError> {
    let before = (replayer.state.clone(), replayer.turns, replayer.position);
    let recomputed = replayer.apply(position, record, reader)?;
    match (record, recomputed) {
        (Record::Input { text, outcome, .. }, Some(again)) if *outcome != again => {
            (replayer.state, replayer.turns, replayer.position) = before;
            Ok(Some(Divergence {
                position,
                input: text.clone(),
                recorded: outcome.clone(),
                recomputed: again,
            }))
        }
        _ => Ok(None),
    }
}

fn report(
    replayer: Replayer,
    started_at: Position,
    checked: u64,
    divergence: Option<Divergence>,
    bad_snapshot: Option<Position>,
) -> ReplayReport {
    let running = replayer.running();
    ReplayReport {
        instance: replayer.instance.clone(),
        started_at,
        reached: replayer.position,
        running: running.hash,
        state: text::print(&replayer.state, &running.program.artifact().state),
        turns: replayer.turns,
        checked,
        divergence,
        bad_snapshot,
    }
}

/// How a recorded input fared under the candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DifferenceKind {
    /// The candidate trapped (other than an invariant).
    Trap,
    /// An invariant of the candidate did not hold after the turn.
    InvariantViolated,
    /// The candidate rejected the input text.
    Rejected,
    /// The candidate answered with another output.
    Output,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub kind: DifferenceKind,
    pub position: Position,
    pub input: String,
    pub recorded: Outcome,
    pub candidate: Outcome,
}

/// A recorded history re-run against a candidate version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidateReport {
    pub instance: String,
    pub candidate: Hash,
    /// Where the history started (0 for the deploy, else a snapshot's position).
    pub started_at: Position,
    /// Why the candidate could not take over at the start; nothing else ran.
    pub migration_refused: Option<String>,
    /// Inputs re-run, and how many gave the recorded outcome.
    pub inputs: u64,
    pub same: u64,
    pub traps: u64,
    pub invariant_violations: u64,
    pub rejected: u64,
    pub output_differences: u64,
    /// Upgrade and rollback records passed over (the candidate keeps running).
    pub barriers_skipped: u64,
    /// The first differences, at most [`DIFFERENCES_KEPT`].
    pub differences: Vec<Difference>,
}

pub const DIFFERENCES_KEPT: usize = 20;

/// Re-runs every recorded input of `instance` against `candidate`, migrated in at the start.
pub fn replay_with(
    db: &Database,
    instance: &str,
    candidate: &Artifact,
    limits: &Limits,
) -> Result<CandidateReport, StoreError> {
    let next = prepare(&encode(candidate, None), limits).map_err(|e| StoreError::Unreplayable {
        instance: instance.to_string(),
        position: 0,
        detail: format!("the candidate is unusable: {e}"),
    })?;
    let mut reader = Reader::open(db, instance, limits)?;
    let (mut replayer, _) = reader.start(Start::Earliest)?;
    let mut report = CandidateReport {
        instance: instance.to_string(),
        candidate: next.hash,
        started_at: replayer.position,
        migration_refused: None,
        inputs: 0,
        same: 0,
        traps: 0,
        invariant_violations: 0,
        rejected: 0,
        output_differences: 0,
        barriers_skipped: 0,
        differences: Vec::new(),
    };
    if next.hash != replayer.running().hash {
        let migrated = plan_upgrade(replayer.running(), &next, limits)
            .and_then(|plan| migrate_up(&plan, &next, replayer.state.clone(), limits));
        match migrated {
            Ok(state) => replayer.state = state,
            Err(refusal) => {
                report.migration_refused = Some(refusal.to_string());
                return Ok(report);
            }
        }
        replayer.versions = vec![next];
    }
    let Some(log) = reader.log()? else {
        return Ok(report);
    };
    let rows = log
        .range((instance, report.started_at + 1)..=(instance, u64::MAX))
        .map_err(|e| StoreError::database("reading the log", e))?;
    for row in rows {
        let (position, record) = decode_row(instance, row)?;
        let Record::Input { text, outcome, .. } = record else {
            report.barriers_skipped += 1;
            continue;
        };
        let again = replayer.input(&text);
        tally(&mut report, position, text, outcome, again);
    }
    Ok(report)
}

fn tally(
    report: &mut CandidateReport,
    position: Position,
    input: String,
    recorded: Outcome,
    candidate: Outcome,
) {
    report.inputs += 1;
    if recorded == candidate {
        report.same += 1;
        return;
    }
    let kind = match &candidate {
        Outcome::Trapped(t) if matches!(t.trap.kind, TrapKind::InvariantViolated { .. }) => {
            report.invariant_violations += 1;
            DifferenceKind::InvariantViolated
        }
        Outcome::Trapped(_) => {
            report.traps += 1;
            DifferenceKind::Trap
        }
        Outcome::Rejected(_) => {
            report.rejected += 1;
            DifferenceKind::Rejected
        }
        Outcome::Output(_) => {
            report.output_differences += 1;
            DifferenceKind::Output
        }
    };
    if report.differences.len() < DIFFERENCES_KEPT {
        report.differences.push(Difference {
            kind,
            position,
            input,
            recorded,
            candidate,
        });
    }
}
