//! Bounds-check elimination: which `a.[i]` and `a.[i] <- v` provably need no
//! run-time check (`Psg::unchecked_indexes`), and a ledger note for every access.
//!
//! The method is range propagation over dominating conditions, the idea behind
//! ABCD (Bodík, Gupta and Sarkar, "ABCD: Eliminating Array Bounds Checks on Demand",
//! PLDI 2000) without SSA or a constraint graph: a walk in evaluation order carries
//! facts `v ≥ k` and `v ≤ T + k` about 64-bit signed integer variables, where `T` is
//! the length of an array or another variable. Facts come from
//!
//! * `for` loops (`for i in lo .. hi`, `downto`, constant steps): the loop variable
//!   lies between its bounds in the body;
//! * conditions: the then-branch of `if`, the body of `while`, the right operand of
//!   `&&` get the facts of a true condition; the else-branch and the right operand
//!   of `||` those of a false one;
//! * invariants of `let mutable` counters (a greatest fixed point: an invariant
//!   stays only if every assignment to the variable preserves it, judged with the
//!   facts at that assignment).
//!
//! A fact about a mutable variable dies at an assignment to it, and on entry to a
//! loop that assigns it. Mutables that closures capture and mutable globals (which a
//! call may change) get no facts, only invariants. Array lengths are known through
//! immutable names: `a.Length`, `Array.length a`, and for a name bound to
//! `Array.zeroCreate n`, `Array.create n x` or an array literal, `n` or the literal's
//! size. An access `a.[v + c]` needs no check when `v + c ≥ 0` and `v + c < a.Length`
//! follow from the facts. Offsets are bounded (|k| ≤ 2^40) and a comparison with an
//! offset is used only when it cannot have wrapped, so machine arithmetic agrees with
//! the reasoning.

use crate::builtins::Builtin;
use crate::psg::{
    BinaryOp, BindingId, BindingKind, Const, ExprId, ExprKind, Member, Psg, TopItem, UnaryOp,
};
use crate::types::{Prim, Ty};
use composer_diagnostics::Span;
use rustc_hash::{FxHashMap, FxHashSet};

/// One array access and whether its check was removed (ledger).
#[derive(Debug, Clone, PartialEq)]
pub struct BoundsNote {
    /// From the start of the array expression to the end of the index (the
    /// closing bracket is not included).
    pub access: Span,
    pub removed: bool,
    pub reason: String,
}

/// Largest offset the analysis reasons about.
const MAX_OFFSET: i128 = 1 << 40;

/// A counter that only ever moves by at most this much per assignment, away from
/// its invariant bound, cannot wrap around in any run that could finish: that takes
/// more than 2^59 assignments.
const SMALL_STEP: i128 = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Term {
    Zero,
    /// The length of the array named by this binding.
    Len(BindingId),
    Var(BindingId),
}

impl Term {
    fn binding(self) -> Option<BindingId> {
        match self {
            Term::Zero => None,
            Term::Len(b) | Term::Var(b) => Some(b),
        }
    }
}

/// `term + offset`
type Lin = (Term, i128);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// `subject ≥ term + k`
    Lower(Term, i128),
    /// `subject ≤ term + k`
    Upper(Term, i128),
}

impl Bound {
    fn term(self) -> Term {
        match self {
            Bound::Lower(t, _) | Bound::Upper(t, _) => t,
        }
    }
}

/// What the walk knows about a variable (`Term::Var`) or an array's length
/// (`Term::Len`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fact {
    subject: Term,
    bound: Bound,
    why: &'static str,
}

impl Fact {
    fn mentions(&self, b: BindingId) -> bool {
        self.subject.binding() == Some(b) || self.bound.term().binding() == Some(b)
    }
}

type Env = Vec<Fact>;

/// Runs the analysis and records its results in `psg`.
pub fn analyse(psg: &mut Psg) {
    let mut a = Analysis::new(psg);
    // Greatest fixed point of the mutable invariants: walk, drop the candidates an
    // assignment breaks, walk again until none breaks.
    loop {
        a.unchecked.clear();
        a.notes.clear();
        a.broken.clear();
        a.walk_program();
        if a.broken.is_empty() {
            break;
        }
        let broken = std::mem::take(&mut a.broken);
        for (var, bound) in broken {
            if let Some(list) = a.invariants.get_mut(&var) {
                list.retain(|f| f.bound != bound);
            }
        }
    }
    let (unchecked, mut notes) = (a.unchecked, a.notes);
    notes.sort_by_key(|n| (n.access.file, n.access.start));
    psg.unchecked_indexes = unchecked;
    psg.bounds = notes;
}

