//! The back end's outside half: MLIR text in, a freestanding executable out.
//!
//! [`ExternalTools`] runs the LLVM/MLIR 19 command-line tools (DESIGN §3). Tool start-up
//! costs ~20 ms each, so a build starts as few processes as possible and overlaps them:
//!
//! ```text
//! mlir-opt (lower to llvm dialect) | mlir-translate (to LLVM IR)
//!     | opt (internalize everything but clef_main, then -O{n}; writes bitcode)
//!     then  ld.lld (LTO: code generation + static link with the runtime archive)
//! ```
//!
//! The first three run at once, joined by pipes; `ld.lld` does code generation itself
//! (LTO), so there is no separate `llc` step. `llvm-dis` and `llc` run only when the user
//! asks for `--emit llvm` or `--emit asm`.
//!
//! A tool failing on input that Composer generated is a compiler bug: the error keeps
//! the input in a directory that is not deleted, and says so.

use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `mlir-opt` passes that lower Composer's portable dialects to the LLVM dialect.
pub const MLIR_LOWERING_PASSES: &[&str] = &[
    "--convert-scf-to-cf",
    "--convert-math-to-llvm",
    "--convert-arith-to-llvm",
    "--finalize-memref-to-llvm",
    "--convert-func-to-llvm",
    "--convert-cf-to-llvm",
    "--reconcile-unrealized-casts",
];

/// The only symbols a program exports: what the runtime calls. Everything else is
/// internalised before optimisation, so `opt` can inline and delete freely (on a
/// 1,500-function module this makes the link step ~10x faster, see docs/driver.md).
pub const PROGRAM_EXPORTS: &[&str] = &["clef_main"];

/// The Debian packages that provide every tool used here.
pub const APT_PACKAGES: &str = "mlir-19-tools llvm-19 lld-19";

/// The command that installs the tools on Debian.
pub fn install_hint() -> String {
    format!("run `./scripts/setup.sh`, or: sudo apt-get install -y {APT_PACKAGES}")
}

/// One external tool the back end may start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tool {
    MlirOpt,
    MlirTranslate,
    Opt,
    LdLld,
    Llc,
    LlvmDis,
}

impl Tool {
    /// Tools every build needs.
    pub const REQUIRED: &'static [Tool] =
        &[Tool::MlirOpt, Tool::MlirTranslate, Tool::Opt, Tool::LdLld];
    /// Tools needed only for `--emit llvm` / `--emit asm`.
    pub const OPTIONAL: &'static [Tool] = &[Tool::LlvmDis, Tool::Llc];

    pub fn name(self) -> &'static str {
        match self {
            Tool::MlirOpt => "mlir-opt",
            Tool::MlirTranslate => "mlir-translate",
            Tool::Opt => "opt",
            Tool::LdLld => "ld.lld",
            Tool::Llc => "llc",
            Tool::LlvmDis => "llvm-dis",
        }
    }
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

pub use composer_target::tools::ToolSearch;

/// Why the back end failed.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("cannot find `{tool}` (searched {searched}); {hint}", hint = install_hint())]
    ToolMissing { tool: Tool, searched: String },
    #[error(
        "internal compiler error: {tool} failed ({status})\n{stderr}\nthe input is kept in {}",
        kept.display()
    )]
    ToolFailed {
        tool: Tool,
        status: String,
        stderr: String,
        kept: PathBuf,
    },
    /// The result could not be put where it was asked for: a problem with that path
    /// (a read-only or missing folder, …), not with the compiler.
    #[error("cannot write `{}`: {source}", path.display())]
    CannotWriteOutput {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl BackendError {
    fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackendError {
        let context = context.into();
        move |source| BackendError::Io { context, source }
    }
}

/// What to build.
#[derive(Debug, Clone)]
pub struct BackendRequest<'a> {
    /// The MLIR module (portable dialects plus `llvm` at the edges).
    pub mlir: &'a str,
    /// 0 to 3.
    pub opt_level: u8,
    /// The executable to write.
    pub output: &'a Path,
    /// Where to write the optimised LLVM IR (`--emit llvm`).
    pub llvm_ir_output: Option<&'a Path>,
    /// Where to write the assembly (`--emit asm`).
    pub asm_output: Option<&'a Path>,
    /// The machine to build for: its triple and linker flags.
    pub target: composer_target::Target,
    /// The runtime static archive (`libclef_runtime.a`) linked into every program,
    /// built for `target`.
    pub runtime_archive: &'a [u8],
}

