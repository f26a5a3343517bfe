//! One build, from the command line's PATH to an executable: resolve the project, read
//! the sources, run the front end, write the dumps, run the back end.

use crate::cli::{BuildArgs, CheckArgs};
use crate::destinations::{self, InputKind, PlannedWrite, WriteProblem};
use crate::pipeline::{self, EmitKind, FrontendOptions};
use crate::progress::{Progress, Summary};
use crate::project::{self, OutputOrigin, Project};
use crate::timings::Timings;
use crate::toolchain::{Backend, BackendError, BackendRequest, ExternalTools};
use composer_diagnostics::{render, Code, Diagnostic, MessageFormat, SourceMap};
use composer_target::Target;
use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Exit status: the build succeeded.
pub const EXIT_SUCCESS: u8 = 0;
/// Exit status: the program or its project file has errors.
pub const EXIT_PROGRAM_ERRORS: u8 = 1;
/// Exit status: a usage or toolchain problem, or an internal compiler error.
pub const EXIT_USAGE: u8 = 2;

/// Why a build stopped. Everything has already been reported on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The program or its project file has errors (exit status 1).
    Program,
    /// The command line, the toolchain or the compiler itself failed (exit status 2).
    Usage,
}

impl Failure {
    pub fn exit_status(self) -> u8 {
        match self {
            Failure::Program => EXIT_PROGRAM_ERRORS,
            Failure::Usage => EXIT_USAGE,
        }
    }
}

/// Everything one build needs to know, from `build`, `run` or `check`.
#[derive(Debug, Clone)]
pub struct BuildRequest {
    pub path: PathBuf,
    /// Overrides the project's output.
    pub output: Option<PathBuf>,
    pub target: Option<String>,
    pub opt_level: u8,
    pub emit: BTreeSet<EmitKind>,
    pub emit_dir: Option<PathBuf>,
    pub message_format: MessageFormat,
    pub alloc_stats: bool,
    /// Overrides the project's memory model.
    pub memory_model: Option<crate::pipeline::MemoryModel>,
    /// False for `composer check`: stop after the front end.
    pub generate_code: bool,
    /// List the standard library's ledger entries too (`--ledger-all`).
    pub ledger_all: bool,
    /// No summary line and no progress line (`--quiet`).
    pub quiet: bool,
    /// The executable goes to a temporary folder (`composer run`): the summary
    /// does not name it.
    pub temporary_output: bool,
}

impl BuildRequest {
    pub fn from_build_args(args: &BuildArgs) -> BuildRequest {
        BuildRequest {
            path: args.path.clone(),
            output: args.output.clone(),
            target: args.target.clone(),
            opt_level: args.opt_level,
            emit: args.emit.iter().copied().collect(),
            emit_dir: args.emit_dir.clone(),
            message_format: args.message_format.into(),
            alloc_stats: args.alloc_stats,
            memory_model: args.memory_model.map(Into::into),
            generate_code: true,
            ledger_all: args.ledger_all,
            quiet: args.quiet,
            temporary_output: false,
        }
    }

    pub fn from_check_args(args: &CheckArgs) -> BuildRequest {
        BuildRequest {
            path: args.path.clone(),
            output: None,
            target: args.target.clone(),
            opt_level: 0,
            emit: BTreeSet::new(),
            emit_dir: None,
            message_format: args.message_format.into(),
            alloc_stats: false,
            memory_model: None,
            generate_code: false,
            ledger_all: false,
            quiet: args.quiet,
            temporary_output: false,
        }
    }
}

/// Colour only when stderr is a terminal and `NO_COLOR` is unset or empty.
pub fn stderr_wants_colour() -> bool {
    let no_colour = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    std::io::stderr().is_terminal() && !no_colour
}

/// Prints a driver-level error (one that is not about a place in the program).
pub fn report_error(message: impl std::fmt::Display) {
    eprintln!("error: {message}");
}

fn report_diagnostics(sources: &SourceMap, diagnostics: &[Diagnostic], format: MessageFormat) {
    if !diagnostics.is_empty() {
        eprint!(
            "{}",
            render(sources, diagnostics, format, stderr_wants_colour())
        );
    }
}

/// An executable a build wrote.
#[derive(Debug, Clone)]
pub struct Built {
    pub executable: PathBuf,
    /// The machine it runs on.
    pub target: Target,
}

/// Runs one build. Returns the executable (`None` for `check`). Unless `quiet`, a
/// summary line ends it (what was written where, errors and warnings counted).
pub fn build(request: &BuildRequest) -> Result<Option<Built>, Failure> {
    let started = std::time::Instant::now();
    let mut timings = Timings::from_env();
    let mut summary = Summary::default();
    let result = build_timed(request, &mut timings, &mut summary);
    timings.print_if_enabled();
    if !request.quiet {
        let line = summary.line(
            result.is_ok(),
            !request.generate_code,
            request.opt_level,
            started.elapsed(),
        );
        if let Some(line) = line {
            eprintln!("{line}");
        }
    }
    result
}

