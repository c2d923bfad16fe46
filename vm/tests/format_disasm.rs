//! Combinator notation and artifact listings.

mod format_support;

use format_support::{counter, counter_debug, counter_output, counter_step};
use quiver_vm::bytecode::disasm::{WIDTH, comb, disassemble};
use quiver_vm::bytecode::{Arrow, Def, Lit, Migration, Site};
use quiver_vm::prim::Prim;
use quiver_vm::types::Type;

fn check(arrow: &Arrow, expected: &str) {
    assert_eq!(comb(arrow), expected);
}

fn seq(items: Vec<Arrow>) -> Arrow {
    Arrow::Seq(items)
}

fn fork(items: Vec<Arrow>) -> Arrow {
    Arrow::Fork(items)
}

fn int(n: i64) -> Arrow {
    Arrow::Const(Type::Int, Lit::Int(n))
}

fn add() -> Arrow {
    Arrow::Prim(Prim::Add, Site::NONE)
}

#[test]
fn leaves_print_by_name() {
    check(&Arrow::Id, "id");
    check(&seq(vec![]), "id");
    check(&Arrow::Proj(3), "proj3");
    check(&Arrow::Distl, "distl");
    check(&Arrow::Call(0), "call 0");
    check(&add(), "add");
    check(&Arrow::Prim(Prim::MapInsert, Site(4)), "map.insert");
    check(
        &Arrow::Inj {
            sum: counter_output(),
            tag: 2,
        },
        "inj 2 : Counter.Output",
    );
}

#[test]
fn constants_print_as_values_of_their_type() {
    check(&int(-5), "const -5");
    check(
        &Arrow::Const(counter_output(), Lit::Variant(1, Box::new(Lit::Int(3)))),
        "const Value(3)",
    );
    check(
        &Arrow::Const(
            Type::Sum(vec![Type::Unit, Type::Int]),
            Lit::Variant(1, Box::new(Lit::Int(5))),
        ),
        "const #1(5)",
    );
    check(
        &Arrow::Const(Type::String, Lit::Str("a\"b".into())),
        "const \"a\\\"b\"",
    );
}

#[test]
fn a_constant_that_does_not_fit_its_type_still_prints() {
    check(
        &Arrow::Const(Type::Int, Lit::Str("x".into())),
        "const \"x\"",
    );
    check(
        &Arrow::Const(Type::Bool, Lit::Variant(7, Box::new(Lit::Unit))),
        "const #7(())",
    );
}

#[test]
fn a_fork_inside_a_composition_is_parenthesised() {
    check(
        &seq(vec![fork(vec![Arrow::Proj(1), int(1)]), add()]),
        "(proj1 &&& const 1) >>> add",
    );
}

#[test]
fn a_composition_inside_a_fork_is_parenthesised() {
    let arrow = fork(vec![seq(vec![Arrow::Proj(0), Arrow::Proj(1)]), Arrow::Id]);
    check(&arrow, "(proj0 >>> proj1) &&& id");
}

#[test]
fn nested_forks_and_injections_in_forks_are_parenthesised() {
    let bool_inj = Arrow::Inj {
        sum: Type::Bool,
        tag: 1,
    };
    check(
        &fork(vec![fork(vec![Arrow::Id, Arrow::Id]), bool_inj]),
        "(id &&& id) &&& (inj 1 : Bool)",
    );
}

#[test]
fn small_forks_and_pars_use_brackets() {
    check(&fork(vec![]), "fork[]");
    check(&fork(vec![Arrow::Proj(0)]), "fork[proj0]");
    check(&Arrow::Par(vec![]), "par[]");
    check(&Arrow::Par(vec![Arrow::Id, add()]), "id *** add");
}

#[test]
fn a_short_case_stays_on_one_line() {
    let arrow = seq(vec![
        Arrow::Distl,
        Arrow::Case(vec![Arrow::Proj(0), int(2)]),
    ]);
    check(&arrow, "distl >>> case[proj0, const 2]");
}

#[test]
fn a_long_step_breaks_into_indented_lines() {
    let expected = "\
(proj1 &&& proj0)
>>> distl
>>> case[
    fork[((proj0 >>> proj0) &&& proj1) >>> add] &&& const Ok,
    (id &&& ((proj1 &&& (proj0 >>> proj0)) >>> gt))
    >>> distl
    >>> case[
        (proj0 >>> fork[((proj0 >>> proj0) &&& proj1) >>> sub]) &&& const Ok,
        (proj0 >>> proj0) &&& const Rejected(\"would go negative\"),
    ],
    fork[const 0] &&& const Ok,
    proj0 &&& (proj0 >>> proj0 >>> inj 1 : Counter.Output),
]";
    check(&counter_step(), expected);
}

#[test]
fn a_wide_fork_is_broken_to_fit_the_width() {
    let wide = seq(vec![fork((0..40).map(Arrow::Proj).collect()), add()]);
    let text = comb(&wide);
    assert!(text.lines().count() > 1);
    assert!(
        text.lines().all(|line| line.chars().count() <= WIDTH),
        "{text}"
    );
    assert!(text.starts_with("(\n    proj0\n    &&& proj1\n"), "{text}");
    assert!(text.ends_with("    &&& proj39\n)\n>>> add"), "{text}");
}

#[test]
fn a_very_deep_arrow_prints_without_overflowing_the_stack() {
    let mut arrow = Arrow::Id;
    for _ in 0..2_000 {
        arrow = fork(vec![arrow, Arrow::Id]);
    }
    let text = comb(&arrow);
    assert!(text.contains("..."));
    // Dropping a 2,000-deep tree is recursive; hand it to a thread with a roomy stack.
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || drop(arrow))
        .expect("spawn")
        .join()
        .expect("drop");
}

#[test]
fn a_deep_chain_of_long_compositions_prints_without_overflowing_the_stack() {
    let long = Arrow::Const(Type::String, Lit::Str("x".repeat(120)));
    let mut arrow = long.clone();
    for _ in 0..5_000 {
        arrow = seq(vec![arrow, long.clone()]);
    }
    let text = comb(&arrow);
    assert!(text.contains("..."));
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || drop(arrow))
        .expect("spawn")
        .join()
        .expect("drop");
}

#[test]
fn the_counter_listing_shows_every_part() {
    let expected = include_str!("format_fixtures/counter.listing");
    assert_eq!(disassemble(&counter(), Some(&counter_debug())), expected);
}

#[test]
fn a_listing_names_definitions_migrations_and_missing_sites() {
    let mut artifact = counter();
    artifact.defs.push(Def {
        name: "double".into(),
        input: Type::Int,
        output: Type::Int,
        body: seq(vec![fork(vec![Arrow::Id, Arrow::Id]), add()]),
    });
    artifact.invariants[0].site = Site::NONE;
    artifact.migrate_up = Some(Migration {
        other: Type::Unit,
        body: Arrow::Const(Type::Unit, Lit::Unit),
    });
    artifact.migrate_down = Some(Migration {
        other: Type::Int,
        body: Arrow::Proj(0),
    });
    let listing = disassemble(&artifact, None);
    assert!(
        listing.contains("\ndef 0 double : Int -> Int\n    (id &&& id) >>> add\n"),
        "{listing}"
    );
    assert!(listing.contains("\ninvariant 0 (no site)\n"), "{listing}");
    assert!(
        listing.contains("\nmigrate up from Unit\n    const ()\n"),
        "{listing}"
    );
    assert!(
        listing.contains("\nmigrate down to Int\n    proj0\n"),
        "{listing}"
    );
    assert!(!listing.contains("sites of"), "{listing}");
}
