//! A small client library for nodes: connect with a certificate, then push, send (one input,
//! or many pipelined on one stream in order), inspect and roll back.
//!
//! Each call opens its own QUIC stream, so calls on one [`Client`] may run concurrently;
//! [`Client::send_many`] writes batches of inputs on one stream while it reads the answers,
//! so a long input list costs one round trip plus transfer time, and answers come back in input
//! order. Every input a `Client` sends carries an idempotency key (its client id and the next
//! sequence number), and a send whose connection is lost is retried with the same keys on a
//! new connection ([`super::client_keys`]), so an input is applied once however often it is
//! sent; [`Client::log`] pages through an instance's log ([`super::client_log`]). An input
//! answered busy (a full mailbox) is resent after a backoff by default ([`busy`]); a connection
//! the node closed for a limit comes back as that refusal. Other refusals come back as
//! [`ClientError::Refused`] with the node's reason. This module renders nothing; the CLI prints.

mod busy;
pub use busy::{BusyRetry, Sent};

use super::pki::Identity;
use super::protocol::{self, FRAME_BYTES_MAX, Request, Response};
use super::report::{InstanceReport, Outcome, PushOutcome, Refusal, SwapReport};
use super::transport::{TransportError, client_endpoint, read_frame, write_frame};
use crate::hash::Hash;
use quinn::{Connection, Endpoint, RecvStream};
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Inputs per frame in [`Client::send_many`].
pub const BATCH_INPUTS: usize = 256;

/// Why a call did not get the answer it asked for.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot reach the node at {addr}: {message}")]
    Connect { addr: SocketAddr, message: String },
    #[error("{0}")]
    Transport(#[from] TransportError),
    #[error("refused: {0}")]
    Refused(Refusal),
    #[error("the node reported a protocol error: {0}")]
    Protocol(String),
    #[error("the node closed the stream before answering")]
    NoAnswer,
    #[error("unexpected answer from the node: {0}")]
    Unexpected(String),
}

/// A connection to one node.
pub struct Client {
    pub(super) endpoint: Endpoint,
    pub(super) addr: SocketAddr,
    /// Replaced by a new connection when a keyed send retries.
    pub(super) connection: Mutex<Connection>,
    next_id: AtomicU64,
    busy_retry: BusyRetry,
    /// The client id of this client's idempotency keys.
    pub(super) client_id: String,
    /// The sequence number the next input takes.
    pub(super) next_seq: AtomicU64,
    pub(super) retry: super::client_keys::RetryPolicy,
}

impl Client {
    /// Connects to `addr`, trusting `ca_pem` and presenting `identity`.
    pub async fn connect(
        addr: SocketAddr,
        ca_pem: &str,
        identity: &Identity,
    ) -> Result<Client, ClientError> {
        let endpoint = client_endpoint(ca_pem, identity)?;
        Client::connect_with(endpoint, addr).await
    }

    /// Connects through an endpoint that is already configured.
    pub async fn connect_with(endpoint: Endpoint, addr: SocketAddr) -> Result<Client, ClientError> {
        let failed = |message: String| ClientError::Connect { addr, message };
        let connecting = endpoint
            .connect(addr, "localhost")
            .map_err(|e| failed(e.to_string()))?;
        let connection = connecting.await.map_err(|e| failed(e.to_string()))?;
        Ok(Client {
            endpoint,
            addr,
            connection: Mutex::new(connection),
            next_id: AtomicU64::new(1),
            busy_retry: BusyRetry::default(),
            client_id: super::client_keys::random_client_id(),
            next_seq: AtomicU64::new(1),
            retry: super::client_keys::RetryPolicy::default(),
        })
    }

    pub(super) fn id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// One request on its own stream, and its answer (refusals and protocol errors included).
    pub async fn request(&self, request: &Request) -> Result<Response, ClientError> {
        let frame = protocol::encode(self.id(), request);
        let mut answers = self.request_raw(&frame, 1).await?;
        answers.pop().ok_or(ClientError::NoAnswer)
    }

    /// Writes raw bytes on a new stream and reads `answers` response frames (tests use this to
    /// send frames no well-behaved client would).
    pub async fn request_raw(
        &self,
        bytes: &[u8],
        answers: usize,
    ) -> Result<Vec<Response>, ClientError> {
        self.request_raw_once(bytes, answers)
            .await
            .map_err(|error| self.refused_by_limit(error))
    }

    async fn request_raw_once(
        &self,
        bytes: &[u8],
        answers: usize,
    ) -> Result<Vec<Response>, ClientError> {
        let (mut send, mut recv) = self.open().await?;
        write_frame(&mut send, bytes).await?;
        let _ = send.finish();
        let mut responses = Vec::with_capacity(answers);
        for _ in 0..answers {
            responses.push(read_response(&mut recv).await?);
        }
        Ok(responses)
    }

    pub(super) async fn open(&self) -> Result<(quinn::SendStream, RecvStream), ClientError> {
        self.connection()
            .open_bi()
            .await
            .map_err(|e| ClientError::Transport(TransportError::Stream(e.to_string())))
    }

    /// Deploys or upgrades `instance`; `expect` makes it a compare-and-swap.
    pub async fn push(
        &self,
        instance: &str,
        artifact: Vec<u8>,
        expect: Option<Hash>,
    ) -> Result<PushOutcome, ClientError> {
        let request = Request::Push {
            instance: instance.to_string(),
            artifact,
            expect,
        };
        match answer(self.request(&request).await?)? {
            Response::Pushed(outcome) => Ok(outcome),
            other => Err(unexpected(&other)),
        }
    }

