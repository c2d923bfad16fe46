//! The bytes a swap signature covers, and signing and checking them (`spec/security.md`).
//!
//! A [`SignedSwap`] names one deploy, upgrade or rollback completely: the operation, the
//! instance, the artifact hash the instance runs afterwards, the hash it must be running
//! before (none for a deploy) and the instance's sequence number. Its encoding
//! ([`SignedSwap::to_bytes`]) is canonical and unambiguous (fixed-size fields, a tagged
//! option, the length-prefixed name last) and starts with a domain tag, so a signature over it
//! can never be mistaken for a signature over anything else. The node rebuilds this payload
//! from the request it received and what it computed itself (the artifact hash), so a
//! signature made for another artifact, instance, running version, operation or sequence
//! simply does not verify. This module decides nothing about trust or sequence order; the
//! [`super::gate`] does.

use super::SwapSignature;
use crate::hash::Hash;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The first bytes of every signed payload: what it is and the format's version.
pub const DOMAIN: &[u8] = b"quiver signed swap v1\0";

/// What a signature authorises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operation {
    /// A new instance (no version may be running under that name).
    Deploy,
    /// The running version replaced by a new one.
    Upgrade,
    /// The running version replaced by the previous one.
    Rollback,
}

impl Operation {
    fn tag(self) -> u8 {
        match self {
            Operation::Deploy => 0,
            Operation::Upgrade => 1,
            Operation::Rollback => 2,
        }
    }

    fn from_tag(tag: u8) -> Option<Operation> {
        match tag {
            0 => Some(Operation::Deploy),
            1 => Some(Operation::Upgrade),
            2 => Some(Operation::Rollback),
            _ => None,
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Operation::Deploy => "deploy",
            Operation::Upgrade => "upgrade",
            Operation::Rollback => "rollback",
        })
    }
}

/// Everything one signature covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedSwap {
    pub operation: Operation,
    pub instance: String,
    /// The version the instance runs after the swap.
    pub artifact: Hash,
    /// The version that must be running before the swap; `None` only for a deploy.
    pub expect: Option<Hash>,
    /// Must be above the last sequence number the node accepted for this instance.
    pub sequence: u64,
}

/// Why bytes are not a signed payload.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("the payload does not start with the signed-swap domain tag")]
    WrongDomain,
    #[error("the payload ends early")]
    Truncated,
    #[error("unknown operation tag {0}")]
    UnknownOperation(u8),
    #[error("unknown option tag {0} for the expected hash")]
    UnknownOptionTag(u8),
    #[error("the instance name is not UTF-8")]
    NotUtf8,
    #[error("{0} bytes after the payload")]
    TrailingBytes(usize),
}

impl SignedSwap {
    /// The canonical bytes: domain tag, operation (1 byte), sequence (u64 big-endian),
    /// artifact hash (32 bytes), expected hash (0, or 1 and 32 bytes), instance name length
    /// (u32 big-endian) and its UTF-8 bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let name = self.instance.as_bytes();
        let mut bytes = Vec::with_capacity(DOMAIN.len() + 1 + 8 + 32 + 33 + 4 + name.len());
        bytes.extend_from_slice(DOMAIN);
        bytes.push(self.operation.tag());
        bytes.extend_from_slice(&self.sequence.to_be_bytes());
        bytes.extend_from_slice(&self.artifact.0);
        match &self.expect {
            None => bytes.push(0),
            Some(hash) => {
                bytes.push(1);
                bytes.extend_from_slice(&hash.0);
            }
        }
        let len = u32::try_from(name.len()).unwrap_or(u32::MAX);
        bytes.extend_from_slice(&len.to_be_bytes());
        bytes.extend_from_slice(name);
        bytes
    }

    /// The payload `bytes` encode (the inverse of [`SignedSwap::to_bytes`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<SignedSwap, PayloadError> {
        let mut reader = Reader(bytes);
        if reader.take(DOMAIN.len())? != DOMAIN {
            return Err(PayloadError::WrongDomain);
        }
        let tag = reader.array::<1>()?[0];
        let operation = Operation::from_tag(tag).ok_or(PayloadError::UnknownOperation(tag))?;
        let sequence = u64::from_be_bytes(reader.array()?);
        let artifact = Hash(reader.array()?);
        let expect = match reader.array::<1>()?[0] {
            0 => None,
            1 => Some(Hash(reader.array()?)),
            other => return Err(PayloadError::UnknownOptionTag(other)),
        };
        let len = usize::try_from(u32::from_be_bytes(reader.array()?)).unwrap_or(usize::MAX);
        let instance = std::str::from_utf8(reader.take(len)?)
            .map_err(|_| PayloadError::NotUtf8)?
            .to_string();
        if !reader.0.is_empty() {
            return Err(PayloadError::TrailingBytes(reader.0.len()));
        }
        Ok(SignedSwap {
            operation,
            instance,
            artifact,
            expect,
            sequence,
        })
    }

    /// Signs this payload with `key`.
    pub fn sign(&self, key: &SigningKey) -> SwapSignature {
        SwapSignature {
            key: key.verifying_key().to_bytes(),
            sequence: self.sequence,
            signature: key.sign(&self.to_bytes()).to_bytes().to_vec(),
        }
    }

    /// Whether `signature` is a valid signature of this payload by the key it names (whether
    /// that key is trusted is not this function's question). Strict verification: weak keys
    /// and non-canonical signatures are refused, so a signature has exactly one encoding.
    pub fn verify(&self, signature: &SwapSignature) -> bool {
        let Ok(key) = VerifyingKey::from_bytes(&signature.key) else {
            return false;
        };
        let Ok(bytes) = <[u8; 64]>::try_from(signature.signature.as_slice()) else {
            return false;
        };
        signature.sequence == self.sequence
            && key
                .verify_strict(&self.to_bytes(), &Signature::from_bytes(&bytes))
                .is_ok()
    }
}

