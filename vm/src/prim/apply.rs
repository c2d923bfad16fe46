//! What each primitive computes. (Stub: being written.)
