//! `quiver repl` through a real terminal (a tmux pane): tab completion of a command and of an
//! input constructor, and a multi-line declaration continued while its brace is open. Skipped
//! with a printed notice when tmux is not installed.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux session running the REPL in `dir`, killed when dropped.
struct Pane {
    name: String,
}

impl Pane {
    fn start(dir: &Path) -> Option<Pane> {
        let name = format!("quiver-repl-test-{}", std::process::id());
        let command = format!(
            "HOME={} {} repl counter.sm",
            dir.display(),
            env!("CARGO_BIN_EXE_quiver")
        );
        let started = tmux(&name)
            .args([
                "new-session",
                "-d",
                "-x",
                "120",
                "-y",
                "40",
                "-s",
                &name,
                "-c",
            ])
            .arg(dir)
            .arg(command)
            .status()
            .ok()?;
        started.success().then_some(Pane { name })
    }

    fn keys(&self, keys: &[&str]) {
        let status = tmux(&self.name)
            .args(["send-keys", "-t", &self.name])
            .args(keys)
            .status()
            .expect("tmux send-keys runs");
        assert!(status.success(), "tmux send-keys failed");
    }

    fn screen(&self) -> String {
        let output = tmux(&self.name)
            .args(["capture-pane", "-p", "-t", &self.name])
            .output()
            .expect("tmux capture-pane runs");
        String::from_utf8_lossy(&output.stdout).to_string()
    }

    /// Waits until the screen contains `text`, failing with the screen after a few seconds.
    fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "never saw `{text}` on:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = tmux(&self.name).arg("kill-server").status();
    }
}

/// tmux on a server of this test's own (`-L`), so that no other tmux user on the machine (other
/// test runs, a developer's session) shares its environment or its sessions.
fn tmux(server: &str) -> Command {
    let mut command = Command::new("tmux");
    command.args(["-L", server]);
    command
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn completion_and_multi_line_input_work_in_a_terminal() {
    if !tmux_available() {
        eprintln!("notice: tmux is not installed; skipping the terminal test of `quiver repl`");
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(
        dir.path().join("counter.sm"),
        include_str!("../../examples/counter.sm"),
    )
    .expect("the source is written");
    let Some(pane) = Pane::start(dir.path()) else {
        eprintln!("notice: tmux cannot start a session here; skipping the terminal test");
        return;
    };
    pane.wait_for("quiver>");

    // `:ne<Tab>` completes to `:new`.
    pane.keys(&[":ne", "Tab"]);
    pane.wait_for("quiver> :new");
    pane.keys(&[" Counter", "Enter"]);
    pane.wait_for("counter: new Counter");

    // `Inc<Tab>` completes the input constructor.
    pane.keys(&["Inc", "Tab"]);
    pane.wait_for("quiver> Incr");
    pane.keys(&["(5)", "Enter"]);
    pane.wait_for("count: 0 -> 5");

    // An open brace continues the entry on the next line.
    pane.keys(&["fn triple(n: Int) -> Int {", "Enter"]);
    pane.keys(&["n * 3 }", "Enter"]);
    pane.wait_for("defined triple");
    pane.keys(&["triple(4)", "Enter"]);
    pane.wait_for("12 : Int");

    pane.keys(&[":quit", "Enter"]);
    // The REPL writes its history as it exits: wait for the file's content, not only for the
    // file, which may exist before the write is complete.
    let path = dir.path().join(".quiver_history");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let history = std::fs::read_to_string(&path).unwrap_or_default();
        if history.contains("Incr(5)") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the history file never held `Incr(5)`: {history:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
