//! Test support: a compact, span-free S-expression printer of the AST, so that parser tests
//! can state the expected tree in one readable line, and diagnostic rendering helpers.
#![allow(dead_code)]

use quiver_lang::ast::*;
use quiver_lang::diagnostic::Diagnostic;

pub fn path(p: &Path) -> String {
    let names: Vec<&str> = p.segments.iter().map(|s| s.name.as_str()).collect();
    names.join(".")
}

fn list<T>(items: &[T], f: impl Fn(&T) -> String) -> String {
    items.iter().map(f).collect::<Vec<_>>().join(" ")
}

fn tagged(tag: &str, parts: &[String]) -> String {
    let parts: Vec<&str> = parts
        .iter()
        .map(String::as_str)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        format!("({tag})")
    } else {
        format!("({tag} {})", parts.join(" "))
    }
}

pub fn ty(t: &TypeExpr) -> String {
    match t {
        TypeExpr::Named { path: p, args, .. } if args.is_empty() => path(p),
        TypeExpr::Named { path: p, args, .. } => tagged(&path(p), &[list(args, ty)]),
        TypeExpr::Tuple(items, _) => tagged("tuple", &[list(items, ty)]),
        TypeExpr::Record(fields, _) => tagged(
            "record",
            &[list(fields, |(name, t)| {
                format!("({} {})", name.name, ty(t))
            })],
        ),
        TypeExpr::Error(_) => "<error>".to_owned(),
    }
}

pub fn pattern(p: &Pattern) -> String {
    match p {
        Pattern::Wildcard(_) => "_".to_owned(),
        Pattern::Bind(name) => name.name.clone(),
        Pattern::Ctor { path: p, args, .. } if args.is_empty() => path(p),
        Pattern::Ctor { path: p, args, .. } => tagged(&path(p), &[list(args, pattern)]),
        Pattern::Int(n, _) => n.to_string(),
        Pattern::Str(s, _) => format!("{s:?}"),
        Pattern::Bool(b, _) => b.to_string(),
        Pattern::Tuple(items, _) => tagged("tuple", &[list(items, pattern)]),
        Pattern::Error(_) => "<error>".to_owned(),
    }
}

fn fields(fs: &[(Ident, Expr)]) -> String {
    list(fs, |(name, e)| format!("({} {})", name.name, expr(e)))
}

pub fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Int(n) => n.to_string(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Unit => "()".to_owned(),
        ExprKind::Path(p) => path(p),
        ExprKind::Call { callee, args } => {
            tagged(&format!("call {}", path(callee)), &[list(args, expr)])
        }
        ExprKind::Field { base, field } => format!("(. {} {})", expr(base), field.name),
        ExprKind::List(items) => format!("[{}]", list(items, expr)),
        ExprKind::EmptyBraces => "{}".to_owned(),
        ExprKind::Record(fs) => tagged("record", &[fields(fs)]),
        ExprKind::Map(entries) => tagged(
            "map",
            &[list(entries, |(k, v)| format!("({} {})", expr(k), expr(v)))],
        ),
        ExprKind::Update { base, fields: fs } => tagged("update", &[expr(base), fields(fs)]),
        ExprKind::Tuple(items) => tagged("tuple", &[list(items, expr)]),
        ExprKind::Binary {
            op, left, right, ..
        } => {
            format!("({} {} {})", op.symbol(), expr(left), expr(right))
        }
        ExprKind::Unary { op, operand } => match op {
            UnOp::Neg => format!("(neg {})", expr(operand)),
            UnOp::Not => format!("(not {})", expr(operand)),
        },
        ExprKind::If {
            cond,
            then_block,
            else_block,
        } => {
            let els = else_block.as_ref().map(block).unwrap_or_default();
            tagged("if", &[expr(cond), block(then_block), els])
        }
        ExprKind::Match { scrutinee, arms } => tagged(
            "match",
            &[
                expr(scrutinee),
                list(arms, |a| {
                    format!("({} => {})", pattern(&a.pattern), expr(&a.body))
                }),
            ],
        ),
        ExprKind::Block(b) => block(b),
        ExprKind::Error => "<error>".to_owned(),
    }
}

pub fn stmt(s: &Stmt) -> String {
    match s {
        Stmt::Let {
            name,
            ty: Some(t),
            value,
            ..
        } => format!("(let {}: {} {})", name.name, ty(t), expr(value)),
        Stmt::Let {
            name,
            ty: None,
            value,
            ..
        } => format!("(let {} {})", name.name, expr(value)),
        Stmt::Assign { target, value, .. } => format!("(= {} {})", target.name, expr(value)),
        Stmt::Assert { cond, .. } => format!("(assert {})", expr(cond)),
        Stmt::Expr(e) => format!("{};", expr(e)),
    }
}

