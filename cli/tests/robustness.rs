//! No input of any kind makes the pipeline panic: mutated sources go through every compiler
//! stage, and corrupted artifacts through the decoder, the verifier and — when they still
//! verify — the VM, which must answer every turn with an output or a trap.

use proptest::prelude::*;
use quiver_lang::driver;
use quiver_vm::bytecode::{decode, encode};
use quiver_vm::interp;
use quiver_vm::limits::Limits;
use quiver_vm::machine::Instance;
use quiver_vm::types::Type;
use quiver_vm::value::Value;
use quiver_vm::verify;
use std::sync::Arc;

const EXAMPLES: &[&str] = &[
    include_str!("../../examples/counter.sm"),
    include_str!("../../examples/counter_v2.sm"),
    include_str!("../../examples/kv.sm"),
    include_str!("../../examples/bank.sm"),
    include_str!("../../examples/bank_v2.sm"),
    include_str!("../../examples/turnstile.sm"),
    include_str!("../../examples/thermostat.sm"),
    include_str!("../../examples/pipeline.sm"),
];

/// Fragments a mutation may splice in: tokens of the language and some that are not.
const FRAGMENTS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ",",
    ";",
    ":",
    ".",
    "..",
    "=",
    "==",
    "<",
    ">",
    ">>>",
    "***",
    "&&&",
    "|||",
    "|",
    "=>",
    "->",
    "+",
    "-",
    "*",
    "/",
    "%",
    "++",
    "!",
    "&&",
    "||",
    "on",
    "machine",
    "state",
    "input",
    "output",
    "invariant",
    "migrate",
    "down",
    "fn",
    "type",
    "enum",
    "let",
    "if",
    "else",
    "match",
    "assert",
    "true",
    "false",
    "Some",
    "None",
    "Map.insert",
    "x",
    "count",
    "0",
    "-9223372036854775808",
    "99999999999999999999",
    "\"s\"",
    "\"unterminated",
    "é",
    "\u{0}",
    "_",
    "Int",
    "String",
    "Map<String, Int>",
    "List<",
    "Ok",
    "Incr(1)",
    "old.count",
    "{ ..r, a: 1 }",
];

#[derive(Debug, Clone)]
enum Edit {
    Delete { at: usize, len: usize },
    Insert { at: usize, fragment: usize },
    Duplicate { at: usize, len: usize },
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Edit::Delete { at, len }),
        (any::<usize>(), 0..FRAGMENTS.len())
            .prop_map(|(at, fragment)| Edit::Insert { at, fragment }),
        (any::<usize>(), 1usize..80).prop_map(|(at, len)| Edit::Duplicate { at, len }),
    ];
    prop::collection::vec(edit, 1..6)
}

fn apply(src: &str, edits: &[Edit]) -> String {
    let mut text: Vec<char> = src.chars().collect();
    for edit in edits {
        let len = text.len().max(1);
        match *edit {
            Edit::Delete { at, len: n } => {
                let at = at % len;
                let end = (at + n).min(text.len());
                text.drain(at.min(end)..end);
            }
            Edit::Insert { at, fragment } => {
                let at = at % (text.len() + 1);
                let piece: Vec<char> = format!(" {} ", FRAGMENTS[fragment]).chars().collect();
                text.splice(at..at, piece);
            }
            Edit::Duplicate { at, len: n } => {
                let at = at % len;
                let end = (at + n).min(text.len());
                let piece: Vec<char> = text[at.min(end)..end].to_vec();
                text.splice(at..at, piece);
            }
        }
    }
    text.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutated_sources_never_panic_any_stage(example in 0..EXAMPLES.len(), edits in edits()) {
        let src = apply(EXAMPLES[example], &edits);
        if let Ok(compiled) = driver::compile(&src, "mutated.sm", None) {
            // Whatever compiles must verify: the compiler only emits well-typed programs.
            let verified = verify::verify(compiled.artifact.clone(), &Limits::default());
            prop_assert!(verified.is_ok(), "compiled but does not verify: {:?}\n{src}", verified.err());
        }
    }

    #[test]
    fn corrupted_artifacts_are_refused_or_run_without_panicking(
        example in 0..EXAMPLES.len(),
        flips in prop::collection::vec((any::<usize>(), any::<u8>()), 1..4),
        cut in prop::option::of(any::<usize>()),
    ) {
        let compiled = driver::compile(EXAMPLES[example], "example.sm", None).expect("examples compile");
        let mut bytes = encode::encode(&compiled.artifact, Some(&compiled.debug));
        for (at, byte) in flips {
            let at = at % bytes.len();
            bytes[at] ^= byte;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut % (bytes.len() + 1));
        }
        let limits = Limits::default();
        let Ok((artifact, _)) = decode::decode(&bytes, &limits) else { return Ok(()) };
        let Ok(verified) = verify::verify(artifact, &limits) else { return Ok(()) };
        let mut instance = Instance::new(Arc::new(interp::load(verified)));
        // Every turn answers with an output or a trap; none panics.
        let input_type = instance.program().artifact().input.clone();
        for seed in 0..6u64 {
            let _ = instance.turn(value_of(&input_type, seed));
        }
    }
}

/// A well-typed value of `ty`, varied by `seed` (the case of a sum, the integers).
fn value_of(ty: &Type, seed: u64) -> Value {
    match ty {
        Type::Unit => Value::Unit,
        Type::Bool => Value::Bool(seed % 2 == 1),
        Type::Int => Value::Int(i64::try_from(seed).unwrap_or(0) * 37 - 50),
        Type::String => Value::str("s"),
        Type::Tuple(_) | Type::Record(_) => Value::tuple(
            ty.components()
                .unwrap_or_default()
                .iter()
                .map(|c| value_of(c, seed / 2))
                .collect(),
        ),
        Type::Option(_) | Type::Enum(_) | Type::Sum(_) | Type::List(_) | Type::Map(_, _) => {
            match ty.cases() {
                Some(cases) if !cases.is_empty() => {
                    let tag = seed % cases.len() as u64;
                    let payload = value_of(&cases[tag as usize], seed / 3);
                    Value::variant(u32::try_from(tag).unwrap_or(0), payload)
                }
                _ => match ty {
                    Type::List(_) => Value::List(Arc::default()),
                    _ => Value::Map(Arc::default()),
                },
            }
        }
    }
}
