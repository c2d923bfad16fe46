//! The node over QUIC on 127.0.0.1 with mutual TLS: pipelined inputs per second on one
//! connection and on four, the p50/p99 round trip of one `send`, and the time from a push to
//! the acknowledged swap. The node runs in this process on the same runtime as the clients.
//!
//! With the default durability (`group`) a lone `send` waits for its record's fsync, so its
//! round trip is bounded below by the disk. Two informational rows separate the two: the same
//! round trip on a node with durability `none`, and the p50/p99 of one bare `fsync` of a small
//! write to a file in the same temporary directory.

use crate::Options;
use crate::measure::percentile;
use crate::store::{store, store_v2};
use crate::table::{Baseline, Better, Figure, Target};
use quiver_vm::bytecode::encode::encode;
use quiver_vm::node::client::Client;
use quiver_vm::node::pki::load_identity;
use quiver_vm::node::report::Outcome;
use quiver_vm::node::server::{NodeConfig, RunningNode, start};
use quiver_vm::node::store::Durability;
use std::io::Write;
use std::time::Instant;

const COUNTER: &str = include_str!("../../examples/counter.sm");

type Fallible<T> = Result<T, Box<dyn std::error::Error>>;

/// Every over-QUIC figure; a node that cannot start is reported, not fatal.
pub async fn figures(options: Options) -> Vec<Figure> {
    match measure(options).await {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("quiver-bench: the QUIC figures failed: {e}");
            vec![Figure {
                name: format!("QUIC figures (failed: {e})"),
                ours: 0.0,
                unit: "inputs/s",
                better: Better::Higher,
                baseline: Baseline::None,
                target: Target::AtLeast(1.0),
            }]
        }
    }
}

async fn connect(node: &RunningNode, dir: &std::path::Path) -> Fallible<Client> {
    let ca = std::fs::read_to_string(dir.join("ca.pem"))?;
    Ok(Client::connect(node.addr, &ca, &load_identity(dir, "admin")?).await?)
}

async fn measure(options: Options) -> Fallible<Vec<Figure>> {
    let dir = tempfile::tempdir()?;
    let node = start(NodeConfig::new(
        ([127, 0, 0, 1], 0).into(),
        dir.path().into(),
    ))
    .await?;
    let client = connect(&node, dir.path()).await?;
    let counter = quiver_lang::driver::compile(COUNTER, "counter.sm", None)
        .map_err(|_| "the counter example compiles")?;
    for c in 0..4 {
        client
            .push(&format!("c{c}"), encode(&counter.artifact, None), None)
            .await?;
    }
    let inputs = if options.quick { 20_000 } else { 400_000 };
    let one = pipelined(&[client], inputs).await?;
    let mut clients = Vec::new();
    for _ in 0..4 {
        clients.push(connect(&node, dir.path()).await?);
    }
    let four = pipelined(&clients, inputs / 4).await?;
    let client = clients.swap_remove(0);
    let (p50, p99) = round_trips(&client, if options.quick { 300 } else { 5000 }).await?;
    let push = push_to_ack(&client, if options.quick { 5 } else { 21 }).await?;
    for c in clients {
        c.close().await;
    }
    client.close().await;
    node.shutdown().await;
    let samples = if options.quick { 300 } else { 5000 };
    let (bare50, bare99) = round_trips_without_fsync(&counter.artifact, samples).await?;
    let (fsync50, fsync99) = fsyncs(dir.path(), if options.quick { 100 } else { 1000 })?;
    let throughput = |name: &str, ours: f64, target| Figure {
        name: name.into(),
        ours,
        unit: "inputs/s",
        better: Better::Higher,
        baseline: Baseline::None,
        target,
    };
    let latency = |name: &str, ours: f64, at_most: f64| Figure {
        name: name.into(),
        ours,
        unit: "µs",
        better: Better::Lower,
        baseline: Baseline::None,
        target: Target::AtMost(at_most),
    };
    Ok(vec![
        throughput(
            "QUIC pipelined inputs/s, 1 connection",
            one,
            Target::AtLeast(200_000.0),
        ),
        throughput(
            "QUIC pipelined inputs/s, 4 connections",
            four,
            Target::Informational,
        ),
        latency("QUIC send round trip p50", p50, 500.0),
        latency("QUIC send round trip p99", p99, 500.0),
        latency("push to acknowledged swap (median)", push, 20_000.0),
        info(
            "QUIC send round trip p50, durability none (no fsync)",
            bare50,
        ),
        info(
            "QUIC send round trip p99, durability none (no fsync)",
            bare99,
        ),
        info("one fsync of a small write on this disk, p50", fsync50),
        info("one fsync of a small write on this disk, p99", fsync99),
    ])
}

