//! `composer new NAME`: a project a user can build and run at once, as `cargo new`
//! and `dotnet new console` give. The folder holds `NAME.fidproj`, `src/Main.clef`
//! and a `README.md`; nothing is written over an existing file.

use crate::compile::{report_error, EXIT_SUCCESS, EXIT_USAGE};
use crate::project::check_package_name;
use std::path::Path;

/// Creates the project in the folder `path`, named after its last component.
/// Returns the exit status; problems are reported on stderr.
pub fn run(path: &Path) -> u8 {
    match create(path) {
        Ok(files) => {
            let shown: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
            eprintln!(
                "composer: created project `{}`: {}",
                project_name(path).unwrap_or_default(),
                shown.join(", ")
            );
            eprintln!(
                "composer: next: cd {} && composer run",
                shell_word(&path.display().to_string())
            );
            EXIT_SUCCESS
        }
        Err(message) => {
            report_error(message);
            EXIT_USAGE
        }
    }
}

fn project_name(path: &Path) -> Option<String> {
    path.file_name().map(|n| n.to_string_lossy().into_owned())
}

/// Writes the files; answers their paths, or why nothing (or not everything) was
/// written.
fn create(path: &Path) -> Result<Vec<std::path::PathBuf>, String> {
    let name = project_name(path)
        .ok_or_else(|| format!("`{}` does not end in a project name", path.display()))?;
    check_package_name(&name)
        .map_err(|_| format!("`{name}` cannot name a project: use letters, digits, `_`, `-` and `.`, starting with a letter, a digit or `_`"))?;
    match std::fs::read_dir(path) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(format!(
                    "`{}` already exists and is not empty; choose another name or remove it",
                    path.display()
                ));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) if path.is_file() => {
            return Err(format!("`{}` is a file ({e})", path.display()));
        }
        Err(e) => return Err(format!("cannot read `{}`: {e}", path.display())),
    }
    let src = path.join("src");
    std::fs::create_dir_all(&src)
        .map_err(|e| format!("cannot create folder `{}`: {e}", src.display()))?;
    let files = [
        (path.join(format!("{name}.fidproj")), fidproj(&name)),
        (src.join("Main.clef"), main_clef(&name)),
        (path.join("README.md"), readme(&name)),
    ];
    for (file, text) in &files {
        std::fs::write(file, text)
            .map_err(|e| format!("cannot write `{}`: {e}", file.display()))?;
    }
    Ok(files.into_iter().map(|(file, _)| file).collect())
}

fn fidproj(name: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\n\n\
         [compilation]\n\
         # region (the default): stack, inferred regions and arenas; stack_only: no regions\n\
         memory_model = \"region\"\n\
         # target = \"aarch64-linux\"\n\n\
         [build]\n\
         # In compilation order: a file sees what the files before it define.\n\
         sources = [\"src/Main.clef\"]\n"
    )
}

fn main_clef(name: &str) -> String {
    format!(
        "// {name}: `composer run` builds and runs it, `composer build` writes ./{name}.\n\n\
         let greet name = sprintf \"Hello, %s!\" name\n\n\
         let names = [ \"world\"; \"Clef\" ]\n\n\
         names |> List.iter (fun n -> printfn \"%s\" (greet n))\n"
    )
}

fn readme(name: &str) -> String {
    format!(
        "# {name}\n\n\
         A Clef program, compiled ahead of time by Composer to a static native executable.\n\n\
         ```sh\n\
         composer run            # build and run\n\
         composer build -O3      # write ./{name}\n\
         composer check          # diagnostics only\n\
         composer build --emit ledger   # and {name}.ledger: every allocation and where it goes\n\
         ```\n\n\
         Add source files to `sources` in `{name}.fidproj`, in compilation order.\n"
    )
}

/// `text` as one shell word (quoted when it holds anything but plain characters).
fn shell_word(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_-./".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}
