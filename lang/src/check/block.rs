//! Blocks, statements and assignments to state fields.
//!
//! Statements become `Let`s: `let x = e;` binds `x`, `assert e;` and `e;` bind hidden levels
//! (so their traps still happen), and `field = e;` binds a new level that the field's name
//! now reads. Assignments may sit inside nested blocks, `if` branches and `match` arms, so an
//! expression that contains one is compiled in *state-passing style*: it evaluates to the
//! tuple `(field_0, ..., field_n-1, value)` of every state field after it and its value, and
//! the statement that holds it re-binds the fields from that tuple. Assignments elsewhere
//! (inside an operand or an argument) are rejected with a hint to hoist them into a statement.

use super::expr::{if_bool, lit, prim};
use super::scope::{let_in, proj, var};
use super::{Checker, error_expr, error_type};
use crate::ast;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::tir::{Expr, ExprKind};
use quiver_vm::bytecode::Lit;
use quiver_vm::prim::Prim;
use quiver_vm::types::Type;

/// What a block's value becomes at its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Finish {
    /// Its value.
    Value,
    /// `(field_0, ..., field_n-1, value)`: state-passing style.
    StatePassing,
    /// `(state record, value)`: the end of a handler.
    Handler,
}

impl Checker {
    /// A block in an ordinary (value) position.
    pub(crate) fn check_block(&mut self, block: &ast::Block, expected: Option<&Type>) -> Expr {
        self.check_block_as(block, expected, Finish::Value)
    }

    pub(crate) fn check_block_as(
        &mut self,
        block: &ast::Block,
        expected: Option<&Type>,
        finish: Finish,
    ) -> Expr {
        let mark = self.scope.mark();
        let assign_ok = std::mem::replace(&mut self.ctx.assign_ok, finish != Finish::Value);
        let mut lets: Vec<Expr> = Vec::new();
        for stmt in &block.stmts {
            self.check_stmt(stmt, &mut lets);
        }
        let end = block.span;
        let value = match (&block.result, finish) {
            (Some(result), Finish::StatePassing) if contains_assign(result, 0) => {
                self.check_state_passing(result, expected)
            }
            (Some(result), _) => {
                let value = self.value_of(result, expected, &mut lets);
                self.finish(value, finish)
            }
            (None, _) => self.finish(lit(Lit::Unit, Type::Unit, end), finish),
        };
        self.scope.reset(mark);
        self.ctx.assign_ok = assign_ok;
        let mut out = lets
            .into_iter()
            .rev()
            .fold(value, |body, v| let_in(v, body));
        out.span = end;
        out
    }

    fn finish(&mut self, value: Expr, finish: Finish) -> Expr {
        match finish {
            Finish::Value => value,
            Finish::StatePassing => self.state_tuple(value),
            Finish::Handler => {
                if let Some(output) = self.ctx.output_type.clone() {
                    self.expect_type(&output, &value, "the output of a handler");
                }
                let span = value.span;
                let record = self.current_state_record(span);
                let ty = Type::Tuple(vec![record.ty.clone(), value.ty.clone()]);
                Expr::new(ExprKind::Tuple(vec![record, value]), ty, span)
            }
        }
    }

    /// The current values of the assignable state fields, in declaration order.
    fn current_fields(&mut self, span: Span) -> Vec<Expr> {
        let names = self.ctx.assignable.clone();
        names
            .iter()
            .map(|name| match self.scope.lookup(name) {
                Some(local) => super::scope::Scope::read(local, span),
                None => error_expr(span),
            })
            .collect()
    }

    /// The state record built from the fields' current values.
    fn current_state_record(&mut self, span: Span) -> Expr {
        let fields = self.current_fields(span);
        let ty = self.ctx.state_type.clone().unwrap_or_else(error_type);
        super::expr::product(fields, ty, span)
    }

    /// `(field_0, ..., field_n-1, value)`.
    fn state_tuple(&mut self, value: Expr) -> Expr {
        let span = value.span;
        let mut items = self.current_fields(span);
        items.push(value);
        let ty = Type::Tuple(items.iter().map(|e| e.ty.clone()).collect());
        Expr::new(ExprKind::Tuple(items), ty, span)
    }

    fn check_stmt(&mut self, stmt: &ast::Stmt, lets: &mut Vec<Expr>) {
        match stmt {
            ast::Stmt::Let {
                name, ty, value, ..
            } => {
                let declared = ty.as_ref().map(|t| self.resolve_type(t));
                let value = match &declared {
                    Some(t) => {
                        let v = self.value_of(value, Some(t), lets);
                        self.expect_type(t, &v, &format!("the value of `{}`", name.name));
                        v
                    }
                    None => self.value_of(value, None, lets),
                };
                self.reject_field_shadowing(name);
                let ty = declared.unwrap_or_else(|| value.ty.clone());
                lets.push(value);
                self.scope.bind(Some(&name.name), &ty);
            }
            ast::Stmt::Assign { target, value, .. } => self.check_assign(target, value, lets),
            ast::Stmt::Assert { cond, span } => {
                let value = self.value_of(cond, Some(&Type::Bool), lets);
                self.expect_type(&Type::Bool, &value, "an assertion");
                lets.push(prim(Prim::Assert, vec![value], Type::Unit, *span));
                self.scope.bind(None, &Type::Unit);
            }
            ast::Stmt::Expr(e) => {
                let value = self.value_of(e, None, lets);
                let ty = value.ty.clone();
                lets.push(value);
                self.scope.bind(None, &ty);
            }
        }
    }

