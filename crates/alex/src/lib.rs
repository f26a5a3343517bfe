//! Alex: MIR → MLIR text.
//!
//! Guarantees over MIR: the program is one MLIR module in the portable dialects
//! `func`, `arith` and `cf`, with the `llvm` dialect only at the platform edge
//! (stack slots, globals, pointers, aggregate values and the runtime's C ABI).
//! MIR locals that are assigned in one block and read only later in it, and
//! parameters never reassigned, are plain SSA values; every other local gets one
//! stack slot (`llvm.alloca` in the entry block), which LLVM's SROA/mem2reg turns back
//! into registers, the way Clang's output works.
//! The text is what `mlir-opt` then lowers (DESIGN §3).
//!
//! Modules, in the order a program goes through them:
//!
//! * `module`: [`emit_module`]; string literals, globals, and the declarations the
//!   functions need.
//! * `function`: one `func.func` (`FnEmitter`): entry slots, statements, terminators,
//!   operands and constants.
//! * `ssa`: which locals are SSA values and which get a stack slot.
//! * `rvalue`: the rvalue dispatch, to one module per family:
//!   * `arith`: arithmetic, comparisons, conversions, `select`;
//!   * `calls`: direct, runtime, `musttail` and closure calls;
//!   * `aggregates`: tuples, options, strings and arrays;
//!   * `unions`: union values in both layouts, and the zero cell;
//!   * `closures`: closure values and their environments;
//!   * `alloc`: region allocation, arrays and boxes;
//!   * `pointers`: field addresses, loads, stores and calls through pointers.
//! * `types`: every MLIR type spelling ([`mlir_ty`]).

mod aggregates;
mod alloc;
mod arith;
mod calls;
mod closures;
mod function;
mod module;
mod pointers;
mod rvalue;
mod ssa;
mod types;
mod unions;

pub use alloc::{REGION_CURSOR_ALIGN, REGION_CURSOR_OFFSET, REGION_END_OFFSET};
pub use module::emit_module;
pub use types::mlir_ty;
