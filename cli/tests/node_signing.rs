//! Signed swaps against real `quiver node` processes (`spec/security.md`): keys made by
//! `quiver keys generate`, a node started with `--trusted-keys`, signed pushes and rollbacks
//! through the binary, and hand-made signed requests through the client library for the
//! attacks the binary never makes (a signature for another instance or artifact, a replay,
//! a replay after a restart).

mod node_support;

use node_support::{NodeProcess, QUIVER, Run, example, example_hash};
use quiver_vm::bytecode::encode::encode;
use quiver_vm::hash::Hash;
use quiver_vm::node::client::{Client, ClientError};
use quiver_vm::node::pki::load_identity;
use quiver_vm::node::protocol::{Request, Response};
use quiver_vm::node::report::Refusal;
use quiver_vm::node::signing::{KeyPair, Operation, SignedSwap};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use tempfile::TempDir;

/// A dir with `release.key`/`.pub` and `mallory.key`/`.pub`, and `trusted/` holding only
/// `release.pub`.
struct Keys {
    dir: TempDir,
}

impl Keys {
    fn new() -> Keys {
        let dir = tempfile::tempdir().expect("a temp dir");
        for name in ["release", "mallory"] {
            keys_generate(dir.path(), name, &[]).expect_code(0);
        }
        let trusted = dir.path().join("trusted");
        std::fs::create_dir(&trusted).expect("trusted dir");
        std::fs::copy(dir.path().join("release.pub"), trusted.join("release.pub")).expect("copy");
        Keys { dir }
    }

    fn path(&self, file: &str) -> String {
        self.dir.path().join(file).display().to_string()
    }

    fn flags(&self) -> [String; 2] {
        ["--trusted-keys".into(), self.path("trusted")]
    }

    fn release(&self) -> KeyPair {
        KeyPair::read(&self.dir.path().join("release.key")).expect("release.key reads")
    }

    fn start_node(&self) -> NodeProcess {
        let [flag, dir] = self.flags();
        NodeProcess::start_with(&[&flag, &dir])
    }
}

