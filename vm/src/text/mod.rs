//! Values as text: the one form the CLI, the REPL and node clients read and print (section 9
//! of `spec/language.md`).
//!
//! Both directions are directed by a [`Type`]: values carry no types, so the type says whether
//! a `Tuple` is a record or a tuple, which enum a `Variant` belongs to, and what a constructor
//! name means. [`print`] is canonical (`parse(print(v, t), t) == v` for every value `v` of type
//! `t`); [`parse`] is a hand-written recursive descent with a depth limit, and also accepts
//! qualified constructors, record fields in any order, trailing commas and any whitespace.
//!
//! This module does not check that a printed value actually has the given type: a value that
//! does not fit is printed in a type-free fallback form rather than rejected.

use std::fmt;

mod parse;
mod print;

pub use parse::parse;
pub use print::print;

/// Why text is not a value of the expected type, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextError {
    pub message: String,
    /// Byte offset into the text where the problem starts.
    pub offset: usize,
}

/// `expected Int, found "x" at column 6` (the column counts bytes from 1).
impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at column {}", self.message, self.offset + 1)
    }
}

impl std::error::Error for TextError {}
