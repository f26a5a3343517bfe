//! Property test of the whole front end, in-process and exactly as `composer build`
//! runs it ([`run_frontend`] with the standard library): parsing, name resolution, type
//! inference, the PSG analyses, the memory-model checks, lowering to MIR (with its
//! verifier in debug builds), MLIR emission, the ledger and the diagnostics renderer.
//!
//! Properties, for every input:
//! * it never panics and never hangs (each case runs in its own thread under a time
//!   limit; a hang prints the program and ends the test binary);
//! * it gives MLIR exactly when it reports no error.
//!
//! Inputs:
//! * `mutated_programs_never_crash_the_front_end`: a program test or sample
//!   (`tests/programs/**/*.clef`, `samples/*.clef`) with one to four token-level
//!   mutations (`mutate.rs`);
//! * `generated_programs_check_and_lower`: small well-typed programs
//!   (`generate.rs`), which must also check without errors.
//!
//! The runs are deterministic. `CLEF_FUZZ_CASES=N` sets the number of cases of each
//! property (default [`DEFAULT_CASES`], about 40 s in a debug build on two
//! cores), `CLEF_FUZZ_SEED=N` picks another seed (default 0),
//! `CLEF_FUZZ_CASE_SECONDS=N` the time limit of one case. A failure prints the program
//! as text, ready to save as a `.clef` file; `CLEF_FUZZ_FINDINGS=DIR` instead writes
//! every failing program to `DIR` and keeps going, for long runs
//! (`docs/architecture.md`, "Testing").

mod generate;
mod mutate;

use composer_diagnostics::{render, Diagnostic, MessageFormat, SourceMap};
use composer_driver::pipeline::{
    add_prelude, run_frontend, EmitKind, FrontendOptions, MemoryModel,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Mutex;
use std::time::Duration;

/// Cases per property when `CLEF_FUZZ_CASES` is unset: a case costs about 0.35 s of CPU
/// in a debug build (mostly checking the standard library), so the two properties take
/// about 40 s on two cores.
const DEFAULT_CASES: u32 = 100;

/// The time limit of one case when `CLEF_FUZZ_CASE_SECONDS` is unset. A case takes a
/// fraction of a second; the margin is for a loaded CI machine.
const DEFAULT_CASE_SECONDS: u64 = 60;

/// The front end's stack, as `composer` gives it (`compile.rs`): deep recursion in the
/// checker is not a bug there, so it must not be one here.
const FRONTEND_STACK_BYTES: usize = 1 << 30;

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text} is not a number")),
        Err(_) => default,
    }
}

/// One input: the program's text and where it came from.
#[derive(Clone)]
struct Case {
    origin: String,
    program: String,
    memory_model: MemoryModel,
}

impl std::fmt::Debug for Case {
    /// The program as text, so a failure can be copied into a file.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (memory model {:?}):\n----- program -----\n{}\n----- end -----",
            self.origin, self.memory_model, self.program
        )
    }
}

struct CorpusFile {
    name: String,
    text: String,
}

fn repository_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

fn collect_programs(folder: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", folder.display()));
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            collect_programs(&path, out);
        } else if path.extension().is_some_and(|e| e == "clef") {
            out.push(path);
        }
    }
}

/// Every program test and sample, sorted so the corpus (and so each case) does not
/// depend on the order the file system lists them in.
fn corpus() -> Vec<CorpusFile> {
    let root = repository_root();
    let mut paths = Vec::new();
    for folder in ["tests/programs", "samples"] {
        collect_programs(&root.join(folder), &mut paths);
    }
    paths.sort();
    let files: Vec<CorpusFile> = paths
        .iter()
        .map(|path| CorpusFile {
            name: path
                .strip_prefix(&root)
                .unwrap_or(path)
                .display()
                .to_string(),
            text: std::fs::read_to_string(path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display())),
        })
        .collect();
    assert!(files.len() > 100, "the corpus is missing: {}", files.len());
    files
}

fn memory_model() -> impl Strategy<Value = MemoryModel> {
    prop_oneof![3 => Just(MemoryModel::Region), 1 => Just(MemoryModel::StackOnly)]
}

/// What one run of the front end produced.
struct Outcome {
    has_errors: bool,
    diagnostics: String,
}

