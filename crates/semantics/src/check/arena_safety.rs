//! FS8003 for explicit arenas (DESIGN §5, "safety is checked, not hoped for").
//!
//! Two rules, each a flow check within one function body:
//!
//! * **Scope.** What `Arena.alloc`/`Arena.allocArray` (or the methods) make in the
//!   arena of a `use arena = Arena.create n` block must not outlive the block: not be
//!   its result, not be assigned to a `let mutable` declared outside it, not be
//!   stored into an array or `ref` cell from outside it. A value *holds* arena memory
//!   when it is such an allocation, a name bound to one, a tuple, record, list, array
//!   or union built from one, a branch or block whose result is one, a field or
//!   element read from one, or a call given one whose result may hold memory.
//! * **Marks.** After `let m = Arena.mark arena` (or `arena.Mark()`), a value bound
//!   between the mark and `Arena.release arena m` that may hold memory must not be
//!   used after the release, and no `let mutable` from outside may be assigned such
//!   a value in between: the release frees it (implicit allocations go into the
//!   arena too while its block is the current region).
//!
//! Not followed yet: arena memory passed to a function that stores it, or captured
//! by a closure that escapes.

use super::Checker;
use crate::builtins::Builtin;
use crate::psg::{BindingId, ExprId, ExprKind, FunctionId};
use crate::types::{Ty, TyCon};
use composer_diagnostics::{Code, Diagnostic, Span};
use rustc_hash::FxHashSet;

