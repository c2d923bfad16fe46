//! Types and expressions: aliases and cycles, operators, inference limits, records, calls.

mod check_support;
use check_support::codes;

fn ok(src: &str) {
    assert_eq!(codes(src), Vec::<&str>::new(), "{src}");
}

#[test]
fn an_alias_cycle_is_reported_once() {
    check!("type A = B\ntype B = (Int, A)\nfn f(x: A) -> Int { 0 }");
}

#[test]
fn an_enum_containing_itself_through_a_list_is_an_error() {
    check!("enum Tree { Leaf, Node(List<Tree>) }");
}

#[test]
fn type_arguments_must_match_the_arity() {
    assert_eq!(
        codes("fn f(x: Map<Int>, y: Int<Bool>, z: List) -> Int { 0 }"),
        vec!["E0303", "E0303", "E0303"]
    );
}

#[test]
fn arithmetic_and_concatenation_do_not_convert() {
    check!(r#"fn f(n: Int, s: String) -> String { s ++ n }"#);
}

#[test]
fn comparisons_need_equal_types_and_ordering_needs_int_or_string() {
    ok(r#"fn f(a: String, b: String, c: Int) -> Bool { a < b && c >= 0 && (a, c) == (b, c) }"#);
    assert_eq!(codes("fn f(a: Bool) -> Bool { a < a }"), vec!["E0306"]);
    assert_eq!(codes("fn f(a: Bool) -> Bool { a == 1 }"), vec!["E0306"]);
}

#[test]
fn logic_operators_short_circuit_into_matches() {
    check!("fn f(a: Bool, b: Bool) -> Bool { a && !b || false }");
}

#[test]
fn negative_literals_are_folded() {
    check!("fn f(x: Int) -> Int { -3 - -x }");
}

#[test]
fn empty_collections_and_none_need_an_expected_type() {
    check!("fn f() -> Int { let xs = []; let m = {}; let o = None; 0 }");
}

#[test]
fn an_annotation_gives_empty_collections_their_type() {
    check!(
        r#"fn f() -> Int {
    let xs: List<Int> = [];
    let m: Map<String, Int> = {};
    let r: {} = {};
    let o: Option<Int> = None;
    List.len(List.push(xs, 1)) + Map.len(m)
}"#
    );
}

#[test]
fn a_record_literal_is_checked_by_name_and_built_in_declaration_order() {
    check!(
        r#"type P = { x: Int, y: String }
fn f() -> P { { y: "a", x: 1 } }
fn g() -> Int { let r = { b: 1, a: true }; r.b }"#
    );
}

#[test]
fn a_record_literal_reports_missing_and_unknown_fields() {
    check!(
        r#"type P = { x: Int, y: String }
fn f() -> P { { x: 1, z: 2 } }"#
    );
}

#[test]
fn a_record_update_keeps_the_other_fields() {
    check!(
        r#"type P = { x: Int, y: String }
fn f(p: P) -> P { { ..p, y: "b" } }"#
    );
}

#[test]
fn a_record_update_of_an_unknown_field_suggests_one() {
    assert_eq!(
        codes("type P = { x: Int, y: String }\nfn f(p: P) -> P { { ..p, yy: \"b\" } }"),
        vec!["E0311"]
    );
}

#[test]
fn field_access_reaches_records_and_tuples_only() {
    ok("type P = { x: Int }\nfn f(p: P, t: (Int, Bool)) -> Bool { p.x == 1 && t.1 }");
    check!("fn f(t: (Int, Bool), p: { count: Int }) -> Int { t.2 + p.cuont }");
}

#[test]
fn if_without_else_is_unit_and_its_branch_must_be_unit() {
    ok("fn f(c: Bool) -> Int { if c { assert c; } 1 }");
    assert_eq!(
        codes("fn f(c: Bool) -> Int { if c { 1 } }"),
        vec!["E0301", "E0301"]
    );
}

#[test]
fn both_branches_of_if_have_one_type() {
    check!(r#"fn f(c: Bool) -> Int { if c { 1 } else { "one" } }"#);
}

#[test]
fn a_let_annotation_is_checked() {
    assert_eq!(
        codes(r#"fn f() -> Int { let x: Int = "a"; 0 }"#),
        vec!["E0301"]
    );
}

#[test]
fn function_calls_check_arity_and_argument_types() {
    check!(
        r#"fn add(a: Int, b: Int) -> Int { a + b }
fn f() -> Int { add(1) + add(1, "2") }"#
    );
}

#[test]
fn a_call_cycle_is_reported_with_its_path() {
    check!(
        r#"fn a(x: Int) -> Int { b(x) }
fn b(x: Int) -> Int { c(x) + 1 }
fn c(x: Int) -> Int { a(x) }
fn d(x: Int) -> Int { d(x) }"#
    );
}

#[test]
fn functions_are_emitted_callee_first() {
    let (file, _) = quiver_lang::parser::parse(
        "fn top() -> Int { mid() + low() }\nfn mid() -> Int { low() }\nfn low() -> Int { 1 }",
    );
    let (program, _) = quiver_lang::check::check(&file.expect("parses"));
    let program = program.expect("checks");
    let names: Vec<&str> = program.fns.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, vec!["low", "mid", "top"]);
    assert_eq!(
        program.fns[2].body.kind,
        quiver_lang::tir::ExprKind::Prim(
            quiver_vm::prim::Prim::Add,
            vec![
                quiver_lang::tir::Expr::new(
                    quiver_lang::tir::ExprKind::Call(1, vec![]),
                    quiver_vm::types::Type::Int,
                    span_of(&program.fns[2].body, 0),
                ),
                quiver_lang::tir::Expr::new(
                    quiver_lang::tir::ExprKind::Call(0, vec![]),
                    quiver_vm::types::Type::Int,
                    span_of(&program.fns[2].body, 1),
                ),
            ]
        )
    );
}

fn span_of(e: &quiver_lang::tir::Expr, arg: usize) -> quiver_lang::span::Span {
    match &e.kind {
        quiver_lang::tir::ExprKind::Prim(_, args) => args[arg].span,
        _ => quiver_lang::span::Span::default(),
    }
}

#[test]
fn library_calls_are_typed_by_the_primitive_registry() {
    check!(
        r#"fn f(m: Map<String, Int>) -> Option<Int> { Map.get(m, "k") }
fn g(m: Map<String, Int>) -> Option<Int> { Map.get(m, 1) }"#
    );
}

#[test]
fn list_and_map_literals_have_element_types() {
    ok(r#"fn f() -> Int { let xs = [1, 2]; let m = {"a": 1}; List.len(xs) + Map.len(m) }"#);
    assert_eq!(
        codes(r#"fn f() -> Int { let xs = [1, "2"]; 0 }"#),
        vec!["E0301"]
    );
}

#[test]
fn some_infers_its_type_and_none_takes_the_expected_one() {
    ok("fn f(x: Int) -> Option<Int> { let y = Some(x); if x > 0 { y } else { None } }");
}

#[test]
fn a_constructor_checks_its_argument_count_and_types() {
    check!(
        r#"enum E { Pair(Int, String), One }
fn f() -> E { Pair(1) }
fn g() -> E { Pair("a", 1) }"#
    );
}

#[test]
fn an_error_does_not_cascade_into_later_uses() {
    assert_eq!(
        codes("fn f() -> Int { let x = nope; x + 1 + x }"),
        vec!["E0201"]
    );
}

#[test]
fn a_constant_list_is_one_literal_and_others_build_it_up() {
    check!("fn f(x: Int) -> List<Int> { let c = [1, 2, 3]; List.concat(c, [x, 1, x]) }");
}

#[test]
fn a_map_literal_inserts_its_entries_in_order() {
    check!(r#"fn f(x: Int) -> Map<String, Int> { {"a": x, "b": 2} }"#);
}

#[test]
fn a_very_long_list_literal_checks_without_deep_nesting() {
    let items: Vec<String> = (0..5000).map(|i| format!("x + {i}")).collect();
    let src = format!("fn f(x: Int) -> Int {{ List.len([{}]) }}", items.join(", "));
    assert_eq!(codes(&src), Vec::<&str>::new());
}

#[test]
fn logic_operators_need_bools_and_negation_needs_an_int() {
    ok(r#"fn f(a: Bool, n: Int, s: String) -> Bool { !a || a && -n < 0 && s ++ "x" == "yx" }"#);
    assert_eq!(
        codes("fn f(n: Int) -> Bool { n && !n }"),
        vec!["E0301", "E0301"]
    );
    assert_eq!(codes(r#"fn f(s: String) -> Int { -s }"#), vec!["E0301"]);
}
