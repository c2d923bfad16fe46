//! Decoding bytes into an [`Artifact`] and its optional debug sidecar.
//!
//! The bytes may be hostile, so decoding never panics and never recurses on the input: postcard
//! reads the flat tables (which contain no recursive types), every reference is checked to
//! point at an EARLIER entry of the right table, and the trees are rebuilt with an explicit
//! stack whose depth is bounded by [`Limits::depth_max`]. A shared entry would let a small
//! table stand for an exponentially large tree, so rebuilding also counts every node it makes
//! against [`Limits::table_entries_max`]. Finally the artifact is re-encoded and must give the
//! same bytes: there is exactly one encoding of each artifact, so the hash of an artifact is
//! the hash of its bytes (less the sidecar).
//!
//! Decoding does not check typing or call targets: that is the verifier's job.

use super::encode::encode_header_and_body;
use super::encode::flat::{ArrowEntry, Body, LitEntry, TypeEntry};
use super::{Arrow, Artifact, DebugInfo, Def, FORMAT_VERSION, Invariant, Lit, MAGIC, Migration};
use crate::limits::Limits;
use crate::types::{EnumType, Field, Type, Variant};
use crate::value::Value;
use std::cell::Cell;
use std::fmt;

/// Why bytes are not an artifact this VM can load.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("artifact is {len} bytes, more than the limit of {max}")]
    TooLarge { len: usize, max: usize },
    #[error("not a Quiver artifact (bad magic)")]
    BadMagic,
    #[error(
        "artifact format version {0} is not supported; this quiver reads version {FORMAT_VERSION}: recompile the source"
    )]
    UnsupportedVersion(u16),
    #[error("artifact is truncated")]
    Truncated,
    #[error("malformed artifact: {0}")]
    Malformed(String),
    #[error("{0} unexpected bytes after the end of the artifact")]
    TrailingBytes(usize),
    #[error("the {table} table has {len} entries, more than the limit of {max}")]
    TableTooLarge {
        table: TableName,
        len: usize,
        max: usize,
    },
    #[error("the artifact has {len} definitions, more than the limit of {max}")]
    TooManyDefs { len: usize, max: usize },
    #[error("{table} entry {entry} refers to {table} entry {target}, which is not earlier")]
    ForwardReference {
        table: TableName,
        entry: usize,
        target: u32,
    },
    #[error("{from} refers to {table} entry {target}, but there are only {len}")]
    OutOfRange {
        from: String,
        table: TableName,
        target: u32,
        len: usize,
    },
    #[error("{} nests deeper than the limit of {max}", table.with_article())]
    TooDeep { table: TableName, max: usize },
    #[error("the artifact expands to more than {max} tree nodes")]
    TooManyNodes { max: usize },
    #[error("a map constant's keys are not in strictly ascending order")]
    UnsortedMap,
    #[error("artifact bytes are not in canonical form; re-encode the artifact")]
    NonCanonical,
}

/// The three tables, named in messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableName {
    Types,
    Lits,
    Arrows,
}

impl TableName {
    /// `a type`, `a constant`, `an arrow`: one entry's tree, for messages.
    pub fn with_article(self) -> &'static str {
        match self {
            TableName::Types => "a type",
            TableName::Lits => "a constant",
            TableName::Arrows => "an arrow",
        }
    }
}

impl fmt::Display for TableName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TableName::Types => "type",
            TableName::Lits => "constant",
            TableName::Arrows => "arrow",
        })
    }
}

/// The artifact and sidecar in `bytes`, or why they are not acceptable under `limits`.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<(Artifact, Option<DebugInfo>), DecodeError> {
    if bytes.len() > limits.artifact_bytes_max {
        return Err(DecodeError::TooLarge {
            len: bytes.len(),
            max: limits.artifact_bytes_max,
        });
    }
    let after_prelude = check_prelude(bytes)?;
    let (body, rest) = postcard::take_from_bytes::<Body>(after_prelude).map_err(malformed)?;
    let body_end = bytes.len() - rest.len();
    let (debug, rest) = postcard::take_from_bytes::<Option<DebugInfo>>(rest).map_err(malformed)?;
    if !rest.is_empty() {
        return Err(DecodeError::TrailingBytes(rest.len()));
    }
    check_tables(&body, limits)?;
    let artifact = Rebuild::new(&body, limits).artifact()?;
    if encode_header_and_body(&artifact) != bytes[..body_end] {
        return Err(DecodeError::NonCanonical);
    }
    Ok((artifact, debug))
}

