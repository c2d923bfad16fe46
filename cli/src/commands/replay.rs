//! `quiver replay`: an instance rebuilt offline from a stopped node's store, every recorded
//! output recomputed and compared, or its recorded inputs re-run against a candidate version
//! (`--with`).
//!
//! It only reads: the store is opened, replayed and closed, and nothing is appended. It uses
//! the default limits, which are the node's (fuel is part of determinism).

use crate::args::Exit;
use crate::args_node::ReplayArgs;
use crate::load::{LoadError, load};
use anyhow::{Context, Result};
use quiver_vm::limits::Limits;
use quiver_vm::node::store::{
    CandidateReport, Difference, DifferenceKind, Durability, ReplayReport, Store, describe,
};

pub fn run(args: &ReplayArgs) -> Result<Exit> {
    let limits = Limits::default();
    let store = Store::open(&args.data, Durability::Sync).with_context(|| {
        format!(
            "cannot open the store in {}; replay reads the data dir of a stopped node",
            args.data.display()
        )
    })?;
    match &args.with {
        None => {
            let report = store
                .replay(&args.instance, args.to, &limits)
                .with_context(|| format!("cannot replay `{}`", args.instance))?;
            Ok(print_replay(&report, args.state))
        }
        Some(path) => {
            let unit = match load(path, args.machine.as_deref(), &limits) {
                Ok(unit) => unit,
                Err(LoadError::Reported) => return Ok(Exit::Failed),
                Err(LoadError::Other(error)) => return Err(error),
            };
            let report = store
                .replay_with(&args.instance, &unit.artifact, &limits)
                .with_context(|| format!("cannot replay `{}`", args.instance))?;
            Ok(print_candidate(&report))
        }
    }
}

fn print_replay(report: &ReplayReport, show_state: bool) -> Exit {
    println!(
        "replayed `{}` from position {} to {}: {} input(s) checked",
        report.instance, report.started_at, report.reached, report.checked
    );
    println!(
        "  running {} after {} turn(s)",
        report.running, report.turns
    );
    if show_state {
        println!("state: {}", report.state);
    }
    let mut exit = Exit::Success;
    if let Some(position) = report.bad_snapshot {
        println!(
            "error: the snapshot at position {position} does not match the replayed instance; \
             a recovery from it would be wrong"
        );
        exit = Exit::Failed;
    }
    match &report.divergence {
        Some(divergence) => {
            println!(
                "error: divergence at position {}: input {} was recorded as {} but replays as {}",
                divergence.position,
                divergence.input,
                describe(&divergence.recorded),
                describe(&divergence.recomputed)
            );
            Exit::Failed
        }
        None => {
            if exit == Exit::Success {
                println!("every recomputed output equals the recorded one");
            }
            exit
        }
    }
}

fn print_candidate(report: &CandidateReport) -> Exit {
    println!(
        "replayed `{}` from position {} against candidate {}",
        report.instance, report.started_at, report.candidate
    );
    if let Some(why) = &report.migration_refused {
        println!("error: the candidate cannot take over: {why}");
        return Exit::Failed;
    }
    println!(
        "  {} input(s): {} same, {} trap(s), {} invariant violation(s), {} rejected, {} other \
         output(s); {} upgrade/rollback record(s) passed over",
        report.inputs,
        report.same,
        report.traps,
        report.invariant_violations,
        report.rejected,
        report.output_differences,
        report.barriers_skipped
    );
    for difference in &report.differences {
        println!("{}", difference_line(difference));
    }
    let differing = report.inputs - report.same;
    if differing > report.differences.len() as u64 {
        println!(
            "  ... and {} more",
            differing - report.differences.len() as u64
        );
    }
    if differing == 0 {
        println!("the candidate gives every recorded output");
        Exit::Success
    } else {
        Exit::Rejected
    }
}

fn difference_line(difference: &Difference) -> String {
    let kind = match difference.kind {
        DifferenceKind::Trap => "trap",
        DifferenceKind::InvariantViolated => "invariant violated",
        DifferenceKind::Rejected => "rejected",
        DifferenceKind::Output => "other output",
    };
    format!(
        "  position {}: {} ({kind}): recorded {}, candidate {}",
        difference.position,
        difference.input,
        describe(&difference.recorded),
        describe(&difference.candidate)
    )
}
