//! `composer new` and the summary line a build ends with (issue 14 §3): a new
//! project builds and runs at once, an existing folder is never written into, and
//! every build or check says in one line what it did (`--quiet` silences it).

use std::path::Path;
use std::process::{Command, Output};

fn composer(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_composer"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("composer runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_new_project_runs_and_the_build_says_what_it_wrote() {
    let root = tempfile::tempdir().expect("temp dir");
    let made = composer(&["new", "hello-app"], root.path());
    assert!(made.status.success(), "{}", text(&made.stderr));
    let dir = root.path().join("hello-app");
    for file in ["hello-app.fidproj", "src/Main.clef", "README.md"] {
        assert!(dir.join(file).is_file(), "{file} missing");
    }
    assert!(text(&made.stderr).contains("next: cd hello-app && composer run"));

    let run = composer(&["run"], &dir);
    assert_eq!(
        text(&run.stdout),
        "Hello, world!\nHello, Clef!\n",
        "{}",
        text(&run.stderr)
    );
    let summary = text(&run.stderr);
    assert!(
        summary.starts_with("composer: built `hello-app` (x86_64-linux, -O2) in "),
        "{summary}"
    );
    // `run` builds into a temporary folder: the summary does not name it.
    assert!(!summary.contains("wrote"), "{summary}");

    let build = composer(&["build", "--emit", "ledger"], &dir);
    let summary = text(&build.stderr);
    assert!(
        summary.contains(": wrote hello-app.ledger, hello-app\n"),
        "{summary}"
    );
    let quiet = composer(&["build", "-q"], &dir);
    assert!(quiet.status.success());
    assert_eq!(text(&quiet.stderr), "");
}

#[test]
fn new_never_writes_into_an_existing_folder_or_takes_a_bad_name() {
    let root = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(root.path().join("taken")).expect("mkdir");
    std::fs::write(root.path().join("taken/keep.txt"), "mine").expect("write");
    let out = composer(&["new", "taken"], root.path());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: `taken` already exists and is not empty; choose another name or remove it\n"
    );
    assert_eq!(
        std::fs::read_dir(root.path().join("taken"))
            .unwrap()
            .count(),
        1
    );
    let out = composer(&["new", "bad name!"], root.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot name a project"));
    // An empty folder is fine (as after `mkdir app && cd app`).
    std::fs::create_dir(root.path().join("empty")).expect("mkdir");
    let out = composer(&["new", "empty"], root.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn the_summary_counts_errors_and_warnings() {
    let root = tempfile::tempdir().expect("temp dir");
    std::fs::write(root.path().join("bad.clef"), "let x: int = \"no\"\n").expect("write");
    let out = composer(
        &["build", "bad.clef", "--message-format", "short"],
        root.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.ends_with("composer: `bad` has 1 error; no executable was written\n"),
        "{stderr}"
    );
    std::fs::write(
        root.path().join("warn.clef"),
        "let f x = match x with\n    | 1 -> \"one\"\nprintfn \"%s\" (f 1)\n",
    )
    .expect("write");
    let out = composer(
        &["check", "warn.clef", "--message-format", "short"],
        root.path(),
    );
    assert!(out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("composer: checked `warn` (x86_64-linux) in ")
            && stderr.ends_with(", 1 warning\n"),
        "{stderr}"
    );
}
