//! Checking a run-time value against a type: the gate for values that come from outside (a
//! turn's input), so that a verified program only ever sees values of the types it was
//! verified for.
//!
//! The walk follows the type, so its depth is bounded by the type's depth (which the verifier
//! bounds), whatever the value.

use crate::types::Type;
use crate::value::Value;

/// Whether `value` is a value of `ty` (records and tuples as `Tuple`, sums as `Variant`,
/// `Bool` as `Bool`).
pub fn value_has_type(value: &Value, ty: &Type) -> bool {
    match (ty, value) {
        (Type::Unit, Value::Unit)
        | (Type::Bool, Value::Bool(_))
        | (Type::Int, Value::Int(_))
        | (Type::String, Value::Str(_)) => true,
        (Type::Tuple(_) | Type::Record(_), Value::Tuple(items)) => {
            let components = ty.components().unwrap_or_default();
            components.len() == items.len()
                && items
                    .iter()
                    .zip(&components)
                    .all(|(item, component)| value_has_type(item, component))
        }
        (Type::Enum(_) | Type::Sum(_) | Type::Option(_), Value::Variant(tag, payload)) => ty
            .cases()
            .unwrap_or_default()
            .get(usize::try_from(*tag).unwrap_or(usize::MAX))
            .is_some_and(|case| value_has_type(payload, case)),
        (Type::List(element), Value::List(items)) => {
            items.iter().all(|item| value_has_type(item, element))
        }
        (Type::Map(key, val), Value::Map(entries)) => entries
            .iter()
            .all(|(k, v)| value_has_type(k, key) && value_has_type(v, val)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_option_value_needs_a_tag_in_range_and_a_typed_payload() {
        let ty = Type::Option(Box::new(Type::Int));
        assert!(value_has_type(&Value::variant(1, Value::Int(3)), &ty));
        assert!(!value_has_type(&Value::variant(1, Value::Unit), &ty));
        assert!(!value_has_type(&Value::variant(2, Value::Int(3)), &ty));
    }

    #[test]
    fn a_bool_is_not_a_variant() {
        assert!(!value_has_type(
            &Value::variant(1, Value::Unit),
            &Type::Bool
        ));
    }
}
