//! The flags of `quiver soak` and of its hidden client mode (`quiver soak-client`), kept apart
//! from `args.rs` so the soak command adds only two lines there.

use clap::Args;
use std::path::PathBuf;

pub const SOAK_HELP: &str = "\
Starts a real `quiver node` child process on 127.0.0.1 (a free port it picks) with the data dir
--data (default: a fresh temporary dir), deploys a checking machine, and runs --clients client
processes that send keyed inputs in pipelined batches for --duration seconds. Meanwhile it
pushes the other of two versions every --upgrade-every milliseconds and SIGKILLs and restarts
the node on the same data dir and port every --kill-every seconds. Clients survive a kill by
resending with the same idempotency keys. At the end it reads every client's count from the
node and prints inputs sent, acknowledged, lost (acknowledged but not applied), duplicated
(applied twice), upgrades done, kills, the worst and median swap pause and the throughput.
It exits 1 if anything was lost or duplicated, or a client failed.

Examples:
  quiver soak                                   # 60 s, 4 clients, an upgrade every 50 ms
  quiver soak --duration 5 --clients 2 --kill-every 2
  quiver soak --duration 600 --clients 4 --kill-every 3   # the issue's 10M-input run (release build)";

#[derive(Args, Debug)]
pub struct SoakArgs {
    /// Client processes sending at the same time.
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u32).range(1..=64))]
    pub clients: u32,
    /// Seconds the clients send for.
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    pub duration: f64,
    /// Milliseconds between two upgrades (0: never upgrade).
    #[arg(long, value_name = "MS", default_value_t = 50)]
    pub upgrade_every: u64,
    /// Seconds between two SIGKILLs of the node (0: never kill).
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    pub kill_every: f64,
    /// The node's data dir (default: a fresh temporary dir, removed at the end).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Inputs per pipelined batch of each client (one batch in flight per client).
    #[arg(long, value_name = "N", default_value_t = 2048,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub batch: u32,
}

/// One soak client process, started by `quiver soak` (not for people).
#[derive(Args, Debug)]
pub struct SoakClientArgs {
    /// The node's address.
    #[arg(long, value_name = "ADDR")]
    pub node: std::net::SocketAddr,
    /// The node's data dir (the CA and this client's certificate).
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// The certificate to present (NAME.pem and NAME.key in the data dir).
    #[arg(long, value_name = "NAME")]
    pub cert: String,
    /// The instance to send to.
    #[arg(long, value_name = "NAME")]
    pub instance: String,
    /// The client id of the idempotency keys.
    #[arg(long, value_name = "ID")]
    pub client_id: String,
    /// The number this client writes into its inputs (`Apply(INDEX, seq)`).
    #[arg(long, value_name = "INDEX")]
    pub index: u32,
    /// Milliseconds to start new batches for.
    #[arg(long, value_name = "MS")]
    pub duration_ms: u64,
    /// Inputs per pipelined batch.
    #[arg(long, value_name = "N")]
    pub batch: u32,
}
