//! Traps: why a turn, a migration or an invariant check was rejected.
//!
//! A trap is data, never rendered text: nodes exchange it, and the cli maps its site to a source
//! span through the debug sidecar and renders it. A trapped turn leaves the state as it was.

use crate::bytecode::Site;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What went wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TrapKind {
    /// An `Int` operation overflowed 64 bits.
    Overflow,
    DivisionByZero,
    /// `assert` saw `false`.
    AssertFailed,
    /// Invariant number `index` (in declaration order) did not hold after the turn or migration.
    InvariantViolated {
        index: u32,
    },
    /// The turn used more than the fuel it was given.
    OutOfFuel,
    /// A value grew past a limit (e.g. the state size bound).
    LimitExceeded(String),
}

/// A trap and where it happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trap {
    pub kind: TrapKind,
    pub site: Site,
}

impl Trap {
    pub fn new(kind: TrapKind, site: Site) -> Trap {
        Trap { kind, site }
    }
}

impl fmt::Display for TrapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrapKind::Overflow => f.write_str("integer overflow"),
            TrapKind::DivisionByZero => f.write_str("division by zero"),
            TrapKind::AssertFailed => f.write_str("assertion failed"),
            TrapKind::InvariantViolated { index } => write!(f, "invariant {index} violated"),
            TrapKind::OutOfFuel => f.write_str("out of fuel"),
            TrapKind::LimitExceeded(what) => write!(f, "limit exceeded: {what}"),
        }
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for Trap {}
