//! Shared helpers of the lowering tests: a direct interpreter of the typed IR (the oracle),
//! builders of IR nodes, and a generator of random well-typed IR driven by a choice stream.
#![allow(dead_code)]

pub mod random;

use quiver_lang::span::Span;
use quiver_lang::tir::{Expr, ExprKind, Fn};
use quiver_vm::bytecode::{Arrow, Def, Lit};
use quiver_vm::eval_ref;
use quiver_vm::prim::Prim;
use quiver_vm::trap::TrapKind;
use quiver_vm::types::Type;
use quiver_vm::value::Value;

/// Evaluates `expr` with the variables `env` (levels in order), directly and obviously.
pub fn interpret(fns: &[Fn], expr: &Expr, env: &mut Vec<Value>) -> Result<Value, TrapKind> {
    match &expr.kind {
        ExprKind::Lit(lit) => Ok(Value::from_lit(lit)),
        ExprKind::Var(level) => Ok(env[*level as usize].clone()),
        ExprKind::Let(value, body) => {
            let value = interpret(fns, value, env)?;
            env.push(value);
            let result = interpret(fns, body, env);
            env.pop();
            result
        }
        ExprKind::Tuple(items) => Ok(Value::tuple(values(fns, items, env)?)),
        ExprKind::Proj(inner, index) => match interpret(fns, inner, env)? {
            Value::Tuple(items) => Ok(items[*index as usize].clone()),
            other => panic!("projection out of {other:?}"),
        },
        ExprKind::Inj(tag, payload) => {
            let payload = interpret(fns, payload, env)?;
            Ok(match expr.ty {
                Type::Bool => Value::Bool(*tag == 1),
                _ => Value::variant(*tag, payload),
            })
        }
        ExprKind::Match(scrutinee, arms) => {
            let (tag, payload) = match interpret(fns, scrutinee, env)? {
                Value::Bool(b) => (u32::from(b), Value::Unit),
                Value::Variant(tag, payload) => (tag, (*payload).clone()),
                other => panic!("match on {other:?}"),
            };
            env.push(payload);
            let result = interpret(fns, &arms[tag as usize], env);
            env.pop();
            result
        }
        ExprKind::Prim(prim, args) => prim.apply(pack(values(fns, args, env)?)),
        ExprKind::Call(index, args) => {
            let mut inner = values(fns, args, env)?;
            interpret(fns, &fns[*index as usize].body, &mut inner)
        }
    }
}

fn values(fns: &[Fn], items: &[Expr], env: &mut Vec<Value>) -> Result<Vec<Value>, TrapKind> {
    items.iter().map(|item| interpret(fns, item, env)).collect()
}

/// Values packed by the calling convention.
pub fn pack(mut values: Vec<Value>) -> Value {
    match values.len() {
        0 => Value::Unit,
        1 => values.remove(0),
        _ => Value::tuple(values),
    }
}

/// The type of values packed by the calling convention.
pub fn packed_type(types: &[Type]) -> Type {
    match types {
        [] => Type::Unit,
        [one] => one.clone(),
        many => Type::Tuple(many.to_vec()),
    }
}

/// The functions as definitions with their `tir` indices, as `lower_expr` calls them.
pub fn defs_of(fns: &[Fn]) -> Vec<Def> {
    fns.iter()
        .map(|f| {
            let params: Vec<Type> = f.params.iter().map(|(_, t)| t.clone()).collect();
            Def {
                name: f.name.clone(),
                input: packed_type(&params),
                output: f.ret.clone(),
                body: quiver_lang::lower::lower_expr(&f.body, &params),
            }
        })
        .collect()
}

/// Runs an arrow with the reference evaluator, keeping only the kind of a trap.
pub fn run(defs: &[Def], arrow: &Arrow, input: Value) -> Result<Value, TrapKind> {
    let mut fuel = 1_000_000;
    eval_ref::eval(defs, arrow, input, &mut fuel).map_err(|trap| trap.kind)
}

// Builders of IR nodes, all at an empty span.

pub fn e(kind: ExprKind, ty: Type) -> Expr {
    Expr::new(kind, ty, Span::default())
}
pub fn int(n: i64) -> Expr {
    e(ExprKind::Lit(Lit::Int(n)), Type::Int)
}
pub fn boolean(b: bool) -> Expr {
    e(ExprKind::Lit(Lit::Bool(b)), Type::Bool)
}
pub fn unit() -> Expr {
    e(ExprKind::Lit(Lit::Unit), Type::Unit)
}
pub fn string(s: &str) -> Expr {
    e(ExprKind::Lit(Lit::Str(s.into())), Type::String)
}
pub fn var(level: u32, ty: Type) -> Expr {
    e(ExprKind::Var(level), ty)
}
pub fn prim(p: Prim, args: Vec<Expr>) -> Expr {
    let types: Vec<Type> = args.iter().map(|a| a.ty.clone()).collect();
    let ty = p
        .instantiate(&types)
        .expect("test builds well-typed primitive calls");
    e(ExprKind::Prim(p, args), ty)
}
pub fn let_(value: Expr, body: Expr) -> Expr {
    let ty = body.ty.clone();
    e(ExprKind::Let(Box::new(value), Box::new(body)), ty)
}
pub fn tuple(items: Vec<Expr>, ty: Type) -> Expr {
    e(ExprKind::Tuple(items), ty)
}
pub fn proj(inner: Expr, index: u32, ty: Type) -> Expr {
    e(ExprKind::Proj(Box::new(inner), index), ty)
}
pub fn inj(tag: u32, payload: Expr, sum: Type) -> Expr {
    e(ExprKind::Inj(tag, Box::new(payload)), sum)
}
pub fn match_(scrutinee: Expr, arms: Vec<Expr>) -> Expr {
    let ty = arms[0].ty.clone();
    e(ExprKind::Match(Box::new(scrutinee), arms), ty)
}
pub fn call(index: u32, args: Vec<Expr>, ty: Type) -> Expr {
    e(ExprKind::Call(index, args), ty)
}
