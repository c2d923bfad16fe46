//! The node's named instances: each one an actor task that owns a [`DurableInstance`] and
//! drains a bounded mailbox, so instances run in parallel and each one handles its items in
//! arrival order.
//!
//! [`Instances::enqueue`] returns as soon as an item is in a mailbox (an input finding it full
//! is answered [`Refusal::Busy`] at once; swaps and inspections wait for room), and gives back a receiver for the reply; callers that enqueue in order therefore
//! get their items handled in order, while many requests are in flight. A reply is sent only
//! once the records of its item are durable: the actor hands the reply and its pending records
//! to a small ordered acknowledger task and goes on with the next item, so waiting for the disk
//! never stalls the pipeline. A reply whose records fail to be stored is never sent (the
//! requester sees the node shutting down). Deploying a new instance happens under the registry
//! lock so two pushes of one name cannot both deploy. This module does no networking and
//! checks no roles.

use super::core::{InstanceCore, Item, Reply, SystemClock};
use super::durable::{DurableInstance, Journaled, Running};
use super::preplan::Preplan;
use super::report::{PushOutcome, Refusal};
use super::store::journal::Journal;
use super::store::policy::SnapshotPolicy;
use super::store::{Durability, Pending, Recovered, Store};
use super::version::Version;
use crate::hash::Hash;
use crate::limits::Limits;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

struct Mail {
    item: Item,
    reply: oneshot::Sender<Reply>,
}

/// The mailboxes, the actors behind them and the store they write to; emptied on close.
#[derive(Default)]
struct Registry {
    mailboxes: BTreeMap<String, mpsc::Sender<Mail>>,
    /// The version each instance runs, for pushes to plan their upgrade against.
    running: BTreeMap<String, Running>,
    actors: Vec<JoinHandle<()>>,
    store: Option<Arc<Store>>,
}

/// Every instance of a node.
#[derive(Clone)]
pub struct Instances {
    registry: Arc<Mutex<Registry>>,
    limits: Limits,
    capacity: usize,
    policy: SnapshotPolicy,
    /// Deploys past this many instances are refused (restores are not).
    instances_max: usize,
}

/// What a push became once its instance was known.
pub enum Pushed {
    /// A new instance was deployed: done.
    Deployed(PushOutcome),
    /// An upgrade barrier is in the mailbox; the reply comes after the commit or refusal.
    Queued(oneshot::Receiver<Reply>),
}

/// What [`Instances::close`] hands back: the actors to wait for, and the store once they end.
pub struct Closed {
    pub actors: Vec<JoinHandle<()>>,
    pub store: Option<Arc<Store>>,
}

impl Instances {
    /// No instances yet; each mailbox holds at most `capacity` waiting items, and every
    /// instance logs into `store`, snapshotting per `policy`.
    pub fn new(
        limits: Limits,
        capacity: usize,
        store: Arc<Store>,
        policy: SnapshotPolicy,
    ) -> Instances {
        let registry = Registry {
            store: Some(store),
            ..Registry::default()
        };
        Instances {
            registry: Arc::new(Mutex::new(registry)),
            limits,
            capacity: capacity.max(1),
            policy,
            instances_max: usize::MAX,
        }
    }

