//! Tail position: every path of a function body ends in a return, a self tail call
//! becomes a jump back to the start (constant stack at every optimisation level), and
//! a full call of a sibling with the same machine signature becomes `musttail` when
//! its arguments fit the argument registers of the target's calling convention.

use super::{apply_subst, split_fun, Builder, Callable, InstanceKey, Lowerer};
use crate::mir::{self, Callee, Const, Operand, Rvalue, Terminator};
use composer_semantics::psg::{self, ExprId, ExprKind};
use composer_semantics::types::Ty as PTy;

impl Lowerer<'_> {
    /// Lowers an expression in tail position: every path ends in a return, or, for
    /// a call of the function itself with all its arguments, in a jump back to the
    /// start with the parameters reassigned. Self tail recursion therefore runs in
    /// constant stack at every optimisation level (a guarantee, not an LLVM hope).
    pub(super) fn lower_tail(&mut self, b: &mut Builder, e: ExprId) {
        let expr = self.psg.expr(e);
        match &expr.kind {
            ExprKind::If {
                cond,
                then_branch,
                else_branch,
            } => {
                let (cond, then_branch, else_branch) = (*cond, *then_branch, *else_branch);
                let c = self.lower_expr(b, cond);
                let (then_b, else_b) = b.branch(c);
                b.switch_to(then_b);
                self.lower_tail(b, then_branch);
                b.switch_to(else_b);
                match else_branch {
                    Some(eb) => self.lower_tail(b, eb),
                    None => b.terminate(Terminator::Return(Operand::Const(Const::Unit))),
                }
            }
            ExprKind::Sequential(items) if !items.is_empty() => {
                let items = items.clone();
                for i in &items[..items.len() - 1] {
                    self.lower_expr(b, *i);
                }
                self.lower_tail(b, items[items.len() - 1]);
            }
            ExprKind::Let {
                binding,
                value,
                body,
            } => {
                let (binding, value, body) = (*binding, *value, *body);
                self.lower_let_value(b, binding, value);
                self.lower_tail(b, body);
            }
            ExprKind::LetFunctions { body, .. } => {
                let body = *body;
                self.lower_tail(b, body);
            }
            ExprKind::Match { scrutinee, rules } => {
                let (scrutinee, rules) = (*scrutinee, rules.clone());
                self.lower_decision_tree(b, scrutinee, &rules, None);
            }
            ExprKind::App { .. } if self.try_self_tail_call(b, e) => {}
            ExprKind::App { .. } if self.try_sibling_tail_call(b, e) => {}
            _ => {
                if let ExprKind::Binary {
                    op: psg::BinaryOp::Add | psg::BinaryOp::Mul,
                    lhs,
                    rhs,
                } = expr.kind
                {
                    let is_app = |x: ExprId| matches!(self.psg.expr(x).kind, ExprKind::App { .. });
                    b.keep_call = [rhs, lhs].into_iter().find(|x| is_app(*x));
                }
                let v = self.lower_expr(b, e);
                b.keep_call = None;
                b.terminate(Terminator::Return(v));
            }
        }
    }

    /// A full call, in tail position, of another function whose machine signature is
    /// the current one's (`let rec f ... and g ...` with the same parameter types):
    /// a `musttail` call, so mutual recursion runs in constant stack.
    fn try_sibling_tail_call(&mut self, b: &mut Builder, e: ExprId) -> bool {
        if b.tail_self.is_none() {
            return false;
        }
        let (head, args) = self.psg.spine(e);
        let ExprKind::Function(fid) = self.psg.expr(head).kind else {
            return false;
        };
        let arity = self.psg.function(fid).params.len();
        if arity != args.len() {
            return false;
        }
        let Some((Callable::Function(key), captured)) = self.head_callable(b, head) else {
            return false;
        };
        let (params, ret) = split_fun(&key.sig, arity);
        let mut prototype: Vec<mir::Ty> = self.capture_types(&key);
        prototype.extend(params.iter().map(|t| self.mir_ty(t)));
        let ret = self.mir_ty(&ret);
        let current: Vec<mir::Ty> = b
            .func
            .params
            .iter()
            .map(|p| b.func.local_ty(*p).clone())
            .collect();
        // An async body's return becomes a store into its frame (the async pass):
        // nothing there is a tail call.
        if prototype != current || ret != b.func.ret || b.func.coroutine {
            return false;
        }
        // The code generator can only honour `musttail` when every argument travels
        // in registers and the result comes back in them; otherwise the call stays
        // ordinary.
        if !self.program.fits_in_registers(&prototype, &ret) {
            return false;
        }
        let id = self.instance(key.func, key.sig.clone(), key.captures.clone());
        let mut ops = captured;
        for a in &args {
            ops.push(self.lower_expr(b, *a));
        }
        // A frame that has lent a slot's address (a `let mutable` used by a closure,
        // a closure environment on the stack, possibly made for these very
        // arguments) must outlive the call: `musttail` would release it first, so
        // the call stays ordinary.
        let lends = b.func.blocks.iter().flat_map(|blk| &blk.stmts).any(|st| {
            matches!(st, mir::Stmt::Assign(_, r) | mir::Stmt::Eval(r) if r.lent_slot().is_some())
        });
        let call = if lends {
            Rvalue::Call(Callee::Func(id), ops)
        } else {
            Rvalue::TailCall(id, ops)
        };
        let r = b.temp(call, ret);
        b.terminate(Terminator::Return(r));
        true
    }

    /// A call of the current function with all its arguments, in tail position:
    /// evaluate the arguments, reassign the parameters, jump to the start.
    /// Which calls those are is the analysis's fact (`Psg::self_tail_calls`, the
    /// sites region inference checked); this only confirms the instance.
    fn try_self_tail_call(&mut self, b: &mut Builder, e: ExprId) -> bool {
        let Some(current) = b.tail_self.as_ref().map(|t| t.instance) else {
            return false;
        };
        if !self.psg.self_tail_calls.contains(&e) {
            return false;
        }
        let (head, args) = self.psg.spine(e);
        let ExprKind::Function(fid) = self.psg.expr(head).kind else {
            return false;
        };
        if self.psg.function(fid).params.len() != args.len() {
            return false;
        }
        let sig = self.expr_ty(b, head);
        let captures: Vec<PTy> = self
            .psg
            .function(fid)
            .captures
            .iter()
            .map(|c| apply_subst(&self.psg.binding(*c).ty, &b.subst))
            .collect();
        let key = InstanceKey {
            func: fid,
            sig,
            captures,
        };
        if self.instances.get(&key) != Some(&current) {
            return false;
        }
        // All arguments first (they may read the old parameter values).
        let mut values = Vec::new();
        for a in &args {
            let v = self.lower_expr(b, *a);
            let ty = self.expr_mir_ty(b, *a);
            values.push(match v {
                Operand::Local(_) => b.temp(Rvalue::Use(v), ty),
                other => other,
            });
        }
        let tail = b.tail_self.as_ref().expect("checked above");
        let (params, start, memory) = (tail.params.clone(), tail.start, tail.memory.clone());
        if let super::RoundMemory::Region(_) = memory {
            // The arguments hold no memory of this round (`regions.rs`): free it.
            self.end_round(b, &memory);
        }
        for (p, v) in params.iter().zip(values) {
            b.assign(*p, Rvalue::Use(v));
        }
        if let super::RoundMemory::Compact { .. } = memory {
            // The parameters now hold the next round's state: the carry point.
            self.end_round(b, &memory);
        }
        b.terminate(Terminator::Goto(start));
        true
    }
}
