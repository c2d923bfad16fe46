//! Pictures of machines (`quiver graph`, and the REPL's `:graph NAME`): DOT text written by us,
//! and SVG made from it by Graphviz when it is installed.
//!
//! - [`machine_dot`]: the machine as people sketch it: inputs, the state fields each handler
//!   reads and writes, outputs, and the transitions of enum-valued state ([`machine`]).
//! - [`arrows_dot`]: the compiled step as a string diagram of boxes and wires ([`arrows`]).
//! - [`render_svg`]: DOT to SVG through `dot -Tsvg` ([`svg`]).
//!
//! Every DOT text is deterministic: ids are numbered in drawing order and nothing iterates a
//! hash map. This module does no terminal IO; `commands::graph` writes files and messages.

pub mod arrows;
pub mod dot;
pub mod machine;
pub mod svg;

use quiver_lang::diagnostic::Diagnostic;
use quiver_lang::span::Span;
use quiver_lang::{analysis, driver};
use quiver_vm::bytecode::Artifact;

pub use arrows::NODE_MAX_DEFAULT;
pub use svg::dot_installed;

/// Why a picture could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    #[error(
        "Graphviz `dot` is not installed; install it (e.g. `apt-get install graphviz`) or use \
         --format dot"
    )]
    DotMissing,
    #[error("graphviz could not render the picture: {0}")]
    DotFailed(String),
}

/// The `machine` picture of the machine `machine` (default: the last declared) of `src`,
/// which must check; otherwise the diagnostics of the first stage that failed.
pub fn machine_dot(src: &str, machine: Option<&str>) -> Result<String, Vec<Diagnostic>> {
    let program = driver::check(src)?;
    let index = driver::select_machine(&program, machine).map_err(|d| vec![d])?;
    let name = &program.machines[index].name;
    let file = driver::parse(src)?;
    let sketch = analysis::sketch(&file, name).ok_or_else(|| {
        vec![Diagnostic::new(
            "E0000",
            format!("the machine `{name}` checked but has no declaration to draw"),
            Span::default(),
            "",
        )]
    })?;
    Ok(machine::machine_dot(&sketch))
}

/// The `arrows` picture of a compiled machine's step, capped at [`NODE_MAX_DEFAULT`] boxes.
pub fn arrows_dot(artifact: &Artifact) -> String {
    arrows::arrows_dot(artifact, NODE_MAX_DEFAULT)
}

/// SVG for DOT text, made by Graphviz's `dot`.
pub fn render_svg(dot: &str) -> Result<String, GraphError> {
    let bytes = svg::render(dot, "svg")?;
    String::from_utf8(bytes)
        .map_err(|_| GraphError::DotFailed("`dot` wrote SVG that is not UTF-8".into()))
}
