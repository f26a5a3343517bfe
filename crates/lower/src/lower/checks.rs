//! Runtime checks emitted as explicit MIR before the operation they guard: array
//! bounds and the conditional panic the other checks share.

use super::{Builder, Lowerer};
use crate::mir::{self, BinOp, Operand, RtFn, Rvalue};

impl Lowerer<'_> {
    /// Panics with .NET's message unless `0 <= idx < arr.Length`.
    pub(super) fn bounds_check(&mut self, b: &mut Builder, arr: &Operand, idx: &Operand) {
        let len = b.temp(Rvalue::Length(arr.clone()), mir::Ty::I64);
        // Unsigned, a negative index is larger than any length: one comparison.
        let u64_ty = mir::Ty::Int {
            bits: 64,
            signed: false,
        };
        let idx_u = b.temp(Rvalue::Convert(idx.clone(), u64_ty.clone()), u64_ty.clone());
        let len_u = b.temp(Rvalue::Convert(len.clone(), u64_ty.clone()), u64_ty);
        let ok = b.temp(Rvalue::Binary(BinOp::Lt, idx_u, len_u), mir::Ty::Bool);
        let (ok_b, fail_b) = b.branch(ok);
        b.switch_to(fail_b);
        b.call_rt(RtFn::FmtStart, vec![], mir::Ty::Unit);
        let m1 = self.str_const("Index was outside the bounds of the array: index ");
        b.call_rt(RtFn::FmtLiteral, vec![m1], mir::Ty::Unit);
        self.fmt_int(b, idx.clone(), 64, true, '\0', 0, -1, -1);
        let m2 = self.str_const(", length ");
        b.call_rt(RtFn::FmtLiteral, vec![m2], mir::Ty::Unit);
        self.fmt_int(b, len, 64, true, '\0', 0, -1, -1);
        b.call_rt(RtFn::FmtFinishPanic, vec![], mir::Ty::Unit);
        b.switch_to(ok_b);
    }

    /// Panics with `message` when `cond` holds; code after it runs when it does not.
    pub(super) fn panic_if(&mut self, b: &mut Builder, cond: Operand, message: &str) {
        let (fail, ok) = b.branch(cond);
        b.switch_to(fail);
        let m = self.str_const(message);
        b.call_rt(RtFn::Panic, vec![m], mir::Ty::Unit);
        b.switch_to(ok);
    }
}
