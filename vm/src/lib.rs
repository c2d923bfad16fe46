//! The Quiver virtual machine: the bytecode format, its verifier, a reference evaluator, the
//! fast interpreter, and machine instances that run turns.
//!
//! This crate depends on none of Quiver's other crates: a node runs artifacts whose source it
//! never saw. The pipeline on this side is `decode -> verify -> load -> run`; only a
//! [`verify::VerifiedProgram`] can be loaded and run.

pub mod bytecode;
pub mod eval_ref;
pub mod hash;
pub mod interp;
pub mod limits;
pub mod machine;
pub mod migrate;
#[cfg(feature = "node")]
pub mod node;
pub mod prim;
pub mod size;
pub mod text;
pub mod trap;
pub mod types;
pub mod value;
pub mod verify;
