//! Typing expressions, bidirectionally: `check_expr(e, expected)` uses the expected type where
//! one is known (to pick a constructor's enum, to read `{}` as a map or a record, to type `[]`
//! and `None`) and otherwise infers. Operators become `Prim`s (`&&`/`||` become `Match`es so
//! they short-circuit), `if` becomes a `Match` on `Bool`, records are built in their type's
//! field order.
//!
//! Names and constructors are resolved in `ctor`, blocks and assignments in `block`, `match`
//! in `patterns`. This module reports a mismatch only where it knows the expected type.

use super::scope::{let_in, proj, var};
use super::{Checker, compatible, error_expr, error_type, is_poisoned};
use crate::ast::{self, BinOp, UnOp};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::span::Span;
use crate::tir::{Expr, ExprKind};
use quiver_vm::bytecode::Lit;
use quiver_vm::prim::Prim;
use quiver_vm::types::{Field, Type};

pub(crate) fn lit(lit: Lit, ty: Type, span: Span) -> Expr {
    Expr::new(ExprKind::Lit(lit), ty, span)
}

pub(crate) fn prim(op: Prim, args: Vec<Expr>, ty: Type, span: Span) -> Expr {
    Expr::new(ExprKind::Prim(op, args), ty, span)
}

/// `match scrutinee { false => on_false, true => on_true }`. The arms were checked with one
/// more (hidden) level bound: the `Unit` payload.
pub(crate) fn if_bool(cond: Expr, on_false: Expr, on_true: Expr, ty: Type, span: Span) -> Expr {
    Expr::new(
        ExprKind::Match(Box::new(cond), vec![on_false, on_true]),
        ty,
        span,
    )
}

impl Checker {
    /// Checks `e` against `ty`, reporting a mismatch.
    pub(crate) fn check_against(&mut self, e: &ast::Expr, ty: &Type, what: &str) -> Expr {
        let out = self.check_expr(e, Some(ty));
        self.expect_type(ty, &out, what);
        out
    }

    /// Types an expression; `expected` guides but does not force (callers compare).
    pub(crate) fn check_expr(&mut self, e: &ast::Expr, expected: Option<&Type>) -> Expr {
        let span = e.span;
        self.nested(span, error_expr(span), |ck| ck.check_kind(e, expected))
    }

    fn check_kind(&mut self, e: &ast::Expr, expected: Option<&Type>) -> Expr {
        let span = e.span;
        match &e.kind {
            ast::ExprKind::Int(n) => lit(Lit::Int(*n), Type::Int, span),
            ast::ExprKind::Bool(b) => lit(Lit::Bool(*b), Type::Bool, span),
            ast::ExprKind::Str(s) => lit(Lit::Str(s.clone()), Type::String, span),
            ast::ExprKind::Unit => lit(Lit::Unit, Type::Unit, span),
            ast::ExprKind::Path(path) => self.check_path(path, expected),
            ast::ExprKind::Call { callee, args } => self.check_call(callee, args, expected, span),
            ast::ExprKind::Field { base, field } => {
                let base = self.check_expr(base, None);
                self.field_of(base, field)
            }
            ast::ExprKind::List(items) => self.check_list(items, expected, span),
            ast::ExprKind::EmptyBraces => self.check_empty_braces(expected, span),
            ast::ExprKind::Record(fields) => self.check_record(fields, expected, span),
            ast::ExprKind::Map(entries) => self.check_map(entries, expected, span),
            ast::ExprKind::Update { base, fields } => self.check_update(base, fields, span),
            ast::ExprKind::Tuple(items) => self.check_tuple(items, expected, span),
            ast::ExprKind::Binary {
                op,
                op_span,
                left,
                right,
            } => self.check_binary(*op, *op_span, left, right, span),
            ast::ExprKind::Unary { op, operand } => self.check_unary(*op, operand, span),
            ast::ExprKind::If {
                cond,
                then_block,
                else_block,
            } => self.check_if(cond, then_block, else_block.as_ref(), expected, span),
            ast::ExprKind::Match { scrutinee, arms } => {
                self.check_match(scrutinee, arms, expected, span)
            }
            ast::ExprKind::Block(block) => self.check_block(block, expected),
            ast::ExprKind::Error => error_expr(span),
        }
    }

