//! One simulated world: the sans-IO node on a simulated disk, the network, the clients and
//! the model, advanced one seeded step at a time, with every check run after every step.
//!
//! A step is one event the seed picks: a client sends, the node takes a request frame from a
//! connection, a client takes a reply, a connection breaks or reconnects, the admin pushes a
//! version or rolls back, the node crashes (power cut), or the disk is set to fail. The node
//! is fail-stop: a record that cannot be stored crashes it. Node-side effects reach the model
//! from the durable log, in log order; the checks compare the node with the model.

use crate::client::SimClient;
use crate::disk::SimDisk;
use crate::model::{ModelInstance, Prediction};
use crate::net::Network;
use crate::programs::{Program, catalog};
use crate::rng::Rng;
use quiver_vm::eval_ref;
use quiver_vm::limits::Limits;
use quiver_vm::node::core::Clock;
use quiver_vm::node::pki::Role;
use quiver_vm::node::protocol::{self, FRAME_BYTES_MAX, Request, Response};
use quiver_vm::node::report::PushOutcome;
use quiver_vm::node::sansio::{Caller, Handled, Node};
use quiver_vm::node::store::policy::SnapshotPolicy;
use quiver_vm::node::store::{Durability, Store};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How big a run is.
#[derive(Clone, Debug)]
pub struct Config {
    /// Steps with faults; then the world heals and drains.
    pub steps: u64,
    pub instances: usize,
    pub clients_per_instance: usize,
    pub requests_per_client: u64,
    pub admin_actions: u64,
    /// Whether the clients send their inputs keyed (`SendKeyed`); `false` exists to show that
    /// the checks catch a node applying a retried input twice.
    pub keyed: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            steps: 600,
            instances: 2,
            clients_per_instance: 3,
            requests_per_client: 25,
            admin_actions: 12,
            keyed: true,
        }
    }
}

/// What a run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub steps: u64,
    pub requests_handled: u64,
    pub inputs_acknowledged: u64,
    pub crashes: u64,
    pub disk_faults: u64,
    pub breaks: u64,
    pub swaps_committed: u64,
    pub swaps_refused: u64,
    /// Records whose commit failed at a crash but which the torn disk kept.
    pub in_doubt_kept: u64,
    pub rollbacks_abandoned: u64,
    /// Log records dropped by compaction.
    pub records_compacted: u64,
    /// Replies that told a client to retry (the store failed while the node was answering).
    pub told_to_retry: u64,
    /// Whether this run's store committed in groups (chosen by the seed) or per record.
    pub group_commit: bool,
    /// A digest of every step: two runs of one seed must agree on it.
    pub digest: u64,
}

/// A violated check, with the steps that led to it.
#[derive(Debug)]
pub struct Failure {
    pub step: u64,
    pub message: String,
    pub trace: Vec<String>,
}

/// A handled request waiting for its records to be durable before its reply may leave.
struct Outgoing {
    conn: u64,
    alive: bool,
    request_id: u64,
    handled: Handled,
    prediction: Option<Prediction>,
}

/// The simulated clock: a fixed origin plus simulated microseconds.
struct SimClock {
    origin: Instant,
    micros: u64,
}

impl Clock for SimClock {
    fn now(&self) -> Instant {
        self.origin + Duration::from_micros(self.micros)
    }
}

const TRACE_KEPT: usize = 60;
const ADMIN: usize = 0;

pub(crate) struct World {
    pub rng: Rng,
    disk: SimDisk,
    node: Option<Node>,
    store: Option<Arc<Store>>,
    clock: SimClock,
    pub net: Network,
    pub clients: Vec<SimClient>,
    models: BTreeMap<String, ModelInstance>,
    catalog: Vec<Program>,
    limits: Limits,
    policy: SnapshotPolicy,
    pub stats: Stats,
    trace: VecDeque<String>,
    step: u64,
    /// Print every step as it happens (`QUIVER_SIM_TRACE=1`).
    verbose: bool,
    /// Whether the store commits in groups at [`World::flush`] rather than per record.
    group: bool,
    /// Handled requests whose records are not yet known to be durable, in order.
    outbox: VecDeque<Outgoing>,
}

type Checked = Result<(), String>;

