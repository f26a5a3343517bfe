//! FS8003 for closures: a closure may use a `let mutable` of an enclosing function
//! only while it cannot outlive that function's frame (the variable lives there).
//!
//! The check is conservative and syntactic: a closure that captures a mutable
//! variable may be called, or passed as an argument to a call; any other use of it
//! as a value (returned from a function, stored in a value, a tuple, a record, a
//! list, a union case, a cell or a global) lets it escape.

use super::Checker;
use crate::psg::{ExprId, ExprKind, FunctionId, TopItem};
use composer_diagnostics::{Code, Diagnostic};
use rustc_hash::FxHashMap;

/// How the value of an expression is used.
#[derive(Debug, Clone, Copy)]
enum Use {
    /// Called, passed to a call, or thrown away.
    Local,
    /// Becomes the result of this function.
    Returned(FunctionId),
    /// Stored somewhere that may outlive the frame.
    Stored,
}

impl Checker<'_> {
    pub(crate) fn check_closure_escape(&mut self) {
        if self.mutable_captures.is_empty() {
            return;
        }
        // The closures that capture a mutable variable, with what and where.
        let mut capturing: FxHashMap<
            FunctionId,
            (crate::psg::BindingId, composer_diagnostics::Span),
        > = FxHashMap::default();
        for (b, f, span) in &self.mutable_captures {
            // Every function on the way out to the variable's owner captures it too.
            let owner = self.psg.bindings[b.index()].owner;
            let mut cur = Some(*f);
            while let Some(fid) = cur {
                if Some(fid) == owner {
                    break;
                }
                capturing.entry(fid).or_insert((*b, *span));
                cur = self.psg.functions[fid.index()].parent;
            }
        }
        let mut escapes: Vec<(FunctionId, Use)> = Vec::new();
        for (i, f) in self.psg.functions.iter().enumerate() {
            if f.body.0 != u32::MAX {
                self.walk(
                    f.body,
                    Use::Returned(FunctionId(i as u32)),
                    &capturing,
                    &mut escapes,
                );
            }
        }
        for item in &self.psg.top_level {
            match item {
                TopItem::Global { value, .. } | TopItem::Destructure { value, .. } => {
                    self.walk(*value, Use::Stored, &capturing, &mut escapes)
                }
                TopItem::Do(e) => self.walk(*e, Use::Local, &capturing, &mut escapes),
            }
        }
        let mut reported = Vec::new();
        for (f, how) in escapes {
            let Some(&(b, span)) = capturing.get(&f) else {
                continue;
            };
            if reported.contains(&b) {
                continue;
            }
            reported.push(b);
            let name = self.psg.bindings[b.index()].name.clone();
            let path = match how {
                Use::Returned(g) => format!(
                    "the closure is returned from '{}'",
                    self.psg.functions[g.index()].name
                ),
                _ => "the closure is stored where it outlives the frame".to_string(),
            };
            self.diags.push(Diagnostic::error(
                Code::RegionEscape,
                span,
                format!("The mutable variable '{name}' is captured by a closure that escapes its frame ({path}). Use a 'ref' cell instead."),
            ));
        }
    }

    fn walk(
        &self,
        e: ExprId,
        how: Use,
        capturing: &FxHashMap<FunctionId, (crate::psg::BindingId, composer_diagnostics::Span)>,
        out: &mut Vec<(FunctionId, Use)>,
    ) {
        let walk = |e: ExprId, how: Use, out: &mut Vec<(FunctionId, Use)>| {
            self.walk(e, how, capturing, out)
        };
        match &self.psg.expr(e).kind {
            ExprKind::Function(f) => {
                if capturing.contains_key(f) && !matches!(how, Use::Local) {
                    out.push((*f, how));
                }
            }
            ExprKind::App { .. } => {
                // The head of a call is called, not stored; arguments are passed (but a
                // union case, `Some` or `ref` stores its argument).
                let mut head = e;
                let mut args = Vec::new();
                while let ExprKind::App { func, arg } = &self.psg.expr(head).kind {
                    args.push(*arg);
                    head = *func;
                }
                let stores = matches!(
                    self.psg.expr(head).kind,
                    ExprKind::UnionCase { .. }
                        | ExprKind::Builtin(
                            crate::builtins::Builtin::Some | crate::builtins::Builtin::Ref
                        )
                );
                for a in args {
                    walk(a, if stores { Use::Stored } else { Use::Local }, out);
                }
                if !matches!(self.psg.expr(head).kind, ExprKind::Function(_)) {
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
                walk(*scrutinee, Use::Local, out);
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
            | ExprKind::Local(_)
            | ExprKind::Builtin(_)
            | ExprKind::Format { .. }
            | ExprKind::UnionCase { .. }
            | ExprKind::ListNil
            | ExprKind::Error => {}
        }
    }
}
