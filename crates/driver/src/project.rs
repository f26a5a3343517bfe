//! What to compile: the `.fidproj` project file, or a single source file.
//!
//! `PATH` on the command line is a `.fidproj` file, a folder holding exactly one, or a
//! single `.clef`/`.fs` file (DESIGN §1). Problems with the project file are
//! diagnostics (`FS9002`) that point into the file when they have a place.

use crate::pipeline::MemoryModel;
use composer_diagnostics::{Code, Diagnostic, FileId, SourceMap, Span};
use composer_target::Target;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A resolved compilation: every path is ready to use from the current directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub name: String,
    /// The source files: in compilation order when `sources_listed`, otherwise in
    /// name order, to be put in dependency order once read (`order.rs`).
    pub sources: Vec<PathBuf>,
    /// Whether the project file lists its sources (`[build] sources`).
    pub sources_listed: bool,
    /// The executable to write, unless `-o` says otherwise.
    pub output: PathBuf,
    /// Which setting chose `output`, for messages about it.
    pub output_origin: OutputOrigin,
    /// The `.fidproj` file, in project mode: an input the build must not overwrite.
    pub project_file: Option<PathBuf>,
    pub memory_model: MemoryModel,
    pub target: Target,
}

/// Where a project's default output path comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputOrigin {
    /// Single-file mode: the source file's name without its extension.
    SourceFileName,
    /// `package.name`, in the project's folder.
    PackageName,
    /// `build.output`.
    BuildOutput,
}

impl OutputOrigin {
    /// The project file key that set the output, if any.
    pub fn key(self) -> Option<&'static str> {
        match self {
            OutputOrigin::SourceFileName => None,
            OutputOrigin::PackageName => Some("package.name"),
            OutputOrigin::BuildOutput => Some("build.output"),
        }
    }
}

/// The project could not be loaded. `sources` holds the project file's text so the
/// diagnostics can show it.
#[derive(Debug)]
pub struct ProjectError {
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
    /// True when the problem is with the command line (exit status 2), false when it
    /// is in the project file (exit status 1).
    pub is_usage: bool,
}

