//! Loop-iteration regions: which loops release, at the start of each iteration,
//! everything the previous iteration allocated (`Psg::loop_regions`).
//!
//! At run time all implicit allocations go to the *current region*, a stack of
//! bump-allocated chunks (`runtime/src/region.rs`). A loop with an iteration region
//! marks the stack before its first iteration, resets to the mark at the head of
//! every iteration and releases the mark when it ends. Anything a callee allocates
//! while the iteration runs (what a call returns into its caller) lands in the same
//! region, so the region is the innermost one that outlives every use — provided no
//! value allocated during an iteration is still reachable after it. This module
//! proves that, in the spirit of Tofte and Talpin's region inference ("Region-Based
//! Memory Management", Information and Computation 1997) restricted to one region
//! shape: the value-flow analysis (`flow.rs`, `Mode::Fresh` over the iteration, the
//! round or the block) shows that nothing allocated there is still reachable after
//! it. Loops return `unit`, and Clef has no `break`.
//!
//! It reads the one analysis (`analysis/mod.rs`): the allocation side of each
//! function's summary (`alloc.rs`: whether it may allocate, whether it releases an
//! arena mark it did not make, which of its parameters it calls, resolved at each
//! call site to the function passed) and its self tail calls. A loop gets a region
//! when its condition and body may allocate and nothing they allocate escapes them;
//! otherwise the ledger says why not.

use super::alloc::Effects;
use super::flow::{Mode, Origin};
use super::{Analysis, FunctionSummary};
use crate::psg::{BindingId, ExprId, ExprKind, FunctionId, Psg};
use crate::types::{Ty, TyCon};
use composer_diagnostics::Span;
use rustc_hash::{FxHashMap, FxHashSet};

/// A loop and whether it got an iteration region (ledger).
#[derive(Debug, Clone, PartialEq)]
pub struct RegionNote {
    pub span: Span,
    pub kind: RegionKind,
    pub region: bool,
    /// Without a region: the loop or function compacts its carried state at its
    /// carry points (`Psg::loop_compactions`, `Psg::tail_compactions`).
    pub compacted: bool,
    pub reason: String,
}

/// What a region decision is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionKind {
    /// A loop; `region`: it has an iteration region.
    Loop,
    /// A function whose self tail calls are jumps; `region`: each jump resets
    /// what the previous round allocated (an iteration region).
    TailRecursion,
    /// The `use` of an arena; `region`: the block's implicit allocations go into
    /// the arena.
    Arena,
}

/// The region decisions of a program (`Psg::loop_regions` and the rest).
pub(crate) struct RegionFacts {
    pub loop_regions: FxHashSet<ExprId>,
    pub tail_regions: FxHashSet<FunctionId>,
    pub loop_compactions: FxHashMap<ExprId, Vec<BindingId>>,
    pub tail_compactions: FxHashSet<FunctionId>,
    pub arena_scopes: FxHashMap<ExprId, BindingId>,
    pub notes: Vec<RegionNote>,
}

/// Whether `l` (a loop, an arena's block) waits for an async in its own code (not in
/// the functions it makes).
fn awaits_in(psg: &Psg, l: ExprId) -> bool {
    let mut stack = vec![l];
    let mut children = Vec::new();
    while let Some(e) = stack.pop() {
        if matches!(psg.expr(e).kind, ExprKind::Await { .. }) {
            return true;
        }
        children.clear();
        psg.children(e, &mut children);
        stack.extend(&children);
    }
    false
}

