//! Loops: `while`, `for ... to/downto` and `for ... in` over lists and arrays, with the
//! iteration region that a loop resets each round and releases at its end
//! (`Psg::loop_regions`).

use super::{apply_subst, int_const, one_of, zero_of, Builder, Lowerer};
use crate::mir::{self, BinOp, Operand, RtFn, Rvalue, Terminator};
use composer_semantics::psg::{BindingId, ExprId};

/// Resets or releases a loop's iteration region, if it has one. Releasing it ends
/// the region [`Lowerer::region_mark`] entered.
pub(super) fn region_step(b: &mut Builder, mark: &Option<Operand>, step: RtFn) {
    if let Some(m) = mark {
        b.call_rt(step, vec![m.clone()], mir::Ty::Unit);
        if step == RtFn::RegionRelease {
            b.leave_place();
        }
    }
}

impl Lowerer<'_> {
    /// `while cond do body`.
    pub(super) fn lower_while(
        &mut self,
        b: &mut Builder,
        looped: ExprId,
        cond: ExprId,
        body: ExprId,
    ) {
        let mark = self.region_mark(b, looped);
        let head = b.loop_head();
        let c = self.lower_expr(b, cond);
        let exit = b.loop_test(c);
        self.lower_expr(b, body);
        region_step(b, &mark, RtFn::RegionReset);
        b.loop_end(head, exit);
        region_step(b, &mark, RtFn::RegionRelease);
    }

    /// `for x in source do body` over a list (following the cells) or an array.
    pub(super) fn lower_for_each(
        &mut self,
        b: &mut Builder,
        looped: ExprId,
        binding: BindingId,
        source: ExprId,
        body: ExprId,
    ) {
        let src_ty = self.expr_mir_ty(b, source);
        let src = self.lower_expr(b, source);
        let bnd = self.psg.binding(binding);
        let elem_ty = {
            let t = apply_subst(&bnd.ty, &b.subst);
            self.mir_ty(&t)
        };
        let item = b.new_local(elem_ty.clone(), &bnd.name);
        b.locals.insert(binding, item);
        match &src_ty {
            mir::Ty::Array(_) => {
                let len = b.temp(Rvalue::Length(src.clone()), mir::Ty::I64);
                let i = b.new_local(mir::Ty::I64, "i");
                b.assign(i, Rvalue::Use(int_const(0, 64, true)));
                let mark = self.region_mark(b, looped);
                let head = b.loop_head();
                let more = b.temp(
                    Rvalue::Binary(BinOp::Lt, Operand::Local(i), len),
                    mir::Ty::Bool,
                );
                let exit = b.loop_test(more);
                b.assign(item, Rvalue::ArrayGet(src.clone(), Operand::Local(i)));
                self.lower_expr(b, body);
                region_step(b, &mark, RtFn::RegionReset);
                b.assign(
                    i,
                    Rvalue::Binary(BinOp::Add, Operand::Local(i), int_const(1, 64, true)),
                );
                b.loop_end(head, exit);
                region_step(b, &mark, RtFn::RegionRelease);
            }
            _ => {
                let cur = b.new_local(src_ty.clone(), "cells");
                b.assign(cur, Rvalue::Use(src));
                let mark = self.region_mark(b, looped);
                let head = b.loop_head();
                let is_cons = b.is_cons(Operand::Local(cur));
                let exit = b.loop_test(is_cons);
                let (h, _) = self.union_field(b, Operand::Local(cur), &src_ty, 1, 0);
                b.assign(item, Rvalue::Use(h));
                self.lower_expr(b, body);
                region_step(b, &mark, RtFn::RegionReset);
                let (t, _) = self.union_field(b, Operand::Local(cur), &src_ty, 1, 1);
                b.assign(cur, Rvalue::Use(t));
                b.loop_end(head, exit);
                region_step(b, &mark, RtFn::RegionRelease);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn lower_for(
        &mut self,
        b: &mut Builder,
        looped: ExprId,
        var: BindingId,
        start: ExprId,
        end: ExprId,
        step: Option<ExprId>,
        downward: bool,
        body: ExprId,
    ) {
        let ty = self.expr_mir_ty(b, start);
        let s = self.lower_expr(b, start);
        let en = self.lower_expr(b, end);
        let step_v = step.map(|st| self.lower_expr(b, st));
        let bnd = self.psg.binding(var);
        let i = b.new_local(ty.clone(), &bnd.name);
        b.locals.insert(var, i);
        b.assign(i, Rvalue::Use(s));
        let zero = zero_of(&ty);
        let one = one_of(&ty);
        if let Some(st) = &step_v {
            let is_zero = b.temp(
                Rvalue::Binary(BinOp::Eq, st.clone(), zero.clone()),
                mir::Ty::Bool,
            );
            let (panic_b, ok_b) = b.branch(is_zero);
            b.switch_to(panic_b);
            let msg = self.str_const("The step of a range cannot be zero.");
            b.call_rt(RtFn::Panic, vec![msg], mir::Ty::Unit);
            b.switch_to(ok_b);
        }
        let mark = self.region_mark(b, looped);
        let head = b.loop_head();
        let cur = Operand::Local(i);
        let cond = match &step_v {
            None if downward => b.temp(
                Rvalue::Binary(BinOp::Ge, cur.clone(), en.clone()),
                mir::Ty::Bool,
            ),
            None => b.temp(
                Rvalue::Binary(BinOp::Le, cur.clone(), en.clone()),
                mir::Ty::Bool,
            ),
            Some(st) => {
                let pos = b.temp(
                    Rvalue::Binary(BinOp::Gt, st.clone(), zero.clone()),
                    mir::Ty::Bool,
                );
                let le = b.temp(
                    Rvalue::Binary(BinOp::Le, cur.clone(), en.clone()),
                    mir::Ty::Bool,
                );
                let ge = b.temp(
                    Rvalue::Binary(BinOp::Ge, cur.clone(), en.clone()),
                    mir::Ty::Bool,
                );
                b.temp(Rvalue::Select(pos, le, ge), mir::Ty::Bool)
            }
        };
        let exit = b.loop_test(cond);
        self.lower_expr(b, body);
        region_step(b, &mark, RtFn::RegionReset);
        // Stop before stepping past the end, so `for i = 0 to Int64.MaxValue` ends.
        let at_end = b.temp(
            Rvalue::Binary(BinOp::Eq, Operand::Local(i), en.clone()),
            mir::Ty::Bool,
        );
        let step_b = b.new_block();
        b.terminate(Terminator::Branch {
            cond: at_end,
            then_block: exit,
            else_block: step_b,
        });
        b.switch_to(step_b);
        let next = match (&step_v, downward) {
            (Some(st), _) => Rvalue::Binary(BinOp::Add, Operand::Local(i), st.clone()),
            (None, true) => Rvalue::Binary(BinOp::Sub, Operand::Local(i), one),
            (None, false) => Rvalue::Binary(BinOp::Add, Operand::Local(i), one),
        };
        if let Some(st) = &step_v {
            // A step that jumps over the end can wrap past the type's last value
            // (`for i in 250uy .. 2uy .. 255uy`): the loop ends when the next value
            // is not beyond the current one in the step's direction.
            let next = b.temp(next, ty.clone());
            let pos = b.temp(
                Rvalue::Binary(BinOp::Gt, st.clone(), zero.clone()),
                mir::Ty::Bool,
            );
            let below = b.temp(
                Rvalue::Binary(BinOp::Lt, next.clone(), Operand::Local(i)),
                mir::Ty::Bool,
            );
            let above = b.temp(
                Rvalue::Binary(BinOp::Gt, next.clone(), Operand::Local(i)),
                mir::Ty::Bool,
            );
            let wrapped = b.temp(Rvalue::Select(pos, below, above), mir::Ty::Bool);
            let advance = b.new_block();
            b.terminate(Terminator::Branch {
                cond: wrapped,
                then_block: exit,
                else_block: advance,
            });
            b.switch_to(advance);
            b.assign(i, Rvalue::Use(next));
        } else {
            b.assign(i, next);
        }
        b.loop_end(head, exit);
        region_step(b, &mark, RtFn::RegionRelease);
    }

    /// Before a loop's head: a mark on the current region when the loop has an
    /// iteration region (`Psg::loop_regions`); what the loop allocates until its
    /// `RegionRelease` goes there.
    pub(super) fn region_mark(&mut self, b: &mut Builder, looped: ExprId) -> Option<Operand> {
        let mark = self
            .psg
            .loop_regions
            .contains(&looped)
            .then(|| b.call_rt(RtFn::RegionMark, vec![], mir::Ty::I64));
        if mark.is_some() {
            b.enter_place(mir::Place::IterationRegion);
        }
        mark
    }
}