struct Analysis<'a> {
    psg: &'a Psg,
    /// The value of each `let` (and module-level `let`).
    let_value: FxHashMap<BindingId, ExprId>,
    /// Candidate invariants of `let mutable` integers.
    invariants: FxHashMap<BindingId, Vec<Fact>>,
    /// Candidates an assignment did not preserve in this round.
    broken: Vec<(BindingId, Bound)>,
    /// Bindings assigned somewhere inside each loop (computed once per loop).
    assigned_in: FxHashMap<ExprId, FxHashSet<BindingId>>,
    unchecked: FxHashSet<ExprId>,
    notes: Vec<BoundsNote>,
}

impl<'a> Analysis<'a> {
    fn new(psg: &'a Psg) -> Self {
        let mut let_value = FxHashMap::default();
        for e in &psg.exprs {
            if let ExprKind::Let { binding, value, .. } = e.kind {
                let_value.insert(binding, value);
            }
        }
        for item in &psg.top_level {
            if let TopItem::Global { binding, value } = item {
                let_value.insert(*binding, *value);
            }
        }
        let mut a = Analysis {
            psg,
            let_value,
            invariants: FxHashMap::default(),
            broken: Vec::new(),
            assigned_in: FxHashMap::default(),
            unchecked: FxHashSet::default(),
            notes: Vec::new(),
        };
        let candidates: Vec<(BindingId, ExprId)> = a
            .let_value
            .iter()
            .filter(|(b, _)| {
                let binding = psg.binding(**b);
                binding.is_mutable && is_word_int(&binding.ty, psg)
            })
            .map(|(b, v)| (*b, *v))
            .collect();
        for (b, init) in candidates {
            let Some((term, k)) = a.canon(init).filter(|(t, _)| a.stable(*t)) else {
                continue;
            };
            let why = "invariant of the counter";
            let fact = |bound| Fact {
                subject: Term::Var(b),
                bound,
                why,
            };
            let mut facts = vec![fact(Bound::Upper(term, k))];
            if matches!(term, Term::Zero | Term::Len(_)) {
                facts.push(fact(Bound::Lower(Term::Zero, k)));
            }
            a.invariants.insert(b, facts);
        }
        a
    }

    fn walk_program(&mut self) {
        let psg = self.psg;
        for f in &psg.functions {
            let mut env = Env::new();
            self.walk(f.body, &mut env);
        }
        let mut env = Env::new();
        for item in &psg.top_level {
            match item {
                TopItem::Global { value, .. } | TopItem::Destructure { value, .. } => {
                    self.walk(*value, &mut env)
                }
                TopItem::Do(e) => self.walk(*e, &mut env),
            }
        }
    }

    // ---- terms ----------------------------------------------------------------

    /// A variable whose value may change where the walk cannot see it: it gets no
    /// facts (only invariants, which every assignment is checked against).
    fn volatile(&self, b: BindingId) -> bool {
        let binding = self.psg.binding(b);
        binding.is_mutable && (binding.captured_mutable || binding.kind == BindingKind::Global)
    }

    fn stable(&self, t: Term) -> bool {
        t.binding().is_none_or(|b| !self.psg.binding(b).is_mutable)
    }

    /// `e` as `term + offset`, when it has that shape.
    fn canon(&self, e: ExprId) -> Option<Lin> {
        self.canon_depth(e, 16)
    }

    fn canon_depth(&self, e: ExprId, depth: u32) -> Option<Lin> {
        if depth == 0 {
            return None;
        }
        let lin = match &self.psg.expr(e).kind {
            ExprKind::Const(Const::Int(v, p)) if is_word_int_prim(*p, self.psg) => (Term::Zero, *v),
            ExprKind::Local(b) => {
                let binding = self.psg.binding(*b);
                if !is_word_int(&binding.ty, self.psg) {
                    return None;
                }
                let through_let = if binding.is_mutable {
                    None
                } else {
                    self.let_value
                        .get(b)
                        .and_then(|v| self.canon_depth(*v, depth - 1))
                        .filter(|(t, _)| self.stable(*t))
                };
                through_let.unwrap_or((Term::Var(*b), 0))
            }
            ExprKind::Member {
                target,
                member: Member::ArrayLength,
            } => (Term::Len(self.array_root(*target)?), 0),
            ExprKind::App { func, arg }
                if matches!(
                    self.psg.expr(*func).kind,
                    ExprKind::Builtin(Builtin::ArrayLength)
                ) =>
            {
                (Term::Len(self.array_root(*arg)?), 0)
            }
            ExprKind::Binary { op, lhs, rhs }
                if matches!(op, BinaryOp::Add | BinaryOp::Sub)
                    && is_word_int(self.psg.ty(*lhs), self.psg) =>
            {
                let l = self.canon_depth(*lhs, depth - 1)?;
                let r = self.canon_depth(*rhs, depth - 1)?;
                match (op, l, r) {
                    (BinaryOp::Add, (t, a), (Term::Zero, b))
                    | (BinaryOp::Add, (Term::Zero, b), (t, a)) => (t, a + b),
                    (BinaryOp::Sub, (t, a), (Term::Zero, b)) => (t, a - b),
                    _ => return None,
                }
            }
            _ => return None,
        };
        (lin.1.abs() <= MAX_OFFSET).then_some(lin)
    }

