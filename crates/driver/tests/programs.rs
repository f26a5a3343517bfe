//! Program tests: every `*.clef` under `tests/programs/` (recursively) and `samples/`
//! is compiled with the real `composer` binary, run, and compared with the files
//! beside it (DESIGN §9):
//!
//! | file          | meaning                                                          |
//! | ------------- | ---------------------------------------------------------------- |
//! | `NAME.stdout` | expected standard output (required for a program that compiles) |
//! | `NAME.stdin`  | fed to standard input (otherwise stdin is empty)                  |
//! | `NAME.args`   | command-line arguments, one per line                             |
//! | `NAME.status` | expected exit status (default 0)                                 |
//! | `NAME.stderr` | expected standard error, exactly (otherwise not checked)         |
//! | `NAME.diag`   | expected diagnostics, `--message-format short`, path `NAME.clef` |
//! | `NAME.flags`  | extra compiler flags, one per line (`--memory-model=stack_only`)  |
//! | `NAME.max_peak_bytes` | the most region memory the run may have live at once (`peak_bytes` of `--alloc-stats`): pins bounded memory |
//!
//! A program with a `.diag` and no `.stdout` must fail to compile with exactly those
//! diagnostics; with both, it compiles with those warnings and runs.
//!
//! Every program is built with `--alloc-stats --emit ledger`: the `alloc-stats:` line
//! is taken off stderr before it is compared, and the ledger's prediction must agree
//! with it (a program the ledger says allocates nothing reports `total_bytes=0`, and
//! one that allocates has reachable allocation sites in its ledger).
//!
//! `CLEF_BLESS=1` rewrites the expectation files from the actual results (and creates
//! `NAME.stdout` for a program that runs). `CLEF_TEST_OPT=N` compiles at `-ON`
//! (default 1, the fastest to compile that still exercises the optimiser).
//!
//! `CLEF_TEST_OPT=0,2` (any list of levels) is the differential test: each program is
//! built and run at every level, each result is compared with the expectation files,
//! and the later levels' diagnostics, stdout, stderr, exit status and bytes allocated
//! must equal the first level's exactly. That also catches what the files do not pin
//! (stderr without a `.stderr`) and an expectation blessed from a miscompiled run.
//!
//! `CLEF_TEST_TARGET=aarch64-linux` builds for that target (`--target`) and runs each
//! program the way `composer run` would: under the target's emulator (`qemu-aarch64`)
//! when this machine cannot run it. The expectation files are the same for every
//! target: a program must behave the same on each.

use composer_driver::toolchain::ExternalTools;
use composer_driver::Target;
use libtest_mimic::{Arguments, Failed, Trial};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A test program that runs longer than this is killed.
const RUN_TIMEOUT: Duration = Duration::from_secs(20);

fn main() {
    let arguments = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap_or(root);
    let mut programs = Vec::new();
    for folder in ["tests/programs", "samples"] {
        collect_programs(&root.join(folder), &mut programs);
    }
    programs.sort();
    let target = test_target();
    let tools_missing = ExternalTools::from_env()
        .check_required()
        .err()
        .map(|e| e.to_string())
        .or_else(|| composer_driver::runtime_archive(target).err())
        .or_else(|| {
            let probe = Path::new("probe");
            composer_driver::compile::program_command(probe, target).err()
        });
    let trials = programs
        .into_iter()
        .map(|path| {
            let name = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .with_extension("")
                .display()
                .to_string();
            let tools_missing = tools_missing.clone();
            Trial::test(name, move || {
                if let Some(problem) = tools_missing {
                    return Err(format!(
                        "cannot build and run programs for {target}: run scripts/setup.sh\n{problem}"
                    )
                    .into());
                }
                check_program(&path)
            })
        })
        .collect();
    libtest_mimic::run(&arguments, trials).exit();
}

fn collect_programs(folder: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            collect_programs(&path, out);
        } else if path.extension().is_some_and(|e| e == "clef") {
            out.push(path);
        }
    }
}

