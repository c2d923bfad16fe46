//! Running a lowered [`Turn`] over a register file.
//!
//! The register file is reused between turns (one per thread, or the held state's own), so a turn allocates only what
//! its values need: packed tuples, variants and collection updates. Integer and comparison
//! operators read their operands in place. Fuel is charged per block entered (its op count).
//! It checks no types; a value of an unexpected shape (impossible for a verified program run
//! on well-typed values) traps like the reference evaluator instead of panicking.

use super::lower::{StateOut, Turn};
use super::ops::{BinOp, Block, Op, Reg};
use crate::bytecode::Site;
use crate::eval_ref::{distl, ill_typed, split_sum};
use crate::prim::Prim;
use crate::trap::{Trap, TrapKind};
use crate::value::Value;
use std::cell::RefCell;
use std::sync::Arc;

thread_local! {
    static REGISTERS: RefCell<Vec<Value>> = const { RefCell::new(Vec::new()) };
}

/// Runs `turn` (lowered for a whole state) on `(input, state)`: the new state and the output,
/// or the trap and the state as it was (kept in register 1 until the turn's commit, after
/// which nothing traps).
pub fn run_turn(
    turn: &Turn,
    input: Value,
    state: Value,
    fuel: &mut u64,
) -> Result<(Value, Value), (Trap, Value)> {
    // Taking the file out (not borrowing it) keeps a nested turn on this thread correct.
    let mut regs = REGISTERS.with(|cell| std::mem::take(&mut *cell.borrow_mut()));
    if regs.len() < turn.registers {
        regs.resize(turn.registers, Value::Unit);
    }
    regs[1] = state;
    let mut machine = Machine {
        regs: &mut regs,
        fuel,
    };
    let result = match machine.run(turn, input) {
        Ok(()) => machine.finish_whole(turn),
        Err(trap) => Err(trap),
    };
    let result = result.map_err(|trap| (trap, std::mem::replace(&mut regs[1], Value::Unit)));
    REGISTERS.with(|cell| *cell.borrow_mut() = regs);
    result
}

/// Runs `turn` (lowered for a held state) on `input` and the state components held in `regs`
/// (registers `2..`, see [`StateOut::Held`]): the output, with the new state's components
/// left where the old ones were; on a trap they are the old ones, untouched. `scratch` is a
/// reused buffer for the exchange.
pub fn run_held(
    turn: &Turn,
    input: Value,
    regs: &mut Vec<Value>,
    scratch: &mut Vec<Value>,
    fuel: &mut u64,
) -> Result<Value, Trap> {
    if regs.len() < turn.registers {
        regs.resize(turn.registers, Value::Unit);
    }
    let mut machine = Machine { regs, fuel };
    if let Err(trap) = machine.run(turn, input) {
        // Values left in scratch registers may share the state's collections; clearing them
        // keeps the next turn's updates in place.
        if let StateOut::Held { out, .. } = &turn.state
            && let Some(scratch_regs) = regs.get_mut(2 + out.len()..)
        {
            scratch_regs.fill(Value::Unit);
        }
        return Err(trap);
    }
    machine.finish_held(turn, scratch)
}

struct Machine<'r, 'f> {
    regs: &'r mut Vec<Value>,
    fuel: &'f mut u64,
}

impl Machine<'_, '_> {
    fn run(&mut self, turn: &Turn, input: Value) -> Result<(), Trap> {
        self.set(0, input)?;
        self.block(&turn.block)
    }

    /// The new state and the output of a finished turn lowered for a whole state.
    fn finish_whole(&mut self, turn: &Turn) -> Result<(Value, Value), Trap> {
        let StateOut::Whole(state) = turn.state else {
            return Err(ill_typed("turn state"));
        };
        let output = self.take(turn.output)?;
        // A step that answers with its state has one register for both.
        let state = if state == turn.output {
            output.clone()
        } else {
            self.take(state)?
        };
        Ok((state, output))
    }

