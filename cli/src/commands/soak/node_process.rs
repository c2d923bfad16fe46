//! The node `quiver soak` tortures: a real `quiver node` child process (this same binary) on a
//! fixed port of 127.0.0.1 and a fixed data dir, so it can be SIGKILLed and started again where
//! clients expect it. Its stdout is drained by a thread (the `listening on` line says it is
//! up); its stderr is appended to `soak-node.log` in the data dir.

use anyhow::{Context, Result, anyhow, bail};
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a start may take before the soak gives up.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// Starts tried in a row before the soak gives up (the port may be briefly unavailable).
const START_TRIES: u32 = 5;

/// A free UDP port on 127.0.0.1: bind to port 0, read the port, let it go.
pub fn free_port() -> Result<SocketAddr> {
    let socket = UdpSocket::bind(("127.0.0.1", 0)).context("cannot find a free UDP port")?;
    socket.local_addr().context("cannot read the free port")
}

/// A running node child process.
pub struct NodeProcess {
    child: Child,
    pub addr: SocketAddr,
    data: PathBuf,
}

impl NodeProcess {
    /// Starts `quiver node --listen ADDR --data DIR` and waits until it listens.
    pub fn start(addr: SocketAddr, data: &Path) -> Result<NodeProcess> {
        let mut last_error = anyhow!("the node did not start");
        for _ in 0..START_TRIES {
            match spawn_listening(addr, data) {
                Ok(child) => {
                    return Ok(NodeProcess {
                        child,
                        addr,
                        data: data.to_path_buf(),
                    });
                }
                Err(error) => last_error = error,
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(last_error)
    }

    /// SIGKILLs the node (no chance to flush or close anything) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Kills the node and starts a new one on the same port and data dir.
    pub fn kill_and_restart(&mut self) -> Result<()> {
        self.kill();
        *self = NodeProcess::start(self.addr, &self.data)?;
        Ok(())
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

fn spawn_listening(addr: SocketAddr, data: &Path) -> Result<Child> {
    let exe = std::env::current_exe().context("cannot find the quiver binary to start a node")?;
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(data.join("soak-node.log"))
        .with_context(|| format!("cannot write soak-node.log in {}", data.display()))?;
    let mut child = Command::new(exe)
        .arg("node")
        .arg("--listen")
        .arg(addr.to_string())
        .arg("--data")
        .arg(data)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .context("cannot start `quiver node`")?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| anyhow!("invariant: the node's stdout is piped"))?;
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            // After the receiver is gone the lines are only drained, so the node never blocks.
            let _ = sender.send(line);
        }
    });
    match wait_listening(&lines) {
        Ok(()) => Ok(child),
        Err(error) => {
            let _ = child.kill();
            let _ = child.wait();
            Err(error)
        }
    }
}

fn wait_listening(lines: &mpsc::Receiver<String>) -> Result<()> {
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.starts_with("listening on ") => return Ok(()),
            Ok(_) => {}
            Err(mpsc::RecvTimeoutError::Timeout) => {
                bail!(
                    "the node did not listen within {} s",
                    START_TIMEOUT.as_secs()
                )
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                bail!("the node exited before listening; see soak-node.log in its data dir")
            }
        }
    }
}