    /// The binding that names the array `e` (through immutable aliases).
    fn array_root(&self, e: ExprId) -> Option<BindingId> {
        let ExprKind::Local(b) = self.psg.expr(e).kind else {
            return None;
        };
        if !self.psg.binding(b).is_mutable {
            if let Some(v) = self.let_value.get(&b) {
                if let Some(root) = self.array_root(*v) {
                    return Some(root);
                }
            }
        }
        Some(b)
    }

    /// Terms equal to the length of the array named by `b`.
    fn length_terms(&self, b: BindingId) -> Vec<Lin> {
        let mut terms = vec![(Term::Len(b), 0)];
        if self.psg.binding(b).is_mutable {
            return terms;
        }
        let Some(&value) = self.let_value.get(&b) else {
            return terms;
        };
        match &self.psg.expr(value).kind {
            ExprKind::ArrayLit(items) => terms.push((Term::Zero, items.len() as i128)),
            ExprKind::App { func, arg } => {
                let size = match &self.psg.expr(*func).kind {
                    ExprKind::Builtin(Builtin::ArrayZeroCreate) => Some(*arg),
                    ExprKind::App {
                        func: inner,
                        arg: n,
                    } if matches!(
                        self.psg.expr(*inner).kind,
                        ExprKind::Builtin(Builtin::ArrayCreate)
                    ) =>
                    {
                        Some(*n)
                    }
                    _ => None,
                };
                if let Some(lin) = size.and_then(|n| self.canon(n)) {
                    if self.stable(lin.0) {
                        terms.push(lin);
                    }
                }
            }
            _ => {}
        }
        terms
    }

    // ---- facts ----------------------------------------------------------------

    fn facts_of<'e>(&'e self, env: &'e Env, subject: Term) -> impl Iterator<Item = &'e Fact> {
        let invariants = match subject {
            Term::Var(v) => self.invariants.get(&v),
            _ => None,
        };
        env.iter()
            .filter(move |f| f.subject == subject)
            .chain(invariants.into_iter().flatten())
    }

    /// The best constant lower bound of a variable or a length.
    fn lower_bound(&self, env: &Env, subject: Term) -> Option<(i128, &'static str)> {
        let known = self
            .facts_of(env, subject)
            .filter_map(|f| match f.bound {
                Bound::Lower(Term::Zero | Term::Len(_), k) => Some((k, f.why)),
                _ => None,
            })
            .max_by_key(|(k, _)| *k);
        match subject {
            Term::Len(_) => Some(known.filter(|(k, _)| *k > 0).unwrap_or((0, "length"))),
            _ => known,
        }
    }

    /// `v + c` computed by the machine equals the exact sum.
    fn no_overflow(&self, env: &Env, v: BindingId, c: i128) -> bool {
        const LIMIT: i128 = 1 << 62;
        match c.cmp(&0) {
            std::cmp::Ordering::Equal => true,
            std::cmp::Ordering::Less => self
                .lower_bound(env, Term::Var(v))
                .is_some_and(|(lo, _)| lo + c >= -LIMIT),
            std::cmp::Ordering::Greater => {
                self.facts_of(env, Term::Var(v)).any(|f| match f.bound {
                    Bound::Upper(Term::Zero, k) => k + c < LIMIT,
                    Bound::Upper(_, k) => k + c <= 0,
                    Bound::Lower(..) => false,
                })
            }
        }
    }