impl World {
    /// A fresh node with every instance deployed at counter v1, and the clients.
    pub fn new(seed: u64, config: &Config) -> Result<World, String> {
        let limits = Limits::default();
        let catalog = catalog(&limits)?;
        let names: Vec<String> = (0..config.instances).map(|i| format!("inst{i}")).collect();
        let mut clients = vec![SimClient::new(
            false,
            "admin".into(),
            Role::Admin,
            String::new(),
            config.admin_actions,
        )];
        for name in &names {
            for c in 0..config.clients_per_instance {
                let client = format!("{name}-c{c}");
                clients.push(SimClient::new(
                    config.keyed,
                    client,
                    Role::Client,
                    name.clone(),
                    config.requests_per_client,
                ));
            }
        }
        let mut world = World {
            rng: Rng::new(seed),
            disk: SimDisk::new(),
            node: None,
            store: None,
            clock: SimClock {
                origin: Instant::now(),
                micros: 0,
            },
            net: Network::default(),
            clients,
            models: BTreeMap::new(),
            catalog,
            limits,
            policy: SnapshotPolicy {
                records: 7,
                bytes: 1 << 20,
            },
            stats: Stats::default(),
            trace: VecDeque::new(),
            step: 0,
            verbose: std::env::var_os("QUIVER_SIM_TRACE").is_some(),
            group: false,
            outbox: VecDeque::new(),
        };
        world.group = world.rng.chance(1, 2);
        world.stats.group_commit = world.group;
        world.boot()?;
        for name in names {
            world.deploy(&name)?;
        }
        Ok(world)
    }

    fn boot(&mut self) -> Checked {
        let durability = if self.group {
            Durability::group()
        } else {
            Durability::Sync
        };
        let store = Arc::new(
            Store::open_inline(self.disk.clone(), "simulated disk", durability)
                .map_err(|e| format!("the store does not open after a crash: {e}"))?,
        );
        let node = Node::recover(store.clone(), self.limits.clone(), self.policy)
            .map_err(|e| format!("the node does not recover: {e}"))?;
        self.store = Some(store);
        self.node = Some(node);
        Ok(())
    }

    fn deploy(&mut self, name: &str) -> Checked {
        let v1 = self.catalog[0].clone();
        let request = Request::Push {
            instance: name.into(),
            artifact: v1.bytes.clone(),
            expect: None,
        };
        let caller = Caller {
            role: Role::Admin,
            client: "admin".into(),
        };
        let node = self.node.as_mut().ok_or("the node is down")?;
        let handled = node.handle(request, &caller, &self.clock);
        if let Some(store) = &self.store {
            store.flush();
        }
        for record in handled.records {
            record
                .wait()
                .map_err(|e| format!("the deploy of {name} failed: {e}"))?;
        }
        self.models
            .insert(name.into(), ModelInstance::deployed(v1.version));
        Ok(())
    }

    /// Records a step in the trace and the digest.
    pub fn note(&mut self, line: String) {
        if self.verbose {
            eprintln!("step {}: {line}", self.step);
        }
        for byte in line.bytes() {
            self.stats.digest = (self.stats.digest ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3);
        }
        if self.trace.len() == TRACE_KEPT {
            self.trace.pop_front();
        }
        self.trace.push_back(format!("step {}: {line}", self.step));
    }

    pub fn fail(&self, message: String) -> Failure {
        Failure {
            step: self.step,
            message,
            trace: self.trace.iter().cloned().collect(),
        }
    }

    pub fn begin_step(&mut self) {
        self.step += 1;
        self.stats.steps += 1;
        self.clock.micros += self.rng.below(1_000);
    }

    /// The node takes the next request of connection `id`.
    pub fn deliver_to_node(&mut self, id: u64) -> Checked {
        let Some(conn) = self.net.conns.get_mut(&id) else {
            return Ok(());
        };
        let Some(frame) = conn.to_node.pop_front() else {
            return Ok(());
        };
        let (client, alive) = (conn.client, conn.alive);
        self.net.tidy(id);
        let ((request_id, request), _) = match protocol::split::<Request>(&frame, FRAME_BYTES_MAX) {
            Ok(Some(decoded)) => decoded,
            other => return Err(format!("a client frame does not decode: {other:?}")),
        };
        let sender = &self.clients[client];
        let caller = Caller {
            role: sender.role,
            client: sender.name.clone(),
        };
        if self.group && matches!(request, Request::Push { .. } | Request::Rollback { .. }) {
            // The model predicts a swap from the durable state: commit what is queued first
            // (a group committer may flush at any moment). A crash here loses the frame too.
            let crashes = self.stats.crashes;
            self.flush()?;
            if self.stats.crashes != crashes {
                return Ok(());
            }
        }
        let prediction = self.predict(&request);
        self.note(format!(
            "node takes {request_id} from {} on conn {id}: {}",
            caller.client,
            brief(&request)
        ));
        let node = self.node.as_mut().ok_or("the node is down")?;
        let handled = node.handle(request, &caller, &self.clock);
        self.stats.requests_handled += 1;
        self.outbox.push_back(Outgoing {
            conn: id,
            alive,
            request_id,
            handled,
            prediction,
        });
        if self.group { Ok(()) } else { self.flush() }
    }

