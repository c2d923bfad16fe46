//! Golden transcripts of `quiver repl` driven through its non-terminal mode (stdin piped,
//! `--echo`): expressions and declarations, a `:reload` that migrates state, a refused
//! migration, time travel with a fork, and `:save` / `:replay`.
//!
//! Version hashes are replaced by `#1`, `#2`, ... in order of appearance, so the snapshots
//! show which versions are the same without depending on the compiler's exact output.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

const COUNTER_V1: &str = include_str!("../../examples/counter.sm");
const COUNTER_V2: &str = include_str!("../../examples/counter_v2.sm");

/// A version whose migration breaks `invariant count >= 0`.
const COUNTER_BROKEN: &str = "\
machine Counter {
    state { count: Int = 0, resets: Int = 0 }
    input  Incr(Int) | Decr(Int) | Reset | Get | Stats
    output Ok | Value(Int) | Rejected(String) | Info(Int, Int)
    invariant count >= 0
    on Incr(n) { count = count + n; Ok }
    on Decr(n) { count = count - n; Ok }
    on Reset { count = 0; Ok }
    on Get { Value(count) }
    on Stats { Info(count, resets) }
    migrate(old: { count: Int }) { { count: 0 - old.count - 1, resets: 0 } }
}
";

/// A running `quiver repl --echo counter.sm` in `dir`.
struct Repl {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    transcript: String,
    syncs: usize,
}

impl Repl {
    fn start(dir: &Path) -> Repl {
        let mut child = Command::new(env!("CARGO_BIN_EXE_quiver"))
            .args(["repl", "--echo", "counter.sm"])
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the quiver binary starts");
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        Repl {
            child,
            stdin,
            stdout,
            transcript: String::new(),
            syncs: 0,
        }
    }

    /// Sends lines and waits until the REPL has answered all of them.
    fn send(&mut self, lines: &str) {
        self.syncs += 1;
        let marker = format!("\"sync {}\"", self.syncs);
        let stdin = self.stdin.as_mut().expect("stdin is open until finish");
        write!(stdin, "{lines}\n{marker}\n").expect("stdin is writable");
        stdin.flush().expect("stdin flushes");
        let answer = format!("{marker} : String");
        loop {
            let mut line = String::new();
            let read = self
                .stdout
                .read_line(&mut line)
                .expect("stdout is readable");
            assert!(read > 0, "the REPL ended early:\n{}", self.transcript);
            if line.trim_end() == answer {
                break;
            }
            if line.trim_end() != format!("> {marker}") {
                self.transcript += &line;
            }
        }
    }

    /// Sends lines without waiting for answers.
    fn write(&mut self, lines: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is open until finish");
        writeln!(stdin, "{lines}").expect("stdin is writable");
    }

    /// Closes stdin and returns the transcript with hashes numbered.
    fn finish(mut self) -> String {
        drop(self.stdin.take());
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut self.stdout, &mut rest).expect("stdout is readable");
        self.transcript += &rest;
        let status = self.child.wait().expect("the REPL exits");
        assert!(status.success(), "the REPL failed:\n{}", self.transcript);
        number_hashes(&self.transcript)
    }
}

