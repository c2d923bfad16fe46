//! The type checker: resolves names and types in a parsed file, checks every rule of
//! `spec/language.md` sections 3–7, and desugars the file into the typed IR (`tir`).
//!
//! The work is split by concern: `types` resolves type expressions and declarations, `scope`
//! is the variable environment of one body, `expr`/`block`/`ctor`/`match_expr` type
//! expressions, `patterns` compiles `match`es and handlers into nested `Match`es (checking
//! exhaustiveness), `fns` checks functions and orders them by their call graph,
//! `machine`/`handlers`/`migrate` check machines, `compose` checks composites, `source`
//! writes expressions back as text (an invariant's name), and `print` dumps the result.
//!
//! Every item, function and handler is checked independently so that all errors are reported;
//! an expression that failed to check gets the internal *error type* (see [`error_type`]),
//! which matches everything, so one mistake is reported once. The checker does no IO and does
//! not lower anything to combinators: that is `lower/`.

use crate::ast;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::tir;
use quiver_vm::types::Type;

mod block;
mod compose;
mod ctor;
mod expr;
mod fns;
mod handlers;
mod machine;
mod match_expr;
mod migrate;
mod patterns;
pub mod print;
mod scope;
pub mod session;
mod source;
mod types;

use scope::Scope;
use types::TypeTable;

/// The deepest nesting of expressions, patterns or types the checker follows; deeper input
/// is reported as an error instead of overflowing the stack.
const NESTING_MAX: u32 = 128;

/// Checks a parsed file and desugars it into the typed IR. The program is `None` when any
/// error was found; every error found is reported.
pub fn check(file: &ast::File) -> (Option<tir::Program>, Vec<Diagnostic>) {
    let mut checker = Checker::new(file);
    let fns = checker.check_fns();
    let machines = checker.check_machines(file);
    let diagnostics = dedup(checker.diags);
    if !diagnostics.is_empty() {
        return (None, diagnostics);
    }
    (Some(tir::Program { fns, machines }), diagnostics)
}

/// The same body checked along two paths of a decision tree reports the same error twice;
/// keep the first of each.
fn dedup(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut kept: Vec<Diagnostic> = Vec::new();
    for d in diagnostics {
        if !kept.contains(&d) {
            kept.push(d);
        }
    }
    kept
}

/// The type given to an expression that failed to check. The surface language never writes
/// an anonymous sum, so the empty sum can stand for "unknown because of an earlier error": it
/// is compatible with every type and never reaches a returned program.
pub(crate) fn error_type() -> Type {
    Type::Sum(Vec::new())
}

/// Whether a type mentions the error type anywhere (then mismatches are not reported).
pub(crate) fn is_poisoned(ty: &Type) -> bool {
    match ty {
        Type::Sum(cases) => cases.is_empty() || cases.iter().any(is_poisoned),
        Type::Tuple(items) => items.iter().any(is_poisoned),
        Type::Record(fields) => fields.iter().any(|f| is_poisoned(&f.ty)),
        Type::Option(inner) | Type::List(inner) => is_poisoned(inner),
        Type::Map(k, v) => is_poisoned(k) || is_poisoned(v),
        Type::Unit | Type::Bool | Type::Int | Type::String | Type::Enum(_) => false,
    }
}

/// Whether a value of type `found` may stand where `expected` is wanted.
pub(crate) fn compatible(expected: &Type, found: &Type) -> bool {
    expected == found || is_poisoned(expected) || is_poisoned(found)
}

/// An expression of the error type.
pub(crate) fn error_expr(span: Span) -> tir::Expr {
    tir::Expr::new(
        tir::ExprKind::Lit(quiver_vm::bytecode::Lit::Unit),
        error_type(),
        span,
    )
}

/// A signature of a user function, known before any body is checked.
#[derive(Clone, Debug)]
pub(crate) struct FnSig {
    pub name: String,
    pub params: Vec<(String, Type)>,
    pub ret: Type,
}

