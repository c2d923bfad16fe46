//! Random well-typed IR from a stream of choices (proptest shrinks the stream, so failures
//! shrink towards small expressions): Int arithmetic with overflow and division traps, lets,
//! tuples, projections, matches on Bool, Option and an enum, asserts and calls.

use super::*;
use quiver_vm::types::{EnumType, Variant};

/// `enum Shape { Dot, Circle(Int), Rect(Int, Int) }`.
pub fn shape() -> Type {
    let variant = |name: &str, fields: Vec<Type>| Variant {
        name: name.into(),
        fields,
    };
    Type::Enum(EnumType {
        name: "Shape".into(),
        variants: vec![
            variant("Dot", vec![]),
            variant("Circle", vec![Type::Int]),
            variant("Rect", vec![Type::Int, Type::Int]),
        ],
    })
}

pub fn pair() -> Type {
    Type::Tuple(vec![Type::Int, Type::Bool])
}

pub fn option_int() -> Type {
    Type::Option(Box::new(Type::Int))
}

/// The types generated expressions have.
pub fn types() -> Vec<Type> {
    vec![
        Type::Int,
        Type::Bool,
        pair(),
        option_int(),
        shape(),
        Type::Unit,
    ]
}

/// `fn scale(a: Int, b: Int) -> Int { a * 3 + b }`, `fn seven() -> Int { 7 }`,
/// `fn positive(x: Int) -> Bool { 0 < scale(x, 0) }`.
pub fn fns() -> Vec<Fn> {
    let f = |name: &str, params: Vec<Type>, ret: Type, body: Expr| Fn {
        name: name.into(),
        params: params
            .into_iter()
            .enumerate()
            .map(|(i, t)| (format!("p{i}"), t))
            .collect(),
        ret,
        body,
        span: Span::default(),
    };
    let scale = prim(
        Prim::Add,
        vec![
            prim(Prim::Mul, vec![var(0, Type::Int), int(3)]),
            var(1, Type::Int),
        ],
    );
    let positive = prim(
        Prim::Lt,
        vec![int(0), call(0, vec![var(0, Type::Int), int(0)], Type::Int)],
    );
    vec![
        f("scale", vec![Type::Int, Type::Int], Type::Int, scale),
        f("seven", vec![], Type::Int, int(7)),
        f("positive", vec![Type::Int], Type::Bool, positive),
    ]
}

/// A stream of choices; when it runs out, every choice is 0 (which picks a leaf).
pub struct Choices {
    bytes: Vec<u8>,
    next: usize,
}

impl Choices {
    pub fn new(bytes: Vec<u8>) -> Choices {
        Choices { bytes, next: 0 }
    }

    fn pick(&mut self, count: usize) -> usize {
        let byte = self.bytes.get(self.next).copied().unwrap_or(0);
        self.next += 1;
        usize::from(byte) % count
    }
}

const INTS: [i64; 8] = [0, 1, -1, 2, 7, 100, i64::MAX, i64::MIN];

/// A random expression of type `ty` over variables of types `env`.
pub fn expr(c: &mut Choices, ty: &Type, env: &mut Vec<Type>, depth: u32) -> Expr {
    let vars: Vec<u32> = (0..env.len() as u32)
        .filter(|&l| env[l as usize] == *ty)
        .collect();
    if depth == 0 || c.pick(3) == 0 {
        if !vars.is_empty() && c.pick(2) == 0 {
            return var(vars[c.pick(vars.len())], ty.clone());
        }
        return leaf(c, ty, env, depth);
    }
    match c.pick(4) {
        0 => {
            let bound = types()[c.pick(types().len())].clone();
            let value = expr(c, &bound, env, depth - 1);
            env.push(bound);
            let body = expr(c, ty, env, depth - 1);
            env.pop();
            let_(value, body)
        }
        1 => {
            let scrutinee_ty = [Type::Bool, option_int(), shape()][c.pick(3)].clone();
            let scrutinee = expr(c, &scrutinee_ty, env, depth - 1);
            let cases = scrutinee_ty.cases().expect("scrutinee types are sums");
            let arms = cases
                .into_iter()
                .map(|payload| {
                    env.push(payload);
                    let arm = expr(c, ty, env, depth - 1);
                    env.pop();
                    arm
                })
                .collect();
            match_(scrutinee, arms)
        }
        _ => compound(c, ty, env, depth),
    }
}

/// A constant or constructor of `ty` whose parts are generated.
fn leaf(c: &mut Choices, ty: &Type, env: &mut Vec<Type>, depth: u32) -> Expr {
    let sub = depth.saturating_sub(1);
    match ty {
        Type::Int => int(INTS[c.pick(INTS.len())]),
        Type::Bool => boolean(c.pick(2) == 1),
        Type::Unit => unit(),
        Type::Option(_) if c.pick(2) == 0 => inj(0, unit(), ty.clone()),
        Type::Option(inner) => inj(1, expr(c, inner, env, sub), ty.clone()),
        Type::Tuple(items) => {
            let items = items.iter().map(|t| expr(c, t, env, sub)).collect();
            tuple(items, ty.clone())
        }
        _ => {
            let cases = ty.cases().expect("the other generated types are sums");
            let tag = c.pick(cases.len());
            let payload = match &cases[tag] {
                Type::Unit => unit(),
                Type::Tuple(items) => {
                    let items = items.iter().map(|t| expr(c, t, env, sub)).collect();
                    tuple(items, cases[tag].clone())
                }
                other => expr(c, other, env, sub),
            };
            inj(tag as u32, payload, ty.clone())
        }
    }
}

/// An operation producing `ty`.
fn compound(c: &mut Choices, ty: &Type, env: &mut Vec<Type>, depth: u32) -> Expr {
    let d = depth - 1;
    let mut sub = |c: &mut Choices, t: &Type| expr(c, t, env, d);
    match ty {
        Type::Int => match c.pick(9) {
            0..=4 => {
                let op = [Prim::Add, Prim::Sub, Prim::Mul, Prim::Div, Prim::Rem][c.pick(5)];
                prim(op, vec![sub(c, &Type::Int), sub(c, &Type::Int)])
            }
            5 => prim(Prim::Neg, vec![sub(c, &Type::Int)]),
            6 => proj(sub(c, &pair()), 0, Type::Int),
            7 => call(0, vec![sub(c, &Type::Int), sub(c, &Type::Int)], Type::Int),
            _ => call(1, vec![], Type::Int),
        },
        Type::Bool => match c.pick(5) {
            0 => prim(Prim::Lt, vec![sub(c, &Type::Int), sub(c, &Type::Int)]),
            1 => prim(Prim::Eq, vec![sub(c, &shape()), sub(c, &shape())]),
            2 => prim(Prim::Not, vec![sub(c, &Type::Bool)]),
            3 => proj(sub(c, &pair()), 1, Type::Bool),
            _ => call(2, vec![sub(c, &Type::Int)], Type::Bool),
        },
        Type::Unit => prim(Prim::Assert, vec![sub(c, &Type::Bool)]),
        _ => leaf(c, ty, env, depth),
    }
}
