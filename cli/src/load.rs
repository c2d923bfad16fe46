//! Reading what the user names on the command line: a `.sm` source (compiled here) or a
//! `.smb` artifact (decoded), told apart by the artifact's magic bytes, not the extension.

use crate::render;
use anyhow::{Context, Result};
use quiver_lang::driver;
use quiver_vm::bytecode::{Artifact, DebugInfo, MAGIC, decode};
use quiver_vm::limits::Limits;
use std::io::Read;
use std::path::Path;

/// A machine ready to verify and run, with what is known of its source.
pub struct Unit {
    pub artifact: Artifact,
    pub debug: Option<DebugInfo>,
    /// The source text, when the unit was compiled from source here.
    pub source: Option<String>,
}

/// Why loading failed. Diagnostics have been printed already when it is `Reported`.
pub enum LoadError {
    Reported,
    Other(anyhow::Error),
}

impl From<anyhow::Error> for LoadError {
    fn from(error: anyhow::Error) -> LoadError {
        LoadError::Other(error)
    }
}

/// The name a file is shown by in messages and debug info.
pub fn display_name(path: &Path) -> String {
    path.display().to_string()
}

/// Reads a source file as UTF-8.
pub fn read_source(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", path.display()))
}

/// Loads a source or an artifact.
pub fn load(path: &Path, machine: Option<&str>, limits: &Limits) -> Result<Unit, LoadError> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.starts_with(&MAGIC) {
        if machine.is_some() {
            return Err(LoadError::Other(anyhow::anyhow!(
                "--machine applies to .sm sources; {} is an artifact of one machine",
                path.display()
            )));
        }
        let (artifact, debug) = decode::decode(&bytes, limits)
            .with_context(|| format!("cannot load the artifact {}", path.display()))?;
        return Ok(Unit {
            artifact,
            debug,
            source: None,
        });
    }
    let src = String::from_utf8(bytes).with_context(|| {
        format!(
            "{} is neither UTF-8 source nor a Quiver artifact",
            path.display()
        )
    })?;
    let name = display_name(path);
    match driver::compile(&src, &name, machine) {
        Ok(compiled) => Ok(Unit {
            artifact: compiled.artifact,
            debug: Some(compiled.debug),
            source: Some(src),
        }),
        Err(diagnostics) => {
            render::print_diagnostics(&name, &src, &diagnostics);
            Err(LoadError::Reported)
        }
    }
}

/// One input per line of a file (`-`: stdin), skipping blank lines and `//` comments.
pub fn read_inputs(path: &Path) -> Result<Vec<String>> {
    let text = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read inputs from stdin")?;
        text
    } else {
        std::fs::read_to_string(path)
            .with_context(|| format!("cannot read inputs from {}", path.display()))?
    };
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .map(String::from)
        .collect())
}
