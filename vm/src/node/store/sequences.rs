//! The last accepted signed sequence number of each instance (`spec/security.md`).
//!
//! A node that requires signed swaps refuses any signed deploy, upgrade or rollback whose
//! sequence number is not above the last one it accepted for that instance, so a captured
//! signed request cannot be replayed, reordered or brought back later. The number must survive
//! restarts and crashes, so it lives in its own table of the store and is written in its own
//! fsynced transaction *before* the swap it admits enters the mailbox: a crash in between
//! loses the swap (never acknowledged) but never lets its signature be used again.
//!
//! This module only reads and writes the numbers; [`crate::node::signing::gate`] decides.

use super::Store;
use super::error::StoreError;
use super::open_optional;
use redb::{ReadableTable, TableDefinition};

/// `instance -> the highest signed sequence number accepted for it`.
pub const SIGNED_SEQUENCES: TableDefinition<&str, u64> = TableDefinition::new("signed_sequences");

impl Store {
    /// The last signed sequence number accepted for `instance`; 0 when none ever was.
    pub fn signed_sequence(&self, instance: &str) -> Result<u64, StoreError> {
        let txn = self.read()?;
        let Some(table) = open_optional(&txn, SIGNED_SEQUENCES)? else {
            return Ok(0);
        };
        let found = table
            .get(instance)
            .map_err(|e| StoreError::database("reading a signed sequence", e))?;
        Ok(found.map_or(0, |sequence| sequence.value()))
    }

    /// Durably records `sequence` as accepted for `instance` (fsynced before it returns),
    /// keeping the higher number if a higher one is already stored.
    pub fn record_signed_sequence(&self, instance: &str, sequence: u64) -> Result<(), StoreError> {
        let fail =
            |e: &dyn std::fmt::Display| StoreError::database("recording a signed sequence", e);
        let mut txn = self.db.begin_write().map_err(|e| fail(&e))?;
        txn.set_durability(redb::Durability::Immediate);
        {
            let mut table = txn.open_table(SIGNED_SEQUENCES).map_err(|e| fail(&e))?;
            let stored = table
                .get(instance)
                .map_err(|e| fail(&e))?
                .map(|s| s.value());
            let highest = stored.map_or(sequence, |stored| stored.max(sequence));
            table.insert(instance, highest).map_err(|e| fail(&e))?;
        }
        txn.commit().map_err(|e| fail(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::store::Durability;

    #[test]
    fn an_instance_never_signed_for_has_sequence_zero() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let store = Store::open(dir.path(), Durability::Sync).expect("the store opens");
        assert_eq!(store.signed_sequence("c1"), Ok(0));
    }

    #[test]
    fn a_recorded_sequence_survives_reopening_the_store() {
        let dir = tempfile::tempdir().expect("a temp dir");
        {
            let store = Store::open(dir.path(), Durability::Sync).expect("the store opens");
            store.record_signed_sequence("c1", 7).expect("recorded");
            store.record_signed_sequence("c2", 3).expect("recorded");
        }
        let store = Store::open(dir.path(), Durability::Sync).expect("the store reopens");
        assert_eq!(store.signed_sequence("c1"), Ok(7));
        assert_eq!(store.signed_sequence("c2"), Ok(3));
    }

    #[test]
    fn recording_a_lower_sequence_keeps_the_higher_one() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let store = Store::open(dir.path(), Durability::Sync).expect("the store opens");
        store.record_signed_sequence("c1", 9).expect("recorded");
        store.record_signed_sequence("c1", 4).expect("recorded");
        assert_eq!(store.signed_sequence("c1"), Ok(9));
    }
}
