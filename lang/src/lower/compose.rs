//! Whole machines, defined or composite, as one step plus invariants.
//!
//! A composite's state is `(left state, right state)`. Each part's step becomes a shared
//! definition (`Def`, named `<part>.step`, input `(input, state)`, output `(state, output)`),
//! lowered once per part name however often the part occurs, and the composite's step is
//! plumbing around calls of them, as in combinators.md ("Machine composition lifts to steps"):
//! - `A >>> B`: run A on `(x, sa)`, feed its output to B with `sb`, pair the new states;
//! - `A *** B`: A on `(x.0, sa)`, B on `(x.1, sb)`, states and outputs paired;
//! - `A &&& B`: both on `x`, states and outputs paired;
//! - `A ||| B`: `distl` on the input `Left(a) | Right(b)` (tags 0 and 1), then the chosen part.
//!
//! A part's invariants become the composite's, read through `proj 0` / `proj 1`. A composite
//! has no migrations of its own (each part is upgraded alone). Evaluating the initial state is
//! `codegen.rs`'s job; this module only lowers it.

use super::machine::DefinedCode;
use super::{Lowerer, seq};
use crate::ast::ComposeOp;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::tir::{Machine, MachineBody};
use quiver_vm::bytecode::{self, Arrow, Def};
use quiver_vm::types::Type;
use std::collections::BTreeMap;

/// The deepest nesting of composites lowering follows.
pub const COMPOSE_DEPTH_MAX: usize = 64;

/// How to compute a machine's initial state: a defined machine's arrow `Unit -> state` (with
/// the span of its `state` block), or a composite's pair of its parts' states.
#[derive(Clone, Debug)]
pub(crate) enum InitCode {
    Defined(Arrow, Span),
    Pair(Box<InitCode>, Box<InitCode>),
}

/// A whole machine, lowered.
#[derive(Clone, Debug)]
pub(crate) struct MachineCode {
    /// `(input, state) -> (state, output)`; it may call the part steps.
    pub(crate) step: Arrow,
    pub(crate) invariants: Vec<bytecode::Invariant>,
    pub(crate) migrate_up: Option<bytecode::Migration>,
    pub(crate) migrate_down: Option<bytecode::Migration>,
    pub(crate) init: InitCode,
}

/// The part steps of composites, as definitions numbered from `first` on.
pub(crate) struct PartSteps {
    first: u32,
    defs: Vec<Def>,
    /// Per part name: its step's definition index and its lowered code.
    lowered: BTreeMap<String, (u32, MachineCode)>,
}

impl PartSteps {
    /// An empty table whose first definition will have index `first`.
    pub(crate) fn new(first: u32) -> PartSteps {
        PartSteps {
            first,
            defs: Vec::new(),
            lowered: BTreeMap::new(),
        }
    }

    /// The definitions, in index order.
    pub(crate) fn into_defs(self) -> Vec<Def> {
        self.defs
    }

    fn add(&mut self, machine: &Machine, code: MachineCode) -> u32 {
        let index = self
            .first
            .saturating_add(u32::try_from(self.defs.len()).unwrap_or(u32::MAX));
        self.defs.push(Def {
            name: format!("{}.step", machine.name),
            input: Type::Tuple(vec![machine.input.clone(), machine.state.clone()]),
            output: Type::Tuple(vec![machine.state.clone(), machine.output.clone()]),
            body: code.step.clone(),
        });
        self.lowered.insert(machine.name.clone(), (index, code));
        index
    }
}

/// Lowers a machine, defined or composite; the part steps go into `parts`.
pub(crate) fn lower_machine(
    lw: &mut Lowerer,
    machine: &Machine,
    parts: &mut PartSteps,
) -> MachineCode {
    lower_at_depth(lw, machine, parts, 0)
}

