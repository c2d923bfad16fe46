//! The machine `quiver soak` drives, embedded as two versions, and the text of its inputs and
//! outputs.
//!
//! Every input `Apply(client, seq)` names its client and that client's sequence number; a
//! client sends 1, 2, 3, ... one batch at a time, so per client an applied input must be
//! exactly one more than the last one applied. The machine counts what breaks that: a number
//! not above the last is a duplicate, a jump skips inputs. Version A answers `Done(1)` and
//! version B `Done(2)`: the same state type, different code, so upgrades in both directions
//! use the derived (identity) migration and every answer says which version served it.

use anyhow::{Result, anyhow};
use quiver_lang::driver::{self, Compiled};
use quiver_vm::bytecode::encode::encode;
use quiver_vm::hash::Hash;

const SOAK_A: &str = include_str!("soak_a.sm");
const SOAK_B: &str = include_str!("soak_b.sm");

/// The two versions, compiled, with their artifact bytes.
pub struct Versions {
    pub a: Version,
    pub b: Version,
}

pub struct Version {
    pub hash: Hash,
    pub bytes: Vec<u8>,
}

impl Versions {
    /// Compiles both embedded versions.
    pub fn compile() -> Result<Versions> {
        Ok(Versions {
            a: version("soak_a.sm", SOAK_A)?,
            b: version("soak_b.sm", SOAK_B)?,
        })
    }

    /// The version to push when `running` runs: the other one.
    pub fn other(&self, running: &Hash) -> &Version {
        if *running == self.a.hash {
            &self.b
        } else {
            &self.a
        }
    }
}

fn version(name: &str, source: &str) -> Result<Version> {
    let compiled: Compiled = driver::compile(source, name, None)
        .map_err(|_| anyhow!("invariant: the embedded soak machine {name} compiles"))?;
    Ok(Version {
        hash: compiled.hash,
        bytes: encode(&compiled.artifact, Some(&compiled.debug)),
    })
}

/// The input client `client` sends as its `seq`-th.
pub fn apply_input(client: u32, seq: u64) -> String {
    format!("Apply({client}, {seq})")
}

/// The query for what the machine saw of `client`.
pub fn check_input(client: u32) -> String {
    format!("Check({client})")
}

/// Which version answered an `Apply`: `Done(1)` is A, `Done(2)` is B.
pub fn done_version(output: &str) -> Option<u8> {
    match output {
        "Done(1)" => Some(1),
        "Done(2)" => Some(2),
        _ => None,
    }
}

/// What the machine saw of one client, with the node-wide duplicate and gap counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Seen {
    /// The highest sequence number applied.
    pub last: u64,
    /// `Apply` turns of this client, duplicates included.
    pub count: u64,
    pub duplicates: u64,
    pub skipped: u64,
}

/// Parses `Seen(last, count, dups, gaps)`.
pub fn parse_seen(output: &str) -> Option<Seen> {
    let inner = output.strip_prefix("Seen(")?.strip_suffix(')')?;
    let numbers: Vec<u64> = inner
        .split(',')
        .map(|part| part.trim().parse::<u64>())
        .collect::<Result<_, _>>()
        .ok()?;
    match numbers.as_slice() {
        [last, count, duplicates, skipped] => Some(Seen {
            last: *last,
            count: *count,
            duplicates: *duplicates,
            skipped: *skipped,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_versions_compile_to_different_hashes() {
        let versions = Versions::compile().expect("the soak machines compile");
        assert_ne!(versions.a.hash, versions.b.hash);
        assert_eq!(versions.other(&versions.a.hash).hash, versions.b.hash);
        assert_eq!(versions.other(&versions.b.hash).hash, versions.a.hash);
    }

    #[test]
    fn seen_parses_four_counts_and_nothing_else() {
        let seen = parse_seen("Seen(5, 4, 1, 2)").expect("four numbers parse");
        assert_eq!(
            seen,
            Seen {
                last: 5,
                count: 4,
                duplicates: 1,
                skipped: 2
            }
        );
        assert_eq!(parse_seen("Seen(1, 2, 3)"), None);
        assert_eq!(parse_seen("Done(1)"), None);
    }
}