    /// `base.field` (records) or `base.0` (tuples).
    pub(crate) fn field_of(&mut self, base: Expr, field: &ast::Ident) -> Expr {
        let span = base.span.to(field.span);
        if is_poisoned(&base.ty) {
            return error_expr(span);
        }
        if let Some((index, ty)) = base.ty.field(&field.name) {
            let ty = ty.clone();
            let mut out = proj(base, index, &ty);
            out.span = span;
            return out;
        }
        let component = match (&base.ty, field.name.parse::<usize>()) {
            (Type::Tuple(items), Ok(index)) => items.get(index).cloned().map(|ty| (index, ty)),
            _ => None,
        };
        if let Some((index, ty)) = component {
            let mut out = proj(base, index, &ty);
            out.span = span;
            return out;
        }
        let help = match &base.ty {
            Type::Record(fields) => {
                let names = fields.iter().map(|f| f.name.as_str());
                did_you_mean(&field.name, names).unwrap_or_else(|| {
                    let all: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
                    format!("its fields are: {}", all.join(", "))
                })
            }
            Type::Tuple(items) => format!("use an index from 0 to {}", items.len() - 1),
            _ => "only records have named fields and only tuples have numbered ones".to_string(),
        };
        self.report(
            Diagnostic::new(
                "E0206",
                format!("no field `{}` on type {}", field.name, base.ty),
                field.span,
                "unknown field",
            )
            .with_help(help),
        );
        error_expr(span)
    }

    /// `[a, b, ...]`: a constant when every element is one; otherwise a balanced tree of
    /// `List.concat`s of one-element lists, so a long literal does not nest deeply.
    fn check_list(&mut self, items: &[ast::Expr], expected: Option<&Type>, span: Span) -> Expr {
        let mut elem = match expected {
            Some(Type::List(t)) => Some((**t).clone()),
            _ => None,
        };
        if items.is_empty() {
            return match elem {
                Some(t) => lit(Lit::List(Vec::new()), Type::List(Box::new(t)), span),
                None => self.cannot_infer("the empty list `[]`", "List<Int>", span),
            };
        }
        let mut values = Vec::new();
        for item in items {
            let value = self.check_expr(item, elem.as_ref());
            let want = elem.get_or_insert_with(|| value.ty.clone()).clone();
            self.expect_type(&want, &value, "every element of a list");
            values.push(value);
        }
        let list_ty = Type::List(Box::new(elem.unwrap_or_else(error_type)));
        let constants: Option<Vec<Lit>> = values.iter().map(constant).collect();
        if let Some(constants) = constants {
            return lit(Lit::List(constants), list_ty, span);
        }
        balanced_list(values, &list_ty, span)
    }

    fn check_map(
        &mut self,
        entries: &[(ast::Expr, ast::Expr)],
        expected: Option<&Type>,
        span: Span,
    ) -> Expr {
        let (mut key_ty, mut value_ty) = match expected {
            Some(Type::Map(k, v)) => (Some((**k).clone()), Some((**v).clone())),
            _ => (None, None),
        };
        let mut checked = Vec::new();
        for (k, v) in entries {
            let key = self.check_expr(k, key_ty.as_ref());
            let value = self.check_expr(v, value_ty.as_ref());
            let kt = key_ty.get_or_insert_with(|| key.ty.clone()).clone();
            let vt = value_ty.get_or_insert_with(|| value.ty.clone()).clone();
            self.expect_type(&kt, &key, "every key of a map");
            self.expect_type(&vt, &value, "every value of a map");
            checked.push((key, value));
        }
        let map_ty = Type::Map(
            Box::new(key_ty.unwrap_or_else(error_type)),
            Box::new(value_ty.unwrap_or_else(error_type)),
        );
        // Each insertion is bound to a level, so a long literal is a flat `let` chain.
        let mark = self.scope.mark();
        let mut lets = Vec::new();
        let mut acc = lit(Lit::Map(Vec::new()), map_ty.clone(), span);
        for (key, value) in checked {
            lets.push(prim(
                Prim::MapInsert,
                vec![acc, key, value],
                map_ty.clone(),
                span,
            ));
            acc = var(self.scope.bind(None, &map_ty), &map_ty, span);
        }
        self.scope.reset(mark);
        let mut out = lets.into_iter().rev().fold(acc, |body, v| let_in(v, body));
        out.span = span;
        out
    }

