//! Any text parsed as a value of a chosen type (`quiver_fuzz_support::text`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    quiver_fuzz_support::text::check_parse(data);
});
