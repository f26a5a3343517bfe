//! The allocation ledger (`--emit ledger`): every place in the program that
//! allocates at run time, where the value goes, and why (DESIGN §5, "transparency").
//!
//! Closure environments go on the stack when the closure cannot outlive its frame
//! (`check/closure_escape.rs`). Everything else goes to the current region: inside
//! a loop with an iteration region (`regions.rs`) that is the loop's; in a function,
//! whatever region is current at the call; in top-level code outside such loops,
//! the root region.

use crate::boxing::Boxing;
use crate::builtins::Builtin;
use crate::psg::{BinaryOp, ExprId, ExprKind, FormatKind, Psg};
use crate::types::{Prim, Ty};
use composer_diagnostics::Span;

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

/// An allocation site the program can reach.
pub struct Reached {
    pub expr: ExprId,
    pub what: &'static str,
    /// The program's mention of the library function it is reached through
    /// (`None`: the site is in the program's own code).
    pub via: Option<(Span, crate::psg::FunctionId)>,
}

/// The region (and arena) allocation sites the program can run: its top-level
/// code and, from there, every function it mentions (called or used as a value).
/// With `skip_arena_blocks`, the blocks of arenas that are the current region are
/// not entered (what they allocate goes into the arena).
pub fn reachable_sites(psg: &Psg, skip_arena_blocks: bool) -> Vec<Reached> {
    use crate::psg::{FunctionId, TopItem};
    let mut out = Vec::new();
    // Each body is scanned once per kind of use: `no_strings` when every use of its
    // type variables is known not to be `string` (so a generic `+` does not
    // concatenate), from the instantiated type of the mention that reached it.
    type Via = Option<(Span, FunctionId)>;
    let mut work: Vec<(ExprId, Via, bool)> = Vec::new();
    let mut seen_fns = rustc_hash::FxHashSet::default();
    for item in &psg.top_level[psg.library_top_level..] {
        match item {
            TopItem::Global { value, .. } | TopItem::Destructure { value, .. } => {
                work.push((*value, None, false))
            }
            TopItem::Do(e) => work.push((*e, None, false)),
        }
    }
    if let Some(entry) = psg.entry_point {
        seen_fns.insert((entry, false));
        work.push((psg.function(entry).body, None, false));
    }
    while let Some((root, via, no_strings)) = work.pop() {
        let mut stack = vec![root];
        while let Some(e) = stack.pop() {
            if skip_arena_blocks && psg.arena_scopes.contains_key(&e) {
                continue;
            }
            for (what, on_stack) in sites_at(psg, e) {
                let skipped = on_stack || (no_strings && what == GENERIC_ADD);
                if !skipped {
                    out.push(Reached { expr: e, what, via });
                }
            }
            if let ExprKind::Function(f) = psg.expr(e).kind {
                let ty = psg.ty(e);
                let flag = if mentions_string(ty) {
                    false
                } else if has_vars(ty) {
                    no_strings
                } else {
                    true
                };
                if seen_fns.insert((f, flag)) {
                    let library = f.index() < psg.library_functions;
                    let via = via.or_else(|| library.then(|| (psg.expr(e).span, f)));
                    work.push((psg.function(f).body, via, flag));
                }
            }
            psg.children(e, &mut stack);
        }
    }
    out
}

fn mentions_string(ty: &Ty) -> bool {
    ty.any_node(&mut |t| *t == Ty::STRING)
}

