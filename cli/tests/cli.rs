//! The `quiver` binary as a user runs it: exit codes, output streams, files written, and
//! clear errors for bad input of every kind.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn quiver(args: &[&str]) -> Output {
    quiver_with_stdin(args, "")
}

fn quiver_with_stdin(args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_quiver"))
        .args(args)
        .current_dir(workspace())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the quiver binary starts");
    if let Some(mut input) = child.stdin.take() {
        input
            .write_all(stdin.as_bytes())
            .expect("stdin is writable");
    }
    child
        .wait_with_output()
        .expect("the quiver binary finishes")
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the cli crate sits in the workspace")
        .to_path_buf()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).to_string()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

#[test]
fn help_lists_every_subcommand_and_the_exit_codes() {
    let output = quiver(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    let help = stdout(&output);
    for word in ["check", "compile", "run", "Exit codes"] {
        assert!(help.contains(word), "--help lacks {word}:\n{help}");
    }
    let run_help = stdout(&quiver(&["run", "--help"]));
    for flag in ["--input", "--inputs", "--state", "--machine", "--engine"] {
        assert!(run_help.contains(flag), "run --help lacks {flag}");
    }
}

#[test]
fn check_passes_every_example_and_fails_every_error_example() {
    let mut examples: Vec<String> = std::fs::read_dir(workspace().join("examples"))
        .expect("examples/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sm"))
        .map(|p| {
            p.strip_prefix(workspace())
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        })
        .collect();
    examples.sort();
    let mut args = vec!["check"];
    args.extend(examples.iter().map(String::as_str));
    let output = quiver(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output).lines().count(), examples.len());

    let output = quiver(&["check", "examples/errors/missing_handler.sm"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("missing_handler.sm"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn run_prints_one_line_per_input_and_the_state() {
    let output = quiver_with_stdin(
        &[
            "run",
            "examples/counter.sm",
            "--input",
            "Incr(5)",
            "--inputs",
            "-",
            "--state",
        ],
        "Decr(10)\n\n// a comment\nGet\n",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "Ok\nRejected(\"would go negative\")\nValue(5)\nstate: { count: 5 }\n"
    );
}

#[test]
fn a_trapped_turn_prints_an_error_line_and_the_run_goes_on() {
    let output = quiver(&[
        "run",
        "examples/counter.sm",
        "--input",
        "Incr(9223372036854775807)",
        "--input",
        "Incr(1)",
        "--input",
        "Incr(9223372036854775807)",
        "--input",
        "Get",
    ]);
    assert_eq!(output.status.code(), Some(3));
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert_eq!(lines[0], "Ok");
    assert!(
        lines[1].starts_with("error: integer overflow at examples/counter.sm:25:"),
        "{out}"
    );
    assert!(
        lines[2].starts_with("error: integer overflow at examples/counter.sm:25:"),
        "{out}"
    );
    assert_eq!(
        lines[3], "Value(9223372036854775807)",
        "the trapped turns changed nothing"
    );
}

#[test]
fn input_text_that_does_not_fit_the_input_type_is_an_error_line() {
    let output = quiver(&[
        "run",
        "examples/counter.sm",
        "--input",
        "Incr(\"five\")",
        "--input",
        "Get",
    ]);
    assert_eq!(output.status.code(), Some(3));
    let out = stdout(&output);
    assert!(
        out.starts_with("error: cannot read input `Incr(\"five\")`"),
        "{out}"
    );
    assert!(out.ends_with("Value(0)\n"), "{out}");
}

#[test]
fn a_compiled_artifact_runs_like_its_source_and_prints_its_hash() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let artifact = dir.path().join("kv.smb");
    let artifact_arg = artifact.display().to_string();
    let output = quiver(&["compile", "examples/kv.sm", "-o", &artifact_arg]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let hash = stdout(&output);
    assert_eq!(hash.trim().len(), 64, "{hash}");
    assert!(hash.trim().chars().all(|c| c.is_ascii_hexdigit()));

    let again = quiver(&["compile", "examples/kv.sm", "-o", &artifact_arg]);
    assert_eq!(stdout(&again), hash, "compiling twice gives the same hash");

    let inputs = [
        "--input",
        "Put(\"a\", 1)",
        "--input",
        "Get(\"a\")",
        "--input",
        "Size",
    ];
    let from_artifact = quiver(&[&["run", &artifact_arg][..], &inputs[..]].concat());
    let from_source = quiver(&[&["run", "examples/kv.sm"][..], &inputs[..]].concat());
    assert_eq!(stdout(&from_artifact), "Ok\nFound(1)\nCount(1)\n");
    assert_eq!(stdout(&from_artifact), stdout(&from_source));
}

#[test]
fn a_corrupt_artifact_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let artifact = dir.path().join("counter.smb");
    let artifact_arg = artifact.display().to_string();
    let output = quiver(&["compile", "examples/counter.sm", "-o", &artifact_arg]);
    assert_eq!(output.status.code(), Some(0));
    let mut bytes = std::fs::read(&artifact).expect("the artifact was written");
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&artifact, &bytes).expect("the artifact is writable");
    let output = quiver(&["run", &artifact_arg, "--input", "Get"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("cannot load the artifact"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_missing_file_and_an_unknown_machine_are_clear_errors() {
    let output = quiver(&["run", "examples/nope.sm"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("cannot read examples/nope.sm"),
        "{}",
        stderr(&output)
    );

    let output = quiver(&["run", "examples/pipeline.sm", "--machine", "Tally2"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("no machine named `Tally2`") && err.contains("Tally"),
        "{err}"
    );
}

#[test]
fn emit_prints_each_stage() {
    for (stage, needle) in [
        ("tokens", "Ident(\"Counter\")"),
        ("ast", "MachineDecl"),
        ("typed", "Counter"),
        ("comb", "distl"),
        ("bytecode", "Counter"),
    ] {
        let output = quiver(&["compile", "examples/counter.sm", "--emit", stage]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "--emit {stage}: {}",
            stderr(&output)
        );
        assert!(
            stdout(&output).contains(needle),
            "--emit {stage} lacks {needle}"
        );
    }
}
