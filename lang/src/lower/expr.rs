//! One typed-IR expression to one arrow `environment -> value`.
//!
//! The translation, per construct (`[e]` is the arrow of `e`, `E` the environment):
//! - `Var(l)` is the projection path to level `l` (see `env.rs`);
//! - `Let(v, b)` is `(id &&& [v]) >>> [b]` with `b` in `(E, v)`; a chain of lets lowers in a
//!   loop into ONE flat `Seq`, so a thousand statements do not nest a thousand deep;
//! - `Tuple(es)` is `fork([es])`, `Proj(e, i)` is `[e] >>> proj i`, `Inj(t, e)` is
//!   `[e] >>> inj t`, `Lit` is `const`;
//! - `Match(s, arms)` is `(id &&& [s]) >>> distl >>> case[[arm_i] in (E, payload_i)]`;
//! - `Prim(p, args)` and `Call(f, args)` are the arguments packed by the calling convention
//!   (nothing: `fork[]`, one: itself, more: a fork) then `prim p` / `call f`.
//!
//! A binding that makes the environment nest too deep first re-packs it (see `env.rs`).
//! Sequences are built as flat lists and composed once, so `Seq` never directly contains a
//! `Seq`. This module does no simplification beyond that; `simplify.rs` does.

use super::{EXPR_DEPTH_MAX, Env, Lowerer, prim_what, seq};
use crate::tir::{Expr, ExprKind};
use quiver_vm::bytecode::Arrow;

impl Lowerer {
    /// The arrow of `expr` in `env`.
    pub(crate) fn arrow(&mut self, expr: &Expr, env: Env) -> Arrow {
        let mut parts = Vec::new();
        self.lower_into(expr, env, &mut parts);
        seq(parts)
    }

    /// Appends the arrows whose composition is `expr`'s arrow in `env`.
    fn lower_into(&mut self, expr: &Expr, env: Env, out: &mut Vec<Arrow>) {
        if self.depth >= EXPR_DEPTH_MAX {
            self.too_deep(expr);
            return;
        }
        self.depth += 1;
        let mut expr = expr;
        let mut env = repacked(env, out);
        // `let` chains are followed in this loop rather than by recursion.
        while let ExprKind::Let(value, body) = &expr.kind {
            let value = self.arrow(value, env);
            out.push(Arrow::Fork(vec![Arrow::Id, value]));
            env = repacked(env.push(), out);
            expr = body;
        }
        self.lower_other(expr, env, out);
        self.depth -= 1;
    }

    /// Every construct but `Let`.
    fn lower_other(&mut self, expr: &Expr, env: Env, out: &mut Vec<Arrow>) {
        match &expr.kind {
            ExprKind::Lit(lit) => out.push(Arrow::Const(expr.ty.clone(), lit.clone())),
            ExprKind::Var(level) => match env.access(*level) {
                Some(path) => out.extend(path),
                None => self.internal(
                    expr.span,
                    format!(
                        "variable level {level} is out of scope ({} bound)",
                        env.len()
                    ),
                ),
            },
            ExprKind::Let(..) => {
                // Reached only through `lower_into`, which consumes every `Let` first.
                let arrow = self.arrow(expr, env);
                out.push(arrow);
            }
            ExprKind::Tuple(items) => {
                let items = items.iter().map(|item| self.arrow(item, env)).collect();
                out.push(Arrow::Fork(items));
            }
            ExprKind::Proj(inner, index) => {
                self.lower_into(inner, env, out);
                out.push(Arrow::Proj(*index));
            }
            ExprKind::Inj(tag, payload) => {
                self.lower_into(payload, env, out);
                out.push(Arrow::Inj {
                    sum: expr.ty.clone(),
                    tag: *tag,
                });
            }
            ExprKind::Match(scrutinee, arms) => {
                let scrutinee = self.arrow(scrutinee, env);
                out.push(Arrow::Fork(vec![Arrow::Id, scrutinee]));
                out.push(Arrow::Distl);
                let arms = arms.iter().map(|arm| self.arrow(arm, env.push())).collect();
                out.push(Arrow::Case(arms));
            }
            ExprKind::Prim(prim, args) => {
                self.arguments_into(args, env, out);
                let site = self.site(expr.span, prim_what(*prim));
                out.push(Arrow::Prim(*prim, site));
            }
            ExprKind::Call(function, args) => {
                self.arguments_into(args, env, out);
                let def = self.def_of(*function, expr.span);
                out.push(Arrow::Call(def));
            }
        }
    }
}

/// The environment after re-packing it when it nests too deep (see `env.rs`).
fn repacked(env: Env, out: &mut Vec<Arrow>) -> Env {
    match env.repack() {
        Some((fork, flat)) => {
            out.push(fork);
            flat
        }
        None => env,
    }
}

impl Lowerer {
    /// Appends the arrow that packs `args` by the calling convention.
    fn arguments_into(&mut self, args: &[Expr], env: Env, out: &mut Vec<Arrow>) {
        match args {
            [one] => self.lower_into(one, env, out),
            many => {
                let items = many.iter().map(|arg| self.arrow(arg, env)).collect();
                out.push(Arrow::Fork(items));
            }
        }
    }

    fn too_deep(&mut self, expr: &Expr) {
        if self.errors.iter().any(|e| e.code == "E0501") {
            return;
        }
        self.errors.push(
            crate::diagnostic::Diagnostic::new(
                "E0501",
                format!("expression nested more than {EXPR_DEPTH_MAX} levels deep"),
                expr.span,
                "nested too deeply to compile",
            )
            .with_help("split the expression into `let` bindings or functions"),
        );
    }
}