impl ProjectError {
    fn usage(message: impl Into<String>) -> ProjectError {
        ProjectError {
            sources: SourceMap::new(),
            diagnostics: vec![Diagnostic::global(Code::ProjectError, message)],
            is_usage: true,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectFile {
    package: PackageSection,
    #[serde(default)]
    compilation: CompilationSection,
    #[serde(default)]
    build: BuildSection,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackageSection {
    name: toml::Spanned<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CompilationSection {
    memory_model: Option<MemoryModelSetting>,
    target: Option<toml::Spanned<String>>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum MemoryModelSetting {
    Region,
    StackOnly,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BuildSection {
    sources: Option<Vec<String>>,
    output: Option<toml::Spanned<String>>,
    output_kind: Option<toml::Spanned<String>>,
}

/// Finds what `path` (from the command line) means and loads it.
pub fn resolve(path: &Path) -> Result<Project, ProjectError> {
    let metadata = std::fs::metadata(path)
        .map_err(|e| ProjectError::usage(format!("cannot read `{}`: {e}", path.display())))?;
    if metadata.is_dir() {
        let project_file = find_project_file(path)?;
        return load_project_file(&project_file);
    }
    match path.extension().and_then(|e| e.to_str()) {
        Some("fidproj") => load_project_file(path),
        Some("clef" | "fs") => Ok(single_file(path)),
        _ => Err(ProjectError::usage(format!(
            "`{}` is not a .fidproj project, a folder holding one, or a .clef/.fs source file",
            path.display()
        ))),
    }
}

/// Single-file mode: the executable is named after the file, in the current folder.
fn single_file(path: &Path) -> Project {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "main".to_string());
    Project {
        name: stem.clone(),
        sources: vec![path.to_path_buf()],
        sources_listed: true,
        output: PathBuf::from(stem),
        output_origin: OutputOrigin::SourceFileName,
        project_file: None,
        memory_model: MemoryModel::default(),
        target: Target::DEFAULT,
    }
}

fn find_project_file(dir: &Path) -> Result<PathBuf, ProjectError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| ProjectError::usage(format!("cannot read folder `{}`: {e}", dir.display())))?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "fidproj") && p.is_file())
        .collect();
    found.sort();
    match found.len() {
        1 => Ok(found.pop().expect("one element")),
        0 => Err(ProjectError::usage(format!(
            "no .fidproj project file in `{}`; pass a project file or a .clef source file",
            dir.display()
        ))),
        _ => Err(ProjectError::usage(format!(
            "`{}` holds several project files ({}); pass the one to build",
            dir.display(),
            found
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Loads a `.fidproj` file from disk.
pub fn load_project_file(path: &Path) -> Result<Project, ProjectError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ProjectError::usage(format!(
            "cannot read project file `{}`: {e}",
            path.display()
        ))
    })?;
    let dir = path.parent().unwrap_or(Path::new(""));
    let mut project = parse_project(&path.display().to_string(), &text, dir)?;
    project.project_file = Some(path.to_path_buf());
    Ok(project)
}

/// Parses project file text. `dir` is the project's folder: sources and the output are
/// relative to it.
pub fn parse_project(name: &str, text: &str, dir: &Path) -> Result<Project, ProjectError> {
    let mut sources = SourceMap::new();
    let file = sources.add(name, text);
    let fail = |sources: SourceMap, diagnostics: Vec<Diagnostic>| ProjectError {
        sources,
        diagnostics,
        is_usage: false,
    };
    let parsed: ProjectFile = match toml::from_str(text) {
        Ok(parsed) => parsed,
        Err(error) => {
            let diagnostic = toml_error_diagnostic(file, text, &error);
            return Err(fail(sources, vec![diagnostic]));
        }
    };

    let mut diagnostics = Vec::new();
    let target = match &parsed.compilation.target {
        Some(target) => match check_target(target.get_ref()) {
            Ok(target) => target,
            Err(d) => {
                diagnostics.push(with_span(d, file, target.span()));
                Target::DEFAULT
            }
        },
        None => Target::DEFAULT,
    };
    if let Some(kind) = &parsed.build.output_kind {
        if kind.get_ref() != "freestanding" {
            let message = if ["console", "firmware"].contains(&kind.get_ref().as_str()) {
                format!(
                    "output kind `{}` is not supported yet; supported: freestanding",
                    kind.get_ref()
                )
            } else {
                format!(
                    "unknown output kind `{}`; expected freestanding, console or firmware \
                     (only freestanding is supported yet)",
                    kind.get_ref()
                )
            };
            diagnostics.push(with_span(
                Diagnostic::global(Code::ProjectError, message),
                file,
                kind.span(),
            ));
        }
    }
    let package_name = parsed.package.name.get_ref();
    if let Err(message) = check_package_name(package_name) {
        diagnostics.push(with_span(
            Diagnostic::global(Code::ProjectError, message),
            file,
            parsed.package.name.span(),
        ));
    }
    let output_setting = match &parsed.build.output {
        Some(setting) => match check_build_output(setting.get_ref()) {
            Ok(relative) => Some(relative),
            Err(message) => {
                diagnostics.push(with_span(
                    Diagnostic::global(Code::ProjectError, message),
                    file,
                    setting.span(),
                ));
                None
            }
        },
        None => None,
    };
    if !diagnostics.is_empty() {
        return Err(fail(sources, diagnostics));
    }

    let sources_listed = parsed.build.sources.is_some();
    let source_paths = match parsed.build.sources {
        Some(list) => list.iter().map(|s| join(dir, s)).collect(),
        None => default_sources(dir),
    };
    if source_paths.is_empty() {
        return Err(fail(
            sources,
            vec![Diagnostic::global(
                Code::ProjectError,
                format!(
                    "the project `{name}` has no sources: list them in `[build] sources = [...]`"
                ),
            )],
        ));
    }
    let (output, output_origin) = match output_setting {
        Some(relative) => (join_path(dir, &relative), OutputOrigin::BuildOutput),
        None => (join(dir, package_name), OutputOrigin::PackageName),
    };
    Ok(Project {
        name: parsed.package.name.into_inner(),
        sources: source_paths,
        sources_listed,
        output,
        output_origin,
        project_file: None,
        memory_model: match parsed.compilation.memory_model {
            Some(MemoryModelSetting::StackOnly) => MemoryModel::StackOnly,
            Some(MemoryModelSetting::Region) | None => MemoryModel::Region,
        },
        target,
    })
}

/// Without `[build] sources`: every `.clef` file of the project folder and of its
/// `src/` folder, in name order (the build then orders them by what they use).
fn default_sources(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for folder in [dir.to_path_buf(), dir.join("src")] {
        let Ok(entries) = std::fs::read_dir(if folder.as_os_str().is_empty() {
            Path::new(".")
        } else {
            &folder
        }) else {
            continue;
        };
        let mut here: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "clef"))
            .map(|e| folder.join(e.file_name()))
            .collect();
        here.sort();
        found.extend(here);
    }
    found
}

/// Checks `package.name`: it names the executable (`DIR/NAME`, or `NAME` in the
/// temporary folder of `composer run`), so it must be a plain file name and never a
/// path (`../../evil` would write outside the project).
pub(crate) fn check_package_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("`package.name` must not be empty".to_string());
    }
    let plain = name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        && name.len() <= 255;
    if plain {
        Ok(())
    } else {
        Err(format!(
            "`package.name` must be a plain name (letters, digits, `_`, `-` and `.`, starting \
             with a letter, a digit or `_`), not `{name}`: it names the executable, so it \
             cannot be a path; to write the executable elsewhere, set `build.output`"
        ))
    }
}

