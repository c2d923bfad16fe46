//! The demo's clients: each one sends `Incr(1)`, `Get` pairs pipelined over its own QUIC
//! connection until told to stop, and tallies what it sent and what came back.
//!
//! A client checks its own answers: every `Incr(1)` must answer `Ok`, and its `Get`s must give
//! strictly increasing values (its own increment lies between two of its `Get`s, and every
//! increment is positive), so an answer lost, duplicated or reordered on its stream shows.
//! It does not know the other clients' inputs; the final-state model is the caller's.

use quiver_vm::node::client::Client;
use quiver_vm::node::report::Outcome;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// `Incr(1)`, `Get` pairs per pipelined call.
pub const PAIRS_PER_BATCH: usize = 128;

/// What one client saw.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub sent: u64,
    pub answered: u64,
    /// `Incr(1)` inputs answered `Ok`.
    pub increments: u64,
    /// Answers that were not what the counter gives (traps, rejections, wrong outputs).
    pub errors: u64,
    /// Whether every `Get` gave more than the one before it.
    pub in_order: bool,
    pub first_problem: Option<String>,
}

impl Tally {
    pub fn lost(&self) -> u64 {
        self.sent.saturating_sub(self.answered)
    }

    fn problem(&mut self, what: String) {
        self.errors += 1;
        self.first_problem.get_or_insert(what);
    }
}

/// Sends until `stop` is set (checked between batches), adding answers to `progress`.
pub async fn send_until(
    client: Client,
    instance: String,
    stop: Arc<AtomicBool>,
    progress: Arc<AtomicU64>,
) -> Tally {
    let batch: Vec<String> = (0..PAIRS_PER_BATCH)
        .flat_map(|_| ["Incr(1)".to_string(), "Get".to_string()])
        .collect();
    let mut tally = Tally {
        in_order: true,
        ..Tally::default()
    };
    let mut last_get: Option<i64> = None;
    while !stop.load(Ordering::Relaxed) {
        tally.sent += batch.len() as u64;
        let outcomes = match client.send_many(&instance, &batch).await {
            Ok(outcomes) => outcomes,
            Err(error) => {
                tally.problem(format!("the connection failed: {error}"));
                break;
            }
        };
        tally.answered += outcomes.len() as u64;
        progress.fetch_add(outcomes.len() as u64, Ordering::Relaxed);
        for (input, outcome) in batch.iter().zip(&outcomes) {
            check(&mut tally, &mut last_get, input, outcome);
        }
    }
    client.close().await;
    tally
}

fn check(tally: &mut Tally, last_get: &mut Option<i64>, input: &str, outcome: &Outcome) {
    let output = match outcome {
        Outcome::Output(text) => text.as_str(),
        Outcome::Trapped(trap) => return tally.problem(format!("{input}: error: {trap}")),
        Outcome::Rejected(reason) => return tally.problem(format!("{input}: error: {reason}")),
    };
    if input != "Get" {
        if output == "Ok" {
            tally.increments += 1;
        } else {
            tally.problem(format!("{input} answered {output}, not Ok"));
        }
        return;
    }
    let value = output
        .strip_prefix("Value(")
        .and_then(|rest| rest.strip_suffix(')'))
        .and_then(|digits| digits.parse::<i64>().ok());
    match value {
        Some(value) => {
            if last_get.is_some_and(|last| value <= last) {
                tally.in_order = false;
                tally.first_problem.get_or_insert(format!(
                    "Get answered {value} after {}",
                    last_get.unwrap_or_default()
                ));
            }
            *last_get = Some(value);
        }
        None => tally.problem(format!("Get answered {output}, not Value(n)")),
    }
}
