//! One MIR function as a `func.func`: the emitter's state ([`FnEmitter`]), the entry
//! block (stack slots, union scratch slots, parameters), statements, terminators, and
//! operands (SSA values, slot loads, constants). Rvalues are in `rvalue`.

use crate::module::{uses_try_readln, ModuleDeclarations};
use crate::ssa::ssa_locals;
use crate::types::{mlir_ty, union_ty, STR_TY};
use crate::unions::{scratch_slot, union_scratch};
use composer_lower::mir::{
    Const, Function, GlobalId, LocalId, Operand, Program, Stmt, Terminator, Ty,
};
use std::fmt::Write;

/// Emits one function and returns its text; what it calls or uses that the module must
/// declare goes into `declarations`.
pub(crate) fn emit_function(
    program: &Program,
    func: &Function,
    declarations: &mut ModuleDeclarations,
) -> String {
    let mut e = FnEmitter {
        program,
        func,
        declarations,
        out: String::new(),
        next: 0,
        ssa: vec![None; func.locals.len()],
        is_ssa: ssa_locals(func),
    };
    e.emit();
    e.out
}

/// The emitter of one function's body; the rvalue families add their methods to it in
/// their own modules.
pub(crate) struct FnEmitter<'a> {
    pub(crate) program: &'a Program,
    pub(crate) func: &'a Function,
    pub(crate) declarations: &'a mut ModuleDeclarations,
    out: String,
    /// The number of the last fresh value (`%tN`).
    next: u32,
    /// Locals that need no stack slot: the SSA value that holds each (see
    /// [`ssa_locals`]); `None` for locals that live in a slot.
    ssa: Vec<Option<String>>,
    /// Whether each local is an SSA value ([`ssa_locals`]).
    is_ssa: Vec<bool>,
}

