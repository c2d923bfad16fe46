//! The simulation in CI: a bounded set of seeds must pass every check, a seed must replay to
//! the same run, and the checks must catch a node that applies retried inputs twice.
//! `cargo run -p quiver-sim -- --seeds 1000` explores further.

use quiver_sim::{Config, run};

fn pass(seeds: std::ops::Range<u64>) {
    let config = Config::default();
    for seed in seeds {
        if let Err(failure) = run(seed, &config) {
            panic!(
                "seed {seed} failed at step {}: {}\n{}\nreplay: cargo run -p quiver-sim -- --seed {seed}",
                failure.step,
                failure.message,
                failure.trace.join("\n")
            );
        }
    }
}

#[test]
fn every_check_holds_on_the_first_batch_of_seeds() {
    pass(1..11);
}

#[test]
fn every_check_holds_on_the_second_batch_of_seeds() {
    pass(11..21);
}

#[test]
fn a_seed_replays_to_exactly_the_same_run() {
    let config = Config::default();
    let first = run(42, &config).expect("seed 42 passes");
    let again = run(42, &config).expect("seed 42 passes again");
    assert_eq!(first, again);
    assert!(
        first.crashes > 0 && first.inputs_acknowledged > 0,
        "{first:?}"
    );
}

#[test]
fn different_seeds_explore_different_runs() {
    let config = Config::default();
    let a = run(5, &config).expect("seed 5 passes");
    let b = run(6, &config).expect("seed 6 passes");
    assert_ne!(a.digest, b.digest);
}

#[test]
fn the_checks_catch_retried_inputs_that_carry_no_idempotency_key() {
    let config = Config {
        keyed: false,
        ..Config::default()
    };
    let caught = (1..6).find_map(|seed| run(seed, &config).err());
    let failure = caught.expect("some seed retries an input the node already applied");
    assert!(
        failure.message.contains("not in the durable history"),
        "{}",
        failure.message
    );
}
