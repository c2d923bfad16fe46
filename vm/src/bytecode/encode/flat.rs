//! The flat body of an encoded artifact: three tables (types, constants, arrows) whose entries
//! refer to other entries only by index, followed by the artifact's header fields.
//!
//! These are the structs postcard serialises; their field order and variant order ARE the byte
//! format (see `spec/bytecode.md`), so never reorder them: append, and bump `FORMAT_VERSION`.
//! Nothing here is recursive, so postcard decodes hostile bytes without recursing. This module
//! only declares the shapes: `encode.rs` fills the tables and `decode.rs` checks them and
//! rebuilds the trees.

use crate::bytecode::Site;
use crate::prim::Prim;
use serde::{Deserialize, Serialize};

/// An index into the types table.
pub(crate) type TypeRef = u32;
/// An index into the constants (lits) table.
pub(crate) type LitRef = u32;
/// An index into the arrows table.
pub(crate) type ArrowRef = u32;

/// Everything after the magic and the version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Body {
    pub types: Vec<TypeEntry>,
    pub lits: Vec<LitEntry>,
    pub arrows: Vec<ArrowEntry>,
    pub header: Header,
}

/// One type; children are earlier entries of the types table.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) enum TypeEntry {
    Unit,
    Bool,
    Int,
    String,
    Tuple(Vec<TypeRef>),
    Record(Vec<FieldEntry>),
    Enum(EnumEntry),
    Option(TypeRef),
    List(TypeRef),
    Map(TypeRef, TypeRef),
    Sum(Vec<TypeRef>),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) struct FieldEntry {
    pub name: String,
    pub ty: TypeRef,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) struct EnumEntry {
    pub name: String,
    pub variants: Vec<VariantEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) struct VariantEntry {
    pub name: String,
    pub fields: Vec<TypeRef>,
}

/// One constant; children are earlier entries of the lits table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum LitEntry {
    Unit,
    Bool(bool),
    Int(i64),
    Str(String),
    Tuple(Vec<LitRef>),
    Variant(u32, LitRef),
    List(Vec<LitRef>),
    Map(Vec<(LitRef, LitRef)>),
}

/// One arrow node; arrow children are earlier entries of the arrows table, and `Inj` and
/// `Const` refer to the types and lits tables.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum ArrowEntry {
    Id,
    Seq(Vec<ArrowRef>),
    Proj(u32),
    Fork(Vec<ArrowRef>),
    Par(Vec<ArrowRef>),
    Inj { sum: TypeRef, tag: u32 },
    Case(Vec<ArrowRef>),
    Distl,
    Const { ty: TypeRef, lit: LitRef },
    Prim { prim: Prim, site: Site },
    Call(u32),
}

/// The artifact's own fields, with trees replaced by table references.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Header {
    pub name: String,
    pub state: TypeRef,
    pub input: TypeRef,
    pub output: TypeRef,
    pub init: LitRef,
    pub defs: Vec<DefEntry>,
    pub step: ArrowRef,
    pub invariants: Vec<InvariantEntry>,
    pub migrate_up: Option<MigrationEntry>,
    pub migrate_down: Option<MigrationEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DefEntry {
    pub name: String,
    pub input: TypeRef,
    pub output: TypeRef,
    pub body: ArrowRef,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct InvariantEntry {
    pub body: ArrowRef,
    pub site: Site,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct MigrationEntry {
    pub other: TypeRef,
    pub body: ArrowRef,
}

impl TypeEntry {
    /// The types-table entries this entry refers to, in order.
    pub fn children(&self) -> Vec<TypeRef> {
        match self {
            TypeEntry::Unit | TypeEntry::Bool | TypeEntry::Int | TypeEntry::String => Vec::new(),
            TypeEntry::Tuple(items) | TypeEntry::Sum(items) => items.clone(),
            TypeEntry::Record(fields) => fields.iter().map(|f| f.ty).collect(),
            TypeEntry::Enum(e) => e
                .variants
                .iter()
                .flat_map(|v| v.fields.iter().copied())
                .collect(),
            TypeEntry::Option(inner) | TypeEntry::List(inner) => vec![*inner],
            TypeEntry::Map(k, v) => vec![*k, *v],
        }
    }
}

impl LitEntry {
    /// The lits-table entries this entry refers to, in order (map entries key first).
    pub fn children(&self) -> Vec<LitRef> {
        match self {
            LitEntry::Unit | LitEntry::Bool(_) | LitEntry::Int(_) | LitEntry::Str(_) => Vec::new(),
            LitEntry::Tuple(items) | LitEntry::List(items) => items.clone(),
            LitEntry::Variant(_, payload) => vec![*payload],
            LitEntry::Map(entries) => entries.iter().flat_map(|(k, v)| [*k, *v]).collect(),
        }
    }
}

impl ArrowEntry {
    /// The arrows-table entries this entry refers to, in order.
    pub fn children(&self) -> Vec<ArrowRef> {
        match self {
            ArrowEntry::Seq(items)
            | ArrowEntry::Fork(items)
            | ArrowEntry::Par(items)
            | ArrowEntry::Case(items) => items.clone(),
            ArrowEntry::Id
            | ArrowEntry::Proj(_)
            | ArrowEntry::Inj { .. }
            | ArrowEntry::Distl
            | ArrowEntry::Const { .. }
            | ArrowEntry::Prim { .. }
            | ArrowEntry::Call(_) => Vec::new(),
        }
    }
}
