//! The real `keten` binary driven from its command line, in one test binary (see crates/web/tests/http/main.rs).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod backup;
mod cli;
mod hsds;
mod import;
