//! Artifact bytes: decode, verify, and run what verifies (`quiver_fuzz_support::program`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    quiver_fuzz_support::program::check_artifact_bytes(data);
});
