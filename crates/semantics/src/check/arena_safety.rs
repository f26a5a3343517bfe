//! FS8003 for explicit arenas (DESIGN §5, "safety is checked, not hoped for"),
//! answered by the value-flow analysis (`analysis/flow.rs`).
//!
//! * **Scope.** What `Arena.alloc`/`Arena.allocArray` (or the methods) make in the
//!   arena of a `use arena = Arena.create n` block, and what a call given the arena
//!   returns, must not outlive the block (`Mode::Arena`, whose extent is the block):
//!   not be its result, not reach a variable declared outside it, an array or cell
//!   made outside it, a global, a function that keeps it, or code not known.
//! * **Marks.** After `let m = Arena.mark arena` (or `arena.Mark()`), nothing made
//!   between the mark and `Arena.release arena m` may outlive the release
//!   (`Mode::Fresh`, whose extent is the statements between them: implicit
//!   allocations go into the arena too while its block is the current region), and
//!   a name bound in between to a value that may hold such memory must not be used
//!   after the release. The mark may only be released as a statement of the block
//!   that made it, so that "between" is straight-line code.

use crate::analysis::flow::{Mode, Origin, StepBinds};
use crate::analysis::Analysis;
use crate::builtins::Builtin;
use crate::psg::{BindingId, ExprId, ExprKind, FunctionId, PatId, Psg};
use crate::types::{Ty, TyCon};
use composer_diagnostics::{Code, Diagnostic, Span};
use rustc_hash::FxHashSet;

pub(crate) fn arena_safety(analysis: &Analysis) -> Vec<Diagnostic> {
    let psg = analysis.psg;
    let mut diags = Vec::new();
    for scope in &psg.use_scopes {
        if matches!(psg.binding(scope.binding).ty, Ty::App(TyCon::Arena, _)) {
            check_scope(analysis, scope.binding, scope.body, &mut diags);
        }
    }
    for e in &psg.exprs {
        if let ExprKind::Let {
            binding,
            value,
            body,
        } = e.kind
        {
            let (head, args) = psg.spine(value);
            let is_mark = matches!(
                psg.expr(head).kind,
                ExprKind::Builtin(Builtin::ArenaMark | Builtin::ArenaMarkMethod)
            );
            if let Some(ExprKind::Local(arena)) = args.first().map(|a| &psg.expr(*a).kind) {
                if is_mark {
                    check_mark(analysis, binding, *arena, body, &mut diags);
                }
            }
        }
    }
    diags
}

fn check_scope(analysis: &Analysis, arena: BindingId, body: ExprId, diags: &mut Vec<Diagnostic>) {
    let psg = analysis.psg;
    let local = psg.declared_in(body);
    let owner = psg.binding(arena).owner;
    let mut run = analysis.run(Mode::Arena(arena), &[body], local, owner);
    run.result_escapes(body, "it is the result of the block");
    let arena_name = &psg.binding(arena).name;
    if let Some(e) = run.escapes.get(&Origin::Arena(arena)) {
        diags.push(Diagnostic::error(
            Code::RegionEscape,
            e.span,
            format!(
                "Memory allocated in the arena '{arena_name}' outlives the arena's 'use' block, which frees it: {}. Copy what you need into a value made outside the arena, or allocate it without the arena.",
                e.path
            ),
        ));
    }
}

