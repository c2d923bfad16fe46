//! The size of a state: the number of entries in its collections, counted cheaply.
//!
//! A state's size is the number of entries of every list and map in it, nested collections
//! included (a map entry counts once, a list element once; scalars, records, tuples and
//! variants count nothing on their own, their size being bounded by their type). That is the
//! measure that grows without bound from turn to turn, so it is the one a node caps
//! (`Limits::state_size_max`).
//!
//! Counting is guided by the state's type: a collection whose element type holds no collection
//! contributes its length, read in O(1) from the persistent collection, without visiting its
//! elements. Only elements that may hold collections are visited, and counting stops as soon
//! as the total passes the bound, so a check costs O(number of nested collections), never
//! O(entries), for the common flat maps and lists. Strings count nothing here: their length is
//! not what this bound caps. This module only measures; callers decide what an excess means.

use crate::types::Type;
use crate::value::Value;

/// The number of collection entries in `value` (of type `ty`), or `None` once it passes `max`.
pub fn state_size(value: &Value, ty: &Type, max: u64) -> Option<u64> {
    let mut counter = Counter { total: 0, max };
    counter.typed(value, Some(ty)).then_some(counter.total)
}

struct Counter {
    total: u64,
    max: u64,
}

impl Counter {
    /// Adds `n` entries; false once the total is over the bound.
    fn add(&mut self, n: usize) -> bool {
        self.total = self
            .total
            .saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
        self.total <= self.max
    }

    /// Counts `value`; `ty` is its type when known (`None` visits everything).
    fn typed(&mut self, value: &Value, ty: Option<&Type>) -> bool {
        if ty.is_some_and(|ty| !holds_collection(ty)) {
            return true;
        }
        match value {
            Value::Unit | Value::Bool(_) | Value::Int(_) | Value::Str(_) => true,
            Value::Tuple(items) => self.components(items, ty),
            Value::Variant(tag, payload) => self.typed(payload, payload_type(ty, *tag, payload)),
            Value::List(items) => {
                let element = match ty {
                    Some(Type::List(element)) => Some(&**element),
                    _ => None,
                };
                self.add(items.len()) && self.elements(items.iter(), element)
            }
            Value::Map(entries) => {
                let (key, val) = match ty {
                    Some(Type::Map(key, val)) => (Some(&**key), Some(&**val)),
                    _ => (None, None),
                };
                self.add(entries.len())
                    && self.elements(entries.keys(), key)
                    && self.elements(entries.values(), val)
            }
        }
    }

    /// Visits the elements of a collection only when their type may hold collections.
    fn elements<'a>(
        &mut self,
        mut items: impl Iterator<Item = &'a Value>,
        ty: Option<&Type>,
    ) -> bool {
        if ty.is_some_and(|ty| !holds_collection(ty)) {
            return true;
        }
        items.all(|item| self.typed(item, ty))
    }

    fn components(&mut self, items: &[Value], ty: Option<&Type>) -> bool {
        match ty {
            Some(Type::Tuple(types)) if types.len() == items.len() => items
                .iter()
                .zip(types)
                .all(|(item, ty)| self.typed(item, Some(ty))),
            Some(Type::Record(fields)) if fields.len() == items.len() => items
                .iter()
                .zip(fields)
                .all(|(item, field)| self.typed(item, Some(&field.ty))),
            _ => items.iter().all(|item| self.typed(item, None)),
        }
    }
}

/// The type of a variant's payload when it is a single type (otherwise `None`: visit all).
fn payload_type<'a>(ty: Option<&'a Type>, tag: u32, payload: &Value) -> Option<&'a Type> {
    let index = usize::try_from(tag).ok()?;
    match ty? {
        Type::Option(inner) if tag == 1 => Some(inner),
        Type::Sum(cases) => cases.get(index),
        Type::Enum(e) => match e.variants.get(index)?.fields.as_slice() {
            [one] => Some(one),
            // No fields: the payload is `Unit`. Several: a tuple walked without types.
            [] => (*payload == Value::Unit).then_some(&Type::Unit),
            _ => None,
        },
        _ => None,
    }
}

/// Whether some value of `ty` may contain a list or a map.
fn holds_collection(ty: &Type) -> bool {
    match ty {
        Type::Unit | Type::Bool | Type::Int | Type::String => false,
        Type::List(_) | Type::Map(..) => true,
        Type::Tuple(items) | Type::Sum(items) => items.iter().any(holds_collection),
        Type::Record(fields) => fields.iter().any(|f| holds_collection(&f.ty)),
        Type::Enum(e) => e
            .variants
            .iter()
            .any(|v| v.fields.iter().any(holds_collection)),
        Type::Option(inner) => holds_collection(inner),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Field;
    use std::sync::Arc;

    fn int_map(n: i64) -> Value {
        Value::Map(Arc::new(
            (0..n).map(|k| (Value::Int(k), Value::Int(k))).collect(),
        ))
    }

    fn map_type(key: Type, val: Type) -> Type {
        Type::Map(Box::new(key), Box::new(val))
    }

    #[test]
    fn a_flat_map_counts_its_entries() {
        let ty = Type::Record(vec![Field {
            name: "m".into(),
            ty: map_type(Type::Int, Type::Int),
        }]);
        let state = Value::tuple(vec![int_map(1000)]);
        assert_eq!(state_size(&state, &ty, u64::MAX), Some(1000));
    }

    #[test]
    fn nested_collections_count_every_level() {
        let inner = Value::List(Arc::new((0..3).map(Value::Int).collect()));
        let outer = Value::Map(Arc::new(
            (0..4).map(|k| (Value::Int(k), inner.clone())).collect(),
        ));
        let ty = map_type(Type::Int, Type::List(Box::new(Type::Int)));
        assert_eq!(state_size(&outer, &ty, u64::MAX), Some(4 + 4 * 3));
    }

    #[test]
    fn counting_without_types_gives_the_same_total() {
        let inner = Value::List(Arc::new((0..3).map(Value::Int).collect()));
        let state = Value::tuple(vec![int_map(5), Value::variant(1, inner)]);
        let mut counter = Counter {
            total: 0,
            max: u64::MAX,
        };
        assert!(counter.typed(&state, None));
        assert_eq!(counter.total, 8);
    }

    #[test]
    fn a_state_over_the_bound_has_no_size() {
        let state = int_map(11);
        let ty = map_type(Type::Int, Type::Int);
        assert_eq!(state_size(&state, &ty, 10), None);
        assert_eq!(state_size(&state, &ty, 11), Some(11));
    }

    #[test]
    fn scalars_and_strings_count_nothing() {
        assert_eq!(
            state_size(&Value::str("long text"), &Type::String, 0),
            Some(0)
        );
        assert_eq!(state_size(&Value::Int(7), &Type::Int, 0), Some(0));
    }
}
