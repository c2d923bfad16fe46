//! Any bytes as wire frames (`quiver_fuzz_support::frame`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    quiver_fuzz_support::frame::check_frames(data);
});
