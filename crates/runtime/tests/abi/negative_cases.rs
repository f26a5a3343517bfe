//! Every check of `main.rs` fails on a runtime that disagrees with the table, and
//! says which function and which parameter: small made-up runtime sources, each
//! with one mistake.

use composer_lower::mir::RtFn;

use crate::source::RuntimeSource;
use crate::{check_exports, check_function, check_region_pointer};

/// The runtime's ABI types, as `lib.rs` and `abi.rs` define them.
const TYPES: &str = r#"
#[repr(C)]
pub struct Str { pub ptr: *const u8, pub len: i64 }
#[repr(transparent)]
pub struct ByteArg(u32);
#[repr(transparent)]
pub struct Global<T>(UnsafeCell<T>);
"#;

fn source(definitions: &str) -> RuntimeSource {
    RuntimeSource::parse(&[("lib.rs", TYPES), ("abi.rs", definitions)]).expect("parses")
}

/// Asserts that checking `function` against `definitions` reports one problem
/// containing every fragment of `expected`.
fn assert_reports(function: RtFn, definitions: &str, expected: &[&str]) {
    let problems = check_function(function, &source(definitions));
    assert!(
        problems
            .iter()
            .any(|problem| expected.iter().all(|fragment| problem.contains(fragment))),
        "expected a problem containing {expected:?}, got {problems:#?}"
    );
}

const PARSE_INT: &str = r#"
#[no_mangle]
pub unsafe extern "C" fn clef_rt_parse_int(ptr: *const u8, len: i64, bits: u32, is_signed: ByteArg) -> i64 { 0 }
"#;

#[test]
fn a_definition_that_agrees_has_no_problems() {
    assert_eq!(
        check_function(RtFn::ParseInt, &source(PARSE_INT)),
        Vec::<String>::new()
    );
}

/// One mistake each in [`PARSE_INT`]: the text replaced, its replacement, and
/// fragments of the one report it must cause.
const PARSE_INT_MISTAKES: &[(&str, &str, &[&str])] = &[
    (
        "is_signed: ByteArg",
        "is_signed: i64",
        &[
            "clef_rt_parse_int (RtFn::ParseInt) in runtime/src/abi.rs",
            "parameter 4 `is_signed: i64`",
            "the table says I8",
            "class I64",
        ],
    ),
    (
        "is_signed: ByteArg",
        "is_signed: u8",
        &[
            "parameter 4 `is_signed: u8`",
            "declare the parameter `ByteArg`",
        ],
    ),
    (
        "is_signed: ByteArg",
        "is_signed: u32",
        &["parameter 4 `is_signed: u32`", "declared `ByteArg`"],
    ),
    (
        "len: i64",
        "len: i32",
        &[
            "parameter 2 `len: i32`",
            "the table says Str (a string's length)",
        ],
    ),
    (
        ", is_signed: ByteArg",
        "",
        &["the table's parameter 3 (I8) is missing"],
    ),
    (
        "is_signed: ByteArg",
        "is_signed: ByteArg, base: u32",
        &["has no parameter for the runtime's 5 `base`"],
    ),
    ("-> i64", "-> i32", &["result `i32`: the table says I64"]),
    ("#[no_mangle]", "", &["not #[no_mangle]"]),
    ("extern \"C\" ", "", &["not `extern \"C\"`"]),
];

#[test]
fn each_mistake_in_a_definition_is_reported_with_its_function_and_parameter() {
    for &(replaced, replacement, expected) in PARSE_INT_MISTAKES {
        assert!(PARSE_INT.contains(replaced), "{replaced}");
        assert_reports(
            RtFn::ParseInt,
            &PARSE_INT.replace(replaced, replacement),
            expected,
        );
    }
}

#[test]
fn a_function_must_be_defined_exactly_once() {
    assert_reports(
        RtFn::ParseInt,
        &format!("{PARSE_INT}\nmod again {{ {PARSE_INT} }}"),
        &["clef_rt_parse_int (RtFn::ParseInt): defined 2 times"],
    );
    assert_reports(RtFn::ParseInt, "", &["not defined in runtime/src"]);
}

