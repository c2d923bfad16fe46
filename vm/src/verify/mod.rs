//! The verifier: the only way to turn an untrusted [`Artifact`] into a [`VerifiedProgram`],
//! which is the only thing the interpreter loads. It is a type checker for the arrow IR.
//!
//! Types are compared by SHAPE ([`shape`]): records are tuples of their fields, enums are sums
//! of their variants' payloads, and `Bool`, `Option`, `List`, `Map` and the scalars stay
//! themselves. The rules it checks, in order:
//!
//! 1. Bounds: at most `limits.defs_max` definitions; at most `limits.table_entries_max`
//!    arrow nodes in all, and as many invariants; every declared type (state, input, output,
//!    each definition's input and output, each migration's `other`) and the initial state nest
//!    no deeper than `limits.depth_max`.
//! 2. `init` is a constant of type `state` (the constant rules below).
//! 3. Each definition `k`'s body infers, from its declared input, to its declared output; its
//!    calls go only to definitions with an index below `k` (so calls form no cycle).
//! 4. The step infers from `(input, state)` to `(state, output)`.
//! 5. Each invariant infers from `state` to `Bool`.
//! 6. `migrate_up.body` infers from `other` to `state`; `migrate_down.body` from `state` to
//!    `other`.
//! 7. The step, invariants, migrations and definitions may call any definition below
//!    `defs.len()` (definitions: below their own index), and evaluation nests no deeper than
//!    [`crate::eval_ref::NESTING_MAX`] counting a called body as nested inside its call.
//!
//! Per arrow node, inferring `A -> B` from `A`:
//! - every arrow tree nests no deeper than `limits.depth_max`, and no type built by `Fork`,
//!   `Par` or `Distl` nests deeper than that either;
//! - `Id`: `A -> A`; `Seq`: each arrow's output is the next one's input (empty is `Id`);
//! - `Proj(i)`: `A` is a product (tuple or record) and `i` is below its arity;
//! - `Fork([])`: `A -> Unit`; `Fork(fs)`: `A -> (B0, ..., Bn)`, a tuple as long as `fs`;
//! - `Par(fs)`: `A` is a product with exactly as many components as `fs`, each arrow typed on
//!   its component;
//! - `Inj { sum, tag }`: `sum` is a sum (enum, `Bool`, `Option` or anonymous), `tag` is below
//!   its number of cases, and `A` has the shape of case `tag`'s payload; the output is `sum`;
//! - `Case(fs)`: `A` is a sum with as many cases as `fs` (at least one), arm `i` is typed on
//!   case `i`'s payload, and every arm's output has the shape of arm 0's, which is the output;
//! - `Distl`: `A` is a two-component product whose second component is a sum
//!   `C0 + ... + Cn`; the output is the anonymous sum `(E, C0) + ... + (E, Cn)`;
//! - `Const(T, lit)`: `lit` is a constant of `T`: scalars match, tuples and records have the
//!   right arity, variant tags are in range with well-typed payloads, list elements are
//!   typed, map keys and values are typed and keys strictly ascend in `Value` order;
//! - `Prim(p)`: `p`'s signature instantiates ([`Prim::instantiate`](crate::prim::Prim)) on
//!   the shapes of its arguments: `A` itself for one parameter, the `n` components of the
//!   product `A` for `n >= 2`;
//! - `Call(k)`: `k` is in range (see 7) and `A` has the shape of def `k`'s declared input; the
//!   output is its declared output.
//!
//! An error says where: which part of the artifact, and the path to the node
//! (`step.2.case[1]`: the step's `Seq` item 2, then arm 1 of that `Case`).
//!
//! The verifier does not evaluate anything and does not look at the debug sidecar.

mod bounds;
mod infer;
mod lit;
mod shape;
mod value;

pub use infer::infer;
pub use shape::{same_shape, shape};
pub use value::value_has_type;

use crate::bytecode::{Arrow, Artifact};
use crate::eval_ref::NESTING_MAX;
use crate::limits::Limits;
use crate::types::Type;
use bounds::{arrow_size, lit_within, type_within};
use infer::Checker;

/// Why an artifact was rejected: where (`context`, `path`) and what.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{context}{}: {message}", at_path(path))]
pub struct VerifyError {
    /// The part of the artifact, e.g. "in def `clamp`" or "in the step".
    pub context: String,
    /// The path to the offending node, e.g. "step.2.case[1]"; empty for artifact-level rules.
    pub path: String,
    pub message: String,
}

fn at_path(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!(", at {path}")
    }
}

/// An artifact that passed [`verify`]. Only this module can build one.
#[derive(Clone, Debug)]
pub struct VerifiedProgram {
    artifact: Artifact,
}

impl VerifiedProgram {
    pub fn artifact(&self) -> &Artifact {
        &self.artifact
    }
}

