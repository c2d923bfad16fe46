//! Encoding an [`Artifact`] (and optionally its debug sidecar) to bytes.
//!
//! The layout is `MAGIC`, `FORMAT_VERSION` (u16 little-endian), the postcard-encoded flat
//! [`flat::Body`], then the postcard-encoded `Option<DebugInfo>` (specified in
//! `spec/bytecode.md`). The trees of the artifact are flattened into tables in a fixed
//! first-occurrence post-order, and types are hash-consed, so the same artifact always gives
//! the same bytes. The walk over the trees uses an explicit stack, never recursion, so a deep
//! arrow cannot overflow the stack here either.
//!
//! This module does not check the artifact in any way: it encodes whatever it is given.

use super::{Arrow, Artifact, DebugInfo, Def, FORMAT_VERSION, Invariant, Lit, MAGIC, Migration};
use crate::types::{EnumType, Field, Type, Variant};
use std::collections::HashMap;

pub(crate) mod flat;

use flat::{
    ArrowEntry, ArrowRef, Body, DefEntry, EnumEntry, FieldEntry, Header, InvariantEntry, LitEntry,
    LitRef, MigrationEntry, TypeEntry, TypeRef, VariantEntry,
};

/// The bytes of an artifact and, when given, its debug sidecar.
pub fn encode(artifact: &Artifact, debug: Option<&DebugInfo>) -> Vec<u8> {
    let bytes = encode_header_and_body(artifact);
    postcard::to_extend(&debug, bytes)
        .expect("postcard serialises a derived struct of known lengths into a Vec")
}

/// The bytes of an artifact with no debug sidecar (`encode(artifact, None)`): what the
/// content hash covers.
pub fn encode_artifact_only(artifact: &Artifact) -> Vec<u8> {
    encode(artifact, None)
}

/// How many entries each table of an artifact's encoding has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableSizes {
    pub types: usize,
    pub lits: usize,
    pub arrows: usize,
}

/// The table sizes of this artifact's encoding (for listings).
pub fn table_sizes(artifact: &Artifact) -> TableSizes {
    let body = flatten(artifact);
    TableSizes {
        types: body.types.len(),
        lits: body.lits.len(),
        arrows: body.arrows.len(),
    }
}

/// `MAGIC`, the version and the flat body: everything but the sidecar.
pub(crate) fn encode_header_and_body(artifact: &Artifact) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(256);
    bytes.extend_from_slice(&MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    postcard::to_extend(&flatten(artifact), bytes)
        .expect("postcard serialises a derived struct of known lengths into a Vec")
}

/// The flat body of an artifact. The walk order (header types, init, defs, step, invariants,
/// migrations) fixes the order of every table.
pub(crate) fn flatten(artifact: &Artifact) -> Body {
    let mut tables = Tables::default();
    let state = tables.intern_type(&artifact.state);
    let input = tables.intern_type(&artifact.input);
    let output = tables.intern_type(&artifact.output);
    let init = tables.push_lit(&artifact.init);
    let defs = artifact.defs.iter().map(|d| tables.def(d)).collect();
    let step = tables.push_arrow(&artifact.step);
    let invariants = artifact
        .invariants
        .iter()
        .map(|i| tables.invariant(i))
        .collect();
    let migrate_up = artifact.migrate_up.as_ref().map(|m| tables.migration(m));
    let migrate_down = artifact.migrate_down.as_ref().map(|m| tables.migration(m));
    Body {
        types: tables.types,
        lits: tables.lits,
        arrows: tables.arrows,
        header: Header {
            name: artifact.name.clone(),
            state,
            input,
            output,
            init,
            defs,
            step,
            invariants,
            migrate_up,
            migrate_down,
        },
    }
}

/// The tables being filled. Types are hash-consed; constants and arrows are not (each tree
/// node gets its own entry, so a decoded tree is never larger than its tables).
#[derive(Default)]
struct Tables {
    types: Vec<TypeEntry>,
    type_index: HashMap<TypeEntry, TypeRef>,
    lits: Vec<LitEntry>,
    arrows: Vec<ArrowEntry>,
}

