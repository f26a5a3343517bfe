//! Tame parameters: function-typed parameters that every caller gives *harmless*
//! code, code that keeps nothing it is given or allocates, calls no code that is not
//! known and releases no arena mark. Inside the function, calling such a parameter
//! can only allocate and return (its result may hold what it was given and fresh
//! memory), so a loop that calls it (`List.fold`'s `folder`, `List.iter`'s `action`)
//! may still reset or compact its region (`regions.rs`).
//!
//! A greatest fixed point over the call sites: start with every function-typed
//! parameter tame, and untame a parameter when some call site gives it anything
//! but a known function whose summary is harmless (its own called parameters
//! tame), a builtin, a format or a union case, or a tame parameter of the caller. A
//! function used other than as the head of a call (passed as a value, stored) has
//! callers that are not known: none of its parameters is tame. So is a parameter a
//! call site does not give (a partial application completed elsewhere).

use super::Analysis;
use crate::psg::{BindingId, BindingKind, ExprId, ExprKind, FunctionId};
use crate::types::Ty;
use rustc_hash::{FxHashMap, FxHashSet};

/// The tame parameters of the program (see the module documentation).
pub(crate) fn tame_parameters(analysis: &Analysis) -> FxHashSet<BindingId> {
    let psg = analysis.psg;
    // The outermost application of each call, and whether a function appears other
    // than as such a head.
    let inner: FxHashSet<ExprId> = psg
        .exprs
        .iter()
        .filter_map(|e| match e.kind {
            ExprKind::App { func, .. } => Some(func),
            _ => None,
        })
        .collect();
    let mut calls: FxHashMap<FunctionId, Vec<Vec<ExprId>>> = FxHashMap::default();
    let mut heads: FxHashSet<ExprId> = FxHashSet::default();
    for (i, e) in psg.exprs.iter().enumerate() {
        let id = ExprId(i as u32);
        if !matches!(e.kind, ExprKind::App { .. }) || inner.contains(&id) {
            continue;
        }
        let (head, args) = psg.spine(id);
        if let ExprKind::Function(f) = psg.expr(head).kind {
            heads.insert(head);
            calls.entry(f).or_default().push(args);
        }
    }
    let mut escaped: FxHashSet<FunctionId> = FxHashSet::default();
    for (i, e) in psg.exprs.iter().enumerate() {
        if let ExprKind::Function(f) = e.kind {
            if !heads.contains(&ExprId(i as u32)) {
                escaped.insert(f);
            }
        }
    }
    let mut tame: FxHashSet<BindingId> = FxHashSet::default();
    for (f, func) in psg.functions.iter().enumerate() {
        if escaped.contains(&FunctionId(f as u32)) {
            continue;
        }
        for &p in &func.params {
            if matches!(psg.binding(p).ty, Ty::Fun(..)) {
                tame.insert(p);
            }
        }
    }
    loop {
        let mut changed = false;
        for (&f, sites) in &calls {
            for (i, &p) in psg.function(f).params.iter().enumerate() {
                if !tame.contains(&p) {
                    continue;
                }
                let need = arrows(&psg.binding(p).ty);
                let given_harmless = sites.iter().all(|args| match args.get(i) {
                    Some(&a) => harmless(analysis, &tame, a, need, 0),
                    None => false,
                });
                if !given_harmless {
                    tame.remove(&p);
                    changed = true;
                }
            }
        }
        if !changed {
            return tame;
        }
    }
}

/// How many arguments a value of type `ty` takes before its result is not a
/// function: how many a body typed with it can give in one call.
fn arrows(ty: &Ty) -> usize {
    match ty {
        Ty::Fun(_, r) => 1 + arrows(r),
        _ => 0,
    }
}