fn has_vars(ty: &Ty) -> bool {
    ty.any_node(&mut |t| matches!(t, Ty::Var(_)))
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

const CLOSURE_ENV: &str = "closure environment";
const GENERIC_ADD: &str = "generic addition (string concatenation when used at string)";
/// `Arena.alloc`, `Arena.allocArray`: explicit allocations in an arena.
pub const ARENA_ALLOCATION: &str = "arena allocation";
const VALUE_CALL_WHAT: &str = "closure for a function value's next argument";

/// What evaluating `id` allocates, each with whether it goes on the stack (only
/// closure environments can).
pub fn sites_at(psg: &Psg, id: ExprId) -> Vec<(&'static str, bool)> {
    let mut out = Vec::new();
    let what = match &psg.expr(id).kind {
        ExprKind::Binary {
            op: BinaryOp::Add, ..
        } if *psg.ty(id) == Ty::STRING => Some("string concatenation"),
        // Generic code is checked once for every type it is used at: `x + x` on a
        // type variable concatenates when it is used at `string`.
        ExprKind::Binary {
            op: BinaryOp::Add, ..
        } if matches!(psg.ty(id), Ty::Var(_)) => Some(GENERIC_ADD),
        ExprKind::Interpolated(_) => Some("interpolated string"),
        ExprKind::App { func, arg } => match &psg.expr(*func).kind {
            // `string` of a string gives the string itself.
            ExprKind::Builtin(Builtin::ToString) if *psg.ty(*arg) == Ty::Prim(Prim::String) => None,
            // One argument: `Array.create` needs two; `ref` is a data site (below).
            ExprKind::Builtin(b) if !matches!(b, Builtin::ArrayCreate | Builtin::Ref) => {
                b.allocates()
            }
            ExprKind::App { func: inner, .. } => match psg.expr(*inner).kind {
                ExprKind::Builtin(b @ Builtin::ArrayCreate) => b.allocates(),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    };
    if let Some(what) = what
        .or_else(|| sprintf_site(psg, id))
        .or_else(|| data_site(psg, id))
    {
        out.push((what, false));
    }
    if let ExprKind::App { .. } = psg.expr(id).kind {
        let (head, args) = psg.spine(id);
        let depth = args.len();
        let explicit = match psg.expr(head).kind {
            ExprKind::Builtin(Builtin::ArenaAlloc) => depth == 1,
            ExprKind::Builtin(Builtin::ArenaAllocArray | Builtin::ArenaAllocMethod) => depth == 2,
            _ => false,
        };
        if explicit {
            out.push((ARENA_ALLOCATION, false));
        }
    }
    if value_call_site(psg, id) {
        out.push((VALUE_CALL_WHAT, false));
    }
    if psg.closure_sites.contains(&id) {
        let has_environment = match &psg.expr(id).kind {
            ExprKind::Function(f) => !psg.functions[f.index()].captures.is_empty(),
            ExprKind::App { .. } => true,
            _ => false,
        };
        if has_environment {
            out.push((CLOSURE_ENV, psg.stack_closures.contains(&id)));
        }
    }
    out
}

/// `f a b` where `f` is a function value (not a known function): arguments are
/// applied one at a time, and each step before the last returns a closure that
/// holds the arguments so far.
fn value_call_site(psg: &Psg, id: ExprId) -> bool {
    let ExprKind::App { func, .. } = &psg.expr(id).kind else {
        return false;
    };
    let ExprKind::App { .. } = &psg.expr(*func).kind else {
        return false;
    };
    let (head, _) = psg.spine(*func);
    !matches!(
        psg.expr(head).kind,
        ExprKind::Function(_)
            | ExprKind::Builtin(_)
            | ExprKind::Format { .. }
            | ExprKind::UnionCase { .. }
    )
}

/// Values built in a region: list cells, array literals, ref cells, the cells of
/// recursive unions' cases.
fn data_site(psg: &Psg, id: ExprId) -> Option<&'static str> {
    match &psg.expr(id).kind {
        ExprKind::ListCons { .. } => Some("list cell"),
        ExprKind::App { func, .. } => match psg.expr(*func).kind {
            ExprKind::UnionCase { def, case } => union_case_cell(psg, id, def, case),
            ExprKind::Builtin(b @ Builtin::Ref) => b.allocates(),
            _ => None,
        },
        ExprKind::ArrayLit(items) if !items.is_empty() => Some("array literal"),
        _ => None,
    }
}

/// The cell that building the case at `site` allocates, if it does: the case has
/// fields and its union is represented by pointers ([`Psg::union_is_boxed`], asked
/// about the site's type). In generic code the type still has variables and the
/// answer is conservative: the site is reported when some instance may be boxed.
fn union_case_cell(psg: &Psg, site: ExprId, def: u32, case: u32) -> Option<&'static str> {
    let has_fields = psg.types[def as usize]
        .union_cases()
        .and_then(|cases| cases.get(case as usize))
        .is_some_and(|c| !c.fields.is_empty());
    match psg.union_boxing(psg.ty(site)) {
        _ if !has_fields => None,
        Boxing::Value => None,
        Boxing::Pointers => Some("union case cell (a recursive union's values are pointers)"),
        Boxing::SomeInstancesPointers => Some("union case cell (some instance of this generic union may be recursive: its values are then pointers)"),
    }
}

/// A fully applied `sprintf` (the outermost application of the format).
fn sprintf_site(psg: &Psg, id: ExprId) -> Option<&'static str> {
    if *psg.ty(id) != Ty::STRING {
        return None;
    }
    match &psg.expr(psg.spine(id).0).kind {
        ExprKind::Format {
            kind: FormatKind::Sprintf,
            ..
        } => Some("sprintf result"),
        _ => None,
    }
}
