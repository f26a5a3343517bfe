//! Builds `runtime/` (a separate `no_std` staticlib package) once per runtime
//! target with a nested `cargo build`, leaves each `libclef_runtime.a` in
//! `OUT_DIR/<clef target>/`, and writes `OUT_DIR/archives.rs`, the table that
//! `src/lib.rs` includes: every target in [`RUNTIME_TARGETS`] with its archive,
//! or the reason it was not built.
//!
//! * `x86_64-linux` is required: it is built with the toolchain that builds the
//!   workspace (rustup's), and a failure fails the build, as before.
//! * `aarch64-linux` is optional: it needs a `rustc` whose sysroot holds `core`
//!   for `aarch64-unknown-linux-gnu` (`no_std` needs nothing else). The first of
//!   cargo's own `rustc` (rustup's, if `rustup target add` was run) and
//!   `/usr/bin/rustc` (Debian's `rustc-web` with `libstd-rust-web-dev:arm64`,
//!   what `scripts/setup.sh` installs) that has it is passed to the nested
//!   cargo as `RUSTC`. Without one, or when that build fails, a
//!   `cargo:warning` says why and the table records the reason; the x86_64
//!   build is never failed by it.
//!
//! The two nested builds run at the same time (each is one crate at
//! `codegen-units = 1`, so about one core each), in separate target
//! directories.
//!
//! The nested cargo runs with a cleaned environment: the variables the outer
//! build sets for build scripts (`RUSTFLAGS`, `CARGO_ENCODED_RUSTFLAGS`,
//! `CARGO_TARGET_DIR`, `CARGO_BUILD_*`, `RUSTC_WRAPPER`, clippy's
//! `RUSTC_WORKSPACE_WRAPPER`, the jobserver in `CARGO_MAKEFLAGS`, `CARGO_CFG_*`,
//! `CARGO_FEATURE_*`, ...) would otherwise leak into it and into the build
//! scripts of its dependencies. Only a whitelist (paths, toolchain selection,
//! registry and network settings) is passed on, plus `RUSTC` when a target
//! needs its own compiler. Cargo does not hold its package-cache lock while
//! build scripts run, so the nested cargo may fetch `libm` if the cache lacks
//! it; `CARGO_NET_OFFLINE` is passed on.
//!
//! Afterwards the debug sections are stripped from each archive with the first
//! `objcopy` found (LLVM 19's, `llvm-objcopy`, binutils' `objcopy`): the
//! precompiled `core` and `compiler_builtins` objects carry debug info that
//! would otherwise make a hello world 100 KB on disk instead of 5 KB. Without
//! an `objcopy` the unstripped archive is used and a warning printed.

use std::env;
use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const ARCHIVE_NAME: &str = "libclef_runtime.a";

/// A target the runtime is built for.
struct RuntimeTarget {
    /// The Clef target name (`compilation.target` in a project file).
    clef_name: &'static str,
    /// The Rust target the runtime is compiled for.
    rust_triple: &'static str,
    /// Built with the workspace's toolchain, and its failure fails the build.
    /// An optional target needs a `rustc` with its `core` (see the module
    /// documentation) and is left out when there is none.
    required: bool,
}

/// Every runtime target, in the order `composer_runtime` lists them: the targets of
/// `composer_target` (the one owner of their facts), the default first. The first
/// is the default target, which is always built.
const RUNTIME_TARGETS: &[RuntimeTarget] = &{
    let all = composer_target::ALL;
    let mut out = [const {
        RuntimeTarget {
            clef_name: "",
            rust_triple: "",
            required: false,
        }
    }; composer_target::ALL.len()];
    let mut i = 0;
    while i < all.len() {
        out[i] = RuntimeTarget {
            clef_name: all[i].name,
            rust_triple: all[i].runtime_triple,
            // The default target is built with the workspace's own toolchain.
            required: i == 0,
        };
        i += 1;
    }
    out
};

/// A `rustc` to try for an optional target after cargo's own: Debian's, which
/// `scripts/setup.sh` installs together with its `core` for aarch64.
const SYSTEM_RUSTC: &str = "/usr/bin/rustc";

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

