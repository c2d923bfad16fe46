//! The node: accepts QUIC connections, reads request frames, checks roles and routes requests
//! to instance mailboxes, answering every request frame with one response frame in order.
//!
//! Each stream has a reader (this module's loop, which enqueues items in frame order so a
//! client's pipelined inputs stay in order) and a writer task that awaits the replies in the
//! same order. The limits of [`super::admission`] apply here: connections per client
//! certificate, requests in flight per connection, and the busy latch of a stream. A malformed frame is answered with a protocol error and the stream goes on; an
//! oversized frame or one of another protocol version is answered and its stream is closed.
//! Nothing a peer sends ends the node. Pushed artifacts are decoded and verified here, off the
//! instance, before their upgrade barrier enters the mailbox. With trusted keys
//! ([`NodeConfig::trusted_keys`]) unsigned swaps are refused and signed ones go through
//! [`super::signing::serve`] after the role check: role and signature must both pass.
//!
//! At start the node opens its durable store in the data dir and brings back every instance it
//! holds (version stack and state) before it listens; an instance the store cannot recover
//! exactly stops the start with the store's error. Stopping closes every mailbox, lets the
//! actors drain and closes the store, so everything acknowledged is on disk.

use super::admission::{
    AdmissionLimits, ClientIdentity, ConnectionCounter, LIMIT_CLOSE_CODE, StreamAdmission,
    close_reason,
};
use super::compaction;
use super::core::{Item, Reply};
use super::instances::{Closed, Instances, Pushed};
use super::log_page;
use super::pki::{Pki, PkiError, Role};
use super::protocol::{self, FRAME_BYTES_MAX, FrameError, Request, Response};
use super::report::Refusal;
use super::signing::{self, Gate, TrustedKeys};
use super::store::policy::SnapshotPolicy;
use super::store::{Durability, Store, StoreError};
use super::transport::{
    TransportError, peer_certificate, peer_role, read_frame, server_endpoint_with, write_frame,
};
use super::version::prepare;
use crate::limits::Limits;
use quinn::{Connection, Endpoint, RecvStream, SendStream};
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot};
use tokio::task::JoinHandle;

/// How to run a node.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub limits: Limits,
    pub frame_bytes_max: usize,
    /// Items a mailbox holds; an input finding it full is answered busy.
    pub mailbox_capacity: usize,
    /// Instances, connections per client, streams and requests in flight per connection.
    pub admission: AdmissionLimits,
    /// When a logged item counts as durable (and may be acknowledged).
    pub durability: Durability,
    /// When each instance snapshots its state.
    pub snapshots: SnapshotPolicy,
    /// Compact each instance's log down to this many snapshots; `None` keeps everything.
    pub keep_snapshots: Option<usize>,
    /// When set, deploys, upgrades and rollbacks must be signed by one of these keys
    /// (`spec/security.md`); when `None` the admin role suffices.
    pub trusted_keys: Option<TrustedKeys>,
}

impl NodeConfig {
    pub fn new(listen: SocketAddr, data_dir: PathBuf) -> NodeConfig {
        NodeConfig {
            listen,
            data_dir,
            limits: Limits::default(),
            frame_bytes_max: FRAME_BYTES_MAX,
            mailbox_capacity: 1024,
            durability: Durability::group(),
            snapshots: SnapshotPolicy::default(),
            keep_snapshots: None,
            trusted_keys: None,
            admission: AdmissionLimits::default(),
        }
    }
}

/// Why a node could not start.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    #[error("{0}")]
    Pki(#[from] PkiError),
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the store holds instance `{0}` without any version; move the data dir's store aside")]
    Unrestorable(String),
}

/// A node that is serving.
pub struct RunningNode {
    /// The address it listens on (the real port when the config asked for port 0).
    pub addr: SocketAddr,
    /// Whether this start created the CA, node and admin certificates.
    pub created_pki: bool,
    /// How many instances this start brought back from the store.
    pub recovered: usize,
    endpoint: Endpoint,
    accepting: JoinHandle<()>,
    instances: Instances,
}

impl RunningNode {
    /// Serves until the task is cancelled (the process ends).
    pub async fn wait(self) {
        let _ = self.accepting.await;
    }

    /// Closes every connection, stops accepting, and closes the store once every instance
    /// has drained its mailbox.
    pub async fn shutdown(self) {
        self.endpoint.close(0u32.into(), b"node shutting down");
        self.accepting.abort();
        self.endpoint.wait_idle().await;
        let Closed { actors, store } = self.instances.close();
        for actor in actors {
            let _ = actor.await;
        }
        if let Some(store) = store {
            let _ = tokio::task::spawn_blocking(move || close_store(store)).await;
        }
    }
}

