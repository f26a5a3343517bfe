//! The pure half of the runtime: number formatting, F# `printf` semantics,
//! number parsing, the index arithmetic of the async executor's ready queue
//! (`ring`) and timer heap (`timer_heap`), the IPv4 host names of the socket
//! functions (`ipv4`) and the texts of error numbers (`errno`), written against
//! `core` only and free of `unsafe`.
//!
//! Architecture invariant: nothing in this module tree performs I/O, allocates,
//! or uses `unsafe`; everything writes into a [`sink::Sink`]. That lets the same
//! files compile into the `no_std` staticlib and into ordinary host tests (the
//! runtime's own `cargo test` and the workspace test in `crates/runtime/tests`,
//! which includes this directory with `#[path]`). Modules refer to each other
//! through `super::`, never `crate::`, so that the `#[path]` inclusion works.

pub mod carried;
pub mod errno;
pub mod float_fmt;
pub mod hash;
pub mod int_fmt;
pub mod ipv4;
pub mod parse;
pub mod printf;
pub mod ring;
pub mod sink;
pub mod text;
pub mod timer_heap;
