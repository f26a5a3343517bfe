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
    self, async_slot_ty, async_value_ty, frame_prefix, BinOp, BlockId, Callee, Const, FuncId,
    Operand, RtFn, Rvalue, Stmt, Terminator, POLL_CANCELLED, POLL_TAIL, POLL_TY,
};
use composer_diagnostics::Span;
use composer_semantics::builtins::{Builtin, IoFn};
use composer_semantics::psg::{ExprId, ExprKind, FunctionId, Psg};
use composer_semantics::types::{Ty as PTy, TyCon};
use rustc_hash::{FxHashMap, FxHashSet};

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

fn poll_const(v: i64) -> Operand {
    Operand::Const(Const::Int {
        value: v as i128,
        bits: 8,
        signed: false,
    })
}

/// The token source argument meaning "none" (`Async.Start`, `RunSynchronously`:
/// not the current task's; `runtime/src/executor.rs`, `NO_TOKEN`).
fn no_token(b: &mut Builder) -> Operand {
    b.temp(Rvalue::Convert(i64c(1), mir::Ty::Ptr), mir::Ty::Ptr)
}

/// A task's slot: an async slot and the runtime's task.
fn task_slot_ty() -> mir::Ty {
    mir::Ty::Tuple(vec![mir::Ty::Ptr, mir::Ty::I64, mir::Ty::Ptr, mir::Ty::Ptr])
}

