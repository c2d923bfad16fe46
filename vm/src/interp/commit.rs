//! In-place updates with rollback intact: the commit point of a lowered turn.
//!
//! A turn given its state by value ([`super::Loaded::step_owned`]) keeps the old state in
//! register 1 so that a trap can hand it back (a held state, [`super::held`], keeps it in its
//! component registers). A `Commit` op drops that register where nothing
//! after it, on its path, can trap (no op that may trap, no block entry that may run out of
//! fuel); from there the state's collections are uniquely owned and `Map.insert`,
//! `Map.remove` and `List.push` on their last use update them in place. To put more work after
//! the commit, collection updates are first sunk past the ops after them that do not read
//! their result (never into or past a `case`): a trap anywhere discards every effect of the turn, so which of two independent ops
//! runs first is unobservable, except for which trap is reported, and the sunk ops cannot
//! trap. Every path of the turn gets exactly one `Commit`.

use super::ops::{BinOp, Block, Op, Reg};
use crate::prim::Prim;

/// Sinks collection updates, then places one `Commit` on every path of `block`.
/// `kept` are the registers holding the old state (register 1, or a held state's components).
pub fn place(block: &mut Block, kept: &[Reg]) {
    sink(block);
    place_in(block, kept);
}

fn sink(block: &mut Block) {
    let mut ops = std::mem::take(&mut block.ops).into_vec();
    for op in &mut ops {
        if let Op::Case { arms, .. } = op {
            arms.iter_mut().for_each(sink);
        }
    }
    for i in (0..ops.len()).rev() {
        let Some(dst) = updated_collection(&ops[i]) else {
            continue;
        };
        let mut j = i;
        while j + 1 < ops.len()
            && !matches!(ops[j + 1], Op::Case { .. })
            && !ops[j + 1].reads().contains(&dst)
        {
            ops.swap(j, j + 1);
            j += 1;
        }
    }
    block.ops = ops.into_boxed_slice();
}

/// Places the commit in `block`, whose enclosing blocks cannot trap after it.
fn place_in(block: &mut Block, kept: &[Reg]) {
    let mut ops = std::mem::take(&mut block.ops).into_vec();
    let mut first_safe = ops.len();
    while first_safe > 0 && !can_trap(&ops[first_safe - 1]) {
        first_safe -= 1;
    }
    match first_safe.checked_sub(1).map(|i| &mut ops[i]) {
        // Everything after the case is safe: each arm commits on its own path.
        Some(Op::Case { arms, .. }) if !arms.is_empty() => {
            arms.iter_mut().for_each(|arm| place_in(arm, kept));
        }
        _ => ops.insert(
            first_safe,
            Op::Commit {
                regs: kept.into(),
                last: 0,
            },
        ),
    }
    block.ops = ops.into_boxed_slice();
}

/// The result register of an op that updates a collection.
fn updated_collection(op: &Op) -> Option<Reg> {
    match op {
        Op::PrimArgs {
            prim: Prim::MapInsert | Prim::MapRemove | Prim::ListPush,
            dst,
            ..
        } => Some(*dst),
        _ => None,
    }
}

/// Whether running `op` on well-typed values may trap (a case may run out of fuel).
fn can_trap(op: &Op) -> bool {
    match op {
        Op::Const { .. }
        | Op::Move { .. }
        | Op::Proj { .. }
        | Op::Unpack { .. }
        | Op::Pack { .. }
        | Op::Inj { .. }
        | Op::Distl { .. }
        | Op::Commit { .. } => false,
        Op::Bin { op, .. } | Op::BinK { op, .. } => {
            matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul)
        }
        Op::PrimArgs { prim, .. } | Op::Prim { prim, .. } => !cannot_trap(*prim),
        Op::Case { .. } | Op::Check { .. } | Op::BadCall => true,
    }
}

fn cannot_trap(prim: Prim) -> bool {
    matches!(
        prim,
        Prim::Eq
            | Prim::Ne
            | Prim::Lt
            | Prim::Le
            | Prim::Gt
            | Prim::Ge
            | Prim::Not
            | Prim::MapInsert
            | Prim::MapGet
            | Prim::MapRemove
            | Prim::MapContains
            | Prim::ListPush
            | Prim::ListGet
            | Prim::OptionUnwrapOr
            | Prim::OptionIsSome
            | Prim::Min
            | Prim::Max
    )
}