fn lower_at_depth(
    lw: &mut Lowerer,
    machine: &Machine,
    parts: &mut PartSteps,
    depth: usize,
) -> MachineCode {
    match &machine.body {
        MachineBody::Defined(defined) => {
            let DefinedCode {
                step,
                invariants,
                migrate_up,
                migrate_down,
            } = lw.defined(defined);
            let init = InitCode::Defined(lw.init(defined), defined.init.span);
            MachineCode {
                step,
                invariants,
                migrate_up,
                migrate_down,
                init,
            }
        }
        MachineBody::Composed { op, left, right } => {
            if depth >= COMPOSE_DEPTH_MAX {
                lw.errors.push(
                    Diagnostic::new(
                        "E0503",
                        format!("machines composed more than {COMPOSE_DEPTH_MAX} levels deep"),
                        machine.span,
                        "composed too deeply to compile",
                    )
                    .with_help("compose fewer machines in one composite"),
                );
                return MachineCode {
                    step: Arrow::Id,
                    invariants: Vec::new(),
                    migrate_up: None,
                    migrate_down: None,
                    init: InitCode::Defined(Arrow::Id, machine.span),
                };
            }
            let (left_def, left_code) = part(lw, left, parts, depth);
            let (right_def, right_code) = part(lw, right, parts, depth);
            let step = composite_step(*op, Arrow::Call(left_def), Arrow::Call(right_def));
            let invariants = lift(&left_code.invariants, 0)
                .chain(lift(&right_code.invariants, 1))
                .collect();
            let init = InitCode::Pair(Box::new(left_code.init), Box::new(right_code.init));
            MachineCode {
                step,
                invariants,
                migrate_up: None,
                migrate_down: None,
                init,
            }
        }
    }
}

/// A part's step definition and code, lowered once per part name.
fn part(
    lw: &mut Lowerer,
    machine: &Machine,
    parts: &mut PartSteps,
    depth: usize,
) -> (u32, MachineCode) {
    if let Some((def, code)) = parts.lowered.get(&machine.name) {
        return (*def, code.clone());
    }
    let code = lower_at_depth(lw, machine, parts, depth + 1);
    let def = parts.add(machine, code.clone());
    (def, code)
}

/// The invariants of the part at `index` of the state pair, as invariants of the pair.
fn lift(
    invariants: &[bytecode::Invariant],
    index: u32,
) -> impl Iterator<Item = bytecode::Invariant> + '_ {
    invariants.iter().map(move |invariant| bytecode::Invariant {
        body: seq([Arrow::Proj(index), invariant.body.clone()]),
        site: invariant.site,
    })
}

/// The projection path `proj p0 >>> proj p1 >>> ...`.
fn path(indices: &[u32]) -> Arrow {
    seq(indices.iter().map(|&i| Arrow::Proj(i)))
}

fn pair(first: Arrow, second: Arrow) -> Arrow {
    Arrow::Fork(vec![first, second])
}

/// The composite's step `(x, (sa, sb)) -> ((sa', sb'), y)` from the parts' steps.
pub(crate) fn composite_step(op: ComposeOp, left: Arrow, right: Arrow) -> Arrow {
    match op {
        ComposeOp::Then => seq([
            // ((sa', ya), sb)
            pair(seq([pair(path(&[0]), path(&[1, 0])), left]), path(&[1, 1])),
            // (sa', (sb', yb))
            pair(path(&[0, 0]), seq([pair(path(&[0, 1]), path(&[1])), right])),
            pair(pair(path(&[0]), path(&[1, 0])), path(&[1, 1])),
        ]),
        ComposeOp::Par => seq([
            // ((sa', ya), (sb', yb))
            pair(
                seq([pair(path(&[0, 0]), path(&[1, 0])), left]),
                seq([pair(path(&[0, 1]), path(&[1, 1])), right]),
            ),
            regroup(),
        ]),
        ComposeOp::Fanout => seq([
            pair(
                seq([pair(path(&[0]), path(&[1, 0])), left]),
                seq([pair(path(&[0]), path(&[1, 1])), right]),
            ),
            regroup(),
        ]),
        ComposeOp::Choice => seq([
            // (s, x) >>> distl: case 0 sees (s, a), case 1 sees (s, b).
            pair(path(&[1]), path(&[0])),
            Arrow::Distl,
            Arrow::Case(vec![
                seq([
                    // ((sa', y), sb)
                    pair(seq([pair(path(&[1]), path(&[0, 0])), left]), path(&[0, 1])),
                    pair(pair(path(&[0, 0]), path(&[1])), path(&[0, 1])),
                ]),
                seq([
                    // (sa, (sb', y))
                    pair(path(&[0, 0]), seq([pair(path(&[1]), path(&[0, 1])), right])),
                    pair(pair(path(&[0]), path(&[1, 0])), path(&[1, 1])),
                ]),
            ]),
        ]),
    }
}

/// `((sa', ya), (sb', yb)) -> ((sa', sb'), (ya, yb))`.
fn regroup() -> Arrow {
    pair(
        pair(path(&[0, 0]), path(&[1, 0])),
        pair(path(&[0, 1]), path(&[1, 1])),
    )
}
