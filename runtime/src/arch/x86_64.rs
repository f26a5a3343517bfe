//! x86_64 Linux: the entry, the `syscall` instruction and its numbers, the
//! signal return trampoline, the `ucontext_t` offsets and `rep movsb` /
//! `rep stosb`. The interface is described in `arch/mod.rs`.

use core::arch::asm;

// ---------------------------------------------------------------- entry

// The kernel starts `_start` with the stack pointer at `argc`, followed by the
// `argv` pointers, a null, the environment and the auxiliary vector (System V
// x86_64 ABI §3.4.1). Clear the frame pointer (outermost frame), pass the
// initial stack pointer, and align the stack to 16 bytes before the call, as
// the ABI requires.
#[cfg(not(test))]
core::arch::global_asm!(
    ".globl _start",
    ".type _start,@function",
    "_start:",
    "xor ebp, ebp",
    "mov rdi, rsp",
    "and rsp, -16",
    "call {start}",
    "ud2",
    start = sym crate::start::clef_rt_start,
);

// ---------------------------------------------------------------- system calls

/// x86_64's own system call table (`arch/x86/entry/syscalls/syscall_64.tbl`).
pub const SYS_READ: usize = 0;
pub const SYS_PPOLL: usize = 271;
pub const SYS_WRITE: usize = 1;
pub const SYS_MMAP: usize = 9;
pub const SYS_MUNMAP: usize = 11;
pub const SYS_RT_SIGACTION: usize = 13;
pub const SYS_SIGALTSTACK: usize = 131;
pub const SYS_PRLIMIT64: usize = 302;
pub const SYS_EXIT_GROUP: usize = 231;
pub const SYS_CLOCK_GETTIME: usize = 228;
pub const SYS_EPOLL_CREATE1: usize = 291;
pub const SYS_EPOLL_CTL: usize = 233;
pub const SYS_EPOLL_PWAIT: usize = 281;
pub const SYS_CLOSE: usize = 3;
pub const SYS_OPENAT: usize = 257;
pub const SYS_FCNTL: usize = 72;
pub const SYS_SOCKET: usize = 41;
pub const SYS_CONNECT: usize = 42;
pub const SYS_ACCEPT4: usize = 288;
pub const SYS_BIND: usize = 49;
pub const SYS_LISTEN: usize = 50;
pub const SYS_SETSOCKOPT: usize = 54;
pub const SYS_GETSOCKOPT: usize = 55;
pub const SYS_GETSOCKNAME: usize = 51;

/// # Safety
/// The arguments must be valid for system call `number`.
#[inline(always)]
pub unsafe fn syscall3(number: usize, a1: usize, a2: usize, a3: usize) -> isize {
    let ret: isize;
    // SAFETY: the kernel ABI: number in rax, arguments in rdi rsi rdx; the
    // instruction clobbers rcx and r11 and touches no stack.
    unsafe {
        asm!("syscall",
            inlateout("rax") number as isize => ret,
            in("rdi") a1, in("rsi") a2, in("rdx") a3,
            lateout("rcx") _, lateout("r11") _,
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
    // SAFETY: as `syscall3`, with the fourth to sixth arguments in r10 r8 r9.
    unsafe {
        asm!("syscall",
            inlateout("rax") number as isize => ret,
            in("rdi") a1, in("rsi") a2, in("rdx") a3, in("r10") a4, in("r8") a5, in("r9") a6,
            lateout("rcx") _, lateout("r11") _,
            options(nostack));
    }
    ret
}

// ---------------------------------------------------------------- signals

// x86_64 Linux returns from a handler through `sa_restorer`, which must call
// `rt_sigreturn` (15); the kernel requires `SA_RESTORER` on this architecture
// (libc supplies the same two instructions as `__restore_rt`). Our handlers
// never return, but the frame must still be well formed.
#[cfg(not(test))]
core::arch::global_asm!(
    ".globl clef_rt_sigreturn",
    ".type clef_rt_sigreturn,@function",
    "clef_rt_sigreturn:",
    "mov eax, 15",
    "syscall",
    "ud2",
);

#[cfg(not(test))]
extern "C" {
    fn clef_rt_sigreturn();
}

/// The `sa_restorer` of every handler: `clef_rt_sigreturn` above.
#[cfg(not(test))]
pub const SIGNAL_RESTORER: Option<unsafe extern "C" fn()> = Some(clef_rt_sigreturn);

/// Offsets into the `ucontext_t` the kernel passes to an `SA_SIGINFO` handler:
/// `uc_mcontext` starts at 40 (after `uc_flags`, `uc_link` and the 24-byte
/// `uc_stack`), and `gregs[REG_RSP]`/`gregs[REG_RIP]` are entries 15 and 16.
pub const UCONTEXT_SP_OFFSET: usize = 40 + 15 * 8;
pub const UCONTEXT_PC_OFFSET: usize = 40 + 16 * 8;

/// SIGSEGV, SIGBUS, SIGFPE and SIGILL (`ud2`, what LLVM emits for a trap).
#[cfg(not(test))]
pub const FAULT_SIGNALS: &[i32] = &[
    crate::sys::SIGSEGV,
    crate::sys::SIGBUS,
    crate::sys::SIGFPE,
    crate::sys::SIGILL,
];

// ---------------------------------------------------------------- epoll

/// `struct epoll_event`: x86_64 is the one architecture where the kernel packs
/// it (`__EPOLL_PACKED`), 12 bytes with `data` at offset 4.
#[repr(C, packed)]
#[derive(Clone, Copy)]
pub struct EpollEvent {
    pub events: u32,
    pub data: u64,
}

// ---------------------------------------------------------------- memory

// The copies and fills are single `rep movsb` / `rep stosb` instructions (fast
// on every x86_64 since Ivy Bridge, "ERMSB"), which LLVM cannot turn back into
// calls of `memcpy` or `memset`.

/// Copies `count` bytes upwards.
///
/// # Safety
/// `src` must be valid for reads and `dst` for writes of `count` bytes; if
/// they overlap, `dst` must not lie inside `(src, src + count)`.
#[inline(always)]
pub unsafe fn copy_forward(dst: *mut u8, src: *const u8, count: usize) {
    // SAFETY: rep movsb copies rcx bytes from [rsi] to [rdi] with the
    // direction flag clear (the ABI guarantees it at function boundaries).
    unsafe {
        asm!("rep movsb",
            inout("rcx") count => _, inout("rdi") dst => _, inout("rsi") src => _,
            options(nostack, preserves_flags));
    }
}

/// Copies `count` bytes downwards, for overlapping moves to higher addresses.
///
/// # Safety
/// As [`copy_forward`], for any overlap.
#[inline(always)]
pub unsafe fn copy_backward(dst: *mut u8, src: *const u8, count: usize) {
    if count == 0 {
        return;
    }
    // SAFETY: with the direction flag set, rep movsb copies from the last byte
    // down; the flag is cleared again before the block ends, as the ABI needs.
    unsafe {
        asm!("std", "rep movsb", "cld",
            inout("rcx") count => _,
            inout("rdi") dst.add(count - 1) => _,
            inout("rsi") src.add(count - 1) => _,
            options(nostack));
    }
}

/// Sets `count` bytes to `byte`.
///
/// # Safety
/// `dst` must be valid for writes of `count` bytes.
#[inline(always)]
pub unsafe fn fill(dst: *mut u8, byte: u8, count: usize) {
    // SAFETY: rep stosb stores al into rcx bytes at [rdi].
    unsafe {
        asm!("rep stosb",
            inout("rcx") count => _, inout("rdi") dst => _, in("al") byte,
            options(nostack, preserves_flags));
    }
}
