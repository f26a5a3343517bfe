//! The back half of the compiler without the front end: hand-written MLIR, in the
//! form Alex emits, through the external tools and the runtime to a running program.

use composer_driver::toolchain::{
    Backend, BackendError, BackendRequest, ExternalTools, ToolSearch,
};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const HELLO_MLIR: &str = r#"module {
  llvm.mlir.global internal constant @greeting("hello\0A") {addr_space = 0 : i32}
  llvm.func @clef_rt_write(i32, !llvm.ptr, i64)
  func.func @clef_main(%args: !llvm.ptr, %count: i64) -> i32 {
    %text = llvm.mlir.addressof @greeting : !llvm.ptr
    %stdout = arith.constant 1 : i32
    %length = arith.constant 6 : i64
    llvm.call @clef_rt_write(%stdout, %text, %length) : (i32, !llvm.ptr, i64) -> ()
    %status = arith.constant 0 : i32
    return %status : i32
  }
}
"#;

/// Sums 1..=count with an `scf.for` loop and returns the sum mod 256 as the status,
/// so the portable dialects, not just `llvm`, go through the pipeline.
const LOOP_MLIR: &str = r#"module {
  func.func @clef_main(%args: !llvm.ptr, %count: i64) -> i32 {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c11 = arith.constant 11 : index
    %zero = arith.constant 0 : i64
    %sum = scf.for %i = %c1 to %c11 step %c1 iter_args(%acc = %zero) -> (i64) {
      %iv = arith.index_cast %i : index to i64
      %next = arith.addi %acc, %iv : i64
      scf.yield %next : i64
    }
    %status = arith.trunci %sum : i64 to i32
    return %status : i32
  }
}
"#;

fn backend() -> ExternalTools {
    let backend = ExternalTools::from_env();
    if let Err(error) = backend.check_required() {
        panic!("the LLVM/MLIR 19 tools are missing: run scripts/setup.sh\n{error}");
    }
    backend
}

fn llvm_tool(name: &str) -> PathBuf {
    ToolSearch::from_env()
        .find(name)
        .unwrap_or_else(|| panic!("the LLVM 19 tool {name} is missing: run scripts/setup.sh"))
}

fn build(mlir: &str, dir: &Path, opt_level: u8) -> Result<PathBuf, BackendError> {
    let output = dir.join("program");
    backend().compile(&BackendRequest {
        mlir,
        opt_level,
        output: &output,
        llvm_ir_output: None,
        asm_output: None,
        target: composer_driver::Target::DEFAULT,
        runtime_archive: composer_driver::runtime_archive(composer_driver::Target::DEFAULT)
            .expect("runtime"),
    })?;
    Ok(output)
}

fn run(executable: &Path) -> std::process::Output {
    Command::new(executable)
        .stdin(Stdio::null())
        .output()
        .expect("the program runs")
}

fn tool_output(tool: &str, args: &[&str]) -> String {
    let output = Command::new(llvm_tool(tool))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {tool}: {e}"));
    assert!(
        output.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn hello_is_a_small_static_freestanding_executable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let executable = build(HELLO_MLIR, dir.path(), 2).expect("builds");
    let output = run(&executable);
    assert_eq!(String::from_utf8_lossy(&output.stdout), "hello\n");
    assert_eq!(output.status.code(), Some(0));

    let path = executable.to_str().expect("utf-8 path");
    let dynamic = tool_output("llvm-readelf", &["-d", path]);
    // GNU readelf says "There is no dynamic section"; llvm-readelf prints nothing.
    assert!(
        !dynamic.contains("Dynamic section") && !dynamic.contains("NEEDED"),
        "expected no dynamic section, readelf -d says:\n{dynamic}"
    );
    let headers = tool_output("llvm-readelf", &["-l", path]);
    assert!(
        !headers.contains("DYNAMIC") && !headers.contains("INTERP"),
        "expected a static executable, readelf -l says:\n{headers}"
    );
    let symbols = tool_output("llvm-nm", &[path]);
    for forbidden in ["malloc", "printf", "free", "__libc"] {
        assert!(
            !symbols
                .lines()
                .any(|l| l.ends_with(&format!(" {forbidden}")) || l.contains(forbidden)),
            "`{forbidden}` is linked in:\n{symbols}"
        );
    }
    let size = std::fs::metadata(&executable).expect("metadata").len();
    assert!(size < 16 * 1024, "hello is {size} bytes, expected < 16 KiB");
}

#[test]
fn exit_status_is_clef_main_result_and_scf_lowers() {
    let dir = tempfile::tempdir().expect("temp dir");
    for level in [0, 2] {
        let executable = build(LOOP_MLIR, dir.path(), level).expect("builds");
        let output = run(&executable);
        assert_eq!(output.status.code(), Some(55), "at -O{level}");
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn llvm_ir_and_assembly_are_written_when_asked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = dir.path().join("hello");
    let ll = dir.path().join("hello.ll");
    let asm = dir.path().join("hello.s");
    backend()
        .compile(&BackendRequest {
            mlir: HELLO_MLIR,
            opt_level: 1,
            output: &output,
            llvm_ir_output: Some(&ll),
            asm_output: Some(&asm),
            target: composer_driver::Target::DEFAULT,
            runtime_archive: composer_driver::runtime_archive(composer_driver::Target::DEFAULT)
                .expect("runtime"),
        })
        .expect("builds");
    let ir = std::fs::read_to_string(&ll).expect("llvm ir written");
    assert!(ir.contains("define") && ir.contains("@clef_main"), "{ir}");
    let assembly = std::fs::read_to_string(&asm).expect("assembly written");
    assert!(assembly.contains("clef_main:"), "{assembly}");
}

#[test]
fn a_tool_failing_on_generated_input_is_an_internal_error_that_keeps_the_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let error = build("module { this is not mlir }", dir.path(), 0).expect_err("fails");
    let text = error.to_string();
    assert!(
        text.starts_with("internal compiler error: mlir-opt failed"),
        "{text}"
    );
    let BackendError::ToolFailed { kept, .. } = error else {
        panic!("expected ToolFailed, got {text}")
    };
    let kept_input = kept.join("input.mlir");
    assert!(kept_input.exists(), "{} was not kept", kept_input.display());
    let _ = std::fs::remove_dir_all(kept);
}
