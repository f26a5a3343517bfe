//! Structural equality, comparison and hashing (F#'s `=`, `compare`, `hash`) on
//! tuples, records, unions, options and lists: one generated MIR function per type
//! and operation, so recursive types recurse through calls.
//!
//! Order follows F#: tuples and records field by field, unions by case (in
//! declaration order) then fields, `None < Some _`, `[] < _ :: _`, strings ordinally.

use super::Derived;
use crate::lower::{bool_const, i32c, int_const, Builder, Lowerer, Subst, Work};
use crate::mir::{self, BinOp, Callee, Const, FuncId, Operand, RtFn, Rvalue, Terminator, UnOp};
use composer_diagnostics::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(in crate::lower) enum Structural {
    /// `(a, b) -> bool`
    Equals,
    /// `(a, b) -> i32` (-1, 0 or 1)
    Compare,
    /// `a -> i32`
    Hash,
}

/// Whether values of the type are compared by a generated function.
fn is_aggregate(ty: &mir::Ty) -> bool {
    matches!(
        ty,
        mir::Ty::Tuple(_) | mir::Ty::Option(_) | mir::Ty::Union(_)
    )
}

/// The contents of two cells of type `box<inner>`.
fn unbox_both(b: &mut Builder, l: Operand, r: Operand, inner: &mir::Ty) -> (Operand, Operand) {
    (
        b.temp(Rvalue::Unbox(l), inner.clone()),
        b.temp(Rvalue::Unbox(r), inner.clone()),
    )
}

