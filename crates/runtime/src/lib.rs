//! The Clef run-time support library, as the bytes of one static archive per
//! target, which the driver writes next to the program's object file and passes
//! to `ld.lld`.
//!
//! The library itself lives in `runtime/` at the repository root: a `no_std`
//! Rust `staticlib` (not a workspace member) that `build.rs` compiles with a
//! nested `cargo build --release --target <triple>` per target. It provides
//! `_start`, the `clef_rt_*` functions the generated code calls (see
//! `docs/runtime.md`), `memcpy`-family functions and the C math names.
//!
//! `x86_64-linux` is always built. `aarch64-linux` is built when a `rustc` with
//! the `core` library of `aarch64-unknown-linux-gnu` is available (see
//! `build.rs`); [`archive`] answers `None` for it otherwise, and
//! [`missing_archive_reason`] says why.
//!
//! Architecture invariant: this crate does no I/O at run time; it only exposes
//! the archives and their targets. Linking is the driver's job:
//!
//! ```text
//! ld.lld -nostdlib -static -e _start --gc-sections program.o libclef_runtime.a -o program
//! ```

// `ARCHIVES`: `[(clef target, Result<archive bytes, why not built>); N]`, in the
// order of `RUNTIME_TARGETS` in build.rs, the first being `RUNTIME_TARGET`.
include!(concat!(env!("OUT_DIR"), "/archives.rs"));

/// `libclef_runtime.a` for [`RUNTIME_TARGET`], debug sections stripped when a
/// suitable `objcopy` was available at build time. The same bytes as
/// `archive(RUNTIME_TARGET)`.
pub static RUNTIME_ARCHIVE: &[u8] = match ARCHIVES[0] {
    (_, Ok(bytes)) => bytes,
    (_, Err(_)) => panic!("build.rs always builds the first runtime target or fails"),
};

/// The target [`RUNTIME_ARCHIVE`] is built for (the project file's `target`
/// name), and the default target.
pub const RUNTIME_TARGET: &str = ARCHIVES[0].0;

/// The file name under which to write an archive for the linker.
pub const RUNTIME_ARCHIVE_FILE_NAME: &str = "libclef_runtime.a";

/// The runtime archive for the Clef target `target` (`"x86_64-linux"`,
/// `"aarch64-linux"`): `None` for a target the runtime does not support, or
/// whose archive was not built on this machine.
pub fn archive(target: &str) -> Option<&'static [u8]> {
    ARCHIVES
        .iter()
        .find(|(name, _)| *name == target)
        .and_then(|(_, archive)| archive.ok())
}

/// Every target the runtime supports, built here or not, in a fixed order.
pub fn runtime_targets() -> impl Iterator<Item = &'static str> {
    ARCHIVES.iter().map(|(name, _)| *name)
}

/// The targets whose archive is built into this crate, in the order of
/// [`runtime_targets`]; always starts with [`RUNTIME_TARGET`].
pub fn built_targets() -> impl Iterator<Item = &'static str> {
    ARCHIVES
        .iter()
        .filter(|(_, archive)| archive.is_ok())
        .map(|(name, _)| *name)
}

/// Why the archive of a supported `target` was not built (for a diagnostic,
/// e.g. no `rustc` with that target's `core`); `None` when it was built or the
/// runtime does not support `target`.
pub fn missing_archive_reason(target: &str) -> Option<&'static str> {
    ARCHIVES
        .iter()
        .find(|(name, _)| *name == target)
        .and_then(|(_, archive)| archive.err())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_is_an_ar_file() {
        assert!(RUNTIME_ARCHIVE.starts_with(b"!<arch>\n"));
        assert!(RUNTIME_ARCHIVE.len() > 1024);
        assert_eq!(RUNTIME_TARGET, "x86_64-linux");
    }

    #[test]
    fn the_default_target_is_the_first_and_always_built() {
        assert_eq!(runtime_targets().next(), Some(RUNTIME_TARGET));
        assert_eq!(built_targets().next(), Some(RUNTIME_TARGET));
        assert_eq!(archive(RUNTIME_TARGET), Some(RUNTIME_ARCHIVE));
        assert_eq!(missing_archive_reason(RUNTIME_TARGET), None);
    }

    #[test]
    fn targets_are_looked_up_by_clef_name() {
        assert_eq!(
            runtime_targets().collect::<Vec<_>>(),
            ["x86_64-linux", "aarch64-linux"]
        );
        assert_eq!(archive("x86_64-unknown-linux-gnu"), None);
        assert_eq!(archive("wasm32"), None);
        assert_eq!(missing_archive_reason("wasm32"), None);
        // Either built or explained, never both.
        assert!(
            archive("aarch64-linux").is_some() != missing_archive_reason("aarch64-linux").is_some()
        );
        if let Some(bytes) = archive("aarch64-linux") {
            assert!(bytes.starts_with(b"!<arch>\n"));
            assert_ne!(bytes, RUNTIME_ARCHIVE);
        }
    }
}
