//! Finding the tools, building an executable for a runtime target from LLVM IR
//! the way the driver links, and running it (natively or under qemu).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use composer_runtime::RUNTIME_ARCHIVE_FILE_NAME;

/// What the tests know about a target beyond what `composer_target` says of it
/// (triple, emulator, linker flags): facts that only a test checks.
struct TargetFacts {
    target: composer_target::Target,
    /// `Machine:` in `llvm-readelf -h` of its objects and executables.
    elf_machine: &'static str,
    /// Whether an integer division by zero traps (SIGFPE); aarch64's `sdiv`
    /// answers 0 instead.
    division_by_zero_traps: bool,
}

const TARGETS: &[TargetFacts] = &[
    TargetFacts {
        target: composer_target::X86_64_LINUX,
        elf_machine: "Advanced Micro Devices X86-64",
        division_by_zero_traps: true,
    },
    TargetFacts {
        target: composer_target::AARCH64_LINUX,
        elf_machine: "AArch64",
        division_by_zero_traps: false,
    },
];

/// Whether this is a CI run (`.ci/run` sets `CI=true`): a missing tool or
/// archive then fails the test instead of skipping it.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true")
}

/// Reports that `test` cannot run because of `why`: a note on stderr, or a
/// panic in CI, where scripts/setup.sh installs everything.
fn unavailable(test: &str, why: &str) {
    assert!(
        !in_ci(),
        "{test}: {why}; CI=true, so this fails instead of skipping (run scripts/setup.sh --tools-only)"
    );
    // Straight to the process's stderr in one write: libtest captures
    // `eprintln!` of a passing test, and a skip must be seen (whole, among
    // the lines of tests running in parallel).
    let note = format!("note: skipping {test}: {why}\n");
    let _ = std::io::stderr().write_all(note.as_bytes());
}

pub struct Tools {
    pub llc: PathBuf,
    pub lld: PathBuf,
    pub readelf: PathBuf,
    pub nm: PathBuf,
}

fn find_llvm_tool(name: &str) -> Option<PathBuf> {
    composer_target::tools::ToolSearch::from_env().find(name)
}

fn find_tools() -> Result<Tools, String> {
    let find = |name: &str| {
        find_llvm_tool(name)
            .ok_or_else(|| format!("the LLVM 19 tool {name} is not installed (llvm-19, lld-19)"))
    };
    Ok(Tools {
        llc: find("llc")?,
        lld: find("ld.lld")?,
        readelf: find("llvm-readelf")?,
        nm: find("llvm-nm")?,
    })
}

/// A runtime target with its archive and the tools to build for it.
pub struct Target {
    facts: &'static TargetFacts,
    archive: &'static [u8],
    pub tools: Tools,
    /// The emulator that runs its executables, or `None` to run them directly.
    runner: Option<PathBuf>,
}

impl Target {
    /// `name` with its archive and the LLVM tools, for a test that only
    /// inspects files; `None` (after a note, or a panic in CI) when something
    /// is missing.
    pub fn for_inspection(name: &str, test: &str) -> Option<Target> {
        let facts = TARGETS
            .iter()
            .find(|facts| facts.target.name == name)
            .unwrap_or_else(|| panic!("no test facts for the runtime target {name}"));
        let Some(archive) = composer_runtime::archive(name) else {
            let reason = composer_runtime::missing_archive_reason(name)
                .unwrap_or("the runtime does not support it");
            unavailable(test, &format!("no runtime archive for {name}: {reason}"));
            return None;
        };
        let tools = match find_tools() {
            Ok(tools) => tools,
            Err(why) => {
                unavailable(test, &why);
                return None;
            }
        };
        Some(Target {
            facts,
            archive,
            tools,
            runner: None,
        })
    }

