//! Why a store operation failed: one error type for opening, appending, recovering and
//! replaying, with messages that say what to do next.
//!
//! Errors of the embedded database are kept as text (with what the store was doing), so this
//! type stays `Clone` and can be sent to every waiter of a failed group commit. This module
//! only describes failures; it decides nothing.

use super::record::Position;
use crate::hash::Hash;

/// A failed store operation.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the store at {path} cannot be opened: {detail}; restore the data dir from a backup or move it away to start empty"
    )]
    Open { path: String, detail: String },
    #[error("the store failed while {doing}: {detail}")]
    Database { doing: String, detail: String },
    #[error("the store is corrupt: {what}; restore the data dir from a backup")]
    Corrupt { what: String },
    #[error("instance `{0}` has no history in the store")]
    UnknownInstance(String),
    #[error(
        "instance `{instance}` expected log position {expected}, but {got} was appended; append positions in order, one at a time"
    )]
    OutOfOrder {
        instance: String,
        expected: Position,
        got: Position,
    },
    #[error(
        "instance `{instance}` replays differently at position {position}: recorded {recorded}, recomputed {recomputed}; the VM is not deterministic for this history, or the store was altered"
    )]
    Divergence {
        instance: String,
        position: Position,
        recorded: String,
        recomputed: String,
    },
    #[error("instance `{instance}` cannot replay position {position}: {detail}")]
    Unreplayable {
        instance: String,
        position: Position,
        detail: String,
    },
    #[error("the store has no artifact {} for instance `{instance}`; the store is incomplete", .hash.short())]
    MissingArtifact { instance: String, hash: Hash },
    #[error(
        "the store was closed before the record was durable; the input was not acknowledged, retry it"
    )]
    Closed,
    #[error(
        "the snapshot at position {position} was not written: a newer snapshot of the same instance replaced it before it was encoded"
    )]
    Superseded { position: Position },
}

impl StoreError {
    /// A database failure while doing `doing`.
    pub(crate) fn database(doing: &str, error: impl std::fmt::Display) -> StoreError {
        StoreError::Database {
            doing: doing.to_string(),
            detail: error.to_string(),
        }
    }
}
