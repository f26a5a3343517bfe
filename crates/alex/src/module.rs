//! The MLIR module: the entry point [`emit_module`], the string literals and globals
//! before the functions, and after them the declarations the functions turned out to
//! need (runtime functions, LLVM intrinsics, the region pointer, the zero cell).

use crate::alloc::CURRENT_REGION;
use crate::function::emit_function;
use crate::types::{abi_param_tys, abi_ty, byte_array_ty, mlir_ty, word_array_ty};
use crate::unions::{zero_cell_words, ZERO_CELL};
use composer_lower::mir::{Function, Program, RtFn, Rvalue, Stmt};
use std::collections::BTreeMap;
use std::fmt::Write;

/// What the functions use that the module declares after them. Maps, so that the
/// declarations come out sorted.
#[derive(Default)]
pub(crate) struct ModuleDeclarations {
    /// Runtime functions called, by symbol.
    pub(crate) runtime: BTreeMap<&'static str, RtFn>,
    /// LLVM intrinsics called by name, with their declarations.
    pub(crate) intrinsics: BTreeMap<String, String>,
    /// Set when a function bumps the current region inline.
    pub(crate) uses_current_region: bool,
}

/// Emits the MLIR module for a MIR program.
pub fn emit_module(program: &Program) -> String {
    let mut out = String::from("module {\n");
    let _ = writeln!(
        out,
        "  llvm.mlir.global internal constant @clef_empty_string(\"\\00\") {{addr_space = 0 : i32}} : {}",
        byte_array_ty(1)
    );
    for (i, s) in program.strings.iter().enumerate() {
        if !s.is_empty() {
            let _ = writeln!(
                out,
                "  llvm.mlir.global internal constant @str{i}(\"{}\") {{addr_space = 0 : i32}} : {}",
                escape_bytes(s.as_bytes()),
                byte_array_ty(s.len())
            );
        }
    }
    for (i, g) in program.globals.iter().enumerate() {
        if g.ty.is_unit() {
            continue;
        }
        zeroed_global(
            &mut out,
            &format!("internal @g{i}"),
            &mlir_ty(program, &g.ty),
        );
    }
    let mut declarations = ModuleDeclarations::default();
    for f in &program.functions {
        out.push_str(&emit_function(program, f, &mut declarations));
    }
    for (name, rt) in &declarations.runtime {
        let (params, ret) = rt.signature();
        let ps: Vec<&str> = params.into_iter().flat_map(abi_param_tys).collect();
        let r = match ret {
            Some(r) => format!(" -> {}", abi_ty(r)),
            None => String::new(),
        };
        let _ = writeln!(out, "  func.func private @{name}({}){r}", ps.join(", "));
    }
    for decl in declarations.intrinsics.values() {
        let _ = writeln!(out, "  {decl}");
    }
    if let Some(words) = zero_cell_words(program) {
        zeroed_global(
            &mut out,
            &format!("internal constant @{ZERO_CELL}"),
            &word_array_ty(words),
        );
    }
    if declarations.uses_current_region {
        let _ = writeln!(
            out,
            "  llvm.mlir.global external @{CURRENT_REGION}() {{addr_space = 0 : i32}} : !llvm.ptr"
        );
    }
    if program.functions.iter().any(uses_try_readln) {
        out.push_str("  func.func private @clef_rt_try_readln(!llvm.ptr) -> i8\n");
    }
    out.push_str("}\n");
    out
}

/// A global of type `ty` whose initial value is all zeros; `linkage_and_name` is
/// what comes between `llvm.mlir.global` and the parentheses.
fn zeroed_global(out: &mut String, linkage_and_name: &str, ty: &str) {
    let _ = writeln!(
        out,
        "  llvm.mlir.global {linkage_and_name}() {{addr_space = 0 : i32}} : {ty} {{"
    );
    let _ = writeln!(out, "    %z = llvm.mlir.zero : {ty}");
    let _ = writeln!(out, "    llvm.return %z : {ty}");
    out.push_str("  }\n");
}

/// Whether the function reads a line through `clef_rt_try_readln`, which writes the
/// line into a slot the function provides.
pub(crate) fn uses_try_readln(f: &Function) -> bool {
    f.blocks.iter().any(|b| {
        b.stmts.iter().any(|s| {
            matches!(
                s,
                Stmt::Assign(_, Rvalue::TryReadln) | Stmt::Eval(Rvalue::TryReadln)
            )
        })
    })
}

/// The bytes of a string literal as MLIR string text: printable ASCII as itself,
/// everything else (and `"` and `\`) as a `\XX` escape.
fn escape_bytes(bytes: &[u8]) -> String {
    let mut s = String::new();
    for &b in bytes {
        if b.is_ascii_graphic() && b != b'"' && b != b'\\' || b == b' ' {
            s.push(b as char);
        } else {
            let _ = write!(s, "\\{b:02X}");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_string_bytes() {
        assert_eq!(escape_bytes(b"a\"b\n"), "a\\22b\\0A");
    }
}