pub fn block(b: &Block) -> String {
    let mut parts: Vec<String> = b.stmts.iter().map(stmt).collect();
    if let Some(result) = &b.result {
        parts.push(expr(result));
    }
    format!("{{{}}}", parts.join(" "))
}

fn message(m: &MessageDecl) -> String {
    match m {
        MessageDecl::Type(t) => ty(t),
        MessageDecl::Variants(vs, _) => list(vs, variant),
    }
}

fn variant(v: &VariantDecl) -> String {
    if v.fields.is_empty() {
        format!("|{}", v.name.name)
    } else {
        format!("|{}({})", v.name.name, list(&v.fields, ty))
    }
}

fn machine_expr(m: &MachineExpr) -> String {
    match m {
        MachineExpr::Name(name) => name.name.clone(),
        MachineExpr::Binary {
            op, left, right, ..
        } => {
            let op = match op {
                ComposeOp::Then => ">>>",
                ComposeOp::Par => "***",
                ComposeOp::Fanout => "&&&",
                ComposeOp::Choice => "|||",
            };
            format!("({op} {} {})", machine_expr(left), machine_expr(right))
        }
    }
}

fn migrate(kind: &str, m: &MigrateDecl) -> String {
    format!(
        "({kind} {}: {} {})",
        m.param.name,
        ty(&m.ty),
        block(&m.body)
    )
}

fn machine(m: &MachineDecl) -> Vec<String> {
    let mut lines = vec![format!("machine {}", m.name.name)];
    let state = list(&m.state, |f| {
        format!("({}: {} = {})", f.name.name, ty(&f.ty), expr(&f.init))
    });
    lines.push(format!("  state {state}"));
    lines.push(format!("  input {}", message(&m.input)));
    lines.push(format!("  output {}", message(&m.output)));
    for inv in &m.invariants {
        lines.push(format!("  invariant {}", expr(inv)));
    }
    for h in &m.handlers {
        lines.push(format!("  on {} {}", pattern(&h.pattern), block(&h.body)));
    }
    if let Some(up) = &m.migrate_up {
        lines.push(format!("  {}", migrate("migrate", up)));
    }
    if let Some(down) = &m.migrate_down {
        lines.push(format!("  {}", migrate("migrate down", down)));
    }
    lines
}

/// One or more lines per item.
pub fn file(f: &File) -> String {
    let mut lines = Vec::new();
    for item in &f.items {
        match item {
            Item::Type(t) => lines.push(format!("type {} = {}", t.name.name, ty(&t.ty))),
            Item::Enum(e) => lines.push(format!(
                "enum {} {}",
                e.name.name,
                list(&e.variants, variant)
            )),
            Item::Fn(f) => lines.push(format!(
                "fn {}({}) -> {} {}",
                f.name.name,
                list(&f.params, |p| format!("{}: {}", p.name.name, ty(&p.ty))),
                ty(&f.ret),
                block(&f.body)
            )),
            Item::Machine(m) => lines.extend(machine(m)),
            Item::Compose(c) => lines.push(format!(
                "machine {} = {}",
                c.name.name,
                machine_expr(&c.expr)
            )),
        }
    }
    lines.join("\n")
}

/// Diagnostics as `code start..end: message [help]` lines: spans checked without rendering.
pub fn diagnostics(ds: &[Diagnostic]) -> String {
    ds.iter()
        .map(|d| {
            let s = d.span();
            format!("{} {}..{}: {}", d.code, s.start, s.end, d.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Renders diagnostics against their source like a compiler would, without colour: the
/// header, the line with the primary span underlined, its label and the help.
pub fn render(src: &str, ds: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in ds {
        let span = d.span();
        let start = (span.start as usize).min(src.len());
        let line_start = src[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = src[start..].find('\n').map_or(src.len(), |i| start + i);
        let line_no = src[..start].matches('\n').count() + 1;
        let column = src[line_start..start].chars().count();
        let width = src
            .get(start..(span.end as usize).min(line_end).max(start))
            .map_or(0, |s| s.chars().count())
            .max(1);
        let gutter = " ".repeat(line_no.to_string().len());
        let label = d.labels.first().map_or("", |l| l.text.as_str());
        out.push_str(&format!("error[{}]: {}\n", d.code, d.message));
        out.push_str(&format!("{gutter}--> {line_no}:{}\n", column + 1));
        out.push_str(&format!("{line_no} | {}\n", &src[line_start..line_end]));
        out.push_str(&format!(
            "{gutter} | {}{} {label}\n",
            " ".repeat(column),
            "^".repeat(width)
        ));
        if let Some(help) = &d.help {
            out.push_str(&format!("{gutter} = help: {help}\n"));
        }
    }
    out
}
