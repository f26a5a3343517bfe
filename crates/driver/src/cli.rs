//! The command line (DESIGN §1), declared with clap's derive API.

use crate::pipeline::EmitKind;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const ABOUT: &str = "Composer: the ahead-of-time compiler for Clef.";

const LONG_ABOUT: &str = "\
Composer: the ahead-of-time compiler for Clef, an F#-family language.

It builds static, freestanding native executables (no libc, no garbage collector)
through the LLVM/MLIR 19 tools (`composer doctor` checks them).

PATH is a .fidproj project file, a folder holding exactly one, or a single .clef/.fs
file (the executable is then named after the file). It defaults to the current folder.

Exit status: 0 success, 1 the program (or its project file) has errors, 2 a usage or
toolchain problem, including an internal compiler error.

Environment: CLEF_LLVM_DIR (where the LLVM tools are), CLEF_LOG=debug (tracing),
CLEF_TIMINGS=1 (time of each build stage on stderr), NO_COLOR (no colour).";

#[derive(Debug, Parser)]
#[command(name = "composer", version, about = ABOUT, long_about = LONG_ABOUT)]
#[command(propagate_version = true, args_override_self = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile a project or a source file to a native executable.
    #[command(
        long_about = "Compile a project or a source file to a static, freestanding \
Linux executable for x86_64 (the default) or aarch64 (--target aarch64-linux).\n\nExamples:\n  composer build                    # the project in this folder\n  \
composer build hello.clef -o hello -O3\n  composer build hello.clef --target aarch64-linux\n  composer build app.fidproj --emit ast,mlir,llvm --emit-dir dumps"
    )]
    Build(BuildArgs),
    /// Build, then run the program; the exit status is the program's.
    #[command(
        long_about = "Build, then run the program with ARGS; the exit status is the \
program's own.\n\nThe executable goes to a temporary folder unless -o is given.\n\nExample:\n  \
composer run hello.clef -- first second"
    )]
    Run(RunArgs),
    /// Report the program's diagnostics without generating code.
    Check(CheckArgs),
    /// Create a new project: NAME/NAME.fidproj, NAME/src/Main.clef and a README.
    #[command(
        long_about = "Create a new project in the folder NAME (which must not exist, or \
be empty): a project file NAME.fidproj, src/Main.clef printing a greeting, and a \
README.md saying how to build and run it.\n\nExample:\n  composer new hello && cd hello && composer run"
    )]
    New(NewArgs),
    /// Check that the LLVM/MLIR 19 tools are installed and can build a program.
    #[command(
        long_about = "Report each external tool (path and version) and whether each \
target works (x86_64-linux, aarch64-linux), by compiling, linking and running a tiny \
program (aarch64-linux under qemu-aarch64 on an x86_64 machine).\n\nExit status 2 if \
something the default target (x86_64-linux) needs is missing, with the command that \
installs it."
    )]
    Doctor,
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum MessageFormatArg {
    /// Source snippets with the problem underlined.
    #[default]
    Human,
    /// One line each: `file:line:col: error[FS0001]: message`.
    Short,
}

impl From<MessageFormatArg> for composer_diagnostics::MessageFormat {
    fn from(value: MessageFormatArg) -> Self {
        match value {
            MessageFormatArg::Human => composer_diagnostics::MessageFormat::Human,
            MessageFormatArg::Short => composer_diagnostics::MessageFormat::Short,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct BuildArgs {
    /// A .fidproj file, a folder holding one, or a single .clef/.fs file.
    #[arg(default_value = ".")]
    pub path: PathBuf,

    /// Where to write the executable.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,

    /// The target to build for: x86_64-linux (the default) or aarch64-linux.
    /// Overrides the project file's `compilation.target`.
    #[arg(long, value_name = "NAME")]
    pub target: Option<String>,

    /// Optimisation level: -O0, -O1, -O2 or -O3.
    #[arg(short = 'O', value_name = "LEVEL", default_value_t = 2,
          value_parser = clap::value_parser!(u8).range(0..=3))]
    pub opt_level: u8,

    /// Write stage dumps next to the output: a comma list of
    /// ast, psg, mir, mlir, llvm, asm, ledger, ledger-json.
    #[arg(long, value_name = "KINDS", value_delimiter = ',', value_parser = parse_emit_kind)]
    pub emit: Vec<EmitKind>,

    /// Write the --emit dumps into this folder instead.
    #[arg(long, value_name = "DIR")]
    pub emit_dir: Option<PathBuf>,

    /// How diagnostics are printed.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = MessageFormatArg::Human)]
    pub message_format: MessageFormatArg,

    /// Make the program print the bytes allocated in each region when it exits.
    #[arg(long)]
    pub alloc_stats: bool,

    /// The memory model, overriding the project's `memory_model`.
    #[arg(long, value_enum, value_name = "MODEL")]
    pub memory_model: Option<MemoryModelArg>,

    /// List the standard library's entries in the ledger too (by default it lists
    /// the program's own and counts the library's).
    #[arg(long)]
    pub ledger_all: bool,

    /// Print nothing but diagnostics (no summary line, no progress).
    #[arg(short, long)]
    pub quiet: bool,
}

/// Where values that outlive their frame may go (DESIGN §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MemoryModelArg {
    /// Stack, regions inferred by the compiler, and explicit arenas (the default).
    Region,
    /// No implicit regions: anything that would need one is FS8004.
    #[value(name = "stack_only")]
    StackOnly,
}

