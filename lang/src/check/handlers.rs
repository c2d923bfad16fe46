//! A machine's handlers, compiled together into its step: one `match` on the input whose arms
//! are the handlers' patterns. The environment is `[input, state]`; each state field reads
//! its component of the state until a handler assigns it, and every handler ends with
//! `(new state record, output)`. Every input case must be handled.
//!
//! Assignments and state-passing style live in `block`; this module only frames them.

use super::block::Finish;
use super::machine::Shape;
use super::scope::var;
use super::{Checker, error_expr};
use crate::ast;
use crate::diagnostic::Diagnostic;
use crate::tir::Expr;
use quiver_vm::types::Type;

impl Checker {
    pub(crate) fn check_step(&mut self, m: &ast::MachineDecl, shape: &Shape) -> Expr {
        let span = m.span;
        let mark = self.scope.mark();
        let input_level = self.scope.bind(None, &shape.input);
        self.bind_state_fields(shape, span);
        self.ctx.assignable = shape.fields.iter().map(|f| f.name.clone()).collect();
        self.ctx.in_handler = true;
        self.ctx.output_type = Some(shape.output.clone());
        let patterns: Vec<&ast::Pattern> = m.handlers.iter().map(|h| &h.pattern).collect();
        let handlers = &m.handlers;
        let mut body = |ck: &mut Checker, i: usize| -> Expr {
            ck.check_block_as(&handlers[i].body, Some(&shape.output), Finish::Handler)
        };
        let input = var(input_level, &shape.input, span);
        let (step, report) = self.compile_match(input, &patterns, span, &mut body);
        self.ctx.assignable.clear();
        self.ctx.in_handler = false;
        self.ctx.output_type = None;
        self.scope.reset(mark);
        if handlers.is_empty() {
            let all = every_case(&shape.input);
            self.report_missing_handlers(m, &all);
            return error_expr(span);
        }
        if !report.had_error {
            if !report.missing.is_empty() {
                self.report_missing_handlers(m, &report.missing);
            }
            for &i in &report.unreachable {
                self.report_unreachable_handler(handlers, i);
            }
        }
        let mut step = step;
        step.ty = Type::Tuple(vec![shape.state.clone(), shape.output.clone()]);
        step
    }

    fn report_missing_handlers(&mut self, m: &ast::MachineDecl, missing: &[String]) {
        let missing: Vec<String> = if missing.is_empty() {
            vec!["`_`".to_string()]
        } else {
            missing.to_vec()
        };
        let stubs: Vec<String> = missing
            .iter()
            .map(|w| format!("on {} {{ ... }}", w.trim_matches('`')))
            .collect();
        self.report(
            Diagnostic::new(
                "E0401",
                format!(
                    "the machine `{}` does not handle {}",
                    m.name.name,
                    missing.join(", ")
                ),
                m.name.span,
                format!("missing a handler for {}", missing.join(", ")),
            )
            .with_help(format!("add a handler: `{}`", stubs.join("`, `"))),
        );
    }

    fn report_unreachable_handler(&mut self, handlers: &[ast::Handler], i: usize) {
        let head = |p: &ast::Pattern| match p {
            ast::Pattern::Ctor { path, .. } => path.segments.last().map(|s| s.name.clone()),
            _ => None,
        };
        let this = head(&handlers[i].pattern);
        let earlier = handlers[..i]
            .iter()
            .find(|h| this.is_some() && head(&h.pattern) == this);
        let span = handlers[i].pattern.span();
        let diagnostic = match (earlier, &this) {
            (Some(first), Some(name)) => Diagnostic::new(
                "E0409",
                format!("`{name}` is handled twice"),
                span,
                "never reached",
            )
            .with_label(first.pattern.span(), "already handled here")
            .with_help(
                "merge the two handlers into one (use `match` inside it to tell cases apart)",
            ),
            _ => Diagnostic::new(
                "E0409",
                "this handler is never reached",
                span,
                "never reached",
            )
            .with_help("remove it: the handlers before it already match every input it matches"),
        };
        self.report(diagnostic);
    }
}

/// A pattern for each case of a message type (`` `Incr(_)` ``), or `_` for other types.
fn every_case(ty: &Type) -> Vec<String> {
    let Type::Enum(e) = ty else {
        return vec!["`_`".to_string()];
    };
    e.variants
        .iter()
        .map(|v| {
            if v.fields.is_empty() {
                format!("`{}`", v.name)
            } else {
                let blanks = vec!["_"; v.fields.len()];
                format!("`{}({})`", v.name, blanks.join(", "))
            }
        })
        .collect()
}
