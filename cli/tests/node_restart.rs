//! A real `quiver node` process killed with SIGKILL at seeded moments during bursts of pipelined
//! inputs (and once in the middle of an upgrade), restarted on the same data dir each time:
//! every acknowledged increment is present, nothing is applied twice (the count never exceeds
//! what was sent), and the version is the old or the new one consistently with what the
//! upgrade's acknowledgement said.

mod node_support;

use node_support::{NodeProcess, example, example_hash};
use quiver_vm::node::client::Client;
use quiver_vm::node::pki::load_identity;
use quiver_vm::node::report::{InstanceReport, Outcome};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Inputs per request: one frame, so a batch is acknowledged as a whole.
const BATCH: usize = 64;

/// The seeds of the kill points; each one picks a moment 30-229 ms into a burst.
const SEEDS: [u64; 10] = [
    1, 7, 42, 1234, 99_991, 31_337, 5, 271_828, 65_537, 8_675_309,
];

/// The seed whose burst also carries an upgrade to v2.
const UPGRADE_SEED: u64 = 42;

/// What the model knows: increments sent, and increments acknowledged by the node.
#[derive(Default)]
struct Model {
    sent: AtomicU64,
    acknowledged: AtomicU64,
}

fn kill_delay(seed: u64) -> Duration {
    let mixed = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    Duration::from_millis(30 + (mixed >> 33) % 200)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

async fn connect(node: &NodeProcess) -> Client {
    let ca = std::fs::read_to_string(node.data().join("ca.pem")).expect("ca.pem");
    let identity = load_identity(node.data(), "admin").expect("admin cert");
    let addr: SocketAddr = node.addr.parse().expect("a socket address");
    Client::connect(addr, &ca, &identity)
        .await
        .expect("the client connects")
}

/// Sends batches of `Incr(1)` until the node stops answering, counting into the model.
async fn burst(client: Client, model: Arc<Model>) {
    let batch = vec!["Incr(1)".to_string(); BATCH];
    loop {
        model.sent.fetch_add(BATCH as u64, Ordering::SeqCst);
        let Ok(outcomes) = client.send_many("c", &batch).await else {
            return;
        };
        assert!(
            outcomes.iter().all(|o| *o == Outcome::Output("Ok".into())),
            "{outcomes:?}"
        );
        model
            .acknowledged
            .fetch_add(outcomes.len() as u64, Ordering::SeqCst);
    }
}

fn count_of(report: &InstanceReport) -> u64 {
    report
        .state
        .strip_prefix("{ count: ")
        .and_then(|rest| rest.split([',', ' ']).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a counter state, not {}", report.state))
}

async fn inspect(node: &NodeProcess) -> InstanceReport {
    let client = connect(node).await;
    let mut reports = client.inspect(Some("c")).await.expect("inspect");
    client.close().await;
    reports.pop().expect("the instance is back")
}

#[test]
fn a_node_killed_during_bursts_keeps_every_acknowledged_input_and_a_consistent_version() {
    let mut node = NodeProcess::start();
    node.quiver(&["push", &example("counter.sm"), "--instance", "c"])
        .expect_code(0);
    let runtime = runtime();
    let model = Arc::new(Model::default());
    let (v1, v2) = (example_hash("counter.sm"), example_hash("counter_v2.sm"));
    let mut upgrade_acknowledged = false;
    for seed in SEEDS {
        let client = runtime.block_on(connect(&node));
        let sender = runtime.spawn(burst(client, model.clone()));
        let upgrade = (seed == UPGRADE_SEED).then(|| {
            let (data, addr) = (node.data().to_path_buf(), node.addr.clone());
            std::thread::spawn(move || push_v2(&data, &addr))
        });
        std::thread::sleep(kill_delay(seed));
        node.kill();
        // Replies already on the wire may still arrive; none can come after this.
        std::thread::sleep(Duration::from_millis(50));
        sender.abort();
        let _ = runtime.block_on(sender);
        if let Some(upgrade) = upgrade {
            upgrade_acknowledged = upgrade.join().expect("the push thread ends");
        }
        node.restart(&[]);
        let report = runtime.block_on(inspect(&node));
        let (acknowledged, sent) = (
            model.acknowledged.load(Ordering::SeqCst),
            model.sent.load(Ordering::SeqCst),
        );
        let count = count_of(&report);
        assert!(
            acknowledged <= count && count <= sent,
            "seed {seed}: count {count}, acknowledged {acknowledged}, sent {sent}"
        );
        assert_eq!(report.turns, count, "seed {seed}: one turn per increment");
        eprintln!(
            "seed {seed}: killed after {:?}; count {count}, acknowledged {acknowledged}, sent \
             {sent}; upgrade acknowledged: {upgrade_acknowledged}",
            kill_delay(seed)
        );
        let running = report.versions[0].hash.to_string();
        let with_resets = report.state.contains("resets");
        if upgrade_acknowledged {
            assert_eq!(running, v2, "seed {seed}: the acknowledged upgrade is lost");
        }
        assert!(running == v1 || running == v2, "seed {seed}: {running}");
        assert_eq!(with_resets, running == v2, "seed {seed}: {}", report.state);
        // Later bursts count from what survived: the model catches up with the node.
        model.sent.store(count, Ordering::SeqCst);
        model.acknowledged.store(count, Ordering::SeqCst);
    }
}

/// `quiver push counter_v2.sm` against a node that may be killed meanwhile; true when the node
/// acknowledged the upgrade.
fn push_v2(data: &std::path::Path, addr: &str) -> bool {
    let output = std::process::Command::new(node_support::QUIVER)
        .args([
            "push",
            &example("counter_v2.sm"),
            "--instance",
            "c",
            "--node",
            addr,
        ])
        .arg("--data")
        .arg(data)
        .output()
        .expect("the quiver binary runs");
    output.status.success()
}

#[test]
fn a_sync_node_with_compaction_comes_back_after_a_kill() {
    let flags = ["--durability", "sync", "--keep-snapshots", "1"];
    let mut node = NodeProcess::start_with(&flags);
    node.quiver(&["push", &example("counter.sm"), "--instance", "c"])
        .expect_code(0);
    for _ in 0..3 {
        node.quiver(&["send", "c", "Incr(2)"]).expect_code(0);
    }
    node.restart(&flags);
    let runtime = runtime();
    let report = runtime.block_on(inspect(&node));
    assert_eq!((report.state.as_str(), report.turns), ("{ count: 6 }", 3));
    node.quiver(&["send", "c", "Incr(1)"]).expect_code(0);
    node.restart(&["--durability", "group"]);
    let report = runtime.block_on(inspect(&node));
    assert_eq!((report.state.as_str(), report.turns), ("{ count: 7 }", 4));
}
