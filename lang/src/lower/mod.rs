//! Lowering: the typed IR (`tir`) to first-order arrow combinators (`vm::bytecode::Arrow`).
//!
//! - `env.rs`: where each variable lives in the environment value (a projection path).
//! - `expr.rs`: one expression to an arrow `environment -> value`, with no closures.
//! - `machine.rs`: a defined machine's step, invariants and migrations.
//! - `compose.rs`: composite machines (`>>>`, `***`, `&&&`, `|||`) from their parts' steps.
//! - `simplify.rs`: rewriting arrows by the category laws, never dropping a possible trap.
//! - `measure.rs`: size, depth and "may trap" of arrows.
//!
//! Lowering never looks at source text and never evaluates anything; assembling the artifact
//! (choosing which functions become definitions, evaluating `init`) is `codegen.rs`'s job.
//! Lowering itself cannot fail on a well-formed `tir::Program`; it reports a diagnostic
//! instead of recursing without bound or when the IR breaks its own rules (a variable level
//! out of scope), so that no input makes it panic.

pub(crate) mod compose;
mod env;
mod expr;
mod machine;
pub mod measure;
pub mod simplify;

use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::tir;
use quiver_vm::bytecode::{Arrow, Site, SiteInfo};
use quiver_vm::prim::Prim;
use quiver_vm::types::Type;

pub(crate) use compose::{PartSteps, lower_machine};
pub(crate) use env::Env;

/// The deepest expression nesting lowering follows (`let` chains do not count: they are
/// lowered in a loop). Anything deeper could never pass the verifier's depth bound anyway.
pub const EXPR_DEPTH_MAX: usize = 512;

/// The arrow `environment -> value` of an expression, where the environment holds variables
/// of the types `env` (levels `0..env.len()`) packed by the calling convention: `Unit` for
/// none, the value itself for one, an n-tuple for more. Calls keep their `tir` function
/// indices. For tests and the REPL; sites are numbered from 0 but their table is dropped.
///
/// This never panics: an expression that lowering rejects (see [`try_lower_expr`]) gives an
/// arrow that calls a definition that cannot exist, which the verifier rejects.
pub fn lower_expr(expr: &tir::Expr, env: &[Type]) -> Arrow {
    try_lower_expr(expr, env).unwrap_or(Arrow::Call(u32::MAX))
}

/// Like [`lower_expr`], but reports why an expression cannot be lowered: nesting deeper than
/// [`EXPR_DEPTH_MAX`], or a variable level out of scope.
pub fn try_lower_expr(expr: &tir::Expr, env: &[Type]) -> Result<Arrow, Vec<Diagnostic>> {
    let mut lowerer = Lowerer::new(None);
    let base = u32::try_from(env.len()).unwrap_or(u32::MAX);
    let arrow = lowerer.arrow(expr, Env::packed(base));
    lowerer.finish().map(|_| arrow)
}

/// The state of one lowering run: the sites handed out so far, how `tir` function indices
/// map to artifact definitions, and the errors found.
pub(crate) struct Lowerer {
    sites: Vec<SiteInfo>,
    /// `tir` function index to definition index; `None` keeps indices as they are.
    fn_to_def: Option<Vec<Option<u32>>>,
    errors: Vec<Diagnostic>,
    depth: usize,
}

impl Lowerer {
    pub(crate) fn new(fn_to_def: Option<Vec<Option<u32>>>) -> Lowerer {
        Lowerer {
            sites: Vec::new(),
            fn_to_def,
            errors: Vec::new(),
            depth: 0,
        }
    }

    /// A new site for something that can trap at `span`.
    pub(crate) fn site(&mut self, span: Span, what: impl Into<String>) -> Site {
        let index = u32::try_from(self.sites.len()).unwrap_or(u32::MAX);
        self.sites.push(SiteInfo {
            start: span.start,
            end: span.end,
            what: what.into(),
        });
        Site(index)
    }

    /// The definition a call of `tir` function `index` refers to.
    fn def_of(&mut self, index: u32, span: Span) -> u32 {
        let Some(map) = &self.fn_to_def else {
            return index;
        };
        match map.get(index as usize).copied().flatten() {
            Some(def) => def,
            None => {
                self.internal(
                    span,
                    format!("call of function {index}, which was not lowered"),
                );
                u32::MAX
            }
        }
    }

    /// Records a broken rule of the typed IR: a bug in an earlier stage, reported, not panicked.
    fn internal(&mut self, span: Span, what: String) {
        self.errors.push(
            Diagnostic::new("E0590", format!("internal error: {what}"), span, "here")
                .with_help("this is a compiler bug; please report it with this file"),
        );
    }

    /// The sites handed out, or every error found.
    pub(crate) fn finish(self) -> Result<Vec<SiteInfo>, Vec<Diagnostic>> {
        if self.errors.is_empty() {
            Ok(self.sites)
        } else {
            Err(self.errors)
        }
    }
}

/// What a primitive does, for trap messages: "integer addition", "division", "assert".
pub fn prim_what(prim: Prim) -> String {
    let fixed = match prim {
        Prim::Add => "integer addition",
        Prim::Sub => "integer subtraction",
        Prim::Mul => "integer multiplication",
        Prim::Div => "division",
        Prim::Rem => "remainder",
        Prim::Neg => "integer negation",
        Prim::Abs => "absolute value",
        Prim::Assert => "assert",
        Prim::Eq | Prim::Ne => "equality test",
        Prim::Lt | Prim::Le | Prim::Gt | Prim::Ge => "comparison",
        Prim::Not => "boolean negation",
        Prim::Concat => "string concatenation",
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_string();
    }
    quiver_stdlib::FUNCTIONS
        .iter()
        .find(|f| f.prim == prim)
        .map(|f| format!("call of `{}.{}`", f.module, f.name))
        .unwrap_or_else(|| format!("primitive `{}`", prim.name()))
}

/// Composes arrows left to right, flattening nested sequences and dropping identities, so
/// that chains never nest: no arrows is `Id`, one is itself.
pub fn seq(parts: impl IntoIterator<Item = Arrow>) -> Arrow {
    let mut flat = Vec::new();
    for part in parts {
        match part {
            Arrow::Id => {}
            Arrow::Seq(inner) => flat.extend(inner.into_iter().filter(|a| *a != Arrow::Id)),
            other => flat.push(other),
        }
    }
    match flat.len() {
        0 => Arrow::Id,
        1 => flat.pop().unwrap_or(Arrow::Id),
        _ => Arrow::Seq(flat),
    }
}