/// The target to build for: `CLEF_TEST_TARGET`, default the default target. An
/// unknown name is a harness error, not a quiet fallback.
fn test_target() -> Target {
    match std::env::var("CLEF_TEST_TARGET") {
        Ok(name) if !name.is_empty() => Target::by_name(&name).unwrap_or_else(|| {
            panic!(
                "CLEF_TEST_TARGET={name}: not a target; targets: {}",
                Target::names()
            )
        }),
        _ => Target::DEFAULT,
    }
}

fn blessing() -> bool {
    std::env::var("CLEF_BLESS").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The expectation files of one program.
struct Expectations {
    source: PathBuf,
}

impl Expectations {
    fn path(&self, extension: &str) -> PathBuf {
        self.source.with_extension(extension)
    }

    fn read(&self, extension: &str) -> Option<String> {
        std::fs::read_to_string(self.path(extension)).ok()
    }
}

/// The optimisation levels to build at: `CLEF_TEST_OPT`, a comma-separated list
/// (`0,2`), default `1`.
fn opt_levels() -> Result<Vec<u8>, Failed> {
    let text = std::env::var("CLEF_TEST_OPT").unwrap_or_else(|_| "1".to_string());
    let levels = text
        .split(',')
        .map(|level| {
            level
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|&n| n <= 3)
                .ok_or_else(|| format!("CLEF_TEST_OPT={text}: expected levels 0 to 3, like 0,2"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(levels)
}

/// What one build (and, when it compiled, one run) of a program gave.
#[derive(PartialEq)]
struct Observed {
    /// `--message-format short` diagnostics.
    diagnostics: String,
    compiled: bool,
    run: Option<Ran>,
}

#[derive(PartialEq)]
struct Ran {
    stdout: String,
    /// Without the `alloc-stats:` line.
    stderr: String,
    status: i32,
    /// From the `alloc-stats:` line.
    total_bytes: Option<u64>,
    /// `peak_bytes` of the alloc-stats line.
    peak_bytes: Option<u64>,
    /// The ledger's prediction disagreed with `total_bytes`.
    prediction_problem: Option<String>,
}

/// Builds and checks the program at every level of `CLEF_TEST_OPT`. The first level is
/// compared with the expectation files (and blessed); every further level with the
/// expectation files too and, in full, with the first: diagnostics, stdout, stderr
/// (also when no `.stderr` pins it), exit status and bytes allocated. Optimisation must
/// not change what a program does, so a difference is a bug even when the expectation
/// files were blessed from a wrong result.
fn check_program(source: &Path) -> Result<(), Failed> {
    let expect = Expectations {
        source: source.to_path_buf(),
    };
    let levels = opt_levels()?;
    let bless = blessing();
    let mut problems = Vec::new();
    let mut first: Option<(u8, Observed)> = None;
    for &level in &levels {
        let observed = build_and_run(&expect, level)?;
        let prefix = if levels.len() > 1 {
            format!("at -O{level}: ")
        } else {
            String::new()
        };
        // Blessing writes the files from the first level only; later levels are then
        // held to it through the comparison below.
        let bless_this = bless && first.is_none();
        if !bless || bless_this {
            for problem in check_expectations(&expect, &observed, bless_this)? {
                problems.push(format!("{prefix}{problem}"));
            }
        }
        match &first {
            None => first = Some((level, observed)),
            Some((first_level, reference)) => {
                problems.extend(compare_levels(*first_level, reference, level, &observed));
            }
        }
    }
    finish(problems)
}

/// Compiles the program at `-O{level}` and runs it when it compiles.
fn build_and_run(expect: &Expectations, level: u8) -> Result<Observed, Failed> {
    let source = &expect.source;
    let folder = source.parent().expect("a program has a folder");
    let file_name = source.file_name().expect("a file name");
    let stem = source
        .file_stem()
        .expect("a stem")
        .to_string_lossy()
        .into_owned();
    let work = tempfile::Builder::new()
        .prefix("clef-test-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary folder: {e}"))?;
    let executable = work.path().join(&stem);

    let compile = Command::new(env!("CARGO_BIN_EXE_composer"))
        .arg("build")
        .arg(file_name)
        .arg("-o")
        .arg(&executable)
        .arg(format!("-O{level}"))
        .args(["--target", test_target().name])
        .args(
            expect
                .read("flags")
                .map(|text| text.lines().map(str::to_string).collect::<Vec<_>>())
                .unwrap_or_default(),
        )
        .args([
            "--quiet",
            "--message-format",
            "short",
            "--alloc-stats",
            "--emit",
            "ledger",
        ])
        .arg("--emit-dir")
        .arg(work.path())
        .current_dir(folder)
        .env("NO_COLOR", "1")
        .env_remove("CLEF_TIMINGS")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run composer: {e}"))?;
    let diagnostics = String::from_utf8_lossy(&compile.stderr).into_owned();
    match compile.status.code() {
        Some(0) | Some(1) => {}
        _ => {
            return Err(format!(
                "composer -O{level} failed with {} (a toolchain problem or an internal compiler error):\n{diagnostics}",
                compile.status
            )
            .into())
        }
    }
    let compiled = compile.status.success();
    if !compiled {
        return Ok(Observed {
            diagnostics,
            compiled,
            run: None,
        });
    }
    let args: Vec<String> = expect
        .read("args")
        .map(|text| text.lines().map(str::to_string).collect())
        .unwrap_or_default();
    let stdin = std::fs::read(expect.path("stdin")).ok();
    let run = run_with_timeout(&executable, &args, stdin, folder)?;
    let (stderr, stats) = split_alloc_stats(&String::from_utf8_lossy(&run.stderr));
    let total_bytes = alloc_field(&stats, "total_bytes=");
    let peak_bytes = alloc_field(&stats, "peak_bytes=");
    let prediction_problem =
        check_prediction(&work.path().join(format!("{stem}.ledger")), total_bytes);
    Ok(Observed {
        diagnostics,
        compiled,
        run: Some(Ran {
            stdout: String::from_utf8_lossy(&run.stdout).into_owned(),
            stderr,
            status: run.status,
            total_bytes,
            peak_bytes,
            prediction_problem,
        }),
    })
}

/// Compares one build and run with the expectation files, or (`bless`) rewrites them.
fn check_expectations(
    expect: &Expectations,
    observed: &Observed,
    bless: bool,
) -> Result<Vec<String>, Failed> {
    let stem = expect
        .source
        .file_stem()
        .expect("a stem")
        .to_string_lossy()
        .into_owned();
    let diagnostics = &observed.diagnostics;
    let expected_diag = expect.read("diag");
    let expects_to_run = expect.path("stdout").exists();
    let mut problems = Vec::new();

    // The diagnostics, when the program has a `.diag` (or blessing creates one).
    match &expected_diag {
        Some(expected) if !bless => {
            if let Some(diff) = compare("diagnostics", expected, diagnostics) {
                problems.push(diff);
            }
        }
        Some(_) => write_expectation(&expect.path("diag"), diagnostics)?,
        None if !observed.compiled && bless && !expects_to_run => {
            write_expectation(&expect.path("diag"), diagnostics)?
        }
        None => {}
    }
    let Some(run) = &observed.run else {
        // Blessing may turn a program with no expectations into a compile-fail test.
        let blessed_as_compile_fail = bless && !expects_to_run;
        if expected_diag.is_none() && !blessed_as_compile_fail {
            problems.push(format!("the program does not compile:\n{diagnostics}"));
        } else if expects_to_run {
            problems.push(format!(
                "{stem}.stdout exists, so the program should compile, but it does not:\n{diagnostics}"
            ));
        }
        return Ok(problems);
    };
    if expected_diag.is_some() && !expects_to_run && !bless {
        problems.push(format!(
            "{stem}.diag without {stem}.stdout means the program must not compile, but it did"
        ));
        return Ok(problems);
    }
    if bless {
        write_expectation(&expect.path("stdout"), &run.stdout)?;
        if run.status != 0 || expect.path("status").exists() {
            write_expectation(&expect.path("status"), &format!("{}\n", run.status))?;
        }
        if expect.path("stderr").exists() {
            write_expectation(&expect.path("stderr"), &run.stderr)?;
        }
        return Ok(problems);
    }
    problems.extend(run.prediction_problem.clone());

    let expected_status = match expect.read("status") {
        Some(text) => text
            .trim()
            .parse::<i32>()
            .map_err(|e| format!("{stem}.status is not a number: {e}"))?,
        None => 0,
    };
    match expect.read("stdout") {
        Some(expected) => {
            if let Some(diff) = compare("stdout", &expected, &run.stdout) {
                problems.push(diff);
            }
        }
        None => problems.push(format!(
            "there is no {stem}.stdout; run with CLEF_BLESS=1 to create it. The program printed:\n{}",
            run.stdout
        )),
    }
    if let Some(expected) = expect.read("stderr") {
        if let Some(diff) = compare("stderr", &expected, &run.stderr) {
            problems.push(diff);
        }
    }
    if let Some(text) = expect.read("max_peak_bytes") {
        let bound: u64 = text
            .trim()
            .parse()
            .map_err(|e| format!("{stem}.max_peak_bytes is not a number: {e}"))?;
        match run.peak_bytes {
            Some(peak) if peak <= bound => {}
            Some(peak) => problems.push(format!(
                "{peak} bytes of region memory were live at once, over the {bound} of {stem}.max_peak_bytes"
            )),
            None => problems.push("the program printed no alloc-stats line".into()),
        }
    }
    if run.status != expected_status {
        problems.push(format!(
            "exit status {} (expected {expected_status}){}",
            run.status,
            if run.stderr.is_empty() {
                String::new()
            } else {
                format!("; stderr:\n{}", run.stderr)
            }
        ));
    }
    Ok(problems)
}

/// The differences between the builds at two levels.
fn compare_levels(first: u8, reference: &Observed, level: u8, other: &Observed) -> Vec<String> {
    if reference == other {
        return Vec::new();
    }
    let differ = |part: &str, a: &str, b: &str| {
        (a != b).then(|| {
            format!(
                "{part} at -O{level} differs from -O{first} (- -O{first}, + -O{level}):\n{}",
                line_diff(a, b)
            )
        })
    };
    let mut problems = Vec::new();
    problems.extend(differ(
        "the diagnostics",
        &reference.diagnostics,
        &other.diagnostics,
    ));
    match (&reference.run, &other.run) {
        (Some(a), Some(b)) => {
            problems.extend(differ("stdout", &a.stdout, &b.stdout));
            problems.extend(differ("stderr", &a.stderr, &b.stderr));
            problems.extend(differ(
                "the exit status",
                &a.status.to_string(),
                &b.status.to_string(),
            ));
            problems.extend(differ(
                "the bytes allocated",
                &format!("{:?}", a.total_bytes),
                &format!("{:?}", b.total_bytes),
            ));
        }
        (a, b) if a.is_some() != b.is_some() => problems.push(format!(
            "the program compiles at -O{} only",
            if a.is_some() { first } else { level }
        )),
        _ => {}
    }
    problems
}

/// Stderr without its last line `alloc-stats: total_bytes=N …`, and that line's
/// fields (empty when there is none).
fn split_alloc_stats(stderr: &str) -> (String, String) {
    let trimmed = stderr.strip_suffix('\n').unwrap_or(stderr);
    let (rest, last) = match trimmed.rfind('\n') {
        Some(i) => (&stderr[..i + 1], &trimmed[i + 1..]),
        None => ("", trimmed),
    };
    match last.strip_prefix("alloc-stats: ") {
        Some(stats) => (rest.to_string(), stats.to_string()),
        None => (stderr.to_string(), String::new()),
    }
}

/// The number after `name` (`"peak_bytes="`) in an alloc-stats line.
fn alloc_field(stats: &str, name: &str) -> Option<u64> {
    stats
        .split_whitespace()
        .find_map(|w| w.strip_prefix(name))
        .and_then(|n| n.parse().ok())
}

/// The ledger's prediction against what `--alloc-stats` measured.
fn check_prediction(ledger: &Path, total_bytes: Option<u64>) -> Option<String> {
    let text = std::fs::read_to_string(ledger).ok()?;
    let prediction = text
        .lines()
        .find_map(|l| l.strip_prefix("# prediction: "))?;
    let predicts_none = prediction.starts_with("allocates nothing");
    match total_bytes {
        None => Some("the program printed no alloc-stats line".into()),
        Some(0) => None,
        Some(n) if predicts_none => Some(format!(
            "the ledger predicts no allocation, but the program allocated {n} bytes"
        )),
        Some(_) => None,
    }
}

fn finish(problems: Vec<String>) -> Result<(), Failed> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

fn write_expectation(path: &Path, text: &str) -> Result<(), Failed> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()).into())
}

