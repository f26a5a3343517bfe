//! The link tests, written once and run for every runtime target (`main.rs`
//! instantiates them per target).

use std::process::Command;

use crate::harness::{assert_no_dynamic_section, elf_machines, run_tool, Target};
use crate::programs::*;
use crate::programs_cancel_io::*;

pub fn hello_world_is_small_static_and_libc_free(target: &Target) {
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = target.build(dir.path(), "hello", HELLO_IR);
    let output = target.run(&exe, &[], b"");
    assert_eq!(output.stdout, b"hello\n");
    assert_eq!(output.status.code(), Some(0));

    let size = std::fs::metadata(&exe).expect("stat").len();
    eprintln!("{} hello world executable: {size} bytes", target.name());
    assert!(size < 16 * 1024, "hello world is {size} bytes");

    let dynamic = run_tool(Command::new(&target.tools.readelf).arg("-d").arg(&exe));
    assert_no_dynamic_section(&dynamic.stdout);
    let headers = run_tool(
        Command::new(&target.tools.readelf)
            .arg("-h")
            .arg("-l")
            .arg(&exe),
    );
    assert_eq!(elf_machines(&headers.stdout), [target.elf_machine()]);
    let headers = String::from_utf8_lossy(&headers.stdout);
    assert!(
        !headers.contains("INTERP") && !headers.contains("DYNAMIC"),
        "{headers}"
    );
}

pub fn smoke_program_uses_the_whole_abi(target: &Target) {
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = target.build(dir.path(), "smoke", SMOKE_IR);
    // A 40 000-byte line spans several reads of the 16 KiB stdin buffer.
    let long_line = "x".repeat(40_000);
    let stdin = format!("line1\r\nline2\n\n{long_line}\nlast");
    let output = target.run(&exe, &["a", "bc"], stdin.as_bytes());
    let wide = format!("{}foo", " ".repeat(4997));
    let expected = format!(
        "hello\n\
                    n=  -42 x=2.50 0.30000000000000004\n\
                    ff\n\
                    args=2 first=a\n\
                    aabcde zzbcde -1\n\
                    2 1.5 1024 1.4142135623730951\n\
                    31 3.25\n\
                    foobar -1 false True\n\
                    {wide}\n\
                    [line1][line2][][{long_line}][last] eof\n"
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), expected);
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    assert_eq!(output.status.code(), Some(3));

    let size = std::fs::metadata(&exe).expect("stat").len();
    eprintln!(
        "{} smoke executable (formatting, parsing, math): {size} bytes",
        target.name()
    );

    let symbols = run_tool(Command::new(&target.tools.nm).arg(&exe));
    let symbols = String::from_utf8_lossy(&symbols.stdout);
    for line in symbols.lines() {
        let name = line.split_whitespace().last().unwrap_or("");
        assert!(
            !matches!(
                name,
                "malloc" | "free" | "calloc" | "realloc" | "printf" | "puts" | "__libc_start_main"
            ),
            "libc symbol {name} in the executable"
        );
    }
    let dynamic = run_tool(Command::new(&target.tools.readelf).arg("-d").arg(&exe));
    assert_no_dynamic_section(&dynamic.stdout);
}

pub fn bad_input_panics_after_flushing_stdout(target: &Target) {
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = target.build(dir.path(), "parse_panic", PARSE_PANIC_IR);
    let output = target.run(&exe, &[], b"");
    assert_eq!(output.stdout, b"before\n");
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "panic: Input string was not in a correct format.\n"
    );
    assert_eq!(output.status.code(), Some(101));
}

pub fn failwithf_panics_with_the_formatted_text(target: &Target) {
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = target.build(dir.path(), "failwithf", FAILWITHF_IR);
    let output = target.run(&exe, &["x"], b"");
    assert_eq!(output.stdout, b"");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "panic: boom 1\n");
    assert_eq!(output.status.code(), Some(101));
}

