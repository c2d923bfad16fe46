//! Decoding hostile bytes: every truncation and corruption is rejected or decodes without
//! panicking, deep or exponentially shared trees are refused, and every error has its message.

mod format_support;

use format_support::{Bytes, arb_artifact, counter, counter_debug};
use proptest::prelude::*;
use quiver_vm::bytecode::decode::{DecodeError, TableName, decode};
use quiver_vm::bytecode::encode::encode;
use quiver_vm::bytecode::{Arrow, Def, MAGIC};
use quiver_vm::limits::Limits;
use quiver_vm::types::Type;

fn check(bytes: &[u8], expected: Result<(), DecodeError>) {
    let result = decode(bytes, &Limits::default()).map(|_| ());
    assert_eq!(result, expected);
}

fn message(bytes: &[u8]) -> String {
    match decode(bytes, &Limits::default()) {
        Ok(_) => "decoded".into(),
        Err(e) => e.to_string(),
    }
}

/// One table of Unit types and one Unit constant, then `arrows`, then a minimal header.
fn with_arrows(count: u64, entries: impl FnOnce(Bytes) -> Bytes, step: u64) -> Vec<u8> {
    let bytes = Bytes::prelude()
        .varint(1)
        .varint(0)
        .varint(1)
        .varint(0)
        .varint(count);
    entries(bytes).minimal_header(0, 0, step).0
}

#[test]
fn the_smallest_artifact_decodes() {
    let bytes = with_arrows(1, |b| b.varint(0), 0);
    let (artifact, debug) = decode(&bytes, &Limits::default()).expect("minimal artifact");
    assert_eq!(artifact.step, Arrow::Id);
    assert_eq!(artifact.state, Type::Unit);
    assert_eq!(debug, None);
}

#[test]
fn a_ten_thousand_deep_arrow_is_rejected_without_overflowing_the_stack() {
    let bytes = with_arrows(
        10_000,
        |mut b| {
            b = b.varint(0); // entry 0: id
            for i in 1..10_000u64 {
                b = b.varint(1).varint(1).varint(i - 1); // entry i: seq[entry i-1]
            }
            b
        },
        9_999,
    );
    check(
        &bytes,
        Err(DecodeError::TooDeep {
            table: TableName::Arrows,
            max: 256,
        }),
    );
    assert_eq!(
        message(&bytes),
        "an arrow nests deeper than the limit of 256"
    );
}

#[test]
fn exponentially_shared_types_are_refused_by_the_node_budget() {
    // Entry i is the pair (entry i-1, entry i-1): 61 entries stand for 2^61 nodes.
    let mut bytes = Bytes::prelude().varint(61).varint(0);
    for i in 1..61u64 {
        bytes = bytes.varint(4).varint(2).varint(i - 1).varint(i - 1);
    }
    let bytes = bytes
        .varint(1)
        .varint(0)
        .varint(1)
        .varint(0)
        .minimal_header(60, 0, 0);
    check(&bytes.0, Err(DecodeError::TooManyNodes { max: 1 << 20 }));
}

#[test]
fn a_reference_to_a_later_entry_is_rejected() {
    // arrows: [seq[entry 1], id]
    let bytes = with_arrows(2, |b| b.varint(1).varint(1).varint(1).varint(0), 0);
    check(
        &bytes,
        Err(DecodeError::ForwardReference {
            table: TableName::Arrows,
            entry: 0,
            target: 1,
        }),
    );
    assert_eq!(
        message(&bytes),
        "arrow entry 0 refers to arrow entry 1, which is not earlier"
    );
}

#[test]
fn a_self_reference_is_rejected() {
    let bytes = with_arrows(1, |b| b.varint(3).varint(1).varint(0), 0);
    check(
        &bytes,
        Err(DecodeError::ForwardReference {
            table: TableName::Arrows,
            entry: 0,
            target: 0,
        }),
    );
}

#[test]
fn an_out_of_range_header_reference_is_rejected() {
    let bytes = with_arrows(1, |b| b.varint(0), 7);
    assert_eq!(
        message(&bytes),
        "the step refers to arrow entry 7, but there are only 1"
    );
}

#[test]
fn an_injection_of_a_missing_type_is_rejected() {
    let bytes = with_arrows(1, |b| b.varint(5).varint(3).varint(0), 0);
    assert_eq!(
        message(&bytes),
        "arrow entry 0 refers to type entry 3, but there are only 1"
    );
}

#[test]
fn an_unknown_primitive_is_malformed() {
    let bytes = with_arrows(1, |b| b.varint(9).varint(999).varint(0), 0);
    assert!(matches!(
        decode(&bytes, &Limits::default()),
        Err(DecodeError::Malformed(_))
    ));
}

