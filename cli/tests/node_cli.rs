//! The node commands against a real `quiver node` process: deploy, send, inspect, upgrade and
//! roll back through the binary, and every refusal the issue names (wrong `--expect`, a
//! trapping migration, a corrupted artifact, a `client` role pushing, no certificate or one
//! from another CA), each with its exit code.

mod node_support;

use node_support::{NodeProcess, QUIVER, Run, example, example_hash};
use quiver_vm::node::client::Client;
use quiver_vm::node::pki::{Pki, load_identity};
use quiver_vm::node::report::Refusal;
use quiver_vm::node::transport::anonymous_client_endpoint;
use std::net::SocketAddr;
use std::process::Command;

fn state_of(node: &NodeProcess, instance: &str) -> String {
    let run = node.quiver(&["inspect", instance, "--json"]).expect_code(0);
    let start = run
        .stdout
        .find("\"state\":\"")
        .expect("the JSON has a state")
        + 9;
    let end = start
        + run.stdout[start..]
            .find('"')
            .expect("the state string ends");
    run.stdout[start..end].to_string()
}

#[test]
fn push_send_inspect_and_rollback_work_through_the_binary() {
    let node = NodeProcess::start();
    let v1 = example_hash("counter.sm");
    let v2 = example_hash("counter_v2.sm");
    let deployed = node
        .quiver(&["push", &example("counter.sm"), "--instance", "c"])
        .expect_code(0);
    assert!(
        deployed.stdout.contains(&format!("deployed {v1}")),
        "{}",
        deployed.stdout
    );
    node.quiver(&["send", "c", "Incr(5)"]).expect_code(0);
    let inputs = node.data().join("inputs.txt");
    std::fs::write(&inputs, "// two more\nIncr(2)\n\nDecr(100)\nGet\n").expect("written");
    let sent = node
        .quiver(&["send", "c", "--inputs", &inputs.display().to_string()])
        .expect_code(0);
    assert_eq!(
        sent.stdout,
        "Ok\nRejected(\"would go negative\")\nValue(7)\n"
    );
    let upgraded = node
        .quiver(&[
            "push",
            &example("counter_v2.sm"),
            "--instance",
            "c",
            "--expect",
            &v1,
        ])
        .expect_code(0);
    assert!(
        upgraded.stdout.contains(&format!("-> {v2}")),
        "{}",
        upgraded.stdout
    );
    assert_eq!(state_of(&node, "c"), "{ count: 7, resets: 0 }");
    let shown = node.quiver(&["inspect"]).expect_code(0).stdout;
    assert!(
        shown.contains(&format!("running   {v2} Counter")),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("previous  {v1} Counter")),
        "{shown}"
    );
    assert!(shown.contains("turns     4"), "{shown}");
    assert!(shown.contains("last swap upgrade"), "{shown}");
    node.quiver(&["rollback", "c"]).expect_code(0);
    assert_eq!(node.quiver(&["send", "c", "Get"]).stdout, "Value(7)\n");
    let again = node.quiver(&["rollback", "c"]).expect_code(4);
    assert!(
        again.stderr.contains("no previous version"),
        "{}",
        again.stderr
    );
}

#[test]
fn pushing_the_running_version_again_changes_nothing() {
    let node = NodeProcess::start();
    node.quiver(&["push", &example("counter.sm"), "--instance", "c"])
        .expect_code(0);
    let again = node
        .quiver(&["push", &example("counter.sm"), "--instance", "c"])
        .expect_code(0);
    assert!(again.stdout.contains("unchanged"), "{}", again.stdout);
}

#[test]
fn a_trapping_input_prints_an_error_line_and_exits_three() {
    let node = NodeProcess::start();
    node.quiver(&["push", &example("counter.sm"), "--instance", "c"])
        .expect_code(0);
    let run = node.quiver(&["send", "c", "Incr(-1)"]).expect_code(3);
    assert!(
        run.stdout
            .starts_with("error: invariant count >= 0 violated (bytes "),
        "{}",
        run.stdout
    );
    let unknown = node.quiver(&["send", "c", "Stats"]).expect_code(3);
    assert!(
        unknown.stdout.starts_with("error: not a Counter input"),
        "{}",
        unknown.stdout
    );
}

