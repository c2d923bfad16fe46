//! Idempotent sends for [`Client`]: every input carries a key (the client's id and a sequence
//! number), and a send that loses its connection is sent again with the same keys on a new
//! connection, so the node applies each input once and answers a retry with what it recorded.
//!
//! A client id is 128 random bits in hex, made when the client connects, unless the caller
//! names one ([`Client::with_client_id`], e.g. to retry a whole process's work after a crash:
//! same id and same sequence numbers give the same answers). Sequence numbers are consecutive
//! per client, reserved before the first frame is written. Only failures that may have lost an
//! answer are retried (the stream or connection broke, no answer came, the node was going
//! down); refusals and protocol errors are returned as they are.

use super::client::{Client, ClientError, answer, read_response, unexpected};
use super::protocol::{self, Request, Response};
use super::report::{Outcome, Refusal};
use super::transport::{TransportError, write_frame};
use quinn::Connection;
use sha2::{Digest, Sha256};
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Inputs per frame of a keyed send.
pub const KEYED_BATCH_INPUTS: usize = 256;

/// How often, and how patiently, a keyed send is retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all (1 = never retry).
    pub attempts: u32,
    /// The wait before the first retry; it doubles after each one.
    pub backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            attempts: 4,
            backoff: Duration::from_millis(100),
        }
    }
}

/// A fresh client id: 128 random bits as 32 hex digits.
pub fn random_client_id() -> String {
    let mut bytes = [0u8; 16];
    let random = rustls::crypto::ring::default_provider()
        .secure_random
        .fill(&mut bytes);
    if random.is_err() {
        // No system randomness: the time and process id are unique enough for one machine.
        let mut hasher = Sha256::new();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        hasher.update(now.as_nanos().to_le_bytes());
        hasher.update(std::process::id().to_le_bytes());
        bytes.copy_from_slice(&hasher.finalize()[..16]);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Client {
    /// The id this client's inputs are keyed with.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The sequence number the next input takes.
    pub fn next_seq(&self) -> u64 {
        self.next_seq.load(Ordering::SeqCst)
    }

    /// Keys this client's inputs with `client_id`, the next one taking sequence `next_seq`.
    pub fn with_client_id(mut self, client_id: &str, next_seq: u64) -> Client {
        self.client_id = client_id.to_string();
        self.next_seq = next_seq.into();
        self
    }

    /// Retries keyed sends as `policy` says.
    pub fn with_retry(mut self, policy: RetryPolicy) -> Client {
        self.retry = policy;
        self
    }

    /// Reserves `count` consecutive sequence numbers and returns the first.
    pub fn reserve_seqs(&self, count: usize) -> u64 {
        let count = u64::try_from(count).unwrap_or(u64::MAX);
        self.next_seq.fetch_add(count, Ordering::SeqCst)
    }

    /// The current connection.
    pub fn connection(&self) -> Connection {
        self.connection
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Inputs keyed `(client_id, first_seq + i)`, pipelined; on a lost connection the inputs
    /// not yet answered are sent again, with the same keys, on a new connection, and inputs
    /// answered busy are resent per the client's [`super::client::BusyRetry`].
    pub async fn send_keyed(
        &self,
        instance: &str,
        first_seq: u64,
        inputs: &[String],
    ) -> Result<Vec<Outcome>, ClientError> {
        let sent = self.send_keyed_with(instance, first_seq, inputs).await?;
        match sent.busy {
            None => Ok(sent.outcomes),
            Some(busy) => Err(ClientError::Refused(busy)),
        }
    }

    /// One keyed pass (with its reconnecting retries): the outcomes of a prefix of `inputs`,
    /// and the busy answer that stopped the rest, if one did.
    pub(super) async fn keyed_pass(
        &self,
        instance: &str,
        first_seq: u64,
        inputs: &[String],
    ) -> Result<(Vec<Outcome>, Option<Refusal>), ClientError> {
        let mut outcomes = Vec::with_capacity(inputs.len());
        let mut backoff = self.retry.backoff;
        let mut attempt = 1;
        loop {
            let connection = self.connection();
            let done = outcomes.len();
            let seq = first_seq.saturating_add(u64::try_from(done).unwrap_or(u64::MAX));
            let rest = inputs.get(done..).unwrap_or_default();
            let result = self
                .send_keyed_once(instance, seq, rest, &mut outcomes)
                .await;
            match result {
                Ok(busy) => return Ok((outcomes, busy)),
                Err(error) if attempt < self.retry.attempts && may_retry(&error) => {
                    tokio::time::sleep(backoff).await;
                    backoff = backoff.saturating_mul(2);
                    attempt += 1;
                    // A failed reconnect is tried again on the next round, until attempts end.
                    let _ = self.reconnect(&connection).await;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// One try: frames for `inputs` from `first_seq`, each answer appended to `outcomes` as
    /// it arrives (so a retry knows where to resume). A busy answer ends the reading: the node
    /// answers every later frame of the stream busy too, so what was applied is a prefix.
    async fn send_keyed_once(
        &self,
        instance: &str,
        first_seq: u64,
        inputs: &[String],
        outcomes: &mut Vec<Outcome>,
    ) -> Result<Option<Refusal>, ClientError> {
        let (mut send, mut recv) = self.open().await?;
        let frames: Vec<(usize, Vec<u8>)> = (0u64..)
            .step_by(KEYED_BATCH_INPUTS)
            .zip(inputs.chunks(KEYED_BATCH_INPUTS))
            .map(|(offset, batch)| {
                let request = Request::SendKeyed {
                    instance: instance.to_string(),
                    client: self.client_id.clone(),
                    first_seq: first_seq.saturating_add(offset),
                    inputs: batch.to_vec(),
                };
                (batch.len(), protocol::encode(self.id(), &request))
            })
            .collect();
        let writing = async {
            for (_, frame) in &frames {
                write_frame(&mut send, frame).await?;
            }
            let _ = send.finish();
            Ok::<(), ClientError>(())
        };
        let reading = async {
            for (count, _) in &frames {
                match read_response(&mut recv).await? {
                    Response::Outputs(batch) if batch.len() == *count => outcomes.extend(batch),
                    Response::Outputs(_) => {
                        return Err(ClientError::Unexpected("not one outcome per input".into()));
                    }
                    Response::Refused(busy @ Refusal::Busy { .. }) => return Ok(Some(busy)),
                    other => return Err(unexpected(&answer(other)?)),
                }
            }
            Ok(None)
        };
        let (written, read) = tokio::join!(writing, reading);
        let busy = read?;
        if busy.is_none() {
            written?;
        }
        Ok(busy)
    }

    /// Replaces `failed` with a new connection to the same node (unless another call already
    /// did).
    async fn reconnect(&self, failed: &Connection) -> Result<(), ClientError> {
        if self.connection().stable_id() != failed.stable_id() {
            return Ok(());
        }
        let addr = self.addr;
        let broken = |message: String| ClientError::Connect { addr, message };
        let connecting = self
            .endpoint
            .connect(addr, "localhost")
            .map_err(|e| broken(e.to_string()))?;
        let connection = connecting.await.map_err(|e| broken(e.to_string()))?;
        *self
            .connection
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = connection;
        Ok(())
    }
}

/// Whether `error` may have lost an answer, so the same keys may be sent again.
fn may_retry(error: &ClientError) -> bool {
    matches!(
        error,
        ClientError::Connect { .. }
            | ClientError::NoAnswer
            | ClientError::Transport(TransportError::Stream(_))
            | ClientError::Refused(Refusal::ShuttingDown)
    )
}
