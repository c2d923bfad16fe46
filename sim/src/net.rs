//! The simulated network: connections carrying encoded protocol frames
//! ([`quiver_vm::node::protocol::encode`]) in both directions, in order within a connection
//! (as a QUIC stream is), in any interleaving across connections (the simulator picks).
//!
//! A connection can break: replies in flight are lost, and a seeded prefix of the requests in
//! flight is still delivered to the node afterwards (it had already received them), whose
//! replies go nowhere. That, with clients retrying on a new connection, gives dropped,
//! duplicated and reordered frames. This module moves bytes only; it decodes nothing.

use crate::rng::Rng;
use std::collections::{BTreeMap, VecDeque};

/// One connection between a client and the node.
#[derive(Debug, Default)]
pub struct Conn {
    pub client: usize,
    pub alive: bool,
    pub to_node: VecDeque<Vec<u8>>,
    pub to_client: VecDeque<Vec<u8>>,
}

/// Every connection, alive or with orphaned requests left, by id.
#[derive(Debug, Default)]
pub struct Network {
    pub conns: BTreeMap<u64, Conn>,
    next_id: u64,
}

impl Network {
    /// A new live connection for `client`.
    pub fn connect(&mut self, client: usize) -> u64 {
        self.next_id += 1;
        let conn = Conn {
            client,
            alive: true,
            ..Conn::default()
        };
        self.conns.insert(self.next_id, conn);
        self.next_id
    }

    /// Breaks a connection; the node still gets a seeded prefix of the requests in flight
    /// when `node_keeps` (a crashed node keeps none).
    pub fn break_conn(&mut self, id: u64, rng: &mut Rng, node_keeps: bool) {
        let Some(conn) = self.conns.get_mut(&id) else {
            return;
        };
        conn.alive = false;
        conn.to_client.clear();
        let kept = if node_keeps {
            rng.index(conn.to_node.len() + 1)
        } else {
            0
        };
        conn.to_node.truncate(kept);
        if conn.to_node.is_empty() {
            self.conns.remove(&id);
        }
    }

    /// Connections with a request for the node.
    pub fn towards_node(&self) -> Vec<u64> {
        self.conns
            .iter()
            .filter(|(_, c)| !c.to_node.is_empty())
            .map(|(id, _)| *id)
            .collect()
    }

    /// Live connections with a reply for their client.
    pub fn towards_clients(&self) -> Vec<u64> {
        self.conns
            .iter()
            .filter(|(_, c)| c.alive && !c.to_client.is_empty())
            .map(|(id, _)| *id)
            .collect()
    }

    /// Live connections.
    pub fn alive(&self) -> Vec<u64> {
        self.conns
            .iter()
            .filter(|(_, c)| c.alive)
            .map(|(id, _)| *id)
            .collect()
    }

    /// Drops a dead connection once the node has taken its last request.
    pub fn tidy(&mut self, id: u64) {
        if self
            .conns
            .get(&id)
            .is_some_and(|c| !c.alive && c.to_node.is_empty())
        {
            self.conns.remove(&id);
        }
    }
}
