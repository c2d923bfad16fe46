//! The `.sm` compiler: source text in, a bytecode artifact and diagnostics out.
//!
//! The pipeline, one module per stage, each returning its output and every error it found:
//!
//! ```text
//! source --lex--> tokens --parse--> ast --check--> tir --lower--> comb (vm::bytecode::Arrow)
//!        --simplify--> comb --codegen--> vm::bytecode::Artifact (+ DebugInfo)
//! ```
//!
//! This crate does no IO: callers hand it source text and get data back. It depends on the
//! `vm` crate only for the bytecode types it produces and the primitive registry it types
//! calls with, and on `stdlib` for the surface names of those primitives.

pub mod analysis;
pub mod ast;
pub mod check;
pub mod codegen;
pub mod diagnostic;
pub mod driver;
pub mod lexer;
pub mod lower;
pub mod parser;
pub mod span;
pub mod tir;
