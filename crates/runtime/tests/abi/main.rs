//! The compiler–runtime ABI, checked on both sides. The compiler's table is
//! `RtFn` (`crates/lower/src/mir.rs`): [`RtFn::ALL`] and [`RtFn::libm_functions`]
//! with each one's symbol and `Abi` signature. The runtime's side is its source
//! (`runtime/src`, read with `syn` in `source.rs`). Checked here:
//!
//! * every function of the table is defined in the runtime exactly once, as a
//!   `#[no_mangle] extern "C"` Rust function whose parameter and result types are
//!   of the table's `Abi` classes (`class.rs`), and it is declared `-> !` exactly
//!   when the table says it never returns;
//! * every `clef_rt_*` symbol the runtime exports (functions, statics, assembly
//!   labels) is in the table, is the region pointer, or is on
//!   [`NOT_CALLED_BY_GENERATED_CODE`] with the reason;
//! * the region pointer Alex's inline allocation reads is exported by the runtime
//!   as a pointer, and Alex's own declaration of `clef_rt_try_readln` is the
//!   table's.
//!
//! The region's layout (the offsets Alex bumps) is not checked here: it is
//! defined once in `runtime/src/region_layout.rs`, which both sides compile, and
//! the runtime asserts its `Region` against it at compile time (`region.rs`).
//! `negative_cases.rs` shows that each check fails on a runtime that disagrees.

mod class;
mod negative_cases;
mod source;

use std::collections::BTreeSet;
use std::path::Path;

use composer_lower::mir::{
    Abi, Block, Callee, Const, Function, Local, LocalId, Operand, Program, RtFn, Rvalue, Stmt,
    Terminator, Ty,
};
use syn::{ReturnType, Type};

use class::{param_class, result_class, type_text, Class};
use source::{DefinitionKind, FunctionDefinition, RuntimeSource};

/// `clef_rt_*` symbols the runtime exports that generated code never calls, and
/// who does. Keep it short: anything generated code calls belongs in `RtFn`.
pub const NOT_CALLED_BY_GENERATED_CODE: &[(&str, &str)] = &[
    (
        "clef_rt_start",
        "called by the architecture's `_start` (runtime/src/arch/*.rs)",
    ),
    (
        "clef_rt_sigreturn",
        "x86_64's signal-return trampoline, the `sa_restorer` of the fault handlers \
         (runtime/src/arch/x86_64.rs)",
    ),
];

fn runtime_source() -> RuntimeSource {
    RuntimeSource::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../runtime/src"))
}

/// Every function of the table, C math ones included.
fn table() -> Vec<RtFn> {
    let mut table = RtFn::ALL.to_vec();
    table.extend(RtFn::libm_functions());
    table
}

/// What is wrong with the runtime's definition of `function`, one line each.
pub fn check_function(function: RtFn, source: &RuntimeSource) -> Vec<String> {
    let symbol = function.symbol();
    let name = format!("{symbol} (RtFn::{function:?})");
    let definitions = source.defining(symbol);
    let definition = match definitions.as_slice() {
        [] => return vec![format!("{name}: not defined in runtime/src")],
        [one] => *one,
        several => {
            let files: Vec<&str> = several.iter().map(|d| d.file.as_str()).collect();
            return vec![format!(
                "{name}: defined {} times, in {files:?}",
                several.len()
            )];
        }
    };
    let at = format!("{name} in runtime/src/{}", definition.file);
    let mut problems = Vec::new();
    if !definition.unmangled {
        problems.push(format!("{at}: not #[no_mangle] (or #[export_name])"));
    }
    let DefinitionKind::Function(defined) = &definition.kind else {
        problems.push(format!("{at}: not a Rust function"));
        return problems;
    };
    if !defined.extern_c {
        problems.push(format!("{at}: not `extern \"C\"`"));
    }
    let (params, result) = function.signature();
    check_params(&at, &params, defined, source, &mut problems);
    check_result(
        &at,
        result,
        function.diverges(),
        defined,
        source,
        &mut problems,
    );
    problems
}

fn check_params(
    at: &str,
    expected: &[Abi],
    defined: &FunctionDefinition,
    source: &RuntimeSource,
    problems: &mut Vec<String>,
) {
    let mut actual = defined.params.iter().enumerate();
    for (table_index, &abi) in expected.iter().enumerate() {
        // A string is two parameters: the address of its bytes and their number.
        let wanted: &[(Class, &str)] = match abi {
            Abi::Str => &[
                (Class::Abi(Abi::Ptr), "the address of a string's bytes"),
                (Class::Abi(Abi::I64), "a string's length"),
            ],
            _ => &[(Class::Abi(abi), "")],
        };
        for &(class, role) in wanted {
            let Some((index, (param_name, ty))) = actual.next() else {
                problems.push(format!(
                    "{at}: the table's parameter {} ({abi:?}) is missing: the runtime's \
                     function has {} parameters",
                    table_index + 1,
                    defined.params.len()
                ));
                return;
            };
            let found = param_class(ty, source);
            if found != Ok(class) {
                let role = if role.is_empty() {
                    String::new()
                } else {
                    format!(" ({role})")
                };
                let hint = if abi == Abi::I8 && found == Ok(Class::Abi(Abi::I32)) {
                    " (a byte parameter is declared `ByteArg`, which reads only the low byte)"
                } else {
                    ""
                };
                problems.push(format!(
                    "{at}, parameter {} `{param_name}: {}`: the table says {abi:?}{role}, {}{hint}",
                    index + 1,
                    type_text(ty),
                    describe(found),
                ));
            }
        }
    }
    let extra: Vec<String> = actual
        .map(|(index, (param_name, _))| format!("{} `{param_name}`", index + 1))
        .collect();
    if !extra.is_empty() {
        problems.push(format!(
            "{at}: the table's signature {expected:?} has no parameter for the runtime's {}",
            extra.join(", ")
        ));
    }
}

