//! Where a build may write (issue 12 §2: "the tool must never destroy input or write
//! where it was not asked").
//!
//! Before the front end runs, the driver lists every file the build will write (the
//! executable and each `--emit` dump) and [`check_writes`] refuses the build when one
//! of them
//!
//! * is one of the build's inputs (a source file or the project file), compared by
//!   [`identity`], so `./main.clef`, `dir/../main.clef` and a symbolic link to it are
//!   the same file;
//! * is an existing folder;
//! * lies under something that exists and is not a folder (`main.clef/out`);
//! * is also written by another step of the same build.
//!
//! Missing folders on the way to a destination are created later, when the build
//! writes there. Whether the folder is writable is found out then too (the only
//! reliable test is to write), and a failure is a plain error, never an internal one:
//! the back end links into its own temporary folder and copies the result into place
//! itself (`toolchain::install`).

use std::path::{Component, Path, PathBuf};

/// What a file written by the build is, for messages ("the output path", "the mlir
/// dump").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedWrite {
    pub what: String,
    pub path: PathBuf,
}

/// What a file read by the build is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Source,
    ProjectFile,
}

impl InputKind {
    pub fn describe(self) -> &'static str {
        match self {
            InputKind::Source => "an input source file",
            InputKind::ProjectFile => "the project file",
        }
    }
}

/// Why a planned write is refused. `write` is the index into the list given to
/// [`check_writes`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteProblem {
    /// The destination is one of the build's inputs.
    IsAnInput { write: usize, input: InputKind },
    /// The destination is an existing folder.
    IsAFolder { write: usize },
    /// Something on the way to the destination exists and is not a folder.
    UnderAFile { write: usize, file: PathBuf },
    /// Two steps of the build would write the same file.
    WrittenTwice { write: usize, first: usize },
}

impl WriteProblem {
    pub fn write(&self) -> usize {
        match *self {
            WriteProblem::IsAnInput { write, .. }
            | WriteProblem::IsAFolder { write }
            | WriteProblem::UnderAFile { write, .. }
            | WriteProblem::WrittenTwice { write, .. } => write,
        }
    }
}

/// Checks every planned write against the inputs and the file system; returns the
/// first problem, in the order of `writes`.
pub fn check_writes(
    writes: &[PlannedWrite],
    inputs: &[(InputKind, PathBuf)],
) -> Result<(), WriteProblem> {
    let input_identities: Vec<(InputKind, PathBuf)> = inputs
        .iter()
        .map(|(kind, path)| (*kind, identity(path)))
        .collect();
    let mut seen: Vec<PathBuf> = Vec::new();
    for (index, planned) in writes.iter().enumerate() {
        let destination = identity(&planned.path);
        if let Some((kind, _)) = input_identities
            .iter()
            .find(|(_, input)| *input == destination)
        {
            return Err(WriteProblem::IsAnInput {
                write: index,
                input: *kind,
            });
        }
        if let Some(first) = seen.iter().position(|p| *p == destination) {
            return Err(WriteProblem::WrittenTwice {
                write: index,
                first,
            });
        }
        seen.push(destination);
        if planned.path.is_dir() {
            return Err(WriteProblem::IsAFolder { write: index });
        }
        if let Some(file) = nearest_existing_ancestor(&planned.path).filter(|a| !a.is_dir()) {
            return Err(WriteProblem::UnderAFile { write: index, file });
        }
    }
    Ok(())
}

/// The closest ancestor of `path` that exists (`.` for a bare relative name).
fn nearest_existing_ancestor(path: &Path) -> Option<PathBuf> {
    let mut ancestor = path.parent();
    while let Some(candidate) = ancestor {
        if candidate.as_os_str().is_empty() {
            return Some(PathBuf::from("."));
        }
        if std::fs::symlink_metadata(candidate).is_ok() {
            return Some(candidate.to_path_buf());
        }
        ancestor = candidate.parent();
    }
    None
}

/// The absolute path that names the same file as `path` would, whether or not it
/// exists yet: the longest prefix that exists is canonicalised (symbolic links and
/// `..` resolved by the file system), and the rest, which the build would create as
/// plain folders, is resolved lexically.
pub fn identity(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|cwd| cwd.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let components: Vec<Component<'_>> = absolute.components().collect();
    for split in (1..=components.len()).rev() {
        let prefix: PathBuf = components[..split].iter().collect();
        if let Ok(mut resolved) = prefix.canonicalize() {
            for component in &components[split..] {
                match component {
                    Component::ParentDir => {
                        resolved.pop();
                    }
                    Component::Normal(name) => resolved.push(name),
                    Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
                }
            }
            return resolved;
        }
    }
    absolute
}

/// Resolves `relative` lexically (`a/./b/../c` is `a/c`); `None` when it is absolute
/// or climbs above its starting folder. For paths in the project file, which must stay
/// inside the project's folder.
pub fn normalize_inside(relative: &Path) -> Option<PathBuf> {
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    for component in relative.components() {
        match component {
            Component::Normal(name) => parts.push(name),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path) -> PlannedWrite {
        PlannedWrite {
            what: "the output path".into(),
            path: path.to_path_buf(),
        }
    }

    #[test]
    fn an_input_is_never_a_destination_however_it_is_spelled() {
        let dir = tempfile::tempdir().expect("temp dir");
        let source = dir.path().join("main.clef");
        std::fs::write(&source, "printfn \"hi\"\n").expect("write");
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        let link = dir.path().join("link.clef");
        std::os::unix::fs::symlink(&source, &link).expect("symlink");
        let inputs = [(InputKind::Source, source.clone())];
        for spelling in [
            source.clone(),
            dir.path().join("./main.clef"),
            dir.path().join("sub/../main.clef"),
            dir.path().join("missing/../main.clef"),
            link,
        ] {
            assert_eq!(
                check_writes(&[write(&spelling)], &inputs),
                Err(WriteProblem::IsAnInput {
                    write: 0,
                    input: InputKind::Source
                }),
                "{}",
                spelling.display()
            );
        }
        assert_eq!(
            check_writes(&[write(&dir.path().join("main"))], &inputs),
            Ok(())
        );
    }

    #[test]
    fn folders_and_paths_under_files_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("file");
        std::fs::write(&file, "").expect("write");
        assert_eq!(
            check_writes(&[write(dir.path())], &[]),
            Err(WriteProblem::IsAFolder { write: 0 })
        );
        assert_eq!(
            check_writes(&[write(&file.join("a/b"))], &[]),
            Err(WriteProblem::UnderAFile {
                write: 0,
                file: file.clone()
            })
        );
        assert_eq!(
            check_writes(&[write(&dir.path().join("new/folders/out"))], &[]),
            Ok(())
        );
    }

    #[test]
    fn two_writes_to_one_file_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("out");
        assert_eq!(
            check_writes(&[write(&out), write(&dir.path().join("x/../out"))], &[]),
            Err(WriteProblem::WrittenTwice { write: 1, first: 0 })
        );
    }

    #[test]
    fn project_paths_must_stay_inside() {
        assert_eq!(
            normalize_inside(Path::new("bin/./x/../app")),
            Some(PathBuf::from("bin/app"))
        );
        assert_eq!(normalize_inside(Path::new("../evil")), None);
        assert_eq!(normalize_inside(Path::new("bin/../../evil")), None);
        assert_eq!(normalize_inside(Path::new("/tmp/evil")), None);
        assert_eq!(normalize_inside(Path::new(".")), Some(PathBuf::new()));
    }
}