    /// Commits what the store holds; then each handled request in order either sends its
    /// reply (its records are durable, the model takes them) or crashes the node.
    pub fn flush(&mut self) -> Checked {
        if let Some(store) = &self.store {
            store.flush();
        }
        while let Some(out) = self.outbox.pop_front() {
            let stored = out.handled.records.into_iter().all(|r| r.wait().is_ok());
            if !stored {
                self.note("a record failed to store: the node stops".into());
                return self.crash();
            }
            if let Some(instance) = &out.handled.instance {
                self.catch_up(instance)?;
            }
            self.check_swap(out.prediction, &out.handled.response)?;
            let response = &out.handled.response;
            self.note(format!(
                "reply {}: {}",
                out.request_id,
                brief_response(response)
            ));
            if out.alive
                && let Some(conn) = self.net.conns.get_mut(&out.conn)
                && conn.alive
            {
                conn.to_client
                    .push_back(protocol::encode(out.request_id, response));
            }
        }
        Ok(())
    }

    fn predict(&self, request: &Request) -> Option<Prediction> {
        match request {
            Request::Push {
                instance, artifact, ..
            } => {
                let model = self.models.get(instance)?;
                let program = self.catalog.iter().find(|p| &p.bytes == artifact)?;
                Some(model.predict_upgrade(&program.version, &self.limits))
            }
            Request::Rollback { instance } => {
                Some(self.models.get(instance)?.predict_rollback(&self.limits))
            }
            _ => None,
        }
    }

    /// A swap the model commits must be committed (the record check covers the converse).
    fn check_swap(&mut self, prediction: Option<Prediction>, response: &Response) -> Checked {
        let Some(prediction) = prediction else {
            return Ok(());
        };
        match (&prediction, response) {
            (Prediction::Commits(_), Response::Pushed(PushOutcome::Upgraded { .. }))
            | (Prediction::Commits(_), Response::RolledBack(_)) => {
                self.stats.swaps_committed += 1;
                Ok(())
            }
            (Prediction::Unchanged, Response::Pushed(PushOutcome::Unchanged { .. })) => Ok(()),
            (Prediction::Refused(_), Response::Refused(refusal))
                if crate::model::refusal_matches(&prediction, refusal) =>
            {
                self.stats.swaps_refused += 1;
                Ok(())
            }
            _ => Err(format!(
                "the model says {prediction:?}, the node answered {response:?}"
            )),
        }
    }

    /// Applies to the model every durable record of `instance` it has not seen yet.
    fn catch_up(&mut self, instance: &str) -> Result<u64, String> {
        let store = self.store.as_ref().ok_or("the node is down")?;
        let Some(model) = self.models.get_mut(instance) else {
            return Ok(0);
        };
        let records = store
            .log(instance, model.next, u64::MAX)
            .map_err(|e| format!("the log of {instance} does not read: {e}"))?;
        let count = u64::try_from(records.len()).unwrap_or(u64::MAX);
        for (position, record) in records {
            model
                .apply(position, &record, &self.catalog, &self.limits)
                .map_err(|e| format!("{instance}: {e}"))?;
        }
        Ok(count)
    }

    /// Power cut: every connection and orphaned request is gone, the disk tears its unsynced
    /// writes, the node restarts from the store, and the recovered node must equal the model.
    pub fn crash(&mut self) -> Checked {
        self.stats.crashes += 1;
        self.disk.power_off();
        self.outbox.clear();
        self.node = None;
        self.store = None;
        self.net.conns.clear();
        for client in &mut self.clients {
            client.conn = None;
        }
        let torn = self.disk.crash(&mut self.rng);
        self.note(format!(
            "crash: {} unsynced sectors kept, {} lost",
            torn.kept, torn.lost
        ));
        self.boot()?;
        let names: Vec<String> = self.models.keys().cloned().collect();
        for name in names {
            let last = self.models[&name].next - 1;
            let store = self.store.as_ref().ok_or("the node is down")?;
            let kept = store.log(&name, last, last).map_err(|e| e.to_string())?;
            let snapshots = store.snapshots(&name).map_err(|e| e.to_string())?;
            // Compaction drops records only behind a kept snapshot.
            let covered = snapshots.last().is_some_and(|newest| *newest >= last);
            if kept.is_empty() && !covered && last > 0 {
                return Err(format!("{name}: durable record {last} lost in the crash"));
            }
            self.stats.in_doubt_kept += self.catch_up(&name)?;
        }
        self.check_all()
    }

