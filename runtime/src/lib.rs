//! `clef_runtime`: the run-time support library of freestanding Clef programs
//! on x86_64 and aarch64 Linux. No libc: system calls only, memory from `mmap`.
//!
//! What it provides (every exported name is `extern "C"`, see `abi.rs` for the
//! list the compiler calls and README.md for the ABI table):
//!
//! * `arch/`      — what depends on the processor, one file per architecture
//!   with one interface: `_start`, the system call instruction and numbers,
//!   signal-frame details, the copy and fill loops (see `arch/mod.rs`).
//! * `start.rs`   — `clef_rt_start` (called by `_start`): reads argc/argv,
//!   calls the program's `clef_main`, flushes stdout and exits with its status.
//! * `fault.rs`   — SIGSEGV/SIGBUS/SIGFPE/SIGILL as panics (stack overflow).
//! * `region.rs`  — the root region: bump allocation in `mmap`'d chunks.
//! * `region_layout.rs` — the region offsets generated code uses (shared with
//!   `composer-alex`, asserted in `region.rs`).
//! * `io.rs`      — buffered stdout, direct stderr, buffered line reading.
//! * `abi.rs`     — strings, conversions, parsing, the `printf` builder, panics.
//! * `executor.rs` — the single-threaded async event loop (tasks, ready queue,
//!   timers, epoll, cancellation) behind the `clef_rt_async_*` and
//!   `clef_rt_cts_*` functions.
//! * `descriptors.rs` — non-blocking files and IPv4 TCP sockets by descriptor
//!   (`clef_rt_tcp_*`, `clef_rt_fd_*`, `clef_rt_file_open`).
//! * `mem.rs`     — `memcpy memmove memset memcmp bcmp` (LLVM emits calls).
//! * `math.rs`    — the C math names LLVM lowers intrinsics and `frem` to.
//! * `pure/`      — formatting and parsing logic without `unsafe` or I/O,
//!   compiled into host tests too (see `pure/mod.rs`).
//!
//! Architecture invariant: only `sys.rs` issues system calls (through `arch/`;
//! x86_64's signal-return trampoline is the one other `syscall`), and the runtime
//! is single-threaded (its globals are `Global` cells without locking); a later
//! multi-threaded runtime must revisit `region.rs`, `io.rs` and the builder.
//!
//! Under `cargo test` the crate is an ordinary `std` library containing only the
//! pure modules and the tests of `mem.rs`.

#![cfg_attr(not(test), no_std)]

pub mod pure;

#[cfg(not(test))]
mod abi;
mod arch;
#[cfg(not(test))]
mod descriptors;
#[cfg(not(test))]
mod executor;
#[cfg(not(test))]
mod fault;
#[cfg(not(test))]
mod global;
#[cfg(not(test))]
mod io;
#[cfg(not(test))]
mod math;
mod mem;
#[cfg(not(test))]
mod region;
#[cfg(not(test))]
mod region_layout;
#[cfg(not(test))]
mod start;
#[cfg(not(test))]
mod sys;

/// A string as the compiler lays it out: UTF-8 bytes, not NUL-terminated.
/// Returned by value (two registers) from the `clef_rt_*` functions.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Str {
    pub ptr: *const u8,
    pub len: i64,
}

#[cfg(not(test))]
#[panic_handler]
fn on_rust_panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    // A Rust panic inside the runtime is a runtime bug, never the program's
    // fault; the message stays generic so no formatting code is linked in.
    io::fatal(b"internal runtime error")
}

/// Never called: the runtime is built with `panic = "abort"` and nothing in a
/// Clef program unwinds. Debian's precompiled `compiler_builtins` for aarch64
/// (what `crates/runtime/build.rs` uses when rustup lacks the target) is built
/// for unwinding, and the unwind tables of its functions name this routine, so
/// the linker needs the symbol to exist.
#[cfg(all(not(test), target_arch = "aarch64"))]
#[no_mangle]
pub extern "C" fn rust_eh_personality() {}