    fn check_empty_braces(&mut self, expected: Option<&Type>, span: Span) -> Expr {
        match expected {
            Some(ty @ Type::Map(..)) => lit(Lit::Map(Vec::new()), ty.clone(), span),
            Some(Type::Record(fields)) if fields.is_empty() => {
                lit(Lit::Tuple(Vec::new()), Type::Record(Vec::new()), span)
            }
            Some(Type::Record(_)) => self.check_record(&[], expected, span),
            _ => self.cannot_infer("`{}`", "Map<String, Int>", span),
        }
    }

    pub(crate) fn cannot_infer(&mut self, what: &str, example: &str, span: Span) -> Expr {
        self.report(
            Diagnostic::new(
                "E0304",
                format!("cannot infer the type of {what}"),
                span,
                "its type is not known here",
            )
            .with_help(format!(
                "give it a type, e.g. `let x: {example} = ...;`, or use it where a type is expected"
            )),
        );
        error_expr(span)
    }

    fn check_record(
        &mut self,
        fields: &[(ast::Ident, ast::Expr)],
        expected: Option<&Type>,
        span: Span,
    ) -> Expr {
        let mut seen: Vec<&str> = Vec::new();
        for (name, _) in fields {
            if seen.contains(&name.name.as_str()) {
                self.report(super::types::duplicate_field(name));
            }
            seen.push(&name.name);
        }
        match expected {
            Some(Type::Record(declared)) => self.check_record_against(fields, declared, span),
            _ => {
                let mut out_fields: Vec<Field> = Vec::new();
                let mut values = Vec::new();
                for (name, value) in fields {
                    if out_fields.iter().any(|f| f.name == name.name) {
                        continue;
                    }
                    let value = self.check_expr(value, None);
                    out_fields.push(Field {
                        name: name.name.clone(),
                        ty: value.ty.clone(),
                    });
                    values.push(value);
                }
                product(values, Type::Record(out_fields), span)
            }
        }
    }

    /// A record literal checked by field name against a record type, built in the type's
    /// field order (values are evaluated in that order too).
    fn check_record_against(
        &mut self,
        fields: &[(ast::Ident, ast::Expr)],
        declared: &[Field],
        span: Span,
    ) -> Expr {
        let names: Vec<&str> = declared.iter().map(|f| f.name.as_str()).collect();
        for (name, value) in fields {
            if !names.contains(&name.name.as_str()) {
                let help = did_you_mean(&name.name, names.iter().copied())
                    .unwrap_or_else(|| format!("the record's fields are: {}", names.join(", ")));
                self.report(
                    Diagnostic::new(
                        "E0311",
                        format!("the record has no field `{}`", name.name),
                        name.span,
                        "not a field of the expected record",
                    )
                    .with_help(help),
                );
                self.check_expr(value, None);
            }
        }
        let mut values = Vec::new();
        let mut missing = Vec::new();
        for field in declared {
            match fields.iter().find(|(n, _)| n.name == field.name) {
                Some((_, value)) => {
                    values.push(self.check_against(value, &field.ty, "this field"));
                }
                None => {
                    missing.push(format!("`{}`", field.name));
                    values.push(error_expr(span));
                }
            }
        }
        if !missing.is_empty() {
            self.report(
                Diagnostic::new(
                    "E0311",
                    format!(
                        "missing field{} {}",
                        plural(missing.len()),
                        missing.join(", ")
                    ),
                    span,
                    format!("this record needs {}", missing.join(", ")),
                )
                .with_help(format!("add {} to the record literal", missing.join(", "))),
            );
        }
        product(values, Type::Record(declared.to_vec()), span)
    }

