//! What allocates: the allocation facts every memory decision and report reads.
//!
//! Two questions, one module:
//!
//! * **May evaluating this allocate?** ([`Effects`], `Analysis::effects`): the
//!   allocation part of every [`FunctionSummary`](super::FunctionSummary) (may it allocate, does it release
//!   an arena mark it did not make, which parameters it calls: resolved at each call
//!   site to the function passed), a least fixed point over the call graph computed
//!   once by `Analysis::new` (step 4), and the same walk over an extent (an
//!   iteration, a block) for region inference (`regions.rs`). It over-approximates:
//!   any record, union value or call of unknown code counts.
//! * **Which sites allocate, and what?** ([`sites_at`], [`reachable_sites`]): the
//!   allocation sites the program can reach, for `stack_only.rs` (FS8004) before
//!   lowering runs; lowering's placements (what the ledger prints) are checked
//!   against them (`composer-lower`'s `site_check.rs`). Whether a builtin allocates is
//!   [`Builtin::allocates`], for both.

use super::Analysis;
use crate::boxing::Boxing;
use crate::builtins::Builtin;
use crate::psg::{BinaryOp, BindingId, ExprId, ExprKind, FormatKind, FunctionId, Psg};
use crate::types::{Prim, Ty, TyCon};
use composer_diagnostics::Span;
use rustc_hash::FxHashSet;

/// The allocation effects of evaluating some code (a function's body: its
/// summary's; an iteration or a block: region inference's).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Effects {
    pub may_alloc: bool,
    /// Releases an arena mark it did not make (which may free memory older than
    /// a region mark of its caller).
    pub releases: bool,
    /// Makes cells in an arena (`Arena.alloc`, `Arena.allocArray`), which may come
    /// to hold memory of the current region that a reset or compaction of it would
    /// neither see nor keep.
    pub arena_cells: bool,
    /// Parameters (its own or an enclosing function's) that it calls: what they
    /// are is known only where the function that has them is called.
    pub calls_params: FxHashSet<BindingId>,
}

impl Effects {
    pub(crate) fn absorb(&mut self, other: &Effects) {
        self.may_alloc |= other.may_alloc;
        self.releases |= other.releases;
        self.arena_cells |= other.arena_cells;
    }
}