impl Tables {
    fn def(&mut self, def: &Def) -> DefEntry {
        let input = self.intern_type(&def.input);
        let output = self.intern_type(&def.output);
        let body = self.push_arrow(&def.body);
        DefEntry {
            name: def.name.clone(),
            input,
            output,
            body,
        }
    }

    fn invariant(&mut self, invariant: &Invariant) -> InvariantEntry {
        InvariantEntry {
            body: self.push_arrow(&invariant.body),
            site: invariant.site,
        }
    }

    fn migration(&mut self, migration: &Migration) -> MigrationEntry {
        let other = self.intern_type(&migration.other);
        let body = self.push_arrow(&migration.body);
        MigrationEntry { other, body }
    }

    fn intern_type(&mut self, root: &Type) -> TypeRef {
        post_order(root, type_children, |ty, kids| {
            let entry = type_entry(ty, kids);
            if let Some(&index) = self.type_index.get(&entry) {
                return index;
            }
            let index = index_of(self.types.len());
            self.type_index.insert(entry.clone(), index);
            self.types.push(entry);
            index
        })
    }

    fn push_lit(&mut self, root: &Lit) -> LitRef {
        post_order(root, lit_children, |lit, kids| {
            self.lits.push(lit_entry(lit, kids));
            index_of(self.lits.len() - 1)
        })
    }

    fn push_arrow(&mut self, root: &Arrow) -> ArrowRef {
        post_order(root, arrow_children, |arrow, kids| {
            let entry = self.arrow_entry(arrow, kids);
            self.arrows.push(entry);
            index_of(self.arrows.len() - 1)
        })
    }

    /// The entry of an arrow whose children already have entries `kids`. The types and the
    /// constant it mentions are added to their tables now, after its children's.
    fn arrow_entry(&mut self, arrow: &Arrow, kids: Vec<ArrowRef>) -> ArrowEntry {
        match arrow {
            Arrow::Id => ArrowEntry::Id,
            Arrow::Seq(_) => ArrowEntry::Seq(kids),
            Arrow::Proj(i) => ArrowEntry::Proj(*i),
            Arrow::Fork(_) => ArrowEntry::Fork(kids),
            Arrow::Par(_) => ArrowEntry::Par(kids),
            Arrow::Inj { sum, tag } => ArrowEntry::Inj {
                sum: self.intern_type(sum),
                tag: *tag,
            },
            Arrow::Case(_) => ArrowEntry::Case(kids),
            Arrow::Distl => ArrowEntry::Distl,
            Arrow::Const(ty, lit) => {
                let ty = self.intern_type(ty);
                ArrowEntry::Const {
                    ty,
                    lit: self.push_lit(lit),
                }
            }
            Arrow::Prim(prim, site) => ArrowEntry::Prim {
                prim: *prim,
                site: *site,
            },
            Arrow::Call(k) => ArrowEntry::Call(*k),
        }
    }
}

/// A table index. Tables hold at most one entry per tree node of an in-memory artifact, far
/// fewer than `u32::MAX`.
fn index_of(len: usize) -> u32 {
    u32::try_from(len).expect("an in-memory artifact has fewer than 2^32 tree nodes")
}

