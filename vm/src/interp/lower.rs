//! Lowering: a verified step (and the invariants after it) becomes one [`Block`] over
//! registers, with products flattened.
//!
//! A value being lowered has a [`Loc`]: one register, or a tuple of locations whose components
//! live in separate registers. `proj` of a tuple location is a renaming and `&&&` / `***` build
//! tuple locations, so neither emits anything; a product is packed into one register only where
//! a whole value is needed (an injection payload, a primitive argument, the new state). Calls
//! are inlined. `distl` followed by `case` becomes a `case` whose arms see the environment's
//! registers directly. Arms of a `case` end by moving their result into common registers.
//!
//! Every register is written once per path (fresh registers only), and ops keep the evaluation
//! order of everything that can trap, so the first trap is the reference evaluator's. Lowering
//! gives up with [`TooBig`] past a budget of visited arrows (inlining a DAG of calls could
//! otherwise grow exponentially); the caller then keeps the tree-walking path.

use super::ops::{BinOp, Block, Op, Reg};
use crate::bytecode::{Arrow, Artifact, Site};
use crate::prim::Prim;
use crate::types::Type;
use crate::value::Value;

/// How many arrows lowering may visit (inlined calls count each time).
const VISITS_MAX: usize = 200_000;

/// Lowering exceeded its budget.
#[derive(Debug)]
pub struct TooBig;

/// Where a value lives while lowering.
#[derive(Clone, Debug)]
pub enum Loc {
    Reg(Reg),
    Tuple(Vec<Loc>),
}

/// How a turn receives its state and hands back the new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateIn {
    /// The whole state value in register 1, unpacked by the turn; the new state is packed.
    Whole,
    /// The state's components already in registers (a held state, [`super::held`]); the new
    /// state's components are left in registers, never packed.
    Held,
}

/// Where a lowered turn leaves its new state.
#[derive(Debug)]
pub enum StateOut {
    /// One register with the whole new state.
    Whole(Reg),
    /// The state's components: `layout` places the components of the state a turn starts
    /// with (registers `2..2 + leaves.len()`, in order), `out` holds the new state's
    /// components in the same order when it ends. With `direct`, each of `out` is either the
    /// old component's own register or one that nothing else names (not another component,
    /// not the output) and the output is not an old component, so the new state moves into place one component at a time.
    Held {
        layout: Loc,
        out: Box<[Reg]>,
        direct: bool,
    },
}

/// A lowered turn: register 0 holds the input and register 1 (or the held components) the
/// state when it starts; it ends with the new state in `state` and the output in `output`.
#[derive(Debug)]
pub struct Turn {
    pub block: Block,
    pub registers: usize,
    pub state: StateOut,
    pub output: Reg,
}

/// Lowers the step of `artifact` and its invariants into one turn.
pub fn lower_turn(artifact: &Artifact, mode: StateIn) -> Result<Turn, TooBig> {
    let mut lowering = Lowering {
        defs: artifact.defs.iter().map(|d| &d.body).collect(),
        next: 2,
        visits: 0,
        ops: Vec::new(),
        unpacked: Vec::new(),
    };
    // The held components come first, so that they are registers 2.. in order.
    let held = (mode == StateIn::Held).then(|| lowering.layout(&artifact.state));
    let input = lowering.unpack(&artifact.input, 0);
    let state = match &held {
        Some(layout) => layout.clone(),
        None => lowering.unpack(&artifact.state, 1),
    };
    let result = lowering.arrow(&artifact.step, Loc::Tuple(vec![input, state]))?;
    let new_state = lowering.proj(&result, 0);
    let output = lowering.proj(&result, 1);
    for (index, invariant) in artifact.invariants.iter().enumerate() {
        let holds = lowering.arrow(&invariant.body, new_state.clone())?;
        let src = lowering.materialize(holds);
        let index = u32::try_from(index).map_err(|_| TooBig)?;
        lowering.ops.push(Op::Check {
            src,
            index,
            site: invariant.site,
        });
    }
    let output = lowering.materialize(output);
    let (state, kept, live_after) = match held {
        Some(layout) => {
            let mut out = Vec::new();
            lowering.leaves_of(&artifact.state, &new_state, &mut out);
            let kept = leaves(&layout);
            let live_after: Vec<Reg> = out.iter().copied().chain([output]).collect();
            let direct = moves_directly(&out, &kept, output);
            let out = out.into_boxed_slice();
            (
                StateOut::Held {
                    layout,
                    out,
                    direct,
                },
                kept,
                live_after,
            )
        }
        None => {
            let state = lowering.materialize(new_state);
            (StateOut::Whole(state), vec![1], vec![state, output])
        }
    };
    let mut block = Block::new(lowering.ops);
    super::fuse::fuse(&mut block, &live_after);
    super::commit::place(&mut block, &kept);
    super::liveness::mark_last_uses(&mut block, live_after);
    Ok(Turn {
        block,
        registers: usize::try_from(lowering.next).map_err(|_| TooBig)?,
        state,
        output,
    })
}

