//! Idempotent sends over real QUIC: a keyed input sent again (a retry after a lost reply, a
//! duplicated frame, a reconnecting client, a restarted node) is answered with the outcome
//! recorded for it and applied once; and `Log` pages through an instance's history.
#![cfg(feature = "node")]

mod common;

use common::{counter, counter_v2};
use quiver_vm::bytecode::encode::encode;
use quiver_vm::hash::hash;
use quiver_vm::node::client::Client;
use quiver_vm::node::log_page::PAGE_ENTRIES;
use quiver_vm::node::pki::load_identity;
use quiver_vm::node::protocol::{self, Request, Response};
use quiver_vm::node::report::{Outcome, Refusal};
use quiver_vm::node::server::{NodeConfig, RunningNode, start};
use quiver_vm::node::store::{Durability, Record};
use std::net::SocketAddr;
use std::path::Path;

fn config(dir: &Path) -> NodeConfig {
    let listen: SocketAddr = ([127, 0, 0, 1], 0).into();
    let mut config = NodeConfig::new(listen, dir.to_path_buf());
    config.durability = Durability::Sync;
    config
}

async fn admin(node: &RunningNode, dir: &Path) -> Client {
    let ca = std::fs::read_to_string(dir.join("ca.pem")).expect("ca.pem written");
    let identity = load_identity(dir, "admin").expect("admin cert written");
    Client::connect(node.addr, &ca, &identity)
        .await
        .expect("the handshake succeeds")
}

async fn deployed(dir: &Path) -> (RunningNode, Client) {
    let node = start(config(dir)).await.expect("the node starts");
    let client = admin(&node, dir).await;
    client
        .push("c", encode(&counter(), None), None)
        .await
        .expect("deploy");
    (node, client)
}

fn keyed(client: &str, first_seq: u64, inputs: &[&str]) -> Request {
    Request::SendKeyed {
        instance: "c".into(),
        client: client.into(),
        first_seq,
        inputs: inputs.iter().map(|i| (*i).to_string()).collect(),
    }
}

fn outputs(texts: &[&str]) -> Response {
    Response::Outputs(texts.iter().map(|t| Outcome::Output((*t).into())).collect())
}

