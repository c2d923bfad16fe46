//! The wire protocol's frames: round trips, limits, unknown versions and messages, and a
//! property that no bytes make the decoder panic or overread.
#![cfg(feature = "node")]

use proptest::prelude::*;
use quiver_vm::hash::Hash;
use quiver_vm::node::protocol::{
    Decoded, FRAME_BYTES_MAX, FrameError, PROTOCOL_VERSION, Request, Response, decode, encode,
    split,
};
use quiver_vm::node::report::Outcome;

fn check(bytes: &[u8], expected: Result<Option<(Decoded<Request>, usize)>, FrameError>) {
    assert_eq!(split::<Request>(bytes, 64), expected);
}

fn frame_with(version: u16, id: u64, body: &[u8]) -> Vec<u8> {
    let len = u32::try_from(10 + body.len()).expect("small test frames");
    let mut frame = len.to_le_bytes().to_vec();
    frame.extend_from_slice(&version.to_le_bytes());
    frame.extend_from_slice(&id.to_le_bytes());
    frame.extend_from_slice(body);
    frame
}

#[test]
fn a_request_frame_round_trips_with_its_id() {
    let request = Request::Push {
        instance: "c".into(),
        artifact: vec![1, 2, 3],
        expect: Some(Hash([7; 32])),
    };
    let frame = encode(42, &request);
    assert_eq!(
        split::<Request>(&frame, FRAME_BYTES_MAX),
        Ok(Some(((42, request), frame.len())))
    );
}

#[test]
fn a_partial_frame_asks_for_more_bytes() {
    let frame = encode(1, &Request::Inspect { instance: None });
    check(&frame[..frame.len() - 1], Ok(None));
    check(&frame[..2], Ok(None));
}

#[test]
fn an_oversized_length_is_refused_before_the_body_arrives() {
    check(
        &1000u32.to_le_bytes(),
        Err(FrameError::TooLarge { len: 1000, max: 64 }),
    );
}

#[test]
fn a_frame_shorter_than_its_header_is_refused() {
    check(&[3, 0, 0, 0, 1, 0, 0], Err(FrameError::TooShort(3)));
}

#[test]
fn another_protocol_version_is_refused_with_the_request_id() {
    let frame = frame_with(PROTOCOL_VERSION + 1, 9, &[]);
    check(
        &frame,
        Err(FrameError::UnsupportedVersion { version: 2, id: 9 }),
    );
}

#[test]
fn an_unknown_request_kind_is_malformed_but_keeps_its_id_and_the_stream() {
    let frame = frame_with(PROTOCOL_VERSION, 5, &[99]);
    let Err(error) = split::<Request>(&frame, 64) else {
        panic!("an unknown variant must not decode");
    };
    assert_eq!((error.id(), error.stream_survives()), (5, true));
}

#[test]
fn trailing_bytes_after_a_message_are_malformed() {
    let mut frame = encode(
        3,
        &Request::Rollback {
            instance: "c".into(),
        },
    );
    frame.push(0);
    frame[0] += 1;
    let Err(FrameError::Malformed { id: 3, message }) = split::<Request>(&frame, 64) else {
        panic!("trailing bytes must be refused");
    };
    assert_eq!(message, "1 bytes after the message");
}

#[test]
fn responses_round_trip_too() {
    let response = Response::Outputs(vec![
        Outcome::Output("Ok".into()),
        Outcome::Rejected("no".into()),
    ]);
    let frame = encode(8, &response);
    assert_eq!(decode::<Response>(&frame[4..]), Ok((8, response)));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic_or_overread(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(Some((_, used))) = split::<Request>(&bytes, 128) {
            prop_assert!(used <= bytes.len());
        }
        let _ = split::<Response>(&bytes, 128);
    }

    #[test]
    fn send_requests_round_trip(id in any::<u64>(), instance in ".{0,20}", inputs in proptest::collection::vec(".{0,30}", 0..10)) {
        let request = Request::Send { instance, inputs };
        let frame = encode(id, &request);
        prop_assert_eq!(split::<Request>(&frame, FRAME_BYTES_MAX), Ok(Some(((id, request), frame.len()))));
    }

    #[test]
    fn a_frame_cut_anywhere_is_incomplete_not_wrong(cut in 0usize..60) {
        let frame = encode(77, &Request::Send { instance: "counter".into(), inputs: vec!["Incr(1)".into(); 4] });
        let cut = cut.min(frame.len() - 1);
        prop_assert_eq!(split::<Request>(&frame[..cut], FRAME_BYTES_MAX), Ok(None));
    }
}