    /// `let` and pattern bindings may not reuse a state field's name in a handler.
    pub(crate) fn reject_field_shadowing(&mut self, name: &ast::Ident) {
        if self.ctx.assignable.contains(&name.name) {
            self.report(
                Diagnostic::new(
                    "E0404",
                    format!("`{}` is a state field and cannot be rebound", name.name),
                    name.span,
                    "shadows the state field",
                )
                .with_help(format!(
                    "to change the field write `{} = ...;`, otherwise choose another name",
                    name.name
                )),
            );
        }
    }

    fn check_assign(&mut self, target: &ast::Ident, value: &ast::Expr, lets: &mut Vec<Expr>) {
        let name = &target.name;
        if !self.ctx.assignable.contains(name) {
            let in_handler = self.ctx.in_handler;
            let (code, message, help) = if self.ctx.machine.is_some() && in_handler {
                let fields = match self.ctx.assignable.join(", ") {
                    none if none.is_empty() => "this machine has none".to_string(),
                    some => some,
                };
                (
                    "E0402",
                    format!("`{name}` is not a state field"),
                    format!(
                        "only state fields can be assigned ({fields}); use `let {name} = ...;` for a local"
                    ),
                )
            } else {
                (
                    "E0403",
                    format!("cannot assign to `{name}` here"),
                    format!(
                        "assignments change state fields and are allowed only in handlers; use `let {name} = ...;`"
                    ),
                )
            };
            self.report(
                Diagnostic::new(code, message, target.span, "cannot be assigned").with_help(help),
            );
            self.check_expr(value, None);
            return;
        }
        if !self.ctx.assign_ok {
            self.report(
                Diagnostic::new(
                    "E0408",
                    "an assignment cannot appear inside this expression",
                    target.span,
                    "the new value would be lost here",
                )
                .with_help("assign in a statement of the handler, an `if` branch or a `match` arm"),
            );
            self.check_expr(value, None);
            return;
        }
        let ty = self
            .scope
            .lookup(name)
            .map(|l| l.ty.clone())
            .unwrap_or_else(error_type);
        let new_value = self.value_of(value, Some(&ty), lets);
        self.expect_type(&ty, &new_value, &format!("the state field `{name}`"));
        lets.push(new_value);
        self.scope.bind(Some(name), &ty);
    }

    /// Checks an expression in statement position. One that assigns state fields is run in
    /// state-passing style: its tuple is bound, the fields re-bound from it, and its value
    /// (the last component) returned.
    fn value_of(&mut self, e: &ast::Expr, expected: Option<&Type>, lets: &mut Vec<Expr>) -> Expr {
        if !contains_assign(e, 0) {
            return self.check_expr(e, expected);
        }
        let tuple = self.check_state_passing(e, expected);
        let span = tuple.span;
        let tuple_ty = tuple.ty.clone();
        let components = tuple_ty.components().unwrap_or_default();
        lets.push(tuple);
        let level = self.scope.bind(None, &tuple_ty);
        let fields = self.ctx.assignable.clone();
        for (i, name) in fields.iter().enumerate() {
            let ty = components.get(i).cloned().unwrap_or_else(error_type);
            lets.push(proj(var(level, &tuple_ty, span), i, &ty));
            self.scope.bind(Some(name), &ty);
        }
        let value_ty = components.last().cloned().unwrap_or_else(error_type);
        proj(var(level, &tuple_ty, span), fields.len(), &value_ty)
    }

    /// An expression that assigns state fields, as `(fields..., value)`.
    pub(crate) fn check_state_passing(&mut self, e: &ast::Expr, expected: Option<&Type>) -> Expr {
        let span = e.span;
        self.nested(span, error_expr(span), |ck| match &e.kind {
            ast::ExprKind::Block(block) => ck.check_block_as(block, expected, Finish::StatePassing),
            ast::ExprKind::If {
                cond,
                then_block,
                else_block,
            } => ck.state_passing_if(cond, then_block, else_block.as_ref(), expected, span),
            ast::ExprKind::Match { scrutinee, arms } => {
                ck.state_passing_match(scrutinee, arms, expected, span)
            }
            _ => {
                ck.report(
                    Diagnostic::new(
                        "E0408",
                        "an assignment cannot appear inside this expression",
                        span,
                        "contains an assignment",
                    )
                    .with_help(
                        "assign in a statement of its own (`field = ...;`) before this expression",
                    ),
                );
                error_expr(span)
            }
        })
    }

    /// A branch in state-passing style, whether or not it assigns.
    pub(crate) fn state_passing_branch(
        &mut self,
        block: &ast::Block,
        expected: Option<&Type>,
    ) -> Expr {
        self.check_block_as(block, expected, Finish::StatePassing)
    }

