//! Items, machine members, types and patterns.

mod common;

/// Parses `src` as a file and compares its compact form.
fn check(src: &str, expected: &str) {
    let (file, diagnostics) = quiver_lang::parser::parse(src);
    assert_eq!(
        common::diagnostics(&diagnostics),
        "",
        "diagnostics for {src:?}"
    );
    let file = file.expect("a clean parse yields a file");
    assert_eq!(common::file(&file), expected, "for {src:?}");
}

fn check_type(src: &str, expected: &str) {
    let (ty, diagnostics) = quiver_lang::parser::parse_type(src);
    assert_eq!(
        common::diagnostics(&diagnostics),
        "",
        "diagnostics for {src:?}"
    );
    assert_eq!(common::ty(&ty.expect("a type")), expected, "for {src:?}");
}

fn errors(src: &str) -> String {
    let (_, diagnostics) = quiver_lang::parser::parse(src);
    common::diagnostics(&diagnostics)
}

/// A machine with the given members plus `input`/`output` declarations.
fn check_members(members: &str, expected_members: &str) {
    let src = format!("machine M {{ input I output O {members} }}");
    let mut expected = "machine M\n  state \n  input I\n  output O".to_owned();
    if !expected_members.is_empty() {
        expected = format!("{expected}\n{expected_members}");
    }
    check(&src, &expected);
}

#[test]
fn types_cover_names_generics_tuples_records_and_unit() {
    check_type("Int", "Int");
    check_type("Counter.Input", "Counter.Input");
    check_type("Map<String, List<Int>>", "(Map String (List Int))");
    check_type("List<List<List<Int>>>", "(List (List (List Int)))");
    check_type("Option<(Int, String)>", "(Option (tuple Int String))");
    check_type("()", "(tuple)");
    check_type("(Int)", "Int");
    check_type("(Int,)", "(tuple Int)");
    check_type(
        "{ a: Int, b: Map<String, Int>, }",
        "(record (a Int) (b (Map String Int)))",
    );
    check_type("{}", "(record)");
}

#[test]
fn type_and_enum_declarations_parse() {
    check("type Pair = (Int, Int)", "type Pair = (tuple Int Int)");
    check(
        "enum Light { Red, Amber(Int), Green(String, Int), }",
        "enum Light |Red |Amber(Int) |Green(String Int)",
    );
}

#[test]
fn function_declarations_parse_with_parameters_and_return_type() {
    check(
        "fn add(x: Int, y: Int) -> Int { x + y }",
        "fn add(x: Int y: Int) -> Int {(+ x y)}",
    );
    check("fn zero() -> Int { 0 }", "fn zero() -> Int {0}");
}

#[test]
fn machine_members_may_come_in_any_order() {
    check(
        "machine M { on A { Ok } output Ok input A state { n: Int = 0 } invariant n >= 0 }",
        "machine M\n  state (n: Int = 0)\n  input A\n  output Ok\n  invariant (>= n 0)\n  on A {Ok}",
    );
}

#[test]
fn a_single_bare_name_after_input_is_a_type_and_lists_are_variants() {
    check_members("", "");
    let src = "machine M { input | Ping output Ping() }";
    check(src, "machine M\n  state \n  input |Ping\n  output |Ping");
    let src = "machine M { input A | B(Int) | C(String, Int) output (Int, Int) }";
    check(
        src,
        "machine M\n  state \n  input |A |B(Int) |C(String Int)\n  output (tuple Int Int)",
    );
}

#[test]
fn state_fields_take_types_and_initial_values_with_an_optional_trailing_comma() {
    let src =
        "machine M { state { a: Map<String, Int> = {}, b: List<Int> = [1], } input I output O }";
    check(
        src,
        "machine M\n  state (a: (Map String Int) = {}) (b: (List Int) = [1])\n  input I\n  output O",
    );
}

#[test]
fn migrations_up_and_down_parse_and_down_is_contextual() {
    check_members(
        "migrate(old: { count: Int }) { { count: old.count, resets: 0 } } \
         migrate down(new: { count: Int, resets: Int }) { { count: new.count } }",
        "  (migrate old: (record (count Int)) {(record (count old.count) (resets 0))})\n  \
         (migrate down new: (record (count Int) (resets Int)) {(record (count new.count))})",
    );
    check(
        "fn down(down: Int) -> Int { down }",
        "fn down(down: Int) -> Int {down}",
    );
}

#[test]
fn handler_patterns_bind_construct_and_match_literals() {
    check_members(
        "on Put(k, _v) { Ok } on Pair((a, b), _, -1, \"s\", true, Counter.Input.Reset) { Ok }",
        "  on (Put k _v) {Ok}\n  on (Pair (tuple a b) _ -1 \"s\" true Counter.Input.Reset) {Ok}",
    );
}

#[test]
fn composition_operators_follow_arrow_precedence_and_associate_right() {
    check("machine P = A >>> B >>> C", "machine P = (>>> A (>>> B C))");
    check(
        "machine P = A *** B ||| C &&& D >>> E",
        "machine P = (>>> (||| (*** A B) (&&& C D)) E)",
    );
    check(
        "machine P = (A >>> B) *** C",
        "machine P = (*** (>>> A B) C)",
    );
}

#[test]
fn the_composition_operator_must_be_written_without_spaces() {
    assert_eq!(
        errors("machine P = A > >> B"),
        "E0101 14..18: expected `>>>`, found `>` separated by spaces"
    );
}

#[test]
fn duplicate_and_missing_members_are_reported() {
    assert_eq!(
        errors("machine M { input A | B input C output O }"),
        "E0106 24..29: `input` is declared twice in one machine"
    );
    assert_eq!(
        errors("machine M { state { } }"),
        "E0105 8..9: machine `M` has no `input`\nE0105 8..9: machine `M` has no `output`"
    );
}

#[test]
fn a_binding_pattern_cannot_take_arguments() {
    assert_eq!(
        errors("machine M { input I output O on foo(x) { Ok } }"),
        "E0108 32..38: a variable pattern cannot take arguments"
    );
}
