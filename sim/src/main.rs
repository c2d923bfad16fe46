//! `quiver-sim [--seeds N] [--seed S] [--steps K]`: runs N seeds from S (default 100 from 1),
//! prints a summary and the speed, and on a failure the seed, the trace and the command that
//! replays it (exit code 1; 2 for a usage error).

use quiver_sim::{Config, run};
use std::process::ExitCode;
use std::time::Instant;

struct Args {
    first: u64,
    seeds: u64,
    config: Config,
}

fn parse() -> Result<Args, String> {
    let mut args = Args {
        first: 1,
        seeds: 100,
        config: Config::default(),
    };
    let mut words = std::env::args().skip(1);
    while let Some(flag) = words.next() {
        let mut value = || -> Result<u64, String> {
            let text = words.next().ok_or(format!("{flag} needs a number"))?;
            text.parse()
                .map_err(|_| format!("{flag} takes a number, not `{text}`"))
        };
        match flag.as_str() {
            "--seeds" => args.seeds = value()?,
            "--seed" => {
                args.first = value()?;
                args.seeds = 1;
            }
            "--first" => args.first = value()?,
            "--steps" => args.config.steps = value()?,
            "--help" | "-h" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(args)
}

const USAGE: &str = "usage: quiver-sim [--seeds N] [--first S] [--seed S] [--steps K]\n  \
    --seeds N  run N seeds (default 100)\n  --first S  start at seed S (default 1)\n  \
    --seed S   run seed S only (replays a failure)\n  --steps K  faulty steps per run (default 600)";

fn main() -> ExitCode {
    let args = match parse() {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("error: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let (mut steps, mut acked, mut crashes, mut swaps) = (0u64, 0u64, 0u64, 0u64);
    let mut digest = 0u64;
    let (mut faults, mut in_doubt) = (0u64, 0u64);
    for seed in args.first..args.first.saturating_add(args.seeds) {
        match run(seed, &args.config) {
            Ok(stats) => {
                steps += stats.steps;
                acked += stats.inputs_acknowledged;
                crashes += stats.crashes;
                swaps += stats.swaps_committed;
                faults += stats.disk_faults;
                in_doubt += stats.in_doubt_kept;
                digest ^= stats
                    .digest
                    .rotate_left(u32::try_from(seed % 64).unwrap_or(0));
            }
            Err(failure) => {
                eprintln!(
                    "seed {seed} failed at step {}: {}",
                    failure.step, failure.message
                );
                for line in &failure.trace {
                    eprintln!("  {line}");
                }
                eprintln!(
                    "replay: cargo run -p quiver-sim -- --seed {seed} --steps {}",
                    args.config.steps
                );
                return ExitCode::from(1);
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64().max(1e-9);
    println!(
        "{} seeds ok: {steps} steps, {acked} inputs acknowledged, {crashes} crashes ({faults} disk \
         faults, {in_doubt} unacknowledged records kept by a torn commit), {swaps} swaps \
         committed; digest {digest:016x}; {:.1} seeds/s, {:.0} steps/s",
        args.seeds,
        args.seeds as f64 / seconds,
        steps as f64 / seconds
    );
    ExitCode::SUCCESS
}
