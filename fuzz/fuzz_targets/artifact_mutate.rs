//! Compiled examples with rewritten arrows: verify, and run what verifies (`quiver_fuzz_support::mutate`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    quiver_fuzz_support::mutate::check_mutated_example(data);
});
