//! `memory_model = "stack_only"` (DESIGN §5): no implicit regions. Every value
//! must live on the stack, in static data, or in an explicit arena; anything the
//! program would allocate in an implicit region is FS8004.
//!
//! The check follows the code the program can run: its top-level code and, from
//! there, every function it mentions (called or used as a value), skipping the
//! blocks of arenas that are the current region (what they allocate goes into the
//! arena). An allocation site in the program is reported where it is; one in the
//! standard library is reported at the program's mention of the library function
//! through which it is reached, naming that function and what it allocates.

use crate::ledger::sites_at;
use crate::psg::{ExprId, ExprKind, FunctionId, Psg, TopItem};
use composer_diagnostics::{Code, Diagnostic, Span};
use rustc_hash::FxHashSet;

const WHY: &str = "memory_model = \"stack_only\" allows no implicit region: keep values on the stack (numbers, tuples, records), use static data, or allocate in an explicit arena (`use arena = Arena.create n`)";

/// The FS8004 errors of a `stack_only` program.
pub fn violations(psg: &Psg) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    // One error per site; desugaring can nest sites of one kind (a list literal's
    // cells), and only the outermost is reported.
    let mut reported: Vec<(Span, &'static str)> = Vec::new();
    // Work list: an expression to scan, and the program's mention of the library
    // function it was reached through (None while in the program's own code).
    let mut work: Vec<(ExprId, Option<(Span, FunctionId)>)> = Vec::new();
    let mut seen_fns: FxHashSet<FunctionId> = FxHashSet::default();
    for item in &psg.top_level[psg.library_top_level..] {
        match item {
            TopItem::Global { value, .. } | TopItem::Destructure { value, .. } => {
                work.push((*value, None))
            }
            TopItem::Do(e) => work.push((*e, None)),
        }
    }
    if let Some(entry) = psg.entry_point {
        seen_fns.insert(entry);
        work.push((psg.function(entry).body, None));
    }
    let is_library = |f: FunctionId| f.index() < psg.library_functions;
    while let Some((root, via)) = work.pop() {
        let mut stack = vec![root];
        while let Some(e) = stack.pop() {
            if psg.arena_scopes.contains_key(&e) {
                continue;
            }
            for (what, on_stack) in sites_at(psg, e) {
                if on_stack {
                    continue;
                }
                let (span, message) = match via {
                    None => (
                        psg.expr(e).span,
                        format!("This {what} needs an implicit region. {WHY}."),
                    ),
                    Some((span, f)) => (
                        span,
                        format!(
                            "The library function '{}' allocates ({what}) in an implicit region. {WHY}.",
                            psg.function(f).name
                        ),
                    ),
                };
                let inside_reported = reported.iter().any(|(r, w)| {
                    *w == what && r.file == span.file && r.start <= span.start && span.end <= r.end
                });
                if !inside_reported {
                    reported.push((span, what));
                    diags.push(Diagnostic::error(Code::StackOnlyAllocation, span, message));
                }
            }
            if let ExprKind::Function(f) = psg.expr(e).kind {
                if seen_fns.insert(f) {
                    let via = via.or_else(|| is_library(f).then(|| (psg.expr(e).span, f)));
                    work.push((psg.function(f).body, via));
                }
            }
            psg.children(e, &mut stack);
        }
    }
    diags
}
