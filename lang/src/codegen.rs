//! (Stub: being written.) Assembling the artifact and its debug sidecar.
