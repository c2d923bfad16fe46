//! Any text through the whole compiler (`quiver_fuzz_support::source`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let src = String::from_utf8_lossy(data);
    quiver_fuzz_support::source::check_source(&src, data);
});
