//! (Stub: being written.) Lowering typed IR to arrow combinators.
