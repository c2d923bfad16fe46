//! `quiver demo`: the main job on an embedded default, live. It starts a node in this process
//! on `127.0.0.1:0` with a temporary data dir, deploys a counter, keeps several clients sending
//! over QUIC the whole time, hot-swaps the counter to its next version (with its migration)
//! while they send, tries an upgrade whose migration breaks an invariant (refused, the running
//! version untouched), stops the clients and prints what happened: per client the inputs sent,
//! answered and lost, the swap pause, the state just after the swap, and the final state
//! against a sequential model. It exits non-zero if anything was lost, wrong or out of order.
//!
//! With no arguments it uses the embedded `examples/counter.sm` and `examples/counter_v2.sm`;
//! `--old`/`--new` take other versions, which must accept the counter's `Incr(Int)` and `Get`
//! (the clients send those) and whose migration must commute with `Incr(1)` for the model to
//! hold. It does not persist anything: the node and its certificates vanish with the demo.

mod senders;

use crate::args::{DemoArgs, Exit};
use crate::client::runtime;
use crate::commands::inspect::swap_text;
use crate::load::{display_name, read_source};
use crate::render;
use anyhow::{Context, Result, anyhow};
use quiver_lang::driver::{self, Compiled};
use quiver_vm::bytecode::encode::encode;
use quiver_vm::interp;
use quiver_vm::limits::Limits;
use quiver_vm::machine::Instance;
use quiver_vm::node::client::Client;
use quiver_vm::node::pki::{Pki, Role, load_identity};
use quiver_vm::node::report::{InstanceReport, PushOutcome};
use quiver_vm::node::server::{NodeConfig, RunningNode, start};
use quiver_vm::{text, verify};
use senders::{PAIRS_PER_BATCH, Tally, send_until};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

const COUNTER_V1: &str = include_str!("../../../examples/counter.sm");
const COUNTER_V2: &str = include_str!("../../../examples/counter_v2.sm");

/// A version whose migration violates an invariant: the demo shows it being refused.
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
    migrate(old: { count: Int, resets: Int }) { { count: 0 - old.count - 1, resets: old.resets } }
}
";

const INSTANCE: &str = "counter";
const CLIENTS: usize = 4;
/// How long the clients send before the swap, between the swap and the broken upgrade, and
/// after it.
const PHASE: Duration = Duration::from_millis(400);

/// The versions the demo pushes.
struct Versions {
    v1: Compiled,
    v2: Compiled,
    broken: Compiled,
}

/// What happened on the node.
struct Story {
    tallies: Vec<Tally>,
    upgraded: bool,
    after_swap: Option<String>,
    broken_refused: bool,
    final_report: Option<InstanceReport>,
    sending_for: Duration,
}

pub fn run(args: &DemoArgs) -> Result<Exit> {
    let Some(versions) = compile_versions(args)? else {
        return Ok(Exit::Failed);
    };
    let story = runtime()?.block_on(live(&versions))?;
    let increments = story.tallies.iter().map(|t| t.increments).sum();
    let model =
        model_state(&versions, increments).unwrap_or_else(|e| format!("unavailable: {e:#}"));
    Ok(summarise(&versions, &story, &model))
}

fn compile_versions(args: &DemoArgs) -> Result<Option<Versions>> {
    let (old_name, old_src) = source(args.old.as_deref(), "examples/counter.sm", COUNTER_V1)?;
    let (new_name, new_src) = source(args.new.as_deref(), "examples/counter_v2.sm", COUNTER_V2)?;
    let (Some(v1), Some(v2), Some(broken)) = (
        compile(&old_name, &old_src),
        compile(&new_name, &new_src),
        compile("<broken upgrade>", COUNTER_BROKEN),
    ) else {
        return Ok(None);
    };
    println!(
        "quiver demo: a live node, {CLIENTS} clients sending over QUIC, a hot swap while they send\n"
    );
    println!(
        "compiled {} v1 from {old_name}: {}",
        v1.artifact.name,
        v1.hash.short()
    );
    println!(
        "compiled {} v2 from {new_name}: {}",
        v2.artifact.name,
        v2.hash.short()
    );
    Ok(Some(Versions { v1, v2, broken }))
}

fn source(
    path: Option<&std::path::Path>,
    default_name: &str,
    embedded: &str,
) -> Result<(String, String)> {
    match path {
        Some(path) => Ok((display_name(path), read_source(path)?)),
        None => Ok((format!("{default_name} (embedded)"), embedded.to_string())),
    }
}

fn compile(name: &str, src: &str) -> Option<Compiled> {
    match driver::compile(src, name, None) {
        Ok(compiled) => Some(compiled),
        Err(diagnostics) => {
            render::print_diagnostics(name, src, &diagnostics);
            None
        }
    }
}