/// Whether the new components `out` can move into the held registers `kept` one at a time.
fn moves_directly(out: &[Reg], kept: &[Reg], output: Reg) -> bool {
    !kept.contains(&output)
        && out.iter().enumerate().all(|(index, reg)| {
            let own = kept.get(index) == Some(reg);
            let shared = *reg == output || out.iter().filter(|other| *other == reg).count() > 1;
            !shared && (own || !kept.contains(reg))
        })
}

/// The registers of `loc`'s components, depth first.
pub fn leaves(loc: &Loc) -> Vec<Reg> {
    let mut regs = Vec::new();
    push_leaves(loc, &mut regs);
    regs
}

fn push_leaves(loc: &Loc, regs: &mut Vec<Reg>) {
    match loc {
        Loc::Reg(reg) => regs.push(*reg),
        Loc::Tuple(parts) => parts.iter().for_each(|p| push_leaves(p, regs)),
    }
}

struct Lowering<'a> {
    defs: Vec<&'a Arrow>,
    next: Reg,
    visits: usize,
    /// The ops of the block being lowered.
    ops: Vec<Op>,
    /// Each `Unpack` of the turn's input or state: its component registers and the register
    /// of the whole, so that packing those components again reuses the whole.
    unpacked: Vec<(Vec<Reg>, Reg)>,
}

