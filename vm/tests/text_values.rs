//! Values as text: canonical printing, parsing, round trips and parse errors.

mod format_support;

use format_support::{arb_typed_value, counter_input, counter_output, enum_type};
use proptest::prelude::*;
use quiver_vm::text::{TextError, parse, print};
use quiver_vm::types::{Field, Type};
use quiver_vm::value::Value;
use std::sync::Arc;

/// Printing `value` at `ty` gives `expected`, and parsing that gives `value` back.
fn check(value: Value, ty: &Type, expected: &str) {
    assert_eq!(print(&value, ty), expected);
    assert_eq!(parse(expected, ty), Ok(value));
}

/// Parsing `text` at `ty` fails with exactly this display.
fn check_error(text: &str, ty: &Type, expected: &str) {
    match parse(text, ty) {
        Ok(value) => panic!("{text:?} parsed as {value:?}"),
        Err(error) => assert_eq!(error.to_string(), expected),
    }
}

fn record(fields: &[(&str, Type)]) -> Type {
    Type::Record(
        fields
            .iter()
            .map(|(name, ty)| Field {
                name: (*name).into(),
                ty: ty.clone(),
            })
            .collect(),
    )
}

fn list(items: Vec<Value>) -> Value {
    Value::List(Arc::new(items.into_iter().collect()))
}

fn map(entries: Vec<(Value, Value)>) -> Value {
    Value::Map(Arc::new(entries.into_iter().collect()))
}

fn option(ty: Type) -> Type {
    Type::Option(Box::new(ty))
}

fn stats() -> Type {
    record(&[("count", Type::Int), ("resets", Type::Int)])
}

#[test]
fn scalars_print_canonically() {
    check(Value::Unit, &Type::Unit, "()");
    check(Value::Bool(true), &Type::Bool, "true");
    check(Value::Bool(false), &Type::Bool, "false");
    check(Value::Int(-5), &Type::Int, "-5");
    check(Value::Int(i64::MIN), &Type::Int, "-9223372036854775808");
    check(Value::Int(i64::MAX), &Type::Int, "9223372036854775807");
}

