//! The compiler's promises on any text: it never panics, every diagnostic points inside the
//! source, and whatever it compiles the verifier accepts and runs without a type error.
//!
//! Used by the `source` target (the input as text) and `source_tokens` (a token soup, see
//! [`crate::tokens`]). The whole pipeline runs: lexer, parser, checker, lowering,
//! simplification and codegen, then the encoding round trip, the verifier and
//! [`crate::program::exercise`] on values generated from `value_bytes`. The picture analysis
//! (`quiver graph`) runs on every file that parses.

use crate::program::{exercise, limits};
use quiver_lang::analysis;
use quiver_lang::diagnostic::Diagnostic;
use quiver_lang::driver::{compile, parse};
use quiver_vm::bytecode::decode::decode;
use quiver_vm::bytecode::encode::encode;
use quiver_vm::verify::verify;

/// Compiles `src` and checks the promises in the module doc.
pub fn check_source(src: &str, value_bytes: &[u8]) {
    if let Ok(file) = parse(src) {
        for name in analysis::machine_names(&file) {
            analysis::sketch(&file, &name);
        }
    }
    let compiled = match compile(src, "fuzz.sm", None) {
        Ok(compiled) => compiled,
        Err(diagnostics) => {
            assert!(!diagnostics.is_empty(), "a failed compile reported nothing");
            diagnostics.iter().for_each(|d| assert_spans_inside(d, src));
            return;
        }
    };
    let limits = limits();
    let bytes = encode(&compiled.artifact, Some(&compiled.debug));
    let decoded = decode(&bytes, &limits).expect("a compiled artifact decodes");
    assert_eq!(
        decoded,
        (compiled.artifact.clone(), Some(compiled.debug.clone()))
    );
    let program = verify(compiled.artifact, &limits)
        .unwrap_or_else(|e| panic!("the verifier rejected a compiled program: {e}\n{src}"));
    exercise(program, value_bytes, &limits);
}

/// Every label of `diagnostic` is a range of `src` on character boundaries (what the cli's
/// renderer slices).
fn assert_spans_inside(diagnostic: &Diagnostic, src: &str) {
    for label in &diagnostic.labels {
        let range = label.span.range();
        assert!(
            range.start <= range.end && src.get(range.clone()).is_some(),
            "{} `{}` has span {range:?} outside the {}-byte source",
            diagnostic.code,
            diagnostic.message,
            src.len()
        );
    }
}