    /// The output of a finished turn lowered for a held state; the new state's components
    /// move to registers `2..`. A register named twice (a component copied to another, or
    /// also the output) is cloned for all but its last mention.
    fn finish_held(&mut self, turn: &Turn, scratch: &mut Vec<Value>) -> Result<Value, Trap> {
        let StateOut::Held { out, direct, .. } = &turn.state else {
            return Err(ill_typed("turn state"));
        };
        if *direct {
            // Each new component is the old one, in place, or a register of its own.
            for (reg, held) in out.iter().zip(2..) {
                if *reg != held {
                    let value = self.take(*reg)?;
                    self.set(held, value)?;
                }
            }
            return self.take(turn.output);
        }
        scratch.clear();
        for (index, reg) in out.iter().enumerate() {
            let value = if out[index + 1..].contains(reg) || *reg == turn.output {
                self.get(*reg)?.clone()
            } else {
                self.take(*reg)?
            };
            scratch.push(value);
        }
        let output = self.take(turn.output)?;
        let held = self
            .regs
            .get_mut(2..2 + scratch.len())
            .ok_or_else(|| ill_typed("register"))?;
        for (slot, value) in held.iter_mut().zip(scratch.drain(..)) {
            *slot = value;
        }
        Ok(output)
    }

    /// Operand `index` of an op: moved out of `reg` when `last` marks it as its last read,
    /// cloned otherwise. Lowering numbers registers below `Turn::registers` and the file is at
    /// least that long, so the index is in range.
    fn fetch(&mut self, reg: Reg, last: u64, index: usize) -> Value {
        let slot = &mut self.regs[reg as usize];
        if index < 64 && last & (1 << index) != 0 {
            std::mem::replace(slot, Value::Unit)
        } else {
            slot.clone()
        }
    }

    fn get(&self, reg: Reg) -> Result<&Value, Trap> {
        usize::try_from(reg)
            .ok()
            .and_then(|r| self.regs.get(r))
            .ok_or_else(|| ill_typed("register"))
    }

    fn set(&mut self, reg: Reg, value: Value) -> Result<(), Trap> {
        let slot = usize::try_from(reg)
            .ok()
            .and_then(|r| self.regs.get_mut(r))
            .ok_or_else(|| ill_typed("register"))?;
        *slot = value;
        Ok(())
    }

    fn take(&mut self, reg: Reg) -> Result<Value, Trap> {
        let slot = usize::try_from(reg)
            .ok()
            .and_then(|r| self.regs.get_mut(r))
            .ok_or_else(|| ill_typed("register"))?;
        Ok(std::mem::replace(slot, Value::Unit))
    }

    fn block(&mut self, block: &Block) -> Result<(), Trap> {
        if *self.fuel < block.cost {
            *self.fuel = 0;
            return Err(Trap::new(TrapKind::OutOfFuel, Site::NONE));
        }
        *self.fuel -= block.cost;
        for op in &block.ops {
            self.op(op)?;
        }
        Ok(())
    }

    fn op(&mut self, op: &Op) -> Result<(), Trap> {
        match op {
            Op::Const { dst, value } => self.set(*dst, value.clone()),
            Op::Move { dst, src, last } => {
                let value = self.fetch(*src, *last, 0);
                self.set(*dst, value)
            }
            Op::Proj { dst, src, index } => {
                let value = component(self.get(*src)?, *index)?.clone();
                self.set(*dst, value)
            }
            Op::Unpack { src, dsts } => self.unpack(*src, dsts),
            Op::Pack { dst, items, last } => {
                // One allocation: a range iterator has an exact length.
                let values: Arc<[Value]> = (0..items.len())
                    .map(|i| self.fetch(items[i], *last, i))
                    .collect();
                self.set(*dst, Value::Tuple(values))
            }
            Op::Inj {
                dst,
                src,
                tag,
                last,
            } => {
                let payload = self.fetch(*src, *last, 0);
                self.set(*dst, Value::variant(*tag, payload))
            }
            Op::Distl { dst, src } => {
                let value = distl(self.get(*src)?.clone())?;
                self.set(*dst, value)
            }
            Op::Bin { .. } | Op::BinK { .. } | Op::PrimArgs { .. } | Op::Prim { .. } => {
                self.primitive(op)
            }
            Op::Case {
                src,
                payload,
                arms,
                last,
            } => self.case(*src, *payload, arms, *last),
            Op::Check { src, index, site } => match self.get(*src)? {
                Value::Bool(true) => Ok(()),
                Value::Bool(false) => Err(Trap::new(
                    TrapKind::InvariantViolated { index: *index },
                    *site,
                )),
                _ => Err(ill_typed("invariant result")),
            },
            Op::Commit { regs, last } => {
                for (index, reg) in regs.iter().enumerate() {
                    if index < 64 && last & (1 << index) != 0 {
                        drop(self.take(*reg)?);
                    }
                }
                Ok(())
            }
            Op::BadCall => Err(ill_typed("call target")),
        }
    }

