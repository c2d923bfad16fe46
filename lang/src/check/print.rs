//! A readable, deterministic dump of the typed IR: what `--emit typed` prints and golden tests
//! snapshot. One node per line with its type; variables print as `%level`, and each binder
//! (`let`, `match` case) shows the level it binds. Composites print their parts by name and
//! type only (the parts are printed where they are defined). Nothing here parses it back.

use crate::ast::ComposeOp;
use crate::tir::{self, Expr, ExprKind};
use quiver_vm::bytecode::Lit;
use quiver_vm::types::Type;
use std::fmt::Write;

/// The whole program: functions (callee-first), then machines.
pub fn print_program(program: &tir::Program) -> String {
    let mut out = String::new();
    for f in &program.fns {
        let params: Vec<String> = f.params.iter().map(|(n, t)| format!("{n}: {t}")).collect();
        let _ = writeln!(out, "fn {}({}) -> {}", f.name, params.join(", "), f.ret);
        let depth = u32::try_from(f.params.len()).unwrap_or(u32::MAX);
        print_expr(&mut out, &f.body, 1, depth);
        out.push('\n');
    }
    for m in &program.machines {
        print_machine(&mut out, m, 0);
        out.push('\n');
    }
    out
}

fn line(out: &mut String, indent: usize, text: &str) {
    for _ in 0..indent {
        out.push_str("  ");
    }
    out.push_str(text);
    out.push('\n');
}

fn type_with_definition(ty: &Type) -> String {
    match ty {
        Type::Enum(e) => e.definition(),
        other => other.to_string(),
    }
}

fn print_machine(out: &mut String, m: &tir::Machine, indent: usize) {
    match &m.body {
        tir::MachineBody::Defined(d) => {
            line(out, indent, &format!("machine {}", m.name));
            print_signature(out, m, indent + 1);
            line(out, indent + 1, "init");
            print_expr(out, &d.init, indent + 2, 0);
            for inv in &d.invariants {
                line(out, indent + 1, &format!("invariant `{}`", inv.text));
                print_expr(out, &inv.body, indent + 2, 1);
            }
            line(out, indent + 1, "step (%0: input, %1: state)");
            print_expr(out, &d.step, indent + 2, 2);
            if let Some(up) = &d.migrate_up {
                line(
                    out,
                    indent + 1,
                    &format!("migrate up from {} (%0)", up.other),
                );
                print_expr(out, &up.body, indent + 2, 1);
            }
            if let Some(down) = &d.migrate_down {
                line(
                    out,
                    indent + 1,
                    &format!("migrate down to {} (%0: state)", down.other),
                );
                print_expr(out, &down.body, indent + 2, 1);
            }
        }
        tir::MachineBody::Composed { op, left, right } => {
            let symbol = match op {
                ComposeOp::Then => ">>>",
                ComposeOp::Par => "***",
                ComposeOp::Fanout => "&&&",
                ComposeOp::Choice => "|||",
            };
            line(
                out,
                indent,
                &format!("machine {} = {} {symbol} {}", m.name, left.name, right.name),
            );
            print_signature(out, m, indent + 1);
            for part in [left, right] {
                if let tir::MachineBody::Composed { .. } = part.body {
                    print_machine(out, part, indent + 1);
                }
            }
        }
    }
}

fn print_signature(out: &mut String, m: &tir::Machine, indent: usize) {
    line(out, indent, &format!("state  {}", m.state));
    line(
        out,
        indent,
        &format!("input  {}", type_with_definition(&m.input)),
    );
    line(
        out,
        indent,
        &format!("output {}", type_with_definition(&m.output)),
    );
}

/// Prints `e`, evaluated with `depth` levels bound. `let` chains print flat, one binder per
/// line, so long blocks do not nest (or recurse) deeper.
fn print_expr(out: &mut String, e: &Expr, indent: usize, depth: u32) {
    let mut e = e;
    let mut depth = depth;
    while let ExprKind::Let(value, body) = &e.kind {
        line(out, indent, &format!("let %{depth} : {} =", value.ty));
        print_expr(out, value, indent + 1, depth);
        depth += 1;
        e = body;
    }
    let ty = &e.ty;
    match &e.kind {
        ExprKind::Lit(l) => line(out, indent, &format!("lit {} : {ty}", lit_text(l))),
        ExprKind::Var(level) => line(out, indent, &format!("var %{level} : {ty}")),
        ExprKind::Let(..) => {}
        ExprKind::Tuple(items) => {
            line(out, indent, &format!("tuple : {ty}"));
            for item in items {
                print_expr(out, item, indent + 1, depth);
            }
        }
        ExprKind::Proj(base, i) => {
            line(out, indent, &format!("proj {i} : {ty}"));
            print_expr(out, base, indent + 1, depth);
        }
        ExprKind::Inj(tag, payload) => {
            let name = case_names(ty)
                .get(*tag as usize)
                .cloned()
                .unwrap_or_else(|| format!("#{tag}"));
            line(out, indent, &format!("inj {tag} {name} : {ty}"));
            print_expr(out, payload, indent + 1, depth);
        }
        ExprKind::Match(scrutinee, arms) => {
            line(out, indent, &format!("match : {ty}"));
            print_expr(out, scrutinee, indent + 1, depth);
            let names = case_names(&scrutinee.ty);
            for (i, arm) in arms.iter().enumerate() {
                let name = names.get(i).cloned().unwrap_or_else(|| format!("#{i}"));
                line(out, indent + 1, &format!("case {name} => %{depth}"));
                print_expr(out, arm, indent + 2, depth + 1);
            }
        }
        ExprKind::Prim(p, args) => {
            line(out, indent, &format!("prim {} : {ty}", p.name()));
            for a in args {
                print_expr(out, a, indent + 1, depth);
            }
        }
        ExprKind::Call(index, args) => {
            line(out, indent, &format!("call fn#{index} : {ty}"));
            for a in args {
                print_expr(out, a, indent + 1, depth);
            }
        }
    }
}

fn case_names(ty: &Type) -> Vec<String> {
    match ty {
        Type::Bool => vec!["false".into(), "true".into()],
        Type::Option(_) => vec!["None".into(), "Some".into()],
        Type::Enum(e) => e.variants.iter().map(|v| v.name.clone()).collect(),
        _ => Vec::new(),
    }
}

fn lit_text(l: &Lit) -> String {
    let list = |items: &[Lit]| items.iter().map(lit_text).collect::<Vec<_>>().join(", ");
    match l {
        Lit::Unit => "()".into(),
        Lit::Bool(b) => b.to_string(),
        Lit::Int(n) => n.to_string(),
        Lit::Str(s) => format!("{s:?}"),
        Lit::Tuple(items) => format!("({})", list(items)),
        Lit::Variant(tag, payload) => format!("#{tag}({})", lit_text(payload)),
        Lit::List(items) => format!("[{}]", list(items)),
        Lit::Map(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", lit_text(k), lit_text(v)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
    }
}
