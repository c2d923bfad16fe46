//! Nodes over real QUIC on 127.0.0.1 with ephemeral ports and temporary data dirs: pushes,
//! pipelined sends during repeated upgrades and rollbacks, refusals, mutual TLS and roles, and
//! frames no client should send.
#![cfg(feature = "node")]

mod common;

use common::{counter, counter_v2};
use quiver_vm::bytecode::encode::encode;
use quiver_vm::bytecode::{Arrow, Artifact, Migration, Site};
use quiver_vm::hash::hash;
use quiver_vm::node::client::{Client, ClientError};
use quiver_vm::node::pki::{Identity, Pki, Role, load_identity};
use quiver_vm::node::protocol::{self, Request, Response};
use quiver_vm::node::report::{Outcome, PushOutcome, Refusal, SwapKind};
use quiver_vm::node::server::{NodeConfig, RunningNode, start};
use quiver_vm::node::transport::anonymous_client_endpoint;
use quiver_vm::prim::Prim;
use std::net::SocketAddr;
use tempfile::TempDir;

struct TestNode {
    node: RunningNode,
    dir: TempDir,
}

impl TestNode {
    async fn start() -> TestNode {
        let dir = tempfile::tempdir().expect("a temp dir");
        let listen: SocketAddr = ([127, 0, 0, 1], 0).into();
        let node = start(NodeConfig::new(listen, dir.path().to_path_buf()))
            .await
            .expect("the node starts");
        TestNode { node, dir }
    }

    fn ca_pem(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("ca.pem")).expect("ca.pem written")
    }

    async fn connect(&self, identity: &Identity) -> Client {
        Client::connect(self.node.addr, &self.ca_pem(), identity)
            .await
            .expect("the handshake succeeds")
    }

    async fn admin(&self) -> Client {
        let admin = load_identity(self.dir.path(), "admin").expect("admin cert written");
        self.connect(&admin).await
    }

    async fn with_role(&self, role: Role) -> Client {
        let pki = Pki::open(self.dir.path()).expect("the pki opens");
        let identity = pki.issue(role, "tester").expect("a certificate is issued");
        self.connect(&identity).await
    }
}

fn bytes(artifact: &Artifact) -> Vec<u8> {
    encode(artifact, None)
}

/// Counter v3: v2's state and step under another name, migrating up by the derived identity
/// and down to v2 by the identity.
fn counter_v3() -> Artifact {
    let mut v3 = counter_v2(None);
    v3.name = "Counter3".into();
    v3.migrate_up = None;
    v3.migrate_down = Some(Migration {
        other: v3.state.clone(),
        body: Arrow::Id,
    });
    v3
}

