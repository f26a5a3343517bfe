//! The archives of all targets define the same functions: what generated code
//! calls (`clef_rt_*`, `clef_rt_current_region`), `_start`, the `mem*` family
//! and the C math names. Only the runtime's own object is compared; the
//! precompiled `core` and `compiler_builtins` objects differ between toolchains.

use std::collections::BTreeSet;
use std::process::Command;

use crate::harness::{elf_machines, run_tool, Target};

/// Symbols one architecture defines and the others do not, and why.
const ARCHITECTURE_ONLY: &[(&str, &str)] = &[
    // The `sa_restorer` trampoline; aarch64 uses the kernel's (arch/x86_64.rs).
    ("x86_64-linux", "clef_rt_sigreturn"),
    // A stub for Debian's unwinding `compiler_builtins` (runtime/src/lib.rs).
    ("aarch64-linux", "rust_eh_personality"),
];

/// The global symbols the runtime's own object in `target`'s archive defines,
/// without the ones [`ARCHITECTURE_ONLY`] lists for it.
fn runtime_exports(target: &Target, dir: &std::path::Path) -> BTreeSet<String> {
    let archive = dir.join(format!("{}.a", target.name()));
    std::fs::write(&archive, target.archive()).expect("write archive");
    let listing = run_tool(
        Command::new(&target.tools.nm)
            .args(["--defined-only", "--extern-only"])
            .arg(&archive),
    );
    // `llvm-nm` prints `member.o:` before each member's symbols.
    let mut in_runtime_object = false;
    let mut exports = BTreeSet::new();
    for line in String::from_utf8_lossy(&listing.stdout).lines() {
        if let Some(member) = line.strip_suffix(':') {
            in_runtime_object = member.starts_with("clef_runtime");
            continue;
        }
        if !in_runtime_object {
            continue;
        }
        if let Some(name) = line.split_whitespace().nth(2) {
            let arch_only = ARCHITECTURE_ONLY
                .iter()
                .any(|&(arch_target, symbol)| arch_target == target.name() && symbol == name);
            if !arch_only {
                exports.insert(name.to_string());
            }
        }
    }
    exports
}

#[test]
fn every_archive_exports_the_same_functions_for_its_machine() {
    let test = "every_archive_exports_the_same_functions_for_its_machine";
    let Some(x86_64) = Target::for_inspection("x86_64-linux", test) else {
        return;
    };
    let Some(aarch64) = Target::for_inspection("aarch64-linux", test) else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let reference = runtime_exports(&x86_64, dir.path());
    for expected in [
        "_start",
        "clef_rt_start",
        "clef_rt_alloc",
        "clef_rt_current_region",
        "memcpy",
        "pow",
    ] {
        assert!(
            reference.contains(expected),
            "{expected} missing from {reference:?}"
        );
    }
    assert!(
        reference
            .iter()
            .filter(|name| name.starts_with("clef_rt_"))
            .count()
            > 40
    );

    let exports = runtime_exports(&aarch64, dir.path());
    let only_x86_64: Vec<_> = reference.difference(&exports).collect();
    let only_aarch64: Vec<_> = exports.difference(&reference).collect();
    assert!(
        only_x86_64.is_empty() && only_aarch64.is_empty(),
        "only in x86_64-linux: {only_x86_64:?}; only in aarch64-linux: {only_aarch64:?}"
    );

    for target in [&x86_64, &aarch64] {
        let archive = dir.path().join(format!("{}.a", target.name()));
        let headers = run_tool(Command::new(&target.tools.readelf).arg("-h").arg(&archive));
        let machines = elf_machines(&headers.stdout);
        assert!(!machines.is_empty());
        assert!(
            machines
                .iter()
                .all(|machine| machine == target.elf_machine()),
            "{}: {machines:?}",
            target.name()
        );
    }
}
