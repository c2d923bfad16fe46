//! (Stub: being written.) The driver: the stages run in order, for the cli.
