//! Calls: direct calls of MIR functions (`func.call`), calls of the runtime through its
//! C ABI (strings split into address and length, `bool` widened to `i8`), `musttail`
//! calls through a function pointer, and calls of closures (`{code, env}`). Unit
//! arguments are dropped and a unit result is no value.

use crate::function::FnEmitter;
use crate::types::{abi_param_tys, abi_ty, fn_ty, mlir_ty, FUNC_TY, STR_TY};
use composer_lower::mir::{Abi, Callee, Const, FuncId, Operand, RtFn, Ty};

impl FnEmitter<'_> {
    /// `Rvalue::Call`; `dest` is the type of the local the result goes to.
    pub(crate) fn call(&mut self, callee: &Callee, args: &[Operand], dest: &Ty) -> Option<String> {
        match callee {
            Callee::Func(id) => self.call_function(*id, args),
            Callee::Runtime(rt) => self.call_runtime(*rt, args, dest),
        }
    }

    /// The SSA values of the non-unit arguments and their MLIR types.
    pub(crate) fn non_unit_args(&mut self, args: &[Operand]) -> (Vec<String>, Vec<String>) {
        let mut vals = Vec::new();
        let mut tys = Vec::new();
        for a in args {
            let t = self.operand_ty(a);
            if t.is_unit() {
                continue;
            }
            vals.push(self.operand(a));
            tys.push(mlir_ty(self.program, &t));
        }
        (vals, tys)
    }

    /// Emits `call` (an instruction without its result); when the callee returns a
    /// value, binds it to a fresh name and returns that.
    pub(crate) fn call_line(&mut self, call: &str, returns_value: bool) -> Option<String> {
        if !returns_value {
            self.line(call);
            return None;
        }
        let v = self.fresh();
        self.line(&format!("{v} = {call}"));
        Some(v)
    }

    /// A direct call of a MIR function.
    fn call_function(&mut self, id: FuncId, args: &[Operand]) -> Option<String> {
        let target = &self.program.functions[id.index()];
        let (vals, tys) = self.non_unit_args(args);
        let call = format!(
            "func.call @{}({}) : {}",
            target.name,
            vals.join(", "),
            fn_ty(self.program, &tys, &target.ret)
        );
        self.call_line(&call, !target.ret.is_unit())
    }

    /// A call of a runtime function through its C ABI; an `i8` result that goes to a
    /// `bool` is narrowed back.
    fn call_runtime(&mut self, rt: RtFn, args: &[Operand], dest: &Ty) -> Option<String> {
        self.declarations.runtime.insert(rt.symbol(), rt);
        let (params, ret) = rt.signature();
        let mut vals = Vec::new();
        let mut tys = Vec::new();
        for (a, abi) in args.iter().zip(params) {
            let parts = match (abi, a) {
                // A literal goes straight in as (address, length).
                (Abi::Str, Operand::Const(Const::Str(id))) => {
                    let (p, n) = self.str_literal_parts(*id);
                    vec![p, n]
                }
                (Abi::Str, _) => {
                    let v = self.operand(a);
                    vec![self.extract(&v, STR_TY, 0), self.extract(&v, STR_TY, 1)]
                }
                (Abi::I8, _) if self.operand_ty(a) == Ty::Bool => {
                    let v = self.operand(a);
                    let w = self.fresh();
                    self.line(&format!("{w} = arith.extui {v} : i1 to i8"));
                    vec![w]
                }
                _ => vec![self.operand(a)],
            };
            vals.extend(parts);
            tys.extend(abi_param_tys(abi).into_iter().map(String::from));
        }
        let result = match ret {
            Some(r) => abi_ty(r),
            None => "()",
        };
        let call = format!(
            "func.call @{}({}) : ({}) -> {result}",
            rt.symbol(),
            vals.join(", "),
            tys.join(", ")
        );
        let v = self.call_line(&call, ret.is_some())?;
        if ret == Some(Abi::I8) && *dest == Ty::Bool {
            let b = self.fresh();
            self.line(&format!("{b} = arith.trunci {v} : i8 to i1"));
            return Some(b);
        }
        Some(v)
    }

    /// `Rvalue::TailCall`: a `musttail` call through the callee's address.
    pub(crate) fn tail_call(&mut self, id: FuncId, args: &[Operand]) -> Option<String> {
        let target = &self.program.functions[id.index()];
        let (vals, tys) = self.non_unit_args(args);
        let fn_ty = fn_ty(self.program, &tys, &target.ret);
        let p = self.function_pointer(&target.name, &fn_ty);
        let call = format!(
            "llvm.call musttail {p}({}) : !llvm.ptr, {fn_ty}",
            vals.join(", ")
        );
        self.call_line(&call, !target.ret.is_unit())
    }

    /// `Rvalue::ClosureHasPair`: whether the closure's two-argument entry is set.
    pub(crate) fn closure_has_pair(&mut self, c: &Operand) -> String {
        let cv = self.operand(c);
        let pair = self.extract(&cv, FUNC_TY, 2);
        let z = self.fresh();
        self.line(&format!("{z} = llvm.mlir.zero : !llvm.ptr"));
        let v = self.fresh();
        self.line(&format!("{v} = llvm.icmp \"ne\" {pair}, {z} : !llvm.ptr"));
        v
    }

    /// `Rvalue::CallClosurePair`: calls the closure's two-argument entry with its
    /// environment and both arguments (unit ones omitted).
    pub(crate) fn call_closure_pair(
        &mut self,
        c: &Operand,
        a: &Operand,
        b: &Operand,
    ) -> Option<String> {
        let Ty::Func(arg, ret) = self.operand_ty(c) else {
            return None;
        };
        let Ty::Func(arg2, result) = *ret else {
            return None;
        };
        let cv = self.operand(c);
        let entry = self.extract(&cv, FUNC_TY, 2);
        let env = self.extract(&cv, FUNC_TY, 1);
        let mut vals = vec![env];
        let mut tys = vec!["!llvm.ptr".to_string()];
        for (value, ty) in [(a, &*arg), (b, &*arg2)] {
            if !ty.is_unit() {
                vals.push(self.operand(value));
                tys.push(mlir_ty(self.program, ty));
            }
        }
        let call = format!(
            "llvm.call {entry}({}) : !llvm.ptr, {}",
            vals.join(", "),
            fn_ty(self.program, &tys, &result)
        );
        self.call_line(&call, !result.is_unit())
    }

    /// `Rvalue::CallClosure`: calls the closure's code with its environment and the
    /// argument (unless unit).
    pub(crate) fn call_closure(&mut self, c: &Operand, a: &Operand) -> Option<String> {
        let Ty::Func(arg, ret) = self.operand_ty(c) else {
            return None;
        };
        let cv = self.operand(c);
        let code = self.extract(&cv, FUNC_TY, 0);
        let env = self.extract(&cv, FUNC_TY, 1);
        let mut vals = vec![env];
        let mut tys = vec!["!llvm.ptr".to_string()];
        if !arg.is_unit() {
            vals.push(self.operand(a));
            tys.push(mlir_ty(self.program, &arg));
        }
        let call = format!(
            "llvm.call {code}({}) : !llvm.ptr, {}",
            vals.join(", "),
            fn_ty(self.program, &tys, &ret)
        );
        self.call_line(&call, !ret.is_unit())
    }
}