impl Checker<'_> {
    pub(super) fn check_arena_safety(&mut self) {
        let scopes = self.psg.use_scopes.clone();
        let mut keeps = None;
        for scope in scopes {
            let ty = self.u.resolve(&self.psg.binding(scope.binding).ty);
            if matches!(ty, Ty::App(TyCon::Arena, _)) {
                let keeps =
                    keeps.get_or_insert_with(|| crate::regions::may_keep_arguments(&self.psg));
                let keeps = keeps.clone();
                self.check_arena_scope(scope.binding, scope.body, &keeps);
            }
        }
        let marks: Vec<(BindingId, BindingId, ExprId)> = self
            .psg
            .exprs
            .iter()
            .filter_map(|e| match e.kind {
                ExprKind::Let {
                    binding,
                    value,
                    body,
                } => {
                    let (head, args) = self.psg.spine(value);
                    let is_mark = matches!(
                        self.psg.expr(head).kind,
                        ExprKind::Builtin(Builtin::ArenaMark | Builtin::ArenaMarkMethod)
                    );
                    match args.first().map(|a| &self.psg.expr(*a).kind) {
                        Some(ExprKind::Local(arena)) if is_mark => Some((binding, *arena, body)),
                        _ => None,
                    }
                }
                _ => None,
            })
            .collect();
        let keeps = if marks.is_empty() {
            Vec::new()
        } else {
            crate::regions::may_keep_arguments(&self.psg)
        };
        for (mark, arena, body) in marks {
            self.check_mark(mark, arena, body, &keeps);
        }
    }

    // ---- scope ----------------------------------------------------------------

    fn check_arena_scope(&mut self, arena: BindingId, body: ExprId, keeps: &[bool]) {
        let inside = self.psg.declared_in(body);
        let mut held = FxHashSet::default();
        // Evaluation order: names are bound before they are used.
        let mut order = Vec::new();
        preorder(&self.psg, body, &mut order);
        let arena_name = self.psg.binding(arena).name.clone();
        for &e in &order {
            match self.psg.expr(e).kind {
                ExprKind::Let { binding, value, .. } if self.holds(value, arena, &held) => {
                    held.insert(binding);
                }
                ExprKind::Assign { binding, value } => {
                    if !self.holds(value, arena, &held) {
                        continue;
                    }
                    if inside.contains(&binding) {
                        held.insert(binding);
                    } else {
                        let name = self.psg.binding(binding).name.clone();
                        let at = self.psg.expr(e).span;
                        self.diags.push(Diagnostic::error(
                            Code::RegionEscape,
                            at,
                            format!(
                                "'{name}' is assigned memory allocated in the arena '{arena_name}', but '{name}' is declared outside the arena's 'use' block and outlives it: the arena is freed when the block ends. Copy what you need into a value made outside the arena, or declare '{name}' inside the block."
                            ),
                        ));
                    }
                }
                ExprKind::IndexSet { target, value, .. }
                | ExprKind::RefSet {
                    cell: target,
                    value,
                } if self.holds(value, arena, &held) && !self.holds(target, arena, &held) => {
                    let outside = match self.psg.expr(target).kind {
                        ExprKind::Local(b) => !inside.contains(&b),
                        _ => true,
                    };
                    if outside {
                        let at = self.psg.expr(e).span;
                        self.diags.push(Diagnostic::error(
                                Code::RegionEscape,
                                at,
                                format!(
                                    "This stores memory allocated in the arena '{arena_name}' into an array or cell that outlives the arena's 'use' block: the arena is freed when the block ends. Copy what you need instead."
                                ),
                            ));
                    }
                }
                ExprKind::App { .. } => {
                    // Arena memory given to a function that may keep what it is given.
                    let (head, args) = self.psg.spine(e);
                    let ExprKind::Function(f) = self.psg.expr(head).kind else {
                        continue;
                    };
                    if !keeps.get(f.index()).copied().unwrap_or(true) {
                        continue;
                    }
                    if args.iter().any(|a| self.holds(*a, arena, &held)) {
                        let name = self.psg.function(f).name.clone();
                        let at = self.psg.expr(e).span;
                        self.diags.push(Diagnostic::error(
                            Code::RegionEscape,
                            at,
                            format!(
                                "This passes memory allocated in the arena '{arena_name}' to '{name}', which may keep it somewhere that outlives the arena's 'use' block (it stores values outside its frame or calls unknown code). Pass a copy made outside the arena."
                            ),
                        ));
                    }
                }
                _ => {}
            }
        }
        if self.holds(body, arena, &held) {
            self.diags.push(Diagnostic::error(
                Code::RegionEscape,
                self.psg.binding(arena).span,
                format!(
                    "The result of this 'use' block holds memory allocated in the arena '{arena_name}', which is freed when the block ends. Return a value made outside the arena (copy what you need), or allocate it without the arena."
                ),
            ));
        }
    }

    /// Whether the value of `e` may hold memory allocated in `arena` (`held`: names
    /// known to).
    fn holds(&self, e: ExprId, arena: BindingId, held: &FxHashSet<BindingId>) -> bool {
        let psg = &self.psg;
        let may_hold_memory = |this: &Self| this.heap_like(&this.u.resolve(psg.ty(e)));
        match &psg.expr(e).kind {
            ExprKind::Local(b) => held.contains(b),
            ExprKind::App { .. } => {
                let (head, args) = psg.spine(e);
                let allocates_here = matches!(
                    psg.expr(head).kind,
                    ExprKind::Builtin(
                        Builtin::ArenaAlloc | Builtin::ArenaAllocArray | Builtin::ArenaAllocMethod
                    )
                ) && matches!(
                    args.first().map(|a| &psg.expr(*a).kind),
                    Some(ExprKind::Local(a)) if *a == arena
                );
                // A call given the arena itself may return memory from it.
                let given_the_arena = args
                    .iter()
                    .any(|a| matches!(psg.expr(*a).kind, ExprKind::Local(x) if x == arena));
                allocates_here
                    || (may_hold_memory(self)
                        && (given_the_arena || args.iter().any(|a| self.holds(*a, arena, held))))
            }
            ExprKind::Tuple(items) | ExprKind::ArrayLit(items) => {
                items.iter().any(|i| self.holds(*i, arena, held))
            }
            ExprKind::Record { fields, .. } => {
                fields.iter().any(|(_, f)| self.holds(*f, arena, held))
            }
            ExprKind::RecordUpdate { base, fields } => {
                self.holds(*base, arena, held)
                    || fields.iter().any(|(_, f)| self.holds(*f, arena, held))
            }
            ExprKind::ListCons { head, tail } => {
                self.holds(*head, arena, held) || self.holds(*tail, arena, held)
            }
            ExprKind::If {
                then_branch,
                else_branch,
                ..
            } => {
                self.holds(*then_branch, arena, held)
                    || else_branch.is_some_and(|e| self.holds(e, arena, held))
            }
            ExprKind::Match { rules, .. } => rules.iter().any(|r| self.holds(r.body, arena, held)),
            ExprKind::Let { body, .. } | ExprKind::LetFunctions { body, .. } => {
                self.holds(*body, arena, held)
            }
            ExprKind::Sequential(items) => {
                items.last().is_some_and(|l| self.holds(*l, arena, held))
            }
            ExprKind::Field { target, .. }
            | ExprKind::Index { target, .. }
            | ExprKind::RefGet(target) => may_hold_memory(self) && self.holds(*target, arena, held),
            _ => false,
        }
    }

    // ---- marks ----------------------------------------------------------------

    fn check_mark(&mut self, mark: BindingId, arena: BindingId, body: ExprId, keeps: &[bool]) {
        // The straight-line code after the mark: `let`s and block items, in order.
        let mut steps = Vec::new();
        straight_line(&self.psg, body, &mut steps);
        let mark_name = self.psg.binding(mark).name.clone();
        let arena_name = self.psg.binding(arena).name.clone();
        // The mark may only be released directly, as a statement of the block that
        // made it: released in a branch, a loop, a closure or a helper function,
        // what the checks below rely on would not hold.
        let allowed: Vec<Span> = steps
            .iter()
            .filter_map(|s| match s {
                Step::Item(e) if self.is_release(*e, mark) => {
                    self.psg.spine(*e).1.get(1).map(|m| self.psg.expr(*m).span)
                }
                _ => None,
            })
            .collect();
        for (b, at) in uses(&self.psg, body) {
            if b == mark && !allowed.contains(&at) {
                self.diags.push(Diagnostic::error(
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
            Step::Item(e) => self.is_release(*e, mark),
            Step::Bind(..) => false,
        }) else {
            return;
        };
        let inside = self.psg.declared_in(body);
        let mut bound_after_mark = Vec::new();
        for step in &steps[..release_at] {
            let e = match *step {
                Step::Bind(b, value) => {
                    let ty = self.u.resolve(&self.psg.binding(b).ty);
                    if self.heap_like(&ty) {
                        bound_after_mark.push(b);
                    }
                    value
                }
                Step::Item(e) => e,
            };
            let mut order = Vec::new();
            preorder(&self.psg, e, &mut order);
            for x in order {
                let stored = match self.psg.expr(x).kind {
                    ExprKind::IndexSet { target, value, .. }
                    | ExprKind::RefSet {
                        cell: target,
                        value,
                    } => Some((target, value)),
                    _ => None,
                };
                if let Some((target, value)) = stored {
                    let ty = self.u.resolve(self.psg.ty(value));
                    let fresh = matches!(self.psg.expr(target).kind,
                        ExprKind::Local(b) if inside.contains(&b) && bound_after_mark.contains(&b));
                    if self.heap_like(&ty) && !fresh {
                        self.diags.push(Diagnostic::error(
                            Code::RegionEscape,
                            self.psg.expr(x).span,
                            format!(
                                "This stores a value made after the mark '{mark_name}' into an array or cell made before it, which still holds it after 'Arena.release {arena_name} {mark_name}' frees it. Store it after the release, or copy what you need."
                            ),
                        ));
                    }
                }
                if let ExprKind::App { .. } = self.psg.expr(x).kind {
                    let (head, args) = self.psg.spine(x);
                    if let ExprKind::Function(f) = self.psg.expr(head).kind {
                        let may_keep = keeps.get(f.index()).copied().unwrap_or(true);
                        let gives_memory = args
                            .iter()
                            .any(|a| self.heap_like(&self.u.resolve(self.psg.ty(*a))));
                        if may_keep && gives_memory {
                            let name = self.psg.function(f).name.clone();
                            self.diags.push(Diagnostic::error(
                                Code::RegionEscape,
                                self.psg.expr(x).span,
                                format!(
                                    "Between the mark '{mark_name}' and its release this gives '{name}' a value that may hold memory, and '{name}' may keep it somewhere that outlives 'Arena.release {arena_name} {mark_name}'. Call it before the mark or after the release."
                                ),
                            ));
                        }
                    }
                }
                if let ExprKind::Assign { binding, value } = self.psg.expr(x).kind {
                    let ty = self.u.resolve(self.psg.ty(value));
                    if self.heap_like(&ty) && !inside.contains(&binding) {
                        let name = self.psg.binding(binding).name.clone();
                        self.diags.push(Diagnostic::error(
                            Code::RegionEscape,
                            self.psg.expr(x).span,
                            format!(
                                "'{name}' is assigned a value made after the mark '{mark_name}', which 'Arena.release {arena_name} {mark_name}' frees while '{name}' still holds it. Assign it after the release, or copy what you need into a value made before the mark."
                            ),
                        ));
                    }
                }
            }
        }
        let mut reported = FxHashSet::default();
        for step in &steps[release_at + 1..] {
            let e = match *step {
                Step::Bind(_, value) => value,
                Step::Item(e) => e,
            };
            for (b, at) in uses(&self.psg, e) {
                if bound_after_mark.contains(&b) && reported.insert(b) {
                    let name = self.psg.binding(b).name.clone();
                    self.diags.push(Diagnostic::error(
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

    /// Whether a value of this (resolved) type may hold region or arena memory.
    fn heap_like(&self, ty: &Ty) -> bool {
        crate::regions::holds_memory(&self.psg, ty, &mut Default::default())
    }

    fn is_release(&self, e: ExprId, mark: BindingId) -> bool {
        let (head, args) = self.psg.spine(e);
        matches!(
            self.psg.expr(head).kind,
            ExprKind::Builtin(Builtin::ArenaRelease)
        ) && matches!(
            args.get(1).map(|a| &self.psg.expr(*a).kind),
            Some(ExprKind::Local(m)) if *m == mark
        )
    }
}

/// One step of straight-line code.
enum Step {
    /// `let b = value` (the value, then the binding).
    Bind(BindingId, ExprId),
    /// An item of a block.
    Item(ExprId),
}

fn straight_line(psg: &crate::psg::Psg, e: ExprId, out: &mut Vec<Step>) {
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
        ExprKind::Sequential(items) => {
            for i in items {
                straight_line(psg, *i, out);
            }
        }
        _ => out.push(Step::Item(e)),
    }
}

/// Uses of local names in `e`, including inside the closures it makes.
fn uses(psg: &crate::psg::Psg, e: ExprId) -> Vec<(BindingId, Span)> {
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

/// The expressions of `e` in evaluation order (children after their parent for
/// `let`, which binds before its body runs).
fn preorder(psg: &crate::psg::Psg, e: ExprId, out: &mut Vec<ExprId>) {
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        out.push(x);
        let before = stack.len();
        psg.children(x, &mut stack);
        stack[before..].reverse();
    }
}
