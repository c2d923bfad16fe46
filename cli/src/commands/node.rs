//! `quiver node`: runs a node in the foreground until Ctrl-C or SIGTERM.
//!
//! It prints where the PKI is (saying when this start created it) and then exactly one line
//! `listening on ADDR` with the real address, which scripts and tests read to find a port
//! chosen with `--listen 127.0.0.1:0`. Before that it says how many instances it recovered
//! from the data dir's store and the limits in force, and warns when `--durability none` was asked for. It does not
//! detach or write a pid file.

use crate::args::Exit;
use crate::args_limits::summary;
use crate::args_node::NodeArgs;
use crate::client::runtime;
use anyhow::{Context, Result};
use quiver_vm::node::pki::Paths;
use quiver_vm::node::server::{NodeConfig, start};
use quiver_vm::node::signing::TrustedKeys;
use quiver_vm::node::store::STORE_FILE;
use std::path::Path;

pub fn run(args: &NodeArgs) -> Result<Exit> {
    runtime()?.block_on(serve(args))
}

async fn serve(args: &NodeArgs) -> Result<Exit> {
    // Handlers go in before the node says it is listening: a SIGTERM sent as soon as a script
    // reads that line must stop the node cleanly, not kill it.
    let stop = StopSignal::install()?;
    let mut config = NodeConfig::new(args.listen, args.data.clone());
    config.durability = args.durability;
    args.limits.apply(&mut config);
    config.keep_snapshots = args
        .keep_snapshots
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    if let Some(records) = args.snapshot_every {
        config.snapshots.records = records;
    }
    if let Some(warning) = args.durability.warning() {
        eprintln!("warning: {warning}");
    }
    if let Some(dir) = &args.trusted_keys {
        config.trusted_keys = Some(TrustedKeys::load(dir)?);
    }
    let trusted = config.trusted_keys.clone();
    let limits = summary(&config);
    let node = start(config)
        .await
        .with_context(|| format!("cannot start the node on {}", args.listen))?;
    print_pki(&args.data, node.created_pki);
    println!(
        "recovered {} instance(s) from {} (durability {})",
        node.recovered,
        args.data.join(STORE_FILE).display(),
        args.durability
    );
    print_signatures(trusted.as_ref());
    println!("{limits}");
    println!("listening on {}", node.addr);
    stop.wait().await;
    println!("stopping");
    node.shutdown().await;
    println!("stopped");
    Ok(Exit::Success)
}

fn print_pki(dir: &Path, created: bool) {
    let (admin_cert, admin_key) = Paths::identity(dir, "admin");
    let (node_cert, _) = Paths::identity(dir, "node");
    if created {
        println!(
            "created a development CA and certificates in {}",
            dir.display()
        );
    } else {
        println!("using the certificates in {}", dir.display());
    }
    println!("  CA:           {}", Paths::ca(dir).display());
    println!("  node:         {}", node_cert.display());
    println!(
        "  admin client: {} (key {})",
        admin_cert.display(),
        admin_key.display()
    );
    println!(
        "  clients started in this directory use them; elsewhere pass --data {}",
        dir.display()
    );
}

/// Says whether deploys, upgrades and rollbacks must be signed, and by which keys.
fn print_signatures(trusted: Option<&TrustedKeys>) {
    match trusted {
        Some(keys) => println!(
            "signatures: deploys, upgrades and rollbacks must be signed by one of {} trusted \
             key(s) in {}: {}",
            keys.len(),
            keys.dir().display(),
            keys.names().join(", ")
        ),
        None => println!(
            "signatures: not checked; any admin certificate may deploy, upgrade and roll back \
             (start with --trusted-keys DIR to require signed swaps)"
        ),
    }
}

/// Ctrl-C, or SIGTERM on unix, registered when installed (not when first awaited).
struct StopSignal {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl StopSignal {
    fn install() -> Result<StopSignal> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(StopSignal {
                interrupt: signal(SignalKind::interrupt()).context("cannot listen for Ctrl-C")?,
                terminate: signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(StopSignal {})
        }
    }

    /// Resolves when either signal arrives.
    async fn wait(mut self) {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => {}
                _ = self.terminate.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            // Without a handler the process ends on Ctrl-C anyway; with one it stops cleanly.
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
