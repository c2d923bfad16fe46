//! The `quiver` command line as a library, so that tests drive the same code the binary runs.
//! All terminal IO of Quiver lives in this crate.

pub mod args;
pub mod args_keys;
pub mod args_limits;
pub mod args_node;
pub mod client;
pub mod commands;
pub mod graph;
pub mod load;
pub mod render;
pub mod repl;
pub mod script;
