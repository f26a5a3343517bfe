//! CCS — Clef semantic analysis: name resolution, type inference, and the Program
//! Semantic Graph (PSG) they produce.
//!
//! Entry point: [`check_program`]. Pure: text in, graph and diagnostics out.

pub mod bounds;
pub mod builtins;
mod check;
pub mod exhaustive;
pub mod flow;
pub mod format;
pub mod ledger;
pub mod psg;
pub mod regions;
pub mod stack_only;
pub mod types;

#[cfg(test)]
mod test_support;

pub use check::{check_program, check_program_for, check_program_with_prelude};
pub use composer_target::Target;
pub use psg::Psg;