struct RunResult {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// The exit status, or 128 + the signal number.
    status: i32,
}

fn run_with_timeout(
    executable: &Path,
    args: &[String],
    stdin: Option<Vec<u8>>,
    folder: &Path,
) -> Result<RunResult, Failed> {
    use std::os::unix::process::ExitStatusExt;
    let mut child = composer_driver::compile::program_command(executable, test_target())
        .map_err(|e| e.to_string())?
        .args(args)
        .current_dir(folder)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", executable.display()))?;
    let feeder = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        // The program may exit without reading everything; that is not an error.
        std::thread::spawn(move || drop(pipe.write_all(&bytes)))
    });
    let mut out_pipe = child.stdout.take().expect("stdout is piped");
    let mut err_pipe = child.stderr.take().expect("stderr is piped");
    let out_reader = std::thread::spawn(move || {
        let mut buffer = Vec::new();
        let _ = out_pipe.read_to_end(&mut buffer);
        buffer
    });
    let err_reader = std::thread::spawn(move || {
        let mut buffer = Vec::new();
        let _ = err_pipe.read_to_end(&mut buffer);
        buffer
    });
    let deadline = Instant::now() + RUN_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| format!("wait: {e}"))? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(
                format!("the program ran longer than {RUN_TIMEOUT:?} and was killed").into(),
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    if let Some(feeder) = feeder {
        let _ = feeder.join();
    }
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    let status = match (status.code(), status.signal()) {
        (Some(code), _) => code,
        (None, Some(signal)) => 128 + signal,
        (None, None) => -1,
    };
    Ok(RunResult {
        stdout,
        stderr,
        status,
    })
}

/// `None` when equal; otherwise a readable line diff (`-` expected, `+` actual).
fn compare(what: &str, expected: &str, actual: &str) -> Option<String> {
    if expected == actual {
        return None;
    }
    let mut out = format!("{what} differs (- expected, + actual):\n");
    out.push_str(&line_diff(expected, actual));
    if expected.trim_end() == actual.trim_end() {
        out.push_str("(only the trailing whitespace or final newline differs)\n");
    }
    Some(out)
}

/// A longest-common-subsequence line diff; plenty for test outputs.
fn line_diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    if a.len() * b.len() > 4_000_000 {
        let first = a
            .iter()
            .zip(&b)
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(b.len()));
        return format!(
            "first difference at line {}:\n- {}\n+ {}\n",
            first + 1,
            a.get(first).unwrap_or(&"<end>"),
            b.get(first).unwrap_or(&"<end>")
        );
    }
    // lcs[i][j] = length of the LCS of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push_str(&format!("  {}\n", a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push_str(&format!("+ {}\n", b[j]));
            j += 1;
        } else {
            out.push_str(&format!("- {}\n", a[i]));
            i += 1;
        }
    }
    out
}
