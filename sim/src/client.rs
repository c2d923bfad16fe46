//! A simulated client: sends inputs to one instance, pipelining a few requests, and retries
//! every unanswered request on a new connection with the same idempotency key.
//!
//! Inputs go out as `Request::SendKeyed`: the key of a request's first input is
//! `(client name, first_seq)`, `first_seq` is also the request id, and each further input of
//! the request takes the next sequence number. The admin client pushes versions and rolls back, one request at a time;
//! a rollback whose reply is lost is not retried, because a rollback carries no key and a
//! second one would roll back twice.

use crate::rng::Rng;
use quiver_vm::node::pki::Role;
use quiver_vm::node::protocol::Request;
use std::collections::VecDeque;

/// One request a client has not had an answer to yet.
#[derive(Clone, Debug)]
pub struct Outstanding {
    pub id: u64,
    pub request: Request,
}

/// One simulated client.
#[derive(Debug)]
pub struct SimClient {
    pub name: String,
    pub role: Role,
    pub instance: String,
    pub conn: Option<u64>,
    /// The id of the next request: the sequence number of its first input.
    pub next_seq: u64,
    pub outstanding: VecDeque<Outstanding>,
    /// Requests still to send.
    pub budget: u64,
    pub acknowledged: u64,
    /// Whether inputs go out keyed (`SendKeyed`) or plain (`Send`).
    pub keyed: bool,
}

/// The most requests a client has in flight.
pub const WINDOW: usize = 3;

impl SimClient {
    pub fn new(keyed: bool, name: String, role: Role, instance: String, budget: u64) -> SimClient {
        SimClient {
            keyed,
            name,
            role,
            instance,
            conn: None,
            next_seq: 1,
            outstanding: VecDeque::new(),
            budget,
            acknowledged: 0,
        }
    }

    /// Whether the client would send another request now.
    pub fn ready(&self) -> bool {
        let window = if self.role == Role::Admin { 1 } else { WINDOW };
        self.budget > 0 && self.conn.is_some() && self.outstanding.len() < window
    }

    /// Whether everything the client meant to do is answered.
    pub fn done(&self) -> bool {
        self.budget == 0 && self.outstanding.is_empty()
    }

    /// A new request of one to three inputs.
    pub fn next_inputs(&mut self, rng: &mut Rng) -> Outstanding {
        let count = 1 + rng.below(3);
        let inputs = (0..count).map(|_| random_input(rng)).collect();
        let id = self.next_seq;
        self.next_seq += count;
        let instance = self.instance.clone();
        let request = if self.keyed {
            Request::SendKeyed {
                instance,
                client: self.name.clone(),
                first_seq: id,
                inputs,
            }
        } else {
            Request::Send { instance, inputs }
        };
        self.issue(request, id)
    }

    /// Records `request` as sent under `id`.
    pub fn issue(&mut self, request: Request, id: u64) -> Outstanding {
        self.budget = self.budget.saturating_sub(1);
        let outstanding = Outstanding { id, request };
        self.outstanding.push_back(outstanding.clone());
        outstanding
    }

    /// Forgets unanswered rollbacks before a retry (see the module doc).
    pub fn drop_unsafe_retries(&mut self) -> usize {
        let before = self.outstanding.len();
        self.outstanding
            .retain(|o| !matches!(o.request, Request::Rollback { .. }));
        before - self.outstanding.len()
    }
}

/// An input of counter v1, v2 or v3 (some are rejected by the versions that lack them).
fn random_input(rng: &mut Rng) -> String {
    match rng.below(20) {
        0..=6 => format!("Incr({})", rng.below(10)),
        7..=10 => format!("Decr({})", rng.below(8)),
        11 => "Reset".into(),
        12..=14 => "Get".into(),
        15 | 16 => "Stats".into(),
        17 => "Peak".into(),
        18 => "Incr(9223372036854775807)".into(),
        _ => "Incr(-1)".into(),
    }
}