fn artifact_bytes(version: &Compiled) -> Vec<u8> {
    encode(&version.artifact, Some(&version.debug))
}

/// The whole live part: node, clients, swap, broken upgrade, stop, final inspection.
async fn live(versions: &Versions) -> Result<Story> {
    let dir = tempfile::tempdir().context("cannot create a temporary data dir")?;
    let listen: SocketAddr = ([127, 0, 0, 1], 0).into();
    let node = start(NodeConfig::new(listen, dir.path().to_path_buf()))
        .await
        .context("cannot start the demo node")?;
    println!(
        "node listening on {} (QUIC with mutual TLS; certificates in a temporary dir)",
        node.addr
    );
    let pki = Pki::open(dir.path())?;
    let admin = connect(&node, &pki, load_identity(dir.path(), "admin")?).await?;
    let deployed = admin
        .push(INSTANCE, artifact_bytes(&versions.v1), None)
        .await
        .map_err(|e| anyhow!("deploying v1 failed: {e}"))?;
    if let PushOutcome::Deployed { hash } = deployed {
        println!("deployed instance `{INSTANCE}`: v1 {}", hash.short());
    }
    let stop = Arc::new(AtomicBool::new(false));
    let progress = Arc::new(AtomicU64::new(0));
    let clients = start_clients(&node, &pki, &stop, &progress).await?;
    let started = Instant::now();
    tokio::time::sleep(PHASE).await;
    let (upgraded, after_swap) = hot_swap(&admin, versions, &progress).await;
    tokio::time::sleep(PHASE).await;
    let broken_refused = broken_upgrade(&admin, versions).await;
    tokio::time::sleep(PHASE).await;
    stop.store(true, Ordering::Relaxed);
    let mut tallies = Vec::with_capacity(clients.len());
    for client in clients {
        tallies.push(client.await.unwrap_or_default());
    }
    let sending_for = started.elapsed();
    println!(
        "stopped the clients after {:.2} s",
        sending_for.as_secs_f64()
    );
    let final_report = admin
        .inspect(Some(INSTANCE))
        .await
        .ok()
        .and_then(|mut reports| reports.pop());
    admin.close().await;
    node.shutdown().await;
    Ok(Story {
        tallies,
        upgraded,
        after_swap,
        broken_refused,
        final_report,
        sending_for,
    })
}

async fn connect(
    node: &RunningNode,
    pki: &Pki,
    identity: quiver_vm::node::pki::Identity,
) -> Result<Client> {
    Client::connect(node.addr, pki.ca_pem(), &identity)
        .await
        .map_err(|e| anyhow!("cannot connect to the demo node: {e}"))
}

/// One connection per client, each with its own `client`-role certificate.
async fn start_clients(
    node: &RunningNode,
    pki: &Pki,
    stop: &Arc<AtomicBool>,
    progress: &Arc<AtomicU64>,
) -> Result<Vec<JoinHandle<Tally>>> {
    let mut clients = Vec::with_capacity(CLIENTS);
    for i in 1..=CLIENTS {
        let identity = pki.issue(Role::Client, &format!("demo-client-{i}"))?;
        let client = connect(node, pki, identity).await?;
        let task = send_until(client, INSTANCE.into(), stop.clone(), progress.clone());
        clients.push(tokio::spawn(task));
    }
    println!(
        "{CLIENTS} clients (role `client`) sending `Incr(1)`, `Get` pairs, {} inputs pipelined per call",
        2 * PAIRS_PER_BATCH
    );
    Ok(clients)
}

/// Upgrades v1 to v2 while the clients send; whether it committed, and the state just after.
async fn hot_swap(
    admin: &Client,
    versions: &Versions,
    progress: &AtomicU64,
) -> (bool, Option<String>) {
    let (v1, v2) = (&versions.v1, &versions.v2);
    println!(
        "\n-- hot swap v1 {} -> v2 {} while the clients send ({} inputs answered so far)",
        v1.hash.short(),
        v2.hash.short(),
        progress.load(Ordering::Relaxed)
    );
    let pushed = admin
        .push(INSTANCE, artifact_bytes(v2), Some(v1.hash))
        .await;
    match pushed {
        Ok(PushOutcome::Upgraded { swap }) => {
            println!(
                "   upgraded: the instance paused {} µs from the barrier to the commit (migration included)",
                swap.swap_us
            );
            let state = admin
                .inspect(Some(INSTANCE))
                .await
                .ok()
                .and_then(|mut reports| reports.pop())
                .map(|report| report.state);
            if let Some(state) = &state {
                println!("   migrated state, as first inspected after the commit: {state}");
            }
            (true, state)
        }
        Ok(other) => {
            println!("   FAILED: the push answered {other:?}, not an upgrade");
            (false, None)
        }
        Err(error) => {
            println!("   FAILED: {error}");
            (false, None)
        }
    }
}

