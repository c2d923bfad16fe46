//! Fusion: a pass over a lowered turn, before the commit point is placed, that removes ops a
//! turn would otherwise run every time.
//!
//! Lowering ends each arm of a `case` by moving its result into registers common to all arms,
//! and keeps whatever follows the `case` (the rest of a handler, the invariants) after it, in
//! the enclosing block. That costs a dispatch per move, and it puts the invariant checks after
//! the collection updates of the arms, so the old state is still held for rollback when they
//! run and `List.push` / `Map.insert` must copy. Two rewrites fix both:
//!
//! - **Tail sinking**: a short straight-line tail after a block's last `case` is copied into the
//!   end of each arm. Every path runs the same ops in the same order, so values, traps and trap
//!   sites are unchanged; the commit point can then be placed inside the arm, after its checks,
//!   and the (non-trapping) collection updates [`super::commit`] sinks past it update in place.
//! - **Move coalescing**: `r = op(..); ...; x = move r` with `r` read nowhere else becomes
//!   `x = op(..)`. Registers stay written once per path.
//! - **Constant operands**: a constant read only as the second operand of a binary operator is
//!   folded into it ([`Op::BinK`]), so `count >= 0` is one op.
//!
//! Fuel is charged per op run, so a turn that runs fewer ops costs less; the sum charged along
//! any path is still fixed by the program and its inputs, so fuel use stays deterministic.

use super::ops::{Block, Op, Reg};
use std::collections::BTreeSet;

/// The longest tail copied into the arms of a `case` (bounds the growth of the turn).
const TAIL_MAX: usize = 24;
/// The most arms a `case` may have for its tail to be copied into them.
const ARMS_MAX: usize = 16;

/// Fuses `block`, given the registers read after it.
pub fn fuse(block: &mut Block, live_after: &[Reg]) {
    let live: BTreeSet<Reg> = live_after.iter().copied().collect();
    fuse_block(block, &live);
}

fn fuse_block(block: &mut Block, live_out: &BTreeSet<Reg>) {
    let mut ops = std::mem::take(&mut block.ops).into_vec();
    sink_tail(&mut ops);
    let live = live_after_each(&ops, live_out);
    coalesce(&mut ops, &live);
    // Recompute after each rewrite: an arm's live-out must name the registers as renamed.
    let live = live_after_each(&ops, live_out);
    fold_consts(&mut ops, &live);
    let live = live_after_each(&ops, live_out);
    for (op, live) in ops.iter_mut().zip(&live) {
        if let Op::Case { arms, .. } = op {
            for arm in arms.iter_mut() {
                fuse_block(arm, live);
            }
        }
    }
    *block = Block::new(ops);
}

/// Copies the ops after the last `case` of `ops` into each of its arms.
fn sink_tail(ops: &mut Vec<Op>) {
    let Some(at) = ops.iter().rposition(|op| matches!(op, Op::Case { .. })) else {
        return;
    };
    let tail_len = ops.len() - at - 1;
    if tail_len == 0 || tail_len > TAIL_MAX {
        return;
    }
    if ops[at + 1..]
        .iter()
        .any(|op| matches!(op, Op::Commit { .. } | Op::BadCall))
    {
        return;
    }
    let Some(Op::Case { arms, .. }) = ops.get(at) else {
        return;
    };
    if arms.is_empty() || arms.len() > ARMS_MAX {
        return;
    }
    let tail: Vec<Op> = ops.drain(at + 1..).collect();
    if let Some(Op::Case { arms, .. }) = ops.get_mut(at) {
        for arm in arms.iter_mut() {
            let mut arm_ops = std::mem::take(&mut arm.ops).into_vec();
            arm_ops.extend(tail.iter().cloned());
            *arm = Block::new(arm_ops);
        }
    }
}

/// Rewrites `r = op(..); ...; x = move r` into `x = op(..)` where `r` is dead after the move
/// and nothing in between touches `r` or `x`. `live[j]` is the set live after `ops[j]`.
fn coalesce(ops: &mut Vec<Op>, live: &[BTreeSet<Reg>]) {
    let mut j = ops.len();
    while j > 0 {
        j -= 1;
        let Op::Move { dst: x, src: r, .. } = ops[j] else {
            continue;
        };
        if x == r || live[j].contains(&r) {
            continue;
        }
        let mut i = j;
        let writer = loop {
            if i == 0 {
                break None;
            }
            i -= 1;
            if ops[i].renamable_dst() == Some(r) {
                break Some(i);
            }
            if touches(&ops[i], r) || touches(&ops[i], x) {
                break None;
            }
        };
        if let Some(i) = writer {
            if let Some(dst) = ops[i].renamable_dst_mut() {
                *dst = x;
            }
            ops.remove(j);
        }
    }
}

/// Rewrites `r = const k; ...; d = a <op> r` into `d = a <op> k` where `r` is read nowhere
/// else. A constant cannot trap, so dropping it changes no value or trap.
fn fold_consts(ops: &mut Vec<Op>, live: &[BTreeSet<Reg>]) {
    let mut dropped = vec![false; ops.len()];
    for j in 0..ops.len() {
        let Op::Bin { a, b: r, .. } = ops[j] else {
            continue;
        };
        if a == r || live[j].contains(&r) {
            continue;
        }
        let Some(i) = (0..j).rev().find(|&i| touches(&ops[i], r)) else {
            continue;
        };
        let Op::Const { dst, value } = &ops[i] else {
            continue;
        };
        if *dst != r || dropped[i] {
            continue;
        }
        let k = value.clone();
        if let Op::Bin {
            op,
            prim,
            site,
            dst,
            a,
            ..
        } = ops[j]
        {
            ops[j] = Op::BinK {
                op,
                prim,
                site,
                dst,
                a,
                k,
            };
            dropped[i] = true;
        }
    }
    let mut index = 0;
    ops.retain(|_| {
        index += 1;
        !dropped[index - 1]
    });
}