#[test]
fn a_wrong_expect_is_refused_and_the_old_version_keeps_running() {
    let node = NodeProcess::start();
    node.quiver(&["push", &example("counter.sm"), "--instance", "c"])
        .expect_code(0);
    let wrong = example_hash("counter_v3.sm");
    let run = node
        .quiver(&[
            "push",
            &example("counter_v2.sm"),
            "--instance",
            "c",
            "--expect",
            &wrong,
        ])
        .expect_code(4);
    assert!(run.stdout.contains("expected version"), "{}", run.stdout);
    assert_eq!(state_of(&node, "c"), "{ count: 0 }");
    let malformed = node
        .quiver(&[
            "push",
            &example("counter_v2.sm"),
            "--instance",
            "c",
            "--expect",
            "abc",
        ])
        .expect_code(1);
    assert!(
        malformed.stderr.contains("64 hex digits"),
        "{}",
        malformed.stderr
    );
}

#[test]
fn a_migration_that_traps_leaves_the_old_version_running_with_its_state() {
    let node = NodeProcess::start();
    node.quiver(&["push", &example("counter.sm"), "--instance", "c"])
        .expect_code(0);
    node.quiver(&["send", "c", "Incr(3)"]).expect_code(0);
    let broken = node.data().join("broken.sm");
    let src = std::fs::read_to_string(example("counter_v2.sm"))
        .expect("readable")
        .replace(
            "{ count: old.count, resets: 0 }",
            "{ count: 0 - old.count, resets: 0 }",
        );
    std::fs::write(&broken, src).expect("written");
    let run = node
        .quiver(&["push", &broken.display().to_string(), "--instance", "c"])
        .expect_code(4);
    assert!(
        run.stdout
            .contains("the migration trapped: invariant count >= 0 violated"),
        "{}",
        run.stdout
    );
    assert_eq!(state_of(&node, "c"), "{ count: 3 }");
    let shown = node.quiver(&["inspect", "c"]).expect_code(0).stdout;
    assert!(
        shown.contains(&format!("running   {} Counter", example_hash("counter.sm"))),
        "{shown}"
    );
}

#[test]
fn a_corrupted_artifact_is_refused_by_the_cli_and_by_the_node() {
    let node = NodeProcess::start();
    let smb = node.data().join("counter.smb");
    let compiled = Command::new(QUIVER)
        .args(["compile", &example("counter.sm"), "-o"])
        .arg(&smb)
        .output()
        .expect("compile runs");
    assert!(compiled.status.success());
    let mut bytes = std::fs::read(&smb).expect("the artifact was written");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    bytes.truncate(bytes.len() - 3);
    std::fs::write(&smb, &bytes).expect("written");
    let run = node
        .quiver(&["push", &smb.display().to_string(), "--instance", "c"])
        .expect_code(1);
    assert!(
        run.stderr.contains("cannot load the artifact"),
        "{}",
        run.stderr
    );
    let refusal = tokio_runtime().block_on(async {
        let admin = load_identity(node.data(), "admin").expect("admin cert");
        let ca = std::fs::read_to_string(node.data().join("ca.pem")).expect("ca");
        let client = Client::connect(addr(&node), &ca, &admin)
            .await
            .expect("connects");
        client.push("c", bytes, None).await
    });
    assert!(
        matches!(
            refusal,
            Err(quiver_vm::node::client::ClientError::Refused(
                Refusal::Undecodable(_)
            ))
        ),
        "{refusal:?}"
    );
    let none = node.quiver(&["inspect"]).expect_code(0).stdout;
    assert!(none.starts_with("no instances"), "{none}");
}

