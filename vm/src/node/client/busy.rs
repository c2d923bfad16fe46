//! Busy answers on the client side: resending inputs a full mailbox refused, with backoff, and
//! turning a connection closed by a node's limit back into its refusal.
//!
//! A node answers busy at once instead of queueing, and a stream answered busy once answers
//! every later input busy, so the inputs applied from one pipelined pass are always a prefix of
//! the ones sent. [`Client::send_many_with`] therefore resends exactly the rest, in order and
//! with the same idempotency keys, on a new stream after a growing, jittered delay, until every input is applied or the policy gives
//! up: no input is lost or applied twice. This module does no printing.

use super::{Client, ClientError};
use crate::node::admission::refusal_of_close;
use crate::node::report::{Outcome, Refusal};
use std::time::{Duration, Instant};

/// How [`Client::send_many`] treats busy answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusyRetry {
    /// Whether to resend at all; `false` surfaces the first busy answer.
    pub enabled: bool,
    /// The first wait before resending; it doubles after each busy pass.
    pub delay_first: Duration,
    /// The longest wait between two passes.
    pub delay_max: Duration,
    /// Give up once this much time has passed since the first pass.
    pub give_up_after: Duration,
}

impl Default for BusyRetry {
    fn default() -> BusyRetry {
        BusyRetry {
            enabled: true,
            delay_first: Duration::from_millis(1),
            delay_max: Duration::from_millis(200),
            give_up_after: Duration::from_secs(60),
        }
    }
}

impl BusyRetry {
    /// Never resend: a busy answer is returned as it is.
    pub fn none() -> BusyRetry {
        BusyRetry {
            enabled: false,
            ..BusyRetry::default()
        }
    }
}

/// What a [`Client::send_many_with`] achieved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    /// The outcomes of the inputs applied, in order: those of a prefix of the inputs.
    pub outcomes: Vec<Outcome>,
    /// Why the remaining inputs were not applied, when the policy gave up on busy answers.
    pub busy: Option<Refusal>,
}

impl Client {
    /// Sets how busy answers are treated from now on (the default resends with backoff).
    pub fn set_busy_retry(&mut self, retry: BusyRetry) {
        self.busy_retry = retry;
    }

    /// Many inputs, pipelined and keyed; busy answers are resent per the [`BusyRetry`], and
    /// when it gives up the outcomes say which prefix of the inputs was applied.
    pub async fn send_many_with(
        &self,
        instance: &str,
        inputs: &[String],
    ) -> Result<Sent, ClientError> {
        let first_seq = self.reserve_seqs(inputs.len());
        self.send_keyed_with(instance, first_seq, inputs).await
    }

    /// [`Client::send_keyed`], saying which prefix was applied when busy answers won.
    pub async fn send_keyed_with(
        &self,
        instance: &str,
        first_seq: u64,
        inputs: &[String],
    ) -> Result<Sent, ClientError> {
        let started = Instant::now();
        let mut delay = self.busy_retry.delay_first;
        let mut outcomes = Vec::with_capacity(inputs.len());
        loop {
            let done = outcomes.len();
            let rest = inputs.get(done..).unwrap_or_default();
            let seq = first_seq.saturating_add(u64::try_from(done).unwrap_or(u64::MAX));
            let (applied, busy) = self
                .keyed_pass(instance, seq, rest)
                .await
                .map_err(|error| self.refused_by_limit(error))?;
            outcomes.extend(applied);
            let Some(busy) = busy else {
                return Ok(Sent {
                    outcomes,
                    busy: None,
                });
            };
            let retry = &self.busy_retry;
            if !retry.enabled || started.elapsed() >= retry.give_up_after {
                return Ok(Sent {
                    outcomes,
                    busy: Some(busy),
                });
            }
            tokio::time::sleep(jittered(delay)).await;
            delay = (delay * 2).min(retry.delay_max);
        }
    }

    /// `error`, or the refusal the node closed the connection with when it was a limit.
    pub(super) fn refused_by_limit(&self, error: ClientError) -> ClientError {
        match self.connection().close_reason() {
            Some(quinn::ConnectionError::ApplicationClosed(close)) => {
                match refusal_of_close(close.error_code.into_inner(), &close.reason) {
                    Some(refusal) => ClientError::Refused(refusal),
                    None => error,
                }
            }
            _ => error,
        }
    }
}

/// Between half and all of `delay`, so clients refused together do not return together.
fn jittered(delay: Duration) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.subsec_nanos());
    let fraction = f64::from(nanos % 1000) / 2000.0;
    delay.mul_f64(0.5 + fraction)
}
