//! Printing a value of a type in the canonical text form.
//!
//! Arguments and fields are separated by `, `; records print as `{ a: 1, b: 2 }` in
//! declaration order and maps as `{"k": 1}` in key order; an empty record or map is `{}`;
//! enum variants print by bare name; an anonymous sum prints as `#tag(payload)`; a
//! one-component tuple prints as `(x,)`. A value that does not fit its type (which a verified
//! program never produces) prints in a type-free fallback form instead of panicking.

use crate::types::{EnumType, Type};
use crate::value::Value;
use std::fmt::Write;

/// Printing deeper than this writes `…`; types are finite and verified types are far shallower.
const DEPTH_MAX: usize = 1024;

/// The canonical text of `value`, read as a value of type `ty`.
pub fn print(value: &Value, ty: &Type) -> String {
    let mut out = String::new();
    write_value(&mut out, value, ty, 0);
    out
}

fn write_value(out: &mut String, value: &Value, ty: &Type, depth: usize) {
    if depth > DEPTH_MAX {
        out.push('…');
        return;
    }
    match (ty, value) {
        (Type::Unit, Value::Unit) => out.push_str("()"),
        (Type::Bool, Value::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
        (Type::Int, Value::Int(n)) => push_display(out, n),
        (Type::String, Value::Str(s)) => write_string(out, s),
        (Type::Tuple(types), Value::Tuple(items)) if types.len() == items.len() => {
            write_tuple(out, items, types, depth);
        }
        (Type::Record(fields), Value::Tuple(items)) if fields.len() == items.len() => {
            if items.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push_str("{ ");
            for (i, (field, item)) in fields.iter().zip(items.iter()).enumerate() {
                separate(out, i);
                out.push_str(&field.name);
                out.push_str(": ");
                write_value(out, item, &field.ty, depth + 1);
            }
            out.push_str(" }");
        }
        (Type::Enum(e), Value::Variant(tag, payload)) if fits_enum(e, *tag, payload) => {
            write_variant(out, e, *tag, payload, depth);
        }
        (Type::Option(_), Value::Variant(0, payload)) if **payload == Value::Unit => {
            out.push_str("None");
        }
        (Type::Option(inner), Value::Variant(1, payload)) => {
            out.push_str("Some(");
            write_value(out, payload, inner, depth + 1);
            out.push(')');
        }
        (Type::List(inner), Value::List(items)) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                separate(out, i);
                write_value(out, item, inner, depth + 1);
            }
            out.push(']');
        }
        (Type::Map(key_ty, value_ty), Value::Map(entries)) => {
            out.push('{');
            for (i, (key, item)) in entries.iter().enumerate() {
                separate(out, i);
                write_value(out, key, key_ty, depth + 1);
                out.push_str(": ");
                write_value(out, item, value_ty, depth + 1);
            }
            out.push('}');
        }
        (Type::Sum(cases), Value::Variant(tag, payload)) => {
            match usize::try_from(*tag).ok().and_then(|t| cases.get(t)) {
                Some(case) => {
                    write_tagged(out, *tag, |out| write_value(out, payload, case, depth + 1))
                }
                None => write_untyped(out, value, depth),
            }
        }
        _ => write_untyped(out, value, depth),
    }
}

fn write_tuple(out: &mut String, items: &[Value], types: &[Type], depth: usize) {
    out.push('(');
    for (i, (item, ty)) in items.iter().zip(types).enumerate() {
        separate(out, i);
        write_value(out, item, ty, depth + 1);
    }
    if items.len() == 1 {
        out.push(',');
    }
    out.push(')');
}

/// Whether `tag` names a variant of `e` and the payload has the shape its fields need.
fn fits_enum(e: &EnumType, tag: u32, payload: &Value) -> bool {
    let Some(variant) = usize::try_from(tag).ok().and_then(|t| e.variants.get(t)) else {
        return false;
    };
    match (variant.fields.len(), payload) {
        (0 | 1, _) => true,
        (n, Value::Tuple(items)) => items.len() == n,
        _ => false,
    }
}

fn write_variant(out: &mut String, e: &EnumType, tag: u32, payload: &Value, depth: usize) {
    let variant = &e.variants[usize::try_from(tag).expect("fits_enum checked the tag")];
    out.push_str(&variant.name);
    match (variant.fields.as_slice(), payload) {
        ([], _) => {}
        ([one], _) => {
            out.push('(');
            write_value(out, payload, one, depth + 1);
            out.push(')');
        }
        (fields, Value::Tuple(items)) => {
            out.push('(');
            for (i, (item, ty)) in items.iter().zip(fields).enumerate() {
                separate(out, i);
                write_value(out, item, ty, depth + 1);
            }
            out.push(')');
        }
        (_, other) => write_untyped(out, other, depth + 1),
    }
}

fn write_tagged(out: &mut String, tag: u32, payload: impl FnOnce(&mut String)) {
    out.push('#');
    push_display(out, &tag);
    out.push('(');
    payload(out);
    out.push(')');
}

/// The fallback for a value that does not fit its type: shapes only, sums as `#tag(payload)`.
fn write_untyped(out: &mut String, value: &Value, depth: usize) {
    if depth > DEPTH_MAX {
        out.push('…');
        return;
    }
    match value {
        Value::Unit => out.push_str("()"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(n) => push_display(out, n),
        Value::Str(s) => write_string(out, s),
        Value::Tuple(items) => {
            out.push('(');
            for (i, item) in items.iter().enumerate() {
                separate(out, i);
                write_untyped(out, item, depth + 1);
            }
            out.push(')');
        }
        Value::Variant(tag, payload) => {
            write_tagged(out, *tag, |out| write_untyped(out, payload, depth + 1));
        }
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                separate(out, i);
                write_untyped(out, item, depth + 1);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (key, item)) in entries.iter().enumerate() {
                separate(out, i);
                write_untyped(out, key, depth + 1);
                out.push_str(": ");
                write_untyped(out, item, depth + 1);
            }
            out.push('}');
        }
    }
}

fn separate(out: &mut String, index: usize) {
    if index > 0 {
        out.push_str(", ");
    }
}

fn push_display(out: &mut String, item: &impl std::fmt::Display) {
    write!(out, "{item}").expect("writing to a String cannot fail");
}

/// A string literal with `\" \\ \n \t \r \0` escaped and other control characters as
/// `\u{hex}`.
pub(super) fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() => {
                write!(out, "\\u{{{:x}}}", u32::from(c)).expect("writing to a String cannot fail");
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
