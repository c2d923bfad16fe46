//! A live counter instance journaled into a store, shared by the `store_*` tests: the real
//! node core handles every item and the journal logs what it did, as a durable node would.
#![allow(dead_code)]

use crate::common::{counter, counter_v2};
use quiver_vm::bytecode::Artifact;
use quiver_vm::bytecode::encode::encode;
use quiver_vm::limits::Limits;
use quiver_vm::node::core::{InstanceCore, SystemClock};
use quiver_vm::node::report::{Outcome, PushOutcome};
use quiver_vm::node::store::journal::Journal;
use quiver_vm::node::store::policy::SnapshotPolicy;
use quiver_vm::node::store::{ClientKey, Durability, Pending, Store};
use quiver_vm::node::version::{Version, prepare};
use std::path::Path;
use std::sync::Arc;

pub const NAME: &str = "c";

pub fn version(artifact: &Artifact) -> Version {
    prepare(&encode(artifact, None), &Limits::default()).expect("test artifacts verify")
}

pub fn open(dir: &Path, durability: Durability) -> Arc<Store> {
    Arc::new(Store::open(dir, durability).expect("the store opens"))
}

/// Snapshots every `records` records.
pub fn every(records: u64) -> SnapshotPolicy {
    SnapshotPolicy {
        records,
        bytes: u64::MAX,
    }
}

/// A live instance and its journal.
pub struct Live {
    pub core: InstanceCore,
    pub journal: Journal,
    /// The printed state after each position (index = position).
    pub states: Vec<String>,
}

impl Live {
    pub fn deploy(store: &Arc<Store>, artifact: &Artifact, policy: SnapshotPolicy) -> Live {
        Live::deploy_as(store, NAME, artifact, policy)
    }

    pub fn deploy_as(
        store: &Arc<Store>,
        name: &str,
        artifact: &Artifact,
        policy: SnapshotPolicy,
    ) -> Live {
        let core = InstanceCore::deploy(name, version(artifact), Limits::default())
            .expect("the initial state is valid");
        let (journal, pending) = Journal::deploy(store.clone(), &core, name, policy);
        pending.wait().expect("the deploy is durable");
        let states = vec![core.inspect(0).state];
        Live {
            core,
            journal,
            states,
        }
    }

    /// Sends one input; the outcome comes back once its record is durable.
    pub fn send(&mut self, text: &str, key: Option<ClientKey>) -> Outcome {
        let (outcome, pending) = self.send_pending(text, key);
        pending.wait().expect("the input is durable");
        outcome
    }

    pub fn send_pending(&mut self, text: &str, key: Option<ClientKey>) -> (Outcome, Pending) {
        let outcome = self.core.input(text, &SystemClock);
        let pending = self.journal.input(&self.core, text, &outcome, key);
        self.states.push(self.core.inspect(0).state);
        (outcome, pending)
    }

    /// Upgrades to `artifact`; true when the swap committed (and was logged).
    pub fn upgrade(&mut self, artifact: &Artifact) -> bool {
        match self.core.upgrade(version(artifact), None, &SystemClock) {
            Ok(PushOutcome::Upgraded { .. }) => {
                self.journal
                    .upgraded(&self.core, None)
                    .wait()
                    .expect("the upgrade is durable");
                self.states.push(self.core.inspect(0).state);
                true
            }
            _ => false,
        }
    }

    pub fn rollback(&mut self) -> bool {
        if self.core.rollback(&SystemClock).is_err() {
            return false;
        }
        self.journal
            .rolled_back(&self.core)
            .wait()
            .expect("the rollback is durable");
        self.states.push(self.core.inspect(0).state);
        true
    }

    /// What a recovery must bring back, taken before the live instance goes away.
    pub fn expected(&self) -> Expected {
        let report = self.core.inspect(0);
        Expected {
            state: report.state,
            turns: report.turns,
            versions: self.version_hashes(),
            position: self.journal.next() - 1,
        }
    }

    /// Closes the store (this live instance's and the caller's handle), reopens it, checks the
    /// recovery against the live instance and carries on with the same core.
    pub fn reopen(
        self,
        store: Arc<Store>,
        dir: &Path,
        policy: SnapshotPolicy,
    ) -> (Live, Arc<Store>) {
        let expected = self.expected();
        let Live {
            core,
            journal,
            states,
        } = self;
        drop(journal);
        drop(store);
        let store = open(dir, Durability::None);
        let recovered = store
            .recover(NAME, &Limits::default())
            .expect("recovers after a reopen");
        assert_eq!(Expected::of(&recovered), expected);
        let journal = Journal::resume(store.clone(), &recovered, policy);
        (
            Live {
                core,
                journal,
                states,
            },
            store,
        )
    }

    /// The versions as the core reports them, oldest first.
    pub fn version_hashes(&self) -> Vec<quiver_vm::hash::Hash> {
        let report = self.core.inspect(0);
        report.versions.iter().rev().map(|v| v.hash).collect()
    }
}

pub fn v1() -> Artifact {
    counter()
}

pub fn v2() -> Artifact {
    counter_v2(None)
}

pub fn key(client: &str, seq: u64) -> Option<ClientKey> {
    Some(ClientKey {
        client: client.into(),
        seq,
    })
}

/// The live instance as a recovery must rebuild it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    pub state: String,
    pub turns: u64,
    pub versions: Vec<quiver_vm::hash::Hash>,
    pub position: u64,
}

impl Expected {
    pub fn of(recovered: &quiver_vm::node::store::Recovered) -> Expected {
        let running = recovered.versions.last().expect("a running version");
        Expected {
            state: quiver_vm::text::print(&recovered.state, &running.program.artifact().state),
            turns: recovered.turns,
            versions: recovered.versions.iter().map(|v| v.hash).collect(),
            position: recovered.position,
        }
    }
}

/// The snapshots of `NAME` once `written` says enough are there (at most 10 s): snapshots are
/// encoded on the store's own thread and a send does not wait for them, so a test that reads
/// or compacts them right after its sends would race that thread.
pub fn snapshots_when(store: &Store, written: impl Fn(&[u64]) -> bool) -> Vec<u64> {
    let started = std::time::Instant::now();
    loop {
        let snapshots = store.snapshots(NAME).expect("lists snapshots");
        if written(&snapshots) || started.elapsed() > std::time::Duration::from_secs(10) {
            return snapshots;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}
