//! `composer`: the ahead-of-time compiler for Clef.
//!
//! The passes, in order, and where each lives (DESIGN §2):
//!
//! 1. **Command line and project** — `crates/driver/src/cli.rs` (clap),
//!    `crates/driver/src/project.rs` (`.fidproj` or a single file),
//!    `crates/driver/src/compile.rs` (reads the sources, runs the rest),
//!    `crates/driver/src/destinations.rs` (what the build will write, checked first).
//! 2. **Lexer, offside rule, parser → AST** — `crates/syntax` (`parse_file`).
//! 3. **Name resolution, type inference, PSG** (Program Semantic Graph) — `crates/semantics`.
//! 4. **PSG analyses**: reachability, captures, escape and regions, coeffects, the
//!    ledger — `crates/semantics`.
//! 5. **Lowering → MIR**: monomorphisation, closure conversion, match trees, state
//!    machines — `crates/lower`.
//! 6. **Alex: MIR → MLIR text** — `crates/alex`.
//!    Stages 2–6 are pure and are reached only through
//!    `crates/driver/src/pipeline.rs` (`run_frontend`).
//! 7. **Toolchain**: `mlir-opt | mlir-translate | opt`, then `ld.lld` (LTO code
//!    generation and static link with the runtime) — `crates/driver/src/toolchain.rs`.
//! 8. **Runtime**: `_start`, syscalls, buffered output — `runtime/`, embedded as an
//!    archive by `crates/runtime`.
//!
//! Diagnostics of every stage are rendered in one place: `crates/diagnostics`.
//! `composer doctor` lives in `crates/driver/src/doctor.rs`, `composer new` in
//! `crates/driver/src/new.rs`.

use clap::Parser;
use composer_driver::cli::{Cli, Command};
use composer_driver::compile::{self, BuildRequest, EXIT_SUCCESS};
use std::process::ExitCode;

fn main() -> ExitCode {
    init_tracing();
    let cli = Cli::parse();
    ExitCode::from(run(cli))
}

fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Build(args) => match compile::build(&BuildRequest::from_build_args(&args)) {
            Ok(_) => EXIT_SUCCESS,
            Err(failure) => failure.exit_status(),
        },
        Command::Check(args) => match compile::build(&BuildRequest::from_check_args(&args)) {
            Ok(_) => EXIT_SUCCESS,
            Err(failure) => failure.exit_status(),
        },
        Command::Run(args) => run_command(args),
        Command::New(args) => composer_driver::new::run(&args.name),
        Command::Doctor => composer_driver::doctor::run(),
    }
}

/// `composer run`: build (into a temporary folder unless `-o` is given), then run.
fn run_command(args: composer_driver::cli::RunArgs) -> u8 {
    let mut request = BuildRequest::from_build_args(&args.build);
    let temp = match request.output {
        Some(_) => None,
        None => match tempfile::Builder::new().prefix("composer-run-").tempdir() {
            Ok(dir) => Some(dir),
            Err(e) => {
                compile::report_error(format!("cannot create a temporary folder: {e}"));
                return compile::EXIT_USAGE;
            }
        },
    };
    if let Some(dir) = &temp {
        // Dumps still go beside where `build` would put them.
        if request.emit_dir.is_none() && !request.emit.is_empty() {
            request.emit_dir = Some(std::path::PathBuf::from("."));
        }
        let name = composer_driver::project::resolve(&request.path)
            .map(|p| p.name)
            .unwrap_or_else(|_| "program".to_string());
        request.output = Some(dir.path().join(name));
        request.temporary_output = true;
    }
    let built = match compile::build(&request) {
        Ok(Some(built)) => built,
        Ok(None) => return EXIT_SUCCESS,
        Err(failure) => return failure.exit_status(),
    };
    match compile::run_program(&built, &args.args) {
        Ok(status) => status,
        Err(failure) => failure.exit_status(),
    }
}

/// `CLEF_LOG=debug` (any `tracing` filter) turns on logging to stderr.
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CLEF_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .init();
}