/// Decides every loop, tail-recursive function and arena block.
pub(crate) fn analyse(analysis: &Analysis) -> RegionFacts {
    let psg = analysis.psg;
    let a = Decider { psg, analysis };
    let mut regions = FxHashSet::default();
    let mut notes = Vec::new();
    let mut loops = Vec::new();
    for (i, e) in psg.exprs.iter().enumerate() {
        if matches!(
            e.kind,
            ExprKind::While { .. } | ExprKind::For { .. } | ExprKind::ForEach { .. }
        ) {
            loops.push(ExprId(i as u32));
        }
    }
    let mut loop_compactions = FxHashMap::default();
    for l in loops {
        if awaits_in(psg, l) {
            // A suspended task's iteration stays open while other tasks allocate in
            // the same region: releasing it would free their memory.
            notes.push(RegionNote {
                span: psg.expr(l).span,
                kind: RegionKind::Loop,
                region: false,
                compacted: false,
                reason: "it waits for an async inside (let!, do!): an iteration that \
                         suspends cannot be released while other tasks run"
                    .into(),
            });
            continue;
        }
        let (region, mut reason) = a.decide(l);
        let mut compacted = false;
        if region {
            regions.insert(l);
        } else if let Some(decision) = a.decide_compaction(l) {
            let carried = match decision {
                Ok(carried) => carried,
                Err(why) => {
                    reason = format!("{reason}; and not compacted: {why}");
                    Vec::new()
                }
            };
            let names: Vec<String> = carried
                .iter()
                .map(|b| format!("`{}`", psg.binding(*b).name))
                .collect();
            if !carried.is_empty() {
                reason = format!(
                "it keeps memory only in {}, which it assigns: at the end of each iteration, once the memory allocated since the loop began has grown past the threshold, that state is copied out and the rest freed",
                names.join(", ")
                );
            }
            if !carried.is_empty() {
                compacted = true;
                loop_compactions.insert(l, carried);
            }
        }
        notes.push(RegionNote {
            span: psg.expr(l).span,
            kind: RegionKind::Loop,
            region,
            compacted,
            reason,
        });
    }
    let mut arena_scopes = FxHashMap::default();
    for scope in &psg.use_scopes {
        let is_arena = matches!(psg.binding(scope.binding).ty, Ty::App(TyCon::Arena, _));
        if !is_arena {
            continue;
        }
        let (current, reason) = if awaits_in(psg, scope.body) {
            (
                false,
                "it waits for an async inside: while it is suspended other tasks run, and the arena must not be their current region".to_string(),
            )
        } else {
            a.decide_scope(scope.body)
        };
        if current {
            arena_scopes.insert(scope.body, scope.binding);
        }
        notes.push(RegionNote {
            span: scope.span,
            kind: RegionKind::Arena,
            region: current,
            compacted: false,
            reason,
        });
    }
    // A loop in the block of an arena that is the current region allocates in the
    // arena, which never moves: it does not compact (the runtime would not either).
    for &body in arena_scopes.keys() {
        let mut stack = vec![body];
        let mut children = Vec::new();
        while let Some(e) = stack.pop() {
            if loop_compactions.remove(&e).is_some() {
                if let Some(n) = notes.iter_mut().find(|n| n.span == psg.expr(e).span) {
                    n.compacted = false;
                    n.reason = format!(
                        "{}; but it runs in the block of an arena, which is its current region and whose memory never moves",
                        n.reason
                    );
                }
            }
            children.clear();
            psg.children(e, &mut children);
            stack.extend(children.iter().copied());
        }
    }
    let mut tail_regions = FxHashSet::default();
    let mut tail_compactions = FxHashSet::default();
    for f in 0..psg.functions.len() {
        let fid = FunctionId(f as u32);
        let summary = analysis.summary(fid);
        if summary.self_tail_calls.is_empty() {
            continue;
        }
        let (decision, reason) = a.decide_tail(fid, summary);
        match decision {
            TailDecision::Region => {
                tail_regions.insert(fid);
            }
            TailDecision::Compact => {
                tail_compactions.insert(fid);
            }
            TailDecision::Neither => {}
        }
        notes.push(RegionNote {
            span: psg.function(fid).span,
            kind: RegionKind::TailRecursion,
            region: decision == TailDecision::Region,
            compacted: decision == TailDecision::Compact,
            reason,
        });
    }
    notes.sort_by_key(|n| (n.span.file, n.span.start));
    RegionFacts {
        loop_regions: regions,
        tail_regions,
        loop_compactions,
        tail_compactions,
        arena_scopes,
        notes,
    }
}

/// Whether `e` is `x :: v`, a cell put in front of the variable `v`.
fn conses_onto(psg: &Psg, e: ExprId, v: BindingId) -> bool {
    matches!(
        psg.expr(e).kind,
        ExprKind::ListCons { tail, .. } if matches!(psg.expr(tail).kind, ExprKind::Local(b) if b == v)
    )
}

/// Whether every assignment `parts` make to the `carried` variables is `v <- x :: v`:
/// a state that only grows (a list being built), which compaction would copy for
/// nothing. (An assignment made elsewhere, by a closure or a callee, is not seen:
/// then this answers true and the loop is not compacted, as before compaction.)
fn only_consed_onto(psg: &Psg, parts: &[ExprId], carried: &[BindingId]) -> bool {
    let mut stack: Vec<ExprId> = parts.to_vec();
    let mut children = Vec::new();
    while let Some(e) = stack.pop() {
        if let ExprKind::Assign { binding, value } = psg.expr(e).kind {
            if carried.contains(&binding) && !conses_onto(psg, value, binding) {
                return false;
            }
        }
        children.clear();
        psg.children(e, &mut children);
        stack.extend(children.iter().copied());
    }
    true
}

