//! The checked-in binary fixture: artifacts written by format version 1 still load, and the
//! encoder still writes exactly those bytes. A change to the format bumps `FORMAT_VERSION`
//! and adds a new fixture (regenerate with `QUIVER_BLESS=1 cargo test -p quiver-vm --test
//! format_fixture`); old fixtures then assert the version error instead.

mod format_support;

use format_support::{counter, counter_debug};
use quiver_vm::bytecode::decode::decode;
use quiver_vm::bytecode::encode::encode;
use quiver_vm::hash::hash;
use quiver_vm::limits::Limits;

const FIXTURE: &str = "tests/format_fixtures/counter.v1.smb";

fn fixture() -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
    if std::env::var_os("QUIVER_BLESS").is_some() {
        std::fs::write(&path, encode(&counter(), Some(&counter_debug()))).expect("write fixture");
    }
    std::fs::read(&path).expect("the fixture is checked in")
}

#[test]
fn the_version_1_fixture_decodes_to_the_counter() {
    let decoded = decode(&fixture(), &Limits::default());
    assert_eq!(decoded, Ok((counter(), Some(counter_debug()))));
}

#[test]
fn the_encoder_still_writes_the_version_1_fixture() {
    assert_eq!(encode(&counter(), Some(&counter_debug())), fixture());
}

#[test]
fn the_counter_hash_is_stable() {
    assert_eq!(
        hash(&counter()).to_string(),
        "12ac3e4f4e808ba140af83be651dc76e20be4341d267afc88fd16829d3dc9f5c"
    );
}
