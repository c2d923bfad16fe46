//! The driver: the compiler's stages run in order, stopping after the first stage that reports
//! errors, for the cli, the golden tests and (later) the REPL.
//!
//! Each stage reports every error it finds; the driver only sequences them and picks the
//! machine to compile. It does no IO and renders nothing: callers get data back.

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::span::Span;
use crate::{ast, check, codegen, lexer, parser, tir};
use quiver_vm::bytecode::{Artifact, DebugInfo, disasm};
use quiver_vm::hash::{Hash, hash};

/// A stage whose output `--emit` can print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Tokens,
    Ast,
    Typed,
    Comb,
    Bytecode,
}

/// A machine compiled to an artifact.
#[derive(Clone, Debug)]
pub struct Compiled {
    pub artifact: Artifact,
    pub debug: DebugInfo,
    pub hash: Hash,
}

/// Parses a whole file; the errors of the lexer and the parser together.
pub fn parse(src: &str) -> Result<ast::File, Vec<Diagnostic>> {
    let (file, diagnostics) = parser::parse(src);
    match file {
        Some(file) if diagnostics.is_empty() => Ok(file),
        _ => Err(non_empty(diagnostics, "the file could not be parsed")),
    }
}

/// Parses and checks a whole file.
pub fn check(src: &str) -> Result<tir::Program, Vec<Diagnostic>> {
    let file = parse(src)?;
    let (program, diagnostics) = check::check(&file);
    match program {
        Some(program) if diagnostics.is_empty() => Ok(program),
        _ => Err(non_empty(diagnostics, "the file could not be checked")),
    }
}

/// Compiles one machine of a file: the one named, or else the last one declared (in a file
/// that builds a composite from parts, the composite comes last).
pub fn compile(
    src: &str,
    source_name: &str,
    machine: Option<&str>,
) -> Result<Compiled, Vec<Diagnostic>> {
    let program = check(src)?;
    let index = select_machine(&program, machine).map_err(|d| vec![d])?;
    let (artifact, debug) = codegen::codegen(&program, index, source_name)?;
    let hash = hash(&artifact);
    Ok(Compiled {
        artifact,
        debug,
        hash,
    })
}

/// The index of the machine to compile.
pub fn select_machine(program: &tir::Program, name: Option<&str>) -> Result<usize, Diagnostic> {
    let names = || program.machines.iter().map(|m| m.name.as_str());
    match name {
        None => program.machines.len().checked_sub(1).ok_or_else(|| {
            Diagnostic::new(
                "E0501",
                "this file declares no machine",
                Span::default(),
                "",
            )
            .with_help("declare one with `machine Name { ... }`")
        }),
        Some(wanted) => program
            .machines
            .iter()
            .position(|m| m.name == wanted)
            .ok_or_else(|| {
                let listed: Vec<&str> = names().collect();
                let mut help = format!("the file declares: {}", listed.join(", "));
                if let Some(suggestion) = did_you_mean(wanted, names()) {
                    help = format!("{suggestion} ({help})");
                }
                Diagnostic::new(
                    "E0502",
                    format!("no machine named `{wanted}` in this file"),
                    Span::default(),
                    "",
                )
                .with_help(help)
            }),
    }
}

/// The text `--emit` prints for a stage: the stage's own dump, or the diagnostics of the
/// first stage before it that failed.
pub fn emit(
    src: &str,
    source_name: &str,
    machine: Option<&str>,
    stage: Stage,
) -> Result<String, Vec<Diagnostic>> {
    match stage {
        Stage::Tokens => {
            let (_, diagnostics) = lexer::lex(src);
            if diagnostics.is_empty() {
                Ok(lexer::print_tokens(src))
            } else {
                Err(diagnostics)
            }
        }
        Stage::Ast => parse(src).map(|file| format!("{file:#?}\n")),
        Stage::Typed => check(src).map(|program| check::print::print_program(&program)),
        Stage::Comb => compile(src, source_name, machine).map(|c| comb_listing(&c.artifact)),
        Stage::Bytecode => compile(src, source_name, machine)
            .map(|c| disasm::disassemble(&c.artifact, Some(&c.debug))),
    }
}

/// Every arrow of an artifact in combinator notation, labelled.
pub fn comb_listing(artifact: &Artifact) -> String {
    let mut out = String::new();
    for (index, def) in artifact.defs.iter().enumerate() {
        out += &format!(
            "def {index} {} : {} -> {}\n{}\n\n",
            def.name,
            def.input,
            def.output,
            indent(&disasm::comb(&def.body))
        );
    }
    out += &format!(
        "step : ({}, {}) -> ({}, {})\n{}\n",
        artifact.input,
        artifact.state,
        artifact.state,
        artifact.output,
        indent(&disasm::comb(&artifact.step))
    );
    for (index, invariant) in artifact.invariants.iter().enumerate() {
        out += &format!(
            "\ninvariant {index} : {} -> Bool\n{}\n",
            artifact.state,
            indent(&disasm::comb(&invariant.body))
        );
    }
    if let Some(up) = &artifact.migrate_up {
        out += &format!(
            "\nmigrate up : {} -> {}\n{}\n",
            up.other,
            artifact.state,
            indent(&disasm::comb(&up.body))
        );
    }
    if let Some(down) = &artifact.migrate_down {
        out += &format!(
            "\nmigrate down : {} -> {}\n{}\n",
            artifact.state,
            down.other,
            indent(&disasm::comb(&down.body))
        );
    }
    out
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("    {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A stage that failed must say why; this guards against a stage that returns nothing and no
/// error (a bug, reported rather than hidden).
fn non_empty(diagnostics: Vec<Diagnostic>, fallback: &str) -> Vec<Diagnostic> {
    if diagnostics.is_empty() {
        vec![Diagnostic::new("E0000", fallback, Span::default(), "")]
    } else {
        diagnostics
    }
}
