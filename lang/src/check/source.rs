//! Expressions written back as source text, for messages that quote them (an invariant's
//! text names the invariant when it is violated). The checker receives only the syntax tree,
//! so the text is reconstructed: spacing is canonical and parentheses appear only where
//! precedence needs them. It is not a general pretty-printer of files.

use crate::ast::{self, BinOp, ExprKind, UnOp};

/// `count >= 0`, `Map.len(data) < 10`.
pub(crate) fn expr_text(e: &ast::Expr) -> String {
    let mut out = String::new();
    write_expr(&mut out, e, 0, 0);
    out
}

fn precedence(op: BinOp) -> u8 {
    match op {
        BinOp::Or => 1,
        BinOp::And => 2,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 3,
        BinOp::Concat => 4,
        BinOp::Add | BinOp::Sub => 5,
        BinOp::Mul | BinOp::Div | BinOp::Rem => 6,
    }
}

fn path(p: &ast::Path) -> String {
    super::path_text(p)
}

fn write_list(out: &mut String, items: &[ast::Expr], depth: u32) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_expr(out, item, 0, depth);
    }
}

/// Writes `e`; `min` is the loosest precedence allowed without parentheses.
fn write_expr(out: &mut String, e: &ast::Expr, min: u8, depth: u32) {
    if depth > super::NESTING_MAX {
        out.push_str("...");
        return;
    }
    let d = depth + 1;
    match &e.kind {
        ExprKind::Int(n) => out.push_str(&n.to_string()),
        ExprKind::Bool(b) => out.push_str(&b.to_string()),
        ExprKind::Str(s) => out.push_str(&format!("{s:?}")),
        ExprKind::Unit => out.push_str("()"),
        ExprKind::Path(p) => out.push_str(&path(p)),
        ExprKind::Call { callee, args } => {
            out.push_str(&path(callee));
            out.push('(');
            write_list(out, args, d);
            out.push(')');
        }
        ExprKind::Field { base, field } => {
            write_expr(out, base, 8, d);
            out.push('.');
            out.push_str(&field.name);
        }
        ExprKind::List(items) => {
            out.push('[');
            write_list(out, items, d);
            out.push(']');
        }
        ExprKind::EmptyBraces => out.push_str("{}"),
        ExprKind::Record(fields) => write_fields(out, None, fields, d),
        ExprKind::Update { base, fields } => write_fields(out, Some(base), fields, d),
        ExprKind::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                out.push_str(if i > 0 { ", " } else { "" });
                write_expr(out, k, 0, d);
                out.push_str(": ");
                write_expr(out, v, 0, d);
            }
            out.push('}');
        }
        ExprKind::Tuple(items) => {
            out.push('(');
            write_list(out, items, d);
            out.push(')');
        }
        ExprKind::Binary {
            op, left, right, ..
        } => {
            let p = precedence(*op);
            if p < min {
                out.push('(');
            }
            write_expr(out, left, p, d);
            out.push_str(&format!(" {} ", op.symbol()));
            write_expr(out, right, p + 1, d);
            if p < min {
                out.push(')');
            }
        }
        ExprKind::Unary { op, operand } => {
            out.push_str(if *op == UnOp::Neg { "-" } else { "!" });
            write_expr(out, operand, 7, d);
        }
        ExprKind::If { .. } => out.push_str("if ..."),
        ExprKind::Match { .. } => out.push_str("match ..."),
        ExprKind::Block(_) => out.push_str("{ ... }"),
        ExprKind::Error => out.push_str("<error>"),
    }
}

fn write_fields(
    out: &mut String,
    base: Option<&ast::Expr>,
    fields: &[(ast::Ident, ast::Expr)],
    depth: u32,
) {
    out.push_str("{ ");
    if let Some(base) = base {
        out.push_str("..");
        write_expr(out, base, 0, depth);
        if !fields.is_empty() {
            out.push_str(", ");
        }
    }
    for (i, (name, value)) in fields.iter().enumerate() {
        out.push_str(if i > 0 { ", " } else { "" });
        out.push_str(&name.name);
        out.push_str(": ");
        write_expr(out, value, 0, depth);
    }
    out.push_str(" }");
}
