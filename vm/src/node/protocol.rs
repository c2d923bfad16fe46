//! The wire protocol between clients and nodes: framed postcard messages (`spec/protocol.md`).
//!
//! A frame is a 4-byte little-endian length `n`, then `n` bytes: a 2-byte little-endian
//! protocol version, an 8-byte little-endian request id, and the postcard encoding of a
//! [`Request`] or [`Response`]. A stream carries any number of request frames; the node answers
//! each with one response frame carrying the same id, in request order. Frames longer than a
//! hard limit are refused before a byte of their body is read.
//!
//! This module is sans-IO: it builds and checks frames; reading them from a stream is
//! [`super::transport`]'s job. Nothing here panics on any input.

use super::report::{InstanceReport, Outcome, PushOutcome, Refusal, SwapReport};
use super::signing::{SigningState, SwapSignature};
use super::store::Record;
use crate::hash::Hash;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u16 = 1;

/// The ALPN name of the protocol on QUIC.
pub const ALPN: &[u8] = b"quiver/1";

/// The default hard limit on a frame's length (the largest artifact plus room for the rest).
pub const FRAME_BYTES_MAX: usize = (16 << 20) + (1 << 20);

/// The bytes of the length prefix.
pub const PREFIX_BYTES: usize = 4;

/// The bytes of the version and request id that start every frame.
pub const HEADER_BYTES: usize = 10;

/// What a client asks of a node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    /// Deploy `artifact` as a new instance, or upgrade the running one to it (admin only).
    Push {
        instance: String,
        artifact: Vec<u8>,
        expect: Option<Hash>,
    },
    /// Inputs in text form, handled in order as one mailbox item.
    Send {
        instance: String,
        inputs: Vec<String>,
    },
    /// One instance, or every instance when `None`.
    Inspect { instance: Option<String> },
    /// Back to the previous version (admin only).
    Rollback { instance: String },
    /// A push signed by a trusted key (admin only; `spec/security.md`): a deploy when
    /// `expect` is `None`, otherwise an upgrade from `expect`.
    SignedPush {
        instance: String,
        artifact: Vec<u8>,
        expect: Option<Hash>,
        signature: SwapSignature,
    },
    /// A rollback from `running` back to `to`, signed by a trusted key (admin only).
    SignedRollback {
        instance: String,
        running: Hash,
        to: Hash,
        signature: SwapSignature,
    },
    /// What the next signed swap of `instance` must carry (sequence number, versions).
    SigningState { instance: String },
    /// Like `Send`, each input keyed for idempotency: input `i` has the key
    /// `(client, first_seq + i)`. An input whose key was already applied is answered with its
    /// recorded outcome and not applied again.
    SendKeyed {
        instance: String,
        client: String,
        first_seq: u64,
        inputs: Vec<String>,
    },
    /// A page of the instance's durable log from position `from` through `to` (inclusive; the
    /// page may stop earlier: see [`LogPage::next`]).
    Log {
        instance: String,
        from: u64,
        to: u64,
    },
}

/// What a node answers; errors are data too.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Response {
    Pushed(PushOutcome),
    /// One outcome per input, in order.
    Outputs(Vec<Outcome>),
    /// Instances in name order.
    Inspected(Vec<InstanceReport>),
    RolledBack(SwapReport),
    Refused(Refusal),
    /// The request frame was malformed, oversized or of another protocol version.
    ProtocolError(String),
    SigningState(SigningState),
    /// The answer to `Log`.
    Logged(LogPage),
}

/// One page of an instance's log, as `quiver log` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogPage {
    /// The records in position order.
    pub entries: Vec<LogEntry>,
    /// Where the next page starts, when this one stopped before the asked `to` and more
    /// records may follow; `None` when the range is done.
    pub next: Option<u64>,
    /// The first position still in the log (older records were compacted away).
    pub first: u64,
}

/// One durable record of an instance's log and the version running once it was applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub position: u64,
    pub record: Record,
    pub version: Hash,
}

