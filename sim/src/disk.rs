//! A simulated disk for redb ([`redb::StorageBackend`]) with real crash semantics: writes land
//! in a volatile layer and become durable only at `sync_data`; a crash keeps or loses each
//! unsynced 512-byte sector independently (seeded), so a commit cut short is torn the way a
//! power cut tears it. A fault armed with [`SimDisk::arm_fault`] makes a later sync fail and
//! the disk fail everything after it, until the next crash (a fail-stop disk).
//!
//! The crash decisions depend on the set of dirty sectors in address order, never on the
//! order redb issued its writes in, so a seed replays the same tearing. Reads see the latest
//! writes, as a page cache would. The disk does nothing else: no latency, no bit rot.

use crate::rng::Rng;
use std::collections::BTreeSet;
use std::io;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The granularity at which a crash tears unsynced writes.
const SECTOR_BYTES: u64 = 512;

#[derive(Debug, Default)]
struct Platters {
    /// What survives a crash.
    durable: Vec<u8>,
    /// What reads see: the durable bytes with every write since applied.
    current: Vec<u8>,
    /// Sectors written since the last sync.
    dirty: BTreeSet<u64>,
    /// Operations left before the disk fails; `None` when no fault is armed.
    fuse: Option<u64>,
    failed: bool,
}

/// A handle on one simulated disk; clones share it (the store holds one, the simulator another).
#[derive(Clone, Debug, Default)]
pub struct SimDisk(Arc<Mutex<Platters>>);

/// What a crash did to the unsynced writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Torn {
    pub kept: u64,
    pub lost: u64,
}

impl SimDisk {
    pub fn new() -> SimDisk {
        SimDisk::default()
    }

    fn platters(&self) -> MutexGuard<'_, Platters> {
        // Every update completes under the lock, so a poisoned disk is still consistent.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The disk fails after `syncs` more syncs succeeded: the next sync fails (its commit's
    /// writes stay unsynced, for a crash to tear), and so does every write and sync after it.
    /// Counting syncs rather than writes keeps a fault's effect independent of the order redb
    /// issues the writes of one commit in, which is not deterministic (a hash map).
    pub fn arm_fault(&self, syncs: u64) {
        self.platters().fuse = Some(syncs);
    }

    /// The machine loses power: from now every write and sync fails, so nothing the dying
    /// process does (a database closing on drop) reaches the disk before [`Self::crash`].
    pub fn power_off(&self) {
        self.platters().failed = true;
    }

    /// Whether an armed fault has gone off.
    pub fn failed(&self) -> bool {
        self.platters().failed
    }

    /// Power cut: each unsynced sector is kept or lost by `rng`, the length too; the fault
    /// is cleared. The disk afterwards holds only what a restarted machine would find.
    pub fn crash(&self, rng: &mut Rng) -> Torn {
        // A child sequence: how many sectors are dirty must not shift the caller's draws.
        let mut rng = rng.fork();
        let mut platters = self.platters();
        let mut torn = Torn::default();
        let len = if rng.chance(1, 2) {
            platters.current.len()
        } else {
            platters.durable.len()
        };
        let mut image = platters.durable.clone();
        image.resize(len, 0);
        let dirty = std::mem::take(&mut platters.dirty);
        for sector in dirty {
            if rng.chance(1, 2) {
                torn.lost += 1;
                continue;
            }
            torn.kept += 1;
            copy_sector(&platters.current, &mut image, sector);
        }
        platters.current = image.clone();
        platters.durable = image;
        platters.fuse = None;
        platters.failed = false;
        torn
    }

    /// The total bytes on the disk now.
    pub fn len_bytes(&self) -> usize {
        self.platters().current.len()
    }
}

