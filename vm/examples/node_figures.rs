//! Figures for issue 3's closing note, measured over real QUIC on 127.0.0.1: swap pauses with
//! maps of 0, 10k, 100k and 1M entries, pipelined inputs per second over one connection, and
//! the p50/p99 round trip of one send. Run with
//! `cargo run --release -p quiver-vm --features node --example node_figures`.
//!
//! The machine is built by hand (a map store), so this needs no compiler. It prints; it asserts
//! nothing beyond the answers being outputs.

use quiver_vm::bytecode::encode::encode;
use quiver_vm::bytecode::{Arrow, Artifact, Lit, Migration, Site};
use quiver_vm::node::client::Client;
use quiver_vm::node::pki::load_identity;
use quiver_vm::node::report::Outcome;
use quiver_vm::node::server::{NodeConfig, start};
use quiver_vm::prim::Prim;
use quiver_vm::types::{EnumType, Field, Type, Variant};
use std::time::{Duration, Instant};

fn map_type() -> Type {
    Type::Map(Box::new(Type::Int), Box::new(Type::Int))
}

fn field(name: &str, ty: Type) -> Field {
    Field {
        name: name.into(),
        ty,
    }
}

/// `Store`: `Put(k)` inserts `k -> k` and answers 0; `Len` answers the map's size.
fn store() -> Artifact {
    let input = Type::Enum(EnumType {
        name: "Store.Input".into(),
        variants: vec![
            Variant {
                name: "Put".into(),
                fields: vec![Type::Int],
            },
            Variant {
                name: "Len".into(),
                fields: vec![],
            },
        ],
    });
    let map = Arrow::Seq(vec![Arrow::Proj(0), Arrow::Proj(0)]);
    let inserted = Arrow::Seq(vec![
        Arrow::Fork(vec![map.clone(), Arrow::Proj(1), Arrow::Proj(1)]),
        Arrow::Prim(Prim::MapInsert, Site::NONE),
    ]);
    let put = Arrow::Fork(vec![
        Arrow::Fork(vec![inserted]),
        Arrow::Const(Type::Int, Lit::Int(0)),
    ]);
    let len = Arrow::Fork(vec![
        Arrow::Proj(0),
        Arrow::Seq(vec![map, Arrow::Prim(Prim::MapLen, Site::NONE)]),
    ]);
    Artifact {
        name: "Store".into(),
        state: Type::Record(vec![field("m", map_type())]),
        input,
        output: Type::Int,
        init: Lit::Tuple(vec![Lit::Map(vec![])]),
        defs: vec![],
        step: Arrow::Seq(vec![
            Arrow::Fork(vec![Arrow::Proj(1), Arrow::Proj(0)]),
            Arrow::Distl,
            Arrow::Case(vec![put, len]),
        ]),
        invariants: vec![],
        migrate_up: None,
        migrate_down: None,
    }
}

/// `Store` v2: state `{ m, n }` (derived migration up), `migrate down` drops `n`; its step is
/// v1's on `m` with `n` carried along.
fn store_v2() -> Artifact {
    let v1 = store();
    let state = Type::Record(vec![field("m", map_type()), field("n", Type::Int)]);
    let to_v1 = Arrow::Fork(vec![
        Arrow::Proj(0),
        Arrow::Seq(vec![Arrow::Proj(1), Arrow::Fork(vec![Arrow::Proj(0)])]),
    ]);
    let step = Arrow::Seq(vec![
        Arrow::Fork(vec![
            Arrow::Seq(vec![to_v1, v1.step.clone()]),
            Arrow::Seq(vec![Arrow::Proj(1), Arrow::Proj(1)]),
        ]),
        Arrow::Fork(vec![
            Arrow::Fork(vec![
                Arrow::Seq(vec![Arrow::Proj(0), Arrow::Proj(0), Arrow::Proj(0)]),
                Arrow::Proj(1),
            ]),
            Arrow::Seq(vec![Arrow::Proj(0), Arrow::Proj(1)]),
        ]),
    ]);
    Artifact {
        name: "Store".into(),
        init: Lit::Tuple(vec![Lit::Map(vec![]), Lit::Int(0)]),
        migrate_down: Some(Migration {
            other: v1.state.clone(),
            body: Arrow::Fork(vec![Arrow::Proj(0)]),
        }),
        state,
        step,
        ..v1
    }
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let node = start(NodeConfig::new(
        ([127, 0, 0, 1], 0).into(),
        dir.path().into(),
    ))
    .await?;
    let ca = std::fs::read_to_string(dir.path().join("ca.pem"))?;
    let client = Client::connect(node.addr, &ca, &load_identity(dir.path(), "admin")?).await?;
    client.push("s", encode(&store(), None), None).await?;

    let mut filled = 0;
    for target in [0usize, 10_000, 100_000, 1_000_000] {
        let inputs: Vec<String> = (filled..target).map(|k| format!("Put({k})")).collect();
        let started = Instant::now();
        let outcomes = client.send_many("s", &inputs).await?;
        assert!(outcomes.iter().all(|o| matches!(o, Outcome::Output(_))));
        if inputs.len() >= 100_000 {
            let rate = inputs.len() as f64 / started.elapsed().as_secs_f64();
            println!(
                "pipelined inputs over one connection: {rate:.0}/s ({} inputs)",
                inputs.len()
            );
        }
        filled = target;
        let mut pauses = Vec::new();
        for _ in 0..11 {
            client.push("s", encode(&store_v2(), None), None).await?;
            client.send("s", "Len").await?;
            let report = client.inspect(Some("s")).await?;
            let pause = report[0]
                .last_swap
                .as_ref()
                .and_then(|s| s.pause_us)
                .unwrap_or(0);
            pauses.push(Duration::from_micros(pause));
            client.rollback("s").await?;
        }
        let median = percentile(&mut pauses, 0.5);
        let max = percentile(&mut pauses, 1.0);
        println!("swap pause with {target} entries: median {median:?}, max {max:?}");
    }

    let mut trips = Vec::new();
    for _ in 0..2000 {
        let started = Instant::now();
        client.send("s", "Len").await?;
        trips.push(started.elapsed());
    }
    let p50 = percentile(&mut trips, 0.5);
    let p99 = percentile(&mut trips, 0.99);
    println!("one send round trip: p50 {p50:?}, p99 {p99:?}");
    client.close().await;
    node.shutdown().await;
    Ok(())
}
