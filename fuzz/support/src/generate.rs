//! Types and values built from fuzzer bytes: the raw material of the text, artifact and source
//! targets.
//!
//! Both walks are bounded (depth and collection sizes), so any byte string gives a small type
//! or value quickly; when the bytes run out, `arbitrary` answers zeros and the walks bottom out
//! at the first case. Values are generated *for* a type, so they always have it: the targets
//! rely on that to tell a VM bug from a generator bug (a unit test checks it).

use arbitrary::{Result, Unstructured};
use quiver_vm::types::{EnumType, Field, Type, Variant};
use quiver_vm::value::Value;
use std::sync::Arc;

/// How deep a generated type may nest.
const TYPE_DEPTH_MAX: usize = 4;

/// The most elements in a generated list or map, and components in a tuple, record or sum.
const WIDTH_MAX: usize = 4;

const FIELD_NAMES: &[&str] = &["count", "total", "a", "b_2", "x", "items", "state"];
const VARIANT_NAMES: &[&str] = &["Incr", "Reset", "Get", "Ok", "Err", "Some", "None"];
const ENUM_NAMES: &[&str] = &["Counter.Input", "Counter.Output", "Light", "E"];

/// Integers that sit on the edges of arithmetic: overflow, division and sign.
const EDGE_INTS: &[i64] = &[
    0,
    1,
    -1,
    2,
    10,
    i64::MAX,
    i64::MIN,
    i64::MAX - 1,
    i64::MIN + 1,
];

/// A type of any kind, at most [`TYPE_DEPTH_MAX`] deep. Enums and sums may be empty (such a
/// type has no values, which the parsers must cope with).
pub fn arbitrary_type(u: &mut Unstructured<'_>) -> Result<Type> {
    type_at(u, 0)
}

fn type_at(u: &mut Unstructured<'_>, depth: usize) -> Result<Type> {
    let leaves = 4;
    let kinds = if depth >= TYPE_DEPTH_MAX { leaves } else { 11 };
    Ok(match u.choose_index(kinds)? {
        0 => Type::Unit,
        1 => Type::Bool,
        2 => Type::Int,
        3 => Type::String,
        4 => Type::Tuple(types_at(u, depth, 2)?),
        5 => Type::Record(fields_at(u, depth)?),
        6 => Type::Enum(enum_at(u, depth)?),
        7 => Type::Option(Box::new(type_at(u, depth + 1)?)),
        8 => Type::List(Box::new(type_at(u, depth + 1)?)),
        9 => Type::Map(
            Box::new(type_at(u, depth + 1)?),
            Box::new(type_at(u, depth + 1)?),
        ),
        _ => Type::Sum(types_at(u, depth, 0)?),
    })
}

fn types_at(u: &mut Unstructured<'_>, depth: usize, min: usize) -> Result<Vec<Type>> {
    let len = u.int_in_range(min..=WIDTH_MAX)?;
    (0..len).map(|_| type_at(u, depth + 1)).collect()
}

fn fields_at(u: &mut Unstructured<'_>, depth: usize) -> Result<Vec<Field>> {
    let types = types_at(u, depth, 0)?;
    Ok(types
        .into_iter()
        .zip(FIELD_NAMES)
        .map(|(ty, name)| Field {
            name: (*name).to_string(),
            ty,
        })
        .collect())
}

fn enum_at(u: &mut Unstructured<'_>, depth: usize) -> Result<EnumType> {
    let name = (*u.choose(ENUM_NAMES)?).to_string();
    let count = u.int_in_range(0..=WIDTH_MAX)?;
    let mut variants = Vec::with_capacity(count);
    for name in VARIANT_NAMES.iter().take(count) {
        let arity = u.int_in_range(0..=2)?;
        let fields = (0..arity)
            .map(|_| type_at(u, depth + 1))
            .collect::<Result<_>>()?;
        variants.push(Variant {
            name: (*name).to_string(),
            fields,
        });
    }
    Ok(EnumType { name, variants })
}

