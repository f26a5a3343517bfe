//! The MIR `Builder`: one function under construction (locals, blocks, the block
//! being filled), the small constructors of constant operands, and the clean-up
//! that drops unreachable blocks once a function is built.

use super::Subst;
use crate::mir::{
    self, BinOp, Callee, Const, FuncId, LocalId, Operand, RtFn, Rvalue, Stmt, Terminator,
};
use composer_semantics::psg::{BindingId, ExprId};
use rustc_hash::FxHashMap;

/// Builds one MIR function.
pub(super) struct Builder {
    pub(super) func: mir::Function,
    pub(super) current: mir::BlockId,
    pub(super) terminated: bool,
    pub(super) locals: FxHashMap<BindingId, LocalId>,
    pub(super) subst: Subst,
    /// The function being built, for turning self tail calls into jumps.
    pub(super) tail_self: Option<TailSelf>,
    /// Captured `let mutable`s whose local here holds the variable's address.
    pub(super) by_ref: rustc_hash::FxHashSet<BindingId>,
    /// In an async body: the disposals of the `use` blocks being lowered, outermost
    /// first (a cancellation runs them innermost first).
    pub(super) cleanups: Vec<composer_semantics::psg::ExprId>,
    /// The application that `lower_tail` found as the last operand of `+` or `*` in
    /// tail position (`1 + f l + f r`): its base cases are not peeled, so that
    /// LLVM can still turn the call into a loop (accumulator tail recursion).
    pub(super) keep_call: Option<ExprId>,
    /// Whether the call `invoke` is about to make may peel base cases.
    pub(super) peel: bool,
    /// Where implicit allocations go, innermost last: the function's own place
    /// (the caller's region, the root region for `clef_main`), then the iteration
    /// regions and arenas the code being built is inside (`placement.rs`).
    pub(super) places: Vec<mir::Place>,
    /// Whether the function is the program's own code with source sites (not a
    /// closure stub or a derived function), so its allocations are recorded.
    pub(super) has_source_sites: bool,
}

/// What a self tail call needs: the instance, the parameter slots to reassign
/// (after the captured values) and the block to jump back to.
pub(super) struct TailSelf {
    pub(super) instance: FuncId,
    pub(super) params: Vec<LocalId>,
    pub(super) start: mir::BlockId,
    /// What each jump does with the round's allocations: reset them
    /// (`Psg::tail_regions`) or compact the arguments out of them
    /// (`Psg::tail_compactions`).
    pub(super) memory: super::RoundMemory,
}

impl Builder {
    pub(super) fn new(name: String, ret: mir::Ty, subst: Subst) -> Self {
        Builder {
            func: mir::Function {
                name,
                params: Vec::new(),
                ret,
                locals: Vec::new(),
                blocks: vec![mir::Block {
                    stmts: Vec::new(),
                    terminator: Terminator::Unreachable,
                }],
                is_export: false,
                coroutine: false,
            },
            current: mir::BlockId(0),
            terminated: false,
            locals: FxHashMap::default(),
            subst,
            tail_self: None,
            by_ref: Default::default(),
            cleanups: Vec::new(),
            keep_call: None,
            peel: false,
            places: vec![mir::Place::CallerRegion],
            has_source_sites: true,
        }
    }

    pub(super) fn new_local(&mut self, ty: mir::Ty, name: &str) -> LocalId {
        self.func.locals.push(mir::Local {
            name: name.to_string(),
            ty,
        });
        LocalId(self.func.locals.len() as u32 - 1)
    }

    pub(super) fn new_block(&mut self) -> mir::BlockId {
        self.func.blocks.push(mir::Block {
            stmts: Vec::new(),
            terminator: Terminator::Unreachable,
        });
        mir::BlockId(self.func.blocks.len() as u32 - 1)
    }

    /// Opens a loop: jumps to a new block, `head`, and leaves the builder there to
    /// compute the loop's condition (then `loop_test`, the body, `loop_end`).
    pub(super) fn loop_head(&mut self) -> mir::BlockId {
        let head = self.new_block();
        self.terminate(Terminator::Goto(head));
        self.switch_to(head);
        head
    }

    /// Ends the condition: while `cond` holds, continue in a new body block (where
    /// the builder is left); otherwise go to the returned exit block.
    pub(super) fn loop_test(&mut self, cond: Operand) -> mir::BlockId {
        let (body, exit) = self.branch(cond);
        self.switch_to(body);
        exit
    }

