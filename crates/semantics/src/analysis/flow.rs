//! Value flow: the one escape analysis of the compiler (DESIGN §5, "one value-flow
//! analysis answers every escape question").
//!
//! Every memory question is the same question about a different *extent* of the
//! program — a stretch of evaluation after which some memory is given back:
//!
//! | question | extent | origins followed |
//! |---|---|---|
//! | may a closure's environment live on the stack? may a closure keep a `let mutable`'s address? | a function's frame (its body) | each closure site, each captured `let mutable` |
//! | does arena memory outlive its `use` block? | the block | what `Arena.alloc`/`allocArray` (or a call given the arena) makes |
//! | does memory made after `Arena.mark` outlive `Arena.release`? | the statements between them | everything they allocate |
//! | may a loop iteration, a tail-recursive round, an arena block reset its region? | the iteration, round or block | everything they allocate |
//!
//! For an extent, [`Run`] computes for every expression and binding the set of
//! *origins* its value may reach (its points-to set, made deep: a tuple, record,
//! list, array, option, union, closure or seq reaches what its parts reach; a field,
//! element, pattern variable or `for` variable reaches what the whole reaches). It is
//! an inclusion-based, flow-insensitive analysis in the style of Andersen ("Program
//! Analysis and Specialization for the C Programming Language", 1994) restricted to
//! one extent at a time, iterated to its least fixed point, with escape summaries of
//! functions in the style of Choi et al. ("Escape Analysis for Java", OOPSLA 1999)
//! and Whaley & Rinard (OOPSLA 1999): for each function, where it may put each of
//! its inputs (parameters and captured variables) and its own allocations — into a
//! variable outside its frame (`into`), or somewhere older than the call (`far`:
//! a global, an array or cell it was given, code it cannot see) — and which inputs
//! it calls. Summaries are computed from the code of every function, the standard
//! library's Clef code included, as a least fixed point over the call graph; a call
//! of a higher-order function is resolved at the call site, where the closure
//! passed is usually known (`List.iter (fun x -> …) xs`).
//!
//! An origin *escapes* its extent when a value reaching it is: the extent's result
//! (a function's return value, a `use` block's result), assigned to a variable
//! declared outside the extent, stored into an array or cell not made inside the
//! extent, passed to a function whose summary keeps it, given to code that is not
//! known, or (for a frame) passed to a self tail call, which reuses the frame.
//! Values whose type cannot hold memory (numbers, `bool`, `unit`, tuples of them)
//! reach nothing. `docs/memory-model.md` gives the soundness argument.

use super::{has_body, Analysis, FunctionSummary};
use crate::builtins::Builtin;
use crate::psg::{BindingId, ExprId, ExprKind, FormatKind, FunctionId, PatId, Psg};
use crate::types::{Prim, Ty, TyCon};
use composer_diagnostics::Span;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{BTreeMap, BTreeSet};

/// Something whose escape matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    /// The environment of the closure made by this expression.
    Site(ExprId),
    /// The address of a `let mutable` that closures use.
    Mutable(BindingId),
    /// Memory allocated inside the extent (by it or by what it calls).
    Fresh,
    /// Memory of this arena, allocated explicitly inside the extent.
    Arena(BindingId),
    /// The value of an input (parameter or captured variable) of the function
    /// being summarised.
    Input(BindingId),
}

/// A small sorted set of origins.
pub type Origins = Vec<Origin>;

fn union_into(into: &mut Origins, from: &[Origin]) -> bool {
    let mut changed = false;
    for o in from {
        if let Err(i) = into.binary_search(o) {
            into.insert(i, *o);
            changed = true;
        }
    }
    changed
}

/// Where a function may put one of its inputs or its own allocations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Keep {
    /// Variables outside the function's frame it assigns the value to.
    pub into: BTreeSet<BindingId>,
    /// Somewhere older than the call (the first reason found).
    pub far: Option<String>,
}

impl Keep {
    fn is_empty(&self) -> bool {
        self.into.is_empty() && self.far.is_none()
    }
}

/// The summary's escape part (step 2 of `Analysis::new`).
impl<'p> Analysis<'p> {
    /// Solves the escape part of every summary, dropping the assumption that
    /// generators never keep their consumer if it fails (`generators_keep`).
    pub(super) fn solve_escape_summaries(&mut self) {
        self.solve_escape_fixed_point();
        if self.some_generator_keeps() {
            self.generators_keep = true;
            for s in &mut self.summaries {
                *s = FunctionSummary {
                    self_tail_calls: std::mem::take(&mut s.self_tail_calls),
                    ..FunctionSummary::default()
                };
            }
            self.solve_escape_fixed_point();
        }
    }

