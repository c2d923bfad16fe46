//! The two parser passes agree: the fast pass (no error values) succeeds exactly when the
//! rich pass reports no error, and then both build the same AST. If they ever disagreed, a
//! valid file could be rejected without a diagnostic, or an invalid one accepted.

use super::*;

/// Every example: all parse.
const VALID: &[&str] = &[
    include_str!("../../../examples/bank.sm"),
    include_str!("../../../examples/bank_v2.sm"),
    include_str!("../../../examples/counter.sm"),
    include_str!("../../../examples/counter_v2.sm"),
    include_str!("../../../examples/counter_v3.sm"),
    include_str!("../../../examples/kv.sm"),
    include_str!("../../../examples/pipeline.sm"),
    include_str!("../../../examples/thermostat.sm"),
    include_str!("../../../examples/turnstile.sm"),
];

/// The error examples: some fail to parse, the rest fail later (type errors), so parse.
const ERROR_EXAMPLES: &[&str] = &[
    include_str!("../../../examples/errors/ambiguous_constructor.sm"),
    include_str!("../../../examples/errors/assign_not_a_field.sm"),
    include_str!("../../../examples/errors/cannot_infer.sm"),
    include_str!("../../../examples/errors/choice_outputs_differ.sm"),
    include_str!("../../../examples/errors/compose_mismatch.sm"),
    include_str!("../../../examples/errors/duplicate_handler.sm"),
    include_str!("../../../examples/errors/migrate_down_type.sm"),
    include_str!("../../../examples/errors/migration_mismatch.sm"),
    include_str!("../../../examples/errors/missing_handler.sm"),
    include_str!("../../../examples/errors/non_exhaustive_match.sm"),
    include_str!("../../../examples/errors/recursive_fn.sm"),
    include_str!("../../../examples/errors/shadowed_field.sm"),
    include_str!("../../../examples/errors/syntax_errors.sm"),
    include_str!("../../../examples/errors/type_mismatch.sm"),
    include_str!("../../../examples/errors/unknown_name.sm"),
];

/// Files that do not parse, one for each of the parser's own checks and some plain syntax
/// errors.
const INVALID: &[&str] = &[
    "fn f(x: Int) -> Bool { 1 < x < 3 }",
    "fn f(x: Int, y: Int) -> Int { g(x y) }",
    "fn f(x: Int) -> Int { x x }",
    "fn f() -> Int { 9223372036854775808 }",
    "fn f() -> Int { let x = 1; x = 2; x }.",
    "machine M { state {} state {} input A output B on A { B } }",
    "machine M { output B on A { B } }",
    "machine M { input A output B on x(y) { B } }",
    "machine M = A > > > B",
    "fn f() -> Int { a: 1; 2 }",
    "fn f() -> Int { f(1) = 2; 3 }",
    "fn f() -> Int { match 1 { 1 => 2 3 => 4 } }",
    "fn f() -> Int { (1 + ]",
    "fn f() -> Int {",
    "} machine",
    "type = Int",
    "machine M { input A output B on A { B } ",
];

/// Runs both passes of the file parser; returns whether they succeeded.
fn both_passes_agree(src: &str) -> bool {
    let Ok((tokens, _)) = tokens(src) else {
        return false;
    };
    let eoi = SimpleSpan::from(src.len()..src.len());
    let fast = pass!(&tokens, eoi, EmptyErr, items::file);
    let rich = pass!(&tokens, eoi, Rich<Token, SimpleSpan>, items::file);
    let fast_ok = !fast.has_errors() && fast.output().is_some();
    let rich_ok = !rich.has_errors() && rich.output().is_some();
    assert_eq!(fast_ok, rich_ok, "the passes disagree on:\n{src}");
    if fast_ok {
        assert_eq!(
            fast.into_output(),
            rich.into_output(),
            "the passes build different ASTs for:\n{src}"
        );
    }
    fast_ok
}

#[test]
fn both_passes_parse_every_example_to_the_same_ast() {
    for src in VALID {
        assert!(both_passes_agree(src), "an example does not parse:\n{src}");
    }
}

#[test]
fn both_passes_agree_on_the_error_examples() {
    let parsed = ERROR_EXAMPLES
        .iter()
        .filter(|src| both_passes_agree(src))
        .count();
    assert!(parsed > 0 && parsed < ERROR_EXAMPLES.len());
}

#[test]
fn both_passes_fail_on_every_invalid_file() {
    for src in INVALID {
        assert!(!both_passes_agree(src), "parsed, but should not:\n{src}");
    }
}

#[test]
fn a_failed_fast_pass_still_reports_the_rich_diagnostics() {
    let (file, diagnostics) = parse("fn f(x: Int) -> Bool { 1 < x < 3 }");
    assert!(file.is_some(), "recovery keeps the file");
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["E0102"]);
}

#[test]
fn expressions_and_types_take_the_fast_path_when_valid() {
    let (expr, diagnostics) = parse_expr("1 + f(x, { a: 1 }).b");
    assert!(expr.is_some() && diagnostics.is_empty());
    let (ty, diagnostics) = parse_type("Map<String, (Int, { a: Bool })>");
    assert!(ty.is_some() && diagnostics.is_empty());
    let (expr, diagnostics) = parse_expr("1 +");
    assert!(expr.is_none() && !diagnostics.is_empty());
}
