//! Live nodes: many named machine instances, each processing its mailbox one item at a time,
//! upgraded and rolled back in place while clients keep sending (issue 3).
//!
//! Layers, innermost first: [`version`] (decode, verify, load, hash a pushed artifact),
//! [`swap`] (the checks and migrations of a swap, pure), [`core`] (one instance and its
//! mailbox items, no IO), [`report`] (the answers, as data). Only this module's network
//! layers use tokio or QUIC.

pub mod core;
pub mod protocol;
pub mod report;
pub mod swap;
pub mod version;
