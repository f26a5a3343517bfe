//! Builds `runtime/` (a separate `no_std` staticlib package) with a nested
//! `cargo build` and leaves `libclef_runtime.a` in `OUT_DIR` for
//! `include_bytes!`.
//!
//! The nested cargo runs with a cleaned environment: the variables the outer
//! build sets for build scripts (`RUSTFLAGS`, `CARGO_ENCODED_RUSTFLAGS`,
//! `CARGO_TARGET_DIR`, `CARGO_BUILD_*`, `RUSTC_WRAPPER`, clippy's
//! `RUSTC_WORKSPACE_WRAPPER`, the jobserver in `CARGO_MAKEFLAGS`, `CARGO_CFG_*`,
//! `CARGO_FEATURE_*`, ...) would otherwise leak into it and into the build
//! scripts of its dependencies. Only a whitelist (paths, toolchain selection,
//! registry and network settings) is passed on. Cargo does not hold its
//! package-cache lock while build scripts run, so the nested cargo may fetch
//! `libm` if the cache lacks it; `CARGO_NET_OFFLINE` is passed on.
//!
//! Afterwards the debug sections are stripped from the archive with the first
//! `objcopy` found (LLVM 19's, `llvm-objcopy`, binutils' `objcopy`): the
//! precompiled `core` and `compiler_builtins` objects carry debug info that
//! would otherwise make a hello world 100 KB on disk instead of 5 KB. Without
//! an `objcopy` the unstripped archive is used and a warning printed.

use std::env;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET_TRIPLE: &str = "x86_64-unknown-linux-gnu";
const ARCHIVE_NAME: &str = "libclef_runtime.a";

/// Environment variables passed to the nested cargo unchanged.
const PASSED_VARIABLES: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "TMPDIR",
    "CARGO_HOME",
    "RUSTUP_HOME",
    "RUSTUP_TOOLCHAIN",
    "RUSTC",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
];

/// Prefixes of environment variables passed on (registry and network config).
const PASSED_PREFIXES: &[&str] = &[
    "CARGO_NET_",
    "CARGO_HTTP_",
    "CARGO_REGISTRIES_",
    "CARGO_REGISTRY_",
];

fn passes(name: &str) -> bool {
    PASSED_VARIABLES.contains(&name)
        || PASSED_PREFIXES
            .iter()
            .any(|prefix| name.starts_with(prefix))
}

fn main() {
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let runtime_dir = manifest_dir.join("../../runtime");
    let runtime_dir = runtime_dir.canonicalize().unwrap_or_else(|error| {
        panic!(
            "runtime sources not found at {}: {error}",
            runtime_dir.display()
        )
    });
    for watched in ["src", "Cargo.toml", "Cargo.lock"] {
        println!(
            "cargo:rerun-if-changed={}",
            runtime_dir.join(watched).display()
        );
    }

    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let target_dir = out_dir.join("rt-target");
    let cargo = env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));

    let mut command = Command::new(&cargo);
    command
        .current_dir(&runtime_dir)
        .env_clear()
        .envs(env::vars_os().filter(|(name, _)| name.to_str().is_some_and(passes)))
        .env("CARGO_TERM_COLOR", "never")
        .arg("build")
        .arg("--manifest-path")
        .arg(runtime_dir.join("Cargo.toml"))
        .arg("--release")
        .arg("--locked")
        .arg("--target")
        .arg(TARGET_TRIPLE)
        .arg("--target-dir")
        .arg(&target_dir);
    let status = command.status().unwrap_or_else(|error| {
        panic!(
            "could not run {} to build the runtime: {error}",
            Path::new(&cargo).display()
        )
    });
    assert!(
        status.success(),
        "building the Clef runtime (runtime/) failed: {status}"
    );

    let built = target_dir
        .join(TARGET_TRIPLE)
        .join("release")
        .join(ARCHIVE_NAME);
    let archive = out_dir.join(ARCHIVE_NAME);
    if !strip_debug_sections(&built, &archive) {
        fs::copy(&built, &archive)
            .unwrap_or_else(|error| panic!("copying {} failed: {error}", built.display()));
    }
}

/// Writes `input` without debug sections to `output`; false if no `objcopy`
/// could do it.
fn strip_debug_sections(input: &Path, output: &Path) -> bool {
    let candidates = [
        "/usr/lib/llvm-19/bin/llvm-objcopy",
        "llvm-objcopy-19",
        "llvm-objcopy",
        "objcopy",
    ];
    for tool in candidates {
        let result = Command::new(tool)
            .arg("--strip-debug")
            .arg(input)
            .arg(output)
            .output();
        if let Ok(result) = result {
            if result.status.success() {
                return true;
            }
        }
    }
    println!(
        "cargo:warning=no objcopy found: the runtime archive keeps its debug sections (programs stay correct but larger)"
    );
    false
}
