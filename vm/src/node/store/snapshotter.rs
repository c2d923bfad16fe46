//! The snapshot encoder: the thread that turns a live state into snapshot bytes, so an
//! instance's actor never pays for encoding a large state.
//!
//! An instance hands over a [`LiveSnapshot`]: its version stack, turn count and state as an
//! Arc-shared [`Value`] (cloning it is a reference count, and the persistent collections inside
//! share structure with the states the instance goes on to compute). This thread prints the
//! state, seals the snapshot and passes the bytes to the committer. The snapshot's position was
//! fixed by the instance when it handed the state over, and every record up to that position
//! was queued at the committer before that, so a snapshot is still never durable before its
//! records. When several snapshots of one instance queue up behind a slow encoding, only the
//! newest is written (the others would be superseded at once); their `Pending`s resolve with
//! [`StoreError::Superseded`].

use super::commit::{Ack, Request};
use super::error::StoreError;
use super::record::{Position, Snapshot, encode_snapshot};
use crate::hash::Hash;
use crate::types::Type;
use crate::value::Value;
use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, Sender};

/// An instance's state as it was after the record at a position, not yet encoded.
pub struct LiveSnapshot {
    /// The version stack, rollback targets oldest first, the running version last.
    pub versions: Vec<Hash>,
    /// The running version's state type.
    pub state_type: Type,
    pub state: Value,
    /// Successful turns so far.
    pub turns: u64,
}

/// One snapshot waiting for the encoder.
pub(crate) struct Job {
    pub instance: String,
    pub position: Position,
    pub live: LiveSnapshot,
    pub done: Ack,
}

/// Runs until every sender of `jobs` is gone, forwarding encoded snapshots to `committer`.
pub(crate) fn run(jobs: Receiver<Job>, committer: Sender<Request>) {
    while let Ok(first) = jobs.recv() {
        let mut newest = BTreeMap::new();
        keep_newest(&mut newest, first);
        while let Ok(next) = jobs.try_recv() {
            keep_newest(&mut newest, next);
        }
        for job in newest.into_values() {
            let request = encode(job);
            if let Err(unsent) = committer.send(request) {
                // The committer stopped (a halt): the snapshot is lost, as in a crash.
                drop(unsent);
                return;
            }
        }
    }
}

/// Keeps the job with the highest position per instance; a superseded job is answered.
fn keep_newest(newest: &mut BTreeMap<String, Job>, job: Job) {
    let superseded = match newest.remove(&job.instance) {
        Some(older) if older.position > job.position => {
            newest.insert(older.instance.clone(), older);
            job
        }
        Some(older) => {
            newest.insert(job.instance.clone(), job);
            older
        }
        None => {
            newest.insert(job.instance.clone(), job);
            return;
        }
    };
    let position = superseded.position;
    // The requester may have stopped waiting: nothing to do then.
    let _ = superseded
        .done
        .send(Err(StoreError::Superseded { position }));
}

/// The committer's request for one encoded, sealed snapshot.
pub(crate) fn encode(job: Job) -> Request {
    let Job {
        instance,
        position,
        live,
        done,
    } = job;
    let snapshot = Snapshot::of(live.versions, &live.state, &live.state_type, live.turns);
    let bytes = encode_snapshot(&instance, position, &snapshot);
    Request::Snapshot {
        instance,
        position,
        bytes,
        done,
    }
}