/// Checks every rule in this module's documentation.
pub fn verify(artifact: Artifact, limits: &Limits) -> Result<VerifiedProgram, VerifyError> {
    check_bounds(&artifact, limits)?;
    let def_nesting = check_defs(&artifact, limits)?;
    let state_pair = Type::Tuple(vec![artifact.input.clone(), artifact.state.clone()]);
    let step_out = Type::Tuple(vec![artifact.state.clone(), artifact.output.clone()]);
    let root = Root {
        artifact: &artifact,
        limits,
        def_nesting: &def_nesting,
    };
    root.check(
        "in the step",
        "step",
        &artifact.step,
        &state_pair,
        &step_out,
    )?;
    for (i, invariant) in artifact.invariants.iter().enumerate() {
        let context = format!("in invariant {i}");
        let path = format!("invariant[{i}]");
        root.check(
            &context,
            &path,
            &invariant.body,
            &artifact.state,
            &Type::Bool,
        )?;
    }
    if let Some(up) = &artifact.migrate_up {
        root.check(
            "in migrate_up",
            "migrate_up",
            &up.body,
            &up.other,
            &artifact.state,
        )?;
    }
    if let Some(down) = &artifact.migrate_down {
        let context = "in migrate_down";
        root.check(
            context,
            "migrate_down",
            &down.body,
            &artifact.state,
            &down.other,
        )?;
    }
    Ok(VerifiedProgram { artifact })
}

fn artifact_error(message: String) -> VerifyError {
    VerifyError {
        context: "in the artifact".into(),
        path: String::new(),
        message,
    }
}

/// Rule 1 and 2: counts, sizes and depths, then the initial state.
fn check_bounds(artifact: &Artifact, limits: &Limits) -> Result<(), VerifyError> {
    if artifact.defs.len() > limits.defs_max {
        return Err(artifact_error(format!(
            "{} defs, more than the limit of {}",
            artifact.defs.len(),
            limits.defs_max
        )));
    }
    let arrows = artifact
        .defs
        .iter()
        .map(|d| &d.body)
        .chain([&artifact.step])
        .chain(artifact.invariants.iter().map(|i| &i.body))
        .chain(artifact.migrate_up.iter().map(|m| &m.body))
        .chain(artifact.migrate_down.iter().map(|m| &m.body));
    let nodes: usize = arrows.map(|a| arrow_size(a, limits.depth_max)).sum();
    let entries_max = limits.table_entries_max;
    if nodes > entries_max || artifact.invariants.len() > entries_max {
        return Err(artifact_error(format!(
            "{nodes} arrow nodes and {} invariants, more than the limit of {entries_max}",
            artifact.invariants.len()
        )));
    }
    for ty in declared_types(artifact) {
        if !type_within(ty, limits.depth_max) {
            return Err(artifact_error(format!(
                "a declared type nests deeper than the limit of {} levels",
                limits.depth_max
            )));
        }
    }
    if !lit_within(&artifact.init, limits.depth_max) {
        return Err(artifact_error("the initial state nests too deeply".into()));
    }
    lit::check_lit(&artifact.init, &artifact.state)
        .map_err(|message| artifact_error(format!("the initial state: {message}")))
}

fn declared_types(artifact: &Artifact) -> impl Iterator<Item = &Type> {
    [&artifact.state, &artifact.input, &artifact.output]
        .into_iter()
        .chain(artifact.defs.iter().flat_map(|d| [&d.input, &d.output]))
        .chain(artifact.migrate_up.iter().map(|m| &m.other))
        .chain(artifact.migrate_down.iter().map(|m| &m.other))
}

/// Rule 3: each definition in index order; returns each body's evaluation nesting.
fn check_defs(artifact: &Artifact, limits: &Limits) -> Result<Vec<usize>, VerifyError> {
    let mut nesting = Vec::with_capacity(artifact.defs.len());
    for (k, def) in artifact.defs.iter().enumerate() {
        let mut checker = Checker {
            defs: &artifact.defs,
            caller: Some(k),
            depth_max: limits.depth_max,
            def_nesting: &nesting,
            context: format!("in def `{}`", def.name),
            path: "body".into(),
            nesting: 0,
        };
        let out = checker.infer(&def.body, &def.input, 0)?;
        expect_output(&checker, &out, &def.output, "the def declares")?;
        check_nesting(&checker)?;
        nesting.push(checker.nesting);
    }
    Ok(nesting)
}

/// What the step, invariants and migrations are checked against.
struct Root<'a> {
    artifact: &'a Artifact,
    limits: &'a Limits,
    def_nesting: &'a [usize],
}

impl Root<'_> {
    fn check(
        &self,
        context: &str,
        path: &str,
        body: &Arrow,
        input: &Type,
        output: &Type,
    ) -> Result<(), VerifyError> {
        let mut checker = Checker {
            defs: &self.artifact.defs,
            caller: None,
            depth_max: self.limits.depth_max,
            def_nesting: self.def_nesting,
            context: context.into(),
            path: path.into(),
            nesting: 0,
        };
        let out = checker.infer(body, input, 0)?;
        expect_output(&checker, &out, output, "it should give")?;
        check_nesting(&checker)
    }
}

fn expect_output(
    checker: &Checker<'_>,
    found: &Type,
    expected: &Type,
    why: &str,
) -> Result<(), VerifyError> {
    if same_shape(found, expected) {
        return Ok(());
    }
    Err(VerifyError {
        context: checker.context.clone(),
        path: checker.path.clone(),
        message: format!("gives {found}, but {why} {expected}"),
    })
}

fn check_nesting(checker: &Checker<'_>) -> Result<(), VerifyError> {
    if checker.nesting <= NESTING_MAX {
        return Ok(());
    }
    Err(VerifyError {
        context: checker.context.clone(),
        path: checker.path.clone(),
        message: format!(
            "evaluation would nest {} levels deep through calls, more than the limit of {NESTING_MAX}",
            checker.nesting
        ),
    })
}
