//! The Erlang/OTP baseline: runs `bench/erlang/run.sh` (which installs `erlang-base` if `erl`
//! is missing) and parses its figures. Any failure (no Erlang, no root to install it, a crash,
//! a timeout) makes every Erlang baseline "unavailable" with the reason; it never fails the
//! suite.

use crate::Options;
use crate::table::Baseline;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What the Erlang script measured, or why it could not.
#[derive(Clone, Debug)]
pub enum ErlangFigures {
    Measured {
        /// Calls per second by number of callers.
        calls: BTreeMap<usize, f64>,
        /// Swap window (median, max) in microseconds by map entries.
        pauses: BTreeMap<usize, (f64, f64)>,
    },
    Unavailable(String),
}

impl ErlangFigures {
    pub fn calls(&self, callers: usize) -> Baseline {
        self.pick(|calls, _| calls.get(&callers).copied())
    }

    pub fn pause_median(&self, entries: usize) -> Baseline {
        self.pick(|_, pauses| pauses.get(&entries).map(|p| p.0))
    }

    pub fn pause_max(&self, entries: usize) -> Baseline {
        self.pick(|_, pauses| pauses.get(&entries).map(|p| p.1))
    }

    fn pick(
        &self,
        get: impl Fn(&BTreeMap<usize, f64>, &BTreeMap<usize, (f64, f64)>) -> Option<f64>,
    ) -> Baseline {
        match self {
            ErlangFigures::Measured { calls, pauses } => get(calls, pauses).map_or_else(
                || Baseline::Unavailable("not measured by the script".into()),
                Baseline::Measured,
            ),
            ErlangFigures::Unavailable(why) => Baseline::Unavailable(why.clone()),
        }
    }
}

/// Runs the Erlang script, giving it at most five minutes.
pub fn measure(options: Options) -> ErlangFigures {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("erlang/run.sh");
    eprintln!("quiver-bench: erlang baseline ({})", script.display());
    match run_script(&script, options.quick, Duration::from_secs(300)) {
        Ok(stdout) => parse(&stdout),
        Err(why) => ErlangFigures::Unavailable(why),
    }
}

fn run_script(script: &Path, quick: bool, limit: Duration) -> Result<String, String> {
    let mut command = Command::new("sh");
    command
        .arg(script)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if quick {
        command.arg("--quick");
    }
    let mut child = command.spawn().map_err(|e| format!("cannot run sh: {e}"))?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                return Err("the erlang script timed out".into());
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(format!("waiting for the erlang script: {e}")),
        }
    }
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason = stderr.lines().last().unwrap_or("the erlang script failed");
        return Err(reason.trim().to_string());
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Parses `calls <callers> <rate>` and `pause <entries> <median> <max>` lines.
pub fn parse(stdout: &str) -> ErlangFigures {
    let mut calls = BTreeMap::new();
    let mut pauses = BTreeMap::new();
    for line in stdout.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let number = |i: usize| words.get(i).and_then(|w| w.parse::<f64>().ok());
        let count = |i: usize| words.get(i).and_then(|w| w.parse::<usize>().ok());
        match words.first() {
            Some(&"calls") => {
                if let (Some(n), Some(rate)) = (count(1), number(2)) {
                    calls.insert(n, rate);
                }
            }
            Some(&"pause") => {
                if let (Some(n), Some(median), Some(max)) = (count(1), number(2), number(3)) {
                    pauses.insert(n, (median, max));
                }
            }
            _ => {}
        }
    }
    if calls.is_empty() && pauses.is_empty() {
        return ErlangFigures::Unavailable("the erlang script printed no figures".into());
    }
    ErlangFigures::Measured { calls, pauses }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_lines_become_baselines() {
        let figures = parse("calls 1 442239.2\npause 10000 330 629\nnoise\n");
        assert!(matches!(figures.calls(1), Baseline::Measured(r) if r == 442239.2));
        assert!(matches!(figures.pause_max(10000), Baseline::Measured(m) if m == 629.0));
        assert!(matches!(figures.calls(4), Baseline::Unavailable(_)));
    }

    #[test]
    fn no_figures_means_unavailable() {
        assert!(matches!(parse(""), ErlangFigures::Unavailable(_)));
    }
}
