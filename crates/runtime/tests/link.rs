//! End-to-end: small LLVM IR programs defining `clef_main` are compiled with
//! `llc`, linked against `RUNTIME_ARCHIVE` exactly as the driver links
//! (`ld.lld -nostdlib -static -e _start --gc-sections`) and run.
//!
//! Skipped, with a note on stderr, when the LLVM 19 tools are missing.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use composer_runtime::{RUNTIME_ARCHIVE, RUNTIME_ARCHIVE_FILE_NAME};

struct Tools {
    llc: PathBuf,
    lld: PathBuf,
    readelf: PathBuf,
    nm: PathBuf,
}

fn find_tool(name: &str) -> Option<PathBuf> {
    let llvm19 = Path::new("/usr/lib/llvm-19/bin").join(name);
    if llvm19.is_file() {
        return Some(llvm19);
    }
    let path = std::env::var_os("PATH")?;
    for candidate in [format!("{name}-19"), name.to_string()] {
        for dir in std::env::split_paths(&path) {
            let file = dir.join(&candidate);
            if file.is_file() {
                return Some(file);
            }
        }
    }
    None
}

fn tools() -> Option<Tools> {
    let found = Tools {
        llc: find_tool("llc")?,
        lld: find_tool("ld.lld")?,
        readelf: find_tool("llvm-readelf")?,
        nm: find_tool("llvm-nm")?,
    };
    Some(found)
}

macro_rules! require_tools {
    () => {
        match tools() {
            Some(tools) => tools,
            None => {
                eprintln!("note: skipping runtime link test: LLVM 19 tools (llc, ld.lld, llvm-readelf, llvm-nm) not found");
                return;
            }
        }
    };
}