    /// Every invariant of each instance's running version holds on its state, and, once
    /// nothing is waiting to be stored, the node's instances equal the model's.
    pub fn check_all(&self) -> Checked {
        let node = self.node.as_ref().ok_or("the node is down")?;
        for name in node.names() {
            let core = node.instance(name).ok_or("an instance vanished")?;
            let mut fuel = self.limits.fuel_turn;
            let artifact = core.current().program.artifact();
            eval_ref::check_invariants(artifact, core.state(), &mut fuel)
                .map_err(|trap| format!("{name}: an invariant does not hold: {trap}"))?;
        }
        if !self.outbox.is_empty() {
            // The node runs ahead of the durable log until the next flush.
            return Ok(());
        }
        let names: Vec<&str> = node.names().collect();
        let modelled: Vec<&str> = self.models.keys().map(String::as_str).collect();
        if names != modelled {
            return Err(format!(
                "the node has instances {names:?}, the model {modelled:?}"
            ));
        }
        for (name, model) in &self.models {
            let core = node.instance(name).ok_or("an instance vanished")?;
            let report = core.inspect(0);
            let hashes: Vec<_> = report.versions.iter().map(|v| v.hash).collect();
            let expected: Vec<_> = model.versions.iter().rev().map(|v| v.hash).collect();
            if hashes != expected {
                return Err(format!(
                    "{name}: the node runs versions {hashes:?}, the model {expected:?}"
                ));
            }
            if core.state() != &model.state {
                return Err(format!(
                    "{name}: the node's state is {}, the model's differs",
                    report.state
                ));
            }
        }
        Ok(())
    }

    /// Compacts a random instance's log down to its newest one or two snapshots, as the
    /// node's compaction task does; a failure to store stops the node.
    pub fn compact(&mut self) -> Checked {
        let names: Vec<String> = self.models.keys().cloned().collect();
        let name = names[self.rng.index(names.len())].clone();
        let keep = 1 + self.rng.index(2);
        let store = self.store.as_ref().ok_or("the node is down")?;
        match store.compact(&name, keep) {
            Ok(compacted) => {
                self.stats.records_compacted += compacted.records;
                self.note(format!("compact {name} to {keep} snapshots: {compacted:?}"));
                Ok(())
            }
            Err(e) => {
                self.note(format!("compaction failed ({e}): the node stops"));
                self.crash()
            }
        }
    }

    /// The disk fails after a few more operations.
    pub fn arm_fault(&mut self) {
        let syncs = self.rng.below(6);
        self.disk.arm_fault(syncs);
        self.stats.disk_faults += 1;
        self.note(format!("the disk will fail after {syncs} syncs"));
    }

    /// Whether handled requests still wait for a flush.
    pub fn waiting(&self) -> bool {
        !self.outbox.is_empty()
    }

    /// The model of `instance`, for the clients' checks.
    pub fn model(&self, instance: &str) -> Option<&ModelInstance> {
        self.models.get(instance)
    }

    pub fn catalog(&self) -> &[Program] {
        &self.catalog
    }
}

fn brief(request: &Request) -> String {
    match request {
        Request::Push {
            instance, artifact, ..
        } => format!("push {} bytes to {instance}", artifact.len()),
        Request::Send { instance, inputs } => format!("send {inputs:?} to {instance}"),
        Request::SendKeyed {
            instance,
            inputs,
            client,
            first_seq,
        } => format!("send {inputs:?} to {instance} keyed ({client}, {first_seq}..)"),
        Request::Inspect { instance } => format!("inspect {instance:?}"),
        Request::Rollback { instance } => format!("roll back {instance}"),
        other => format!("{other:?}"),
    }
}

fn brief_response(response: &Response) -> String {
    match response {
        Response::Refused(refusal) => format!("refused: {refusal}"),
        other => format!("{other:?}"),
    }
}

pub(crate) const ADMIN_INDEX: usize = ADMIN;
