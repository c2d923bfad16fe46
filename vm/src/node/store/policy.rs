//! When to snapshot: every N records or every M bytes of log, whichever comes first.
//!
//! The owner of an instance feeds a [`SnapshotClock`] the size of each record it appends and
//! takes a snapshot when told; the store itself never looks at live state. Pure and tiny.

/// Snapshot every `records` records or `bytes` bytes of log since the last snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SnapshotPolicy {
    pub records: u64,
    pub bytes: u64,
}

impl Default for SnapshotPolicy {
    /// Every 10,000 records or 4 MiB: recovery replays at most that much.
    fn default() -> SnapshotPolicy {
        SnapshotPolicy {
            records: 10_000,
            bytes: 4 << 20,
        }
    }
}

/// Counts records and bytes since the last snapshot.
#[derive(Clone, Debug)]
pub struct SnapshotClock {
    policy: SnapshotPolicy,
    records: u64,
    bytes: u64,
}

impl SnapshotClock {
    pub fn new(policy: SnapshotPolicy) -> SnapshotClock {
        SnapshotClock {
            policy,
            records: 0,
            bytes: 0,
        }
    }

    /// Counts one appended record of `bytes` bytes; true when a snapshot is due now.
    pub fn appended(&mut self, bytes: usize) -> bool {
        self.records += 1;
        self.bytes = self.bytes.saturating_add(bytes as u64);
        let due = self.records >= self.policy.records || self.bytes >= self.policy.bytes;
        if due {
            self.records = 0;
            self.bytes = 0;
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due_at(policy: SnapshotPolicy, sizes: &[usize]) -> Vec<usize> {
        let mut clock = SnapshotClock::new(policy);
        (0..sizes.len())
            .filter(|&i| clock.appended(sizes[i]))
            .collect()
    }

    #[test]
    fn a_snapshot_is_due_every_n_records() {
        let policy = SnapshotPolicy {
            records: 3,
            bytes: u64::MAX,
        };
        assert_eq!(due_at(policy, &[1; 10]), vec![2, 5, 8]);
    }

    #[test]
    fn a_snapshot_is_due_after_m_bytes_whichever_comes_first() {
        let policy = SnapshotPolicy {
            records: 100,
            bytes: 10,
        };
        assert_eq!(due_at(policy, &[4, 4, 4, 1, 9, 20]), vec![2, 4, 5]);
    }
}
