//! `quiver compile`: write a machine's artifact and print its hash (the name of this version
//! everywhere: the cli, nodes and logs).

use crate::args::{CompileArgs, Exit};
use crate::load::{display_name, read_source};
use crate::render;
use anyhow::{Context, Result};
use quiver_lang::driver;
use quiver_vm::bytecode::encode;

pub fn run(args: &CompileArgs) -> Result<Exit> {
    let name = display_name(&args.file);
    let src = read_source(&args.file)?;
    let machine = args.machine.as_deref();
    if let Some(emit) = args.emit {
        return Ok(
            match driver::emit(&src, &name, machine, super::stage(emit)) {
                Ok(text) => {
                    print!("{text}");
                    Exit::Success
                }
                Err(diagnostics) => {
                    render::print_diagnostics(&name, &src, &diagnostics);
                    Exit::Failed
                }
            },
        );
    }
    let compiled = match driver::compile(&src, &name, machine) {
        Ok(compiled) => compiled,
        Err(diagnostics) => {
            render::print_diagnostics(&name, &src, &diagnostics);
            return Ok(Exit::Failed);
        }
    };
    let debug = (!args.strip).then_some(&compiled.debug);
    let bytes = encode::encode(&compiled.artifact, debug);
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| args.file.with_extension("smb"));
    std::fs::write(&out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    eprintln!(
        "compiled {} from {name} to {} ({} bytes)",
        compiled.artifact.name,
        out.display(),
        bytes.len()
    );
    println!("{}", compiled.hash);
    Ok(Exit::Success)
}
