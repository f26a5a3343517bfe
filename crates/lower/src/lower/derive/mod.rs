//! Derived functions: code the compiler writes for a type rather than translating it
//! from the source. Structural equality, comparison and hashing (`structural.rs`) and
//! `%A` text (`structured_format.rs`) live here, and the layout descriptions that
//! compaction copies carried state by (`carried.rs`); so will codecs.
//!
//! A derived function is generated once per concrete type, on demand: the first use
//! asks for it (`structural_fn`, `format_fn`), which queues a [`Derived`] on the
//! lowering work queue under a placeholder `FuncId`; the queue later builds its body
//! (`lower_derived`). Recursive types therefore derive recursive functions.

mod carried;
mod enum_format;
mod structural;
mod structured_format;

use super::{Lowerer, PTy};
use crate::mir;

pub(super) use carried::{describe as describe_carried, Carried};
pub(super) use structural::Structural;

/// A derived function still to be built (a variant of the lowering work queue).
#[derive(Debug, Clone)]
pub(super) enum Derived {
    /// Equality, comparison or hashing of values of a MIR type.
    Structural(Structural, mir::Ty),
    /// `%A` text of values of a PSG type; `nested` values are union case arguments.
    Format(PTy, bool),
}

impl Lowerer<'_> {
    /// Builds the body of a queued derived function.
    pub(super) fn lower_derived(&mut self, derived: Derived) -> mir::Function {
        match derived {
            Derived::Structural(kind, ty) => self.lower_structural(kind, &ty),
            Derived::Format(ty, nested) => self.lower_format_fn(&ty, nested),
        }
    }
}
