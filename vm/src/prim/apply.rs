//! What each primitive computes: [`Prim::apply`], one value in, one value out.
//!
//! Integer arithmetic is checked (overflow, division by zero and `MIN / -1` trap); collection
//! updates go through `Arc::make_mut`, so a uniquely owned map or list is changed in place and a
//! shared one is copied in O(log n) by `imbl`.
//!
//! This module does not check types: the verifier has. An argument of the wrong shape is a
//! verifier bug, and is reported as a `LimitExceeded("ill-typed ...")` trap rather than a panic.

use super::Prim;
use crate::trap::TrapKind;
use crate::value::Value;
use std::sync::Arc;

impl Prim {
    /// Applies this primitive to its argument (one value for one parameter, an n-tuple for n).
    pub fn apply(self, arg: Value) -> Result<Value, TrapKind> {
        match self {
            Prim::Add => int2(self, &arg, i64::checked_add, TrapKind::Overflow),
            Prim::Sub => int2(self, &arg, i64::checked_sub, TrapKind::Overflow),
            Prim::Mul => int2(self, &arg, i64::checked_mul, TrapKind::Overflow),
            Prim::Div => divide(self, &arg, i64::checked_div),
            Prim::Rem => divide(self, &arg, i64::checked_rem),
            Prim::Min => int2(self, &arg, |a, b| Some(a.min(b)), TrapKind::Overflow),
            Prim::Max => int2(self, &arg, |a, b| Some(a.max(b)), TrapKind::Overflow),
            Prim::Neg => int1(self, &arg, i64::checked_neg),
            Prim::Abs => int1(self, &arg, i64::checked_abs),
            Prim::Eq | Prim::Ne | Prim::Lt | Prim::Le | Prim::Gt | Prim::Ge => compare(self, &arg),
            Prim::Not => Ok(Value::Bool(!bool_of(self, &arg)?)),
            Prim::Assert => match bool_of(self, &arg)? {
                true => Ok(Value::Unit),
                false => Err(TrapKind::AssertFailed),
            },
            Prim::Concat | Prim::StrLen | Prim::IntToString | Prim::StrContains => {
                apply_string(self, arg)
            }
            Prim::MapInsert | Prim::MapGet | Prim::MapRemove | Prim::MapLen | Prim::MapContains => {
                apply_map(self, arg)
            }
            Prim::ListPush | Prim::ListLen | Prim::ListGet | Prim::ListConcat => {
                apply_list(self, arg)
            }
            Prim::OptionUnwrapOr | Prim::OptionIsSome => apply_option(self, arg),
        }
    }
}

/// The trap for an argument the verifier should have rejected.
fn ill_typed(prim: Prim) -> TrapKind {
    TrapKind::LimitExceeded(format!("ill-typed argument to `{}`", prim.name()))
}

/// The components of an n-tuple argument, taken by value when uniquely owned.
fn components<const N: usize>(prim: Prim, arg: Value) -> Result<[Value; N], TrapKind> {
    match arg {
        Value::Tuple(items) if items.len() == N => {
            let items: Vec<Value> = items.iter().cloned().collect();
            items.try_into().map_err(|_| ill_typed(prim))
        }
        _ => Err(ill_typed(prim)),
    }
}

fn pair_of_ints(prim: Prim, arg: &Value) -> Result<(i64, i64), TrapKind> {
    match arg {
        Value::Tuple(items) => match &items[..] {
            [Value::Int(a), Value::Int(b)] => Ok((*a, *b)),
            _ => Err(ill_typed(prim)),
        },
        _ => Err(ill_typed(prim)),
    }
}

fn int2(
    prim: Prim,
    arg: &Value,
    op: fn(i64, i64) -> Option<i64>,
    trap: TrapKind,
) -> Result<Value, TrapKind> {
    let (a, b) = pair_of_ints(prim, arg)?;
    op(a, b).map(Value::Int).ok_or(trap)
}

/// `Div` and `Rem`: zero divisor traps as division by zero, `MIN / -1` as overflow.
fn divide(prim: Prim, arg: &Value, op: fn(i64, i64) -> Option<i64>) -> Result<Value, TrapKind> {
    let (a, b) = pair_of_ints(prim, arg)?;
    if b == 0 {
        return Err(TrapKind::DivisionByZero);
    }
    op(a, b).map(Value::Int).ok_or(TrapKind::Overflow)
}

