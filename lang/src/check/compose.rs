//! Composite machines: `machine P = A >>> B` and the other arrow operators on machines.
//!
//! Parts are machines of the same file (plain or composite; composites may nest and refer to
//! each other, but not in a cycle). Each operator checks that its parts fit and builds the
//! composite's types: the state is always `(left state, right state)`. The result holds full
//! copies of its parts. How a composite runs is lowering's business, not this module's.

use super::{Checker, compatible};
use crate::ast::{self, ComposeOp, MachineExpr};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::span::Span;
use crate::tir;
use quiver_vm::types::{EnumType, Type, Variant};
use std::collections::BTreeMap;

/// Where an operator and its operands are written.
struct Spans {
    op: Span,
    left: Span,
    right: Span,
    whole: Span,
}

/// Composites being resolved and resolved so far.
struct Composer<'a> {
    decls: BTreeMap<String, &'a ast::ComposeDecl>,
    defined: &'a BTreeMap<String, tir::Machine>,
    done: BTreeMap<String, Option<tir::Machine>>,
    in_progress: Vec<String>,
}

impl Checker {
    pub(crate) fn check_composites(
        &mut self,
        file: &ast::File,
        defined: &BTreeMap<String, tir::Machine>,
    ) -> BTreeMap<String, tir::Machine> {
        let mut composer = Composer {
            decls: BTreeMap::new(),
            defined,
            done: BTreeMap::new(),
            in_progress: Vec::new(),
        };
        for item in &file.items {
            if let ast::Item::Compose(c) = item {
                composer.decls.entry(c.name.name.clone()).or_insert(c);
            }
        }
        let names: Vec<String> = composer.decls.keys().cloned().collect();
        for name in names {
            self.composite(&mut composer, &name);
        }
        composer
            .done
            .into_iter()
            .filter_map(|(k, v)| v.map(|m| (k, m)))
            .collect()
    }

    fn composite(&mut self, composer: &mut Composer, name: &str) -> Option<tir::Machine> {
        if let Some(done) = composer.done.get(name) {
            return done.clone();
        }
        let decl = *composer.decls.get(name)?;
        composer.in_progress.push(name.to_string());
        let mut machine = self.compose_expr(composer, &decl.expr, name, true);
        composer.in_progress.pop();
        if let Some(m) = &mut machine {
            m.name = name.to_string();
            m.span = decl.span;
        }
        composer.done.insert(name.to_string(), machine.clone());
        machine
    }

    fn compose_expr(
        &mut self,
        composer: &mut Composer,
        expr: &MachineExpr,
        top: &str,
        is_top: bool,
    ) -> Option<tir::Machine> {
        let span = machine_span(expr, 0);
        self.nested(span, None, |ck| match expr {
            MachineExpr::Name(ident) => ck.machine_named(composer, ident),
            MachineExpr::Binary {
                op,
                op_span,
                left,
                right,
            } => {
                let l = ck.compose_expr(composer, left, top, false);
                let r = ck.compose_expr(composer, right, top, false);
                let name = if is_top {
                    top.to_string()
                } else {
                    format!("({})", machine_text(expr, 0))
                };
                let spans = Spans {
                    op: *op_span,
                    left: machine_span(left, 0),
                    right: machine_span(right, 0),
                    whole: span,
                };
                ck.combine(*op, spans, l?, r?, name)
            }
        })
    }

    fn machine_named(
        &mut self,
        composer: &mut Composer,
        ident: &ast::Ident,
    ) -> Option<tir::Machine> {
        let name = ident.name.as_str();
        if let Some(m) = composer.defined.get(name) {
            return Some(m.clone());
        }
        if composer.in_progress.iter().any(|n| n == name) {
            let mut cycle: Vec<String> = composer
                .in_progress
                .iter()
                .map(|n| format!("`{n}`"))
                .collect();
            cycle.push(format!("`{name}`"));
            self.report(
                Diagnostic::new(
                    "E0407",
                    format!("the composite machine `{name}` is built from itself"),
                    ident.span,
                    "refers back to the machine being defined",
                )
                .with_help(format!("break the cycle {}", cycle.join(" → "))),
            );
            composer.done.insert(name.to_string(), None);
            return None;
        }
        if composer.decls.contains_key(name) {
            return self.composite(composer, name);
        }
        let known: Vec<&str> = composer
            .defined
            .keys()
            .chain(composer.decls.keys())
            .map(String::as_str)
            .collect();
        let help = did_you_mean(name, known.iter().copied())
            .unwrap_or_else(|| "compose machines defined in this file".to_string());
        self.report(
            Diagnostic::new(
                "E0208",
                format!("unknown machine `{name}`"),
                ident.span,
                "not a machine",
            )
            .with_help(help),
        );
        None
    }

