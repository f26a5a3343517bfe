//! `s.F <- v` on a `[<Struct>]` record: the record is a value, so the assignment
//! writes a new value (the old one with `F` replaced) back to the place that holds
//! it, as F# writes through the place's address. The place is a `let mutable`, an
//! array element or a mutable field of a record with mutable fields (a reference),
//! reached through any chain of struct-record fields (`s.Pos.X <- 1`). Anything
//! else (a parameter, a `let`, a function's result) is FS0256, as in F#.
//!
//! `arr.[i].Pos.X <- v` becomes
//! `let a = arr in let k = i in let x = v in a.[k] <- { a.[k] with Pos = { a.[k].Pos with X = x } }`:
//! the array, the index and the value are each evaluated once, in F#'s order.

use super::Checker;
use crate::psg::*;
use crate::types::{Ty, TyCon};
use composer_diagnostics::{Code, Span};

/// Where the struct value lives.
enum Place {
    Mutable(BindingId),
    /// `array.[index]`, each already bound to a local.
    Element {
        array: BindingId,
        index: BindingId,
    },
    /// `record.F` on a record with mutable fields (bound to a local), `F` mutable.
    Field {
        record: BindingId,
        field: u32,
    },
}

impl Checker<'_> {
    /// Whether `ty` is a `[<Struct>]` record.
    pub(super) fn is_struct_record_ty(&mut self, ty: &Ty) -> bool {
        matches!(self.u.resolve(ty), Ty::App(TyCon::User(def), _)
            if self.psg.types[def as usize].is_struct_record())
    }

    /// `record.F <- v` where `record` (already checked) has a struct-record type and
    /// field `index` is mutable and has `v`'s type.
    pub(super) fn struct_field_set(
        &mut self,
        record: ExprId,
        index: u32,
        v: ExprId,
        span: Span,
    ) -> ExprId {
        // The chain of struct-record fields from the place down to `record`:
        // `chain[0]` is `record`, each next one the target it is a field of.
        let mut fields = vec![index];
        let mut chain = vec![record];
        let mut root = record;
        while let ExprKind::Field { target, index } = self.psg.exprs[root.index()].kind {
            if !self.is_struct_record_ty(&self.expr_ty(target)) {
                break;
            }
            fields.push(index);
            chain.push(target);
            root = target;
        }
        fields.reverse();
        chain.reverse();
        // `fields[0]` is a field of the value at the place (`chain[0]`), and
        // `chain[k]` is that value's `fields[0..k]`.
        let mut lets: Vec<(BindingId, ExprId)> = Vec::new();
        let place = match self.psg.exprs[root.index()].kind.clone() {
            ExprKind::Local(b) if self.psg.bindings[b.index()].is_mutable => Place::Mutable(b),
            ExprKind::Index { target, index } => {
                let array = self.struct_place_temp(&mut lets, "_array", target, span);
                let index = self.struct_place_temp(&mut lets, "_index", index, span);
                Place::Element { array, index }
            }
            ExprKind::Field {
                target,
                index: field,
            } if self.record_field_is_mutable(&self.expr_ty(target), field) => {
                let record = self.struct_place_temp(&mut lets, "_record", target, span);
                Place::Field { record, field }
            }
            ExprKind::Error => return self.error_expr(span),
            _ => {
                self.error(
                    Code::StructNotMutable,
                    self.psg.exprs[root.index()].span,
                    "A value must be mutable in order to mutate the contents or take the address of a value type, e.g. 'let mutable x = ...'",
                );
                return self.error_expr(span);
            }
        };
        let value = self.struct_place_temp(&mut lets, "_value", v, span);
        // Rebuild from the assigned field outwards.
        let value_ty = self.expr_ty(v);
        let mut new = self.add_expr(ExprKind::Local(value), span, value_ty);
        for depth in (0..fields.len()).rev() {
            let container_ty = self.expr_ty(chain[depth]);
            let mut base = self.read_place(&place, self.expr_ty(chain[0]), span);
            for (k, &f) in fields[..depth].iter().enumerate() {
                let ty = self.expr_ty(chain[k + 1]);
                base = self.add_expr(
                    ExprKind::Field {
                        target: base,
                        index: f,
                    },
                    span,
                    ty,
                );
            }
            new = self.add_expr(
                ExprKind::RecordUpdate {
                    base,
                    fields: vec![(fields[depth], new)],
                },
                span,
                container_ty,
            );
        }
        let store = match place {
            Place::Mutable(binding) => ExprKind::Assign {
                binding,
                value: new,
            },
            Place::Element { array, index } => {
                let array_ty = self.psg.bindings[array.index()].ty.clone();
                let index_ty = self.psg.bindings[index.index()].ty.clone();
                ExprKind::IndexSet {
                    target: self.add_expr(ExprKind::Local(array), span, array_ty),
                    index: self.add_expr(ExprKind::Local(index), span, index_ty),
                    value: new,
                }
            }
            Place::Field { record, field } => {
                let record_ty = self.psg.bindings[record.index()].ty.clone();
                ExprKind::FieldSet {
                    target: self.add_expr(ExprKind::Local(record), span, record_ty),
                    index: field,
                    value: new,
                }
            }
        };
        let mut out = self.add_expr(store, span, Ty::UNIT);
        for (binding, value) in lets.into_iter().rev() {
            out = self.add_expr(
                ExprKind::Let {
                    binding,
                    value,
                    body: out,
                },
                span,
                Ty::UNIT,
            );
        }
        out
    }

    /// A fresh local bound (by a `Let` the caller makes) to `value`.
    fn struct_place_temp(
        &mut self,
        lets: &mut Vec<(BindingId, ExprId)>,
        name: &str,
        value: ExprId,
        span: Span,
    ) -> BindingId {
        let binding = self.local_binding(name, self.expr_ty(value), span);
        lets.push((binding, value));
        binding
    }

    /// A new read of the struct value at `place`.
    fn read_place(&mut self, place: &Place, ty: Ty, span: Span) -> ExprId {
        match *place {
            Place::Mutable(b) => self.add_expr(ExprKind::Local(b), span, ty),
            Place::Element { array, index } => {
                let array_ty = self.psg.bindings[array.index()].ty.clone();
                let index_ty = self.psg.bindings[index.index()].ty.clone();
                let target = self.add_expr(ExprKind::Local(array), span, array_ty);
                let index = self.add_expr(ExprKind::Local(index), span, index_ty);
                self.add_expr(ExprKind::Index { target, index }, span, ty)
            }
            Place::Field { record, field } => {
                let record_ty = self.psg.bindings[record.index()].ty.clone();
                let target = self.add_expr(ExprKind::Local(record), span, record_ty);
                self.add_expr(
                    ExprKind::Field {
                        target,
                        index: field,
                    },
                    span,
                    ty,
                )
            }
        }
    }

    /// Whether field `index` of record type `ty` is declared `mutable` in a record
    /// that is a reference (not a struct record).
    fn record_field_is_mutable(&mut self, ty: &Ty, index: u32) -> bool {
        match self.u.resolve(ty) {
            Ty::App(TyCon::User(def), _) => {
                let d = &self.psg.types[def as usize];
                d.is_mutable_record()
                    && d.record_fields()
                        .and_then(|fs| fs.get(index as usize))
                        .is_some_and(|f| f.is_mutable)
            }
            _ => false,
        }
    }
}
