//! The build never destroys its input and writes only where it was asked (issue 12
//! §2): `-o` onto a source or the project file is refused before anything is written,
//! `package.name` and `build.output` cannot lead outside the project, and an output
//! path that is a folder or cannot be written is a plain usage error, never an
//! internal compiler error.

use std::path::Path;
use std::process::{Command, Output};

const HELLO: &str = "printfn \"Hello\"\n";

fn composer(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_composer"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("composer runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts the exit status and the whole of stderr.
#[track_caller]
fn assert_fails(output: &Output, status: i32, expected_stderr: &str) {
    assert_eq!(stderr(output), expected_stderr);
    assert_eq!(output.status.code(), Some(status), "{}", stderr(output));
}

/// A folder with `main.clef` holding [`HELLO`].
fn single_file() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("main.clef"), HELLO).expect("write main.clef");
    dir
}

/// A folder holding `app.fidproj` (the given text) and `Main.clef`.
fn project(fidproj: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("app.fidproj"), fidproj).expect("write app.fidproj");
    std::fs::write(dir.path().join("Main.clef"), HELLO).expect("write Main.clef");
    dir
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("the file is still text")
}

/// Every path under `dir`, relative to it, sorted.
fn listing(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read folder") {
            let path = entry.expect("entry").path();
            let relative = path.strip_prefix(root).expect("under root");
            found.push(relative.display().to_string());
            if path.is_dir() {
                walk(root, &path, found);
            }
        }
    }
    let mut found = Vec::new();
    walk(dir, dir, &mut found);
    found.sort();
    found
}

#[test]
fn output_onto_the_source_file_is_refused_and_the_source_kept() {
    let dir = single_file();
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    std::os::unix::fs::symlink("main.clef", dir.path().join("link")).expect("symlink");
    for spelling in ["main.clef", "./main.clef", "sub/../main.clef", "link"] {
        for command in ["build", "run"] {
            let output = composer(&[command, "main.clef", "-o", spelling], dir.path());
            assert_fails(
                &output,
                2,
                &format!(
                    "error: the output path `{spelling}` is an input source file of this \
                     build; choose another -o\n"
                ),
            );
            assert_eq!(read(&dir.path().join("main.clef")), HELLO);
        }
    }
    assert_eq!(listing(dir.path()), ["link", "main.clef", "sub"]);
}

#[test]
fn output_onto_a_project_source_or_the_project_file_is_refused() {
    let dir = project("[package]\nname = \"app\"\n");
    let fidproj = read(&dir.path().join("app.fidproj"));
    let output = composer(&["build", ".", "-o", "Main.clef"], dir.path());
    assert_fails(
        &output,
        2,
        "error: the output path `Main.clef` is an input source file of this build; \
         choose another -o\n",
    );
    let output = composer(&["build", "app.fidproj", "-o", "app.fidproj"], dir.path());
    assert_fails(
        &output,
        2,
        "error: the output path `app.fidproj` is the project file of this build; \
         choose another -o\n",
    );
    assert_eq!(read(&dir.path().join("Main.clef")), HELLO);
    assert_eq!(read(&dir.path().join("app.fidproj")), fidproj);
    assert_eq!(listing(dir.path()), ["Main.clef", "app.fidproj"]);
}

#[test]
fn build_output_naming_a_source_is_a_project_file_error() {
    let dir = project("[package]\nname = \"app\"\n[build]\noutput = \"Main.clef\"\n");
    let output = composer(&["build", "--message-format", "short"], dir.path());
    assert_fails(
        &output,
        1,
        "error[FS9002]: the output path `Main.clef` (from `build.output` in \
         `./app.fidproj`) is an input source file of this build; choose another \
         `build.output`, or pass -o\n",
    );
    assert_eq!(read(&dir.path().join("Main.clef")), HELLO);
}

#[test]
fn emit_dumps_never_overwrite_a_source() {
    // A source whose name is what `--emit mlir` would write for the output `app`.
    let dir =
        project("[package]\nname = \"app\"\n[build]\nsources = [\"Lib.mlir\", \"Main.clef\"]\n");
    std::fs::write(dir.path().join("Lib.mlir"), "let answer = 42\n").expect("write");
    let output = composer(
        &["build", "app.fidproj", "-o", "Lib", "--emit", "ast,mlir"],
        dir.path(),
    );
    assert_fails(
        &output,
        2,
        "error: the mlir dump `Lib.mlir` is an input source file of this build; \
         choose another --emit-dir or -o\n",
    );
    assert_eq!(read(&dir.path().join("Lib.mlir")), "let answer = 42\n");
    // Refused before anything was written, the AST dump included.
    assert_eq!(
        listing(dir.path()),
        ["Lib.mlir", "Main.clef", "app.fidproj"]
    );

    let output = composer(
        &[
            "build",
            "app.fidproj",
            "--emit",
            "mir",
            "--emit-dir",
            "Main.clef",
        ],
        dir.path(),
    );
    assert_fails(
        &output,
        2,
        "error: the mir dump `Main.clef/app.mir` is under `Main.clef`, which is not a \
         folder; choose another --emit-dir or -o\n",
    );
    assert_eq!(read(&dir.path().join("Main.clef")), HELLO);
}

