//! One module per subcommand.

pub mod cert;
pub mod check;
pub mod compile;
pub mod demo;
pub mod graph;
pub mod inspect;
pub mod keys;
pub mod log;
pub mod node;
pub mod push;
pub mod repl;
pub mod replay;
pub mod rollback;
pub mod run;
pub mod send;

use crate::args::EmitStage;
use quiver_lang::driver::Stage;

/// The driver's stage for a `--emit` value.
pub fn stage(emit: EmitStage) -> Stage {
    match emit {
        EmitStage::Tokens => Stage::Tokens,
        EmitStage::Ast => Stage::Ast,
        EmitStage::Typed => Stage::Typed,
        EmitStage::Comb => Stage::Comb,
        EmitStage::Bytecode => Stage::Bytecode,
    }
}
