//! Generated values printed and parsed back (`quiver_fuzz_support::text`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    quiver_fuzz_support::text::check_round_trip(data);
});