/// How long a stopping node waits for the last other holders of its store (a compaction).
const STORE_CLOSE_WAIT: Duration = Duration::from_secs(5);

/// Drops the last handle on the store, which commits and ends its committer.
fn close_store(mut store: Arc<Store>) {
    let deadline = std::time::Instant::now() + STORE_CLOSE_WAIT;
    loop {
        match Arc::try_unwrap(store) {
            Ok(only) => return drop(only),
            Err(shared) if std::time::Instant::now() < deadline => {
                store = shared;
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(_) => return,
        }
    }
}

/// Opens the store in the data dir and starts the actor of every instance it holds.
fn recover_instances(config: &NodeConfig) -> Result<(Instances, Arc<Store>, usize), NodeError> {
    let store = Arc::new(Store::open(&config.data_dir, config.durability)?);
    let instances = Instances::new(
        config.limits.clone(),
        config.mailbox_capacity,
        store.clone(),
        config.snapshots,
    )
    .with_instances_max(config.admission.instances);
    let names = store.instances()?;
    for name in &names {
        let recovered = store.recover(name, &config.limits)?;
        if !instances.restore(recovered) {
            return Err(NodeError::Unrestorable(name.clone()));
        }
    }
    Ok((instances, store, names.len()))
}

/// Starts a node: opens (or creates) the PKI in the data dir and listens.
pub async fn start(config: NodeConfig) -> Result<RunningNode, NodeError> {
    let (pki, created_pki) = Pki::open_or_create(&config.data_dir)?;
    let endpoint = server_endpoint_with(
        config.listen,
        pki.ca_pem(),
        &pki.load_node()?,
        config.admission.streams_per_connection,
    )?;
    let addr = endpoint
        .local_addr()
        .map_err(|source| TransportError::Bind {
            addr: config.listen,
            source,
        })?;
    let (instances, store, recovered) = recover_instances(&config)?;
    if let Some(keep) = config.keep_snapshots {
        // Ends by itself once the store is closed.
        drop(compaction::spawn(&store, keep));
    }
    drop(store);
    let shared = Shared {
        instances: instances.clone(),
        limits: config.limits,
        frame_bytes_max: config.frame_bytes_max,
        gate: config.trusted_keys.map(|keys| Arc::new(Gate::new(keys))),
        admission: config.admission,
        connections: ConnectionCounter::default(),
    };
    let accepting = tokio::spawn(accept(endpoint.clone(), shared));
    Ok(RunningNode {
        addr,
        created_pki,
        recovered,
        endpoint,
        accepting,
        instances,
    })
}

#[derive(Clone)]
struct Shared {
    instances: Instances,
    limits: Limits,
    frame_bytes_max: usize,
    /// The signature check of swaps, when the node trusts keys.
    gate: Option<Arc<Gate>>,
    admission: AdmissionLimits,
    connections: ConnectionCounter,
}

async fn accept(endpoint: Endpoint, shared: Shared) {
    while let Some(incoming) = endpoint.accept().await {
        let shared = shared.clone();
        tokio::spawn(async move {
            // A failed handshake (no certificate, another CA) only ends that connection.
            if let Ok(connection) = incoming.await {
                serve_connection(connection, shared).await;
            }
        });
    }
}

async fn serve_connection(connection: Connection, shared: Shared) {
    let Some(role) = peer_role(&connection) else {
        connection.close(1u32.into(), b"the certificate carries no quiver role");
        return;
    };
    let client = ClientIdentity::of_certificate(&peer_certificate(&connection).unwrap_or_default());
    let _permit = match shared
        .connections
        .admit(&client, shared.admission.connections_per_client)
    {
        Ok(permit) => permit,
        Err(refusal) => {
            connection.close(LIMIT_CLOSE_CODE.into(), &close_reason(&refusal));
            return;
        }
    };
    let in_flight = Arc::new(Semaphore::new(
        shared.admission.in_flight_per_connection.max(1),
    ));
    while let Ok((send, recv)) = connection.accept_bi().await {
        tokio::spawn(serve_stream(
            send,
            recv,
            role,
            shared.clone(),
            in_flight.clone(),
        ));
    }
}

/// A response that may still be on its way from a mailbox.
type Pending = Pin<Box<dyn Future<Output = Response> + Send>>;

/// A request read and not yet answered: its id, its reply to come, and its place among the
/// connection's requests in flight (freed once the reply is written).
type InFlight = (u64, Pending, Option<OwnedSemaphorePermit>);

async fn serve_stream(
    send: SendStream,
    mut recv: RecvStream,
    role: Role,
    shared: Shared,
    in_flight: Arc<Semaphore>,
) {
    let (queue, pending) =
        mpsc::channel::<InFlight>(shared.admission.in_flight_per_connection.max(1));
    let writer = tokio::spawn(write_replies(send, pending));
    let mut admission = StreamAdmission::default();
    loop {
        // The connection's requests in flight are bounded: at the bound, stop reading.
        let Ok(place) = in_flight.clone().acquire_owned().await else {
            break;
        };
        let contents = match read_frame(&mut recv, shared.frame_bytes_max).await {
            Ok(Some(contents)) => contents,
            Ok(None) => break,
            Err(TransportError::Frame(error)) => {
                let _ = queue
                    .send((error.id(), ready(protocol_error(&error)), Some(place)))
                    .await;
                let _ = recv.stop(2u32.into());
                break;
            }
            Err(_) => break,
        };
        let reply = match protocol::decode::<Request>(&contents) {
            Ok((id, request)) => (
                id,
                dispatch(request, role, &shared, &mut admission).await,
                Some(place),
            ),
            Err(error) => {
                let survives = error.stream_survives();
                let _ = queue
                    .send((error.id(), ready(protocol_error(&error)), Some(place)))
                    .await;
                if survives {
                    continue;
                }
                let _ = recv.stop(2u32.into());
                break;
            }
        };
        if queue.send(reply).await.is_err() {
            break;
        }
    }
    drop(queue);
    let _ = writer.await;
}

async fn write_replies(mut send: SendStream, mut pending: mpsc::Receiver<InFlight>) {
    while let Some((id, reply, place)) = pending.recv().await {
        let response = reply.await;
        let written = write_frame(&mut send, &protocol::encode(id, &response)).await;
        drop(place);
        if written.is_err() {
            return;
        }
    }
    let _ = send.finish();
}

fn ready(response: Response) -> Pending {
    Box::pin(std::future::ready(response))
}

fn protocol_error(error: &FrameError) -> Response {
    Response::ProtocolError(error.to_string())
}

fn refused(refusal: Refusal) -> Pending {
    ready(Response::Refused(refusal))
}

fn require_admin(role: Role, operation: &str) -> Result<(), Refusal> {
    if role == Role::Admin {
        return Ok(());
    }
    Err(Refusal::Forbidden {
        role: role.to_string(),
        operation: operation.to_string(),
    })
}

/// Checks the role, enqueues what the request asks for, and returns its reply to come.
async fn dispatch(
    request: Request,
    role: Role,
    shared: &Shared,
    admission: &mut StreamAdmission,
) -> Pending {
    let result = match request {
        Request::Push {
            instance,
            artifact,
            expect,
        } => push(instance, artifact, expect, role, shared).await,
        Request::Send { instance, inputs } => {
            send(instance, Item::Inputs(inputs), shared, admission).await
        }
        Request::SendKeyed {
            instance,
            client,
            first_seq,
            inputs,
        } => {
            let item = Item::KeyedInputs {
                client,
                first_seq,
                inputs,
            };
            send(instance, item, shared, admission).await
        }
        Request::Log { instance, from, to } => Ok(log(instance, from, to, shared)),
        Request::Inspect { instance } => Ok(inspect(instance, shared).await),
        Request::Rollback { instance } => match require_admin(role, "roll back")
            .and_then(|()| unsigned_allowed(shared, "roll back"))
        {
            Ok(()) => shared
                .instances
                .enqueue(&instance, Item::Rollback)
                .await
                .map(awaited),
            Err(refusal) => Err(refusal),
        },
        Request::SignedPush {
            instance,
            artifact,
            expect,
            signature,
        } => signed_push(instance, artifact, expect, signature, role, shared).await,
        Request::SignedRollback {
            instance,
            running,
            to,
            signature,
        } => signed_rollback(instance, (running, to), signature, role, shared).await,
        Request::SigningState { instance } => Ok(Box::pin(
            signing::serve::state(shared.gate.as_deref(), &shared.instances, instance).await,
        ) as Pending),
    };
    result.unwrap_or_else(refused)
}

/// On a node with trusted keys, unsigned swaps are refused (`spec/security.md`).
fn unsigned_allowed(shared: &Shared, operation: &str) -> Result<(), Refusal> {
    signing::serve::require_unsigned_allowed(shared.gate.as_deref(), operation)
}

/// A push with a signature: the role first, then the signature (both must pass).
async fn signed_push(
    instance: String,
    artifact: Vec<u8>,
    expect: Option<crate::hash::Hash>,
    signature: signing::SwapSignature,
    role: Role,
    shared: &Shared,
) -> Result<Pending, Refusal> {
    require_admin(role, "push")?;
    let gate = shared.gate.as_deref();
    signing::serve::push(
        gate,
        &shared.instances,
        &shared.limits,
        instance,
        artifact,
        expect,
        signature,
    )
    .await
    .map(pushed)
}

/// A rollback from `running` to `to` with a signature: the role first, then the signature.
async fn signed_rollback(
    instance: String,
    (running, to): (crate::hash::Hash, crate::hash::Hash),
    signature: signing::SwapSignature,
    role: Role,
    shared: &Shared,
) -> Result<Pending, Refusal> {
    require_admin(role, "roll back")?;
    let gate = shared.gate.as_deref();
    signing::serve::rollback(gate, &shared.instances, instance, running, to, signature)
        .await
        .map(awaited)
}

/// The response a push becomes.
fn pushed(pushed: Pushed) -> Pending {
    match pushed {
        Pushed::Deployed(outcome) => ready(Response::Pushed(outcome)),
        Pushed::Queued(receiver) => awaited(receiver),
    }
}

/// Inputs into a mailbox, unless this stream was answered busy before (`admission`).
async fn send(
    instance: String,
    inputs: Item,
    shared: &Shared,
    admission: &mut StreamAdmission,
) -> Result<Pending, Refusal> {
    if let Some(busy) = admission.refuse_input() {
        return Err(busy);
    }
    let enqueued = shared.instances.enqueue(&instance, inputs).await;
    if let Err(refusal) = &enqueued {
        admission.refused(refusal);
    }
    enqueued.map(awaited)
}

async fn push(
    instance: String,
    artifact: Vec<u8>,
    expect: Option<crate::hash::Hash>,
    role: Role,
    shared: &Shared,
) -> Result<Pending, Refusal> {
    require_admin(role, "push")?;
    unsigned_allowed(shared, "push")?;
    let limits = shared.limits.clone();
    let version = tokio::task::spawn_blocking(move || prepare(&artifact, &limits))
        .await
        .map_err(|_| Refusal::ShuttingDown)??;
    match shared.instances.push(&instance, version, expect).await? {
        Pushed::Deployed(outcome) => Ok(ready(Response::Pushed(outcome))),
        Pushed::Queued(receiver) => Ok(awaited(receiver)),
    }
}

/// Every named instance's report, or one; each report is taken in its own mailbox order.
async fn inspect(instance: Option<String>, shared: &Shared) -> Pending {
    let names = match instance {
        Some(name) => vec![name],
        None => shared.instances.names(),
    };
    let mut receivers = Vec::with_capacity(names.len());
    for name in names {
        match shared.instances.enqueue(&name, Item::Inspect).await {
            Ok(receiver) => receivers.push(receiver),
            Err(refusal) => return refused(refusal),
        }
    }
    Box::pin(async move {
        let mut reports = Vec::with_capacity(receivers.len());
        for receiver in receivers {
            match receiver.await {
                Ok(Reply::Inspected(report)) => reports.push(report),
                _ => return Response::Refused(Refusal::ShuttingDown),
            }
        }
        Response::Inspected(reports)
    })
}

/// A page of an instance's log, read from the store beside its mailbox.
fn log(instance: String, from: u64, to: u64, shared: &Shared) -> Pending {
    let store = shared.instances.store();
    Box::pin(async move {
        match log_page::serve(store, instance, from, to).await {
            Ok(page) => Response::Logged(page),
            Err(refusal) => Response::Refused(refusal),
        }
    })
}

/// The response a mailbox reply becomes.
fn awaited(receiver: oneshot::Receiver<Reply>) -> Pending {
    Box::pin(async move {
        match receiver.await {
            Ok(Reply::Outputs(outcomes)) => Response::Outputs(outcomes),
            Ok(Reply::Pushed(Ok(outcome))) => Response::Pushed(outcome),
            Ok(Reply::RolledBack(Ok(swap))) => Response::RolledBack(swap),
            Ok(Reply::Pushed(Err(refusal)) | Reply::RolledBack(Err(refusal))) => {
                Response::Refused(refusal)
            }
            Ok(Reply::Inspected(report)) => Response::Inspected(vec![report]),
            Err(_) => Response::Refused(Refusal::ShuttingDown),
        }
    })
}