    fn combine(
        &mut self,
        op: ComposeOp,
        spans: Spans,
        left: tir::Machine,
        right: tir::Machine,
        name: String,
    ) -> Option<tir::Machine> {
        let pair = |a: &Type, b: &Type| Type::Tuple(vec![a.clone(), b.clone()]);
        let parts = (&left, &right);
        let (input, output) = match op {
            ComposeOp::Then => {
                let rule = "`>>>` feeds the left machine's output to the right machine's input";
                self.must_fit(&spans, parts, ("output", "input"), rule)?;
                (left.input.clone(), right.output.clone())
            }
            ComposeOp::Par => (
                pair(&left.input, &right.input),
                pair(&left.output, &right.output),
            ),
            ComposeOp::Fanout => {
                let rule = "`&&&` gives one input to both machines";
                self.must_fit(&spans, parts, ("input", "input"), rule)?;
                (left.input.clone(), pair(&left.output, &right.output))
            }
            ComposeOp::Choice => {
                let rule = "`|||` needs one output type for both machines";
                self.must_fit(&spans, parts, ("output", "output"), rule)?;
                let variant = |name: &str, ty: &Type| Variant {
                    name: name.to_string(),
                    fields: vec![ty.clone()],
                };
                let input = Type::Enum(EnumType {
                    name: format!("{name}.Input"),
                    variants: vec![variant("Left", &left.input), variant("Right", &right.input)],
                });
                (input, left.output.clone())
            }
        };
        Some(tir::Machine {
            name,
            state: pair(&left.state, &right.state),
            input,
            output,
            body: tir::MachineBody::Composed {
                op,
                left: Box::new(left),
                right: Box::new(right),
            },
            span: spans.whole,
        })
    }

    /// Checks that the left part's `sides.0` type equals the right part's `sides.1` type.
    fn must_fit(
        &mut self,
        spans: &Spans,
        (left, right): (&tir::Machine, &tir::Machine),
        sides: (&str, &str),
        rule: &str,
    ) -> Option<()> {
        let side = |m: &tir::Machine, which: &str| {
            if which == "input" {
                m.input.clone()
            } else {
                m.output.clone()
            }
        };
        let (a, b) = (side(left, sides.0), side(right, sides.1));
        if compatible(&a, &b) {
            return Some(());
        }
        let help = if sides == ("output", "output") {
            "declare a shared `enum` and use it as the output of both machines".to_string()
        } else {
            format!(
                "make `{}`'s {} type and `{}`'s {} type the same",
                left.name, sides.0, right.name, sides.1
            )
        };
        self.report(
            Diagnostic::new(
                "E0406",
                format!(
                    "these machines do not fit: `{}`'s {} is {a}, `{}`'s {} is {b}",
                    left.name, sides.0, right.name, sides.1
                ),
                spans.op,
                rule.to_string(),
            )
            .with_label(spans.left, format!("{}: {a}", sides.0))
            .with_label(spans.right, format!("{}: {b}", sides.1))
            .with_help(help),
        );
        None
    }
}

fn machine_span(expr: &MachineExpr, depth: u32) -> Span {
    match expr {
        MachineExpr::Name(ident) => ident.span,
        MachineExpr::Binary { left, right, .. } if depth < super::NESTING_MAX => {
            machine_span(left, depth + 1).to(machine_span(right, depth + 1))
        }
        MachineExpr::Binary { op_span, .. } => *op_span,
    }
}

/// A nested composite's name: its expression, e.g. `B ||| C`.
fn machine_text(expr: &MachineExpr, depth: u32) -> String {
    match expr {
        MachineExpr::Name(ident) => ident.name.clone(),
        MachineExpr::Binary {
            op, left, right, ..
        } if depth < super::NESTING_MAX => {
            let symbol = match op {
                ComposeOp::Then => ">>>",
                ComposeOp::Par => "***",
                ComposeOp::Fanout => "&&&",
                ComposeOp::Choice => "|||",
            };
            let side = |e: &MachineExpr| match e {
                MachineExpr::Name(_) => machine_text(e, depth + 1),
                MachineExpr::Binary { .. } => format!("({})", machine_text(e, depth + 1)),
            };
            format!("{} {symbol} {}", side(left), side(right))
        }
        MachineExpr::Binary { .. } => "...".to_string(),
    }
}
