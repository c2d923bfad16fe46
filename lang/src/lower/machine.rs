//! A machine written with `machine Name { ... }`: its step, invariants and migrations as
//! arrows.
//!
//! The step's environment is `[input, state]`, packed as the pair `(input, state)` that the
//! artifact's step receives; invariants and migrations have one variable, the value itself.
//! The initial state is lowered here but evaluated by `codegen.rs`; composition is
//! `compose.rs`'s job.

use super::{Env, Lowerer};
use crate::tir::{Defined, Migration};
use quiver_vm::bytecode::{self, Arrow};

/// The arrows of one defined machine.
pub(crate) struct DefinedCode {
    pub(crate) step: Arrow,
    pub(crate) invariants: Vec<bytecode::Invariant>,
    pub(crate) migrate_up: Option<bytecode::Migration>,
    pub(crate) migrate_down: Option<bytecode::Migration>,
}

impl Lowerer {
    /// Lowers the step, invariants and migrations of a defined machine.
    pub(crate) fn defined(&mut self, defined: &Defined) -> DefinedCode {
        let step = self.arrow(&defined.step, Env::packed(2));
        let invariants = defined
            .invariants
            .iter()
            .map(|invariant| {
                let body = self.arrow(&invariant.body, Env::packed(1));
                let site = self.site(invariant.span, format!("invariant {}", invariant.text));
                bytecode::Invariant { body, site }
            })
            .collect();
        DefinedCode {
            step,
            invariants,
            migrate_up: defined.migrate_up.as_ref().map(|m| self.migration(m)),
            migrate_down: defined.migrate_down.as_ref().map(|m| self.migration(m)),
        }
    }

    /// The arrow `Unit -> state` of a defined machine's initial state.
    pub(crate) fn init(&mut self, defined: &Defined) -> Arrow {
        self.arrow(&defined.init, Env::packed(0))
    }

    fn migration(&mut self, migration: &Migration) -> bytecode::Migration {
        bytecode::Migration {
            other: migration.other.clone(),
            body: self.arrow(&migration.body, Env::packed(1)),
        }
    }
}
