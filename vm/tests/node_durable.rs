//! A durable node in process: deploy, send, upgrade and roll back, stop the node, start a new
//! one on the same data dir, and check that every instance is back at its version, state and
//! turn count and keeps going; with a small snapshot policy and compaction the same holds.
#![cfg(feature = "node")]

mod common;

use common::{counter, counter_v2};
use quiver_vm::bytecode::Artifact;
use quiver_vm::bytecode::encode::encode;
use quiver_vm::hash::hash;
use quiver_vm::node::client::Client;
use quiver_vm::node::pki::load_identity;
use quiver_vm::node::report::{InstanceReport, Outcome, PushOutcome};
use quiver_vm::node::server::{NodeConfig, RunningNode, start};
use quiver_vm::node::store::policy::SnapshotPolicy;
use quiver_vm::node::store::{Durability, Store};
use std::net::SocketAddr;
use std::path::Path;

fn config(dir: &Path) -> NodeConfig {
    let listen: SocketAddr = ([127, 0, 0, 1], 0).into();
    NodeConfig::new(listen, dir.to_path_buf())
}

async fn admin(node: &RunningNode, dir: &Path) -> Client {
    let identity = load_identity(dir, "admin").expect("admin cert written");
    let ca = std::fs::read_to_string(dir.join("ca.pem")).expect("ca.pem written");
    Client::connect(node.addr, &ca, &identity)
        .await
        .expect("the handshake succeeds")
}

fn bytes(artifact: &Artifact) -> Vec<u8> {
    encode(artifact, None)
}

async fn report(client: &Client, instance: &str) -> InstanceReport {
    let mut reports = client.inspect(Some(instance)).await.expect("inspect");
    assert_eq!(reports.len(), 1);
    reports.remove(0)
}

async fn incr(client: &Client, instance: &str, times: usize) {
    let inputs = vec!["Incr(1)".to_string(); times];
    let outcomes = client.send_many(instance, &inputs).await.expect("sent");
    assert!(outcomes.iter().all(|o| *o == Outcome::Output("Ok".into())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_node_brings_back_every_instance_at_its_version_and_state() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let node = start(config(dir.path())).await.expect("the node starts");
    assert_eq!(node.recovered, 0);
    let client = admin(&node, dir.path()).await;
    client.push("a", bytes(&counter()), None).await.expect("a");
    client.push("b", bytes(&counter()), None).await.expect("b");
    incr(&client, "a", 5).await;
    incr(&client, "b", 2).await;
    let upgraded = client.push("a", bytes(&counter_v2(None)), None).await;
    assert!(matches!(upgraded, Ok(PushOutcome::Upgraded { .. })));
    incr(&client, "a", 3).await;
    let before = (report(&client, "a").await, report(&client, "b").await);
    client.close().await;
    node.shutdown().await;

    let node = start(config(dir.path())).await.expect("the node restarts");
    assert_eq!(node.recovered, 2);
    let client = admin(&node, dir.path()).await;
    for (name, was) in [("a", &before.0), ("b", &before.1)] {
        let now = report(&client, name).await;
        assert_eq!(
            (&now.versions, &now.state, now.turns),
            (&was.versions, &was.state, was.turns)
        );
    }
    assert_eq!(before.0.state, "{ count: 8, resets: 0 }");
    assert_eq!(before.0.versions[0].hash, hash(&counter_v2(None)));
    incr(&client, "a", 1).await;
    assert_eq!(
        client.send("a", "Get").await.expect("get"),
        Outcome::Output("Value(9)".into())
    );
    let rolled = client
        .rollback("a")
        .await
        .expect("the restored stack rolls back");
    assert_eq!(rolled.to, hash(&counter()));
    client.close().await;
    node.shutdown().await;

    let node = start(config(dir.path())).await.expect("a third start");
    let client = admin(&node, dir.path()).await;
    let after_rollback = report(&client, "a").await;
    assert_eq!(after_rollback.state, "{ count: 9 }");
    assert_eq!(after_rollback.versions.len(), 1);
    client.close().await;
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_durability_mode_keeps_what_a_clean_stop_acknowledged() {
    for durability in [Durability::Sync, Durability::group(), Durability::None] {
        let dir = tempfile::tempdir().expect("a temp dir");
        let mut first = config(dir.path());
        first.durability = durability;
        let node = start(first).await.expect("the node starts");
        let client = admin(&node, dir.path()).await;
        client.push("c", bytes(&counter()), None).await.expect("c");
        incr(&client, "c", 20).await;
        client.close().await;
        node.shutdown().await;
        let node = start(config(dir.path())).await.expect("restart");
        let client = admin(&node, dir.path()).await;
        assert_eq!(report(&client, "c").await.turns, 20, "{durability}");
        client.close().await;
        node.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_and_compaction_keep_the_recovered_state_exact() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut small = config(dir.path());
    small.snapshots = SnapshotPolicy {
        records: 10,
        bytes: u64::MAX,
    };
    small.keep_snapshots = Some(2);
    let node = start(small.clone()).await.expect("the node starts");
    let client = admin(&node, dir.path()).await;
    client.push("c", bytes(&counter()), None).await.expect("c");
    incr(&client, "c", 95).await;
    // The compactor runs every second; give it one pass.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    client.close().await;
    node.shutdown().await;
    {
        let store = Store::open(dir.path(), Durability::Sync).expect("the store opens");
        let snapshots = store.snapshots("c").expect("snapshots");
        // Nine snapshots were due; the encoder writes only the newest of those that queued
        // up behind it (always the last one, at position 90), and compaction keeps two.
        assert_eq!(snapshots.last(), Some(&90), "{snapshots:?}");
        assert!((1..=2).contains(&snapshots.len()), "{snapshots:?}");
        // Only a compaction that ran (dropped a head of the log) promises that nothing is left
        // before the oldest kept snapshot: when the encoder wrote no more than two snapshots,
        // none was due, and on a busy machine the last pass may come after the shutdown.
        let compacted = store
            .first_position("c")
            .expect("the first position")
            .is_some_and(|first| first > 0);
        if snapshots.len() == 2 && compacted {
            let oldest_kept = store.log("c", 0, snapshots[0]).expect("log");
            assert!(
                oldest_kept.is_empty(),
                "the log before the kept snapshots is dropped"
            );
        }
    }
    let node = start(small).await.expect("restart");
    let client = admin(&node, dir.path()).await;
    assert_eq!(report(&client, "c").await.state, "{ count: 95 }");
    incr(&client, "c", 1).await;
    assert_eq!(report(&client, "c").await.turns, 96);
    client.close().await;
    node.shutdown().await;
}
