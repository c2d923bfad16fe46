//! Last uses: a backward pass over a lowered turn that marks each operand read for the last
//! time on its path, so that running it moves the value out of its register instead of
//! cloning it (saving a reference-count increment and, later, a decrement).
//!
//! Registers are written once per path, so a register not live after an op is dead after a
//! read there. A `case` is live-in what any arm needs. The registers read after the block (the
//! new state and the output) start live. Only the `last` masks change; no op is added or moved.

use super::ops::{Block, LastUses, Op, Reg};
use std::collections::BTreeSet;

/// Marks the last uses in `block`, given the registers read after it.
pub fn mark_last_uses(block: &mut Block, live_after: impl IntoIterator<Item = Reg>) {
    let mut live: BTreeSet<Reg> = live_after.into_iter().collect();
    walk(&mut block.ops, &mut live);
}

/// Turns `live` from the registers live after `ops` into those live before them.
fn walk(ops: &mut [Op], live: &mut BTreeSet<Reg>) {
    for op in ops.iter_mut().rev() {
        match op {
            Op::Case {
                src,
                payload,
                arms,
                last,
            } => {
                let mut before = BTreeSet::new();
                for arm in arms.iter_mut() {
                    let mut arm_live = live.clone();
                    walk(&mut arm.ops, &mut arm_live);
                    before.extend(arm_live);
                }
                before.remove(payload);
                *live = before;
                *last = reads(live, &[*src]);
            }
            Op::Move { dst, src, last }
            | Op::Inj { dst, src, last, .. }
            | Op::Prim { dst, src, last, .. } => {
                live.remove(dst);
                *last = reads(live, &[*src]);
            }
            Op::Commit { regs, last } => *last = reads(live, regs),
            Op::Pack { dst, items, last }
            | Op::PrimArgs {
                dst,
                args: items,
                last,
                ..
            } => {
                live.remove(dst);
                *last = reads(live, items);
            }
            other => {
                for dst in written(other) {
                    live.remove(&dst);
                }
                for src in read(other) {
                    live.insert(src);
                }
            }
        }
    }
}

/// The mask of `operands` read for the last time (the last read of a repeated register only),
/// adding them all to `live`.
fn reads(live: &mut BTreeSet<Reg>, operands: &[Reg]) -> LastUses {
    let mut mask = 0;
    for (index, reg) in operands.iter().enumerate().rev() {
        if live.insert(*reg) && index < 64 {
            mask |= 1 << index;
        }
    }
    mask
}

fn written(op: &Op) -> Vec<Reg> {
    match op {
        Op::Const { dst, .. }
        | Op::Proj { dst, .. }
        | Op::Distl { dst, .. }
        | Op::Bin { dst, .. }
        | Op::BinK { dst, .. } => {
            vec![*dst]
        }
        Op::Unpack { dsts, .. } => dsts.to_vec(),
        _ => Vec::new(),
    }
}

fn read(op: &Op) -> Vec<Reg> {
    match op {
        Op::Proj { src, .. }
        | Op::Unpack { src, .. }
        | Op::Distl { src, .. }
        | Op::Check { src, .. } => {
            vec![*src]
        }
        Op::Bin { a, b, .. } => vec![*a, *b],
        Op::BinK { a, .. } => vec![*a],
        _ => Vec::new(),
    }
}