    /// The ops that apply a primitive; a trap carries the op's site.
    fn primitive(&mut self, op: &Op) -> Result<(), Trap> {
        match op {
            Op::Bin {
                op,
                prim,
                site,
                dst,
                a,
                b,
            } => {
                let value = binary(*op, *prim, self.get(*a)?, self.get(*b)?)
                    .map_err(|kind| Trap::new(kind, *site))?;
                self.set(*dst, value)
            }
            Op::BinK {
                op,
                prim,
                site,
                dst,
                a,
                k,
            } => {
                let value =
                    binary(*op, *prim, self.get(*a)?, k).map_err(|kind| Trap::new(kind, *site))?;
                self.set(*dst, value)
            }
            Op::PrimArgs {
                prim,
                site,
                dst,
                args,
                last,
            } => {
                let value = self
                    .prim_args(*prim, args, *last)
                    .map_err(|kind| Trap::new(kind, *site))?;
                self.set(*dst, value)
            }
            Op::Prim {
                prim,
                site,
                dst,
                src,
                last,
            } => {
                let value = prim
                    .apply(self.fetch(*src, *last, 0))
                    .map_err(|k| Trap::new(k, *site))?;
                self.set(*dst, value)
            }
            _ => Err(ill_typed("primitive op")),
        }
    }

    fn unpack(&mut self, src: Reg, dsts: &[Reg]) -> Result<(), Trap> {
        let Value::Tuple(items) = self.get(src)? else {
            return Err(ill_typed("projection"));
        };
        if items.len() != dsts.len() {
            return Err(ill_typed("projection"));
        }
        let items = Arc::clone(items);
        for (dst, item) in dsts.iter().zip(items.iter()) {
            self.set(*dst, item.clone())?;
        }
        Ok(())
    }

    fn case(&mut self, src: Reg, payload: Reg, arms: &[Block], last: u64) -> Result<(), Trap> {
        let (tag, value) = match self.fetch(src, last, 0) {
            Value::Bool(b) => (u32::from(b), Value::Unit),
            Value::Variant(tag, inner) => (tag, Arc::unwrap_or_clone(inner)),
            other => split_sum(other)?,
        };
        let arm = usize::try_from(tag)
            .ok()
            .and_then(|t| arms.get(t))
            .ok_or_else(|| ill_typed("case tag"))?;
        self.set(payload, value)?;
        self.block(arm)
    }

    /// A primitive of several parameters; the common collection operations run on the
    /// registers directly, the others on a tuple of them.
    fn prim_args(&mut self, prim: Prim, args: &[Reg], last: u64) -> Result<Value, TrapKind> {
        let arg = |i: usize| -> Result<&Value, TrapKind> {
            args.get(i)
                .and_then(|r| usize::try_from(*r).ok())
                .and_then(|r| self.regs.get(r))
                .ok_or(TrapKind::LimitExceeded("ill-typed register".into()))
        };
        match (prim, args.len()) {
            (Prim::MapGet, 2) => {
                if let Value::Map(map) = arg(0)? {
                    return Ok(match map.get(arg(1)?) {
                        Some(found) => Value::variant(1, found.clone()),
                        None => Value::variant(0, Value::Unit),
                    });
                }
            }
            (Prim::MapContains, 2) => {
                if let Value::Map(map) = arg(0)? {
                    return Ok(Value::Bool(map.contains_key(arg(1)?)));
                }
            }
            // The collection updates take their operands straight from the registers: no
            // argument vector to allocate, and a collection read for the last time is moved,
            // so a uniquely owned one is updated in place.
            (Prim::ListPush, 2) => {
                let list = self.fetch(args[0], last, 0);
                let item = self.fetch(args[1], last, 1);
                return match list {
                    Value::List(mut list) => {
                        Arc::make_mut(&mut list).push_back(item);
                        Ok(Value::List(list))
                    }
                    other => prim.apply(Value::tuple(vec![other, item])),
                };
            }
            (Prim::MapInsert, 3) => {
                let map = self.fetch(args[0], last, 0);
                let key = self.fetch(args[1], last, 1);
                let value = self.fetch(args[2], last, 2);
                return match map {
                    Value::Map(mut map) => {
                        Arc::make_mut(&mut map).insert(key, value);
                        Ok(Value::Map(map))
                    }
                    other => prim.apply(Value::tuple(vec![other, key, value])),
                };
            }
            (Prim::MapRemove, 2) => {
                let map = self.fetch(args[0], last, 0);
                let key = self.fetch(args[1], last, 1);
                return match map {
                    Value::Map(mut map) => {
                        if map.contains_key(&key) {
                            Arc::make_mut(&mut map).remove(&key);
                        }
                        Ok(Value::Map(map))
                    }
                    other => prim.apply(Value::tuple(vec![other, key])),
                };
            }
            _ => {}
        }
        let values: Vec<Value> = (0..args.len())
            .map(|i| self.fetch(args[i], last, i))
            .collect();
        if matches!(prim, Prim::ListPush | Prim::MapInsert) {
            return update(prim, values);
        }
        prim.apply(Value::tuple(values))
    }
}

