//! The allocation ledger (`--emit ledger`): every place in the program that
//! allocates at run time, where the value goes, and why (DESIGN §5, "transparency").
//!
//! Closure environments go on the stack when the closure cannot outlive its frame
//! (`analysis/closures.rs`). Everything else goes to the current region: inside
//! a loop with an iteration region (`analysis/regions.rs`) that is the loop's; in a function,
//! whatever region is current at the call; in top-level code outside such loops,
//! the root region.
//!
//! This module places and explains the sites; which sites allocate, and what, is
//! `analysis/alloc.rs`.

use crate::analysis::alloc::{sites_at, ARENA_ALLOCATION, CLOSURE_ENV, VALUE_CALL_WHAT};
use crate::psg::{ExprId, ExprKind, Psg};
use composer_diagnostics::Span;

/// The sites the program can reach (the driver's prediction line).
pub use crate::analysis::alloc::{reachable_sites, Reached};

/// Where an allocation's memory comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    RootRegion,
    /// The iteration region of the innermost enclosing loop that has one.
    IterationRegion,
    /// The region current when the function was called.
    CallerRegion,
    /// The block of an arena's `use` whose implicit allocations go into the arena.
    Arena,
    /// A slot of the frame that makes the value.
    Stack,
}

impl Place {
    pub fn name(self) -> &'static str {
        match self {
            Place::RootRegion => "root region",
            Place::IterationRegion => "iteration region",
            Place::CallerRegion => "caller's region",
            Place::Arena => "arena",
            Place::Stack => "stack",
        }
    }

    fn reason(self) -> &'static str {
        match self {
            Place::RootRegion => ROOT_REASON,
            Place::IterationRegion => ITERATION_REASON,
            Place::CallerRegion => CALLER_REASON,
            Place::Arena => ARENA_REASON,
            Place::Stack => STACK_CLOSURE,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AllocationSite {
    pub span: Span,
    /// What is allocated ("string concatenation", "array").
    pub what: &'static str,
    pub place: Place,
    pub reason: &'static str,
}

const ROOT_REASON: &str =
    "top-level code outside any loop with an iteration region: lives until the program exits";
const ITERATION_REASON: &str =
    "loop-local: the loop releases what each iteration allocates when the next one starts";
const ARENA_REASON: &str = "inside an arena's use block, which is the current region while it runs";
const CALLER_REASON: &str = "returned into the caller: the region current at the call (a calling loop's iteration region, else the root)";
const VALUE_CALL: &str = "a function value takes its arguments one at a time, and each step before the last returns a new closure";
const STACK_CLOSURE: &str =
    "the closure cannot outlive its frame: it is called, or passed only to functions that do not keep it";
const ESCAPING_CLOSURE: &str =
    "the closure may outlive its frame (returned, stored, or passed where it may be kept)";

/// All allocation sites, in source order.
pub fn allocation_sites(psg: &Psg) -> Vec<AllocationSite> {
    let places = implicit_places(psg);
    let place_of = |id: ExprId| places[id.index()];
    let mut sites = Vec::new();
    for i in 0..psg.exprs.len() {
        let id = ExprId(i as u32);
        for (what, on_stack) in sites_at(psg, id) {
            let (place, reason) = if on_stack {
                (Place::Stack, STACK_CLOSURE)
            } else if what == ARENA_ALLOCATION {
                (Place::Arena, "explicit: Arena.alloc or Arena.allocArray")
            } else if what == CLOSURE_ENV {
                (place_of(id), ESCAPING_CLOSURE)
            } else if what == VALUE_CALL_WHAT {
                (place_of(id), VALUE_CALL)
            } else {
                (place_of(id), place_of(id).reason())
            };
            sites.push(AllocationSite {
                span: psg.expr(id).span,
                what,
                place,
                reason,
            });
        }
    }
    sites.sort_by_key(|s| (s.span.file, s.span.start, s.span.end));
    // Desugaring can give several expressions one span (a list literal's cells).
    sites.dedup_by(|a, b| a.span == b.span && a.what == b.what);
    sites
}

/// The region each expression's implicit allocations go to.
fn implicit_places(psg: &Psg) -> Vec<Place> {
    let mut places = vec![Place::RootRegion; psg.exprs.len()];
    let mut stack = Vec::new();
    let mut mark = |root: ExprId, place: Place, places: &mut Vec<Place>| {
        stack.push(root);
        while let Some(e) = stack.pop() {
            places[e.index()] = place;
            psg.children(e, &mut stack);
        }
    };
    for f in &psg.functions {
        mark(f.body, Place::CallerRegion, &mut places);
    }
    for f in &psg.tail_regions {
        mark(psg.function(*f).body, Place::IterationRegion, &mut places);
    }
    // Outer scopes before inner ones, so the innermost decides.
    let mut scopes: Vec<ExprId> = psg
        .loop_regions
        .iter()
        .chain(psg.arena_scopes.keys())
        .copied()
        .collect();
    scopes.sort_by_key(|l| std::cmp::Reverse(subtree_size(psg, *l)));
    for l in scopes {
        if psg.arena_scopes.contains_key(&l) {
            mark(l, Place::Arena, &mut places);
            continue;
        }
        // The source of `for … in` and the bounds of `for` are evaluated before
        // the region is marked.
        match &psg.expr(l).kind {
            ExprKind::While { cond, body } => {
                mark(*cond, Place::IterationRegion, &mut places);
                mark(*body, Place::IterationRegion, &mut places);
            }
            ExprKind::For { body, .. } | ExprKind::ForEach { body, .. } => {
                mark(*body, Place::IterationRegion, &mut places)
            }
            _ => {}
        }
    }
    places
}

fn subtree_size(psg: &Psg, root: ExprId) -> usize {
    let mut stack = vec![root];
    let mut n = 0;
    while let Some(e) = stack.pop() {
        n += 1;
        psg.children(e, &mut stack);
    }
    n
}