/// Checks `build.output`: a relative path that stays inside the project's folder once
/// `.` and `..` are resolved. Returns it resolved. (`-o` on the command line may point
/// anywhere: that is the user's choice at the time, not a file's.)
fn check_build_output(setting: &str) -> Result<PathBuf, String> {
    match crate::destinations::normalize_inside(Path::new(setting)) {
        Some(relative) if relative.as_os_str().is_empty() => Err(format!(
            "`build.output` must name a file inside the project folder, not the folder \
             itself (`{setting}`)"
        )),
        Some(relative) if setting.ends_with('/') => Err(format!(
            "`build.output` must name a file, not a folder (`{setting}`); for example \
             `{}/NAME`",
            relative.display()
        )),
        Some(relative) => Ok(relative),
        None => Err(format!(
            "`build.output` must be a path relative to the project folder that stays \
             inside it, not `{setting}`; to write elsewhere, pass `-o` on the command line"
        )),
    }
}

/// `dir/relative`, without a leading `./` when `dir` is the current folder.
fn join(dir: &Path, relative: &str) -> PathBuf {
    join_path(dir, Path::new(relative))
}

fn join_path(dir: &Path, relative: &Path) -> PathBuf {
    if dir.as_os_str().is_empty() || dir == Path::new(".") {
        relative.to_path_buf()
    } else {
        dir.join(relative)
    }
}

/// The target a name stands for (from the project file or `--target`).
pub fn check_target(target: &str) -> Result<Target, Diagnostic> {
    Target::by_name(target).ok_or_else(|| {
        Diagnostic::global(
            Code::ProjectError,
            format!(
                "target '{}' is not supported; supported: {}",
                target.escape_debug(),
                Target::names()
            ),
        )
    })
}

fn with_span(
    mut diagnostic: Diagnostic,
    file: FileId,
    range: std::ops::Range<usize>,
) -> Diagnostic {
    diagnostic.span = Some(Span::new(file, range.start as u32, range.end as u32));
    diagnostic
}

fn toml_error_diagnostic(file: FileId, text: &str, error: &toml::de::Error) -> Diagnostic {
    // `toml`'s message repeats the snippet after the first line; the renderer shows
    // the snippet itself.
    let message = error.message().trim().to_string();
    let message = if message.starts_with("missing field `name`") {
        "the project file needs a name: add `[package]` with `name = \"...\"`".to_string()
    } else if message.starts_with("missing field `package`") {
        "the project file has no `[package]` section; add `[package]` with `name = \"...\"`"
            .to_string()
    } else {
        format!("invalid project file: {message}")
    };
    let mut diagnostic = Diagnostic::global(Code::ProjectError, message);
    if let Some(range) = error.span() {
        let end = range.end.min(text.len());
        let start = range.start.min(end);
        diagnostic = with_span(diagnostic, file, start..end);
    }
    diagnostic
}

#[cfg(test)]
mod tests {
    use super::*;
    use composer_diagnostics::{render, MessageFormat};

    fn errors(text: &str) -> String {
        let error = parse_project("app.fidproj", text, Path::new("proj")).expect_err("an error");
        render(
            &error.sources,
            &error.diagnostics,
            MessageFormat::Short,
            false,
        )
    }

    #[test]
    fn full_project_file_is_loaded() {
        let project = parse_project(
            "app.fidproj",
            r#"
[package]
name = "hello"
[compilation]
memory_model = "stack_only"
target = "x86_64-linux"
[build]
sources = ["src/A.clef", "src/Main.clef"]
output = "bin/hello"
output_kind = "freestanding"
"#,
            Path::new("proj"),
        )
        .expect("valid");
        assert_eq!(
            project,
            Project {
                name: "hello".into(),
                sources: vec!["proj/src/A.clef".into(), "proj/src/Main.clef".into()],
                sources_listed: true,
                output: "proj/bin/hello".into(),
                output_origin: OutputOrigin::BuildOutput,
                project_file: None,
                memory_model: MemoryModel::StackOnly,
                target: Target::DEFAULT,
            }
        );
    }

