use super::*;
use crate::driver;

/// The sketch of the last machine in `src`, which must parse.
fn sketch_of(src: &str) -> MachineSketch {
    let file = driver::parse(src).expect("test sources parse");
    let names = machine_names(&file);
    let last = names.last().expect("test sources declare a machine");
    sketch(&file, last).expect("a declared machine has a sketch")
}

fn defined(src: &str) -> DefinedSketch {
    match sketch_of(src) {
        MachineSketch::Defined(d) => d,
        MachineSketch::Composed(c) => panic!("expected a defined machine, got {c:?}"),
    }
}

/// One line per handler: `pattern reads[..] writes[..] -> outputs; transitions`.
fn summary(d: &DefinedSketch) -> String {
    let mut out = String::new();
    for h in &d.handlers {
        out += &format!(
            "{} reads[{}] writes[{}] -> {}",
            h.pattern,
            h.reads.join(","),
            h.writes.join(","),
            h.outputs.join("|")
        );
        for t in &h.transitions {
            let to = t.to.as_deref().unwrap_or("?");
            out += &format!("; {}:{}->{}/{}", t.field, t.from, to, t.outputs.join("|"));
        }
        if h.approximate {
            out += " (approximate)";
        }
        out.push('\n');
    }
    out
}

fn check(src: &str, expected: &str) {
    assert_eq!(summary(&defined(src)), expected);
}

const TURNSTILE: &str = include_str!("../../../examples/turnstile.sm");

#[test]
fn turnstile_transitions_follow_the_match_arms_and_assignments() {
    check(
        TURNSTILE,
        "Coin reads[position,coins] writes[position,coins] -> Unlocked|Refund; \
         position:Locked->Open/Unlocked; position:Open->Open/Refund\n\
         Push reads[position,passages] writes[position,passages] -> Passed|Blocked; \
         position:Locked->Locked/Blocked; position:Open->Locked/Passed\n",
    );
}

#[test]
fn turnstile_position_is_an_enum_field_starting_locked() {
    let d = defined(TURNSTILE);
    let position = &d.fields[0];
    assert_eq!(
        position.states,
        Some(vec!["Locked".to_string(), "Open".to_string()])
    );
    assert_eq!(position.initial.as_deref(), Some("Locked"));
    assert_eq!(d.fields[1].states, None);
    let inputs: Vec<String> = d.inputs.iter().map(MessageSketch::signature).collect();
    assert_eq!(inputs, ["Coin", "Push"]);
}

#[test]
fn counter_handlers_read_write_and_answer_by_branch() {
    check(
        include_str!("../../../examples/counter.sm"),
        "Incr(n) reads[count] writes[count] -> Ok\n\
         Decr(n) reads[count] writes[count] -> Ok|Rejected\n\
         Reset reads[] writes[count] -> Ok\n\
         Get reads[count] writes[] -> Value\n",
    );
}

#[test]
fn outputs_of_a_match_on_a_non_field_come_from_its_arms() {
    check(
        include_str!("../../../examples/kv.sm"),
        "Put(k, v) reads[data,writes] writes[data,writes] -> Ok\n\
         Get(k) reads[data] writes[] -> Found|Missing\n\
         Delete(k) reads[data] writes[data] -> Ok\n\
         Size reads[data] writes[] -> Count\n",
    );
}

#[test]
fn a_local_that_shadows_a_field_is_not_a_read_of_it() {
    check(
        "machine M { state { n: Int = 0 } input A(Int) output Out(Int)
           on A(n) { let x = n; Out(x) } }",
        "A(n) reads[] writes[] -> Out\n",
    );
}

#[test]
fn a_dotted_path_reads_its_head_field_and_calls_are_not_reads() {
    check(
        include_str!("../../../examples/thermostat.sm"),
        "Reading(t) reads[target] writes[last] -> Heat\n\
         SetTarget(t) reads[limits] writes[target] -> Clamped\n\
         Describe reads[target,last] writes[] -> Text\n",
    );
}

