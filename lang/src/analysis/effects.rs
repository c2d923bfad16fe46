//! Which state fields a handler reads and which it assigns.
//!
//! A read is a use of a field's name (alone or as the head of a dotted path such as
//! `limits.low`) where no local of the same name (a pattern variable or a `let`) shadows it; a
//! write is an assignment `field = e;` anywhere in the handler. Function names (the callee of a
//! call) and record keys are not reads. Expressions nested deeper than [`EXPR_DEPTH_MAX`] are
//! not looked into (the parser rejects source anywhere near that deep).

use super::FieldSketch;
use super::messages::bound_names;
use crate::ast::{Block, Expr, ExprKind, Handler, Stmt};
use std::collections::BTreeSet;

/// How deep the walk descends into one expression.
pub const EXPR_DEPTH_MAX: usize = 512;

/// The fields `handler` reads and writes, each in declaration order.
pub fn reads_and_writes(handler: &Handler, fields: &[FieldSketch]) -> (Vec<String>, Vec<String>) {
    let mut walk = Walk {
        fields: fields.iter().map(|f| f.name.as_str()).collect(),
        locals: Vec::new(),
        reads: BTreeSet::new(),
        writes: BTreeSet::new(),
    };
    bound_names(&handler.pattern, &mut walk.locals);
    walk.block(&handler.body, 0);
    let in_order = |set: &BTreeSet<String>| -> Vec<String> {
        fields
            .iter()
            .filter(|f| set.contains(&f.name))
            .map(|f| f.name.clone())
            .collect()
    };
    (in_order(&walk.reads), in_order(&walk.writes))
}

struct Walk<'a> {
    fields: BTreeSet<&'a str>,
    /// Locals in scope, innermost last.
    locals: Vec<String>,
    reads: BTreeSet<String>,
    writes: BTreeSet<String>,
}

impl Walk<'_> {
    fn is_field(&self, name: &str) -> bool {
        self.fields.contains(name) && !self.locals.iter().any(|l| l == name)
    }

    fn block(&mut self, block: &Block, depth: usize) {
        let mark = self.locals.len();
        for stmt in &block.stmts {
            match stmt {
                Stmt::Let { name, value, .. } => {
                    self.expr(value, depth + 1);
                    self.locals.push(name.name.clone());
                }
                Stmt::Assign { target, value, .. } => {
                    self.expr(value, depth + 1);
                    if self.is_field(&target.name) {
                        self.writes.insert(target.name.clone());
                    }
                }
                Stmt::Assert { cond: e, .. } | Stmt::Expr(e) => self.expr(e, depth + 1),
            }
        }
        if let Some(result) = &block.result {
            self.expr(result, depth + 1);
        }
        self.locals.truncate(mark);
    }

    fn exprs<'e>(&mut self, exprs: impl IntoIterator<Item = &'e Expr>, depth: usize) {
        for e in exprs {
            self.expr(e, depth + 1);
        }
    }

    fn expr(&mut self, expr: &Expr, depth: usize) {
        if depth > EXPR_DEPTH_MAX {
            return;
        }
        match &expr.kind {
            ExprKind::Path(path) => {
                if let Some(head) = path.segments.first()
                    && self.is_field(&head.name)
                {
                    self.reads.insert(head.name.clone());
                }
            }
            ExprKind::Call { args, .. } | ExprKind::List(args) | ExprKind::Tuple(args) => {
                self.exprs(args, depth);
            }
            ExprKind::Field { base, .. } => self.expr(base, depth + 1),
            ExprKind::Record(fields) => self.exprs(fields.iter().map(|(_, e)| e), depth),
            ExprKind::Map(entries) => {
                self.exprs(entries.iter().flat_map(|(k, v)| [k, v]), depth);
            }
            ExprKind::Update { base, fields } => {
                self.expr(base, depth + 1);
                self.exprs(fields.iter().map(|(_, e)| e), depth);
            }
            ExprKind::Binary { left, right, .. } => self.exprs([&**left, &**right], depth),
            ExprKind::Unary { operand, .. } => self.expr(operand, depth + 1),
            ExprKind::If {
                cond,
                then_block,
                else_block,
            } => {
                self.expr(cond, depth + 1);
                self.block(then_block, depth + 1);
                if let Some(else_block) = else_block {
                    self.block(else_block, depth + 1);
                }
            }
            ExprKind::Match { scrutinee, arms } => {
                self.expr(scrutinee, depth + 1);
                for arm in arms {
                    let mark = self.locals.len();
                    bound_names(&arm.pattern, &mut self.locals);
                    self.expr(&arm.body, depth + 1);
                    self.locals.truncate(mark);
                }
            }
            ExprKind::Block(block) => self.block(block, depth + 1),
            ExprKind::Int(_)
            | ExprKind::Bool(_)
            | ExprKind::Str(_)
            | ExprKind::Unit
            | ExprKind::EmptyBraces
            | ExprKind::Error => {}
        }
    }
}