fn info(name: &str, ours: f64) -> Figure {
    Figure {
        name: name.into(),
        ours,
        unit: "µs",
        better: Better::Lower,
        baseline: Baseline::None,
        target: Target::Informational,
    }
}

/// The round trips of [`round_trips`] on a node of its own that journals with durability
/// `none`: the network, the mailbox and the turn without waiting for the disk.
async fn round_trips_without_fsync(
    counter: &quiver_vm::bytecode::Artifact,
    samples: usize,
) -> Fallible<(f64, f64)> {
    let dir = tempfile::tempdir()?;
    let mut config = NodeConfig::new(([127, 0, 0, 1], 0).into(), dir.path().into());
    config.durability = Durability::None;
    let node = start(config).await?;
    let client = connect(&node, dir.path()).await?;
    client.push("c0", encode(counter, None), None).await?;
    let trips = round_trips(&client, samples).await;
    client.close().await;
    node.shutdown().await;
    trips
}

/// p50 and p99 in microseconds of `sync_data` after a 100-byte append, in `dir`.
fn fsyncs(dir: &std::path::Path, samples: usize) -> Fallible<(f64, f64)> {
    let mut file = std::fs::File::create(dir.join("fsync-probe"))?;
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples {
        file.write_all(&[0u8; 100])?;
        let started = Instant::now();
        file.sync_data()?;
        times.push(started.elapsed().as_secs_f64() * 1e6);
    }
    Ok((percentile(&mut times, 0.5), percentile(&mut times, 0.99)))
}

/// Inputs per second, each client pipelining `per_client` inputs to its own instance.
async fn pipelined(clients: &[Client], per_client: usize) -> Fallible<f64> {
    let inputs: Vec<String> = (0..per_client).map(|_| "Incr(1)".to_string()).collect();
    let started = Instant::now();
    let sends = clients.iter().enumerate().map(|(c, client)| {
        let inputs = &inputs;
        async move { client.send_many(&format!("c{c}"), inputs).await }
    });
    let results = futures_join(sends.collect()).await;
    let elapsed = started.elapsed().as_secs_f64();
    let mut answered = 0;
    for outcomes in results {
        answered += outcomes?
            .iter()
            .filter(|o| matches!(o, Outcome::Output(_)))
            .count();
    }
    if answered != per_client * clients.len() {
        return Err("not every pipelined input was answered".into());
    }
    Ok(answered as f64 / elapsed)
}

/// Awaits every future concurrently on the current task.
async fn futures_join<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in pinned.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *output = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

/// p50 and p99 in microseconds of one `send` and its answer.
async fn round_trips(client: &Client, samples: usize) -> Fallible<(f64, f64)> {
    let mut trips = Vec::with_capacity(samples);
    for _ in 0..samples {
        let started = Instant::now();
        client.send("c0", "Get").await?;
        trips.push(started.elapsed().as_secs_f64() * 1e6);
    }
    Ok((percentile(&mut trips, 0.5), percentile(&mut trips, 0.99)))
}

/// Median microseconds from pushing `Store` v2 over v1 to the acknowledged swap.
async fn push_to_ack(client: &Client, repeats: usize) -> Fallible<f64> {
    client.push("s", encode(&store(), None), None).await?;
    let next = encode(&store_v2(), None);
    let mut samples = Vec::with_capacity(repeats);
    for _ in 0..repeats {
        let started = Instant::now();
        client.push("s", next.clone(), None).await?;
        samples.push(started.elapsed().as_secs_f64() * 1e6);
        client.rollback("s").await?;
    }
    Ok(percentile(&mut samples, 0.5))
}