/// What became of one target.
enum Outcome {
    Built(PathBuf),
    NotBuilt(String),
}

/// A nested build in progress.
struct NestedBuild {
    target: &'static RuntimeTarget,
    child: Child,
    built: PathBuf,
    /// The `rustc` given to the nested cargo, if not cargo's own.
    rustc: Option<PathBuf>,
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
    let cargo = env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));

    let mut outcomes: Vec<Option<Outcome>> = Vec::new();
    let mut builds = Vec::new();
    for target in RUNTIME_TARGETS {
        let rustc = if target.required {
            None
        } else {
            match rustc_with_core(target.rust_triple) {
                Ok(rustc) => Some(rustc),
                Err(reason) => {
                    outcomes.push(Some(Outcome::NotBuilt(reason)));
                    continue;
                }
            }
        };
        outcomes.push(None);
        builds.push(start_nested_build(
            &cargo,
            &runtime_dir,
            &out_dir,
            target,
            rustc,
        ));
    }

    // Fill in the outcomes of the builds, in target order.
    let mut builds = builds.into_iter();
    let outcomes: Vec<Outcome> = outcomes
        .into_iter()
        .map(|outcome| {
            outcome.unwrap_or_else(|| {
                let build = builds.next().expect("one nested build per open outcome");
                finish_nested_build(build, &out_dir)
            })
        })
        .collect();

    for (target, outcome) in RUNTIME_TARGETS.iter().zip(&outcomes) {
        if let Outcome::NotBuilt(reason) = outcome {
            println!(
                "cargo:warning=the Clef runtime for {} is not built: {reason}",
                target.clef_name
            );
        }
    }
    let table = archive_table(&outcomes);
    fs::write(out_dir.join("archives.rs"), table).expect("write OUT_DIR/archives.rs");
}

