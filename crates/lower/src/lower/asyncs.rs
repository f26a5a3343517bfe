//! `async { }` and awaiting: an async's body is lowered as the instance of its
//! function (a lambda of `unit` whose leading parameters are the captured values),
//! marked a coroutine, and each `let!`/`do!`/`return!` in it ends its block with
//! `Terminator::Await` (`Async.__suspend` with `Terminator::Suspend`). The async
//! value is `Rvalue::MakeAsync`. The frame, the resume function and the init
//! function are the async pass's work (`passes/asyncs.rs`): lowering stays
//! block-structured and knows nothing of states.
//!
//! Running an async goes through a *slot* (`mir::async_slot_ty`: frame memory, its
//! capacity and the resume function) and two helpers built here once per program:
//! `start(slot, async)` puts the async's frame in the slot (reusing the memory when
//! it is large enough) and `poll(slot)` resumes it, starting the async a `return!`
//! hands on in the same slot, so a `return!` loop runs in constant memory.

use super::{Builder, Lowerer, Subst};
use crate::mir::{
    self, async_slot_ty, async_value_ty, frame_prefix, BinOp, Callee, Const, FuncId, Operand, RtFn,
    Rvalue, Stmt, Terminator, POLL_TAIL, POLL_TY,
};
use composer_diagnostics::Span;
use composer_semantics::builtins::Builtin;
use composer_semantics::psg::{ExprId, ExprKind, FunctionId};
use composer_semantics::types::{Ty as PTy, TyCon};

use composer_semantics::analysis::alloc::{ASYNC_ENV, ASYNC_FRAME};

fn field(ptr: Operand, ty: mir::Ty, index: u32) -> Rvalue {
    Rvalue::FieldAddr {
        ptr,
        ty,
        path: vec![index],
    }
}

fn i64c(v: i64) -> Operand {
    Operand::Const(Const::i64(v))
}

