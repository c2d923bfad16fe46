//! The slot form of a turn: [`Block`]s of [`Op`]s over a register file of [`Value`]s.
//!
//! Products are flattened by [`super::lower`] into separate registers, so projections and forks
//! cost nothing here; what is left is constants, primitives (integer and comparison operators
//! read their operands in place, without building a tuple), injections, `case` on a register
//! (a nested block per arm) and the packing of a product into one value where a whole tuple is
//! needed. This module only defines the form; it neither builds nor runs it.

use crate::bytecode::Site;
use crate::prim::Prim;
use crate::value::Value;

/// A register index.
pub type Reg = u32;

/// A straight-line sequence of operations; a `Case` op nests one block per arm.
#[derive(Clone, Debug, Default)]
pub struct Block {
    pub ops: Box<[Op]>,
    /// The fuel charged when the block starts: its own ops (at least one).
    pub cost: u64,
}

impl Block {
    pub fn new(ops: Vec<Op>) -> Block {
        let cost = u64::try_from(ops.len()).unwrap_or(u64::MAX).max(1);
        Block {
            ops: ops.into_boxed_slice(),
            cost,
        }
    }
}

/// A binary operator on two registers, computed without building the argument tuple.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Min,
    Max,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl BinOp {
    /// The operator computing `prim`, when `prim` is one.
    pub fn of(prim: Prim) -> Option<BinOp> {
        Some(match prim {
            Prim::Add => BinOp::Add,
            Prim::Sub => BinOp::Sub,
            Prim::Mul => BinOp::Mul,
            Prim::Min => BinOp::Min,
            Prim::Max => BinOp::Max,
            Prim::Eq => BinOp::Eq,
            Prim::Ne => BinOp::Ne,
            Prim::Lt => BinOp::Lt,
            Prim::Le => BinOp::Le,
            Prim::Gt => BinOp::Gt,
            Prim::Ge => BinOp::Ge,
            _ => return None,
        })
    }
}

/// Operand `i` of an op is read for the last time there when bit `i` of its `last` mask is set
/// (see [`super::liveness`]): it is moved out of its register instead of cloned, which saves
/// the reference-count traffic that dominates a turn.
pub type LastUses = u64;

/// One operation; `dst` registers are written, every other register is only read.
#[derive(Clone, Debug)]
pub enum Op {
    Const {
        dst: Reg,
        value: Value,
    },
    Move {
        dst: Reg,
        src: Reg,
        last: LastUses,
    },
    /// Component `index` of the tuple in `src`.
    Proj {
        dst: Reg,
        src: Reg,
        index: u32,
    },
    /// Every component of the tuple in `src`, one register each.
    Unpack {
        src: Reg,
        dsts: Box<[Reg]>,
    },
    /// A tuple of the registers `items`.
    Pack {
        dst: Reg,
        items: Box<[Reg]>,
        last: LastUses,
    },
    Inj {
        dst: Reg,
        src: Reg,
        tag: u32,
        last: LastUses,
    },
    /// `distl` on the pair in `src`, when no `case` follows it directly.
    Distl {
        dst: Reg,
        src: Reg,
    },
    Bin {
        op: BinOp,
        prim: Prim,
        site: Site,
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    /// `Bin` whose second operand is a constant (folded in by [`super::fuse`]).
    BinK {
        op: BinOp,
        prim: Prim,
        site: Site,
        dst: Reg,
        a: Reg,
        k: Value,
    },
    /// A primitive of n >= 2 parameters, its arguments in registers.
    PrimArgs {
        prim: Prim,
        site: Site,
        dst: Reg,
        args: Box<[Reg]>,
        last: LastUses,
    },
    /// A primitive on the whole value in `src`.
    Prim {
        prim: Prim,
        site: Site,
        dst: Reg,
        src: Reg,
        last: LastUses,
    },
    /// Splits the sum in `src`: its payload goes to `payload`, then arm `tag` runs.
    Case {
        src: Reg,
        payload: Reg,
        arms: Box<[Block]>,
        last: LastUses,
    },
    /// Invariant `index` holds when `src` is `true`.
    Check {
        src: Reg,
        index: u32,
        site: Site,
    },
    /// The turn can no longer trap: drop the old state kept for rollback in `regs` (register
    /// 1, or the registers of a held state's components) on their last use, so the state's
    /// collections become uniquely owned.
    Commit {
        regs: Box<[Reg]>,
        last: LastUses,
    },
    /// A call of a definition that does not exist (the verifier rules it out).
    BadCall,
}

/// The ops with one destination register that a pass may rename, binding it to `$dst`: one
/// list for [`Op::renamable_dst`] and [`Op::renamable_dst_mut`].
macro_rules! renamable {
    ($dst:ident) => {
        Op::Const { dst: $dst, .. }
            | Op::Move { dst: $dst, .. }
            | Op::Proj { dst: $dst, .. }
            | Op::Pack { dst: $dst, .. }
            | Op::Inj { dst: $dst, .. }
            | Op::Distl { dst: $dst, .. }
            | Op::Bin { dst: $dst, .. }
            | Op::BinK { dst: $dst, .. }
            | Op::PrimArgs { dst: $dst, .. }
            | Op::Prim { dst: $dst, .. }
    };
}

impl Op {
    /// The registers this op itself reads (a `case` its scrutinee, not its arms' operands).
    pub fn reads(&self) -> Vec<Reg> {
        match self {
            Op::Move { src, .. }
            | Op::Proj { src, .. }
            | Op::Unpack { src, .. }
            | Op::Inj { src, .. }
            | Op::Distl { src, .. }
            | Op::Prim { src, .. }
            | Op::Check { src, .. }
            | Op::Case { src, .. } => vec![*src],
            Op::Pack { items, .. } | Op::PrimArgs { args: items, .. } => items.to_vec(),
            Op::Bin { a, b, .. } => vec![*a, *b],
            Op::BinK { a, .. } => vec![*a],
            Op::Commit { regs, .. } => regs.to_vec(),
            Op::Const { .. } | Op::BadCall => Vec::new(),
        }
    }

    /// The one register this op writes, for the ops whose destination can be renamed.
    pub fn renamable_dst(&self) -> Option<Reg> {
        match self {
            renamable!(dst) => Some(*dst),
            _ => None,
        }
    }

    /// [`Op::renamable_dst`], to rename it.
    pub fn renamable_dst_mut(&mut self) -> Option<&mut Reg> {
        match self {
            renamable!(dst) => Some(dst),
            _ => None,
        }
    }
}