async fn turns(client: &Client) -> u64 {
    client.inspect(Some("c")).await.expect("inspect")[0].turns
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_keyed_frame_twice_on_one_stream_is_applied_once_and_answered_twice_alike() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let (node, client) = deployed(dir.path()).await;
    let frame = protocol::encode(7, &keyed("k1", 1, &["Incr(5)", "Get"]));
    let twice = [frame.clone(), frame].concat();
    let answers = client.request_raw(&twice, 2).await.expect("two answers");
    assert_eq!(answers, vec![outputs(&["Ok", "Value(5)"]); 2]);
    assert_eq!(turns(&client).await, 2);
    client.close().await;
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_from_a_new_connection_after_a_lost_reply_returns_the_recorded_outputs() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let (node, first) = deployed(dir.path()).await;
    let request = keyed("k2", 10, &["Incr(2)", "Get"]);
    // The first copy's reply is read and thrown away, as if the connection had died.
    let lost = first.request(&request).await.expect("answered");
    first.close().await;
    let second = admin(&node, dir.path()).await;
    second
        .send_many("c", &["Incr(100)".into()])
        .await
        .expect("another client");
    let retried = second.request(&request).await.expect("answered");
    assert_eq!(retried, lost);
    assert_eq!(retried, outputs(&["Ok", "Value(2)"]));
    let state = &second.inspect(Some("c")).await.expect("inspect")[0];
    assert_eq!((state.turns, state.state.as_str()), (3, "{ count: 102 }"));
    second.close().await;
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_survive_a_restart_so_a_retry_after_it_is_not_applied_again() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let (node, client) = deployed(dir.path()).await;
    let request = keyed("k3", 1, &["Incr(4)", "Decr(1)", "Get"]);
    let before = client.request(&request).await.expect("answered");
    client.close().await;
    node.shutdown().await;
    let node = start(config(dir.path())).await.expect("the node restarts");
    let client = admin(&node, dir.path()).await;
    assert_eq!(client.request(&request).await.expect("answered"), before);
    assert_eq!(turns(&client).await, 3);
    // A batch that overlaps the applied keys runs only its new inputs.
    let overlap = keyed("k3", 3, &["Get", "Incr(1)", "Get"]);
    let answer = client.request(&overlap).await.expect("answered");
    assert_eq!(answer, outputs(&["Value(3)", "Ok", "Value(4)"]));
    assert_eq!(turns(&client).await, 5);
    client.close().await;
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_whose_connection_was_lost_reconnects_and_keeps_its_keys() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let (node, client) = deployed(dir.path()).await;
    let client = client.with_client_id("k4", 1);
    let first = client.send_many("c", &["Incr(1)".into()]).await;
    assert_eq!(first.expect("sent"), vec![Outcome::Output("Ok".into())]);
    client.connection().close(0u32.into(), b"simulated loss");
    let second = client
        .send_many("c", &["Incr(1)".into(), "Get".into()])
        .await;
    let second = second.expect("retried on a new connection");
    assert_eq!(
        second,
        vec![
            Outcome::Output("Ok".into()),
            Outcome::Output("Value(2)".into())
        ]
    );
    assert_eq!(client.next_seq(), 4);
    // The same keys again, from a library client that names them, give the recorded answers.
    let again = client
        .send_keyed("c", 2, &["Incr(1)".into(), "Get".into()])
        .await;
    assert_eq!(again.expect("answered"), second);
    assert_eq!(turns(&client).await, 3);
    client.close().await;
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sends_of_one_client_arriving_out_of_order_are_each_applied() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let (node, client) = deployed(dir.path()).await;
    let later = client.request(&keyed("k5", 2, &["Incr(10)"])).await;
    let earlier = client.request(&keyed("k5", 1, &["Incr(1)"])).await;
    assert_eq!(later.expect("answered"), outputs(&["Ok"]));
    assert_eq!(earlier.expect("answered"), outputs(&["Ok"]));
    assert_eq!(
        client
            .send_unkeyed("c", &["Get".into()])
            .await
            .expect("get"),
        vec![Outcome::Output("Value(11)".into())]
    );
    client.close().await;
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_pages_through_a_long_history_with_upgrades_marked() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let (node, client) = deployed(dir.path()).await;
    let inputs: Vec<String> = (0..PAGE_ENTRIES + 10).map(|_| "Incr(1)".into()).collect();
    client.send_many("c", &inputs).await.expect("sent");
    client
        .push("c", encode(&counter_v2(None), None), None)
        .await
        .expect("upgrade");
    client.send_many("c", &["Get".into()]).await.expect("sent");
    let listing = client.log("c", 0, u64::MAX).await.expect("the log");
    let count = PAGE_ENTRIES + 13;
    assert_eq!(listing.entries.len() as u64, count);
    assert!(
        listing
            .entries
            .iter()
            .zip(0..)
            .all(|(e, p)| e.position == p)
    );
    let upgrade = &listing.entries[(PAGE_ENTRIES + 11) as usize];
    assert_eq!(
        upgrade.record,
        Record::Upgrade {
            to: hash(&counter_v2(None))
        }
    );
    assert_eq!(listing.entries[1].version, hash(&counter()));
    let last = listing.entries.last().expect("entries");
    assert_eq!(last.version, hash(&counter_v2(None)));
    let bounded = client.log("c", 3, 5).await.expect("a range");
    let positions: Vec<u64> = bounded.entries.iter().map(|e| e.position).collect();
    assert_eq!(positions, vec![3, 4, 5]);
    let unknown = client.log("nope", 0, u64::MAX).await;
    assert!(
        matches!(&unknown, Err(quiver_vm::node::client::ClientError::Refused(Refusal::UnknownInstance(n))) if n == "nope"),
        "{unknown:?}"
    );
    client.close().await;
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_certificate_may_read_the_log_and_send_keyed_inputs() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let (node, admin_client) = deployed(dir.path()).await;
    let pki = quiver_vm::node::pki::Pki::open(dir.path()).expect("the pki opens");
    let identity = pki
        .issue(quiver_vm::node::pki::Role::Client, "reader")
        .expect("a certificate is issued");
    let ca = std::fs::read_to_string(dir.path().join("ca.pem")).expect("ca.pem written");
    let client = Client::connect(node.addr, &ca, &identity)
        .await
        .expect("the handshake succeeds");
    let sent = client.send("c", "Incr(1)").await.expect("sent");
    assert_eq!(sent, Outcome::Output("Ok".into()));
    let listing = client.log("c", 0, u64::MAX).await.expect("the log");
    assert_eq!(listing.entries.len(), 2);
    let Record::Input { key: Some(key), .. } = &listing.entries[1].record else {
        panic!("a keyed input: {:?}", listing.entries[1]);
    };
    assert_eq!((key.client.as_str(), key.seq), (client.client_id(), 1));
    assert_eq!(client.client_id().len(), 32);
    client.close().await;
    admin_client.close().await;
    node.shutdown().await;
}