impl Lowerer<'_> {
    /// `async { body }` (`func` is the body's lambda): the async value.
    pub(super) fn lower_async(&mut self, b: &mut Builder, e: ExprId, func: FunctionId) -> Operand {
        let span = self.psg.expr(e).span;
        let result = match self.expr_ty(b, e) {
            PTy::App(TyCon::Async, args) => args[0].clone(),
            _ => PTy::UNIT,
        };
        let captures = self.psg.function(func).captures.clone();
        let mut ops = Vec::new();
        let mut cap_tys = Vec::new();
        for c in &captures {
            ops.push(self.capture_operand(b, *c, span));
            cap_tys.push(super::apply_subst(&self.psg.binding(*c).ty, &b.subst));
        }
        let id = self.instance(func, PTy::fun(PTy::UNIT, result), cap_tys);
        if self.coroutines.insert(id) {
            self.program.async_frames.push(mir::AsyncFrame {
                func: id,
                span,
                bytes: 0,
                suspensions: 0,
                kept: Vec::new(),
            });
        }
        self.async_helpers();
        if !ops.is_empty() {
            self.placed(b, span, ASYNC_ENV);
        }
        b.temp(
            Rvalue::MakeAsync {
                func: id,
                captures: ops,
                env: None,
            },
            async_value_ty(),
        )
    }

    /// `let! x = value` and the other forms: waits for `value` in the coroutine being
    /// built; the result is the awaited value.
    pub(super) fn lower_await(
        &mut self,
        b: &mut Builder,
        e: ExprId,
        value: ExprId,
        tail: bool,
    ) -> Operand {
        if let ExprKind::Builtin(Builtin::AsyncSuspend) = self.psg.expr(value).kind {
            let next = b.new_block();
            b.terminate(Terminator::Suspend { next });
            b.switch_to(next);
            return Operand::Const(Const::Unit);
        }
        let v = self.lower_expr(b, value);
        let ty = self.expr_mir_ty(b, e);
        let span = self.psg.expr(e).span;
        self.placed(b, span, ASYNC_FRAME);
        let dest = b.new_local(ty, "awaited");
        let next = b.new_block();
        b.terminate(Terminator::Await {
            value: v,
            dest,
            next,
            tail,
        });
        b.switch_to(next);
        Operand::Local(dest)
    }

    /// `Async.__run a` (`Async.RunSynchronously`): the frame goes in a slot of this
    /// frame, the runtime's event loop polls it until it finishes, and the result is
    /// read from the frame.
    pub(super) fn run_async(
        &mut self,
        b: &mut Builder,
        a: Operand,
        result: mir::Ty,
        span: Span,
    ) -> Operand {
        let (poll, start) = self.async_helpers();
        self.placed(b, span, ASYNC_FRAME);
        let slot_local = b.new_local(async_slot_ty(), "slot");
        b.assign(slot_local, Rvalue::Zero(async_slot_ty()));
        let slot = b.temp(Rvalue::AddrOf(slot_local), mir::Ty::Ptr);
        b.temp(
            Rvalue::Call(Callee::Func(start), vec![slot.clone(), a]),
            mir::Ty::Unit,
        );
        let code = b.temp(Rvalue::FuncAddr(poll), mir::Ty::Ptr);
        b.call_rt(RtFn::AsyncRun, vec![code, slot.clone()], mir::Ty::Unit);
        let mem_addr = b.temp(field(slot, async_slot_ty(), 0), mir::Ty::Ptr);
        let mem = b.temp(
            Rvalue::Load {
                ptr: mem_addr,
                ty: mir::Ty::Ptr,
            },
            mir::Ty::Ptr,
        );
        let at = b.temp(
            field(mem, mir::Ty::Tuple(frame_prefix(result.clone())), 2),
            mir::Ty::Ptr,
        );
        b.temp(
            Rvalue::Load {
                ptr: at,
                ty: result.clone(),
            },
            result,
        )
    }

    /// `Async.__start a` (`Async.Start`): a new task whose slot is in the current
    /// region (it outlives this code: the value-flow analysis keeps loops that
    /// start tasks from releasing it).
    pub(super) fn start_task(&mut self, b: &mut Builder, a: Operand, span: Span) {
        let (poll, start) = self.async_helpers();
        self.placed(b, span, ASYNC_FRAME);
        let slot = b.call_rt(RtFn::Alloc, vec![i64c(24), i64c(8)], mir::Ty::Ptr);
        let cap = b.temp(field(slot.clone(), async_slot_ty(), 1), mir::Ty::Ptr);
        b.emit(Stmt::Store(cap, i64c(0)));
        b.temp(
            Rvalue::Call(Callee::Func(start), vec![slot.clone(), a]),
            mir::Ty::Unit,
        );
        let code = b.temp(Rvalue::FuncAddr(poll), mir::Ty::Ptr);
        b.call_rt(RtFn::AsyncSpawn, vec![code, slot], mir::Ty::Ptr);
    }

    /// The `poll` and `start` helpers, built on first use.
    pub(super) fn async_helpers(&mut self) -> (FuncId, FuncId) {
        if let Some(h) = self.program.async_helpers {
            return h;
        }
        let start = FuncId(self.program.functions.len() as u32);
        self.program.functions.push(build_start());
        let poll = FuncId(self.program.functions.len() as u32);
        self.program.functions.push(build_poll(start));
        self.program.async_helpers = Some((poll, start));
        (poll, start)
    }
}

