//! Every committed seed through its target's check: the seeds are valid inputs that break no
//! promise, and a crash input copied into `fuzz/seeds/<target>/` replays here without libFuzzer.

use quiver_fuzz_support::{frame, mutate, program, source, text, tokens};
use std::fs;
use std::path::Path;

fn each_seed(target: &str, check: impl Fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../seeds")
        .join(target);
    let mut count = 0;
    for entry in fs::read_dir(&dir).expect("the seed directory exists") {
        let bytes = fs::read(entry.expect("a readable entry").path()).expect("a readable seed");
        check(&bytes);
        count += 1;
    }
    assert!(count > 0, "no seeds in {}", dir.display());
}

#[test]
fn the_source_seeds_keep_every_promise() {
    each_seed("source", |data| {
        source::check_source(&String::from_utf8_lossy(data), data)
    });
    each_seed("source_tokens", |data| {
        source::check_source(&tokens::to_source(data), data)
    });
}

#[test]
fn the_artifact_seeds_keep_every_promise() {
    each_seed("artifact", program::check_artifact_bytes);
    each_seed("artifact_mutate", mutate::check_mutated_example);
}

#[test]
fn the_text_and_frame_seeds_keep_every_promise() {
    each_seed("text_parse", text::check_parse);
    each_seed("text_roundtrip", text::check_round_trip);
    each_seed("frame", frame::check_frames);
}