/// Why a loop or round that makes arena cells keeps its memory.
const ARENA_CELLS: &str = "it makes cells in an arena (Arena.alloc), which may come to hold memory of the region that a reset or a compaction would not see";

/// What the self tail calls of a function do with the memory of a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TailDecision {
    /// Reset it (an iteration region).
    Region,
    /// Compact the arguments out of it once it has grown (`Psg::tail_compactions`).
    Compact,
    Neither,
}

/// The decisions, read from the one analysis.
struct Decider<'a> {
    psg: &'a Psg,
    analysis: &'a Analysis<'a>,
}

impl Decider<'_> {
    /// Whether the self tail calls of `f` (jumps back to its start) may reset what
    /// each round allocated: nothing a round allocates is passed to the next
    /// (arguments of a self tail call reach nothing the round allocated), and nothing
    /// it allocates escapes the round otherwise. When the arguments are the only way
    /// out, the jumps compact instead: the parameters are the carried state.
    fn decide_tail(&self, f: FunctionId, summary: &FunctionSummary) -> (TailDecision, String) {
        let psg = self.psg;
        let s = &summary.effects;
        if !s.may_alloc {
            return (TailDecision::Neither, "a round allocates nothing".into());
        }
        if s.releases {
            return (
                TailDecision::Neither,
                "a round releases an arena mark made before it".into(),
            );
        }
        if s.arena_cells {
            return (TailDecision::Neither, ARENA_CELLS.into());
        }
        let func = psg.function(f);
        let mut declared = psg.declared_in(func.body);
        declared.extend(func.params.iter().copied());
        let run = self.analysis.run(
            Mode::Fresh { strict: true },
            &[func.body],
            declared,
            Some(f),
        );
        if let Some(e) = run.escapes.get(&Origin::Fresh) {
            return (
                TailDecision::Neither,
                format!("memory a round allocates may outlive it: {}", e.path),
            );
        }
        let passes_fresh = summary.self_tail_calls.iter().any(|&site| {
            let (_, args) = psg.spine(site);
            args.iter().any(|a| !run.value(*a).is_empty())
        });
        let only_grow = summary.self_tail_calls.iter().all(|&site| {
            let (_, args) = psg.spine(site);
            args.iter()
                .zip(&func.params)
                .all(|(a, p)| run.value(*a).is_empty() || conses_onto(psg, *a, *p))
        });
        if passes_fresh && only_grow {
            return (
                TailDecision::Neither,
                "each round passes on its arguments or conses onto one: nothing of them becomes garbage, so they are not copied (what else a round allocates stays until the caller's region is reset)".into(),
            );
        }
        if passes_fresh {
            return (
                TailDecision::Compact,
                "a round keeps memory only in the arguments of its self tail calls: at each jump, once the memory allocated since the first round has grown past the threshold, the arguments are copied out and the rest freed".into(),
            );
        }
        (
            TailDecision::Region,
            "each self tail call resets what the round allocated (nothing it allocates reaches the next round)".into(),
        )
    }

    /// For a loop without an iteration region: the variables declared outside it
    /// that it assigns memory of an iteration to, when that is the only way such
    /// memory outlives the iteration (the carried state, for compaction).
    /// `None` when the question does not arise (not a loop over a range, a list, an
    /// array or a condition, or one that allocates nothing); `Err` with the escape
    /// that prevents it after the carried variables are accounted for.
    fn decide_compaction(&self, l: ExprId) -> Option<Result<Vec<BindingId>, String>> {
        let psg = self.psg;
        let parts: Vec<ExprId> = match &psg.expr(l).kind {
            ExprKind::While { cond, body } => vec![*cond, *body],
            ExprKind::For { body, .. } => vec![*body],
            // Over a list or an array the cursor is older than the loop; over a seq
            // the body runs inside the generator, whose state is not carried.
            ExprKind::ForEach { source, body, .. }
                if matches!(
                    psg.expr_types[source.index()],
                    Ty::App(TyCon::List | TyCon::Array, _)
                ) =>
            {
                vec![*body]
            }
            _ => return None,
        };
        let mut declared = FxHashSet::default();
        for &p in &parts {
            declared.extend(psg.declared_in(p));
        }
        let local = |b: BindingId| declared.contains(&b);
        let mut s = Effects::default();
        for &p in &parts {
            s.absorb(&self.analysis.effects(p, &local));
        }
        if !s.may_alloc || s.releases || s.arena_cells {
            return None;
        }
        let mut carried: Vec<BindingId> = Vec::new();
        loop {
            let mut extent = declared.clone();
            extent.extend(carried.iter().copied());
            let run = self
                .analysis
                .run(Mode::Fresh { strict: true }, &parts, extent, None);
            match run.escapes.get(&Origin::Fresh) {
                None if only_consed_onto(psg, &parts, &carried) => {
                    return Some(Err(
                        "each iteration conses onto its state and nothing of that state becomes garbage, so it is not copied".into(),
                    ))
                }
                None => return Some(Ok(carried)),
                Some(e) => match e.assigned {
                    Some(b) if !carried.contains(&b) && psg.binding(b).is_mutable => {
                        carried.push(b)
                    }
                    _ if carried.is_empty() => return None,
                    _ => return Some(Err(e.path.clone())),
                },
            }
        }
    }

    /// Whether the body of an arena's `use` runs with the arena as the current
    /// region (its implicit allocations go into the arena), and why (not).
    fn decide_scope(&self, body: ExprId) -> (bool, String) {
        if self.analysis.may_hold_memory(body) {
            return (
                false,
                "the block's result may hold memory, which must outlive the arena".into(),
            );
        }
        let (ok, reason) = self.decide_parts(&[body], "the block", false);
        let reason = if ok {
            "implicit allocations of the block go into the arena: nothing it allocates outlives it"
                .into()
        } else {
            reason
        };
        (ok, reason)
    }

    /// Whether the loop `l` gets an iteration region, and why (not).
    fn decide(&self, l: ExprId) -> (bool, String) {
        let psg = self.psg;
        let parts: Vec<ExprId> = match &psg.expr(l).kind {
            ExprKind::While { cond, body } => vec![*cond, *body],
            ExprKind::For { body, .. } | ExprKind::ForEach { body, .. } => vec![*body],
            _ => return (false, String::new()),
        };
        self.decide_parts(&parts, "the iteration", true)
    }

    /// Whether nothing `parts` allocate can outlive them (`what` names them in
    /// reasons). `region_memory`: what they allocate is memory of the current
    /// region (a loop's), which arena cells they make could come to hold unseen;
    /// not so for an arena's block, whose allocations go into the arena.
    fn decide_parts(&self, parts: &[ExprId], what: &str, region_memory: bool) -> (bool, String) {
        let psg = self.psg;
        let mut declared = FxHashSet::default();
        for &p in parts {
            declared.extend(psg.declared_in(p));
        }
        let local = |b: BindingId| declared.contains(&b);
        let mut s = Effects::default();
        for &p in parts {
            let part = self.analysis.effects(p, &local);
            s.absorb(&part);
        }
        if !s.may_alloc {
            return (false, format!("{what} allocates nothing"));
        }
        if s.releases {
            return (
                false,
                format!("{what} releases an arena mark made before it (the release would free the region's own mark)"),
            );
        }
        if region_memory && s.arena_cells {
            return (false, ARENA_CELLS.into());
        }
        let run = self
            .analysis
            .run(Mode::Fresh { strict: true }, parts, declared.clone(), None);
        if let Some(e) = run.escapes.get(&Origin::Fresh) {
            return (
                false,
                format!("memory {what} allocates may outlive it: {}", e.path),
            );
        }
        (
            true,
            "nothing allocated in an iteration outlives it: reset at each iteration".into(),
        )
    }
}