/// Walks a tree in post-order with an explicit stack (children left to right, then the node)
/// and returns the root's index. `emit` gets each node with its children's indices.
fn post_order<'a, N>(
    root: &'a N,
    children: fn(&'a N) -> Vec<&'a N>,
    mut emit: impl FnMut(&'a N, Vec<u32>) -> u32,
) -> u32 {
    enum Task<'a, N> {
        Visit(&'a N),
        Emit(&'a N, usize),
    }
    let mut tasks = vec![Task::Visit(root)];
    let mut done: Vec<u32> = Vec::new();
    while let Some(task) = tasks.pop() {
        match task {
            Task::Visit(node) => {
                let kids = children(node);
                tasks.push(Task::Emit(node, kids.len()));
                tasks.extend(kids.into_iter().rev().map(Task::Visit));
            }
            Task::Emit(node, count) => {
                let kids = done.split_off(done.len() - count);
                done.push(emit(node, kids));
            }
        }
    }
    done.pop()
        .expect("a post-order walk leaves exactly the root's index")
}

fn type_children(ty: &Type) -> Vec<&Type> {
    match ty {
        Type::Unit | Type::Bool | Type::Int | Type::String => Vec::new(),
        Type::Tuple(items) | Type::Sum(items) => items.iter().collect(),
        Type::Record(fields) => fields.iter().map(|f| &f.ty).collect(),
        Type::Enum(e) => e.variants.iter().flat_map(|v| v.fields.iter()).collect(),
        Type::Option(inner) | Type::List(inner) => vec![&**inner],
        Type::Map(k, v) => vec![&**k, &**v],
    }
}

fn type_entry(ty: &Type, kids: Vec<TypeRef>) -> TypeEntry {
    let mut kids = kids.into_iter();
    let mut next = || kids.next().expect("one child index per child type");
    match ty {
        Type::Unit => TypeEntry::Unit,
        Type::Bool => TypeEntry::Bool,
        Type::Int => TypeEntry::Int,
        Type::String => TypeEntry::String,
        Type::Tuple(items) => TypeEntry::Tuple(items.iter().map(|_| next()).collect()),
        Type::Sum(items) => TypeEntry::Sum(items.iter().map(|_| next()).collect()),
        Type::Record(fields) => TypeEntry::Record(
            fields
                .iter()
                .map(|Field { name, .. }| FieldEntry {
                    name: name.clone(),
                    ty: next(),
                })
                .collect(),
        ),
        Type::Enum(EnumType { name, variants }) => TypeEntry::Enum(EnumEntry {
            name: name.clone(),
            variants: variants
                .iter()
                .map(|Variant { name, fields }| VariantEntry {
                    name: name.clone(),
                    fields: fields.iter().map(|_| next()).collect(),
                })
                .collect(),
        }),
        Type::Option(_) => TypeEntry::Option(next()),
        Type::List(_) => TypeEntry::List(next()),
        Type::Map(_, _) => {
            let k = next();
            TypeEntry::Map(k, next())
        }
    }
}

fn lit_children(lit: &Lit) -> Vec<&Lit> {
    match lit {
        Lit::Unit | Lit::Bool(_) | Lit::Int(_) | Lit::Str(_) => Vec::new(),
        Lit::Tuple(items) | Lit::List(items) => items.iter().collect(),
        Lit::Variant(_, payload) => vec![&**payload],
        Lit::Map(entries) => entries.iter().flat_map(|(k, v)| [k, v]).collect(),
    }
}

fn lit_entry(lit: &Lit, kids: Vec<LitRef>) -> LitEntry {
    match lit {
        Lit::Unit => LitEntry::Unit,
        Lit::Bool(b) => LitEntry::Bool(*b),
        Lit::Int(n) => LitEntry::Int(*n),
        Lit::Str(s) => LitEntry::Str(s.clone()),
        Lit::Tuple(_) => LitEntry::Tuple(kids),
        Lit::List(_) => LitEntry::List(kids),
        Lit::Variant(tag, _) => {
            LitEntry::Variant(*tag, *kids.first().expect("a variant has one payload"))
        }
        Lit::Map(_) => LitEntry::Map(kids.chunks_exact(2).map(|kv| (kv[0], kv[1])).collect()),
    }
}

fn arrow_children(arrow: &Arrow) -> Vec<&Arrow> {
    match arrow {
        Arrow::Seq(items) | Arrow::Fork(items) | Arrow::Par(items) | Arrow::Case(items) => {
            items.iter().collect()
        }
        Arrow::Id
        | Arrow::Proj(_)
        | Arrow::Inj { .. }
        | Arrow::Distl
        | Arrow::Const(..)
        | Arrow::Prim(..)
        | Arrow::Call(_) => Vec::new(),
    }
}
