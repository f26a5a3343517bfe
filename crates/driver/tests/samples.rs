//! End-to-end checks of what the compiler produces for real programs: the hello world
//! sample is a small static freestanding executable, and a multi-file `.fidproj`
//! project builds and runs.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root exists")
}

fn llvm_tool(name: &str) -> PathBuf {
    composer_driver::toolchain::ToolSearch::from_env()
        .find(name)
        .unwrap_or_else(|| panic!("the LLVM 19 tool {name} is missing: run scripts/setup.sh"))
}

fn composer(args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_composer"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("composer runs")
}

/// `composer build SRC -o OUT EXTRA...` in SRC's folder; panics when it fails.
fn build(src: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec!["build", src.to_str().unwrap(), "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let result = composer(&args, src.parent().expect("a folder"));
    assert!(
        result.status.success(),
        "build failed: {}",
        String::from_utf8_lossy(&result.stderr)
    );
}

#[test]
fn hello_world_is_small_static_and_free_of_libc() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hello = repo_root().join("samples/hello.clef");
    let out = dir.path().join("hello");
    let result = composer(
        &[
            "build",
            hello.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(
        result.status.success(),
        "build failed: {}",
        String::from_utf8_lossy(&result.stderr)
    );
    let size = std::fs::metadata(&out).expect("executable written").len();
    assert!(size < 16 * 1024, "hello world is {size} bytes, over 16 KiB");

    let run = Command::new(&out).output().expect("hello runs");
    assert_eq!(String::from_utf8_lossy(&run.stdout), "Hello, World!\n");

    let readelf = Command::new(llvm_tool("llvm-readelf"))
        .args(["-d", "-l", out.to_str().unwrap()])
        .output()
        .expect("llvm-readelf runs");
    let text = String::from_utf8_lossy(&readelf.stdout).to_string()
        + &String::from_utf8_lossy(&readelf.stderr);
    // GNU readelf says "There is no dynamic section"; llvm-readelf prints nothing.
    assert!(
        !text.contains("Dynamic section at") && !text.contains("DYNAMIC"),
        "readelf shows a dynamic section:\n{text}"
    );
    assert!(
        !text.contains("INTERP"),
        "the executable asks for an interpreter"
    );

    let nm = Command::new(llvm_tool("llvm-nm"))
        .arg(out.to_str().unwrap())
        .output()
        .expect("llvm-nm runs");
    let symbols = String::from_utf8_lossy(&nm.stdout);
    for bad in ["malloc", "printf", "free", "__libc_start_main"] {
        assert!(
            !symbols
                .lines()
                .any(|l| l.split_whitespace().last() == Some(bad)),
            "hello world links `{bad}`"
        );
    }
}

/// Every project under `tests/projects/NAME/` builds and prints `NAME.stdout`
/// (several files, dotted module headers, ordering without `[build] sources`).
#[test]
fn multi_file_projects_build_and_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut projects: Vec<_> = std::fs::read_dir(repo_root().join("tests/projects"))
        .expect("tests/projects")
        .map(|e| e.expect("entry").path())
        .collect();
    projects.sort();
    assert!(projects.len() >= 2, "projects: {projects:?}");
    for project in projects {
        let name = project.file_name().unwrap().to_string_lossy().to_string();
        let out = dir.path().join(&name);
        let result = composer(
            &[
                "build",
                "-q",
                project.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ],
            dir.path(),
        );
        assert!(
            result.status.success(),
            "{name}: build failed: {}",
            String::from_utf8_lossy(&result.stderr)
        );
        let run = Command::new(&out).output().expect("program runs");
        let expected = std::fs::read_to_string(project.join(format!("{name}.stdout")))
            .expect("NAME.stdout beside the project");
        assert_eq!(String::from_utf8_lossy(&run.stdout), expected, "{name}");
    }
}

/// Closures that cannot outlive their frame (passed to a function that only calls
/// them, bound and called, partially applied and called) allocate nothing; one
/// returned from a function is allocated in the root region.
#[test]
fn non_escaping_closures_live_on_the_stack() {
    let dir = tempfile::tempdir().expect("temp dir");
    let alloc_count = |body: &str| -> String {
        let src = dir.path().join("closures.clef");
        let program = format!(
            "let apply f x = f x\nlet add a b c = a + b + c\n{body}\nprintfn \"%d\" (run 100)\n"
        );
        std::fs::write(&src, program).expect("source written");
        let out = dir.path().join("closures");
        build(&src, &out, &["--alloc-stats"]);
        let run = Command::new(&out).output().expect("program runs");
        let stderr = String::from_utf8_lossy(&run.stderr).to_string();
        let allocations = stderr
            .split_whitespace()
            .find_map(|w| w.strip_prefix("allocations="))
            .unwrap_or_else(|| panic!("no alloc-stats line in {stderr:?}"));
        allocations.to_string()
    };
    let on_stack = "let run n =\n    let mutable acc = 0\n    for i in 1 .. n do\n        acc <- acc + apply (fun x -> x + i) 1\n        let f = fun x -> x * i\n        let g = add i 1\n        acc <- acc + f 2 + g 3\n    acc";
    assert_eq!(alloc_count(on_stack), "0");
    let escaping = "let make k = fun x -> x + k\nlet run n =\n    let mutable acc = 0\n    for i in 1 .. n do\n        acc <- acc + (make i) 1\n    acc";
    assert_eq!(alloc_count(escaping), "100");
}

/// A function value applied to two arguments (`folder acc x` in `List.fold`,
/// `Array.fold`, `List.reduce`) calls the closure's two-argument entry: the
/// saturated call makes no closure in between (issue 14), so folding a list
/// allocates only the list (16 bytes a cell) and folding an array nothing beyond it.
#[test]
fn saturated_calls_of_function_values_make_no_closures() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bytes = |body: &str| -> u64 {
        let src = dir.path().join("fold.clef");
        std::fs::write(&src, body).expect("source written");
        let out = dir.path().join("fold");
        build(&src, &out, &["--alloc-stats"]);
        let run = Command::new(&out).output().expect("program runs");
        let stderr = String::from_utf8_lossy(&run.stderr).to_string();
        stderr
            .split_whitespace()
            .find_map(|w| w.strip_prefix("total_bytes="))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no alloc-stats line in {stderr:?}"))
    };
    let list = bytes("let xs = [ 1 .. 100000 ]\nprintfn \"%d\" (List.length xs)\n");
    let folded = bytes(concat!(
        "let xs = [ 1 .. 100000 ]\n",
        "let add3 a b c = a + b + c\n",
        "printfn \"%d %d %d\" (List.length xs) (List.fold (fun a b -> a + b) 0 xs) (List.fold (add3 1) 0 xs)\n",
    ));
    assert_eq!(folded, list, "the folds allocate nothing beyond the list");
    let array = bytes(concat!(
        "let a = Array.init 1000 id\n",
        "printfn \"%d %d\" (Array.fold (fun s x -> s + x) 0 a) (Array.reduce max a)\n",
    ));
    assert_eq!(array, 1000 * 8, "only the array's elements");
}