#[cfg(test)]
mod tests {
    /// The region decision of each loop of `src`, in source order.
    pub(super) fn decisions(src: &str) -> Vec<bool> {
        let psg = crate::test_support::check(src);
        psg.region_notes.iter().map(|n| n.region).collect()
    }

    #[test]
    fn loop_local_garbage_gets_a_region() {
        let src = "let mutable total = 0\nfor i in 1 .. 10 do\n    let s = string i + \"!\"\n    let l = [i; i]\n    total <- total + s.Length\n";
        assert_eq!(decisions(src), [true]);
    }

    #[test]
    fn a_loop_that_allocates_nothing_needs_no_region() {
        let src = "let mutable total = 0\nfor i in 1 .. 10 do\n    total <- total + i * i\n";
        assert_eq!(decisions(src), [false]);
    }

    #[test]
    fn values_kept_after_the_iteration_prevent_the_region() {
        // An outer mutable, an outer array, a ref cell, a global assigned by a callee.
        let srcs = [
            "let f () =\n    let mutable acc = []\n    for i in 1 .. 10 do\n        acc <- string i :: acc\n    acc\n",
            "let f () =\n    let a = Array.create 10 \"\"\n    for i in 0 .. 9 do\n        a.[i] <- string i\n    a\n",
            "let f () =\n    let r = ref \"\"\n    for i in 0 .. 9 do\n        r.Value <- string i\n    r\n",
            "let mutable saved = \"\"\nlet keep (s: string) = saved <- s\nfor i in 0 .. 9 do\n    keep (string i)\n",
            "let f () =\n    let mutable line = string 0\n    while line <> \"\" do\n        line <- string 1\n",
        ];
        for src in srcs {
            assert_eq!(decisions(src), [false], "{src}");
        }
    }

