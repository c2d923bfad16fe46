//! What the node tests share: a real `quiver node` process on `127.0.0.1:0` with its own
//! temporary data dir (killed when dropped, even when a test fails), and running the `quiver`
//! binary against it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use tempfile::TempDir;

pub const QUIVER: &str = env!("CARGO_BIN_EXE_quiver");

/// A running `quiver node`; dropping it kills the process.
pub struct NodeProcess {
    child: Child,
    pub addr: String,
    pub dir: TempDir,
    /// The node's stdout lines after `listening on`.
    pub lines: mpsc::Receiver<String>,
}

impl NodeProcess {
    /// Starts a node and waits for its `listening on ADDR` line.
    pub fn start() -> NodeProcess {
        NodeProcess::start_with(&[])
    }

    /// Starts a node with more `quiver node` flags (e.g. `--durability sync`).
    pub fn start_with(flags: &[&str]) -> NodeProcess {
        let dir = tempfile::tempdir().expect("a temp dir");
        let (child, lines) = spawn_node(dir.path(), flags);
        let mut node = NodeProcess {
            child,
            addr: String::new(),
            dir,
            lines,
        };
        node.addr = node.wait_for_address();
        node
    }

    /// Kills the node with SIGKILL (no chance to flush or close anything) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts a new node process on the same data dir (after [`NodeProcess::kill`]).
    pub fn restart(&mut self, flags: &[&str]) {
        self.kill();
        let (child, lines) = spawn_node(self.dir.path(), flags);
        self.child = child;
        self.lines = lines;
        self.addr = self.wait_for_address();
    }

    fn wait_for_address(&self) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(20))
                .expect("the node prints `listening on ADDR` within 20 s");
            if let Some(addr) = line.strip_prefix("listening on ") {
                return addr.trim().to_string();
            }
        }
    }

    pub fn data(&self) -> &Path {
        self.dir.path()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the process to end (after a signal), at most `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + timeout;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Runs `quiver ARGS --data DIR` (plus `--node ADDR` for commands that take one).
    pub fn quiver(&self, args: &[&str]) -> Run {
        self.quiver_with(args, &[])
    }

    /// Like [`NodeProcess::quiver`], with more flags (e.g. `--cert NAME`) after `args`.
    pub fn quiver_with(&self, args: &[&str], extra: &[&str]) -> Run {
        let mut command = Command::new(QUIVER);
        command
            .args(args)
            .args(extra)
            .arg("--data")
            .arg(self.data());
        if matches!(
            args.first(),
            Some(&("push" | "send" | "inspect" | "rollback" | "log"))
        ) {
            command.args(["--node", &self.addr]);
        }
        Run::of(command.output().expect("the quiver binary runs"))
    }
}

/// `quiver node` on `dir` with its stdout lines sent to the receiver.
fn spawn_node(dir: &Path, flags: &[&str]) -> (Child, mpsc::Receiver<String>) {
    let mut child = Command::new(QUIVER)
        .args(["node", "--listen", "127.0.0.1:0", "--data"])
        .arg(dir)
        .args(flags)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the quiver binary starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    (child, lines)
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A finished `quiver` command.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn of(output: Output) -> Run {
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Asserts the exit code, showing the output when it differs.
    pub fn expect_code(self, code: i32) -> Run {
        assert_eq!(
            self.code,
            Some(code),
            "stdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

/// The path of a file in `examples/`.
pub fn example(name: &str) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples");
    root.join(name).display().to_string()
}

/// The content hash of an example's last machine, as `push` prints it.
pub fn example_hash(name: &str) -> String {
    let path = example(name);
    let src = std::fs::read_to_string(&path).expect("the example is readable");
    quiver_lang::driver::compile(&src, &path, None)
        .unwrap_or_else(|_| panic!("{name} compiles"))
        .hash
        .to_string()
}

/// Runs `quiver repl ARGS` (in `dir` when given) with `lines` piped to its stdin: its stdout,
/// and whether it exited successfully. The REPL tests drive it this way.
pub fn repl_piped(args: &[&str], dir: Option<&Path>, lines: &str) -> (String, bool) {
    use std::io::Write;
    let mut command = Command::new(QUIVER);
    command
        .arg("repl")
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let mut child = command.spawn().expect("the quiver binary starts");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    writeln!(stdin, "{lines}").expect("stdin is writable");
    drop(stdin);
    let output = child.wait_with_output().expect("the REPL exits");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    (text, output.status.success())
}