impl Lowering<'_> {
    fn fresh(&mut self) -> Reg {
        let reg = self.next;
        self.next += 1;
        reg
    }

    /// The location of a value of type `ty` in `reg`, its products split into registers.
    fn unpack(&mut self, ty: &Type, reg: Reg) -> Loc {
        let Some(components) = ty.components() else {
            return Loc::Reg(reg);
        };
        let dsts: Vec<Reg> = components.iter().map(|_| self.fresh()).collect();
        self.unpacked.push((dsts.clone(), reg));
        self.ops.push(Op::Unpack {
            src: reg,
            dsts: dsts.clone().into_boxed_slice(),
        });
        let parts = components
            .iter()
            .zip(dsts)
            .map(|(t, r)| self.unpack(t, r))
            .collect();
        Loc::Tuple(parts)
    }

    /// Fresh registers for a value of type `ty`, its products split into registers (no op).
    fn layout(&mut self, ty: &Type) -> Loc {
        match ty.components() {
            Some(components) => Loc::Tuple(components.iter().map(|t| self.layout(t)).collect()),
            None => Loc::Reg(self.fresh()),
        }
    }

    /// The registers of the components of `loc`, a value of type `ty`, split as
    /// [`Lowering::layout`] splits `ty` (projecting a packed product where needed).
    fn leaves_of(&mut self, ty: &Type, loc: &Loc, out: &mut Vec<Reg>) {
        match ty.components() {
            Some(components) => {
                for (index, component) in components.iter().enumerate() {
                    let part = self.proj(loc, u32::try_from(index).unwrap_or(u32::MAX));
                    self.leaves_of(component, &part, out);
                }
            }
            None => out.push(self.materialize(loc.clone())),
        }
    }

    /// Component `index` of `loc`: a renaming for a tuple location, a `Proj` op otherwise.
    fn proj(&mut self, loc: &Loc, index: u32) -> Loc {
        if let Loc::Tuple(parts) = loc
            && let Some(part) = usize::try_from(index).ok().and_then(|i| parts.get(i))
        {
            return part.clone();
        }
        let src = self.materialize(loc.clone());
        let dst = self.fresh();
        self.ops.push(Op::Proj { dst, src, index });
        Loc::Reg(dst)
    }

    /// One register holding the whole value at `loc`.
    fn materialize(&mut self, loc: Loc) -> Reg {
        match loc {
            Loc::Reg(reg) => reg,
            Loc::Tuple(parts) => {
                let items: Box<[Reg]> = parts.into_iter().map(|p| self.materialize(p)).collect();
                // An unchanged record of the state (or input) is the value it was unpacked
                // from: no new tuple. Unpacks run at the start of the turn, before every use.
                if let Some((_, whole)) = self.unpacked.iter().find(|(d, _)| d[..] == items[..]) {
                    return *whole;
                }
                let dst = self.fresh();
                self.ops.push(Op::Pack {
                    dst,
                    items,
                    last: 0,
                });
                dst
            }
        }
    }

    fn constant(&mut self, value: Value) -> Loc {
        let dst = self.fresh();
        self.ops.push(Op::Const { dst, value });
        Loc::Reg(dst)
    }

    fn arrow(&mut self, arrow: &Arrow, input: Loc) -> Result<Loc, TooBig> {
        self.visits += 1;
        if self.visits > VISITS_MAX {
            return Err(TooBig);
        }
        Ok(match arrow {
            Arrow::Id => input,
            Arrow::Seq(arrows) => self.seq(arrows, input)?,
            Arrow::Proj(index) => self.proj(&input, *index),
            Arrow::Fork(arrows) if arrows.is_empty() => self.constant(Value::Unit),
            Arrow::Fork(arrows) => Loc::Tuple(
                arrows
                    .iter()
                    .map(|a| self.arrow(a, input.clone()))
                    .collect::<Result<_, _>>()?,
            ),
            Arrow::Par(arrows) => self.par(arrows, &input)?,
            Arrow::Inj {
                sum: Type::Bool,
                tag,
            } => self.constant(Value::Bool(*tag == 1)),
            Arrow::Inj { tag, .. } => {
                let src = self.materialize(input);
                let dst = self.fresh();
                self.ops.push(Op::Inj {
                    dst,
                    src,
                    tag: *tag,
                    last: 0,
                });
                Loc::Reg(dst)
            }
            Arrow::Case(arms) => {
                let src = self.materialize(input);
                self.case(src, None, arms)?
            }
            Arrow::Distl => {
                let src = self.materialize(input);
                let dst = self.fresh();
                self.ops.push(Op::Distl { dst, src });
                Loc::Reg(dst)
            }
            Arrow::Const(_, lit) => self.constant(Value::from_lit(lit)),
            Arrow::Prim(prim, site) => self.prim(*prim, *site, input),
            Arrow::Call(index) => self.call(*index, input)?,
        })
    }

    fn call(&mut self, index: u32, input: Loc) -> Result<Loc, TooBig> {
        match usize::try_from(index)
            .ok()
            .and_then(|i| self.defs.get(i))
            .copied()
        {
            Some(body) => self.arrow(body, input),
            None => {
                self.ops.push(Op::BadCall);
                Ok(self.constant(Value::Unit))
            }
        }
    }

    fn par(&mut self, arrows: &[Arrow], input: &Loc) -> Result<Loc, TooBig> {
        let mut parts = Vec::with_capacity(arrows.len());
        for (index, arrow) in arrows.iter().enumerate() {
            let index = u32::try_from(index).map_err(|_| TooBig)?;
            let part = self.proj(input, index);
            parts.push(self.arrow(arrow, part)?);
        }
        Ok(Loc::Tuple(parts))
    }

    /// A sequence, flattened, with `distl >>> case` fused.
    fn seq(&mut self, arrows: &[Arrow], input: Loc) -> Result<Loc, TooBig> {
        let mut flat = Vec::with_capacity(arrows.len());
        flatten(arrows, &mut flat);
        let mut loc = input;
        let mut i = 0;
        while i < flat.len() {
            if let (Arrow::Distl, Some(Arrow::Case(arms))) = (flat[i], flat.get(i + 1)) {
                self.visits += 2;
                let env = self.proj(&loc, 0);
                let sum = self.proj(&loc, 1);
                let src = self.materialize(sum);
                loc = self.case(src, Some(env), arms)?;
                i += 2;
            } else {
                loc = self.arrow(flat[i], loc)?;
                i += 1;
            }
        }
        Ok(loc)
    }

    /// `case` on the sum in `src`; with `env`, each arm's input is `(env, payload)`.
    fn case(&mut self, src: Reg, env: Option<Loc>, arms: &[Arrow]) -> Result<Loc, TooBig> {
        let payload = self.fresh();
        let outer = std::mem::take(&mut self.ops);
        let mut blocks = Vec::with_capacity(arms.len());
        let mut results = Vec::with_capacity(arms.len());
        for arm in arms {
            let input = match &env {
                Some(env) => Loc::Tuple(vec![env.clone(), Loc::Reg(payload)]),
                None => Loc::Reg(payload),
            };
            results.push(self.arrow(arm, input)?);
            blocks.push(std::mem::take(&mut self.ops));
        }
        let dest = self.common(&results);
        let mut arms_done = Vec::with_capacity(blocks.len());
        for (ops, result) in blocks.into_iter().zip(results) {
            self.ops = ops;
            self.assign(&dest, result);
            arms_done.push(Block::new(std::mem::take(&mut self.ops)));
        }
        self.ops = outer;
        self.ops.push(Op::Case {
            src,
            payload,
            arms: arms_done.into_boxed_slice(),
            last: 0,
        });
        Ok(dest)
    }

    /// Fresh registers for the shape every result shares (tuples where all are tuples of the
    /// same arity, one register elsewhere).
    fn common(&mut self, results: &[Loc]) -> Loc {
        let arity = match results.first() {
            Some(Loc::Tuple(parts)) => parts.len(),
            _ => return Loc::Reg(self.fresh()),
        };
        let all_tuples = results
            .iter()
            .all(|r| matches!(r, Loc::Tuple(parts) if parts.len() == arity));
        if !all_tuples {
            return Loc::Reg(self.fresh());
        }
        let columns = (0..arity)
            .map(|i| {
                let column: Vec<Loc> = results
                    .iter()
                    .filter_map(|r| match r {
                        Loc::Tuple(parts) => parts.get(i).cloned(),
                        Loc::Reg(_) => None,
                    })
                    .collect();
                self.common(&column)
            })
            .collect();
        Loc::Tuple(columns)
    }

    /// Moves the value at `src` into the registers of `dest`.
    fn assign(&mut self, dest: &Loc, src: Loc) {
        match (dest, src) {
            (Loc::Reg(dst), src) => {
                let src = self.materialize(src);
                if src != *dst {
                    self.ops.push(Op::Move {
                        dst: *dst,
                        src,
                        last: 0,
                    });
                }
            }
            (Loc::Tuple(dests), src) => {
                for (index, dest) in dests.iter().enumerate() {
                    let part = self.proj(&src, u32::try_from(index).unwrap_or(u32::MAX));
                    self.assign(dest, part);
                }
            }
        }
    }

    fn prim(&mut self, prim: Prim, site: Site, input: Loc) -> Loc {
        let dst = self.fresh();
        match (BinOp::of(prim), input) {
            (Some(op), Loc::Tuple(parts)) if parts.len() == 2 => {
                let mut regs = parts.into_iter().map(|p| self.materialize(p));
                let (a, b) = (regs.next().unwrap_or(0), regs.next().unwrap_or(0));
                self.ops.push(Op::Bin {
                    op,
                    prim,
                    site,
                    dst,
                    a,
                    b,
                });
            }
            (_, Loc::Tuple(parts)) if parts.len() >= 2 => {
                let args = parts.into_iter().map(|p| self.materialize(p)).collect();
                self.ops.push(Op::PrimArgs {
                    prim,
                    site,
                    dst,
                    args,
                    last: 0,
                });
            }
            (_, input) => {
                let src = self.materialize(input);
                self.ops.push(Op::Prim {
                    prim,
                    site,
                    dst,
                    src,
                    last: 0,
                });
            }
        }
        Loc::Reg(dst)
    }
}

