//! The node as a sans-IO state machine: a registry of durable instances that handles one
//! decoded [`Request`] from one caller and returns the [`Response`] together with the records
//! that must be durable before the response may leave.
//!
//! Time comes from a [`Clock`] and storage from the [`Store`] it is given (a file, or a
//! simulated disk through [`Store::open_inline`]); it has no tasks, no network and no
//! threads, so the deterministic simulator (`quiver-sim`) drives it one request at a time.
//! Keyed inputs (`SendKeyed`) go through the same deduplication as on the live node
//! ([`super::idempotent`]): a key already applied is answered with its recorded outcome. The live server ([`super::server`]) keeps its
//! own actor per instance for parallelism; it shares everything below this module
//! ([`DurableInstance`], [`InstanceCore`], the journal and the store) but not this registry.

use super::core::{Clock, InstanceCore, Item, Reply};
use super::durable::DurableInstance;
use super::pki::Role;
use super::protocol::{Request, Response};
use super::report::{PushOutcome, Refusal};
use super::store::journal::Journal;
use super::store::policy::SnapshotPolicy;
use super::store::{Pending, Store, StoreError};
use super::version::prepare;
use crate::hash::Hash;
use crate::limits::Limits;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Who sent a request: the role of its certificate and a name for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub role: Role,
    pub client: String,
}

/// A handled request: the response, the instance it touched and the records it appended.
pub struct Handled {
    pub response: Response,
    pub instance: Option<String>,
    /// Every record appended while handling, in order; the response may leave only once all
    /// of them are durable.
    pub records: Vec<Pending>,
}

/// Every instance of a sans-IO node and the store they log into.
pub struct Node {
    store: Arc<Store>,
    instances: BTreeMap<String, DurableInstance>,
    limits: Limits,
    policy: SnapshotPolicy,
}

impl Node {
    /// The node as the store holds it: every instance recovered (newest snapshot plus replay).
    pub fn recover(
        store: Arc<Store>,
        limits: Limits,
        policy: SnapshotPolicy,
    ) -> Result<Node, StoreError> {
        let mut instances = BTreeMap::new();
        for name in store.instances()? {
            let recovered = store.recover(&name, &limits)?;
            let journal = Journal::resume(store.clone(), &recovered, policy);
            let Some(core) = InstanceCore::restore(recovered, limits.clone()) else {
                return Err(StoreError::UnknownInstance(name));
            };
            instances.insert(name, DurableInstance::new(core, journal));
        }
        Ok(Node {
            store,
            instances,
            limits,
            policy,
        })
    }

    /// The live instance named `name`.
    pub fn instance(&self, name: &str) -> Option<&InstanceCore> {
        self.instances.get(name).map(DurableInstance::core)
    }

    /// The names of every instance, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.instances.keys().map(String::as_str)
    }

    /// Handles one request to completion. Signed swaps, signing state and log pages are not
    /// handled here (they are answered with a protocol error): the simulator does not send them.
    pub fn handle(&mut self, request: Request, caller: &Caller, clock: &dyn Clock) -> Handled {
        let (instance, result) = match request {
            Request::Push {
                instance,
                artifact,
                expect,
            } => {
                let result = self.push(&instance, &artifact, expect, caller, clock);
                (Some(instance), result)
            }
            Request::Send { instance, inputs } => {
                let result = self.mailbox(&instance, Item::Inputs(inputs), clock);
                (Some(instance), result)
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
                let result = self.mailbox(&instance, item, clock);
                (Some(instance), result)
            }
            Request::Inspect { instance } => (instance.clone(), self.inspect(instance)),
            Request::Rollback { instance } => {
                let result = require_admin(caller.role, "roll back")
                    .and_then(|()| self.mailbox(&instance, Item::Rollback, clock));
                (Some(instance), result)
            }
            Request::SignedPush { .. }
            | Request::SignedRollback { .. }
            | Request::SigningState { .. }
            | Request::Log { .. } => {
                let response = Response::ProtocolError(
                    "the sans-IO node does not handle signed swaps or log pages".into(),
                );
                (None, Ok((response, Vec::new())))
            }
        };
        match result {
            Ok((response, records)) => Handled {
                response,
                instance,
                records,
            },
            Err(refusal) => Handled {
                response: Response::Refused(refusal),
                instance,
                records: Vec::new(),
            },
        }
    }

    fn push(
        &mut self,
        name: &str,
        artifact: &[u8],
        expect: Option<Hash>,
        caller: &Caller,
        clock: &dyn Clock,
    ) -> Result<(Response, Vec<Pending>), Refusal> {
        require_admin(caller.role, "push")?;
        let version = prepare(artifact, &self.limits)?;
        if self.instances.contains_key(name) {
            // Nothing runs between a push and its barrier here: no plan ahead to gain from.
            let item = Item::Upgrade {
                version,
                expect,
                prepared: None,
            };
            return self.mailbox(name, item, clock);
        }
        if let Some(expected) = expect {
            return Err(Refusal::ExpectMismatch {
                expected,
                running: None,
            });
        }
        let hash = version.hash;
        let core = InstanceCore::deploy(name, version, self.limits.clone())?;
        let (journal, deployed) = Journal::deploy(self.store.clone(), &core, name, self.policy);
        self.instances
            .insert(name.to_string(), DurableInstance::new(core, journal));
        Ok((
            Response::Pushed(PushOutcome::Deployed { hash }),
            vec![deployed],
        ))
    }

    /// One mailbox item (inputs, keyed inputs, an upgrade or rollback barrier), handled now.
    fn mailbox(
        &mut self,
        name: &str,
        item: Item,
        clock: &dyn Clock,
    ) -> Result<(Response, Vec<Pending>), Refusal> {
        let Some(instance) = self.instances.get_mut(name) else {
            return Err(Refusal::UnknownInstance(name.to_string()));
        };
        let journaled = instance.handle(item, clock, 0);
        instance.idle(clock);
        Ok((response_of(journaled.reply), journaled.records))
    }

    fn inspect(&self, name: Option<String>) -> Result<(Response, Vec<Pending>), Refusal> {
        let reports = match name {
            Some(name) => match self.instances.get(&name) {
                Some(instance) => vec![instance.core().inspect(0)],
                None => return Err(Refusal::UnknownInstance(name)),
            },
            None => self
                .instances
                .values()
                .map(|instance| instance.core().inspect(0))
                .collect(),
        };
        Ok((Response::Inspected(reports), Vec::new()))
    }
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

/// The response a handled mailbox item becomes.
fn response_of(reply: Reply) -> Response {
    match reply {
        Reply::Outputs(outcomes) => Response::Outputs(outcomes),
        Reply::Pushed(Ok(outcome)) => Response::Pushed(outcome),
        Reply::RolledBack(Ok(swap)) => Response::RolledBack(swap),
        Reply::Pushed(Err(refusal)) | Reply::RolledBack(Err(refusal)) => Response::Refused(refusal),
        Reply::Inspected(report) => Response::Inspected(vec![report]),
    }
}
