//! Crashes and damage: a store halted in the middle of group commits keeps every record it
//! acknowledged and nothing after a gap, and a damaged or cut file is refused with a clear
//! error or recovered exactly, never recovered wrong.
#![cfg(feature = "node")]

mod common;
mod store_support;

use quiver_vm::limits::Limits;
use quiver_vm::node::report::Outcome;
use quiver_vm::node::store::{Durability, Pending, Record, Store, StoreError};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use store_support::{Expected, Live, NAME, every, open, v1};

fn incr() -> Record {
    Record::Input {
        text: "Incr(1)".into(),
        outcome: Outcome::Output("Ok".into()),
        key: None,
    }
}

/// Appends `Incr(1)` records as fast as possible while another thread waits for their acks;
/// the store is halted once `threshold` were acknowledged. Returns the highest acknowledged
/// position.
fn burst_then_halt(store: &Arc<Store>, threshold: u64) -> u64 {
    let progress = Arc::new(AtomicU64::new(0));
    let (pendings, acks) = mpsc::channel::<(u64, Pending)>();
    let waiter = {
        let progress = progress.clone();
        std::thread::spawn(move || {
            for (position, pending) in acks {
                match pending.wait() {
                    Ok(p) => {
                        assert_eq!(p, position, "acks come back in order");
                        progress.store(position, Ordering::SeqCst);
                    }
                    Err(error) => {
                        assert_eq!(error, StoreError::Closed);
                        break;
                    }
                }
            }
        })
    };
    let appender = {
        let store = store.clone();
        std::thread::spawn(move || {
            for position in 1..1_000_000 {
                let pending = store.append(NAME, position, incr());
                if pendings.send((position, pending)).is_err() {
                    break;
                }
            }
        })
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while progress.load(Ordering::SeqCst) < threshold && Instant::now() < deadline {
        std::thread::sleep(Duration::from_micros(200));
    }
    store.halt();
    appender.join().expect("the appender finishes");
    waiter.join().expect("the waiter finishes");
    progress.load(Ordering::SeqCst)
}

#[test]
fn a_halt_mid_batch_loses_nothing_acknowledged() {
    for threshold in [1, 1_000, 20_000] {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = open(dir.path(), Durability::group());
        let live = Live::deploy(&store, &v1(), every(u64::MAX));
        drop(live);
        let acknowledged = burst_then_halt(&store, threshold);
        assert!(acknowledged >= threshold, "{acknowledged} acknowledged");
        drop(store);
        let store = open(dir.path(), Durability::Sync);
        let recovered = store.recover(NAME, &Limits::default()).expect("recovers");
        assert!(
            recovered.position >= acknowledged,
            "acknowledged {acknowledged}, recovered only {}",
            recovered.position
        );
        assert_eq!(
            recovered.turns, recovered.position,
            "every record applied once"
        );
        let log = store.log(NAME, 0, u64::MAX).expect("reads");
        let positions: Vec<u64> = log.iter().map(|(p, _)| *p).collect();
        assert_eq!(positions, (0..=recovered.position).collect::<Vec<_>>());
    }
}

#[test]
fn appends_after_a_halt_fail_as_closed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), Durability::group());
    let _live = Live::deploy(&store, &v1(), every(u64::MAX));
    store.halt();
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(
        store.append(NAME, 1, incr()).wait(),
        Err(StoreError::Closed)
    );
}

/// A store with some history; returns the expected recovery and the file's path.
fn written(dir: &std::path::Path) -> (Expected, std::path::PathBuf) {
    let store = open(dir, Durability::Sync);
    let mut live = Live::deploy(&store, &v1(), every(50));
    for n in 0..200 {
        live.send(&format!("Incr({n})"), None);
    }
    let expected = live.expected();
    let path = store.path().to_path_buf();
    drop(live);
    drop(store);
    (expected, path)
}

