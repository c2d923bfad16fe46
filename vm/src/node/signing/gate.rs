//! The node's decision on a signed swap: is the key trusted, does the signature cover exactly
//! this swap, and is its sequence number above the last one accepted for the instance. An
//! admitted swap's sequence number is stored durably before the swap is enqueued.
//!
//! The gate admits one swap at a time, and the caller keeps the [`Admitted`] permit until the
//! swap is in its instance's mailbox (or deployed), so mailbox order is sequence order and a
//! signed deploy cannot race another swap of the same name. The checks themselves are pure
//! ([`Gate::check_signature`], [`check_sequence`]) so they are tested without a node.

use super::SwapSignature;
use super::keys::{PublicKey, TrustedKeys};
use super::payload::SignedSwap;
use crate::node::report::Refusal;
use crate::node::store::{Store, StoreError};
use std::sync::Arc;
use tokio::sync::{Mutex, MutexGuard};

/// The trusted keys of a node and the order in which signed swaps are admitted.
#[derive(Debug)]
pub struct Gate {
    trusted: TrustedKeys,
    order: Mutex<()>,
}

/// Held while an admitted swap is being enqueued: no other signed swap is admitted meanwhile.
pub struct Admitted<'a> {
    _order: MutexGuard<'a, ()>,
}

impl Gate {
    pub fn new(trusted: TrustedKeys) -> Gate {
        Gate {
            trusted,
            order: Mutex::new(()),
        }
    }

    pub fn trusted(&self) -> &TrustedKeys {
        &self.trusted
    }

    /// Trust first (an untrusted key is named by its fingerprint), then the signature.
    pub fn check_signature(
        &self,
        swap: &SignedSwap,
        signature: &SwapSignature,
    ) -> Result<(), Refusal> {
        let key = PublicKey(signature.key);
        if self.trusted.name_of(&key).is_none() {
            return Err(Refusal::UntrustedKey {
                fingerprint: key.fingerprint(),
            });
        }
        if !swap.verify(signature) {
            return Err(Refusal::BadSignature {
                operation: swap.operation.to_string(),
                instance: swap.instance.clone(),
                artifact: swap.artifact,
                sequence: signature.sequence,
            });
        }
        Ok(())
    }

    /// Checks `swap` and, when it passes, durably records its sequence number; the permit
    /// returned must be held until the swap is enqueued.
    pub async fn admit(
        &self,
        swap: &SignedSwap,
        signature: &SwapSignature,
        store: Option<Arc<Store>>,
    ) -> Result<Admitted<'_>, Refusal> {
        let order = self.order.lock().await;
        self.check_signature(swap, signature)?;
        let store = store.ok_or(Refusal::ShuttingDown)?;
        let instance = swap.instance.clone();
        let sequence = swap.sequence;
        let recorded = tokio::task::spawn_blocking(move || {
            let last = store.signed_sequence(&instance)?;
            if let Err(refusal) = check_sequence(&instance, sequence, last) {
                return Ok::<_, StoreError>(Err(refusal));
            }
            store.record_signed_sequence(&instance, sequence)?;
            Ok(Ok(()))
        })
        .await
        .map_err(|_| Refusal::ShuttingDown)?;
        recorded.map_err(|e| Refusal::Unstored(e.to_string()))??;
        Ok(Admitted { _order: order })
    }
}

/// A sequence number is accepted only above the last accepted one: a replayed, reordered or
/// older signed swap is refused (rollback and freeze attacks).
pub fn check_sequence(instance: &str, presented: u64, last: u64) -> Result<(), Refusal> {
    if presented > last {
        return Ok(());
    }
    Err(Refusal::StaleSequence {
        instance: instance.to_string(),
        presented,
        last,
    })
}

/// The lowest sequence number the next signed swap of `instance` may carry.
pub fn next_sequence(store: &Store, instance: &str) -> Result<u64, StoreError> {
    Ok(store.signed_sequence(instance)?.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::Hash;
    use crate::node::signing::{KeyPair, Operation};
    use crate::node::store::Durability;

    fn gate() -> Gate {
        let alice = KeyPair::from_seed([1; 32]).public();
        Gate::new(TrustedKeys::from_keys([(alice, "alice.pub".into())]))
    }

    fn deploy(sequence: u64) -> SignedSwap {
        SignedSwap {
            operation: Operation::Deploy,
            instance: "c1".into(),
            artifact: Hash([9; 32]),
            expect: None,
            sequence,
        }
    }

    #[test]
    fn a_trusted_keys_signature_passes() {
        let swap = deploy(1);
        let signature = swap.sign(KeyPair::from_seed([1; 32]).signing_key());
        assert_eq!(gate().check_signature(&swap, &signature), Ok(()));
    }

    #[test]
    fn an_untrusted_key_is_refused_by_fingerprint() {
        let swap = deploy(1);
        let mallory = KeyPair::from_seed([6; 32]);
        let signature = swap.sign(mallory.signing_key());
        assert_eq!(
            gate().check_signature(&swap, &signature),
            Err(Refusal::UntrustedKey {
                fingerprint: mallory.public().fingerprint()
            })
        );
    }

    #[test]
    fn a_trusted_signature_over_another_artifact_is_refused() {
        let signature = deploy(1).sign(KeyPair::from_seed([1; 32]).signing_key());
        let other = SignedSwap {
            artifact: Hash([8; 32]),
            ..deploy(1)
        };
        assert!(matches!(
            gate().check_signature(&other, &signature),
            Err(Refusal::BadSignature { .. })
        ));
    }

    #[test]
    fn a_sequence_not_above_the_last_is_refused() {
        assert_eq!(check_sequence("c1", 3, 2), Ok(()));
        for presented in [0, 1, 2] {
            assert!(matches!(
                check_sequence("c1", presented, 2),
                Err(Refusal::StaleSequence { last: 2, .. })
            ));
        }
    }

    #[tokio::test]
    async fn admitting_records_the_sequence_so_a_replay_is_refused() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let store = Arc::new(Store::open(dir.path(), Durability::Sync).expect("store"));
        let gate = gate();
        let key = KeyPair::from_seed([1; 32]);
        let swap = deploy(4);
        let signature = swap.sign(key.signing_key());
        drop(
            gate.admit(&swap, &signature, Some(store.clone()))
                .await
                .expect("admitted"),
        );
        assert_eq!(next_sequence(&store, "c1"), Ok(5));
        let replay = gate.admit(&swap, &signature, Some(store.clone())).await;
        assert!(matches!(
            replay,
            Err(Refusal::StaleSequence {
                presented: 4,
                last: 4,
                ..
            })
        ));
    }
}