fn outputs(texts: &[&str]) -> Vec<Outcome> {
    texts.iter().map(|t| Outcome::Output((*t).into())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_send_inspect_and_rollback_work_end_to_end() {
    let node = TestNode::start().await;
    assert!(node.node.created_pki);
    let admin = node.admin().await;
    let deployed = admin
        .push("c", bytes(&counter()), None)
        .await
        .expect("deploy");
    assert_eq!(
        deployed,
        PushOutcome::Deployed {
            hash: hash(&counter())
        }
    );
    let answers = admin
        .send_many("c", &["Incr(3)".into(), "Get".into()])
        .await;
    assert_eq!(answers.expect("sent"), outputs(&["Ok", "Value(3)"]));
    let upgraded = admin
        .push("c", bytes(&counter_v2(None)), Some(hash(&counter())))
        .await;
    assert!(
        matches!(upgraded, Ok(PushOutcome::Upgraded { .. })),
        "{upgraded:?}"
    );
    let report = admin.inspect(Some("c")).await.expect("inspect");
    assert_eq!(report[0].state, "{ count: 3, resets: 0 }");
    assert_eq!(report[0].turns, 2);
    assert_eq!(report[0].versions.len(), 2);
    let swap = admin.rollback("c").await.expect("rollback");
    assert_eq!((swap.kind, swap.to), (SwapKind::Rollback, hash(&counter())));
    assert_eq!(
        admin.send("c", "Get").await.expect("get"),
        Outcome::Output("Value(3)".into())
    );
    admin.close().await;
    node.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_clients_lose_nothing_while_the_counter_is_upgraded_and_rolled_back() {
    const CLIENTS: usize = 4;
    const ROUNDS: usize = 10;
    const PAIRS_PER_ROUND: usize = 300;
    let node = TestNode::start().await;
    let admin = node.admin().await;
    admin
        .push("c", bytes(&counter()), None)
        .await
        .expect("deploy");
    let mut senders = Vec::new();
    for _ in 0..CLIENTS {
        let client = node.with_role(Role::Client).await;
        senders.push(tokio::spawn(async move {
            let mut gets = Vec::new();
            for _ in 0..ROUNDS {
                let inputs: Vec<String> = (0..PAIRS_PER_ROUND)
                    .flat_map(|_| ["Incr(1)".to_string(), "Get".to_string()])
                    .collect();
                let outcomes = client.send_many("c", &inputs).await.expect("sent");
                assert_eq!(outcomes.len(), inputs.len(), "every input answered once");
                for pair in outcomes.chunks(2) {
                    assert_eq!(pair[0], Outcome::Output("Ok".into()));
                    let Outcome::Output(text) = &pair[1] else {
                        panic!("a get failed: {:?}", pair[1]);
                    };
                    let n: i64 = text
                        .strip_prefix("Value(")
                        .and_then(|t| t.strip_suffix(')'))
                        .and_then(|t| t.parse().ok())
                        .expect("a Value(n) output");
                    gets.push(n);
                }
            }
            gets
        }));
    }
    // Swap for as long as anyone is sending, at least one full cycle.
    let mut cycles = 0;
    while cycles == 0 || !senders.iter().all(|s| s.is_finished()) {
        admin
            .push("c", bytes(&counter_v2(None)), None)
            .await
            .expect("v1 -> v2");
        admin
            .push("c", bytes(&counter_v3()), None)
            .await
            .expect("v2 -> v3");
        admin.rollback("c").await.expect("v3 -> v2");
        admin.rollback("c").await.expect("v2 -> v1");
        cycles += 1;
    }
    for sender in senders {
        let gets = sender.await.expect("a sender finished");
        assert_eq!(gets.len(), ROUNDS * PAIRS_PER_ROUND);
        assert!(
            gets.windows(2).all(|w| w[0] < w[1]),
            "each client sees its own increments in order"
        );
    }
    let total = i64::try_from(CLIENTS * ROUNDS * PAIRS_PER_ROUND).expect("small");
    assert_eq!(
        admin.send("c", "Get").await.expect("get"),
        Outcome::Output(format!("Value({total})"))
    );
    let report = admin.inspect(Some("c")).await.expect("inspect");
    assert_eq!(
        report[0].turns,
        u64::try_from(2 * total + 1).expect("small")
    );
    node.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trapping_migration_leaves_v1_running_with_its_state() {
    let node = TestNode::start().await;
    let admin = node.admin().await;
    admin
        .push("c", bytes(&counter()), None)
        .await
        .expect("deploy");
    admin.send("c", "Incr(4)").await.expect("sent");
    let divide = common::seq(vec![
        Arrow::Fork(vec![Arrow::Proj(0), common::int_const(0)]),
        Arrow::Prim(Prim::Div, Site::NONE),
    ]);
    let trapping = counter_v2(Some(Arrow::Fork(vec![divide, common::int_const(0)])));
    let refused = admin.push("c", bytes(&trapping), None).await;
    assert!(
        matches!(
            refused,
            Err(ClientError::Refused(Refusal::MigrationTrapped(_)))
        ),
        "{refused:?}"
    );
    let report = admin.inspect(Some("c")).await.expect("inspect");
    assert_eq!(
        (report[0].versions[0].hash, report[0].state.as_str()),
        (hash(&counter()), "{ count: 4 }")
    );
    node.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_expect_is_refused() {
    let node = TestNode::start().await;
    let admin = node.admin().await;
    admin
        .push("c", bytes(&counter()), None)
        .await
        .expect("deploy");
    let wrong = hash(&counter_v3());
    let refused = admin.push("c", bytes(&counter_v2(None)), Some(wrong)).await;
    let Err(ClientError::Refused(Refusal::ExpectMismatch { expected, running })) = refused else {
        panic!("expected a compare-and-swap refusal: {refused:?}");
    };
    assert_eq!((expected, running), (wrong, Some(hash(&counter()))));
    let again = admin.push("c", bytes(&counter()), Some(wrong)).await;
    assert_eq!(
        again.expect("no-op"),
        PushOutcome::Unchanged {
            hash: hash(&counter())
        }
    );
    node.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupted_and_ill_typed_artifacts_are_refused() {
    let node = TestNode::start().await;
    let admin = node.admin().await;
    let mut corrupted = bytes(&counter());
    let middle = corrupted.len() / 2;
    corrupted[middle] ^= 0xff;
    corrupted.truncate(middle + 3);
    let refused = admin.push("c", corrupted, None).await;
    assert!(
        matches!(refused, Err(ClientError::Refused(Refusal::Undecodable(_)))),
        "{refused:?}"
    );
    let mut ill_typed = counter();
    ill_typed.step = Arrow::Proj(9);
    let refused = admin.push("c", bytes(&ill_typed), None).await;
    assert!(
        matches!(refused, Err(ClientError::Refused(Refusal::Unverified(_)))),
        "{refused:?}"
    );
    let unknown = admin.send("c", "Get").await;
    assert!(
        matches!(
            unknown,
            Err(ClientError::Refused(Refusal::UnknownInstance(_)))
        ),
        "{unknown:?}"
    );
    node.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_without_a_certificate_is_refused() {
    let node = TestNode::start().await;
    let endpoint = anonymous_client_endpoint(&node.ca_pem()).expect("an endpoint");
    // TLS 1.3 finishes the client side first, so the refusal shows on the first request.
    let outcome = match Client::connect_with(endpoint, node.node.addr).await {
        Ok(client) => client.inspect(None).await.map(|_| ()),
        Err(e) => Err(e),
    };
    assert!(outcome.is_err(), "an anonymous client got an answer");
    node.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_with_a_certificate_from_another_ca_is_refused() {
    let node = TestNode::start().await;
    let other = tempfile::tempdir().expect("a temp dir");
    let (other_pki, _) = Pki::open_or_create(other.path()).expect("another pki");
    let stranger = other_pki.issue(Role::Admin, "stranger").expect("issued");
    let outcome = match Client::connect(node.node.addr, &node.ca_pem(), &stranger).await {
        Ok(client) => client.inspect(None).await.map(|_| ()),
        Err(e) => Err(e),
    };
    assert!(outcome.is_err(), "a client of another CA got an answer");
    node.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_role_may_send_and_inspect_but_not_push_or_roll_back() {
    let node = TestNode::start().await;
    node.admin()
        .await
        .push("c", bytes(&counter()), None)
        .await
        .expect("deploy");
    let client = node.with_role(Role::Client).await;
    assert_eq!(
        client.send("c", "Incr(2)").await.expect("send"),
        Outcome::Output("Ok".into())
    );
    assert_eq!(client.inspect(None).await.expect("inspect").len(), 1);
    let pushed = client.push("c", bytes(&counter_v2(None)), None).await;
    let forbidden = Refusal::Forbidden {
        role: "client".into(),
        operation: "push".into(),
    };
    assert!(
        matches!(pushed, Err(ClientError::Refused(ref r)) if *r == forbidden),
        "{pushed:?}"
    );
    let rolled = client.rollback("c").await;
    assert!(
        matches!(rolled, Err(ClientError::Refused(Refusal::Forbidden { .. }))),
        "{rolled:?}"
    );
    node.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_frame_is_refused_and_the_node_keeps_serving_others() {
    let node = TestNode::start().await;
    let admin = node.admin().await;
    admin
        .push("c", bytes(&counter()), None)
        .await
        .expect("deploy");
    let attacker = node.with_role(Role::Client).await;
    let mut frame = (200u32 << 20).to_le_bytes().to_vec();
    frame.extend_from_slice(&[0; 64]);
    let answers = attacker
        .request_raw(&frame, 1)
        .await
        .expect("an error reply");
    let [Response::ProtocolError(message)] = &answers[..] else {
        panic!("expected a protocol error: {answers:?}");
    };
    assert!(
        message.starts_with("frame of 209715200 bytes is over the limit"),
        "{message}"
    );
    assert_eq!(
        admin.send("c", "Get").await.expect("still serving"),
        Outcome::Output("Value(0)".into())
    );
    assert_eq!(
        attacker.send("c", "Get").await.expect("its connection too"),
        Outcome::Output("Value(0)".into())
    );
    node.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_frame_gets_an_error_and_the_stream_goes_on() {
    let node = TestNode::start().await;
    let admin = node.admin().await;
    admin
        .push("c", bytes(&counter()), None)
        .await
        .expect("deploy");
    let mut garbage = 11u32.to_le_bytes().to_vec();
    garbage.extend_from_slice(&protocol::PROTOCOL_VERSION.to_le_bytes());
    garbage.extend_from_slice(&7u64.to_le_bytes());
    garbage.push(200);
    let inputs = Request::Send {
        instance: "c".into(),
        inputs: vec!["Get".into()],
    };
    let mut two = garbage.clone();
    two.extend_from_slice(&protocol::encode(8, &inputs));
    let answers = admin.request_raw(&two, 2).await.expect("two replies");
    assert!(
        matches!(answers[0], Response::ProtocolError(_)),
        "{answers:?}"
    );
    assert_eq!(answers[1], Response::Outputs(outputs(&["Value(0)"])));
    node.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_node_reuses_its_certificates() {
    let node = TestNode::start().await;
    let TestNode { node: running, dir } = node;
    running.shutdown().await;
    let listen: SocketAddr = ([127, 0, 0, 1], 0).into();
    let again = start(NodeConfig::new(listen, dir.path().to_path_buf()))
        .await
        .expect("restart");
    assert!(!again.created_pki);
    let admin = load_identity(dir.path(), "admin").expect("admin cert");
    let ca = std::fs::read_to_string(dir.path().join("ca.pem")).expect("ca");
    let client = Client::connect(again.addr, &ca, &admin)
        .await
        .expect("connect");
    assert_eq!(client.inspect(None).await.expect("inspect"), vec![]);
    again.shutdown().await;
}
