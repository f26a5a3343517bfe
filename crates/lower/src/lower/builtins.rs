//! Builtin functions (`Builtin`): conversions, math, console, arrays, ref cells,
//! arenas and the rest of the core library implemented by the compiler, and the
//! default values (`Unchecked.defaultof`) some of them need.

use super::placement::ARENA_ALLOCATION;
use super::{bool_const, i32c, int_const, one_of, zero_of, Builder, Lowerer};
use crate::mir::{self, BinOp, Const, Operand, RtFn, Rvalue, Stmt, UnOp};
use composer_diagnostics::Span;
use composer_semantics::builtins::push_ty;
use composer_semantics::builtins::Builtin;
use composer_semantics::psg::ExprId;
use composer_semantics::types::{Ty as PTy, TyCon};

impl Lowerer<'_> {
    pub(super) fn lower_builtin(
        &mut self,
        b: &mut Builder,
        bi: Builtin,
        args: &[ExprId],
        e: ExprId,
    ) -> Operand {
        let span = self.psg.expr(e).span;
        let result_pty = self.expr_ty(b, e);
        let arg_ptys: Vec<PTy> = args.iter().map(|a| self.expr_ty(b, *a)).collect();
        let mut vals = Vec::new();
        for a in args {
            vals.push(self.lower_expr(b, *a));
        }
        self.builtin_values(b, bi, vals, arg_ptys, &result_pty, span)
    }

    /// A builtin applied to exactly its arity of argument expressions.
    pub(super) fn lower_builtin_app(
        &mut self,
        b: &mut Builder,
        bi: Builtin,
        args: &[ExprId],
        result_pty: &PTy,
        span: Span,
    ) -> Operand {
        let arg_ptys: Vec<PTy> = args.iter().map(|a| self.expr_ty(b, *a)).collect();
        let vals: Vec<Operand> = args.iter().map(|a| self.lower_expr(b, *a)).collect();
        self.builtin_values(b, bi, vals, arg_ptys, result_pty, span)
    }

    /// A builtin applied to already-evaluated arguments of the given concrete types.
    pub(super) fn builtin_values(
        &mut self,
        b: &mut Builder,
        bi: Builtin,
        mut vals: Vec<Operand>,
        arg_ptys: Vec<PTy>,
        result_pty: &PTy,
        span: Span,
    ) -> Operand {
        let result_ty = self.mir_ty(result_pty);
        let arg_ty = |this: &mut Self, i: usize| -> mir::Ty { this.mir_ty(&arg_ptys[i]) };
        match bi {
            Builtin::Ignore => Operand::Const(Const::Unit),
            Builtin::AsyncRun => self.run_async(b, vals.remove(0), result_ty, span),
            Builtin::AsyncStart => {
                self.start_task(b, vals.remove(0), None, false, span);
                Operand::Const(Const::Unit)
            }
            Builtin::AsyncSpawn | Builtin::AsyncSpawnNow => {
                let a = vals.remove(0);
                let now = bi == Builtin::AsyncSpawnNow;
                self.start_task(b, a, Some(vals.remove(0)), now, span)
            }
            Builtin::AsyncTryRun => {
                let a = vals.remove(0);
                self.try_run_async(b, a, vals.remove(0), result_ty, span)
            }
            Builtin::AsyncTaskState => self.task_state(b, vals.remove(0), result_ty),
            Builtin::AsyncJoinTask => {
                self.join_task(b, vals.remove(0));
                Operand::Const(Const::Unit)
            }
            Builtin::AsyncTaskResult => self.task_result(b, vals.remove(0), result_ty),
            Builtin::AsyncCancelled => b.call_rt(RtFn::AsyncCancelled, vec![], result_ty),
            Builtin::AsyncRequeue => b.call_rt(RtFn::AsyncYield, vec![], mir::Ty::Unit),
            Builtin::AsyncToken | Builtin::CtsCreate => {
                let rt = if bi == Builtin::AsyncToken {
                    RtFn::AsyncToken
                } else {
                    RtFn::CtsCreate
                };
                let p = b.call_rt(rt, vec![], mir::Ty::Ptr);
                b.temp(Rvalue::Convert(p, result_ty.clone()), result_ty)
            }
            Builtin::CtsCancel | Builtin::CtsIsCancelled | Builtin::CtsCancelAfter => {
                let source = vals.remove(0);
                let p = b.temp(Rvalue::Convert(source, mir::Ty::Ptr), mir::Ty::Ptr);
                let (rt, ret) = match bi {
                    Builtin::CtsCancel => (RtFn::CtsCancel, mir::Ty::Unit),
                    Builtin::CtsIsCancelled => (RtFn::CtsIsCancelled, result_ty),
                    _ => (RtFn::CtsCancelAfter, mir::Ty::Unit),
                };
                let mut args = vec![p];
                args.extend(vals);
                b.call_rt(rt, args, ret)
            }
            Builtin::AsyncCatch | Builtin::AsyncCancel | Builtin::AsyncWait => {
                self.unsupported(span, &format!("'{}' other than awaited", bi.name()));
                b.temp(Rvalue::Zero(result_ty.clone()), result_ty)
            }
            Builtin::AsyncNow => b.call_rt(RtFn::AsyncNow, vec![], result_ty),
            Builtin::AsyncWakeAt => b.call_rt(RtFn::AsyncWakeAt, vals, mir::Ty::Unit),
            Builtin::Io(f) => self.io_call(b, f, vals, result_ty),
            Builtin::AsyncSuspend => {
                self.unsupported(span, "'Async.__suspend' other than awaited");
                b.temp(Rvalue::Zero(result_ty.clone()), result_ty)
            }
            Builtin::Id | Builtin::SeqMake => vals.remove(0),
            // One representation, two types: an explicit conversion, no copy (an
            // enum is its underlying integer, so `enum<E> n` only widens or narrows).
            Builtin::StringBytes
            | Builtin::StringOfBytes
            | Builtin::EnumOfInt
            | Builtin::EnumConvert => b.temp(
                Rvalue::Convert(vals.remove(0), result_ty.clone()),
                result_ty,
            ),
            Builtin::ArrayView => {
                let base = vals.remove(0);
                let start = vals.remove(0);
                let len = vals.remove(0);
                b.temp(Rvalue::Slice { base, start, len }, result_ty)
            }
            Builtin::SeqRun => {
                let PTy::App(TyCon::Seq, elem) = &arg_ptys[0] else {
                    unreachable!("Seq.__run takes a seq")
                };
                let source = vals.remove(0);
                let push = push_ty(elem[0].clone());
                self.call_value(b, source, push, vals, None)
            }
            Builtin::Fst | Builtin::Snd => {
                let index = u32::from(bi == Builtin::Snd);
                b.temp(Rvalue::TupleGet(vals.remove(0), index), result_ty)
            }
            Builtin::Not => b.temp(Rvalue::Unary(UnOp::Not, vals.remove(0)), mir::Ty::Bool),
            Builtin::Failwith => {
                b.call_rt(RtFn::Panic, vec![vals.remove(0)], mir::Ty::Unit);
                self.undefined(b, result_ty)
            }
            Builtin::Exit => {
                let code = b.temp(Rvalue::Convert(vals.remove(0), mir::Ty::I32), mir::Ty::I32);
                b.call_rt(RtFn::Exit, vec![code], mir::Ty::Unit);
                self.undefined(b, result_ty)
            }
            Builtin::Convert(p) => {
                let from = arg_ty(self, 0);
                let v = vals.remove(0);
                match from {
                    mir::Ty::Str => {
                        if let Some((bits, signed)) = p.int_info(self.psg.target.word_bits) {
                            let r = b.call_rt(
                                RtFn::ParseInt,
                                vec![v, i32c(bits as i32), int_const(signed as i128, 8, false)],
                                mir::Ty::I64,
                            );
                            b.temp(Rvalue::Convert(r, result_ty.clone()), result_ty)
                        } else if p.is_float() {
                            let r =
                                b.call_rt(RtFn::ParseFloat, vec![v], mir::Ty::Float { bits: 64 });
                            b.temp(Rvalue::Convert(r, result_ty.clone()), result_ty)
                        } else {
                            self.unsupported(
                                span,
                                &format!("converting a string with '{}'", p.name()),
                            );
                            Operand::Const(Const::Unit)
                        }
                    }
                    mir::Ty::Int { .. } | mir::Ty::Float { .. } | mir::Ty::Char | mir::Ty::Bool => {
                        b.temp(Rvalue::Convert(v, result_ty.clone()), result_ty)
                    }
                    _ => {
                        self.unsupported(span, &format!("'{}' on this type", p.name()));
                        Operand::Const(Const::Unit)
                    }
                }
            }
            Builtin::ToString => {
                let from = arg_ty(self, 0);
                let v = vals.remove(0);
                if !matches!(from, mir::Ty::Str | mir::Ty::Unit) {
                    self.placed_builtin(b, span, bi);
                }
                if matches!(arg_ptys[0], PTy::Prim(_)) {
                    self.value_to_string(b, v, &from, span)
                } else {
                    // Structured values: the same text as `%A`.
                    b.call_rt(RtFn::FmtStart, vec![], mir::Ty::Unit);
                    self.format_structured(b, v, &arg_ptys[0], false);
                    b.call_rt(RtFn::FmtFinishString, vec![], mir::Ty::Str)
                }
            }
            Builtin::Max | Builtin::Min => {
                let ty = arg_ty(self, 0);
                let r = vals.pop().expect("two arguments");
                let l = vals.pop().expect("two arguments");
                if let mir::Ty::Float { bits } = ty {
                    float_max_min(b, bi == Builtin::Max, l, r, bits)
                } else {
                    let op = if bi == Builtin::Max {
                        BinOp::Ge
                    } else {
                        BinOp::Le
                    };
                    let c = self.structural_compare(b, op, l.clone(), r.clone(), &ty, span);
                    b.temp(Rvalue::Select(c, l, r), ty)
                }
            }
            Builtin::Compare => {
                let ty = arg_ty(self, 0);
                let r = vals.pop().expect("two arguments");
                let l = vals.pop().expect("two arguments");
                let c = self.compare_values(b, l, r, &ty, span);
                b.temp(Rvalue::Convert(c, mir::Ty::I64), mir::Ty::I64)
            }
            Builtin::EnumHasFlag => {
                let ty = arg_ty(self, 0);
                let flag = vals.pop().expect("two arguments");
                let value = vals.pop().expect("two arguments");
                let bits = b.temp(Rvalue::Binary(BinOp::And, value, flag.clone()), ty);
                b.temp(Rvalue::Binary(BinOp::Eq, bits, flag), mir::Ty::Bool)
            }
            Builtin::Hash => {
                let ty = arg_ty(self, 0);
                let v = vals.remove(0);
                let h = self.hash_value(b, v, &ty);
                b.temp(Rvalue::Convert(h, mir::Ty::I64), mir::Ty::I64)
            }
            Builtin::Abs => {
                let ty = arg_ty(self, 0);
                let v = vals.remove(0);
                if let mir::Ty::Int { bits, signed: true } = ty {
                    // .NET: OverflowException for the one value with no positive twin.
                    let min = -(1i128 << (bits - 1));
                    let is_min = b.temp(
                        Rvalue::Binary(BinOp::Eq, v.clone(), int_const(min, bits, true)),
                        mir::Ty::Bool,
                    );
                    self.panic_if(
                        b,
                        is_min,
                        "Negating the minimum value of a twos complement number is invalid.",
                    );
                }
                let zero = zero_of(&ty);
                let neg = b.temp(Rvalue::Binary(BinOp::Lt, v.clone(), zero), mir::Ty::Bool);
                let minus = b.temp(Rvalue::Unary(UnOp::Neg, v.clone()), ty.clone());
                b.temp(Rvalue::Select(neg, minus, v), ty)
            }
            Builtin::Sign => {
                let ty = arg_ty(self, 0);
                let v = vals.remove(0);
                let zero = zero_of(&ty);
                let gt = b.temp(
                    Rvalue::Binary(BinOp::Gt, v.clone(), zero.clone()),
                    mir::Ty::Bool,
                );
                let lt = b.temp(Rvalue::Binary(BinOp::Lt, v, zero), mir::Ty::Bool);
                let gti = b.temp(Rvalue::Convert(gt, mir::Ty::I64), mir::Ty::I64);
                let lti = b.temp(Rvalue::Convert(lt, mir::Ty::I64), mir::Ty::I64);
                b.temp(Rvalue::Binary(BinOp::Sub, gti, lti), mir::Ty::I64)
            }
            Builtin::Pown => {
                let ty = arg_ty(self, 0);
                let n = vals.pop().expect("two arguments");
                let x = vals.pop().expect("two arguments");
                self.lower_pown(b, x, n, ty)
            }
            Builtin::DivideByInt => {
                let n = vals.pop().expect("two arguments");
                let x = vals.pop().expect("two arguments");
                let n = b.temp(Rvalue::Convert(n, result_ty.clone()), result_ty.clone());
                b.temp(Rvalue::Binary(BinOp::Div, x, n), result_ty)
            }
            Builtin::Atan2 => {
                let bits = if result_ty == (mir::Ty::Float { bits: 32 }) {
                    32
                } else {
                    64
                };
                let name = if bits == 32 { "atan2f" } else { "atan2" };
                b.call_rt(RtFn::Libm(name, bits, 2), vals, result_ty)
            }
            Builtin::Math(m) => {
                let bits = if result_ty == (mir::Ty::Float { bits: 32 }) {
                    32
                } else {
                    64
                };
                let (double, single) = m.c_names();
                let name = if bits == 32 { single } else { double };
                b.call_rt(RtFn::Libm(name, bits, 1), vals, result_ty)
            }
            Builtin::GenericZero => zero_of(&result_ty),
            Builtin::DefaultOf => self.unchecked_default(b, &result_ty, span),
            Builtin::Ref => {
                self.placed_builtin(b, span, bi);
                b.temp(Rvalue::Box(vals.remove(0)), result_ty)
            }
            Builtin::Incr | Builtin::Decr => {
                let cell = vals.remove(0);
                let old = b.temp(Rvalue::Unbox(cell.clone()), mir::Ty::I64);
                let op = if bi == Builtin::Incr {
                    BinOp::Add
                } else {
                    BinOp::Sub
                };
                let new = b.temp(
                    Rvalue::Binary(op, old, int_const(1, 64, true)),
                    mir::Ty::I64,
                );
                b.emit(Stmt::StoreBoxed(cell, new));
                Operand::Const(Const::Unit)
            }
            Builtin::GenericOne => one_of(&result_ty),
            Builtin::Nan => Operand::Const(Const::Float {
                value: f64::NAN,
                bits: 64,
            }),
            Builtin::Infinity => Operand::Const(Const::Float {
                value: f64::INFINITY,
                bits: 64,
            }),
            Builtin::ConsoleWrite | Builtin::ConsoleWriteln | Builtin::ConsoleWriteBytes => {
                let mut text = vals.remove(0);
                if bi == Builtin::ConsoleWriteBytes {
                    // The bytes as the string the runtime writes: one representation
                    // (pointer, length), so an explicit conversion and no copy.
                    text = b.temp(Rvalue::Convert(text, mir::Ty::Str), mir::Ty::Str);
                }
                b.call_rt(RtFn::Write, vec![i32c(1), text], mir::Ty::Unit);
                if bi == Builtin::ConsoleWriteln {
                    let nl = self.str_const("\n");
                    b.call_rt(RtFn::Write, vec![i32c(1), nl], mir::Ty::Unit);
                }
                Operand::Const(Const::Unit)
            }
            Builtin::ConsoleReadln => {
                self.placed_builtin(b, span, bi);
                b.call_rt(RtFn::Readln, vec![], mir::Ty::Str)
            }
            Builtin::ConsoleTryReadln => {
                self.placed_builtin(b, span, bi);
                b.temp(Rvalue::TryReadln, mir::Ty::Option(Box::new(mir::Ty::Str)))
            }
            Builtin::StringLength => b.temp(Rvalue::Length(vals.remove(0)), mir::Ty::I64),
            Builtin::ArrayLength => b.temp(Rvalue::Length(vals.remove(0)), mir::Ty::I64),
            Builtin::ArenaCreate => {
                let site = self
                    .sources
                    .place(span)
                    .unwrap_or_else(|| "an unknown site".into());
                let site = self.str_const(&site);
                b.call_rt(RtFn::ArenaCreate, vec![vals.remove(0), site], mir::Ty::I64)
            }
            Builtin::ArenaAlloc | Builtin::ArenaAllocArray => {
                // Allocate as usual with the arena as the current region.
                let arena = vals.remove(0);
                let previous = b.call_rt(RtFn::ArenaEnter, vec![arena], mir::Ty::I64);
                b.enter_place(mir::Place::Arena);
                self.placed(b, span, ARENA_ALLOCATION);
                let value = if bi == Builtin::ArenaAlloc {
                    let inner = match &result_ty {
                        mir::Ty::Boxed(t) => (**t).clone(),
                        _ => mir::Ty::Unit,
                    };
                    let zero = self.zero_value(b, &inner);
                    b.temp(Rvalue::Box(zero), result_ty)
                } else {
                    let elem = match &result_ty {
                        mir::Ty::Array(e) => (**e).clone(),
                        _ => mir::Ty::Unit,
                    };
                    let fill = self.zero_value(b, &elem);
                    self.new_array(b, elem, vals.remove(0), fill, result_ty)
                };
                b.leave_place();
                b.call_rt(RtFn::ArenaLeave, vec![previous], mir::Ty::Unit);
                value
            }
            Builtin::ArenaMarkMethod | Builtin::ArenaAllocMethod | Builtin::ArenaDisposeMethod => {
                // The method forms: the same operation, the `()` dropped.
                vals.truncate(1);
                let plain = match bi {
                    Builtin::ArenaMarkMethod => Builtin::ArenaMark,
                    Builtin::ArenaAllocMethod => Builtin::ArenaAlloc,
                    _ => Builtin::ArenaDispose,
                };
                let pty = arg_ptys[0].clone();
                self.builtin_values(b, plain, vals, vec![pty], result_pty, span)
            }
            Builtin::ArenaMark => b.call_rt(RtFn::ArenaMark, vals, mir::Ty::I64),
            Builtin::ArenaRelease => b.call_rt(RtFn::ArenaRelease, vals, mir::Ty::Unit),
            Builtin::ArenaDispose => b.call_rt(RtFn::ArenaDispose, vals, mir::Ty::Unit),
            Builtin::ArrayCreate | Builtin::ArrayZeroCreate => {
                let elem = match &result_ty {
                    mir::Ty::Array(e) => (**e).clone(),
                    _ => mir::Ty::Unit,
                };
                let len = vals.remove(0);
                let fill = if bi == Builtin::ArrayCreate {
                    vals.remove(0)
                } else {
                    self.zero_value(b, &elem)
                };
                self.placed_builtin(b, span, bi);
                self.new_array(b, elem, len, fill, result_ty)
            }
            Builtin::Some => b.temp(
                Rvalue::MakeOption {
                    ty: result_ty.clone(),
                    payload: Some(vals.remove(0)),
                },
                result_ty,
            ),
            Builtin::None => b.temp(
                Rvalue::MakeOption {
                    ty: result_ty.clone(),
                    payload: None,
                },
                result_ty,
            ),
        }
    }

    /// Records the allocation of a builtin that allocates (`Builtin::allocates`).
    fn placed_builtin(&mut self, b: &Builder, span: Span, bi: Builtin) {
        let what = bi.allocates().expect("the builtin allocates");
        self.placed(b, span, what);
    }

    /// A new array of `len` copies of `fill` in the current region (`Array.create`).
    fn new_array(
        &mut self,
        b: &mut Builder,
        elem: mir::Ty,
        len: Operand,
        fill: Operand,
        ty: mir::Ty,
    ) -> Operand {
        let negative = b.temp(
            Rvalue::Binary(BinOp::Lt, len.clone(), int_const(0, 64, true)),
            mir::Ty::Bool,
        );
        self.panic_if(b, negative, "The input must be non-negative.");
        let arr = b.temp(
            Rvalue::AllocArray {
                elem,
                len: len.clone(),
            },
            ty,
        );
        self.fill_array(b, &arr, &len, fill);
        arr
    }

    /// The default value of a type (`Unchecked.defaultof`): zero, false, "", None.
    fn zero_value(&mut self, b: &mut Builder, ty: &mir::Ty) -> Operand {
        match ty {
            mir::Ty::Int { .. } | mir::Ty::Float { .. } => zero_of(ty),
            mir::Ty::Bool => bool_const(false),
            mir::Ty::Char => Operand::Const(Const::Char('\0')),
            mir::Ty::Str => self.str_const(""),
            mir::Ty::Option(_) => b.temp(
                Rvalue::MakeOption {
                    ty: ty.clone(),
                    payload: None,
                },
                ty.clone(),
            ),
            mir::Ty::Array(elem) => b.temp(
                Rvalue::AllocArray {
                    elem: (**elem).clone(),
                    len: int_const(0, 64, true),
                },
                ty.clone(),
            ),
            mir::Ty::Tuple(fields) => {
                let parts: Vec<Operand> = fields.iter().map(|f| self.zero_value(b, f)).collect();
                b.temp(Rvalue::MakeTuple(parts), ty.clone())
            }
            mir::Ty::Func(..) | mir::Ty::Union(_) | mir::Ty::Boxed(_) | mir::Ty::Ptr => {
                b.temp(Rvalue::Zero(ty.clone()), ty.clone())
            }
            mir::Ty::Unit => Operand::Const(Const::Unit),
        }
    }

    /// `Unchecked.defaultof<'T>`: F#'s all-zero value, without its nulls (Clef has
    /// none): 0, false, `'\000'`, `""`, `None`, the empty array, a union's first case
    /// with default fields, a tuple or record of defaults. A function has no
    /// default (F#'s is a null that fails when called): reported, never a null
    /// code pointer.
    fn unchecked_default(&mut self, b: &mut Builder, ty: &mir::Ty, span: Span) -> Operand {
        match ty {
            mir::Ty::Array(_) | mir::Ty::Str => b.temp(Rvalue::Zero(ty.clone()), ty.clone()),
            mir::Ty::Tuple(fields) => {
                let parts: Vec<Operand> = fields
                    .iter()
                    .map(|f| self.unchecked_default(b, f, span))
                    .collect();
                b.temp(Rvalue::MakeTuple(parts), ty.clone())
            }
            mir::Ty::Func(..) => {
                self.unsupported(
                    span,
                    "'Unchecked.defaultof' of a function type (it would be a null function)",
                );
                Operand::Const(Const::Unit)
            }
            mir::Ty::Union(u) => {
                // Its first case, with all-zero fields: a function among them would
                // be null too.
                let first = self.program.unions[u.index()].cases.first();
                if first.is_some_and(|c| c.fields.iter().any(|f| matches!(f, mir::Ty::Func(..)))) {
                    self.unsupported(
                        span,
                        "'Unchecked.defaultof' of a union whose first case holds a function (it would be a null function)",
                    );
                }
                self.zero_value(b, ty)
            }
            _ => self.zero_value(b, ty),
        }
    }

    /// `for i in 0 .. len-1 do arr.[i] <- value`
    fn fill_array(&mut self, b: &mut Builder, arr: &Operand, len: &Operand, value: Operand) {
        let i = b.new_local(mir::Ty::I64, "i");
        b.assign(i, Rvalue::Use(int_const(0, 64, true)));
        let head = b.loop_head();
        let more = b.temp(
            Rvalue::Binary(BinOp::Lt, Operand::Local(i), len.clone()),
            mir::Ty::Bool,
        );
        let exit = b.loop_test(more);
        b.emit(Stmt::ArraySet(arr.clone(), Operand::Local(i), value));
        b.assign(
            i,
            Rvalue::Binary(BinOp::Add, Operand::Local(i), int_const(1, 64, true)),
        );
        b.loop_end(head, exit);
    }

    /// A value of `ty` for code after a call that never returns.
    fn undefined(&mut self, b: &mut Builder, ty: mir::Ty) -> Operand {
        if ty.is_unit() {
            return Operand::Const(Const::Unit);
        }
        Operand::Local(b.new_local(ty, "unreachable"))
    }
}