/// The ledger names each closure environment's place: the stack for one that is only
/// passed to a function that calls it, the root region for one that is returned.
#[test]
fn ledger_shows_where_closure_environments_live() {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path().join("l.clef");
    std::fs::write(
        &src,
        "let apply f x = f x\nlet make k = fun x -> x + k\nlet run n = apply (fun x -> x + n) 1\nprintfn \"%d %d\" (run 3) ((make 2) 1)\nlet xs = [1; 2]\nprintfn \"%A\" xs\n",
    )
    .expect("source written");
    let out = dir.path().join("l");
    let emit_dir = dir.path().to_str().unwrap();
    build(&src, &out, &["--emit", "ledger", "--emit-dir", emit_dir]);
    let ledger = std::fs::read_to_string(dir.path().join("l.ledger")).expect("ledger written");
    let user: Vec<&str> = ledger.lines().filter(|l| l.contains("l.clef:")).collect();
    assert!(
        user.iter()
            .any(|l| l.contains(":2:14: closure environment: caller's region")),
        "{ledger}"
    );
    assert!(
        user.iter()
            .any(|l| l.contains(":3:20: closure environment: stack")),
        "{ledger}"
    );
    assert!(
        user.iter()
            .any(|l| l.contains(":5:11: list cell: root region")),
        "{ledger}"
    );
}