fn int1(prim: Prim, arg: &Value, op: fn(i64) -> Option<i64>) -> Result<Value, TrapKind> {
    match arg {
        Value::Int(n) => op(*n).map(Value::Int).ok_or(TrapKind::Overflow),
        _ => Err(ill_typed(prim)),
    }
}

fn bool_of(prim: Prim, arg: &Value) -> Result<bool, TrapKind> {
    match arg {
        Value::Bool(b) => Ok(*b),
        _ => Err(ill_typed(prim)),
    }
}

/// Equality is structural on any type; ordering uses `Value`'s order, which on `Int` is numeric
/// and on `String` is by bytes (the verifier allows ordering only on those two).
fn compare(prim: Prim, arg: &Value) -> Result<Value, TrapKind> {
    let Value::Tuple(items) = arg else {
        return Err(ill_typed(prim));
    };
    let [a, b] = &items[..] else {
        return Err(ill_typed(prim));
    };
    let result = match prim {
        Prim::Eq => a == b,
        Prim::Ne => a != b,
        Prim::Lt => a < b,
        Prim::Le => a <= b,
        Prim::Gt => a > b,
        Prim::Ge => a >= b,
        _ => return Err(ill_typed(prim)),
    };
    Ok(Value::Bool(result))
}

fn apply_string(prim: Prim, arg: Value) -> Result<Value, TrapKind> {
    match (prim, &arg) {
        (Prim::StrLen, Value::Str(s)) => i64::try_from(s.chars().count())
            .map(Value::Int)
            .map_err(|_| TrapKind::Overflow),
        (Prim::IntToString, Value::Int(n)) => Ok(Value::str(&n.to_string())),
        (Prim::Concat | Prim::StrContains, Value::Tuple(items)) => match (prim, &items[..]) {
            (Prim::Concat, [Value::Str(a), Value::Str(b)]) => {
                let mut joined = String::with_capacity(a.len() + b.len());
                joined.push_str(a);
                joined.push_str(b);
                Ok(Value::Str(Arc::from(joined)))
            }
            (Prim::StrContains, [Value::Str(a), Value::Str(b)]) => {
                Ok(Value::Bool(a.contains(&**b)))
            }
            _ => Err(ill_typed(prim)),
        },
        _ => Err(ill_typed(prim)),
    }
}

fn apply_map(prim: Prim, arg: Value) -> Result<Value, TrapKind> {
    match prim {
        Prim::MapLen => match arg {
            Value::Map(map) => len_value(map.len()),
            _ => Err(ill_typed(prim)),
        },
        Prim::MapInsert => {
            let [map, key, value] = components::<3>(prim, arg)?;
            let Value::Map(mut map) = map else {
                return Err(ill_typed(prim));
            };
            Arc::make_mut(&mut map).insert(key, value);
            Ok(Value::Map(map))
        }
        Prim::MapRemove => {
            let [map, key] = components::<2>(prim, arg)?;
            let Value::Map(mut map) = map else {
                return Err(ill_typed(prim));
            };
            if map.contains_key(&key) {
                Arc::make_mut(&mut map).remove(&key);
            }
            Ok(Value::Map(map))
        }
        Prim::MapGet | Prim::MapContains => {
            let [map, key] = components::<2>(prim, arg)?;
            let Value::Map(map) = map else {
                return Err(ill_typed(prim));
            };
            let found = map.get(&key);
            Ok(match prim {
                Prim::MapContains => Value::Bool(found.is_some()),
                _ => option_value(found.cloned()),
            })
        }
        _ => Err(ill_typed(prim)),
    }
}

fn apply_list(prim: Prim, arg: Value) -> Result<Value, TrapKind> {
    match prim {
        Prim::ListLen => match arg {
            Value::List(list) => len_value(list.len()),
            _ => Err(ill_typed(prim)),
        },
        Prim::ListPush => {
            let [list, item] = components::<2>(prim, arg)?;
            let Value::List(mut list) = list else {
                return Err(ill_typed(prim));
            };
            Arc::make_mut(&mut list).push_back(item);
            Ok(Value::List(list))
        }
        Prim::ListGet => {
            let [list, index] = components::<2>(prim, arg)?;
            let (Value::List(list), Value::Int(index)) = (list, index) else {
                return Err(ill_typed(prim));
            };
            let item = usize::try_from(index).ok().and_then(|i| list.get(i));
            Ok(option_value(item.cloned()))
        }
        Prim::ListConcat => {
            let [front, back] = components::<2>(prim, arg)?;
            let (Value::List(mut front), Value::List(back)) = (front, back) else {
                return Err(ill_typed(prim));
            };
            Arc::make_mut(&mut front).append((*back).clone());
            Ok(Value::List(front))
        }
        _ => Err(ill_typed(prim)),
    }
}