fn build_timed(
    request: &BuildRequest,
    timings: &mut Timings,
    summary: &mut Summary,
) -> Result<Option<Built>, Failure> {
    let project = match project::resolve(&request.path) {
        Ok(project) => project,
        Err(error) => {
            report_diagnostics(&error.sources, &error.diagnostics, request.message_format);
            return Err(if error.is_usage {
                Failure::Usage
            } else {
                Failure::Program
            });
        }
    };
    // `--target` overrides the project file's `compilation.target`.
    let target = match &request.target {
        Some(name) => match project::check_target(name) {
            Ok(target) => target,
            Err(diagnostic) => {
                report_diagnostics(&SourceMap::new(), &[diagnostic], request.message_format);
                return Err(Failure::Usage);
            }
        },
        None => project.target,
    };
    // Missing run-time library: say so before compiling anything.
    let runtime_archive = if request.generate_code {
        crate::runtime_archive(target).map_err(|message| {
            report_error(message);
            Failure::Usage
        })?
    } else {
        &[]
    };
    tracing::debug!(?project, "resolved project");

    let output = request
        .output
        .clone()
        .unwrap_or_else(|| project.output.clone());
    let dumps = DumpPaths::new(&output, request.emit_dir.as_deref());
    if request.generate_code {
        check_destinations(request, &project, &output, &dumps)?;
    }

    let (sources, files) = timings.time("read sources", || read_sources(&project));
    let files = match files {
        Ok(files) => files,
        Err(diagnostics) => {
            report_diagnostics(&sources, &diagnostics, request.message_format);
            return Err(Failure::Program);
        }
    };

    let options = FrontendOptions {
        target,
        verify_mir: std::env::var("CLEF_VERIFY_MIR").is_ok_and(|v| !v.is_empty() && v != "0"),
        memory_model: request.memory_model.unwrap_or(project.memory_model),
        opt_level: request.opt_level,
        alloc_stats: request.alloc_stats,
        emit: request.emit.clone(),
        ledger_all: request.ledger_all,
    };
    summary.name = project.name.clone();
    summary.target = target.to_string();
    let mut progress = Progress::start(&project.name, !request.quiet);
    progress.stage("checking");
    let frontend = match timings.time("front end", || {
        run_frontend_guarded(&sources, &files, &options)
    }) {
        Ok(frontend) => frontend,
        Err(message) => {
            let diagnostic = Diagnostic::global(
                Code::InternalError,
                format!("internal compiler error in the front end: {message}\nThis is a bug in Composer, not in your program; please report it with the source that triggers it."),
            );
            report_diagnostics(&sources, &[diagnostic], request.message_format);
            return Err(Failure::Usage);
        }
    };

    let mut written: BTreeSet<EmitKind> = BTreeSet::new();
    for (kind, text) in &frontend.dumps {
        dumps.write(*kind, text)?;
        written.insert(*kind);
        summary.written.push(dumps.path(*kind));
    }

    progress.finish();
    summary.count(&frontend.diagnostics);
    report_diagnostics(&sources, &frontend.diagnostics, request.message_format);
    if frontend
        .diagnostics
        .iter()
        .any(|d| d.code == Code::InternalError)
    {
        // A compiler bug, not the program's fault: exit status 2 like other ICEs.
        return Err(Failure::Usage);
    }
    if frontend.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(Failure::Program);
    }
    if !request.generate_code {
        return Ok(None);
    }
    let Some(mlir) = frontend.mlir else {
        let diagnostic = Diagnostic::global(
            Code::InternalError,
            "internal compiler error: the front end produced neither MLIR nor an error",
        );
        report_diagnostics(&sources, &[diagnostic], request.message_format);
        return Err(Failure::Usage);
    };
    if request.emit.contains(&EmitKind::Mlir) && !written.contains(&EmitKind::Mlir) {
        dumps.write(EmitKind::Mlir, &mlir)?;
        summary.written.push(dumps.path(EmitKind::Mlir));
    }

    if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            report_error(format!("cannot create folder `{}`: {e}", parent.display()));
            Failure::Usage
        })?;
    }
    if request.emit.contains(&EmitKind::Llvm) || request.emit.contains(&EmitKind::Asm) {
        // The back-end tools write these dumps themselves: the folder must exist.
        dumps.create_folder()?;
    }
    let llvm_ir_output = request
        .emit
        .contains(&EmitKind::Llvm)
        .then(|| dumps.path(EmitKind::Llvm));
    let asm_output = request
        .emit
        .contains(&EmitKind::Asm)
        .then(|| dumps.path(EmitKind::Asm));
    let backend = ExternalTools::from_env();
    let mut progress = Progress::start(&project.name, !request.quiet);
    progress.stage("generating code (mlir-opt, mlir-translate, opt, ld.lld)");
    let backend_request = BackendRequest {
        mlir: &mlir,
        opt_level: request.opt_level,
        output: &output,
        llvm_ir_output: llvm_ir_output.as_deref(),
        asm_output: asm_output.as_deref(),
        target,
        runtime_archive,
    };
    let compiled = backend.compile(&backend_request);
    progress.finish();
    match compiled {
        Ok(steps) => {
            summary.written.extend(llvm_ir_output.clone());
            summary.written.extend(asm_output.clone());
            if !request.temporary_output {
                summary.written.push(output.clone());
            }
            for (step, duration) in steps.steps {
                timings.record(format!("back end: {step}"), duration);
            }
            Ok(Some(Built {
                executable: output,
                target,
            }))
        }
        Err(error) => {
            report_backend_error(&error);
            Err(Failure::Usage)
        }
    }
}