/// Whether the function value `e` is harmless code, given the tame parameters,
/// for a parameter called with up to `need` arguments at once: code that takes
/// fewer would return a closure that the rest are given to, whose code is not the
/// code judged here.
fn harmless(
    analysis: &Analysis,
    tame: &FxHashSet<BindingId>,
    e: ExprId,
    need: usize,
    depth: u32,
) -> bool {
    let psg = analysis.psg;
    let (head, args) = psg.spine(e);
    match &psg.expr(head).kind {
        ExprKind::Function(g) if args.len() < psg.function(*g).params.len() => {
            if psg.function(*g).params.len() - args.len() < need {
                return false;
            }
            let s = analysis.summary(*g);
            s.inputs
                .values()
                .all(|k| k.into.is_empty() && k.far.is_none())
                && s.fresh.into.is_empty()
                && s.fresh.far.is_none()
                && s.unknown.is_none()
                && !s.effects.releases
                && !s.effects.arena_cells
                && s.calls.keys().all(|c| tame.contains(c))
                && args.iter().all(|a| !matches!(psg.ty(*a), Ty::Fun(..)))
        }
        ExprKind::Builtin(b) => {
            use crate::builtins::Builtin as B;
            // Running a seq runs code not known here; arenas are their own story.
            args.len() < b.arity()
                && b.arity() - args.len() >= need
                && !matches!(
                    b,
                    B::SeqRun
                        | B::SeqMake
                        | B::ArenaCreate
                        | B::ArenaAlloc
                        | B::ArenaAllocArray
                        | B::ArenaMark
                        | B::ArenaRelease
                        | B::ArenaDispose
                        | B::ArenaMarkMethod
                        | B::ArenaAllocMethod
                        | B::ArenaDisposeMethod
                )
        }
        ExprKind::Format { spec, .. } => {
            args.len() < spec.args().count() && spec.args().count() - args.len() >= need
        }
        ExprKind::UnionCase { .. } => args.is_empty() && need <= 1,
        ExprKind::Local(b) if args.is_empty() => {
            let binding = psg.binding(*b);
            if binding.kind == BindingKind::Param {
                return tame.contains(b) && arrows(&binding.ty) >= need;
            }
            match analysis.let_value(*b) {
                Some(v) if !binding.is_mutable && depth < 8 => {
                    harmless(analysis, tame, v, need, depth + 1)
                }
                _ => false,
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    /// The names of the tame parameters of `src`, sorted.
    fn tame(src: &str) -> Vec<String> {
        let psg = crate::test_support::check(src);
        let analysis = super::Analysis::new(&psg);
        let mut names: Vec<String> = super::tame_parameters(&analysis)
            .iter()
            .map(|b| psg.binding(*b).name.clone())
            .filter(|n| n.starts_with("my"))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_parameter_every_caller_gives_harmless_code_is_tame() {
        let src = "let apply (myF: int -> string) x = myF x\nlet a = apply (fun x -> string x) 1\nlet b = apply string 2\n";
        assert_eq!(tame(src), ["myF"]);
    }

    #[test]
    fn code_that_keeps_what_it_is_given_or_unknown_callers_untame_it() {
        // A caller's lambda keeps its argument in a global.
        let src = "let mutable saved = \"\"\nlet apply (myF: string -> int) x = myF x\nlet a = apply (fun s -> saved <- s; 1) \"x\"\n";
        assert_eq!(tame(src), Vec::<String>::new());
        // The function is passed as a value: its callers are not known.
        let src =
            "let apply (myF: int -> int) x = myF x\nlet g = apply\nlet a = g (fun x -> x) 1\n";
        assert_eq!(tame(src), Vec::<String>::new());
        // A wrapper passes on its own parameter: tame only if its callers' code is.
        let src = "let apply (myF: int -> string) x = myF x\nlet wrap (myG: int -> string) = apply myG 1\nlet a = wrap (fun x -> string x)\n";
        assert_eq!(tame(src), ["myF", "myG"]);
        let src = "let mutable saved = \"\"\nlet apply (myF: int -> string) x = myF x\nlet wrap (myG: int -> string) = apply myG 1\nlet a = wrap (fun x -> saved <- string x; saved)\n";
        assert_eq!(tame(src), Vec::<String>::new());
    }
}
