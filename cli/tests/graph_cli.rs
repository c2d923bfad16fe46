//! `quiver graph` as a user runs it: DOT to stdout, SVG to a file through Graphviz (skipped
//! with a notice when `dot` is not installed), and the clear message when it is missing.

use quiver_cli::graph;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the cli crate sits in the workspace")
        .to_path_buf()
}

fn quiver_with_path(args: &[&str], path_var: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_quiver"));
    command
        .args(args)
        .current_dir(workspace())
        .env("NO_COLOR", "1");
    if let Some(path_var) = path_var {
        command.env("PATH", path_var);
    }
    command.output().expect("the quiver binary runs")
}

fn quiver(args: &[&str]) -> Output {
    quiver_with_path(args, None)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

#[test]
fn graph_prints_the_machine_picture_as_dot_by_default() {
    let output = quiver(&["graph", "examples/turnstile.sm"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let dot = text(&output.stdout);
    assert!(dot.starts_with("digraph \"Turnstile\" {"), "{dot}");
    assert!(dot.contains("[label=\"Coin / Unlocked\"]"));
}

#[test]
fn graph_draws_arrows_of_a_named_machine() {
    let output = quiver(&[
        "graph",
        "examples/pipeline.sm",
        "--machine",
        "Limiter",
        "--what",
        "arrows",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).starts_with("digraph \"Limiter step\" {"));
}

#[test]
fn graph_of_an_unknown_machine_fails_with_a_diagnostic() {
    let output = quiver(&["graph", "examples/pipeline.sm", "--machine", "Limitr"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("no machine named `Limitr`"));
    assert!(output.stdout.is_empty());
}

#[test]
fn svg_without_graphviz_says_how_to_install_it() {
    let empty = tempfile::tempdir().expect("a temporary directory");
    let path_var = empty.path().to_string_lossy().to_string();
    let output = quiver_with_path(
        &["graph", "examples/turnstile.sm", "--format", "svg"],
        Some(&path_var),
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr).trim(),
        "error: Graphviz `dot` is not installed; install it (e.g. `apt-get install graphviz`) \
         or use --format dot"
    );
}

#[test]
fn svg_of_an_example_is_rendered_by_graphviz_when_installed() {
    if !graph::dot_installed() {
        eprintln!("SKIPPED: Graphviz `dot` is not installed, so no SVG was rendered");
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = dir.path().join("turnstile.svg");
    let out_arg = out.to_string_lossy().to_string();
    let output = quiver(&[
        "graph",
        "examples/turnstile.sm",
        "--format",
        "svg",
        "-o",
        &out_arg,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stderr).trim(), format!("wrote {out_arg}"));
    let svg = std::fs::read_to_string(&out).expect("the svg was written");
    assert!(svg.contains("<svg"), "{svg}");
    for label in ["Locked", "Open", "Coin / Unlocked", "on Push", "coins: Int"] {
        assert!(
            svg.contains(&format!(">{label}</text>")),
            "no {label} in the svg"
        );
    }
}

#[test]
fn svg_of_the_arrows_picture_renders_when_installed() {
    if !graph::dot_installed() {
        eprintln!("SKIPPED: Graphviz `dot` is not installed, so no SVG was rendered");
        return;
    }
    let src = std::fs::read_to_string(workspace().join("examples/thermostat.sm"))
        .expect("the thermostat example is readable");
    let compiled = quiver_lang::driver::compile(&src, "thermostat.sm", None).expect("it compiles");
    let svg = graph::render_svg(&graph::arrows_dot(&compiled.artifact)).expect("dot renders");
    assert!(svg.contains(">call clamp</text>"), "{svg}");
}
