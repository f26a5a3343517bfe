//! MLIR type spelling: the one place that says how a MIR type, a runtime ABI value or an
//! aggregate Alex builds is written as an MLIR type. When the data layout comes from a
//! target, it changes here. Instruction text elsewhere asks these functions and constants
//! for every aggregate type; it spells only scalars (`i64` sizes and lengths, `i32` union
//! tags, `!llvm.ptr`) inline.

use composer_lower::mir::{Abi, Program, Ty, UnionId};

/// A string or an array: `{ptr, len}`.
pub(crate) const STR_TY: &str = "!llvm.struct<(ptr, i64)>";

/// A function value: `{code, env}`.
/// A function value: `{code, env, pair}` (`closures.rs`).
pub(crate) const FUNC_TY: &str = "!llvm.struct<(ptr, ptr, ptr)>";

/// The MLIR type of a (non-unit) MIR type.
pub fn mlir_ty(p: &Program, t: &Ty) -> String {
    match t {
        Ty::Int { bits, .. } => format!("i{bits}"),
        Ty::Float { bits } => format!("f{bits}"),
        Ty::Bool => "i1".into(),
        Ty::Char => "i32".into(),
        Ty::Str | Ty::Array(_) => STR_TY.into(),
        Ty::Unit => "i1".into(),
        Ty::Ptr => "!llvm.ptr".into(),
        Ty::Option(inner) if inner.is_unit() => "!llvm.struct<(i1)>".into(),
        Ty::Option(inner) => format!("!llvm.struct<(i1, {})>", mlir_ty(p, inner)),
        Ty::Tuple(fields) => struct_ty(p, fields),
        Ty::Func(..) => FUNC_TY.into(),
        Ty::Union(u) if p.unions[u.index()].boxed => "!llvm.ptr".into(),
        Ty::Union(u) => union_ty(p, *u),
        Ty::Boxed(_) => "!llvm.ptr".into(),
    }
}

/// The MLIR type of one runtime ABI value.
pub(crate) fn abi_ty(a: Abi) -> &'static str {
    match a {
        Abi::I8 => "i8",
        Abi::I32 => "i32",
        Abi::I64 => "i64",
        Abi::F32 => "f32",
        Abi::F64 => "f64",
        Abi::Ptr => "!llvm.ptr",
        Abi::Str => STR_TY,
    }
}

/// The MLIR types a runtime parameter is passed as: a string goes as two parameters,
/// its address and its length.
pub(crate) fn abi_param_tys(a: Abi) -> Vec<&'static str> {
    match a {
        Abi::Str => vec!["!llvm.ptr", "i64"],
        other => vec![abi_ty(other)],
    }
}

/// `{tag: i32, payload: [N x i64]}`, or `{tag: i32}` when no case has fields.
pub(crate) fn union_ty(p: &Program, u: UnionId) -> String {
    match p.union_payload(u) {
        (words, true) => format!("!llvm.struct<(i32, array<{words} x i64>)>"),
        (_, false) => "!llvm.struct<(i32)>".into(),
    }
}

/// The MLIR type of a field inside an aggregate: unit is an empty struct.
fn field_ty(p: &Program, t: &Ty) -> String {
    if t.is_unit() {
        "!llvm.struct<()>".into()
    } else {
        mlir_ty(p, t)
    }
}

/// A struct of these fields (a tuple, a union case's fields, a closure environment).
pub(crate) fn struct_ty(p: &Program, fields: &[Ty]) -> String {
    let parts: Vec<String> = fields.iter().map(|f| field_ty(p, f)).collect();
    format!("!llvm.struct<({})>", parts.join(", "))
}

/// The result of a function type: `()` for unit.
pub(crate) fn result_ty(p: &Program, ret: &Ty) -> String {
    if ret.is_unit() {
        "()".to_string()
    } else {
        mlir_ty(p, ret)
    }
}

/// The MLIR function type `(params) -> ret` (unit result as `()`).
pub(crate) fn fn_ty(p: &Program, params: &[String], ret: &Ty) -> String {
    format!("({}) -> {}", params.join(", "), result_ty(p, ret))
}

/// The MLIR function type of a closure body `(env, arg) -> ret` (unit omitted).
pub(crate) fn closure_fn_ty(p: &Program, arg: &Ty, ret: &Ty) -> String {
    closure_entry_ty(p, &[arg], ret)
}

/// The MLIR function type of a closure entry `(env, args…) -> ret` (unit omitted).
pub(crate) fn closure_entry_ty(p: &Program, args: &[&Ty], ret: &Ty) -> String {
    let mut params = vec!["!llvm.ptr".to_string()];
    for arg in args {
        if !arg.is_unit() {
            params.push(mlir_ty(p, arg));
        }
    }
    fn_ty(p, &params, ret)
}

/// The value `TryReadln` gives: a string option.
pub(crate) fn string_option_ty(p: &Program) -> String {
    mlir_ty(p, &Ty::Option(Box::new(Ty::Str)))
}

/// A constant global of `len` bytes (a string literal's bytes).
pub(crate) fn byte_array_ty(len: usize) -> String {
    format!("!llvm.array<{len} x i8>")
}

/// A zeroed global of `words` 64-bit words.
pub(crate) fn word_array_ty(words: u64) -> String {
    format!("!llvm.array<{words} x i64>")
}