#[test]
fn package_name_that_is_a_path_is_rejected() {
    let root = tempfile::tempdir().expect("temp dir");
    let nested = root.path().join("a/b/proj");
    std::fs::create_dir_all(&nested).expect("mkdir");
    std::fs::write(
        nested.join("app.fidproj"),
        "[package]\nname = \"../../evil\"\n",
    )
    .expect("write");
    std::fs::write(nested.join("Main.clef"), HELLO).expect("write");
    let before = listing(root.path());
    for command in ["build", "run"] {
        let output = composer(&[command, "--message-format", "short"], &nested);
        assert_fails(
            &output,
            1,
            "./app.fidproj:2:8: error[FS9002]: `package.name` must be a plain name (letters, \
             digits, `_`, `-` and `.`, starting with a letter, a digit or `_`), not \
             `../../evil`: it names the executable, so it cannot be a path; to write the \
             executable elsewhere, set `build.output`\n",
        );
    }
    assert_eq!(listing(root.path()), before);
}

#[test]
fn build_output_outside_the_project_is_rejected() {
    let root = tempfile::tempdir().expect("temp dir");
    let absolute = root.path().join("evil").display().to_string();
    for setting in ["../evil", "bin/../../evil", absolute.as_str()] {
        let dir = root.path().join("proj");
        std::fs::create_dir(&dir).expect("mkdir");
        std::fs::write(
            dir.join("app.fidproj"),
            format!("[package]\nname = \"app\"\n[build]\noutput = \"{setting}\"\n"),
        )
        .expect("write");
        std::fs::write(dir.join("Main.clef"), HELLO).expect("write");
        let output = composer(&["build", "app.fidproj", "--message-format", "short"], &dir);
        assert_fails(
            &output,
            1,
            &format!(
                "app.fidproj:4:10: error[FS9002]: `build.output` must be a path relative to \
                 the project folder that stays inside it, not `{setting}`; to write \
                 elsewhere, pass `-o` on the command line\n"
            ),
        );
        assert_eq!(
            listing(root.path()),
            ["proj", "proj/Main.clef", "proj/app.fidproj"]
        );
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}

#[test]
fn output_onto_a_folder_is_a_usage_error() {
    let dir = single_file();
    std::fs::create_dir(dir.path().join("bin")).expect("mkdir");
    let output = composer(&["build", "main.clef", "-o", "bin"], dir.path());
    assert_fails(
        &output,
        2,
        "error: the output path `bin` is a folder; choose another -o\n",
    );
    // The default output, named after the source file, is a folder.
    std::fs::create_dir(dir.path().join("main")).expect("mkdir");
    let output = composer(&["build", "main.clef"], dir.path());
    assert_fails(
        &output,
        2,
        "error: the output path `main` (named after the source file) is a folder; pass -o\n",
    );
    // The default output of a project, named after the package, is a folder.
    let dir = project("[package]\nname = \"app\"\n");
    std::fs::create_dir(dir.path().join("app")).expect("mkdir");
    let output = composer(&["build", "--message-format", "short"], dir.path());
    assert_fails(
        &output,
        1,
        "error[FS9002]: the output path `app` (from `package.name` in `./app.fidproj`) \
         is a folder; set `build.output`, or pass -o\n",
    );
}

#[test]
fn output_that_cannot_be_written_is_a_usage_error_not_an_internal_one() {
    let dir = single_file();
    // Under a file: found before compiling.
    let output = composer(&["build", "main.clef", "-o", "main.clef/x"], dir.path());
    assert_fails(
        &output,
        2,
        "error: the output path `main.clef/x` is under `main.clef`, which is not a folder; \
         choose another -o\n",
    );
    assert_eq!(read(&dir.path().join("main.clef")), HELLO);
    // A folder nobody may create files in, not even root: found when writing.
    let output = composer(&["build", "main.clef", "-o", "/proc/self/x"], dir.path());
    assert_fails(
        &output,
        2,
        "error: cannot write `/proc/self/x`: No such file or directory (os error 2)\n",
    );
    // A folder that cannot be created.
    let output = composer(&["build", "main.clef", "-o", "/proc/none/x"], dir.path());
    assert_fails(
        &output,
        2,
        "error: cannot create folder `/proc/none`: No such file or directory (os error 2)\n",
    );
    assert_eq!(listing(dir.path()), ["main.clef"]);
}

#[test]
fn output_in_new_folders_is_written_and_replaces_a_symbolic_link() {
    let dir = single_file();
    let output = composer(
        &["build", "main.clef", "-o", "new/folders/hello"],
        dir.path(),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let run = Command::new(dir.path().join("new/folders/hello"))
        .output()
        .expect("the program runs");
    assert_eq!(String::from_utf8_lossy(&run.stdout), "Hello\n");

    // `-o` naming a link to a file that is not an input replaces the link, and
    // leaves the file it pointed to alone.
    std::fs::write(dir.path().join("notes.txt"), "keep me\n").expect("write");
    std::os::unix::fs::symlink("notes.txt", dir.path().join("hello")).expect("symlink");
    let output = composer(&["build", "main.clef", "-o", "hello"], dir.path());
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(read(&dir.path().join("notes.txt")), "keep me\n");
    assert!(!dir
        .path()
        .join("hello")
        .symlink_metadata()
        .expect("hello exists")
        .file_type()
        .is_symlink());
    assert_eq!(
        listing(dir.path()),
        [
            "hello",
            "main.clef",
            "new",
            "new/folders",
            "new/folders/hello",
            "notes.txt"
        ]
    );
}