    /// An arm body in state-passing style, whether or not it assigns.
    pub(crate) fn state_passing_expr(&mut self, e: &ast::Expr, expected: Option<&Type>) -> Expr {
        if contains_assign(e, 0) {
            return self.check_state_passing(e, expected);
        }
        let value = self.check_expr(e, expected);
        self.state_tuple(value)
    }

    fn state_passing_if(
        &mut self,
        cond: &ast::Expr,
        then_block: &ast::Block,
        else_block: Option<&ast::Block>,
        expected: Option<&Type>,
        span: Span,
    ) -> Expr {
        let cond = self.check_against(cond, &Type::Bool, "the condition of `if`");
        let mark = self.scope.mark();
        self.scope.bind(None, &Type::Unit);
        let want = if else_block.is_none() {
            Some(&Type::Unit)
        } else {
            expected
        };
        let then = self.state_passing_branch(then_block, want);
        let value_ty = last_component(&then.ty);
        let ty = want.cloned().unwrap_or(value_ty.clone());
        self.expect_value(&ty, &then);
        self.scope.reset(mark);
        self.scope.bind(None, &Type::Unit);
        let other = match else_block {
            Some(b) => self.state_passing_branch(b, Some(&ty)),
            None => self.state_tuple(lit(Lit::Unit, Type::Unit, span)),
        };
        self.expect_value(&ty, &other);
        self.scope.reset(mark);
        let tuple_ty = then.ty.clone();
        if_bool(cond, other, then, tuple_ty, span)
    }

    /// Reports a mismatch between the value part of a state-passing tuple and `ty`.
    pub(crate) fn expect_value(&mut self, ty: &Type, tuple: &Expr) {
        let mut end = tuple;
        while let ExprKind::Let(_, body) = &end.kind {
            end = body;
        }
        let value = match &end.kind {
            ExprKind::Tuple(items) => items.last().cloned(),
            _ => None,
        };
        let found = value.unwrap_or_else(|| {
            Expr::new(tuple.kind.clone(), last_component(&tuple.ty), tuple.span)
        });
        self.expect_type(ty, &found, "this branch");
    }
}

/// The last component of a state-passing tuple's type: the value's type.
pub(crate) fn last_component(ty: &Type) -> Type {
    ty.components()
        .and_then(|c| c.last().cloned())
        .unwrap_or_else(error_type)
}

/// Whether an expression contains an assignment (not looking into nested functions: there
/// are none). Past the nesting limit it answers `false`; the checker reports the depth.
pub(crate) fn contains_assign(e: &ast::Expr, depth: u32) -> bool {
    if depth >= super::NESTING_MAX {
        return false;
    }
    let d = depth + 1;
    let any = |es: &mut dyn Iterator<Item = &ast::Expr>| {
        for e in es {
            if contains_assign(e, d) {
                return true;
            }
        }
        false
    };
    match &e.kind {
        ast::ExprKind::Block(b) => block_assigns(b, d),
        ast::ExprKind::If {
            cond,
            then_block,
            else_block,
        } => {
            contains_assign(cond, d)
                || block_assigns(then_block, d)
                || else_block.as_ref().is_some_and(|b| block_assigns(b, d))
        }
        ast::ExprKind::Match { scrutinee, arms } => {
            contains_assign(scrutinee, d) || any(&mut arms.iter().map(|a| &a.body))
        }
        ast::ExprKind::Call { args, .. }
        | ast::ExprKind::List(args)
        | ast::ExprKind::Tuple(args) => any(&mut args.iter()),
        ast::ExprKind::Field { base, .. } => contains_assign(base, d),
        ast::ExprKind::Record(fields) => any(&mut fields.iter().map(|(_, e)| e)),
        ast::ExprKind::Map(entries) => any(&mut entries.iter().flat_map(|(k, v)| [k, v])),
        ast::ExprKind::Update { base, fields } => {
            contains_assign(base, d) || any(&mut fields.iter().map(|(_, e)| e))
        }
        ast::ExprKind::Binary { left, right, .. } => {
            contains_assign(left, d) || contains_assign(right, d)
        }
        ast::ExprKind::Unary { operand, .. } => contains_assign(operand, d),
        ast::ExprKind::Int(_)
        | ast::ExprKind::Bool(_)
        | ast::ExprKind::Str(_)
        | ast::ExprKind::Unit
        | ast::ExprKind::Path(_)
        | ast::ExprKind::EmptyBraces
        | ast::ExprKind::Error => false,
    }
}

fn block_assigns(block: &ast::Block, depth: u32) -> bool {
    block.stmts.iter().any(|s| match s {
        ast::Stmt::Assign { .. } => true,
        ast::Stmt::Let { value, .. } | ast::Stmt::Expr(value) => contains_assign(value, depth),
        ast::Stmt::Assert { cond, .. } => contains_assign(cond, depth),
    }) || block
        .result
        .as_ref()
        .is_some_and(|r| contains_assign(r, depth))
}
