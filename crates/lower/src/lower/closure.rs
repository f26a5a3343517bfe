//! Function values: closure conversion and partial application.
//!
//! Everything callable (a PSG function instance, a builtin, a format function) is a
//! [`Callable`] of some arity. A function value is a closure `{code, env}` whose code
//! takes one argument: for a callable with `k` arguments already supplied, the code
//! is the *stub* `stub(callable, k)`, and the environment holds the callable's
//! captured values followed by those `k` arguments. Applying the stub to argument
//! `k+1` either calls the callable (when that completes its arity) or returns the
//! closure for `stub(callable, k+1)`. This is the classic closure conversion of
//! curried languages (Appel, "Compiling with Continuations", ch. 10), with known
//! full applications called directly and no closure at all.
//!
//! A closure with exactly two arguments to go also carries `pair(callable, k)`, an
//! entry taking both (OCaml's N-ary closure entries, for N = 2): a function value
//! applied to two arguments (`f acc x` in `List.fold`) checks for it and calls it
//! directly, so the saturated call makes no closure in between; without one it
//! applies the arguments one at a time.

use super::placement::{CLOSURE_ENVIRONMENT, CLOSURE_STEP, UNION_CELL, VALUE_CALL};
use super::{apply_subst, Builder, InstanceKey, Lowerer, PTy, Subst, Work};
use crate::mir::{self, Callee, FuncId, Operand, Rvalue, Terminator};
use composer_diagnostics::Span;
use composer_semantics::builtins::Builtin;
use composer_semantics::format::FormatSpec;
use composer_semantics::psg::{ExprId, ExprKind, FormatKind, FunctionId, PatKind};

/// Something that can be applied to arguments.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Callable {
    /// A PSG function at concrete types: its MIR instance takes the captured values,
    /// then its parameters.
    Function(InstanceKey),
    /// A builtin at the concrete type of its reference.
    Builtin(Builtin, PTy),
    /// `printfn "..."` and friends at the concrete type of the format function.
    Format(FormatKind, FormatSpec, PTy),
    /// A union case constructor (one argument: the field, or a tuple of them) at
    /// its concrete type.
    Case(u32, PTy),
}

/// `a1 -> ... -> an -> r` split after `n` arrows.
pub(super) fn split_fun(ty: &PTy, n: usize) -> (Vec<PTy>, PTy) {
    let mut params = Vec::new();
    let mut t = ty.clone();
    for _ in 0..n {
        match t {
            PTy::Fun(a, r) => {
                params.push((*a).clone());
                t = (*r).clone();
            }
            other => return (params, other),
        }
    }
    (params, t)
}

