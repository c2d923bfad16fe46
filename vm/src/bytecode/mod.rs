//! The bytecode: a machine compiled to first-order arrow combinators, as data.
//!
//! An [`Artifact`] is what the compiler produces, what `quiver compile` writes to a `.smb`
//! file, and what a node receives and runs. Its code is a tree of [`Arrow`]s: typed,
//! first-order categorical combinators (identity, composition, projections, fork, parallel,
//! injections, case, the distributive law, constants, primitives and calls of shared
//! definitions). There are no host closures and no lambda terms: the program is plain data that
//! can be hashed, verified, shipped and swapped.
//!
//! The in-memory form here is a tree for the convenience of the compiler and the evaluators.
//! The encoded form (`encode.rs` / `decode.rs`, specified in `spec/bytecode.md`) flattens types,
//! constants and arrows into tables whose entries refer only to earlier entries, so decoding
//! hostile bytes never recurses and never overflows the stack; rebuilding trees from the tables
//! is bounded by [`crate::limits::Limits`].
//!
//! Nothing in this module is trusted: only [`crate::verify`] turns an `Artifact` into a
//! program the VM will run.

use crate::prim::Prim;
use crate::types::Type;
use serde::{Deserialize, Serialize};

pub mod decode;
pub mod disasm;
pub mod encode;

/// The first bytes of every encoded artifact.
pub const MAGIC: [u8; 4] = *b"QVRB";

/// The version of the encoding. A change to the format bumps it and adds a fixture.
pub const FORMAT_VERSION: u16 = 1;

/// A first-order arrow combinator. Each arrow has a type `A -> B`, inferred by the verifier
/// from the input type `A` (the comment on each variant gives its typing rule).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Arrow {
    /// `A -> A`.
    Id,
    /// `f0 >>> f1 >>> ... >>> fn`: composition, left to right. An empty `Seq` is `Id`.
    Seq(Vec<Arrow>),
    /// `(A0, ..., An) -> Ai`: projection out of a tuple or record.
    Proj(u32),
    /// `f0 &&& ... &&& fn : A -> (B0, ..., Bn)` given `fi : A -> Bi`: the n-ary fork. The
    /// result is a tuple of as many components as there are arrows (one arrow gives a
    /// one-component tuple); with no arrows it is the terminal arrow `A -> Unit`.
    Fork(Vec<Arrow>),
    /// `f0 *** ... *** fn : (A0, ..., An) -> (B0, ..., Bn)` given `fi : Ai -> Bi`.
    Par(Vec<Arrow>),
    /// `Ai -> S`: injection into case `tag` of the sum type `sum` (an enum, `Bool`,
    /// `Option` or anonymous sum), whose case `tag` must have payload type `Ai`.
    Inj { sum: Type, tag: u32 },
    /// `case[f0, ..., fn] : A0 + ... + An -> B` given `fi : Ai -> B`: the n-ary join `|||`.
    Case(Vec<Arrow>),
    /// `(E, A0 + ... + An) -> (E, A0) + ... + (E, An)`: the distributive law, so that a
    /// branch of a `Case` can see its environment `E`.
    Distl,
    /// `A -> T`: a constant of type `T`.
    Const(Type, Lit),
    /// A primitive operation (see [`Prim`] for the calling convention). The site names the
    /// source location reported when it traps.
    Prim(Prim, Site),
    /// The shared definition at this index of [`Artifact::defs`]: `Def.input -> Def.output`.
    Call(u32),
}

/// A constant value as it is stored in an artifact. Records and tuples are `Tuple`; enum
/// variants, `Option` and anonymous sums are `Variant(tag, payload)`; maps are stored as
/// entries in strictly ascending key order, so that every map has exactly one encoding.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lit {
    Unit,
    Bool(bool),
    Int(i64),
    Str(String),
    Tuple(Vec<Lit>),
    Variant(u32, Box<Lit>),
    List(Vec<Lit>),
    Map(Vec<(Lit, Lit)>),
}

/// An index into [`DebugInfo::sites`], naming the source location of something that can trap.
/// `Site::NONE` when there is none (e.g. an artifact built by hand or by the VM itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Site(pub u32);

impl Site {
    pub const NONE: Site = Site(u32::MAX);
}

/// A compiled machine: everything a node needs to run it, and nothing of its source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artifact {
    /// The machine's name, e.g. `Counter`.
    pub name: String,
    /// The state type (a record for a machine, a tuple of the parts' states for a composite).
    pub state: Type,
    pub input: Type,
    pub output: Type,
    /// The initial state, of type `state`.
    pub init: Lit,
    /// Shared definitions (functions, and whatever the compiler chooses to share). A
    /// definition may call only definitions with a smaller index, so calls form no cycle.
    pub defs: Vec<Def>,
    /// The step: `(input, state) -> (state, output)`.
    pub step: Arrow,
    /// Each `state -> Bool`; all must hold after every turn and every migration.
    pub invariants: Vec<Invariant>,
    /// How the state of the version this one replaces becomes this version's state.
    pub migrate_up: Option<Migration>,
    /// How this version's state goes back to the state of the version it replaces.
    pub migrate_down: Option<Migration>,
}

/// A shared definition: a named arrow `input -> output`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Def {
    pub name: String,
    pub input: Type,
    pub output: Type,
    pub body: Arrow,
}

/// An invariant: `state -> Bool`, with the site reported when it is violated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invariant {
    pub body: Arrow,
    pub site: Site,
}

/// A migration between this version's state and another version's state type `other`.
/// For `migrate_up` the body is `other -> state`; for `migrate_down` it is `state -> other`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Migration {
    pub other: Type,
    pub body: Arrow,
}

/// The debug sidecar: source locations for sites and names for definitions. It is optional,
/// can be stripped, and is not covered by the content hash.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebugInfo {
    /// The source file's name as the compiler saw it.
    pub source_name: String,
    /// One entry per site: the byte range in the source and a short description
    /// (`"integer addition"`, `"invariant count >= 0"`).
    pub sites: Vec<SiteInfo>,
}

/// The source location of one site.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteInfo {
    pub start: u32,
    pub end: u32,
    pub what: String,
}

impl DebugInfo {
    /// The location of a site, if the sidecar knows it.
    pub fn site(&self, site: Site) -> Option<&SiteInfo> {
        self.sites.get(usize::try_from(site.0).ok()?)
    }
}