fn flatten<'a>(arrows: &'a [Arrow], out: &mut Vec<&'a Arrow>) {
    for arrow in arrows {
        match arrow {
            Arrow::Seq(inner) => flatten(inner, out),
            other => out.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytecode::{Def, Lit};

    fn artifact(defs: Vec<Def>, step: Arrow) -> Artifact {
        Artifact {
            name: "T".into(),
            state: Type::Tuple(vec![Type::Int, Type::Int]),
            input: Type::Int,
            output: Type::Int,
            init: Lit::Tuple(vec![Lit::Int(0), Lit::Int(0)]),
            defs,
            step,
            invariants: vec![],
            migrate_up: None,
            migrate_down: None,
        }
    }

    #[test]
    fn projections_and_forks_emit_no_ops_beyond_unpacking_packing_and_the_commit() {
        // (input, (a, b)) -> ((b, a), input): a swap of the state fields.
        let step = Arrow::Fork(vec![
            Arrow::Seq(vec![
                Arrow::Proj(1),
                Arrow::Fork(vec![Arrow::Proj(1), Arrow::Proj(0)]),
            ]),
            Arrow::Proj(0),
        ]);
        let turn =
            lower_turn(&artifact(vec![], step), StateIn::Whole).expect("a small step lowers");
        let kinds: Vec<&str> = turn
            .block
            .ops
            .iter()
            .map(|op| match op {
                Op::Unpack { .. } => "unpack",
                Op::Pack { .. } => "pack",
                Op::Commit { .. } => "commit",
                _ => "other",
            })
            .collect();
        assert_eq!(kinds, ["commit", "unpack", "pack"]);
        assert_eq!(turn.output, 0);
    }

    #[test]
    fn a_call_dag_that_would_inline_exponentially_is_refused() {
        let mut defs = vec![Def {
            name: "d0".into(),
            input: Type::Int,
            output: Type::Int,
            body: Arrow::Id,
        }];
        for k in 1..40u32 {
            defs.push(Def {
                name: format!("d{k}"),
                input: Type::Int,
                output: Type::Int,
                body: Arrow::Seq(vec![
                    Arrow::Fork(vec![Arrow::Call(k - 1), Arrow::Call(k - 1)]),
                    Arrow::Proj(0),
                ]),
            });
        }
        let step = Arrow::Fork(vec![
            Arrow::Proj(1),
            Arrow::Seq(vec![Arrow::Proj(0), Arrow::Call(39)]),
        ]);
        assert!(lower_turn(&artifact(defs, step), StateIn::Whole).is_err());
    }
}
