//! The crash suite's ledger machine (`ledger.sm`, `ledger_v2.sm` beside this file): its
//! compiled artifacts, and its printed state read back into the ids it applied.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// How many times `Grow` runs at setup: the pad list holds 2^GROWS entries, so each snapshot
/// prints a state of that size at least (tens of milliseconds in a debug build).
pub const GROWS: u64 = 16;

/// One version of the ledger: its encoded artifact and content hash.
pub struct LedgerVersion {
    pub bytes: Vec<u8>,
    pub hash: String,
}

/// The path of a fixture beside this file.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/crash_support")
        .join(name)
}

/// `ledger.sm` (v1) or `ledger_v2.sm`, compiled.
pub fn compile(name: &str) -> LedgerVersion {
    let path = fixture(name);
    let src = std::fs::read_to_string(&path).expect("the fixture is readable");
    let compiled = quiver_lang::driver::compile(&src, &path.display().to_string(), None)
        .unwrap_or_else(|_| panic!("{name} compiles"));
    LedgerVersion {
        bytes: quiver_vm::bytecode::encode::encode(&compiled.artifact, None),
        hash: compiled.hash.to_string(),
    }
}

/// A printed ledger state, read back.
#[derive(Debug, PartialEq, Eq)]
pub struct LedgerState {
    /// Each applied id and how many times it was applied (the machine keeps 1 and counts
    /// repeats in `dups`).
    pub seen: BTreeMap<u64, u64>,
    pub dups: u64,
    /// Whether the state has v2's `swaps` field.
    pub is_v2: bool,
}

/// Reads `{ seen: {1: 1, 2: 1}, dups: 0, pad: [...] }` (with `, swaps: N` under v2).
pub fn parse_state(text: &str) -> Result<LedgerState, String> {
    let bad = || format!("not a ledger state: {}", shorten(text));
    let seen_text = text
        .strip_prefix("{ seen: {")
        .and_then(|rest| rest.split_once('}'))
        .map(|(entries, _)| entries)
        .ok_or_else(bad)?;
    let mut seen = BTreeMap::new();
    for entry in seen_text.split(", ").filter(|e| !e.is_empty()) {
        let (id, times) = entry.split_once(": ").ok_or_else(bad)?;
        let id = id.trim().parse().map_err(|_| bad())?;
        let times = times.trim().parse().map_err(|_| bad())?;
        seen.insert(id, times);
    }
    let dups = text
        .split_once("dups: ")
        .and_then(|(_, rest)| rest.split(',').next())
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(bad)?;
    Ok(LedgerState {
        seen,
        dups,
        is_v2: text.contains("swaps: "),
    })
}

/// The first 200 characters of a long state, for messages.
pub fn shorten(text: &str) -> String {
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_string(),
    }
}
