//! Every bound of a node refused cleanly while well-behaved clients keep being served: a full
//! mailbox answers busy (and loses or duplicates nothing), connections per client certificate,
//! instances per node, the state size after a turn, the artifact size and depth, and fuel.
//! Nodes run in this process on 127.0.0.1 with port 0, over real QUIC.

use quiver_vm::bytecode::encode::encode;
use quiver_vm::limits::Limits;
use quiver_vm::node::admission::AdmissionLimits;
use quiver_vm::node::client::{BusyRetry, Client, ClientError};
use quiver_vm::node::core::{Item, Reply};
use quiver_vm::node::instances::{Instances, Pushed};
use quiver_vm::node::pki::{Identity, Pki, Role, load_identity};
use quiver_vm::node::protocol::{self, Request, Response};
use quiver_vm::node::report::{Outcome, Refusal};
use quiver_vm::node::server::{NodeConfig, RunningNode, start};
use quiver_vm::node::store::policy::SnapshotPolicy;
use quiver_vm::node::store::{Durability, Store};
use quiver_vm::node::version::prepare;
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;

const COUNTER: &str = include_str!("../../examples/counter.sm");
const KV: &str = include_str!("../../examples/kv.sm");

fn artifact(source: &str) -> Vec<u8> {
    let compiled = quiver_lang::driver::compile(source, "example.sm", None)
        .unwrap_or_else(|_| panic!("the example compiles"));
    encode(&compiled.artifact, Some(&compiled.debug))
}

struct TestNode {
    node: RunningNode,
    dir: TempDir,
}

impl TestNode {
    async fn start(configure: impl FnOnce(&mut NodeConfig)) -> TestNode {
        let dir = tempfile::tempdir().expect("a temp dir");
        let mut config = NodeConfig::new(([127, 0, 0, 1], 0).into(), dir.path().to_path_buf());
        config.durability = Durability::None;
        configure(&mut config);
        let node = start(config).await.expect("the node starts");
        TestNode { node, dir }
    }

    async fn connect(&self, identity: &Identity) -> Client {
        let ca = std::fs::read_to_string(self.dir.path().join("ca.pem")).expect("ca.pem");
        Client::connect(self.node.addr, &ca, identity)
            .await
            .expect("the handshake succeeds")
    }

    async fn admin(&self) -> Client {
        let admin = load_identity(self.dir.path(), "admin").expect("admin cert written");
        self.connect(&admin).await
    }

    fn issue(&self, name: &str) -> Identity {
        let pki = Pki::open(self.dir.path()).expect("the pki opens");
        pki.issue(Role::Client, name)
            .expect("a certificate is issued")
    }
}

fn output(text: &str) -> Outcome {
    Outcome::Output(text.into())
}

fn incrs(n: usize) -> Vec<String> {
    vec!["Incr(1)".to_string(); n]
}