/// Opening, recovering and replaying either fail with a message or give exactly the expected
/// instance (not even an older prefix: the file was closed cleanly).
fn refused_or_exact(dir: &std::path::Path, expected: &Expected) -> Option<String> {
    let store = match Store::open(dir, Durability::Sync) {
        Ok(store) => store,
        Err(error) => return Some(error.to_string()),
    };
    match store.recover(NAME, &Limits::default()) {
        Ok(recovered) => assert_eq!(&Expected::of(&recovered), expected, "recovered wrong"),
        Err(error) => return Some(error.to_string()),
    }
    // Recovery reads only the tail; a full replay reads every record.
    match store.replay(NAME, None, &Limits::default()) {
        Ok(report) => {
            assert_eq!(report.state, expected.state, "replayed wrong");
            assert_eq!(report.divergence, None);
            None
        }
        Err(error) => Some(error.to_string()),
    }
}

#[test]
fn a_file_of_garbage_is_refused_with_its_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(quiver_vm::node::store::STORE_FILE);
    std::fs::write(&path, vec![0x5a; 64 * 1024]).expect("writes");
    let error = Store::open(dir.path(), Durability::Sync)
        .err()
        .expect("refused");
    let message = error.to_string();
    assert!(message.starts_with("the store at "), "{message}");
    assert!(message.contains("store.redb"), "{message}");
}

/// The offsets of every `Incr(` in the file: bytes of live or stale log records.
fn record_offsets(bytes: &[u8]) -> Vec<usize> {
    bytes
        .windows(5)
        .enumerate()
        .filter(|(_, window)| *window == b"Incr(")
        .map(|(offset, _)| offset)
        .collect()
}

#[test]
fn damaged_bytes_are_refused_or_recovered_exactly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (expected, path) = written(dir.path());
    let original = std::fs::read(&path).expect("reads");
    let offsets = record_offsets(&original);
    assert!(!offsets.is_empty(), "the log holds the inputs as text");
    let mut refusals = Vec::new();
    let stride = (offsets.len() / 24).max(1);
    for offset in offsets.iter().step_by(stride) {
        let copy = tempfile::tempdir().expect("tempdir");
        let mut damaged = original.clone();
        damaged[offset + 5] ^= 0x01; // Incr(3) becomes Incr(2), and so on
        let target = copy.path().join(quiver_vm::node::store::STORE_FILE);
        std::fs::write(&target, &damaged).expect("writes");
        if let Some(message) = refused_or_exact(copy.path(), &expected) {
            refusals.push(message);
        }
    }
    assert!(!refusals.is_empty(), "some damage must be noticed");
    assert!(
        refusals.iter().all(|m| m.starts_with("the store")),
        "{refusals:?}"
    );
}

#[test]
fn a_cut_file_is_refused_or_recovered_exactly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (expected, path) = written(dir.path());
    let length = std::fs::metadata(&path).expect("metadata").len();
    for cut in [length / 3, length / 2, length - 4096] {
        let copy = tempfile::tempdir().expect("tempdir");
        let target = copy.path().join(quiver_vm::node::store::STORE_FILE);
        std::fs::copy(&path, &target).expect("copies");
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(&target)
            .expect("opens");
        file.set_len(cut).expect("truncates");
        drop(file);
        let _ = refused_or_exact(copy.path(), &expected);
    }
}

#[test]
fn closing_the_store_commits_everything_it_was_given() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), Durability::group());
    drop(Live::deploy(&store, &v1(), every(u64::MAX)));
    let pendings: Vec<Pending> = (1..=5_000).map(|p| store.append(NAME, p, incr())).collect();
    drop(store);
    let positions: Result<Vec<u64>, StoreError> = pendings.into_iter().map(Pending::wait).collect();
    assert_eq!(positions, Ok((1..=5_000).collect()));
    let store = open(dir.path(), Durability::Sync);
    let recovered = store.recover(NAME, &Limits::default()).expect("recovers");
    assert_eq!((recovered.position, recovered.turns), (5_000, 5_000));
}
