//! The analysis layer: the facts about the checked PSG that memory decisions rest
//! on, computed once per build (DESIGN §5).
//!
//! [`Analysis::new`] is called by the checker once, after types are final and
//! only when there are no errors (`Checker::analyse_memory`, `check/mod.rs`). It
//! computes, in order:
//!
//! 1. the facts every value-flow run shares: which values may hold memory (by
//!    type), the value of each immutable `let` and global, the self tail calls of
//!    each function ([`Psg::tail_self_calls`], the one definition of tail
//!    position), the loops whose bodies declare captured `let mutable`s;
//! 2. the escape part of every [`FunctionSummary`] (`flow.rs`: where each input and
//!    its own allocations may go, which inputs it calls): a least fixed point over
//!    the call graph;
//! 3. closure escape (`closures.rs`): which closure environments may stay in their
//!    frame, one value-flow run per frame;
//! 4. the allocation part of every summary (`alloc.rs`: may it allocate, does it
//!    release an arena mark it did not make, which parameters it calls): a second
//!    least fixed point, which needs the closures of step 3;
//! 5. the tame parameters (`tame.rs`): function-typed parameters every caller gives
//!    harmless code, which region inference may call inside a loop it resets or
//!    compacts (a greatest fixed point over the call sites).
//!
//! Everything that asks a memory question reads the one `Analysis`: arena safety
//! (`check/arena_safety.rs`) and the FS8003 errors for closures
//! (`check/closure_escape.rs`) run value-flow extents over it; region inference
//! (`regions.rs`) reads the summaries and runs extents; `stack_only.rs` reads the
//! allocation sites of `alloc.rs`, and the ledger the decisions the checker
//! records in the PSG. No other module computes a per-function summary.

pub mod alloc;
pub mod closures;
pub mod flow;
pub mod regions;
pub mod stack_only;
mod tame;

use crate::psg::{BindingId, ExprId, ExprKind, FunctionId, Psg, TopItem};
use alloc::Effects;
use closures::ClosureFacts;
use flow::{holds_memory, Keep, Origins};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeMap;

/// Everything the analyses know about one function, computed once per build.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FunctionSummary {
    /// Escape (`flow.rs`): for each input (parameter or captured variable) that it
    /// may keep, where.
    pub inputs: BTreeMap<BindingId, Keep>,
    /// Escape: where it may put its own allocations (and those of what it calls).
    pub fresh: Keep,
    /// Escape: inputs it calls (what they are is known where it is called), with
    /// the origins it gives them: its inputs and its own allocations.
    pub calls: BTreeMap<BindingId, Origins>,
    /// Escape: it calls code that is not known (neither an input nor a known
    /// function), and why.
    pub unknown: Option<String>,
    /// Allocation (`alloc.rs`): whether it may allocate, whether it releases an
    /// arena mark it did not make, which parameters it calls (for their effects).
    pub effects: Effects,
    /// Its calls of itself, with all its arguments, in tail position
    /// ([`Psg::tail_self_calls`]): jumps that reuse its frame.
    pub self_tail_calls: Vec<ExprId>,
}

impl FunctionSummary {
    /// The escape facts are equal but for the wording of reasons (the fixed point
    /// is over the facts).
    fn same_escape_shape(&self, other: &FunctionSummary) -> bool {
        let keep_shape = |k: &Keep| (k.into.clone(), k.far.is_some());
        self.inputs.len() == other.inputs.len()
            && self
                .inputs
                .iter()
                .zip(&other.inputs)
                .all(|((a, x), (b, y))| a == b && keep_shape(x) == keep_shape(y))
            && keep_shape(&self.fresh) == keep_shape(&other.fresh)
            && self.calls == other.calls
            && self.unknown.is_some() == other.unknown.is_some()
    }
}

