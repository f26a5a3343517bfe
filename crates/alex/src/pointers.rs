//! Raw pointers into frames: field addresses, loads, stores, function addresses
//! and calls through them (what the async pass's state machines are made of).

use crate::function::FnEmitter;
use crate::types::{fn_ty, mlir_ty};
use composer_lower::mir::{FuncId, Operand, Ty};

impl FnEmitter<'_> {
    /// `Rvalue::FieldAddr`: a `getelementptr` into the struct `ty` (the pointer
    /// itself for an empty path).
    pub(crate) fn field_addr(&mut self, ptr: &Operand, ty: &Ty, path: &[u32]) -> String {
        let p = self.operand(ptr);
        if path.is_empty() {
            return p;
        }
        let indices: Vec<String> = path.iter().map(u32::to_string).collect();
        let v = self.fresh();
        self.line(&format!(
            "{v} = llvm.getelementptr {p}[0, {}] : (!llvm.ptr) -> !llvm.ptr, {}",
            indices.join(", "),
            mlir_ty(self.program, ty)
        ));
        v
    }

    /// `Rvalue::PtrAdd`: a byte offset from a pointer.
    pub(crate) fn ptr_add(&mut self, ptr: &Operand, bytes: u64) -> String {
        let p = self.operand(ptr);
        if bytes == 0 {
            return p;
        }
        let v = self.fresh();
        self.line(&format!(
            "{v} = llvm.getelementptr {p}[{bytes}] : (!llvm.ptr) -> !llvm.ptr, i8"
        ));
        v
    }

    /// `Rvalue::Load`; `None` for unit.
    pub(crate) fn load(&mut self, ptr: &Operand, ty: &Ty) -> Option<String> {
        if ty.is_unit() {
            return None;
        }
        let p = self.operand(ptr);
        let v = self.fresh();
        self.line(&format!(
            "{v} = llvm.load {p} : !llvm.ptr -> {}",
            mlir_ty(self.program, ty)
        ));
        Some(v)
    }

    /// `Stmt::Store` (nothing for a unit value).
    pub(crate) fn store(&mut self, ptr: &Operand, value: &Operand) {
        let ty = self.operand_ty(value);
        if ty.is_unit() {
            return;
        }
        let p = self.operand(ptr);
        let v = self.operand(value);
        let line = format!(
            "llvm.store {v}, {p} : {}, !llvm.ptr",
            mlir_ty(self.program, &ty)
        );
        self.line(&line);
    }

    /// `Rvalue::FuncAddr`.
    pub(crate) fn func_addr(&mut self, id: FuncId) -> String {
        let target = &self.program.functions[id.index()];
        let tys: Vec<String> = target
            .params
            .iter()
            .map(|p| target.local_ty(*p))
            .filter(|t| !t.is_unit())
            .map(|t| mlir_ty(self.program, t))
            .collect();
        let ty = fn_ty(self.program, &tys, &target.ret);
        let name = target.name.clone();
        self.function_pointer(&name, &ty)
    }

    /// `Rvalue::CallPtr`: an indirect call (unit arguments omitted).
    pub(crate) fn call_ptr(
        &mut self,
        func: &Operand,
        args: &[Operand],
        ret: &Ty,
    ) -> Option<String> {
        let f = self.operand(func);
        let (vals, tys) = self.non_unit_args(args);
        let call = format!(
            "llvm.call {f}({}) : !llvm.ptr, {}",
            vals.join(", "),
            fn_ty(self.program, &tys, ret)
        );
        self.call_line(&call, !ret.is_unit())
    }
}
