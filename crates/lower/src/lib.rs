//! Lowering: PSG → MIR (monomorphise, lambda-lift, build control flow).
//!
//! Entry point: [`lower`]. Constructs the PSG accepts but code generation does not
//! handle yet are reported as `FS9001` diagnostics, never as panics.

mod lower;
pub mod mir;
mod verify;

use composer_diagnostics::Diagnostic;
use composer_semantics::Psg;

/// Choices that change the generated program.
#[derive(Debug, Clone, Copy, Default)]
pub struct LowerOptions {
    /// Count allocations and print `alloc-stats: ...` at exit (`--alloc-stats`).
    pub alloc_stats: bool,
}

/// Lowers a checked program. The program is only meaningful when no error
/// diagnostics are returned.
pub fn lower(psg: &Psg) -> (mir::Program, Vec<Diagnostic>) {
    lower_with(psg, LowerOptions::default())
}

/// [`lower`] with options.
pub fn lower_with(psg: &Psg, options: LowerOptions) -> (mir::Program, Vec<Diagnostic>) {
    let mut l = lower::Lowerer::new(psg, options);
    l.lower_program();
    let mut diags = std::mem::take(&mut l.diags);
    if cfg!(debug_assertions) && diags.is_empty() {
        if let Err(msg) = verify::verify(&l.program) {
            diags.push(Diagnostic::global(
                composer_diagnostics::Code::InternalError,
                format!("internal compiler error: MIR verifier: {msg}"),
            ));
        }
    }
    composer_diagnostics::sort_diagnostics(&mut diags);
    (l.program, diags)
}
