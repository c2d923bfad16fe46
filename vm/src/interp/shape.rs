//! The input gate, precomputed: a type turned once into a [`Shape`] that checks a value
//! without cloning types on every turn (`verify::value_has_type` clones a sum's case types).
//! It accepts exactly the values `value_has_type` accepts; its recursion follows the type,
//! whose depth the verifier bounds.

use crate::types::Type;
use crate::value::Value;

/// What a value of some type looks like at run time.
#[derive(Debug)]
pub enum Shape {
    Unit,
    Bool,
    Int,
    Str,
    Product(Box<[Shape]>),
    Sum(Box<[Shape]>),
    List(Box<Shape>),
    Map(Box<Shape>, Box<Shape>),
}

impl Shape {
    pub fn of(ty: &Type) -> Shape {
        match ty {
            Type::Unit => Shape::Unit,
            Type::Bool => Shape::Bool,
            Type::Int => Shape::Int,
            Type::String => Shape::Str,
            Type::List(element) => Shape::List(Box::new(Shape::of(element))),
            Type::Map(key, value) => {
                Shape::Map(Box::new(Shape::of(key)), Box::new(Shape::of(value)))
            }
            Type::Tuple(_) | Type::Record(_) => Shape::Product(
                ty.components()
                    .unwrap_or_default()
                    .iter()
                    .map(Shape::of)
                    .collect(),
            ),
            Type::Enum(_) | Type::Sum(_) | Type::Option(_) => Shape::Sum(
                ty.cases()
                    .unwrap_or_default()
                    .iter()
                    .map(Shape::of)
                    .collect(),
            ),
        }
    }

    /// Whether `value` is a value of the type this shape was made from.
    pub fn admits(&self, value: &Value) -> bool {
        match (self, value) {
            (Shape::Unit, Value::Unit)
            | (Shape::Bool, Value::Bool(_))
            | (Shape::Int, Value::Int(_))
            | (Shape::Str, Value::Str(_)) => true,
            (Shape::Product(parts), Value::Tuple(items)) => {
                parts.len() == items.len()
                    && parts.iter().zip(items.iter()).all(|(p, v)| p.admits(v))
            }
            (Shape::Sum(cases), Value::Variant(tag, payload)) => usize::try_from(*tag)
                .ok()
                .and_then(|t| cases.get(t))
                .is_some_and(|case| case.admits(payload)),
            (Shape::List(element), Value::List(items)) => items.iter().all(|v| element.admits(v)),
            (Shape::Map(key, val), Value::Map(entries)) => {
                entries.iter().all(|(k, v)| key.admits(k) && val.admits(v))
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::value_has_type;

    #[test]
    fn a_shape_admits_what_value_has_type_admits() {
        let ty = Type::Tuple(vec![Type::Option(Box::new(Type::Int)), Type::Bool]);
        let shape = Shape::of(&ty);
        let values = [
            Value::tuple(vec![Value::variant(1, Value::Int(3)), Value::Bool(true)]),
            Value::tuple(vec![Value::variant(1, Value::Unit), Value::Bool(true)]),
            Value::tuple(vec![Value::variant(2, Value::Int(3)), Value::Bool(true)]),
            Value::tuple(vec![Value::variant(0, Value::Unit)]),
            Value::Int(1),
        ];
        for value in values {
            assert_eq!(
                shape.admits(&value),
                value_has_type(&value, &ty),
                "{value:?}"
            );
        }
    }
}
