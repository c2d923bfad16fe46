//! `quiver repl`'s `:open DIR [INSTANCE]` on the data dir of a real node: the recorded turns
//! (across an upgrade, a trap and a rejection included) become the instance's line, so
//! `:history`, `:goto` and `:back` walk them; a running node's store is refused clearly. The
//! same log exported with `quiver log --json` opens as the same line (`:open FILE.json`).

mod node_support;

use node_support::{NodeProcess, example, example_hash, repl_piped};

/// Runs `quiver repl` on `lines` and returns its stdout.
fn repl(lines: &str) -> String {
    repl_piped(&[], None, lines).0
}

/// A node whose counter `c` took inputs on v1 and v2; `d` exists too.
fn recorded_node() -> NodeProcess {
    let node = NodeProcess::start();
    for instance in ["c", "d"] {
        node.quiver(&["push", &example("counter.sm"), "--instance", instance])
            .expect_code(0);
    }
    let inputs = node.data().join("v1.txt");
    std::fs::write(&inputs, "Incr(5)\nIncr(9223372036854775807)\nNope\n").expect("written");
    node.quiver(&["send", "c", "--inputs", &inputs.display().to_string()])
        .expect_code(3);
    node.quiver(&["push", &example("counter_v2.sm"), "--instance", "c"])
        .expect_code(0);
    node.quiver(&["send", "c", "Reset"]).expect_code(0);
    node
}

#[test]
fn open_walks_a_stopped_nodes_recorded_turns_and_refuses_a_running_one() {
    let mut node = recorded_node();
    let dir = node.data().display().to_string();
    let running = repl(&format!(":open {dir} c"));
    assert!(
        running.contains("a running node holds its store"),
        "{running}"
    );
    let export = node.data().join("c.json");
    let listed = node.quiver(&["log", "c", "--json"]).expect_code(0);
    std::fs::write(&export, &listed.stdout).expect("the export is written");
    node.kill();

    let several = repl(&format!(":open {dir}"));
    assert!(several.contains("several instances: c, d"), "{several}");

    let (v1, v2) = (example_hash("counter.sm"), example_hash("counter_v2.sm"));
    let (v1, v2) = (&v1[..12], &v2[..12]);
    let out = repl(&format!(":open {dir} c\n:history\n:goto 1\n:back\n:goto 4"));
    assert!(
        out.contains(&format!(
            "c: opened from {dir}: 5 record(s) after position 0, running Counter {v2}, state \
             {{ count: 0, resets: 1 }}"
        )),
        "{out}"
    );
    let history: Vec<&str> = out
        .lines()
        .skip_while(|line| !line.contains("(start)"))
        .take(6)
        .collect();
    assert_eq!(history[0], "  0  (start)", "{out}");
    assert_eq!(history[1], "  1  Incr(5) => Ok", "{out}");
    assert!(history[2].starts_with("  2  Incr(9223372036854775807) => error: integer overflow"));
    assert!(history[3].starts_with("  3  Nope => error: not a Counter input"));
    assert_eq!(history[4], format!("  4  upgrade {v1} -> {v2}"));
    assert_eq!(history[5], "* 5  Reset => Ok", "{out}");
    assert!(
        out.contains("c: at turn 1 of 5, state { count: 5 }"),
        "{out}"
    );
    assert!(
        out.contains("c: at turn 0 of 5, state { count: 0 }"),
        "{out}"
    );
    assert!(
        out.contains("c: at turn 4 of 5, state { count: 5, resets: 0 }"),
        "{out}"
    );
    assert_the_export_opens_as_the_same_line(&export, v1, v2);
}

/// The export of the same log opens as the same line, through the session's versions.
fn assert_the_export_opens_as_the_same_line(export: &std::path::Path, v1: &str, v2: &str) {
    let (counter, counter_v2) = (example("counter.sm"), example("counter_v2.sm"));
    let out = repl(&format!(
        ":load {counter}\n:load {counter_v2}\n:open {}\n:history",
        export.display()
    ));
    assert!(
        out.contains(&format!(
            "c: opened from {}: 5 record(s) after position 0, running Counter {v2}",
            export.display()
        )),
        "{out}"
    );
    assert!(out.contains("  2  Incr(9223372036854775807) => error: integer overflow"));
    assert!(
        out.contains("  3  Nope => error: not a Counter input"),
        "{out}"
    );
    assert!(out.contains(&format!("  4  upgrade {v1} -> {v2}")), "{out}");
    assert!(out.contains("* 5  Reset => Ok"), "{out}");
}
