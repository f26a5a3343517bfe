//! Expressions outside tail position: one MIR value per PSG expression (`lower_expr`),
//! constants and interned strings, reads of bindings, `let`, union values and
//! applications (known callees called directly, the rest through closures).

use super::placement::{self, UNION_CELL};
use super::{apply_subst, int_const, split_fun, Builder, Callable, Lowerer};
use crate::mir::{self, Const, LocalId, Operand, RtFn, Rvalue, Stmt, Terminator, UnOp};
use composer_diagnostics::{Code, Diagnostic, Span};
use composer_semantics::psg::{self, BindingId, BindingKind, ExprId, ExprKind};
use composer_semantics::types::Prim;

impl Lowerer<'_> {
    pub(super) fn lower_expr(&mut self, b: &mut Builder, e: ExprId) -> Operand {
        if let Some(&arena) = (!self.psg.arena_scopes.is_empty())
            .then(|| self.psg.arena_scopes.get(&e))
            .flatten()
        {
            // The block of an arena's `use`: its implicit allocations go into the
            // arena (`regions.rs` proved none outlives the block).
            let handle = self.read_binding(b, arena, self.psg.expr(e).span);
            let previous = b.call_rt(RtFn::ArenaEnter, vec![handle], mir::Ty::I64);
            b.enter_place(mir::Place::Arena);
            let value = self.lower_expr_here(b, e);
            b.leave_place();
            b.call_rt(RtFn::ArenaLeave, vec![previous], mir::Ty::Unit);
            return value;
        }
        if b.func.coroutine {
            if let Some(&dispose) = self.use_disposals.get(&e) {
                // A `use` block in an async body: a cancellation inside it disposes.
                b.cleanups.push(dispose);
                let value = self.lower_expr_here(b, e);
                b.cleanups.pop();
                return value;
            }
        }
        self.lower_expr_here(b, e)
    }

    fn lower_expr_here(&mut self, b: &mut Builder, e: ExprId) -> Operand {
        let expr = self.psg.expr(e);
        let span = expr.span;
        match &expr.kind {
            ExprKind::Const(c) => self.lower_const(c),
            ExprKind::Local(id) => self.read_binding(b, *id, span),
            ExprKind::Builtin(bi) if bi.arity() == 0 => self.lower_builtin(b, *bi, &[], e),
            ExprKind::Format { spec, kind } if spec.args().count() == 0 => {
                self.lower_format(b, *kind, spec, &[], span)
            }
            ExprKind::Function(_) | ExprKind::Builtin(_) | ExprKind::Format { .. } => {
                // A function used as a value: its closure with nothing applied yet.
                match self.head_callable(b, e) {
                    Some((callable, captured)) => {
                        self.make_closure(b, callable, 0, captured, Some(e))
                    }
                    None => Operand::Const(Const::Unit),
                }
            }
            ExprKind::App { .. } => self.lower_app(b, e),
            ExprKind::Async { func, .. } => self.lower_async(b, e, *func),
            ExprKind::Await { value, tail } => self.lower_await(b, e, *value, *tail),
            ExprKind::Tuple(items) => {
                let ty = self.expr_mir_ty(b, e);
                let ops: Vec<Operand> = items.iter().map(|i| self.lower_expr(b, *i)).collect();
                b.temp(Rvalue::MakeTuple(ops), ty)
            }
            ExprKind::UnionCase { case, .. } if self.case_arity(e) == 0 => {
                let ty = self.expr_mir_ty(b, e);
                self.make_union(b, &ty, *case, Vec::new(), None)
            }
            ExprKind::UnionCase { .. } => match self.head_callable(b, e) {
                Some((callable, captured)) => self.make_closure(b, callable, 0, captured, Some(e)),
                None => Operand::Const(Const::Unit),
            },
            ExprKind::Record { fields, .. } => {
                let ty = self.expr_mir_ty(b, e);
                // Evaluated in the order written, stored in declaration order.
                let mut values: Vec<(u32, Operand)> = Vec::new();
                for (i, v) in fields.clone() {
                    let op = self.lower_expr(b, v);
                    let op = self.stable(b, op, v);
                    values.push((i, op));
                }
                values.sort_by_key(|(i, _)| *i);
                let values = values.into_iter().map(|(_, v)| v).collect();
                self.make_record(b, values, ty, span)
            }
            ExprKind::RecordUpdate { base, fields } => {
                let ty = self.expr_mir_ty(b, e);
                let base_v = self.lower_expr(b, *base);
                let base_v = self.stable(b, base_v, *base);
                let (base_v, _) = self.record_fields_value(b, base_v, &ty);
                let mut updates: Vec<(u32, Operand)> = Vec::new();
                for (i, v) in fields.clone() {
                    let op = self.lower_expr(b, v);
                    updates.push((i, op));
                }
                let field_tys = match record_tuple_ty(&ty) {
                    mir::Ty::Tuple(fs) => fs.clone(),
                    _ => Vec::new(),
                };
                let mut out = Vec::new();
                for (i, fty) in field_tys.iter().enumerate() {
                    match updates.iter().find(|(j, _)| *j == i as u32) {
                        Some((_, v)) => out.push(v.clone()),
                        None => out
                            .push(b.temp(Rvalue::TupleGet(base_v.clone(), i as u32), fty.clone())),
                    }
                }
                self.make_record(b, out, ty, span)
            }
            ExprKind::ListNil => {
                let ty = self.expr_mir_ty(b, e);
                self.make_union(b, &ty, 0, Vec::new(), None)
            }
            ExprKind::RefGet(cell) => {
                let ty = self.expr_mir_ty(b, e);
                let c = self.lower_expr(b, *cell);
                b.temp(Rvalue::Unbox(c), ty)
            }
            ExprKind::FieldSet {
                target,
                index,
                value,
            } => {
                let (target, index, value) = (*target, *index, *value);
                let rty = self.expr_mir_ty(b, target);
                let r = self.lower_expr(b, target);
                let r = self.stable(b, r, target);
                let v = self.lower_expr(b, value);
                // Read, replace the field, write back: the cell is the record's one
                // copy, so every alias sees the new value.
                let (fields, tuple_ty) = self.record_fields_value(b, r.clone(), &rty);
                let n = match &tuple_ty {
                    mir::Ty::Tuple(fs) => fs.clone(),
                    _ => Vec::new(),
                };
                let out = n
                    .iter()
                    .enumerate()
                    .map(|(i, fty)| {
                        if i as u32 == index {
                            v.clone()
                        } else {
                            b.temp(Rvalue::TupleGet(fields.clone(), i as u32), fty.clone())
                        }
                    })
                    .collect();
                let new = b.temp(Rvalue::MakeTuple(out), tuple_ty);
                b.emit(Stmt::StoreBoxed(r, new));
                Operand::Const(Const::Unit)
            }
            ExprKind::RefSet { cell, value } => {
                let (cell, value) = (*cell, *value);
                let c = self.lower_expr(b, cell);
                let v = self.lower_expr(b, value);
                b.emit(Stmt::StoreBoxed(c, v));
                Operand::Const(Const::Unit)
            }
            ExprKind::ArrayLit(items) => {
                let ty = self.expr_mir_ty(b, e);
                let elem = match &ty {
                    mir::Ty::Array(t) => (**t).clone(),
                    _ => mir::Ty::Unit,
                };
                let items = items.clone();
                let values: Vec<Operand> = items
                    .iter()
                    .map(|i| {
                        let v = self.lower_expr(b, *i);
                        self.stable(b, v, *i)
                    })
                    .collect();
                if !values.is_empty() {
                    self.placed(b, span, placement::ARRAY_LITERAL);
                }
                let len = int_const(values.len() as i128, 64, true);
                let arr = b.temp(Rvalue::AllocArray { elem, len }, ty);
                for (i, v) in values.into_iter().enumerate() {
                    b.emit(Stmt::ArraySet(
                        arr.clone(),
                        int_const(i as i128, 64, true),
                        v,
                    ));
                }
                arr
            }
            ExprKind::ListCons { head, tail } => {
                let ty = self.expr_mir_ty(b, e);
                let (head, tail) = (*head, *tail);
                let h = self.lower_expr(b, head);
                let h = self.stable(b, h, head);
                let t = self.lower_expr(b, tail);
                self.make_union(b, &ty, 1, vec![h, t], Some((span, placement::LIST_CELL)))
            }
            ExprKind::ForEach {
                binding,
                source,
                body,
            } => {
                let (binding, source, body) = (*binding, *source, *body);
                self.lower_for_each(b, e, binding, source, body);
                Operand::Const(Const::Unit)
            }
            ExprKind::Field { target, index } => {
                let ty = self.expr_mir_ty(b, e);
                let rty = self.expr_mir_ty(b, *target);
                let t = self.lower_expr(b, *target);
                let (t, _) = self.record_fields_value(b, t, &rty);
                b.temp(Rvalue::TupleGet(t, *index), ty)
            }
            ExprKind::Interpolated(parts) => self.lower_interpolated(b, parts, span),
            ExprKind::Unary { op, operand } => {
                let ty = self.expr_mir_ty(b, e);
                let v = self.lower_expr(b, *operand);
                let op = match op {
                    psg::UnaryOp::Neg => UnOp::Neg,
                    psg::UnaryOp::BitNot | psg::UnaryOp::Not => UnOp::Not,
                };
                b.temp(Rvalue::Unary(op, v), ty)
            }
            ExprKind::Binary { op, lhs, rhs } => self.lower_binary(b, *op, *lhs, *rhs, e),
            ExprKind::If {
                cond,
                then_branch,
                else_branch,
            } => {
                let ty = self.expr_mir_ty(b, e);
                let c = self.lower_expr(b, *cond);
                let result = b.new_local(ty, "if");
                let then_b = b.new_block();
                let else_b = b.new_block();
                let join = b.new_block();
                b.terminate(Terminator::Branch {
                    cond: c,
                    then_block: then_b,
                    else_block: else_b,
                });
                b.switch_to(then_b);
                let v = self.lower_expr(b, *then_branch);
                b.assign(result, Rvalue::Use(v));
                b.terminate(Terminator::Goto(join));
                b.switch_to(else_b);
                if let Some(eb) = else_branch {
                    let v = self.lower_expr(b, *eb);
                    b.assign(result, Rvalue::Use(v));
                }
                b.terminate(Terminator::Goto(join));
                b.switch_to(join);
                self.local_operand(b, result)
            }
            ExprKind::While { cond, body } => {
                self.lower_while(b, e, *cond, *body);
                Operand::Const(Const::Unit)
            }
            ExprKind::For {
                var,
                start,
                end,
                step,
                downward,
                body,
            } => {
                self.lower_for(b, e, *var, *start, *end, *step, *downward, *body);
                Operand::Const(Const::Unit)
            }
            ExprKind::Let {
                binding,
                value,
                body,
            } => {
                self.lower_let_value(b, *binding, *value);
                self.lower_expr(b, *body)
            }
            ExprKind::LetFunctions { body, .. } => self.lower_expr(b, *body),
            ExprKind::Sequential(items) => {
                let mut last = Operand::Const(Const::Unit);
                for i in items {
                    last = self.lower_expr(b, *i);
                }
                last
            }
            ExprKind::Assign { binding, value } => {
                let v = self.lower_expr(b, *value);
                self.write_binding(b, *binding, v);
                Operand::Const(Const::Unit)
            }
            ExprKind::Member { target, .. } => {
                let t = self.lower_expr(b, *target);
                b.temp(Rvalue::Length(t), mir::Ty::I64)
            }
            ExprKind::Index { target, index } => {
                let ty = self.expr_mir_ty(b, e);
                let arr = self.lower_expr(b, *target);
                let idx = self.lower_expr(b, *index);
                if !self.psg.unchecked_indexes.contains(&e) {
                    self.bounds_check(b, &arr, &idx);
                }
                b.temp(Rvalue::ArrayGet(arr, idx), ty)
            }
            ExprKind::IndexSet {
                target,
                index,
                value,
            } => {
                let arr = self.lower_expr(b, *target);
                let idx = self.lower_expr(b, *index);
                let v = self.lower_expr(b, *value);
                if !self.psg.unchecked_indexes.contains(&e) {
                    self.bounds_check(b, &arr, &idx);
                }
                b.emit(Stmt::ArraySet(arr, idx, v));
                Operand::Const(Const::Unit)
            }
            ExprKind::Match { scrutinee, rules } => self.lower_match(b, *scrutinee, rules, e),
            ExprKind::Error => Operand::Const(Const::Unit),
        }
    }

    pub(super) fn lower_const(&mut self, c: &psg::Const) -> Operand {
        Operand::Const(match c {
            psg::Const::Int(v, p) => {
                let (bits, signed) = p
                    .int_info(self.psg.target.word_bits)
                    .expect("integer constant has an integer type");
                Const::Int {
                    value: *v,
                    bits,
                    signed,
                }
            }
            psg::Const::Float(v, p) => Const::Float {
                value: *v,
                bits: if *p == Prim::Float32 { 32 } else { 64 },
            },
            psg::Const::Bool(v) => Const::Bool(*v),
            psg::Const::Char(c) => Const::Char(*c),
            psg::Const::String(s) => Const::Str(self.string_id(s)),
            psg::Const::Unit => Const::Unit,
        })
    }

    fn string_id(&mut self, s: &str) -> mir::StrId {
        if let Some(id) = self.strings.get(s) {
            return *id;
        }
        self.program.strings.push(s.to_string());
        let id = mir::StrId(self.program.strings.len() as u32 - 1);
        self.strings.insert(s.to_string(), id);
        id
    }

    pub(super) fn str_const(&mut self, s: &str) -> Operand {
        Operand::Const(Const::Str(self.string_id(s)))
    }

    /// A copy of a local's current value (so later assignments do not change it).
    pub(super) fn local_operand(&mut self, b: &mut Builder, l: LocalId) -> Operand {
        let ty = b.func.locals[l.index()].ty.clone();
        if ty.is_unit() {
            return Operand::Const(Const::Unit);
        }
        b.temp(Rvalue::Use(Operand::Local(l)), ty)
    }

    /// `id <- v`: a module-level variable, a local, or a captured `let mutable`
    /// through its address.
    pub(super) fn write_binding(&mut self, b: &mut Builder, id: BindingId, v: Operand) {
        if let Some(g) = self.globals.get(&id).copied() {
            if !self.program.globals[g.index()].ty.is_unit() {
                b.emit(Stmt::StoreGlobal(g, v));
            }
        } else if let Some(l) = b.locals.get(&id).copied() {
            if b.by_ref.contains(&id) {
                b.emit(Stmt::StoreBoxed(Operand::Local(l), v));
            } else {
                b.assign(l, Rvalue::Use(v));
            }
        }
    }

    pub(super) fn read_binding(&mut self, b: &mut Builder, id: BindingId, span: Span) -> Operand {
        if let Some(g) = self.globals.get(&id).copied() {
            let ty = self.program.globals[g.index()].ty.clone();
            if ty.is_unit() {
                return Operand::Const(Const::Unit);
            }
            return b.temp(Rvalue::LoadGlobal(g), ty);
        }
        match b.locals.get(&id).copied() {
            Some(l) if b.by_ref.contains(&id) => {
                let t = apply_subst(&self.psg.binding(id).ty, &b.subst);
                let ty = self.mir_ty(&t);
                b.temp(Rvalue::Unbox(Operand::Local(l)), ty)
            }
            Some(l) => self.local_operand(b, l),
            None => {
                let bnd = self.psg.binding(id);
                if bnd.kind == BindingKind::Global {
                    self.unsupported(span, "this use of a module-level value");
                } else {
                    self.diags.push(Diagnostic::global(
                        Code::InternalError,
                        format!(
                            "internal compiler error: lowering found no storage for '{}' (binding {id})",
                            bnd.name
                        ),
                    ));
                }
                Operand::Const(Const::Unit)
            }
        }
    }

    /// `let binding = value`: evaluates the value into the binding's slot.
    pub(super) fn lower_let_value(&mut self, b: &mut Builder, binding: BindingId, value: ExprId) {
        let v = self.lower_expr(b, value);
        let bnd = self.psg.binding(binding);
        let t = apply_subst(&bnd.ty, &b.subst);
        let mt = self.mir_ty(&t);
        if bnd.captured_mutable && b.func.coroutine {
            // An async body's frame is left and re-entered at each suspension, so a
            // closure cannot hold the address of its slot: the variable is a cell.
            let l = b.new_local(mir::Ty::Boxed(Box::new(mt)), &bnd.name);
            b.assign(l, Rvalue::Box(v));
            b.locals.insert(binding, l);
            b.by_ref.insert(binding);
            return;
        }
        let l = b.new_local(mt, &bnd.name);
        b.assign(l, Rvalue::Use(v));
        b.locals.insert(binding, l);
    }

    /// A copy of a local operand that later assignments cannot change.
    pub(super) fn stable(&mut self, b: &mut Builder, op: Operand, e: ExprId) -> Operand {
        match op {
            Operand::Local(_) => {
                let ty = self.expr_mir_ty(b, e);
                b.temp(Rvalue::Use(op), ty)
            }
            other => other,
        }
    }

    /// Number of fields of the union case an expression refers to.
    fn case_arity(&self, e: ExprId) -> usize {
        match self.psg.expr(e).kind {
            ExprKind::UnionCase { def, case } => self.psg.types[def as usize]
                .union_cases()
                .map(|c| c[case as usize].fields.len())
                .unwrap_or(0),
            _ => 0,
        }
    }

    /// A union value of case `case`. A case with fields of a boxed union is a cell
    /// in the current region: recorded as `site` (its span and what it is).
    pub(super) fn make_union(
        &mut self,
        b: &mut Builder,
        ty: &mir::Ty,
        case: u32,
        fields: Vec<Operand>,
        site: Option<(Span, &'static str)>,
    ) -> Operand {
        let mir::Ty::Union(u) = ty else {
            return Operand::Const(Const::Unit);
        };
        if let Some((span, what)) = site.filter(|_| !fields.is_empty()) {
            if self.program.unions[u.index()].boxed {
                self.placed(b, span, what);
            } else {
                self.value_case_sites.insert(span);
            }
        }
        b.temp(
            Rvalue::MakeUnion {
                union: *u,
                case,
                fields,
            },
            ty.clone(),
        )
    }

    /// Field `index` of case `case` of a union value.
    pub(super) fn union_field(
        &mut self,
        b: &mut Builder,
        v: Operand,
        ty: &mir::Ty,
        case: u32,
        index: u32,
    ) -> (Operand, mir::Ty) {
        let mir::Ty::Union(u) = ty else {
            return (Operand::Const(Const::Unit), mir::Ty::Unit);
        };
        let fty =
            self.program.unions[u.index()].cases[case as usize].fields[index as usize].clone();
        let raw = b.temp(
            Rvalue::UnionField {
                value: v,
                case,
                index,
            },
            fty.clone(),
        );
        (raw, fty)
    }

    fn lower_app(&mut self, b: &mut Builder, e: ExprId) -> Operand {
        let (head, args) = self.psg.spine(e);
        let span = self.psg.expr(e).span;
        let head_ty = self.expr_ty(b, head);
        let Some((callable, captured)) = self.head_callable(b, head) else {
            // Any other function-typed expression: a closure, applied one by one.
            let f = self.lower_expr(b, head);
            let vals: Vec<Operand> = args.iter().map(|a| self.lower_expr(b, *a)).collect();
            return self.call_value(b, f, head_ty, vals, Some(e));
        };
        let arity = match &callable {
            Callable::Function(key) => self.psg.function(key.func).params.len(),
            Callable::Builtin(bi, _) => bi.arity(),
            Callable::Format(_, spec, _) => spec.args().count(),
            Callable::Case(..) => 1,
        };
        if let (Callable::Case(case, _), Some(first)) = (&callable, args.first()) {
            // `Node (l, v, r)`: the fields straight from the tuple expression.
            if let ExprKind::Tuple(items) = &self.psg.expr(*first).kind {
                if items.len() == self.case_arity(head) && items.len() > 1 {
                    let (case, items) = (*case, items.clone());
                    let (_, union_pty) = split_fun(&head_ty, 1);
                    let union_ty = self.mir_ty(&union_pty);
                    let fields: Vec<Operand> =
                        items.iter().map(|i| self.lower_expr(b, *i)).collect();
                    let v = self.make_union(b, &union_ty, case, fields, Some((span, UNION_CELL)));
                    let rest: Vec<Operand> =
                        args[1..].iter().map(|a| self.lower_expr(b, *a)).collect();
                    return self.call_value(b, v, union_pty, rest, None);
                }
            }
        }
        if let Callable::Builtin(bi, _) = &callable {
            if args.len() >= arity {
                // Builtins see their argument expressions (for types and spans).
                let (now, later) = args.split_at(arity);
                let bi = *bi;
                let (_, rest_ty) = split_fun(&head_ty, arity);
                let r = self.lower_builtin_app(b, bi, now, &rest_ty, span);
                let vals: Vec<Operand> = later.iter().map(|a| self.lower_expr(b, *a)).collect();
                return self.call_value(b, r, rest_ty, vals, None);
            }
        }
        let vals: Vec<Operand> = args.iter().map(|a| self.lower_expr(b, *a)).collect();
        if vals.len() < arity {
            // Partial application: a closure holding what is known so far.
            let applied = vals.len();
            let mut env = captured;
            env.extend(vals);
            return self.make_closure(b, callable, applied, env, Some(e));
        }
        let (now, later) = vals.split_at(arity);
        b.peel = b.keep_call != Some(e);
        let r = self.invoke(b, &callable, captured, now.to_vec(), span);
        b.peel = false;
        let (_, rest_ty) = split_fun(&head_ty, arity);
        self.call_value(b, r, rest_ty, later.to_vec(), None)
    }
}

