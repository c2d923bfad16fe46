//! The value text form on any text and any type: `vm::text::parse` never panics, what it
//! accepts has the type, and printing then parsing gives the value back.
//!
//! Both targets start with one byte that picks the type: an example's state, input or output
//! type ([`crate::examples::types`]) when it is small enough, otherwise a type generated from
//! the bytes that follow. `text_parse` reads the rest as text; `text_roundtrip` generates a
//! value of the type from the rest, prints it and parses it back.

use crate::examples;
use crate::generate::{arbitrary_type, arbitrary_value};
use arbitrary::Unstructured;
use quiver_vm::text::{parse, print};
use quiver_vm::types::Type;
use quiver_vm::value::Value;
use quiver_vm::verify::value_has_type;

/// The `text_parse` target: `[type selector] [type bytes if generated] text`.
pub fn check_parse(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Some(ty) = choose_type(&mut u) else {
        return;
    };
    let text = String::from_utf8_lossy(u.take_rest()).into_owned();
    match parse(&text, &ty) {
        Ok(value) => {
            assert!(value_has_type(&value, &ty), "parsed {value:?}, not a {ty}");
            assert_round_trip(&value, &ty);
        }
        Err(e) => assert!(e.offset <= text.len(), "error offset past the text: {e}"),
    }
}

/// The `text_roundtrip` target: `[type selector] [type bytes if generated] value bytes`.
pub fn check_round_trip(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Some(ty) = choose_type(&mut u) else {
        return;
    };
    if let Ok(Some(value)) = arbitrary_value(&mut u, &ty) {
        assert_round_trip(&value, &ty);
    }
}

/// The type selected by the first byte (see the module doc).
pub fn choose_type(u: &mut Unstructured<'_>) -> Option<Type> {
    let selector = usize::from(u.arbitrary::<u8>().ok()?);
    match examples::types().get(selector) {
        Some(ty) => Some(ty.clone()),
        None => arbitrary_type(u).ok(),
    }
}

fn assert_round_trip(value: &Value, ty: &Type) {
    let printed = print(value, ty);
    match parse(&printed, ty) {
        Ok(again) => assert_eq!(&again, value, "print -> parse changed the value: {printed}"),
        Err(e) => panic!("the printed form of a {ty} does not parse: {printed}: {e}"),
    }
}
