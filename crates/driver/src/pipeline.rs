//! The boundary between the driver and the pure front end.
//!
//! Everything left of the MLIR text happens behind [`run_frontend`]: parsing, checking
//! with the PSG analyses (for the target and memory model of [`FrontendOptions`]),
//! lowering to MIR with the MIR passes and the verifier, and MLIR emission (Alex). The
//! driver hands it source text that it has already read and gets back data: dumps, the
//! MLIR module and diagnostics; `run_frontend` touches no file, process or environment.
//! The one exception in this module is [`add_prelude`], which reads `CLEF_LIB_DIR` (the
//! standard library from a folder instead of the embedded copies).

use composer_diagnostics::{Diagnostic, FileId, SourceMap};
use std::collections::BTreeSet;

/// A stage whose text form `--emit` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EmitKind {
    Ast,
    Psg,
    Mir,
    Mlir,
    Llvm,
    Asm,
    Ledger,
    LedgerJson,
}

impl EmitKind {
    pub const ALL: &'static [EmitKind] = &[
        EmitKind::Ast,
        EmitKind::Psg,
        EmitKind::Mir,
        EmitKind::Mlir,
        EmitKind::Llvm,
        EmitKind::Asm,
        EmitKind::Ledger,
        EmitKind::LedgerJson,
    ];

    /// The name used on the command line (`--emit ast,mlir`).
    pub fn name(self) -> &'static str {
        match self {
            EmitKind::Ast => "ast",
            EmitKind::Psg => "psg",
            EmitKind::Mir => "mir",
            EmitKind::Mlir => "mlir",
            EmitKind::Llvm => "llvm",
            EmitKind::Asm => "asm",
            EmitKind::Ledger => "ledger",
            EmitKind::LedgerJson => "ledger-json",
        }
    }

    /// The file extension of the dump (`OUT.ll` for `llvm`).
    pub fn extension(self) -> &'static str {
        match self {
            EmitKind::Llvm => "ll",
            EmitKind::Asm => "s",
            EmitKind::LedgerJson => "ledger.json",
            other => other.name(),
        }
    }

    pub fn from_name(name: &str) -> Option<EmitKind> {
        EmitKind::ALL.iter().copied().find(|k| k.name() == name)
    }
}

pub use composer_semantics::MemoryModel;

#[derive(Debug, Clone)]
pub struct FrontendOptions {
    /// The machine to compile for: the width of `int`, layouts, calling conventions.
    pub target: composer_target::Target,
    pub memory_model: MemoryModel,
    /// Verify the MIR after every pass in a release build too (`CLEF_VERIFY_MIR=1`;
    /// debug builds always do).
    pub verify_mir: bool,
    pub opt_level: u8,
    pub alloc_stats: bool,
    pub emit: BTreeSet<EmitKind>,
    /// The ledger lists the standard library's entries too (`--ledger-all`).
    pub ledger_all: bool,
}

pub struct FrontendOutput {
    /// Text dumps of the stages the user asked for (ast, psg, mir, mlir, ledger).
    pub dumps: Vec<(EmitKind, String)>,
    /// The MLIR module text, present when there were no errors.
    pub mlir: Option<String>,
    /// All diagnostics, sorted by position.
    pub diagnostics: Vec<composer_diagnostics::Diagnostic>,
}

/// The standard library (DESIGN §8), written in Clef and compiled before every
/// program; only what the program reaches is generated.
const PRELUDE: &[(&str, &str)] = &[
    ("lib/Core.clef", include_str!("../../../lib/Core.clef")),
    ("lib/List.clef", include_str!("../../../lib/List.clef")),
    ("lib/Option.clef", include_str!("../../../lib/Option.clef")),
    ("lib/Result.clef", include_str!("../../../lib/Result.clef")),
    (
        "lib/ValueOption.clef",
        include_str!("../../../lib/ValueOption.clef"),
    ),
    ("lib/String.clef", include_str!("../../../lib/String.clef")),
    ("lib/Char.clef", include_str!("../../../lib/Char.clef")),
    ("lib/Array.clef", include_str!("../../../lib/Array.clef")),
    ("lib/Slice.clef", include_str!("../../../lib/Slice.clef")),
    ("lib/Seq.clef", include_str!("../../../lib/Seq.clef")),
    (
        "lib/ListOfSeq.clef",
        include_str!("../../../lib/ListOfSeq.clef"),
    ),
    (
        "lib/ArrayOfSeq.clef",
        include_str!("../../../lib/ArrayOfSeq.clef"),
    ),
    (
        "lib/StringMembers.clef",
        include_str!("../../../lib/StringMembers.clef"),
    ),
    ("lib/Lazy.clef", include_str!("../../../lib/Lazy.clef")),
    ("lib/Async.clef", include_str!("../../../lib/Async.clef")),
    (
        "lib/AsyncIO.clef",
        include_str!("../../../lib/AsyncIO.clef"),
    ),
    ("lib/Map.clef", include_str!("../../../lib/Map.clef")),
    ("lib/Set.clef", include_str!("../../../lib/Set.clef")),
    ("lib/System.clef", include_str!("../../../lib/System.clef")),
];

/// `CLEF_LIB_DIR=DIR` makes the compiler read the standard library's files from
/// `DIR` instead of the copies built into it, so library work needs no rebuild.
const LIB_DIR_VAR: &str = "CLEF_LIB_DIR";

/// Adds the standard library's files to the source map; returns them in order.
pub fn add_prelude(sources: &mut SourceMap) -> Vec<FileId> {
    let dir = std::env::var_os(LIB_DIR_VAR).map(std::path::PathBuf::from);
    PRELUDE
        .iter()
        .map(|(name, text)| {
            let from_dir = dir.as_ref().and_then(|d| {
                let file = d.join(name.trim_start_matches("lib/"));
                std::fs::read_to_string(file).ok()
            });
            match from_dir {
                Some(text) => sources.add(*name, text),
                None => sources.add(*name, *text),
            }
        })
        .collect()
}

