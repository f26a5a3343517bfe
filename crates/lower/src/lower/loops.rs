//! Loops: `while`, `for ... to/downto` and `for ... in` over lists and arrays, with the
//! iteration region that a loop resets each round and releases at its end
//! (`Psg::loop_regions`).

use super::{apply_subst, int_const, one_of, zero_of, Builder, Lowerer};
use crate::mir::{self, BinOp, Operand, RtFn, Rvalue, Terminator};
use composer_diagnostics::Span;
use composer_semantics::psg::{BindingId, ExprId};

/// The runtime's region layout (one definition, also compiled by the runtime and
/// `composer-alex`): the size of a compacted loop's mark slot.
#[allow(dead_code)]
#[path = "../../../../runtime/src/region_layout.rs"]
mod region_layout;

/// What a loop (or a tail-recursive function) does with the current region at
/// the end of each round.
#[derive(Debug, Clone)]
pub(super) enum RoundMemory {
    /// Nothing.
    Plain,
    /// An iteration region: the mark, reset after each round, released after the
    /// loop (`Psg::loop_regions`, `Psg::tail_regions`).
    Region(Operand),
    /// Compaction: the mark, the layout description of the carried values, the
    /// variables that hold them and their types at this instance
    /// (`Psg::loop_compactions`, `Psg::tail_compactions`), and the loop's site.
    Compact {
        mark: Operand,
        layout: Operand,
        carried: Vec<(BindingId, mir::Ty)>,
        span: Span,
    },
}