/// Pipeline fusion measured, not claimed: a seq pipeline over a range allocates
/// nothing, and a map → filter → map → sum pipeline over a float array allocates
/// only the input array; the ledger records both fusions.
#[test]
fn fused_pipelines_allocate_no_intermediate_collections() {
    let dir = tempfile::tempdir().expect("temp dir");
    let stats = |name: &str, program: &str| -> (String, String) {
        let src = dir.path().join(format!("{name}.clef"));
        std::fs::write(&src, program).expect("source written");
        let out = dir.path().join(name);
        build(&src, &out, &["--alloc-stats", "--emit", "ledger"]);
        let run = Command::new(&out).output().expect("program runs");
        let stderr = String::from_utf8_lossy(&run.stderr).to_string();
        let line = stderr
            .lines()
            .last()
            .filter(|l| l.starts_with("alloc-stats: "))
            .unwrap_or_else(|| panic!("no alloc-stats line in {stderr:?}"))
            .to_string();
        let ledger = std::fs::read_to_string(dir.path().join(format!("{name}.ledger")))
            .expect("ledger written");
        (line, ledger)
    };
    let total_bytes = |line: &str| -> u64 {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix("total_bytes="))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no total_bytes in {line:?}"))
    };
    let (line, ledger) = stats(
        "seq_pipeline",
        "let total =\n    seq { 1 .. 1_000_000 }\n    |> Seq.map (fun x -> x * 3)\n    |> Seq.filter (fun x -> x % 2 = 0)\n    |> Seq.sum\nprintfn \"%d\" total\n",
    );
    assert_eq!(total_bytes(&line), 0, "{line}");
    assert!(
        ledger.contains("Seq.map → Seq.filter → Seq.sum: fused"),
        "{ledger}"
    );
    let (line, ledger) = stats(
        "array_pipeline",
        "let data = Array.init 1_000_000 (fun i -> float i)\nlet total =\n    data\n    |> Array.map (fun x -> x * 2.0)\n    |> Array.filter (fun x -> x > 10.0)\n    |> Array.map (fun x -> x + 1.0)\n    |> Array.sum\nprintfn \"%.1f\" total\n",
    );
    assert_eq!(total_bytes(&line), 8_000_000, "{line}");
    assert!(
        ledger.contains("Array.map → Array.filter → Array.map → Array.sum: fused"),
        "{ledger}"
    );
}

/// Bounds checks the compiler proves unnecessary are removed and the ledger says which;
/// a check it cannot remove still fails at run time with the index and the length.
#[test]
fn ledger_reports_removed_bounds_checks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path().join("b.clef");
    std::fs::write(
        &src,
        "let sum (a: int[]) =\n    let mutable s = 0\n    for i in 0 .. a.Length - 1 do\n        s <- s + a.[i]\n    s\nlet get (a: int[]) i = a.[i]\nlet a = [| 1; 2; 3 |]\nprintfn \"%d\" (sum a)\nprintfn \"%d\" (get a 3)\n",
    )
    .expect("source written");
    let out = dir.path().join("b");
    let emit_dir = dir.path().to_str().unwrap();
    build(&src, &out, &["--emit", "ledger", "--emit-dir", emit_dir]);
    let ledger = std::fs::read_to_string(dir.path().join("b.ledger")).expect("ledger written");
    assert!(
        ledger.contains("b.clef:4:18: a.[i]: removed (index within bounds by the for loop range)"),
        "{ledger}"
    );
    assert!(
        ledger.contains("b.clef:6:24: a.[i]: kept (no lower bound is known for the index)"),
        "{ledger}"
    );
    let run = Command::new(&out).output().expect("program runs");
    assert_eq!(String::from_utf8_lossy(&run.stdout), "6\n");
    assert_eq!(run.status.code(), Some(101));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("index 3, length 3"),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// A loop whose iterations allocate strings and lists but keep only an int gets an
