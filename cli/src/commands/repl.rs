//! `quiver repl`: the interactive session (see `crate::repl`).

use crate::args::{Exit, ReplArgs};
use crate::repl::{self, Mode};
use anyhow::Result;

pub fn run(args: &ReplArgs) -> Result<Exit> {
    repl::run(args.file.as_deref(), Mode::detect(args.echo))?;
    Ok(Exit::Success)
}
