//! The limit flags of `quiver node` (every one named in its help with its default), how they
//! fill a [`NodeConfig`], and the one line the node prints with the limits in force.
//!
//! The defaults come from `Limits::default()`, `AdmissionLimits::default()` and
//! `NodeConfig::new`, so the help text and the node cannot disagree. This module runs nothing.

use clap::Args;
use quiver_vm::limits::Limits;
use quiver_vm::node::admission::AdmissionLimits;
use quiver_vm::node::server::NodeConfig;

/// Room in a frame beside the artifact (instance name, hash, header).
const FRAME_ROOM_BYTES: usize = 1 << 20;

/// The mailbox length of a node started without `--max-mailbox`.
pub const MAILBOX_DEFAULT: usize = 1024;

#[derive(Args, Debug, Clone)]
pub struct NodeLimitArgs {
    /// Items an instance's mailbox holds; an input finding it full is answered busy at once.
    #[arg(long, value_name = "N", default_value_t = MAILBOX_DEFAULT,
          value_parser = positive)]
    pub max_mailbox: usize,
    /// Instances this node runs; a deploy past it is refused.
    #[arg(long, value_name = "N", default_value_t = AdmissionLimits::default().instances,
          value_parser = positive)]
    pub max_instances: usize,
    /// Connections open at once per client certificate; one more is refused.
    #[arg(long, value_name = "N",
          default_value_t = AdmissionLimits::default().connections_per_client,
          value_parser = positive)]
    pub max_connections_per_client: usize,
    /// Streams open at once per connection; a client wanting more waits.
    #[arg(long, value_name = "N",
          default_value_t = AdmissionLimits::default().streams_per_connection,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_streams_per_connection: u32,
    /// Requests read and not yet answered per connection; at the bound the node stops reading
    /// that connection until a reply is written.
    #[arg(long, value_name = "N",
          default_value_t = AdmissionLimits::default().in_flight_per_connection,
          value_parser = positive)]
    pub max_in_flight: usize,
    /// Collection entries (map entries, list elements, nested ones included) a state may hold
    /// after a turn or a swap; a turn past it traps and leaves the state as it was.
    #[arg(long, value_name = "N", default_value_t = Limits::default().state_size_max)]
    pub max_state_size: u64,
    /// The largest artifact a push may carry, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().artifact_bytes_max,
          value_parser = positive)]
    pub max_artifact_bytes: usize,
    /// Entries in any one table of an artifact (types, constants, arrows): the program size.
    #[arg(long, value_name = "N", default_value_t = Limits::default().table_entries_max,
          value_parser = positive)]
    pub max_program_entries: usize,
    /// The deepest nesting of a type, constant or arrow tree in an artifact.
    #[arg(long, value_name = "N", default_value_t = Limits::default().depth_max,
          value_parser = positive)]
    pub max_depth: usize,
    /// Evaluation steps one turn (step and invariants) may take; past it the turn traps.
    #[arg(long, value_name = "N", default_value_t = Limits::default().fuel_turn)]
    pub fuel_turn: u64,
    /// Evaluation steps one migration (and its invariants) may take; past it the swap is
    /// refused.
    #[arg(long, value_name = "N", default_value_t = Limits::default().fuel_migration)]
    pub fuel_migration: u64,
}

fn positive(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

impl NodeLimitArgs {
    /// Writes every limit into `config`.
    pub fn apply(&self, config: &mut NodeConfig) {
        config.mailbox_capacity = self.max_mailbox;
        config.admission = AdmissionLimits {
            instances: self.max_instances,
            connections_per_client: self.max_connections_per_client,
            streams_per_connection: self.max_streams_per_connection,
            in_flight_per_connection: self.max_in_flight,
        };
        config.limits.state_size_max = self.max_state_size;
        config.limits.artifact_bytes_max = self.max_artifact_bytes;
        config.limits.table_entries_max = self.max_program_entries;
        config.limits.depth_max = self.max_depth;
        config.limits.fuel_turn = self.fuel_turn;
        config.limits.fuel_migration = self.fuel_migration;
        config.frame_bytes_max = self.max_artifact_bytes.saturating_add(FRAME_ROOM_BYTES);
    }
}

/// The limits in force, as the node prints them when it starts.
pub fn summary(config: &NodeConfig) -> String {
    let limits = &config.limits;
    let admission = &config.admission;
    format!(
        "limits: mailbox {} items, {} instances, {} connections per client, {} streams and {} \
         requests in flight per connection, state {} entries, artifact {} bytes, program {} \
         entries per table, depth {}, fuel {} per turn and {} per migration",
        config.mailbox_capacity,
        admission.instances,
        admission.connections_per_client,
        admission.streams_per_connection,
        admission.in_flight_per_connection,
        limits.state_size_max,
        limits.artifact_bytes_max,
        limits.table_entries_max,
        limits.depth_max,
        limits.fuel_turn,
        limits.fuel_migration,
    )
}
