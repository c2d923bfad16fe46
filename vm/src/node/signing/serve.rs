//! The node's side of the signed requests: `SignedPush`, `SignedRollback` and
//! `SigningState` (`spec/protocol.md`, `spec/security.md`).
//!
//! A signed push is prepared (decoded, verified, hashed) like any push; then the node rebuilds
//! the [`SignedSwap`] from the request and the hash it computed itself, the [`Gate`] admits it,
//! and it is deployed or enqueued while the gate's permit is held. The signed expected hash is
//! enforced where the swap happens: an upgrade is a compare-and-swap on it, a deploy is
//! refused when the name already runs, and a rollback checks both the running and the target
//! version in the instance's mailbox order. On a node without trusted keys the signature is
//! not checked and the requests behave as their unsigned forms. The mutual-TLS role is the
//! server's check, made before these functions are called.

use super::gate::{Gate, next_sequence};
use super::payload::{Operation, SignedSwap};
use super::{SigningState, SwapSignature};
use crate::hash::Hash;
use crate::limits::Limits;
use crate::node::core::{Item, Reply};
use crate::node::instances::{Instances, Pushed};
use crate::node::protocol::Response;
use crate::node::report::Refusal;
use crate::node::version::prepare;
use std::future::Future;
use tokio::sync::oneshot;

/// A signed push: a deploy when `expect` is `None`, otherwise an upgrade from `expect`.
pub async fn push(
    gate: Option<&Gate>,
    instances: &Instances,
    limits: &Limits,
    instance: String,
    artifact: Vec<u8>,
    expect: Option<Hash>,
    signature: SwapSignature,
) -> Result<Pushed, Refusal> {
    let limits = limits.clone();
    let version = tokio::task::spawn_blocking(move || prepare(&artifact, &limits))
        .await
        .map_err(|_| Refusal::ShuttingDown)??;
    let Some(gate) = gate else {
        return instances.push(&instance, version, expect).await;
    };
    let operation = match expect {
        None => Operation::Deploy,
        Some(_) => Operation::Upgrade,
    };
    let swap = SignedSwap {
        operation,
        instance: instance.clone(),
        artifact: version.hash,
        expect,
        sequence: signature.sequence,
    };
    let admitted = gate.admit(&swap, &signature, instances.store()).await?;
    if operation == Operation::Deploy && instances.contains(&instance) {
        return Err(Refusal::SignedDeployExists(instance));
    }
    let pushed = instances.push(&instance, version, expect).await;
    drop(admitted);
    pushed
}

/// A signed rollback of `instance` from `running` back to `to`.
pub async fn rollback(
    gate: Option<&Gate>,
    instances: &Instances,
    instance: String,
    running: Hash,
    to: Hash,
    signature: SwapSignature,
) -> Result<oneshot::Receiver<Reply>, Refusal> {
    let item = Item::RollbackFrom { running, to };
    let Some(gate) = gate else {
        return instances.enqueue(&instance, item).await;
    };
    let swap = SignedSwap {
        operation: Operation::Rollback,
        instance: instance.clone(),
        artifact: to,
        expect: Some(running),
        sequence: signature.sequence,
    };
    let admitted = gate.admit(&swap, &signature, instances.store()).await?;
    let queued = instances.enqueue(&instance, item).await;
    drop(admitted);
    queued
}

/// What the next signed swap of `instance` must carry; the versions are read in the instance's
/// mailbox order, like `inspect`.
pub async fn state(
    gate: Option<&Gate>,
    instances: &Instances,
    instance: String,
) -> impl Future<Output = Response> + Send + 'static {
    let required = gate.is_some();
    let store = instances.store();
    let inspected = match instances.contains(&instance) {
        true => Some(instances.enqueue(&instance, Item::Inspect).await),
        false => None,
    };
    async move {
        let versions = match inspected {
            None => Vec::new(),
            Some(Err(refusal)) => return Response::Refused(refusal),
            Some(Ok(receiver)) => match receiver.await {
                Ok(Reply::Inspected(report)) => report.versions.iter().map(|v| v.hash).collect(),
                _ => return Response::Refused(Refusal::ShuttingDown),
            },
        };
        let Some(store) = store else {
            return Response::Refused(Refusal::ShuttingDown);
        };
        let name = instance.clone();
        let next = tokio::task::spawn_blocking(move || next_sequence(&store, &name)).await;
        match next {
            Ok(Ok(next_sequence)) => Response::SigningState(SigningState {
                instance,
                required,
                next_sequence,
                versions,
            }),
            Ok(Err(e)) => Response::Refused(Refusal::Unstored(e.to_string())),
            Err(_) => Response::Refused(Refusal::ShuttingDown),
        }
    }
}

/// On a node with trusted keys, the unsigned forms of swaps are refused.
pub fn require_unsigned_allowed(gate: Option<&Gate>, operation: &str) -> Result<(), Refusal> {
    match gate {
        Some(_) => Err(Refusal::Unsigned {
            operation: operation.to_string(),
        }),
        None => Ok(()),
    }
}
