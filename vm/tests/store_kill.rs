//! Real crashes: a child process appends in `group` mode and reports every acknowledgement on
//! stdout; the parent kills it with SIGKILL after a varying number of acknowledgements,
//! reopens the store and checks that every acknowledged record is there, in order, once.
//!
//! The child is this test binary itself, re-run with `QUIVER_STORE_CHILD=DIR` on the one test
//! `kill_child_appends` (which does nothing when the variable is unset).
#![cfg(feature = "node")]

mod common;
mod store_support;

use quiver_vm::limits::Limits;
use quiver_vm::node::report::Outcome;
use quiver_vm::node::store::{Durability, Pending, Record};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use store_support::{Live, NAME, every, open, v1};

const CHILD_DIR: &str = "QUIVER_STORE_CHILD";

/// The child: deploys, then appends `Incr(1)` forever, printing each acknowledged position.
#[test]
fn kill_child_appends() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else {
        return;
    };
    let store = open(std::path::Path::new(&dir), Durability::group());
    let mut live = Live::deploy(&store, &v1(), every(500));
    let (acks, waiting) = mpsc::sync_channel::<Pending>(10_000);
    let printer = std::thread::spawn(move || {
        let mut out = std::io::stdout().lock();
        for pending in waiting {
            let position = pending.wait().expect("acknowledged");
            writeln!(out, "{position}").expect("the parent reads");
            out.flush().expect("the parent reads");
        }
    });
    loop {
        let (_, pending) = live.send_pending("Incr(1)", None);
        if acks.send(pending).is_err() {
            break;
        }
    }
    drop(printer);
}

/// Runs a child until it acknowledged `threshold` records, kills it, and returns the highest
/// position it acknowledged.
fn run_and_kill(dir: &std::path::Path, threshold: u64) -> u64 {
    let mut child = Command::new(std::env::current_exe().expect("the test binary"))
        .args([
            "--exact",
            "kill_child_appends",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD_DIR, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the child starts");
    let stdout = child.stdout.take().expect("piped");
    let mut acknowledged = 0;
    let mut lines = BufReader::new(stdout).lines();
    while acknowledged < threshold {
        let Some(Ok(line)) = lines.next() else { break };
        if let Ok(position) = line.trim().parse::<u64>() {
            acknowledged = position;
        }
    }
    child.kill().expect("SIGKILL");
    // Acknowledgements printed before the kill landed count too.
    for line in lines.map_while(Result::ok) {
        if let Ok(position) = line.trim().parse::<u64>() {
            acknowledged = acknowledged.max(position);
        }
    }
    child.wait().expect("reaped");
    acknowledged
}

#[test]
fn a_killed_writer_loses_nothing_it_acknowledged() {
    // Sixteen kill points from a fixed LCG: reproducible, spread over 1..20,000 acks.
    let thresholds = (0..16u64).scan(0x9e37_79b9_u64, |x, _| {
        *x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        Some(1 + (*x >> 33) % 20_000)
    });
    for (seed, threshold) in thresholds.enumerate() {
        let dir = tempfile::tempdir().expect("tempdir");
        let acknowledged = run_and_kill(dir.path(), threshold);
        assert!(
            acknowledged >= threshold,
            "seed {seed}: only {acknowledged} acknowledged"
        );
        let store = open(dir.path(), Durability::Sync);
        let recovered = store
            .recover(NAME, &Limits::default())
            .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        assert!(
            recovered.position >= acknowledged,
            "seed {seed}: acknowledged {acknowledged}, recovered {}",
            recovered.position
        );
        // Every record is one applied Incr(1): nothing twice, nothing skipped.
        assert_eq!(recovered.turns, recovered.position, "seed {seed}");
        let last = store
            .log(NAME, recovered.position, recovered.position)
            .expect("reads");
        let expected = Outcome::Output("Ok".into());
        assert!(matches!(&last[..], [(_, Record::Input { outcome, .. })] if *outcome == expected));
    }
}
