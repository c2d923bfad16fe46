//! What Quiver's fuzz targets check, as plain functions of the fuzzer's bytes.
//!
//! Each target in `fuzz/fuzz_targets/` is one line calling one of these; keeping the logic
//! here lets the seed generator and unit tests share it without linking libFuzzer. A check
//! returns quietly when the input is rejected cleanly and panics (a crash to libFuzzer) when
//! a promise is broken. `fuzz/README.md` lists the targets and how to run them.

pub mod examples;
pub mod frame;
pub mod generate;
pub mod mutate;
pub mod program;
pub mod source;
pub mod text;
pub mod tokens;