/// Refuses, before anything is read or written, a build that would write over one of
/// its inputs, onto a folder, or under a file ([`destinations::check_writes`]). The
/// message says which setting chose the path: `-o` (exit status 2), the project file
/// (`FS9002`, exit status 1), or `--emit-dir` (exit status 2).
fn check_destinations(
    request: &BuildRequest,
    project: &Project,
    output: &Path,
    dumps: &DumpPaths,
) -> Result<(), Failure> {
    let mut writes = vec![PlannedWrite {
        what: "the output path".to_string(),
        path: output.to_path_buf(),
    }];
    for kind in &request.emit {
        writes.push(PlannedWrite {
            what: format!("the {} dump", kind.name()),
            path: dumps.path(*kind),
        });
    }
    let mut inputs: Vec<(InputKind, PathBuf)> = project
        .sources
        .iter()
        .map(|source| (InputKind::Source, source.clone()))
        .collect();
    if let Some(file) = &project.project_file {
        inputs.push((InputKind::ProjectFile, file.clone()));
    }
    let Err(problem) = destinations::check_writes(&writes, &inputs) else {
        return Ok(());
    };
    let planned = &writes[problem.write()];
    let what = &planned.what;
    let path = planned.path.display();
    let is_output = problem.write() == 0;
    let chosen_by = match (is_output, &request.output, &project.project_file) {
        (true, None, Some(file)) => project
            .output_origin
            .key()
            .map(|key| format!(" (from `{key}` in `{}`)", file.display())),
        (true, None, None) => Some(" (named after the source file)".to_string()),
        _ => None,
    }
    .unwrap_or_default();
    let what_is_wrong = match &problem {
        WriteProblem::IsAnInput { input, .. } => format!("is {} of this build", input.describe()),
        WriteProblem::IsAFolder { .. } => "is a folder".to_string(),
        WriteProblem::UnderAFile { file, .. } => {
            format!("is under `{}`, which is not a folder", file.display())
        }
        WriteProblem::WrittenTwice { first, .. } => format!("is also {}", writes[*first].what),
    };
    let remedy = match (is_output, &request.output, project.output_origin) {
        (false, _, _) => "choose another --emit-dir or -o",
        (true, Some(_), _) => "choose another -o",
        (true, None, OutputOrigin::BuildOutput) => "choose another `build.output`, or pass -o",
        (true, None, OutputOrigin::PackageName) => "set `build.output`, or pass -o",
        (true, None, OutputOrigin::SourceFileName) => "pass -o",
    };
    let message = format!("{what} `{path}`{chosen_by} {what_is_wrong}; {remedy}");
    if is_output && request.output.is_none() && project.project_file.is_some() {
        // The project file chose this path: it is the project file that is wrong.
        let diagnostic = Diagnostic::global(Code::ProjectError, message);
        report_diagnostics(&SourceMap::new(), &[diagnostic], request.message_format);
        Err(Failure::Program)
    } else {
        report_error(message);
        Err(Failure::Usage)
    }
}

/// Prints a back-end failure: a missing tool or an internal compiler error.
pub fn report_backend_error(error: &BackendError) {
    match error {
        BackendError::ToolFailed { .. } => eprintln!("{error}"),
        _ => report_error(error),
    }
}

