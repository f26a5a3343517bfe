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
// order of `RUNTIME_TARGETS` in build.rs (`composer_target::ALL`), the first being
// the default target, which build.rs always builds or fails.
include!(concat!(env!("OUT_DIR"), "/archives.rs"));

/// The file name under which to write an archive for the linker.
pub const RUNTIME_ARCHIVE_FILE_NAME: &str = "libclef_runtime.a";

/// The runtime archive (`libclef_runtime.a`, debug sections stripped when a
/// suitable `objcopy` was available at build time) for the Clef target `target`
/// (`"x86_64-linux"`, `"aarch64-linux"`): `None` for a target the runtime does not
/// support, or whose archive was not built on this machine.
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
/// [`runtime_targets`]; always starts with the default target.
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

    const DEFAULT: &str = "x86_64-linux";

    #[test]
    fn archive_is_an_ar_file() {
        let archive = archive(DEFAULT).expect("the default target is always built");
        assert!(archive.starts_with(b"!<arch>\n"));
        assert!(archive.len() > 1024);
    }

    #[test]
    fn the_default_target_is_the_first_and_always_built() {
        assert_eq!(runtime_targets().next(), Some(DEFAULT));
        assert_eq!(built_targets().next(), Some(DEFAULT));
        assert_eq!(missing_archive_reason(DEFAULT), None);
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
            assert_ne!(Some(bytes), archive(DEFAULT));
        }
    }
}
