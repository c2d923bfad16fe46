//! Expressions: precedence, literals, paths and calls, braces, `if`, `match`, blocks.

mod common;

/// Parses `src` as one expression and compares its S-expression form.
fn check(src: &str, expected: &str) {
    let (expr, diagnostics) = quiver_lang::parser::parse_expr(src);
    assert_eq!(
        common::diagnostics(&diagnostics),
        "",
        "diagnostics for {src:?}"
    );
    let expr = expr.expect("a clean parse yields an expression");
    assert_eq!(common::expr(&expr), expected, "for {src:?}");
}

/// Parses `src` and returns the diagnostics as `code span: message` lines.
fn errors(src: &str) -> String {
    let (_, diagnostics) = quiver_lang::parser::parse_expr(src);
    common::diagnostics(&diagnostics)
}

#[test]
fn multiplication_binds_tighter_than_addition() {
    check("a + b * c - d", "(- (+ a (* b c)) d)");
    check("a * b % c / d", "(/ (% (* a b) c) d)");
}

#[test]
fn operators_rank_or_below_and_below_comparison_below_sums() {
    check("a || b && c == d + 1", "(|| a (&& b (== c (+ d 1))))");
    check("x ++ y != z", "(!= (++ x y) z)");
}

#[test]
fn prefix_operators_bind_tighter_than_binary_ones_and_looser_than_fields() {
    check("-a * b", "(* (neg a) b)");
    check("!a && b", "(&& (not a) b)");
    check("!f(x).ok", "(not (. (call f x) ok))");
    check("- - x", "(neg (neg x))");
}

#[test]
fn a_minus_before_an_integer_is_a_negative_literal() {
    check("-3", "-3");
    check("-9223372036854775808", "-9223372036854775808");
    check("a - 3", "(- a 3)");
    check("a - -3", "(- a -3)");
    check("-(3)", "(neg 3)");
}

#[test]
fn integer_literals_allow_underscores() {
    check("1_000_000", "1000000");
    check("9223372036854775807", "9223372036854775807");
}

#[test]
fn the_magnitude_of_i64_min_without_a_minus_is_out_of_range() {
    assert_eq!(
        errors("9223372036854775808"),
        "E0104 0..19: integer literal out of range"
    );
}

#[test]
fn integers_beyond_the_magnitude_of_i64_min_are_a_lexer_error() {
    assert_eq!(
        errors("-99999999999999999999"),
        "E0004 1..21: integer literal out of range"
    );
}

#[test]
fn comparisons_do_not_chain() {
    assert_eq!(
        errors("a < b < c"),
        "E0102 6..7: comparison operators cannot be chained"
    );
    let (_, diagnostics) = quiver_lang::parser::parse_expr("a == b == c");
    assert_eq!(
        diagnostics[0].help.as_deref(),
        Some("compare twice and join with `&&`: `a < b && b < c`")
    );
}

#[test]
fn dotted_names_are_one_path_and_a_path_with_arguments_is_a_call() {
    check("old.count", "old.count");
    check("Counter.Output.Ok", "Counter.Output.Ok");
    check("Map.insert(m, k, v)", "(call Map.insert m k v)");
    check("Value(3)", "(call Value 3)");
    check("f()", "(call f)");
    check("f(a, b,)", "(call f a b)");
}

#[test]
fn fields_after_a_call_or_a_number_are_field_accesses() {
    check("f(x).a.b", "(. (. (call f x) a) b)");
    check("pair.0", "(. pair 0)");
    check("pair.0.1", "(. (. pair 0) 1)");
    check("(a, b).1", "(. (tuple a b) 1)");
}

#[test]
fn parentheses_group_and_commas_make_tuples() {
    check("()", "()");
    check("(a)", "a");
    check("(a,)", "(tuple a)");
    check("(a, b)", "(tuple a b)");
    check("(a + b) * c", "(* (+ a b) c)");
}

#[test]
fn literals_of_every_kind_parse() {
    check("true", "true");
    check("false", "false");
    check(r#""a\"b\\c\n\t\r\0\u{41}""#, r#""a\"b\\c\n\t\r\0A""#);
    check("[1, 2, 3]", "[1 2 3]");
    check("[]", "[]");
}

#[test]
fn braces_are_empty_record_update_map_or_block_by_their_first_tokens() {
    check("{}", "{}");
    check("{ a: 1, b: x }", "(record (a 1) (b x))");
    check("{ a: 1, }", "(record (a 1))");
    check("{ ..r, b: 2 }", "(update r (b 2))");
    check("{ ..r }", "(update r)");
    check(r#"{"a": 1, "b": 2}"#, r#"(map ("a" 1) ("b" 2))"#);
    check("{ (k): v }", "(map (k v))");
    check("{ 1: 2, }", "(map (1 2))");
    check("{ x }", "{x}");
    check("{ f(x); y }", "{(call f x); y}");
}

#[test]
fn blocks_hold_statements_and_a_final_value() {
    check(
        "{ let x = 1; let y: Int = x; count = y; assert y > 0; f(y); y }",
        "{(let x 1) (let y: Int x) (= count y) (assert (> y 0)) (call f y); y}",
    );
    check("{ x = 1; }", "{(= x 1)}");
}

#[test]
fn statement_position_if_and_match_need_no_semicolon() {
    check(
        "{ if c { x = 1; } match y { _ => 0 } z }",
        "{(if c {(= x 1)}); (match y (_ => 0)); z}",
    );
}

#[test]
fn a_missing_semicolon_between_expressions_is_reported_at_the_end_of_the_first() {
    assert_eq!(
        errors("{ a b }"),
        "E0101 3..3: expected `;` after expression"
    );
}

#[test]
fn only_plain_names_can_be_assigned() {
    assert_eq!(
        errors("{ a.b = 1; }"),
        "E0107 2..5: cannot assign to this expression"
    );
}

#[test]
fn if_else_chains_nest_in_the_else_block() {
    check("if a { 1 } else { 2 }", "(if a {1} {2})");
    check("if a { 1 }", "(if a {1})");
    check(
        "if a { 1 } else if b { 2 } else { 3 }",
        "(if a {1} {(if b {2} {3})})",
    );
    check("if x == {} { 1 }", "(if (== x {}) {1})");
}

#[test]
fn match_arms_are_comma_separated_and_block_bodies_need_no_comma() {
    check(
        "match Map.get(d, k) { Some(v) => Found(v), None => Missing, }",
        "(match (call Map.get d k) ((Some v) => (call Found v)) (None => Missing))",
    );
    check(
        "match x { 0 => { a } _ => b }",
        "(match x (0 => {a}) (_ => b))",
    );
    assert_eq!(
        errors("match x { 0 => a 1 => b }"),
        "E0101 16..16: expected `,` between items"
    );
}

#[test]
fn a_map_entry_among_statements_is_reported() {
    assert_eq!(
        errors("{ let x = 1; k: v }"),
        "E0109 13..14: a map literal needs braces of its own"
    );
}
