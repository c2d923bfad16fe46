//! Composite machines: each operator's typing rule, nesting, unknown names and cycles.

mod check_support;
use check_support::codes;

const PARTS: &str = r#"
enum Cmd { Incr(Int), Reset }
enum Reply { Done(Int) }
machine Parser {
    state { seen: Int = 0 }
    input Line(String)
    output Cmd
    on Line(s) { seen = seen + 1; Incr(String.len(s)) }
}
machine Counter {
    state { count: Int = 0 }
    input Cmd
    output Reply
    on Incr(n) { count = count + n; Done(count) }
    on Reset { count = 0; Done(0) }
}
machine Echo {
    state { n: Int = 0 }
    input String
    output Reply
    on s { Done(String.len(s)) }
}
"#;

fn with_parts(lines: &str) -> String {
    format!("{PARTS}{lines}\n")
}

#[test]
fn each_operator_gives_its_input_output_and_state_types() {
    check!(&with_parts(
        r#"machine Pipe = Parser >>> Counter
machine Pair = Parser *** Counter
machine Fan = Counter &&& Counter
machine Either = Echo ||| Counter"#
    ));
}

#[test]
fn composites_nest_and_refer_to_each_other_in_any_order() {
    check!(&with_parts(
        r#"machine Outer = Pipe *** (Echo ||| Counter)
machine Pipe = Parser >>> (Counter &&& Counter)"#
    ));
}

#[test]
fn then_needs_the_left_output_to_be_the_right_input() {
    check!(&with_parts("machine Bad = Counter >>> Parser"));
}

#[test]
fn fanout_needs_equal_inputs() {
    assert_eq!(
        codes(&with_parts("machine Bad = Parser &&& Counter")),
        vec!["E0406"]
    );
}

#[test]
fn choice_needs_equal_outputs_and_suggests_a_shared_enum() {
    check!(&with_parts("machine Bad = Parser ||| Counter"));
}

#[test]
fn an_unknown_machine_suggests_a_close_name() {
    check!(&with_parts("machine Bad = Parser >>> Countr"));
}

#[test]
fn a_composition_cycle_is_an_error() {
    check!(&with_parts(
        "machine A = B *** Counter\nmachine B = A *** Echo"
    ));
}

#[test]
fn a_composite_holds_full_copies_of_its_parts() {
    let src = with_parts("machine Pipe = Parser >>> Counter");
    let (file, _) = quiver_lang::parser::parse(&src);
    let (program, _) = quiver_lang::check::check(&file.expect("parses"));
    let program = program.expect("checks");
    let pipe = program
        .machines
        .iter()
        .find(|m| m.name == "Pipe")
        .expect("Pipe is emitted");
    let quiver_lang::tir::MachineBody::Composed { left, right, .. } = &pipe.body else {
        panic!("Pipe is composed");
    };
    let counter = program
        .machines
        .iter()
        .find(|m| m.name == "Counter")
        .expect("Counter");
    assert_eq!(**right, *counter);
    assert_eq!(left.name, "Parser");
    assert_eq!(
        pipe.state,
        quiver_vm::types::Type::Tuple(vec![left.state.clone(), right.state.clone()])
    );
}

#[test]
fn a_nested_mismatch_points_at_the_operands() {
    check!(&with_parts("machine Bad = Parser >>> (Counter ||| Echo)"));
}
