//! Quiver's benchmark suite (issue 5): the VM against native Rust, the node against Erlang/OTP,
//! the node over QUIC and the compiler, measured as ratios in one run on one machine.
//!
//! [`run`] measures every figure and returns a [`table::Table`]; the bench target
//! (`cargo bench -p quiver-bench`, `benches/suite.rs`) prints it and writes
//! `bench/results/latest.md`. Figures are never asserted: a miss is a `FAIL` row, not a failed
//! run, and a baseline that cannot be measured (no Erlang) is reported as unavailable.

pub mod compiler;
pub mod erlang;
pub mod mailbox;
pub mod measure;
pub mod native;
pub mod quic;
pub mod steps;
pub mod store;
pub mod table;

use table::Table;

/// How long to measure.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// A short run (under a minute) that checks the suite works; its figures judge nothing.
    pub quick: bool,
}

/// Runs every part of the suite, printing progress to stderr.
pub fn run(options: Options) -> Table {
    let mut table = Table::default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts on this machine");
    let erlang = erlang::measure(options);
    eprintln!("quiver-bench: vm steps");
    table.extend(steps::figures(options));
    eprintln!("quiver-bench: node mailbox");
    table.extend(runtime.block_on(mailbox::figures(options, &erlang)));
    eprintln!("quiver-bench: node over quic");
    table.extend(runtime.block_on(quic::figures(options)));
    eprintln!("quiver-bench: compiler");
    table.extend(compiler::figures(options));
    table
}
