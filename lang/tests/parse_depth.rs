//! Deep nesting is rejected before parsing, with a clear diagnostic, and never overflows the
//! stack; nesting within the bound parses.

use quiver_lang::parser::{MAX_NESTING_DEPTH, parse, parse_expr, parse_type};

const DEEP: usize = 100_000;

fn only_code(diagnostics: &[quiver_lang::diagnostic::Diagnostic]) -> Vec<&str> {
    diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn a_hundred_thousand_open_parentheses_are_rejected_as_too_deep() {
    let src = "(".repeat(DEEP);
    let (expr, diagnostics) = parse_expr(&src);
    assert_eq!(expr, None);
    assert_eq!(only_code(&diagnostics), ["E0103"]);
    assert_eq!(diagnostics[0].message, "nesting too deep");
    let at = diagnostics[0].span();
    assert_eq!(at.start as usize, MAX_NESTING_DEPTH);
}

#[test]
fn a_hundred_thousand_balanced_parentheses_are_rejected_as_too_deep() {
    let src = format!("{}x{}", "(".repeat(DEEP), ")".repeat(DEEP));
    let (expr, diagnostics) = parse_expr(&src);
    assert_eq!(expr, None);
    assert_eq!(only_code(&diagnostics), ["E0103"]);
}

#[test]
fn a_hundred_thousand_prefix_minuses_are_rejected_as_too_deep() {
    let src = format!("{}x", "- ".repeat(DEEP));
    assert_eq!(only_code(&parse_expr(&src).1), ["E0103"]);
    let src = format!("{}x", "!".repeat(DEEP));
    assert_eq!(only_code(&parse_expr(&src).1), ["E0103"]);
}

#[test]
fn deep_lists_braces_types_and_else_chains_are_rejected_as_too_deep() {
    assert_eq!(only_code(&parse_expr(&"[".repeat(DEEP)).1), ["E0103"]);
    assert_eq!(only_code(&parse_expr(&"{".repeat(DEEP)).1), ["E0103"]);
    let ty = format!("{}Int{}", "List<".repeat(DEEP), ">".repeat(DEEP));
    assert_eq!(only_code(&parse_type(&ty).1), ["E0103"]);
    let chain = format!(
        "if a {{ 1 }}{} else {{ 2 }}",
        " else if a { 1 }".repeat(DEEP)
    );
    assert_eq!(only_code(&parse_expr(&chain).1), ["E0103"]);
    let sum = format!("1{}", " + 1".repeat(DEEP));
    assert_eq!(only_code(&parse_expr(&sum).1), ["E0103"]);
}

#[test]
fn deep_nesting_inside_a_machine_is_rejected_without_parsing() {
    let src = format!(
        "machine M {{ input A output O on A {{ {} }} }}",
        "(".repeat(DEEP)
    );
    let (file, diagnostics) = parse(&src);
    assert_eq!(file, None);
    assert_eq!(only_code(&diagnostics), ["E0103"]);
}

#[test]
fn nesting_just_within_the_bound_parses() {
    let depth = MAX_NESTING_DEPTH;
    let src = format!("{}x{}", "(".repeat(depth), ")".repeat(depth));
    let (expr, diagnostics) = parse_expr(&src);
    assert_eq!(diagnostics, Vec::new());
    assert!(matches!(
        expr.map(|e| e.kind),
        Some(quiver_lang::ast::ExprKind::Path(_))
    ));
    let src = format!("{}x{}", "(".repeat(depth + 1), ")".repeat(depth + 1));
    assert_eq!(only_code(&parse_expr(&src).1), ["E0103"]);
}

#[test]
fn long_flat_files_are_not_too_deep() {
    let handlers: String = (0..2_000)
        .map(|i| format!("on A{i} {{ count = count + {i}; Ok }}\n"))
        .collect();
    let src = format!("machine M {{ input I output O invariant count >= 0 {handlers} }}");
    let (file, diagnostics) = parse(&src);
    assert_eq!(diagnostics, Vec::new());
    let Some(quiver_lang::ast::Item::Machine(machine)) =
        file.and_then(|f| f.items.into_iter().next())
    else {
        panic!("expected one machine");
    };
    assert_eq!(machine.handlers.len(), 2_000);
}

#[test]
fn broken_input_nested_to_the_bound_fails_quickly_instead_of_backtracking() {
    let depth = MAX_NESTING_DEPTH / 2;
    let shapes = [
        format!("{}1 ;", "{a: ".repeat(depth)),
        format!("{}x ;", "(".repeat(depth)),
        format!("{}x ;", "f(".repeat(depth)),
        format!("{}1 +", "{ ".repeat(depth)),
        format!("{}x", "if a { ".repeat(depth)),
        format!("{}x", "match a { A => ".repeat(depth)),
        "{ ..x, a: ".repeat(depth / 2),
        format!("{}x ;", "[(".repeat(depth / 2)),
        format!("{}x ;", "f({".repeat(depth / 2)),
        "if a { 1 } else { ".repeat(depth),
        "{ let x = ".repeat(depth),
    ];
    for src in shapes {
        let started = std::time::Instant::now();
        let (_, diagnostics) = parse_expr(&src);
        assert!(!diagnostics.is_empty(), "{src:?} should not parse");
        let src = format!("fn f() -> Int {{ {src} }}");
        let (_, diagnostics) = parse(&src);
        assert!(!diagnostics.is_empty());
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{src:?} took {:?}",
            started.elapsed()
        );
    }
}
