//! Admission: the node-wide bounds on what clients may hold open, and how a client that passes
//! one is refused while everyone else keeps being served.
//!
//! - Connections per client: each client certificate (named by its common name, identified by
//!   the SHA-256 of its DER bytes) may hold at most [`AdmissionLimits::connections_per_client`]
//!   connections. One more is closed at once with [`LIMIT_CLOSE_CODE`] and the postcard
//!   encoding of [`Refusal::TooManyConnections`] as the close reason, which the client library
//!   turns back into that refusal.
//! - Streams per connection: a QUIC transport limit; a client that wants more waits for one
//!   to end (flow control, nothing is buffered on the node).
//! - Requests in flight per connection: the node stops reading a connection's streams while
//!   that many of its requests await their replies, so a pipelining client is slowed, never
//!   refused (refusing one frame of a pipeline would force it to resend the rest in order).
//! - Mailbox length: a full mailbox answers an input with [`Refusal::Busy`] at once. After a
//!   busy answer, every later input on the same stream is answered busy too
//!   ([`StreamAdmission`]), so the inputs a stream got applied are always a prefix of the ones
//!   it sent, and a client resends the rest, in order, on a new stream.
//! - Instances per node: a deploy past [`AdmissionLimits::instances`] is refused
//!   ([`Refusal::TooManyInstances`]); instances recovered from the store are always restored.
//!
//! This module holds the counters and encodings; the server and the instances apply them.

use super::report::Refusal;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

/// The QUIC application close code of a connection refused by a limit.
pub const LIMIT_CLOSE_CODE: u32 = 4;

/// The node-wide admission bounds (the per-instance and per-turn ones are in `Limits`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdmissionLimits {
    /// Instances a node runs; a deploy past it is refused.
    pub instances: usize,
    /// Connections open at once per client certificate.
    pub connections_per_client: usize,
    /// Bidirectional streams open at once per connection.
    pub streams_per_connection: u32,
    /// Requests read but not yet answered, per connection.
    pub in_flight_per_connection: usize,
}

impl Default for AdmissionLimits {
    fn default() -> AdmissionLimits {
        AdmissionLimits {
            instances: 1000,
            connections_per_client: 16,
            streams_per_connection: 64,
            in_flight_per_connection: 256,
        }
    }
}

/// Who a client certificate is, for counting its connections.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientIdentity {
    /// SHA-256 of the certificate's DER bytes.
    pub key: [u8; 32],
    /// The certificate's common name, or a short form of `key` when it has none.
    pub name: String,
}

impl ClientIdentity {
    pub fn of_certificate(der: &[u8]) -> ClientIdentity {
        let key: [u8; 32] = Sha256::digest(der).into();
        let common_name = x509_parser::parse_x509_certificate(der)
            .ok()
            .and_then(|(_, cert)| {
                let name = cert.subject().iter_common_name().next()?;
                name.as_str().ok().map(str::to_string)
            });
        let name =
            common_name.unwrap_or_else(|| key[..6].iter().map(|b| format!("{b:02x}")).collect());
        ClientIdentity { key, name }
    }
}

impl fmt::Display for ClientIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// Open connections per client certificate, shared by every connection task of a node.
#[derive(Clone, Default)]
pub struct ConnectionCounter {
    open: Arc<Mutex<BTreeMap<[u8; 32], usize>>>,
}

/// One admitted connection; dropping it frees its place.
pub struct ConnectionPermit {
    counter: ConnectionCounter,
    key: [u8; 32],
}

impl ConnectionCounter {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<[u8; 32], usize>> {
        // Every update is one insert or remove, so a poisoned map is still consistent.
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Admits one more connection of `client`, or refuses it when it already holds `max`.
    pub fn admit(&self, client: &ClientIdentity, max: usize) -> Result<ConnectionPermit, Refusal> {
        let mut open = self.lock();
        let count = open.entry(client.key).or_insert(0);
        if *count >= max {
            return Err(Refusal::TooManyConnections {
                client: client.name.clone(),
                open: u64::try_from(*count).unwrap_or(u64::MAX),
            });
        }
        *count += 1;
        Ok(ConnectionPermit {
            counter: self.clone(),
            key: client.key,
        })
    }

    /// How many connections `client` holds now.
    pub fn open(&self, client: &ClientIdentity) -> usize {
        self.lock().get(&client.key).copied().unwrap_or(0)
    }
}

impl Drop for ConnectionPermit {
    fn drop(&mut self) {
        let mut open = self.counter.lock();
        if let Some(count) = open.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}

/// The close reason that carries `refusal` to the client.
pub fn close_reason(refusal: &Refusal) -> Vec<u8> {
    postcard::to_stdvec(refusal)
        .expect("invariant: a refusal is plain data that postcard always encodes")
}

/// The refusal a connection closed with, when it was closed by a limit.
pub fn refusal_of_close(code: u64, reason: &[u8]) -> Option<Refusal> {
    if code != u64::from(LIMIT_CLOSE_CODE) {
        return None;
    }
    postcard::from_bytes(reason).ok()
}

/// Whether a stream has been answered busy: from then on its inputs are answered busy too.
#[derive(Default)]
pub struct StreamAdmission {
    busy: Option<Refusal>,
}

impl StreamAdmission {
    /// The refusal to answer an input with before it reaches a mailbox, if any.
    pub fn refuse_input(&self) -> Option<Refusal> {
        self.busy.clone()
    }

    /// Notes that an input request was refused; a busy refusal latches.
    pub fn refused(&mut self, refusal: &Refusal) {
        if let Refusal::Busy { .. } = refusal {
            self.busy.get_or_insert_with(|| refusal.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(name: &str) -> ClientIdentity {
        ClientIdentity {
            key: Sha256::digest(name.as_bytes()).into(),
            name: name.into(),
        }
    }

    #[test]
    fn a_client_past_its_connections_is_refused_and_another_is_not() {
        let counter = ConnectionCounter::default();
        let first = counter.admit(&client("alice"), 2);
        let second = counter.admit(&client("alice"), 2);
        assert!(first.is_ok() && second.is_ok());
        assert_eq!(
            counter.admit(&client("alice"), 2).err(),
            Some(Refusal::TooManyConnections {
                client: "alice".into(),
                open: 2
            })
        );
        assert!(counter.admit(&client("bob"), 2).is_ok());
    }

    #[test]
    fn a_closed_connection_frees_its_place() {
        let counter = ConnectionCounter::default();
        let permit = counter.admit(&client("alice"), 1);
        assert!(counter.admit(&client("alice"), 1).is_err());
        drop(permit);
        assert_eq!(counter.open(&client("alice")), 0);
        assert!(counter.admit(&client("alice"), 1).is_ok());
    }

    #[test]
    fn a_refusal_survives_the_close_reason() {
        let refusal = Refusal::TooManyConnections {
            client: "alice".into(),
            open: 3,
        };
        let reason = close_reason(&refusal);
        assert_eq!(
            refusal_of_close(u64::from(LIMIT_CLOSE_CODE), &reason),
            Some(refusal)
        );
        assert_eq!(refusal_of_close(0, &reason), None);
    }

    #[test]
    fn after_a_busy_answer_every_later_input_of_the_stream_is_busy() {
        let mut stream = StreamAdmission::default();
        stream.refused(&Refusal::UnknownInstance("c".into()));
        assert_eq!(stream.refuse_input(), None);
        let busy = Refusal::Busy {
            instance: "c".into(),
            queued: 1,
            capacity: 1,
        };
        stream.refused(&busy);
        assert_eq!(stream.refuse_input(), Some(busy));
    }
}