/// The per-function summaries of a program and the facts every value-flow run
/// shares.
pub struct Analysis<'p> {
    pub psg: &'p Psg,
    summaries: Vec<FunctionSummary>,
    /// Whether the value of each expression may hold memory (by its type).
    heap: Vec<bool>,
    heap_bindings: Vec<bool>,
    /// The value of every immutable `let` and global (to resolve function values).
    let_value: FxHashMap<BindingId, ExprId>,
    /// Whether a seq generator not known at a `Seq.__run` may keep the consumer
    /// it is given. Generators are made by the compiler (`seq { }`) and the library
    /// (`Seq.__make` is library-internal). The summaries are first computed
    /// assuming none does, then the assumption is checked against every
    /// generator's own summary (sound by induction on the run: a generator that
    /// keeps its consumer through an unknown generator ends at one that keeps it
    /// visibly); if it fails, they are computed again without it.
    generators_keep: bool,
    /// What the body of each loop declares, for the loops whose body declares a
    /// `let mutable` that closures use: each iteration has its own variable, in the
    /// one slot of the frame (`Run::flow_into_storage`).
    loop_bodies: Vec<FxHashSet<BindingId>>,
    /// Which closures may outlive their frame (step 3).
    closures: ClosureFacts,
    /// Function-typed parameters every caller gives harmless code (step 5,
    /// `tame.rs`): extents call them as code that only allocates and returns.
    tame: FxHashSet<BindingId>,
}

