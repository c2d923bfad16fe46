//! Depth and size bounds on the trees of an artifact: types, constants and arrows.
//!
//! Every function here recurses at most `depth_max + 1` levels whatever the input, so they are
//! safe to run on a hand-built or hostile artifact before anything else walks it. They do not
//! check types; `infer` does, after these bounds hold.

use crate::bytecode::{Arrow, Lit};
use crate::types::Type;

/// Whether `ty` nests no deeper than `depth_max` (a scalar has depth 1).
pub fn type_within(ty: &Type, depth_max: usize) -> bool {
    if depth_max == 0 {
        return false;
    }
    let below = depth_max - 1;
    match ty {
        Type::Unit | Type::Bool | Type::Int | Type::String => true,
        Type::Tuple(items) | Type::Sum(items) => items.iter().all(|t| type_within(t, below)),
        Type::Record(fields) => fields.iter().all(|f| type_within(&f.ty, below)),
        Type::Enum(e) => e
            .variants
            .iter()
            .all(|v| v.fields.iter().all(|t| type_within(t, below))),
        Type::Option(inner) | Type::List(inner) => type_within(inner, below),
        Type::Map(k, v) => type_within(k, below) && type_within(v, below),
    }
}

/// Whether `lit` nests no deeper than `depth_max`.
pub fn lit_within(lit: &Lit, depth_max: usize) -> bool {
    if depth_max == 0 {
        return false;
    }
    let below = depth_max - 1;
    match lit {
        Lit::Unit | Lit::Bool(_) | Lit::Int(_) | Lit::Str(_) => true,
        Lit::Tuple(items) | Lit::List(items) => items.iter().all(|l| lit_within(l, below)),
        Lit::Variant(_, payload) => lit_within(payload, below),
        Lit::Map(entries) => entries
            .iter()
            .all(|(k, v)| lit_within(k, below) && lit_within(v, below)),
    }
}

/// The number of nodes in an arrow tree, counting no further than `depth_max` levels (deeper
/// nodes are rejected by `infer` anyway).
pub fn arrow_size(arrow: &Arrow, depth_max: usize) -> usize {
    if depth_max == 0 {
        return 1;
    }
    let below = depth_max - 1;
    1 + match arrow {
        Arrow::Seq(arrows) | Arrow::Fork(arrows) | Arrow::Par(arrows) | Arrow::Case(arrows) => {
            arrows.iter().map(|a| arrow_size(a, below)).sum()
        }
        Arrow::Id
        | Arrow::Proj(_)
        | Arrow::Inj { .. }
        | Arrow::Distl
        | Arrow::Const(..)
        | Arrow::Prim(..)
        | Arrow::Call(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_type_nested_past_the_bound_is_outside_it() {
        let mut ty = Type::Int;
        for _ in 0..10 {
            ty = Type::List(Box::new(ty));
        }
        assert!(type_within(&ty, 11));
        assert!(!type_within(&ty, 10));
    }

    #[test]
    fn a_literal_nested_past_the_bound_is_outside_it() {
        let lit = Lit::Tuple(vec![Lit::Tuple(vec![Lit::Int(1)])]);
        assert!(lit_within(&lit, 3));
        assert!(!lit_within(&lit, 2));
    }
}
