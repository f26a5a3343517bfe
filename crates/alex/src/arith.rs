//! Arithmetic and conversions: `Binary`, `Unary`, `Convert` and `Select`, all as
//! `arith` operations on scalars, except float-to-integer conversions, which call
//! LLVM's saturating intrinsics.

use crate::function::FnEmitter;
use crate::types::mlir_ty;
use composer_lower::mir::{BinOp, Operand, Ty, UnOp};

impl FnEmitter<'_> {
    /// `Rvalue::Binary`.
    pub(crate) fn binary_rvalue(&mut self, op: BinOp, a: &Operand, b: &Operand) -> String {
        let ty = self.operand_ty(a);
        let x = self.operand(a);
        let y = self.operand(b);
        self.binary(op, &ty, &x, &y)
    }

    /// `Rvalue::Unary`: negation, and logical or bitwise not.
    pub(crate) fn unary(&mut self, op: UnOp, a: &Operand) -> String {
        let ty = self.operand_ty(a);
        let x = self.operand(a);
        let t = mlir_ty(self.program, &ty);
        let v = self.fresh();
        match (op, &ty) {
            (UnOp::Neg, Ty::Float { .. }) => self.line(&format!("{v} = arith.negf {x} : {t}")),
            (UnOp::Neg, _) => {
                let z = self.fresh();
                self.line(&format!("{z} = arith.constant 0 : {t}"));
                self.line(&format!("{v} = arith.subi {z}, {x} : {t}"));
            }
            (UnOp::Not, Ty::Bool) => {
                let k = self.fresh();
                self.line(&format!("{k} = arith.constant true"));
                self.line(&format!("{v} = arith.xori {x}, {k} : i1"));
            }
            (UnOp::Not, _) => {
                let k = self.fresh();
                self.line(&format!("{k} = arith.constant -1 : {t}"));
                self.line(&format!("{v} = arith.xori {x}, {k} : {t}"));
            }
        }
        v
    }

    /// `Rvalue::Convert`.
    pub(crate) fn convert_rvalue(&mut self, a: &Operand, to: &Ty) -> String {
        let from = self.operand_ty(a);
        let x = self.operand(a);
        self.convert(&x, &from, to)
    }

    /// `if c then a else b` without branching (`Rvalue::Select`); `None` for unit.
    pub(crate) fn select(&mut self, c: &Operand, a: &Operand, b: &Operand) -> Option<String> {
        let ty = self.operand_ty(a);
        if ty.is_unit() {
            return None;
        }
        let cv = self.operand(c);
        let x = self.operand(a);
        let y = self.operand(b);
        let v = self.fresh();
        self.line(&format!(
            "{v} = arith.select {cv}, {x}, {y} : {}",
            mlir_ty(self.program, &ty)
        ));
        Some(v)
    }

    /// `x op y` for operands of type `ty` (`Rvalue::Binary`): the `arith` operation
    /// that the type's kind (float, signed or unsigned integer) selects.
    fn binary(&mut self, op: BinOp, ty: &Ty, x: &str, y: &str) -> String {
        let t = mlir_ty(self.program, ty);
        let v = self.fresh();
        let is_float = matches!(ty, Ty::Float { .. });
        let signed = matches!(ty, Ty::Int { signed: true, .. });
        let cmp = |float: &'static str, sint: &'static str, uint: &'static str| {
            if is_float {
                float
            } else if signed {
                sint
            } else {
                uint
            }
        };
        let text = match op {
            BinOp::Add => format!(
                "arith.{} {x}, {y} : {t}",
                if is_float { "addf" } else { "addi" }
            ),
            BinOp::Sub => format!(
                "arith.{} {x}, {y} : {t}",
                if is_float { "subf" } else { "subi" }
            ),
            BinOp::Mul => format!(
                "arith.{} {x}, {y} : {t}",
                if is_float { "mulf" } else { "muli" }
            ),
            BinOp::Div => format!("arith.{} {x}, {y} : {t}", cmp("divf", "divsi", "divui")),
            BinOp::Rem => format!("arith.{} {x}, {y} : {t}", cmp("remf", "remsi", "remui")),
            BinOp::And => format!("arith.andi {x}, {y} : {t}"),
            BinOp::Or => format!("arith.ori {x}, {y} : {t}"),
            BinOp::Xor => format!("arith.xori {x}, {y} : {t}"),
            BinOp::Shl => format!("arith.shli {x}, {y} : {t}"),
            BinOp::Shr => format!(
                "arith.{} {x}, {y} : {t}",
                if signed { "shrsi" } else { "shrui" }
            ),
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                if is_float {
                    let pred = match op {
                        BinOp::Eq => "oeq",
                        BinOp::Ne => "une",
                        BinOp::Lt => "olt",
                        BinOp::Le => "ole",
                        BinOp::Gt => "ogt",
                        _ => "oge",
                    };
                    format!("arith.cmpf {pred}, {x}, {y} : {t}")
                } else {
                    let pred = match (op, signed) {
                        (BinOp::Eq, _) => "eq",
                        (BinOp::Ne, _) => "ne",
                        (BinOp::Lt, true) => "slt",
                        (BinOp::Le, true) => "sle",
                        (BinOp::Gt, true) => "sgt",
                        (BinOp::Ge, true) => "sge",
                        (BinOp::Lt, false) => "ult",
                        (BinOp::Le, false) => "ule",
                        (BinOp::Gt, false) => "ugt",
                        _ => "uge",
                    };
                    format!("arith.cmpi {pred}, {x}, {y} : {t}")
                }
            }
        };
        self.line(&format!("{v} = {text}"));
        v
    }

    /// `x` of type `from` as type `to` (`Rvalue::Convert`): integers (and `char`,
    /// `bool`) truncate or extend; float to integer saturates; a string and its
    /// bytes are the same value.
    fn convert(&mut self, x: &str, from: &Ty, to: &Ty) -> String {
        let int_info = |t: &Ty| -> Option<(u32, bool)> {
            match t {
                Ty::Int { bits, signed } => Some((*bits, *signed)),
                Ty::Char => Some((32, false)),
                Ty::Bool => Some((1, false)),
                _ => None,
            }
        };
        let (ft, tt) = (mlir_ty(self.program, from), mlir_ty(self.program, to));
        let v = self.fresh();
        // A pointer as a 64-bit integer and back (an async task's handle).
        match (from, to) {
            (Ty::Ptr, Ty::Int { bits: 64, .. }) => {
                self.line(&format!("{v} = llvm.ptrtoint {x} : !llvm.ptr to i64"));
                return v;
            }
            (Ty::Int { bits: 64, .. }, Ty::Ptr) => {
                self.line(&format!("{v} = llvm.inttoptr {x} : i64 to !llvm.ptr"));
                return v;
            }
            _ => {}
        }
        match (int_info(from), int_info(to), from, to) {
            (Some((fb, fs)), Some((tb, _)), _, _) => {
                if fb == tb {
                    return x.to_string();
                }
                let op = if tb < fb {
                    if tb == 1 {
                        // int → bool: nonzero test.
                        let z = self.fresh();
                        self.line(&format!("{z} = arith.constant 0 : {ft}"));
                        self.line(&format!("{v} = arith.cmpi ne, {x}, {z} : {ft}"));
                        return v;
                    }
                    "trunci"
                } else if fs {
                    "extsi"
                } else {
                    "extui"
                };
                self.line(&format!("{v} = arith.{op} {x} : {ft} to {tt}"));
            }
            (Some((_, fs)), None, _, Ty::Float { .. }) => {
                let op = if fs { "sitofp" } else { "uitofp" };
                self.line(&format!("{v} = arith.{op} {x} : {ft} to {tt}"));
            }
            (None, Some((tb, ts)), Ty::Float { bits: fb }, _) => {
                // Saturating, as .NET 9+ converts (NaN gives 0): plain `fptosi` would
                // give LLVM poison for NaN and out-of-range values.
                let op = if ts { "fptosi" } else { "fptoui" };
                let name = format!("llvm.{op}.sat.i{tb}.f{fb}");
                self.declarations
                    .intrinsics
                    .insert(name.clone(), format!("llvm.func @{name}({ft}) -> {tt}"));
                self.line(&format!("{v} = llvm.call @{name}({x}) : ({ft}) -> {tt}"));
            }
            (None, None, Ty::Float { bits: fb }, Ty::Float { bits: tb }) => {
                if fb == tb {
                    return x.to_string();
                }
                let op = if tb > fb { "extf" } else { "truncf" };
                self.line(&format!("{v} = arith.{op} {x} : {ft} to {tt}"));
            }
            // A string and its bytes (`String.__bytes`, `String.__ofBytes`) are one
            // `{ptr, len}` value.
            (None, None, Ty::Str, Ty::Array(_)) | (None, None, Ty::Array(_), Ty::Str) => {
                return x.to_string()
            }
            _ => return x.to_string(),
        }
        v
    }
}
