//! Swap cycles on one instance, for profiling the swap pause (issue 5, suite item 3): the
//! bench's map store deployed on an in-process node (durability `none`), filled with N entries,
//! then S cycles of upgrade to v2 + one input queued behind the barrier + inspect + rollback,
//! exactly the bench's `one_swap`. Prints the median and worst pause the node measured.
//! `cargo run --release -p quiver-bench --example swap_pause [N] [S]` (N default 0, S 200);
//! under `valgrind --tool=callgrind` divide the instruction count by S after subtracting a
//! run with S = 0.

use quiver_bench::mailbox::{deploy, fill, mailboxes, one_swap, version};
use quiver_bench::measure::percentile;
use quiver_bench::store::{store, store_v2};

fn main() {
    let mut args = std::env::args().skip(1);
    let entries: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(0);
    let swaps: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(200);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    runtime.block_on(async {
        let (instances, _dir) = mailboxes();
        deploy(&instances, "s", &store()).await;
        fill(&instances, 0, entries).await;
        let next = version(&store_v2());
        let mut pauses = Vec::with_capacity(swaps);
        let mut lost = 0;
        for _ in 0..swaps {
            let (pause, answered) = one_swap(&instances, &next).await;
            pauses.push(pause);
            lost += usize::from(!answered);
        }
        if swaps > 0 {
            let median = percentile(&mut pauses, 0.5);
            let max = percentile(&mut pauses, 1.0);
            println!(
                "{swaps} swaps at {entries} entries: pause median {median} µs, max {max} µs, \
                 {lost} inputs lost"
            );
        }
    });
}
