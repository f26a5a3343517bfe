//! End-to-end tests of the runtime archives: small LLVM IR programs defining
//! `clef_main` (`programs.rs`, `programs_cancel_io.rs`) are compiled with
//! `llc` for each runtime target, linked against that target's archive exactly
//! as the driver links
//! (`ld.lld -nostdlib -static -e _start --gc-sections`) and run, natively on
//! x86_64 and under `qemu-aarch64` for aarch64 (natively on an aarch64 host).
//! `cases.rs` holds the tests, written once; `symbols.rs` checks that the
//! archives export the same functions.
//!
//! A missing tool (LLVM 19's `llc`, `ld.lld`, `llvm-readelf`, `llvm-nm`;
//! `qemu-aarch64`) or a missing aarch64 archive skips a test with a note on
//! stderr, except under `CI=true`, where it fails: CI installs all of them
//! (`scripts/setup.sh --tools-only`) and must not pass by skipping.

mod cases;
mod harness;
mod programs;
mod programs_cancel_io;
mod symbols;

/// A module `$module` with one `#[test]` per function of `cases.rs`, each run
/// for the runtime target `$target` (skipped or failed as the module
/// documentation says when it cannot run).
macro_rules! tests_for_target {
    ($module:ident, $target:literal, [$($case:ident),* $(,)?]) => {
        mod $module {
            $(
                #[test]
                fn $case() {
                    let test = concat!(stringify!($module), "::", stringify!($case));
                    if let Some(target) = crate::harness::Target::for_running($target, test) {
                        crate::cases::$case(&target);
                    }
                }
            )*
        }
    };
}

macro_rules! all_cases {
    ($module:ident, $target:literal) => {
        tests_for_target!(
            $module,
            $target,
            [
                hello_world_is_small_static_and_libc_free,
                smoke_program_uses_the_whole_abi,
                bad_input_panics_after_flushing_stdout,
                failwithf_panics_with_the_formatted_text,
                exit_flushes_stdout_and_keeps_the_status,
                regions_reset_and_release_what_they_allocated,
                copies_moves_and_fills_are_exact,
                faults_become_panics_after_flushing_stdout,
                async_executor_runs_tasks_timers_descriptors_and_nested_loops,
                async_deadlock_is_reported_after_flushing_stdout,
                cancellation_wakes_the_tasks_of_a_source_and_ends_them_with_3,
                a_cancel_after_without_tasks_does_not_delay_the_deadlock_report,
                sockets_and_files_answer_values_or_negated_errnos,
            ]
        );
    };
}

all_cases!(x86_64, "x86_64-linux");
all_cases!(aarch64, "aarch64-linux");
