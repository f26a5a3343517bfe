//! Runs the unit tests of the runtime's pure modules (number formatting, F#
//! printf semantics, parsing) as part of `cargo test --workspace`: the files
//! in `runtime/src/pure/` are compiled here as an ordinary module.

#[allow(dead_code)]
#[path = "../../../runtime/src/pure/mod.rs"]
mod pure;