fn check_result(
    at: &str,
    expected: Option<Abi>,
    diverges: bool,
    defined: &FunctionDefinition,
    source: &RuntimeSource,
    problems: &mut Vec<String>,
) {
    let ty = match &defined.result {
        ReturnType::Default => None,
        ReturnType::Type(_, ty) => match &**ty {
            Type::Tuple(unit) if unit.elems.is_empty() => None,
            other => Some(other),
        },
    };
    let never = matches!(ty, Some(Type::Never(_)));
    if diverges != never {
        problems.push(if diverges {
            format!("{at}: RtFn::diverges says it never returns; the runtime must declare `-> !`")
        } else {
            format!("{at}: the runtime declares `-> !`, but RtFn::diverges says it returns")
        });
    }
    match (expected, ty) {
        (None, None) => {}
        (None, Some(_)) if never => {}
        (None, Some(ty)) => problems.push(format!(
            "{at}: the table says it returns nothing, the runtime returns `{}`",
            type_text(ty)
        )),
        (Some(abi), None) => problems.push(format!(
            "{at}: the table says it returns {abi:?}, the runtime returns nothing"
        )),
        (Some(abi), Some(ty)) => {
            let found = result_class(ty, source);
            if found != Ok(Class::Abi(abi)) {
                problems.push(format!(
                    "{at}, result `{}`: the table says {abi:?}, {}",
                    type_text(ty),
                    describe(found)
                ));
            }
        }
    }
}

fn describe(found: Result<Class, String>) -> String {
    match found {
        Ok(Class::Abi(abi)) => format!("the runtime's type is of class {abi:?}"),
        Ok(Class::Never) => "the runtime's type is `!`".to_string(),
        Err(why) => why,
    }
}

/// The `clef_rt_*` exports of the runtime that nothing here accounts for, and
/// the entries of [`NOT_CALLED_BY_GENERATED_CODE`] the runtime no longer exports.
pub fn check_exports(
    source: &RuntimeSource,
    table: &[RtFn],
    region_pointer: &str,
    not_called: &[(&str, &str)],
) -> Vec<String> {
    let known: BTreeSet<&str> = table
        .iter()
        .map(|function| function.symbol())
        .chain(not_called.iter().map(|&(symbol, _)| symbol))
        .chain([region_pointer])
        .collect();
    let mut problems = Vec::new();
    for definition in &source.definitions {
        if definition.unmangled
            && definition.symbol.starts_with("clef_rt_")
            && !known.contains(definition.symbol.as_str())
        {
            problems.push(format!(
                "runtime/src/{} exports {}, which is not in RtFn::ALL \
                 (crates/lower/src/mir.rs): add it to the table if generated code calls it, \
                 else to NOT_CALLED_BY_GENERATED_CODE in crates/runtime/tests/abi/main.rs with \
                 who does, or remove it",
                definition.file, definition.symbol
            ));
        }
    }
    for &(symbol, _) in not_called {
        if source
            .defining(symbol)
            .iter()
            .all(|definition| !definition.unmangled)
        {
            problems.push(format!(
                "{symbol} is on NOT_CALLED_BY_GENERATED_CODE but the runtime does not export it"
            ));
        }
    }
    problems
}

/// What is wrong with the runtime's definition of the region pointer: one
/// exported static of type `Global<*mut Region>` (`Global` being transparent).
pub fn check_region_pointer(symbol: &str, source: &RuntimeSource) -> Vec<String> {
    let definitions = source.defining(symbol);
    let [definition] = definitions.as_slice() else {
        return vec![format!(
            "{symbol} (the current region, read by Alex's inline allocation): defined {} times \
             in runtime/src, expected once",
            definitions.len()
        )];
    };
    let at = format!("{symbol} in runtime/src/{}", definition.file);
    let mut problems = Vec::new();
    if !definition.unmangled {
        problems.push(format!(
            "{at}: not exported (#[export_name] or #[no_mangle])"
        ));
    }
    match &definition.kind {
        DefinitionKind::Static(ty) => {
            if param_class(ty, source) != Ok(Class::Abi(Abi::Ptr)) {
                problems.push(format!(
                    "{at}: Alex loads it as a pointer, but its type is `{}` (expected \
                     `Global<*mut Region>` or a raw pointer)",
                    type_text(ty)
                ));
            }
        }
        _ => problems.push(format!("{at}: not a static")),
    }
    problems
}