/// Pushes the version whose migration breaks an invariant; true when it was refused and v2
/// still runs.
async fn broken_upgrade(admin: &Client, versions: &Versions) -> bool {
    println!("\n-- trying an upgrade whose migration breaks `invariant count >= 0`");
    let pushed = admin
        .push(INSTANCE, artifact_bytes(&versions.broken), None)
        .await;
    let refused = match pushed {
        Err(error) => {
            println!("   {error}");
            true
        }
        Ok(outcome) => {
            println!("   FAILED: the broken upgrade was accepted: {outcome:?}");
            false
        }
    };
    let running = admin
        .inspect(Some(INSTANCE))
        .await
        .ok()
        .and_then(|reports| reports.first().and_then(|r| r.versions.first().cloned()));
    let still_v2 = running.is_some_and(|v| v.hash == versions.v2.hash);
    println!(
        "   {} v2 {}\n",
        if still_v2 {
            "still running"
        } else {
            "NOT running"
        },
        versions.v2.hash.short()
    );
    refused && still_v2
}

/// The sequential model: v1's initial state, migrated to v2, then every `Incr(1)` answered.
/// Any interleaving gives the same state because `Incr(1)` commutes with the migration.
fn model_state(versions: &Versions, increments: u64) -> Result<String> {
    let limits = Limits::default();
    let load = |compiled: &Compiled| -> Result<_> {
        let verified = verify::verify(compiled.artifact.clone(), &limits)
            .with_context(|| format!("{} does not verify", compiled.artifact.name))?;
        Ok(Arc::new(interp::load(verified)))
    };
    let mut model = Instance::new(load(&versions.v1)?);
    model
        .upgrade(load(&versions.v2)?, &limits)
        .map_err(|e| anyhow!("the model cannot migrate: {e}"))?;
    let v2 = &versions.v2.artifact;
    let incr = text::parse("Incr(1)", &v2.input).context("the model needs `Incr(Int)`")?;
    for _ in 0..increments {
        model
            .turn(incr.clone())
            .map_err(|trap| anyhow!("the model trapped: {trap}"))?;
    }
    Ok(text::print(model.state(), &v2.state))
}

/// Prints the per-client table, the swap and the model check; the exit code says whether all
/// of it held.
fn summarise(versions: &Versions, story: &Story, model: &str) -> Exit {
    println!(
        "client  {:>9} {:>9} {:>6} {:>7} in order",
        "sent", "answered", "lost", "errors"
    );
    for (i, tally) in story.tallies.iter().enumerate() {
        println!(
            "{:<7} {:>9} {:>9} {:>6} {:>7} {}",
            i + 1,
            tally.sent,
            tally.answered,
            tally.lost(),
            tally.errors,
            if tally.in_order { "yes" } else { "NO" }
        );
        if let Some(problem) = &tally.first_problem {
            println!("        first problem: {problem}");
        }
    }
    let total = |f: fn(&Tally) -> u64| story.tallies.iter().map(f).sum::<u64>();
    let (sent, answered, lost, errors) = (
        total(|t| t.sent),
        total(|t| t.answered),
        total(Tally::lost),
        total(|t| t.errors),
    );
    println!(
        "{:<7} {sent:>9} {answered:>9} {lost:>6} {errors:>7}",
        "total"
    );
    let rate = answered as f64 / story.sending_for.as_secs_f64().max(1e-9);
    println!("        {rate:.0} inputs answered per second over QUIC, swap included\n");
    let final_state = story.final_report.as_ref().map(|r| r.state.as_str());
    if let Some(swap) = story
        .final_report
        .as_ref()
        .and_then(|r| r.last_swap.as_ref())
    {
        println!("last swap: {}", swap_text(swap));
    }
    if let Some(state) = &story.after_swap {
        println!("migrated state (just after the swap): {state}");
    }
    let matches = final_state == Some(model);
    println!(
        "final state: {}",
        final_state.unwrap_or("unknown (inspect failed)")
    );
    println!(
        "model:       {model} ({})",
        if matches { "equal" } else { "DIFFERENT" }
    );
    let in_order = story.tallies.iter().all(|t| t.in_order);
    let ok =
        lost == 0 && errors == 0 && in_order && story.upgraded && story.broken_refused && matches;
    println!(
        "\nsummary: {sent} inputs sent, {answered} answered, {lost} lost, {errors} errors; \
         1 upgrade to {} {}, 1 broken upgrade {}: {}",
        versions.v2.hash.short(),
        if story.upgraded {
            "applied"
        } else {
            "NOT applied"
        },
        if story.broken_refused {
            "refused"
        } else {
            "NOT refused"
        },
        if ok { "ok" } else { "FAILED" }
    );
    if ok { Exit::Success } else { Exit::Failed }
}
