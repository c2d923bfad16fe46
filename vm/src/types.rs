//! The types of Quiver values, shared by the compiler, the artifact and the verifier.
//!
//! One `Type` serves every layer: the checker types source with it, the artifact records the
//! state/input/output types with it, and the verifier infers arrow types with it. Types are
//! finite trees (the language has no recursive types) and compare structurally, names
//! included: two enums are the same type only when their names and variants agree, and record
//! fields compare in declaration order.
//!
//! At run time there are only products and sums. [`Type::components`] views a record or tuple
//! as a product, and [`Type::cases`] views `Bool`, `Option` and enums as sums, so the verifier
//! and the evaluators treat them all alike.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A Quiver type.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Type {
    Unit,
    Bool,
    Int,
    String,
    /// A tuple `(A, B, ...)`: an anonymous product of two or more components.
    Tuple(Vec<Type>),
    /// A record `{ a: A, b: B }`: a product whose components have names.
    Record(Vec<Field>),
    /// A nominal enum: `Counter.Input`, or a declared `enum`.
    Enum(EnumType),
    /// `Option<T>`: the sum `None | Some(T)`, with tags 0 and 1.
    Option(Box<Type>),
    List(Box<Type>),
    Map(Box<Type>, Box<Type>),
    /// An anonymous sum. The surface language never writes one; `distl` produces them.
    Sum(Vec<Type>),
}

/// A named record field.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    pub ty: Type,
}

/// A nominal enum: its name (`Counter.Output`, `Light`) and its variants in tag order.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EnumType {
    pub name: String,
    pub variants: Vec<Variant>,
}

/// One variant of an enum: `Name` or `Name(T, ...)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Variant {
    pub name: String,
    pub fields: Vec<Type>,
}

impl Variant {
    /// The type a variant carries as one value: `Unit` with no fields, the field's type with
    /// one, a tuple of them with more.
    pub fn payload(&self) -> Type {
        payload_of(&self.fields)
    }
}

/// The payload type of a constructor with these argument types (see [`Variant::payload`]).
pub fn payload_of(fields: &[Type]) -> Type {
    match fields {
        [] => Type::Unit,
        [one] => one.clone(),
        many => Type::Tuple(many.to_vec()),
    }
}

impl Type {
    /// The component types when this is a product (tuple or record), in index order.
    pub fn components(&self) -> Option<Vec<Type>> {
        match self {
            Type::Tuple(items) => Some(items.clone()),
            Type::Record(fields) => Some(fields.iter().map(|f| f.ty.clone()).collect()),
            _ => None,
        }
    }

    /// The payload type of each case when this is a sum, in tag order.
    ///
    /// `Bool` is `Unit + Unit` with `false` = 0 and `true` = 1; `Option<T>` is `Unit + T`
    /// with `None` = 0 and `Some` = 1; an enum's cases are its variants' payloads.
    pub fn cases(&self) -> Option<Vec<Type>> {
        match self {
            Type::Bool => Some(vec![Type::Unit, Type::Unit]),
            Type::Option(inner) => Some(vec![Type::Unit, (**inner).clone()]),
            Type::Enum(e) => Some(e.variants.iter().map(Variant::payload).collect()),
            Type::Sum(cases) => Some(cases.clone()),
            _ => None,
        }
    }

    /// The number of nodes in this type tree; the verifier bounds it.
    pub fn size(&self) -> usize {
        1 + match self {
            Type::Unit | Type::Bool | Type::Int | Type::String => 0,
            Type::Tuple(items) | Type::Sum(items) => items.iter().map(Type::size).sum(),
            Type::Record(fields) => fields.iter().map(|f| f.ty.size()).sum(),
            Type::Enum(e) => e
                .variants
                .iter()
                .map(|v| v.fields.iter().map(Type::size).sum::<usize>())
                .sum(),
            Type::Option(inner) | Type::List(inner) => inner.size(),
            Type::Map(k, v) => k.size() + v.size(),
        }
    }

    /// The record field named `name`: its index and type.
    pub fn field(&self, name: &str) -> Option<(usize, &Type)> {
        match self {
            Type::Record(fields) => fields
                .iter()
                .enumerate()
                .find(|(_, f)| f.name == name)
                .map(|(i, f)| (i, &f.ty)),
            _ => None,
        }
    }
}

/// Types print as the surface language writes them; enums print by name only.
impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Unit => f.write_str("Unit"),
            Type::Bool => f.write_str("Bool"),
            Type::Int => f.write_str("Int"),
            Type::String => f.write_str("String"),
            Type::Tuple(items) => {
                f.write_str("(")?;
                write_list(f, items)?;
                f.write_str(")")
            }
            Type::Record(fields) => {
                if fields.is_empty() {
                    return f.write_str("{}");
                }
                f.write_str("{ ")?;
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}: {}", field.name, field.ty)?;
                }
                f.write_str(" }")
            }
            Type::Enum(e) => f.write_str(&e.name),
            Type::Option(inner) => write!(f, "Option<{inner}>"),
            Type::List(inner) => write!(f, "List<{inner}>"),
            Type::Map(k, v) => write!(f, "Map<{k}, {v}>"),
            Type::Sum(cases) => {
                for (i, case) in cases.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" + ")?;
                    }
                    write!(f, "[{case}]")?;
                }
                if cases.is_empty() {
                    f.write_str("Void")?;
                }
                Ok(())
            }
        }
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, items: &[Type]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

impl EnumType {
    /// The tag of the variant named `name`.
    pub fn tag_of(&self, name: &str) -> Option<u32> {
        self.variants
            .iter()
            .position(|v| v.name == name)
            .and_then(|i| u32::try_from(i).ok())
    }

    /// The full definition, `enum Name { A, B(Int) }`, for `--emit` output and messages.
    pub fn definition(&self) -> String {
        let variants: Vec<String> = self
            .variants
            .iter()
            .map(|v| {
                if v.fields.is_empty() {
                    v.name.clone()
                } else {
                    let fields: Vec<String> = v.fields.iter().map(Type::to_string).collect();
                    format!("{}({})", v.name, fields.join(", "))
                }
            })
            .collect();
        format!("enum {} {{ {} }}", self.name, variants.join(", "))
    }
}