/// Starts `cargo build` of the runtime for `target`, with `rustc` as `RUSTC`
/// when given. A required target's output goes to the build script's output;
/// an optional one's is captured for the warning if it fails.
fn start_nested_build(
    cargo: &OsStr,
    runtime_dir: &Path,
    out_dir: &Path,
    target: &'static RuntimeTarget,
    rustc: Option<PathBuf>,
) -> NestedBuild {
    let target_dir = out_dir.join(format!("rt-{}", target.rust_triple));
    let mut command = Command::new(cargo);
    command
        .current_dir(runtime_dir)
        .env_clear()
        .envs(env::vars_os().filter(|(name, _)| name.to_str().is_some_and(passes)))
        .env("CARGO_TERM_COLOR", "never")
        .arg("build")
        .arg("--manifest-path")
        .arg(runtime_dir.join("Cargo.toml"))
        .arg("--release")
        .arg("--locked")
        .arg("--target")
        .arg(target.rust_triple)
        .arg("--target-dir")
        .arg(&target_dir);
    if let Some(rustc) = &rustc {
        command.env("RUSTC", rustc);
    }
    if !target.required {
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    let child = command.spawn().unwrap_or_else(|error| {
        panic!(
            "could not run {} to build the runtime: {error}",
            Path::new(cargo).display()
        )
    });
    NestedBuild {
        target,
        child,
        built: target_dir
            .join(target.rust_triple)
            .join("release")
            .join(ARCHIVE_NAME),
        rustc,
    }
}

/// Waits for a nested build and copies its archive, stripped, to
/// `OUT_DIR/<clef target>/`. Panics if a required target failed.
fn finish_nested_build(build: NestedBuild, out_dir: &Path) -> Outcome {
    let NestedBuild {
        target,
        child,
        built,
        rustc,
    } = build;
    let output = child
        .wait_with_output()
        .unwrap_or_else(|error| panic!("waiting for the runtime build failed: {error}"));
    if !output.status.success() {
        assert!(
            !target.required,
            "building the Clef runtime (runtime/) for {} failed: {}",
            target.rust_triple, output.status
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last_lines: Vec<&str> = stderr
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .rev()
            .take(5)
            .collect();
        let rustc = rustc.as_deref().unwrap_or(Path::new("rustc"));
        return Outcome::NotBuilt(format!(
            "cargo build --target {} with {} failed ({}): {}",
            target.rust_triple,
            rustc.display(),
            output.status,
            last_lines.into_iter().rev().collect::<Vec<_>>().join(" | ")
        ));
    }
    let archive_dir = out_dir.join(target.clef_name);
    fs::create_dir_all(&archive_dir)
        .unwrap_or_else(|error| panic!("creating {} failed: {error}", archive_dir.display()));
    let archive = archive_dir.join(ARCHIVE_NAME);
    if !strip_debug_sections(&built, &archive) {
        fs::copy(&built, &archive)
            .unwrap_or_else(|error| panic!("copying {} failed: {error}", built.display()));
    }
    Outcome::Built(archive)
}

/// The first `rustc` whose sysroot has `core` for `rust_triple`: cargo's own
/// (`RUSTC`, rustup's proxy in a normal setup), then [`SYSTEM_RUSTC`]. The
/// error says what was tried.
fn rustc_with_core(rust_triple: &str) -> Result<PathBuf, String> {
    let own = env::var_os("RUSTC").unwrap_or_else(|| OsString::from("rustc"));
    let mut tried = Vec::new();
    for rustc in [PathBuf::from(own), PathBuf::from(SYSTEM_RUSTC)] {
        if tried.iter().any(|(seen, _)| seen == &rustc) {
            continue;
        }
        match target_libdir_with_core(&rustc, rust_triple) {
            Ok(libdir) => {
                // A later `rustup target add` or package upgrade rebuilds.
                println!("cargo:rerun-if-changed={}", libdir.display());
                return Ok(rustc);
            }
            Err(why) => tried.push((rustc, why)),
        }
    }
    let tried: Vec<String> = tried
        .iter()
        .map(|(rustc, why)| format!("{}: {why}", rustc.display()))
        .collect();
    Err(format!(
        "no rustc has the {rust_triple} core library ({}); run scripts/setup.sh, then `cargo clean -p composer-runtime`",
        tried.join("; ")
    ))
}

/// `rustc --print target-libdir --target rust_triple`, if it holds `libcore`.
fn target_libdir_with_core(rustc: &Path, rust_triple: &str) -> Result<PathBuf, String> {
    let output = Command::new(rustc)
        .args(["--print", "target-libdir", "--target", rust_triple])
        .output()
        .map_err(|error| format!("cannot run it ({error})"))?;
    if !output.status.success() {
        return Err(format!("--print target-libdir failed ({})", output.status));
    }
    let libdir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    let has_core = fs::read_dir(&libdir).is_ok_and(|entries| {
        entries.filter_map(Result::ok).any(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            name.starts_with("libcore-") && name.ends_with(".rlib")
        })
    });
    if has_core {
        Ok(libdir)
    } else {
        Err(format!("no libcore in {}", libdir.display()))
    }
}

/// The Rust source of `archives.rs`: `ARCHIVES`, one `(clef target, archive or
/// why not)` entry per runtime target, with the archives `include_bytes!`'d.
fn archive_table(outcomes: &[Outcome]) -> String {
    let mut table = String::from(
        "// @generated by crates/runtime/build.rs: each runtime target with its archive\n\
         // (debug sections stripped) or the reason it was not built.\n",
    );
    writeln!(
        table,
        "static ARCHIVES: [(&str, Result<&[u8], &str>); {}] = [",
        outcomes.len()
    )
    .expect("write to a String");
    for (target, outcome) in RUNTIME_TARGETS.iter().zip(outcomes) {
        let entry = match outcome {
            Outcome::Built(archive) => {
                let path = archive.to_str().expect("OUT_DIR is valid UTF-8");
                format!("Ok(include_bytes!({path:?}))")
            }
            Outcome::NotBuilt(reason) => format!("Err({reason:?})"),
        };
        writeln!(table, "    ({:?}, {entry}),", target.clef_name).expect("write to a String");
    }
    table.push_str("];\n");
    table
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