/// Checks the magic and the version; returns the bytes after them.
fn check_prelude(bytes: &[u8]) -> Result<&[u8], DecodeError> {
    let magic_len = bytes.len().min(MAGIC.len());
    if bytes[..magic_len] != MAGIC[..magic_len] {
        return Err(DecodeError::BadMagic);
    }
    match bytes {
        [_, _, _, _, lo, hi, rest @ ..] => {
            let version = u16::from_le_bytes([*lo, *hi]);
            if version != FORMAT_VERSION {
                return Err(DecodeError::UnsupportedVersion(version));
            }
            Ok(rest)
        }
        _ => Err(DecodeError::Truncated),
    }
}

fn malformed(error: postcard::Error) -> DecodeError {
    match error {
        postcard::Error::DeserializeUnexpectedEnd => DecodeError::Truncated,
        other => DecodeError::Malformed(other.to_string().to_lowercase()),
    }
}

/// Table sizes, the number of definitions, and that every reference inside a table points at
/// an earlier entry (of its own table) or an existing one (of another table).
fn check_tables(body: &Body, limits: &Limits) -> Result<(), DecodeError> {
    let sizes = [
        (TableName::Types, body.types.len()),
        (TableName::Lits, body.lits.len()),
        (TableName::Arrows, body.arrows.len()),
    ];
    for (table, len) in sizes {
        if len > limits.table_entries_max {
            return Err(DecodeError::TableTooLarge {
                table,
                len,
                max: limits.table_entries_max,
            });
        }
    }
    if body.header.defs.len() > limits.defs_max {
        return Err(DecodeError::TooManyDefs {
            len: body.header.defs.len(),
            max: limits.defs_max,
        });
    }
    check_earlier(TableName::Types, body.types.iter().map(TypeEntry::children))?;
    check_earlier(TableName::Lits, body.lits.iter().map(LitEntry::children))?;
    check_earlier(
        TableName::Arrows,
        body.arrows.iter().map(ArrowEntry::children),
    )?;
    for (entry, arrow) in body.arrows.iter().enumerate() {
        let from = || format!("arrow entry {entry}");
        match arrow {
            ArrowEntry::Inj { sum, .. } => in_range(from, TableName::Types, *sum, body)?,
            ArrowEntry::Const { ty, lit } => {
                in_range(from, TableName::Types, *ty, body)?;
                in_range(from, TableName::Lits, *lit, body)?;
            }
            _ => {}
        }
    }
    Ok(())
}

fn check_earlier(
    table: TableName,
    entries: impl Iterator<Item = Vec<u32>>,
) -> Result<(), DecodeError> {
    for (entry, children) in entries.enumerate() {
        if let Some(&target) = children
            .iter()
            .find(|&&c| usize::try_from(c).map_or(true, |c| c >= entry))
        {
            return Err(DecodeError::ForwardReference {
                table,
                entry,
                target,
            });
        }
    }
    Ok(())
}

fn in_range(
    from: impl Fn() -> String,
    table: TableName,
    target: u32,
    body: &Body,
) -> Result<(), DecodeError> {
    let len = match table {
        TableName::Types => body.types.len(),
        TableName::Lits => body.lits.len(),
        TableName::Arrows => body.arrows.len(),
    };
    if usize::try_from(target).is_ok_and(|t| t < len) {
        Ok(())
    } else {
        Err(DecodeError::OutOfRange {
            from: from(),
            table,
            target,
            len,
        })
    }
}

/// Rebuilds trees from checked tables, counting nodes against a budget.
struct Rebuild<'b> {
    body: &'b Body,
    depth_max: usize,
    nodes_max: usize,
    nodes_left: Cell<usize>,
}