impl From<MemoryModelArg> for crate::pipeline::MemoryModel {
    fn from(m: MemoryModelArg) -> Self {
        match m {
            MemoryModelArg::Region => crate::pipeline::MemoryModel::Region,
            MemoryModelArg::StackOnly => crate::pipeline::MemoryModel::StackOnly,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub build: BuildArgs,

    /// Arguments passed to the program (after `--`).
    #[arg(last = true, value_name = "ARGS")]
    pub args: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// A .fidproj file, a folder holding one, or a single .clef/.fs file.
    #[arg(default_value = ".")]
    pub path: PathBuf,

    /// The target to check for: x86_64-linux (the default) or aarch64-linux.
    #[arg(long, value_name = "NAME")]
    pub target: Option<String>,

    /// How diagnostics are printed.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = MessageFormatArg::Human)]
    pub message_format: MessageFormatArg,

    /// Print nothing but diagnostics (no summary line).
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Args)]
pub struct NewArgs {
    /// The project's name, and the folder it is created in (which must not exist
    /// or be empty).
    #[arg(value_name = "NAME")]
    pub name: PathBuf,
}

fn parse_emit_kind(text: &str) -> Result<EmitKind, String> {
    EmitKind::from_name(text.trim()).ok_or_else(|| {
        format!(
            "unknown kind `{text}`; expected one of: {}",
            EmitKind::ALL
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("composer").chain(args.iter().copied()))
            .expect("valid command line")
    }

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn build_defaults() {
        let Command::Build(args) = parse(&["build"]).command else {
            panic!("not build")
        };
        assert_eq!(args.path, PathBuf::from("."));
        assert_eq!(args.opt_level, 2);
        assert!(args.emit.is_empty());
        assert_eq!(args.message_format, MessageFormatArg::Human);
        assert!(!args.alloc_stats);
    }

    #[test]
    fn build_with_every_option() {
        let Command::Build(args) = parse(&[
            "build",
            "app.fidproj",
            "-o",
            "out/app",
            "--target",
            "x86_64-linux",
            "-O0",
            "--emit",
            "ast,mlir,llvm",
            "--emit",
            "ledger",
            "--emit-dir",
            "dumps",
            "--message-format",
            "short",
            "--alloc-stats",
        ])
        .command
        else {
            panic!("not build")
        };
        assert_eq!(args.path, PathBuf::from("app.fidproj"));
        assert_eq!(args.output, Some(PathBuf::from("out/app")));
        assert_eq!(args.opt_level, 0);
        assert_eq!(
            args.emit,
            vec![
                EmitKind::Ast,
                EmitKind::Mlir,
                EmitKind::Llvm,
                EmitKind::Ledger
            ]
        );
        assert_eq!(args.emit_dir, Some(PathBuf::from("dumps")));
        assert_eq!(args.message_format, MessageFormatArg::Short);
        assert!(args.alloc_stats);
    }

    #[test]
    fn later_opt_level_wins() {
        let Command::Build(args) = parse(&["build", "-O1", "-O3"]).command else {
            panic!("not build")
        };
        assert_eq!(args.opt_level, 3);
    }

    #[test]
    fn bad_values_are_usage_errors() {
        for bad in [
            &["build", "-O4"][..],
            &["build", "--emit", "tokens"],
            &["build", "--message-format", "json"],
            &["frobnicate"],
        ] {
            let error = Cli::try_parse_from(std::iter::once("composer").chain(bad.iter().copied()))
                .expect_err("invalid");
            assert_eq!(error.exit_code(), 2, "{bad:?}");
        }
    }

    #[test]
    fn run_passes_arguments_after_double_dash() {
        let Command::Run(args) =
            parse(&["run", "hello.clef", "-O1", "--", "a", "-b", "--c"]).command
        else {
            panic!("not run")
        };
        assert_eq!(args.build.path, PathBuf::from("hello.clef"));
        assert_eq!(args.build.opt_level, 1);
        assert_eq!(args.args, vec!["a", "-b", "--c"]);
    }

    #[test]
    fn check_and_doctor_parse() {
        assert!(matches!(
            parse(&["check", "x.clef"]).command,
            Command::Check(_)
        ));
        assert!(matches!(parse(&["doctor"]).command, Command::Doctor));
    }
}
