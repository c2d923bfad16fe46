//! `quiver replay` on the data dir of a real node after it was killed: the state at the end and
//! at an earlier position, across an upgrade, every output checked; and `--with` candidates
//! that match the recorded traffic or differ from it. A running node's store is refused.

mod node_support;

use node_support::{NodeProcess, example};

/// Writes `lines` as an inputs file in the node's data dir.
fn inputs(node: &NodeProcess, name: &str, lines: &[&str]) -> String {
    let path = node.data().join(name);
    std::fs::write(&path, lines.join("\n")).expect("the inputs file is written");
    path.display().to_string()
}

fn send(node: &NodeProcess, instance: &str, lines: &[&str]) {
    let file = inputs(node, &format!("{instance}.txt"), lines);
    node.quiver(&["send", instance, "--inputs", &file])
        .expect_code(0);
}

/// A node whose `c` went v1 -> v2 with inputs on both sides, and whose `d` ran v1 only; killed.
fn recorded_node() -> NodeProcess {
    let mut node = NodeProcess::start();
    for instance in ["c", "d"] {
        node.quiver(&["push", &example("counter.sm"), "--instance", instance])
            .expect_code(0);
    }
    send(&node, "c", &["Incr(2)", "Incr(3)", "Get"]);
    node.quiver(&["push", &example("counter_v2.sm"), "--instance", "c"])
        .expect_code(0);
    send(&node, "c", &["Reset", "Incr(4)", "Get"]);
    send(&node, "d", &["Incr(1)", "Get", "Get"]);
    let running = node.quiver(&["replay", "c"]).expect_code(1);
    assert!(
        running.stderr.contains("stopped node"),
        "{}",
        running.stderr
    );
    node.kill();
    node
}

#[test]
fn replay_rebuilds_states_across_an_upgrade_and_dry_runs_candidates() {
    let node = recorded_node();
    let end = node.quiver(&["replay", "c", "--state"]).expect_code(0);
    assert!(
        end.stdout.contains("state: { count: 4, resets: 1 }"),
        "{}",
        end.stdout
    );
    assert!(end.stdout.contains("6 input(s) checked"), "{}", end.stdout);
    assert!(
        end.stdout
            .contains("every recomputed output equals the recorded one")
    );

    let early = node
        .quiver(&["replay", "c", "--to", "2", "--state"])
        .expect_code(0);
    assert!(
        early.stdout.contains("state: { count: 5 }"),
        "{}",
        early.stdout
    );

    let same = node
        .quiver(&["replay", "d", "--with", &example("counter.sm")])
        .expect_code(0);
    assert!(
        same.stdout
            .contains("the candidate gives every recorded output")
    );

    let doubled = std::fs::read_to_string(example("counter.sm"))
        .expect("counter.sm")
        .replace("Value(count)", "Value(count * 2)");
    let candidate = node.data().join("doubled.sm");
    std::fs::write(&candidate, doubled).expect("the candidate is written");
    let differs = node
        .quiver(&["replay", "d", "--with", &candidate.display().to_string()])
        .expect_code(3);
    assert!(
        differs.stdout.contains(
            "3 input(s): 1 same, 0 trap(s), 0 invariant violation(s), 0 rejected, 2 other output(s)"
        ),
        "{}",
        differs.stdout
    );
    assert!(
        differs.stdout.contains(
            "position 2: Get (other output): recorded output Value(1), candidate output Value(2)"
        ),
        "{}",
        differs.stdout
    );
}

#[test]
fn replaying_an_unknown_instance_says_so() {
    let node = recorded_node();
    let missing = node.quiver(&["replay", "nope"]).expect_code(1);
    assert!(missing.stderr.contains("nope"), "{}", missing.stderr);
}