/// `List.push` / `Map.insert` on their arguments by value: the collection is moved, not
/// cloned, so a uniquely owned one is updated in place.
fn update(prim: Prim, values: Vec<Value>) -> Result<Value, TrapKind> {
    let mut parts = values.into_iter();
    match (prim, parts.next(), parts.next(), parts.next(), parts.next()) {
        (Prim::ListPush, Some(Value::List(mut list)), Some(item), None, None) => {
            Arc::make_mut(&mut list).push_back(item);
            Ok(Value::List(list))
        }
        (Prim::MapInsert, Some(Value::Map(mut map)), Some(key), Some(value), None) => {
            Arc::make_mut(&mut map).insert(key, value);
            Ok(Value::Map(map))
        }
        (_, a, b, c, d) => prim.apply(Value::tuple(
            a.into_iter().chain(b).chain(c).chain(d).collect(),
        )),
    }
}

fn component(value: &Value, index: u32) -> Result<&Value, Trap> {
    match value {
        Value::Tuple(items) => usize::try_from(index)
            .ok()
            .and_then(|i| items.get(i))
            .ok_or_else(|| ill_typed("projection")),
        _ => Err(ill_typed("projection")),
    }
}

/// `op` on two values, as `prim.apply` computes it on their pair.
#[inline(always)]
fn binary(op: BinOp, prim: Prim, a: &Value, b: &Value) -> Result<Value, TrapKind> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return binary_ints(op, *x, *y);
    }
    match op {
        BinOp::Eq => Ok(Value::Bool(a == b)),
        BinOp::Ne => Ok(Value::Bool(a != b)),
        BinOp::Lt => Ok(Value::Bool(a < b)),
        BinOp::Le => Ok(Value::Bool(a <= b)),
        BinOp::Gt => Ok(Value::Bool(a > b)),
        BinOp::Ge => Ok(Value::Bool(a >= b)),
        _ => prim.apply(Value::tuple(vec![a.clone(), b.clone()])),
    }
}

/// `op` on two integers, without going through `Value`'s ordering.
#[inline(always)]
fn binary_ints(op: BinOp, x: i64, y: i64) -> Result<Value, TrapKind> {
    let int = |result: Option<i64>| result.map(Value::Int).ok_or(TrapKind::Overflow);
    match op {
        BinOp::Add => int(x.checked_add(y)),
        BinOp::Sub => int(x.checked_sub(y)),
        BinOp::Mul => int(x.checked_mul(y)),
        BinOp::Min => Ok(Value::Int(x.min(y))),
        BinOp::Max => Ok(Value::Int(x.max(y))),
        BinOp::Eq => Ok(Value::Bool(x == y)),
        BinOp::Ne => Ok(Value::Bool(x != y)),
        BinOp::Lt => Ok(Value::Bool(x < y)),
        BinOp::Le => Ok(Value::Bool(x <= y)),
        BinOp::Gt => Ok(Value::Bool(x > y)),
        BinOp::Ge => Ok(Value::Bool(x >= y)),
    }
}