    /// As [`Target::for_inspection`], and able to run the target's executables:
    /// directly on its own architecture, else under its emulator.
    pub fn for_running(name: &str, test: &str) -> Option<Target> {
        let mut target = Target::for_inspection(name, test)?;
        if target.facts.target.runs_natively() {
            return Some(target);
        }
        let Some(emulator) = target.facts.target.emulator else {
            unavailable(
                test,
                &format!(
                    "{name} executables cannot run on this {} host",
                    std::env::consts::ARCH
                ),
            );
            return None;
        };
        match composer_target::tools::find_emulator(&target.facts.target) {
            Some(runner) => {
                target.runner = Some(runner);
                Some(target)
            }
            None => {
                unavailable(
                    test,
                    &format!("{emulator} is not installed (Debian: qemu-user), so {name} executables cannot run"),
                );
                None
            }
        }
    }

    pub fn name(&self) -> &'static str {
        self.facts.target.name
    }

    pub fn elf_machine(&self) -> &'static str {
        self.facts.elf_machine
    }

    pub fn division_by_zero_traps(&self) -> bool {
        self.facts.division_by_zero_traps
    }

    pub fn archive(&self) -> &'static [u8] {
        self.archive
    }

    /// Compiles `ir` with `llc -O2` for the target and links it against the
    /// archive as the driver does, in `dir`.
    pub fn build(&self, dir: &Path, name: &str, ir: &str) -> PathBuf {
        let archive = dir.join(RUNTIME_ARCHIVE_FILE_NAME);
        if !archive.exists() {
            std::fs::write(&archive, self.archive).expect("write runtime archive");
        }
        let source = dir.join(format!("{name}.ll"));
        let object = dir.join(format!("{name}.o"));
        let exe = dir.join(name);
        std::fs::write(&source, ir).expect("write IR");
        run_tool(
            Command::new(&self.tools.llc)
                .args([
                    "-O2",
                    "-filetype=obj",
                    "-mtriple",
                    self.facts.target.llvm_triple,
                ])
                .arg(&source)
                .arg("-o")
                .arg(&object),
        );
        run_tool(
            Command::new(&self.tools.lld)
                .args(self.facts.target.link_flags)
                .arg(&object)
                .arg(&archive)
                .arg("-o")
                .arg(&exe),
        );
        exe
    }

    /// `exe args` with `stdin` fed to it.
    pub fn run(&self, exe: &Path, args: &[&str], stdin: &[u8]) -> Output {
        let mut command = match &self.runner {
            Some(runner) => {
                let mut command = Command::new(runner);
                command.arg(exe);
                command
            }
            None => Command::new(exe),
        };
        let mut child = command
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the linked program");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin)
            .expect("feed stdin");
        child
            .wait_with_output()
            .expect("wait for the linked program")
    }

    /// `exe args` under `ulimit -s limit_kib` (set by `sh`, then `exec`); qemu
    /// gives the guest a stack of the same size.
    pub fn run_with_stack_limit_kib(&self, exe: &Path, args: &[&str], limit_kib: u32) -> Output {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("ulimit -s {limit_kib} && exec \"$0\" \"$@\""));
        if let Some(runner) = &self.runner {
            command.arg(runner);
        }
        command
            .arg(exe)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("start the linked program through sh")
    }
}

pub fn run_tool(command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("cannot run {command:?}: {error}"));
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// `llvm-readelf -d` prints nothing (GNU readelf: "There is no dynamic
/// section") for a static executable.
pub fn assert_no_dynamic_section(readelf_output: &[u8]) {
    let text = String::from_utf8_lossy(readelf_output);
    assert!(
        text.trim().is_empty() || text.contains("no dynamic section"),
        "unexpected dynamic section:\n{text}"
    );
}

/// The `Machine:` values of `llvm-readelf -h` output, one per ELF file in it.
pub fn elf_machines(readelf_headers: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(readelf_headers)
        .lines()
        .filter_map(|line| line.trim().strip_prefix("Machine:"))
        .map(|machine| machine.trim().to_string())
        .collect()
}