/// Whether `op` (or any op nested in it) reads or writes `reg`.
fn touches(op: &Op, reg: Reg) -> bool {
    if op.reads().contains(&reg) || writes(op).contains(&reg) {
        return true;
    }
    match op {
        Op::Case { arms, .. } => arms
            .iter()
            .any(|arm| arm.ops.iter().any(|op| touches(op, reg))),
        _ => false,
    }
}

/// The live sets after each op of `ops`, given those live after the last.
fn live_after_each(ops: &[Op], live_out: &BTreeSet<Reg>) -> Vec<BTreeSet<Reg>> {
    let mut result = vec![BTreeSet::new(); ops.len()];
    let mut live = live_out.clone();
    for (index, op) in ops.iter().enumerate().rev() {
        result[index] = live.clone();
        step_back(op, &mut live);
    }
    result
}

/// Turns `live` from the set after `op` into the set before it.
fn step_back(op: &Op, live: &mut BTreeSet<Reg>) {
    if let Op::Case {
        src, payload, arms, ..
    } = op
    {
        let mut before = BTreeSet::new();
        for arm in arms.iter() {
            let mut arm_live = live.clone();
            for op in arm.ops.iter().rev() {
                step_back(op, &mut arm_live);
            }
            before.extend(arm_live);
        }
        before.remove(payload);
        before.insert(*src);
        *live = before;
        return;
    }
    for reg in writes(op) {
        live.remove(&reg);
    }
    live.extend(op.reads());
}

/// The registers `op` itself writes (a `case` writes its payload register).
fn writes(op: &Op) -> Vec<Reg> {
    match op {
        Op::Unpack { dsts, .. } => dsts.to_vec(),
        Op::Case { payload, .. } => vec![*payload],
        other => other.renamable_dst().into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytecode::Site;
    use crate::interp::ops::BinOp;
    use crate::prim::Prim;
    use crate::value::Value;

    fn mv(dst: Reg, src: Reg) -> Op {
        Op::Move { dst, src, last: 0 }
    }

    #[test]
    fn a_move_of_a_fresh_result_becomes_its_destination() {
        let mut block = Block::new(vec![
            Op::Const {
                dst: 3,
                value: Value::Int(1),
            },
            mv(4, 3),
        ]);
        fuse(&mut block, &[4]);
        assert_eq!(block.ops.len(), 1);
        assert!(matches!(block.ops[0], Op::Const { dst: 4, .. }));
        assert_eq!(block.cost, 1);
    }

    #[test]
    fn a_move_of_a_register_read_again_stays() {
        let mut block = Block::new(vec![
            Op::Const {
                dst: 3,
                value: Value::Int(1),
            },
            mv(4, 3),
        ]);
        fuse(&mut block, &[3, 4]);
        assert_eq!(block.ops.len(), 2);
    }

    #[test]
    fn a_constant_read_once_by_an_operator_is_folded_into_it() {
        let mut block = Block::new(vec![
            Op::Const {
                dst: 3,
                value: Value::Int(0),
            },
            Op::Bin {
                op: BinOp::Ge,
                prim: Prim::Ge,
                site: Site(1),
                dst: 4,
                a: 2,
                b: 3,
            },
        ]);
        fuse(&mut block, &[4]);
        assert_eq!(block.ops.len(), 1);
        assert!(matches!(
            &block.ops[0],
            Op::BinK {
                dst: 4,
                a: 2,
                k: Value::Int(0),
                ..
            }
        ));
        // Still read afterwards: the constant stays.
        let mut kept = Block::new(vec![
            Op::Const {
                dst: 3,
                value: Value::Int(0),
            },
            Op::Bin {
                op: BinOp::Ge,
                prim: Prim::Ge,
                site: Site(1),
                dst: 4,
                a: 2,
                b: 3,
            },
        ]);
        fuse(&mut kept, &[3, 4]);
        assert_eq!(kept.ops.len(), 2);
    }

    #[test]
    fn the_tail_after_a_case_runs_in_each_arm() {
        let push = Op::PrimArgs {
            prim: Prim::ListPush,
            site: Site::NONE,
            dst: 5,
            args: vec![2, 4].into(),
            last: 0,
        };
        let arm = Block::new(vec![push, mv(6, 5)]);
        let other = Block::new(vec![mv(6, 2)]);
        let mut block = Block::new(vec![
            Op::Case {
                src: 0,
                payload: 4,
                arms: vec![arm, other].into(),
                last: 0,
            },
            mv(7, 6),
            Op::Check {
                src: 3,
                index: 0,
                site: Site::NONE,
            },
        ]);
        fuse(&mut block, &[7]);
        assert_eq!(block.ops.len(), 1, "only the case is left: {:?}", block.ops);
        let Op::Case { arms, .. } = &block.ops[0] else {
            panic!("not a case");
        };
        // The push writes the final register directly, then the check runs in the arm.
        assert!(matches!(arms[0].ops[0], Op::PrimArgs { dst: 7, .. }));
        assert!(matches!(arms[0].ops[1], Op::Check { .. }));
        assert_eq!(arms[0].ops.len(), 2);
        assert!(matches!(arms[1].ops[0], Op::Move { dst: 7, src: 2, .. }));
        assert_eq!(arms[1].cost, 2);
    }
}
