//! The wire frame decoder on any bytes: `split` and `decode` never panic, never claim more
//! bytes than they were given, and every message they decode encodes back to itself.
//!
//! The input is read three ways: as a stream of request frames (what a node reads), as a
//! stream of response frames (what a client reads), and as the contents of one frame.

use quiver_vm::node::protocol::{FRAME_BYTES_MAX, Request, Response, decode, encode, split};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Debug;

/// The `frame` target.
pub fn check_frames(data: &[u8]) {
    split_all::<Request>(data);
    split_all::<Response>(data);
    if let Ok((id, request)) = decode::<Request>(data) {
        assert_round_trip(id, &request);
    }
    if let Ok((id, response)) = decode::<Response>(data) {
        assert_round_trip(id, &response);
    }
}

/// Splits frames off `data` until it runs out, skipping a malformed frame when the stream
/// survives it (as the transport does).
fn split_all<T: Serialize + DeserializeOwned + PartialEq + Debug>(data: &[u8]) {
    let mut rest = data;
    loop {
        match split::<T>(rest, FRAME_BYTES_MAX) {
            Ok(Some(((id, message), used))) => {
                assert!(
                    used > 0 && used <= rest.len(),
                    "used {used} of {}",
                    rest.len()
                );
                assert_round_trip(id, &message);
                rest = &rest[used..];
            }
            Ok(None) => return,
            Err(e) if e.stream_survives() => {
                let Some(next) = skip_frame(rest) else {
                    return;
                };
                rest = next;
            }
            Err(_) => return,
        }
    }
}

/// `buf` after its first frame, by its length prefix.
fn skip_frame(buf: &[u8]) -> Option<&[u8]> {
    let (prefix, rest) = buf.split_first_chunk::<4>()?;
    let len = usize::try_from(u32::from_le_bytes(*prefix)).ok()?;
    rest.get(len..)
}

fn assert_round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(id: u64, message: &T) {
    let frame = encode(id, message);
    match split::<T>(&frame, usize::MAX) {
        Ok(Some(((again_id, again), used))) => {
            assert_eq!(
                (again_id, &again, used),
                (id, message, frame.len()),
                "encode -> split"
            );
        }
        other => panic!("an encoded frame does not split back: {other:?}"),
    }
}