impl Lowerer<'_> {
    /// `l op r` for comparison operators on any comparable type.
    pub(in crate::lower) fn structural_compare(
        &mut self,
        b: &mut Builder,
        op: BinOp,
        l: Operand,
        r: Operand,
        ty: &mir::Ty,
        span: Span,
    ) -> Operand {
        if let mir::Ty::Boxed(inner) = ty {
            // A record with mutable fields (or a ref cell): compared by contents.
            let (l, r) = unbox_both(b, l, r, inner);
            return self.structural_compare(b, op, l, r, inner, span);
        }
        if !is_aggregate(ty) {
            return self.compare(b, op, l, r, ty, span);
        }
        match op {
            BinOp::Eq | BinOp::Ne => {
                let f = self.structural_fn(Structural::Equals, ty);
                let eq = b.temp(Rvalue::Call(Callee::Func(f), vec![l, r]), mir::Ty::Bool);
                if op == BinOp::Eq {
                    eq
                } else {
                    b.temp(Rvalue::Unary(UnOp::Not, eq), mir::Ty::Bool)
                }
            }
            _ => {
                let c = self.compare_values(b, l, r, ty, span);
                b.temp(Rvalue::Binary(op, c, i32c(0)), mir::Ty::Bool)
            }
        }
    }

    /// F#'s `compare a b`: -1, 0 or 1 as `i32`.
    pub(in crate::lower) fn compare_values(
        &mut self,
        b: &mut Builder,
        l: Operand,
        r: Operand,
        ty: &mir::Ty,
        span: Span,
    ) -> Operand {
        if let mir::Ty::Boxed(inner) = ty {
            let (l, r) = unbox_both(b, l, r, inner);
            return self.compare_values(b, l, r, inner, span);
        }
        if is_aggregate(ty) {
            let f = self.structural_fn(Structural::Compare, ty);
            return b.temp(Rvalue::Call(Callee::Func(f), vec![l, r]), mir::Ty::I32);
        }
        if *ty == mir::Ty::Str {
            let c = b.call_rt(RtFn::StrCompare, vec![l, r], mir::Ty::I32);
            return c;
        }
        if ty.is_unit() {
            return i32c(0);
        }
        // Primitives: (l > r) - (l < r).
        let gt = self.compare(b, BinOp::Gt, l.clone(), r.clone(), ty, span);
        let lt = self.compare(b, BinOp::Lt, l.clone(), r.clone(), ty, span);
        let gt = b.temp(Rvalue::Convert(gt, mir::Ty::I32), mir::Ty::I32);
        let lt = b.temp(Rvalue::Convert(lt, mir::Ty::I32), mir::Ty::I32);
        let c = b.temp(Rvalue::Binary(BinOp::Sub, gt, lt), mir::Ty::I32);
        if !matches!(ty, mir::Ty::Float { .. }) {
            return c;
        }
        // FSharp.Core's generic comparison of floats (ER mode): NaN is less than every
        // number and equal to itself, so sorting is a total order. That is
        // `c - (l is NaN and r is not) + (r is NaN and l is not)`.
        let l_nan = b.temp(Rvalue::Binary(BinOp::Ne, l.clone(), l), mir::Ty::Bool);
        let r_nan = b.temp(Rvalue::Binary(BinOp::Ne, r.clone(), r), mir::Ty::Bool);
        let l_nan = b.temp(Rvalue::Convert(l_nan, mir::Ty::I32), mir::Ty::I32);
        let r_nan = b.temp(Rvalue::Convert(r_nan, mir::Ty::I32), mir::Ty::I32);
        // (r is NaN) - (l is NaN) is the adjustment: both NaN gives 0, and a NaN
        // side makes `c` 0 already.
        let adjust = b.temp(Rvalue::Binary(BinOp::Sub, r_nan, l_nan), mir::Ty::I32);
        b.temp(Rvalue::Binary(BinOp::Add, c, adjust), mir::Ty::I32)
    }

    /// F#'s `hash x` as `i32` (equal values hash equal).
    pub(in crate::lower) fn hash_value(
        &mut self,
        b: &mut Builder,
        v: Operand,
        ty: &mir::Ty,
    ) -> Operand {
        if let mir::Ty::Boxed(inner) = ty {
            let v = b.temp(Rvalue::Unbox(v), (**inner).clone());
            return self.hash_value(b, v, inner);
        }
        if is_aggregate(ty) {
            let f = self.structural_fn(Structural::Hash, ty);
            return b.temp(Rvalue::Call(Callee::Func(f), vec![v]), mir::Ty::I32);
        }
        match ty {
            mir::Ty::Str => b.call_rt(RtFn::StrHash, vec![v], mir::Ty::I32),
            mir::Ty::Int { .. } | mir::Ty::Char | mir::Ty::Bool => {
                let wide = b.temp(Rvalue::Convert(v, mir::Ty::I64), mir::Ty::I64);
                let high = b.temp(
                    Rvalue::Binary(BinOp::Shr, wide.clone(), int_const(32, 64, true)),
                    mir::Ty::I64,
                );
                let mixed = b.temp(Rvalue::Binary(BinOp::Xor, wide, high), mir::Ty::I64);
                b.temp(Rvalue::Convert(mixed, mir::Ty::I32), mir::Ty::I32)
            }
            mir::Ty::Float { bits } => {
                let wide = if *bits == 64 {
                    v
                } else {
                    b.temp(
                        Rvalue::Convert(v, mir::Ty::Float { bits: 64 }),
                        mir::Ty::Float { bits: 64 },
                    )
                };
                b.call_rt(RtFn::FloatHash, vec![wide], mir::Ty::I32)
            }
            _ => i32c(0),
        }
    }

    /// The generated function for `kind` on `ty`, queued if new.
    fn structural_fn(&mut self, kind: Structural, ty: &mir::Ty) -> FuncId {
        let key = (kind, ty.clone());
        if let Some(id) = self.structural.get(&key) {
            return *id;
        }
        let name = format!(
            "{}_{}",
            match kind {
                Structural::Equals => "equals",
                Structural::Compare => "compare",
                Structural::Hash => "hash",
            },
            self.structural.len()
        );
        let id = self.queue_function(name, Work::Derived(Derived::Structural(kind, ty.clone())));
        self.structural.insert(key, id);
        id
    }

    /// Builds the body of a structural function.
    pub(super) fn lower_structural(&mut self, kind: Structural, ty: &mir::Ty) -> mir::Function {
        let span = Span::default();
        let ret = match kind {
            Structural::Equals => mir::Ty::Bool,
            Structural::Compare | Structural::Hash => mir::Ty::I32,
        };
        let name = self.program.functions[self.structural[&(kind, ty.clone())].index()]
            .name
            .clone();
        let mut b = Builder::new(name, ret, Subst::default());
        b.has_source_sites = false;
        let a = b.new_local(ty.clone(), "a");
        let c = b.new_local(ty.clone(), "b");
        b.func.params = if kind == Structural::Hash {
            vec![a]
        } else {
            vec![a, c]
        };
        let (a, c) = (Operand::Local(a), Operand::Local(c));
        // Pairs of parts to combine, in order.
        let mut parts: Vec<(Operand, Operand, mir::Ty)> = Vec::new();
        match ty {
            mir::Ty::Tuple(fields) => {
                for (i, f) in fields.iter().enumerate() {
                    let x = b.temp(Rvalue::TupleGet(a.clone(), i as u32), f.clone());
                    let y = if kind == Structural::Hash {
                        x.clone()
                    } else {
                        b.temp(Rvalue::TupleGet(c.clone(), i as u32), f.clone())
                    };
                    parts.push((x, y, f.clone()));
                }
                self.combine(&mut b, kind, parts, span);
            }
            mir::Ty::Option(inner) => {
                let sa = b.temp(Rvalue::OptionIsSome(a.clone()), mir::Ty::Bool);
                let sb = if kind == Structural::Hash {
                    sa.clone()
                } else {
                    b.temp(Rvalue::OptionIsSome(c.clone()), mir::Ty::Bool)
                };
                let ta = b.temp(Rvalue::Convert(sa.clone(), mir::Ty::I32), mir::Ty::I32);
                let tb = b.temp(Rvalue::Convert(sb, mir::Ty::I32), mir::Ty::I32);
                self.differing_tags(&mut b, kind, ta.clone(), tb);
                // Same tag: None equals None; Some compares payloads.
                let (some_b, none_b) = b.branch(sa);
                b.switch_to(none_b);
                b.terminate(Terminator::Return(self.identity(kind)));
                b.switch_to(some_b);
                let x = b.temp(Rvalue::OptionPayload(a.clone()), (**inner).clone());
                let y = if kind == Structural::Hash {
                    x.clone()
                } else {
                    b.temp(Rvalue::OptionPayload(c.clone()), (**inner).clone())
                };
                self.combine(&mut b, kind, vec![(x, y, (**inner).clone())], span);
            }
            mir::Ty::Union(u) => {
                let ta = b.temp(Rvalue::UnionTag(a.clone()), mir::Ty::I32);
                let tb = if kind == Structural::Hash {
                    ta.clone()
                } else {
                    b.temp(Rvalue::UnionTag(c.clone()), mir::Ty::I32)
                };
                self.differing_tags(&mut b, kind, ta.clone(), tb);
                let cases = self.program.unions[u.index()].cases.clone();
                for (k, case) in cases.iter().enumerate() {
                    if case.fields.is_empty() {
                        continue;
                    }
                    let is_k = b.temp(
                        Rvalue::Binary(BinOp::Eq, ta.clone(), i32c(k as i32)),
                        mir::Ty::Bool,
                    );
                    let (this_b, next_b) = b.branch(is_k);
                    b.switch_to(this_b);
                    let mut parts = Vec::new();
                    for i in 0..case.fields.len() {
                        let (x, fty) = self.union_field(&mut b, a.clone(), ty, k as u32, i as u32);
                        let y = if kind == Structural::Hash {
                            x.clone()
                        } else {
                            self.union_field(&mut b, c.clone(), ty, k as u32, i as u32)
                                .0
                        };
                        parts.push((x, y, fty));
                    }
                    self.combine(&mut b, kind, parts, span);
                    b.switch_to(next_b);
                }
                // A case without fields: equal tags are enough.
                let base = match kind {
                    Structural::Hash => ta,
                    _ => self.identity(kind),
                };
                b.terminate(Terminator::Return(base));
            }
            _ => {
                b.terminate(Terminator::Return(self.identity(kind)));
            }
        }
        b.func
    }

    /// `true` for equality, `0` for comparison and hashing.
    fn identity(&self, kind: Structural) -> Operand {
        match kind {
            Structural::Equals => bool_const(true),
            _ => i32c(0),
        }
    }

    /// Returns early when two tags differ: `false`, or the order of the tags.
    fn differing_tags(&mut self, b: &mut Builder, kind: Structural, ta: Operand, tb: Operand) {
        if kind == Structural::Hash {
            return;
        }
        let differ = b.temp(
            Rvalue::Binary(BinOp::Ne, ta.clone(), tb.clone()),
            mir::Ty::Bool,
        );
        let (diff_b, same_b) = b.branch(differ);
        b.switch_to(diff_b);
        let result = match kind {
            Structural::Equals => bool_const(false),
            _ => {
                let lt = b.temp(Rvalue::Binary(BinOp::Lt, ta, tb), mir::Ty::Bool);
                b.temp(Rvalue::Select(lt, i32c(-1), i32c(1)), mir::Ty::I32)
            }
        };
        b.terminate(Terminator::Return(result));
        b.switch_to(same_b);
    }

    /// Compares parts in order and returns the result: the first difference, or
    /// equality; for hashing, a mix of all parts.
    fn combine(
        &mut self,
        b: &mut Builder,
        kind: Structural,
        parts: Vec<(Operand, Operand, mir::Ty)>,
        span: Span,
    ) {
        match kind {
            Structural::Equals => {
                for (x, y, t) in parts {
                    let eq = self.structural_compare(b, BinOp::Eq, x, y, &t, span);
                    let (next, no) = b.branch(eq);
                    b.switch_to(no);
                    b.terminate(Terminator::Return(bool_const(false)));
                    b.switch_to(next);
                }
                b.terminate(Terminator::Return(bool_const(true)));
            }
            Structural::Compare => {
                for (x, y, t) in parts {
                    let c = self.compare_values(b, x, y, &t, span);
                    let nonzero =
                        b.temp(Rvalue::Binary(BinOp::Ne, c.clone(), i32c(0)), mir::Ty::Bool);
                    let (done, next) = b.branch(nonzero);
                    b.switch_to(done);
                    b.terminate(Terminator::Return(c));
                    b.switch_to(next);
                }
                b.terminate(Terminator::Return(i32c(0)));
            }
            Structural::Hash => {
                let mut h = Operand::Const(Const::i32(17));
                for (x, _, t) in parts {
                    let hx = self.hash_value(b, x, &t);
                    let scaled = b.temp(Rvalue::Binary(BinOp::Mul, h, i32c(31)), mir::Ty::I32);
                    h = b.temp(Rvalue::Binary(BinOp::Add, scaled, hx), mir::Ty::I32);
                }
                b.terminate(Terminator::Return(h));
            }
        }
    }
}
