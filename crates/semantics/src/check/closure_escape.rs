//! Which closures can outlive the frame that makes them.
//!
//! Two decisions rest on it. FS8003: a closure may use a `let mutable` of an
//! enclosing function (by address) only while it cannot outlive that function's
//! frame. And stack environments: a closure that cannot outlive the frame that makes
//! it gets its environment in that frame instead of the root region
//! (`Psg::stack_closures`).
//!
//! The analysis follows values, not types. Its *origins* are the things whose escape
//! matters: a use of a `let mutable` inside a closure, a closure-making expression
//! (a site), and every binding (parameters and `let` values). A use of an expression
//! that carries an origin is one of: local (called, thrown away, passed to a
//! builtin that keeps nothing), returned from a function, stored (in a tuple, record,
//! list, array, union case, `Some`, a cell, a global, a mutable, or given to a
//! function value whose code is unknown), or flowing into a binding (a `let`, or a
//! parameter of a known function). An origin escapes when it is returned or stored,
//! or flows into a binding that escapes: the least fixed point of those edges, so
//! recursion (`List.iter` passing `action` to its inner loop) does not make a
//! parameter escape by itself. Matching on a value that carries an origin counts as
//! storing it (the pattern's variables would alias it).
//!
//! One more case keeps a site off the stack without it escaping: a closure made in
//! a frame and passed to a self tail call of that function. Self tail calls become jumps
//! that reuse the frame, and the next round would overwrite the environment the
//! passed closure still points to.

use super::Checker;
use crate::builtins::Builtin;
use crate::psg::{BindingId, ExprId, ExprKind, FunctionId, TopItem};
use composer_diagnostics::{Code, Diagnostic, Span};
use rustc_hash::FxHashMap;

/// How the value of an expression is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    /// Called, or thrown away.
    Local,
    /// Becomes the result of this function.
    Returned(FunctionId),
    /// Stored somewhere that may outlive the frame.
    Stored,
    /// Becomes the value of this binding (a `let`, or a parameter of a known
    /// function; `self_call` when that function is the one making the call, in
    /// tail position: a jump that reuses the frame).
    Into { binding: BindingId, self_call: bool },
    /// Passed to a self-call of this function, which may reuse the frame (only
    /// recorded as the reason a captured `let mutable` escapes).
    Recursive(FunctionId),
}

/// Something whose escape matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Origin {
    /// An entry of `mutable_captures`: a use of a `let mutable` inside a closure.
    Mutable(usize),
    /// An expression that makes a closure.
    Site(ExprId),
    Binding(BindingId),
}

