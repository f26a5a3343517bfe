//! Placement records: for every allocation lowering emits, the source site, what is
//! allocated, the place it goes and why (`mir::Program::placements`, read by the
//! driver's ledger, DESIGN §5 "transparency").
//!
//! The place comes from lowering's own context, kept on the [`Builder`]: the region
//! current where the allocating code runs (`clef_main` starts in the root region, a
//! function body in its caller's; a loop that takes a mark, a tail-recursive function
//! with an iteration region and an arena's `ArenaEnter` … `ArenaLeave` push theirs),
//! or the frame for a closure environment in a stack slot. Closure stubs and derived
//! functions have no source site: what a stub allocates is recorded where the
//! function value is made (a partial application's environment) or called with
//! several arguments (each step before the last returns a closure).

use super::{Builder, Lowerer};
use crate::mir::{Place, Placement};
use composer_diagnostics::Span;

/// What is allocated, in the ledger's words: the semantic analysis's vocabulary.
pub(super) use composer_semantics::analysis::alloc::{
    ARENA_ALLOCATION, ARRAY_LITERAL, CLOSURE_ENV as CLOSURE_ENVIRONMENT, CLOSURE_STEP,
    INTERPOLATED_STRING, LIST_CELL, MUTABLE_RECORD, SPRINTF_RESULT, STRING_CONCATENATION,
    UNION_CELL, VALUE_CALL_WHAT as VALUE_CALL,
};

const ROOT_REASON: &str =
    "top-level code outside any loop with an iteration region: lives until the program exits";
const ITERATION_REASON: &str =
    "loop-local: the loop releases what each iteration allocates when the next one starts";
const COMPACTED_REASON: &str = "inside a loop that compacts: what the iteration keeps in its carried state is copied at the end of the round once the loop's memory has grown, the rest freed";
const ARENA_REASON: &str = "inside an arena's use block, which is the current region while it runs";
const CALLER_REASON: &str = "returned into the caller: the region current at the call (a calling loop's iteration region, else the root)";
const EXPLICIT_ARENA_REASON: &str = "explicit: Arena.alloc or Arena.allocArray";
const CLOSURE_STEP_REASON: &str = "a call that gives it one argument of several returns a new closure, in the region current at that call";
const VALUE_CALL_REASON: &str = "a function value takes its arguments one at a time, and each step before the last returns a new closure";
const STACK_CLOSURE_REASON: &str =
    "the closure cannot outlive its frame: it is called, or passed only to functions that do not keep it";
const ESCAPING_CLOSURE_REASON: &str =
    "the closure may outlive its frame (returned, stored, or passed where it may be kept)";

/// Why an implicit allocation goes to the current region `place`.
fn region_reason(place: Place) -> &'static str {
    match place {
        Place::RootRegion => ROOT_REASON,
        Place::IterationRegion => ITERATION_REASON,
        Place::CompactedRegion => COMPACTED_REASON,
        Place::CallerRegion => CALLER_REASON,
        Place::Arena => ARENA_REASON,
        Place::Stack => STACK_CLOSURE_REASON,
    }
}

impl Lowerer<'_> {
    /// Records an allocation of `what` at `span` into the builder's current region.
    pub(super) fn placed(&mut self, b: &Builder, span: Span, what: &'static str) {
        let place = b.current_place();
        let reason = match what {
            ARENA_ALLOCATION => EXPLICIT_ARENA_REASON,
            VALUE_CALL => VALUE_CALL_REASON,
            CLOSURE_STEP => CLOSURE_STEP_REASON,
            CLOSURE_ENVIRONMENT => ESCAPING_CLOSURE_REASON,
            _ => region_reason(place),
        };
        self.record(b, span, what, place, reason);
    }

    /// Records a closure environment lowering put in a slot of the frame.
    pub(super) fn placed_on_stack(&mut self, b: &Builder, span: Span) {
        self.record(
            b,
            span,
            CLOSURE_ENVIRONMENT,
            Place::Stack,
            STACK_CLOSURE_REASON,
        );
    }

    fn record(
        &mut self,
        b: &Builder,
        span: Span,
        what: &'static str,
        place: Place,
        reason: &'static str,
    ) {
        if b.has_source_sites {
            self.program.placements.push(Placement {
                span,
                what,
                place,
                reason,
            });
        }
    }
}

/// Sorts the records by source position and keeps one per site, kind and place: a
/// generic function lowered once per instance records its sites each time, and
/// desugaring can give several expressions one span (a list literal's cells); two
/// expressions of one span placed differently both stay.
pub(super) fn finish_placements(placements: &mut Vec<Placement>) {
    placements.sort_by_key(|p| (p.span.file, p.span.start, p.span.end));
    let mut seen = rustc_hash::FxHashSet::default();
    placements.retain(|p| seen.insert((p.span, p.what, p.place)));
}

impl Builder {
    /// The region (or arena) allocations made here go to.
    pub(super) fn current_place(&self) -> Place {
        *self.places.last().expect("a builder always has a place")
    }

    /// Allocations from here on go to `place` until [`Builder::leave_place`].
    pub(super) fn enter_place(&mut self, place: Place) {
        self.places.push(place);
    }

    pub(super) fn leave_place(&mut self) {
        self.places.pop();
        debug_assert!(!self.places.is_empty(), "left the function's own place");
    }
}
