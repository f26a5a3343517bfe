//! Raw Linux system calls. The only module that talks to the kernel, through
//! the architecture's `syscall3`/`syscall6` and system call numbers (`arch/`).
//! The flags, signal numbers and structures below are the generic Linux ones,
//! the same on x86_64 and aarch64.

pub use crate::arch::EpollEvent;
use crate::arch::{
    syscall3, syscall6, SIGNAL_RESTORER, SYS_CLOCK_GETTIME, SYS_EPOLL_CREATE1, SYS_EPOLL_CTL,
    SYS_EPOLL_PWAIT, SYS_EXIT_GROUP, SYS_MMAP, SYS_MUNMAP, SYS_PRLIMIT64, SYS_READ,
    SYS_RT_SIGACTION, SYS_SIGALTSTACK, SYS_WRITE,
};

const PROT_READ: usize = 1;
const PROT_WRITE: usize = 2;
const MAP_PRIVATE: usize = 0x02;
const MAP_ANONYMOUS: usize = 0x20;

pub const EINTR: isize = 4;
pub const ENOENT: isize = 2;
pub const EEXIST: isize = 17;

/// Signal numbers (asm-generic/signal.h, as used on x86_64 and aarch64).
pub const SIGILL: i32 = 4;
/// Raised by aarch64's trap instruction (`brk`); x86_64's `ud2` raises SIGILL.
#[cfg_attr(not(target_arch = "aarch64"), allow(dead_code))]
pub const SIGTRAP: i32 = 5;
pub const SIGBUS: i32 = 7;
pub const SIGFPE: i32 = 8;
pub const SIGSEGV: i32 = 11;

/// `si_code` values of SIGFPE (asm-generic/siginfo.h).
pub const FPE_INTDIV: i32 = 1;
pub const FPE_INTOVF: i32 = 2;

const SA_SIGINFO: u64 = 0x0000_0004;
const SA_ONSTACK: u64 = 0x0800_0000;
const SA_RESTORER: u64 = 0x0400_0000;
/// Restore the default action once the handler runs: a second fault (in the
/// handler itself) kills the process instead of looping.
const SA_RESETHAND: u64 = 0x8000_0000;

const RLIMIT_STACK: usize = 3;
/// `RLIM_INFINITY`: no limit.
pub const RLIM_INFINITY: u64 = u64::MAX;

/// The `struct sigaction` that `rt_sigaction` reads on x86_64 and aarch64
/// (both define `SA_RESTORER`): handler, flags, restorer, then a 64-bit mask
/// (not libc's, whose 128-byte mask comes second).
#[repr(C)]
struct KernelSigaction {
    handler: usize,
    flags: u64,
    restorer: usize,
    mask: u64,
}

/// `stack_t` for `sigaltstack(2)`.
#[repr(C)]
struct SignalStack {
    sp: *mut u8,
    flags: i32,
    size: usize,
}

/// `struct rlimit`.
#[repr(C)]
struct Rlimit {
    soft: u64,
    hard: u64,
}

/// The start of the kernel's `siginfo_t` for the fault signals: `si_addr` is at
/// offset 16 for SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGTRAP.
#[repr(C)]
pub struct SigInfo {
    pub signo: i32,
    pub errno: i32,
    pub code: i32,
    _pad: i32,
    pub addr: usize,
}

/// The handler type of an `SA_SIGINFO` action.
pub type FaultHandler = unsafe extern "C" fn(i32, *mut SigInfo, *mut u8);

/// `write(2)`: bytes written, or a negated errno.
pub fn write(fd: i32, bytes: &[u8]) -> isize {
    // SAFETY: the slice is valid for reads of its length.
    unsafe { syscall3(SYS_WRITE, fd as usize, bytes.as_ptr() as usize, bytes.len()) }
}

/// `read(2)`: bytes read (0 at end of input), or a negated errno.
pub fn read(fd: i32, buf: &mut [u8]) -> isize {
    // SAFETY: the slice is valid for writes of its length.
    unsafe { syscall3(SYS_READ, fd as usize, buf.as_mut_ptr() as usize, buf.len()) }
}

/// Fresh zeroed, readable and writable pages; `None` if the kernel refuses.
pub fn map_anonymous(len: usize) -> Option<*mut u8> {
    // SAFETY: an anonymous private mapping at an address the kernel chooses
    // cannot alias any existing memory.
    let ret = unsafe {
        syscall6(
            SYS_MMAP,
            0,
            len,
            PROT_READ | PROT_WRITE,
            MAP_PRIVATE | MAP_ANONYMOUS,
            usize::MAX,
            0,
        )
    };
    if (-4095..0).contains(&ret) {
        None
    } else {
        Some(ret as *mut u8)
    }
}

/// `munmap(2)`: returns pages obtained from `map_anonymous`.
///
/// # Safety
/// `[addr, addr + len)` must be a whole mapping made by `map_anonymous` that
/// nothing uses any more.
pub unsafe fn unmap(addr: *mut u8, len: usize) {
    // SAFETY: the caller's contract.
    unsafe {
        syscall3(SYS_MUNMAP, addr as usize, len, 0);
    }
}

/// `rt_sigaction(2)`: runs `handler` on the alternate signal stack when
/// `signal` arrives, with the signal blocked while it runs and the default action
/// restored first. Errors are ignored: the program then dies as it would have.
pub fn set_fault_handler(signal: i32, handler: FaultHandler) {
    let (restorer_flag, restorer) = match SIGNAL_RESTORER {
        Some(trampoline) => (SA_RESTORER, trampoline as *const () as usize),
        None => (0, 0),
    };
    let action = KernelSigaction {
        handler: handler as *const () as usize,
        flags: SA_SIGINFO | SA_ONSTACK | restorer_flag | SA_RESETHAND,
        restorer,
        mask: 0,
    };
    // SAFETY: `action` is a valid kernel_sigaction; the mask size is 8 bytes.
    unsafe {
        syscall6(
            SYS_RT_SIGACTION,
            signal as usize,
            &action as *const KernelSigaction as usize,
            0,
            core::mem::size_of::<u64>(),
            0,
            0,
        );
    }
}

