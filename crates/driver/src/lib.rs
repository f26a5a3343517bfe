//! The driver: the only part of Composer that touches files, processes and the
//! environment. The `composer` binary (`main.rs`) is a thin shell over this library
//! so that tests can reach the toolchain and project modules directly.
//!
//! Architecture invariant: the core crates (syntax, semantics, lower, alex) are pure;
//! everything they need arrives as data through [`pipeline::run_frontend`], and
//! everything they produce leaves as data through [`pipeline::FrontendOutput`].

pub mod cli;
pub mod compile;
pub mod destinations;
pub mod doctor;
pub mod ledger;
pub mod new;
pub mod order;
pub mod pipeline;
pub mod progress;
pub mod project;
pub mod timings;
pub mod toolchain;

pub use composer_target::Target;

/// The runtime static archive (`libclef_runtime.a`) for `target`, linked into every
/// program: `_start`, syscalls, buffered output, `memcpy`/`memset`. An error says why
/// it is missing (the compiler was built without that target's runtime).
pub fn runtime_archive(target: Target) -> Result<&'static [u8], String> {
    composer_runtime::archive(target.name).ok_or_else(|| {
        let reason = composer_runtime::missing_archive_reason(target.name)
            .unwrap_or("no run-time library is built for it");
        format!(
            "this Composer was built without the run-time library for {target} ({reason}); run `./scripts/setup.sh`, then `cargo clean -p composer-runtime` and rebuild"
        )
    })
}