    /// Lower bound of `term + k`, when known.
    fn lower_of(&self, env: &Env, (t, k): Lin) -> Option<i128> {
        match t {
            Term::Zero => Some(k),
            Term::Len(_) | Term::Var(_) => {
                let (lo, _) = self.lower_bound(env, t)?;
                if let Term::Len(_) = t {
                    return Some(lo + k);
                }
                let Term::Var(v) = t else { unreachable!() };
                (lo >= -(1 << 62) && self.no_overflow(env, v, k)).then_some(lo + k)
            }
        }
    }

    /// Facts a condition gives when it evaluates to `truth`.
    fn cond_facts(&self, env: &Env, e: ExprId, truth: bool, why: &'static str) -> Vec<Fact> {
        let mut out = Vec::new();
        self.cond_facts_into(env, e, truth, why, &mut out);
        out
    }

    fn cond_facts_into(
        &self,
        env: &Env,
        e: ExprId,
        truth: bool,
        why: &'static str,
        out: &mut Vec<Fact>,
    ) {
        match &self.psg.expr(e).kind {
            ExprKind::Binary {
                op: BinaryOp::And,
                lhs,
                rhs,
            } if truth => {
                self.cond_facts_into(env, *lhs, true, why, out);
                self.cond_facts_into(env, *rhs, true, why, out);
            }
            ExprKind::Binary {
                op: BinaryOp::Or,
                lhs,
                rhs,
            } if !truth => {
                self.cond_facts_into(env, *lhs, false, why, out);
                self.cond_facts_into(env, *rhs, false, why, out);
            }
            ExprKind::Unary {
                op: UnaryOp::Not,
                operand,
            } => self.cond_facts_into(env, *operand, !truth, why, out),
            ExprKind::App { func, arg }
                if matches!(self.psg.expr(*func).kind, ExprKind::Builtin(Builtin::Not)) =>
            {
                self.cond_facts_into(env, *arg, !truth, why, out)
            }
            ExprKind::Binary { op, lhs, rhs } if is_word_int(self.psg.ty(*lhs), self.psg) => {
                let Some(op) = Cmp::of(*op) else {
                    return;
                };
                let op = if truth { op } else { op.negate() };
                let (Some(l), Some(r)) = (self.canon(*lhs), self.canon(*rhs)) else {
                    return;
                };
                self.relation(env, l, op, r, why, out);
                self.relation(env, r, op.flip(), l, why, out);
            }
            _ => {}
        }
    }

    /// Facts about the variable or length of `l` from `l op r`.
    fn relation(
        &self,
        env: &Env,
        (lt, c): Lin,
        op: Cmp,
        (rt, k): Lin,
        why: &'static str,
        out: &mut Vec<Fact>,
    ) {
        let fits = match lt {
            Term::Zero => return,
            Term::Len(_) => true,
            Term::Var(v) => self.no_overflow(env, v, c),
        };
        if !fits
            || lt.binding().is_some_and(|b| self.volatile(b))
            || rt.binding().is_some_and(|b| self.volatile(b))
        {
            return;
        }
        let fact = |bound| Fact {
            subject: lt,
            bound,
            why,
        };
        match op {
            Cmp::Lt => out.push(fact(Bound::Upper(rt, k - c - 1))),
            Cmp::Le => out.push(fact(Bound::Upper(rt, k - c))),
            Cmp::Gt => out.push(fact(Bound::Lower(rt, k - c + 1))),
            Cmp::Ge => out.push(fact(Bound::Lower(rt, k - c))),
            Cmp::Eq => {
                out.push(fact(Bound::Upper(rt, k - c)));
                out.push(fact(Bound::Lower(rt, k - c)));
            }
            // `x ≠ k` where `x ≥ k` is known: `x ≥ k + 1` (`a.Length <> 0`).
            Cmp::Ne => {
                if rt == Term::Zero && self.lower_bound(env, lt).is_some_and(|(lo, _)| lo == k - c)
                {
                    out.push(fact(Bound::Lower(Term::Zero, k - c + 1)));
                }
            }
        }
    }

