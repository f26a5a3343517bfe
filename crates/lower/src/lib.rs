//! Lowering: PSG → MIR (monomorphise, lambda-lift, build control flow).
//!
//! Entry point: [`lower`]. Constructs the PSG accepts but code generation does not
//! handle yet are reported as `FS9001` diagnostics, never as panics.

mod layout;
mod lower;
pub mod mir;
pub mod passes;
mod site_check;
mod verify;

use composer_diagnostics::{Diagnostic, SourceMap};
use composer_semantics::Psg;

/// Choices that change the generated program.
#[derive(Debug, Clone, Copy, Default)]
pub struct LowerOptions {
    /// Count allocations and print `alloc-stats: ...` at exit (`--alloc-stats`).
    pub alloc_stats: bool,
    /// Run the MIR verifier after lowering and after every pass even in a release
    /// build (debug builds always do).
    pub verify: bool,
}

/// Lowers a checked program. The program is only meaningful when no error
/// diagnostics are returned.
pub fn lower(psg: &Psg) -> (mir::Program, Vec<Diagnostic>) {
    lower_with(psg, &SourceMap::new(), LowerOptions::default())
}

/// [`lower`] with options. `sources` are the files the PSG was checked from: run-time
/// messages name sites by `file:line:col` (an arena's creation).
pub fn lower_with(
    psg: &Psg,
    sources: &SourceMap,
    options: LowerOptions,
) -> (mir::Program, Vec<Diagnostic>) {
    if let Some(too_large) = type_too_large(psg) {
        return (mir::Program::default(), vec![too_large]);
    }
    let mut l = lower::Lowerer::new(psg, sources, options);
    l.lower_program();
    let mut diags = std::mem::take(&mut l.diags);
    let value_case_sites = std::mem::take(&mut l.value_case_sites);
    let mut program = std::mem::take(&mut l.program);
    // A program with errors is not meaningful MIR; one with only warnings is.
    if !diags.iter().any(Diagnostic::is_error) {
        let verify = options.verify || cfg!(debug_assertions);
        if let Err(msg) = passes::run(&mut program, verify) {
            diags.push(Diagnostic::global(
                composer_diagnostics::Code::InternalError,
                format!("internal compiler error: MIR verifier: {msg}"),
            ));
        }
        if verify {
            let placements = &program.placements;
            if let Err(msg) =
                site_check::check_placements(psg, sources, placements, &value_case_sites)
            {
                diags.push(Diagnostic::global(
                    composer_diagnostics::Code::InternalError,
                    format!("internal compiler error: allocation sites: {msg}"),
                ));
            }
        }
    }
    composer_diagnostics::sort_diagnostics(&mut diags);
    (program, diags)
}

/// The most parts (nodes, written out as a tree) a type of the checked program may have.
/// The checker shares types, so a type can be exponentially large as a tree and still
/// cheap to check (`p >> p >> ... >> p` with `let p x = (x, x)`: 2^n leaves). Lowering
/// gives every type a fixed layout (a MIR type is a tree, and so is the MLIR struct it
/// becomes), so such a type cannot be compiled: it is reported here instead of making
/// lowering run out of time or memory. Real programs stay far below this.
pub const MAX_TYPE_TREE_SIZE: u64 = 10_000;

/// FS9004 at the outermost expression, first in the source, whose type is larger than
/// [`MAX_TYPE_TREE_SIZE`] written out (the whole chain, not one link of it). Linear in
/// the size of the types as graphs.
fn type_too_large(psg: &Psg) -> Option<Diagnostic> {
    let mut memo = rustc_hash::FxHashMap::default();
    let (index, size) = psg
        .expr_types
        .iter()
        .enumerate()
        .filter_map(|(i, ty)| {
            let size = composer_semantics::types::tree_size_memo(ty, &mut memo);
            (size > MAX_TYPE_TREE_SIZE).then_some((i, size))
        })
        .min_by_key(|&(i, _)| {
            let span = psg.exprs[i].span;
            (span.file, span.start, std::cmp::Reverse(span.end), i)
        })?;
    let written_out = if size == u64::MAX {
        "more than 2^64".to_string()
    } else {
        size.to_string()
    };
    Some(Diagnostic::error(
        composer_diagnostics::Code::TypeTooLarge,
        psg.exprs[index].span,
        format!(
            "The type of this expression is too large to compile: written out it has {written_out} parts (the limit is {MAX_TYPE_TREE_SIZE}). A type that doubles at each step, like that of 'p >> p >> ... >> p' with 'let p x = (x, x)', grows this way; every value needs a fixed layout, so keep such chains short."
        ),
    ))
}
