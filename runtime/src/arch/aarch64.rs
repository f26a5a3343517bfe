//! aarch64 Linux: the entry, the `svc 0` convention with the generic system
//! call numbers, the `ucontext_t` offsets and the copy and fill loops. The
//! interface is described in `arch/mod.rs`.

use core::arch::asm;

// ---------------------------------------------------------------- entry

// The kernel starts `_start` with `sp` at `argc`, followed by the `argv`
// pointers, a null, the environment and the auxiliary vector, as on x86_64.
// Clear the frame pointer and the link register (outermost frame: a stack walk
// stops here), pass the initial stack pointer, align `sp` to 16 bytes (AAPCS64
// requires it; the kernel already does) and call. `clef_rt_start` never
// returns; `udf` traps if it somehow did.
#[cfg(not(test))]
core::arch::global_asm!(
    ".globl _start",
    ".type _start,%function",
    "_start:",
    "mov x29, xzr",
    "mov x30, xzr",
    "mov x0, sp",
    "and sp, x0, #0xfffffffffffffff0",
    "bl {start}",
    "udf #0",
    start = sym crate::start::clef_rt_start,
);

// ---------------------------------------------------------------- system calls

/// The generic table (`include/uapi/asm-generic/unistd.h`), which aarch64 uses.
/// It has no `open`, `fork` or `mmap2`; the runtime uses `openat` for the
/// first and needs neither of the others.
pub const SYS_READ: usize = 63;
pub const SYS_PPOLL: usize = 73;
pub const SYS_WRITE: usize = 64;
pub const SYS_MMAP: usize = 222;
pub const SYS_MUNMAP: usize = 215;
pub const SYS_RT_SIGACTION: usize = 134;
pub const SYS_SIGALTSTACK: usize = 132;
pub const SYS_PRLIMIT64: usize = 261;
pub const SYS_EXIT_GROUP: usize = 94;
pub const SYS_CLOCK_GETTIME: usize = 113;
pub const SYS_EPOLL_CREATE1: usize = 20;
pub const SYS_EPOLL_CTL: usize = 21;
/// The generic table has no `epoll_wait`, only `epoll_pwait` (which the runtime
/// uses on x86_64 too, with no signal mask).
pub const SYS_EPOLL_PWAIT: usize = 22;
pub const SYS_CLOSE: usize = 57;
/// The generic table has no `open`: `openat(AT_FDCWD, ...)` everywhere.
pub const SYS_OPENAT: usize = 56;
pub const SYS_FCNTL: usize = 25;
pub const SYS_SOCKET: usize = 198;
pub const SYS_CONNECT: usize = 203;
pub const SYS_ACCEPT4: usize = 242;
pub const SYS_BIND: usize = 200;
pub const SYS_LISTEN: usize = 201;
pub const SYS_SETSOCKOPT: usize = 208;
pub const SYS_GETSOCKOPT: usize = 209;
pub const SYS_GETSOCKNAME: usize = 204;

/// # Safety
/// The arguments must be valid for system call `number`.
#[inline(always)]
pub unsafe fn syscall3(number: usize, a1: usize, a2: usize, a3: usize) -> isize {
    let ret: isize;
    // SAFETY: the kernel ABI: number in x8, arguments in x0 x1 x2, result in
    // x0; `svc 0` preserves every other register and touches no stack.
    unsafe {
        asm!("svc 0",
            in("x8") number,
            inlateout("x0") a1 as isize => ret,
            in("x1") a2, in("x2") a3,
            options(nostack));
    }
    ret
}

/// # Safety
/// The arguments must be valid for system call `number`.
#[inline(always)]
pub unsafe fn syscall6(
    number: usize,
    a1: usize,
    a2: usize,
    a3: usize,
    a4: usize,
    a5: usize,
    a6: usize,
) -> isize {
    let ret: isize;
    // SAFETY: as `syscall3`, with the fourth to sixth arguments in x3 x4 x5.
    unsafe {
        asm!("svc 0",
            in("x8") number,
            inlateout("x0") a1 as isize => ret,
            in("x1") a2, in("x2") a3, in("x3") a4, in("x4") a5, in("x5") a6,
            options(nostack));
    }
    ret
}

// ---------------------------------------------------------------- signals

/// No trampoline: without `SA_RESTORER` the kernel returns from a handler
/// through the `rt_sigreturn` trampoline of its vDSO (what glibc relies on too;
/// qemu-user provides its own). Our handlers never return anyway.
#[cfg(not(test))]
pub const SIGNAL_RESTORER: Option<unsafe extern "C" fn()> = None;

/// Offsets into the `ucontext_t` the kernel passes to an `SA_SIGINFO` handler
/// (`arch/arm64/include/uapi/asm/ucontext.h`): `uc_flags`, `uc_link`, the
/// 24-byte `uc_stack` and the 8-byte `uc_sigmask` padded to glibc's 128 bytes
/// end at 168, and `uc_mcontext` (a `struct sigcontext`, 16-byte aligned)
/// starts at 176 with `fault_address`, then `regs[31]`, `sp` and `pc`.
pub const UCONTEXT_SP_OFFSET: usize = 176 + 8 + 31 * 8;
pub const UCONTEXT_PC_OFFSET: usize = UCONTEXT_SP_OFFSET + 8;

/// SIGSEGV, SIGBUS, SIGFPE, SIGILL, and SIGTRAP: LLVM's trap on aarch64 is
/// `brk #1`, which raises SIGTRAP where x86_64's `ud2` raises SIGILL.
#[cfg(not(test))]
pub const FAULT_SIGNALS: &[i32] = &[
    crate::sys::SIGSEGV,
    crate::sys::SIGBUS,
    crate::sys::SIGFPE,
    crate::sys::SIGILL,
    crate::sys::SIGTRAP,
];