/// The file ids [`add_prelude`] gives when it is the first thing in a source map.
pub fn prelude_files() -> Vec<FileId> {
    (0..PRELUDE.len() as u32).map(FileId).collect()
}

/// Runs every stage from source text to MLIR text. `prelude` are the standard
/// library's files ([`add_prelude`]); `files` are the program's, in compilation order.
pub fn run_frontend(
    sources: &SourceMap,
    prelude: &[FileId],
    files: &[FileId],
    options: &FrontendOptions,
) -> FrontendOutput {
    let mut interner = composer_syntax::Interner::new();
    let mut diagnostics = Vec::new();
    let mut dumps = Vec::new();
    let mut prelude_asts = Vec::new();
    for &file in prelude {
        let (ast, parse_diagnostics) =
            composer_syntax::parse_file(file, sources.text(file), &mut interner);
        diagnostics.extend(parse_diagnostics);
        prelude_asts.push(ast);
    }
    let mut asts = Vec::new();
    let mut ast_dump = String::new();
    for &file in files {
        let (ast, parse_diagnostics) =
            composer_syntax::parse_file(file, sources.text(file), &mut interner);
        diagnostics.extend(parse_diagnostics);
        if options.emit.contains(&EmitKind::Ast) {
            ast_dump.push_str(&format!("// {}\n", sources.name(file)));
            ast_dump.push_str(&composer_syntax::print_ast(&ast, &interner));
        }
        asts.push(ast);
    }
    if options.emit.contains(&EmitKind::Ast) {
        dumps.push((EmitKind::Ast, ast_dump));
    }
    let check_options = composer_semantics::CheckOptions {
        target: options.target,
        memory_model: options.memory_model,
    };
    let (psg, check_diagnostics) =
        composer_semantics::check_program_for(check_options, &prelude_asts, &asts, &mut interner);
    diagnostics.extend(check_diagnostics);
    if options.emit.contains(&EmitKind::Psg) {
        dumps.push((EmitKind::Psg, psg.to_string()));
    }
    let mut mlir = None;
    if !diagnostics.iter().any(Diagnostic::is_error) {
        let lower_options = composer_lower::LowerOptions {
            alloc_stats: options.alloc_stats,
            verify: options.verify_mir,
        };
        let (mir, lower_diagnostics) = composer_lower::lower_with(&psg, sources, lower_options);
        diagnostics.extend(lower_diagnostics);
        if options.emit.contains(&EmitKind::Mir) {
            dumps.push((EmitKind::Mir, mir.to_string()));
        }
        if !diagnostics.iter().any(Diagnostic::is_error) {
            let text = composer_alex::emit_module(&mir);
            if options.emit.contains(&EmitKind::Mlir) {
                dumps.push((EmitKind::Mlir, text.clone()));
            }
            mlir = Some(text);
            // The ledger's allocations are what lowering placed: a program that
            // does not lower has none to report, and gets no ledger (like MLIR).
            let ledger = (options.emit.contains(&EmitKind::Ledger)
                || options.emit.contains(&EmitKind::LedgerJson))
            .then(|| crate::ledger::Ledger::new(sources, &psg, &mir, prelude, options.ledger_all));
            if let Some(ledger) = ledger {
                if options.emit.contains(&EmitKind::Ledger) {
                    dumps.push((EmitKind::Ledger, ledger.text()));
                }
                if options.emit.contains(&EmitKind::LedgerJson) {
                    dumps.push((EmitKind::LedgerJson, ledger.json()));
                }
            }
        }
    }
    // `#nowarn "25"` silences that warning from the directive to the end of its file.
    diagnostics.retain(|d| {
        d.is_error()
            || !d
                .span
                .is_some_and(|span| asts.iter().any(|a| a.silences(d.code.number(), span)))
    });
    composer_diagnostics::sort_and_dedup_diagnostics(&mut diagnostics);
    FrontendOutput {
        dumps,
        mlir,
        diagnostics,
    }
}

#[cfg(test)]
mod tests {
    /// The value-flow analysis assumes seq generators never keep the consumer
    /// they are given (`Analysis::generators_keep`); the standard library's must not,
    /// or every `for … in` over a seq parameter would lose its stack closure.
    #[test]
    fn library_generators_do_not_keep_their_consumer() {
        let mut sources = composer_diagnostics::SourceMap::new();
        let prelude: Vec<_> = super::PRELUDE
            .iter()
            .map(|(name, text)| sources.add(*name, *text))
            .collect();
        let src = "let s = seq { for i in 1 .. 3 do yield i * 2 }\n\
                   printfn \"%d\" (s |> Seq.map (fun x -> x + 1) |> Seq.sum)\n";
        let file = sources.add("main.clef", src);
        let mut interner = composer_syntax::Interner::new();
        let mut asts = Vec::new();
        for &f in prelude.iter().chain(std::iter::once(&file)) {
            let (ast, diags) = composer_syntax::parse_file(f, sources.text(f), &mut interner);
            assert!(diags.is_empty(), "{diags:?}");
            asts.push(ast);
        }
        let program = asts.split_off(prelude.len());
        let (psg, diags) =
            composer_semantics::check_program_with_prelude(&asts, &program, &mut interner);
        assert!(
            !diags.iter().any(composer_diagnostics::Diagnostic::is_error),
            "{diags:?}"
        );
        // A second analysis of the checked program, for this test only.
        let analysis = composer_semantics::analysis::Analysis::new(&psg);
        assert!(!analysis.generators_keep());
    }
}