fn keys_generate(dir: &Path, name: &str, extra: &[&str]) -> Run {
    let output = Command::new(QUIVER)
        .args(["keys", "generate", name, "--dir"])
        .arg(dir)
        .args(extra)
        .output()
        .expect("the quiver binary runs");
    Run::of(output)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
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

/// An example's encoded artifact and its hash.
fn artifact(name: &str) -> (Vec<u8>, Hash) {
    let path = example(name);
    let src = std::fs::read_to_string(&path).expect("the example is readable");
    let compiled = quiver_lang::driver::compile(&src, &path, None)
        .unwrap_or_else(|_| panic!("{name} compiles"));
    (
        encode(&compiled.artifact, Some(&compiled.debug)),
        compiled.hash,
    )
}

/// A signed push request built by hand: `swap` signed, sent with `bytes` as `instance`.
fn signed_push(instance: &str, bytes: &[u8], swap: &SignedSwap, key: &KeyPair) -> Request {
    Request::SignedPush {
        instance: instance.to_string(),
        artifact: bytes.to_vec(),
        expect: swap.expect,
        signature: swap.sign(key.signing_key()),
    }
}

fn refusal(response: Response) -> Refusal {
    match response {
        Response::Refused(refusal) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn keys_generate_writes_an_owner_only_secret_key_and_never_overwrites_without_force() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let made = keys_generate(dir.path(), "release", &[]).expect_code(0);
    assert!(made.stdout.contains("release.pub"), "{}", made.stdout);
    let secret = dir.path().join("release.key");
    let first = std::fs::read_to_string(&secret).expect("release.key");
    assert!(
        first.starts_with("quiver ed25519 secret key v1\n"),
        "{first}"
    );
    let public = std::fs::read_to_string(dir.path().join("release.pub")).expect("release.pub");
    assert!(
        public.starts_with("quiver ed25519 public key v1\n"),
        "{public}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = keys_generate(dir.path(), "release", &[]).expect_code(1);
    assert!(again.stderr.contains("--force"), "{}", again.stderr);
    assert_eq!(std::fs::read_to_string(&secret).expect("kept"), first);
    keys_generate(dir.path(), "release", &["--force"]).expect_code(0);
    assert_ne!(std::fs::read_to_string(&secret).expect("replaced"), first);
    keys_generate(dir.path(), "../escape", &[]).expect_code(1);
}

#[test]
fn a_node_with_trusted_keys_takes_signed_swaps_only_from_an_admin_with_a_trusted_key() {
    let keys = Keys::new();
    let node = keys.start_node();
    let (v1, v2) = (example_hash("counter.sm"), example_hash("counter_v2.sm"));
    let (counter, counter_v2) = (example("counter.sm"), example("counter_v2.sm"));
    let sign = |key: &str| ["--sign".to_string(), keys.path(key)];
    let push = |file: &str, key: Option<&str>| {
        let mut args = vec![
            "push".to_string(),
            file.to_string(),
            "--instance".into(),
            "c".into(),
        ];
        args.extend(key.map(sign).into_iter().flatten());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        node.quiver(&args)
    };

    let unsigned = push(&counter, None).expect_code(4);
    assert!(
        unsigned.stdout.contains("requires a signature to push"),
        "{}",
        unsigned.stdout
    );
    let untrusted = push(&counter, Some("mallory.key")).expect_code(4);
    assert!(
        untrusted.stdout.contains("is not trusted by this node"),
        "{}",
        untrusted.stdout
    );
    let deployed = push(&counter, Some("release.key")).expect_code(0);
    assert!(
        deployed.stdout.contains(&format!("deployed {v1}")),
        "{}",
        deployed.stdout
    );

    node.quiver(&["cert", "issue", "--role", "client", "bob"])
        .expect_code(0);
    let [flag, key] = sign("release.key");
    let as_client = node
        .quiver_with(
            &["push", &counter_v2, "--instance", "c", &flag, &key],
            &["--cert", "bob"],
        )
        .expect_code(4);
    assert!(
        as_client.stdout.contains("the `client` role may not push"),
        "{}",
        as_client.stdout
    );

    let upgraded = push(&counter_v2, Some("release.key")).expect_code(0);
    assert!(
        upgraded.stdout.contains(&format!("-> {v2}")),
        "{}",
        upgraded.stdout
    );
    let unsigned_rollback = node.quiver(&["rollback", "c"]).expect_code(4);
    assert!(
        unsigned_rollback
            .stderr
            .contains("requires a signature to roll back"),
        "{}",
        unsigned_rollback.stderr
    );
    let rolled = node.quiver(&["rollback", "c", &flag, &key]).expect_code(0);
    assert!(
        rolled.stdout.contains(&format!("now running {v1}")),
        "{}",
        rolled.stdout
    );
    let shown = node.quiver(&["inspect", "c"]).expect_code(0).stdout;
    assert!(shown.contains(&format!("running   {v1}")), "{shown}");
}

#[test]
fn signatures_for_another_instance_or_artifact_and_replays_are_refused_even_after_a_restart() {
    let keys = Keys::new();
    let mut node = keys.start_node();
    let key = keys.release();
    let (v1_bytes, v1) = artifact("counter.sm");
    let (v2_bytes, v2) = artifact("counter_v2.sm");
    let deploy = SignedSwap {
        operation: Operation::Deploy,
        instance: "c".into(),
        artifact: v1,
        expect: None,
        sequence: 1,
    };
    let runtime = runtime();
    runtime.block_on(async {
        let client = connect(&node).await;
        let for_other_instance = SignedSwap {
            instance: "d".into(),
            ..deploy.clone()
        };
        let request = signed_push("c", &v1_bytes, &for_other_instance, &key);
        let refused = refusal(client.request(&request).await.expect("an answer"));
        assert!(matches!(refused, Refusal::BadSignature { .. }), "{refused}");
        let for_other_artifact = SignedSwap {
            artifact: v2,
            ..deploy.clone()
        };
        let request = signed_push("c", &v1_bytes, &for_other_artifact, &key);
        let refused = refusal(client.request(&request).await.expect("an answer"));
        assert!(
            refused.to_string().contains("another artifact"),
            "{refused}"
        );

        let request = signed_push("c", &v1_bytes, &deploy, &key);
        let deployed = client.request(&request).await.expect("an answer");
        assert!(matches!(deployed, Response::Pushed(_)), "{deployed:?}");
        let replayed = refusal(client.request(&request).await.expect("an answer"));
        assert!(
            matches!(
                replayed,
                Refusal::StaleSequence {
                    presented: 1,
                    last: 1,
                    ..
                }
            ),
            "{replayed}"
        );
        client.close().await;
    });

    let [flag, dir] = keys.flags();
    node.restart(&[&flag, &dir]);
    runtime.block_on(async {
        let client = connect(&node).await;
        let state = client.signing_state("c").await.expect("the signing state");
        assert_eq!((state.next_sequence, state.versions.clone()), (2, vec![v1]));
        assert!(state.required);
        let replayed = refusal(
            client
                .request(&signed_push("c", &v1_bytes, &deploy, &key))
                .await
                .expect("an answer"),
        );
        assert!(
            matches!(replayed, Refusal::StaleSequence { .. }),
            "{replayed}"
        );
        let old_upgrade = SignedSwap {
            operation: Operation::Upgrade,
            artifact: v2,
            expect: Some(v1),
            ..deploy.clone()
        };
        let request = signed_push("c", &v2_bytes, &old_upgrade, &key);
        let refused = refusal(client.request(&request).await.expect("an answer"));
        assert!(
            refused
                .to_string()
                .contains("sign it again with sequence 2"),
            "{refused}"
        );
        let as_a_deploy = SignedSwap {
            artifact: v2,
            sequence: 2,
            ..deploy.clone()
        };
        let request = signed_push("c", &v2_bytes, &as_a_deploy, &key);
        let refused = refusal(client.request(&request).await.expect("an answer"));
        assert_eq!(refused, Refusal::SignedDeployExists("c".into()));
        let pushed = client
            .push_signed("c", v2_bytes.clone(), v2, None, &key)
            .await;
        assert!(pushed.is_ok(), "{pushed:?}");
        let unsigned = client.push("c", v1_bytes.clone(), Some(v2)).await;
        assert!(
            matches!(
                unsigned,
                Err(ClientError::Refused(Refusal::Unsigned { .. }))
            ),
            "{unsigned:?}"
        );
        let reports = client.inspect(Some("c")).await.expect("inspect");
        assert_eq!(reports[0].versions[0].hash, v2);
        client.close().await;
    });
}

#[test]
fn a_node_without_trusted_keys_says_swaps_are_unchecked_and_takes_signed_and_unsigned_pushes() {
    let keys = Keys::new();
    let data = tempfile::tempdir().expect("a temp dir");
    let mut child = Command::new(QUIVER)
        .args(["node", "--listen", "127.0.0.1:0", "--data"])
        .arg(data.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the node starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut said = Vec::new();
    let mut addr = String::new();
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        if let Some(rest) = line.strip_prefix("listening on ") {
            addr = rest.trim().to_string();
            break;
        }
        said.push(line);
    }
    let quiver = |args: &[&str]| {
        let mut command = Command::new(QUIVER);
        command
            .args(args)
            .arg("--data")
            .arg(data.path())
            .args(["--node", &addr]);
        Run::of(command.output().expect("the quiver binary runs"))
    };
    quiver(&["push", &example("counter.sm"), "--instance", "c"]).expect_code(0);
    quiver(&[
        "push",
        &example("counter_v2.sm"),
        "--instance",
        "c",
        "--sign",
        &keys.path("mallory.key"),
    ])
    .expect_code(0);
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        said.iter()
            .any(|line| line.starts_with("signatures: not checked")),
        "{said:?}"
    );
}
