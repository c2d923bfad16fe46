//! `quiver demo`, the main job: a live in-process node, clients over QUIC, a hot swap while
//! they send, a refused broken upgrade, and nothing lost.

use std::process::Command;

fn demo(args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_quiver"))
        .arg("demo")
        .args(args)
        .output()
        .expect("the quiver binary runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn the_demo_swaps_while_clients_send_and_loses_nothing() {
    let (code, out) = demo(&[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("upgraded: the instance paused"), "{out}");
    assert!(
        out.contains("refused: the migration trapped: invariant count >= 0 violated"),
        "{out}"
    );
    assert!(out.contains("still running v2"), "{out}");
    assert!(out.contains("(equal)"), "{out}");
    let summary = out.lines().last().unwrap_or_default();
    assert!(summary.contains(" answered, 0 lost, 0 errors"), "{summary}");
    assert!(summary.ends_with(": ok"), "{summary}");
}

#[test]
fn the_demo_runs_on_versions_given_with_old_and_new() {
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
    let old = format!("{examples}/counter.sm");
    let new = format!("{examples}/counter_v2.sm");
    let (code, out) = demo(&["--old", &old, "--new", &new]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("counter_v2.sm"), "{out}");
}

#[test]
fn the_demo_fails_when_the_new_version_cannot_take_the_running_state() {
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
    let old = format!("{examples}/counter.sm");
    let new = format!("{examples}/counter_v3.sm");
    let (code, out) = demo(&["--old", &old, "--new", &new]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("FAILED"), "{out}");
}
