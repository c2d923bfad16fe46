//! `quiver-sim`: a seeded, deterministic, single-threaded simulation of a Quiver node
//! (`spec/simulation.md`).
//!
//! The node under test is the sans-IO [`quiver_vm::node::sansio::Node`] with its real durable
//! store on a simulated disk ([`disk`]); clients talk to it in encoded protocol frames over a
//! simulated network ([`net`]) that breaks connections, and a sequential model ([`model`]) run
//! on the reference evaluator checks every step ([`world`], [`run`]). One seed gives one run;
//! a failure names its seed and replays exactly from it. Nothing here touches a real disk, a
//! socket, a thread or the wall clock.

pub mod client;
pub mod disk;
pub mod model;
pub mod net;
pub mod programs;
pub mod rng;
pub mod run;
pub mod world;

pub use run::run;
pub use world::{Config, Failure, Stats};
