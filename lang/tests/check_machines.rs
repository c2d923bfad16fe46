//! Machines: state and initial values, invariants, handlers, assignments and their scoping.

mod check_support;
use check_support::codes;

fn ok(src: &str) {
    assert_eq!(codes(src), Vec::<&str>::new(), "{src}");
}

#[test]
fn a_missing_handler_is_named_with_a_stub() {
    check!(
        r#"machine Counter {
    state { count: Int = 0 }
    input Incr(Int) | Stats | Get
    output Ok
    on Incr(n) { count = count + n; Ok }
}"#
    );
}

#[test]
fn a_machine_without_handlers_lists_every_input() {
    check!(
        r#"machine Idle {
    state { n: Int = 0 }
    input Incr(Int) | Reset
    output Ok
}"#
    );
}

#[test]
fn a_variant_handled_twice_is_reported() {
    check!(
        r#"machine M {
    state { n: Int = 0 }
    input Go | Stop
    output Ok
    on Go { Ok }
    on Stop { Ok }
    on Go { n = 1; Ok }
}"#
    );
}

#[test]
fn handler_patterns_may_nest_and_use_literals() {
    ok(r#"machine M {
    state { n: Int = 0 }
    input Set(Option<Int>) | Add(Int)
    output Ok | Was(Int)
    on Set(Some(0)) { n = 0; Ok }
    on Set(Some(v)) { let old = n; n = v; Was(old) }
    on Set(None) { Ok }
    on Add(k) { n = n + k; Ok }
}"#);
}

#[test]
fn assignments_in_branches_and_arms_carry_over_to_later_statements() {
    check!(
        r#"machine M {
    state { a: Int = 0, b: Int = 0 }
    input Go(Option<Int>)
    output Sum(Int)
    on Go(o) {
        match o {
            Some(x) => { a = x; }
            None => { b = b + 1; }
        }
        if a > 10 { b = 0; }
        Sum(a + b)
    }
}"#
    );
}

#[test]
fn an_assignment_inside_an_operand_is_rejected() {
    check!(
        r#"machine M {
    state { a: Int = 0 }
    input Go
    output Value(Int)
    on Go { Value(1 + { a = 2; a }) }
}"#
    );
}

#[test]
fn assigning_a_non_field_or_outside_a_handler_is_an_error() {
    check!(
        r#"fn f(x: Int) -> Int { x = 1; x }
machine M {
    state { a: Int = 0 }
    input Go
    output Ok
    invariant { a = 1; true }
    on Go { let t = 1; t = 2; Ok }
}"#
    );
}

#[test]
fn a_state_field_may_not_be_rebound_by_let_or_pattern() {
    check!(
        r#"machine M {
    state { count: Int = 0 }
    input Set(Int) | Go
    output Ok
    on Set(count) { Ok }
    on Go { let count = 1; Ok }
}"#
    );
}

#[test]
fn an_assignment_is_checked_against_the_fields_type() {
    assert_eq!(
        codes(r#"machine M { state { a: Int = 0 } input Go output Ok on Go { a = "x"; Ok } }"#),
        vec!["E0301"]
    );
}

#[test]
fn the_output_is_checked_against_the_output_type() {
    check!(
        r#"machine M {
    state { a: Int = 0 }
    input Go
    output Ok | Value(Int)
    on Go { a }
}"#
    );
}

#[test]
fn initial_values_are_closed_and_typed() {
    check!(
        r#"fn start() -> Int { 5 }
machine M {
    state { a: Int = start(), b: Int = a + 1, c: String = 3 }
    input Go
    output Ok
    on Go { Ok }
}"#
    );
}

#[test]
fn invariants_are_bool_over_the_state_fields() {
    ok(r#"machine M {
    state { a: Int = 0, m: Map<String, Int> = {} }
    input Go
    output Ok
    invariant a >= 0 && Map.len(m) < 100
    on Go { Ok }
}"#);
    assert_eq!(
        codes(
            r#"machine M { state { a: Int = 0 } input Go output Ok invariant a + 1 on Go { Ok } }"#
        ),
        vec!["E0301"]
    );
}

#[test]
fn invariants_keep_their_source_text() {
    let src = r#"machine M {
    state { a: Int = 0, b: Int = 0 }
    input Go
    output Ok
    invariant a >= 0 && (b < 10 || a == b * 2)
    on Go { Ok }
}"#;
    let (file, _) = quiver_lang::parser::parse(src);
    let (program, _) = quiver_lang::check::check(&file.expect("parses"));
    let program = program.expect("checks");
    let quiver_lang::tir::MachineBody::Defined(d) = &program.machines[0].body else {
        panic!("a plain machine is defined");
    };
    assert_eq!(d.invariants[0].text, "a >= 0 && (b < 10 || a == b * 2)");
}

#[test]
fn a_named_input_type_is_matched_by_its_constructors() {
    ok(r#"enum Cmd { Up, Down(Int) }
machine M {
    state { a: Int = 0 }
    input Cmd
    output Int
    on Up { a = a + 1; a }
    on Cmd.Down(k) { a = a - k; a }
}"#);
}

#[test]
fn a_lone_input_name_that_is_no_type_is_a_one_variant_list() {
    ok(r#"machine M { state { a: Int = 0 } input Tick output Int on Tick { a = a + 1; a } }"#);
}

#[test]
fn a_handler_ends_with_the_new_state_and_the_output() {
    check!(
        r#"machine M {
    state { a: Int = 0, b: String = "" }
    input Set(String)
    output Old(String)
    on Set(s) { let old = b; b = s; assert String.len(s) > 0; Old(old) }
}"#
    );
}