impl Checker<'_> {
    pub(crate) fn check_closure_escape(&mut self) {
        // Functions carry the mutable uses and the parameters they capture.
        let mut carried: FxHashMap<FunctionId, Vec<Origin>> = FxHashMap::default();
        for (i, (b, f, _)) in self.mutable_captures.iter().enumerate() {
            self.carry(&mut carried, *f, *b, Origin::Mutable(i));
        }
        for (i, f) in self.psg.functions.iter().enumerate() {
            for c in &f.captures {
                self.carry(&mut carried, FunctionId(i as u32), *c, Origin::Binding(*c));
            }
        }
        let mut events: Vec<(Origin, Use)> = Vec::new();
        let mut sites: Vec<ExprId> = Vec::new();
        {
            let mut walker = Walker {
                checker: self,
                carried: &carried,
                current: None,
                events: &mut events,
                sites: &mut sites,
            };
            for (i, f) in walker.checker.psg.functions.iter().enumerate() {
                if f.body.0 != u32::MAX {
                    let fid = FunctionId(i as u32);
                    walker.current = Some(fid);
                    walker.walk(f.body, Use::Returned(fid));
                }
            }
            walker.current = None;
            for item in &walker.checker.psg.top_level {
                match item {
                    TopItem::Global { value, .. } | TopItem::Destructure { value, .. } => {
                        walker.walk(*value, Use::Stored)
                    }
                    TopItem::Do(e) => walker.walk(*e, Use::Local),
                }
            }
        }
        // Least fixed point: an origin escapes when it is used in an escaping way, or
        // flows into a binding that escapes. The first escaping use is kept for the
        // message.
        let mut escaping: FxHashMap<Origin, Use> = FxHashMap::default();
        for (o, how) in &events {
            if matches!(how, Use::Returned(_) | Use::Stored) {
                escaping.entry(*o).or_insert(*how);
            }
        }
        // Origins passed to a self-call, with the function called: closed backwards
        // along `let` bindings only. A parameter passed on points into an older
        // frame, which the self-call does not reuse.
        let is_param = |b: &BindingId| {
            matches!(
                self.psg.bindings[b.index()].kind,
                crate::psg::BindingKind::Param
            )
        };
        let mut self_passed: FxHashMap<Origin, Option<FunctionId>> = FxHashMap::default();
        for (o, how) in &events {
            if let Use::Into {
                binding,
                self_call: true,
            } = how
            {
                let callee = self.psg.bindings[binding.index()].owner;
                self_passed.entry(*o).or_insert(callee);
            }
        }
        loop {
            let mut changed = false;
            for (o, how) in &events {
                if let Use::Into { binding, .. } = how {
                    let target = Origin::Binding(*binding);
                    if !escaping.contains_key(o) {
                        if let Some(why) = escaping.get(&target) {
                            let why = match why {
                                Use::Returned(_) | Use::Stored => *how,
                                other => *other,
                            };
                            escaping.insert(*o, why);
                            changed = true;
                        }
                    }
                    if !is_param(binding) && !self_passed.contains_key(o) {
                        if let Some(&callee) = self_passed.get(&target) {
                            self_passed.insert(*o, callee);
                            changed = true;
                        }
                    }
                }
            }
            if !changed {
                break;
            }
        }
        // A `let mutable` of the self-called function's own frame, used by a
        // closure passed to the self-call: a self tail call is a jump that reuses
        // the variable's slot.
        for (o, callee) in &self_passed {
            if let Origin::Mutable(i) = o {
                let (b, _, _) = self.mutable_captures[*i];
                if self.psg.bindings[b.index()].owner == *callee && !escaping.contains_key(o) {
                    escaping.insert(
                        *o,
                        Use::Recursive(callee.expect("a self-call has a callee")),
                    );
                }
            }
        }
        self.psg.closure_sites = sites.clone();
        self.psg.stack_closures = sites
            .into_iter()
            .filter(|s| {
                let o = Origin::Site(*s);
                !escaping.contains_key(&o) && !self_passed.contains_key(&o)
            })
            .collect();
        self.report_escaping_mutables(&escaping);
    }

    /// FS8003, once per variable, at its first use in a closure that escapes.
    fn report_escaping_mutables(&mut self, escaping: &FxHashMap<Origin, Use>) {
        let mut uses: Vec<(Span, BindingId, Use)> = escaping
            .iter()
            .filter_map(|(o, how)| match o {
                Origin::Mutable(i) => {
                    let (b, _, span) = self.mutable_captures[*i];
                    Some((span, b, *how))
                }
                _ => None,
            })
            .collect();
        uses.sort_by_key(|(span, _, _)| (span.start, span.end));
        let mut reported: Vec<BindingId> = Vec::new();
        for (span, b, how) in uses {
            if reported.contains(&b) {
                continue;
            }
            reported.push(b);
            let path = match how {
                Use::Returned(g) => format!(
                    "the closure is returned from '{}'",
                    self.psg.functions[g.index()].name
                ),
                Use::Into { binding, .. } => match self.psg.bindings[binding.index()].owner {
                    Some(g) if self.psg.functions[g.index()].params.contains(&binding) => {
                        format!(
                            "the closure is passed to '{}', which lets it escape",
                            self.psg.functions[g.index()].name
                        )
                    }
                    _ => format!(
                        "the closure is bound to '{}', which escapes",
                        self.psg.bindings[binding.index()].name
                    ),
                },
                Use::Recursive(g) => format!(
                    "the closure is passed to a recursive call of '{}', which reuses the variable's frame",
                    self.psg.functions[g.index()].name
                ),
                _ => "the closure is stored where it outlives the frame".to_string(),
            };
            let name = self.psg.bindings[b.index()].name.clone();
            self.diags.push(Diagnostic::error(
                Code::RegionEscape,
                span,
                format!("The mutable variable '{name}' is captured by a closure that escapes its frame ({path}). Use a 'ref' cell instead."),
            ));
        }
    }

    /// `f` captures `b`: it and every function on the way out to `b`'s owner carry
    /// `origin` (each of them holds `b` in its environment).
    fn carry(
        &self,
        carried: &mut FxHashMap<FunctionId, Vec<Origin>>,
        f: FunctionId,
        b: BindingId,
        origin: Origin,
    ) {
        let owner = self.psg.bindings[b.index()].owner;
        let mut cur = Some(f);
        while let Some(fid) = cur {
            if Some(fid) == owner {
                break;
            }
            let list = carried.entry(fid).or_default();
            if !list.contains(&origin) {
                list.push(origin);
            }
            cur = self.psg.functions[fid.index()].parent;
        }
    }
}

