//! The Clef run-time support library, as the bytes of a static archive the
//! driver writes next to the program's object file and passes to `ld.lld`.
//!
//! The library itself lives in `runtime/` at the repository root: a `no_std`
//! Rust `staticlib` (not a workspace member) that `build.rs` compiles with a
//! nested `cargo build --release --target x86_64-unknown-linux-gnu`. It
//! provides `_start`, the `clef_rt_*` functions the generated code calls (see
//! `docs/runtime.md`), `memcpy`-family functions and the C math names.
//!
//! Architecture invariant: this crate does no I/O at run time; it only exposes
//! the archive and its target. Linking is the driver's job:
//!
//! ```text
//! ld.lld -nostdlib -static -e _start --gc-sections program.o libclef_runtime.a -o program
//! ```

/// `libclef_runtime.a` for [`RUNTIME_TARGET`], debug sections stripped when a
/// suitable `objcopy` was available at build time.
pub static RUNTIME_ARCHIVE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/libclef_runtime.a"));

/// The target the archive is built for (the project file's `target` name).
pub const RUNTIME_TARGET: &str = "x86_64-linux";

/// The file name under which to write [`RUNTIME_ARCHIVE`] for the linker.
pub const RUNTIME_ARCHIVE_FILE_NAME: &str = "libclef_runtime.a";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_is_an_ar_file() {
        assert!(RUNTIME_ARCHIVE.starts_with(b"!<arch>\n"));
        assert!(RUNTIME_ARCHIVE.len() > 1024);
        assert_eq!(RUNTIME_TARGET, "x86_64-linux");
    }
}
