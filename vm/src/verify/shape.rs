//! Shape erasure: the run-time structure of a type, with names forgotten.
//!
//! The verifier compares types by shape, because a `Fork` builds an anonymous tuple that stands
//! for a record and an `Inj` names its sum type: records become tuples of their field shapes,
//! enums become anonymous sums of their payload shapes. `Bool`, `Option`, `List`, `Map` and the
//! scalars stay themselves (with their parameters erased), because their values are built and
//! read by primitives that know them by name.
//!
//! This module does not bound recursion: the verifier checks type depth first.

use crate::types::Type;

/// The shape of `ty`: records as tuples, enums as sums, names erased all the way down.
pub fn shape(ty: &Type) -> Type {
    match ty {
        Type::Unit | Type::Bool | Type::Int | Type::String => ty.clone(),
        Type::Tuple(items) => Type::Tuple(items.iter().map(shape).collect()),
        Type::Record(fields) => Type::Tuple(fields.iter().map(|f| shape(&f.ty)).collect()),
        Type::Enum(e) => Type::Sum(e.variants.iter().map(|v| shape(&v.payload())).collect()),
        Type::Sum(cases) => Type::Sum(cases.iter().map(shape).collect()),
        Type::Option(inner) => Type::Option(Box::new(shape(inner))),
        Type::List(inner) => Type::List(Box::new(shape(inner))),
        Type::Map(k, v) => Type::Map(Box::new(shape(k)), Box::new(shape(v))),
    }
}

/// Whether two types have the same run-time shape.
pub fn same_shape(a: &Type, b: &Type) -> bool {
    a == b || shape(a) == shape(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{EnumType, Field, Variant};

    #[test]
    fn a_record_has_the_shape_of_the_tuple_of_its_fields() {
        let record = Type::Record(vec![Field {
            name: "count".into(),
            ty: Type::Int,
        }]);
        assert!(same_shape(&record, &Type::Tuple(vec![Type::Int])));
        assert!(!same_shape(&record, &Type::Int));
    }

    #[test]
    fn an_enum_has_the_shape_of_the_sum_of_its_payloads() {
        let e = Type::Enum(EnumType {
            name: "E".into(),
            variants: vec![
                Variant {
                    name: "A".into(),
                    fields: vec![],
                },
                Variant {
                    name: "B".into(),
                    fields: vec![Type::Int, Type::Bool],
                },
            ],
        });
        let sum = Type::Sum(vec![Type::Unit, Type::Tuple(vec![Type::Int, Type::Bool])]);
        assert!(same_shape(&e, &sum));
    }

    #[test]
    fn bool_keeps_its_own_shape() {
        assert!(!same_shape(
            &Type::Bool,
            &Type::Sum(vec![Type::Unit, Type::Unit])
        ));
    }
}