#[cfg(test)]
thread_local! {
    /// How many analyses this thread has built (tests check "once per build").
    static BUILT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many times [`Analysis::new`] has run on this thread (tests only).
#[cfg(test)]
pub(crate) fn built_on_this_thread() -> usize {
    BUILT.with(|b| b.get())
}

impl<'p> Analysis<'p> {
    /// Computes every summary of `psg` (whose types are final). The checker calls
    /// this once per build; every memory decision reads the result.
    pub fn new(psg: &'p Psg) -> Analysis<'p> {
        #[cfg(test)]
        BUILT.with(|b| b.set(b.get() + 1));
        let mut memo = FxHashMap::default();
        let heap = psg
            .expr_types
            .iter()
            .map(|t| holds_memory(psg, t, &mut memo))
            .collect();
        let heap_bindings = psg
            .bindings
            .iter()
            .map(|b| holds_memory(psg, &b.ty, &mut memo))
            .collect();
        let let_value = psg
            .exprs
            .iter()
            .filter_map(|e| match e.kind {
                ExprKind::Let { binding, value, .. } => Some((binding, value)),
                _ => None,
            })
            .chain(psg.top_level.iter().filter_map(|item| match item {
                TopItem::Global { binding, value } => Some((*binding, *value)),
                _ => None,
            }))
            .filter(|(b, _)| !psg.binding(*b).is_mutable)
            .collect();
        let loop_bodies = psg
            .exprs
            .iter()
            .filter_map(|e| match e.kind {
                ExprKind::While { body, .. }
                | ExprKind::For { body, .. }
                | ExprKind::ForEach { body, .. } => Some(psg.declared_in(body)),
                _ => None,
            })
            .filter(|d| d.iter().any(|b| psg.binding(*b).captured_mutable))
            .collect();
        let summaries = (0..psg.functions.len())
            .map(|f| {
                let fid = FunctionId(f as u32);
                let mut self_tail_calls = Vec::new();
                if has_body(psg, fid) {
                    psg.tail_self_calls(fid, psg.function(fid).body, &mut self_tail_calls);
                }
                FunctionSummary {
                    self_tail_calls,
                    ..FunctionSummary::default()
                }
            })
            .collect();
        let mut analysis = Analysis {
            psg,
            summaries,
            heap,
            heap_bindings,
            let_value,
            generators_keep: false,
            loop_bodies,
            closures: ClosureFacts::default(),
            tame: FxHashSet::default(),
        };
        analysis.solve_escape_summaries();
        analysis.closures = closures::closure_escape(&analysis);
        analysis.solve_effects();
        analysis.tame = tame::tame_parameters(&analysis);
        analysis
    }

    /// The summary of `f`.
    pub fn summary(&self, f: FunctionId) -> &FunctionSummary {
        &self.summaries[f.index()]
    }

    /// Which closures may outlive their frame.
    pub fn closures(&self) -> &ClosureFacts {
        &self.closures
    }

    /// The closure decisions, once every question about them is answered.
    pub fn into_closures(self) -> ClosureFacts {
        self.closures
    }

    /// Whether the summaries had to drop the assumption that seq generators
    /// never keep their consumer (see `generators_keep`).
    pub fn generators_keep(&self) -> bool {
        self.generators_keep
    }

    /// Every self tail call of every function.
    pub fn self_tail_calls(&self) -> FxHashSet<ExprId> {
        self.summaries
            .iter()
            .flat_map(|s| s.self_tail_calls.iter().copied())
            .collect()
    }

    /// The value of an immutable `let` or global, if `b` is one.
    pub(crate) fn let_value(&self, b: BindingId) -> Option<ExprId> {
        self.let_value.get(&b).copied()
    }

    /// Whether the value of `e` may hold memory (by its type).
    pub fn may_hold_memory(&self, e: ExprId) -> bool {
        self.heap[e.index()]
    }

    fn name(&self, b: BindingId) -> &str {
        &self.psg.binding(b).name
    }

    fn fn_name(&self, f: FunctionId) -> &str {
        &self.psg.function(f).name
    }
}

/// Whether `f` has a body the analyses look at.
fn has_body(psg: &Psg, f: FunctionId) -> bool {
    psg.function(f).body_is_checked()
}

#[cfg(test)]
mod tests {
    use super::built_on_this_thread;

    /// A program with loops, tail recursion, closures, an arena and a seq: every
    /// consumer of the analysis has something to decide.
    const SAMPLE: &str = "let mutable total = 0\n\
        let rec count i n = if i = 0 then n else count (i - 1) (n + (string i).Length)\n\
        let apply f x = f x\n\
        for i in 1 .. 10 do\n    total <- total + (apply (fun x -> string x) i).Length\n\
        let f () =\n    use arena = Arena.create 1024\n    let a : int[] = Arena.allocArray arena 4\n    a.[0]\n\
        let s = seq { for i in 1 .. 3 do yield i * 2 }\n\
        printfn \"%d %d %d\" total (count 3 0) (f ())\n";

    #[test]
    fn the_summaries_are_computed_once_per_build() {
        let before = built_on_this_thread();
        let psg = crate::test_support::check(SAMPLE);
        assert_eq!(built_on_this_thread() - before, 1);
        // Every consumer had its say from that one analysis.
        assert!(!psg.region_notes.is_empty());
        assert!(!psg.closure_sites.is_empty());
        assert!(!psg.self_tail_calls.is_empty());
    }

    #[test]
    fn stack_only_reads_the_same_analysis() {
        let mut sources = composer_diagnostics::SourceMap::new();
        let file = sources.add("test.clef", SAMPLE);
        let mut interner = composer_syntax::Interner::new();
        let (ast, diags) = composer_syntax::parse_file(file, SAMPLE, &mut interner);
        assert!(diags.is_empty(), "{diags:?}");
        let options = crate::CheckOptions {
            memory_model: crate::MemoryModel::StackOnly,
            ..Default::default()
        };
        let before = built_on_this_thread();
        let (_, diags) = crate::check_program_for(options, &[], &[ast], &mut interner);
        assert_eq!(built_on_this_thread() - before, 1);
        assert!(diags
            .iter()
            .any(|d| d.code == composer_diagnostics::Code::StackOnlyAllocation));
    }

    #[test]
    fn a_program_with_errors_is_not_analysed() {
        let mut sources = composer_diagnostics::SourceMap::new();
        let src = "let x : int = \"no\"\n";
        let file = sources.add("test.clef", src);
        let mut interner = composer_syntax::Interner::new();
        let (ast, _) = composer_syntax::parse_file(file, src, &mut interner);
        let before = built_on_this_thread();
        let (_, diags) = crate::check_program(&[ast], &mut interner);
        assert!(!diags.is_empty());
        assert_eq!(built_on_this_thread(), before);
    }
}
