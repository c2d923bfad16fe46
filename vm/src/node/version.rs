//! A pushed artifact made ready to run: decoded, verified, loaded and named by its hash.
//!
//! This is the expensive half of a push and it happens before the artifact enters any mailbox,
//! so an instance never pauses for it. It does not look at the running version at all; the
//! checks against it are in [`super::swap`].

use super::report::{Refusal, TrapReport};
use crate::bytecode::DebugInfo;
use crate::bytecode::decode::decode;
use crate::hash::{Hash, hash};
use crate::interp::{Loaded, load};
use crate::limits::Limits;
use crate::trap::Trap;
use crate::verify::verify;
use std::sync::Arc;

/// One version of a machine, ready to run.
#[derive(Clone, Debug)]
pub struct Version {
    pub program: Arc<Loaded>,
    pub hash: Hash,
    pub debug: Option<Arc<DebugInfo>>,
}

/// Decodes, verifies and loads an encoded artifact.
pub fn prepare(bytes: &[u8], limits: &Limits) -> Result<Version, Refusal> {
    let (artifact, debug) =
        decode(bytes, limits).map_err(|e| Refusal::Undecodable(e.to_string()))?;
    let hash = hash(&artifact);
    let verified = verify(artifact, limits).map_err(|e| Refusal::Unverified(e.to_string()))?;
    Ok(Version {
        program: Arc::new(load(verified)),
        hash,
        debug: debug.map(Arc::new),
    })
}

impl Version {
    /// A trap with its source location from this version's debug sidecar.
    pub fn report(&self, trap: Trap) -> TrapReport {
        let site = self.debug.as_ref().and_then(|d| d.site(trap.site)).cloned();
        TrapReport { trap, site }
    }

    /// The machine's declared name.
    pub fn name(&self) -> &str {
        &self.program.artifact().name
    }
}
