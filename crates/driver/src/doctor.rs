//! `composer doctor`: is the toolchain there, which versions, does each target work?
//!
//! The exit status follows the default target ([`Target::DEFAULT`]): the others are
//! reported, with how to enable them, but a machine without an emulator is not broken.

use crate::toolchain::{install_hint, tool_version, Backend, BackendRequest, ExternalTools, Tool};
use composer_target::Target;
use std::time::Instant;

/// A program in the form the front end produces (portable dialects, `llvm` at the
/// platform edge) that prints [`PROBE_OUTPUT`] through the runtime and exits with 0.
pub const PROBE_MLIR: &str = r#"module {
  llvm.mlir.global internal constant @message("composer doctor: ok\0A") {addr_space = 0 : i32}
  llvm.func @clef_rt_write(i32, !llvm.ptr, i64)
  func.func @clef_main(%args: !llvm.ptr, %count: i64) -> i32 {
    %text = llvm.mlir.addressof @message : !llvm.ptr
    %stdout = arith.constant 1 : i32
    %length = arith.constant 20 : i64
    llvm.call @clef_rt_write(%stdout, %text, %length) : (i32, !llvm.ptr, i64) -> ()
    %zero = arith.constant 0 : i32
    return %zero : i32
  }
}
"#;

/// What [`PROBE_MLIR`] prints.
pub const PROBE_OUTPUT: &str = "composer doctor: ok\n";

/// Prints the report; returns the exit status (0 all good, 2 something is missing).
pub fn run() -> u8 {
    let backend = ExternalTools::from_env();
    println!("Composer {}", env!("CARGO_PKG_VERSION"));
    println!("tools (searched {}):", backend.search.describe());
    let mut missing_required = false;
    let mut missing_optional = false;
    for &tool in Tool::REQUIRED.iter().chain(Tool::OPTIONAL) {
        let required = Tool::REQUIRED.contains(&tool);
        match backend.search.find(tool.name()) {
            Some(path) => {
                let version = tool_version(&path).unwrap_or_else(|| "version unknown".into());
                let warning = if version.contains(" 19.") {
                    ""
                } else {
                    "  (warning: Composer is tested with LLVM 19)"
                };
                println!(
                    "  {:<15} {}  ({version}){warning}",
                    tool.name(),
                    path.display()
                );
            }
            None => {
                let role = if required {
                    missing_required = true;
                    "MISSING (required)"
                } else {
                    missing_optional = true;
                    "missing (needed only for --emit llvm/asm)"
                };
                println!("  {:<15} {role}", tool.name());
            }
        }
    }
    if missing_required {
        println!("targets: not usable (tools missing)");
        println!("to fix: {}", install_hint());
        return 2;
    }
    if missing_optional {
        println!("to install the optional tools: {}", install_hint());
    }
    let mut status = 0;
    for &target in composer_target::ALL {
        match probe_target(&backend, target) {
            Ok(elapsed_ms) => println!(
                "target {target}: ok (compiled, linked and ran a test program in {elapsed_ms} ms)"
            ),
            Err(problem) => {
                println!("target {target}: not usable: {problem}");
                if target == Target::DEFAULT {
                    println!("to fix: {}", install_hint());
                    status = 2;
                }
            }
        }
    }
    status
}

/// Builds [`PROBE_MLIR`] for `target` and runs it (under its emulator when this
/// machine cannot run it); returns the build time in milliseconds.
fn probe_target(backend: &ExternalTools, target: Target) -> Result<u128, String> {
    let runtime_archive = crate::runtime_archive(target)?;
    let dir = tempfile::tempdir().map_err(|e| format!("cannot create a temporary folder: {e}"))?;
    let executable = dir.path().join("probe");
    let started = Instant::now();
    let timings = backend
        .compile(&BackendRequest {
            mlir: PROBE_MLIR,
            opt_level: 2,
            output: &executable,
            llvm_ir_output: None,
            asm_output: None,
            target,
            runtime_archive,
        })
        .map_err(|e| e.to_string())?;
    let elapsed = started.elapsed().as_millis();
    if std::env::var("CLEF_TIMINGS").is_ok_and(|v| !v.is_empty() && v != "0") {
        for (step, duration) in timings.steps {
            eprintln!(
                "timing: back end: {step:<14} {:>8.1} ms",
                duration.as_secs_f64() * 1000.0
            );
        }
    }
    let output = crate::compile::program_command(&executable, target)?
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("cannot run the test program: {e}"))?;
    if output.status.success() && output.stdout == PROBE_OUTPUT.as_bytes() {
        Ok(elapsed)
    } else {
        Err(format!(
            "the test program printed {:?} and exited with {}",
            String::from_utf8_lossy(&output.stdout),
            output.status
        ))
    }
}
