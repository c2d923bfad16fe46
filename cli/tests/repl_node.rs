//! `quiver repl` driving a real `quiver node` (on `127.0.0.1:0`, temp data dir) through piped
//! stdin: `:connect`, `:push` (deploy, then an upgrade through the declared migration, then an
//! unchanged push), `:send`, `:inspect`, refusals, `:disconnect`, and connection errors that
//! do not end the session.
//!
//! The transcript is normalised before it is compared: the node's address becomes `ADDR`, its
//! data dir `DATA`, hashes `#1`, `#2`, ... by first appearance (a short hash and the full hash
//! it starts get the same number), and microsecond timings `N µs`.

mod node_support;

use node_support::{NodeProcess, example, repl_piped};
use std::path::Path;

/// Runs `quiver repl --echo` in `dir` on `lines` and returns its stdout.
fn repl(dir: &Path, lines: &str) -> String {
    let (text, ok) = repl_piped(&["--echo"], Some(dir), lines);
    assert!(ok, "the REPL failed:\n{text}");
    text
}

/// The transcript with the address, the data dir, hashes and timings made stable.
fn normalise(text: &str, node: &NodeProcess) -> String {
    let text = text
        .replace(&node.addr, "ADDR")
        .replace(&node.data().display().to_string(), "DATA");
    let mut seen: Vec<String> = Vec::new();
    let mut out = String::new();
    let mut word = String::new();
    let mut flush = |word: &mut String, out: &mut String| {
        let hex = word.chars().all(|c| c.is_ascii_hexdigit());
        if hex && (word.len() == 12 || word.len() == 64) {
            let short = &word[..12];
            let index = seen.iter().position(|w| w == short).unwrap_or_else(|| {
                seen.push(short.to_string());
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
    timings(&out)
}

/// Every number just before ` µs` replaced by `N`.
fn timings(text: &str) -> String {
    let pieces: Vec<&str> = text.split(" µs").collect();
    let last = pieces.len() - 1;
    let mut out = String::new();
    for (i, piece) in pieces.iter().enumerate() {
        if i == last {
            out += piece;
        } else {
            out += piece.trim_end_matches(|c: char| c.is_ascii_digit());
            out += "N µs";
        }
    }
    out
}

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

/// A directory with the two counter versions and a broken one, for `:load`.
fn dir_with_counters() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for name in ["counter.sm", "counter_v2.sm"] {
        std::fs::copy(example(name), dir.path().join(name)).expect("the example is copied");
    }
    std::fs::write(dir.path().join("broken.sm"), COUNTER_BROKEN).expect("the source is written");
    dir
}

#[test]
fn the_repl_pushes_sends_to_and_inspects_a_live_node() {
    let node = NodeProcess::start();
    let dir = dir_with_counters();
    let script = format!(
        ":load counter.sm\n:connect {} --data {}\n:push Counter as c1\n:send c1 Incr(5)\n\
         :send c1 Get\n:inspect c1\n:load counter_v2.sm\n:push Counter as c1\n\
         :push Counter as c1\n:send c1 Stats\n:inspect\n:disconnect\n:inspect\n1 + 1",
        node.addr,
        node.data().display()
    );
    let transcript = normalise(&repl(dir.path(), &script), &node);
    let expected = "\
> :load counter.sm
loaded counter.sm: machine Counter
> :connect ADDR --data DATA
connected to ADDR as `admin` (data dir DATA)
> :push Counter as c1
c1 on ADDR: deployed #1
> :send c1 Incr(5)
Ok
> :send c1 Get
Value(5)
> :inspect c1
instance c1
  running   #1 Counter
  state     { count: 5 }
  turns     2
  mailbox   0
  last swap none
> :load counter_v2.sm
loaded counter_v2.sm: machine Counter
> :push Counter as c1
c1 on ADDR: upgraded #1 -> #2, paused N µs (barrier to commit, migration included)
> :push Counter as c1
c1 on ADDR: unchanged: #2 is already running
> :send c1 Stats
Info(5, 0)
> :inspect
instance c1
  running   #2 Counter
  previous  #1 Counter
  state     { count: 5, resets: 0 }
  turns     3
  mailbox   0
  last swap upgrade #1 -> #2: swap N µs, pause N µs
> :disconnect
disconnected from ADDR
> :inspect
error: not connected to a node
  help: connect with `:connect ADDR` first
> 1 + 1
2 : Int
";
    assert_eq!(transcript, expected);
}

#[test]
fn node_refusals_and_rejected_inputs_are_printed_and_the_session_goes_on() {
    let node = NodeProcess::start();
    let dir = dir_with_counters();
    let script = format!(
        ":load counter.sm\n:connect {} --data {}\n:send nope Get\n:push Nope as c1\n\
         :push Counter as c1\n:send c1 Bogus\n:send c1 Decr(1)\n:load broken.sm\n:push Counter as c1\n\
         :send c1 Get",
        node.addr,
        node.data().display()
    );
    let transcript = normalise(&repl(dir.path(), &script), &node);
    assert!(
        transcript.contains("> :send nope Get\nerror: refused: no instance named `nope`"),
        "{transcript}"
    );
    assert!(transcript.contains("Nope"), "{transcript}");
    assert!(
        transcript.contains("> :send c1 Bogus\nerror: not a Counter input"),
        "{transcript}"
    );
    assert!(
        transcript.contains("> :push Counter as c1\nerror: refused:"),
        "a migration that breaks the invariant is refused:\n{transcript}"
    );
    assert!(
        transcript.ends_with("> :send c1 Get\nValue(0)\n"),
        "a rejected input and a refused push leave the state as it was:\n{transcript}"
    );
}

#[test]
fn connecting_to_no_node_is_an_error_and_the_session_goes_on() {
    let node = NodeProcess::start();
    let dir = dir_with_counters();
    // A port nothing listens on: bind one, note it, and let it go.
    let free = std::net::UdpSocket::bind("127.0.0.1:0").expect("a free UDP port");
    let addr = free.local_addr().expect("a bound socket has an address");
    drop(free);
    let script = format!(
        ":connect {addr} --data {}\n:connect {} --data missing-dir\n:inspect\n1 + 1",
        node.data().display(),
        node.addr
    );
    let transcript = repl(dir.path(), &script);
    assert!(
        transcript.contains(&format!("error: cannot reach the node at {addr}")),
        "{transcript}"
    );
    assert!(
        transcript.contains("error: cannot read the node's CA `missing-dir/ca.pem`"),
        "{transcript}"
    );
    assert!(
        transcript.contains("> :inspect\nerror: not connected to a node"),
        "{transcript}"
    );
    assert!(transcript.ends_with("> 1 + 1\n2 : Int\n"), "{transcript}");
}
