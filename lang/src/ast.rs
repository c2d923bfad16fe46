//! The surface syntax, exactly as written: what the parser produces and the checker consumes.
//!
//! Nothing here is resolved or typed. Names are kept as dotted paths (`Map.insert`,
//! `old.count`, `Counter.Output.Ok`) because only the checker knows whether a path is a
//! variable with fields, a library function or a qualified constructor. Every node carries its
//! span so that any later error can point at the source.

use crate::span::Span;

/// A name as written, with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A dotted path of one or more identifiers: `x`, `old.count`, `Map.insert`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    pub segments: Vec<Ident>,
    pub span: Span,
}

/// A whole `.sm` file.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `type Name = Type`
    Type(TypeDecl),
    /// `enum Name { A, B(Int) }`
    Enum(EnumDecl),
    /// `fn name(x: T) -> R { ... }`
    Fn(FnDecl),
    /// `machine Name { ... }`
    Machine(MachineDecl),
    /// `machine Name = A >>> B`
    Compose(ComposeDecl),
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumDecl {
    pub name: Ident,
    pub variants: Vec<VariantDecl>,
    pub span: Span,
}

/// `Name` or `Name(T, ...)`, in an `enum` or an inline `input`/`output` list.
#[derive(Clone, Debug, PartialEq)]
pub struct VariantDecl {
    pub name: Ident,
    pub fields: Vec<TypeExpr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FnDecl {
    pub name: Ident,
    pub params: Vec<Param>,
    pub ret: TypeExpr,
    pub body: Block,
    pub span: Span,
}

/// `name: Type`
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: TypeExpr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MachineDecl {
    pub name: Ident,
    /// `state { field: Type = initial, ... }`
    pub state: Vec<StateField>,
    /// The span of the `state { ... }` block.
    pub state_span: Span,
    pub input: MessageDecl,
    pub output: MessageDecl,
    pub invariants: Vec<Expr>,
    pub handlers: Vec<Handler>,
    /// `migrate(old: T) { ... }`
    pub migrate_up: Option<MigrateDecl>,
    /// `migrate down(new: T) { ... }`
    pub migrate_down: Option<MigrateDecl>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StateField {
    pub name: Ident,
    pub ty: TypeExpr,
    pub init: Expr,
    pub span: Span,
}

/// What follows `input` or `output`: a type, or an inline list of variants.
#[derive(Clone, Debug, PartialEq)]
pub enum MessageDecl {
    Type(TypeExpr),
    Variants(Vec<VariantDecl>, Span),
}

/// `on Pattern { ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct Handler {
    pub pattern: Pattern,
    pub body: Block,
    pub span: Span,
}

/// `migrate(param: Type) { ... }` or `migrate down(param: Type) { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct MigrateDecl {
    pub param: Ident,
    pub ty: TypeExpr,
    pub body: Block,
    pub span: Span,
}

/// `machine Name = <machine expression>`
#[derive(Clone, Debug, PartialEq)]
pub struct ComposeDecl {
    pub name: Ident,
    pub expr: MachineExpr,
    pub span: Span,
}

/// The arrow operators on machines. Precedence as in Haskell's `Control.Arrow`:
/// `***` and `&&&` bind tightest, then `|||`, then `>>>`; all associate to the right.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComposeOp {
    /// `>>>`
    Then,
    /// `***`
    Par,
    /// `&&&`
    Fanout,
    /// `|||`
    Choice,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MachineExpr {
    Name(Ident),
    Binary {
        op: ComposeOp,
        op_span: Span,
        left: Box<MachineExpr>,
        right: Box<MachineExpr>,
    },
}

/// A type as written.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeExpr {
    /// `Int`, `Light`, `Counter.Input`, `Map<K, V>`, `List<T>`, `Option<T>`.
    Named {
        path: Path,
        args: Vec<TypeExpr>,
        span: Span,
    },
    /// `(A, B)`; `()` is `Unit`.
    Tuple(Vec<TypeExpr>, Span),
    /// `{ a: A, b: B }`
    Record(Vec<(Ident, TypeExpr)>, Span),
    /// A type the parser could not read; an error was reported already.
    Error(Span),
}