/// Reads every source file into a [`SourceMap`], named by its path as given.
fn read_sources(
    project: &Project,
) -> (
    SourceMap,
    Result<Vec<composer_diagnostics::FileId>, Vec<Diagnostic>>,
) {
    let mut sources = SourceMap::new();
    let _ = pipeline::add_prelude(&mut sources);
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in &project.sources {
        match std::fs::read_to_string(path) {
            Ok(text) => files.push(sources.add(path.display().to_string(), text)),
            Err(error) => problems.push(Diagnostic::global(
                Code::SourceNotReadable,
                format!("cannot read source file `{}`: {error}", path.display()),
            )),
        }
    }
    let result = if !problems.is_empty() {
        Err(problems)
    } else if project.sources_listed {
        Ok(files)
    } else {
        crate::order::dependency_order(&sources, &files).map_err(|d| vec![d])
    };
    (sources, result)
}

/// Where `--emit` writes each dump: `OUT.ast`, `OUT.ll`, … beside the output, or in
/// `--emit-dir`.
struct DumpPaths {
    folder: PathBuf,
    stem: String,
}

impl DumpPaths {
    fn new(output: &Path, emit_dir: Option<&Path>) -> DumpPaths {
        let stem = output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".to_string());
        let folder = match emit_dir {
            Some(dir) => dir.to_path_buf(),
            None => output.parent().map(Path::to_path_buf).unwrap_or_default(),
        };
        DumpPaths { folder, stem }
    }

    fn path(&self, kind: EmitKind) -> PathBuf {
        self.folder
            .join(format!("{}.{}", self.stem, kind.extension()))
    }

    fn create_folder(&self) -> Result<(), Failure> {
        if self.folder.as_os_str().is_empty() {
            return Ok(());
        }
        std::fs::create_dir_all(&self.folder).map_err(|e| {
            report_error(format!(
                "cannot create folder `{}`: {e}",
                self.folder.display()
            ));
            Failure::Usage
        })
    }

    fn write(&self, kind: EmitKind, text: &str) -> Result<(), Failure> {
        self.create_folder()?;
        let path = self.path(kind);
        std::fs::write(&path, text).map_err(|e| {
            report_error(format!("cannot write `{}`: {e}", path.display()));
            Failure::Usage
        })
    }
}

/// The command that runs an executable built for `target` on this machine: the
/// executable itself, or the target's emulator (`qemu-aarch64 prog`) when this machine
/// cannot run it. `None` when it needs an emulator that is not installed (the error
/// says which).
pub fn program_command(executable: &Path, target: Target) -> Result<std::process::Command, String> {
    // A bare file name would be looked up in PATH.
    let executable = if executable.components().count() == 1 {
        Path::new(".").join(executable)
    } else {
        executable.to_path_buf()
    };
    if target.runs_natively() {
        return Ok(std::process::Command::new(executable));
    }
    match composer_target::tools::find_emulator(&target) {
        Some(path) => {
            let mut command = std::process::Command::new(path);
            command.arg(executable);
            Ok(command)
        }
        None => Err(format!(
            "this machine cannot run {target} programs: `{}` was not found; install it with `apt-get install {}` (or run `./scripts/setup.sh`)",
            target.emulator.unwrap_or("an emulator"),
            target.emulator_package.unwrap_or("qemu-user"),
        )),
    }
}

/// Runs a built program with `args`, stdio inherited; returns its exit status
/// (128 + the signal number when a signal ended it, as shells do).
pub fn run_program(built: &Built, args: &[String]) -> Result<u8, Failure> {
    use std::os::unix::process::ExitStatusExt;
    let mut command = program_command(&built.executable, built.target).map_err(|message| {
        report_error(message);
        Failure::Usage
    })?;
    let status = command.args(args).status().map_err(|e| {
        report_error(format!("cannot run `{}`: {e}", built.executable.display()));
        Failure::Usage
    })?;
    Ok(match (status.code(), status.signal()) {
        (Some(code), _) => code as u8,
        (None, Some(signal)) => 128u8.wrapping_add(signal as u8),
        (None, None) => EXIT_USAGE,
    })
}

/// Stack for the front end's thread: the passes recurse over the syntax tree, and a
/// long operator chain (`1 + 1 + ... + 1`, generated code) nests deeply.
const FRONTEND_STACK_BYTES: usize = 1 << 30;

/// Runs the front end on a thread with a large stack and turns a panic (a compiler
/// bug) into a message instead of a crash.
fn run_frontend_guarded(
    sources: &composer_diagnostics::SourceMap,
    files: &[composer_diagnostics::FileId],
    options: &FrontendOptions,
) -> Result<pipeline::FrontendOutput, String> {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("front end".into())
            .stack_size(FRONTEND_STACK_BYTES)
            .spawn_scoped(scope, || {
                // `read_sources` added the standard library first.
                let prelude = pipeline::prelude_files();
                pipeline::run_frontend(sources, &prelude, files, options)
            })
            .map_err(|e| format!("cannot start the front-end thread: {e}"))?;
        handle.join().map_err(|payload| {
            payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic with no message".to_string())
        })
    })
}
