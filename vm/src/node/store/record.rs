//! What the store keeps, as data, and its byte encodings.
//!
//! A log [`Record`] and a [`Snapshot`] are encoded with postcard (fixed-depth serde structs, so
//! decoding a damaged record cannot recurse without bound). A snapshot's state is kept in the
//! canonical text form of [`crate::text`], typed by the snapshot's running version: it is the
//! one canonical value form Quiver already has, its parser is depth-bounded, and parsing it
//! back checks that the state still fits its type. Nothing here touches the database.

use super::error::StoreError;
use crate::hash::Hash;
use crate::node::report::Outcome;
use crate::text;
use crate::types::Type;
use crate::value::Value;
use serde::{Deserialize, Serialize};

/// The index of a record in one instance's log; the deploy record is position 0.
pub type Position = u64;

/// A client's idempotency key: the client's id and its sequence number for this input.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ClientKey {
    pub client: String,
    pub seq: u64,
}

/// One entry of an instance's log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Record {
    /// The instance started in `version`'s initial state (always position 0).
    Deploy { version: Hash },
    /// One input as text and what it produced, with the client's key when it sent one.
    Input {
        text: String,
        outcome: Outcome,
        key: Option<ClientKey>,
    },
    /// A committed upgrade barrier: `to` took over, its migration ran.
    Upgrade { to: Hash },
    /// A committed rollback barrier: `to` (the previous version) took over again.
    Rollback { to: Hash },
}

/// The instance as it was after the record at its position.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The versions rollback returns to, oldest first, then the running version last.
    pub versions: Vec<Hash>,
    /// The state in canonical text form, of the running version's state type.
    pub state: String,
    /// Successful turns so far (trapped and rejected inputs do not count).
    pub turns: u64,
}

impl Snapshot {
    /// A snapshot of `state` (of type `state_type`) with the version stack `versions`.
    pub fn of(versions: Vec<Hash>, state: &Value, state_type: &Type, turns: u64) -> Snapshot {
        Snapshot {
            versions,
            state: text::print(state, state_type),
            turns,
        }
    }

    /// The running version's hash.
    pub fn running(&self) -> Option<Hash> {
        self.versions.last().copied()
    }
}

/// The bytes of a record.
pub fn encode_record(record: &Record) -> Vec<u8> {
    postcard::to_stdvec(record).expect("invariant: a record always serialises")
}

/// A record back from its bytes; `at` names it in the error.
pub fn decode_record(bytes: &[u8], at: &str) -> Result<Record, StoreError> {
    postcard::from_bytes(bytes).map_err(|e| StoreError::Corrupt {
        what: format!("the log record at {at} does not decode ({e})"),
    })
}

pub fn encode_snapshot(snapshot: &Snapshot) -> Vec<u8> {
    postcard::to_stdvec(snapshot).expect("invariant: a snapshot always serialises")
}

pub fn decode_snapshot(bytes: &[u8], at: &str) -> Result<Snapshot, StoreError> {
    postcard::from_bytes(bytes).map_err(|e| StoreError::Corrupt {
        what: format!("the snapshot at {at} does not decode ({e})"),
    })
}

/// A snapshot's state parsed with the running version's state type.
pub fn decode_state(snapshot: &Snapshot, state_type: &Type, at: &str) -> Result<Value, StoreError> {
    text::parse(&snapshot.state, state_type).map_err(|e| StoreError::Corrupt {
        what: format!("the snapshot state at {at} is not a {state_type}: {e}"),
    })
}
