//! Throughput of `send` through a node under each durability mode, for issue 6's closing note:
//! a node in this process on 127.0.0.1 (QUIC, mutual TLS), the counter deployed, one
//! connection pipelining N inputs per mode (a fresh data dir each), inputs per second from the
//! first send to the last acknowledgement.
//! `cargo run --release -p quiver-bench --example durability [N] [DIR]` (N default 200,000;
//! DIR is where the data dirs go, default a temporary dir: put it on the disk you care about).

use quiver_vm::bytecode::encode::encode;
use quiver_vm::node::client::Client;
use quiver_vm::node::pki::load_identity;
use quiver_vm::node::report::Outcome;
use quiver_vm::node::server::{NodeConfig, start};
use quiver_vm::node::store::Durability;
use std::time::Instant;

const COUNTER: &str = include_str!("../../examples/counter.sm");

type Fallible<T> = Result<T, Box<dyn std::error::Error>>;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Fallible<()> {
    let inputs: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(200_000);
    let root = match std::env::args().nth(2) {
        Some(dir) => tempfile::tempdir_in(dir)?,
        None => tempfile::tempdir()?,
    };
    for mode in ["sync", "group", "none"] {
        let durability: Durability = mode.parse()?;
        // `sync` pays one fsync per input: fewer inputs keep its run short.
        let count = if mode == "sync" { inputs / 20 } else { inputs };
        let rate = pipelined(&root.path().join(mode), durability, count).await?;
        println!(
            "send, pipelined, 1 connection, --durability {mode}: {rate:.0} inputs/s ({count} inputs)"
        );
    }
    Ok(())
}

async fn pipelined(dir: &std::path::Path, durability: Durability, count: usize) -> Fallible<f64> {
    let mut config = NodeConfig::new(([127, 0, 0, 1], 0).into(), dir.into());
    config.durability = durability;
    let node = start(config).await?;
    let ca = std::fs::read_to_string(dir.join("ca.pem"))?;
    let client = Client::connect(node.addr, &ca, &load_identity(dir, "admin")?).await?;
    let counter = quiver_lang::driver::compile(COUNTER, "counter.sm", None)
        .map_err(|_| "the counter example compiles")?;
    client
        .push("c", encode(&counter.artifact, None), None)
        .await?;
    let inputs = vec!["Incr(1)".to_string(); count];
    let started = Instant::now();
    let outcomes = client.send_many("c", &inputs).await?;
    let seconds = started.elapsed().as_secs_f64();
    if outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Output(_)))
        .count()
        != count
    {
        return Err("not every input was answered".into());
    }
    client.close().await;
    node.shutdown().await;
    Ok(count as f64 / seconds)
}
