//! Rendering compiler diagnostics and run-time traps for the terminal, through miette.
//!
//! Colour follows the terminal and `NO_COLOR`; tests get the plain unicode theme at a fixed
//! width through [`render_plain`].

use miette::{GraphicalReportHandler, GraphicalTheme, NamedSource, Report};
use quiver_lang::diagnostic::Diagnostic;
use quiver_vm::bytecode::DebugInfo;
use quiver_vm::trap::{Trap, TrapKind};

/// Prints every diagnostic to stderr against its source.
pub fn print_diagnostics(source_name: &str, src: &str, diagnostics: &[Diagnostic]) {
    let handler = if std::env::var_os("NO_COLOR").is_some() || !stderr_is_terminal() {
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
    } else {
        GraphicalReportHandler::new()
    };
    for diagnostic in diagnostics {
        let mut out = String::new();
        let report = report(source_name, src, diagnostic);
        if handler.render_report(&mut out, report.as_ref()).is_err() {
            out = format!("error[{}]: {}\n", diagnostic.code, diagnostic.message);
        }
        eprint!("{out}");
    }
    let count = diagnostics.len();
    eprintln!(
        "{source_name}: {count} error{}",
        if count == 1 { "" } else { "s" }
    );
}

/// The diagnostics rendered without colour at a fixed width (for golden tests).
pub fn render_plain(source_name: &str, src: &str, diagnostics: &[Diagnostic]) -> String {
    let handler =
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
    let mut out = String::new();
    for diagnostic in diagnostics {
        let report = report(source_name, src, diagnostic);
        if handler.render_report(&mut out, report.as_ref()).is_err() {
            out += &format!("error[{}]: {}\n", diagnostic.code, diagnostic.message);
        }
    }
    out
}

fn report(source_name: &str, src: &str, diagnostic: &Diagnostic) -> Report {
    Report::new(diagnostic.clone())
        .with_source_code(NamedSource::new(source_name, src.to_string()).with_language("rust"))
}

fn stderr_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal()
}

/// One line saying why a turn was rejected and where: `invariant count >= 0 violated at
/// counter.sm:16:15`. The location comes from the debug sidecar (and the source, when there
/// is one, for line and column).
pub fn trap_line(trap: &Trap, debug: Option<&DebugInfo>, src: Option<&str>) -> String {
    let site = debug.and_then(|d| d.site(trap.site).map(|s| (d, s)));
    let reason = match (&trap.kind, site) {
        (TrapKind::InvariantViolated { .. }, Some((_, info))) => format!("{} violated", info.what),
        (kind, _) => kind.to_string(),
    };
    match site {
        Some((debug, info)) => {
            let place = match src {
                Some(src) => {
                    let (line, column) = line_column(src, info.start as usize);
                    format!("{}:{line}:{column}", debug.source_name)
                }
                None => format!("{} bytes {}..{}", debug.source_name, info.start, info.end),
            };
            if matches!(trap.kind, TrapKind::InvariantViolated { .. }) {
                format!("{reason} at {place}")
            } else {
                format!("{reason} at {place} ({})", info.what)
            }
        }
        None => reason,
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = src.get(..offset).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}