#[tokio::test]
async fn an_input_finding_a_full_mailbox_is_answered_busy_and_not_applied() {
    // On this single-threaded runtime the actor cannot run between the three enqueues, so the
    // mailbox of one item is full when the second input arrives.
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = Store::open(dir.path(), Durability::None).expect("a store");
    let limits = Limits::default();
    let instances = Instances::new(
        limits.clone(),
        1,
        Arc::new(store),
        SnapshotPolicy::default(),
    );
    let version = prepare(&artifact(COUNTER), &limits).expect("the counter prepares");
    assert!(matches!(
        instances.push("c", version, None).await,
        Ok(Pushed::Deployed(_))
    ));
    let first = instances
        .enqueue("c", Item::Inputs(vec!["Incr(1)".into()]))
        .await
        .expect("the first input fits");
    let busy = Refusal::Busy {
        instance: "c".into(),
        queued: 1,
        capacity: 1,
    };
    for _ in 0..2 {
        let refused = instances
            .enqueue("c", Item::Inputs(vec!["Incr(10)".into()]))
            .await;
        assert_eq!(refused.err(), Some(busy.clone()));
    }
    assert!(matches!(first.await, Ok(Reply::Outputs(o)) if o == vec![output("Ok")]));
    let inspected = instances
        .enqueue("c", Item::Inspect)
        .await
        .expect("inspect");
    match inspected.await {
        Ok(Reply::Inspected(report)) => assert_eq!(report.state, "{ count: 1 }"),
        _ => panic!("the instance answers an inspection"),
    }
    assert_eq!(
        busy.to_string(),
        "instance `c` is busy: its mailbox holds 1 of 1 items, the node's --max-mailbox; the \
         input was not applied, retry after a short wait"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_busy_answer_a_stream_applies_nothing_more() {
    let node = TestNode::start(|config| config.mailbox_capacity = 1).await;
    let admin = node.admin().await;
    admin
        .push("c", artifact(COUNTER), None)
        .await
        .expect("deploy");
    // A long first item keeps the actor busy while the next three frames arrive together.
    let frame = |id: u64, inputs: Vec<String>| {
        let request = Request::Send {
            instance: "c".into(),
            inputs,
        };
        protocol::encode(id, &request)
    };
    let mut bytes = frame(1, incrs(20_000));
    for id in 2..=4 {
        bytes.extend(frame(id, incrs(1)));
    }
    let answers = admin.request_raw(&bytes, 4).await.expect("four answers");
    assert!(matches!(&answers[0], Response::Outputs(o) if o.len() == 20_000));
    let is_busy = |r: &Response| matches!(r, Response::Refused(Refusal::Busy { .. }));
    assert!(is_busy(&answers[2]) && is_busy(&answers[3]), "{answers:?}");
    let second_applied = matches!(&answers[1], Response::Outputs(o) if o.len() == 1);
    assert!(second_applied || is_busy(&answers[1]));
    let expected = 20_000 + i64::from(second_applied);
    let got = admin.send("c", "Get").await.expect("get");
    assert_eq!(got, output(&format!("Value({expected})")));
}

/// Four clients flood one instance whose mailbox holds one item.
async fn flood(node: &TestNode, retry: BusyRetry, per_client: usize) -> Vec<usize> {
    let mut tasks = Vec::new();
    for c in 0..4 {
        let mut client = node.connect(&node.issue(&format!("sender{c}"))).await;
        client.set_busy_retry(retry.clone());
        tasks.push(tokio::spawn(async move {
            let sent = client
                .send_many_with("c", &incrs(per_client))
                .await
                .expect("the sends are answered");
            assert!(sent.outcomes.iter().all(|o| *o == output("Ok")));
            assert_eq!(sent.busy.is_some(), sent.outcomes.len() < per_client);
            client.close().await;
            sent.outcomes.len()
        }));
    }
    let mut applied = Vec::new();
    for task in tasks {
        applied.push(task.await.expect("a sender finishes"));
    }
    applied
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_inputs_are_either_applied_once_or_not_at_all() {
    let node = TestNode::start(|config| config.mailbox_capacity = 1).await;
    let admin = node.admin().await;
    admin
        .push("c", artifact(COUNTER), None)
        .await
        .expect("deploy");
    // Without retries each sender learns exactly which prefix of its inputs was applied.
    let applied: usize = flood(&node, BusyRetry::none(), 3000).await.iter().sum();
    let got = admin.send("c", "Get").await.expect("get");
    assert_eq!(got, output(&format!("Value({applied})")));
    // With the default retries every input is applied, once.
    admin.send("c", "Reset").await.expect("reset");
    let applied = flood(&node, BusyRetry::default(), 3000).await;
    assert_eq!(applied, vec![3000; 4]);
    let got = admin.send("c", "Get").await.expect("get");
    assert_eq!(got, output("Value(12000)"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_past_its_connection_limit_is_refused_while_others_are_served() {
    let node = TestNode::start(|config| {
        config.admission = AdmissionLimits {
            connections_per_client: 2,
            ..AdmissionLimits::default()
        };
    })
    .await;
    let admin = node.admin().await;
    admin
        .push("c", artifact(COUNTER), None)
        .await
        .expect("deploy");
    let alice = node.issue("alice");
    let first = node.connect(&alice).await;
    let second = node.connect(&alice).await;
    for client in [&first, &second] {
        assert_eq!(client.send("c", "Incr(1)").await.ok(), Some(output("Ok")));
    }
    let third = node.connect(&alice).await;
    match third.send("c", "Incr(100)").await {
        Err(ClientError::Refused(refusal)) => assert_eq!(
            refusal.to_string(),
            "client `alice` already has 2 connections open, the node's \
             --max-connections-per-client; close one and retry"
        ),
        other => panic!("the third connection is refused, got {other:?}"),
    }
    let bob = node.connect(&node.issue("bob")).await;
    assert_eq!(bob.send("c", "Incr(1)").await.ok(), Some(output("Ok")));
    assert_eq!(first.send("c", "Get").await.ok(), Some(output("Value(3)")));
    // A closed connection frees its place (the node learns of the close asynchronously).
    second.close().await;
    let mut again = None;
    for _ in 0..100 {
        let client = node.connect(&alice).await;
        if client.send("c", "Get").await.is_ok() {
            again = Some(client);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        again.is_some(),
        "a new connection is admitted after one closed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deploy_past_the_instance_limit_is_refused_and_the_others_keep_serving() {
    let node = TestNode::start(|config| config.admission.instances = 2).await;
    let admin = node.admin().await;
    for name in ["a", "b"] {
        admin
            .push(name, artifact(COUNTER), None)
            .await
            .expect("deploy");
    }
    match admin.push("c", artifact(COUNTER), None).await {
        Err(ClientError::Refused(refusal)) => {
            assert_eq!(refusal, Refusal::TooManyInstances { running: 2 });
            assert!(refusal.to_string().contains("--max-instances"));
        }
        other => panic!("the third deploy is refused, got {other:?}"),
    }
    assert_eq!(admin.send("b", "Incr(2)").await.ok(), Some(output("Ok")));
    // Upgrading a running instance is not a deploy.
    assert!(admin.push("a", artifact(COUNTER), None).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_turn_past_the_state_size_limit_traps_and_leaves_the_state_unchanged() {
    let node = TestNode::start(|config| config.limits.state_size_max = 2).await;
    let admin = node.admin().await;
    admin.push("kv", artifact(KV), None).await.expect("deploy");
    let inputs: Vec<String> = [r#"Put("a", 1)"#, r#"Put("b", 2)"#, r#"Put("c", 3)"#, "Size"]
        .map(String::from)
        .to_vec();
    let outcomes = admin.send_many("kv", &inputs).await.expect("answers");
    assert_eq!(outcomes[..2], [output("Ok"), output("Ok")]);
    match &outcomes[2] {
        Outcome::Trapped(trap) => assert_eq!(
            trap.to_string(),
            "limit exceeded: the state would hold more than 2 collection entries, the node's \
             --max-state-size"
        ),
        other => panic!("the third put traps, got {other:?}"),
    }
    assert_eq!(outcomes[3], output("Count(2)"));
    // A turn that does not grow the state still runs.
    let again = admin.send("kv", r#"Put("a", 9)"#).await.expect("answer");
    assert_eq!(again, output("Ok"));
    let reports = admin.inspect(Some("kv")).await.expect("inspect");
    assert_eq!(reports[0].state, r#"{ data: {"a": 9, "b": 2}, writes: 3 }"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn artifacts_past_the_size_or_depth_limit_and_turns_past_their_fuel_are_refused() {
    let small = TestNode::start(|config| config.limits.artifact_bytes_max = 64).await;
    let admin = small.admin().await;
    match admin.push("c", artifact(COUNTER), None).await {
        Err(ClientError::Refused(Refusal::Undecodable(message))) => {
            assert!(message.contains("64"), "{message}")
        }
        other => panic!("an oversized artifact is refused, got {other:?}"),
    }
    let shallow = TestNode::start(|config| config.limits.depth_max = 2).await;
    let admin = shallow.admin().await;
    assert!(matches!(
        admin.push("c", artifact(COUNTER), None).await,
        Err(ClientError::Refused(
            Refusal::Undecodable(_) | Refusal::Unverified(_)
        ))
    ));
    // Enough fuel for the initial invariants at deploy, not for a turn and its invariants.
    let starved = TestNode::start(|config| config.limits.fuel_turn = 6).await;
    let admin = starved.admin().await;
    admin
        .push("c", artifact(COUNTER), None)
        .await
        .expect("deploy");
    match admin.send("c", "Incr(1)").await {
        Ok(Outcome::Trapped(trap)) => assert!(trap.to_string().contains("out of fuel")),
        other => panic!("a turn past its fuel traps, got {other:?}"),
    }
}