/// What the body being checked may see beyond its variables.
#[derive(Clone, Debug, Default)]
pub(crate) struct BodyCtx {
    /// The machine whose parts are being checked: its `Input`/`Output` constructors are in
    /// scope unqualified.
    pub machine: Option<String>,
    /// The state fields, when they may be assigned (in a handler).
    pub assignable: Vec<String>,
    /// State fields that are deliberately not in scope here (initial values, migrations),
    /// for a better message when one is used.
    pub hidden_fields: Vec<String>,
    /// The function being checked, whose calls are edges of the call graph.
    pub current_fn: Option<usize>,
    /// The state record type of the machine being checked.
    pub state_type: Option<Type>,
    /// Whether a handler is being checked.
    pub in_handler: bool,
    /// The output type a handler's result is checked against.
    pub output_type: Option<Type>,
    /// Whether the block being checked may assign state fields: it is a handler body or in
    /// state-passing style (see `block`).
    pub assign_ok: bool,
}

/// The checker's state for one file.
pub(crate) struct Checker {
    pub diags: Vec<Diagnostic>,
    pub types: TypeTable,
    pub fns: Vec<FnSig>,
    /// Call edges `(caller, callee, call span)` between user functions.
    pub calls: Vec<(usize, usize, Span)>,
    pub scope: Scope,
    pub ctx: BodyCtx,
    /// The current nesting depth of expressions and patterns.
    pub nesting: u32,
    /// The function declarations whose signatures are in `fns`, in the same order.
    pub fn_decls: Vec<ast::FnDecl>,
    /// Declaration index -> callee-first index, once functions are ordered.
    pub fn_renumber: Vec<u32>,
    /// Decision-tree leaves built so far in this file (see `patterns`).
    pub leaves_total: usize,
}

impl Checker {
    fn new(file: &ast::File) -> Checker {
        let mut diags = Vec::new();
        let types = TypeTable::build(file, &mut diags);
        let mut checker = Checker {
            diags,
            types,
            fns: Vec::new(),
            calls: Vec::new(),
            scope: Scope::default(),
            ctx: BodyCtx::default(),
            nesting: 0,
            fn_decls: Vec::new(),
            fn_renumber: Vec::new(),
            leaves_total: 0,
        };
        checker.collect_fn_sigs(file);
        checker
    }

    pub(crate) fn report(&mut self, diagnostic: Diagnostic) {
        self.diags.push(diagnostic);
    }

    /// Resolves a type expression, reporting unknown names.
    pub(crate) fn resolve_type(&mut self, ty: &ast::TypeExpr) -> Type {
        self.types.resolve(ty, &mut self.diags)
    }

    /// Reports a mismatch unless the types are compatible.
    pub(crate) fn expect_type(&mut self, expected: &Type, found: &tir::Expr, what: &str) {
        if compatible(expected, &found.ty) {
            return;
        }
        self.report(
            Diagnostic::new(
                "E0301",
                format!("mismatched types: expected {expected}, found {}", found.ty),
                found.span,
                format!("this is {}", found.ty),
            )
            .with_help(format!(
                "{what} must be {expected}; there are no implicit conversions"
            )),
        );
    }

    /// Runs `body` one nesting level deeper, or reports that the input nests too deeply.
    pub(crate) fn nested<T>(
        &mut self,
        span: Span,
        fallback: T,
        body: impl FnOnce(&mut Checker) -> T,
    ) -> T {
        if self.nesting >= NESTING_MAX {
            self.report(
                Diagnostic::new(
                    "E0320",
                    "this nests too deeply",
                    span,
                    format!("more than {NESTING_MAX} levels deep"),
                )
                .with_help("split it into smaller functions or `let` bindings"),
            );
            return fallback;
        }
        self.nesting += 1;
        let result = body(self);
        self.nesting -= 1;
        result
    }
}

/// Joins the segments of a path with dots: `Counter.Output.Ok`.
pub(crate) fn path_text(path: &ast::Path) -> String {
    let names: Vec<&str> = path.segments.iter().map(|s| s.name.as_str()).collect();
    names.join(".")
}
