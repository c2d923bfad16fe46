//! The versions the simulator deploys, upgrades to and rolls back through: the counter of
//! `examples/` in three versions, and two versions whose migration fails on some states (one
//! traps on overflow, one breaks an invariant), compiled once from source.
//!
//! Each comes as its encoded artifact (what an admin pushes) and as a loaded [`Version`] (what
//! the model runs its own evaluation of). Nothing here runs a turn.

use quiver_lang::driver::compile;
use quiver_vm::bytecode::encode::encode;
use quiver_vm::hash::Hash;
use quiver_vm::limits::Limits;
use quiver_vm::node::version::{Version, prepare};

const V1: &str = include_str!("../../examples/counter.sm");
const V2: &str = include_str!("../../examples/counter_v2.sm");
const V3: &str = include_str!("../../examples/counter_v3.sm");

/// The body of counter v2 with `MIGRATION` in place of its migrations.
const V2_BODY: &str = r#"
machine Counter {
    state { count: Int = 0, resets: Int = 0 }
    input  Incr(Int) | Decr(Int) | Reset | Get | Stats
    output Ok | Value(Int) | Rejected(String) | Info(Int, Int)
    invariant count >= 0
    invariant resets >= 0
    on Incr(n) { count = count + n; Ok }
    on Decr(n) {
        if n > count { Rejected("would go negative") } else { count = count - n; Ok }
    }
    on Reset { count = 0; resets = resets + 1; Ok }
    on Get   { Value(count) }
    on Stats { Info(count, resets) }
    MIGRATION
}
"#;

/// Traps (integer overflow) from any count of 2 or more.
const TRAPPING: &str = "migrate(old: { count: Int }) { { count: old.count, resets: old.count * 4611686018427387904 } }";

/// Breaks `count >= 0` from any count below 3.
const BREAKING: &str = "migrate(old: { count: Int }) { { count: old.count - 3, resets: 1 } }";

/// One version the simulator can push.
#[derive(Clone, Debug)]
pub struct Program {
    pub label: &'static str,
    pub bytes: Vec<u8>,
    pub version: Version,
}

impl Program {
    pub fn hash(&self) -> Hash {
        self.version.hash
    }
}

/// Every version, in a fixed order; the first is the one instances are deployed with.
pub fn catalog(limits: &Limits) -> Result<Vec<Program>, String> {
    let trapping = V2_BODY.replace("MIGRATION", TRAPPING);
    let breaking = V2_BODY.replace("MIGRATION", BREAKING);
    let sources: [(&'static str, &str); 5] = [
        ("counter-v1", V1),
        ("counter-v2", V2),
        ("counter-v3", V3),
        ("trapping-migration", &trapping),
        ("breaking-migration", &breaking),
    ];
    sources
        .iter()
        .map(|(label, source)| build(label, source, limits))
        .collect()
}

fn build(label: &'static str, source: &str, limits: &Limits) -> Result<Program, String> {
    let compiled = compile(source, label, None)
        .map_err(|errors| format!("{label} does not compile: {errors:?}"))?;
    let bytes = encode(&compiled.artifact, Some(&compiled.debug));
    let version = prepare(&bytes, limits).map_err(|e| format!("{label}: {e}"))?;
    Ok(Program {
        label,
        bytes,
        version,
    })
}

/// The program with this hash.
pub fn by_hash(catalog: &[Program], hash: Hash) -> Option<&Program> {
    catalog.iter().find(|p| p.hash() == hash)
}
