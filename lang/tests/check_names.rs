//! Names: order independence, duplicates, unknown names with suggestions, constructor
//! resolution by expected type and qualification.

mod check_support;
use check_support::codes;

#[test]
fn items_may_be_used_before_they_are_declared() {
    check!(
        r#"
fn twice(x: Int) -> Int { add(x, x) }
fn add(a: Int, b: Int) -> Int { a + b }
type Pair = (Light, Int)
enum Light { Red, Green }
fn first(p: Pair) -> Light { p.0 }
"#
    );
}

#[test]
fn an_unknown_variable_suggests_a_close_name() {
    check!(
        r#"
fn f(count: Int) -> Int { coutn + 1 }
"#
    );
}

#[test]
fn an_unknown_library_function_suggests_one_of_its_module() {
    check!(
        r#"
fn f(m: Map<String, Int>) -> Int { Map.length(m) }
"#
    );
}

#[test]
fn a_misspelt_library_call_outside_any_module_suggests_the_qualified_name() {
    assert_eq!(
        codes("fn f(xs: List<Int>) -> Int { List.len(xs) + Lst.len(xs) }"),
        vec!["E0201"]
    );
}

#[test]
fn an_unknown_type_suggests_a_close_one() {
    check!("fn f(x: Strng) -> Int { 0 }");
}

#[test]
fn duplicate_definitions_are_each_reported() {
    check!(
        r#"
type T = Int
enum T { A }
enum E { A, B, A }
fn f(x: Int, x: Int) -> Int { x }
fn f() -> Int { 0 }
fn g(r: { a: Int, a: Int }) -> Int { 0 }
machine M { state { n: Int = 0 } input Go output Done on Go { Done } }
machine M = M2
machine M2 { state { n: Int = 0, n: Int = 1 } input Go output Done on Go { Done } }
"#
    );
}

#[test]
fn the_expected_type_picks_the_constructor_among_several_enums() {
    let src = r#"
enum A { Ok, Bad }
enum B { Ok, Fine }
fn a() -> A { Ok }
fn b() -> B { Ok }
"#;
    assert_eq!(codes(src), Vec::<&str>::new());
}

#[test]
fn an_ambiguous_constructor_asks_for_a_qualified_name() {
    check!(
        r#"
enum A { Ok, Bad }
machine Counter {
    state { n: Int = 0 }
    input Go
    output Ok | Value(Int)
    on Go { let x = Ok; Value(n) }
}
"#
    );
}

#[test]
fn a_qualified_constructor_resolves_without_an_expected_type() {
    let src = r#"
enum A { Ok, Bad }
machine Counter {
    state { n: Int = 0 }
    input Go
    output Ok | Value(Int)
    on Go { let x = Counter.Output.Ok; let y = A.Ok; x }
}
"#;
    assert_eq!(codes(src), Vec::<&str>::new());
}

#[test]
fn another_machines_inline_constructors_need_qualification() {
    let src = r#"
machine A { state { n: Int = 0 } input Go output Yes on Go { Yes } }
machine B { state { n: Int = 0 } input Go output A.Output on Go { A.Output.Yes } }
machine C { state { n: Int = 0 } input Go output Int on Go { let y = Yes; 0 } }
"#;
    assert_eq!(codes(src), vec!["E0201"]);
}

#[test]
fn an_unknown_variant_of_a_qualified_enum_suggests_one() {
    check!(
        r#"
enum Light { Red, Green }
fn f() -> Light { Light.Gren }
"#
    );
}

#[test]
fn functions_are_not_values_and_variables_cannot_be_called() {
    assert_eq!(
        codes("fn g() -> Int { 1 }\nfn f(x: Int) -> Int { let h = g; x(1) }"),
        vec!["E0312", "E0312"]
    );
}