/// How long each step took (for `CLEF_TIMINGS=1`).
#[derive(Debug, Clone, Default)]
pub struct BackendTimings {
    /// `(step, time since the back end started when the step finished)` for the
    /// overlapped steps, and the step's own duration for the sequential ones.
    pub steps: Vec<(String, Duration)>,
}

/// MLIR text in, object/executable out. The external tools implement it today; an
/// in-process MLIR/LLVM back end can replace them behind the same trait.
pub trait Backend {
    fn compile(&self, request: &BackendRequest<'_>) -> Result<BackendTimings, BackendError>;
}

/// The back end that runs the LLVM/MLIR 19 command-line tools.
#[derive(Debug, Clone)]
pub struct ExternalTools {
    pub search: ToolSearch,
}

impl ExternalTools {
    pub fn from_env() -> ExternalTools {
        ExternalTools {
            search: ToolSearch::from_env(),
        }
    }

    fn tool(&self, tool: Tool) -> Result<PathBuf, BackendError> {
        self.search
            .find(tool.name())
            .ok_or_else(|| BackendError::ToolMissing {
                tool,
                searched: self.search.describe(),
            })
    }

    /// Checks that every tool a build needs is present.
    pub fn check_required(&self) -> Result<(), BackendError> {
        for &tool in Tool::REQUIRED {
            self.tool(tool)?;
        }
        Ok(())
    }
}

/// Starts `path args...` with the given stdin, stdout piped (or null), and stderr
/// written to `stderr_file`.
fn spawn(
    tool: Tool,
    path: &Path,
    args: &[&str],
    stdin: Stdio,
    stdout: Stdio,
    stderr_file: &Path,
) -> Result<Child, BackendError> {
    let stderr = std::fs::File::create(stderr_file).map_err(BackendError::io(format!(
        "cannot create {}",
        stderr_file.display()
    )))?;
    tracing::debug!(tool = tool.name(), ?args, "spawning");
    Command::new(path)
        .args(args)
        .stdin(stdin)
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .map_err(BackendError::io(format!("cannot start {}", path.display())))
}

/// Keeps the work directory and turns a failed tool into an internal compiler error.
fn tool_failed(
    tool: Tool,
    status: std::process::ExitStatus,
    stderr_file: &Path,
    work: tempfile::TempDir,
    mlir: &str,
) -> BackendError {
    let stderr = std::fs::read_to_string(stderr_file).unwrap_or_default();
    let kept = work.keep();
    // The input is the first thing anyone debugging this needs.
    let _ = std::fs::write(kept.join("input.mlir"), mlir);
    BackendError::ToolFailed {
        tool,
        status: status.to_string(),
        stderr: stderr.trim_end().to_string(),
        kept,
    }
}

impl Backend for ExternalTools {
    fn compile(&self, request: &BackendRequest<'_>) -> Result<BackendTimings, BackendError> {
        let started = Instant::now();
        let mut timings = BackendTimings::default();
        let mlir_opt = self.tool(Tool::MlirOpt)?;
        let mlir_translate = self.tool(Tool::MlirTranslate)?;
        let opt = self.tool(Tool::Opt)?;
        let ld_lld = self.tool(Tool::LdLld)?;
        let llvm_dis = match request.llvm_ir_output {
            Some(_) => Some(self.tool(Tool::LlvmDis)?),
            None => None,
        };
        let llc = match request.asm_output {
            Some(_) => Some(self.tool(Tool::Llc)?),
            None => None,
        };

        let work = tempfile::Builder::new()
            .prefix("composer-")
            .tempdir()
            .map_err(BackendError::io("cannot create a temporary directory"))?;
        let dir = work.path().to_path_buf();
        let bitcode = dir.join("program.bc");
        let runtime = dir.join("libclef_runtime.a");
        std::fs::write(&runtime, request.runtime_archive).map_err(BackendError::io(format!(
            "cannot write {}",
            runtime.display()
        )))?;

        // mlir-opt | mlir-translate | opt, all running at once.
        let level = format!("-O{}", request.opt_level.min(3));
        let passes = format!("-passes=internalize,default<O{}>", request.opt_level.min(3));
        let exports = format!("-internalize-public-api-list={}", PROGRAM_EXPORTS.join(","));
        let triple = format!("-mtriple={}", request.target.llvm_triple);
        let bitcode_arg = bitcode.to_string_lossy().into_owned();
        let stderr_of = |tool: Tool| dir.join(format!("{}.stderr", tool.name()));

        let mut first = spawn(
            Tool::MlirOpt,
            &mlir_opt,
            MLIR_LOWERING_PASSES,
            Stdio::piped(),
            Stdio::piped(),
            &stderr_of(Tool::MlirOpt),
        )?;
        let first_out = first.stdout.take().expect("stdout is piped");
        let mut second = spawn(
            Tool::MlirTranslate,
            &mlir_translate,
            &["--mlir-to-llvmir"],
            Stdio::from(first_out),
            Stdio::piped(),
            &stderr_of(Tool::MlirTranslate),
        )?;
        let second_out = second.stdout.take().expect("stdout is piped");
        let mut third = spawn(
            Tool::Opt,
            &opt,
            &[&passes, &exports, &triple, "-o", &bitcode_arg, "-"],
            Stdio::from(second_out),
            Stdio::null(),
            &stderr_of(Tool::Opt),
        )?;
        {
            let mut stdin = first.stdin.take().expect("stdin is piped");
            // A write error means mlir-opt exited early; its status says why.
            let _ = stdin.write_all(request.mlir.as_bytes());
        }
        let chain = [
            (Tool::MlirOpt, &mut first),
            (Tool::MlirTranslate, &mut second),
            (Tool::Opt, &mut third),
        ];
        let mut failure = None;
        for (tool, child) in chain {
            let status = child
                .wait()
                .map_err(BackendError::io(format!("cannot wait for {tool}")))?;
            timings
                .steps
                .push((tool.name().to_string(), started.elapsed()));
            if !status.success() && failure.is_none() {
                failure = Some((tool, status));
            }
        }
        if let Some((tool, status)) = failure {
            return Err(tool_failed(
                tool,
                status,
                &stderr_of(tool),
                work,
                request.mlir,
            ));
        }

        // Code generation and link in one process (LTO). The module is already
        // optimised by `opt`, so LTO only internalises and cleans up (-O1 at most)
        // before generating code at the requested level.
        let link_started = Instant::now();
        let lto_level = format!("--lto-O{}", request.opt_level.min(1));
        let cg_level = format!("--lto-CGO{}", request.opt_level.min(3));
        // The linker writes into the work folder; `install` then puts the executable
        // where it was asked for. A path the user cannot write to is then a plain
        // error of ours, not a linker failure that would look like a compiler bug.
        let linked = dir.join("program");
        let output_arg = linked.to_string_lossy().into_owned();
        let runtime_arg = runtime.to_string_lossy().into_owned();
        let mut link_args: Vec<&str> = request.target.link_flags.to_vec();
        link_args.extend([
            lto_level.as_str(),
            &cg_level,
            "-o",
            &output_arg,
            &bitcode_arg,
            &runtime_arg,
        ]);
        let mut link = spawn(
            Tool::LdLld,
            &ld_lld,
            &link_args,
            Stdio::null(),
            Stdio::null(),
            &stderr_of(Tool::LdLld),
        )?;
        let status = link
            .wait()
            .map_err(BackendError::io("cannot wait for ld.lld"))?;
        timings
            .steps
            .push(("ld.lld".to_string(), link_started.elapsed()));
        if !status.success() {
            return Err(tool_failed(
                Tool::LdLld,
                status,
                &stderr_of(Tool::LdLld),
                work,
                request.mlir,
            ));
        }

        install(&linked, request.output)?;

        if let (Some(llvm_dis), Some(out)) = (llvm_dis, request.llvm_ir_output) {
            let step = Instant::now();
            let dumped = dir.join("program.ll");
            let out_arg = dumped.to_string_lossy().into_owned();
            let result = run_to_completion(
                Tool::LlvmDis,
                &llvm_dis,
                &[&bitcode_arg, "-o", &out_arg],
                &stderr_of(Tool::LlvmDis),
            )?;
            if let Err(status) = result {
                let stderr = stderr_of(Tool::LlvmDis);
                return Err(tool_failed(
                    Tool::LlvmDis,
                    status,
                    &stderr,
                    work,
                    request.mlir,
                ));
            }
            install(&dumped, out)?;
            timings.steps.push(("llvm-dis".to_string(), step.elapsed()));
        }
        if let (Some(llc), Some(out)) = (llc, request.asm_output) {
            let step = Instant::now();
            let dumped = dir.join("program.s");
            let out_arg = dumped.to_string_lossy().into_owned();
            let result = run_to_completion(
                Tool::Llc,
                &llc,
                &[
                    &level,
                    "-filetype=asm",
                    "-relocation-model=static",
                    &bitcode_arg,
                    "-o",
                    &out_arg,
                ],
                &stderr_of(Tool::Llc),
            )?;
            if let Err(status) = result {
                let stderr = stderr_of(Tool::Llc);
                return Err(tool_failed(Tool::Llc, status, &stderr, work, request.mlir));
            }
            install(&dumped, out)?;
            timings
                .steps
                .push(("llc (asm)".to_string(), step.elapsed()));
        }
        drop(work);
        Ok(timings)
    }
}

/// Puts the file `built` (in the work folder) at `destination`, with its permissions.
/// The copy goes to a new file beside `destination` that is then renamed over it, so
/// `destination` is replaced whole or not at all, and a symbolic link or hard link at
/// `destination` is replaced rather than written through.
fn install(built: &Path, destination: &Path) -> Result<(), BackendError> {
    let cannot_write = |source: std::io::Error| BackendError::CannotWriteOutput {
        path: destination.to_path_buf(),
        source,
    };
    let staged = StagedFile::create_beside(destination).map_err(cannot_write)?;
    // `fs::copy` copies the permission bits too (the linker made the file executable).
    std::fs::copy(built, &staged.path).map_err(cannot_write)?;
    std::fs::rename(&staged.path, destination).map_err(cannot_write)?;
    staged.disarm();
    Ok(())
}

/// A new, empty file beside a destination, removed again unless [`disarm`]ed.
///
/// Not `tempfile`: its errors name the made-up temporary path, and the user should
/// read the path they asked for.
///
/// [`disarm`]: StagedFile::disarm
struct StagedFile {
    path: PathBuf,
}

impl StagedFile {
    fn create_beside(destination: &Path) -> std::io::Result<StagedFile> {
        let folder = match destination.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let name = destination
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut attempt = 0u32;
        loop {
            let path = folder.join(format!(".{name}.composer-{}-{attempt}", std::process::id()));
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(_) => return Ok(StagedFile { path }),
                // Left behind by a killed build with the same process id.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The file has been renamed into place: nothing to remove.
    fn disarm(mut self) {
        self.path = PathBuf::new();
    }
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Runs a tool with no stdin and returns its exit status if it failed.
fn run_to_completion(
    tool: Tool,
    path: &Path,
    args: &[&str],
    stderr_file: &Path,
) -> Result<Result<(), std::process::ExitStatus>, BackendError> {
    let status = spawn(tool, path, args, Stdio::null(), Stdio::null(), stderr_file)?
        .wait()
        .map_err(BackendError::io(format!("cannot wait for {tool}")))?;
    Ok(if status.success() {
        Ok(())
    } else {
        Err(status)
    })
}

/// The first line of `tool --version` that names a version, e.g.
/// "Debian LLVM version 19.1.7".
pub fn tool_version(path: &Path) -> Option<String> {
    let mut child = Command::new(path)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut text = String::new();
    child.stdout.take()?.read_to_string(&mut text).ok()?;
    child.wait().ok()?;
    text.lines()
        .map(str::trim)
        .find(|l| l.contains("version") || l.contains("LLD"))
        .map(str::to_string)
}
