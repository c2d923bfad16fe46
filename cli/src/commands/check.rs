//! `quiver check`: report every error in every file, or dump one stage with `--emit`.

use crate::args::{CheckArgs, Exit};
use crate::load::{display_name, read_source};
use crate::render;
use anyhow::Result;
use quiver_lang::driver;

pub fn run(args: &CheckArgs) -> Result<Exit> {
    let mut exit = Exit::Success;
    for path in &args.files {
        let name = display_name(path);
        let src = match read_source(path) {
            Ok(src) => src,
            Err(error) => {
                eprintln!("error: {error:#}");
                exit = Exit::Failed;
                continue;
            }
        };
        let outcome = match args.emit {
            Some(emit) => driver::emit(&src, &name, args.machine.as_deref(), super::stage(emit))
                .map(|text| print!("{text}")),
            None => driver::check(&src).map(|program| {
                let machines: Vec<&str> =
                    program.machines.iter().map(|m| m.name.as_str()).collect();
                println!("{name}: ok ({})", describe(&machines));
            }),
        };
        if let Err(diagnostics) = outcome {
            render::print_diagnostics(&name, &src, &diagnostics);
            exit = Exit::Failed;
        }
    }
    Ok(exit)
}

fn describe(machines: &[&str]) -> String {
    match machines {
        [] => "no machines".to_string(),
        [one] => format!("machine {one}"),
        many => format!("machines {}", many.join(", ")),
    }
}