/// The front end as `composer build` runs it, and the diagnostics renderer.
fn front_end(program: &str, memory_model: MemoryModel) -> Result<Outcome, String> {
    let mut sources = SourceMap::new();
    let prelude = add_prelude(&mut sources);
    let file = sources.add("fuzz.clef", program);
    let options = FrontendOptions {
        target: composer_driver::Target::DEFAULT,
        verify_mir: true,
        memory_model,
        opt_level: 2,
        alloc_stats: false,
        // The MIR printer; not the ledger, which is the driver's and costs as much as
        // the rest of the case.
        emit: [EmitKind::Mir].into_iter().collect(),
        ledger_all: false,
    };
    let output = run_frontend(&sources, &prelude, &[file], &options);
    let has_errors = output.diagnostics.iter().any(Diagnostic::is_error);
    let _ = render(&sources, &output.diagnostics, MessageFormat::Human, false);
    let diagnostics = render(&sources, &output.diagnostics, MessageFormat::Short, false);
    match (has_errors, &output.mlir) {
        (false, None) => Err(format!("no error and no MLIR; diagnostics:\n{diagnostics}")),
        (true, Some(_)) => Err(format!("MLIR despite errors; diagnostics:\n{diagnostics}")),
        _ => Ok(Outcome {
            has_errors,
            diagnostics,
        }),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with no message".to_string())
}

/// Runs one case in its own thread under the time limit. A panic is an `Err`; a hang
/// prints the program and ends the process, since the thread cannot be stopped.
fn run_guarded(case: &Case) -> Result<Outcome, String> {
    let (sender, receiver) = mpsc::channel();
    let program = case.program.clone();
    let memory_model = case.memory_model;
    std::thread::Builder::new()
        .name("front end".into())
        .stack_size(FRONTEND_STACK_BYTES)
        .spawn(move || {
            let result = std::panic::catch_unwind(|| front_end(&program, memory_model));
            let _ = sender.send(result);
        })
        .expect("cannot start the front-end thread");
    let limit = Duration::from_secs(env_number("CLEF_FUZZ_CASE_SECONDS", DEFAULT_CASE_SECONDS));
    match receiver.recv_timeout(limit) {
        Ok(Ok(result)) => result,
        Ok(Err(payload)) => Err(format!(
            "the front end panicked: {}",
            panic_message(&*payload)
        )),
        Err(_) => {
            eprintln!(
                "the front end ran longer than {limit:?} (a hang) on {case:?}\n\
                 CLEF_FUZZ_CASE_SECONDS raises the limit."
            );
            std::process::exit(101);
        }
    }
}

/// Runs `cases` cases of `strategy` through `property` with a fixed seed. Fails with
/// the (shrunk) program, or with every program written to `CLEF_FUZZ_FINDINGS`.
fn run_property(
    name: &str,
    strategy: impl Strategy<Value = Case>,
    property: impl Fn(&Case, Outcome) -> Result<(), String>,
) {
    let cases = env_number("CLEF_FUZZ_CASES", DEFAULT_CASES.into()) as u32;
    let seed = env_number("CLEF_FUZZ_SEED", 0);
    let findings = std::env::var_os("CLEF_FUZZ_FINDINGS").map(PathBuf::from);
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 300,
        rng_algorithm: RngAlgorithm::ChaCha,
        ..Config::default()
    };
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    seed_bytes[8..8 + name.len().min(24)].copy_from_slice(&name.as_bytes()[..name.len().min(24)]);
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let found = Mutex::new(0usize);
    let without_errors = Mutex::new(0usize);
    let result = runner.run(&strategy, |case| {
        let verdict = run_guarded(&case).and_then(|outcome| {
            if !outcome.has_errors {
                *without_errors.lock().expect("not poisoned") += 1;
            }
            property(&case, outcome)
        });
        match (verdict, &findings) {
            (Ok(()), _) => Ok(()),
            (Err(problem), Some(folder)) => {
                let mut count = found.lock().expect("not poisoned");
                *count += 1;
                std::fs::create_dir_all(folder).expect("cannot create CLEF_FUZZ_FINDINGS");
                let file = folder.join(format!("{name}-{seed}-{count}.clef"));
                let comment: String = format!("{problem}\nfrom {}", case.origin)
                    .lines()
                    .map(|l| format!("// {l}\n"))
                    .collect();
                std::fs::write(&file, format!("{comment}{}", case.program))
                    .expect("cannot write a finding");
                eprintln!("finding {}: {problem}", file.display());
                Ok(())
            }
            (Err(problem), None) => Err(TestCaseError::fail(problem)),
        }
    });
    match result {
        Ok(()) => {}
        Err(TestError::Fail(problem, case)) => {
            panic!("{name} (CLEF_FUZZ_SEED={seed}): {problem}\nsmallest failing input: {case:?}")
        }
        Err(TestError::Abort(reason)) => panic!("{name}: aborted: {reason}"),
    }
    // Shows that the cases reach lowering (`--nocapture`); shrinking runs count too.
    eprintln!(
        "{name}: {} of {cases} cases had no error and went through lowering and MLIR emission",
        without_errors.into_inner().expect("not poisoned")
    );
    let found = found.into_inner().expect("not poisoned");
    assert_eq!(
        found, 0,
        "{name}: {found} failing programs written to CLEF_FUZZ_FINDINGS"
    );
}

#[test]
fn mutated_programs_never_crash_the_front_end() {
    let corpus = corpus();
    let strategy = (
        0..corpus.len(),
        // One mutation half of the time: programs that still check reach lowering.
        prop_oneof![
            prop::collection::vec(mutate::mutation(), 1..2),
            prop::collection::vec(mutate::mutation(), 2..5),
        ],
        memory_model(),
    )
        .prop_map(move |(index, mutations, memory_model)| {
            let file = &corpus[index];
            let program = mutations
                .iter()
                .fold(file.text.clone(), |text, m| mutate::apply(&text, m));
            Case {
                origin: format!("{} mutated by {mutations:?}", file.name),
                program,
                memory_model,
            }
        });
    run_property("mutated", strategy, |_, _| Ok(()));
}

#[test]
fn generated_programs_check_and_lower() {
    let strategy = (generate::program(), memory_model()).prop_map(|(program, memory_model)| Case {
        origin: "a generated program".to_string(),
        program,
        memory_model,
    });
    run_property("generated", strategy, |case, outcome| {
        // The stack-only model rejects allocation, which these programs may do.
        if outcome.has_errors && case.memory_model == MemoryModel::Region {
            return Err(format!(
                "a well-typed program was rejected:\n{}",
                outcome.diagnostics
            ));
        }
        Ok(())
    });
}