    /// `{ ..base, f: e }`: the base once (bound to a level), then a record of its fields with
    /// the listed ones replaced.
    fn check_update(
        &mut self,
        base: &ast::Expr,
        fields: &[(ast::Ident, ast::Expr)],
        span: Span,
    ) -> Expr {
        let base = self.check_expr(base, None);
        let Type::Record(declared) = base.ty.clone() else {
            if !is_poisoned(&base.ty) {
                self.report(
                    Diagnostic::new(
                        "E0310",
                        format!("only records can be updated, found {}", base.ty),
                        base.span,
                        "not a record",
                    )
                    .with_help("write a record value before `..`"),
                );
            }
            return error_expr(span);
        };
        let mark = self.scope.mark();
        let level = self.scope.bind(None, &base.ty);
        let names: Vec<&str> = declared.iter().map(|f| f.name.as_str()).collect();
        let mut values = Vec::new();
        for (i, field) in declared.iter().enumerate() {
            match fields.iter().find(|(n, _)| n.name == field.name) {
                Some((_, value)) => values.push(self.check_against(value, &field.ty, "this field")),
                None => values.push(proj(var(level, &base.ty, span), i, &field.ty)),
            }
        }
        for (name, value) in fields {
            if !names.contains(&name.name.as_str()) {
                let help = did_you_mean(&name.name, names.iter().copied())
                    .unwrap_or_else(|| format!("the record's fields are: {}", names.join(", ")));
                self.report(
                    Diagnostic::new(
                        "E0311",
                        format!("the record has no field `{}`", name.name),
                        name.span,
                        "not a field of the record being updated",
                    )
                    .with_help(help),
                );
                self.check_expr(value, None);
            }
        }
        self.scope.reset(mark);
        let record = product(values, base.ty.clone(), span);
        let mut out = let_in(base, record);
        out.span = span;
        out
    }

