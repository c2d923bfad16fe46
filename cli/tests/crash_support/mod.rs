//! What the crash suite (`node_crash.rs`) shares: its seed and round count, a small seeded
//! generator, a `quiver node` process that may refuse to start (its stderr kept), and clients.
#![allow(dead_code)]

pub mod ledger;
pub mod model;

use quiver_vm::node::client::Client;
use quiver_vm::node::pki::load_identity;
use quiver_vm::node::report::InstanceReport;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const QUIVER: &str = env!("CARGO_BIN_EXE_quiver");

/// The instance every crash test drives.
pub const INSTANCE: &str = "c";

/// The seed (`QUIVER_CRASH_SEED`, else the clock) and round count (`QUIVER_CRASH_ROUNDS`, else
/// `default_rounds`) of a run.
pub struct Plan {
    pub seed: u64,
    pub rounds: u64,
}

impl Plan {
    pub fn from_env(default_rounds: u64) -> Plan {
        let number = |name: &str| std::env::var(name).ok().and_then(|v| v.trim().parse().ok());
        let clock = || {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        };
        Plan {
            seed: number("QUIVER_CRASH_SEED").unwrap_or_else(clock),
            rounds: number("QUIVER_CRASH_ROUNDS").unwrap_or(default_rounds),
        }
    }

    /// What a failure message ends with: how to run this exact plan again.
    pub fn replay_hint(&self) -> String {
        format!(
            "replay with QUIVER_CRASH_SEED={} QUIVER_CRASH_ROUNDS={}",
            self.seed, self.rounds
        )
    }
}

/// SplitMix64: tiny, seeded, good enough to pick moments and offsets.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `low..high` (`high > low`).
    pub fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low)
    }

    pub fn millis(&mut self, low: u64, high: u64) -> Duration {
        Duration::from_millis(self.range(low, high))
    }
}

/// A `quiver node` process on `127.0.0.1:0`; dropping it kills the process.
pub struct CrashNode {
    child: Child,
    pub addr: String,
    pub data: PathBuf,
}

/// How a start on a data dir ended.
pub enum Started {
    Listening(CrashNode),
    /// The node exited before it listened.
    Refused {
        code: Option<i32>,
        stderr: String,
    },
}

impl CrashNode {
    /// Starts `quiver node` on `data` with `flags`; its stderr goes to `data`'s sibling
    /// `node.stderr`, so a refusal can be read back.
    pub fn start(data: &Path, flags: &[&str]) -> Started {
        let stderr_path = data.with_extension("stderr");
        let stderr = std::fs::File::create(&stderr_path).expect("the stderr file is writable");
        let mut child = Command::new(QUIVER)
            .args(["node", "--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .args(flags)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("the quiver binary starts");
        let lines = stdout_lines(&mut child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(line) = lines.recv_timeout(Duration::from_millis(20))
                && let Some(addr) = line.strip_prefix("listening on ")
            {
                let addr = addr.trim().to_string();
                let data = data.to_path_buf();
                return Started::Listening(CrashNode { child, addr, data });
            }
            if let Ok(Some(status)) = child.try_wait() {
                let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
                let code = status.code();
                return Started::Refused { code, stderr };
            }
        }
        let _ = child.kill();
        panic!(
            "the node on {} neither listened nor exited in 60 s",
            data.display()
        );
    }

    /// Starts a node that must come up.
    pub fn expect_start(data: &Path, flags: &[&str]) -> Result<CrashNode, String> {
        match CrashNode::start(data, flags) {
            Started::Listening(node) => Ok(node),
            Started::Refused { code, stderr } => Err(format!(
                "the node refused to restart (exit {code:?}): {}",
                stderr.trim()
            )),
        }
    }

    /// SIGKILL: no chance to flush or close anything.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub async fn connect(&self) -> Result<Client, String> {
        let ca = std::fs::read_to_string(self.data.join("ca.pem")).map_err(|e| e.to_string())?;
        let identity = load_identity(&self.data, "admin").map_err(|e| e.to_string())?;
        let addr: SocketAddr = self.addr.parse().map_err(|_| "a socket address")?;
        Client::connect(addr, &ca, &identity)
            .await
            .map_err(|e| format!("cannot connect: {e}"))
    }

    /// The instance's report, over a connection of its own.
    pub async fn inspect(&self) -> Result<InstanceReport, String> {
        let client = self.connect().await?;
        let reports = client.inspect(Some(INSTANCE)).await;
        client.close().await;
        let mut reports = reports.map_err(|e| format!("inspect failed: {e}"))?;
        reports
            .pop()
            .ok_or_else(|| "the instance is gone".to_string())
    }
}

impl Drop for CrashNode {
    fn drop(&mut self) {
        self.kill();
    }
}

fn stdout_lines(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().expect("stdout is piped");
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    lines
}

/// A runtime for the clients, beside the node process.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// `Add(id)` for each id.
pub fn adds(ids: &[u64]) -> Vec<String> {
    ids.iter().map(|id| format!("Add({id})")).collect()
}
