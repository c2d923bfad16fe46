//! `:graph NAME [machine|arrows] [FILE]`: a machine's picture written to a file.
//!
//! NAME is a machine of the session's file or a running instance (whose running version is
//! drawn). The picture is DOT by default; a FILE ending in `.svg` gets SVG made by Graphviz
//! when it is installed. The drawing itself is `crate::graph`'s; this module only picks the
//! machine, the picture and the file, and says where it went.

use super::render;
use super::session::Session;
use super::version::Version;
use crate::graph::{self, GraphError};
use std::path::PathBuf;

/// Which picture `:graph` draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum What {
    Machine,
    Arrows,
}

impl What {
    fn name(self) -> &'static str {
        match self {
            What::Machine => "machine",
            What::Arrows => "arrows",
        }
    }
}

const USAGE: &str = "error: write `:graph NAME [machine|arrows] [FILE]`\n  help: e.g. `:graph Counter arrows counter.svg`\n";

impl Session {
    /// `:graph NAME [machine|arrows] [FILE]`
    pub(super) fn graph(&self, args: &str) -> Result<String, String> {
        let words: Vec<&str> = args.split_whitespace().collect();
        let (name, rest) = words.split_first().ok_or_else(|| USAGE.to_string())?;
        let (what, rest) = match rest.split_first() {
            Some((&"machine", rest)) => (What::Machine, rest),
            Some((&"arrows", rest)) => (What::Arrows, rest),
            _ => (What::Machine, rest),
        };
        let file = match rest {
            [] => PathBuf::from(format!("{name}.dot")),
            [file] => PathBuf::from(file),
            _ => return Err(USAGE.to_string()),
        };
        let version = self.version_to_draw(name)?;
        let dot = self.draw(&version, what)?;
        let svg = file.extension().is_some_and(|ext| ext == "svg");
        let picture = if svg { to_svg(&dot)? } else { dot };
        std::fs::write(&file, picture)
            .map_err(|e| format!("error: cannot write {}: {e}\n", file.display()))?;
        Ok(format!(
            "wrote the {} picture of {} to {}\n",
            what.name(),
            version.machine(),
            file.display()
        ))
    }

    /// The running version of instance `name`, or machine `name` compiled from the session.
    fn version_to_draw(&self, name: &str) -> Result<std::sync::Arc<Version>, String> {
        match self.instances.get(name) {
            Some(running) => Ok(running.timeline.now().version.clone()),
            None => self.compile(name).map(std::sync::Arc::new),
        }
    }

    fn draw(&self, version: &Version, what: What) -> Result<String, String> {
        match what {
            What::Arrows => Ok(graph::arrows_dot(&version.compiled.artifact)),
            What::Machine => {
                graph::machine_dot(&version.source, Some(version.machine())).map_err(|d| {
                    render::diagnostics(&self.source_name(), &version.source, &d, self.color)
                })
            }
        }
    }
}

/// SVG for the DOT text, or why Graphviz could not make it.
fn to_svg(dot: &str) -> Result<String, String> {
    graph::render_svg(dot).map_err(|error| match error {
        GraphError::DotMissing => {
            "error: Graphviz `dot` is not installed, so no SVG can be made\n  \
             help: install it (e.g. `apt-get install graphviz`), or name a `.dot` file to get DOT\n"
                .to_string()
        }
        other => format!("error: {other}\n"),
    })
}
