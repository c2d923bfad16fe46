//! An upgrade planned at push time, so that the barrier does as little as possible.
//!
//! Planning an upgrade (input compatibility, deriving, verifying and loading the migration when
//! the new version declares none) and encoding the artifact for the store depend only on the
//! running version and the pushed one, never on the state. [`Instances::push`] therefore does
//! both before the barrier enters the mailbox, against the version the instance runs at that
//! moment, and the barrier reuses the plan only if that exact version (same hash) still runs
//! when it is handled. If another swap committed in between, or planning failed, the barrier
//! plans again as it always did ([`super::swap::plan_upgrade`]), so the outcome of a swap never
//! depends on whether it was preplanned: only the length of its pause does.
//!
//! [`Instances::push`]: super::instances::Instances::push

use super::swap::{UpgradePlan, plan_upgrade};
use super::version::Version;
use crate::bytecode::encode::encode;
use crate::hash::Hash;
use crate::limits::Limits;
use std::sync::Arc;

/// What a push prepared for its upgrade barrier.
#[derive(Clone)]
pub struct Preplan {
    /// The hash of the version that ran when the plan was made.
    against: Hash,
    /// The plan against it; `None` when it was refused (the barrier refuses it again, with
    /// the refusal it computes then).
    plan: Option<UpgradePlan>,
    /// The pushed artifact as the store keeps it.
    encoded: Arc<[u8]>,
}

impl Preplan {
    /// Plans the upgrade from `running` to `next` and encodes `next`.
    pub fn new(running: &Version, next: &Version, limits: &Limits) -> Preplan {
        Preplan {
            against: running.hash,
            plan: plan_upgrade(running, next, limits).ok(),
            encoded: encoded(next),
        }
    }

    /// The plan, if it was made against `running` and succeeded.
    pub fn plan_for(&self, running: &Version) -> Option<&UpgradePlan> {
        self.plan.as_ref().filter(|_| self.against == running.hash)
    }

    /// The encoded artifact of the pushed version.
    pub fn encoded(&self) -> &[u8] {
        &self.encoded
    }
}

/// `version`'s artifact and debug sidecar, encoded as the store keeps them.
pub fn encoded(version: &Version) -> Arc<[u8]> {
    encode(version.program.artifact(), version.debug.as_deref()).into()
}
