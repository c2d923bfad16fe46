//! The design sketch's machines and composition lines parse verbatim, without diagnostics,
//! to the AST recorded in the snapshots.

use quiver_lang::ast;

fn parse_fixture(name: &str) -> ast::File {
    let path = format!("{}/tests/fixtures/{name}.sm", env!("CARGO_MANIFEST_DIR"));
    let src = std::fs::read_to_string(&path).expect("fixture file exists");
    let (file, diagnostics) = quiver_lang::parser::parse(&src);
    assert_eq!(diagnostics, Vec::new(), "{name}.sm should parse cleanly");
    file.expect("a clean parse yields a file")
}

#[test]
fn the_first_counter_parses_as_in_the_sketch() {
    insta::assert_debug_snapshot!(parse_fixture("counter"));
}

#[test]
fn the_second_counter_with_a_migration_parses_as_in_the_sketch() {
    insta::assert_debug_snapshot!(parse_fixture("counter_v2"));
}

#[test]
fn the_map_store_parses_as_in_the_sketch() {
    insta::assert_debug_snapshot!(parse_fixture("kv"));
}

#[test]
fn the_composition_lines_parse_as_in_the_sketch() {
    insta::assert_debug_snapshot!(parse_fixture("compose"));
}
