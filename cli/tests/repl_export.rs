//! `quiver repl`'s `:open FILE.json [INSTANCE]` on a `quiver log --json` export written by
//! hand: the versions `:load`ed in the session rebuild it (an upgrade and a rollback included),
//! `:history` and `:goto` walk it, and a missing version, an export that does not start at the
//! deploy and a recorded output the replay does not give are refused clearly.

mod node_support;

use node_support::{example, example_hash, repl_piped};
use std::path::Path;

/// Runs `quiver repl` on `lines` and returns its stdout.
fn repl(lines: &str) -> String {
    repl_piped(&[], None, lines).0
}

/// One record of an export, as `quiver log --json` writes it.
fn record(position: u64, version: &str, kind: &str, input: Option<(&str, &str)>) -> String {
    let quoted = |s: &str| format!("\"{}\"", s.replace('"', "\\\""));
    let (input, outcome, text) = match input {
        Some((input, output)) => (quoted(input), quoted("output"), quoted(output)),
        None => ("null".into(), "null".into(), "null".into()),
    };
    format!(
        "{{\"position\":{position},\"version\":\"{version}\",\"kind\":\"{kind}\",\"input\":\
         {input},\"outcome\":{outcome},\"text\":{text},\"client\":null,\"seq\":null}}"
    )
}

/// A counter deployed on v1, upgraded to v2, rolled back to v1; `last` is its last output.
fn export(v1: &str, v2: &str, last: &str) -> String {
    let records = [
        record(0, v1, "deploy", None),
        record(1, v1, "input", Some(("Incr(5)", "Ok"))),
        record(
            2,
            v1,
            "input",
            Some(("Decr(10)", "Rejected(\"would go negative\")")),
        ),
        record(3, v2, "upgrade", None),
        record(4, v2, "input", Some(("Reset", "Ok"))),
        record(5, v1, "rollback", None),
        record(6, v1, "input", Some(("Get", last))),
    ];
    format!("[{}]", records.join(","))
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("the export is written");
    path.display().to_string()
}

#[test]
fn an_export_opens_through_the_loaded_versions_and_its_turns_can_be_walked() {
    let dir = tempfile::tempdir().expect("a temporary dir");
    let (v1, v2) = (example_hash("counter.sm"), example_hash("counter_v2.sm"));
    let file = write(dir.path(), "c1.json", &export(&v1, &v2, "Value(0)"));
    let (counter, counter_v2) = (example("counter.sm"), example("counter_v2.sm"));
    let out = repl(&format!(
        ":load {counter}\n:load {counter_v2}\n:open {file}\n:history\n:goto 1\n:goto 4"
    ));
    let (s1, s2) = (&v1[..12], &v2[..12]);
    assert!(
        out.contains(&format!(
            "c1: opened from {file}: 6 record(s) after position 0, running Counter {s1}, state \
             {{ count: 0 }}"
        )),
        "{out}"
    );
    let history: Vec<&str> = out
        .lines()
        .skip_while(|line| !line.contains("(start)"))
        .take(7)
        .collect();
    assert_eq!(history[0], "  0  (start)", "{out}");
    assert_eq!(history[1], "  1  Incr(5) => Ok", "{out}");
    assert_eq!(
        history[2],
        "  2  Decr(10) => Rejected(\"would go negative\")"
    );
    assert_eq!(history[3], format!("  3  upgrade {s1} -> {s2}"));
    assert_eq!(history[4], "  4  Reset => Ok", "{out}");
    assert_eq!(history[5], format!("  5  rollback {s2} -> {s1}"));
    assert_eq!(history[6], "* 6  Get => Value(0)", "{out}");
    assert!(
        out.contains("c1: at turn 1 of 6, state { count: 5 }"),
        "{out}"
    );
    assert!(
        out.contains("c1: at turn 4 of 6, state { count: 0, resets: 1 }"),
        "{out}"
    );
}

#[test]
fn an_export_is_refused_with_its_missing_versions_a_late_start_or_a_divergence() {
    let dir = tempfile::tempdir().expect("a temporary dir");
    let (v1, v2) = (example_hash("counter.sm"), example_hash("counter_v2.sm"));
    let file = write(dir.path(), "c1.json", &export(&v1, &v2, "Value(0)"));
    let counter = example("counter.sm");
    let missing = repl(&format!(":load {counter}\n:open {file}\n:state"));
    assert!(
        missing.contains(&format!(
            "error: the export runs version(s) this session has not compiled: {v2}"
        )),
        "{missing}"
    );
    assert!(missing.contains("`:load` the source of each"), "{missing}");
    assert!(missing.contains("no instances are running"), "{missing}");

    let late = write(
        dir.path(),
        "late.json",
        &format!("[{}]", record(1, &v1, "input", Some(("Incr(5)", "Ok")))),
    );
    let out = repl(&format!(":load {counter}\n:open {late} c"));
    assert!(
        out.contains("error: the export starts at position 1 (input), not at the deploy"),
        "{out}"
    );

    let diverged = write(dir.path(), "d.json", &export(&v1, &v2, "Value(7)"));
    let counter_v2 = example("counter_v2.sm");
    let out = repl(&format!(
        ":load {counter}\n:load {counter_v2}\n:open {diverged}"
    ));
    assert!(
        out.contains(
            "error: cannot rebuild `d` from the export: instance diverges at position 6: the \
             input was recorded as output `Value(7)` but replays as output `Value(0)`"
        ),
        "{out}"
    );
}
