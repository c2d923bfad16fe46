//! Live nodes: many named machine instances, each processing its mailbox one item at a time,
//! upgraded and rolled back in place while clients keep sending (issue 3).
//!
//! Layers, innermost first: [`version`] (decode, verify, load, hash a pushed artifact),
//! [`swap`] (the checks and migrations of a swap, pure), [`core`] (one instance and its
//! mailbox items, no IO), [`report`] (the answers, as data), [`protocol`] (frames, sans-IO),
//! [`pki`] (the development CA and role certificates), [`instances`] (one actor task per
//! instance), [`transport`] (the only QUIC code), [`server`] (the node) and [`client`].
//! Instances are durable ([`durable`], [`store`]): every handled item is logged before its
//! reply leaves, and a node restarted on the same data dir recovers every instance. Keyed inputs
//! are applied at most once ([`idempotent`]); [`log_page`] answers `Log` from the store.

pub mod admission;
pub mod bounded;
pub mod client;
pub mod client_keys;
pub mod client_log;
pub mod compaction;
pub mod core;
pub mod durable;
pub mod idempotent;
pub mod instances;
pub mod log_page;
pub mod pki;
pub mod preplan;
pub mod protocol;
pub mod report;
pub mod sansio;
pub mod server;
pub mod signing;
pub mod store;
pub mod swap;
pub mod transport;
pub mod version;