fn check_mark(
    analysis: &Analysis,
    mark: BindingId,
    arena: BindingId,
    body: ExprId,
    diags: &mut Vec<Diagnostic>,
) {
    let psg = analysis.psg;
    // The straight-line code after the mark: `let`s and block items, in order.
    let mut steps = Vec::new();
    straight_line(psg, body, &mut steps);
    let mark_name = psg.binding(mark).name.clone();
    let arena_name = psg.binding(arena).name.clone();
    // The mark may only be released directly, as a statement of the block that
    // made it: released in a branch, a loop, a closure or a helper function, what
    // the checks below rely on would not hold.
    let allowed: Vec<Span> = steps
        .iter()
        .filter_map(|s| match s {
            Step::Item(e) if is_release(psg, *e, mark) => {
                psg.spine(*e).1.get(1).map(|m| psg.expr(*m).span)
            }
            _ => None,
        })
        .collect();
    for (b, at) in uses(psg, body) {
        if b == mark && !allowed.contains(&at) {
            diags.push(Diagnostic::error(
                Code::RegionEscape,
                at,
                format!(
                    "The mark '{mark_name}' may only be used by 'Arena.release {arena_name} {mark_name}' written as a statement of the block that made it (not passed on, stored, or released in a branch, loop or closure), so that the compiler can check what the release frees."
                ),
            ));
            return;
        }
    }
    let Some(release_at) = steps.iter().position(|s| match s {
        Step::Item(e) => is_release(psg, *e, mark),
        _ => false,
    }) else {
        return;
    };
    let mut bound = Vec::new();
    let mut local = FxHashSet::default();
    for step in &steps[..release_at] {
        match *step {
            Step::Bind(b, value) => {
                bound.push(b);
                local.insert(b);
                local.extend(psg.declared_in(value));
            }
            Step::Pattern(p, value) => {
                let mut names = FxHashSet::default();
                psg.pattern_bindings(p, &mut names);
                bound.extend(names.iter().copied());
                local.extend(names);
                local.extend(psg.declared_in(value));
            }
            Step::Item(e) => {
                local.extend(psg.declared_in(e));
            }
        }
    }
    let owner = psg.binding(mark).owner;
    let mut run = analysis.run(Mode::Fresh { strict: false }, &[], local, owner);
    run.solve_steps(&steps_as_roots(&steps[..release_at]));
    if let Some(e) = run.escapes.get(&Origin::Fresh) {
        diags.push(Diagnostic::error(
            Code::RegionEscape,
            e.span,
            format!(
                "A value made after the mark '{mark_name}' outlives 'Arena.release {arena_name} {mark_name}', which frees it: {}. Keep it until the release only, or make it before the mark.",
                e.path
            ),
        ));
    }
    let held: Vec<BindingId> = bound
        .into_iter()
        .filter(|b| !run.binding_value(*b).is_empty())
        .collect();
    let mut reported = FxHashSet::default();
    for step in &steps[release_at + 1..] {
        let e = match *step {
            Step::Bind(_, value) | Step::Pattern(_, value) => value,
            Step::Item(e) => e,
        };
        for (b, at) in uses(psg, e) {
            if held.contains(&b) && reported.insert(b) {
                let name = psg.binding(b).name.clone();
                diags.push(Diagnostic::error(
                    Code::RegionEscape,
                    at,
                    format!(
                        "'{name}' was made after the mark '{mark_name}' and is used after 'Arena.release {arena_name} {mark_name}' freed it. Use it before the release, or make it before the mark."
                    ),
                ));
            }
        }
    }
}

/// The steps as the roots of a run, with the pattern steps' bindings.
fn steps_as_roots(steps: &[Step]) -> Vec<(ExprId, Option<StepBinds>)> {
    steps
        .iter()
        .map(|s| match *s {
            Step::Bind(b, v) => (v, Some(StepBinds::Name(b))),
            Step::Pattern(p, v) => (v, Some(StepBinds::Pattern(p))),
            Step::Item(e) => (e, None),
        })
        .collect()
}

fn is_release(psg: &Psg, e: ExprId, mark: BindingId) -> bool {
    let (head, args) = psg.spine(e);
    matches!(
        psg.expr(head).kind,
        ExprKind::Builtin(Builtin::ArenaRelease)
    ) && matches!(
        args.get(1).map(|a| &psg.expr(*a).kind),
        Some(ExprKind::Local(m)) if *m == mark
    )
}

/// One step of straight-line code.
enum Step {
    /// `let b = value` (the value, then the binding).
    Bind(BindingId, ExprId),
    /// `let (a, b) = value`: a match with one rule, the rest of the block its body.
    Pattern(PatId, ExprId),
    /// An item of a block.
    Item(ExprId),
}

fn straight_line(psg: &Psg, e: ExprId, out: &mut Vec<Step>) {
    match &psg.expr(e).kind {
        ExprKind::Let {
            binding,
            value,
            body,
        } => {
            out.push(Step::Bind(*binding, *value));
            straight_line(psg, *body, out);
        }
        ExprKind::LetFunctions { body, .. } => straight_line(psg, *body, out),
        ExprKind::Match { scrutinee, rules } if rules.len() == 1 && rules[0].guard.is_none() => {
            out.push(Step::Pattern(rules[0].pat, *scrutinee));
            straight_line(psg, rules[0].body, out);
        }
        ExprKind::Sequential(items) => {
            for i in items {
                straight_line(psg, *i, out);
            }
        }
        _ => out.push(Step::Item(e)),
    }
}

/// Uses of local names in `e`, including inside the closures it makes.
fn uses(psg: &Psg, e: ExprId) -> Vec<(BindingId, Span)> {
    let mut out = Vec::new();
    let mut seen_fns: FxHashSet<FunctionId> = FxHashSet::default();
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        match psg.expr(x).kind {
            ExprKind::Local(b) => out.push((b, psg.expr(x).span)),
            ExprKind::Function(f) if seen_fns.insert(f) => stack.push(psg.function(f).body),
            _ => {}
        }
        psg.children(x, &mut stack);
    }
    out.sort_by_key(|(_, s)| (s.file, s.start));
    out
}
