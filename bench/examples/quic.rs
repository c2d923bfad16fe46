//! Runs only the over-QUIC figures, for investigating them:
//! `cargo run --release -p quiver-bench --example quic [-- quick]`.
use quiver_bench::{Options, quic};

fn main() {
    let quick = std::env::args().any(|a| a == "quick");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    for figure in runtime.block_on(quic::figures(Options { quick })) {
        println!("{}: {:.1} {}", figure.name, figure.ours, figure.unit);
    }
}
