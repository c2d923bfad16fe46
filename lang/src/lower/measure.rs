//! Measures of arrows: size, depth and whether evaluating one may trap.
//!
//! All three walk the tree with an explicit stack, so no arrow, however deep, overflows the
//! host stack. Fuel exhaustion is not counted as "may trap": any arrow may run out of fuel,
//! and removing work never makes that more likely.

use quiver_vm::bytecode::Arrow;

/// The children of an arrow node.
fn children(arrow: &Arrow) -> &[Arrow] {
    match arrow {
        Arrow::Seq(items) | Arrow::Fork(items) | Arrow::Par(items) | Arrow::Case(items) => items,
        _ => &[],
    }
}

/// The number of nodes in the tree.
pub fn size(arrow: &Arrow) -> usize {
    let mut count = 0;
    let mut stack = vec![arrow];
    while let Some(node) = stack.pop() {
        count += 1;
        stack.extend(children(node));
    }
    count
}

/// The number of nodes on the longest path from the root to a leaf (a leaf has depth 1).
pub fn depth(arrow: &Arrow) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(arrow, 1usize)];
    while let Some((node, level)) = stack.pop() {
        deepest = deepest.max(level);
        stack.extend(children(node).iter().map(|child| (child, level + 1)));
    }
    deepest
}

/// Whether evaluating the arrow may trap: it contains a primitive that may trap, or calls a
/// definition that may (`def_may_trap[k]`; an unknown definition counts as trapping).
pub fn may_trap(arrow: &Arrow, def_may_trap: &[bool]) -> bool {
    let mut stack = vec![arrow];
    while let Some(node) = stack.pop() {
        match node {
            Arrow::Prim(prim, _) if prim.may_trap() => return true,
            Arrow::Call(def) if def_may_trap.get(*def as usize).copied().unwrap_or(true) => {
                return true;
            }
            _ => stack.extend(children(node)),
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use quiver_vm::bytecode::Site;
    use quiver_vm::prim::Prim;

    #[test]
    fn size_and_depth_count_nodes() {
        let arrow = Arrow::Seq(vec![
            Arrow::Fork(vec![Arrow::Id, Arrow::Proj(0)]),
            Arrow::Id,
        ]);
        assert_eq!(size(&arrow), 5);
        assert_eq!(depth(&arrow), 3);
    }

    #[test]
    fn additions_and_unknown_calls_may_trap_but_comparisons_do_not() {
        let add = Arrow::Fork(vec![Arrow::Prim(Prim::Add, Site::NONE)]);
        let lt = Arrow::Fork(vec![Arrow::Prim(Prim::Lt, Site::NONE)]);
        assert!(may_trap(&add, &[]));
        assert!(!may_trap(&lt, &[]));
        assert!(may_trap(&Arrow::Call(3), &[false]));
        assert!(!may_trap(&Arrow::Call(0), &[false]));
    }
}
