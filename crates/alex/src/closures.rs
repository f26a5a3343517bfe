//! Closure values: a function value is `{code, env, pair}`, where `code` is the
//! closure body's address, `env` a struct of the captured values (null when nothing
//! is captured), in the frame's own slot when lowering proved the closure does not
//! outlive it, else in the current region, and `pair` the entry that takes the last
//! two arguments at once (null unless exactly two remain; `MakeClosure::pair`).
//! Calling one is in `calls`.

use crate::function::FnEmitter;
use crate::types::{closure_entry_ty, closure_fn_ty, struct_ty, FUNC_TY};
use composer_lower::mir::{FuncId, Function, LocalId, Operand, Ty};

/// The `(arg, ret)` of a closure body: its parameters are `(env: ptr, [arg])`.
fn closure_signature(f: &Function) -> (Ty, Ty) {
    let arg = f
        .params
        .get(1)
        .map(|p| f.local_ty(*p).clone())
        .unwrap_or(Ty::Unit);
    (arg, f.ret.clone())
}

impl FnEmitter<'_> {
    /// A closure of the body `func` over `captures` (`Rvalue::MakeClosure`).
    pub(crate) fn make_closure(
        &mut self,
        func: FuncId,
        captures: &[Operand],
        env_slot: Option<LocalId>,
        pair: Option<FuncId>,
    ) -> String {
        let target = &self.program.functions[func.index()];
        let (arg, ret) = closure_signature(target);
        let fn_ty = closure_fn_ty(self.program, &arg, &ret);
        let code = self.function_pointer(&target.name, &fn_ty);
        let env = if captures.is_empty() {
            let z = self.fresh();
            self.line(&format!("{z} = llvm.mlir.zero : !llvm.ptr"));
            z
        } else {
            let layout: Vec<Ty> = captures.iter().map(|c| self.operand_ty(c)).collect();
            let (value, env_ty) = self.build_struct(captures, &layout);
            let p = match env_slot {
                // The frame's own slot: the closure cannot outlive it.
                Some(l) => Self::slot(l),
                None => {
                    let ((size, align), _) = self.program.struct_layout(&layout);
                    self.root_alloc(size, align)
                }
            };
            self.line(&format!("llvm.store {value}, {p} : {env_ty}, !llvm.ptr"));
            p
        };
        let pair = match pair {
            Some(id) => {
                let entry = &self.program.functions[id.index()];
                let args: Vec<&Ty> = entry.params[1..]
                    .iter()
                    .map(|p| entry.local_ty(*p))
                    .collect();
                let ty = closure_entry_ty(self.program, &args, &entry.ret);
                let name = entry.name.clone();
                self.function_pointer(&name, &ty)
            }
            None => {
                let z = self.fresh();
                self.line(&format!("{z} = llvm.mlir.zero : !llvm.ptr"));
                z
            }
        };
        let pair_value = self.make_pair_of(FUNC_TY, &code, &env);
        let v = self.fresh();
        self.line(&format!(
            "{v} = llvm.insertvalue {pair}, {pair_value}[2] : {FUNC_TY}"
        ));
        v
    }

    /// The address of the function `name` of MLIR function type `fn_ty`, as an
    /// `!llvm.ptr` (for a closure's code, or a `musttail` call).
    pub(crate) fn function_pointer(&mut self, name: &str, fn_ty: &str) -> String {
        let f = self.fresh();
        self.line(&format!("{f} = func.constant @{name} : {fn_ty}"));
        let p = self.fresh();
        self.line(&format!(
            "{p} = builtin.unrealized_conversion_cast {f} : {fn_ty} to !llvm.ptr"
        ));
        p
    }

    /// Field `index` of a closure environment laid out as `layout` (`Rvalue::EnvGet`);
    /// `None` for a unit field.
    pub(crate) fn env_get(&mut self, env: &Operand, layout: &[Ty], index: u32) -> Option<String> {
        let fty = &layout[index as usize];
        if fty.is_unit() {
            return None;
        }
        let e = self.operand(env);
        let env_ty = struct_ty(self.program, layout);
        Some(self.load_field(&e, &env_ty, index, fty))
    }
}