fn run_tool(command: &mut Command) -> Output {
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

/// Compiles and links `ir` into an executable inside `dir`.
fn build(tools: &Tools, dir: &Path, name: &str, ir: &str) -> PathBuf {
    let archive = dir.join(RUNTIME_ARCHIVE_FILE_NAME);
    if !archive.exists() {
        std::fs::write(&archive, RUNTIME_ARCHIVE).expect("write runtime archive");
    }
    let source = dir.join(format!("{name}.ll"));
    let object = dir.join(format!("{name}.o"));
    let exe = dir.join(name);
    std::fs::write(&source, ir).expect("write IR");
    run_tool(
        Command::new(&tools.llc)
            .args(["-O2", "-filetype=obj"])
            .arg(&source)
            .arg("-o")
            .arg(&object),
    );
    run_tool(
        Command::new(&tools.lld)
            .args(["-nostdlib", "-static", "-e", "_start", "--gc-sections"])
            .arg(&object)
            .arg(&archive)
            .arg("-o")
            .arg(&exe),
    );
    exe
}

/// `llvm-readelf -d` prints nothing (GNU readelf: "There is no dynamic
/// section") for a static executable.
fn assert_no_dynamic_section(readelf_output: &[u8]) {
    let text = String::from_utf8_lossy(readelf_output);
    assert!(
        text.trim().is_empty() || text.contains("no dynamic section"),
        "unexpected dynamic section:\n{text}"
    );
}

fn run(exe: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(exe)
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

const HELLO_IR: &str = r#"
@msg = private constant [6 x i8] c"hello\0A"
declare void @clef_rt_write(i32, ptr, i64)
define i32 @clef_main(ptr %args, i64 %argc) {
  call void @clef_rt_write(i32 1, ptr @msg, i64 6)
  ret i32 0
}
"#;

#[test]
fn hello_world_is_small_static_and_libc_free() {
    let tools = require_tools!();
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = build(&tools, dir.path(), "hello", HELLO_IR);
    let output = run(&exe, &[], b"");
    assert_eq!(output.stdout, b"hello\n");
    assert_eq!(output.status.code(), Some(0));

    let size = std::fs::metadata(&exe).expect("stat").len();
    eprintln!("hello world executable: {size} bytes");
    assert!(size < 16 * 1024, "hello world is {size} bytes");

    let dynamic = run_tool(Command::new(&tools.readelf).arg("-d").arg(&exe));
    assert_no_dynamic_section(&dynamic.stdout);
    let headers = run_tool(Command::new(&tools.readelf).arg("-l").arg(&exe));
    let headers = String::from_utf8_lossy(&headers.stdout);
    assert!(
        !headers.contains("INTERP") && !headers.contains("DYNAMIC"),
        "{headers}"
    );
}

const SMOKE_IR: &str = r#"
%Str = type { ptr, i64 }

@hello = private constant [6 x i8] c"hello\0A"
@n_eq = private constant [2 x i8] c"n="
@x_eq = private constant [3 x i8] c" x="
@space = private constant [1 x i8] c" "
@newline = private constant [1 x i8] c"\0A"
@args_eq = private constant [5 x i8] c"args="
@first_eq = private constant [7 x i8] c" first="
@hex_src = private constant [4 x i8] c"0x1F"
@float_src = private constant [6 x i8] c" 3.25 "
@foo = private constant [3 x i8] c"foo"
@bar = private constant [3 x i8] c"bar"
@abc = private constant [3 x i8] c"abc"
@abd = private constant [3 x i8] c"abd"
@open = private constant [1 x i8] c"["
@close = private constant [1 x i8] c"]"
@eof = private constant [5 x i8] c" eof\0A"
@buf = private global [6 x i8] c"abcdef"
@two_point_seven = private global double 2.7
@seven_point_five = private global double 7.5
@two = private global double 2.0
@ten = private global double 10.0

declare void @clef_rt_write(i32, ptr, i64)
declare void @clef_rt_fmt_start()
declare void @clef_rt_fmt_literal(ptr, i64)
declare void @clef_rt_fmt_int(i64, i32, i8 zeroext, i32, i32, i32, i32)
declare void @clef_rt_fmt_float(double, i8 zeroext, i32, i32, i32, i32)
declare void @clef_rt_fmt_string(ptr, i64, i32, i32, i32)
declare void @clef_rt_fmt_finish_write(i32, i8 zeroext)
declare %Str @clef_rt_fmt_finish_string()
declare i64 @clef_rt_parse_int(ptr, i64, i32, i8 zeroext)
declare double @clef_rt_parse_float(ptr, i64)
declare %Str @clef_rt_str_concat(ptr, i64, ptr, i64)
declare i32 @clef_rt_str_compare(ptr, i64, ptr, i64)
declare zeroext i8 @clef_rt_try_readln(ptr)
; Declared with an i32 flag to put garbage above the low byte on purpose.
declare void @clef_rt_fmt_bool(i32, i32, i32, i32)
declare ptr @memmove(ptr, ptr, i64)
declare ptr @memset(ptr, i32, i64)
declare i32 @memcmp(ptr, ptr, i64)
declare double @sqrt(double)
declare double @llvm.floor.f64(double)
declare double @llvm.pow.f64(double, double)

define i32 @clef_main(ptr %args, i64 %argc) {
entry:
  %line = alloca %Str
  call void @clef_rt_write(i32 1, ptr @hello, i64 6)

  ; printfn "n=%5d x=%.2f %O" -42 2.5 (0.1 + 0.2)
  call void @clef_rt_fmt_start()
  call void @clef_rt_fmt_literal(ptr @n_eq, i64 2)
  call void @clef_rt_fmt_int(i64 -42, i32 32, i8 1, i32 100, i32 0, i32 5, i32 -1)
  call void @clef_rt_fmt_literal(ptr @x_eq, i64 3)
  call void @clef_rt_fmt_float(double 2.5, i8 0, i32 102, i32 0, i32 -1, i32 2)
  call void @clef_rt_fmt_literal(ptr @space, i64 1)
  call void @clef_rt_fmt_float(double 0x3FD3333333333334, i8 0, i32 0, i32 0, i32 -1, i32 -1)
  call void @clef_rt_fmt_finish_write(i32 1, i8 1)

  ; sprintf "%x" 255
  call void @clef_rt_fmt_start()
  call void @clef_rt_fmt_int(i64 255, i32 32, i8 1, i32 120, i32 0, i32 -1, i32 -1)
  %hex = call %Str @clef_rt_fmt_finish_string()
  %hex.ptr = extractvalue %Str %hex, 0
  %hex.len = extractvalue %Str %hex, 1
  call void @clef_rt_write(i32 1, ptr %hex.ptr, i64 %hex.len)
  call void @clef_rt_write(i32 1, ptr @newline, i64 1)

  ; the arguments
  call void @clef_rt_fmt_start()
  call void @clef_rt_fmt_literal(ptr @args_eq, i64 5)
  call void @clef_rt_fmt_int(i64 %argc, i32 64, i8 1, i32 100, i32 0, i32 -1, i32 -1)
  %has_args = icmp sgt i64 %argc, 0
  br i1 %has_args, label %first, label %after_args
first:
  %arg0 = load %Str, ptr %args
  %arg0.ptr = extractvalue %Str %arg0, 0
  %arg0.len = extractvalue %Str %arg0, 1
  call void @clef_rt_fmt_literal(ptr @first_eq, i64 7)
  call void @clef_rt_fmt_string(ptr %arg0.ptr, i64 %arg0.len, i32 0, i32 -1, i32 -1)
  br label %after_args
after_args:
  call void @clef_rt_fmt_finish_write(i32 1, i8 1)

  ; memmove (overlapping), memset, memcmp
  %moved = call ptr @memmove(ptr getelementptr (i8, ptr @buf, i64 1), ptr @buf, i64 5)
  call void @clef_rt_write(i32 1, ptr @buf, i64 6)
  call void @clef_rt_write(i32 1, ptr @space, i64 1)
  %set = call ptr @memset(ptr @buf, i32 122, i64 2)
  call void @clef_rt_write(i32 1, ptr @buf, i64 6)
  %cmp = call i32 @memcmp(ptr @abc, ptr @abd, i64 3)
  %less = icmp slt i32 %cmp, 0
  %sign = select i1 %less, i64 -1, i64 1
  call void @clef_rt_fmt_start()
  call void @clef_rt_fmt_literal(ptr @space, i64 1)
  call void @clef_rt_fmt_int(i64 %sign, i32 32, i8 1, i32 100, i32 0, i32 -1, i32 -1)
  call void @clef_rt_fmt_finish_write(i32 1, i8 1)

  ; math through intrinsics, frem and a direct call
  %v27 = load volatile double, ptr @two_point_seven
  %v75 = load volatile double, ptr @seven_point_five
  %v2 = load volatile double, ptr @two
  %v10 = load volatile double, ptr @ten
  %floor = call double @llvm.floor.f64(double %v27)
  %rem = frem double %v75, %v2
  %pow = call double @llvm.pow.f64(double %v2, double %v10)
  %sqrt = call double @sqrt(double %v2)
  call void @clef_rt_fmt_start()
  call void @clef_rt_fmt_float(double %floor, i8 0, i32 0, i32 0, i32 -1, i32 -1)
  call void @clef_rt_fmt_literal(ptr @space, i64 1)
  call void @clef_rt_fmt_float(double %rem, i8 0, i32 0, i32 0, i32 -1, i32 -1)
  call void @clef_rt_fmt_literal(ptr @space, i64 1)
  call void @clef_rt_fmt_float(double %pow, i8 0, i32 0, i32 0, i32 -1, i32 -1)
  call void @clef_rt_fmt_literal(ptr @space, i64 1)
  call void @clef_rt_fmt_float(double %sqrt, i8 0, i32 0, i32 0, i32 -1, i32 -1)
  call void @clef_rt_fmt_finish_write(i32 1, i8 1)

  ; int "0x1F", float " 3.25 "
  %parsed_int = call i64 @clef_rt_parse_int(ptr @hex_src, i64 4, i32 32, i8 1)
  %parsed_float = call double @clef_rt_parse_float(ptr @float_src, i64 6)
  call void @clef_rt_fmt_start()
  call void @clef_rt_fmt_int(i64 %parsed_int, i32 32, i8 1, i32 100, i32 0, i32 -1, i32 -1)
  call void @clef_rt_fmt_literal(ptr @space, i64 1)
  call void @clef_rt_fmt_float(double %parsed_float, i8 0, i32 0, i32 0, i32 -1, i32 -1)
  call void @clef_rt_fmt_finish_write(i32 1, i8 1)

  ; "foo" + "bar", compare "abc" "abd"
  %cat = call %Str @clef_rt_str_concat(ptr @foo, i64 3, ptr @bar, i64 3)
  %cat.ptr = extractvalue %Str %cat, 0
  %cat.len = extractvalue %Str %cat, 1
  call void @clef_rt_write(i32 1, ptr %cat.ptr, i64 %cat.len)
  %order = call i32 @clef_rt_str_compare(ptr @abc, i64 3, ptr @abd, i64 3)
  %order64 = sext i32 %order to i64
  call void @clef_rt_fmt_start()
  call void @clef_rt_fmt_literal(ptr @space, i64 1)
  call void @clef_rt_fmt_int(i64 %order64, i32 32, i8 1, i32 100, i32 0, i32 -1, i32 -1)
  ; booleans: only the low byte counts (0x100 is false, 0x101 is true)
  call void @clef_rt_fmt_literal(ptr @space, i64 1)
  call void @clef_rt_fmt_bool(i32 256, i32 98, i32 0, i32 -1)
  call void @clef_rt_fmt_literal(ptr @space, i64 1)
  call void @clef_rt_fmt_bool(i32 257, i32 0, i32 0, i32 -1)
  call void @clef_rt_fmt_finish_write(i32 1, i8 1)

  ; sprintf "%5000s" "foo": grows the format buffer past its 4 KiB block
  call void @clef_rt_fmt_start()
  call void @clef_rt_fmt_string(ptr @foo, i64 3, i32 0, i32 5000, i32 -1)
  %wide = call %Str @clef_rt_fmt_finish_string()
  %wide.ptr = extractvalue %Str %wide, 0
  %wide.len = extractvalue %Str %wide, 1
  call void @clef_rt_write(i32 1, ptr %wide.ptr, i64 %wide.len)
  call void @clef_rt_write(i32 1, ptr @newline, i64 1)

  ; every line of stdin in brackets
  br label %read
read:
  %got = call i8 @clef_rt_try_readln(ptr %line)
  %more = icmp ne i8 %got, 0
  br i1 %more, label %print_line, label %done
print_line:
  %text = load %Str, ptr %line
  %text.ptr = extractvalue %Str %text, 0
  %text.len = extractvalue %Str %text, 1
  call void @clef_rt_write(i32 1, ptr @open, i64 1)
  call void @clef_rt_write(i32 1, ptr %text.ptr, i64 %text.len)
  call void @clef_rt_write(i32 1, ptr @close, i64 1)
  br label %read
done:
  call void @clef_rt_write(i32 1, ptr @eof, i64 5)
  ret i32 3
}
"#;

#[test]
fn smoke_program_uses_the_whole_abi() {
    let tools = require_tools!();
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = build(&tools, dir.path(), "smoke", SMOKE_IR);
    // A 40 000-byte line spans several reads of the 16 KiB stdin buffer.
    let long_line = "x".repeat(40_000);
    let stdin = format!("line1\r\nline2\n\n{long_line}\nlast");
    let output = run(&exe, &["a", "bc"], stdin.as_bytes());
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
    eprintln!("smoke executable (formatting, parsing, math): {size} bytes");

    let symbols = run_tool(Command::new(&tools.nm).arg(&exe));
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
    let dynamic = run_tool(Command::new(&tools.readelf).arg("-d").arg(&exe));
    assert_no_dynamic_section(&dynamic.stdout);
}

const PARSE_PANIC_IR: &str = r#"
@before = private constant [7 x i8] c"before\0A"
@bad = private constant [3 x i8] c"abc"
declare void @clef_rt_write(i32, ptr, i64)
declare i64 @clef_rt_parse_int(ptr, i64, i32, i8 zeroext)
define i32 @clef_main(ptr %args, i64 %argc) {
  call void @clef_rt_write(i32 1, ptr @before, i64 7)
  %value = call i64 @clef_rt_parse_int(ptr @bad, i64 3, i32 32, i8 1)
  ret i32 0
}
"#;

#[test]
fn bad_input_panics_after_flushing_stdout() {
    let tools = require_tools!();
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = build(&tools, dir.path(), "parse_panic", PARSE_PANIC_IR);
    let output = run(&exe, &[], b"");
    assert_eq!(output.stdout, b"before\n");
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "panic: Input string was not in a correct format.\n"
    );
    assert_eq!(output.status.code(), Some(101));
}

const FAILWITHF_IR: &str = r#"
@boom = private constant [5 x i8] c"boom "
declare void @clef_rt_fmt_start()
declare void @clef_rt_fmt_literal(ptr, i64)
declare void @clef_rt_fmt_int(i64, i32, i8 zeroext, i32, i32, i32, i32)
declare void @clef_rt_fmt_finish_panic()
define i32 @clef_main(ptr %args, i64 %argc) {
  call void @clef_rt_fmt_start()
  call void @clef_rt_fmt_literal(ptr @boom, i64 5)
  call void @clef_rt_fmt_int(i64 %argc, i32 64, i8 1, i32 100, i32 0, i32 -1, i32 -1)
  call void @clef_rt_fmt_finish_panic()
  unreachable
}
"#;

#[test]
fn failwithf_panics_with_the_formatted_text() {
    let tools = require_tools!();
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = build(&tools, dir.path(), "failwithf", FAILWITHF_IR);
    let output = run(&exe, &["x"], b"");
    assert_eq!(output.stdout, b"");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "panic: boom 1\n");
    assert_eq!(output.status.code(), Some(101));
}

