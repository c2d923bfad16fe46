//! Encoding round trips, canonical bytes and the content hash.

mod format_support;

use format_support::{arb_artifact, arb_debug_info, counter, counter_debug};
use proptest::prelude::*;
use quiver_vm::bytecode::decode::decode;
use quiver_vm::bytecode::encode::{encode, encode_artifact_only};
use quiver_vm::bytecode::{Arrow, DebugInfo, Lit, Migration};
use quiver_vm::hash::{Hash, hash};
use quiver_vm::limits::Limits;
use quiver_vm::types::Type;

/// Limits roomy enough for any generated artifact.
fn limits() -> Limits {
    Limits::default()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn decoding_an_encoding_gives_the_artifact_back(artifact in arb_artifact()) {
        let bytes = encode(&artifact, None);
        let decoded = decode(&bytes, &limits());
        prop_assert_eq!(decoded, Ok((artifact, None)));
    }

    #[test]
    fn decoding_keeps_the_debug_sidecar(artifact in arb_artifact(), debug in arb_debug_info()) {
        let bytes = encode(&artifact, Some(&debug));
        prop_assert_eq!(decode(&bytes, &limits()), Ok((artifact, Some(debug))));
    }

    #[test]
    fn encoding_is_canonical(artifact in arb_artifact()) {
        let copy = artifact.clone();
        prop_assert_eq!(encode(&artifact, None), encode(&copy, None));
        let (decoded, _) = decode(&encode(&artifact, None), &limits()).expect("own encoding decodes");
        prop_assert_eq!(encode(&decoded, None), encode(&artifact, None));
    }

    #[test]
    fn different_artifacts_have_different_hashes(a in arb_artifact(), b in arb_artifact()) {
        prop_assume!(a != b);
        prop_assert_ne!(hash(&a), hash(&b));
    }

    #[test]
    fn the_sidecar_never_changes_the_hash(artifact in arb_artifact(), debug in arb_debug_info()) {
        let with = encode(&artifact, Some(&debug));
        let (decoded, _) = decode(&with, &limits()).expect("own encoding decodes");
        prop_assert_eq!(hash(&decoded), hash(&artifact));
    }
}

#[test]
fn artifact_only_encoding_is_the_encoding_without_a_sidecar() {
    let artifact = counter();
    assert_eq!(encode_artifact_only(&artifact), encode(&artifact, None));
    let with = encode(&artifact, Some(&counter_debug()));
    let without = encode(&artifact, None);
    assert_eq!(with[..without.len() - 1], without[..without.len() - 1]);
    assert_eq!(
        without.last(),
        Some(&0),
        "an absent sidecar is postcard `None`"
    );
}

#[test]
fn encoded_counter_starts_with_magic_and_version() {
    let bytes = encode(&counter(), None);
    assert_eq!(&bytes[..6], b"QVRB\x01\x00");
}

#[test]
fn equal_types_are_stored_once() {
    let artifact = counter();
    let sizes = quiver_vm::bytecode::encode::table_sizes(&artifact);
    // Int, { count: Int }, Counter.Input, String and Counter.Output: each type occurs once
    // however often the header, injections and constants mention it.
    assert_eq!(sizes.types, 5);
}

#[test]
fn every_change_to_the_counter_changes_its_hash() {
    let base = counter();
    let mut variants = vec![base.clone()];
    let mut renamed = base.clone();
    renamed.name = "Counter2".into();
    variants.push(renamed);
    let mut init = base.clone();
    init.init = Lit::Tuple(vec![Lit::Int(1)]);
    variants.push(init);
    let mut step = base.clone();
    step.step = Arrow::Seq(vec![base.step.clone(), Arrow::Id]);
    variants.push(step);
    let mut no_invariant = base.clone();
    no_invariant.invariants.clear();
    variants.push(no_invariant);
    let mut migrated = base.clone();
    migrated.migrate_up = Some(Migration {
        other: Type::Unit,
        body: Arrow::Const(Type::Int, Lit::Int(0)),
    });
    variants.push(migrated.clone());
    migrated.migrate_down = migrated.migrate_up.take();
    variants.push(migrated);
    let hashes: std::collections::BTreeSet<Hash> = variants.iter().map(hash).collect();
    assert_eq!(hashes.len(), variants.len());
}

#[test]
fn hash_prints_as_64_lowercase_hex_digits_and_parses_back() {
    let h = hash(&counter());
    let text = h.to_string();
    assert_eq!(text.len(), 64);
    assert!(text.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
    assert_eq!(h.short(), text[..12]);
    assert_eq!(text.parse::<Hash>(), Ok(h));
    assert_eq!(text.to_uppercase().parse::<Hash>(), Ok(h));
}

#[test]
fn hash_of_known_bytes_is_sha256() {
    // SHA-256 of the empty string, parsed and printed.
    let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    let h: Hash = empty.parse().expect("valid hex");
    assert_eq!(h.0[0], 0xe3);
    assert_eq!(h.to_string(), empty);
}

#[test]
fn malformed_hash_text_is_rejected_with_a_reason() {
    let short = "abc".parse::<Hash>().map_err(|e| e.to_string());
    assert_eq!(
        short,
        Err("a hash is 64 hex digits, found 3 characters".into())
    );
    let bad = "g".repeat(64).parse::<Hash>().map_err(|e| e.to_string());
    assert_eq!(bad, Err("`g` is not a hex digit".into()));
}

#[test]
fn sidecar_round_trips_with_sites() {
    let debug: DebugInfo = counter_debug();
    let bytes = encode(&counter(), Some(&debug));
    let (_, decoded) = decode(&bytes, &limits()).expect("counter decodes");
    assert_eq!(decoded, Some(debug));
}