/// `max`/`min` on `float` and `float32`, which FSharp.Core defines as .NET Core 3.0+'s
/// `Math.Max`/`Math.Min`: NaN when either operand is NaN, and `+0.0` is greater than
/// `-0.0`. Straight-line selects, so constant folding sees through them.
fn float_max_min(b: &mut Builder, is_max: bool, l: Operand, r: Operand, bits: u32) -> Operand {
    let ty = mir::Ty::Float { bits };
    let bool_of = |b: &mut Builder, op: BinOp, x: Operand, y: Operand| {
        b.temp(Rvalue::Binary(op, x, y), mir::Ty::Bool)
    };
    let l_is_nan = bool_of(b, BinOp::Ne, l.clone(), l.clone());
    let r_is_nan = bool_of(b, BinOp::Ne, r.clone(), r.clone());
    let (pick_l, pick_r) = if is_max {
        (BinOp::Gt, BinOp::Lt)
    } else {
        (BinOp::Lt, BinOp::Gt)
    };
    let l_wins = bool_of(b, pick_l, l.clone(), r.clone());
    let r_wins = bool_of(b, pick_r, l.clone(), r.clone());
    // Equal operands differ only in the sign of a zero: the sum of two zeros is
    // -0.0 only when both are -0.0 (Max), and its negation of the negated zeros
    // is +0.0 only when both are +0.0 (Min).
    let zero = Operand::Const(Const::Float { value: 0.0, bits });
    let l_is_zero = bool_of(b, BinOp::Eq, l.clone(), zero);
    let zeros = if is_max {
        b.temp(Rvalue::Binary(BinOp::Add, l.clone(), r.clone()), ty.clone())
    } else {
        let neg_l = b.temp(Rvalue::Unary(UnOp::Neg, l.clone()), ty.clone());
        let neg_r = b.temp(Rvalue::Unary(UnOp::Neg, r.clone()), ty.clone());
        let sum = b.temp(Rvalue::Binary(BinOp::Add, neg_l, neg_r), ty.clone());
        b.temp(Rvalue::Unary(UnOp::Neg, sum), ty.clone())
    };
    let equal = b.temp(Rvalue::Select(l_is_zero, zeros, l.clone()), ty.clone());
    let ordered = b.temp(Rvalue::Select(r_wins, r.clone(), equal), ty.clone());
    let ordered = b.temp(Rvalue::Select(l_wins, l.clone(), ordered), ty.clone());
    let with_r_nan = b.temp(Rvalue::Select(r_is_nan, r, ordered), ty.clone());
    b.temp(Rvalue::Select(l_is_nan, l, with_r_nan), ty)
}
