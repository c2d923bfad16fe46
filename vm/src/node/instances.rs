//! The node's named instances: each one an actor task that owns an [`InstanceCore`] and
//! drains a bounded mailbox, so instances run in parallel and each one handles its items in
//! arrival order.
//!
//! [`Instances::enqueue`] returns as soon as an item is in a mailbox (waiting when the mailbox
//! is full), and gives back a receiver for the reply; callers that enqueue in order therefore
//! get their items handled in order, while many requests are in flight. Deploying a new
//! instance happens under the registry lock so two pushes of one name cannot both deploy.
//! This module does no networking and checks no roles.

use super::core::{InstanceCore, Item, Reply, SystemClock};
use super::report::{PushOutcome, Refusal};
use super::version::Version;
use crate::hash::Hash;
use crate::limits::Limits;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

struct Mail {
    item: Item,
    reply: oneshot::Sender<Reply>,
}

type Mailboxes = BTreeMap<String, mpsc::Sender<Mail>>;

/// Every instance of a node.
#[derive(Clone)]
pub struct Instances {
    mailboxes: Arc<Mutex<Mailboxes>>,
    limits: Limits,
    capacity: usize,
}

/// What a push became once its instance was known.
pub enum Pushed {
    /// A new instance was deployed: done.
    Deployed(PushOutcome),
    /// An upgrade barrier is in the mailbox; the reply comes after the commit or refusal.
    Queued(oneshot::Receiver<Reply>),
}

impl Instances {
    /// No instances; each mailbox will hold at most `capacity` waiting items.
    pub fn new(limits: Limits, capacity: usize) -> Instances {
        Instances {
            mailboxes: Arc::new(Mutex::new(BTreeMap::new())),
            limits,
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Mailboxes> {
        // A panic while holding the lock cannot leave the map half-updated (every update is
        // one insert), so a poisoned lock is still consistent.
        self.mailboxes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Deploys `version` as `name`, or queues it as an upgrade of the running instance.
    pub async fn push(
        &self,
        name: &str,
        version: Version,
        expect: Option<Hash>,
    ) -> Result<Pushed, Refusal> {
        let sender = {
            let mut mailboxes = self.lock();
            match mailboxes.get(name) {
                Some(sender) => sender.clone(),
                None => {
                    if let Some(expected) = expect {
                        return Err(Refusal::ExpectMismatch {
                            expected,
                            running: None,
                        });
                    }
                    let hash = version.hash;
                    let core = InstanceCore::deploy(name, version, self.limits.clone())?;
                    let (sender, receiver) = mpsc::channel(self.capacity);
                    tokio::spawn(run(core, receiver));
                    mailboxes.insert(name.to_string(), sender);
                    return Ok(Pushed::Deployed(PushOutcome::Deployed { hash }));
                }
            }
        };
        let item = Item::Upgrade { version, expect };
        Ok(Pushed::Queued(post(&sender, item).await?))
    }

    /// Puts `item` in `name`'s mailbox; the receiver gets the reply once it is handled.
    pub async fn enqueue(
        &self,
        name: &str,
        item: Item,
    ) -> Result<oneshot::Receiver<Reply>, Refusal> {
        let sender = self
            .lock()
            .get(name)
            .cloned()
            .ok_or_else(|| Refusal::UnknownInstance(name.to_string()))?;
        post(&sender, item).await
    }

    /// The names of every instance, in order.
    pub fn names(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
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

/// The actor: one item at a time; when the mailbox runs dry the instance is idle, which ends
/// a swap's pause.
async fn run(mut core: InstanceCore, mut mailbox: mpsc::Receiver<Mail>) {
    let clock = SystemClock;
    while let Some(mail) = mailbox.recv().await {
        let reply = core.handle(mail.item, &clock, mailbox.len());
        // The requester may have gone away; the item was handled all the same.
        let _ = mail.reply.send(reply);
        if mailbox.is_empty() {
            core.idle(&clock);
        }
    }
}