    /// Terms the length of the array named by `arr` is at least (with the reason):
    /// what it equals, and what the facts say it exceeds.
    fn length_floors(&self, env: &Env, arr: BindingId) -> Vec<(Lin, &'static str)> {
        let mut floors: Vec<(Lin, &'static str)> = self
            .length_terms(arr)
            .into_iter()
            .map(|l| (l, "length"))
            .collect();
        for f in self.facts_of(env, Term::Len(arr)) {
            if let Bound::Lower(t, k) = f.bound {
                floors.push(((t, k), f.why));
            }
        }
        floors
    }

    /// Whether `v + c < length` follows from the facts, for one of the array's
    /// length terms; the reason when it does.
    fn below_length(
        &self,
        env: &Env,
        v: BindingId,
        c: i128,
        lengths: &[(Lin, &'static str)],
        depth: u32,
    ) -> Option<&'static str> {
        if depth == 0 {
            return None;
        }
        for f in self.facts_of(env, Term::Var(v)) {
            let Bound::Upper(t, off) = f.bound else {
                continue;
            };
            if lengths.iter().any(|&((lt, lk), _)| lt == t && off + c < lk) {
                return Some(f.why);
            }
            if let Term::Var(w) = t {
                // `v ≤ w + off`: only when `w + off` cannot have wrapped.
                let safe = off >= 0 || self.no_overflow(env, w, off);
                if safe
                    && self
                        .below_length(env, w, off + c, lengths, depth - 1)
                        .is_some()
                {
                    return Some(f.why);
                }
            }
        }
        None
    }

    /// Decides one access.
    fn decide(&mut self, env: &Env, e: ExprId, target: ExprId, index: ExprId) {
        let verdict = self.prove(env, target, index);
        let (removed, reason) = match verdict {
            Ok(why) => {
                self.unchecked.insert(e);
                (true, why)
            }
            Err(why) => (false, why.to_string()),
        };
        let (whole, index) = (self.psg.expr(e).span, self.psg.expr(index).span);
        let start = whole.start.min(self.psg.expr(target).span.start);
        self.notes.push(BoundsNote {
            access: Span::new(whole.file, start, index.end.max(start)),
            removed,
            reason,
        });
    }

    fn prove(&self, env: &Env, target: ExprId, index: ExprId) -> Result<String, &'static str> {
        let arr = self
            .array_root(target)
            .ok_or("the array is not a named value")?;
        if self.volatile(arr) {
            return Err("the array is a mutable that other code may change");
        }
        let lengths = self.length_floors(env, arr);
        let (t, c) = self
            .canon(index)
            .ok_or("the index is not a variable plus a constant")?;
        match t {
            Term::Zero => {
                if c < 0 {
                    return Err("the index is negative");
                }
                match lengths
                    .iter()
                    .find(|&&((lt, n), _)| lt == Term::Zero && c < n)
                {
                    Some((_, "length")) => Ok("a constant index below the array's length".into()),
                    Some((_, why)) => Ok(format!("a constant index below the length by the {why}")),
                    None => Err("the array's length is not known to exceed the index"),
                }
            }
            Term::Len(_) => {
                let (lo, lo_why) = self.lower_bound(env, t).unwrap_or((0, "length"));
                if lo + c < 0 {
                    return Err("the index may be negative");
                }
                let below = lengths.iter().find(|&&((lt, k), _)| lt == t && c < k);
                match below {
                    Some(_) => Ok(format!("index within bounds by the {lo_why}")),
                    None => Err("the index is not known to be below the array's length"),
                }
            }
            Term::Var(v) => {
                let (lo, lo_why) = self
                    .lower_bound(env, t)
                    .ok_or("no lower bound is known for the index")?;
                if lo + c < 0 {
                    return Err("the index may be negative");
                }
                let hi_why = self
                    .below_length(env, v, c, &lengths, 4)
                    .ok_or("the index is not known to be below the array's length")?;
                Ok(if lo_why == hi_why {
                    format!("index within bounds by the {lo_why}")
                } else {
                    format!("index ≥ 0 by the {lo_why}, below the length by the {hi_why}")
                })
            }
        }
    }

    // ---- the walk -------------------------------------------------------------

    /// Bindings assigned anywhere inside `e` (loop bodies, memoised per loop).
    fn assigned(&mut self, e: ExprId) -> FxHashSet<BindingId> {
        if let Some(s) = self.assigned_in.get(&e) {
            return s.clone();
        }
        let mut set = FxHashSet::default();
        let mut stack = vec![e];
        while let Some(x) = stack.pop() {
            if let ExprKind::Assign { binding, .. } = self.psg.expr(x).kind {
                set.insert(binding);
            }
            self.psg.children(x, &mut stack);
        }
        self.assigned_in.insert(e, set.clone());
        set
    }

    fn kill(env: &mut Env, vars: &FxHashSet<BindingId>) {
        env.retain(|f| !vars.iter().any(|b| f.mentions(*b)));
    }

    /// Keeps only the facts that also hold after a branch (those it did not kill).
    fn merge(env: &mut Env, branch: &Env) {
        env.retain(|f| branch.contains(f));
    }

    fn extend_stable(&self, env: &mut Env, facts: Vec<Fact>) {
        env.extend(
            facts
                .into_iter()
                .filter(|f| !f.subject.binding().is_some_and(|b| self.volatile(b))),
        );
    }

    fn walk(&mut self, e: ExprId, env: &mut Env) {
        let psg = self.psg;
        match &psg.expr(e).kind {
            ExprKind::Binary {
                op: op @ (BinaryOp::And | BinaryOp::Or),
                lhs,
                rhs,
            } => {
                self.walk(*lhs, env);
                let mut branch = env.clone();
                let facts = self.cond_facts(env, *lhs, *op == BinaryOp::And, "condition");
                self.extend_stable(&mut branch, facts);
                self.walk(*rhs, &mut branch);
                Self::merge(env, &branch);
            }
            ExprKind::If {
                cond,
                then_branch,
                else_branch,
            } => {
                self.walk(*cond, env);
                let mut then_env = env.clone();
                let facts = self.cond_facts(env, *cond, true, "if condition");
                self.extend_stable(&mut then_env, facts);
                self.walk(*then_branch, &mut then_env);
                let mut else_env = env.clone();
                let facts = self.cond_facts(env, *cond, false, "if condition");
                self.extend_stable(&mut else_env, facts);
                if let Some(else_branch) = else_branch {
                    self.walk(*else_branch, &mut else_env);
                }
                // After an `if` whose then-branch always fails, the condition was false.
                if self.diverges(*then_branch) {
                    *env = else_env;
                } else {
                    Self::merge(env, &then_env);
                    Self::merge(env, &else_env);
                }
            }
            ExprKind::While { cond, body } => {
                let assigned = self.assigned(e);
                Self::kill(env, &assigned);
                self.walk(*cond, env);
                let mut body_env = env.clone();
                let facts = self.cond_facts(env, *cond, true, "while condition");
                self.extend_stable(&mut body_env, facts);
                self.walk(*body, &mut body_env);
            }
            ExprKind::For {
                var,
                start,
                end,
                step,
                downward,
                body,
            } => {
                self.walk(*start, env);
                self.walk(*end, env);
                if let Some(s) = step {
                    self.walk(*s, env);
                }
                let assigned = self.assigned(*body);
                Self::kill(env, &assigned);
                let mut body_env = env.clone();
                let upward = match step {
                    None => Some(!downward),
                    Some(s) => match self.canon(*s) {
                        Some((Term::Zero, k)) if k != 0 => Some(k > 0),
                        _ => None,
                    },
                };
                if let Some(upward) = upward {
                    let (low, high) = if upward {
                        (*start, *end)
                    } else {
                        (*end, *start)
                    };
                    let why = "for loop range";
                    if let Some(lo) = self.canon(low).and_then(|l| self.lower_of(env, l)) {
                        body_env.push(Fact {
                            subject: Term::Var(*var),
                            bound: Bound::Lower(Term::Zero, lo),
                            why,
                        });
                    }
                    if let Some((t, k)) = self.canon(high) {
                        let usable = t
                            .binding()
                            .is_none_or(|b| !self.volatile(b) && !assigned.contains(&b));
                        if usable {
                            body_env.push(Fact {
                                subject: Term::Var(*var),
                                bound: Bound::Upper(t, k),
                                why,
                            });
                        }
                    }
                }
                self.walk(*body, &mut body_env);
            }
            ExprKind::ForEach { source, body, .. } => {
                self.walk(*source, env);
                let assigned = self.assigned(*body);
                Self::kill(env, &assigned);
                let mut body_env = env.clone();
                self.walk(*body, &mut body_env);
            }
            ExprKind::Assign { binding, value } => {
                self.walk(*value, env);
                self.check_invariants(env, *binding, *value);
                env.retain(|f| !f.mentions(*binding));
            }
            ExprKind::Index { target, index } => {
                self.walk(*target, env);
                self.walk(*index, env);
                self.decide(env, e, *target, *index);
            }
            ExprKind::IndexSet {
                target,
                index,
                value,
            } => {
                self.walk(*target, env);
                self.walk(*index, env);
                self.walk(*value, env);
                self.decide(env, e, *target, *index);
            }
            ExprKind::Match { scrutinee, rules } => {
                self.walk(*scrutinee, env);
                let before = env.clone();
                for rule in rules {
                    let mut rule_env = before.clone();
                    if let Some(g) = rule.guard {
                        self.walk(g, &mut rule_env);
                    }
                    self.walk(rule.body, &mut rule_env);
                    Self::merge(env, &rule_env);
                }
            }
            _ => {
                let mut kids = Vec::new();
                psg.children(e, &mut kids);
                // `children` pushes in reverse evaluation order (for a stack).
                for k in kids.into_iter().rev() {
                    self.walk(k, env);
                }
            }
        }
    }

    /// Whether evaluating `e` always fails (`failwith`, `failwithf`, `invalidArg`,
    /// `raise`, or a block ending in one).
    fn diverges(&self, e: ExprId) -> bool {
        match &self.psg.expr(e).kind {
            ExprKind::Sequential(items) => items.last().is_some_and(|l| self.diverges(*l)),
            ExprKind::Let { body, .. } | ExprKind::LetFunctions { body, .. } => {
                self.diverges(*body)
            }
            ExprKind::App { .. } => {
                let (head, _) = self.psg.spine(e);
                match &self.psg.expr(head).kind {
                    ExprKind::Builtin(b) => b.diverges(),
                    ExprKind::Format { kind, .. } => *kind == crate::psg::FormatKind::Failwithf,
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// Records the invariants of `var` that `var <- value` does not preserve.
    fn check_invariants(&mut self, env: &Env, var: BindingId, value: ExprId) {
        let Some(list) = self.invariants.get(&var) else {
            return;
        };
        let lin = self.canon(value);
        let mut broken = Vec::new();
        for f in list {
            let kept = match (f.bound, lin) {
                (_, None) => false,
                (Bound::Lower(_, lo), Some(l)) => match l {
                    (Term::Var(v), c) if v == var => {
                        (0..=SMALL_STEP).contains(&c) || (c >= 0 && self.no_overflow(env, v, c))
                    }
                    _ => self.lower_of(env, l).is_some_and(|x| x >= lo),
                },
                (Bound::Upper(t, k), Some((lt, lk))) => {
                    if lt == Term::Var(var) {
                        (-SMALL_STEP..=0).contains(&lk)
                            || (lk <= 0 && self.no_overflow(env, var, lk))
                    } else {
                        lt == t && lk <= k
                    }
                }
            };
            if !kept {
                broken.push((var, f.bound));
            }
        }
        self.broken.extend(broken);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Cmp {
    fn of(op: BinaryOp) -> Option<Cmp> {
        Some(match op {
            BinaryOp::Lt => Cmp::Lt,
            BinaryOp::Le => Cmp::Le,
            BinaryOp::Gt => Cmp::Gt,
            BinaryOp::Ge => Cmp::Ge,
            BinaryOp::Eq => Cmp::Eq,
            BinaryOp::Ne => Cmp::Ne,
            _ => return None,
        })
    }

    fn negate(self) -> Cmp {
        match self {
            Cmp::Lt => Cmp::Ge,
            Cmp::Le => Cmp::Gt,
            Cmp::Gt => Cmp::Le,
            Cmp::Ge => Cmp::Lt,
            Cmp::Eq => Cmp::Ne,
            Cmp::Ne => Cmp::Eq,
        }
    }

    /// `a op b` ⇔ `b flip(op) a`
    fn flip(self) -> Cmp {
        match self {
            Cmp::Lt => Cmp::Gt,
            Cmp::Le => Cmp::Ge,
            Cmp::Gt => Cmp::Lt,
            Cmp::Ge => Cmp::Le,
            other => other,
        }
    }
}

/// `int` (on a 64-bit target) and `int64`: the types the analysis reasons about.
fn is_word_int(ty: &Ty, psg: &Psg) -> bool {
    matches!(ty, Ty::Prim(p) if is_word_int_prim(*p, psg))
}

fn is_word_int_prim(p: Prim, psg: &Psg) -> bool {
    p.int_info(psg.target.word_bits) == Some((64, true))
}

#[cfg(test)]
mod tests {
    /// Each array access of `src` (`text]`) with whether its check was removed.
    fn decisions(src: &str) -> Vec<(String, bool)> {
        let psg = crate::test_support::check(src);
        psg.bounds
            .iter()
            .map(|n| {
                let text = &src[n.access.start as usize..n.access.end as usize];
                (format!("{text}]"), n.removed)
            })
            .collect()
    }

    fn removed(src: &str) -> Vec<String> {
        decisions(src)
            .into_iter()
            .filter(|(_, r)| *r)
            .map(|(t, _)| t)
            .collect()
    }

    #[test]
    fn for_loop_over_the_length_removes_checks() {
        let src = "let f (a: int[]) =\n    let mutable s = 0\n    for i in 0 .. a.Length - 2 do\n        s <- s + a.[i] + a.[i + 1]\n    s\n";
        assert_eq!(removed(src), ["a.[i]", "a.[i + 1]"]);
    }

    #[test]
    fn off_by_one_and_negative_indexes_keep_checks() {
        let src = "let f (a: int[]) =\n    let mutable s = 0\n    for i in 0 .. a.Length do\n        s <- s + a.[i]\n    for i in 0 .. a.Length - 1 do\n        s <- s + a.[i - 1] + a.[i + 1]\n    s\n";
        assert!(removed(src).is_empty(), "{:?}", decisions(src));
    }

    #[test]
    fn zero_create_length_is_known() {
        let src = "let init n =\n    let r = Array.zeroCreate n\n    for i in 0 .. n - 1 do\n        r.[i] <- i * i\n    r\nlet copy (a: int[]) =\n    let r = Array.zeroCreate a.Length\n    for i in 0 .. a.Length - 1 do\n        r.[i] <- a.[i]\n    r\n";
        assert_eq!(removed(src), ["r.[i]", "r.[i]", "a.[i]"]);
    }

    #[test]
    fn while_counters_up_and_down() {
        let src = "let find (a: int[]) v =\n    let mutable i = 0\n    while i < a.Length && a.[i] <> v do\n        i <- i + 1\n    i\nlet back (a: int[]) v =\n    let mutable i = a.Length - 1\n    while i >= 0 && a.[i] <> v do\n        i <- i - 1\n    i\n";
        assert_eq!(removed(src), ["a.[i]", "a.[i]"]);
    }

    #[test]
    fn access_after_the_increment_keeps_its_check() {
        let src = "let f (a: int[]) =\n    let mutable i = 0\n    let mutable s = 0\n    while i < a.Length do\n        i <- i + 1\n        s <- s + a.[i]\n    s\n";
        assert!(removed(src).is_empty(), "{:?}", decisions(src));
    }

    #[test]
    fn a_counter_that_can_go_negative_has_no_lower_bound() {
        let src = "let f (a: int[]) =\n    let mutable i = 0\n    let mutable s = 0\n    while i < a.Length do\n        s <- s + a.[i]\n        i <- i + 1\n    i <- -5\n    s\n";
        assert!(removed(src).is_empty(), "{:?}", decisions(src));
    }

    #[test]
    fn reassigned_array_keeps_its_check() {
        let src = "let f () =\n    let mutable a = [| 1; 2; 3 |]\n    let mutable s = 0\n    for i in 0 .. a.Length - 1 do\n        a <- [| 1 |]\n        s <- s + a.[i]\n    s\n";
        assert!(removed(src).is_empty(), "{:?}", decisions(src));
    }

    #[test]
    fn conditions_give_bounds() {
        let src = "let g (a: int[]) i = if i >= 0 && i < a.Length then a.[i] else 0\nlet h (a: int[]) i = if i < 0 || i >= a.Length then 0 else a.[i]\nlet k (a: int[]) i = if i < a.Length then a.[i] else 0\n";
        assert_eq!(removed(src), ["a.[i]", "a.[i]"]);
    }

    #[test]
    fn a_failing_guard_bounds_what_follows() {
        let src = "let head (a: int[]) =\n    if a.Length = 0 then\n        failwith \"empty\"\n    a.[0] + a.[a.Length - 1]\nlet notGuarded (a: int[]) =\n    if a.Length = 0 then\n        printfn \"empty\"\n    a.[0]\n";
        assert_eq!(removed(src), ["a.[0]", "a.[a.Length - 1]"]);
    }

    #[test]
    fn constant_indexes_into_literals() {
        let src = "let a = [| 1; 2; 3 |]\nprintfn \"%d\" (a.[2] + a.[3])\n";
        assert_eq!(
            decisions(src),
            [("a.[2]".to_string(), true), ("a.[3]".to_string(), false)]
        );
    }

    #[test]
    fn closures_do_not_inherit_facts_about_mutables() {
        let src = "let f (a: int[]) =\n    let mutable i = 0\n    let mutable s = 0\n    while i < a.Length do\n        let get () = a.[i]\n        i <- i + 1\n        s <- s + get ()\n    s\n";
        assert!(removed(src).is_empty(), "{:?}", decisions(src));
    }
}