pub fn exit_flushes_stdout_and_keeps_the_status(target: &Target) {
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = target.build(dir.path(), "exit", EXIT_IR);
    let output = target.run(&exe, &[], b"");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "bye\n");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    assert_eq!(output.status.code(), Some(42));
}

pub fn regions_reset_and_release_what_they_allocated(target: &Target) {
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = target.build(dir.path(), "regions", REGION_IR);
    let output = target.run(&exe, &[], b"");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "regions ok\n");
    // 20 rounds of 40 × 64 KiB + 512 KiB, then 16 bytes; the peak is one round.
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "alloc-stats: total_bytes=62914576 allocations=821 peak_bytes=3145728 compactions=0 copied_bytes=0 majors=0\n"
    );
    assert_eq!(output.status.code(), Some(0));
}

pub fn copies_moves_and_fills_are_exact(target: &Target) {
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = target.build(dir.path(), "mem", MEM_IR);
    let output = target.run(&exe, &[], b"");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "mem ok\n");
    assert_eq!(output.status.code(), Some(0));
}

pub fn faults_become_panics_after_flushing_stdout(target: &Target) {
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = target.build(dir.path(), "faults", FAULT_IR);
    let mut cases: Vec<(&[&str], &str)> = vec![
        (&[], "panic: segmentation fault at 0x10\n"),
        (&["trap"], "panic: illegal instruction at 0x"),
        (&["deep", "recursion", "forever"], "panic: stack overflow\n"),
    ];
    if target.division_by_zero_traps() {
        cases.push((&["div", "zero"], "panic: Attempted to divide by zero.\n"));
    }
    for (args, expected) in cases {
        // A finite stack whatever the caller's `ulimit -s`, so the recursion
        // overflows instead of eating memory.
        let output = target.run_with_stack_limit_kib(&exe, args, 8 * 1024);
        assert_eq!(output.stdout, b"before\n", "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.starts_with(expected), "{args:?}: {stderr}");
        assert_eq!(output.status.code(), Some(101), "{args:?}: {stderr}");
        if args == ["trap"] {
            assert_trap_address_is_in_clef_main(target, &exe, &stderr);
        }
    }
}

/// The address in `illegal instruction at 0x…` is the interrupted program
/// counter, read from the `ucontext_t` at the architecture's offset: it must
/// lie inside `clef_main`, where the trap is.
fn assert_trap_address_is_in_clef_main(target: &Target, exe: &std::path::Path, stderr: &str) {
    let hex = stderr
        .trim()
        .strip_prefix("panic: illegal instruction at 0x")
        .expect("the trap message");
    let address = u64::from_str_radix(hex, 16).expect("a hexadecimal address");
    let symbols = run_tool(
        Command::new(&target.tools.nm)
            .arg("--print-size")
            .arg("--defined-only")
            .arg(exe),
    );
    let symbols = String::from_utf8_lossy(&symbols.stdout);
    let (start, size) = symbols
        .lines()
        .find_map(
            |line| match line.split_whitespace().collect::<Vec<_>>()[..] {
                [start, size, _, "clef_main"] => Some((
                    u64::from_str_radix(start, 16).expect("nm address"),
                    u64::from_str_radix(size, 16).expect("nm size"),
                )),
                _ => None,
            },
        )
        .expect("clef_main in the executable's symbols");
    assert!(
        (start..start + size).contains(&address),
        "trap at {address:#x}, clef_main is {start:#x}+{size:#x}"
    );
}

pub fn async_executor_runs_tasks_timers_descriptors_and_nested_loops(target: &Target) {
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = target.build(dir.path(), "async", ASYNC_IR);
    let output = target.run(&exe, &[], b"hello\nrest\n");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "done=0\n\
         c1=0\nc2=0\nc1=1\nc2=1\nc1=2\nc2=2\nall done\n\
         done=1\n\
         timer 2\ntimer 4\ntimer 3\ntimer 1\nall done\nslept=1\n\
         timer 5\nwatcher 1\nwatcher 2\nall done\n\
         stdout is writable\nall done\nread hello\n\
         outer before\ninner 0\nc3=0\ninner 1\nouter after\nouter resumed\nall done\n\
         inner 0\ninner 1\n\
         recycled\n"
    );
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    assert_eq!(output.status.code(), Some(0));
}

