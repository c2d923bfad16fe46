//! `quiver push`: compiles (or decodes) a machine here and sends only its artifact to every
//! named node in parallel, to deploy an instance or upgrade the running one.
//!
//! Each node gets a progress line when it answers, and the command ends with a summary in the
//! order the nodes were named: the new hash with the swap pause, or why that node refused or
//! could not be reached. The exit code is 0 only when every node succeeded. It does not
//! coordinate nodes (no two-phase commit): a push that some nodes refuse is not undone on the
//! others.

use crate::args::Exit;
use crate::args_node::{DEFAULT_NODE, PushArgs};
use crate::client::{Credentials, resolve, runtime};
use crate::load::read_inputs;
use crate::load::{LoadError, load};
use anyhow::{Context, Result, anyhow};
use quiver_vm::bytecode::encode::encode;
use quiver_vm::hash::{Hash, hash};
use quiver_vm::limits::Limits;
use quiver_vm::node::report::PushOutcome;
use quiver_vm::node::signing::KeyPair;
use std::net::SocketAddr;
use std::sync::Arc;

/// What pushing to one node came to: a line for the summary and its exit code.
struct NodeResult {
    addr: SocketAddr,
    line: String,
    exit: Exit,
}

pub fn run(args: &PushArgs) -> Result<Exit> {
    let expect = match &args.expect {
        Some(text) => Some(
            text.parse::<Hash>()
                .map_err(|e| anyhow!("--expect {text}: {e}; copy the full hash `push` printed"))?,
        ),
        None => None,
    };
    let addrs = node_addresses(args)?;
    let credentials = Arc::new(Credentials::load(&args.identity)?);
    let key = args
        .sign
        .as_deref()
        .map(KeyPair::read)
        .transpose()?
        .map(Arc::new);
    let unit = match load(&args.file, args.machine.as_deref(), &Limits::default()) {
        Ok(unit) => unit,
        Err(LoadError::Reported) => return Ok(Exit::Failed),
        Err(LoadError::Other(error)) => return Err(error),
    };
    let version = hash(&unit.artifact);
    let bytes = Arc::new(encode(&unit.artifact, unit.debug.as_ref()));
    println!(
        "pushing {} {} ({} bytes) as instance `{}` to {} node{}{}",
        unit.artifact.name,
        version.short(),
        bytes.len(),
        args.instance,
        addrs.len(),
        if addrs.len() == 1 { "" } else { "s" },
        match &key {
            Some(key) => format!(", signed by key {}", key.public().fingerprint()),
            None => String::new(),
        }
    );
    let results = runtime()?.block_on(async {
        let mut tasks = Vec::with_capacity(addrs.len());
        for addr in &addrs {
            let artifact = Artifact {
                bytes: bytes.clone(),
                hash: version,
                expect,
                key: key.clone(),
            };
            let task = push_one(credentials.clone(), *addr, args.instance.clone(), artifact);
            tasks.push(tokio::spawn(task));
        }
        let mut results = Vec::with_capacity(tasks.len());
        for (task, addr) in tasks.into_iter().zip(&addrs) {
            results.push(task.await.unwrap_or_else(|e| NodeResult {
                addr: *addr,
                line: format!("failed: the push task ended: {e}"),
                exit: Exit::Failed,
            }));
        }
        results
    });
    Ok(summarise(&results))
}

/// The `--node` addresses, then the `--nodes FILE` ones; the default node when there are none.
fn node_addresses(args: &PushArgs) -> Result<Vec<SocketAddr>> {
    let mut texts = args.nodes.clone();
    if let Some(path) = &args.nodes_file {
        texts.extend(
            read_inputs(path).with_context(|| format!("reading --nodes {}", path.display()))?,
        );
    }
    if texts.is_empty() {
        texts.push(DEFAULT_NODE.to_string());
    }
    texts.iter().map(|text| resolve(text)).collect()
}

/// What every node is sent: the encoded artifact, its hash, and how to sign it.
struct Artifact {
    bytes: Arc<Vec<u8>>,
    hash: Hash,
    expect: Option<Hash>,
    key: Option<Arc<KeyPair>>,
}

async fn push_one(
    credentials: Arc<Credentials>,
    addr: SocketAddr,
    instance: String,
    artifact: Artifact,
) -> NodeResult {
    println!("  {addr}: connecting");
    let Artifact {
        bytes,
        hash,
        expect,
        key,
    } = artifact;
    let outcome = match credentials.connect(addr).await {
        Ok(client) => {
            let outcome = match &key {
                Some(key) => {
                    client
                        .push_signed(&instance, bytes.to_vec(), hash, expect, key)
                        .await
                }
                None => client.push(&instance, bytes.to_vec(), expect).await,
            };
            client.close().await;
            outcome
        }
        Err(error) => Err(error),
    };
    let (line, exit) = match outcome {
        Ok(outcome) => (outcome_text(&outcome), Exit::Success),
        Err(error) => credentials.explain(addr, &error),
    };
    println!("  {addr}: {}", line.lines().next().unwrap_or_default());
    NodeResult { addr, line, exit }
}

pub fn outcome_text(outcome: &PushOutcome) -> String {
    match outcome {
        PushOutcome::Deployed { hash } => format!("deployed {hash}"),
        PushOutcome::Upgraded { swap } => format!(
            "upgraded {} -> {}, paused {} µs (barrier to commit, migration included)",
            swap.from.short(),
            swap.to,
            swap.swap_us
        ),
        PushOutcome::Unchanged { hash } => format!("unchanged: {hash} is already running"),
    }
}

/// Prints the summary and gives the exit code: unreachable nodes first, then refusals.
fn summarise(results: &[NodeResult]) -> Exit {
    let failed = results.iter().filter(|r| r.exit != Exit::Success).count();
    println!(
        "summary: {} of {} node{} succeeded",
        results.len() - failed,
        results.len(),
        if results.len() == 1 { "" } else { "s" }
    );
    for result in results {
        let mark = if result.exit == Exit::Success {
            "ok"
        } else {
            "FAILED"
        };
        println!("  {:<6} {}: {}", mark, result.addr, result.line);
    }
    let worst = |exit: Exit| results.iter().any(|r| r.exit == exit);
    if worst(Exit::Failed) {
        Exit::Failed
    } else if worst(Exit::Unreachable) {
        Exit::Unreachable
    } else if worst(Exit::Refused) {
        Exit::Refused
    } else {
        Exit::Success
    }
}