#[test]
fn an_assignment_outside_a_match_moves_from_every_state() {
    check(
        "enum Light { Red, Green }
         machine M { state { light: Light = Red } input Reset | Flip output Done
           on Reset { light = Red; Done }
           on Flip { match light { Red => { light = Green; Done }, _ => { light = Red; Done } } } }",
        "Reset reads[] writes[light] -> Done; light:Green->Red/Done; light:Red->Red/Done\n\
         Flip reads[light] writes[light] -> Done; light:Green->Red/Done; light:Red->Green/Done\n",
    );
}

#[test]
fn an_output_the_walk_cannot_read_may_be_any_output() {
    check(
        "machine M { state { n: Int = 0 } input A output X | Y
           on A { pick(n) } }
         fn pick(n: Int) -> M.Output { if n > 0 { X } else { Y } }",
        "A reads[n] writes[] -> X|Y\n",
    );
}

#[test]
fn a_match_after_an_assignment_only_takes_the_assigned_arm() {
    check(
        "enum S { P, Q }
         machine M { state { s: S = P } input A output One | Two
           on A { s = Q; match s { P => One, Q => Two } } }",
        "A reads[s] writes[s] -> Two; s:P->Q/Two; s:Q->Q/Two\n",
    );
}

#[test]
fn message_types_named_by_an_enum_resolve_to_its_variants() {
    let d = defined(
        "enum Cmd { Add(Int), Tick }
         machine M { state { n: Int = 0 } input Cmd output Int
           on Add(k) { n = n + k; n } on Tick { 0 } }",
    );
    let inputs: Vec<String> = d.inputs.iter().map(MessageSketch::signature).collect();
    assert_eq!(inputs, ["Add(Int)", "Tick"]);
    let outputs: Vec<String> = d.outputs.iter().map(MessageSketch::signature).collect();
    assert_eq!(outputs, ["Int"]);
    assert_eq!(d.handlers[0].outputs, ["Int"]);
}

#[test]
fn a_composite_sketches_its_parts_and_operator() {
    let MachineSketch::Composed(c) = sketch_of(include_str!("../../../examples/pipeline.sm"))
    else {
        panic!("the pipeline is a composite");
    };
    let PartExpr::Binary { op, left, right } = &c.expr else {
        panic!("the pipeline is one operator, got {:?}", c.expr);
    };
    assert_eq!(*op, ComposeOp::Then);
    let names: Vec<&str> = [left, right]
        .iter()
        .map(|p| match &***p {
            PartExpr::Part(m) => m.name(),
            other => panic!("expected a part, got {other:?}"),
        })
        .collect();
    assert_eq!(names, ["Limiter", "Tally"]);
}

#[test]
fn a_handler_with_too_many_paths_is_marked_approximate() {
    let ifs = "if n > 0 { n = n + 1; } else { n = n - 1; }\n".repeat(8);
    let src =
        format!("machine M {{ state {{ n: Int = 0 }} input A output Done on A {{ {ifs} Done }} }}");
    let d = defined(&src);
    assert!(d.handlers[0].approximate);
    assert_eq!(d.handlers[0].outputs, ["Done"]);
}

#[test]
fn composites_of_composites_stop_at_the_parts_limit() {
    let mut src =
        String::from("machine C0 { state { n: Int = 0 } input Go output Done on Go { Done } }\n");
    for i in 1..=20 {
        src += &format!("machine C{i} = C{} >>> C{}\n", i - 1, i - 1);
    }
    let file = driver::parse(&src).expect("the source parses");
    let sketch = sketch(&file, "C20").expect("C20 is declared");
    fn count(expr: &PartExpr) -> (usize, usize) {
        match expr {
            PartExpr::Part(m) => match &**m {
                MachineSketch::Composed(c) => {
                    let (parts, missing) = count(&c.expr);
                    (parts + 1, missing)
                }
                MachineSketch::Defined(_) => (1, 0),
            },
            PartExpr::Missing(_) => (0, 1),
            PartExpr::Binary { left, right, .. } => {
                let (a, b) = count(left);
                let (c, d) = count(right);
                (a + c, b + d)
            }
        }
    }
    let MachineSketch::Composed(top) = sketch else {
        panic!("C20 is a composite");
    };
    let (parts, missing) = count(&top.expr);
    assert!(parts < PARTS_MAX, "{parts} parts sketched");
    assert!(missing > 0);
}
