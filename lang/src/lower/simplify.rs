//! Simplification: rewriting arrows by the laws of the category, keeping every type, every
//! value and every trap.
//!
//! Rewrites (each makes the tree strictly smaller, so they terminate):
//! - `Seq` flattening, `id >>> f = f`, `f >>> id = f`, `Seq([f]) = f`, `Seq([]) = id`;
//! - `fork(fs) >>> proj i = fs[i]`, only when no other `fs[j]` may trap;
//! - `fork(f0..fn-1) >>> fork(proj 0, ..., proj n-1) = fork(f0..fn-1)` (the arity is known
//!   from the first fork);
//! - `inj t >>> case[g0..gn] = g_t` (a case of a known constructor);
//! - `f >>> const c = const c` when `f` cannot trap;
//! - constant folding: `const c >>> proj i`, `const c >>> inj t`, `const c >>> case[..]`,
//!   `const c >>> prim p` (only when applying `p` does not trap: a trap stays in the code),
//!   and `fork` of two or more constants;
//! - `par(id, ..., id) = id` (`par` fixes the arity of its input).
//!
//! Deliberately absent: `case[inj 0, ..., inj n] = id` and `fork(proj 0..proj n-1) = id` on
//! their own, because without the input type they are not sound here (a `case` over `Bool`
//! injecting into a two-case enum changes the representation; the arity of the input is not
//! known). "May trap" ignores fuel exhaustion, which removing work never makes more likely.

use super::measure::may_trap;
use quiver_vm::bytecode::{Arrow, Lit};
use quiver_vm::types::Type;
use quiver_vm::value::Value;

/// How many whole-tree passes at most; each pass applies every rewrite it can find.
const ROUNDS_MAX: usize = 16;

/// How deep a pass descends; deeper subtrees are left as they are (the verifier bounds depth
/// far below this anyway).
const DEPTH_MAX: usize = 4096;

/// Simplifies an arrow to a fixpoint (at most [`ROUNDS_MAX`] passes). `def_may_trap[k]` says
/// whether definition `k` may trap; unknown definitions are assumed to.
pub fn simplify(arrow: Arrow, def_may_trap: &[bool]) -> Arrow {
    let simplifier = Simplifier { def_may_trap };
    let mut current = arrow;
    for _ in 0..ROUNDS_MAX {
        let next = simplifier.pass(current.clone(), 0);
        if next == current {
            break;
        }
        current = next;
    }
    current
}

struct Simplifier<'a> {
    def_may_trap: &'a [bool],
}

impl Simplifier<'_> {
    fn may_trap(&self, arrow: &Arrow) -> bool {
        may_trap(arrow, self.def_may_trap)
    }

    /// One bottom-up pass over the tree.
    fn pass(&self, arrow: Arrow, depth: usize) -> Arrow {
        if depth >= DEPTH_MAX {
            return arrow;
        }
        let children = |items: Vec<Arrow>| -> Vec<Arrow> {
            items.into_iter().map(|a| self.pass(a, depth + 1)).collect()
        };
        match arrow {
            Arrow::Seq(items) => {
                let mut out = Vec::new();
                for item in children(items) {
                    self.push(&mut out, item);
                }
                match out.len() {
                    0 => Arrow::Id,
                    1 => out.pop().unwrap_or(Arrow::Id),
                    _ => Arrow::Seq(out),
                }
            }
            Arrow::Fork(items) => fold_fork(children(items)),
            Arrow::Par(items) => {
                let items = children(items);
                if !items.is_empty() && items.iter().all(|a| *a == Arrow::Id) {
                    Arrow::Id
                } else {
                    Arrow::Par(items)
                }
            }
            Arrow::Case(arms) => Arrow::Case(children(arms)),
            leaf => leaf,
        }
    }

    /// Appends `item` to the sequence `out`, rewriting it with its predecessor while a law
    /// applies.
    fn push(&self, out: &mut Vec<Arrow>, item: Arrow) {
        let mut pending = vec![item];
        while let Some(item) = pending.pop() {
            match item {
                Arrow::Id => continue,
                Arrow::Seq(inner) => {
                    pending.extend(inner.into_iter().rev());
                    continue;
                }
                _ => {}
            }
            let Some(previous) = out.pop() else {
                out.push(item);
                continue;
            };
            match self.rewrite(previous, item) {
                Ok(replacement) => pending.extend(replacement.into_iter().rev()),
                Err((previous, item)) => {
                    out.push(previous);
                    out.push(item);
                }
            }
        }
    }

    /// The replacement for `first >>> second`, or both back when no law applies.
    fn rewrite(&self, first: Arrow, second: Arrow) -> Result<Vec<Arrow>, (Arrow, Arrow)> {
        match (first, second) {
            (Arrow::Fork(mut items), Arrow::Proj(index)) => {
                let i = index as usize;
                let others_pure = items
                    .iter()
                    .enumerate()
                    .all(|(j, item)| j == i || !self.may_trap(item));
                if i < items.len() && others_pure {
                    Ok(vec![items.swap_remove(i)])
                } else {
                    Err((Arrow::Fork(items), Arrow::Proj(index)))
                }
            }
            (Arrow::Fork(items), Arrow::Fork(projections))
                if is_identity_fork(&projections, items.len()) =>
            {
                Ok(vec![Arrow::Fork(items)])
            }
            (Arrow::Inj { sum, tag }, Arrow::Case(mut arms)) => {
                if (tag as usize) < arms.len() {
                    Ok(vec![arms.swap_remove(tag as usize)])
                } else {
                    Err((Arrow::Inj { sum, tag }, Arrow::Case(arms)))
                }
            }
            (Arrow::Const(ty, lit), second) => fold_const(ty, lit, second),
            (first, Arrow::Const(ty, lit)) if !self.may_trap(&first) => {
                Ok(vec![Arrow::Const(ty, lit)])
            }
            pair => Err(pair),
        }
    }
}