/// A decoded frame: its request id and its message.
pub type Decoded<T> = (u64, T);

/// Why bytes are not a frame.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("frame of {len} bytes is over the limit of {max} bytes")]
    TooLarge { len: usize, max: usize },
    #[error("frame of {0} bytes is shorter than its {HEADER_BYTES}-byte header")]
    TooShort(usize),
    #[error(
        "protocol version {version} is not supported; this node speaks version {PROTOCOL_VERSION}"
    )]
    UnsupportedVersion { version: u16, id: u64 },
    #[error("malformed message: {message}")]
    Malformed { id: u64, message: String },
}

impl FrameError {
    /// The request id to answer with, when the header could be read.
    pub fn id(&self) -> u64 {
        match self {
            FrameError::UnsupportedVersion { id, .. } | FrameError::Malformed { id, .. } => *id,
            FrameError::TooLarge { .. } | FrameError::TooShort(_) => 0,
        }
    }

    /// Whether the stream can go on after this frame (its boundaries were intact).
    pub fn stream_survives(&self) -> bool {
        matches!(self, FrameError::Malformed { .. })
    }
}

/// A whole frame, prefix included.
pub fn encode<T: Serialize>(id: u64, message: &T) -> Vec<u8> {
    let body = postcard::to_stdvec(message)
        .expect("invariant: protocol messages are plain data that postcard always encodes");
    let len = HEADER_BYTES + body.len();
    let mut frame = Vec::with_capacity(PREFIX_BYTES + len);
    frame.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_le_bytes());
    frame.extend_from_slice(&PROTOCOL_VERSION.to_le_bytes());
    frame.extend_from_slice(&id.to_le_bytes());
    frame.extend_from_slice(&body);
    frame
}

/// The length a prefix announces, if it is within `max`.
pub fn frame_len(prefix: [u8; PREFIX_BYTES], max: usize) -> Result<usize, FrameError> {
    let len = usize::try_from(u32::from_le_bytes(prefix)).unwrap_or(usize::MAX);
    if len > max {
        return Err(FrameError::TooLarge { len, max });
    }
    if len < HEADER_BYTES {
        return Err(FrameError::TooShort(len));
    }
    Ok(len)
}

/// The request id and message of a frame's contents (the bytes after the prefix).
pub fn decode<T: DeserializeOwned>(contents: &[u8]) -> Result<Decoded<T>, FrameError> {
    let Some((header, body)) = contents.split_first_chunk::<HEADER_BYTES>() else {
        return Err(FrameError::TooShort(contents.len()));
    };
    let version = u16::from_le_bytes([header[0], header[1]]);
    let mut id_bytes = [0u8; 8];
    id_bytes.copy_from_slice(&header[2..]);
    let id = u64::from_le_bytes(id_bytes);
    if version != PROTOCOL_VERSION {
        return Err(FrameError::UnsupportedVersion { version, id });
    }
    let (message, rest) =
        postcard::take_from_bytes::<T>(body).map_err(|e| FrameError::Malformed {
            id,
            message: e.to_string(),
        })?;
    if !rest.is_empty() {
        return Err(FrameError::Malformed {
            id,
            message: format!("{} bytes after the message", rest.len()),
        });
    }
    Ok((id, message))
}

/// The first frame in `buf`: its id and message and the bytes it used, or `Ok(None)` when
/// `buf` holds only part of a frame so far.
pub fn split<T: DeserializeOwned>(
    buf: &[u8],
    max: usize,
) -> Result<Option<(Decoded<T>, usize)>, FrameError> {
    let Some((prefix, rest)) = buf.split_first_chunk::<PREFIX_BYTES>() else {
        return Ok(None);
    };
    let len = frame_len(*prefix, max)?;
    let Some(contents) = rest.get(..len) else {
        return Ok(None);
    };
    Ok(Some((decode(contents)?, PREFIX_BYTES + len)))
}
