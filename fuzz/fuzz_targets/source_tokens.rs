//! Token soups through the whole compiler (`quiver_fuzz_support::tokens`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let src = quiver_fuzz_support::tokens::to_source(data);
    quiver_fuzz_support::source::check_source(&src, data);
});
