//! Everything in the runtime that depends on the processor, behind one
//! interface. Each architecture's file defines the same items, and the rest of
//! the runtime uses only these:
//!
//! * `_start` (a `global_asm!` block): the process entry. It passes the initial
//!   stack pointer (where the kernel put `argc`, then `argv`) to
//!   `start::clef_rt_start` on a 16-byte aligned stack and never returns.
//! * `SYS_READ`, `SYS_WRITE`, `SYS_MMAP`, `SYS_MUNMAP`, `SYS_RT_SIGACTION`,
//!   `SYS_SIGALTSTACK`, `SYS_PRLIMIT64`, `SYS_EXIT_GROUP`, `SYS_CLOCK_GETTIME`,
//!   `SYS_EPOLL_CREATE1`, `SYS_EPOLL_CTL`, `SYS_EPOLL_PWAIT`, `SYS_CLOSE`,
//!   `SYS_OPENAT`, `SYS_FCNTL`, `SYS_SOCKET`, `SYS_CONNECT`, `SYS_ACCEPT4`,
//!   `SYS_BIND`, `SYS_LISTEN`, `SYS_SETSOCKOPT`, `SYS_GETSOCKOPT`, `SYS_GETSOCKNAME`, `SYS_PPOLL`: the Linux
//!   system call numbers (x86_64 has its own table; aarch64 uses the generic
//!   one).
//! * `syscall3` and `syscall6`: the system call instruction and its register
//!   convention. Only `sys.rs` calls them.
//! * `SIGNAL_RESTORER`: the `sa_restorer` trampoline `rt_sigaction` needs, or
//!   `None` where the kernel supplies its own (`sys.rs` sets `SA_RESTORER` only
//!   with a trampoline).
//! * `UCONTEXT_SP_OFFSET`, `UCONTEXT_PC_OFFSET`: where the interrupted stack
//!   pointer and program counter lie in the `ucontext_t` a handler receives.
//! * `FAULT_SIGNALS`: the signals `fault.rs` turns into panics.
//! * `EpollEvent`: the kernel's `struct epoll_event`, packed on x86_64 only.
//! * `copy_forward`, `copy_backward`, `fill`: the loops behind `memcpy`,
//!   `memmove` and `memset`, written so that LLVM cannot turn them back into
//!   calls of those functions (`mem.rs`).
//!
//! What is the same on every Linux architecture stays where it was: the
//! signal numbers, flags and kernel structures in `sys.rs` (the generic
//! `asm-generic` values, which x86_64 shares for everything the runtime uses),
//! the fault classification in `fault.rs`, and `memcmp` in `mem.rs`.
//!
//! Under `cargo test` only the copy and fill loops are used (by `mem.rs`'s
//! tests, on the host's architecture); the entry and trampolines are left out.

#![cfg_attr(test, allow(dead_code))]

#[cfg(target_arch = "x86_64")]
mod x86_64;
#[cfg(target_arch = "x86_64")]
pub use x86_64::*;

#[cfg(target_arch = "aarch64")]
mod aarch64;
#[cfg(target_arch = "aarch64")]
pub use aarch64::*;

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
compile_error!(
    "the Clef runtime supports x86_64 and aarch64 Linux only (see docs/recipes/adding-a-target.md)"
);
