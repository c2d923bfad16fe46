//! Rendering for the REPL: diagnostics as text against the entry typed (or the session's
//! file), in colour or plain, and what a turn changed in a state.
//!
//! Everything here returns strings; the loop decides where they go.

use miette::{GraphicalReportHandler, GraphicalTheme, NamedSource, Report};
use quiver_lang::diagnostic::Diagnostic;
use quiver_lang::span::Span;
use quiver_vm::text;
use quiver_vm::types::Type;
use quiver_vm::value::Value;

/// The diagnostics rendered against `src`, which is shown as `name`.
pub fn diagnostics(name: &str, src: &str, diagnostics: &[Diagnostic], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    for diagnostic in diagnostics {
        let report = Report::new(diagnostic.clone())
            .with_source_code(NamedSource::new(name, src.to_string()).with_language("rust"));
        if handler.render_report(&mut out, report.as_ref()).is_err() {
            out += &format!("error[{}]: {}\n", diagnostic.code, diagnostic.message);
        }
    }
    out
}

/// Diagnostics of a file made of the session's text with `entry` appended at `offset`: when
/// every label lies in the entry they are shown against the entry alone, else against the
/// whole file.
pub fn against_entry(
    file_name: &str,
    whole: &str,
    entry: &str,
    offset: usize,
    found: &[Diagnostic],
    color: bool,
) -> String {
    let start = u32::try_from(offset).unwrap_or(u32::MAX);
    let in_entry = found
        .iter()
        .flat_map(|d| &d.labels)
        .all(|label| label.span.start >= start);
    if !in_entry {
        return diagnostics(file_name, whole, found, color);
    }
    let shifted: Vec<Diagnostic> = found
        .iter()
        .cloned()
        .map(|mut d| {
            for label in &mut d.labels {
                label.span = Span {
                    start: label.span.start - start,
                    end: label.span.end.saturating_sub(start),
                };
            }
            d
        })
        .collect();
    diagnostics("<repl>", entry, &shifted, color)
}

/// What changed between two states of type `ty`, one line per changed field (`  count: 0 ->
/// 5`), or the whole state when it is not a record; empty when nothing changed.
pub fn state_change(before: &Value, after: &Value, ty: &Type) -> String {
    if before == after {
        return String::new();
    }
    if let (Type::Record(fields), Value::Tuple(old), Value::Tuple(new)) = (ty, before, after) {
        let mut out = String::new();
        for ((field, old), new) in fields.iter().zip(old.iter()).zip(new.iter()) {
            if old != new {
                out += &format!(
                    "  {}: {} -> {}\n",
                    field.name,
                    text::print(old, &field.ty),
                    text::print(new, &field.ty)
                );
            }
        }
        return out;
    }
    format!(
        "  state: {} -> {}\n",
        text::print(before, ty),
        text::print(after, ty)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use quiver_vm::types::Field;

    #[test]
    fn a_state_change_names_only_the_fields_that_changed() {
        let ty = Type::Record(vec![
            Field {
                name: "count".to_string(),
                ty: Type::Int,
            },
            Field {
                name: "resets".to_string(),
                ty: Type::Int,
            },
        ]);
        let before = Value::tuple(vec![Value::Int(0), Value::Int(1)]);
        let after = Value::tuple(vec![Value::Int(5), Value::Int(1)]);
        assert_eq!(state_change(&before, &after, &ty), "  count: 0 -> 5\n");
        assert_eq!(state_change(&after, &after, &ty), "");
    }
}