    #[test]
    fn only_the_name_is_required() {
        let project = parse_project(
            "app.fidproj",
            "[package]\nname = \"app\"\n[build]\nsources = [\"Main.clef\"]\n",
            Path::new(""),
        )
        .expect("valid");
        assert_eq!(project.output, PathBuf::from("app"));
        assert_eq!(project.sources, vec![PathBuf::from("Main.clef")]);
        assert_eq!(project.memory_model, MemoryModel::Region);
        assert_eq!(project.target.name, "x86_64-linux");
    }

    #[test]
    fn missing_name_is_an_error() {
        assert_eq!(
            errors("[package]\n"),
            "app.fidproj:1:1: error[FS9002]: the project file needs a name: add `[package]` with `name = \"...\"`\n"
        );
    }

    #[test]
    fn unknown_key_is_named() {
        let text = errors("[package]\nname = \"a\"\n[build]\nsourcez = []\n");
        assert!(
            text.starts_with("app.fidproj:4:1: error[FS9002]:"),
            "{text}"
        );
        assert!(text.contains("unknown field `sourcez`"), "{text}");
    }

    #[test]
    fn unsupported_target_is_an_error() {
        assert_eq!(
            errors("[package]\nname = \"a\"\n[compilation]\ntarget = \"cortex-m33\"\n"),
            "app.fidproj:4:10: error[FS9002]: target 'cortex-m33' is not supported; supported: x86_64-linux, aarch64-linux\n"
        );
    }

    #[test]
    fn unsupported_output_kind_is_an_error() {
        let text = errors("[package]\nname = \"a\"\n[build]\noutput_kind = \"console\"\n");
        assert!(
            text.contains("output kind `console` is not supported yet; supported: freestanding"),
            "{text}"
        );
    }

    #[test]
    fn bad_memory_model_is_an_error() {
        let text = errors("[package]\nname = \"a\"\n[compilation]\nmemory_model = \"gc\"\n");
        assert!(text.contains("unknown variant `gc`"), "{text}");
    }

    #[test]
    fn package_name_must_be_a_plain_name() {
        for bad in [
            "../../evil",
            "a/b",
            "a\\\\b",
            "..",
            ".",
            ".hidden",
            "-o",
            "/abs",
            "a b",
        ] {
            let text = errors(&format!(
                "[package]\nname = \"{bad}\"\n[build]\nsources = [\"M.clef\"]\n"
            ));
            assert!(
                text.starts_with(
                    "app.fidproj:2:8: error[FS9002]: `package.name` must be a plain name"
                ),
                "{bad}: {text}"
            );
        }
        for good in ["app", "my-app_2", "v1.2", "_x", "Ünïcode"] {
            let project = parse_project(
                "app.fidproj",
                &format!("[package]\nname = \"{good}\"\n[build]\nsources = [\"M.clef\"]\n"),
                Path::new("proj"),
            )
            .expect("valid");
            assert_eq!(project.output, Path::new("proj").join(good));
            assert_eq!(project.output_origin, OutputOrigin::PackageName);
        }
    }

    #[test]
    fn build_output_must_stay_inside_the_project() {
        for bad in [
            "../evil",
            "bin/../../evil",
            "/tmp/evil",
            ".",
            "bin/..",
            "bin/",
        ] {
            let text = errors(&format!(
                "[package]\nname = \"a\"\n[build]\nsources = [\"M.clef\"]\noutput = \"{bad}\"\n"
            ));
            assert!(
                text.starts_with("app.fidproj:5:10: error[FS9002]: `build.output` must"),
                "{bad}: {text}"
            );
        }
        let project = parse_project(
            "app.fidproj",
            "[package]\nname = \"a\"\n[build]\nsources = [\"M.clef\"]\noutput = \"./x/../bin/a\"\n",
            Path::new("proj"),
        )
        .expect("valid");
        assert_eq!(project.output, PathBuf::from("proj/bin/a"));
    }

    #[test]
    fn single_file_output_is_named_after_the_file() {
        let project = single_file(Path::new("some/dir/tool.clef"));
        assert_eq!(project.output, PathBuf::from("tool"));
        assert_eq!(project.sources, vec![PathBuf::from("some/dir/tool.clef")]);
    }

    #[test]
    fn folder_with_one_project_file_is_resolved() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("x.fidproj"),
            "[package]\nname = \"x\"\n[build]\nsources = [\"Main.clef\"]\n",
        )
        .expect("write");
        let project = resolve(dir.path()).expect("valid");
        assert_eq!(project.sources, vec![dir.path().join("Main.clef")]);
        std::fs::write(dir.path().join("y.fidproj"), "").expect("write");
        let error = resolve(dir.path()).expect_err("two project files");
        assert!(error.is_usage);
    }
}