#[test]
fn strings_print_with_escapes() {
    check(Value::str("a\"b"), &Type::String, r#""a\"b""#);
    check(Value::str("back\\slash"), &Type::String, r#""back\\slash""#);
    check(Value::str("\n\t\r\0"), &Type::String, r#""\n\t\r\0""#);
    check(Value::str("bell\u{7}"), &Type::String, r#""bell\u{7}""#);
    check(Value::str("smile 😀 é"), &Type::String, "\"smile 😀 é\"");
}

#[test]
fn unicode_escapes_parse() {
    assert_eq!(parse(r#""\u{1F600}""#, &Type::String), Ok(Value::str("😀")));
    assert_eq!(
        parse(r#""\u{41}\u{e9}""#, &Type::String),
        Ok(Value::str("Aé"))
    );
}

#[test]
fn enum_variants_print_by_bare_name() {
    check(
        Value::variant(0, Value::Int(5)),
        &counter_input(),
        "Incr(5)",
    );
    check(Value::variant(2, Value::Unit), &counter_input(), "Reset");
    check(
        Value::variant(1, Value::Int(3)),
        &counter_output(),
        "Value(3)",
    );
    check(
        Value::variant(2, Value::str("x")),
        &counter_output(),
        "Rejected(\"x\")",
    );
    let info = enum_type("Info", &[("Info", vec![Type::Int, Type::Int])]);
    check(
        Value::variant(0, Value::tuple(vec![Value::Int(1), Value::Int(0)])),
        &info,
        "Info(1, 0)",
    );
}

#[test]
fn records_print_in_declaration_order() {
    let value = Value::tuple(vec![Value::Int(1), Value::Int(0)]);
    check(value, &stats(), "{ count: 1, resets: 0 }");
    check(Value::tuple(vec![]), &record(&[]), "{}");
}

#[test]
fn collections_and_tuples_print_canonically() {
    let ints = Type::List(Box::new(Type::Int));
    check(list(vec![Value::Int(1), Value::Int(2)]), &ints, "[1, 2]");
    check(list(vec![]), &ints, "[]");
    let counts = Type::Map(Box::new(Type::String), Box::new(Type::Int));
    let entries = map(vec![
        (Value::str("b"), Value::Int(2)),
        (Value::str("a"), Value::Int(1)),
    ]);
    check(entries, &counts, r#"{"a": 1, "b": 2}"#);
    check(map(vec![]), &counts, "{}");
    let pair = Type::Tuple(vec![Type::Int, Type::Bool]);
    check(
        Value::tuple(vec![Value::Int(1), Value::Bool(true)]),
        &pair,
        "(1, true)",
    );
    check(
        Value::tuple(vec![Value::Int(1)]),
        &Type::Tuple(vec![Type::Int]),
        "(1,)",
    );
}

#[test]
fn options_and_anonymous_sums_print_canonically() {
    check(
        Value::variant(1, Value::Int(1)),
        &option(Type::Int),
        "Some(1)",
    );
    check(Value::variant(0, Value::Unit), &option(Type::Int), "None");
    let sum = Type::Sum(vec![Type::Unit, Type::Int]);
    check(Value::variant(1, Value::Int(5)), &sum, "#1(5)");
    check(Value::variant(0, Value::Unit), &sum, "#0(())");
    assert_eq!(parse("#0", &sum), Ok(Value::variant(0, Value::Unit)));
}

#[test]
fn a_value_that_does_not_fit_its_type_prints_in_the_fallback_form() {
    assert_eq!(print(&Value::str("x"), &Type::Int), "\"x\"");
    assert_eq!(
        print(&Value::variant(9, Value::Unit), &counter_input()),
        "#9(())"
    );
}

#[test]
fn parsing_accepts_qualified_constructors_any_field_order_and_whitespace() {
    assert_eq!(
        parse("Counter.Input.Incr(5)", &counter_input()),
        Ok(Value::variant(0, Value::Int(5)))
    );
    assert_eq!(
        parse(" {resets:0 ,\n count : 1 , } ", &stats()),
        Ok(Value::tuple(vec![Value::Int(1), Value::Int(0)]))
    );
    assert_eq!(
        parse("[ 1 , 2 , ]", &Type::List(Box::new(Type::Int))),
        Ok(list(vec![Value::Int(1), Value::Int(2)]))
    );
    assert_eq!(
        parse("(7)", &Type::Tuple(vec![Type::Int])),
        Ok(Value::tuple(vec![Value::Int(7)]))
    );
}

#[test]
fn a_wrong_literal_says_what_was_expected_and_where() {
    check_error(
        r#"Incr("x")"#,
        &counter_input(),
        r#"expected Int, found "x" at column 6"#,
    );
    check_error("yes", &Type::Bool, "expected Bool, found `yes` at column 1");
    check_error(
        "",
        &Type::Int,
        "expected Int, found end of input at column 1",
    );
    check_error(
        "1 2",
        &Type::Int,
        "expected end of input, found 2 at column 3",
    );
}

#[test]
fn an_unknown_variant_lists_the_variants_and_suggests_one() {
    check_error(
        "Incrr(5)",
        &counter_input(),
        "unknown variant `Incrr` of Counter.Input; expected one of Incr, Decr, Reset, Get; \
         did you mean `Incr`? at column 1",
    );
    check_error(
        "Launch",
        &counter_input(),
        "unknown variant `Launch` of Counter.Input; expected one of Incr, Decr, Reset, Get \
         at column 1",
    );
}

#[test]
fn a_constructor_of_another_enum_is_rejected() {
    check_error(
        "Counter.Output.Ok",
        &counter_input(),
        "`Counter.Output.Ok` is not a variant of Counter.Input; write `Ok` or \
         `Counter.Input.Ok` at column 1",
    );
}

#[test]
fn constructor_arity_is_checked() {
    check_error(
        "Incr",
        &counter_input(),
        "expected `(` after `Incr`, which takes 1 argument, found end of input at column 5",
    );
    check_error(
        "Incr(1, 2)",
        &counter_input(),
        "`Incr` takes 1 argument, found more at column 9",
    );
    check_error(
        "Reset(1)",
        &counter_input(),
        "`Reset` takes no arguments at column 6",
    );
}

#[test]
fn some_needs_its_argument_in_parentheses() {
    check_error(
        "Some 1",
        &option(Type::Int),
        "expected `(` after `Some`, found 1 at column 6",
    );
    check_error(
        "Some(1",
        &option(Type::Int),
        "expected `)`, found end of input at column 7",
    );
}

#[test]
fn record_fields_must_all_be_given_once() {
    check_error(
        "{ count: 1 }",
        &stats(),
        "missing field `resets` of { count: Int, resets: Int } at column 12",
    );
    check_error(
        "{ count: 1, count: 2, resets: 0 }",
        &stats(),
        "field `count` is given twice at column 13",
    );
    check_error(
        "{ cont: 1, resets: 0 }",
        &stats(),
        "unknown field `cont` of { count: Int, resets: Int }; expected one of count, resets; \
         did you mean `count`? at column 3",
    );
}

#[test]
fn integers_out_of_range_are_rejected() {
    check_error(
        "9223372036854775808",
        &Type::Int,
        "integer 9223372036854775808 does not fit in Int (-9223372036854775808 to \
         9223372036854775807) at column 1",
    );
    check_error(
        "-9223372036854775809",
        &Type::Int,
        "integer -9223372036854775809 does not fit in Int (-9223372036854775808 to \
         9223372036854775807) at column 1",
    );
}

#[test]
fn bad_strings_are_rejected() {
    check_error(
        r#""abc"#,
        &Type::String,
        "unterminated string; add a closing `\"` at column 1",
    );
    check_error(
        r#""a\qb""#,
        &Type::String,
        r#"unknown escape `\q` in string; use \" \\ \n \t \r \0 or \u{...} at column 3"#,
    );
    check_error(
        r#""\u{D800}""#,
        &Type::String,
        r#"`\u{D800}` is not a unicode scalar value at column 2"#,
    );
}

#[test]
fn duplicate_map_keys_are_rejected() {
    let counts = Type::Map(Box::new(Type::String), Box::new(Type::Int));
    check_error(
        r#"{"a": 1, "a": 2}"#,
        &counts,
        r#"duplicate key "a" in map at column 10"#,
    );
}

#[test]
fn deep_nesting_is_rejected_without_overflowing_the_stack() {
    let mut ty = Type::Int;
    for _ in 0..300 {
        ty = Type::List(Box::new(ty));
    }
    let text = "[".repeat(300);
    let error = parse(&text, &ty)
        .map(|_| ())
        .map_err(|e: TextError| e.message);
    assert_eq!(error, Err("value nests deeper than 256 levels".into()));
    let flat = parse(&"[".repeat(100_000), &Type::List(Box::new(Type::Int)));
    assert_eq!(flat.map_err(|e| e.offset), Err(1));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parsing_a_printed_value_gives_it_back((ty, value) in arb_typed_value()) {
        let text = print(&value, &ty);
        prop_assert_eq!(parse(&text, &ty), Ok(value), "text: {}", text);
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(text in "[\\[\\](){}#:,\"\\\\a-zA-Z0-9 .-]{0,40}", (ty, _) in arb_typed_value()) {
        let _ = parse(&text, &ty);
    }
}