/// Faults by the number of arguments: 0 a load from address 0x10, 1 a trap
/// (`ud2`), 2 an integer division by zero, 3 unbounded recursion. Each first
/// writes `before` into the stdout buffer, which the fault handler must flush.
const FAULT_IR: &str = r#"
@before = private constant [7 x i8] c"before\0A"
declare void @clef_rt_write(i32, ptr, i64)
declare void @llvm.trap()
define i64 @deep(i64 %n) {
  %next = add i64 %n, 1
  %r = call i64 @deep(i64 %next)
  %x = xor i64 %r, %n
  %m = mul i64 %x, 3
  ret i64 %m
}
define i32 @clef_main(ptr %args, i64 %argc) {
entry:
  %slot = alloca i64
  store volatile i64 0, ptr %slot
  call void @clef_rt_write(i32 1, ptr @before, i64 7)
  switch i64 %argc, label %segv [ i64 1, label %trap
                                  i64 2, label %div
                                  i64 3, label %deep ]
segv:
  %v = load volatile i64, ptr inttoptr (i64 16 to ptr)
  %t = trunc i64 %v to i32
  ret i32 %t
trap:
  call void @llvm.trap()
  unreachable
div:
  %zero = load volatile i64, ptr %slot
  %q = sdiv i64 7, %zero
  %tq = trunc i64 %q to i32
  ret i32 %tq
deep:
  %d = call i64 @deep(i64 0)
  %td = trunc i64 %d to i32
  ret i32 %td
}
"#;

#[test]
fn faults_become_panics_after_flushing_stdout() {
    let tools = require_tools!();
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = build(&tools, dir.path(), "faults", FAULT_IR);
    let cases: [(&[&str], &str); 4] = [
        (&[], "panic: segmentation fault at 0x10\n"),
        (&["trap"], "panic: illegal instruction at 0x"),
        (&["div", "zero"], "panic: Attempted to divide by zero.\n"),
        (&["deep", "recursion", "forever"], "panic: stack overflow\n"),
    ];
    for (args, expected) in cases {
        // A finite stack whatever the caller's `ulimit -s`, so the recursion
        // overflows instead of eating memory.
        let output = run_with_stack_limit_kib(&exe, args, 8 * 1024);
        assert_eq!(output.stdout, b"before\n", "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.starts_with(expected), "{args:?}: {stderr}");
        assert_eq!(output.status.code(), Some(101), "{args:?}: {stderr}");
    }
}

/// `exe args` under `ulimit -s limit_kib` (set by `sh`, then `exec`).
fn run_with_stack_limit_kib(exe: &Path, args: &[&str], limit_kib: u32) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -s {limit_kib} && exec \"$0\" \"$@\""))
        .arg(exe)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("start the linked program through sh")
}