/// A cursor over payload bytes.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], PayloadError> {
        if self.0.len() < n {
            return Err(PayloadError::Truncated);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], PayloadError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn upgrade() -> SignedSwap {
        SignedSwap {
            operation: Operation::Upgrade,
            instance: "c1".into(),
            artifact: Hash([2; 32]),
            expect: Some(Hash([1; 32])),
            sequence: 5,
        }
    }

    fn operation() -> impl Strategy<Value = Operation> {
        prop_oneof![
            Just(Operation::Deploy),
            Just(Operation::Upgrade),
            Just(Operation::Rollback)
        ]
    }

    fn swap() -> impl Strategy<Value = SignedSwap> {
        let hash = any::<[u8; 32]>().prop_map(Hash);
        (
            operation(),
            ".{0,40}",
            hash.clone(),
            proptest::option::of(hash),
            any::<u64>(),
        )
            .prop_map(
                |(operation, instance, artifact, expect, sequence)| SignedSwap {
                    operation,
                    instance,
                    artifact,
                    expect,
                    sequence,
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn every_payload_decodes_back_to_itself(swap in swap()) {
            prop_assert_eq!(SignedSwap::from_bytes(&swap.to_bytes()), Ok(swap));
        }

        #[test]
        fn two_different_payloads_never_share_bytes(a in swap(), b in swap()) {
            prop_assert_eq!(a == b, a.to_bytes() == b.to_bytes());
        }

        #[test]
        fn no_bytes_make_the_decoder_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = SignedSwap::from_bytes(&bytes);
        }

        #[test]
        fn a_truncated_payload_is_refused(swap in swap(), cut in 1usize..20) {
            let bytes = swap.to_bytes();
            let kept = bytes.len().saturating_sub(cut);
            prop_assert!(SignedSwap::from_bytes(&bytes[..kept]).is_err());
        }
    }

    #[test]
    fn a_signature_verifies_for_exactly_the_payload_it_signed() {
        let signature = upgrade().sign(&key(1));
        assert!(upgrade().verify(&signature));
        let others = [
            SignedSwap {
                instance: "c2".into(),
                ..upgrade()
            },
            SignedSwap {
                artifact: Hash([3; 32]),
                ..upgrade()
            },
            SignedSwap {
                expect: Some(Hash([4; 32])),
                ..upgrade()
            },
            SignedSwap {
                expect: None,
                ..upgrade()
            },
            SignedSwap {
                operation: Operation::Rollback,
                ..upgrade()
            },
            SignedSwap {
                sequence: 6,
                ..upgrade()
            },
        ];
        for other in others {
            assert!(!other.verify(&signature), "{other:?} verified");
        }
    }

    #[test]
    fn a_signature_claiming_another_key_or_sequence_does_not_verify() {
        let mut signature = upgrade().sign(&key(1));
        signature.key = key(2).verifying_key().to_bytes();
        assert!(!upgrade().verify(&signature));
        let mut signature = upgrade().sign(&key(1));
        signature.sequence = 9;
        assert!(!upgrade().verify(&signature));
    }

    #[test]
    fn a_damaged_or_short_signature_does_not_verify() {
        let mut signature = upgrade().sign(&key(1));
        signature.signature[10] ^= 1;
        assert!(!upgrade().verify(&signature));
        signature.signature.truncate(63);
        assert!(!upgrade().verify(&signature));
        signature.key = [0xff; 32];
        assert!(!upgrade().verify(&signature));
    }

    #[test]
    fn the_payload_starts_with_the_domain_tag() {
        let mut bytes = upgrade().to_bytes();
        assert!(bytes.starts_with(DOMAIN));
        bytes[0] ^= 1;
        assert_eq!(
            SignedSwap::from_bytes(&bytes),
            Err(PayloadError::WrongDomain)
        );
    }
}
