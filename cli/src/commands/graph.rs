//! `quiver graph`: a machine's picture as DOT or SVG, to stdout or a file.
//!
//! The pictures themselves are drawn by [`crate::graph`]; this module reads the source, picks
//! the picture, and writes it (saying where, when it goes to a file).

use crate::args::{Exit, GraphArgs, GraphFormat, GraphWhat};
use crate::graph;
use crate::load::{display_name, read_source};
use crate::render;
use anyhow::{Context, Result};
use quiver_lang::driver;
use std::io::Write;

pub fn run(args: &GraphArgs) -> Result<Exit> {
    let name = display_name(&args.file);
    let src = read_source(&args.file)?;
    let machine = args.machine.as_deref();
    let drawn = match args.what {
        GraphWhat::Machine => graph::machine_dot(&src, machine),
        GraphWhat::Arrows => {
            driver::compile(&src, &name, machine).map(|c| graph::arrows_dot(&c.artifact))
        }
    };
    let dot = match drawn {
        Ok(dot) => dot,
        Err(diagnostics) => {
            render::print_diagnostics(&name, &src, &diagnostics);
            return Ok(Exit::Failed);
        }
    };
    let picture = match args.format {
        GraphFormat::Dot => dot,
        GraphFormat::Svg => graph::render_svg(&dot)?,
    };
    match &args.output {
        Some(out) => {
            std::fs::write(out, &picture)
                .with_context(|| format!("cannot write {}", out.display()))?;
            eprintln!("wrote {}", out.display());
        }
        None => std::io::stdout()
            .write_all(picture.as_bytes())
            .context("cannot write the picture to stdout")?,
    }
    Ok(Exit::Success)
}
