//! One compiled version of a machine as the REPL runs it: the artifact (verified and loaded),
//! its debug sidecar, its hash and the source it came from (for trap locations).
//!
//! This module compiles and loads; it runs no turns and prints nothing.

use quiver_lang::driver::Compiled;
use quiver_vm::interp::{self, Loaded};
use quiver_vm::limits::Limits;
use quiver_vm::verify;
use std::sync::Arc;

/// A loaded version of a machine.
#[derive(Debug)]
pub struct Version {
    pub compiled: Compiled,
    pub loaded: Arc<Loaded>,
    pub source: String,
}

impl Version {
    /// Verifies and loads a compiled machine.
    pub fn load(compiled: Compiled, source: &str, limits: &Limits) -> Result<Version, String> {
        let verified = verify::verify(compiled.artifact.clone(), limits).map_err(|error| {
            format!(
                "the artifact of {} does not verify: {error}",
                compiled.artifact.name
            )
        })?;
        Ok(Version {
            compiled,
            loaded: Arc::new(interp::load(verified)),
            source: source.to_string(),
        })
    }

    /// The short hash naming this version.
    pub fn short(&self) -> String {
        self.compiled.hash.short()
    }

    pub fn machine(&self) -> &str {
        &self.compiled.artifact.name
    }
}