/// `fork(proj 0, ..., proj n-1)` for an input of `arity` components.
fn is_identity_fork(projections: &[Arrow], arity: usize) -> bool {
    projections.len() == arity
        && projections
            .iter()
            .enumerate()
            .all(|(i, p)| *p == Arrow::Proj(u32::try_from(i).unwrap_or(u32::MAX)))
}

/// A fork of two or more constants is one constant tuple.
fn fold_fork(items: Vec<Arrow>) -> Arrow {
    if items.len() < 2 || !items.iter().all(|a| matches!(a, Arrow::Const(..))) {
        return Arrow::Fork(items);
    }
    let (types, lits) = items
        .into_iter()
        .filter_map(|a| match a {
            Arrow::Const(ty, lit) => Some((ty, lit)),
            _ => None,
        })
        .unzip();
    Arrow::Const(Type::Tuple(types), Lit::Tuple(lits))
}

/// `const c >>> second`, evaluated at compile time when that cannot change a trap.
fn fold_const(ty: Type, lit: Lit, second: Arrow) -> Result<Vec<Arrow>, (Arrow, Arrow)> {
    let folded = match &second {
        Arrow::Const(..) => Some(vec![second.clone()]),
        Arrow::Proj(index) => project(&ty, &lit, *index).map(|c| vec![c]),
        Arrow::Inj { sum, tag } => inject(sum, *tag, &lit).map(|c| vec![c]),
        Arrow::Case(arms) => select(&ty, &lit).and_then(|(tag, payload)| {
            arms.get(tag as usize).map(|arm| vec![payload, arm.clone()])
        }),
        Arrow::Prim(prim, _) => {
            let args = if prim.arity() == 1 {
                Some(vec![ty.clone()])
            } else {
                ty.components()
            };
            let result_type = args.and_then(|args| prim.instantiate(&args).ok());
            result_type.and_then(|result_type| {
                let value = prim.apply(Value::from_lit(&lit)).ok()?;
                Some(vec![Arrow::Const(result_type, value.to_lit())])
            })
        }
        _ => None,
    };
    folded.ok_or((Arrow::Const(ty, lit), second))
}

/// Component `index` of a constant product.
fn project(ty: &Type, lit: &Lit, index: u32) -> Option<Arrow> {
    let (Some(types), Lit::Tuple(items)) = (ty.components(), lit) else {
        return None;
    };
    let i = index as usize;
    Some(Arrow::Const(types.get(i)?.clone(), items.get(i)?.clone()))
}

/// The constant of case `tag` of `sum` with this payload.
fn inject(sum: &Type, tag: u32, payload: &Lit) -> Option<Arrow> {
    let lit = match sum {
        Type::Bool if *payload == Lit::Unit && tag < 2 => Lit::Bool(tag == 1),
        Type::Bool => return None,
        _ if (tag as usize) < sum.cases()?.len() => Lit::Variant(tag, Box::new(payload.clone())),
        _ => return None,
    };
    Some(Arrow::Const(sum.clone(), lit))
}

/// The tag of a constant sum and its payload as a constant.
fn select(ty: &Type, lit: &Lit) -> Option<(u32, Arrow)> {
    let cases = ty.cases()?;
    let (tag, payload) = match lit {
        Lit::Bool(b) => (u32::from(*b), Lit::Unit),
        Lit::Variant(tag, payload) => (*tag, (**payload).clone()),
        _ => return None,
    };
    Some((tag, Arrow::Const(cases.get(tag as usize)?.clone(), payload)))
}