impl<'b> Rebuild<'b> {
    fn new(body: &'b Body, limits: &Limits) -> Rebuild<'b> {
        Rebuild {
            body,
            depth_max: limits.depth_max,
            nodes_max: limits.table_entries_max,
            nodes_left: Cell::new(limits.table_entries_max),
        }
    }

    fn artifact(&self) -> Result<Artifact, DecodeError> {
        let header = &self.body.header;
        let defs = header
            .defs
            .iter()
            .map(|d| {
                Ok(Def {
                    name: d.name.clone(),
                    input: self.ty(d.input, "a definition's input")?,
                    output: self.ty(d.output, "a definition's output")?,
                    body: self.arrow(d.body, "a definition's body")?,
                })
            })
            .collect::<Result<_, DecodeError>>()?;
        let invariants = header
            .invariants
            .iter()
            .map(|i| {
                Ok(Invariant {
                    body: self.arrow(i.body, "an invariant")?,
                    site: i.site,
                })
            })
            .collect::<Result<_, DecodeError>>()?;
        let migration = |m: &super::encode::flat::MigrationEntry| -> Result<_, DecodeError> {
            Ok(Migration {
                other: self.ty(m.other, "a migration's other type")?,
                body: self.arrow(m.body, "a migration's body")?,
            })
        };
        Ok(Artifact {
            name: header.name.clone(),
            state: self.ty(header.state, "the state type")?,
            input: self.ty(header.input, "the input type")?,
            output: self.ty(header.output, "the output type")?,
            init: self.lit(header.init, "the initial state")?,
            defs,
            step: self.arrow(header.step, "the step")?,
            invariants,
            migrate_up: header.migrate_up.as_ref().map(migration).transpose()?,
            migrate_down: header.migrate_down.as_ref().map(migration).transpose()?,
        })
    }

    fn ty(&self, root: u32, from: &str) -> Result<Type, DecodeError> {
        self.expand(
            &self.body.types,
            TableName::Types,
            root,
            from,
            |entry, kids| Ok(build_type(entry, kids)),
        )
    }

    fn lit(&self, root: u32, from: &str) -> Result<Lit, DecodeError> {
        self.expand(&self.body.lits, TableName::Lits, root, from, build_lit)
    }

    fn arrow(&self, root: u32, from: &str) -> Result<Arrow, DecodeError> {
        self.expand(
            &self.body.arrows,
            TableName::Arrows,
            root,
            from,
            |entry, kids| self.build_arrow(entry, kids),
        )
    }

    /// Builds the tree rooted at entry `root` of `table` bottom-up with an explicit stack.
    fn expand<E: Children, T>(
        &self,
        table: &[E],
        name: TableName,
        root: u32,
        from: &str,
        build: impl Fn(&E, Vec<T>) -> Result<T, DecodeError>,
    ) -> Result<T, DecodeError> {
        let root_entry = usize::try_from(root).ok().filter(|&r| r < table.len());
        let Some(root_entry) = root_entry else {
            return Err(DecodeError::OutOfRange {
                from: from.to_string(),
                table: name,
                target: root,
                len: table.len(),
            });
        };
        enum Task {
            Visit(usize, usize),
            Build(usize, usize),
        }
        let mut tasks = vec![Task::Visit(root_entry, 1)];
        let mut done: Vec<T> = Vec::new();
        while let Some(task) = tasks.pop() {
            match task {
                Task::Visit(index, depth) => {
                    if depth > self.depth_max {
                        return Err(DecodeError::TooDeep {
                            table: name,
                            max: self.depth_max,
                        });
                    }
                    self.charge_node()?;
                    // `check_tables` made every child index smaller than `index`.
                    let children = table[index].children();
                    tasks.push(Task::Build(index, children.len()));
                    tasks.extend(
                        children
                            .iter()
                            .rev()
                            .map(|&c| Task::Visit(c as usize, depth + 1)),
                    );
                }
                Task::Build(index, count) => {
                    let kids = done.split_off(done.len() - count);
                    done.push(build(&table[index], kids)?);
                }
            }
        }
        Ok(done
            .pop()
            .expect("a post-order rebuild leaves exactly the root"))
    }

    fn charge_node(&self) -> Result<(), DecodeError> {
        match self.nodes_left.get().checked_sub(1) {
            Some(left) => {
                self.nodes_left.set(left);
                Ok(())
            }
            None => Err(DecodeError::TooManyNodes {
                max: self.nodes_max,
            }),
        }
    }

    fn build_arrow(&self, entry: &ArrowEntry, kids: Vec<Arrow>) -> Result<Arrow, DecodeError> {
        Ok(match entry {
            ArrowEntry::Id => Arrow::Id,
            ArrowEntry::Seq(_) => Arrow::Seq(kids),
            ArrowEntry::Proj(i) => Arrow::Proj(*i),
            ArrowEntry::Fork(_) => Arrow::Fork(kids),
            ArrowEntry::Par(_) => Arrow::Par(kids),
            ArrowEntry::Inj { sum, tag } => Arrow::Inj {
                sum: self.ty(*sum, "an injection")?,
                tag: *tag,
            },
            ArrowEntry::Case(_) => Arrow::Case(kids),
            ArrowEntry::Distl => Arrow::Distl,
            ArrowEntry::Const { ty, lit } => Arrow::Const(
                self.ty(*ty, "a constant arrow")?,
                self.lit(*lit, "a constant arrow")?,
            ),
            ArrowEntry::Prim { prim, site } => Arrow::Prim(*prim, *site),
            ArrowEntry::Call(k) => Arrow::Call(*k),
        })
    }
}

/// Entries whose children the rebuild visits.
trait Children {
    fn children(&self) -> Vec<u32>;
}

impl Children for TypeEntry {
    fn children(&self) -> Vec<u32> {
        TypeEntry::children(self)
    }
}

impl Children for LitEntry {
    fn children(&self) -> Vec<u32> {
        LitEntry::children(self)
    }
}

impl Children for ArrowEntry {
    fn children(&self) -> Vec<u32> {
        ArrowEntry::children(self)
    }
}

fn build_type(entry: &TypeEntry, kids: Vec<Type>) -> Type {
    let mut kids = kids.into_iter();
    let mut next = || kids.next().expect("one rebuilt child per child reference");
    match entry {
        TypeEntry::Unit => Type::Unit,
        TypeEntry::Bool => Type::Bool,
        TypeEntry::Int => Type::Int,
        TypeEntry::String => Type::String,
        TypeEntry::Tuple(items) => Type::Tuple(items.iter().map(|_| next()).collect()),
        TypeEntry::Sum(items) => Type::Sum(items.iter().map(|_| next()).collect()),
        TypeEntry::Record(fields) => Type::Record(
            fields
                .iter()
                .map(|f| Field {
                    name: f.name.clone(),
                    ty: next(),
                })
                .collect(),
        ),
        TypeEntry::Enum(e) => Type::Enum(EnumType {
            name: e.name.clone(),
            variants: e
                .variants
                .iter()
                .map(|v| Variant {
                    name: v.name.clone(),
                    fields: v.fields.iter().map(|_| next()).collect(),
                })
                .collect(),
        }),
        TypeEntry::Option(_) => Type::Option(Box::new(next())),
        TypeEntry::List(_) => Type::List(Box::new(next())),
        TypeEntry::Map(_, _) => {
            let k = next();
            Type::Map(Box::new(k), Box::new(next()))
        }
    }
}

fn build_lit(entry: &LitEntry, kids: Vec<Lit>) -> Result<Lit, DecodeError> {
    Ok(match entry {
        LitEntry::Unit => Lit::Unit,
        LitEntry::Bool(b) => Lit::Bool(*b),
        LitEntry::Int(n) => Lit::Int(*n),
        LitEntry::Str(s) => Lit::Str(s.clone()),
        LitEntry::Tuple(_) => Lit::Tuple(kids),
        LitEntry::List(_) => Lit::List(kids),
        LitEntry::Variant(tag, _) => Lit::Variant(
            *tag,
            Box::new(
                kids.into_iter()
                    .next()
                    .expect("a variant has one payload reference"),
            ),
        ),
        LitEntry::Map(_) => {
            let mut kids = kids.into_iter();
            let mut entries = Vec::new();
            while let (Some(k), Some(v)) = (kids.next(), kids.next()) {
                entries.push((k, v));
            }
            check_ascending(&entries)?;
            Lit::Map(entries)
        }
    })
}

/// A map constant has one encoding only: keys strictly ascending in value order.
fn check_ascending(entries: &[(Lit, Lit)]) -> Result<(), DecodeError> {
    let keys: Vec<Value> = entries.iter().map(|(k, _)| Value::from_lit(k)).collect();
    if keys.windows(2).all(|pair| pair[0] < pair[1]) {
        Ok(())
    } else {
        Err(DecodeError::UnsortedMap)
    }
}
