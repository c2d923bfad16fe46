//! Functions: their signatures (collected before any body, so calls may go forwards), their
//! bodies, and the call graph, which must be acyclic. `Program::fns` is emitted callee-first,
//! and every `Call` index (first the declaration index) is renumbered to that order.
//!
//! This module does not check machines; their calls of functions are renumbered here too.

use super::{BodyCtx, Checker, FnSig};
use crate::ast;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::tir::{self, Expr, ExprKind};
use quiver_vm::types::Type;
use std::collections::BTreeMap;

impl Checker {
    /// Resolves every function's signature, reporting duplicates (later ones are dropped).
    pub(crate) fn collect_fn_sigs(&mut self, file: &ast::File) {
        let mut first_spans: BTreeMap<String, Span> = BTreeMap::new();
        for item in &file.items {
            let ast::Item::Fn(decl) = item else { continue };
            if let Some(first) = first_spans.get(&decl.name.name) {
                self.report(
                    Diagnostic::new(
                        "E0203",
                        format!("the function `{}` is defined twice", decl.name.name),
                        decl.name.span,
                        "defined again here",
                    )
                    .with_label(*first, "first defined here")
                    .with_help("rename or remove one of the definitions"),
                );
                continue;
            }
            first_spans.insert(decl.name.name.clone(), decl.name.span);
            let mut params: Vec<(String, Type)> = Vec::new();
            for p in &decl.params {
                let ty = self.resolve_type(&p.ty);
                if params.iter().any(|(n, _)| *n == p.name.name) {
                    self.report(
                        Diagnostic::new(
                            "E0203",
                            format!("the parameter `{}` is listed twice", p.name.name),
                            p.name.span,
                            "listed again here",
                        )
                        .with_help("give each parameter its own name"),
                    );
                }
                params.push((p.name.name.clone(), ty));
            }
            let ret = self.resolve_type(&decl.ret);
            self.fns.push(FnSig {
                name: decl.name.name.clone(),
                params,
                ret,
            });
            self.fn_decls.push(decl.clone());
        }
    }

    /// Checks every function body and orders them callee-first.
    pub(crate) fn check_fns(&mut self) -> Vec<tir::Fn> {
        let decls = std::mem::take(&mut self.fn_decls);
        let mut bodies = Vec::new();
        for (index, decl) in decls.iter().enumerate() {
            bodies.push(Some(self.check_fn_body(index, decl)));
        }
        let order = self.call_order();
        let mut renumber = vec![0u32; self.fns.len()];
        for (new, &old) in order.iter().enumerate() {
            renumber[old] = u32::try_from(new).expect("fewer than 2^32 functions");
        }
        self.fn_renumber = renumber;
        let mut out = Vec::new();
        for &old in &order {
            let sig = &self.fns[old];
            let Some(mut body) = bodies[old].take() else {
                continue;
            };
            renumber_calls(&mut body, &self.fn_renumber);
            out.push(tir::Fn {
                name: sig.name.clone(),
                params: sig.params.clone(),
                ret: sig.ret.clone(),
                body,
                span: decls[old].span,
            });
        }
        self.fn_decls = decls;
        out
    }

    fn check_fn_body(&mut self, index: usize, decl: &ast::FnDecl) -> Expr {
        let sig = self.fns[index].clone();
        self.ctx = BodyCtx {
            current_fn: Some(index),
            ..BodyCtx::default()
        };
        let mark = self.scope.mark();
        for (name, ty) in &sig.params {
            self.scope.bind(Some(name), ty);
        }
        let body = self.check_block(&decl.body, Some(&sig.ret));
        let what = format!("the result of `{}`", sig.name);
        self.expect_type(&sig.ret, &body, &what);
        self.scope.reset(mark);
        self.ctx = BodyCtx::default();
        body
    }

    /// The functions in callee-first order (declaration order among independent ones);
    /// reports each cycle of calls once.
    fn call_order(&mut self) -> Vec<usize> {
        let n = self.fns.len();
        let mut state = vec![0u8; n]; // 0 = new, 1 = on the stack, 2 = done
        let mut order = Vec::new();
        for root in 0..n {
            if state[root] != 0 {
                continue;
            }
            // An explicit stack of (function, next edge to follow): no recursion on user input.
            let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
            state[root] = 1;
            while let Some(&mut (f, ref mut next)) = stack.last_mut() {
                let edges: Vec<(usize, Span)> = self
                    .calls
                    .iter()
                    .filter(|(caller, _, _)| *caller == f)
                    .map(|(_, callee, span)| (*callee, *span))
                    .collect();
                if let Some(&(callee, span)) = edges.get(*next) {
                    *next += 1;
                    match state[callee] {
                        0 => {
                            state[callee] = 1;
                            stack.push((callee, 0));
                        }
                        1 => {
                            let from = stack.iter().position(|(g, _)| *g == callee).unwrap_or(0);
                            let cycle: Vec<usize> = stack[from..].iter().map(|(g, _)| *g).collect();
                            self.report_cycle(&cycle, span);
                        }
                        _ => {}
                    }
                } else {
                    state[f] = 2;
                    order.push(f);
                    stack.pop();
                }
            }
        }
        order
    }

    fn report_cycle(&mut self, cycle: &[usize], span: Span) {
        let mut names: Vec<String> = cycle
            .iter()
            .map(|&i| format!("`{}`", self.fns[i].name))
            .collect();
        if let Some(first) = names.first().cloned() {
            names.push(first);
        }
        let message = if cycle.len() == 1 {
            format!("the function `{}` calls itself", self.fns[cycle[0]].name)
        } else {
            format!(
                "functions call each other in a cycle: {}",
                names.join(" → ")
            )
        };
        self.report(
            Diagnostic::new("E0207", message, span, "this call closes the cycle")
                .with_help(format!(
                    "a turn must terminate, so calls may not form a cycle ({}); compute the result without recursion",
                    names.join(" → ")
                )),
        );
    }
}

/// Renumbers `Call`s from declaration indices to callee-first indices. It walks with an
/// explicit stack: `Let` chains are as long as blocks, so recursion could overflow.
pub(crate) fn renumber_calls(root: &mut Expr, renumber: &[u32]) {
    let mut stack: Vec<&mut Expr> = vec![root];
    while let Some(e) = stack.pop() {
        match &mut e.kind {
            ExprKind::Lit(_) | ExprKind::Var(_) => {}
            ExprKind::Let(a, b) => {
                stack.push(a);
                stack.push(b);
            }
            ExprKind::Proj(a, _) | ExprKind::Inj(_, a) => stack.push(a),
            ExprKind::Tuple(items) | ExprKind::Prim(_, items) => stack.extend(items.iter_mut()),
            ExprKind::Match(s, arms) => {
                stack.push(s);
                stack.extend(arms.iter_mut());
            }
            ExprKind::Call(index, args) => {
                if let Some(&new) = renumber.get(*index as usize) {
                    *index = new;
                }
                stack.extend(args.iter_mut());
            }
        }
    }
}
