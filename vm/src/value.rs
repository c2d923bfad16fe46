//! Run-time values.
//!
//! Products (tuples and records) are `Tuple`s, sums (enums, `Option`, anonymous sums) are
//! `Variant`s, and `Bool` is its own case for speed. Everything that is not a scalar is shared
//! behind an `Arc` or is a persistent `imbl` collection, so cloning a value is O(1), a turn
//! that changes one key of a large map copies O(log n) nodes, and keeping the state from before
//! a turn (to roll back a trap) costs nothing. Values are `Send + Sync`, so a node may move an
//! instance between threads.
//!
//! Values carry no types: what a value means is given by the type it was verified against.
//! Their order (`Ord`) is total and deterministic; maps are ordered by it.

use crate::bytecode::Lit;
use std::sync::Arc;

/// A run-time value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    Unit,
    Bool(bool),
    Int(i64),
    Str(Arc<str>),
    /// A tuple or record: the components in index order.
    Tuple(Arc<[Value]>),
    /// A case of a sum: the tag and the payload.
    Variant(u32, Arc<Value>),
    List(Arc<imbl::Vector<Value>>),
    Map(Arc<imbl::OrdMap<Value, Value>>),
}

// A value is three words at most; the dispatch loop moves many of them.
const _: () = assert!(std::mem::size_of::<Value>() <= 24);

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(Arc::from(s))
    }

    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(Arc::from(items))
    }

    pub fn variant(tag: u32, payload: Value) -> Value {
        Value::Variant(tag, Arc::new(payload))
    }

    /// The value of a constant.
    pub fn from_lit(lit: &Lit) -> Value {
        match lit {
            Lit::Unit => Value::Unit,
            Lit::Bool(b) => Value::Bool(*b),
            Lit::Int(n) => Value::Int(*n),
            Lit::Str(s) => Value::str(s),
            Lit::Tuple(items) => Value::tuple(items.iter().map(Value::from_lit).collect()),
            Lit::Variant(tag, payload) => Value::variant(*tag, Value::from_lit(payload)),
            Lit::List(items) => Value::List(Arc::new(items.iter().map(Value::from_lit).collect())),
            Lit::Map(entries) => Value::Map(Arc::new(
                entries
                    .iter()
                    .map(|(k, v)| (Value::from_lit(k), Value::from_lit(v)))
                    .collect(),
            )),
        }
    }

    /// The constant of a value (maps in ascending key order, as the artifact requires).
    pub fn to_lit(&self) -> Lit {
        match self {
            Value::Unit => Lit::Unit,
            Value::Bool(b) => Lit::Bool(*b),
            Value::Int(n) => Lit::Int(*n),
            Value::Str(s) => Lit::Str(s.to_string()),
            Value::Tuple(items) => Lit::Tuple(items.iter().map(Value::to_lit).collect()),
            Value::Variant(tag, payload) => Lit::Variant(*tag, Box::new(payload.to_lit())),
            Value::List(items) => Lit::List(items.iter().map(Value::to_lit).collect()),
            Value::Map(entries) => Lit::Map(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_lit(), v.to_lit()))
                    .collect(),
            ),
        }
    }
}
