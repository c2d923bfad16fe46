//! The limits through the binary: `quiver node --help` names every limit flag with its default,
//! the node prints the limits in force before it listens, a deploy past `--max-instances` exits
//! 4 with the flag's name, and a state past `--max-state-size` is an error line (exit 3).

mod node_support;

use node_support::{NodeProcess, QUIVER, Run, example};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn node_help_names_every_limit_with_its_default() {
    let help = Run::of(
        Command::new(QUIVER)
            .args(["node", "--help"])
            .output()
            .expect("the quiver binary runs"),
    )
    .expect_code(0);
    for (flag, default) in [
        ("--max-mailbox", "1024"),
        ("--max-instances", "1000"),
        ("--max-connections-per-client", "16"),
        ("--max-streams-per-connection", "64"),
        ("--max-in-flight", "256"),
        ("--max-state-size", "16000000"),
        ("--max-artifact-bytes", "16777216"),
        ("--max-program-entries", "1048576"),
        ("--max-depth", "256"),
        ("--fuel-turn", "1000000"),
        ("--fuel-migration", "100000000"),
    ] {
        let at = help
            .stdout
            .find(flag)
            .unwrap_or_else(|| panic!("{flag} in the help"));
        let rest = &help.stdout[at..];
        let end = rest.find("[default:").map_or(0, |d| d + 60).min(rest.len());
        let entry = rest[..end].split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            entry.contains(&format!("[default: {default}]")),
            "{flag} names its default {default}: {entry}"
        );
    }
}

#[test]
fn the_node_prints_the_limits_in_force_before_it_listens() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut child = Command::new(QUIVER)
        .args([
            "node",
            "--listen",
            "127.0.0.1:0",
            "--max-mailbox",
            "7",
            "--fuel-turn",
            "99",
        ])
        .arg("--data")
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the quiver binary starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut limits = None;
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        if line.starts_with("limits: ") {
            limits = Some(line);
        } else if line.starts_with("listening on ") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let limits = limits.expect("a limits line before `listening on`");
    assert!(
        limits.starts_with("limits: mailbox 7 items, 1000 instances"),
        "{limits}"
    );
    assert!(limits.contains("fuel 99 per turn"), "{limits}");
}

#[test]
fn a_deploy_past_max_instances_exits_four_naming_the_flag() {
    let node = NodeProcess::start_with(&["--max-instances", "1"]);
    node.quiver(&["push", &example("counter.sm"), "--instance", "a"])
        .expect_code(0);
    let refused = node
        .quiver(&["push", &example("counter.sm"), "--instance", "b"])
        .expect_code(4);
    assert!(
        refused.stdout.contains("--max-instances") || refused.stderr.contains("--max-instances"),
        "stdout: {}\nstderr: {}",
        refused.stdout,
        refused.stderr
    );
    node.quiver(&["send", "a", "Incr(1)"]).expect_code(0);
}

#[test]
fn a_turn_past_max_state_size_is_an_error_line_and_changes_nothing() {
    let node = NodeProcess::start_with(&["--max-state-size", "1"]);
    node.quiver(&["push", &example("kv.sm"), "--instance", "kv"])
        .expect_code(0);
    node.quiver(&["send", "kv", r#"Put("a", 1)"#])
        .expect_code(0);
    let refused = node
        .quiver(&["send", "kv", r#"Put("b", 2)"#])
        .expect_code(3);
    assert!(
        refused
            .stdout
            .contains("error: limit exceeded: the state would hold more than 1"),
        "{}",
        refused.stdout
    );
    let size = node.quiver(&["send", "kv", "Size"]).expect_code(0);
    assert_eq!(size.stdout.trim(), "Count(1)");
}