    /// One input.
    pub async fn send(&self, instance: &str, input: &str) -> Result<Outcome, ClientError> {
        let mut outcomes = self.send_many(instance, &[input.to_string()]).await?;
        match (outcomes.pop(), outcomes.is_empty()) {
            (Some(outcome), true) => Ok(outcome),
            _ => Err(ClientError::Unexpected(
                "not one outcome for one input".into(),
            )),
        }
    }

    /// Many inputs, pipelined on one stream, each with the next idempotency key; one outcome
    /// per input, in input order. A lost connection is retried with the same keys; inputs
    /// answered busy are resent per the client's [`BusyRetry`], and when it gives up the busy
    /// refusal is the error ([`Client::send_many_with`] says which inputs were applied).
    pub async fn send_many(
        &self,
        instance: &str,
        inputs: &[String],
    ) -> Result<Vec<Outcome>, ClientError> {
        let first_seq = self.reserve_seqs(inputs.len());
        self.send_keyed(instance, first_seq, inputs).await
    }

    /// Many inputs without idempotency keys, pipelined on one stream and never retried (a
    /// retry could apply an input twice); a busy answer is the error.
    pub async fn send_unkeyed(
        &self,
        instance: &str,
        inputs: &[String],
    ) -> Result<Vec<Outcome>, ClientError> {
        match self.send_stream(instance, inputs).await? {
            (outcomes, None) => Ok(outcomes),
            (_, Some(busy)) => Err(ClientError::Refused(busy)),
        }
    }

    /// One unkeyed pipelined pass over `inputs`: the outcomes of the inputs applied, always a
    /// prefix, and the busy refusal that stopped the rest, if any.
    async fn send_stream(
        &self,
        instance: &str,
        inputs: &[String],
    ) -> Result<(Vec<Outcome>, Option<Refusal>), ClientError> {
        let (mut send, mut recv) = self.open().await?;
        let batches: Vec<&[String]> = inputs.chunks(BATCH_INPUTS).collect();
        let frames: Vec<Vec<u8>> = batches
            .iter()
            .map(|batch| {
                let request = Request::Send {
                    instance: instance.to_string(),
                    inputs: batch.to_vec(),
                };
                protocol::encode(self.id(), &request)
            })
            .collect();
        let writing = async {
            for frame in &frames {
                write_frame(&mut send, frame).await?;
            }
            let _ = send.finish();
            Ok::<(), ClientError>(())
        };
        let reading = async {
            let mut outcomes = Vec::with_capacity(inputs.len());
            let mut busy = None;
            for _ in &frames {
                match read_response(&mut recv).await? {
                    Response::Outputs(batch) if busy.is_none() => outcomes.extend(batch),
                    Response::Refused(refusal @ Refusal::Busy { .. }) => {
                        busy.get_or_insert(refusal);
                    }
                    other => return Err(unexpected(&answer(other)?)),
                }
            }
            Ok((outcomes, busy))
        };
        let (written, outcomes) = tokio::join!(writing, reading);
        written?;
        outcomes
    }

    /// One instance's report, or every instance's.
    pub async fn inspect(
        &self,
        instance: Option<&str>,
    ) -> Result<Vec<InstanceReport>, ClientError> {
        let request = Request::Inspect {
            instance: instance.map(str::to_string),
        };
        match answer(self.request(&request).await?)? {
            Response::Inspected(reports) => Ok(reports),
            other => Err(unexpected(&other)),
        }
    }

    /// Back to the previous version.
    pub async fn rollback(&self, instance: &str) -> Result<SwapReport, ClientError> {
        let request = Request::Rollback {
            instance: instance.to_string(),
        };
        match answer(self.request(&request).await?)? {
            Response::RolledBack(swap) => Ok(swap),
            other => Err(unexpected(&other)),
        }
    }

    /// Closes the connection and waits until the node has been told.
    pub async fn close(self) {
        self.connection().close(0u32.into(), b"done");
        self.endpoint.wait_idle().await;
    }
}

pub(super) async fn read_response(recv: &mut RecvStream) -> Result<Response, ClientError> {
    let contents = read_frame(recv, FRAME_BYTES_MAX)
        .await?
        .ok_or(ClientError::NoAnswer)?;
    let (_, response) = protocol::decode::<Response>(&contents).map_err(TransportError::from)?;
    Ok(response)
}

/// Turns refusals and protocol errors into errors.
pub(crate) fn answer(response: Response) -> Result<Response, ClientError> {
    match response {
        Response::Refused(refusal) => Err(ClientError::Refused(refusal)),
        Response::ProtocolError(message) => Err(ClientError::Protocol(message)),
        other => Ok(other),
    }
}

pub(crate) fn unexpected(response: &Response) -> ClientError {
    let kind = match response {
        Response::Pushed(_) => "push",
        Response::Outputs(_) => "outputs",
        Response::Inspected(_) => "inspect",
        Response::RolledBack(_) => "rollback",
        Response::Refused(_) => "refusal",
        Response::ProtocolError(_) => "protocol error",
        Response::SigningState(_) => "signing state",
        Response::Logged(_) => "log",
    };
    ClientError::Unexpected(format!("a {kind} answer"))
}
