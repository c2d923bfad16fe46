//! The content hash naming an artifact version: SHA-256 of its canonical encoding without the
//! debug sidecar ([`crate::bytecode::encode::encode_artifact_only`]).
//!
//! Because the encoding is canonical, the same artifact has the same hash on every machine, and
//! stripping or changing the sidecar never changes it. This module only computes, prints and
//! parses hashes; it does not sign anything.

use crate::bytecode::Artifact;
use crate::bytecode::encode::encode_artifact_only;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// A SHA-256 content hash.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Hash(pub [u8; 32]);

/// The hash of an artifact (its sidecar is not covered).
pub fn hash(artifact: &Artifact) -> Hash {
    Hash(Sha256::digest(encode_artifact_only(artifact)).into())
}

impl Hash {
    /// The first 12 hex digits, enough to name a version in messages.
    pub fn short(&self) -> String {
        let mut full = self.to_string();
        full.truncate(12);
        full
    }
}

/// 64 lowercase hex digits.
impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({self})")
    }
}

/// Why a string is not a hash.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseHashError {
    #[error("a hash is 64 hex digits, found {0} characters")]
    WrongLength(usize),
    #[error("`{0}` is not a hex digit")]
    NotHex(char),
}

/// Parses the full 64-digit form (either case).
impl FromStr for Hash {
    type Err = ParseHashError;

    fn from_str(text: &str) -> Result<Hash, ParseHashError> {
        let digits: Vec<char> = text.chars().collect();
        if digits.len() != 64 {
            return Err(ParseHashError::WrongLength(digits.len()));
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
            let high = hex_digit(pair[0])?;
            let low = hex_digit(pair[1])?;
            *byte = (high << 4) | low;
        }
        Ok(Hash(bytes))
    }
}

fn hex_digit(c: char) -> Result<u8, ParseHashError> {
    c.to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
        .ok_or(ParseHashError::NotHex(c))
}
