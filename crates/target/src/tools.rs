//! Where the LLVM/MLIR 19 tools are: the one search the driver, its tests and the
//! runtime's link tests use (`CLEF_LLVM_DIR`, then `/usr/lib/llvm-19/bin`, then
//! `name-19` or `name` on `PATH`).

use std::path::{Path, PathBuf};

/// The first executable file called `name` in a directory of `PATH`.
pub fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable_file(candidate))
}

/// Where the tools are looked for, in order.
#[derive(Debug, Clone)]
pub struct ToolSearch {
    /// `CLEF_LLVM_DIR`, when set.
    pub explicit_dir: Option<PathBuf>,
    /// The Debian location of LLVM 19.
    pub default_dir: PathBuf,
    /// The directories of `PATH`.
    pub path_dirs: Vec<PathBuf>,
}

impl ToolSearch {
    /// The search order given by the environment (`CLEF_LLVM_DIR`, then
    /// `/usr/lib/llvm-19/bin`, then `PATH`).
    pub fn from_env() -> ToolSearch {
        ToolSearch {
            explicit_dir: std::env::var_os("CLEF_LLVM_DIR")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            default_dir: PathBuf::from("/usr/lib/llvm-19/bin"),
            path_dirs: std::env::var_os("PATH")
                .map(|p| std::env::split_paths(&p).collect())
                .unwrap_or_default(),
        }
    }

    /// Finds the LLVM 19 tool `name` (`mlir-opt`, `llvm-readelf`). When
    /// `CLEF_LLVM_DIR` is set, only that directory is searched.
    pub fn find(&self, name: &str) -> Option<PathBuf> {
        if let Some(dir) = &self.explicit_dir {
            return is_executable_file(&dir.join(name)).then(|| dir.join(name));
        }
        let candidate = self.default_dir.join(name);
        if is_executable_file(&candidate) {
            return Some(candidate);
        }
        for versioned in [format!("{name}-19"), name.to_string()] {
            for dir in &self.path_dirs {
                let candidate = dir.join(&versioned);
                if is_executable_file(&candidate) {
                    return Some(candidate);
                }
            }
        }
        None
    }

    /// A human description of the search order, for error messages.
    pub fn describe(&self) -> String {
        match &self.explicit_dir {
            Some(dir) => format!("CLEF_LLVM_DIR={}", dir.display()),
            None => format!("{}, then PATH", self.default_dir.display()),
        }
    }
}

fn is_executable_file(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// The emulator that runs `target`'s executables on this machine
/// (`qemu-aarch64`, or Debian's `qemu-aarch64-static`), when it needs one and it
/// is installed.
pub fn find_emulator(target: &crate::Target) -> Option<PathBuf> {
    let emulator = target.emulator?;
    [emulator.to_string(), format!("{emulator}-static")]
        .iter()
        .find_map(|name| find_in_path(name))
}