/// The body of every `use` block of the program and its disposal: the checker
/// makes `use x = v in body` `let x = v in (let r = body in x.Dispose(); r)`
/// (`Psg::use_scopes` names `body`).
pub(super) fn use_disposals(psg: &Psg) -> FxHashMap<ExprId, ExprId> {
    let bodies: FxHashSet<ExprId> = psg.use_scopes.iter().map(|s| s.body).collect();
    let mut out = FxHashMap::default();
    if bodies.is_empty() {
        return out;
    }
    for expr in &psg.exprs {
        if let ExprKind::Let { value, body, .. } = expr.kind {
            if bodies.contains(&value) {
                if let ExprKind::Sequential(items) = &psg.expr(body).kind {
                    if let Some(&dispose) = items.first() {
                        out.insert(value, dispose);
                    }
                }
            }
        }
    }
    out
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
        let ty = self.expr_mir_ty(b, e);
        let (head, args) = self.psg.spine(value);
        match (&self.psg.expr(head).kind, args.as_slice()) {
            (ExprKind::Builtin(Builtin::AsyncSuspend), []) => {
                let next = b.new_block();
                let cancel = self.cancel_path(b);
                b.terminate(Terminator::Suspend { next, cancel });
                b.switch_to(next);
                return Operand::Const(Const::Unit);
            }
            (ExprKind::Builtin(Builtin::AsyncWait), []) => {
                // A cancellation meanwhile goes on as a wake-up does.
                let next = b.new_block();
                b.terminate(Terminator::Suspend { next, cancel: next });
                b.switch_to(next);
                return Operand::Const(Const::Unit);
            }
            (ExprKind::Builtin(Builtin::AsyncCancel), []) => {
                let cancel = self.cancel_path(b);
                b.terminate(Terminator::Goto(cancel));
                return b.temp(Rvalue::Zero(ty.clone()), ty);
            }
            _ => {}
        }
        // `Async.__catch a`: awaits `a`, `None` if it ends cancelled.
        let (value, catch) = match (&self.psg.expr(head).kind, args.as_slice()) {
            (ExprKind::Builtin(Builtin::AsyncCatch), [inner]) => (*inner, true),
            _ => (value, false),
        };
        let v = self.lower_expr(b, value);
        let span = self.psg.expr(e).span;
        self.placed(b, span, ASYNC_FRAME);
        let dest = b.new_local(ty, "awaited");
        let next = b.new_block();
        let cancel = self.cancel_path(b);
        // Handing on (`return!`) ends this frame: inside a `use` block, whose
        // disposal follows the awaited async, it is an ordinary await.
        let tail = tail && b.cleanups.is_empty() && !catch;
        b.terminate(Terminator::Await {
            value: v,
            dest,
            next,
            tail,
            catch,
            cancel,
        });
        b.switch_to(next);
        Operand::Local(dest)
    }

    /// The block a cancellation at the point being lowered goes to: the disposals
    /// of the `use` blocks around it, innermost first, then the end as cancelled.
    /// The builder stays where it was.
    fn cancel_path(&mut self, b: &mut Builder) -> BlockId {
        let (here, was_terminated) = (b.current, b.terminated);
        let cancel = b.new_block();
        b.switch_to(cancel);
        let cleanups = b.cleanups.clone();
        for &dispose in cleanups.iter().rev() {
            self.lower_expr(b, dispose);
        }
        b.terminate(Terminator::Cancel);
        b.current = here;
        b.terminated = was_terminated;
        cancel
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
        let token = no_token(b);
        let (cancelled, slot) = self.run_in_slot(b, a, token, span);
        // F#'s RunSynchronously raises OperationCanceledException; without
        // exceptions, the program ends with its message.
        self.panic_if(b, cancelled, "The operation was canceled.");
        self.slot_result(b, slot, result)
    }

    /// `Async.__tryRun a token`: `Some` result, or `None` when it ended cancelled.
    pub(super) fn try_run_async(
        &mut self,
        b: &mut Builder,
        a: Operand,
        token: Operand,
        result: mir::Ty,
        span: Span,
    ) -> Operand {
        let token = b.temp(Rvalue::Convert(token, mir::Ty::Ptr), mir::Ty::Ptr);
        let (cancelled, slot) = self.run_in_slot(b, a, token, span);
        let mir::Ty::Option(inner) = result.clone() else {
            unreachable!("Async.__tryRun gives an option")
        };
        let out = b.new_local(result.clone(), "ran");
        let (none, some) = b.branch(cancelled);
        let join = b.new_block();
        b.switch_to(none);
        b.assign(
            out,
            Rvalue::MakeOption {
                ty: result.clone(),
                payload: None,
            },
        );
        b.terminate(Terminator::Goto(join));
        b.switch_to(some);
        let v = self.slot_result(b, slot, *inner);
        b.assign(
            out,
            Rvalue::MakeOption {
                ty: result,
                payload: Some(v),
            },
        );
        b.terminate(Terminator::Goto(join));
        b.switch_to(join);
        Operand::Local(out)
    }

    /// Runs `a` in a slot of this frame with the token source `token`: whether it
    /// ended cancelled, and the slot.
    fn run_in_slot(
        &mut self,
        b: &mut Builder,
        a: Operand,
        token: Operand,
        span: Span,
    ) -> (Operand, Operand) {
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
        let answer = b.call_rt(RtFn::AsyncRun, vec![code, slot.clone(), token], POLL_TY);
        let cancelled = b.temp(
            Rvalue::Binary(BinOp::Eq, answer, poll_const(POLL_CANCELLED)),
            mir::Ty::Bool,
        );
        (cancelled, slot)
    }

    /// The result in the frame of a slot whose async finished.
    fn slot_result(&mut self, b: &mut Builder, slot: Operand, result: mir::Ty) -> Operand {
        let mem_addr = b.temp(field(slot, async_slot_ty(), 0), mir::Ty::Ptr);
        let mem = b.temp(
            Rvalue::Load {
                ptr: mem_addr,
                ty: mir::Ty::Ptr,
            },
            mir::Ty::Ptr,
        );
        let at = b.temp(
            field(mem, mir::Ty::Tuple(frame_prefix(result.clone())), 1),
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

    /// `Async.__start a` and `Async.__startWith a token` (`Async.Start`,
    /// `Async.StartChild`): a new task whose slot `(frame memory, capacity,
    /// resume, task)` is in the current region (it outlives this code: the
    /// value-flow analysis keeps loops that start tasks from releasing it). The
    /// task's handle is the slot's address.
    pub(super) fn start_task(
        &mut self,
        b: &mut Builder,
        a: Operand,
        token: Option<Operand>,
        now: bool,
        span: Span,
    ) -> Operand {
        let (poll, start) = self.async_helpers();
        self.placed(b, span, ASYNC_FRAME);
        let slot = b.call_rt(RtFn::Alloc, vec![i64c(32), i64c(8)], mir::Ty::Ptr);
        let cap = b.temp(field(slot.clone(), task_slot_ty(), 1), mir::Ty::Ptr);
        b.emit(Stmt::Store(cap, i64c(0)));
        b.temp(
            Rvalue::Call(Callee::Func(start), vec![slot.clone(), a]),
            mir::Ty::Unit,
        );
        let code = b.temp(Rvalue::FuncAddr(poll), mir::Ty::Ptr);
        let token = match token {
            Some(t) => b.temp(Rvalue::Convert(t, mir::Ty::Ptr), mir::Ty::Ptr),
            None => no_token(b),
        };
        let spawn = if now {
            RtFn::AsyncSpawnNow
        } else {
            RtFn::AsyncSpawn
        };
        let task = b.call_rt(spawn, vec![code, slot.clone(), token], mir::Ty::Ptr);
        let at = b.temp(field(slot.clone(), task_slot_ty(), 3), mir::Ty::Ptr);
        b.emit(Stmt::Store(at, task));
        b.temp(Rvalue::Convert(slot, mir::Ty::I64), mir::Ty::I64)
    }

    /// The runtime task of a handle (`start_task`'s slot address).
    fn task_of(&mut self, b: &mut Builder, handle: Operand) -> Operand {
        let slot = b.temp(Rvalue::Convert(handle, mir::Ty::Ptr), mir::Ty::Ptr);
        let at = b.temp(field(slot, task_slot_ty(), 3), mir::Ty::Ptr);
        b.temp(
            Rvalue::Load {
                ptr: at,
                ty: mir::Ty::Ptr,
            },
            mir::Ty::Ptr,
        )
    }

    /// `Async.__taskState h`: 0 running, 1 finished, 3 cancelled.
    pub(super) fn task_state(&mut self, b: &mut Builder, handle: Operand, ty: mir::Ty) -> Operand {
        let task = self.task_of(b, handle);
        let state = b.call_rt(RtFn::AsyncDone, vec![task], POLL_TY);
        b.temp(Rvalue::Convert(state, ty.clone()), ty)
    }

    /// `Async.__joinTask h`.
    pub(super) fn join_task(&mut self, b: &mut Builder, handle: Operand) {
        let task = self.task_of(b, handle);
        b.call_rt(RtFn::AsyncJoin, vec![task], mir::Ty::Unit);
    }

    /// `Async.__taskResult h`: the result in the finished task's frame.
    pub(super) fn task_result(&mut self, b: &mut Builder, handle: Operand, ty: mir::Ty) -> Operand {
        let slot = b.temp(Rvalue::Convert(handle, mir::Ty::Ptr), mir::Ty::Ptr);
        self.slot_result(b, slot, ty)
    }

    /// A descriptor call of the runtime, its arguments narrowed to the ABI's.
    pub(super) fn io_call(
        &mut self,
        b: &mut Builder,
        f: IoFn,
        vals: Vec<Operand>,
        result: mir::Ty,
    ) -> Operand {
        let rt = match f {
            IoFn::FdRead => RtFn::FdRead,
            IoFn::FdWrite => RtFn::FdWrite,
            IoFn::FdClose => RtFn::FdClose,
            IoFn::TcpListen => RtFn::TcpListen,
            IoFn::TcpAccept => RtFn::TcpAccept,
            IoFn::TcpConnect => RtFn::TcpConnect,
            IoFn::SocketError => RtFn::SocketError,
            IoFn::LocalPort => RtFn::TcpLocalPort,
            IoFn::FileOpen => RtFn::FileOpen,
            IoFn::SetNonblocking => RtFn::SetNonblocking,
            IoFn::ErrnoMessage => RtFn::ErrnoMessage,
            IoFn::WaitFd => RtFn::AsyncWaitFd,
            IoFn::StdinLineReady => RtFn::StdinLineReady,
        };
        let (params, _) = rt.signature();
        let args = vals
            .into_iter()
            .zip(params)
            .map(|(v, abi)| match abi {
                mir::Abi::I32 => b.temp(Rvalue::Convert(v, mir::Ty::I32), mir::Ty::I32),
                _ => v,
            })
            .collect();
        b.call_rt(rt, args, result)
    }

    /// The `poll` and `start` helpers, built on first use.
    pub(super) fn async_helpers(&mut self) -> (FuncId, FuncId) {
        if let Some((poll, start, _)) = self.program.async_helpers {
            return (poll, start);
        }
        self.program.globals.push(mir::Global {
            name: "clef_async_handoff".into(),
            ty: async_value_ty(),
        });
        let handoff = mir::GlobalId(self.program.globals.len() as u32 - 1);
        let start = FuncId(self.program.functions.len() as u32);
        self.program.functions.push(build_start());
        let poll = FuncId(self.program.functions.len() as u32);
        self.program.functions.push(build_poll(start, handoff));
        self.program.async_helpers = Some((poll, start, handoff));
        (poll, start)
    }
}

/// `clef_async_start(slot, async)`: the async's frame in the slot's memory (new
/// memory in the current region when it does not fit), initialised, and its
/// resume function in the slot. When the slot held a frame of the same coroutine
/// (a `return!` loop, an await site in a loop), the frame's own await slots keep
/// their memory: its init is told so (`keep`), and a loop allocates nothing.
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
    let resume_addr = b.temp(field(slot.clone(), async_slot_ty(), 2), mir::Ty::Ptr);
    let old = b.temp(
        Rvalue::Load {
            ptr: resume_addr.clone(),
            ty: mir::Ty::Ptr,
        },
        mir::Ty::Ptr,
    );
    let old = b.temp(Rvalue::Convert(old, mir::Ty::I64), mir::Ty::I64);
    let new = b.temp(Rvalue::TupleGet(a.clone(), 0), mir::Ty::Ptr);
    let new = b.temp(Rvalue::Convert(new, mir::Ty::I64), mir::Ty::I64);
    let same = b.temp(Rvalue::Binary(BinOp::Eq, old, new), mir::Ty::Bool);
    let keep = b.new_local(mir::Ty::Bool, "keep");
    b.assign(keep, Rvalue::Binary(BinOp::And, fits.clone(), same));
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
    b.assign(keep, Rvalue::Use(Operand::Const(Const::Bool(false))));
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
            args: vec![env, mem, Operand::Local(keep)],
            ret: mir::Ty::Unit,
        },
        mir::Ty::Unit,
    );
    let resume = b.temp(Rvalue::TupleGet(a, 0), mir::Ty::Ptr);
    b.emit(Stmt::Store(resume_addr, resume));
    b.terminate(Terminator::Return(Operand::Const(Const::Unit)));
    b.func
}

/// `clef_async_poll(slot) -> i8`: resumes the slot's frame; when it hands on to
/// another async (`return!`, left in the `handoff` global), starts that one in the
/// slot and resumes it.
fn build_poll(start: FuncId, handoff: mir::GlobalId) -> mir::Function {
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
    let next = b.temp(Rvalue::LoadGlobal(handoff), async_value_ty());
    b.temp(
        Rvalue::Call(Callee::Func(start), vec![slot, next]),
        mir::Ty::Unit,
    );
    b.terminate(Terminator::Goto(head));
    b.func
}