struct Walker<'w, 'c> {
    checker: &'w Checker<'c>,
    carried: &'w FxHashMap<FunctionId, Vec<Origin>>,
    /// The function whose body is being walked (`None` at top level).
    current: Option<FunctionId>,
    events: &'w mut Vec<(Origin, Use)>,
    sites: &'w mut Vec<ExprId>,
}

impl Walker<'_, '_> {
    /// Records that the value of `e` (an expression that may make a closure or
    /// read a binding) is used as `how`.
    fn note(&mut self, e: ExprId, how: Use, site: bool) {
        let psg = &self.checker.psg;
        let mut origins: Vec<Origin> = match &psg.expr(e).kind {
            ExprKind::Function(f) => self.carried.get(f).cloned().unwrap_or_default(),
            ExprKind::Local(b) => vec![Origin::Binding(*b)],
            _ => Vec::new(),
        };
        if site {
            self.sites.push(e);
            origins.push(Origin::Site(e));
        }
        if how != Use::Local {
            self.events.extend(origins.into_iter().map(|o| (o, how)));
        }
    }

    fn walk(&mut self, e: ExprId, how: Use) {
        let psg = &self.checker.psg;
        match &psg.expr(e).kind {
            ExprKind::Function(_) => self.note(e, how, true),
            ExprKind::Local(_) => self.note(e, how, false),
            ExprKind::App { .. } => self.walk_app(e, how),
            ExprKind::If {
                cond,
                then_branch,
                else_branch,
            } => {
                self.walk(*cond, Use::Local);
                self.walk(*then_branch, how);
                if let Some(e) = else_branch {
                    self.walk(*e, how);
                }
            }
            ExprKind::Match { scrutinee, rules } => {
                // Pattern variables would alias the value: count it as stored.
                self.walk(*scrutinee, Use::Stored);
                for r in rules {
                    if let Some(g) = r.guard {
                        self.walk(g, Use::Local);
                    }
                    self.walk(r.body, how);
                }
            }
            ExprKind::Let {
                binding,
                value,
                body,
            } => {
                let into = if psg.bindings[binding.index()].is_mutable {
                    Use::Stored
                } else {
                    Use::Into {
                        binding: *binding,
                        self_call: false,
                    }
                };
                self.walk(*value, into);
                self.walk(*body, how);
            }
            ExprKind::LetFunctions { body, .. } => self.walk(*body, how),
            ExprKind::Sequential(items) => {
                for (i, item) in items.iter().enumerate() {
                    let h = if i + 1 == items.len() {
                        how
                    } else {
                        Use::Local
                    };
                    self.walk(*item, h);
                }
            }
            ExprKind::Tuple(items) | ExprKind::ArrayLit(items) => {
                for i in items {
                    self.walk(*i, Use::Stored);
                }
            }
            ExprKind::Record { fields, .. } => {
                for (_, v) in fields {
                    self.walk(*v, Use::Stored);
                }
            }
            ExprKind::RecordUpdate { base, fields } => {
                self.walk(*base, Use::Local);
                for (_, v) in fields {
                    self.walk(*v, Use::Stored);
                }
            }
            ExprKind::ListCons { head, tail } => {
                self.walk(*head, Use::Stored);
                self.walk(*tail, Use::Stored);
            }
            ExprKind::Assign { value, .. } | ExprKind::RefSet { value, .. } => {
                self.walk(*value, Use::Stored)
            }
            ExprKind::IndexSet {
                target,
                index,
                value,
            } => {
                self.walk(*target, Use::Local);
                self.walk(*index, Use::Local);
                self.walk(*value, Use::Stored);
            }
            ExprKind::While { cond, body } => {
                self.walk(*cond, Use::Local);
                self.walk(*body, Use::Local);
            }
            ExprKind::For {
                start,
                end,
                step,
                body,
                ..
            } => {
                self.walk(*start, Use::Local);
                self.walk(*end, Use::Local);
                if let Some(s) = step {
                    self.walk(*s, Use::Local);
                }
                self.walk(*body, Use::Local);
            }
            ExprKind::ForEach { source, body, .. } => {
                self.walk(*source, Use::Local);
                self.walk(*body, Use::Local);
            }
            ExprKind::Unary { operand, .. } => self.walk(*operand, Use::Local),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.walk(*lhs, Use::Local);
                self.walk(*rhs, Use::Local);
            }
            ExprKind::Member { target, .. }
            | ExprKind::Field { target, .. }
            | ExprKind::RefGet(target) => self.walk(*target, Use::Local),
            ExprKind::Index { target, index } => {
                self.walk(*target, Use::Local);
                self.walk(*index, Use::Local);
            }
            ExprKind::Interpolated(parts) => {
                for p in parts {
                    if let crate::psg::InterpolatedPart::Hole { expr, .. } = p {
                        self.walk(*expr, Use::Local);
                    }
                }
            }
            ExprKind::Builtin(_) | ExprKind::Format { .. } | ExprKind::UnionCase { .. } => {
                // Used as a function value: a closure with nothing inside.
                self.note(e, how, true)
            }
            ExprKind::Const(_) | ExprKind::ListNil | ExprKind::Error => {}
        }
    }

    /// A call. The head is called, not stored. A full call of a known function
    /// binds its arguments to its parameters; a union case, `Some` or `ref` stores
    /// them; other builtins give them back in their result (`id`, `fst`,
    /// `Array.create`), so they are used like the result; a format keeps nothing; a
    /// partial application makes a closure that holds them; an unknown function may
    /// keep them.
    fn walk_app(&mut self, e: ExprId, how: Use) {
        let psg = &self.checker.psg;
        let mut head = e;
        let mut args = Vec::new();
        while let ExprKind::App { func, arg } = &psg.expr(head).kind {
            args.push(*arg);
            head = *func;
        }
        args.reverse();
        let head_kind = &psg.expr(head).kind;
        let arity = match head_kind {
            ExprKind::Function(g) => psg.functions[g.index()].params.len(),
            ExprKind::Builtin(b) => b.arity(),
            ExprKind::Format { spec, .. } => spec.args().count(),
            ExprKind::UnionCase { .. } => 1,
            _ => 0,
        };
        let partial = args.len() < arity;
        if partial {
            // The closure of the partial application holds the callee's captures
            // and the arguments so far.
            self.note(head, how, false);
            self.note(e, how, true);
        } else if !matches!(head_kind, ExprKind::Function(_)) {
            // A function value applied: when the result is a function again, it may
            // be the value's own closure with this argument added (a copy of its
            // environment), so it carries what the value carries.
            let result = self.checker.u.shallow(psg.ty(e));
            let head_use = if matches!(result, crate::types::Ty::Fun(..)) {
                how
            } else {
                Use::Local
            };
            self.walk(head, head_use);
        }
        // A self-call in tail position is a jump that reuses this frame.
        let current = self.current;
        let tail_self_call = |g: FunctionId| Some(g) == current && how == Use::Returned(g);
        for (k, a) in args.iter().enumerate() {
            let use_ = if partial {
                // Kept in the partial application's environment, which is used
                // like the application.
                how
            } else if k >= arity {
                // Given to the function value the call returns.
                Use::Stored
            } else {
                match head_kind {
                    ExprKind::Function(g) => Use::Into {
                        binding: psg.functions[g.index()].params[k],
                        self_call: tail_self_call(*g),
                    },
                    ExprKind::UnionCase { .. }
                    | ExprKind::Builtin(Builtin::Some | Builtin::Ref) => Use::Stored,
                    // Running a seq calls the generator, which calls the consumer
                    // while the run lasts; neither is kept (library generators
                    // never store their consumer).
                    ExprKind::Builtin(Builtin::SeqRun) => Use::Local,
                    ExprKind::Builtin(_) => how,
                    ExprKind::Format { .. } => Use::Local,
                    _ => Use::Stored,
                }
            };
            self.walk(*a, use_);
        }
    }
}