/// iteration region: peak memory stays at one iteration's worth however many
/// iterations run, and the ledger says so.
#[test]
fn iteration_regions_keep_peak_memory_flat() {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path().join("r.clef");
    std::fs::write(
        &src,
        "let mutable total = 0\nfor i in 1 .. 200_000 do\n    let s = string i + \"-\" + string (i * 2)\n    let l = [ i; i + 1 ]\n    total <- total + s.Length + List.length l\nprintfn \"%d\" total\n",
    )
    .expect("source written");
    let out = dir.path().join("r");
    let emit_dir = dir.path().to_str().unwrap();
    build(
        &src,
        &out,
        &["--alloc-stats", "--emit", "ledger", "--emit-dir", emit_dir],
    );
    let run = Command::new(&out).output().expect("program runs");
    assert_eq!(String::from_utf8_lossy(&run.stdout), "2833345\n");
    let stderr = String::from_utf8_lossy(&run.stderr).to_string();
    let field = |name: &str| -> u64 {
        stderr
            .split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {stderr:?}"))
    };
    assert!(field("total_bytes=") > 10_000_000, "{stderr}");
    assert!(field("peak_bytes=") < 4096, "{stderr}");
    let ledger = std::fs::read_to_string(dir.path().join("r.ledger")).expect("ledger written");
    assert!(
        ledger.contains("r.clef:2:1: loop: iteration region"),
        "{ledger}"
    );
    assert!(
        ledger.contains("r.clef:4:15: list cell: iteration region"),
        "{ledger}"
    );
}

/// `memory_model = "stack_only"`: a program that needs no implicit region builds
/// and allocates nothing; one that needs a region gets FS8004 at each place, in its
/// own code or where it calls a library function that allocates.
#[test]
fn stack_only_projects_allocate_nothing_or_are_rejected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let project = |name: &str, program: &str| -> std::path::PathBuf {
        let folder = dir.path().join(name);
        std::fs::create_dir_all(&folder).expect("folder");
        std::fs::write(
            folder.join("app.fidproj"),
            format!("[package]\nname = \"{name}\"\n[compilation]\nmemory_model = \"stack_only\"\n[build]\nsources = [\"main.clef\"]\noutput = \"{name}\"\n"),
        )
        .expect("project written");
        std::fs::write(folder.join("main.clef"), program).expect("source written");
        folder
    };
    let fits = project(
        "fits",
        "type Point = { X: float; Y: float }\nlet norm2 (p: Point) = p.X * p.X + p.Y * p.Y\nlet rec gcd a b = if b = 0 then a else gcd b (a % b)\nlet mutable total = 0.0\nfor i in 1 .. 1000 do\n    total <- total + norm2 { X = float i; Y = 1.0 }\nprintfn \"%.0f %d\" total (gcd 84 36)\n",
    );
    let result = composer(&["build", "app.fidproj", "--alloc-stats"], &fits);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let run = Command::new(fits.join("fits"))
        .output()
        .expect("program runs");
    assert_eq!(String::from_utf8_lossy(&run.stdout), "333834500 12\n");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("alloc-stats: total_bytes=0 "), "{stderr}");

    let needs = project(
        "needs",
        "let greet name = \"hello \" + name\nlet xs = [ 1; 2; 3 ]\nlet doubled = List.map (fun x -> x * 2) xs\nprintfn \"%s %d\" (greet \"you\") (List.sum doubled)\n",
    );
    let result = composer(
        &["build", "app.fidproj", "--message-format", "short"],
        &needs,
    );
    assert!(!result.status.success());
    let stderr = String::from_utf8_lossy(&result.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("FS8004")).collect();
    assert_eq!(errors.len(), 3, "{stderr}");
    assert!(
        errors[0].contains(
            "main.clef:1:18: error[FS8004]: This string concatenation needs an implicit region"
        ),
        "{stderr}"
    );
    assert!(
        errors[1].contains("main.clef:2:12: error[FS8004]: This list cell"),
        "{stderr}"
    );
    assert!(
        errors[2].contains(
            "main.clef:3:15: error[FS8004]: The library function 'map' allocates (list cell)"
        ),
        "{stderr}"
    );
}