#[test]
fn a_client_role_certificate_may_send_but_not_push_or_roll_back() {
    let node = NodeProcess::start();
    node.quiver(&["push", &example("counter.sm"), "--instance", "c"])
        .expect_code(0);
    let issued = node
        .quiver(&["cert", "issue", "--role", "client", "bob"])
        .expect_code(0);
    assert!(issued.stdout.contains("bob.pem"), "{}", issued.stdout);
    node.quiver_with(&["send", "c", "Incr(1)"], &["--cert", "bob"])
        .expect_code(0);
    let push = node
        .quiver_with(
            &["push", &example("counter_v2.sm"), "--instance", "c"],
            &["--cert", "bob"],
        )
        .expect_code(4);
    assert!(
        push.stdout.contains("the `client` role may not push"),
        "{}",
        push.stdout
    );
    let rollback = node
        .quiver_with(&["rollback", "c"], &["--cert", "bob"])
        .expect_code(4);
    assert!(
        rollback.stderr.contains("may not roll back"),
        "{}",
        rollback.stderr
    );
    assert_eq!(state_of(&node, "c"), "{ count: 1 }");
}

#[test]
fn a_client_without_a_certificate_or_from_another_ca_is_refused() {
    let node = NodeProcess::start();
    let other = tempfile::tempdir().expect("a temp dir");
    Pki::open_or_create(other.path()).expect("another CA");
    let mut command = Command::new(QUIVER);
    command
        .args(["inspect", "--node", &node.addr, "--data"])
        .arg(other.path());
    let foreign = Run::of(command.output().expect("runs")).expect_code(5);
    assert!(foreign.stderr.contains(&node.addr), "{}", foreign.stderr);
    assert!(
        foreign
            .stderr
            .contains("help: check that `quiver node` is running"),
        "{}",
        foreign.stderr
    );
    let anonymous = tokio_runtime().block_on(async {
        let ca = std::fs::read_to_string(node.data().join("ca.pem")).expect("ca");
        let endpoint = anonymous_client_endpoint(&ca).expect("an endpoint");
        match Client::connect_with(endpoint, addr(&node)).await {
            Ok(client) => client.inspect(None).await.map(|_| ()),
            Err(error) => Err(error),
        }
    });
    assert!(
        anonymous.is_err(),
        "a client with no certificate was served"
    );
    node.quiver(&["inspect"]).expect_code(0);
}

#[test]
fn missing_credentials_say_how_to_get_them() {
    let empty = tempfile::tempdir().expect("a temp dir");
    let mut command = Command::new(QUIVER);
    command
        .args(["send", "c", "Get", "--data"])
        .arg(empty.path());
    let run = Run::of(command.output().expect("runs")).expect_code(1);
    assert!(
        run.stderr.contains("cannot read the node's CA"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("start `quiver node --data"),
        "{}",
        run.stderr
    );
}

#[cfg(unix)]
#[test]
fn the_node_stops_cleanly_on_sigterm_and_keeps_its_certificates() {
    let mut node = NodeProcess::start();
    let killed = Command::new("kill")
        .args(["-TERM", &node.pid().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = node
        .wait_exit(std::time::Duration::from_secs(10))
        .expect("the node exits after SIGTERM");
    assert!(status.success(), "{status:?}");
    // The process has exited, but its last lines may still be on their way from the thread
    // reading its stdout: drain until that thread hangs up (bounded, in case it never does).
    let mut said: Vec<String> = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        match node.lines.recv_timeout(left) {
            Ok(line) => said.push(line),
            Err(_) => break,
        }
    }
    assert!(said.contains(&"stopped".to_string()), "{said:?}");
    let restarted = Command::new(QUIVER)
        .args(["cert", "issue", "--role", "admin", "ops", "--data"])
        .arg(node.data())
        .output()
        .expect("runs");
    assert!(restarted.status.success());
}

fn addr(node: &NodeProcess) -> SocketAddr {
    node.addr.parse().expect("the node prints a socket address")
}

fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}
