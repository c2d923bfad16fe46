//! Error recovery: one run reports several errors, with correct spans and useful messages,
//! and still yields as much of the file as it could read.

mod common;

/// Parses `src`; returns the rendered diagnostics and the compact form of what was recovered.
fn recover(src: &str) -> String {
    let (file, diagnostics) = quiver_lang::parser::parse(src);
    let tree = file
        .map(|f| common::file(&f))
        .unwrap_or_else(|| "<no file>".to_owned());
    format!("{}\n{tree}", common::render(src, &diagnostics))
}

#[test]
fn two_broken_handlers_in_one_machine_are_both_reported() {
    let src = "machine M {
    input A | B
    output Ok
    on A { count = count + ; Ok }
    on B { let x = ; Ok }
}";
    insta::assert_snapshot!(recover(src));
}

#[test]
fn a_missing_semicolon_is_reported_at_the_next_token_with_a_fix() {
    insta::assert_snapshot!(recover("machine M { input A output O on A { x = 1 Ok } }"));
}

#[test]
fn an_unclosed_call_is_reported_once() {
    insta::assert_snapshot!(recover("machine M { input A output O on A { f(1, 2 } }"));
}

#[test]
fn errors_in_several_items_are_all_reported_and_good_items_kept() {
    let src = "fn f(x Int) -> Int { x }
fn g() -> Int { ) }
machine M { input A output O foo on A { Ok } }
type T = ";
    insta::assert_snapshot!(recover(src));
}

#[test]
fn a_broken_match_arm_is_skipped_and_the_others_kept() {
    insta::assert_snapshot!(recover(
        "fn f(x: Int) -> Int { match x { 0 => 1 1 => 2, _ => } }"
    ));
}

#[test]
fn a_broken_handler_pattern_skips_to_the_next_member() {
    insta::assert_snapshot!(recover(
        "machine M { input A output O on A( { Ok } on B { Ok } }\nfn f() -> Int { 1 }"
    ));
}

#[test]
fn a_missing_comma_between_state_fields_is_reported() {
    insta::assert_snapshot!(recover(
        "machine M { state { a: Int = 1 b: Int = 2 } input A output O }"
    ));
}

#[test]
fn an_unclosed_machine_is_reported_at_the_end_of_input() {
    insta::assert_snapshot!(recover("machine M { input A output O on A { Ok }"));
}

#[test]
fn statements_outside_any_item_are_reported() {
    insta::assert_snapshot!(recover("let x = 1;\nmachine M { input A output O }\n}"));
}
