//! `%A` and `string` of an enum value, as .NET's `Enum.ToString()` writes it: the
//! name of the case with that value (the first declared one when several share it);
//! for a `[<Flags>]` enum, otherwise the names of the cases whose bits make the value
//! up (`Read, Write`, the algorithm of .NET's `Enum.InternalFlagsFormat`); otherwise
//! the number.

use crate::lower::{int_const, Builder, Lowerer};
use crate::mir::{self, BinOp, Operand, Rvalue, Terminator};
use composer_semantics::psg::EnumDef;
use composer_semantics::types::Prim;

impl Lowerer<'_> {
    pub(super) fn format_enum(&mut self, b: &mut Builder, v: Operand, e: &EnumDef) {
        // A char enum is compared by its code.
        let (v, bits, signed) = match e.underlying {
            Prim::Char => {
                let code = mir::Ty::Int {
                    bits: 32,
                    signed: false,
                };
                (b.temp(Rvalue::Convert(v, code.clone()), code), 32, false)
            }
            p => {
                let (bits, signed) = p.int_info(self.psg.target.word_bits).unwrap_or((64, true));
                (v, bits, signed)
            }
        };
        let ty = mir::Ty::Int { bits, signed };
        let konst = |value: i128| int_const(value, bits, signed);
        let done = b.new_block();
        // An exact match: the first declared case with the value.
        let mut seen = Vec::new();
        for (name, value) in &e.cases {
            if seen.contains(value) {
                continue;
            }
            seen.push(*value);
            let is = b.temp(
                Rvalue::Binary(BinOp::Eq, v.clone(), konst(*value)),
                mir::Ty::Bool,
            );
            let (this_b, next_b) = b.branch(is);
            b.switch_to(this_b);
            self.literal(b, name);
            b.terminate(Terminator::Goto(done));
            b.switch_to(next_b);
        }
        if e.is_flags {
            self.format_flags(b, v.clone(), e, &ty, done, &konst);
        }
        // No name: the number.
        self.fmt_int(b, v, bits, signed, '\0', 0, -1, -1);
        b.terminate(Terminator::Goto(done));
        b.switch_to(done);
    }

    /// The flags of a value no case names: from the largest case value down, take
    /// each case whose bits are all still set, until nothing is left; if bits no case
    /// covers remain, fall through (to the number), else write the taken names in
    /// ascending order of value, joined by `, `, and go to `done`.
    fn format_flags(
        &mut self,
        b: &mut Builder,
        v: Operand,
        e: &EnumDef,
        ty: &mir::Ty,
        done: mir::BlockId,
        konst: &dyn Fn(i128) -> Operand,
    ) {
        let mut order: Vec<(String, i128)> = Vec::new();
        for (name, value) in &e.cases {
            if *value != 0 && !order.iter().any(|(_, v)| v == value) {
                order.push((name.clone(), *value));
            }
        }
        // .NET orders values as unsigned numbers.
        order.sort_by_key(|(_, value)| *value as u128 & u64::MAX as u128);
        let rest = b.new_local(ty.clone(), "rest");
        b.assign(rest, Rvalue::Use(v.clone()));
        let mut taken = Vec::new();
        for (_, value) in order.iter().rev() {
            let bits = b.temp(
                Rvalue::Binary(BinOp::And, Operand::Local(rest), konst(*value)),
                ty.clone(),
            );
            let covered = b.temp(
                Rvalue::Binary(BinOp::Eq, bits, konst(*value)),
                mir::Ty::Bool,
            );
            let left = b.temp(
                Rvalue::Binary(BinOp::Ne, Operand::Local(rest), konst(0)),
                mir::Ty::Bool,
            );
            let take = b.temp(
                Rvalue::Select(covered, left, Operand::Const(mir::Const::Bool(false))),
                mir::Ty::Bool,
            );
            let flag = b.new_local(mir::Ty::Bool, "flag");
            b.assign(flag, Rvalue::Use(take.clone()));
            let minus = b.temp(
                Rvalue::Binary(BinOp::Sub, Operand::Local(rest), konst(*value)),
                ty.clone(),
            );
            b.assign(rest, Rvalue::Select(take, minus, Operand::Local(rest)));
            taken.push(flag);
        }
        taken.reverse();
        let all_named = b.temp(
            Rvalue::Binary(BinOp::Eq, Operand::Local(rest), konst(0)),
            mir::Ty::Bool,
        );
        let nonzero = b.temp(Rvalue::Binary(BinOp::Ne, v, konst(0)), mir::Ty::Bool);
        let names = b.temp(
            Rvalue::Select(all_named, nonzero, Operand::Const(mir::Const::Bool(false))),
            mir::Ty::Bool,
        );
        let (names_b, number_b) = b.branch(names);
        b.switch_to(names_b);
        let first = b.new_local(mir::Ty::Bool, "first");
        b.assign(first, Rvalue::Use(Operand::Const(mir::Const::Bool(true))));
        for ((name, _), flag) in order.iter().zip(taken) {
            let (write_b, skip_b) = b.branch(Operand::Local(flag));
            b.switch_to(write_b);
            self.separator(b, first, ", ");
            self.literal(b, name);
            b.terminate(Terminator::Goto(skip_b));
            b.switch_to(skip_b);
        }
        b.terminate(Terminator::Goto(done));
        b.switch_to(number_b);
    }
}
