//! Golden tests of the pictures: the DOT of every machine of every example (`machine`), and of
//! every example's default machine's compiled step (`arrows`), snapshotted; plus what the
//! pictures must show, checked directly so that a reviewer need not read DOT to trust them.

use quiver_cli::graph::{self, arrows};
use quiver_lang::{analysis, driver};

#[test]
fn every_example_machine_picture_matches_its_snapshot() {
    insta::glob!("../../examples", "*.sm", |path| {
        let src = std::fs::read_to_string(path).expect("examples are readable");
        let file = driver::parse(&src).expect("examples parse");
        let mut snapshot = String::new();
        for name in analysis::machine_names(&file) {
            let dot = graph::machine_dot(&src, Some(&name)).expect("example machines draw");
            snapshot += &format!("== machine {name}\n{dot}\n");
        }
        insta::assert_snapshot!(snapshot);
    });
}

#[test]
fn every_example_arrows_picture_matches_its_snapshot() {
    insta::glob!("../../examples", "*.sm", |path| {
        let src = std::fs::read_to_string(path).expect("examples are readable");
        let compiled = driver::compile(&src, "example.sm", None).expect("examples compile");
        insta::assert_snapshot!(graph::arrows_dot(&compiled.artifact));
    });
}

fn turnstile() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/turnstile.sm"
    ))
    .expect("the turnstile example is readable")
}

/// The node id whose label is exactly `label` in a DOT text.
fn node_with_label(dot: &str, label: &str) -> String {
    let needle = format!("[label=\"{label}\"");
    let line = dot
        .lines()
        .find(|l| l.contains(&needle))
        .unwrap_or_else(|| panic!("no node labelled {label} in\n{dot}"));
    line.trim()
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn the_turnstile_picture_shows_coin_unlocking_the_locked_state() {
    let dot = graph::machine_dot(&turnstile(), None).expect("the turnstile draws");
    let locked = node_with_label(&dot, "Locked");
    let open = node_with_label(&dot, "Open");
    let edge = format!("{locked} -> {open} [label=\"Coin / Unlocked\"]");
    assert!(dot.contains(&edge), "missing {edge} in\n{dot}");
    let back = format!("{open} -> {locked} [label=\"Push / Passed\"]");
    assert!(dot.contains(&back), "missing {back} in\n{dot}");
    assert!(dot.contains("[label=\"start\"]"));
}

#[test]
fn the_pipeline_picture_wires_limiter_outputs_to_tally_handlers() {
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/pipeline.sm"
    ))
    .expect("the pipeline example is readable");
    let dot = graph::machine_dot(&src, None).expect("the pipeline draws");
    assert!(dot.contains("label=\"machine Limiter\""));
    assert!(dot.contains("label=\"machine Tally\""));
    let apply_out = node_with_label(&dot, "Apply(Int)");
    let apply_in = node_with_label(&dot, "on Apply(n)");
    let wire = format!("{apply_out} -> {apply_in} [label=\">>>\"");
    assert!(dot.contains(&wire), "missing {wire} in\n{dot}");
}

#[test]
fn pictures_are_deterministic() {
    let src = turnstile();
    let compiled = driver::compile(&src, "turnstile.sm", None).expect("the turnstile compiles");
    assert_eq!(
        graph::machine_dot(&src, None),
        graph::machine_dot(&src, None)
    );
    assert_eq!(
        graph::arrows_dot(&compiled.artifact),
        graph::arrows_dot(&compiled.artifact)
    );
}

#[test]
fn a_capped_arrows_picture_says_it_is_truncated() {
    let compiled =
        driver::compile(&turnstile(), "turnstile.sm", None).expect("the turnstile compiles");
    let dot = arrows::arrows_dot(&compiled.artifact, 5);
    assert!(dot.contains("TRUNCATED"), "no truncation note in\n{dot}");
    assert!(dot.contains("combinators\\nnot drawn"));
    let full = arrows::arrows_dot(&compiled.artifact, usize::MAX);
    assert!(!full.contains("TRUNCATED"));
    assert!(dot.lines().count() < full.lines().count());
}

#[test]
fn the_arrows_picture_names_case_lanes_by_variant() {
    let compiled =
        driver::compile(&turnstile(), "turnstile.sm", None).expect("the turnstile compiles");
    let dot = graph::arrows_dot(&compiled.artifact);
    assert!(
        dot.contains("PORT=\"a0\" BGCOLOR=\"#f3e3f5\">Coin</TD>"),
        "{dot}"
    );
    assert!(dot.contains(">Locked</TD>"));
    assert!(dot.contains("[label=\"add\""));
}

#[test]
fn a_machine_that_does_not_check_gives_diagnostics_not_a_picture() {
    let diagnostics = graph::machine_dot("machine M {", None).expect_err("broken source");
    assert!(!diagnostics.is_empty());
    let unknown = graph::machine_dot(&turnstile(), Some("Turnstyle")).expect_err("no such machine");
    assert!(unknown[0].message.contains("no machine named `Turnstyle`"));
}

const SIDE_BY_SIDE: &str = "enum Cmd { Add(Int), Tick }
enum Out { Total(Int) }
machine A { state { n: Int = 0 } input Cmd output Out
  on Add(k) { n = n + k; Total(n) } on Tick { Total(n) } }
machine B { state { m: Int = 0 } input Cmd output Out
  on Add(k) { m = m - k; Total(m) } on Tick { m = 0; Total(m) } }
machine Both = A *** B
machine Either = A ||| B
machine Fan = A &&& B
";

#[test]
fn parts_side_by_side_are_split_and_joined_by_their_operator() {
    // (machine, split node, a lane label, how many lanes carry it, join node)
    for (machine, split, lane, count, join) in [
        ("Both", "split (a, b)", ".1", 2, "pair (a', b')"),
        ("Either", "choose", "Right", 2, "merge"),
        ("Fan", "copy", "", 4, "pair (a', b')"),
    ] {
        let dot = graph::machine_dot(SIDE_BY_SIDE, Some(machine)).expect("the composite draws");
        let split_id = node_with_label(&dot, split);
        let join_id = node_with_label(&dot, join);
        let lanes = dot
            .lines()
            .filter(|l| l.trim().starts_with(&format!("{split_id} -> ")))
            .filter(|l| l.contains(&format!("[label=\"{lane}\"")))
            .count();
        assert_eq!(lanes, count, "{machine}: one lane per handler\n{dot}");
        let joined = dot.matches(&format!("-> {join_id} [")).count();
        assert_eq!(joined, 2, "{machine}: both parts' outputs join\n{dot}");
    }
}