fn copy_sector(from: &[u8], to: &mut [u8], sector: u64) {
    let start = usize::try_from(sector * SECTOR_BYTES).unwrap_or(usize::MAX);
    let end = usize::try_from((sector + 1) * SECTOR_BYTES).unwrap_or(usize::MAX);
    let end = end.min(from.len()).min(to.len());
    if start < end {
        to[start..end].copy_from_slice(&from[start..end]);
    }
}

impl Platters {
    /// An error once the disk has failed.
    fn check(&self) -> io::Result<()> {
        if self.failed {
            return Err(io::Error::other("simulated disk failure"));
        }
        Ok(())
    }

    /// Burns one sync of an armed fault; an error once the disk has failed.
    fn spend(&mut self) -> io::Result<()> {
        if let Some(left) = self.fuse.as_mut() {
            if *left == 0 {
                self.failed = true;
            } else {
                *left -= 1;
            }
        }
        if self.failed {
            return Err(io::Error::other("simulated disk failure"));
        }
        Ok(())
    }
}

impl redb::StorageBackend for SimDisk {
    fn len(&self) -> io::Result<u64> {
        Ok(u64::try_from(self.platters().current.len()).unwrap_or(u64::MAX))
    }

    fn read(&self, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        let platters = self.platters();
        let start = usize::try_from(offset).map_err(io::Error::other)?;
        platters
            .current
            .get(start..start.saturating_add(len))
            .map(<[u8]>::to_vec)
            .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "read past the end"))
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        let mut platters = self.platters();
        platters.check()?;
        let len = usize::try_from(len).map_err(io::Error::other)?;
        platters.current.resize(len, 0);
        Ok(())
    }

    fn sync_data(&self, _eventual: bool) -> io::Result<()> {
        let mut platters = self.platters();
        platters.spend()?;
        let Platters {
            durable,
            current,
            dirty,
            ..
        } = &mut *platters;
        durable.resize(current.len(), 0);
        for sector in std::mem::take(dirty) {
            copy_sector(current, durable, sector);
        }
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        let mut platters = self.platters();
        platters.check()?;
        let start = usize::try_from(offset).map_err(io::Error::other)?;
        let end = start.saturating_add(data.len());
        if platters.current.len() < end {
            platters.current.resize(end, 0);
        }
        platters.current[start..end].copy_from_slice(data);
        let last = u64::try_from(end.max(start + 1) - 1).unwrap_or(u64::MAX) / SECTOR_BYTES;
        platters.dirty.extend(offset / SECTOR_BYTES..=last);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redb::StorageBackend;

    #[test]
    fn a_crash_keeps_every_synced_byte_and_only_some_unsynced_sectors() {
        let disk = SimDisk::new();
        disk.write(0, &[1; 1024]).expect("the disk works");
        disk.sync_data(false).expect("the disk works");
        disk.write(0, &[2; 4096]).expect("the disk works");
        let torn = disk.crash(&mut Rng::new(7));
        assert_eq!(
            torn.kept + torn.lost,
            8,
            "eight dirty sectors, each kept or lost"
        );
        assert!(torn.kept > 0 && torn.lost > 0, "{torn:?}");
        let len = disk.len().expect("the disk works");
        assert!(len >= 1024, "the synced length survives");
        let bytes = disk.read(0, 1024).expect("the synced bytes are there");
        assert!(bytes.iter().all(|b| *b == 1 || *b == 2));
    }

    #[test]
    fn an_armed_fault_fails_a_later_sync_and_everything_after_until_the_crash() {
        let disk = SimDisk::new();
        disk.arm_fault(1);
        disk.write(0, &[1; 512])
            .expect("writes before the fault work");
        disk.sync_data(false).expect("one sync still succeeds");
        disk.write(0, &[2; 512])
            .expect("a write before the failing sync works");
        assert!(disk.sync_data(false).is_err());
        assert!(disk.write(0, &[3; 512]).is_err());
        disk.crash(&mut Rng::new(1));
        assert!(
            disk.write(0, &[4; 512]).is_ok(),
            "a restarted machine has a working disk"
        );
    }
}
