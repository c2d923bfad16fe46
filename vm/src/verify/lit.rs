//! Checking a constant against its declared type: variant tags in range, tuple arities, list
//! elements typed, map keys strictly ascending by `Value` order (so each map has one encoding).
//!
//! It assumes the type and the literal are already within the depth bound; it reports the
//! first mismatch with the path inside the constant where it is.

use crate::bytecode::Lit;
use crate::types::Type;
use crate::value::Value;

/// Checks `lit` against `ty`, or says what is wrong and where inside the constant.
pub fn check_lit(lit: &Lit, ty: &Type) -> Result<(), String> {
    check_at(lit, ty, "")
}

fn check_at(lit: &Lit, ty: &Type, at: &str) -> Result<(), String> {
    let mismatch = || {
        let place = if at.is_empty() {
            String::new()
        } else {
            format!(" at {at}")
        };
        Err(format!(
            "constant{place} should be of type {ty}, found {}",
            describe(lit)
        ))
    };
    match (ty, lit) {
        (Type::Unit, Lit::Unit)
        | (Type::Bool, Lit::Bool(_))
        | (Type::Int, Lit::Int(_))
        | (Type::String, Lit::Str(_)) => Ok(()),
        (Type::Tuple(_) | Type::Record(_), Lit::Tuple(items)) => {
            let components = ty.components().unwrap_or_default();
            if components.len() != items.len() {
                return mismatch();
            }
            for (i, (item, component)) in items.iter().zip(&components).enumerate() {
                check_at(item, component, &format!("{at}.{i}"))?;
            }
            Ok(())
        }
        (Type::Enum(_) | Type::Sum(_) | Type::Option(_), Lit::Variant(tag, payload)) => {
            let cases = ty.cases().unwrap_or_default();
            match usize::try_from(*tag).ok().and_then(|t| cases.get(t)) {
                Some(case) => check_at(payload, case, &format!("{at}.variant[{tag}]")),
                None => Err(format!(
                    "constant{} has tag {tag}, out of range of the {} cases of {ty}",
                    if at.is_empty() {
                        String::new()
                    } else {
                        format!(" at {at}")
                    },
                    cases.len()
                )),
            }
        }
        (Type::List(element), Lit::List(items)) => {
            for (i, item) in items.iter().enumerate() {
                check_at(item, element, &format!("{at}[{i}]"))?;
            }
            Ok(())
        }
        (Type::Map(key, value), Lit::Map(entries)) => check_map(entries, key, value, at),
        _ => mismatch(),
    }
}

fn check_map(entries: &[(Lit, Lit)], key: &Type, value: &Type, at: &str) -> Result<(), String> {
    let mut previous: Option<Value> = None;
    for (i, (k, v)) in entries.iter().enumerate() {
        check_at(k, key, &format!("{at}.key[{i}]"))?;
        check_at(v, value, &format!("{at}.value[{i}]"))?;
        let current = Value::from_lit(k);
        if previous.as_ref().is_some_and(|p| *p >= current) {
            return Err(format!(
                "map constant keys must be strictly ascending, but key {i} is not above key {}",
                i - 1
            ));
        }
        previous = Some(current);
    }
    Ok(())
}

fn describe(lit: &Lit) -> String {
    match lit {
        Lit::Unit => "unit".into(),
        Lit::Bool(_) => "a bool".into(),
        Lit::Int(_) => "an integer".into(),
        Lit::Str(_) => "a string".into(),
        Lit::Tuple(items) => format!("a {}-component tuple", items.len()),
        Lit::Variant(tag, _) => format!("variant {tag}"),
        Lit::List(_) => "a list".into(),
        Lit::Map(_) => "a map".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_with_descending_keys_is_rejected() {
        let ty = Type::Map(Box::new(Type::Int), Box::new(Type::Int));
        let lit = Lit::Map(vec![(Lit::Int(2), Lit::Int(0)), (Lit::Int(1), Lit::Int(0))]);
        let err = check_lit(&lit, &ty).err().unwrap_or_default();
        assert!(err.contains("strictly ascending"), "{err}");
    }

    #[test]
    fn a_list_element_of_the_wrong_type_is_rejected_with_its_index() {
        let ty = Type::List(Box::new(Type::Int));
        let lit = Lit::List(vec![Lit::Int(1), Lit::Bool(true)]);
        assert_eq!(
            check_lit(&lit, &ty),
            Err("constant at [1] should be of type Int, found a bool".into())
        );
    }

    #[test]
    fn an_option_constant_checks_its_tag() {
        let ty = Type::Option(Box::new(Type::Int));
        assert_eq!(
            check_lit(&Lit::Variant(1, Box::new(Lit::Int(3))), &ty),
            Ok(())
        );
        let err = check_lit(&Lit::Variant(2, Box::new(Lit::Int(3))), &ty);
        assert_eq!(
            err,
            Err("constant has tag 2, out of range of the 2 cases of Option<Int>".into())
        );
    }
}
