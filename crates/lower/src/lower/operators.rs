//! Operators: arithmetic with .NET's checks (division by zero, `MIN / -1`), masked
//! shifts, short-circuit `&&`/`||`, comparison of primitives, user types'
//! `static member (+)`, and `pown`.

use super::{bool_const, i32c, int_const, one_of, Builder, Callable, InstanceKey, Lowerer};
use crate::mir::{self, BinOp, Const, Operand, RtFn, Rvalue, Terminator, UnOp};
use composer_diagnostics::{Code, Diagnostic, Span};
use composer_semantics::psg::{self, ExprId};
use composer_semantics::types::{Ty as PTy, TyCon};

impl Lowerer<'_> {
    pub(super) fn lower_binary(
        &mut self,
        b: &mut Builder,
        op: psg::BinaryOp,
        lhs: ExprId,
        rhs: ExprId,
        e: ExprId,
    ) -> Operand {
        use psg::BinaryOp as P;
        let span = self.psg.expr(e).span;
        if matches!(op, P::And | P::Or) {
            // Short-circuit.
            let result = b.new_local(mir::Ty::Bool, "sc");
            let l = self.lower_expr(b, lhs);
            let rhs_b = b.new_block();
            let short_b = b.new_block();
            let join = b.new_block();
            let (then_block, else_block) = if op == P::And {
                (rhs_b, short_b)
            } else {
                (short_b, rhs_b)
            };
            b.terminate(Terminator::Branch {
                cond: l,
                then_block,
                else_block,
            });
            b.switch_to(short_b);
            b.assign(result, Rvalue::Use(bool_const(op == P::Or)));
            b.terminate(Terminator::Goto(join));
            b.switch_to(rhs_b);
            let r = self.lower_expr(b, rhs);
            b.assign(result, Rvalue::Use(r));
            b.terminate(Terminator::Goto(join));
            b.switch_to(join);
            return self.local_operand(b, result);
        }
        if let Some(call) = self.lower_operator_member(b, op, lhs, rhs, e) {
            return call;
        }
        let operand_ty = self.expr_mir_ty(b, lhs);
        let result_ty = self.expr_mir_ty(b, e);
        let l = self.lower_expr(b, lhs);
        let r = self.lower_expr(b, rhs);
        let cmp = match op {
            P::Eq => Some(BinOp::Eq),
            P::Ne => Some(BinOp::Ne),
            P::Lt => Some(BinOp::Lt),
            P::Le => Some(BinOp::Le),
            P::Gt => Some(BinOp::Gt),
            P::Ge => Some(BinOp::Ge),
            _ => None,
        };
        if let Some(c) = cmp {
            return self.structural_compare(b, c, l, r, &operand_ty, span);
        }
        match (&operand_ty, op) {
            (mir::Ty::Str, P::Add) => {
                self.placed(b, span, super::placement::STRING_CONCATENATION);
                b.call_rt(RtFn::StrConcat, vec![l, r], mir::Ty::Str)
            }
            (mir::Ty::Float { bits }, P::Pow) => {
                let name = if *bits == 32 { "powf" } else { "pow" };
                b.call_rt(RtFn::Libm(name, *bits, 2), vec![l, r], result_ty)
            }
            (mir::Ty::Float { bits }, P::Mod) => {
                let name = if *bits == 32 { "fmodf" } else { "fmod" };
                b.call_rt(RtFn::Libm(name, *bits, 2), vec![l, r], result_ty)
            }
            (mir::Ty::Int { bits, signed }, P::Div | P::Mod) => {
                let (bits, signed) = (*bits, *signed);
                // A constant divisor needs only the checks it can fail.
                let constant = match &r {
                    Operand::Const(Const::Int { value, .. }) => Some(*value),
                    _ => None,
                };
                if constant.is_none_or(|c| c == 0) {
                    let is_zero = b.temp(
                        Rvalue::Binary(BinOp::Eq, r.clone(), int_const(0, bits, signed)),
                        mir::Ty::Bool,
                    );
                    self.panic_if(b, is_zero, "Attempted to divide by zero.");
                }
                if signed && constant.is_none_or(|c| c == -1) {
                    // MIN / -1 overflows (and traps on x86); .NET raises OverflowException.
                    let min = -(1i128 << (bits - 1));
                    let is_min = b.temp(
                        Rvalue::Binary(BinOp::Eq, l.clone(), int_const(min, bits, true)),
                        mir::Ty::Bool,
                    );
                    let is_m1 = b.temp(
                        Rvalue::Binary(BinOp::Eq, r.clone(), int_const(-1, bits, true)),
                        mir::Ty::Bool,
                    );
                    let both = b.temp(Rvalue::Binary(BinOp::And, is_min, is_m1), mir::Ty::Bool);
                    if op == P::Div && bits >= 32 {
                        self.panic_if(b, both, "Arithmetic operation resulted in an overflow.");
                    } else {
                        // MIN % -1 is 0; avoid the trap by dividing by 1 instead. .NET
                        // divides sbyte and int16 in int32 and truncates, so there
                        // MIN / -1 is MIN, which is MIN / 1 too.
                        let safe_r = b.temp(
                            Rvalue::Select(both, int_const(1, bits, true), r.clone()),
                            operand_ty.clone(),
                        );
                        let bop = if op == P::Div { BinOp::Div } else { BinOp::Rem };
                        return b.temp(Rvalue::Binary(bop, l, safe_r), result_ty);
                    }
                }
                let bop = if op == P::Div { BinOp::Div } else { BinOp::Rem };
                b.temp(Rvalue::Binary(bop, l, r), result_ty)
            }
            (mir::Ty::Int { bits, signed }, P::Shl | P::Shr) => {
                // F# masks the shift amount by the width of the shifted type.
                let (bits, signed) = (*bits, *signed);
                let amount = b.temp(Rvalue::Convert(r, operand_ty.clone()), operand_ty.clone());
                let masked = b.temp(
                    Rvalue::Binary(
                        BinOp::And,
                        amount,
                        int_const(bits as i128 - 1, bits, signed),
                    ),
                    operand_ty.clone(),
                );
                let bop = if op == P::Shl { BinOp::Shl } else { BinOp::Shr };
                b.temp(Rvalue::Binary(bop, l, masked), result_ty)
            }
            // F#'s char addition (ranges of chars step with it).
            (mir::Ty::Char, P::Add) => b.temp(Rvalue::Binary(BinOp::Add, l, r), result_ty),
            (mir::Ty::Int { .. } | mir::Ty::Float { .. }, _) => {
                let bop = match op {
                    P::Add => BinOp::Add,
                    P::Sub => BinOp::Sub,
                    P::Mul => BinOp::Mul,
                    P::Div => BinOp::Div,
                    P::Mod => BinOp::Rem,
                    P::BitAnd => BinOp::And,
                    P::BitOr => BinOp::Or,
                    P::BitXor => BinOp::Xor,
                    _ => {
                        self.unsupported(span, "this operator on these operand types");
                        return Operand::Const(Const::Unit);
                    }
                };
                b.temp(Rvalue::Binary(bop, l, r), result_ty)
            }
            _ => {
                self.unsupported(span, "this operator on these operand types");
                Operand::Const(Const::Unit)
            }
        }
    }

    /// `a + b` on a user type with `static member (+)`: the member called with
    /// `(a, b)` (`None` when the operands are not of such a type).
    fn lower_operator_member(
        &mut self,
        b: &mut Builder,
        op: psg::BinaryOp,
        lhs: ExprId,
        rhs: ExprId,
        e: ExprId,
    ) -> Option<Operand> {
        let lt = self.expr_ty(b, lhs);
        let PTy::App(TyCon::User(def), _) = &lt else {
            return None;
        };
        let span = self.psg.expr(e).span;
        let Some(&func) = self.psg.operator_members.get(&(*def, op)) else {
            use psg::BinaryOp as P;
            let symbol = match op {
                P::Add => "+",
                P::Sub => "-",
                P::Mul => "*",
                P::Div => "/",
                P::Mod => "%",
                _ => return None,
            };
            // An operator at a type that defines only some of the arithmetic
            // operators (the constraint admits the type for any of them).
            let name = self.psg.types[*def as usize].name.clone();
            self.diags.push(Diagnostic::error(
                Code::TypeMismatch,
                span,
                format!("The type '{name}' does not define the operator '{symbol}' (add 'static member ({symbol})')"),
            ));
            return Some(Operand::Const(Const::Unit));
        };
        let rt = self.expr_ty(b, rhs);
        let result = self.expr_ty(b, e);
        let args = PTy::tuple(vec![lt.clone(), rt]);
        let key = InstanceKey {
            func,
            sig: PTy::fun(args.clone(), result),
            captures: Vec::new(),
        };
        let l = self.lower_expr(b, lhs);
        let r = self.lower_expr(b, rhs);
        let tuple_ty = self.mir_ty(&args);
        let pair = b.temp(Rvalue::MakeTuple(vec![l, r]), tuple_ty);
        Some(self.invoke(b, &Callable::Function(key), Vec::new(), vec![pair], span))
    }

    /// Comparison of two values of type `ty` (structural on options).
    pub(super) fn compare(
        &mut self,
        b: &mut Builder,
        op: BinOp,
        l: Operand,
        r: Operand,
        ty: &mir::Ty,
        span: Span,
    ) -> Operand {
        match ty {
            mir::Ty::Str => {
                if matches!(op, BinOp::Eq | BinOp::Ne) {
                    let eq = b.call_rt(RtFn::StrEqual, vec![l, r], mir::Ty::Bool);
                    if op == BinOp::Eq {
                        eq
                    } else {
                        b.temp(Rvalue::Unary(UnOp::Not, eq), mir::Ty::Bool)
                    }
                } else {
                    let c = b.call_rt(RtFn::StrCompare, vec![l, r], mir::Ty::I32);
                    b.temp(Rvalue::Binary(op, c, i32c(0)), mir::Ty::Bool)
                }
            }
            mir::Ty::Unit => bool_const(matches!(op, BinOp::Eq | BinOp::Le | BinOp::Ge)),
            mir::Ty::Int { .. } | mir::Ty::Float { .. } | mir::Ty::Bool | mir::Ty::Char => {
                b.temp(Rvalue::Binary(op, l, r), mir::Ty::Bool)
            }
            _ => {
                self.unsupported(span, &format!("comparison of '{ty}' values"));
                bool_const(false)
            }
        }
    }

    /// `pown x n` by binary exponentiation; a negative `n` gives `1 / x^-n`, as
    /// FSharp.Core computes it (integer division for integer types).
    pub(super) fn lower_pown(
        &mut self,
        b: &mut Builder,
        x: Operand,
        n: Operand,
        ty: mir::Ty,
    ) -> Operand {
        let one = one_of(&ty);
        let i64z = int_const(0, 64, true);
        let result = b.new_local(ty.clone(), "pown");
        let base = b.new_local(ty.clone(), "base");
        let exp = b.new_local(mir::Ty::I64, "exp");
        b.assign(result, Rvalue::Use(one.clone()));
        b.assign(base, Rvalue::Use(x));
        let negative = b.temp(
            Rvalue::Binary(BinOp::Lt, n.clone(), i64z.clone()),
            mir::Ty::Bool,
        );
        let minus_n = b.temp(Rvalue::Unary(UnOp::Neg, n.clone()), mir::Ty::I64);
        b.assign(exp, Rvalue::Select(negative.clone(), minus_n, n));
        let head = b.loop_head();
        let more = b.temp(
            Rvalue::Binary(BinOp::Gt, Operand::Local(exp), i64z.clone()),
            mir::Ty::Bool,
        );
        let exit = b.loop_test(more);
        let bit = b.temp(
            Rvalue::Binary(BinOp::And, Operand::Local(exp), int_const(1, 64, true)),
            mir::Ty::I64,
        );
        let odd = b.temp(Rvalue::Binary(BinOp::Ne, bit, i64z), mir::Ty::Bool);
        let times = b.temp(
            Rvalue::Binary(BinOp::Mul, Operand::Local(result), Operand::Local(base)),
            ty.clone(),
        );
        b.assign(result, Rvalue::Select(odd, times, Operand::Local(result)));
        b.assign(
            base,
            Rvalue::Binary(BinOp::Mul, Operand::Local(base), Operand::Local(base)),
        );
        b.assign(
            exp,
            Rvalue::Binary(BinOp::Shr, Operand::Local(exp), int_const(1, 64, true)),
        );
        b.loop_end(head, exit);
        let positive = self.local_operand(b, result);
        let inv_b = b.new_block();
        let join = b.new_block();
        let out = b.new_local(ty.clone(), "pown_result");
        b.assign(out, Rvalue::Use(positive.clone()));
        b.terminate(Terminator::Branch {
            cond: negative,
            then_block: inv_b,
            else_block: join,
        });
        b.switch_to(inv_b);
        if let mir::Ty::Int { bits, signed } = ty {
            let is_zero = b.temp(
                Rvalue::Binary(BinOp::Eq, positive.clone(), int_const(0, bits, signed)),
                mir::Ty::Bool,
            );
            self.panic_if(b, is_zero, "Attempted to divide by zero.");
        }
        b.assign(out, Rvalue::Binary(BinOp::Div, one, positive));
        b.terminate(Terminator::Goto(join));
        b.switch_to(join);
        self.local_operand(b, out)
    }
}