/// Replaces every 12-hex-digit word by `#n`, numbered by first appearance.
fn number_hashes(text: &str) -> String {
    let mut seen: Vec<String> = Vec::new();
    let mut out = String::new();
    let mut word = String::new();
    let mut flush = |word: &mut String, out: &mut String| {
        if word.len() == 12 && word.chars().all(|c| c.is_ascii_hexdigit()) {
            let index = seen.iter().position(|w| w == word).unwrap_or_else(|| {
                seen.push(word.clone());
                seen.len() - 1
            });
            *out += &format!("#{}", index + 1);
        } else {
            *out += word;
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn dir_with_counter(src: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("counter.sm"), src).expect("the source is written");
    dir
}

/// Runs a whole session in one go and returns its transcript.
fn check(src: &str, lines: &str) -> String {
    let dir = dir_with_counter(src);
    let mut repl = Repl::start(dir.path());
    repl.write(lines);
    repl.finish()
}

#[test]
fn expressions_lets_and_declarations_print_values_with_types() {
    let transcript = check(
        COUNTER_V1,
        "1 + 2\nlet x = 40\nx + 2\nfn double(n: Int) -> Int {\n    n * 2\n}\ndouble(x)\n\
         enum Light { Red, Green }\nLight.Green\n:type double(1) > 1\n[1, 2] \n\"a\" ++ \"b\"",
    );
    insta::assert_snapshot!(transcript);
}

#[test]
fn a_bad_line_is_reported_against_itself_and_the_session_goes_on() {
    let transcript = check(
        COUNTER_V1,
        "let x = 1\n1 + y\nx +\n10 / 0\nfn f() -> Int { \"no\" }\n:nosuch\nx",
    );
    assert!(transcript.ends_with("> x\n1 : Int\n"), "{transcript}");
    insta::assert_snapshot!(transcript);
}

#[test]
fn inputs_run_turns_and_show_what_changed() {
    let transcript = check(
        COUNTER_V1,
        ":new Counter\nIncr(5)\nGet\nDecr(9)\nIncr(-9)\n:state\n:new Counter as other\nIncr(1)\nother <- Incr(2)\n:state",
    );
    insta::assert_snapshot!(transcript);
}

#[test]
fn reload_hot_swaps_running_instances_through_the_declared_migration() {
    let dir = dir_with_counter(COUNTER_V1);
    let mut repl = Repl::start(dir.path());
    repl.send(":new Counter\nIncr(5)\nIncr(3)");
    std::fs::write(dir.path().join("counter.sm"), COUNTER_V2).expect("v2 is written");
    repl.send(":reload\nReset\nStats\n:state\n:history\n:reload");
    let transcript = repl.finish();
    assert!(
        transcript.contains("upgraded #1 -> #2, state { count: 8, resets: 0 }"),
        "{transcript}"
    );
    insta::assert_snapshot!(transcript);
}

#[test]
fn a_failing_migration_keeps_the_old_version_and_says_why() {
    let dir = dir_with_counter(COUNTER_V1);
    let mut repl = Repl::start(dir.path());
    repl.send(":new Counter\nIncr(5)");
    std::fs::write(dir.path().join("counter.sm"), COUNTER_BROKEN)
        .expect("the broken version is written");
    repl.send(":reload\n:state\nIncr(1)");
    let transcript = repl.finish();
    assert!(transcript.contains("refused"), "{transcript}");
    assert!(
        transcript.contains("still running #1, state { count: 5 }"),
        "{transcript}"
    );
    insta::assert_snapshot!(transcript);
}

#[test]
fn time_travel_moves_through_recorded_states_and_a_new_input_forks() {
    let transcript = check(
        COUNTER_V1,
        ":new Counter\nIncr(1)\nIncr(2)\nIncr(3)\n:history\n:back\n:back 5\n:forward 2\n:goto 1\n\
         Decr(1)\n:history\n:forward\n:goto 9",
    );
    assert!(
        transcript.contains("forked a new line at turn 1"),
        "{transcript}"
    );
    insta::assert_snapshot!(transcript);
}

#[test]
fn a_saved_session_replays_to_the_same_state() {
    let dir = dir_with_counter(COUNTER_V1);
    let mut repl = Repl::start(dir.path());
    repl.send(":new Counter as c\nc <- Incr(4)\nc <- Decr(1)\nc <- Incr(10)\n:back\n:save s.repl");
    let first = repl.finish();
    assert!(
        first.contains("saved 1 instance and 2 inputs to s.repl"),
        "{first}"
    );
    let mut again = Repl::start(dir.path());
    again.send(":replay s.repl\n:state");
    let transcript = again.finish();
    assert!(
        transcript.contains("c: Counter #1 at turn 2 of 2, state { count: 3 }"),
        "{transcript}"
    );
    insta::assert_snapshot!(transcript);
}

#[test]
fn a_failed_connect_is_reported_and_quit_still_ends_the_session() {
    let transcript = check(
        COUNTER_V1,
        ":connect 127.0.0.1:4433 --data no-such-dir\n:inspect\n:quit\n1 + 1",
    );
    assert!(
        transcript.contains("error: cannot read the node's CA `no-such-dir/ca.pem`"),
        "{transcript}"
    );
    assert!(
        transcript.contains("error: not connected to a node"),
        "{transcript}"
    );
    assert!(
        !transcript.contains("2 : Int"),
        "the session ended at :quit: {transcript}"
    );
}
