//! FS8003 for closures: a closure may use a `let mutable` of an enclosing function
//! only while it cannot outlive that function's frame (the variable lives there).
//!
//! The check is conservative: a closure that captures a mutable variable may be
//! called, or passed to a function that does not let that parameter escape; any
//! other use of it as a value (returned from a function, stored in a value, a tuple,
//! a record, a list, a union case, a cell or a global, passed to a function value
//! or partially applied) lets it escape.
//!
//! Whether a function lets a parameter escape is a summary computed over the whole
//! program: the parameter (or a closure that captures it) is returned, stored, or
//! passed on to a parameter that escapes. The summaries are the least fixed point
//! of those edges, so recursion (`List.iter` passing `action` to its inner loop)
//! does not make a parameter escape by itself.

use super::Checker;
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
    /// Passed as this parameter of a known function.
    Passed(FunctionId, usize),
}

/// Something whose escape matters: a closure that captures a `let mutable`
/// (reported), or a function's parameter (a summary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Origin {
    /// An entry of `mutable_captures`: a use of a `let mutable` inside a closure.
    Mutable(usize),
    Param(FunctionId, usize),
}

/// What the walk knows: which functions and bindings carry which origins.
struct Facts {
    functions: FxHashMap<FunctionId, Vec<Origin>>,
    bindings: FxHashMap<BindingId, Vec<Origin>>,
}

impl Facts {
    fn carried_by(&self, kind: &ExprKind) -> &[Origin] {
        let found = match kind {
            ExprKind::Function(f) => self.functions.get(f),
            ExprKind::Local(b) => self.bindings.get(b),
            _ => None,
        };
        found.map_or(&[], Vec::as_slice)
    }
}