fn apply_option(prim: Prim, arg: Value) -> Result<Value, TrapKind> {
    match prim {
        Prim::OptionIsSome => match arg {
            Value::Variant(tag, _) => Ok(Value::Bool(tag == 1)),
            _ => Err(ill_typed(prim)),
        },
        Prim::OptionUnwrapOr => {
            let [option, default] = components::<2>(prim, arg)?;
            match option {
                Value::Variant(1, payload) => Ok((*payload).clone()),
                Value::Variant(0, _) => Ok(default),
                _ => Err(ill_typed(prim)),
            }
        }
        _ => Err(ill_typed(prim)),
    }
}

/// `None` (tag 0, payload `Unit`) or `Some(v)` (tag 1).
fn option_value(found: Option<Value>) -> Value {
    match found {
        Some(v) => Value::variant(1, v),
        None => Value::variant(0, Value::Unit),
    }
}

fn len_value(len: usize) -> Result<Value, TrapKind> {
    i64::try_from(len)
        .map(Value::Int)
        .map_err(|_| TrapKind::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(n: i64) -> Value {
        Value::Int(n)
    }

    fn pair(a: Value, b: Value) -> Value {
        Value::tuple(vec![a, b])
    }

    fn ints(a: i64, b: i64) -> Value {
        pair(int(a), int(b))
    }

    fn map_of(entries: &[(i64, i64)]) -> Value {
        Value::Map(Arc::new(
            entries.iter().map(|(k, v)| (int(*k), int(*v))).collect(),
        ))
    }

    fn list_of(items: &[i64]) -> Value {
        Value::List(Arc::new(items.iter().map(|n| int(*n)).collect()))
    }

    fn some(v: Value) -> Value {
        Value::variant(1, v)
    }

    fn none() -> Value {
        Value::variant(0, Value::Unit)
    }

    fn check(prim: Prim, arg: Value, expected: Result<Value, TrapKind>) {
        assert_eq!(prim.apply(arg), expected, "{}", prim.name());
    }

    #[test]
    fn arithmetic_computes_and_traps_on_overflow() {
        check(Prim::Add, ints(2, 3), Ok(int(5)));
        check(Prim::Add, ints(i64::MAX, 1), Err(TrapKind::Overflow));
        check(Prim::Sub, ints(2, 3), Ok(int(-1)));
        check(Prim::Sub, ints(i64::MIN, 1), Err(TrapKind::Overflow));
        check(Prim::Mul, ints(-4, 3), Ok(int(-12)));
        check(Prim::Mul, ints(i64::MAX, 2), Err(TrapKind::Overflow));
        check(Prim::Neg, int(7), Ok(int(-7)));
        check(Prim::Neg, int(i64::MIN), Err(TrapKind::Overflow));
        check(Prim::Abs, int(-7), Ok(int(7)));
        check(Prim::Abs, int(i64::MIN), Err(TrapKind::Overflow));
        check(Prim::Min, ints(4, -2), Ok(int(-2)));
        check(Prim::Max, ints(4, -2), Ok(int(4)));
    }

    #[test]
    fn division_truncates_and_traps_on_zero_and_min_by_minus_one() {
        check(Prim::Div, ints(-7, 2), Ok(int(-3)));
        check(Prim::Rem, ints(-7, 2), Ok(int(-1)));
        check(Prim::Div, ints(1, 0), Err(TrapKind::DivisionByZero));
        check(Prim::Rem, ints(1, 0), Err(TrapKind::DivisionByZero));
        check(Prim::Div, ints(i64::MIN, -1), Err(TrapKind::Overflow));
        check(Prim::Rem, ints(i64::MIN, -1), Err(TrapKind::Overflow));
    }

    #[test]
    fn comparisons_order_ints_numerically_and_strings_by_bytes() {
        check(Prim::Lt, ints(-1, 0), Ok(Value::Bool(true)));
        check(Prim::Le, ints(0, 0), Ok(Value::Bool(true)));
        check(Prim::Gt, ints(0, 0), Ok(Value::Bool(false)));
        check(Prim::Ge, ints(1, 0), Ok(Value::Bool(true)));
        let strs = pair(Value::str("B"), Value::str("a"));
        check(Prim::Lt, strs, Ok(Value::Bool(true)));
        check(
            Prim::Eq,
            pair(some(int(1)), some(int(1))),
            Ok(Value::Bool(true)),
        );
        check(Prim::Ne, pair(some(int(1)), none()), Ok(Value::Bool(true)));
    }

    #[test]
    fn not_and_assert_work_on_bools() {
        check(Prim::Not, Value::Bool(false), Ok(Value::Bool(true)));
        check(Prim::Assert, Value::Bool(true), Ok(Value::Unit));
        check(
            Prim::Assert,
            Value::Bool(false),
            Err(TrapKind::AssertFailed),
        );
    }

    #[test]
    fn string_primitives_count_chars_and_concatenate() {
        check(Prim::StrLen, Value::str("héllo"), Ok(int(5)));
        check(
            Prim::Concat,
            pair(Value::str("ab"), Value::str("c")),
            Ok(Value::str("abc")),
        );
        check(Prim::IntToString, int(-42), Ok(Value::str("-42")));
        check(
            Prim::StrContains,
            pair(Value::str("haystack"), Value::str("st")),
            Ok(Value::Bool(true)),
        );
        check(
            Prim::StrContains,
            pair(Value::str("hay"), Value::str("st")),
            Ok(Value::Bool(false)),
        );
    }

    #[test]
    fn map_primitives_insert_get_remove_and_count() {
        let m = map_of(&[(1, 10)]);
        let args = Value::tuple(vec![m.clone(), int(2), int(20)]);
        check(Prim::MapInsert, args, Ok(map_of(&[(1, 10), (2, 20)])));
        check(Prim::MapGet, pair(m.clone(), int(1)), Ok(some(int(10))));
        check(Prim::MapGet, pair(m.clone(), int(9)), Ok(none()));
        check(
            Prim::MapContains,
            pair(m.clone(), int(1)),
            Ok(Value::Bool(true)),
        );
        check(Prim::MapRemove, pair(m.clone(), int(1)), Ok(map_of(&[])));
        check(Prim::MapRemove, pair(m.clone(), int(9)), Ok(m.clone()));
        check(Prim::MapLen, m, Ok(int(1)));
    }

    #[test]
    fn map_insert_leaves_a_shared_map_unchanged() {
        let original = map_of(&[(1, 10)]);
        let args = Value::tuple(vec![original.clone(), int(1), int(99)]);
        check(Prim::MapInsert, args, Ok(map_of(&[(1, 99)])));
        assert_eq!(original, map_of(&[(1, 10)]));
    }

    #[test]
    fn list_primitives_push_get_concat_and_count() {
        let xs = list_of(&[1, 2]);
        check(
            Prim::ListPush,
            pair(xs.clone(), int(3)),
            Ok(list_of(&[1, 2, 3])),
        );
        check(Prim::ListGet, pair(xs.clone(), int(1)), Ok(some(int(2))));
        check(Prim::ListGet, pair(xs.clone(), int(2)), Ok(none()));
        check(Prim::ListGet, pair(xs.clone(), int(-1)), Ok(none()));
        check(
            Prim::ListConcat,
            pair(xs.clone(), list_of(&[3])),
            Ok(list_of(&[1, 2, 3])),
        );
        check(Prim::ListLen, xs, Ok(int(2)));
    }

    #[test]
    fn option_primitives_unwrap_or_and_test() {
        check(Prim::OptionUnwrapOr, pair(some(int(1)), int(5)), Ok(int(1)));
        check(Prim::OptionUnwrapOr, pair(none(), int(5)), Ok(int(5)));
        check(Prim::OptionIsSome, some(int(1)), Ok(Value::Bool(true)));
        check(Prim::OptionIsSome, none(), Ok(Value::Bool(false)));
    }

    #[test]
    fn ill_typed_arguments_trap_instead_of_panicking() {
        for prim in Prim::ALL {
            if *prim == Prim::StrLen {
                continue;
            }
            let result = prim.apply(Value::str("wrong"));
            assert!(
                matches!(result, Err(TrapKind::LimitExceeded(ref m)) if m.starts_with("ill-typed")),
                "{}: {result:?}",
                prim.name()
            );
        }
    }
}