    /// The least fixed point of the escape summaries over the call graph.
    fn solve_escape_fixed_point(&mut self) {
        let psg = self.psg;
        loop {
            let mut changed = false;
            for f in 0..psg.functions.len() {
                let fid = FunctionId(f as u32);
                if !has_body(psg, fid) {
                    continue;
                }
                let s = self.summarise_escape(fid);
                if !s.same_escape_shape(&self.summaries[f]) {
                    let own = &mut self.summaries[f];
                    own.inputs = s.inputs;
                    own.fresh = s.fresh;
                    own.calls = s.calls;
                    own.unknown = s.unknown;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    fn some_generator_keeps(&self) -> bool {
        let psg = self.psg;
        psg.exprs.iter().any(|e| {
            let ExprKind::App { func, arg } = e.kind else {
                return false;
            };
            if !matches!(psg.expr(func).kind, ExprKind::Builtin(Builtin::SeqMake)) {
                return false;
            }
            let (head, _) = psg.spine(arg);
            match psg.expr(head).kind {
                ExprKind::Function(g) => psg
                    .function(g)
                    .params
                    .first()
                    .and_then(|k| self.summaries[g.index()].inputs.get(k))
                    .is_some_and(|keep| !keep.is_empty()),
                _ => true,
            }
        })
    }

    fn summarise_escape(&self, f: FunctionId) -> FunctionSummary {
        let psg = self.psg;
        let func = psg.function(f);
        let mut local = psg.declared_in(func.body);
        local.extend(func.params.iter().copied());
        let mut run = Run::new(self, Mode::Summary, local, Some(f));
        for &b in func.params.iter().chain(func.captures.iter()) {
            if self.heap_bindings[b.index()] {
                run.vals.insert(b, vec![Origin::Input(b)]);
            }
        }
        run.solve(&[func.body]);
        run.summary
    }

    /// Runs one extent to its fixed point.
    pub fn run(
        &self,
        mode: Mode,
        roots: &[ExprId],
        local: FxHashSet<BindingId>,
        owner: Option<FunctionId>,
    ) -> Run<'_, 'p> {
        let mut run = Run::new(self, mode, local, owner);
        run.solve(roots);
        run
    }
}

/// The names a straight-line step binds (`Run::solve_steps`).
#[derive(Debug, Clone, Copy)]
pub enum StepBinds {
    Name(BindingId),
    Pattern(PatId),
}

/// What a run follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Closure environments (`Origin::Site`) and `let mutable` addresses.
    Closures,
    /// Everything allocated; `strict`: calling code that is not known is an escape
    /// too (it may keep what it allocates itself).
    Fresh { strict: bool },
    /// What is allocated explicitly in this arena.
    Arena(BindingId),
    /// The inputs and allocations of a function, for its summary.
    Summary,
}

/// Why a value escapes.
#[derive(Debug, Clone)]
enum Why {
    /// Assigned to a variable outside the extent (perhaps by a callee).
    Assign {
        binding: BindingId,
        via: Option<String>,
    },
    Far(String),
}

/// The first way an origin escapes.
#[derive(Debug, Clone)]
pub struct Escape {
    pub span: Span,
    /// How, as a phrase: "it is assigned to `keep`, declared outside it".
    pub path: String,
    /// The variable declared outside the extent it is assigned to, when that is how.
    pub assigned: Option<BindingId>,
}

/// What a function value is.
enum Code {
    Known(FunctionId),
    Input(BindingId),
    /// A builtin, a format, a union case: keeps nothing it is given.
    Harmless,
    Unknown,
}

pub struct Run<'f, 'p> {
    flow: &'f Analysis<'p>,
    mode: Mode,
    local: FxHashSet<BindingId>,
    owner: Option<FunctionId>,
    vals: FxHashMap<BindingId, Origins>,
    values: FxHashMap<ExprId, Origins>,
    changed: bool,
    /// The first escape of each origin (extent modes).
    pub escapes: BTreeMap<Origin, Escape>,
    summary: FunctionSummary,
    /// Closure sites met (`Mode::Closures`), in evaluation order.
    pub sites: Vec<ExprId>,
    site_set: FxHashSet<ExprId>,
    /// Functions whose code is being applied (a function that calls, through
    /// closures, a function already being applied adds nothing new).
    applying: Vec<FunctionId>,
}

impl<'f, 'p> Run<'f, 'p> {
    fn new(
        flow: &'f Analysis<'p>,
        mode: Mode,
        local: FxHashSet<BindingId>,
        owner: Option<FunctionId>,
    ) -> Self {
        let mut vals = FxHashMap::default();
        if let Mode::Arena(arena) = mode {
            // The handle reaches the arena: an alias of it, a closure or a partial
            // application holding it, a function given it, all may allocate there.
            vals.insert(arena, vec![Origin::Arena(arena)]);
        }
        Run {
            flow,
            mode,
            local,
            owner,
            vals,
            values: FxHashMap::default(),
            changed: false,
            escapes: BTreeMap::new(),
            summary: FunctionSummary::default(),
            sites: Vec::new(),
            site_set: FxHashSet::default(),
            applying: Vec::new(),
        }
    }

    fn solve(&mut self, roots: &[ExprId]) {
        loop {
            self.changed = false;
            for &r in roots {
                self.eval(r);
            }
            if !self.changed {
                break;
            }
        }
    }

    /// Solves straight-line steps: each value, then the names it binds.
    pub fn solve_steps(&mut self, steps: &[(ExprId, Option<StepBinds>)]) {
        loop {
            self.changed = false;
            for (e, binds) in steps {
                let v = self.eval(*e);
                match binds {
                    Some(StepBinds::Name(b)) => self.flow_into(*b, &v),
                    Some(StepBinds::Pattern(p)) => self.bind_pattern(*p, &v),
                    None => {}
                }
            }
            if !self.changed {
                break;
            }
        }
    }

    /// What the value of `e` may reach (after `solve`).
    pub fn value(&self, e: ExprId) -> &[Origin] {
        self.values.get(&e).map(|v| v.as_slice()).unwrap_or(&[])
    }

    /// What the binding may reach (after `solve`).
    pub fn binding_value(&self, b: BindingId) -> &[Origin] {
        self.vals.get(&b).map(|v| v.as_slice()).unwrap_or(&[])
    }

    /// Records that the extent's result is `e` and that it must not escape (`what`:
    /// "returned from `f`", "the result of the block").
    pub fn result_escapes(&mut self, e: ExprId, what: &str) {
        let v = self.value(e).to_vec();
        // Point at the expression that gives the result, not the whole block.
        let psg = self.flow.psg;
        let mut at = e;
        loop {
            match &psg.expr(at).kind {
                ExprKind::Let { body, .. } | ExprKind::LetFunctions { body, .. } => at = *body,
                ExprKind::Sequential(items) if !items.is_empty() => at = items[items.len() - 1],
                ExprKind::Match { rules, .. } if rules.len() == 1 => at = rules[0].body,
                _ => break,
            }
        }
        // A closure over a `let mutable` of an enclosing frame may leave this frame:
        // the variable outlives it, and the caller's run sees the address in the
        // call's result (`eval_app`, `call_code`).
        let owner = self.owner;
        let v: Origins = v
            .into_iter()
            .filter(|o| match (o, owner) {
                (Origin::Mutable(c), Some(g)) => psg.binding(*c).owner == Some(g),
                _ => true,
            })
            .collect();
        self.escape(&v, psg.expr(at).span, Why::Far(what.to_string()));
    }

    fn flow_into(&mut self, b: BindingId, v: &[Origin]) {
        if v.is_empty() || !self.flow.heap_bindings[b.index()] {
            return;
        }
        let entry = self.vals.entry(b).or_default();
        if union_into(entry, v) {
            self.changed = true;
        }
    }

    /// `v` is written into storage of the extent that outlives one evaluation of
    /// the expressions that made it (a `let mutable`, a container): in a frame, a
    /// closure's environment is one slot, which the next evaluation of the same
    /// closure expression (in a loop) would overwrite while the stored value still
    /// points to it.
    fn flow_into_storage(&mut self, b: BindingId, v: &[Origin], span: Span) {
        self.flow_into(b, v);
        if self.mode == Mode::Closures {
            let sites: Origins = v
                .iter()
                .copied()
                .filter(|o| matches!(o, Origin::Site(_)))
                .collect();
            let why = Why::Far(format!(
                "it is stored into '{}', which outlives one evaluation of the closure expression",
                self.flow.name(b)
            ));
            self.escape(&sites, span, why);
            // A `let mutable` declared in a loop body is a new variable each
            // iteration, in the same slot: a closure using it must not be stored
            // where it outlives the iteration.
            let mutables: Origins = v
                .iter()
                .copied()
                .filter(|o| match o {
                    Origin::Mutable(c) => self
                        .flow
                        .loop_bodies
                        .iter()
                        .any(|d| d.contains(c) && !d.contains(&b)),
                    _ => false,
                })
                .collect();
            let why = Why::Far(format!(
                "it is stored into '{}', which outlives the loop iteration that declares the variable",
                self.flow.name(b)
            ));
            self.escape(&mutables, span, why);
        }
    }

    fn escape(&mut self, v: &[Origin], span: Span, why: Why) {
        if v.is_empty() {
            return;
        }
        if self.mode == Mode::Summary {
            for o in v {
                let keep = match o {
                    Origin::Input(b) => self.summary.inputs.entry(*b).or_default(),
                    Origin::Fresh => &mut self.summary.fresh,
                    _ => continue,
                };
                match &why {
                    Why::Assign { binding, .. } => {
                        keep.into.insert(*binding);
                    }
                    Why::Far(reason) => {
                        if keep.far.is_none() {
                            keep.far = Some(reason.clone());
                        }
                    }
                }
            }
            return;
        }
        let path = match &why {
            Why::Assign { binding, via } => {
                let name = self.flow.name(*binding);
                match via {
                    Some(callee) => {
                        format!("it is passed to '{callee}', which assigns it to '{name}'")
                    }
                    None => format!("it is assigned to '{name}', declared outside"),
                }
            }
            Why::Far(reason) => reason.clone(),
        };
        let assigned = match &why {
            Why::Assign { binding, .. } => Some(*binding),
            Why::Far(_) => None,
        };
        for o in v {
            self.escapes.entry(*o).or_insert_with(|| Escape {
                span,
                path: path.clone(),
                assigned,
            });
        }
    }

    /// Applies a callee's `keep` to the value `v` it is given.
    fn apply_keep(&mut self, keep: &Keep, v: &[Origin], span: Span, callee: &str) {
        if v.is_empty() || keep.is_empty() {
            return;
        }
        for &b in &keep.into {
            if self.local.contains(&b) {
                self.flow_into_storage(b, v, span);
            } else {
                self.escape(
                    v,
                    span,
                    Why::Assign {
                        binding: b,
                        via: Some(callee.to_string()),
                    },
                );
            }
        }
        if let Some(reason) = &keep.far {
            // Summaries keep the first reason (not the path to it: recursion would
            // make it grow without end); the extent's message names the callee.
            let why = if self.mode == Mode::Summary {
                Why::Far(reason.clone())
            } else {
                Why::Far(format!("it is passed to '{callee}', where {reason}"))
            };
            self.escape(v, span, why);
        }
    }

    fn fresh(&self) -> Origins {
        match self.mode {
            Mode::Fresh { .. } | Mode::Summary => vec![Origin::Fresh],
            _ => Vec::new(),
        }
    }

    fn is_input(&self, b: BindingId) -> bool {
        self.mode == Mode::Summary
            && self.owner.is_some_and(|f| {
                let func = self.flow.psg.function(f);
                func.params.contains(&b) || func.captures.contains(&b)
            })
    }

    fn site(&mut self, e: ExprId) -> Origins {
        match self.mode {
            Mode::Closures => {
                if self.site_set.insert(e) {
                    self.sites.push(e);
                }
                vec![Origin::Site(e)]
            }
            Mode::Fresh { .. } | Mode::Summary => vec![Origin::Fresh],
            Mode::Arena(_) => Vec::new(),
        }
    }

    /// The value of evaluating `e`.
    fn eval(&mut self, e: ExprId) -> Origins {
        let v = self.eval_kind(e);
        let v = if self.flow.heap[e.index()] {
            v
        } else {
            Vec::new()
        };
        let entry = self.values.entry(e).or_default();
        union_into(entry, &v);
        v
    }

    fn eval_kind(&mut self, e: ExprId) -> Origins {
        let psg = self.flow.psg;
        let span = psg.expr(e).span;
        match &psg.expr(e).kind {
            ExprKind::Const(_) | ExprKind::ListNil | ExprKind::Error => Vec::new(),
            ExprKind::Local(b) => self.vals.get(b).cloned().unwrap_or_default(),
            ExprKind::Function(g) => self.mention(e, *g),
            // An async is a closure of its body: its value holds the captures.
            ExprKind::Async { func, .. } => self.mention(e, *func),
            // Awaiting runs the async's body, as calling an unknown function value
            // would; its result may hold what the async holds or anything new.
            ExprKind::Await { value, .. } => {
                let v = self.eval(*value);
                self.unknown_call(&v, span);
                let mut out = self.fresh();
                union_into(&mut out, &v);
                out
            }
            ExprKind::Builtin(_) | ExprKind::Format { .. } | ExprKind::UnionCase { .. } => {
                // Used as a function value: a closure with nothing inside.
                self.site(e);
                Vec::new()
            }
            ExprKind::App { .. } => self.eval_app(e),
            // A new string: it reaches none of what it was made from.
            ExprKind::Interpolated(_) => {
                self.eval_children(e);
                self.fresh()
            }
            ExprKind::Binary { op, .. }
                if *op == crate::psg::BinaryOp::Add && *psg.ty(e) == Ty::STRING =>
            {
                self.eval_children(e);
                self.fresh()
            }
            ExprKind::Binary { op, lhs, rhs } if !psg.operator_members.is_empty() => {
                // `a + b` on a type with `static member (+)` calls the member (at a
                // type variable, perhaps: then any member of that operator).
                let (op, lhs, rhs) = (*op, *lhs, *rhs);
                let l = self.eval(lhs);
                let r = self.eval(rhs);
                let members: Vec<FunctionId> = match psg.ty(lhs) {
                    Ty::App(TyCon::User(def), _) => psg
                        .operator_members
                        .get(&(*def, op))
                        .copied()
                        .into_iter()
                        .collect(),
                    Ty::Var(_) => psg
                        .operator_members
                        .iter()
                        .filter(|((_, o), _)| *o == op)
                        .map(|(_, f)| *f)
                        .collect(),
                    _ => Vec::new(),
                };
                if members.is_empty() {
                    return Vec::new();
                }
                let mut data = l;
                union_into(&mut data, &r);
                let span = psg.expr(e).span;
                for f in members {
                    self.call_code(Code::Known(f), &data, span);
                }
                let mut out = self.fresh();
                union_into(&mut out, &data);
                out
            }
            // Numbers, booleans and loops (`unit`).
            ExprKind::Unary { .. }
            | ExprKind::Binary { .. }
            | ExprKind::While { .. }
            | ExprKind::For { .. } => {
                self.eval_children(e);
                Vec::new()
            }
            ExprKind::If {
                cond,
                then_branch,
                else_branch,
            } => {
                self.eval(*cond);
                let mut v = self.eval(*then_branch);
                if let Some(x) = else_branch {
                    let w = self.eval(*x);
                    union_into(&mut v, &w);
                }
                v
            }
            ExprKind::ForEach {
                binding,
                source,
                body,
            } => {
                let v = self.eval(*source);
                self.flow_into(*binding, &v);
                self.eval(*body);
                Vec::new()
            }
            ExprKind::Let {
                binding,
                value,
                body,
            } => {
                let v = self.eval(*value);
                if self.local.contains(binding) {
                    self.flow_into(*binding, &v);
                } else {
                    self.escape(
                        &v,
                        span,
                        Why::Assign {
                            binding: *binding,
                            via: None,
                        },
                    );
                }
                self.eval(*body)
            }
            ExprKind::LetFunctions { body, .. } => self.eval(*body),
            ExprKind::Sequential(items) => {
                let mut last = Vec::new();
                for i in items {
                    last = self.eval(*i);
                }
                last
            }
            ExprKind::Assign { binding, value } => {
                let v = self.eval(*value);
                if self.local.contains(binding) {
                    self.flow_into_storage(*binding, &v, span);
                } else {
                    self.escape(
                        &v,
                        span,
                        Why::Assign {
                            binding: *binding,
                            via: None,
                        },
                    );
                }
                Vec::new()
            }
            ExprKind::Member { target, .. } | ExprKind::Field { target, .. } => self.eval(*target),
            ExprKind::RefGet(target) => self.eval(*target),
            ExprKind::Index { target, index } => {
                let v = self.eval(*target);
                self.eval(*index);
                v
            }
            ExprKind::IndexSet {
                target,
                index,
                value,
            } => {
                self.eval(*target);
                self.eval(*index);
                let v = self.eval(*value);
                self.store(*target, &v, span);
                Vec::new()
            }
            // A mutable record field is a cell like a ref cell's: what is stored
            // lives as long as the record (`store` follows a record made in the
            // extent; any other record, or one reached through a field, is older).
            ExprKind::RefSet { cell, value }
            | ExprKind::FieldSet {
                target: cell,
                value,
                ..
            } => {
                self.eval(*cell);
                let v = self.eval(*value);
                self.store(*cell, &v, span);
                Vec::new()
            }
            ExprKind::Match { scrutinee, rules } => {
                let s = self.eval(*scrutinee);
                let mut out = Vec::new();
                for r in rules {
                    self.bind_pattern(r.pat, &s);
                    if let Some(g) = r.guard {
                        self.eval(g);
                    }
                    let v = self.eval(r.body);
                    union_into(&mut out, &v);
                }
                out
            }
            // Constructors hold their parts.
            ExprKind::Tuple(_) => self.union_children(e, Vec::new()),
            ExprKind::ArrayLit(items) if items.is_empty() => Vec::new(),
            ExprKind::ArrayLit(_)
            | ExprKind::Record { .. }
            | ExprKind::RecordUpdate { .. }
            | ExprKind::ListCons { .. } => {
                let fresh = self.fresh();
                self.union_children(e, fresh)
            }
        }
    }

    /// Evaluates the sub-expressions of `e` for their effects (in evaluation order).
    fn eval_children(&mut self, e: ExprId) {
        self.union_children(e, Vec::new());
    }

    /// `out` with what every sub-expression of `e` reaches.
    fn union_children(&mut self, e: ExprId, mut out: Origins) -> Origins {
        let mut children = Vec::new();
        self.flow.psg.children(e, &mut children);
        for &c in children.iter().rev() {
            let v = self.eval(c);
            union_into(&mut out, &v);
        }
        out
    }

    /// The pattern's variables alias (parts of) the matched value.
    fn bind_pattern(&mut self, p: PatId, v: &[Origin]) {
        let psg = self.flow.psg;
        // Active patterns: the value they look at is bound, then their calls run and
        // what they return may reach any variable of the pattern (coarse but sound).
        let mut views = Vec::new();
        psg.pattern_views(p, &mut views);
        if !views.is_empty() {
            let mut all = v.to_vec();
            for apply in views {
                self.bind_pattern_variables(p, &all);
                let r = self.eval(apply);
                union_into(&mut all, &r);
            }
            self.bind_pattern_variables(p, &all);
            return;
        }
        self.bind_pattern_variables(p, v);
    }

    fn bind_pattern_variables(&mut self, p: PatId, v: &[Origin]) {
        let psg = self.flow.psg;
        let mut bound = FxHashSet::default();
        psg.pattern_bindings(p, &mut bound);
        let mut bound: Vec<BindingId> = bound.into_iter().collect();
        bound.sort();
        for b in bound {
            if self.local.contains(&b) {
                self.flow_into(b, v)
            } else {
                let why = Why::Assign {
                    binding: b,
                    via: None,
                };
                self.escape(v, psg.pat(p).span, why);
            }
        }
    }

    /// `v` is written into the array or cell `target`.
    fn store(&mut self, target: ExprId, v: &[Origin], span: Span) {
        if v.is_empty() {
            return;
        }
        match self.fresh_container(target) {
            // A container made inside the extent now holds the value.
            Some(b) => self.flow_into_storage(b, v, span),
            None => self.escape(
                v,
                span,
                Why::Far("it is stored into an array or cell made outside".to_string()),
            ),
        }
    }

    /// `target` names an array or cell made inside the extent (a literal,
    /// `Array.create`/`zeroCreate`, `ref`, an arena allocation).
    fn fresh_container(&self, target: ExprId) -> Option<BindingId> {
        let psg = self.flow.psg;
        let ExprKind::Local(b) = psg.expr(target).kind else {
            return None;
        };
        if !self.local.contains(&b) || psg.binding(b).is_mutable {
            return None;
        }
        let &v = self.flow.let_value.get(&b)?;
        let (head, _) = psg.spine(v);
        // A cell of an arena made in the extent is still in the arena, which the
        // region's reset or compaction neither frees nor scans: for memory of the
        // region, storing into it is an escape. (Cells a callee makes are the
        // `arena_cells` effect, which region inference refuses.)
        let in_arena = matches!(
            psg.expr(head).kind,
            ExprKind::Builtin(
                Builtin::ArenaAlloc | Builtin::ArenaAllocArray | Builtin::ArenaAllocMethod
            )
        );
        if in_arena && matches!(self.mode, Mode::Fresh { .. }) {
            return None;
        }
        let fresh = in_arena
            || matches!(
                psg.expr(head).kind,
                ExprKind::Builtin(Builtin::ArrayZeroCreate | Builtin::ArrayCreate | Builtin::Ref)
            )
            || matches!(
                psg.expr(v).kind,
                ExprKind::ArrayLit(_) | ExprKind::Record { .. } | ExprKind::RecordUpdate { .. }
            );
        fresh.then_some(b)
    }

    /// The value captured for `c` by a closure or call of a function that captures it.
    fn capture_value(&self, c: BindingId) -> Origins {
        self.vals.get(&c).cloned().unwrap_or_default()
    }

    /// What running or holding a function with these `captures` does with them: each
    /// is kept as its `summary` says; answers what they hold. In closure mode a
    /// captured `let mutable` is held by address, which goes into `out`.
    fn captures_held(
        &mut self,
        captures: &[BindingId],
        summary: &FunctionSummary,
        span: Span,
        name: &str,
        out: &mut Origins,
    ) -> Origins {
        let psg = self.flow.psg;
        let mut held = Vec::new();
        for &c in captures {
            let v = self.capture_value(c);
            if let Some(k) = summary.inputs.get(&c) {
                self.apply_keep(k, &v, span, name);
            }
            union_into(&mut held, &v);
            if psg.binding(c).captured_mutable && self.mode == Mode::Closures {
                union_into(out, &[Origin::Mutable(c)]);
            }
        }
        held
    }

    /// `g` used as a value: a closure holding its captures (a `let mutable` by
    /// address); whenever it runs, it may keep them.
    fn mention(&mut self, e: ExprId, g: FunctionId) -> Origins {
        let psg = self.flow.psg;
        let mut out = self.site(e);
        let captures = psg.function(g).captures.clone();
        let flow = self.flow;
        let summary = &flow.summaries[g.index()];
        let name = self.flow.fn_name(g).to_string();
        let span = psg.expr(e).span;
        let held = self.captures_held(&captures, summary, span, &name, &mut out);
        union_into(&mut out, &held);
        // Its parameters are given by whoever calls the closure.
        self.runs_here(g, summary, &[], span, &name);
        out
    }

    /// The code of `g` may run inside the extent: its own allocations and the
    /// inputs it calls (given `data`).
    fn runs_here(
        &mut self,
        g: FunctionId,
        summary: &FunctionSummary,
        data: &[Origin],
        span: Span,
        name: &str,
    ) {
        if let Mode::Fresh { strict } = self.mode {
            let fresh = self.fresh();
            self.apply_keep(&summary.fresh, &fresh, span, name);
            if strict {
                if let Some(why) = &summary.unknown {
                    let why = Why::Far(format!("it calls '{name}', where {why}"));
                    self.escape(&fresh, span, why);
                }
            }
        }
        if let Mode::Arena(arena) = self.mode {
            // Code that can reach the arena (given it, or capturing it) may allocate
            // in it and keep what it allocates wherever it keeps its own allocations.
            let mine = [Origin::Arena(arena)];
            let reaches = data.contains(&mine[0])
                || self
                    .flow
                    .psg
                    .function(g)
                    .captures
                    .iter()
                    .any(|c| self.capture_value(*c).contains(&mine[0]));
            if reaches {
                self.apply_keep(&summary.fresh, &mine, span, name);
            }
        }
        if self.mode == Mode::Summary {
            let fresh = self.fresh();
            self.apply_keep(&summary.fresh, &fresh, span, name);
            if let Some(why) = &summary.unknown {
                if self.summary.unknown.is_none() {
                    self.summary.unknown = Some(why.clone());
                }
            }
        }
        // Inputs of `g` that are captured functions, called with some of its inputs.
        let psg = self.flow.psg;
        for (c, given) in &summary.calls {
            if psg.function(g).params.contains(c) {
                continue;
            }
            let data = self.inputs_value(g, given, data);
            match self.resolve_binding(*c, 0) {
                Code::Known(f) if is_seq(psg, *c) => self.run_generator(f, span),
                code => self.call_code(code, &data, span),
            }
        }
    }

    /// The value here of origins a summary of `g` speaks of: its inputs (a
    /// parameter: `params_value`, what the call gives them; a capture: its value
    /// here) and its own allocations.
    fn inputs_value(&self, g: FunctionId, given: &[Origin], params_value: &[Origin]) -> Origins {
        let psg = self.flow.psg;
        let mut out = Vec::new();
        for o in given {
            match o {
                Origin::Input(x) if psg.function(g).params.contains(x) => {
                    union_into(&mut out, params_value);
                }
                Origin::Input(x) => {
                    let v = self.capture_value(*x);
                    union_into(&mut out, &v);
                }
                Origin::Fresh => {
                    let f = self.fresh();
                    union_into(&mut out, &f);
                }
                _ => {}
            }
        }
        out
    }

    /// Code `code` is called with `data`.
    fn call_code(&mut self, code: Code, data: &[Origin], span: Span) {
        match code {
            Code::Known(f) if self.applying.contains(&f) => {}
            Code::Known(f) => {
                self.applying.push(f);
                let flow = self.flow;
                let summary = &flow.summaries[f.index()];
                let name = self.flow.fn_name(f).to_string();
                let params = self.flow.psg.function(f).params.clone();
                for p in &params {
                    if let Some(k) = summary.inputs.get(p) {
                        self.apply_keep(k, data, span, &name);
                    }
                }
                for (c, given) in &summary.calls {
                    if params.contains(c) {
                        // A function or seq `f` is given, whose code is not known here.
                        let given = self.inputs_value(f, given, data);
                        self.unknown_code(*c, &given, span);
                    }
                }
                self.runs_here(f, summary, data, span, &name);
                self.applying.pop();
            }
            Code::Input(b) => self.record_call(b, data),
            Code::Harmless => {}
            Code::Unknown => self.unknown_call(data, span),
        }
    }

    /// The summarised function calls its input `b` (a function, or a seq whose
    /// generator runs) with `data`: resolved where the function is called.
    fn record_call(&mut self, b: BindingId, data: &[Origin]) {
        let given: Origins = data
            .iter()
            .copied()
            .filter(|o| matches!(o, Origin::Input(_) | Origin::Fresh))
            .collect();
        let entry = self.summary.calls.entry(b).or_default();
        union_into(entry, &given);
    }

    /// The seq whose generator is `g` runs here, with a consumer given by code
    /// whose summary already accounts for what the consumer does with the
    /// elements: only the generator's own effects remain.
    fn run_generator(&mut self, g: FunctionId, span: Span) {
        if self.applying.contains(&g) {
            return;
        }
        self.applying.push(g);
        let flow = self.flow;
        let summary = &flow.summaries[g.index()];
        let name = self.flow.fn_name(g).to_string();
        self.runs_here(g, summary, &[], span, &name);
        self.applying.pop();
    }

    /// The input `b` is code not known here, called with `data`: a function, or
    /// a seq whose generator is given a consumer (which generators do not keep,
    /// unless `generators_keep`).
    fn unknown_code(&mut self, b: BindingId, data: &[Origin], span: Span) {
        if is_seq(self.flow.psg, b) && !self.flow.generators_keep {
            self.unknown_call(&[], span);
        } else {
            self.unknown_call(data, span);
        }
    }

    fn unknown_call(&mut self, data: &[Origin], span: Span) {
        const WHY: &str = "it is given to a function value whose code is not known here";
        self.escape(data, span, Why::Far(WHY.to_string()));
        match self.mode {
            Mode::Fresh { strict: true } => {
                let why = Why::Far("it calls a function value whose code is not known here".into());
                self.escape(&[Origin::Fresh], span, why);
            }
            Mode::Summary if self.summary.unknown.is_none() => {
                self.summary.unknown =
                    Some("a function value whose code is not known is called".into());
            }
            _ => {}
        }
    }

    /// What function value `e` is.
    fn resolve(&self, e: ExprId, depth: u32) -> Code {
        let psg = self.flow.psg;
        let (head, args) = psg.spine(e);
        match &psg.expr(head).kind {
            ExprKind::Function(f) if args.len() < psg.function(*f).params.len() => Code::Known(*f),
            // A seq: running it runs its generator.
            ExprKind::Builtin(Builtin::SeqMake) if args.len() == 1 => self.resolve(args[0], depth),
            ExprKind::Builtin(b) if args.len() < b.arity() && *b != Builtin::SeqRun => {
                Code::Harmless
            }
            ExprKind::Format { spec, .. } if args.len() < spec.args().count() => Code::Harmless,
            ExprKind::UnionCase { .. } if args.is_empty() => Code::Harmless,
            ExprKind::Local(b) if args.is_empty() => self.resolve_binding(*b, depth),
            _ => Code::Unknown,
        }
    }

    fn resolve_binding(&self, b: BindingId, depth: u32) -> Code {
        if self.is_input(b) {
            return Code::Input(b);
        }
        if matches!(self.mode, Mode::Fresh { .. }) && self.flow.tame.contains(&b) {
            // Every caller passes code that keeps nothing (`tame.rs`).
            return Code::Harmless;
        }
        match self.flow.let_value.get(&b) {
            Some(&v) if depth < 8 => self.resolve(v, depth + 1),
            _ => Code::Unknown,
        }
    }

    fn eval_app(&mut self, e: ExprId) -> Origins {
        let psg = self.flow.psg;
        let span = psg.expr(e).span;
        let (head, args) = psg.spine(e);
        let arg_values: Vec<Origins> = args.iter().map(|a| self.eval(*a)).collect();
        let mut all_args = Vec::new();
        for v in &arg_values {
            union_into(&mut all_args, v);
        }
        match psg.expr(head).kind.clone() {
            ExprKind::Function(g) => {
                let func = psg.function(g);
                let arity = func.params.len();
                let params = func.params.clone();
                let captures = func.captures.clone();
                let flow = self.flow;
                let summary = &flow.summaries[g.index()];
                let name = func.name.clone();
                let mut out = if args.len() < arity {
                    self.site(e)
                } else {
                    Vec::new()
                };
                // What the call (or the partial application, once called) does with
                // its arguments and captures.
                for (p, v) in params.iter().zip(&arg_values) {
                    if let Some(k) = summary.inputs.get(p) {
                        self.apply_keep(k, v, span, &name);
                    }
                }
                // A partial application holds a captured `let mutable`'s address; a
                // call may return a closure that does.
                let held = self.captures_held(&captures, summary, span, &name, &mut out);
                for (p, given) in &summary.calls {
                    if let Some(i) = params.iter().position(|q| q == p) {
                        // What `g` gives the function passed as its parameter `p`.
                        let mut data = Vec::new();
                        for o in given {
                            match o {
                                Origin::Input(x) => match params.iter().position(|q| q == x) {
                                    Some(j) => {
                                        if let Some(v) = arg_values.get(j) {
                                            union_into(&mut data, v);
                                        }
                                    }
                                    None => {
                                        let v = self.capture_value(*x);
                                        union_into(&mut data, &v);
                                    }
                                },
                                Origin::Fresh => {
                                    let f = self.fresh();
                                    union_into(&mut data, &f);
                                }
                                _ => {}
                            }
                        }
                        let code = match args.get(i) {
                            Some(&a) => self.resolve(a, 0),
                            // Not given yet: called later by whoever completes it.
                            None => Code::Unknown,
                        };
                        match code {
                            Code::Unknown => self.unknown_code(*p, &data, span),
                            Code::Known(f) if is_seq(psg, *p) => self.run_generator(f, span),
                            code => self.call_code(code, &data, span),
                        }
                    }
                }
                self.runs_here(g, summary, &all_args, span, &name);
                if let Mode::Arena(arena) = self.mode {
                    // A call given the arena (directly, through an alias, or inside a
                    // closure or a value it is given) may allocate in it and return
                    // that; `runs_here` applies where it may keep it.
                    let mine = [Origin::Arena(arena)];
                    if all_args.contains(&mine[0]) || held.contains(&mine[0]) {
                        union_into(&mut out, &mine);
                    }
                }
                if self.mode == Mode::Closures
                    && Some(g) == self.owner
                    && self.flow.summaries[g.index()].self_tail_calls.contains(&e)
                {
                    let why = Why::Far(format!(
                        "it is passed to a recursive call of '{name}', which reuses the frame"
                    ));
                    // A variable of an outer frame is not in the frame reused.
                    let passed: Origins = all_args
                        .iter()
                        .copied()
                        .filter(|o| match o {
                            Origin::Mutable(c) => psg.binding(*c).owner == Some(g),
                            _ => true,
                        })
                        .collect();
                    self.escape(&passed, span, why);
                }
                union_into(&mut out, &all_args);
                union_into(&mut out, &held);
                if args.len() >= arity {
                    let fresh = self.fresh();
                    union_into(&mut out, &fresh);
                }
                if args.len() > arity {
                    // The result is a function value, called with the rest.
                    let rest: Vec<Origin> = arg_values[arity..].iter().flatten().copied().collect();
                    let mut rest_sorted = Vec::new();
                    union_into(&mut rest_sorted, &rest);
                    self.unknown_call(&rest_sorted, span);
                }
                out
            }
            ExprKind::Builtin(b) => self.builtin_app(e, b, &args, &arg_values, all_args),
            ExprKind::Format { kind, spec } => {
                if args.len() < spec.args().count() {
                    let mut out = self.site(e);
                    union_into(&mut out, &all_args);
                    out
                } else if kind == FormatKind::Sprintf {
                    self.fresh()
                } else {
                    Vec::new()
                }
            }
            ExprKind::UnionCase { .. } => {
                let mut out = self.fresh();
                union_into(&mut out, &all_args);
                out
            }
            _ => {
                // A function value applied: its code is resolved when known.
                let h = self.eval(head);
                let code = self.resolve(head, 0);
                match code {
                    Code::Unknown => {
                        self.unknown_call(&all_args, span);
                        // The value's environment may reach the functions it is given.
                        for &a in &args {
                            if matches!(psg.ty(a), Ty::Fun(..)) {
                                let c = self.resolve(a, 0);
                                self.call_code(c, &h, span);
                            }
                        }
                    }
                    other => self.call_code(other, &all_args, span),
                }
                let mut out = h;
                union_into(&mut out, &all_args);
                let fresh = self.fresh();
                union_into(&mut out, &fresh);
                out
            }
        }
    }

    fn builtin_app(
        &mut self,
        e: ExprId,
        b: Builtin,
        args: &[ExprId],
        arg_values: &[Origins],
        all_args: Origins,
    ) -> Origins {
        let psg = self.flow.psg;
        let span = psg.expr(e).span;
        if args.len() < b.arity() {
            let mut out = self.site(e);
            union_into(&mut out, &all_args);
            return out;
        }
        let mut out = all_args;
        if b.allocates().is_some() {
            let fresh = self.fresh();
            union_into(&mut out, &fresh);
        }
        match b {
            Builtin::ArenaAlloc | Builtin::ArenaAllocArray | Builtin::ArenaAllocMethod => {
                match self.mode {
                    Mode::Arena(arena) => {
                        let mine = matches!(
                            args.first().map(|a| &psg.expr(*a).kind),
                            Some(ExprKind::Local(a)) if *a == arena
                        );
                        if mine {
                            union_into(&mut out, &[Origin::Arena(arena)]);
                        }
                    }
                    _ => {
                        let fresh = self.fresh();
                        union_into(&mut out, &fresh);
                    }
                }
            }
            Builtin::ArenaMark | Builtin::ArenaMarkMethod => {
                // A mark is a record allocated in the arena: a mark made after another
                // is freed by that one's release.
                let fresh = self.fresh();
                union_into(&mut out, &fresh);
            }
            Builtin::AsyncStart | Builtin::AsyncSpawn | Builtin::AsyncSpawnNow => {
                // A task outlives the code that starts it: its frame, and whatever
                // the async holds, stay until it finishes.
                let held = arg_values.first().cloned().unwrap_or_default();
                self.unknown_call(&held, span);
                let mut kept = self.fresh();
                union_into(&mut kept, &held);
                let why = Why::Far("it is started as a task, which may run after this code".into());
                self.escape(&kept, span, why);
            }
            Builtin::AsyncRun | Builtin::AsyncTryRun => {
                // Runs the async's body here; its frame is new memory.
                let held = arg_values.first().cloned().unwrap_or_default();
                self.unknown_call(&held, span);
                let fresh = self.fresh();
                union_into(&mut out, &fresh);
            }
            Builtin::SeqRun => {
                // Runs the seq's generator here, which gives its elements to the
                // consumer.
                let source = arg_values.first().cloned().unwrap_or_default();
                if let Some(&consumer) = args.get(1) {
                    let code = self.resolve(consumer, 0);
                    self.call_code(code, &source, span);
                }
                // The generator is given the consumer.
                let consumer = arg_values.get(1).cloned().unwrap_or_default();
                if let Some(&s) = args.first() {
                    let code = self.generator(s);
                    match code {
                        Code::Known(g) => {
                            let flow = self.flow;
                            let summary = &flow.summaries[g.index()];
                            let name = self.flow.fn_name(g).to_string();
                            if let Some(k) = psg
                                .function(g)
                                .params
                                .first()
                                .and_then(|k| summary.inputs.get(k))
                            {
                                self.apply_keep(k, &consumer, span, &name);
                            }
                            self.runs_here(g, summary, &consumer, span, &name);
                        }
                        Code::Input(x) => self.record_call(x, &consumer),
                        Code::Harmless => {}
                        Code::Unknown => {
                            if self.flow.generators_keep {
                                self.unknown_call(&consumer, span);
                            } else {
                                self.unknown_call(&[], span);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        out
    }

    /// The generator of the seq `e` (`Seq.__make g`), as far as it is known.
    fn generator(&self, e: ExprId) -> Code {
        let psg = self.flow.psg;
        let mut e = e;
        for _ in 0..8 {
            let (head, args) = psg.spine(e);
            match (&psg.expr(head).kind, args.as_slice()) {
                (ExprKind::Builtin(Builtin::SeqMake), [g]) => return self.resolve(*g, 0),
                (ExprKind::Local(b), []) => {
                    if self.is_input(*b) {
                        return Code::Input(*b);
                    }
                    match self.flow.let_value.get(b) {
                        Some(&v) => e = v,
                        None => return Code::Unknown,
                    }
                }
                _ => return Code::Unknown,
            }
        }
        Code::Unknown
    }
}

/// Whether the binding holds a seq (running it calls its generator).
fn is_seq(psg: &Psg, b: BindingId) -> bool {
    matches!(psg.binding(b).ty, Ty::App(TyCon::Seq, _))
}

/// Whether a value of type `ty` may point into a region or an arena (`memo`:
/// answers for the program's records and unions).
pub(crate) fn holds_memory(psg: &Psg, ty: &Ty, memo: &mut FxHashMap<u32, bool>) -> bool {
    match ty {
        // An arena mark is a `nativeint` pointing into its arena.
        Ty::Prim(p) => matches!(p, Prim::String | Prim::NativeInt),
        // An arena handle is followed like memory: whatever is given the handle may
        // allocate in the arena (`Mode::Arena` starts the handle at `Origin::Arena`),
        // and the handle itself must not outlive its `use` block either.
        Ty::Measured(..) | Ty::MeasureValue(_) | Ty::Error => false,
        Ty::Tuple(items) => items.iter().any(|t| holds_memory(psg, t, memo)),
        Ty::App(TyCon::Option, args) => args.iter().any(|t| holds_memory(psg, t, memo)),
        Ty::App(TyCon::User(def), args) => {
            if !args.is_empty() {
                return true;
            }
            if let Some(&known) = memo.get(def) {
                return known;
            }
            // A record with mutable fields is a pointer to its cell.
            if psg.types[*def as usize].is_mutable_record() {
                memo.insert(*def, true);
                return true;
            }
            // Assume yes while looking (a recursive type is boxed anyway).
            memo.insert(*def, true);
            let fields: Vec<Ty> = match &psg.types[*def as usize].kind {
                crate::psg::TypeDefKind::Record { fields, .. } => {
                    fields.iter().map(|f| f.ty.clone()).collect()
                }
                crate::psg::TypeDefKind::Union { cases } => cases
                    .iter()
                    .flat_map(|c| c.fields.iter().map(|f| f.ty.clone()))
                    .collect(),
                // An enum is a number.
                crate::psg::TypeDefKind::Enum(_) => Vec::new(),
            };
            let recursive = fields.iter().any(|f| mentions_def(f, *def));
            let heap = recursive || fields.iter().any(|f| holds_memory(psg, f, memo));
            memo.insert(*def, heap);
            heap
        }
        _ => true,
    }
}

fn mentions_def(ty: &Ty, def: u32) -> bool {
    match ty {
        Ty::App(TyCon::User(d), args) => *d == def || args.iter().any(|a| mentions_def(a, def)),
        Ty::App(_, args) | Ty::Tuple(args) => args.iter().any(|a| mentions_def(a, def)),
        Ty::Fun(a, b) => mentions_def(a, def) || mentions_def(b, def),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary_of(flow: &Analysis, name: &str) -> FunctionSummary {
        let f = flow
            .psg
            .functions
            .iter()
            .rposition(|f| f.name == name)
            .unwrap_or_else(|| panic!("no function {name}"));
        flow.summaries[f].clone()
    }

    fn param_keep(flow: &Analysis, name: &str, index: usize) -> Keep {
        let f = flow
            .psg
            .functions
            .iter()
            .rposition(|f| f.name == name)
            .expect("function");
        let p = flow.psg.functions[f].params[index];
        flow.summaries[f]
            .inputs
            .get(&p)
            .cloned()
            .unwrap_or_default()
    }

    #[test]
    fn summaries_say_where_parameters_go() {
        let psg = crate::test_support::check(
            "let mutable saved : int[] = [||]\n\
             let keep (a: int[]) = saved <- a\n\
             let stash (box: int[][]) (a: int[]) = box.[0] <- a\n\
             let pass (a: int[]) = keep a\n\
             let first (a: int[]) = a.[0]\n\
             let apply (f: int[] -> int) (a: int[]) = f a\n\
             printfn \"%d\" (first [| 1 |])\n",
        );
        let flow = Analysis::new(&psg);
        let saved = psg
            .bindings
            .iter()
            .position(|b| b.name == "saved")
            .expect("saved");
        assert_eq!(
            param_keep(&flow, "keep", 0).into,
            BTreeSet::from([BindingId(saved as u32)])
        );
        assert!(
            param_keep(&flow, "stash", 1).far.is_some(),
            "stored into a parameter's array"
        );
        assert_eq!(
            param_keep(&flow, "pass", 0).into,
            BTreeSet::from([BindingId(saved as u32)]),
            "through a callee"
        );
        assert!(param_keep(&flow, "first", 0).is_empty());
        assert!(
            param_keep(&flow, "apply", 1).is_empty(),
            "given to a parameter: resolved by callers"
        );
        let apply = summary_of(&flow, "apply");
        assert_eq!(apply.calls.len(), 1, "apply calls f");
    }

    #[test]
    fn escapes_name_their_path() {
        let psg = crate::test_support::check(
            "let mutable out : int[] = [||]\n\
             let f () =\n    let a = [| 1 |]\n    let (x, _) = (a, 0)\n    match Some x with\n    | Some y -> out <- y\n    | None -> ()\n\
             f ()\n",
        );
        let flow = Analysis::new(&psg);
        let f = psg
            .functions
            .iter()
            .rposition(|f| f.name == "f")
            .expect("f");
        let body = psg.functions[f].body;
        let run = flow.run(
            Mode::Fresh { strict: true },
            &[body],
            psg.declared_in(body),
            Some(FunctionId(f as u32)),
        );
        let e = run.escapes.get(&Origin::Fresh).expect("escapes");
        assert_eq!(e.path, "it is assigned to 'out', declared outside");
    }
}
