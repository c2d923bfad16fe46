//! Golden tests over `examples/`: every example through every stage, snapshotted, and held to
//! the directives in its header (see `quiver_cli::script`).
//!
//! - `examples/*.sm` must compile with no diagnostics; the snapshot shows the machine's types,
//!   its typed IR, its combinators, its disassembly and the run of its `run:` inputs, which must give the
//!   stated outputs and final state on BOTH the VM and the reference evaluator.
//! - `examples/errors/*.sm` must fail; the snapshot shows the rendered diagnostics, which must
//!   contain every `expect:` text.

use quiver_cli::render::{render_plain, trap_line};
use quiver_cli::script::Script;
use quiver_lang::driver::{self, Compiled, Stage};
use quiver_vm::bytecode::disasm;
use quiver_vm::interp;
use quiver_vm::limits::Limits;
use quiver_vm::machine::Instance;
use quiver_vm::value::Value;
use quiver_vm::{eval_ref, text, verify};
use std::path::Path;
use std::sync::Arc;

fn source_name(path: &Path) -> String {
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    if path.parent().is_some_and(|p| p.ends_with("errors")) {
        format!("examples/errors/{file}")
    } else {
        format!("examples/{file}")
    }
}

#[test]
fn examples_compile_run_and_match_their_snapshots() {
    insta::glob!("../../examples", "*.sm", |path| {
        let src = std::fs::read_to_string(path).expect("examples are readable");
        let name = source_name(path);
        let script = Script::read(&src);
        let compiled = match driver::compile(&src, &name, script.machine.as_deref()) {
            Ok(compiled) => compiled,
            Err(diagnostics) => panic!(
                "{name} must compile:\n{}",
                render_plain(&name, &src, &diagnostics)
            ),
        };
        let run = run_script(&compiled, &script, &src);
        let typed = driver::emit(&src, &name, None, Stage::Typed).expect("the example checks");
        let snapshot = format!(
            "== machine\n{} : {} -> {}\nstate {}\n\n== typed\n{}\n== comb\n{}\n== bytecode\n{}\n== run\n{}",
            compiled.artifact.name,
            compiled.artifact.input,
            compiled.artifact.output,
            compiled.artifact.state,
            typed,
            driver::comb_listing(&compiled.artifact),
            disasm::disassemble(&compiled.artifact, Some(&compiled.debug)),
            run
        );
        insta::assert_snapshot!(snapshot);
    });
}

#[test]
fn error_examples_fail_with_their_expected_diagnostics() {
    insta::glob!("../../examples/errors", "*.sm", |path| {
        let src = std::fs::read_to_string(path).expect("examples are readable");
        let name = source_name(path);
        let script = Script::read(&src);
        assert!(!script.expect.is_empty(), "{name} states no `expect:`");
        let diagnostics = match driver::compile(&src, &name, script.machine.as_deref()) {
            Ok(_) => panic!("{name} must not compile"),
            Err(diagnostics) => diagnostics,
        };
        let rendered = render_plain(&name, &src, &diagnostics);
        for expected in &script.expect {
            assert!(
                rendered.contains(expected.as_str()),
                "{name}: the diagnostics do not contain `{expected}`:\n{rendered}"
            );
        }
        insta::assert_snapshot!(rendered);
    });
}

/// Runs the script's inputs on the VM and the reference evaluator, asserts they agree with
/// each other and with the script, and returns the transcript.
fn run_script(compiled: &Compiled, script: &Script, src: &str) -> String {
    let artifact = &compiled.artifact;
    let limits = Limits::default();
    let verified = verify::verify(artifact.clone(), &limits)
        .unwrap_or_else(|e| panic!("{} must verify: {e}", artifact.name));
    let mut instance = Instance::new(Arc::new(interp::load(verified)));
    let mut reference_state = Value::from_lit(&artifact.init);
    let mut transcript = String::new();
    for (input_text, expected) in &script.runs {
        let input = text::parse(input_text, &artifact.input)
            .unwrap_or_else(|e| panic!("input `{input_text}` must parse: {e}"));
        let vm = instance.turn(input.clone());
        let reference = eval_ref::step(artifact, input, reference_state.clone(), limits.fuel_turn);
        let line = match (&vm, reference) {
            (Ok(output), Ok((state, reference_output))) => {
                assert_eq!(
                    output, &reference_output,
                    "VM and reference disagree on {input_text}"
                );
                assert_eq!(
                    instance.state(),
                    &state,
                    "VM and reference states differ after {input_text}"
                );
                reference_state = state;
                text::print(output, &artifact.output)
            }
            (Err(trap), Err(reference_trap)) => {
                assert_eq!(
                    trap, &reference_trap,
                    "VM and reference trap differently on {input_text}"
                );
                format!(
                    "error: {}",
                    trap_line(trap, Some(&compiled.debug), Some(src))
                )
            }
            (vm, reference) => {
                panic!("on {input_text} the VM gave {vm:?} and the reference {reference:?}")
            }
        };
        assert!(
            Script::answers(expected, &line),
            "{}: `{input_text}` gave `{line}`, expected `{expected}`",
            artifact.name
        );
        transcript += &format!("{input_text} => {line}\n");
    }
    let state = text::print(instance.state(), &artifact.state);
    if let Some(expected) = &script.state {
        assert_eq!(&state, expected, "{}: final state", artifact.name);
    }
    transcript + &format!("state: {state}\n")
}
