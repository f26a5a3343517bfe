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

use super::alloc::{reachable_sites, ARENA_ALLOCATION};
use crate::psg::Psg;
use composer_diagnostics::{Code, Diagnostic, Span};

const WHY: &str = "memory_model = \"stack_only\" allows no implicit region: keep values on the stack (numbers, tuples, records), use static data, or allocate in an explicit arena (`use arena = Arena.create n`)";

/// The FS8004 errors of a `stack_only` program.
pub fn violations(psg: &Psg) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    // One error per site; desugaring can nest sites of one kind (a list literal's
    // cells), and only the outermost is reported.
    let mut reported: Vec<(Span, &'static str)> = Vec::new();
    for site in reachable_sites(psg, true) {
        if site.what == ARENA_ALLOCATION {
            continue;
        }
        let what = site.what;
        let (span, message) = match site.via {
            None => (
                psg.expr(site.expr).span,
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
    diags
}