impl Lowerer<'_> {
    /// Takes the mark a loop or tail-recursive function needs before its first
    /// round: for an iteration region, or to compact `carried` (when their types
    /// at this instance can be described). Records the carry point for the ledger.
    pub(super) fn round_memory(
        &mut self,
        b: &mut Builder,
        region: bool,
        carried: Option<&[BindingId]>,
        span: Span,
    ) -> RoundMemory {
        if region {
            let mark = b.call_rt(RtFn::RegionMark, vec![], mir::Ty::I64);
            b.enter_place(mir::Place::IterationRegion);
            return RoundMemory::Region(mark);
        }
        let Some(carried) = carried else {
            return RoundMemory::Plain;
        };
        let source_tys: Vec<_> = carried
            .iter()
            .map(|c| apply_subst(&self.psg.binding(*c).ty, &b.subst))
            .collect();
        let tys: Vec<mir::Ty> = source_tys.iter().map(|t| self.mir_ty(t)).collect();
        let described = match super::derive::describe_carried(&self.program, &tys) {
            Ok(Some(c)) => Ok(c),
            Ok(None) => Err("at these types its state holds no region memory".to_string()),
            Err(why) => Err(format!("its state holds {why}")),
        };
        let type_names: Vec<String> = self.psg.types.iter().map(|t| t.name.clone()).collect();
        self.program.carry_points.push(mir::CarryPoint {
            span,
            refused: described.as_ref().err().cloned(),
            carried: carried
                .iter()
                .zip(&source_tys)
                .map(|(c, t)| {
                    let ty = composer_semantics::types::TyDisplay::named(t, &type_names);
                    format!("{}: {ty}", self.psg.binding(*c).name)
                })
                .collect(),
            immutable: described.as_ref().is_ok_and(|c| c.immutable),
        });
        let Ok(super::derive::Carried { layout, .. }) = described else {
            return RoundMemory::Plain;
        };
        // The mark lives in the frame: a slot of whole words, as large as the
        // runtime's `Mark` (`region_layout.rs`, asserted by the runtime).
        let words = (region_layout::MARK_SIZE / 8) as usize;
        let slot = b.new_local(mir::Ty::Tuple(vec![mir::Ty::I64; words]), "mark");
        let at = b.temp(Rvalue::AddrOf(slot), mir::Ty::Ptr);
        let mark = b.call_rt(RtFn::CompactBegin, vec![at], mir::Ty::I64);
        b.enter_place(mir::Place::CompactedRegion);
        RoundMemory::Compact {
            mark,
            layout: self.str_const(&layout),
            carried: carried.iter().copied().zip(tys).collect(),
            span,
        }
    }

    /// The end of a round: reset the iteration region, or pass the carried values
    /// to the runtime, which copies them out of the loop's memory when it has grown
    /// past the threshold (and frees the rest), and take them back.
    pub(super) fn end_round(&mut self, b: &mut Builder, memory: &RoundMemory) {
        match memory {
            RoundMemory::Plain => {}
            RoundMemory::Region(mark) => {
                b.call_rt(RtFn::RegionReset, vec![mark.clone()], mir::Ty::Unit);
            }
            RoundMemory::Compact {
                mark,
                layout,
                carried,
                span,
            } => {
                // Inline: has the loop's memory grown past the threshold? Only
                // then does the carry point call the runtime.
                let due = b.temp(Rvalue::CompactDue(mark.clone()), mir::Ty::Bool);
                let (compact, join) = b.branch(due);
                b.switch_to(compact);
                let values: Vec<Operand> = carried
                    .iter()
                    .map(|(c, _)| self.read_binding(b, *c, *span))
                    .collect();
                let tys: Vec<mir::Ty> = carried.iter().map(|(_, t)| t.clone()).collect();
                let roots = b.new_local(mir::Ty::Tuple(tys), "carried");
                b.assign(roots, Rvalue::MakeTuple(values));
                let at = b.temp(Rvalue::AddrOf(roots), mir::Ty::Ptr);
                b.call_rt(
                    RtFn::Compact,
                    vec![mark.clone(), layout.clone(), at],
                    mir::Ty::Unit,
                );
                for (i, (c, ty)) in carried.iter().enumerate() {
                    let v = b.temp(
                        Rvalue::TupleGet(Operand::Local(roots), i as u32),
                        ty.clone(),
                    );
                    self.write_binding(b, *c, v);
                }
                b.terminate(Terminator::Goto(join));
                b.switch_to(join);
            }
        }
    }

    /// After the last round: release the iteration region. The compacted state
    /// stays where it is (after the mark, in the enclosing region).
    pub(super) fn end_rounds(&mut self, b: &mut Builder, memory: &RoundMemory) {
        match memory {
            RoundMemory::Plain => {}
            RoundMemory::Region(mark) => {
                b.call_rt(RtFn::RegionRelease, vec![mark.clone()], mir::Ty::Unit);
                b.leave_place();
            }
            RoundMemory::Compact { .. } => b.leave_place(),
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
        self.end_round(b, &mark);
        b.loop_end(head, exit);
        self.end_rounds(b, &mark);
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
                self.end_round(b, &mark);
                b.assign(
                    i,
                    Rvalue::Binary(BinOp::Add, Operand::Local(i), int_const(1, 64, true)),
                );
                b.loop_end(head, exit);
                self.end_rounds(b, &mark);
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
                self.end_round(b, &mark);
                let (t, _) = self.union_field(b, Operand::Local(cur), &src_ty, 1, 1);
                b.assign(cur, Rvalue::Use(t));
                b.loop_end(head, exit);
                self.end_rounds(b, &mark);
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
        self.end_round(b, &mark);
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
        self.end_rounds(b, &mark);
    }

    /// Before a loop's head: a mark on the current region when the loop has an
    /// iteration region (`Psg::loop_regions`) or compacts (`Psg::loop_compactions`).
    pub(super) fn region_mark(&mut self, b: &mut Builder, looped: ExprId) -> RoundMemory {
        let region = self.psg.loop_regions.contains(&looped);
        let carried = self.psg.loop_compactions.get(&looped).cloned();
        let span = self.psg.expr(looped).span;
        self.round_memory(b, region, carried.as_deref(), span)
    }
}
