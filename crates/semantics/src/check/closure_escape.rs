//! FS8003 for closures over a `let mutable`: a closure may use a `let mutable` of
//! an enclosing function by address only while it cannot outlive a frame. Which
//! closures may is decided by the analysis (`analysis/closures.rs`, one value-flow
//! run per frame); this check turns the escapes of captured variables into errors
//! that name the path.

use crate::analysis::flow::Origin;
use crate::analysis::Analysis;
use crate::psg::{BindingId, FunctionId};
use composer_diagnostics::{Code, Diagnostic, Span};
use std::collections::BTreeMap;

/// FS8003, once per variable, at its first use in a closure.
pub(crate) fn mutable_capture_errors(
    analysis: &Analysis,
    mutable_captures: &[(BindingId, FunctionId, Span)],
) -> Vec<Diagnostic> {
    let psg = analysis.psg;
    let escapes = &analysis.closures().escapes;
    let mut diags = Vec::new();
    let mut first_use: BTreeMap<BindingId, Span> = BTreeMap::new();
    for (b, _, span) in mutable_captures {
        let entry = first_use.entry(*b).or_insert(*span);
        if (span.file, span.start) < (entry.file, entry.start) {
            *entry = *span;
        }
    }
    for (b, span) in first_use {
        if let Some(e) = escapes.get(&Origin::Mutable(b)) {
            let name = &psg.binding(b).name;
            diags.push(Diagnostic::error(
                Code::RegionEscape,
                span,
                format!(
                    "The mutable variable '{name}' is captured by a closure that may outlive it: {}. Use a 'ref' cell instead.",
                    e.path
                ),
            ));
        }
    }
    diags
}
