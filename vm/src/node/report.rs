//! The data a node answers with: outcomes of inputs, refusals, swap and instance reports.
//!
//! These types cross the wire (postcard, see `spec/protocol.md`), so they are plain data with
//! no behaviour beyond `Display`: a trap stays a [`Trap`] with its source site, never rendered
//! text, and a refusal says why in a sentence the client can print as-is. This module does not
//! decide anything; [`super::core`] and [`super::swap`] produce these values.

use crate::bytecode::SiteInfo;
use crate::hash::Hash;
use crate::trap::{Trap, TrapKind};
use crate::types::Type;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What one input produced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// The output, in canonical text form.
    Output(String),
    /// The turn trapped; the state is as it was before the input.
    Trapped(TrapReport),
    /// The text is not a value of the running version's input type; nothing ran.
    Rejected(String),
}

/// A trap with the source location the pushed debug sidecar gives for its site, if any.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrapReport {
    pub trap: Trap,
    pub site: Option<SiteInfo>,
}

impl fmt::Display for TrapReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.trap.kind, &self.site) {
            // The site names the invariant (`invariant count >= 0`); its index says nothing.
            (TrapKind::InvariantViolated { .. }, Some(site)) => write!(
                f,
                "{} violated (bytes {}..{})",
                site.what, site.start, site.end
            ),
            (_, Some(site)) => write!(
                f,
                "{} ({}, bytes {}..{})",
                self.trap, site.what, site.start, site.end
            ),
            (_, None) => write!(f, "{}", self.trap),
        }
    }
}

/// Why a push, a rollback or a request was refused. Whatever was running keeps running.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Refusal {
    #[error("the artifact does not decode: {0}")]
    Undecodable(String),
    #[error("the artifact does not verify: {0}")]
    Unverified(String),
    #[error("the initial state is rejected: {0}")]
    InitRejected(TrapReport),
    #[error("expected version {} to be running, but {}", expected.short(), running_text(running))]
    ExpectMismatch {
        expected: Hash,
        running: Option<Hash>,
    },
    #[error(
        "the new version migrates from state {declared}, but the running state is {running}; \
         declare `migrate(old: {running})` in the new version"
    )]
    StateMismatch { declared: Type, running: Type },
    #[error("the new version does not accept the old inputs: {0}")]
    InputsIncompatible(String),
    #[error("{0}")]
    NoMigration(String),
    #[error("the migration trapped: {0}; the old version keeps running")]
    MigrationTrapped(TrapReport),
    #[error(
        "the running version migrates down to state {declared}, but the previous version's \
         state is {previous}; roll forward by pushing a version with a matching migration"
    )]
    DownMismatch { declared: Type, previous: Type },
    #[error("instance `{0}` has no previous version to roll back to")]
    NoPrevious(String),
    #[error(
        "version {} declares no `migrate down`; push the previous version with a migration \
         instead", .0.short()
    )]
    NoMigrateDown(Hash),
    #[error("no instance named `{0}`; push an artifact to deploy it")]
    UnknownInstance(String),
    #[error("the `{role}` role may not {operation}; use an admin certificate")]
    Forbidden { role: String, operation: String },
    #[error("the node is shutting down")]
    ShuttingDown,
    #[error("the node could not store this durably: {0}; nothing was acknowledged, retry later")]
    Unstored(String),
    #[error(
        "this node requires a signature to {operation}; pass `--sign NAME.key` with a key whose \
         .pub file is in the node's --trusted-keys dir"
    )]
    Unsigned { operation: String },
    #[error(
        "the signing key {fingerprint} is not trusted by this node; sign with a key whose .pub \
         file is in the node's --trusted-keys dir"
    )]
    UntrustedKey { fingerprint: String },
    #[error(
        "the signature does not match this {operation} of `{instance}` to {} with sequence \
         {sequence}: it was made for another artifact, instance, running version, operation or \
         sequence, or it is damaged; sign this request afresh", .artifact.short()
    )]
    BadSignature {
        operation: String,
        instance: String,
        artifact: Hash,
        sequence: u64,
    },
    #[error(
        "signed sequence {presented} of `{instance}` is not above the last accepted one ({last}): \
         a replayed, reordered or older signed request; sign it again with sequence {}", .last.saturating_add(1)
    )]
    StaleSequence {
        instance: String,
        presented: u64,
        last: u64,
    },
    #[error(
        "instance `{0}` already runs, but the signature is for a deploy; sign an upgrade from \
         its running version"
    )]
    SignedDeployExists(String),
    #[error(
        "the signature rolls `{instance}` back to {}, but its previous version is {}; sign a \
         rollback to the previous version", .signed.short(), .previous.short()
    )]
    RollbackTargetMismatch {
        instance: String,
        signed: Hash,
        previous: Hash,
    },
    #[error(
        "instance `{instance}` is busy: its mailbox holds {queued} of {capacity} items, the \
         node's --max-mailbox; the input was not applied, retry after a short wait"
    )]
    Busy {
        instance: String,
        queued: u64,
        capacity: u64,
    },
    #[error(
        "client `{client}` already has {open} connections open, the node's \
         --max-connections-per-client; close one and retry"
    )]
    TooManyConnections { client: String, open: u64 },
    #[error(
        "the node already runs {running} instances, its --max-instances; push to an existing \
         instance or to another node"
    )]
    TooManyInstances { running: u64 },
    #[error("the node could not read its store: {0}; retry later, or check the node's data dir")]
    Unreadable(String),
}

fn running_text(running: &Option<Hash>) -> String {
    match running {
        Some(hash) => format!("{} is", hash.short()),
        None => "the instance does not exist".into(),
    }
}

/// How a push ended when it succeeded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PushOutcome {
    /// A new instance started in the artifact's initial state.
    Deployed { hash: Hash },
    /// The running instance switched versions; `swap_us` is barrier to commit.
    Upgraded { swap: SwapReport },
    /// This version was already running: nothing changed.
    Unchanged { hash: Hash },
}

/// One committed swap: an upgrade or a rollback.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwapReport {
    pub kind: SwapKind,
    pub from: Hash,
    pub to: Hash,
    /// Microseconds from the barrier to the commit (migration and invariants included).
    pub swap_us: u64,
    /// Microseconds from the barrier to the first input the new version served, or to the
    /// moment the instance went idle after the commit; `None` until then.
    pub pause_us: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SwapKind {
    Upgrade,
    Rollback,
}

/// A version as `inspect` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionReport {
    pub hash: Hash,
    pub name: String,
}

/// One instance as `inspect` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceReport {
    pub instance: String,
    /// The running version first, then the ones rollback would return to, newest first.
    pub versions: Vec<VersionReport>,
    /// The state in canonical text form.
    pub state: String,
    pub turns: u64,
    /// Items waiting in the mailbox when the inspection ran.
    pub mailbox: u64,
    pub last_swap: Option<SwapReport>,
}
