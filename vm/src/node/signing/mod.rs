//! Signed swaps (issue 7): with `--trusted-keys DIR` a node accepts a deploy, an upgrade or a
//! rollback only when it carries an ed25519 signature, by a key whose `.pub` file is in DIR,
//! over exactly that swap and a per-instance sequence number above the last one accepted.
//! The threat model is `spec/security.md`.
//!
//! Layers: [`payload`] (the signed bytes; sign and verify, pure), [`keys`] (key files and the
//! trusted set), [`gate`] (the node's decision: trust, signature, sequence, persisted in the
//! store), [`serve`] (the node's handling of the signed requests) and [`client`] (the client
//! calls that learn the sequence from the node and sign). Transport identity (the mutual-TLS
//! role) is checked by the server independently: both must pass.

pub mod client;
pub mod gate;
pub mod keys;
pub mod payload;
pub mod serve;

pub use gate::Gate;
pub use keys::{KeyError, KeyPair, PublicKey, TrustedKeys};
pub use payload::{Operation, SignedSwap};

use crate::hash::Hash;
use serde::{Deserialize, Serialize};

/// A signature as it travels with a request: the signer's public key, the sequence number it
/// signed, and the 64-byte ed25519 signature over the [`SignedSwap`] the node rebuilds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwapSignature {
    pub key: [u8; 32],
    pub sequence: u64,
    pub signature: Vec<u8>,
}

/// What a client needs to sign the next swap of an instance: the node's answer to
/// `Request::SigningState`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningState {
    pub instance: String,
    /// Whether this node requires signed swaps (it was started with `--trusted-keys`).
    pub required: bool,
    /// The lowest sequence number the next signed swap of the instance may carry.
    pub next_sequence: u64,
    /// The running version first, then the ones rollback returns to, newest first; empty when
    /// no instance has that name.
    pub versions: Vec<Hash>,
}
