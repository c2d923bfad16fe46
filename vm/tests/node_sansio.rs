//! The sans-IO node on an inline store: requests handled one at a time with their records
//! durable before the call returns, keyed inputs applied once however often they are sent,
//! roles checked, and a node recovered from the same store equal to the one that ran.
#![cfg(feature = "node")]

mod common;

use common::{counter, counter_v2};
use quiver_vm::bytecode::encode::encode;
use quiver_vm::limits::Limits;
use quiver_vm::node::core::SystemClock;
use quiver_vm::node::pki::Role;
use quiver_vm::node::protocol::{Request, Response};
use quiver_vm::node::report::{Outcome, PushOutcome, Refusal};
use quiver_vm::node::sansio::{Caller, Node};
use quiver_vm::node::store::Store;
use quiver_vm::node::store::policy::SnapshotPolicy;
use std::sync::Arc;

fn admin() -> Caller {
    Caller {
        role: Role::Admin,
        client: "admin".into(),
    }
}

fn client() -> Caller {
    Caller {
        role: Role::Client,
        client: "c1".into(),
    }
}

fn fresh() -> (Node, Arc<Store>) {
    let backend = redb::backends::InMemoryBackend::new();
    let store = Arc::new(
        Store::open_inline(backend, "memory", quiver_vm::node::store::Durability::Sync)
            .expect("an empty store opens"),
    );
    let policy = SnapshotPolicy {
        records: 2,
        bytes: 1 << 20,
    };
    let node = Node::recover(store.clone(), Limits::default(), policy).expect("nothing to recover");
    (node, store)
}

fn handle(node: &mut Node, request: Request, caller: &Caller) -> Response {
    let handled = node.handle(request, caller, &SystemClock);
    for record in handled.records {
        record
            .wait()
            .expect("an inline store has committed every record already");
    }
    handled.response
}

fn push(node: &mut Node, artifact: &quiver_vm::bytecode::Artifact) -> Response {
    let request = Request::Push {
        instance: "c".into(),
        artifact: encode(artifact, None),
        expect: None,
    };
    handle(node, request, &admin())
}

fn send(node: &mut Node, inputs: &[&str], seq: u64) -> Response {
    let request = Request::SendKeyed {
        instance: "c".into(),
        client: "c1".into(),
        first_seq: seq,
        inputs: inputs.iter().map(|s| s.to_string()).collect(),
    };
    handle(node, request, &client())
}

fn outputs(texts: &[&str]) -> Response {
    Response::Outputs(
        texts
            .iter()
            .map(|t| Outcome::Output(t.to_string()))
            .collect(),
    )
}

#[test]
fn a_keyed_send_retried_is_answered_from_the_log_and_applied_once() {
    let (mut node, _store) = fresh();
    assert!(matches!(
        push(&mut node, &counter()),
        Response::Pushed(PushOutcome::Deployed { .. })
    ));
    assert_eq!(
        send(&mut node, &["Incr(5)", "Get"], 1),
        outputs(&["Ok", "Value(5)"])
    );
    assert_eq!(
        send(&mut node, &["Incr(5)", "Get"], 1),
        outputs(&["Ok", "Value(5)"])
    );
    // A retry overlapping a new input: the old key answered, the new one applied.
    assert_eq!(
        send(&mut node, &["Get", "Incr(1)"], 2),
        outputs(&["Value(5)", "Ok"])
    );
    assert_eq!(send(&mut node, &["Get"], 4), outputs(&["Value(6)"]));
}

#[test]
fn a_client_may_not_push_or_roll_back() {
    let (mut node, _store) = fresh();
    push(&mut node, &counter());
    let request = Request::Rollback {
        instance: "c".into(),
    };
    let response = handle(&mut node, request, &client());
    assert!(
        matches!(response, Response::Refused(Refusal::Forbidden { .. })),
        "{response:?}"
    );
}

#[test]
fn a_node_recovered_from_the_store_runs_on_where_the_first_stopped() {
    let (mut node, store) = fresh();
    push(&mut node, &counter());
    send(&mut node, &["Incr(2)", "Incr(3)", "Incr(4)"], 1);
    assert!(matches!(
        push(&mut node, &counter_v2(None)),
        Response::Pushed(PushOutcome::Upgraded { .. })
    ));
    send(&mut node, &["Incr(1)"], 4);
    drop(node);
    let policy = SnapshotPolicy::default();
    let mut again = Node::recover(store, Limits::default(), policy).expect("the store recovers");
    // Seq 4 was applied before the restart: answered from the log, not applied again.
    assert_eq!(
        send(&mut again, &["Incr(1)", "Get"], 4),
        outputs(&["Ok", "Value(10)"])
    );
}

/// redb's in-memory backend that, once armed, fails its next sync and everything after it.
#[derive(Clone, Debug, Default)]
struct FailingDisk {
    inner: Arc<redb::backends::InMemoryBackend>,
    armed: Arc<std::sync::atomic::AtomicBool>,
    failed: Arc<std::sync::atomic::AtomicBool>,
}

impl FailingDisk {
    fn check(&self) -> std::io::Result<()> {
        if self.failed.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(std::io::Error::other("the disk failed"));
        }
        Ok(())
    }
}

impl redb::StorageBackend for FailingDisk {
    fn len(&self) -> std::io::Result<u64> {
        self.check()?;
        self.inner.len()
    }
    fn read(&self, offset: u64, len: usize) -> std::io::Result<Vec<u8>> {
        self.check()?;
        self.inner.read(offset, len)
    }
    fn set_len(&self, len: u64) -> std::io::Result<()> {
        self.check()?;
        self.inner.set_len(len)
    }
    fn sync_data(&self, eventual: bool) -> std::io::Result<()> {
        if self.armed.load(std::sync::atomic::Ordering::SeqCst) {
            self.failed.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        self.check()?;
        self.inner.sync_data(eventual)
    }
    fn write(&self, offset: u64, data: &[u8]) -> std::io::Result<()> {
        self.check()?;
        self.inner.write(offset, data)
    }
}

#[test]
fn a_send_whose_disk_fails_hands_back_every_record_it_appended_failed() {
    // The caller learns from these records that the node must stop. quiver-sim found a path
    // (a key lookup failing after an earlier input of the same send had run) where the
    // records were dropped with the reply; it needs a redb cache miss after the I/O error.
    let disk = FailingDisk::default();
    let open = |disk: &FailingDisk| {
        let store = Store::open_inline(
            disk.clone(),
            "failing",
            quiver_vm::node::store::Durability::Sync,
        )
        .expect("the store opens");
        // A snapshot after every record: one follows the failed input.
        let policy = SnapshotPolicy {
            records: 1,
            bytes: 1 << 20,
        };
        Node::recover(Arc::new(store), Limits::default(), policy).expect("the store recovers")
    };
    let mut node = open(&disk);
    push(&mut node, &counter());
    for seq in 1..200 {
        send(&mut node, &["Incr(1)"], seq);
    }
    drop(node);
    let mut node = open(&disk);
    disk.armed.store(true, std::sync::atomic::Ordering::SeqCst);
    let request = Request::SendKeyed {
        instance: "c".into(),
        client: "c1".into(),
        first_seq: 500,
        inputs: vec!["Incr(1)".into(), "Incr(2)".into()],
    };
    let handled = node.handle(request, &client(), &SystemClock);
    let stored: Vec<bool> = handled
        .records
        .into_iter()
        .map(|r| r.wait().is_ok())
        .collect();
    eprintln!("{:?} {stored:?}", handled.response);
    assert_eq!(
        stored.first(),
        Some(&false),
        "the first input's record is handed back, failed"
    );
}