impl Checker<'_> {
    pub(crate) fn check_closure_escape(&mut self) {
        if self.mutable_captures.is_empty() {
            return;
        }
        let mut facts = Facts {
            functions: FxHashMap::default(),
            bindings: FxHashMap::default(),
        };
        for (i, (b, f, _)) in self.mutable_captures.iter().enumerate() {
            self.carry(&mut facts, *f, *b, Origin::Mutable(i));
        }
        for (i, f) in self.psg.functions.iter().enumerate() {
            for (k, p) in f.params.iter().enumerate() {
                let origin = Origin::Param(FunctionId(i as u32), k);
                facts.bindings.entry(*p).or_default().push(origin);
            }
        }
        // A closure that captures a parameter carries it too.
        let param_of: FxHashMap<BindingId, Origin> =
            facts.bindings.iter().map(|(b, o)| (*b, o[0])).collect();
        for (i, f) in self.psg.functions.iter().enumerate() {
            for c in &f.captures {
                if let Some(origin) = param_of.get(c) {
                    self.carry(&mut facts, FunctionId(i as u32), *c, *origin);
                }
            }
        }
        let mut events: Vec<(Origin, Use)> = Vec::new();
        for (i, f) in self.psg.functions.iter().enumerate() {
            if f.body.0 != u32::MAX {
                let fid = FunctionId(i as u32);
                self.walk(f.body, Use::Returned(fid), &facts, &mut events);
            }
        }
        for item in &self.psg.top_level {
            match item {
                TopItem::Global { value, .. } | TopItem::Destructure { value, .. } => {
                    self.walk(*value, Use::Stored, &facts, &mut events)
                }
                TopItem::Do(e) => self.walk(*e, Use::Local, &facts, &mut events),
            }
        }
        // Least fixed point: an origin escapes when it is used in an escaping way, or
        // passed to a parameter that escapes.
        let mut escaping: FxHashMap<Origin, Use> = FxHashMap::default();
        for (o, how) in &events {
            if matches!(how, Use::Returned(_) | Use::Stored) {
                escaping.entry(*o).or_insert(*how);
            }
        }
        loop {
            let mut changed = false;
            for (o, how) in &events {
                if let Use::Passed(g, k) = how {
                    if !escaping.contains_key(o) && escaping.contains_key(&Origin::Param(*g, *k)) {
                        escaping.insert(*o, *how);
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        // One error per variable, at the first use of it in an escaping closure.
        let mut reported: Vec<(Span, BindingId, Use)> = Vec::new();
        let mut uses: Vec<(Span, BindingId, Use)> = escaping
            .iter()
            .filter_map(|(o, how)| match o {
                Origin::Mutable(i) => {
                    let (b, _, span) = self.mutable_captures[*i];
                    Some((span, b, *how))
                }
                Origin::Param(..) => None,
            })
            .collect();
        uses.sort_by_key(|(span, _, _)| (span.start, span.end));
        for u in uses {
            if !reported.iter().any(|r| r.1 == u.1) {
                reported.push(u);
            }
        }
        for (span, b, how) in reported {
            let path = match how {
                Use::Returned(g) => format!(
                    "the closure is returned from '{}'",
                    self.psg.functions[g.index()].name
                ),
                Use::Passed(g, _) => format!(
                    "the closure is passed to '{}', which lets it escape",
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
    fn carry(&self, facts: &mut Facts, f: FunctionId, b: BindingId, origin: Origin) {
        let owner = self.psg.bindings[b.index()].owner;
        let mut cur = Some(f);
        while let Some(fid) = cur {
            if Some(fid) == owner {
                break;
            }
            let carried = facts.functions.entry(fid).or_default();
            if !carried.contains(&origin) {
                carried.push(origin);
            }
            cur = self.psg.functions[fid.index()].parent;
        }
    }

    fn walk(&self, e: ExprId, how: Use, facts: &Facts, out: &mut Vec<(Origin, Use)>) {
        let walk =
            |e: ExprId, how: Use, out: &mut Vec<(Origin, Use)>| self.walk(e, how, facts, out);
        let kind = &self.psg.expr(e).kind;
        if how != Use::Local {
            out.extend(facts.carried_by(kind).iter().map(|o| (*o, how)));
        }
        match kind {
            ExprKind::App { .. } => {
                // The head of a call is called, not stored. A full call of a known
                // function passes its arguments to its parameters; a union case,
                // `Some` or `ref` stores them; a partial application keeps them in a
                // closure used like the call; an unknown function may keep them.
                let mut head = e;
                let mut args = Vec::new();
                while let ExprKind::App { func, arg } = &self.psg.expr(head).kind {
                    args.push(*arg);
                    head = *func;
                }
                args.reverse();
                let head_kind = &self.psg.expr(head).kind;
                for (k, a) in args.iter().enumerate() {
                    let use_ = match head_kind {
                        ExprKind::Function(g) => {
                            let arity = self.psg.functions[g.index()].params.len();
                            if k >= arity || (args.len() < arity && how != Use::Local) {
                                // Given to the function it returns, or kept by a
                                // partial application that is itself kept.
                                Use::Stored
                            } else {
                                Use::Passed(*g, k)
                            }
                        }
                        ExprKind::UnionCase { .. }
                        | ExprKind::Builtin(
                            crate::builtins::Builtin::Some | crate::builtins::Builtin::Ref,
                        ) => Use::Stored,
                        ExprKind::Builtin(_) | ExprKind::Format { .. } => Use::Local,
                        _ => Use::Stored,
                    };
                    walk(*a, use_, out);
                }
                if !matches!(head_kind, ExprKind::Function(_)) {
                    walk(head, Use::Local, out);
                }
            }
            ExprKind::If {
                cond,
                then_branch,
                else_branch,
            } => {
                walk(*cond, Use::Local, out);
                walk(*then_branch, how, out);
                if let Some(e) = else_branch {
                    walk(*e, how, out);
                }
            }
            ExprKind::Match { scrutinee, rules } => {
                // Pattern variables would alias a carried value: count it as stored.
                let carried = !facts.carried_by(&self.psg.expr(*scrutinee).kind).is_empty();
                walk(
                    *scrutinee,
                    if carried { Use::Stored } else { Use::Local },
                    out,
                );
                for r in rules {
                    if let Some(g) = r.guard {
                        walk(g, Use::Local, out);
                    }
                    walk(r.body, how, out);
                }
            }
            ExprKind::Let { value, body, .. } => {
                walk(*value, Use::Stored, out);
                walk(*body, how, out);
            }
            ExprKind::LetFunctions { body, .. } => walk(*body, how, out),
            ExprKind::Sequential(items) => {
                for (i, item) in items.iter().enumerate() {
                    let h = if i + 1 == items.len() {
                        how
                    } else {
                        Use::Local
                    };
                    walk(*item, h, out);
                }
            }
            ExprKind::Tuple(items) | ExprKind::ArrayLit(items) => {
                for i in items {
                    walk(*i, Use::Stored, out);
                }
            }
            ExprKind::Record { fields, .. } => {
                for (_, v) in fields {
                    walk(*v, Use::Stored, out);
                }
            }
            ExprKind::RecordUpdate { base, fields } => {
                walk(*base, Use::Local, out);
                for (_, v) in fields {
                    walk(*v, Use::Stored, out);
                }
            }
            ExprKind::ListCons { head, tail } => {
                walk(*head, Use::Stored, out);
                walk(*tail, Use::Stored, out);
            }
            ExprKind::Assign { value, .. } | ExprKind::RefSet { value, .. } => {
                walk(*value, Use::Stored, out)
            }
            ExprKind::IndexSet {
                target,
                index,
                value,
            } => {
                walk(*target, Use::Local, out);
                walk(*index, Use::Local, out);
                walk(*value, Use::Stored, out);
            }
            ExprKind::While { cond, body } => {
                walk(*cond, Use::Local, out);
                walk(*body, Use::Local, out);
            }
            ExprKind::For {
                start,
                end,
                step,
                body,
                ..
            } => {
                walk(*start, Use::Local, out);
                walk(*end, Use::Local, out);
                if let Some(s) = step {
                    walk(*s, Use::Local, out);
                }
                walk(*body, Use::Local, out);
            }
            ExprKind::ForEach { source, body, .. } => {
                walk(*source, Use::Local, out);
                walk(*body, Use::Local, out);
            }
            ExprKind::Unary { operand, .. } => walk(*operand, Use::Local, out),
            ExprKind::Binary { lhs, rhs, .. } => {
                walk(*lhs, Use::Local, out);
                walk(*rhs, Use::Local, out);
            }
            ExprKind::Member { target, .. }
            | ExprKind::Field { target, .. }
            | ExprKind::RefGet(target) => walk(*target, Use::Local, out),
            ExprKind::Index { target, index } => {
                walk(*target, Use::Local, out);
                walk(*index, Use::Local, out);
            }
            ExprKind::Interpolated(parts) => {
                for p in parts {
                    if let crate::psg::InterpolatedPart::Hole { expr, .. } = p {
                        walk(*expr, Use::Local, out);
                    }
                }
            }
            ExprKind::Const(_)
            | ExprKind::Function(_)
            | ExprKind::Local(_)
            | ExprKind::Builtin(_)
            | ExprKind::Format { .. }
            | ExprKind::UnionCase { .. }
            | ExprKind::ListNil
            | ExprKind::Error => {}
        }
    }
}