#[test]
fn a_map_constant_with_unsorted_keys_is_rejected() {
    // lits: [Int 2, Int 1, Unit, Map[(0, 2), (1, 2)]]
    let bytes = Bytes::prelude()
        .varint(1)
        .varint(0)
        .varint(4)
        .varint(2)
        .varint(4) // Int 2 (zigzag)
        .varint(2)
        .varint(2) // Int 1 (zigzag)
        .varint(0)
        .varint(7)
        .varint(2)
        .varint(0)
        .varint(2)
        .varint(1)
        .varint(2)
        .varint(1)
        .varint(0)
        .minimal_header(0, 3, 0);
    check(&bytes.0, Err(DecodeError::UnsortedMap));
}

#[test]
fn an_unused_table_entry_is_not_canonical() {
    // types: [Unit, Int], but nothing refers to Int.
    let bytes = Bytes::prelude()
        .varint(2)
        .varint(0)
        .varint(2)
        .varint(1)
        .varint(0)
        .varint(1)
        .varint(0)
        .minimal_header(0, 0, 0);
    check(&bytes.0, Err(DecodeError::NonCanonical));
}

#[test]
fn bad_magic_is_named() {
    let mut bytes = encode(&counter(), None);
    bytes[0] = b'X';
    assert_eq!(message(&bytes), "not a Quiver artifact (bad magic)");
    assert_eq!(message(b"\x7fELF"), "not a Quiver artifact (bad magic)");
}

#[test]
fn an_unknown_version_asks_to_recompile() {
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&7u16.to_le_bytes());
    assert_eq!(
        message(&bytes),
        "artifact format version 7 is not supported; this quiver reads version 1: recompile the source"
    );
}

#[test]
fn every_truncation_is_rejected() {
    for bytes in [
        encode(&counter(), None),
        encode(&counter(), Some(&counter_debug())),
    ] {
        for len in 0..bytes.len() {
            check(&bytes[..len], Err(DecodeError::Truncated));
        }
    }
}

#[test]
fn trailing_bytes_are_rejected() {
    let mut bytes = encode(&counter(), None);
    bytes.extend_from_slice(&[0, 0]);
    check(&bytes, Err(DecodeError::TrailingBytes(2)));
    assert_eq!(
        message(&bytes),
        "2 unexpected bytes after the end of the artifact"
    );
}

#[test]
fn every_single_byte_corruption_is_rejected_or_reencodes_exactly() {
    let debug = counter_debug();
    let original = encode(&counter(), Some(&debug));
    let body_len = encode(&counter(), None).len() - 1;
    for pos in 0..original.len() {
        for mask in [0x01u8, 0x02, 0x10, 0x40, 0x80, 0xff] {
            let mut bytes = original.clone();
            bytes[pos] ^= mask;
            if let Ok((artifact, sidecar)) = decode(&bytes, &Limits::default())
                && pos < body_len
            {
                assert_eq!(encode(&artifact, sidecar.as_ref()), bytes, "byte {pos}");
            }
        }
    }
}

#[test]
fn oversized_input_is_rejected_before_parsing() {
    let limits = Limits {
        artifact_bytes_max: 10,
        ..Limits::default()
    };
    let bytes = encode(&counter(), None);
    let result = decode(&bytes, &limits);
    assert_eq!(
        result,
        Err(DecodeError::TooLarge {
            len: bytes.len(),
            max: 10
        })
    );
}

#[test]
fn a_table_over_the_limit_is_rejected() {
    let limits = Limits {
        table_entries_max: 3,
        ..Limits::default()
    };
    let result = decode(&encode(&counter(), None), &limits).map(|_| ());
    assert_eq!(
        result,
        Err(DecodeError::TableTooLarge {
            table: TableName::Types,
            len: 5,
            max: 3
        })
    );
}

#[test]
fn too_many_definitions_are_rejected() {
    let mut artifact = counter();
    artifact.defs.push(Def {
        name: "f".into(),
        input: Type::Int,
        output: Type::Int,
        body: Arrow::Id,
    });
    let limits = Limits {
        defs_max: 0,
        ..Limits::default()
    };
    let result = decode(&encode(&artifact, None), &limits).map(|_| ());
    assert_eq!(result, Err(DecodeError::TooManyDefs { len: 1, max: 0 }));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_after_the_prelude_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut bytes = Bytes::prelude().0;
        bytes.extend_from_slice(&tail);
        let _ = decode(&bytes, &Limits::default());
    }

    #[test]
    fn corrupting_a_generated_artifact_never_panics(
        artifact in arb_artifact(),
        pos in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let mut bytes = encode(&artifact, None);
        let at = pos.index(bytes.len());
        bytes[at] = byte;
        if let Ok((decoded, None)) = decode(&bytes, &Limits::default()) {
            prop_assert_eq!(encode(&decoded, None), bytes);
        }
    }
}