    fn check_tuple(&mut self, items: &[ast::Expr], expected: Option<&Type>, span: Span) -> Expr {
        let expected_items = match expected {
            Some(Type::Tuple(ts)) if ts.len() == items.len() => Some(ts.clone()),
            _ => None,
        };
        let values: Vec<Expr> = items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let want = expected_items.as_ref().and_then(|ts| ts.get(i));
                self.check_expr(item, want)
            })
            .collect();
        match values.len() {
            0 => lit(Lit::Unit, Type::Unit, span),
            1 => values
                .into_iter()
                .next()
                .unwrap_or_else(|| error_expr(span)),
            _ => {
                let ty = Type::Tuple(values.iter().map(|v| v.ty.clone()).collect());
                product(values, ty, span)
            }
        }
    }

    fn check_unary(&mut self, op: UnOp, operand: &ast::Expr, span: Span) -> Expr {
        match op {
            UnOp::Neg => {
                let folded = match operand.kind {
                    ast::ExprKind::Int(n) => n.checked_neg(),
                    _ => None,
                };
                if let Some(neg) = folded {
                    return lit(Lit::Int(neg), Type::Int, span);
                }
                let value = self.check_against(operand, &Type::Int, "the operand of `-`");
                prim(Prim::Neg, vec![value], Type::Int, span)
            }
            UnOp::Not => {
                let value = self.check_against(operand, &Type::Bool, "the operand of `!`");
                prim(Prim::Not, vec![value], Type::Bool, span)
            }
        }
    }

    fn check_binary(
        &mut self,
        op: BinOp,
        op_span: Span,
        left: &ast::Expr,
        right: &ast::Expr,
        span: Span,
    ) -> Expr {
        let arith = |p| (p, Type::Int, "an arithmetic operand");
        let (p, operand_ty, what) = match op {
            BinOp::And | BinOp::Or => return self.check_logic(op, left, right, span),
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                return self.check_comparison(op, op_span, left, right);
            }
            BinOp::Add => arith(Prim::Add),
            BinOp::Sub => arith(Prim::Sub),
            BinOp::Mul => arith(Prim::Mul),
            BinOp::Div => arith(Prim::Div),
            BinOp::Rem => arith(Prim::Rem),
            BinOp::Concat => (Prim::Concat, Type::String, "an operand of `++`"),
        };
        let l = self.check_against(left, &operand_ty, what);
        let r = self.check_against(right, &operand_ty, what);
        prim(p, vec![l, r], operand_ty, op_span)
    }

    fn check_comparison(
        &mut self,
        op: BinOp,
        op_span: Span,
        left: &ast::Expr,
        right: &ast::Expr,
    ) -> Expr {
        let (p, symbol) = match op {
            BinOp::Eq => (Prim::Eq, "=="),
            BinOp::Ne => (Prim::Ne, "!="),
            BinOp::Lt => (Prim::Lt, "<"),
            BinOp::Le => (Prim::Le, "<="),
            BinOp::Gt => (Prim::Gt, ">"),
            _ => (Prim::Ge, ">="),
        };
        let l = self.check_expr(left, None);
        let r = self.check_expr(right, Some(&l.ty));
        if !compatible(&l.ty, &r.ty) {
            self.report(
                Diagnostic::new(
                    "E0306",
                    format!(
                        "`{symbol}` compares values of one type, found {} and {}",
                        l.ty, r.ty
                    ),
                    op_span,
                    "these differ",
                )
                .with_label(l.span, format!("this is {}", l.ty))
                .with_label(r.span, format!("this is {}", r.ty))
                .with_help("compare values of the same type; there are no implicit conversions"),
            );
        } else if !matches!(p, Prim::Eq | Prim::Ne)
            && !matches!(l.ty, Type::Int | Type::String)
            && !is_poisoned(&l.ty)
        {
            self.report(
                Diagnostic::new(
                    "E0306",
                    format!(
                        "`{symbol}` compares only Int or String values, found {}",
                        l.ty
                    ),
                    op_span,
                    "not ordered",
                )
                .with_label(l.span, format!("this is {}", l.ty))
                .with_help("compare Int or String values, or use `==` / `!=`"),
            );
        }
        prim(p, vec![l, r], Type::Bool, op_span)
    }

    /// `a && b` is `match a { false => false, true => b }`; `a || b` is
    /// `match a { false => b, true => true }`.
    fn check_logic(&mut self, op: BinOp, left: &ast::Expr, right: &ast::Expr, span: Span) -> Expr {
        let symbol = if op == BinOp::And { "`&&`" } else { "`||`" };
        let what = format!("an operand of {symbol}");
        let cond = self.check_against(left, &Type::Bool, &what);
        let mark = self.scope.mark();
        self.scope.bind(None, &Type::Unit);
        let other = self.check_against(right, &Type::Bool, &what);
        self.scope.reset(mark);
        let constant = lit(Lit::Bool(op == BinOp::Or), Type::Bool, span);
        let (on_false, on_true) = if op == BinOp::And {
            (constant, other)
        } else {
            (other, constant)
        };
        if_bool(cond, on_false, on_true, Type::Bool, span)
    }

    /// `if c { a } else { b }` is `match c { false => b, true => a }`; without `else` the
    /// branch must be `Unit` and so is the `if`.
    fn check_if(
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
        let Some(else_block) = else_block else {
            let then = self.check_block(then_block, Some(&Type::Unit));
            self.expect_type(&Type::Unit, &then, "an `if` without `else`");
            self.scope.reset(mark);
            let unit = lit(Lit::Unit, Type::Unit, span);
            return if_bool(cond, unit, then, Type::Unit, span);
        };
        let then = self.check_block(then_block, expected);
        let ty = expected.cloned().unwrap_or_else(|| then.ty.clone());
        self.expect_type(&ty, &then, "this branch");
        self.scope.reset(mark);
        self.scope.bind(None, &Type::Unit);
        let other = self.check_block(else_block, Some(&ty));
        self.expect_type(&ty, &other, "both branches of `if`");
        self.scope.reset(mark);
        if_bool(cond, other, then, ty, span)
    }
}

/// The constant an expression is, when it is a literal.
fn constant(e: &Expr) -> Option<Lit> {
    match &e.kind {
        ExprKind::Lit(l) => Some(l.clone()),
        _ => None,
    }
}

/// `values` as a list: a balanced tree of concatenations of one-element lists.
fn balanced_list(mut values: Vec<Expr>, list_ty: &Type, span: Span) -> Expr {
    if values.len() <= 1 {
        let empty = lit(Lit::List(Vec::new()), list_ty.clone(), span);
        return match values.pop() {
            Some(one) => prim(Prim::ListPush, vec![empty, one], list_ty.clone(), span),
            None => empty,
        };
    }
    let right = values.split_off(values.len() / 2);
    let left = balanced_list(values, list_ty, span);
    let right = balanced_list(right, list_ty, span);
    prim(Prim::ListConcat, vec![left, right], list_ty.clone(), span)
}

/// A product expression of type `ty` (a record or tuple); the empty one is a literal.
pub(crate) fn product(values: Vec<Expr>, ty: Type, span: Span) -> Expr {
    if values.is_empty() {
        return lit(Lit::Tuple(Vec::new()), ty, span);
    }
    Expr::new(ExprKind::Tuple(values), ty, span)
}

pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