/// The tuple of a record's fields: the record type itself, or what a record with
/// mutable fields (`box<tuple>`) points to.
pub(super) fn record_tuple_ty(ty: &mir::Ty) -> &mir::Ty {
    match ty {
        mir::Ty::Boxed(inner) => inner,
        other => other,
    }
}

impl Lowerer<'_> {
    /// A record value of type `ty` from its fields in declaration order: the tuple,
    /// or for a record with mutable fields a new cell holding it (placed at `span`).
    fn make_record(
        &mut self,
        b: &mut Builder,
        fields: Vec<Operand>,
        ty: mir::Ty,
        span: Span,
    ) -> Operand {
        match ty {
            mir::Ty::Boxed(inner) => {
                let tuple = b.temp(Rvalue::MakeTuple(fields), (*inner).clone());
                self.placed(b, span, placement::MUTABLE_RECORD);
                b.temp(Rvalue::Box(tuple), mir::Ty::Boxed(inner))
            }
            ty => b.temp(Rvalue::MakeTuple(fields), ty),
        }
    }

    /// The tuple of the fields of record value `v` of type `ty` (read from the cell
    /// of a record with mutable fields), and the tuple's type.
    pub(super) fn record_fields_value(
        &mut self,
        b: &mut Builder,
        v: Operand,
        ty: &mir::Ty,
    ) -> (Operand, mir::Ty) {
        match ty {
            mir::Ty::Boxed(inner) => (
                b.temp(Rvalue::Unbox(v), (**inner).clone()),
                (**inner).clone(),
            ),
            ty => (v, ty.clone()),
        }
    }
}