impl FnEmitter<'_> {
    /// A new SSA value name.
    pub(crate) fn fresh(&mut self) -> String {
        self.next += 1;
        format!("%t{}", self.next)
    }

    /// One instruction of the function body.
    pub(crate) fn line(&mut self, text: &str) {
        self.out.push_str("    ");
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// `scf.if cond -> (ty)`: each branch emits its instructions (indented by two more
    /// spaces) and returns the value it yields.
    pub(crate) fn scf_if(
        &mut self,
        cond: &str,
        ty: &str,
        then_branch: impl FnOnce(&mut Self) -> String,
        else_branch: impl FnOnce(&mut Self) -> String,
    ) -> String {
        let r = self.fresh();
        self.line(&format!("{r} = scf.if {cond} -> ({ty}) {{"));
        let yielded = then_branch(self);
        self.line(&format!("  scf.yield {yielded} : {ty}"));
        self.line("} else {");
        let yielded = else_branch(self);
        self.line(&format!("  scf.yield {yielded} : {ty}"));
        self.line("}");
        r
    }

    /// The stack slot of a local that is not an SSA value.
    pub(crate) fn slot(l: LocalId) -> String {
        format!("%s{}", l.0)
    }

    fn emit(&mut self) {
        let f = self.func;
        let params: Vec<String> = f
            .params
            .iter()
            .filter(|p| !f.local_ty(**p).is_unit())
            .map(|p| format!("%a{}: {}", p.0, mlir_ty(self.program, f.local_ty(*p))))
            .collect();
        let ret = if f.ret.is_unit() {
            String::new()
        } else {
            format!(" -> {}", mlir_ty(self.program, &f.ret))
        };
        let attrs = if f.is_export {
            ""
        } else {
            " attributes {llvm.linkage = #llvm.linkage<internal>}"
        };
        let _ = writeln!(
            self.out,
            "  func.func @{}({}){ret}{attrs} {{",
            f.name,
            params.join(", ")
        );
        // Entry: a stack slot for each local that is not an SSA value; parameters
        // that live in slots are stored into theirs.
        self.line("%one = arith.constant 1 : i64");
        for (i, l) in f.locals.iter().enumerate() {
            if l.ty.is_unit() || self.is_ssa[i] {
                continue;
            }
            let t = mlir_ty(self.program, &l.ty);
            self.alloca(&format!("%s{i}"), &t);
        }
        for u in union_scratch(self.program, f) {
            let ut = union_ty(self.program, u);
            self.alloca(&scratch_slot(u), &ut);
        }
        if uses_try_readln(f) {
            self.alloca("%readln_slot", STR_TY);
        }
        for p in &f.params {
            let t = f.local_ty(*p);
            if t.is_unit() {
                continue;
            }
            if self.is_ssa[p.index()] {
                self.ssa[p.index()] = Some(format!("%a{}", p.0));
                continue;
            }
            let line = format!(
                "llvm.store %a{}, %s{} : {}, !llvm.ptr",
                p.0,
                p.0,
                mlir_ty(self.program, t)
            );
            self.line(&line);
        }
        self.line("cf.br ^bb0");
        for (i, b) in f.blocks.iter().enumerate() {
            let _ = writeln!(self.out, "  ^bb{i}:");
            for s in &b.stmts {
                self.stmt(s);
            }
            self.terminator(&b.terminator);
        }
        self.out.push_str("  }\n");
    }

    /// A stack slot `name` for one value of type `ty`, in the entry block.
    fn alloca(&mut self, name: &str, ty: &str) {
        self.line(&format!(
            "{name} = llvm.alloca %one x {ty} : (i64) -> !llvm.ptr"
        ));
    }

    fn terminator(&mut self, t: &Terminator) {
        match t {
            Terminator::Goto(b) => self.line(&format!("cf.br ^bb{}", b.0)),
            Terminator::Branch {
                cond,
                then_block,
                else_block,
            } => {
                let c = self.operand(cond);
                self.line(&format!(
                    "cf.cond_br {c}, ^bb{}, ^bb{}",
                    then_block.0, else_block.0
                ));
            }
            Terminator::Return(op) => {
                if self.func.ret.is_unit() {
                    self.line("func.return");
                } else {
                    let v = self.operand(op);
                    let line = format!(
                        "func.return {v} : {}",
                        mlir_ty(self.program, &self.func.ret)
                    );
                    self.line(&line);
                }
            }
            Terminator::Unreachable => self.line("llvm.unreachable"),
            Terminator::Switch {
                value,
                targets,
                default,
            } => {
                let v = self.operand(value);
                let cases: Vec<String> = targets
                    .iter()
                    .enumerate()
                    .map(|(i, t)| format!("{i}: ^bb{}", t.0))
                    .collect();
                self.line(&format!(
                    "cf.switch {v} : i32, [default: ^bb{}, {}]",
                    default.0,
                    cases.join(", ")
                ));
            }
            // The async pass leaves none (the verifier checks it).
            Terminator::Await { .. } | Terminator::Suspend { .. } | Terminator::Cancel => {
                unreachable!("an await after the async pass")
            }
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Assign(l, r) => {
                let ty = self.func.local_ty(*l).clone();
                if self.is_ssa[l.index()] {
                    self.ssa[l.index()] = self.rvalue(r, &ty);
                    return;
                }
                if let Some(v) = self.rvalue(r, &ty) {
                    let line = format!(
                        "llvm.store {v}, {} : {}, !llvm.ptr",
                        Self::slot(*l),
                        mlir_ty(self.program, &ty)
                    );
                    self.line(&line);
                }
            }
            Stmt::Eval(r) => {
                self.rvalue(r, &Ty::Unit);
            }
            Stmt::StoreBoxed(p, v) => self.store_boxed(p, v),
            Stmt::Store(p, v) => self.store(p, v),
            Stmt::ArraySet(a, i, v) => self.array_set(a, i, v),
            Stmt::StoreGlobal(g, op) => {
                let ty = self.program.globals[g.index()].ty.clone();
                let v = self.operand(op);
                let p = self.global_address(*g);
                self.line(&format!(
                    "llvm.store {v}, {p} : {}, !llvm.ptr",
                    mlir_ty(self.program, &ty)
                ));
            }
        }
    }

    /// The value of a global (`Rvalue::LoadGlobal`).
    pub(crate) fn load_global(&mut self, g: GlobalId) -> String {
        let ty = self.program.globals[g.index()].ty.clone();
        let p = self.global_address(g);
        let v = self.fresh();
        self.line(&format!(
            "{v} = llvm.load {p} : !llvm.ptr -> {}",
            mlir_ty(self.program, &ty)
        ));
        v
    }

    fn global_address(&mut self, g: GlobalId) -> String {
        let p = self.fresh();
        self.line(&format!("{p} = llvm.mlir.addressof @g{} : !llvm.ptr", g.0));
        p
    }

    pub(crate) fn operand_ty(&self, op: &Operand) -> Ty {
        self.func.operand_ty(op)
    }

    /// Materialises an operand as an SSA value.
    pub(crate) fn operand(&mut self, op: &Operand) -> String {
        match op {
            Operand::Local(l) if self.is_ssa[l.index()] => match &self.ssa[l.index()] {
                Some(v) => v.clone(),
                None => {
                    // A unit-typed or never-materialised value: an undefined placeholder.
                    let ty = self.func.local_ty(*l).clone();
                    let v = self.fresh();
                    self.line(&format!(
                        "{v} = llvm.mlir.undef : {}",
                        mlir_ty(self.program, &ty)
                    ));
                    v
                }
            },
            Operand::Local(l) => {
                let ty = self.func.local_ty(*l).clone();
                let v = self.fresh();
                let line = format!(
                    "{v} = llvm.load {} : !llvm.ptr -> {}",
                    Self::slot(*l),
                    mlir_ty(self.program, &ty)
                );
                self.line(&line);
                v
            }
            Operand::Const(c) => self.constant(c),
        }
    }

    fn constant(&mut self, c: &Const) -> String {
        let v = self.fresh();
        match c {
            Const::Int { value, bits, .. } => {
                let wrapped = wrap_signed(*value, *bits);
                self.line(&format!("{v} = arith.constant {wrapped} : i{bits}"));
            }
            Const::Float { value, bits } => {
                if *bits == 32 {
                    let b = (*value as f32).to_bits();
                    self.line(&format!("{v} = arith.constant 0x{b:08X} : f32"));
                } else {
                    let b = value.to_bits();
                    self.line(&format!("{v} = arith.constant 0x{b:016X} : f64"));
                }
            }
            Const::Bool(b) => self.line(&format!("{v} = arith.constant {b}")),
            Const::Char(c) => self.line(&format!("{v} = arith.constant {} : i32", *c as u32)),
            Const::Unit => self.line(&format!("{v} = arith.constant false")),
            Const::Str(id) => {
                let (p, n) = self.str_literal_parts(*id);
                return self.make_pair(&p, &n);
            }
        }
        v
    }
}

/// An integer constant of `bits` bits as MLIR writes it: in the signed range (`arith`
/// constants are signless, and an unsigned value past the signed maximum is its bit
/// pattern).
fn wrap_signed(value: i128, bits: u32) -> i128 {
    if bits >= 128 {
        return value;
    }
    let modulus = 1i128 << bits;
    let mut v = value.rem_euclid(modulus);
    if bits > 1 && v >= modulus / 2 {
        v -= modulus;
    }
    if bits == 1 {
        return v;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_unsigned_constants_into_signed_range() {
        assert_eq!(wrap_signed(u64::MAX as i128, 64), -1);
        assert_eq!(wrap_signed(255, 8), -1);
        assert_eq!(wrap_signed(-5, 64), -5);
    }
}