pub fn async_deadlock_is_reported_after_flushing_stdout(target: &Target) {
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = target.build(dir.path(), "async_deadlock", ASYNC_IR);
    let output = target.run(&exe, &["deadlock"], b"");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "before\n");
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "async: every task is waiting and nothing can wake one (the program would wait forever)\n"
    );
    assert_eq!(output.status.code(), Some(1));
}

pub fn cancellation_wakes_the_tasks_of_a_source_and_ends_them_with_3(target: &Target) {
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = target.build(dir.path(), "cancel", CANCEL_IR);
    let output = target.run(&exe, &[], b"");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "until cancelled run=3\n\
         before cancel=0\ncancelling\ncancelled 1\njoiner cancelled\nall done\n\
         run=1\np1=3\nj1=3\nc=1\np2=0\nfast=1\nafter cancel=1\n\
         cancelled 3\nrun=3\nwaited=1\n\
         cancelled 4\nreplaced=1\n\
         at once=1\nnever=0\n\
         outside token null=1\noutside cancelled=0\n\
         token matches=1\ncancelled=0\nnested token matches=1\nnested run=1\ncancelled=1\n\
         child token matches=1\nchild cancelled=1\n\
         other token matches=1\nother cancelled=0\n\
         child answer=3\ninspector run=3\n"
    );
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    assert_eq!(output.status.code(), Some(0));
}

pub fn a_cancel_after_without_tasks_does_not_delay_the_deadlock_report(target: &Target) {
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = target.build(dir.path(), "cancel_deadlock", CANCEL_IR);
    let started = std::time::Instant::now();
    let output = target.run(&exe, &["deadlock"], b"");
    // The source's timer is due in 60 s; the report must not wait for it.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), "before\n");
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "async: every task is waiting and nothing can wake one (the program would wait forever)\n"
    );
    assert_eq!(output.status.code(), Some(1));
}

pub fn sockets_and_files_answer_values_or_negated_errnos(target: &Target) {
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = target.build(dir.path(), "io", IO_IR);
    let file = dir.path().join("written.txt");
    // Ten ports from a base that differs per process and per target, so that
    // the tests of both targets (and of concurrent test runs) rarely meet; the
    // program moves on from a port in use.
    let target_offset = if target.name() == "x86_64-linux" {
        0
    } else {
        10
    };
    let base_port = 40_000 + (std::process::id() % 1000) * 20 + target_offset;
    let output = target.run(
        &exe,
        &[
            file.to_str().expect("UTF-8 temp path"),
            &base_port.to_string(),
        ],
        b"",
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "bogus host -22\nport 65536 -22\nport -1 -22\nconnect to * -22\n\
         listening\nsecond listener: Address already in use\n\
         connect error=0\nclient wrote 4\n\
         server got ping\nserver wrote 4\nserver closed 0\n\
         client got pong\nclient end=0\nlate write: Broken pipe\n\
         client closed 0\nclosed twice -9\nall done\n\
         listener closed 0\nrefused: Connection refused\n\
         file: hello file\nmore\n\nfile end=0\nnonblocking 0\n\
         missing: No such file or directory\nmode 7 -22\nlong path -36\n\
         Connection refused\nConnection refused\nUnknown error\n\
         bad fd read -9\nbad fd write -9\nbad fd close -9\n\
         buffered\ndirect\n"
    );
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&file).expect("the file the program wrote"),
        "hello file\nmore\n"
    );
}
