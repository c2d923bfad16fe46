//! The client's side of signed swaps: ask the node for the instance's [`SigningState`] (next
//! sequence number, running and previous versions), build the [`SignedSwap`], sign it, send it.
//!
//! A signed push signs the version running now as the expected one (or the `expect` given),
//! and a deploy when nothing runs under that name; a signed rollback signs the running version
//! and the one before it. If anything changes between the question and the request, the node
//! refuses and nothing happens: sign again. This module renders nothing.

use super::SigningState;
use super::keys::KeyPair;
use super::payload::{Operation, SignedSwap};
use crate::hash::Hash;
use crate::node::client::{Client, ClientError, answer, unexpected};
use crate::node::protocol::{Request, Response};
use crate::node::report::{PushOutcome, Refusal, SwapReport};

impl Client {
    /// What the next signed swap of `instance` must carry.
    pub async fn signing_state(&self, instance: &str) -> Result<SigningState, ClientError> {
        let request = Request::SigningState {
            instance: instance.to_string(),
        };
        match answer(self.request(&request).await?)? {
            Response::SigningState(state) => Ok(state),
            other => Err(unexpected(&other)),
        }
    }

    /// Deploys or upgrades `instance` with a signed push; `hash` is the artifact's content
    /// hash, `expect` the version to upgrade from (default: the one running now).
    pub async fn push_signed(
        &self,
        instance: &str,
        artifact: Vec<u8>,
        hash: Hash,
        expect: Option<Hash>,
        key: &KeyPair,
    ) -> Result<PushOutcome, ClientError> {
        let state = self.signing_state(instance).await?;
        let expect = expect.or_else(|| state.versions.first().copied());
        let swap = SignedSwap {
            operation: match expect {
                None => Operation::Deploy,
                Some(_) => Operation::Upgrade,
            },
            instance: instance.to_string(),
            artifact: hash,
            expect,
            sequence: state.next_sequence,
        };
        let request = Request::SignedPush {
            instance: instance.to_string(),
            artifact,
            expect,
            signature: swap.sign(key.signing_key()),
        };
        match answer(self.request(&request).await?)? {
            Response::Pushed(outcome) => Ok(outcome),
            other => Err(unexpected(&other)),
        }
    }

    /// Rolls `instance` back to its previous version with a signed rollback.
    pub async fn rollback_signed(
        &self,
        instance: &str,
        key: &KeyPair,
    ) -> Result<SwapReport, ClientError> {
        let state = self.signing_state(instance).await?;
        let (running, to) = match state.versions.as_slice() {
            [] => {
                return Err(ClientError::Refused(Refusal::UnknownInstance(
                    instance.into(),
                )));
            }
            [_] => return Err(ClientError::Refused(Refusal::NoPrevious(instance.into()))),
            [running, to, ..] => (*running, *to),
        };
        let swap = SignedSwap {
            operation: Operation::Rollback,
            instance: instance.to_string(),
            artifact: to,
            expect: Some(running),
            sequence: state.next_sequence,
        };
        let request = Request::SignedRollback {
            instance: instance.to_string(),
            running,
            to,
            signature: swap.sign(key.signing_key()),
        };
        match answer(self.request(&request).await?)? {
            Response::RolledBack(swap) => Ok(swap),
            other => Err(unexpected(&other)),
        }
    }
}
