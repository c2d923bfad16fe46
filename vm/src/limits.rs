//! Every bound the VM enforces, in one value that callers pass explicitly.

/// Bounds on what the decoder and verifier accept and on what a turn may use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest encoded artifact accepted, in bytes.
    pub artifact_bytes_max: usize,
    /// The most entries in any of the artifact's tables (types, constants, arrows).
    pub table_entries_max: usize,
    /// The deepest nesting of a type, constant or arrow tree.
    pub depth_max: usize,
    /// The most shared definitions.
    pub defs_max: usize,
    /// Evaluation steps one turn (step plus invariants) may take.
    pub fuel_turn: u64,
    /// Evaluation steps one migration (plus invariants) may take.
    pub fuel_migration: u64,
    /// The most collection entries a state may hold after a turn or a swap
    /// ([`crate::size::state_size`]); a turn that would pass it traps, leaving the state as it
    /// was.
    pub state_size_max: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            artifact_bytes_max: 16 << 20,
            table_entries_max: 1 << 20,
            depth_max: 256,
            defs_max: 4096,
            fuel_turn: 1_000_000,
            fuel_migration: 100_000_000,
            state_size_max: 16_000_000,
        }
    }
}