    /// The same instances, refusing a deploy once `max` instances run.
    pub fn with_instances_max(mut self, max: usize) -> Instances {
        self.instances_max = max;
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Registry> {
        // A panic while holding the lock cannot leave the registry half-updated (every update
        // is one insert or take), so a poisoned lock is still consistent.
        self.registry
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Starts the actor of an instance the store brought back; false when it names no version.
    pub fn restore(&self, recovered: Recovered) -> bool {
        let mut registry = self.lock();
        let Some(store) = registry.store.clone() else {
            return false;
        };
        let journal = Journal::resume(store, &recovered, self.policy);
        let name = recovered.instance.clone();
        let Some(core) = InstanceCore::restore(recovered, self.limits.clone()) else {
            return false;
        };
        self.start_actor(&mut registry, &name, DurableInstance::new(core, journal));
        true
    }

    fn start_actor(&self, registry: &mut Registry, name: &str, mut instance: DurableInstance) {
        let instance_running = instance.running();
        // The actor submits a swap's record once the next item was served (`run`).
        instance.defer_swap_records();
        let (sender, receiver) = mpsc::channel(self.capacity);
        // Under `none` a reply does not wait for its records: that mode acknowledges before
        // the disk by definition (and says so when the node starts).
        let wait_for_disk = registry
            .store
            .as_ref()
            .is_none_or(|store| store.durability() != Durability::None);
        registry
            .actors
            .push(tokio::spawn(run(instance, receiver, wait_for_disk)));
        registry.mailboxes.insert(name.to_string(), sender);
        registry.running.insert(name.to_string(), instance_running);
    }

    /// Deploys `version` as `name`, or queues it as an upgrade of the running instance,
    /// planned and encoded here against the version running now ([`Preplan`]) so that the
    /// barrier does not pause the instance for it.
    pub async fn push(
        &self,
        name: &str,
        version: Version,
        expect: Option<Hash>,
    ) -> Result<Pushed, Refusal> {
        let (sender, running) = match self.sender_or_deploy(name, version.clone(), expect)? {
            Ok(found) => found,
            Err(deployed) => {
                let hash = version.hash;
                deployed
                    .durable()
                    .await
                    .map_err(|e| Refusal::Unstored(e.to_string()))?;
                return Ok(Pushed::Deployed(PushOutcome::Deployed { hash }));
            }
        };
        let running = running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let prepared = Some(Box::new(Preplan::new(&running, &version, &self.limits)));
        let item = Item::Upgrade {
            version,
            expect,
            prepared,
        };
        Ok(Pushed::Queued(post(&sender, item).await?))
    }

    /// The running instance's mailbox, or the deploy record of a new instance started now.
    fn sender_or_deploy(
        &self,
        name: &str,
        version: Version,
        expect: Option<Hash>,
    ) -> Result<Result<(mpsc::Sender<Mail>, Running), Pending>, Refusal> {
        let mut registry = self.lock();
        if let (Some(sender), Some(running)) =
            (registry.mailboxes.get(name), registry.running.get(name))
        {
            return Ok(Ok((sender.clone(), running.clone())));
        }
        if let Some(expected) = expect {
            return Err(Refusal::ExpectMismatch {
                expected,
                running: None,
            });
        }
        let store = registry.store.clone().ok_or(Refusal::ShuttingDown)?;
        if registry.mailboxes.len() >= self.instances_max {
            return Err(Refusal::TooManyInstances {
                running: u64::try_from(registry.mailboxes.len()).unwrap_or(u64::MAX),
            });
        }
        let core = InstanceCore::deploy(name, version, self.limits.clone())?;
        let (journal, deployed) = Journal::deploy(store, &core, name, self.policy);
        self.start_actor(&mut registry, name, DurableInstance::new(core, journal));
        Ok(Err(deployed))
    }

    /// Puts `item` in `name`'s mailbox; the receiver gets the reply once it is handled and
    /// durable. Inputs find a full mailbox busy ([`Refusal::Busy`], at once); other items wait
    /// for room.
    pub async fn enqueue(
        &self,
        name: &str,
        item: Item,
    ) -> Result<oneshot::Receiver<Reply>, Refusal> {
        let sender = {
            let registry = self.lock();
            if registry.store.is_none() {
                return Err(Refusal::ShuttingDown);
            }
            registry.mailboxes.get(name).cloned()
        }
        .ok_or_else(|| Refusal::UnknownInstance(name.to_string()))?;
        if matches!(item, Item::Inputs(_) | Item::KeyedInputs { .. }) {
            return offer(&sender, item, name, self.capacity);
        }
        post(&sender, item).await
    }

    /// Whether an instance named `name` runs.
    pub fn contains(&self, name: &str) -> bool {
        self.lock().mailboxes.contains_key(name)
    }

    /// The store while the node serves, for reads that need no mailbox (`Log`).
    pub fn store(&self) -> Option<Arc<Store>> {
        self.lock().store.clone()
    }

    /// The names of every instance, in order.
    pub fn names(&self) -> Vec<String> {
        self.lock().mailboxes.keys().cloned().collect()
    }

    /// Stops taking items: every mailbox closes once drained, and later requests are refused.
    pub fn close(&self) -> Closed {
        let mut registry = self.lock();
        registry.mailboxes.clear();
        registry.running.clear();
        Closed {
            actors: std::mem::take(&mut registry.actors),
            store: registry.store.take(),
        }
    }
}

async fn post(
    sender: &mpsc::Sender<Mail>,
    item: Item,
) -> Result<oneshot::Receiver<Reply>, Refusal> {
    let (reply, receiver) = oneshot::channel();
    sender
        .send(Mail { item, reply })
        .await
        .map_err(|_| Refusal::ShuttingDown)?;
    Ok(receiver)
}

/// Puts `item` in the mailbox if it has room, or answers busy without waiting.
fn offer(
    sender: &mpsc::Sender<Mail>,
    item: Item,
    name: &str,
    capacity: usize,
) -> Result<oneshot::Receiver<Reply>, Refusal> {
    let (reply, receiver) = oneshot::channel();
    match sender.try_send(Mail { item, reply }) {
        Ok(()) => Ok(receiver),
        Err(mpsc::error::TrySendError::Full(_)) => {
            let capacity = u64::try_from(capacity).unwrap_or(u64::MAX);
            Err(Refusal::Busy {
                instance: name.to_string(),
                queued: capacity,
                capacity,
            })
        }
        Err(mpsc::error::TrySendError::Closed(_)) => Err(Refusal::ShuttingDown),
    }
}

/// A handled item on its way out: sent once its records are durable.
struct Ack {
    journaled: Journaled,
    reply: oneshot::Sender<Reply>,
}

/// The actor: one item at a time; when the mailbox runs dry the instance is idle, which ends
/// a swap's pause. It ends after its acknowledger sent every reply.
///
/// The reply to a swap with items waiting behind it is held until the next item is handled:
/// waking its requester (or the acknowledger) is then not part of the swap's pause, which ends
/// when that next item is served. Replies still leave in mailbox order. The swap's record is
/// likewise only staged by the journal and submitted to the store then (or by the next
/// record), before its reply is answered.
async fn run(
    mut instance: DurableInstance,
    mut mailbox: mpsc::Receiver<Mail>,
    wait_for_disk: bool,
) {
    let clock = SystemClock;
    let (acks, pending) = mpsc::unbounded_channel();
    let acknowledger = tokio::spawn(acknowledge(pending, wait_for_disk));
    let mut held = None;
    while let Some(mail) = mailbox.recv().await {
        let swap = matches!(
            mail.item,
            Item::Upgrade { .. } | Item::Rollback | Item::RollbackFrom { .. }
        );
        let journaled = instance.handle(mail.item, &clock, mailbox.len());
        if let Some(ack) = held.take() {
            instance.submit();
            answer(ack, &acks, wait_for_disk);
        }
        let ack = Ack {
            journaled,
            reply: mail.reply,
        };
        if swap && !mailbox.is_empty() {
            held = Some(ack);
            continue;
        }
        instance.submit();
        answer(ack, &acks, wait_for_disk);
        continue_idle(&mut instance, &mailbox, &clock);
    }
    instance.submit();
    if let Some(ack) = held.take() {
        answer(ack, &acks, wait_for_disk);
    }
    // The acknowledger ends only after this sender is dropped.
    drop(acks);
    let _ = acknowledger.await;
}

/// Sends a reply, through the acknowledger when it must wait for the disk.
fn answer(ack: Ack, acks: &mpsc::UnboundedSender<Ack>, wait_for_disk: bool) {
    if wait_for_disk {
        let _ = acks.send(ack);
    } else {
        // Nothing to wait for: answer from here, saving the acknowledger's wake-up.
        let _ = ack.reply.send(ack.journaled.reply);
    }
}

/// Ends a swap's pause when the mailbox has run dry: the instance is serving again.
fn continue_idle(
    instance: &mut DurableInstance,
    mailbox: &mpsc::Receiver<Mail>,
    clock: &SystemClock,
) {
    if mailbox.is_empty() {
        instance.idle(clock);
    }
}

/// Sends each reply, in order, once its records are durable (or at once when not
/// `wait_for_disk`); a reply whose records failed is dropped, never sent.
async fn acknowledge(mut pending: mpsc::UnboundedReceiver<Ack>, wait_for_disk: bool) {
    while let Some(Ack { journaled, reply }) = pending.recv().await {
        let mut durable = true;
        if wait_for_disk {
            for record in journaled.records {
                durable &= record.durable().await.is_ok();
            }
        }
        if durable {
            // The requester may have gone away; the item was handled all the same.
            let _ = reply.send(journaled.reply);
        }
    }
}
