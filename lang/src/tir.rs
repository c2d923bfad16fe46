//! The typed IR: what the checker produces and lowering consumes.
//!
//! It is a small, fully resolved, explicitly typed functional core. Everything the surface
//! language offers beyond it is desugared by the checker: names become de Bruijn *levels*
//! (`Var(0)` is the outermost binding), `if` is a `Match` on `Bool` (arm 0 is `false`),
//! `&&`/`||` are `Match`es (they short-circuit), nested patterns become nested `Match`es and
//! equality tests, statements become `Let`s, assignments to state fields rebind them, and a
//! handler's result is the pair `(new state, output)`. A machine's handlers together form one
//! `step` expression. Lowering (`lower/`) turns each expression into an arrow; it never needs
//! to look at the source again.
//!
//! Environments, by construct (levels in order):
//! - `Fn::body`: the parameters.
//! - `Defined::step`: `[input, state]`, of type `(state, output)`.
//! - `Invariant::body`: `[state]`, of type `Bool`.
//! - `Migration::body`: `[the other version's state]`, of type this state (up) or the other (down).
//! - `Defined::init`: empty, of type state.

use crate::ast::ComposeOp;
use crate::span::Span;
use quiver_vm::bytecode::Lit;
use quiver_vm::prim::Prim;
use quiver_vm::types::Type;

/// A checked file.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    /// Functions in dependency order: a function calls only functions with a smaller index.
    pub fns: Vec<Fn>,
    /// Machines in declaration order (plain and composed).
    pub machines: Vec<Machine>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fn {
    pub name: String,
    pub params: Vec<(String, Type)>,
    pub ret: Type,
    pub body: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Machine {
    pub name: String,
    /// A record for a defined machine; `(left state, right state)` for a composite.
    pub state: Type,
    pub input: Type,
    pub output: Type,
    pub body: MachineBody,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MachineBody {
    Defined(Defined),
    /// `left op right`, the parts being whole machines (already checked to fit together).
    /// For `|||` the input is an enum with variants `Left(left input)` and
    /// `Right(right input)`, and both parts have the same output type.
    Composed {
        op: ComposeOp,
        left: Box<Machine>,
        right: Box<Machine>,
    },
}

/// The parts of a machine written with `machine Name { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Defined {
    pub init: Expr,
    pub step: Expr,
    pub invariants: Vec<Invariant>,
    pub migrate_up: Option<Migration>,
    pub migrate_down: Option<Migration>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Invariant {
    pub body: Expr,
    /// The invariant as written, for messages: `count >= 0`.
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Migration {
    /// The other version's state type (`old`'s type for up, the result type for down).
    pub other: Type,
    pub body: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Type,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A constant of type `ty`.
    Lit(Lit),
    /// The variable bound at this level.
    Var(u32),
    /// `let <next level> = value; body`.
    Let(Box<Expr>, Box<Expr>),
    /// A product: a tuple or record (per `ty`). Never empty: `()` is `Lit(Lit::Unit)`.
    Tuple(Vec<Expr>),
    /// Component `index` of a product.
    Proj(Box<Expr>, u32),
    /// Case `tag` of the sum `ty`, with this payload.
    Inj(u32, Box<Expr>),
    /// `match` on a sum: one arm per case, in tag order; arm `i` sees the payload of case `i`
    /// bound at the next level.
    Match(Box<Expr>, Vec<Expr>),
    /// A primitive applied to its arguments; `span` is where it traps.
    Prim(Prim, Vec<Expr>),
    /// A call of `Program::fns[index]`.
    Call(u32, Vec<Expr>),
}

impl Expr {
    pub fn new(kind: ExprKind, ty: Type, span: Span) -> Expr {
        Expr { kind, ty, span }
    }
}
