//! SVG from DOT by running Graphviz's `dot -Tsvg`, when it is installed.
//!
//! This is the only place Quiver runs another program. It feeds the DOT on stdin and reads
//! the SVG from stdout; a `dot` that is missing gives [`GraphError::DotMissing`] with the
//! message users see, a `dot` that fails gives its stderr. It does not look for Graphviz
//! anywhere but on `PATH`, and does not lay out graphs itself.

use super::GraphError;
use std::io::Write;
use std::process::{Command, Stdio};

/// The program run, looked up on `PATH`.
const DOT_PROGRAM: &str = "dot";

/// Whether Graphviz's `dot` can be run.
pub fn dot_installed() -> bool {
    Command::new(DOT_PROGRAM)
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Renders DOT text in the format `format` (`svg`, `png`, ...) through `dot -T<format>`.
pub fn render(dot: &str, format: &str) -> Result<Vec<u8>, GraphError> {
    let mut child = Command::new(DOT_PROGRAM)
        .arg(format!("-T{format}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => GraphError::DotMissing,
            _ => GraphError::DotFailed(format!("cannot start `dot`: {error}")),
        })?;
    // Writing from this thread while `dot` writes its stdout could deadlock on a large graph
    // once both pipes fill, so the input goes in from a thread of its own.
    let stdin = child.stdin.take();
    let input = dot.as_bytes().to_vec();
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        match stdin {
            Some(mut stdin) => stdin.write_all(&input),
            None => Ok(()),
        }
    });
    let output = child
        .wait_with_output()
        .map_err(|error| GraphError::DotFailed(format!("`dot` did not finish: {error}")))?;
    let written = writer
        .join()
        .map_err(|_| GraphError::DotFailed("writing to `dot` failed".into()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(GraphError::DotFailed(format!(
            "`dot` exited with {}: {}",
            output.status,
            stderr.trim()
        )));
    }
    written.map_err(|error| GraphError::DotFailed(format!("cannot write to `dot`: {error}")))?;
    Ok(output.stdout)
}