/// `clef_async_start(slot, async)`: the async's frame in the slot's memory (new
/// memory in the current region when it does not fit), initialised, and its
/// resume function in the slot.
fn build_start() -> mir::Function {
    let mut b = Builder::new("clef_async_start".into(), mir::Ty::Unit, Subst::default());
    let slot = b.new_local(mir::Ty::Ptr, "slot");
    let a = b.new_local(async_value_ty(), "async");
    b.func.params = vec![slot, a];
    let (slot, a) = (Operand::Local(slot), Operand::Local(a));
    let size = b.temp(Rvalue::TupleGet(a.clone(), 3), mir::Ty::I64);
    let cap_addr = b.temp(field(slot.clone(), async_slot_ty(), 1), mir::Ty::Ptr);
    let mem_addr = b.temp(field(slot.clone(), async_slot_ty(), 0), mir::Ty::Ptr);
    let cap = b.temp(
        Rvalue::Load {
            ptr: cap_addr.clone(),
            ty: mir::Ty::I64,
        },
        mir::Ty::I64,
    );
    let fits = b.temp(Rvalue::Binary(BinOp::Le, size.clone(), cap), mir::Ty::Bool);
    let (grow, init) = (b.new_block(), b.new_block());
    b.terminate(Terminator::Branch {
        cond: fits,
        then_block: init,
        else_block: grow,
    });
    b.switch_to(grow);
    let mem = b.call_rt(RtFn::Alloc, vec![size.clone(), i64c(16)], mir::Ty::Ptr);
    b.emit(Stmt::Store(mem_addr.clone(), mem));
    b.emit(Stmt::Store(cap_addr, size));
    b.terminate(Terminator::Goto(init));
    b.switch_to(init);
    let mem = b.temp(
        Rvalue::Load {
            ptr: mem_addr,
            ty: mir::Ty::Ptr,
        },
        mir::Ty::Ptr,
    );
    let init_code = b.temp(Rvalue::TupleGet(a.clone(), 1), mir::Ty::Ptr);
    let env = b.temp(Rvalue::TupleGet(a.clone(), 2), mir::Ty::Ptr);
    b.temp(
        Rvalue::CallPtr {
            func: init_code,
            args: vec![env, mem],
            ret: mir::Ty::Unit,
        },
        mir::Ty::Unit,
    );
    let resume = b.temp(Rvalue::TupleGet(a, 0), mir::Ty::Ptr);
    let resume_addr = b.temp(field(slot, async_slot_ty(), 2), mir::Ty::Ptr);
    b.emit(Stmt::Store(resume_addr, resume));
    b.terminate(Terminator::Return(Operand::Const(Const::Unit)));
    b.func
}

/// `clef_async_poll(slot) -> i8`: resumes the slot's frame; when it hands on to
/// another async (`return!`), starts that one in the slot and resumes it.
fn build_poll(start: FuncId) -> mir::Function {
    let mut b = Builder::new("clef_async_poll".into(), POLL_TY, Subst::default());
    let slot = b.new_local(mir::Ty::Ptr, "slot");
    b.func.params = vec![slot];
    let slot = Operand::Local(slot);
    let head = b.loop_head();
    let mem_addr = b.temp(field(slot.clone(), async_slot_ty(), 0), mir::Ty::Ptr);
    let mem = b.temp(
        Rvalue::Load {
            ptr: mem_addr,
            ty: mir::Ty::Ptr,
        },
        mir::Ty::Ptr,
    );
    let resume_addr = b.temp(field(slot.clone(), async_slot_ty(), 2), mir::Ty::Ptr);
    let resume = b.temp(
        Rvalue::Load {
            ptr: resume_addr,
            ty: mir::Ty::Ptr,
        },
        mir::Ty::Ptr,
    );
    let answer = b.temp(
        Rvalue::CallPtr {
            func: resume,
            args: vec![mem.clone()],
            ret: POLL_TY,
        },
        POLL_TY,
    );
    let tail_const = Operand::Const(Const::Int {
        value: POLL_TAIL as i128,
        bits: 8,
        signed: false,
    });
    let is_tail = b.temp(
        Rvalue::Binary(BinOp::Eq, answer.clone(), tail_const),
        mir::Ty::Bool,
    );
    let (tail, done) = (b.new_block(), b.new_block());
    b.terminate(Terminator::Branch {
        cond: is_tail,
        then_block: tail,
        else_block: done,
    });
    b.switch_to(done);
    b.terminate(Terminator::Return(answer));
    b.switch_to(tail);
    let next_addr = b.temp(
        field(mem, mir::Ty::Tuple(frame_prefix(mir::Ty::Unit)), 1),
        mir::Ty::Ptr,
    );
    let next = b.temp(
        Rvalue::Load {
            ptr: next_addr,
            ty: async_value_ty(),
        },
        async_value_ty(),
    );
    b.temp(
        Rvalue::Call(Callee::Func(start), vec![slot, next]),
        mir::Ty::Unit,
    );
    b.terminate(Terminator::Goto(head));
    b.func
}