#[test]
fn divergence_must_agree() {
    assert_reports(
        RtFn::Exit,
        "#[no_mangle] pub extern \"C\" fn clef_rt_exit(code: i32) {}",
        &["declare `-> !`"],
    );
    assert_reports(
        RtFn::Readln,
        "#[no_mangle] pub extern \"C\" fn clef_rt_readln() -> ! {}",
        &["RtFn::diverges says it returns"],
    );
}

#[test]
fn a_string_result_must_be_a_repr_c_pair() {
    let definitions = "
        pub struct Text { ptr: *const u8, len: i64 }
        #[no_mangle] pub extern \"C\" fn clef_rt_readln() -> Text { todo!() }";
    assert_reports(
        RtFn::Readln,
        definitions,
        &["`Text`, which is not #[repr(C)]"],
    );
    let definitions = "
        #[repr(C)] pub struct Text { ptr: *const u8, len: u32 }
        #[no_mangle] pub extern \"C\" fn clef_rt_readln() -> Text { todo!() }";
    assert_reports(
        RtFn::Readln,
        definitions,
        &["not a pointer and a 64-bit length"],
    );
}

#[test]
fn c_math_macro_entries_are_checked_too() {
    let math = r#"
        macro_rules! c_math {
            ($($name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {
                $( #[no_mangle] pub extern "C" fn $name($($arg: $ty),*) -> $ret { libm::$name($($arg),*) } )*
            };
        }
        c_math! {
            sqrtf(x: f64) -> f32;
        }
    "#;
    assert_reports(
        RtFn::Libm("sqrtf", 32, 1),
        math,
        &[
            "sqrtf (RtFn::Libm(\"sqrtf\", 32, 1))",
            "parameter 1 `x: f64`: the table says F32",
        ],
    );
}

#[test]
fn an_export_outside_the_table_is_reported() {
    let source = source(
        "#[no_mangle] pub extern \"C\" fn clef_rt_flush() {}
         core::arch::global_asm!(\".globl clef_rt_trampoline\", \"clef_rt_trampoline: ret\");",
    );
    let problems = check_exports(&source, RtFn::ALL, "clef_rt_current_region", &[]);
    assert!(
        problems
            .iter()
            .any(|problem| problem.contains("exports clef_rt_flush")),
        "{problems:#?}"
    );
    let problems = check_exports(
        &source,
        RtFn::ALL,
        "clef_rt_current_region",
        &[("clef_rt_flush", "test"), ("clef_rt_gone", "test")],
    );
    assert!(
        problems
            .iter()
            .any(|problem| problem.contains("exports clef_rt_trampoline"))
            && problems
                .iter()
                .any(|problem| problem.contains("clef_rt_gone is on NOT_CALLED_BY_GENERATED_CODE"))
            && !problems
                .iter()
                .any(|problem| problem.contains("clef_rt_flush")),
        "{problems:#?}"
    );
}

#[test]
fn the_region_pointer_must_be_an_exported_pointer() {
    let good = "#[export_name = \"clef_rt_current_region\"]
                static CURRENT: Global<*mut Region> = Global::new(ROOT.as_ptr());";
    assert_eq!(
        check_region_pointer("clef_rt_current_region", &source(good)),
        Vec::<String>::new()
    );
    let problems = check_region_pointer(
        "clef_rt_current_region",
        &source(&good.replace("Global<*mut Region>", "Global<usize>")),
    );
    assert!(
        problems
            .iter()
            .any(|problem| problem.contains("Alex loads it as a pointer")),
        "{problems:#?}"
    );
    let problems = check_region_pointer("clef_rt_current_region", &source(""));
    assert!(
        problems
            .iter()
            .any(|problem| problem.contains("defined 0 times")),
        "{problems:#?}"
    );
}

/// Lowering names C math functions itself (`RtFn::Libm(name, ..)`); one missing
/// from `RtFn::libm_functions` would escape the checks above, so asking its
/// signature is a compiler bug in debug builds (every test build).
#[cfg(debug_assertions)]
#[test]
#[should_panic(expected = "is not in RtFn::libm_functions")]
fn a_c_math_function_outside_the_table_is_a_compiler_bug() {
    let _ = RtFn::Libm("hypot", 64, 2).signature();
}