/// `sigaltstack(2)`: handlers with `SA_ONSTACK` run on `[stack, stack + len)`.
///
/// # Safety
/// The memory must stay valid and unused by anything else for the rest of the
/// process.
pub unsafe fn set_signal_stack(stack: *mut u8, len: usize) {
    let alt = SignalStack {
        sp: stack,
        flags: 0,
        size: len,
    };
    // SAFETY: `alt` is a valid stack_t; the caller guarantees the memory.
    unsafe {
        syscall3(SYS_SIGALTSTACK, &alt as *const SignalStack as usize, 0, 0);
    }
}

/// The soft `RLIMIT_STACK` in bytes (`RLIM_INFINITY` when unlimited or unknown).
pub fn stack_limit() -> u64 {
    let mut limit = Rlimit {
        soft: RLIM_INFINITY,
        hard: RLIM_INFINITY,
    };
    // SAFETY: prlimit64(0 = this process, RLIMIT_STACK, no new limit, &old).
    let ret = unsafe {
        syscall6(
            SYS_PRLIMIT64,
            0,
            RLIMIT_STACK,
            0,
            &mut limit as *mut Rlimit as usize,
            0,
            0,
        )
    };
    if ret < 0 {
        RLIM_INFINITY
    } else {
        limit.soft
    }
}

const CLOCK_MONOTONIC: usize = 1;

/// `struct timespec`.
#[repr(C)]
struct Timespec {
    seconds: i64,
    nanoseconds: i64,
}

/// `clock_gettime(CLOCK_MONOTONIC)` in nanoseconds (a system call each time:
/// the runtime does not look for the vDSO).
pub fn monotonic_nanos() -> i64 {
    let mut now = Timespec {
        seconds: 0,
        nanoseconds: 0,
    };
    // SAFETY: `now` is a valid timespec to write; CLOCK_MONOTONIC always exists,
    // so the call cannot fail.
    unsafe {
        syscall3(
            SYS_CLOCK_GETTIME,
            CLOCK_MONOTONIC,
            &mut now as *mut Timespec as usize,
            0,
        );
    }
    now.seconds
        .wrapping_mul(1_000_000_000)
        .wrapping_add(now.nanoseconds)
}

/// `epoll_event.events` bits (`uapi/linux/eventpoll.h`, the same everywhere).
pub const EPOLLIN: u32 = 0x001;
pub const EPOLLOUT: u32 = 0x004;
pub const EPOLLERR: u32 = 0x008;
pub const EPOLLHUP: u32 = 0x010;
/// Disarm the registration after one event until the next `EPOLL_CTL_MOD`.
pub const EPOLLONESHOT: u32 = 1 << 30;
const EPOLL_CLOEXEC: usize = 0o2_000_000;

/// `epoll_ctl` operations.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum EpollOp {
    Add = 1,
    Modify = 3,
}

impl EpollEvent {
    pub const EMPTY: EpollEvent = EpollEvent { events: 0, data: 0 };

    /// The ready events (a copy: the struct is packed on x86_64).
    pub fn ready(&self) -> u32 {
        self.events
    }

    /// The user data given with the registration.
    pub fn user_data(&self) -> u64 {
        self.data
    }
}

/// `epoll_create1(EPOLL_CLOEXEC)`: the new descriptor, or a negated errno.
pub fn epoll_create() -> isize {
    // SAFETY: takes only flags.
    unsafe { syscall3(SYS_EPOLL_CREATE1, EPOLL_CLOEXEC, 0, 0) }
}

/// `epoll_ctl(2)`: registers or changes the interest of `epoll` in `fd`;
/// 0 or a negated errno.
pub fn epoll_ctl(epoll: i32, op: EpollOp, fd: i32, events: u32, data: u64) -> isize {
    let event = EpollEvent { events, data };
    // SAFETY: `event` is a valid epoll_event for the kernel to read.
    unsafe {
        syscall6(
            SYS_EPOLL_CTL,
            epoll as usize,
            op as usize,
            fd as usize,
            &event as *const EpollEvent as usize,
            0,
            0,
        )
    }
}

/// `epoll_pwait(2)` without a signal mask: waits at most `timeout_ms`
/// milliseconds (-1: without limit) and fills the start of `events`; answers how
/// many, or a negated errno (`EINTR` included: the caller retries).
pub fn epoll_wait(epoll: i32, events: &mut [EpollEvent], timeout_ms: i32) -> isize {
    let capacity = events.len().min(i32::MAX as usize);
    // SAFETY: `events` is valid for writes of `capacity` entries; a null signal
    // mask leaves the mask alone (the size is that of the kernel's sigset_t).
    unsafe {
        syscall6(
            SYS_EPOLL_PWAIT,
            epoll as usize,
            events.as_mut_ptr() as usize,
            capacity,
            timeout_ms as isize as usize,
            0,
            core::mem::size_of::<u64>(),
        )
    }
}

/// `exit_group(2)`: ends every thread of the process.
pub fn exit_group(code: i32) -> ! {
    loop {
        // SAFETY: exit_group takes a status and does not return.
        unsafe {
            syscall3(SYS_EXIT_GROUP, code as usize, 0, 0);
        }
    }
}