fn assert_no_problems(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "the runtime and the compiler's ABI table (RtFn, crates/lower/src/mir.rs) \
         disagree:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn every_runtime_function_of_the_table_is_defined_once_with_its_abi() {
    let source = runtime_source();
    assert_no_problems(
        RtFn::ALL
            .iter()
            .flat_map(|&function| check_function(function, &source))
            .collect(),
    );
}

#[test]
fn every_c_math_function_lowering_may_call_is_defined_with_its_abi() {
    let source = runtime_source();
    let libm = RtFn::libm_functions();
    assert!(libm.contains(&RtFn::Libm("sqrtf", 32, 1)) && libm.contains(&RtFn::Libm("pow", 64, 2)));
    assert_no_problems(
        libm.iter()
            .flat_map(|&function| check_function(function, &source))
            .collect(),
    );
}

#[test]
fn the_table_names_each_function_once() {
    let table = table();
    let mut seen = BTreeSet::new();
    for function in &table {
        assert!(
            seen.insert(function.symbol()),
            "{} is in the table twice",
            function.symbol()
        );
    }
    for function in RtFn::ALL {
        assert!(
            function.symbol().starts_with("clef_rt_"),
            "{function:?} is {}",
            function.symbol()
        );
    }
}

#[test]
fn the_runtime_exports_no_clef_rt_function_the_table_does_not_know() {
    let source = runtime_source();
    let region_pointer = emitted_region_pointer();
    assert_no_problems(check_exports(
        &source,
        &table(),
        &region_pointer,
        NOT_CALLED_BY_GENERATED_CODE,
    ));
}

#[test]
fn the_region_pointer_alex_reads_is_exported_by_the_runtime() {
    assert_no_problems(check_region_pointer(
        &emitted_region_pointer(),
        &runtime_source(),
    ));
}

/// Alex declares `clef_rt_try_readln` itself for `Rvalue::TryReadln`; the
/// declaration must be the one it derives from the table for a call of
/// `RtFn::TryReadln`.
#[test]
fn alex_declares_try_readln_as_the_table_says() {
    let from_rvalue = emit_one_function(
        vec![Local {
            name: "line".into(),
            ty: Ty::Option(Box::new(Ty::Str)),
        }],
        0,
        Stmt::Assign(LocalId(0), Rvalue::TryReadln),
    );
    let from_table = emit_one_function(
        vec![
            Local {
                name: "slot".into(),
                ty: Ty::Ptr,
            },
            Local {
                name: "got".into(),
                ty: Ty::Bool,
            },
        ],
        1,
        Stmt::Assign(
            LocalId(1),
            Rvalue::Call(
                Callee::Runtime(RtFn::TryReadln),
                vec![Operand::Local(LocalId(0))],
            ),
        ),
    );
    let symbol = RtFn::TryReadln.symbol();
    let declaration = |module: &str| -> String {
        let declarations: Vec<&str> = module
            .lines()
            .map(str::trim)
            .filter(|line| line.starts_with(&format!("func.func private @{symbol}(")))
            .collect();
        assert_eq!(declarations.len(), 1, "{module}");
        declarations[0].to_string()
    };
    assert_eq!(
        declaration(&from_rvalue),
        declaration(&from_table),
        "Alex's own declaration for Rvalue::TryReadln (left, crates/alex/src/module.rs) is \
         not the one the table's RtFn::TryReadln gives (right)"
    );
}

/// The symbol of the region pointer in a module that allocates inline.
fn emitted_region_pointer() -> String {
    let module = emit_one_function(
        vec![Local {
            name: "cell".into(),
            ty: Ty::Boxed(Box::new(Ty::I64)),
        }],
        0,
        Stmt::Assign(LocalId(0), Rvalue::Box(Operand::Const(Const::i64(1)))),
    );
    let globals: Vec<&str> = module
        .lines()
        .filter_map(|line| line.trim().strip_prefix("llvm.mlir.global external @"))
        .filter_map(|rest| rest.split('(').next())
        .collect();
    assert_eq!(
        globals.len(),
        1,
        "one external global expected in:\n{module}"
    );
    globals[0].to_string()
}

/// The MLIR of a program of one function whose first `params` locals are its
/// parameters and whose body is `stmt`.
fn emit_one_function(locals: Vec<Local>, params: u32, stmt: Stmt) -> String {
    let program = Program {
        functions: vec![Function {
            name: "abi_probe".into(),
            params: (0..params).map(LocalId).collect(),
            ret: Ty::Unit,
            locals,
            blocks: vec![Block {
                stmts: vec![stmt],
                terminator: Terminator::Return(Operand::Const(Const::Unit)),
            }],
            is_export: false,
            coroutine: false,
        }],
        ..Program::default()
    };
    composer_alex::emit_module(&program)
}
