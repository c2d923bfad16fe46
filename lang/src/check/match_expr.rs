//! `match` expressions, in value position and in state-passing style (see `block`).
//!
//! The scrutinee is inferred, the arms are compiled by `patterns`, and the result type is the
//! expected type or else the first checked arm's. Missing cases and unreachable arms are
//! reported here; handlers report theirs in their own words (`handlers`).

use super::block::last_component;
use super::patterns::MatchReport;
use super::{Checker, error_expr};
use crate::ast;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::tir::Expr;
use quiver_vm::types::Type;

impl Checker {
    pub(crate) fn check_match(
        &mut self,
        scrutinee: &ast::Expr,
        arms: &[ast::MatchArm],
        expected: Option<&Type>,
        span: Span,
    ) -> Expr {
        self.match_with(scrutinee, arms, expected, span, false)
    }

    pub(crate) fn state_passing_match(
        &mut self,
        scrutinee: &ast::Expr,
        arms: &[ast::MatchArm],
        expected: Option<&Type>,
        span: Span,
    ) -> Expr {
        self.match_with(scrutinee, arms, expected, span, true)
    }

    fn match_with(
        &mut self,
        scrutinee: &ast::Expr,
        arms: &[ast::MatchArm],
        expected: Option<&Type>,
        span: Span,
        state_passing: bool,
    ) -> Expr {
        let scrut = self.check_expr(scrutinee, None);
        if arms.is_empty() {
            self.report(
                Diagnostic::new("E0307", "this `match` has no arms", span, "no arms")
                    .with_help("add an arm for each case, e.g. `_ => ...`"),
            );
            return error_expr(span);
        }
        let patterns: Vec<&ast::Pattern> = arms.iter().map(|a| &a.pattern).collect();
        let mut result_ty: Option<Type> = expected.cloned();
        let mut body = |ck: &mut Checker, i: usize| -> Expr {
            let arm = &arms[i];
            if state_passing {
                let tuple = ck.state_passing_expr(&arm.body, result_ty.as_ref());
                match &result_ty {
                    Some(t) => ck.expect_value(t, &tuple),
                    None => result_ty = Some(last_component(&tuple.ty)),
                }
                tuple
            } else {
                let value = ck.check_expr(&arm.body, result_ty.as_ref());
                match &result_ty {
                    Some(t) => ck.expect_type(t, &value, "every arm of a `match`"),
                    None => result_ty = Some(value.ty.clone()),
                }
                value
            }
        };
        let (mut out, report) = self.compile_match(scrut, &patterns, span, &mut body);
        self.report_match(&report, &patterns, span);
        if !state_passing {
            // The arms were checked against this type; a wrong arm is reported already.
            if let Some(ty) = result_ty {
                out.ty = ty;
            }
        }
        out
    }

    fn report_match(&mut self, report: &MatchReport, patterns: &[&ast::Pattern], span: Span) {
        if report.had_error {
            return;
        }
        if !report.missing.is_empty() {
            self.report(
                Diagnostic::new(
                    "E0307",
                    format!(
                        "this `match` does not cover every case: missing {}",
                        report.missing.join(", ")
                    ),
                    span,
                    format!("missing {}", report.missing.join(", ")),
                )
                .with_help("add arms for the missing cases, or a final `_ => ...` arm"),
            );
        }
        for &i in &report.unreachable {
            self.report(
                Diagnostic::new(
                    "E0308",
                    "this arm is unreachable",
                    patterns[i].span(),
                    "never matched",
                )
                .with_help("remove it: the arms before it already match every value it matches"),
            );
        }
    }
}