    /// Ends the body: back to `head`; code after the loop goes into `exit`.
    pub(super) fn loop_end(&mut self, head: mir::BlockId, exit: mir::BlockId) {
        self.terminate(Terminator::Goto(head));
        self.switch_to(exit);
    }

    /// Ends the current block with a branch on `cond` to two new blocks,
    /// `(then, else)`; the caller switches to one of them.
    pub(super) fn branch(&mut self, cond: Operand) -> (mir::BlockId, mir::BlockId) {
        let then_block = self.new_block();
        let else_block = self.new_block();
        self.terminate(Terminator::Branch {
            cond,
            then_block,
            else_block,
        });
        (then_block, else_block)
    }

    /// A `bool` widened to the byte the runtime's ABI takes.
    pub(super) fn bool_byte(&mut self, v: Operand) -> Operand {
        let byte = mir::Ty::Int {
            bits: 8,
            signed: false,
        };
        self.temp(Rvalue::Convert(v, byte.clone()), byte)
    }

    /// Whether a list value is a cons cell (`x :: rest`, union case 1).
    pub(super) fn is_cons(&mut self, list: Operand) -> Operand {
        let tag = self.temp(Rvalue::UnionTag(list), mir::Ty::I32);
        self.temp(Rvalue::Binary(BinOp::Eq, tag, i32c(1)), mir::Ty::Bool)
    }

    pub(super) fn switch_to(&mut self, b: mir::BlockId) {
        self.current = b;
        self.terminated = false;
    }

    fn ensure_open(&mut self) {
        if self.terminated {
            let b = self.new_block();
            self.switch_to(b);
        }
    }

    pub(super) fn emit(&mut self, s: Stmt) {
        self.ensure_open();
        self.func.blocks[self.current.index()].stmts.push(s);
    }

    pub(super) fn terminate(&mut self, t: Terminator) {
        if self.terminated {
            return;
        }
        self.func.blocks[self.current.index()].terminator = t;
        self.terminated = true;
    }

    /// Evaluates an rvalue into a fresh temporary.
    pub(super) fn temp(&mut self, r: Rvalue, ty: mir::Ty) -> Operand {
        if ty.is_unit() {
            self.emit(Stmt::Eval(r));
            return Operand::Const(Const::Unit);
        }
        let l = self.new_local(ty, "");
        self.emit(Stmt::Assign(l, r));
        Operand::Local(l)
    }

    pub(super) fn assign(&mut self, l: LocalId, r: Rvalue) {
        if self.func.locals[l.index()].ty.is_unit() {
            self.emit(Stmt::Eval(r));
        } else {
            self.emit(Stmt::Assign(l, r));
        }
    }

    pub(super) fn call_rt(&mut self, rt: RtFn, args: Vec<Operand>, ret: mir::Ty) -> Operand {
        let r = Rvalue::Call(Callee::Runtime(rt), args);
        let out = self.temp(r, ret);
        if rt.diverges() {
            self.terminate(Terminator::Unreachable);
        }
        out
    }
}

pub(super) fn int_const(value: i128, bits: u32, signed: bool) -> Operand {
    Operand::Const(Const::Int {
        value,
        bits,
        signed,
    })
}

/// The number 0 of a numeric type (`int` for any other type).
pub(super) fn zero_of(ty: &mir::Ty) -> Operand {
    numeric_const(ty, 0)
}

/// The number 1 of a numeric type (`int` for any other type).
pub(super) fn one_of(ty: &mir::Ty) -> Operand {
    numeric_const(ty, 1)
}

fn numeric_const(ty: &mir::Ty, n: i8) -> Operand {
    match ty {
        mir::Ty::Float { bits } => Operand::Const(Const::Float {
            value: f64::from(n),
            bits: *bits,
        }),
        mir::Ty::Int { bits, signed } => int_const(i128::from(n), *bits, *signed),
        // Ranges of chars step by `char 1` (F#'s built-in `One` of `char`).
        mir::Ty::Char => Operand::Const(Const::Char(char::from(n.unsigned_abs()))),
        _ => int_const(i128::from(n), 64, true),
    }
}

pub(super) fn i32c(v: i32) -> Operand {
    Operand::Const(Const::i32(v))
}

pub(super) fn bool_const(b: bool) -> Operand {
    Operand::Const(Const::Bool(b))
}