// ---------------------------------------------------------------- epoll

/// `struct epoll_event` with its natural layout: 16 bytes, `data` at offset 8
/// (only x86_64 packs it).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct EpollEvent {
    pub events: u32,
    pub data: u64,
}

// ---------------------------------------------------------------- memory

// aarch64 has no string instructions, so the copies and fills are loops: 32
// bytes per iteration with load/store pairs, then 8-byte words, then single
// bytes. Unaligned accesses are fine on Linux (normal memory, SCTLR_EL1.A
// clear). The loops are inline assembly because LLVM's loop-idiom pass would
// turn the same loops written in Rust back into calls of `memcpy` or `memset`,
// which are these functions (infinite recursion).
//
// Overlap: every step loads its whole block before storing it, so a forward
// copy never overwrites source bytes it has yet to read when `dst` lies below
// `src`, and a backward copy never does when `dst` lies above.

/// Copies `count` bytes upwards.
///
/// # Safety
/// `src` must be valid for reads and `dst` for writes of `count` bytes; if
/// they overlap, `dst` must not lie inside `(src, src + count)`.
#[inline(always)]
pub unsafe fn copy_forward(dst: *mut u8, src: *const u8, count: usize) {
    // SAFETY: reads stay in [src, src + count) and writes in [dst, dst +
    // count); the registers named as outputs are the only ones changed.
    unsafe {
        asm!(
            "cmp {count}, #32",
            "b.lo 3f",
            "2:",
            "ldp {a}, {b}, [{src}]",
            "ldp {c}, {d}, [{src}, #16]",
            "add {src}, {src}, #32",
            "stp {a}, {b}, [{dst}]",
            "stp {c}, {d}, [{dst}, #16]",
            "add {dst}, {dst}, #32",
            "sub {count}, {count}, #32",
            "cmp {count}, #32",
            "b.hs 2b",
            "3:",
            "cmp {count}, #8",
            "b.lo 5f",
            "4:",
            "ldr {a}, [{src}], #8",
            "str {a}, [{dst}], #8",
            "sub {count}, {count}, #8",
            "cmp {count}, #8",
            "b.hs 4b",
            "5:",
            "cbz {count}, 7f",
            "6:",
            "ldrb {a:w}, [{src}], #1",
            "strb {a:w}, [{dst}], #1",
            "subs {count}, {count}, #1",
            "b.ne 6b",
            "7:",
            count = inout(reg) count => _,
            dst = inout(reg) dst => _,
            src = inout(reg) src => _,
            a = out(reg) _,
            b = out(reg) _,
            c = out(reg) _,
            d = out(reg) _,
            options(nostack),
        );
    }
}

/// Copies `count` bytes downwards, for overlapping moves to higher addresses.
///
/// # Safety
/// As [`copy_forward`], for any overlap.
#[inline(always)]
pub unsafe fn copy_backward(dst: *mut u8, src: *const u8, count: usize) {
    // SAFETY: as `copy_forward`, walking down from the ends of both ranges.
    unsafe {
        asm!(
            "add {src}, {src}, {count}",
            "add {dst}, {dst}, {count}",
            "cmp {count}, #32",
            "b.lo 3f",
            "2:",
            "ldp {a}, {b}, [{src}, #-16]",
            "ldp {c}, {d}, [{src}, #-32]!",
            "stp {a}, {b}, [{dst}, #-16]",
            "stp {c}, {d}, [{dst}, #-32]!",
            "sub {count}, {count}, #32",
            "cmp {count}, #32",
            "b.hs 2b",
            "3:",
            "cmp {count}, #8",
            "b.lo 5f",
            "4:",
            "ldr {a}, [{src}, #-8]!",
            "str {a}, [{dst}, #-8]!",
            "sub {count}, {count}, #8",
            "cmp {count}, #8",
            "b.hs 4b",
            "5:",
            "cbz {count}, 7f",
            "6:",
            "ldrb {a:w}, [{src}, #-1]!",
            "strb {a:w}, [{dst}, #-1]!",
            "subs {count}, {count}, #1",
            "b.ne 6b",
            "7:",
            count = inout(reg) count => _,
            dst = inout(reg) dst => _,
            src = inout(reg) src => _,
            a = out(reg) _,
            b = out(reg) _,
            c = out(reg) _,
            d = out(reg) _,
            options(nostack),
        );
    }
}

/// Sets `count` bytes to `byte`.
///
/// # Safety
/// `dst` must be valid for writes of `count` bytes.
#[inline(always)]
pub unsafe fn fill(dst: *mut u8, byte: u8, count: usize) {
    let word = u64::from(byte) * 0x0101_0101_0101_0101;
    // SAFETY: writes stay in [dst, dst + count).
    unsafe {
        asm!(
            "cmp {count}, #32",
            "b.lo 3f",
            "2:",
            "stp {word}, {word}, [{dst}]",
            "stp {word}, {word}, [{dst}, #16]",
            "add {dst}, {dst}, #32",
            "sub {count}, {count}, #32",
            "cmp {count}, #32",
            "b.hs 2b",
            "3:",
            "cmp {count}, #8",
            "b.lo 5f",
            "4:",
            "str {word}, [{dst}], #8",
            "sub {count}, {count}, #8",
            "cmp {count}, #8",
            "b.hs 4b",
            "5:",
            "cbz {count}, 7f",
            "6:",
            "strb {word:w}, [{dst}], #1",
            "subs {count}, {count}, #1",
            "b.ne 6b",
            "7:",
            count = inout(reg) count => _,
            dst = inout(reg) dst => _,
            word = in(reg) word,
            options(nostack),
        );
    }
}