/// The summary's allocation part (step 4 of `Analysis::new`).
impl Analysis<'_> {
    /// The least fixed point of the effects of every function.
    pub(super) fn solve_effects(&mut self) {
        let psg = self.psg;
        loop {
            let mut changed = false;
            for f in 0..psg.functions.len() {
                let id = FunctionId(f as u32);
                let func = psg.function(id);
                if !func.body_is_checked() {
                    continue;
                }
                let local = |b: BindingId| psg.binding(b).owner == Some(id);
                let s = self.effects(func.body, &local);
                if s != self.summaries[f].effects {
                    self.summaries[f].effects = s;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// The effects of evaluating `root`, where `local` tells the variables of the
    /// frame (or loop) being summarised.
    pub(crate) fn effects(&self, root: ExprId, local: &dyn Fn(BindingId) -> bool) -> Effects {
        let psg = self.psg;
        let mut s = Effects::default();
        let mut stack = vec![root];
        let mut kids = Vec::new();
        while let Some(e) = stack.pop() {
            if self.closures.escaping.contains(&e) {
                s.may_alloc = true;
            }
            match &psg.expr(e).kind {
                ExprKind::App { .. } => {
                    let (head, args) = psg.spine(e);
                    if let Some(f) = generator_of(psg, head, &args) {
                        // `Seq.__make (fun k -> …)`: the generator calls its consumer
                        // `k`, which every `Seq.__run` site resolves.
                        self.generator_effects(&mut s, f);
                        continue;
                    }
                    stack.extend(args.iter().copied());
                    self.call_effects(&mut s, e, head, &args, local);
                    continue;
                }
                ExprKind::Function(f) => self.mentioned_effects(&mut s, *f),
                // An async's environment; an awaited async's frame and its body.
                ExprKind::Async { .. } | ExprKind::Await { .. } => s.may_alloc = true,
                ExprKind::ListCons { .. }
                | ExprKind::Interpolated(_)
                | ExprKind::UnionCase { .. }
                | ExprKind::Record { .. }
                | ExprKind::RecordUpdate { .. } => s.may_alloc = true,
                ExprKind::ArrayLit(items) if !items.is_empty() => s.may_alloc = true,
                ExprKind::Binary {
                    op: crate::psg::BinaryOp::Add,
                    ..
                } if *psg.ty(e) == Ty::STRING => s.may_alloc = true,
                _ => {}
            }
            kids.clear();
            psg.children(e, &mut kids);
            stack.extend(kids.iter().copied());
        }
        s
    }

    /// The effects of the application `e` = `head args…`.
    fn call_effects(
        &self,
        s: &mut Effects,
        e: ExprId,
        head: ExprId,
        args: &[ExprId],
        local: &dyn Fn(BindingId) -> bool,
    ) {
        let psg = self.psg;
        match &psg.expr(head).kind {
            ExprKind::Function(f) => {
                let summary = &self.summaries[f.index()].effects;
                s.absorb(summary);
                let own = &psg.function(*f).params;
                for &p in &summary.calls_params {
                    match own.iter().position(|q| *q == p) {
                        Some(i) => match args.get(i) {
                            Some(&arg) => self.called_value_effects(s, arg),
                            None => s.may_alloc = true,
                        },
                        // An enclosing function's parameter: still pending.
                        None => {
                            s.calls_params.insert(p);
                        }
                    }
                }
                let arity = psg.function(*f).params.len();
                if args.len() < arity && self.closures.escaping.contains(&e) {
                    s.may_alloc = true;
                }
                if args.len() > arity {
                    // The result is a function value, called with the rest.
                    s.may_alloc = true;
                }
            }
            ExprKind::Builtin(b) => {
                if b.allocates().is_some() {
                    s.may_alloc = true;
                }
                if matches!(
                    b,
                    Builtin::ArenaAlloc | Builtin::ArenaAllocArray | Builtin::ArenaAllocMethod
                ) {
                    s.arena_cells = true;
                }
                if *b == Builtin::ArenaRelease {
                    // A mark this code made itself (not one it was given).
                    let own_mark = matches!(
                        args.get(1).map(|a| &psg.expr(*a).kind),
                        Some(ExprKind::Local(m))
                            if local(*m) && psg.binding(*m).kind != crate::psg::BindingKind::Param
                    );
                    if !own_mark {
                        s.releases = true;
                    }
                }
                if *b == Builtin::SeqRun {
                    for &arg in args {
                        self.called_value_effects(s, arg);
                    }
                }
            }
            ExprKind::Format { kind, .. } => {
                if *kind == FormatKind::Sprintf {
                    s.may_alloc = true;
                }
            }
            ExprKind::UnionCase { .. } => s.may_alloc = true,
            ExprKind::Local(_) => self.called_value_effects(s, head),
            _ => {
                // A computed function value (a field, a call's result).
                let inner = self.effects(head, local);
                s.absorb(&inner);
                s.calls_params.extend(inner.calls_params);
                s.may_alloc = true;
            }
        }
    }

    /// `value` is called: resolve it to known code, a parameter, or unknown.
    fn called_value_effects(&self, s: &mut Effects, value: ExprId) {
        let psg = self.psg;
        let (head, args) = psg.spine(value);
        if let Some(f) = generator_of(psg, head, &args) {
            // Running a seq runs its generator here.
            self.generator_effects(s, f);
            return;
        }
        match &psg.expr(head).kind {
            // Known code: its effects are counted where it is mentioned.
            ExprKind::Function(_) | ExprKind::Builtin(_) | ExprKind::UnionCase { .. } => {}
            ExprKind::Local(b) => {
                let binding = psg.binding(*b);
                if binding.kind == crate::psg::BindingKind::Param {
                    // Its code is whatever the caller passes: it may allocate.
                    s.calls_params.insert(*b);
                    s.may_alloc = true;
                    return;
                }
                if !binding.is_mutable {
                    if let Some(v) = self.let_value(*b) {
                        let (h, hargs) = psg.spine(v);
                        if let Some(f) = generator_of(psg, h, &hargs) {
                            self.generator_effects(s, f);
                            return;
                        }
                        if let ExprKind::Function(f) = psg.expr(h).kind {
                            // A closure named earlier (perhaps outside this code):
                            // its effects happen here.
                            self.mentioned_effects(s, f);
                            return;
                        }
                    }
                }
                s.may_alloc = true;
            }
            _ => {
                s.may_alloc = true;
            }
        }
    }

    /// The generator `f` of a seq: its effects happen where the seq runs, and its
    /// own parameter (the consumer) is resolved at each `Seq.__run`.
    fn generator_effects(&self, s: &mut Effects, f: FunctionId) {
        let summary = &self.summaries[f.index()].effects;
        s.absorb(summary);
        let own = &self.psg.function(f).params;
        s.calls_params.extend(
            summary
                .calls_params
                .iter()
                .copied()
                .filter(|p| !own.contains(p)),
        );
    }

    /// `f` used as a value: whoever calls it, its effects happen on behalf of this
    /// code, and its own parameters come from callers not known here.
    fn mentioned_effects(&self, s: &mut Effects, f: FunctionId) {
        let summary = &self.summaries[f.index()].effects;
        s.absorb(summary);
        let own = &self.psg.function(f).params;
        for &p in &summary.calls_params {
            if own.contains(&p) {
                s.may_alloc = true;
            } else {
                s.calls_params.insert(p);
            }
        }
    }
}

/// `f` when `head args` is `Seq.__make f` with `f` a known function.
fn generator_of(psg: &Psg, head: ExprId, args: &[ExprId]) -> Option<FunctionId> {
    match (&psg.expr(head).kind, args) {
        (ExprKind::Builtin(Builtin::SeqMake), [g]) => match psg.expr(*g).kind {
            ExprKind::Function(f) => Some(f),
            _ => None,
        },
        _ => None,
    }
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

/// What each site allocates, in the ledger's words: lowering names its placements
/// with the same constants (`lower/placement.rs`), and `site_check.rs` matches them.
pub const CLOSURE_ENV: &str = "closure environment";
/// The captured values of an `async { }` (where the async pass does not keep them
/// in the awaiting frame).
pub const ASYNC_ENV: &str = "async environment";
/// The frame of an async run, started, or awaited (its slot's memory, reused by
/// the next async started there when it fits).
pub const ASYNC_FRAME: &str = "async frame";
pub const LIST_CELL: &str = "list cell";
pub const UNION_CELL: &str = "union case cell (a recursive union's values are pointers)";
const GENERIC_UNION_CELL: &str =
    "union case cell (some instance of this generic union may be recursive: its values are then pointers)";
pub const ARRAY_LITERAL: &str = "array literal";
pub const MUTABLE_RECORD: &str = "record with mutable fields (a reference, as in F#)";
pub const STRING_CONCATENATION: &str = "string concatenation";
pub const INTERPOLATED_STRING: &str = "interpolated string";
pub const SPRINTF_RESULT: &str = "sprintf result";
pub(crate) const GENERIC_ADD: &str = "generic addition (string concatenation when used at string)";
/// `Arena.alloc`, `Arena.allocArray`: explicit allocations in an arena.
pub const ARENA_ALLOCATION: &str = "arena allocation";
pub const CLOSURE_STEP: &str = "closure for a partial application's next argument";
pub const VALUE_CALL_WHAT: &str = "closure for a function value's next argument";

/// What evaluating `id` allocates, each with whether it goes on the stack (only
/// closure environments can).
pub fn sites_at(psg: &Psg, id: ExprId) -> Vec<(&'static str, bool)> {
    let mut out = Vec::new();
    let what = match &psg.expr(id).kind {
        ExprKind::Binary {
            op: BinaryOp::Add, ..
        } if *psg.ty(id) == Ty::STRING => Some(STRING_CONCATENATION),
        // Generic code is checked once for every type it is used at: `x + x` on a
        // type variable concatenates when it is used at `string`.
        ExprKind::Binary {
            op: BinaryOp::Add, ..
        } if matches!(psg.ty(id), Ty::Var(_)) => Some(GENERIC_ADD),
        ExprKind::Interpolated(_) => Some(INTERPOLATED_STRING),
        ExprKind::App { func, arg } => match &psg.expr(*func).kind {
            // `string` of a string gives the string itself, of `()` the empty literal.
            ExprKind::Builtin(Builtin::ToString)
                if matches!(psg.ty(*arg), Ty::Prim(Prim::String | Prim::Unit)) =>
            {
                None
            }
            // A full application of one argument (`ref` is a data site, below).
            ExprKind::Builtin(b) if b.arity() == 1 && *b != Builtin::Ref => b.allocates(),
            ExprKind::App { func: inner, .. } => match psg.expr(*inner).kind {
                ExprKind::Builtin(b) if b.arity() == 2 => b.allocates(),
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
    if value_call_site(psg, id) || psg.stepping_calls.contains(&id) {
        out.push((VALUE_CALL_WHAT, false));
    }
    if psg.stepping_closures.contains(&id) {
        out.push((CLOSURE_STEP, false));
    }
    match &psg.expr(id).kind {
        ExprKind::Async { func, .. } if !psg.functions[func.index()].captures.is_empty() => {
            out.push((ASYNC_ENV, false));
        }
        ExprKind::Await { value, .. }
            if !matches!(
                psg.expr(*value).kind,
                ExprKind::Builtin(
                    Builtin::AsyncSuspend | Builtin::AsyncWait | Builtin::AsyncCancel
                )
            ) =>
        {
            out.push((ASYNC_FRAME, false));
        }
        _ => {}
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

/// The closures that may be applied one argument short, and the calls that do it
/// (`Psg::stepping_closures`, `Psg::stepping_calls`). A function value that still
/// needs `r` arguments makes a new closure for each call that gives it fewer (a
/// stub's partial application; a call with exactly two uses the `pair` entry).
///
/// * A closure site (a function used as a value, a partial application) that still
///   needs three or more arguments always may; one that needs two may unless it is
///   passed straight to a known function whose parameter there is declared with two
///   arrows or more (`List.fold (fun a b -> …)`), which calls it with both.
/// * A one-argument call of a function value whose type (as checked, in generic
///   code too) is a function: the value may have needed two (`let g = folder acc`).
///
/// A two-argument closure passed on from such a parameter to one of type
/// `'T -> 'U` and called there with one argument is not seen (a known gap).
pub fn stepping(psg: &Psg) -> (rustc_hash::FxHashSet<ExprId>, rustc_hash::FxHashSet<ExprId>) {
    let mut parent = rustc_hash::FxHashMap::default();
    for i in 0..psg.exprs.len() {
        let e = ExprId(i as u32);
        if let ExprKind::App { func, arg } = psg.expr(e).kind {
            parent.insert(arg, e);
            parent.insert(func, e);
        }
    }
    let closures = psg
        .closure_sites
        .iter()
        .copied()
        .filter(|&s| match remaining_arity(psg, s) {
            0 | 1 => false,
            2 => !passed_with_room(psg, s, &parent),
            _ => true,
        })
        .collect();
    let calls = (0..psg.exprs.len())
        .map(|i| ExprId(i as u32))
        .filter(|&e| {
            let ExprKind::App { func, .. } = psg.expr(e).kind else {
                return false;
            };
            // One argument (the head is the function itself), not the start of a
            // longer call (that is `value_call_site`'s), and a function comes back.
            !matches!(psg.expr(func).kind, ExprKind::App { .. })
                && !is_known_head(psg, func)
                && !parent.get(&e).is_some_and(
                    |p| matches!(psg.expr(*p).kind, ExprKind::App { func: f, .. } if f == e),
                )
                && matches!(psg.ty(e), Ty::Fun(..))
        })
        .collect();
    (closures, calls)
}

/// How many arguments the closure made at `site` still needs.
fn remaining_arity(psg: &Psg, site: ExprId) -> usize {
    let (head, args) = psg.spine(site);
    let arity = match &psg.expr(head).kind {
        ExprKind::Function(f) => psg.function(*f).params.len(),
        ExprKind::Builtin(b) => b.arity(),
        ExprKind::Format { spec, .. } => spec.args().count(),
        _ => 0,
    };
    arity.saturating_sub(args.len())
}

/// Whether the closure at `site` is an argument of a known function whose
/// parameter there is declared with two arrows or more.
fn passed_with_room(
    psg: &Psg,
    site: ExprId,
    parent: &rustc_hash::FxHashMap<ExprId, ExprId>,
) -> bool {
    let Some(&app) = parent.get(&site) else {
        return false;
    };
    let ExprKind::App { arg, .. } = psg.expr(app).kind else {
        return false;
    };
    if arg != site {
        return false;
    }
    let (head, args) = psg.spine(app);
    let ExprKind::Function(f) = psg.expr(head).kind else {
        return false;
    };
    let position = args.len() - 1;
    let Some(&param) = psg.function(f).params.get(position) else {
        return false;
    };
    let mut ty = &psg.binding(param).ty;
    let mut arrows = 0;
    while let Ty::Fun(_, rest) = ty {
        arrows += 1;
        ty = rest.as_ref();
    }
    arrows >= 2
}

fn is_known_head(psg: &Psg, head: ExprId) -> bool {
    matches!(
        psg.expr(head).kind,
        ExprKind::Function(_)
            | ExprKind::Builtin(_)
            | ExprKind::Format { .. }
            | ExprKind::UnionCase { .. }
    )
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
    !is_known_head(psg, head)
}

/// Values built in a region: list cells, array literals, ref cells, the cells of
/// recursive unions' cases.
fn data_site(psg: &Psg, id: ExprId) -> Option<&'static str> {
    match &psg.expr(id).kind {
        ExprKind::ListCons { .. } => Some(LIST_CELL),
        ExprKind::App { func, .. } => match psg.expr(*func).kind {
            ExprKind::UnionCase { def, case } => union_case_cell(psg, id, def, case),
            ExprKind::Builtin(b @ Builtin::Ref) => b.allocates(),
            _ => None,
        },
        ExprKind::ArrayLit(items) if !items.is_empty() => Some(ARRAY_LITERAL),
        ExprKind::Record { .. } | ExprKind::RecordUpdate { .. } => match psg.ty(id) {
            Ty::App(TyCon::User(def), _) if psg.types[*def as usize].is_mutable_record() => {
                Some(MUTABLE_RECORD)
            }
            _ => None,
        },
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
        Boxing::Pointers => Some(UNION_CELL),
        Boxing::SomeInstancesPointers => Some(GENERIC_UNION_CELL),
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
        } => Some(SPRINTF_RESULT),
        _ => None,
    }
}
