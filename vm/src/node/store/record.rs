//! What the store keeps, as data, and its byte encodings.
//!
//! A log [`Record`] and a [`Snapshot`] are encoded with postcard (fixed-depth serde structs, so
//! decoding a damaged record cannot recurse without bound) and sealed with a checksum over
//! their key and bytes, so damage the database itself does not notice is refused on read. A snapshot's state is kept in the
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
use sha2::{Digest, Sha256};

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

/// The bytes of a record as stored at `(instance, position)`: postcard, then a seal.
pub fn encode_record(instance: &str, position: Position, record: &Record) -> Vec<u8> {
    let body = postcard::to_stdvec(record).expect("invariant: a record always serialises");
    seal(b"log", instance, position, body)
}

/// A record back from the bytes stored at `(instance, position)`.
pub fn decode_record(
    bytes: &[u8],
    instance: &str,
    position: Position,
) -> Result<Record, StoreError> {
    let body = unseal(b"log", instance, position, bytes)?;
    postcard::from_bytes(body).map_err(|e| StoreError::Corrupt {
        what: format!(
            "the log record of instance `{instance}` at position {position} does not decode ({e})"
        ),
    })
}

pub fn encode_snapshot(instance: &str, position: Position, snapshot: &Snapshot) -> Vec<u8> {
    let body = postcard::to_stdvec(snapshot).expect("invariant: a snapshot always serialises");
    seal(b"snapshot", instance, position, body)
}

pub fn decode_snapshot(
    bytes: &[u8],
    instance: &str,
    position: Position,
) -> Result<Snapshot, StoreError> {
    let body = unseal(b"snapshot", instance, position, bytes)?;
    postcard::from_bytes(body).map_err(|e| StoreError::Corrupt {
        what: format!(
            "the snapshot of instance `{instance}` at position {position} does not decode ({e})"
        ),
    })
}

/// Bytes of the seal: the first bytes of SHA-256 over the table, the key and the body.
const SEAL_BYTES: usize = 8;

fn digest(table: &[u8], instance: &str, position: Position, body: &[u8]) -> [u8; SEAL_BYTES] {
    let mut hasher = Sha256::new();
    for part in [table, instance.as_bytes(), &position.to_le_bytes(), body] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    let full: [u8; 32] = hasher.finalize().into();
    let mut seal = [0; SEAL_BYTES];
    seal.copy_from_slice(&full[..SEAL_BYTES]);
    seal
}

/// `body` followed by its seal, so a damaged or misplaced value is noticed when read.
fn seal(table: &[u8], instance: &str, position: Position, mut body: Vec<u8>) -> Vec<u8> {
    let seal = digest(table, instance, position, &body);
    body.extend_from_slice(&seal);
    body
}

fn unseal<'b>(
    table: &[u8],
    instance: &str,
    position: Position,
    bytes: &'b [u8],
) -> Result<&'b [u8], StoreError> {
    let damaged = || StoreError::Corrupt {
        what: format!(
            "the {} entry of instance `{instance}` at position {position} fails its checksum",
            String::from_utf8_lossy(table)
        ),
    };
    let split = bytes.len().checked_sub(SEAL_BYTES).ok_or_else(damaged)?;
    let (body, seal) = bytes.split_at(split);
    if digest(table, instance, position, body) != seal {
        return Err(damaged());
    }
    Ok(body)
}

/// A snapshot's state parsed with the running version's state type.
pub fn decode_state(snapshot: &Snapshot, state_type: &Type, at: &str) -> Result<Value, StoreError> {
    text::parse(&snapshot.state, state_type).map_err(|e| StoreError::Corrupt {
        what: format!("the snapshot state at {at} is not a {state_type}: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        Record::Input {
            text: "Incr(3)".into(),
            outcome: Outcome::Output("Ok".into()),
            key: Some(ClientKey {
                client: "alice".into(),
                seq: 9,
            }),
        }
    }

    #[test]
    fn a_record_round_trips_through_its_sealed_bytes() {
        let bytes = encode_record("c", 4, &record());
        assert_eq!(decode_record(&bytes, "c", 4), Ok(record()));
    }

    #[test]
    fn a_flipped_bit_fails_the_seal() {
        let mut bytes = encode_record("c", 4, &record());
        bytes[3] ^= 0x10;
        let error = decode_record(&bytes, "c", 4).expect_err("damaged");
        assert_eq!(
            error.to_string(),
            "the store is corrupt: the log entry of instance `c` at position 4 fails its \
             checksum; restore the data dir from a backup"
        );
    }

    #[test]
    fn a_record_read_at_another_position_or_table_is_refused() {
        let bytes = encode_record("c", 4, &record());
        assert!(decode_record(&bytes, "c", 5).is_err());
        assert!(decode_record(&bytes, "d", 4).is_err());
        assert!(decode_snapshot(&bytes, "c", 4).is_err());
        assert!(decode_record(&[1, 2], "c", 4).is_err());
    }
}