/// A value of `ty`, or `None` when `ty` has no values (an empty enum or sum on every path).
pub fn arbitrary_value(u: &mut Unstructured<'_>, ty: &Type) -> Result<Option<Value>> {
    Ok(match ty {
        Type::Unit => Some(Value::Unit),
        Type::Bool => Some(Value::Bool(u.arbitrary()?)),
        Type::Int => Some(Value::Int(arbitrary_int(u)?)),
        Type::String => Some(Value::str(&arbitrary_string(u)?)),
        Type::Tuple(_) | Type::Record(_) => {
            let mut items = Vec::new();
            for component in ty.components().unwrap_or_default() {
                let Some(item) = arbitrary_value(u, &component)? else {
                    return Ok(None);
                };
                items.push(item);
            }
            Some(Value::tuple(items))
        }
        Type::Enum(_) | Type::Option(_) | Type::Sum(_) => sum_value(u, ty)?,
        Type::List(element) => Some(Value::List(Arc::new(
            elements(u, element)?.into_iter().collect(),
        ))),
        Type::Map(key, value) => {
            let mut entries = imbl::OrdMap::new();
            for k in elements(u, key)? {
                if let Some(v) = arbitrary_value(u, value)? {
                    entries.insert(k, v);
                }
            }
            Some(Value::Map(Arc::new(entries)))
        }
    })
}

/// A variant of a sum: the chosen case if it has values, else the first case that has.
fn sum_value(u: &mut Unstructured<'_>, ty: &Type) -> Result<Option<Value>> {
    let cases = ty.cases().unwrap_or_default();
    if cases.is_empty() {
        return Ok(None);
    }
    let first = u.choose_index(cases.len())?;
    for offset in 0..cases.len() {
        let tag = (first + offset) % cases.len();
        if let Some(payload) = arbitrary_value(u, &cases[tag])? {
            let tag = u32::try_from(tag).expect("invariant: a generated sum has few cases");
            return Ok(Some(Value::variant(tag, payload)));
        }
    }
    Ok(None)
}

fn elements(u: &mut Unstructured<'_>, element: &Type) -> Result<Vec<Value>> {
    let len = u.int_in_range(0..=WIDTH_MAX)?;
    let mut items = Vec::with_capacity(len);
    for _ in 0..len {
        match arbitrary_value(u, element)? {
            Some(item) => items.push(item),
            None => break,
        }
    }
    Ok(items)
}

/// Mostly small or edge integers, sometimes any `i64`.
fn arbitrary_int(u: &mut Unstructured<'_>) -> Result<i64> {
    Ok(match u.choose_index(3)? {
        0 => i64::from(u.int_in_range(-3i8..=20)?),
        1 => *u.choose(EDGE_INTS)?,
        _ => u.arbitrary()?,
    })
}

/// A short string, mostly printable, with quotes, escapes and non-ASCII now and then.
fn arbitrary_string(u: &mut Unstructured<'_>) -> Result<String> {
    let len = u.int_in_range(0..=8)?;
    let mut s = String::with_capacity(len);
    for _ in 0..len {
        let c = match u.choose_index(4)? {
            0 => char::from(u.int_in_range(b' '..=b'~')?),
            1 => *u.choose(&['"', '\\', '\n', '\t', '\0', 'é', '→', '😀'])?,
            _ => u.arbitrary()?,
        };
        s.push(c);
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use quiver_vm::verify::value_has_type;

    #[test]
    fn every_generated_value_has_the_type_it_was_generated_for() {
        let mut generated = 0;
        for seed in 0u32..2000 {
            let bytes: Vec<u8> = (0..256u32)
                .map(|i| (seed.wrapping_mul(2_654_435_761).wrapping_add(i * 97) >> 7) as u8)
                .collect();
            let mut u = Unstructured::new(&bytes);
            let ty = arbitrary_type(&mut u).expect("generation never fails on bytes");
            if let Some(value) = arbitrary_value(&mut u, &ty).expect("generation never fails") {
                assert!(value_has_type(&value, &ty), "{value:?} is not a {ty}");
                generated += 1;
            }
        }
        assert!(generated > 1000, "only {generated} types had values");
    }

    #[test]
    fn no_bytes_still_give_a_type_and_a_value() {
        let mut u = Unstructured::new(&[]);
        let ty = arbitrary_type(&mut u).expect("generation never fails on no bytes");
        assert_eq!(ty, Type::Unit);
        let value = arbitrary_value(&mut u, &ty).expect("generation never fails");
        assert_eq!(value, Some(Value::Unit));
    }
}