/// `{ stmt* expr? }`. Without a final expression the block's value is `()`.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub result: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    /// `let name = e;` or `let name: T = e;`
    Let {
        name: Ident,
        ty: Option<TypeExpr>,
        value: Expr,
        span: Span,
    },
    /// `field = e;` (only in handlers, only for state fields)
    Assign {
        target: Ident,
        value: Expr,
        span: Span,
    },
    /// `assert e;`
    Assert { cond: Expr, span: Span },
    /// `e;`, an expression evaluated for its traps only.
    Expr(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Int(i64),
    Bool(bool),
    /// A string literal, escapes already decoded.
    Str(String),
    /// `()`
    Unit,
    /// A variable, state field, constant constructor (`Reset`, `None`) or a dotted path
    /// (`old.count`, `Counter.Output.Ok`).
    Path(Path),
    /// `f(args)`, `Map.insert(m, k, v)`, `Value(3)`, `Some(x)`.
    Call {
        callee: Path,
        args: Vec<Expr>,
    },
    /// `e.name` or `e.0` after an expression that is not a plain path (e.g. `f(x).a`).
    Field {
        base: Box<Expr>,
        field: Ident,
    },
    /// `[a, b]`
    List(Vec<Expr>),
    /// `{}`: an empty map or an empty record, decided by the expected type.
    EmptyBraces,
    /// `{ a: 1, b: x }`: a record (the first key is a bare identifier).
    Record(Vec<(Ident, Expr)>),
    /// `{"a": 1}`: a map (the first key is not a bare identifier).
    Map(Vec<(Expr, Expr)>),
    /// `{ ..base, b: 2 }`
    Update {
        base: Box<Expr>,
        fields: Vec<(Ident, Expr)>,
    },
    /// `(a, b)`; a parenthesised single expression is not a tuple.
    Tuple(Vec<Expr>),
    Binary {
        op: BinOp,
        op_span: Span,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    Unary {
        op: UnOp,
        operand: Box<Expr>,
    },
    /// `if c { } else { }`; `else if` nests an `If` as the else block's result.
    If {
        cond: Box<Expr>,
        then_block: Block,
        else_block: Option<Block>,
    },
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<MatchArm>,
    },
    Block(Block),
    /// An expression the parser could not read; an error was reported already.
    Error,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    /// `++`
    Concat,
}

impl BinOp {
    /// The operator as written in source.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "&&",
            BinOp::Or => "||",
            BinOp::Concat => "++",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    /// `-e`
    Neg,
    /// `!e`
    Not,
}

/// `pattern => expr`
#[derive(Clone, Debug, PartialEq)]
pub struct MatchArm {
    pub pattern: Pattern,
    pub body: Expr,
    pub span: Span,
}

/// A pattern. An identifier that starts with an upper-case letter is a constructor; one that
/// starts with a lower-case letter or `_` binds a variable.
#[derive(Clone, Debug, PartialEq)]
pub enum Pattern {
    /// `_`
    Wildcard(Span),
    /// `x`
    Bind(Ident),
    /// `Incr(n)`, `None`, `Counter.Input.Reset`, `Some((a, b))`
    Ctor {
        path: Path,
        args: Vec<Pattern>,
        span: Span,
    },
    /// `0`, `-1`, `"text"`, `true`
    Int(i64, Span),
    Str(String, Span),
    Bool(bool, Span),
    /// `(a, b)`
    Tuple(Vec<Pattern>, Span),
    /// A pattern the parser could not read; an error was reported already.
    Error(Span),
}

impl Pattern {
    pub fn span(&self) -> Span {
        match self {
            Pattern::Wildcard(s)
            | Pattern::Int(_, s)
            | Pattern::Str(_, s)
            | Pattern::Bool(_, s)
            | Pattern::Tuple(_, s)
            | Pattern::Error(s) => *s,
            Pattern::Bind(ident) => ident.span,
            Pattern::Ctor { span, .. } => *span,
        }
    }
}