    #[test]
    fn unknown_function_values_prevent_the_region() {
        // `run` is passed as a value: its callers, and so `f`, are not known.
        let src = "let run (f: int -> string) =\n    let mutable n = 0\n    for i in 1 .. 3 do\n        n <- n + (f i).Length\n    n\nlet runner = run\n";
        assert_eq!(decisions(src), [false]);
    }

    #[test]
    fn lambdas_passed_to_known_functions_are_followed() {
        let src = "let apply f x = f x\nlet mutable n = 0\nfor i in 1 .. 3 do\n    n <- n + (apply (fun x -> string x) i).Length\n";
        assert_eq!(decisions(src), [true]);
        let src = "let mutable saved = \"\"\nlet apply f x = f x\nfor i in 1 .. 3 do\n    apply (fun x -> saved <- string x) i\n";
        assert_eq!(decisions(src), [false]);
    }

    #[test]
    fn fresh_arrays_and_loop_local_mutables_are_fine() {
        let src = "let mutable n = 0\nfor i in 1 .. 3 do\n    let a = Array.zeroCreate 4\n    let mutable acc = []\n    for j in 0 .. 3 do\n        a.[j] <- string j\n        acc <- a.[j] :: acc\n    n <- n + a.Length\n";
        // The outer loop keeps nothing; the inner one stores into `a` and `acc`,
        // which are older than its iterations.
        assert_eq!(decisions(src), [true, false]);
    }
}

#[cfg(test)]
mod closure_tests {
    #[test]
    fn closures_named_before_the_loop_count_where_called() {
        let src = "let mutable saved = \"\"\nlet keep = fun (s: string) -> saved <- s\nfor i in 1 .. 3 do\n    keep (string i)\n";
        assert_eq!(super::tests::decisions(src), [false]);
        let src = "let mutable saved = \"\"\nlet set (n: int) (s: string) = saved <- s\nlet keep = set 1\nfor i in 1 .. 3 do\n    keep (string i)\n";
        assert_eq!(super::tests::decisions(src), [false]);
    }
}

#[cfg(test)]
mod generator_tests {
    use super::tests::decisions;

    #[test]
    fn a_seq_made_outside_the_loop_runs_its_generator_inside() {
        // The generator stores into a global; running the seq in the loop runs it.
        let src = "let mutable saved = \"\"\nlet s : seq<int> = Seq.__make (fun k -> saved <- string 1; k 1)\nlet mutable n = 0\nfor i in 1 .. 3 do\n    if Seq.__run s (fun x -> n <- n + x; true) then n <- n + (string i).Length\n";
        assert_eq!(decisions(src), [false]);
        let src = "let s : seq<int> = Seq.__make (fun k -> k (string 1).Length)\nlet mutable n = 0\nfor i in 1 .. 3 do\n    if Seq.__run s (fun x -> n <- n + x; true) then n <- n + (string i).Length\n";
        assert_eq!(decisions(src), [true]);
    }
}

