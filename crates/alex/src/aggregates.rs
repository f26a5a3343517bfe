//! Aggregate values that are not unions or closures: tuples, options, strings and
//! arrays (`{ptr, len}` pairs, their elements and slices), and `TryReadln`'s string
//! option. Also the helpers every aggregate uses: building a struct from operands,
//! reading one field.

use crate::function::FnEmitter;
use crate::types::{mlir_ty, string_option_ty, struct_ty, STR_TY};
use composer_lower::mir::{Operand, StrId, Ty};

impl FnEmitter<'_> {
    /// A struct value of these operands (of types `tys`; unit fields stay undefined):
    /// the value and its MLIR type.
    pub(crate) fn build_struct(&mut self, ops: &[Operand], tys: &[Ty]) -> (String, String) {
        let t = struct_ty(self.program, tys);
        let mut cur = self.fresh();
        self.line(&format!("{cur} = llvm.mlir.undef : {t}"));
        for (i, (op, ty)) in ops.iter().zip(tys).enumerate() {
            if ty.is_unit() {
                continue;
            }
            let v = self.operand(op);
            let next = self.fresh();
            self.line(&format!("{next} = llvm.insertvalue {v}, {cur}[{i}] : {t}"));
            cur = next;
        }
        (cur, t)
    }

    /// The struct `{first, second}` of type `ty` from two SSA values.
    pub(crate) fn make_pair_of(&mut self, ty: &str, first: &str, second: &str) -> String {
        let u = self.fresh();
        self.line(&format!("{u} = llvm.mlir.undef : {ty}"));
        let a = self.fresh();
        self.line(&format!("{a} = llvm.insertvalue {first}, {u}[0] : {ty}"));
        let b = self.fresh();
        self.line(&format!("{b} = llvm.insertvalue {second}, {a}[1] : {ty}"));
        b
    }

    /// A string or array value from its address and length.
    pub(crate) fn make_pair(&mut self, ptr: &str, len: &str) -> String {
        self.make_pair_of(STR_TY, ptr, len)
    }

    /// Field `index` of the aggregate value `agg` of MLIR type `agg_ty`.
    pub(crate) fn extract(&mut self, agg: &str, agg_ty: &str, index: u32) -> String {
        let v = self.fresh();
        self.line(&format!(
            "{v} = llvm.extractvalue {agg}[{index}] : {agg_ty}"
        ));
        v
    }

    /// Loads field `index`, of type `field`, of the struct of MLIR type `struct_ty` that
    /// `ptr` points at.
    pub(crate) fn load_field(
        &mut self,
        ptr: &str,
        struct_ty: &str,
        index: u32,
        field: &Ty,
    ) -> String {
        let fp = self.fresh();
        self.line(&format!(
            "{fp} = llvm.getelementptr {ptr}[0, {index}] : (!llvm.ptr) -> !llvm.ptr, {struct_ty}"
        ));
        let v = self.fresh();
        self.line(&format!(
            "{v} = llvm.load {fp} : !llvm.ptr -> {}",
            mlir_ty(self.program, field)
        ));
        v
    }

    /// The address and length of a string literal.
    pub(crate) fn str_literal_parts(&mut self, id: StrId) -> (String, String) {
        let len = self.program.strings[id.index()].len();
        let p = self.fresh();
        if len == 0 {
            // Strings are never null (DESIGN §4): "" points at a shared byte.
            self.line(&format!(
                "{p} = llvm.mlir.addressof @clef_empty_string : !llvm.ptr"
            ));
        } else {
            self.line(&format!(
                "{p} = llvm.mlir.addressof @str{} : !llvm.ptr",
                id.0
            ));
        }
        let n = self.fresh();
        self.line(&format!("{n} = arith.constant {len} : i64"));
        (p, n)
    }

    /// The length of a string or array.
    pub(crate) fn length(&mut self, a: &Operand) -> String {
        let x = self.operand(a);
        self.extract(&x, STR_TY, 1)
    }

    /// The element type of an array (a string's elements are its bytes).
    fn element_ty(&self, array: &Operand) -> Ty {
        match self.operand_ty(array) {
            Ty::Array(e) => *e,
            Ty::Str => Ty::Int {
                bits: 8,
                signed: false,
            },
            _ => Ty::Unit,
        }
    }

    /// The address of element `index` of an array or string, and the element's
    /// MLIR type.
    fn element_ptr(&mut self, array: &Operand, index: &Operand) -> (String, String) {
        let elem = self.element_ty(array);
        let x = self.operand(array);
        let idx = self.operand(index);
        let p = self.extract(&x, STR_TY, 0);
        let ep = self.fresh();
        let et = mlir_ty(self.program, &elem);
        self.line(&format!(
            "{ep} = llvm.getelementptr {p}[{idx}] : (!llvm.ptr, i64) -> !llvm.ptr, {et}"
        ));
        (ep, et)
    }

    /// Element `i` of an array or string (`Rvalue::ArrayGet`).
    pub(crate) fn array_get(&mut self, a: &Operand, i: &Operand) -> String {
        let (ep, et) = self.element_ptr(a, i);
        let v = self.fresh();
        self.line(&format!("{v} = llvm.load {ep} : !llvm.ptr -> {et}"));
        v
    }

    /// Stores `v` as element `i` of an array (`Stmt::ArraySet`).
    pub(crate) fn array_set(&mut self, a: &Operand, i: &Operand, v: &Operand) {
        if self.element_ty(a).is_unit() {
            return;
        }
        let (ep, et) = self.element_ptr(a, i);
        let val = self.operand(v);
        self.line(&format!("llvm.store {val}, {ep} : {et}, !llvm.ptr"));
    }

    /// `len` elements of `base` from `start`, sharing its memory (`Rvalue::Slice`).
    pub(crate) fn slice(&mut self, base: &Operand, start: &Operand, len: &Operand) -> String {
        let (ep, _) = self.element_ptr(base, start);
        let n = self.operand(len);
        self.make_pair(&ep, &n)
    }

    /// An array from its address and length (`Rvalue::MakeArray`).
    pub(crate) fn make_array(&mut self, ptr: &Operand, len: &Operand) -> String {
        let p = self.operand(ptr);
        let n = self.operand(len);
        self.make_pair(&p, &n)
    }

    /// `Some payload` or `None` (`Rvalue::MakeOption`): `{is_some: i1, payload}`,
    /// zero where there is no payload.
    pub(crate) fn make_option(&mut self, ty: &Ty, payload: Option<&Operand>) -> String {
        let t = mlir_ty(self.program, ty);
        let z = self.fresh();
        self.line(&format!("{z} = llvm.mlir.zero : {t}"));
        let tag = self.fresh();
        self.line(&format!("{tag} = arith.constant {}", payload.is_some()));
        let mut cur = self.fresh();
        self.line(&format!("{cur} = llvm.insertvalue {tag}, {z}[0] : {t}"));
        if let Some(p) = payload {
            if !self.operand_ty(p).is_unit() {
                let v = self.operand(p);
                let next = self.fresh();
                self.line(&format!("{next} = llvm.insertvalue {v}, {cur}[1] : {t}"));
                cur = next;
            }
        }
        cur
    }

    /// Whether an option is `Some` (`Rvalue::OptionIsSome`).
    pub(crate) fn option_is_some(&mut self, a: &Operand) -> String {
        let t = mlir_ty(self.program, &self.operand_ty(a));
        let x = self.operand(a);
        self.extract(&x, &t, 0)
    }

    /// The payload of a `Some` (`Rvalue::OptionPayload`); `None` for unit.
    pub(crate) fn option_payload(&mut self, a: &Operand) -> Option<String> {
        let ty = self.operand_ty(a);
        if let Ty::Option(inner) = &ty {
            if inner.is_unit() {
                return None;
            }
        }
        let t = mlir_ty(self.program, &ty);
        let x = self.operand(a);
        Some(self.extract(&x, &t, 1))
    }

    /// A line of standard input as a string option (`Rvalue::TryReadln`): the runtime
    /// writes the line into the function's `%readln_slot` and returns whether it read one.
    pub(crate) fn try_readln(&mut self) -> String {
        let r = self.fresh();
        self.line(&format!(
            "{r} = func.call @clef_rt_try_readln(%readln_slot) : (!llvm.ptr) -> i8"
        ));
        let tag = self.fresh();
        self.line(&format!("{tag} = arith.trunci {r} : i8 to i1"));
        let s = self.fresh();
        self.line(&format!(
            "{s} = llvm.load %readln_slot : !llvm.ptr -> {STR_TY}"
        ));
        let t = string_option_ty(self.program);
        self.make_pair_of(&t, &tag, &s)
    }

    /// A tuple of these operands (`Rvalue::MakeTuple`).
    pub(crate) fn make_tuple(&mut self, ops: &[Operand]) -> String {
        let fields: Vec<Ty> = ops.iter().map(|o| self.operand_ty(o)).collect();
        self.build_struct(ops, &fields).0
    }

    /// Field `index` of a tuple (`Rvalue::TupleGet`); `None` for a unit field.
    pub(crate) fn tuple_get(&mut self, op: &Operand, index: u32) -> Option<String> {
        let ty = self.operand_ty(op);
        let Ty::Tuple(fields) = &ty else {
            return None;
        };
        if fields[index as usize].is_unit() {
            return None;
        }
        let x = self.operand(op);
        Some(self.extract(&x, &struct_ty(self.program, fields), index))
    }
}
