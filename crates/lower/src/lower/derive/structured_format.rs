//! `%A` and `string` of structured values: options, tuples, lists, arrays, records
//! and unions, written the way F# writes them on one line (`Some 3`, `(1, "two")`,
//! `[1; 2; 3]`, `[|1; 2|]`, `{ X = 1.0; Y = 2.0 }`, `Rect (1.0, 2.0)`); enums
//! by their case names (`enum_format.rs`).
//!
//! Each structured type gets a generated MIR function that appends its text to the
//! runtime's format buffer, so recursive types print through recursive calls.

use super::Derived;
use crate::lower::{i32c, int_const, Builder, Lowerer, PTy, Subst, Work};
use crate::mir::{self, BinOp, Callee, Const, FuncId, Operand, RtFn, Rvalue, Terminator};
use composer_semantics::types::{substitute, Prim, TyCon};

impl Lowerer<'_> {
    /// Appends `v` (of concrete type `ty`) as `%A` prints it. `nested` values are
    /// arguments of a union case, which F# parenthesises when they have parts.
    pub(in crate::lower) fn format_structured(
        &mut self,
        b: &mut Builder,
        v: Operand,
        ty: &PTy,
        nested: bool,
    ) {
        match ty {
            PTy::Prim(p) => self.format_primitive(b, v, *p),
            PTy::Fun(..) => self.literal(b, "<fun>"),
            PTy::Var(_) | PTy::Error => self.literal(b, "()"),
            _ => {
                let f = self.format_fn(ty, nested);
                b.temp(Rvalue::Call(Callee::Func(f), vec![v]), mir::Ty::Unit);
            }
        }
    }

    pub(super) fn literal(&mut self, b: &mut Builder, text: &str) {
        let s = self.str_const(text);
        b.call_rt(RtFn::FmtLiteral, vec![s], mir::Ty::Unit);
    }

    fn format_primitive(&mut self, b: &mut Builder, v: Operand, p: Prim) {
        let none = |c: char| i32c(c as i32);
        match p {
            Prim::String => {
                self.literal(b, "\"");
                b.call_rt(
                    RtFn::FmtString,
                    vec![v, i32c(0), i32c(-1), i32c(-1)],
                    mir::Ty::Unit,
                );
                self.literal(b, "\"");
            }
            Prim::Char => {
                self.literal(b, "'");
                let c = b.temp(Rvalue::Convert(v, mir::Ty::I32), mir::Ty::I32);
                // The runtime's `FLAG_ESCAPE_CHAR` (runtime/src/pure/printf.rs):
                // F# escapes `'\''`, `'\\'` and control characters here.
                const FLAG_ESCAPE_CHAR: i32 = 16;
                b.call_rt(
                    RtFn::FmtChar,
                    vec![c, i32c(FLAG_ESCAPE_CHAR), i32c(-1)],
                    mir::Ty::Unit,
                );
                self.literal(b, "'");
            }
            Prim::Bool => {
                let byte = b.bool_byte(v);
                b.call_rt(
                    RtFn::FmtBool,
                    vec![byte, none('b'), i32c(0), i32c(-1)],
                    mir::Ty::Unit,
                );
            }
            Prim::Unit => self.literal(b, "()"),
            Prim::Float | Prim::Float32 => {
                let bits = if p == Prim::Float32 { 32 } else { 64 };
                self.fmt_float(b, v, bits, 'A', 0, -1, -1);
            }
            _ => {
                let (bits, signed) = p.int_info(self.psg.target.word_bits).unwrap_or((64, true));
                self.fmt_int(b, v, bits, signed, '\0', 0, -1, -1);
                // F#'s literal suffixes; `int` (and `int32`, F#'s `int`) print bare.
                let suffix = match p {
                    Prim::Int64 => "L",
                    Prim::UInt32 => "u",
                    Prim::UInt64 => "UL",
                    Prim::Int8 => "y",
                    Prim::UInt8 => "uy",
                    Prim::Int16 => "s",
                    Prim::UInt16 => "us",
                    Prim::NativeInt => "n",
                    Prim::UNativeInt => "un",
                    _ => "",
                };
                if !suffix.is_empty() {
                    self.literal(b, suffix);
                }
            }
        }
    }

    /// The generated function that formats values of `ty`, queued if new.
    fn format_fn(&mut self, ty: &PTy, nested: bool) -> FuncId {
        let key = (ty.clone(), nested);
        if let Some(id) = self.formatters.get(&key) {
            return *id;
        }
        let name = format!("format_{}", self.formatters.len());
        let id = self.queue_function(name, Work::Derived(Derived::Format(ty.clone(), nested)));
        self.formatters.insert(key, id);
        id
    }

    /// Builds a formatting function: `(v) -> unit`.
    pub(super) fn lower_format_fn(&mut self, ty: &PTy, nested: bool) -> mir::Function {
        let name = self.program.functions[self.formatters[&(ty.clone(), nested)].index()]
            .name
            .clone();
        let mty = self.mir_ty(ty);
        let mut b = Builder::new(name, mir::Ty::Unit, Subst::default());
        b.has_source_sites = false;
        let param = b.new_local(mty.clone(), "v");
        b.func.params = vec![param];
        let v = Operand::Local(param);
        match ty {
            PTy::Tuple(items) => {
                self.literal(&mut b, "(");
                for (i, t) in items.iter().enumerate() {
                    if i > 0 {
                        self.literal(&mut b, ", ");
                    }
                    let field_ty = self.mir_ty(t);
                    let f = b.temp(Rvalue::TupleGet(v.clone(), i as u32), field_ty);
                    self.format_structured(&mut b, f, t, false);
                }
                self.literal(&mut b, ")");
            }
            PTy::App(TyCon::Option, args) => {
                let is_some = b.temp(Rvalue::OptionIsSome(v.clone()), mir::Ty::Bool);
                let some_b = b.new_block();
                let none_b = b.new_block();
                let done = b.new_block();
                b.terminate(Terminator::Branch {
                    cond: is_some,
                    then_block: some_b,
                    else_block: none_b,
                });
                b.switch_to(none_b);
                self.literal(&mut b, "None");
                b.terminate(Terminator::Goto(done));
                b.switch_to(some_b);
                self.literal(&mut b, if nested { "(Some " } else { "Some " });
                let inner_ty = self.mir_ty(&args[0]);
                let payload = b.temp(Rvalue::OptionPayload(v.clone()), inner_ty);
                self.format_structured(&mut b, payload, &args[0], true);
                if nested {
                    self.literal(&mut b, ")");
                }
                b.terminate(Terminator::Goto(done));
                b.switch_to(done);
            }
            PTy::App(TyCon::List, args) => self.format_list(&mut b, v, &mty, &args[0]),
            PTy::App(TyCon::Ref, args) => {
                self.literal(&mut b, "{ contents = ");
                let inner = self.mir_ty(&args[0]);
                let x = b.temp(Rvalue::Unbox(v.clone()), inner);
                self.format_structured(&mut b, x, &args[0], false);
                self.literal(&mut b, " }");
            }
            PTy::App(TyCon::Array, args) => self.format_array(&mut b, v, &args[0]),
            PTy::App(TyCon::User(_), _) if self.psg.enum_of(ty).is_some() => {
                let e = self.psg.enum_of(ty).expect("checked by the guard").clone();
                self.format_enum(&mut b, v, &e);
            }
            PTy::App(TyCon::User(def), _) if self.psg.collection_displays.contains_key(def) => {
                self.format_collection(&mut b, v, ty, *def, nested);
            }
            PTy::App(TyCon::User(def), args) => {
                let def = *def;
                let d = self.psg.types[def as usize].clone();
                match d.record_fields() {
                    Some(fields) => {
                        let (v, _) = self.record_fields_value(&mut b, v.clone(), &mty);
                        self.literal(&mut b, "{ ");
                        for (i, f) in fields.iter().enumerate() {
                            if i > 0 {
                                self.literal(&mut b, "; ");
                            }
                            self.literal(&mut b, &format!("{} = ", f.name));
                            let fty = substitute(&f.ty, &d.params, args);
                            let mf = self.mir_ty(&fty);
                            let fv = b.temp(Rvalue::TupleGet(v.clone(), i as u32), mf);
                            self.format_structured(&mut b, fv, &fty, false);
                        }
                        self.literal(&mut b, " }");
                    }
                    None => self.format_union(&mut b, v, &mty, &d, args, nested),
                }
            }
            _ => self.literal(&mut b, "<?>"),
        }
        b.terminate(Terminator::Return(Operand::Const(Const::Unit)));
        b.func
    }

    fn format_union(
        &mut self,
        b: &mut Builder,
        v: Operand,
        mty: &mir::Ty,
        d: &composer_semantics::psg::TypeDef,
        args: &[PTy],
        nested: bool,
    ) {
        let cases = d.union_cases().unwrap_or_default().to_vec();
        let tag = b.temp(Rvalue::UnionTag(v.clone()), mir::Ty::I32);
        let done = b.new_block();
        for (k, case) in cases.iter().enumerate() {
            let is_k = b.temp(
                Rvalue::Binary(BinOp::Eq, tag.clone(), i32c(k as i32)),
                mir::Ty::Bool,
            );
            let (this_b, next_b) = b.branch(is_k);
            b.switch_to(this_b);
            let wrap = nested && !case.fields.is_empty();
            if wrap {
                self.literal(b, "(");
            }
            self.literal(b, &case.name);
            if !case.fields.is_empty() {
                self.literal(b, " ");
                let many = case.fields.len() > 1;
                if many {
                    self.literal(b, "(");
                }
                for (i, f) in case.fields.iter().enumerate() {
                    if i > 0 {
                        self.literal(b, ", ");
                    }
                    let fty = substitute(&f.ty, &d.params, args);
                    let (fv, _) = self.union_field(b, v.clone(), mty, k as u32, i as u32);
                    self.format_structured(b, fv, &fty, !many);
                }
                if many {
                    self.literal(b, ")");
                }
            }
            if wrap {
                self.literal(b, ")");
            }
            b.terminate(Terminator::Goto(done));
            b.switch_to(next_b);
        }
        b.terminate(Terminator::Goto(done));
        b.switch_to(done);
    }

    /// A map or a set as F# writes it: `map [(1, "a"); (2, "b")]`, `set [1; 2]`. The
    /// library's `toList` gives the elements (in order), written as a list. As a union
    /// case's argument it is parenthesised, `Some (set [1])`, like an application.
    fn format_collection(&mut self, b: &mut Builder, v: Operand, ty: &PTy, def: u32, nested: bool) {
        let (word, to_list) = self.psg.collection_displays[&def];
        let f = self.psg.function(to_list);
        let PTy::Fun(param, ret) = &f.ty else {
            self.literal(b, "<?>");
            return;
        };
        let (param, ret) = ((**param).clone(), (**ret).clone());
        let mut subst = crate::lower::Subst::default();
        crate::lower::match_ty(&param, ty, &mut subst);
        let list_ty = crate::lower::apply_subst(&ret, &subst);
        let id = self.instance(to_list, PTy::fun(ty.clone(), list_ty.clone()), Vec::new());
        let list_mty = self.mir_ty(&list_ty);
        let list = b.temp(Rvalue::Call(Callee::Func(id), vec![v]), list_mty.clone());
        if nested {
            self.literal(b, "(");
        }
        self.literal(b, word);
        self.literal(b, " ");
        match &list_ty {
            PTy::App(TyCon::List, elem) => self.format_list(b, list, &list_mty, &elem[0]),
            _ => self.literal(b, "<?>"),
        }
        if nested {
            self.literal(b, ")");
        }
    }

    /// `[1; 2; 3]`
    fn format_list(&mut self, b: &mut Builder, v: Operand, mty: &mir::Ty, elem: &PTy) {
        self.literal(b, "[");
        let cur = b.new_local(mty.clone(), "cells");
        b.assign(cur, Rvalue::Use(v));
        let first = b.new_local(mir::Ty::Bool, "first");
        b.assign(first, Rvalue::Use(Operand::Const(Const::Bool(true))));
        let head = b.loop_head();
        let is_cons = b.is_cons(Operand::Local(cur));
        let exit = b.loop_test(is_cons);
        self.separator(b, first, "; ");
        let (h, _) = self.union_field(b, Operand::Local(cur), mty, 1, 0);
        self.format_structured(b, h, elem, false);
        let (t, _) = self.union_field(b, Operand::Local(cur), mty, 1, 1);
        b.assign(cur, Rvalue::Use(t));
        b.loop_end(head, exit);
        self.literal(b, "]");
    }

    /// `[|1; 2; 3|]`
    fn format_array(&mut self, b: &mut Builder, v: Operand, elem: &PTy) {
        self.literal(b, "[|");
        let len = b.temp(Rvalue::Length(v.clone()), mir::Ty::I64);
        let i = b.new_local(mir::Ty::I64, "i");
        b.assign(i, Rvalue::Use(int_const(0, 64, true)));
        let head = b.loop_head();
        let more = b.temp(
            Rvalue::Binary(BinOp::Lt, Operand::Local(i), len),
            mir::Ty::Bool,
        );
        let exit = b.loop_test(more);
        let not_first = b.temp(
            Rvalue::Binary(BinOp::Gt, Operand::Local(i), int_const(0, 64, true)),
            mir::Ty::Bool,
        );
        let (sep_b, item_b) = b.branch(not_first);
        b.switch_to(sep_b);
        self.literal(b, "; ");
        b.terminate(Terminator::Goto(item_b));
        b.switch_to(item_b);
        let elem_ty = self.mir_ty(elem);
        let x = b.temp(Rvalue::ArrayGet(v, Operand::Local(i)), elem_ty);
        self.format_structured(b, x, elem, false);
        b.assign(
            i,
            Rvalue::Binary(BinOp::Add, Operand::Local(i), int_const(1, 64, true)),
        );
        b.loop_end(head, exit);
        self.literal(b, "|]");
    }

    /// Writes `sep` unless `first` is set (which it clears).
    pub(super) fn separator(&mut self, b: &mut Builder, first: mir::LocalId, sep: &str) {
        let sep_b = b.new_block();
        let skip_b = b.new_block();
        let join = b.new_block();
        b.terminate(Terminator::Branch {
            cond: Operand::Local(first),
            then_block: skip_b,
            else_block: sep_b,
        });
        b.switch_to(sep_b);
        self.literal(b, sep);
        b.terminate(Terminator::Goto(join));
        b.switch_to(skip_b);
        b.assign(first, Rvalue::Use(Operand::Const(Const::Bool(false))));
        b.terminate(Terminator::Goto(join));
        b.switch_to(join);
    }
}