#[cfg(test)]
mod tail_tests {
    fn tail_regions(src: &str) -> Vec<String> {
        let psg = crate::test_support::check(src);
        let mut names: Vec<String> = psg
            .tail_regions
            .iter()
            .map(|f| psg.function(*f).name.clone())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn tail_recursion_resets_only_when_nothing_reaches_the_next_round() {
        let src = "let rec count i n = if i = 0 then n else count (i - 1) (n + (string i).Length)\nlet rec keep i acc = if i = 0 then acc else keep (i - 1) (string i :: acc)\nlet rec pass i (s: string) = if i = 0 then s.Length else pass (i - 1 + 0 * (string i).Length) s\nlet rec plain i n = if i = 0 then n else plain (i - 1) (n + i)\nlet mutable saved = \"\"\nlet rec store i = if i = 0 then () else (saved <- string i; store (i - 1))\n";
        // `count` keeps an int; `pass` passes its own parameter on; `keep` passes a
        // new list; `plain` allocates nothing; `store` keeps strings in a global.
        assert_eq!(tail_regions(src), ["count", "pass"]);
    }
}

#[cfg(test)]
mod compaction_tests {
    /// The carried variables of each compacted loop of `src`, by name, in source order.
    fn carried(src: &str) -> Vec<Vec<String>> {
        let psg = crate::test_support::check(src);
        let mut loops: Vec<_> = psg.loop_compactions.iter().collect();
        loops.sort_by_key(|(l, _)| psg.expr(**l).span.start);
        loops
            .into_iter()
            .map(|(_, c)| c.iter().map(|b| psg.binding(*b).name.clone()).collect())
            .collect()
    }

    #[test]
    fn a_loop_that_keeps_memory_only_in_its_mutables_compacts() {
        let src = "let f () =\n    let mutable acc = []\n    let mutable s = \"\"\n    for i in 1 .. 10 do\n        acc <- string i :: acc\n        s <- s + \"x\"\n    (acc, s)\n";
        assert_eq!(carried(src), [vec!["acc".to_string(), "s".to_string()]]);
    }

    #[test]
    fn stores_into_older_containers_and_unknown_code_prevent_it() {
        let srcs = [
            // An array made before the loop keeps an iteration's string.
            "let f () =\n    let a = Array.create 10 \"\"\n    let mutable n = []\n    for i in 0 .. 9 do\n        a.[i] <- string i\n        n <- [string i]\n    a\n",
            // A function value whose code is not known (`run` is passed as a value).
            "let run (g: int -> string) =\n    let mutable acc = []\n    for i in 1 .. 3 do\n        acc <- g i :: acc\n    acc\nlet runner = run\n",
        ];
        for src in srcs {
            assert_eq!(carried(src), Vec::<Vec<String>>::new(), "{src}");
        }
    }

    #[test]
    fn tail_recursion_passing_fresh_memory_compacts() {
        // `keep` drops old elements (compacts); `grow` only conses (not copied for
        // nothing); `store` keeps strings in a global.
        let src = "let rec keep i (acc: string list) = if i = 0 then acc else keep (i - 1) (match acc with _ :: rest -> string i :: rest | [] -> [string i])\nlet rec grow i acc = if i = 0 then acc else grow (i - 1) (string i :: acc)\nlet mutable saved = \"\"\nlet rec store i acc = if i = 0 then acc else (saved <- string i; store (i - 1) (string i :: acc))\n";
        let psg = crate::test_support::check(src);
        let names: Vec<String> = psg
            .tail_compactions
            .iter()
            .map(|f| psg.function(*f).name.clone())
            .collect();
        assert_eq!(names, ["keep"]);
    }
}

#[cfg(test)]
mod tame_tests {
    use super::tests::decisions;

    #[test]
    fn a_loop_calling_a_parameter_every_caller_gives_harmless_code_resets() {
        let src = "let run (f: int -> string) =\n    let mutable n = 0\n    for i in 1 .. 3 do\n        n <- n + (f i).Length\n    n\nlet a = run (fun i -> string i)\n";
        assert_eq!(decisions(src), [true]);
        // One caller's code keeps what it makes: no region.
        let src = "let mutable saved = \"\"\nlet run (f: int -> string) =\n    let mutable n = 0\n    for i in 1 .. 3 do\n        n <- n + (f i).Length\n    n\nlet a = run (fun i -> string i)\nlet b = run (fun i -> saved <- string i; saved)\n";
        assert_eq!(decisions(src), [false]);
    }
}

#[cfg(test)]
mod arena_compaction_tests {
    #[test]
    fn a_loop_in_an_arena_block_does_not_compact() {
        let src = "let f () =\n    use arena = Arena.create 65536\n    let mutable acc = \"\"\n    for i in 1 .. 10 do\n        acc <- acc + \"x\"\n    acc.Length\n";
        let psg = crate::test_support::check(src);
        assert!(psg.loop_compactions.is_empty());
        let loop_note = psg
            .region_notes
            .iter()
            .find(|n| n.kind == super::RegionKind::Loop)
            .expect("the loop's note");
        assert!(loop_note.reason.contains("arena"), "{}", loop_note.reason);
    }
}
