//! `quiver demo`: the main job on an embedded default. It compiles a machine and its next
//! version, runs inputs through the first, swaps the second in between two turns with its
//! migration, keeps going, shows that an upgrade whose migration breaks an invariant is
//! refused with the old version left running, and prints what happened: every input answered,
//! none lost.
//!
//! With no arguments it uses the embedded `examples/counter.sm` and `examples/counter_v2.sm`.
//! This runs in one process; live nodes over QUIC build on the same swap.

use crate::args::{DemoArgs, Exit};
use crate::load::{display_name, read_source};
use crate::render;
use anyhow::{Context, Result, anyhow};
use quiver_lang::driver::{self, Compiled};
use quiver_vm::interp::{self, Loaded};
use quiver_vm::limits::Limits;
use quiver_vm::machine::{Instance, UpgradeError};
use quiver_vm::{text, verify};
use std::sync::Arc;
use std::time::Instant;

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

const BEFORE: &[&str] = &["Incr(5)", "Incr(3)", "Decr(2)", "Get"];
const AFTER: &[&str] = &["Reset", "Incr(7)", "Stats", "Decr(10)", "Get"];

pub fn run(args: &DemoArgs) -> Result<Exit> {
    let limits = Limits::default();
    let (old_name, old_src) = source(args.old.as_deref(), "examples/counter.sm", COUNTER_V1)?;
    let (new_name, new_src) = source(args.new.as_deref(), "examples/counter_v2.sm", COUNTER_V2)?;
    let Some(v1) = compile(&old_name, &old_src) else {
        return Ok(Exit::Failed);
    };
    let Some(v2) = compile(&new_name, &new_src) else {
        return Ok(Exit::Failed);
    };
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

    let mut instance = Instance::new(load(&v1, &limits)?);
    let mut sent = 0usize;
    let mut answered = 0usize;
    println!("\n-- running v1 {}", v1.hash.short());
    for input in BEFORE {
        sent += 1;
        answered += turn(&mut instance, &v1, input);
    }
    println!(
        "   state: {}",
        text::print(instance.state(), &v1.artifact.state)
    );

    println!(
        "\n-- hot swap v1 {} -> v2 {}",
        v1.hash.short(),
        v2.hash.short()
    );
    let started = Instant::now();
    instance
        .upgrade(load(&v2, &limits)?, &limits)
        .map_err(|e| anyhow!("the upgrade to v2 was refused: {e}"))?;
    let pause = started.elapsed();
    println!(
        "   migrated in {:.1} µs; state now {}",
        pause.as_secs_f64() * 1e6,
        text::print(instance.state(), &v2.artifact.state)
    );

    println!("\n-- running v2 {}", v2.hash.short());
    for input in AFTER {
        sent += 1;
        answered += turn(&mut instance, &v2, input);
    }

    if let Some(broken) = compile("<broken upgrade>", COUNTER_BROKEN) {
        println!("\n-- trying an upgrade whose migration breaks `invariant count >= 0`");
        let before = instance.state().clone();
        match instance.upgrade(load(&broken, &limits)?, &limits) {
            Ok(()) => return Err(anyhow!("the broken upgrade was accepted")),
            Err(UpgradeError::Trapped(trap)) => println!(
                "   refused: the migration trapped: {}",
                render::trap_line(&trap, Some(&broken.debug), None)
            ),
            Err(error) => println!("   refused: {error}"),
        }
        let kept = instance.state() == &before;
        println!(
            "   still running v2 {}, state {} ({})",
            v2.hash.short(),
            text::print(instance.state(), &v2.artifact.state),
            if kept { "unchanged" } else { "CHANGED" }
        );
        sent += 1;
        answered += turn(&mut instance, &v2, "Stats");
    }

    println!(
        "\nsummary: {sent} inputs sent, {answered} answered, {} lost; 1 upgrade applied, 1 refused",
        sent - answered
    );
    Ok(if sent == answered {
        Exit::Success
    } else {
        Exit::Failed
    })
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

fn load(compiled: &Compiled, limits: &Limits) -> Result<Arc<Loaded>> {
    let verified = verify::verify(compiled.artifact.clone(), limits)
        .with_context(|| format!("{} does not verify", compiled.artifact.name))?;
    Ok(Arc::new(interp::load(verified)))
}

/// Runs one input and prints it with its answer; 1 when it was answered (an output or a trap
/// reported as an error are both answers), 0 when the text could not be read.
fn turn(instance: &mut Instance, version: &Compiled, input: &str) -> usize {
    let artifact = &version.artifact;
    let value = match text::parse(input, &artifact.input) {
        Ok(value) => value,
        Err(error) => {
            println!("   {input:<10} -> cannot read: {error}");
            return 0;
        }
    };
    match instance.turn(value) {
        Ok(output) => println!(
            "   {input:<10} -> {}",
            text::print(&output, &artifact.output)
        ),
        Err(trap) => println!(
            "   {input:<10} -> error: {}",
            render::trap_line(&trap, Some(&version.debug), None)
        ),
    }
    1
}