impl Lowerer<'_> {
    /// The callable's curried type, arity and captured-value types.
    fn callable_shape(&mut self, c: &Callable) -> (PTy, usize, Vec<mir::Ty>) {
        match c {
            Callable::Function(key) => {
                let f = self.psg.function(key.func);
                let arity = f.params.len();
                let caps = self.capture_types(key);
                (key.sig.clone(), arity, caps)
            }
            Callable::Builtin(b, ty) => (ty.clone(), b.arity(), Vec::new()),
            Callable::Format(_, spec, ty) => (ty.clone(), spec.args().count(), Vec::new()),
            Callable::Case(_, ty) => (ty.clone(), 1, Vec::new()),
        }
    }

    /// The function value of `callable` after `applied` arguments, whose environment
    /// is `env` (captured values, then the applied arguments). `site` is the
    /// expression making it, if any: when the checker found that its value cannot
    /// outlive this frame, the environment is a local of the frame.
    pub(super) fn make_closure(
        &mut self,
        b: &mut Builder,
        callable: Callable,
        applied: usize,
        env: Vec<Operand>,
        site: Option<composer_semantics::psg::ExprId>,
    ) -> Operand {
        let (ty, arity, _) = self.callable_shape(&callable);
        let (_, rest) = split_fun(&ty, applied);
        let closure_ty = self.mir_ty(&rest);
        let pair = (arity == applied + 2).then(|| self.stub(callable.clone(), applied, true));
        let stub = self.stub(callable, applied, false);
        // Not in an async body: its frame is left at each suspension.
        let on_stack =
            !b.func.coroutine && site.is_some_and(|e| self.psg.stack_closures.contains(&e));
        let env_slot = (on_stack && !env.is_empty()).then(|| {
            let layout: Vec<mir::Ty> = env.iter().map(|op| b.func.operand_ty(op)).collect();
            b.new_local(mir::Ty::Tuple(layout), "env")
        });
        // A value that may be given fewer arguments than it needs makes closures
        // wherever that happens (`Psg::stepping_closures`); they are recorded here.
        if let Some(e) = site.filter(|e| self.psg.stepping_closures.contains(e)) {
            let span = self.psg.expr(e).span;
            self.placed(b, span, CLOSURE_STEP);
        }
        // A stub's next closure (no site) is the value call's (`call_value`).
        if let Some(e) = site.filter(|_| !env.is_empty()) {
            let span = self.psg.expr(e).span;
            if env_slot.is_some() {
                self.placed_on_stack(b, span);
            } else {
                self.placed(b, span, CLOSURE_ENVIRONMENT);
            }
        }
        b.temp(
            Rvalue::MakeClosure {
                func: stub,
                captures: env,
                env_slot,
                pair,
            },
            closure_ty,
        )
    }

    /// The MIR function `stub(callable, applied)` (or, with `pair`, its entry
    /// taking the last two arguments), queued if new.
    fn stub(&mut self, callable: Callable, applied: usize, pair: bool) -> FuncId {
        let key = (callable, applied, pair);
        if let Some(id) = self.stubs.get(&key) {
            return *id;
        }
        let name = format!(
            "closure_{}{}",
            self.stubs.len(),
            if pair { "_pair" } else { "" }
        );
        let id = self.queue_function(name, Work::Stub(key.0.clone(), key.1, pair));
        self.stubs.insert(key, id);
        id
    }

    /// Builds `stub(callable, applied)`: `(env, arg) -> result`; with `pair`, the
    /// entry `(env, arg1, arg2) -> result` of a closure two arguments short.
    pub(super) fn lower_stub(
        &mut self,
        callable: &Callable,
        applied: usize,
        pair: bool,
    ) -> mir::Function {
        let span = Span::default();
        let (ty, arity, caps) = self.callable_shape(callable);
        let (params, _) = split_fun(&ty, arity);
        let taken = if pair { 2 } else { 1 };
        let (_, after) = split_fun(&ty, applied + taken);
        let ret = self.mir_ty(&after);
        let name = self.program.functions[self.stubs[&(callable.clone(), applied, pair)].index()]
            .name
            .clone();
        let mut b = Builder::new(name, ret, Subst::default());
        b.has_source_sites = false;
        let env = b.new_local(mir::Ty::Ptr, "env");
        let mut args = Vec::new();
        for p in &params[applied..applied + taken] {
            let arg_ty = self.mir_ty(p);
            args.push(b.new_local(arg_ty, "arg"));
        }
        b.func.params = std::iter::once(env).chain(args.iter().copied()).collect();
        let mut layout = caps.clone();
        for p in &params[..applied] {
            layout.push(self.mir_ty(p));
        }
        let mut values = Vec::new();
        for (i, t) in layout.iter().enumerate() {
            let v = b.temp(
                Rvalue::EnvGet {
                    env: Operand::Local(env),
                    layout: layout.clone(),
                    index: i as u32,
                },
                t.clone(),
            );
            values.push(v);
        }
        values.extend(args.iter().map(|a| Operand::Local(*a)));
        let result = if applied + taken == arity {
            let (captured, args) = values.split_at(caps.len());
            self.invoke(&mut b, callable, captured.to_vec(), args.to_vec(), span)
        } else {
            self.make_closure(&mut b, callable.clone(), applied + taken, values, None)
        };
        b.terminate(Terminator::Return(result));
        b.func
    }

    /// Base-case peeling. A function whose body matches a parameter and answers a
    /// constant for some fieldless cases first (`| Leaf -> 0`, `| [] -> 0`): the
    /// parameter's position and those (case, constant) pairs. Its recursive calls
    /// test the cases themselves and call only for the others, which halves the
    /// calls of a tree walk (every node has two leaf children at the bottom). LLVM
    /// does neither this nor recursive inlining.
    fn peelable_base_cases(&self, func: FunctionId) -> Option<(usize, Vec<(u32, ExprId)>)> {
        let f = self.psg.function(func);
        let ExprKind::Match { scrutinee, rules } = &self.psg.expr(f.body).kind else {
            return None;
        };
        let ExprKind::Local(param) = self.psg.expr(*scrutinee).kind else {
            return None;
        };
        let index = f.params.iter().position(|p| *p == param)?;
        let mut seen = Vec::new();
        let mut peeled = Vec::new();
        for rule in rules {
            if rule.guard.is_some() {
                break;
            }
            let case = match &self.psg.pat(rule.pat).kind {
                PatKind::Case { case, .. } => *case,
                PatKind::ListNil => 0,
                PatKind::ListCons(..) => 1,
                _ => break,
            };
            let fieldless = match &self.psg.pat(rule.pat).kind {
                PatKind::Case { fields, .. } => fields.is_empty(),
                PatKind::ListNil => true,
                _ => false,
            };
            if fieldless
                && !seen.contains(&case)
                && matches!(self.psg.expr(rule.body).kind, ExprKind::Const(_))
            {
                peeled.push((case, rule.body));
            }
            seen.push(case);
        }
        (!peeled.is_empty()).then_some((index, peeled))
    }

    /// `f args` where `scrutinee` (one of the arguments) is tested against the
    /// peeled cases first: their constants without a call, else the call.
    fn call_peeled(
        &mut self,
        b: &mut Builder,
        id: FuncId,
        ops: Vec<Operand>,
        ret: mir::Ty,
        scrutinee: Operand,
        cases: &[(u32, ExprId)],
    ) -> Operand {
        let result = b.new_local(ret.clone(), "peeled");
        let join = b.new_block();
        for (case, body) in cases {
            let is = b.temp(
                Rvalue::IsCase {
                    value: scrutinee.clone(),
                    case: *case,
                },
                mir::Ty::Bool,
            );
            let (this, next) = b.branch(is);
            b.switch_to(this);
            let v = self.lower_expr(b, *body);
            b.assign(result, Rvalue::Use(v));
            b.terminate(Terminator::Goto(join));
            b.switch_to(next);
        }
        let v = b.temp(Rvalue::Call(Callee::Func(id), ops), ret);
        b.assign(result, Rvalue::Use(v));
        b.terminate(Terminator::Goto(join));
        b.switch_to(join);
        self.local_operand(b, result)
    }

    /// Calls a callable with its captured values and all its arguments.
    pub(super) fn invoke(
        &mut self,
        b: &mut Builder,
        callable: &Callable,
        captured: Vec<Operand>,
        args: Vec<Operand>,
        span: Span,
    ) -> Operand {
        let (ty, arity, _) = self.callable_shape(callable);
        let (params, result) = split_fun(&ty, arity);
        match callable {
            Callable::Function(key) => {
                let id = self.instance(key.func, key.sig.clone(), key.captures.clone());
                let ret = self.mir_ty(&result);
                let recursive = b.peel && b.tail_self.as_ref().is_some_and(|t| t.instance == id);
                let peeled = match self.peelable_base_cases(key.func) {
                    Some((index, cases)) if recursive && !ret.is_unit() => {
                        Some((args[index].clone(), cases))
                    }
                    _ => None,
                };
                let mut ops = captured;
                ops.extend(args);
                match peeled {
                    Some((scrutinee, cases)) => {
                        self.call_peeled(b, id, ops, ret, scrutinee, &cases)
                    }
                    None => b.temp(Rvalue::Call(Callee::Func(id), ops), ret),
                }
            }
            Callable::Builtin(bi, _) => self.builtin_values(b, *bi, args, params, &result, span),
            Callable::Format(kind, spec, _) => {
                let values = args
                    .into_iter()
                    .zip(params)
                    .map(|(v, t)| (v, t, span))
                    .collect();
                self.format_values(b, *kind, spec, values, span)
            }
            Callable::Case(case, _) => {
                let union_ty = self.mir_ty(&result);
                let arg = args
                    .into_iter()
                    .next()
                    .unwrap_or(Operand::Const(mir::Const::Unit));
                let fields = match &params[0] {
                    PTy::Tuple(items)
                        if self.case_field_count(&result, *case) == items.len()
                            && items.len() > 1 =>
                    {
                        let tuple_ty = self.mir_ty(&params[0]);
                        let field_tys = match tuple_ty {
                            mir::Ty::Tuple(fs) => fs,
                            _ => Vec::new(),
                        };
                        field_tys
                            .into_iter()
                            .enumerate()
                            .map(|(i, t)| b.temp(Rvalue::TupleGet(arg.clone(), i as u32), t))
                            .collect()
                    }
                    _ => vec![arg],
                };
                self.make_union(b, &union_ty, *case, fields, Some((span, UNION_CELL)))
            }
        }
    }

    /// Fields of a case of the union type `ty`.
    fn case_field_count(&self, ty: &PTy, case: u32) -> usize {
        match ty {
            PTy::App(composer_semantics::types::TyCon::User(def), _) => self.psg.types
                [*def as usize]
                .union_cases()
                .map(|c| c[case as usize].fields.len())
                .unwrap_or(0),
            PTy::App(composer_semantics::types::TyCon::List, _) => 2 * case as usize,
            _ => 0,
        }
    }

    /// The callable an application head denotes, with its captured values, if the
    /// head is a known function, builtin or format.
    pub(super) fn head_callable(
        &mut self,
        b: &mut Builder,
        head: composer_semantics::psg::ExprId,
    ) -> Option<(Callable, Vec<Operand>)> {
        use composer_semantics::psg::ExprKind;
        let span = self.psg.expr(head).span;
        let ty = self.expr_ty(b, head);
        match &self.psg.expr(head).kind {
            ExprKind::Function(fid) => {
                let fid = *fid;
                let captures = self.psg.function(fid).captures.clone();
                let mut ops = Vec::new();
                let mut cap_tys = Vec::new();
                for c in &captures {
                    let op = self.capture_operand(b, *c, span);
                    ops.push(op);
                    cap_tys.push(apply_subst(&self.psg.binding(*c).ty, &b.subst));
                }
                let key = InstanceKey {
                    func: fid,
                    sig: ty,
                    captures: cap_tys,
                };
                Some((Callable::Function(key), ops))
            }
            ExprKind::Builtin(bi) if bi.arity() > 0 => {
                Some((Callable::Builtin(*bi, ty), Vec::new()))
            }
            ExprKind::Format { kind, spec } if spec.args().count() > 0 => {
                Some((Callable::Format(*kind, spec.clone(), ty), Vec::new()))
            }
            ExprKind::UnionCase { case, .. } if matches!(ty, PTy::Fun(..)) => {
                Some((Callable::Case(*case, ty), Vec::new()))
            }
            _ => None,
        }
    }

    /// Applies a function value to arguments one at a time. With more than one, each
    /// step before the last may return a new closure (a stub's partial application)
    /// in the current region. `site` is the application when the function value is
    /// not a known function: each of those closures is recorded at the application
    /// that passes it its next argument (the semantic value-call sites).
    pub(super) fn call_value(
        &mut self,
        b: &mut Builder,
        mut f: Operand,
        mut f_ty: PTy,
        args: Vec<Operand>,
        site: Option<ExprId>,
    ) -> Operand {
        // One argument, and a function comes back: the value may have needed two.
        if let Some(e) = site.filter(|e| args.len() == 1 && self.psg.stepping_calls.contains(e)) {
            self.placed(b, self.psg.expr(e).span, VALUE_CALL);
        }
        let mut app = site;
        for _ in 1..args.len() {
            let Some(e) = app else { break };
            let ExprKind::App { func, .. } = self.psg.expr(e).kind else {
                break;
            };
            self.placed(b, self.psg.expr(e).span, VALUE_CALL);
            app = Some(func);
        }
        let mut args = args.into_iter();
        while let Some(a) = args.next() {
            let (_, rest) = split_fun(&f_ty, 1);
            let Some(a2) = args.as_slice().first().cloned() else {
                let ret = self.mir_ty(&rest);
                f = b.temp(Rvalue::CallClosure(f, a), ret);
                f_ty = rest;
                continue;
            };
            args.next();
            (f, f_ty) = self.call_value_pair(b, f, &f_ty, a, a2);
        }
        f
    }

    /// `f a1 a2`: through the closure's two-argument entry when it has one (no
    /// closure in between), else one argument at a time.
    fn call_value_pair(
        &mut self,
        b: &mut Builder,
        f: Operand,
        f_ty: &PTy,
        a1: Operand,
        a2: Operand,
    ) -> (Operand, PTy) {
        let (_, once) = split_fun(f_ty, 1);
        let (_, twice) = split_fun(f_ty, 2);
        let once_ty = self.mir_ty(&once);
        let ret = self.mir_ty(&twice);
        let result = b.new_local(ret.clone(), "applied");
        let has_pair = b.temp(Rvalue::ClosureHasPair(f.clone()), mir::Ty::Bool);
        let (direct, stepwise) = b.branch(has_pair);
        let join = b.new_block();
        b.switch_to(direct);
        let v = b.temp(
            Rvalue::CallClosurePair(f.clone(), a1.clone(), a2.clone()),
            ret.clone(),
        );
        b.assign(result, Rvalue::Use(v));
        b.terminate(Terminator::Goto(join));
        b.switch_to(stepwise);
        let g = b.temp(Rvalue::CallClosure(f, a1), once_ty);
        let v = b.temp(Rvalue::CallClosure(g, a2), ret);
        b.assign(result, Rvalue::Use(v));
        b.terminate(Terminator::Goto(join));
        b.switch_to(join);
        (self.local_operand(b, result), twice)
    }
}
