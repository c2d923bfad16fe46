//! The repository's examples, built into the fuzz targets: their sources, their compiled
//! artifacts and the types those declare.
//!
//! The text targets pick among these types with one byte, so that realistic types (records of
//! maps, enums with payloads) are tried as often as generated ones; the seed generator writes
//! its corpora from the same list, so a seed and the target that reads it agree.

use quiver_lang::driver::{Compiled, compile};
use quiver_vm::types::Type;
use std::sync::OnceLock;

/// Every example `(file name, source)`, the ones that must fail to compile included.
pub const SOURCES: &[(&str, &str)] = &[
    ("bank.sm", include_str!("../../../examples/bank.sm")),
    ("bank_v2.sm", include_str!("../../../examples/bank_v2.sm")),
    ("counter.sm", include_str!("../../../examples/counter.sm")),
    (
        "counter_v2.sm",
        include_str!("../../../examples/counter_v2.sm"),
    ),
    (
        "counter_v3.sm",
        include_str!("../../../examples/counter_v3.sm"),
    ),
    ("kv.sm", include_str!("../../../examples/kv.sm")),
    ("pipeline.sm", include_str!("../../../examples/pipeline.sm")),
    (
        "thermostat.sm",
        include_str!("../../../examples/thermostat.sm"),
    ),
    (
        "turnstile.sm",
        include_str!("../../../examples/turnstile.sm"),
    ),
];

/// The examples that compile, compiled once.
pub fn compiled() -> &'static [(&'static str, Compiled)] {
    static COMPILED: OnceLock<Vec<(&'static str, Compiled)>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        SOURCES
            .iter()
            .filter_map(|(name, src)| Some((*name, compile(src, name, None).ok()?)))
            .collect()
    })
}

/// The state, input and output types of every compiled example, without repeats, in a fixed
/// order (a byte of fuzzer input indexes this list).
pub fn types() -> &'static [Type] {
    static TYPES: OnceLock<Vec<Type>> = OnceLock::new();
    TYPES.get_or_init(|| {
        let mut types: Vec<Type> = Vec::new();
        for (_, compiled) in compiled() {
            let artifact = &compiled.artifact;
            for ty in [&artifact.state, &artifact.input, &artifact.output] {
                if !types.contains(ty) {
                    types.push(ty.clone());
                }
            }
        }
        types
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_but_none_compiles() {
        assert_eq!(compiled().len(), SOURCES.len());
        assert!(types().len() >= 12, "only {} distinct types", types().len());
    }
}
