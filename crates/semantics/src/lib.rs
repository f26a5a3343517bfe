//! CCS — Clef semantic analysis: name resolution, type inference, and the Program
//! Semantic Graph (PSG) they produce.
//!
//! Entry point: [`check_program`]. Pure: text in, graph and diagnostics out.

pub mod analysis;
pub mod bounds;
pub mod boxing;
pub mod builtins;
mod check;
pub mod exhaustive;
pub mod format;
pub mod psg;
pub mod types;

#[cfg(test)]
mod test_support;

pub use check::{check_program, check_program_for, check_program_with_prelude};
pub use composer_target::Target;

/// Where values that outlive their frame may go (DESIGN §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MemoryModel {
    /// Implicit regions per scope, inferred (`analysis/regions.rs`).
    #[default]
    Region,
    /// No implicit region: the stack, static data and explicit arenas only
    /// (`analysis/stack_only.rs`, FS8004).
    StackOnly,
}

/// What a program is checked for: the checker's only inputs besides the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CheckOptions {
    pub target: Target,
    pub memory_model: MemoryModel,
}
pub use psg::Psg;
