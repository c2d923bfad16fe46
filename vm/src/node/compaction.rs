//! Log compaction for a running node (`--keep-snapshots N`): every interval, each instance
//! with more than N snapshots is compacted down to its newest N, dropping the log before them.
//!
//! The task holds the store only weakly, so it never keeps a stopping node's store open, and
//! runs each compaction on the blocking pool. A failed compaction is skipped and tried again
//! next interval: compaction only saves space, it never decides what is durable.

use super::store::Store;
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::task::JoinHandle;

/// How often the compactor looks at the store.
pub const COMPACTION_INTERVAL: Duration = Duration::from_secs(1);

/// Starts the compactor; it ends once the store is closed.
pub fn spawn(store: &Arc<Store>, keep_snapshots: usize) -> JoinHandle<()> {
    let store = Arc::downgrade(store);
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(COMPACTION_INTERVAL);
        loop {
            ticks.tick().await;
            let store = store.clone();
            let alive = tokio::task::spawn_blocking(move || compact_all(&store, keep_snapshots))
                .await
                .unwrap_or(false);
            if !alive {
                return;
            }
        }
    })
}

/// One pass over every instance; false once the store is gone.
fn compact_all(store: &Weak<Store>, keep_snapshots: usize) -> bool {
    let Some(store) = store.upgrade() else {
        return false;
    };
    let keep = keep_snapshots.max(1);
    for instance in store.instances().unwrap_or_default() {
        let due = store
            .snapshots(&instance)
            .is_ok_and(|snapshots| snapshots.len() > keep);
        if due {
            // Skipped on failure: the next pass tries again.
            let _ = store.compact(&instance, keep);
        }
    }
    true
}
