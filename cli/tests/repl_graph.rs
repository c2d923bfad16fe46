//! `:graph` in `quiver repl`, driven through piped stdin: the picture file is written where
//! the REPL says, and is the same DOT that `quiver graph` draws for that machine.

use quiver_cli::graph;
use quiver_lang::driver;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const COUNTER: &str = include_str!("../../examples/counter.sm");

/// Runs `quiver repl --echo counter.sm` in `dir` on `lines` and returns its stdout.
fn repl(dir: &Path, lines: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_quiver"))
        .args(["repl", "--echo", "counter.sm"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the quiver binary starts");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    writeln!(stdin, "{lines}").expect("stdin is writable");
    drop(stdin);
    let output = child.wait_with_output().expect("the REPL exits");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "the REPL failed:\n{text}");
    text
}

fn dir_with_counter() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("counter.sm"), COUNTER).expect("the source is written");
    dir
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file} is written: {e}"))
}

#[test]
fn graph_writes_the_machine_picture_to_name_dot_by_default() {
    let dir = dir_with_counter();
    let transcript = repl(dir.path(), ":graph Counter");
    assert_eq!(
        transcript,
        "loaded counter.sm: machine Counter\n> :graph Counter\nwrote the machine picture of Counter to Counter.dot\n"
    );
    let expected = graph::machine_dot(COUNTER, Some("Counter")).expect("counter draws");
    assert_eq!(read(dir.path(), "Counter.dot"), expected);
    assert!(expected.starts_with("digraph"), "{expected}");
}

#[test]
fn graph_of_an_instance_draws_its_running_version_as_arrows() {
    let dir = dir_with_counter();
    let transcript = repl(dir.path(), ":new Counter as c\n:graph c arrows steps.dot");
    assert!(
        transcript.ends_with(
            "> :graph c arrows steps.dot\nwrote the arrows picture of Counter to steps.dot\n"
        ),
        "{transcript}"
    );
    let compiled = driver::compile(COUNTER, "counter.sm", Some("Counter")).expect("compiles");
    assert_eq!(
        read(dir.path(), "steps.dot"),
        graph::arrows_dot(&compiled.artifact)
    );
}

#[test]
fn graph_to_an_svg_file_renders_with_graphviz_or_says_it_is_missing() {
    let dir = dir_with_counter();
    let transcript = repl(dir.path(), ":graph Counter machine counter.svg");
    if graph::dot_installed() {
        assert!(
            transcript.contains("wrote the machine picture of Counter to counter.svg"),
            "{transcript}"
        );
        assert!(read(dir.path(), "counter.svg").contains("<svg"));
    } else {
        assert!(
            transcript.contains("error: Graphviz `dot` is not installed"),
            "{transcript}"
        );
        assert!(!dir.path().join("counter.svg").exists());
    }
}

#[test]
fn graph_of_an_unknown_machine_is_an_error_and_the_session_goes_on() {
    let dir = dir_with_counter();
    let transcript = repl(dir.path(), ":graph Nope\n:graph\n1 + 1");
    assert!(transcript.contains("Nope"), "{transcript}");
    assert!(
        transcript.contains("error: write `:graph NAME [machine|arrows] [FILE]`"),
        "{transcript}"
    );
    assert!(transcript.ends_with("> 1 + 1\n2 : Int\n"), "{transcript}");
    assert!(!dir.path().join("Nope.dot").exists());
}
