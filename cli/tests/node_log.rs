//! `quiver log` and keyed `quiver send` against a real node: the turns of an instance across an
//! upgrade (inputs, outputs, traps, rejections, versions), `--from`/`--to` bounds, `--json`, an
//! unknown instance; and a `send --client-id` run twice applies its inputs once.

mod node_support;

use node_support::{NodeProcess, example, example_hash};

fn short(hash: &str) -> &str {
    &hash[..12]
}

/// A node whose counter `c` ran inputs on v1 (one trapping, one rejected), then v2.
fn node_with_history() -> NodeProcess {
    let node = NodeProcess::start();
    node.quiver(&["push", &example("counter.sm"), "--instance", "c"])
        .expect_code(0);
    let inputs = node.data().join("v1.txt");
    std::fs::write(&inputs, "Incr(5)\nIncr(9223372036854775807)\nNope\n").expect("written");
    node.quiver(&["send", "c", "--inputs", &inputs.display().to_string()])
        .expect_code(3);
    node.quiver(&["push", &example("counter_v2.sm"), "--instance", "c"])
        .expect_code(0);
    node.quiver(&["send", "c", "Get"]).expect_code(0);
    node
}

#[test]
fn log_lists_every_turn_with_its_version_and_marks_the_upgrade() {
    let node = node_with_history();
    let (v1, v2) = (example_hash("counter.sm"), example_hash("counter_v2.sm"));
    let (v1, v2) = (short(&v1), short(&v2));
    let log = node.quiver(&["log", "c"]).expect_code(0);
    let lines: Vec<&str> = log.stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{}", log.stdout);
    assert_eq!(lines[0], format!("0  {v1}  === deploy"));
    assert_eq!(lines[1], format!("1  {v1}  Incr(5) -> Ok"));
    assert!(
        lines[2].starts_with(&format!(
            "2  {v1}  Incr(9223372036854775807) -> trap: integer overflow"
        )),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].starts_with(&format!("3  {v1}  Nope -> rejected: not a Counter input")),
        "{}",
        lines[3]
    );
    assert_eq!(lines[4], format!("4  {v2}  === upgrade from {v1} to {v2}"));
    assert_eq!(lines[5], format!("5  {v2}  Get -> Value(5)"));

    let bounded = node
        .quiver(&["log", "c", "--from", "1", "--to", "2"])
        .expect_code(0);
    let positions: Vec<&str> = bounded
        .stdout
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert_eq!(positions, ["1", "2"], "{}", bounded.stdout);

    let past = node.quiver(&["log", "c", "--from", "50"]).expect_code(0);
    assert_eq!(past.stdout, "no records of `c` in that range\n");

    let json = node
        .quiver(&["log", "c", "--from", "5", "--json"])
        .expect_code(0);
    assert!(
        json.stdout.starts_with("[{\"position\":5,\"version\":\""),
        "{}",
        json.stdout
    );
    assert!(
        json.stdout.contains(
            "\"kind\":\"input\",\"input\":\"Get\",\"outcome\":\"output\",\"text\":\"Value(5)\",\"client\":\""
        ),
        "{}",
        json.stdout
    );
}

#[test]
fn log_of_an_unknown_instance_or_a_backwards_range_is_an_error() {
    let node = NodeProcess::start();
    let unknown = node.quiver(&["log", "nope"]).expect_code(4);
    assert!(
        unknown.stderr.contains("no instance named `nope`"),
        "{}",
        unknown.stderr
    );
    let backwards = node
        .quiver(&["log", "nope", "--from", "3", "--to", "1"])
        .expect_code(2);
    assert!(
        backwards.stderr.contains("--from 3 is after --to 1"),
        "{}",
        backwards.stderr
    );
}

#[test]
fn send_with_a_client_id_run_twice_applies_its_inputs_once() {
    let node = NodeProcess::start();
    node.quiver(&["push", &example("counter.sm"), "--instance", "c"])
        .expect_code(0);
    let inputs = node.data().join("batch.txt");
    std::fs::write(&inputs, "Incr(2)\nGet\n").expect("written");
    let args = [
        "send",
        "c",
        "--inputs",
        &inputs.display().to_string(),
        "--client-id",
        "job-1",
    ];
    let first = node.quiver(&args).expect_code(0);
    let again = node.quiver(&args).expect_code(0);
    assert_eq!(first.stdout, "Ok\nValue(2)\n");
    assert_eq!(again.stdout, first.stdout);
    let next = node
        .quiver(&[
            "send",
            "c",
            "Get",
            "--client-id",
            "job-1",
            "--first-seq",
            "3",
        ])
        .expect_code(0);
    assert_eq!(next.stdout, "Value(2)\n");
    let log = node.quiver(&["log", "c", "--json"]).expect_code(0);
    assert_eq!(
        log.stdout.matches("\"client\":\"job-1\"").count(),
        3,
        "{}",
        log.stdout
    );
}
