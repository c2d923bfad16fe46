//! Pattern matching: nested constructors, tuples, literals, exhaustiveness and reachability.

mod check_support;
use check_support::codes;

#[test]
fn nested_patterns_compile_to_nested_matches_with_bindings() {
    check!(
        r#"enum Shape { Dot, Line(Int), Box(Int, Int) }
fn area(s: Option<Shape>) -> Int {
    match s {
        Some(Box(w, h)) => w * h,
        Some(Line(_)) => 0,
        Some(Dot) => 0,
        None => -1,
    }
}"#
    );
}

#[test]
fn literal_patterns_become_equality_tests() {
    check!(
        r#"fn name(n: Int) -> String {
    match n { 0 => "zero", 1 => "one", _ => "many" }
}"#
    );
}

#[test]
fn a_missing_variant_is_named() {
    check!(
        r#"enum Cmd { Go, Stop, Stats }
fn f(c: Cmd) -> Int { match c { Go => 1, Stop => 2 } }"#
    );
}

#[test]
fn a_missing_some_is_shown_as_a_pattern() {
    check!("fn f(o: Option<Int>) -> Int { match o { None => 0, Some(0) => 1 } }");
}

#[test]
fn missing_integers_are_described() {
    check!("fn f(n: Int) -> Int { match n { 0 => 1, 1 => 2 } }");
}

#[test]
fn missing_tuple_cases_are_shown_as_tuples() {
    check!("fn f(a: Bool, b: Bool) -> Int { match (a, b) { (true, _) => 1, (false, true) => 2 } }");
}

#[test]
fn an_arm_after_a_catch_all_is_unreachable() {
    check!("fn f(o: Option<Int>) -> Int { match o { Some(x) => x, _ => 0, None => 1 } }");
}

#[test]
fn a_repeated_literal_arm_is_unreachable() {
    assert_eq!(
        codes("fn f(n: Int) -> Int { match n { 1 => 1, 1 => 2, _ => 3 } }"),
        vec!["E0308"]
    );
}

#[test]
fn string_and_bool_literals_match() {
    let src = r#"fn f(s: String, b: Bool) -> Int {
    match (s, b) { ("a", true) => 1, ("a", false) => 2, (_, _) => 3 }
}"#;
    assert_eq!(codes(src), Vec::<&str>::new());
}

#[test]
fn a_pattern_must_fit_the_value() {
    check!(
        r#"enum Cmd { Go, Stop }
fn f(c: Cmd, n: Int) -> Int {
    let a = match c { Go => 1, Halt => 2, _ => 3 };
    let b = match n { "x" => 1, _ => 2 };
    let c2 = match c { Go(x) => 1, _ => 2 };
    a + b + c2
}"#
    );
}

#[test]
fn a_binding_may_not_repeat_in_one_pattern() {
    assert_eq!(
        codes("fn f(p: (Int, Int)) -> Int { match p { (x, x) => x } }"),
        vec!["E0203"]
    );
}

#[test]
fn qualified_patterns_must_name_the_matched_enum() {
    let src = r#"enum A { X, Y }
enum B { X }
fn f(a: A) -> Int { match a { A.X => 1, B.X => 2, _ => 3 } }"#;
    assert_eq!(codes(src), vec!["E0309"]);
}

#[test]
fn all_arms_of_a_match_have_one_type() {
    assert_eq!(
        codes(r#"fn f(b: Bool) -> Int { match b { true => 1, false => "no" } }"#),
        vec!["E0301"]
    );
}

#[test]
fn a_scrutinee_that_is_not_a_variable_is_evaluated_once() {
    check!("fn f(x: Int) -> Int { match x + 1 { 0 => 0, y => y * y } }");
}
