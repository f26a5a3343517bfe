//! Raw Linux system calls. The only module that talks to the kernel, through
//! the architecture's `syscall3`/`syscall6` and system call numbers (`arch/`).
//! The flags, signal numbers and structures below are the generic Linux ones,
//! the same on x86_64 and aarch64.

pub use crate::arch::EpollEvent;
use crate::arch::{
    syscall3, syscall6, SIGNAL_RESTORER, SYS_ACCEPT4, SYS_BIND, SYS_CLOCK_GETTIME, SYS_CLOSE,
    SYS_CONNECT, SYS_EPOLL_CREATE1, SYS_EPOLL_CTL, SYS_EPOLL_PWAIT, SYS_EXIT_GROUP, SYS_FCNTL,
    SYS_GETSOCKNAME, SYS_GETSOCKOPT, SYS_LISTEN, SYS_MMAP, SYS_MUNMAP, SYS_OPENAT, SYS_PPOLL,
    SYS_PRLIMIT64, SYS_READ, SYS_RT_SIGACTION, SYS_SETSOCKOPT, SYS_SIGALTSTACK, SYS_SOCKET,
    SYS_WRITE,
};

const PROT_READ: usize = 1;
const PROT_WRITE: usize = 2;
const MAP_PRIVATE: usize = 0x02;
const MAP_ANONYMOUS: usize = 0x20;

/// Error numbers (asm-generic/errno-base.h and errno.h, the same on x86_64
/// and aarch64); system calls answer them negated.
pub const ENOENT: isize = 2;
pub const EINTR: isize = 4;
pub const EBADF: isize = 9;
pub const EEXIST: isize = 17;
pub const EINVAL: isize = 22;
pub const ENAMETOOLONG: isize = 36;
pub const EINPROGRESS: isize = 115;

/// Signal numbers (asm-generic/signal.h, as used on x86_64 and aarch64).
pub const SIGILL: i32 = 4;
/// Raised by aarch64's trap instruction (`brk`); x86_64's `ud2` raises SIGILL.
#[cfg_attr(not(target_arch = "aarch64"), allow(dead_code))]
pub const SIGTRAP: i32 = 5;
pub const SIGBUS: i32 = 7;
pub const SIGFPE: i32 = 8;
pub const SIGSEGV: i32 = 11;
pub const SIGPIPE: i32 = 13;

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

/// `ppoll` of one descriptor for input with a zero timeout: whether reading it
/// now would not block (data, end of input, or an error to report).
pub fn readable_now(fd: i32) -> bool {
    #[repr(C)]
    struct PollFd {
        fd: i32,
        events: i16,
        revents: i16,
    }
    let mut query = PollFd {
        fd,
        events: 1, // POLLIN
        revents: 0,
    };
    let zero = [0i64; 2]; // struct timespec { 0, 0 }
                          // SAFETY: `query` and `zero` are valid for the call; no signal mask.
    let ret = unsafe {
        syscall6(
            SYS_PPOLL,
            &mut query as *mut PollFd as usize,
            1,
            zero.as_ptr() as usize,
            0,
            0,
            0,
        )
    };
    ret > 0
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
    set_action(signal, &action);
}

/// `rt_sigaction(2)` with `action` for `signal` (the old action is not asked for;
/// errors are ignored).
fn set_action(signal: i32, action: &KernelSigaction) {
    // SAFETY: `action` is a valid kernel_sigaction; the mask size is 8 bytes.
    unsafe {
        syscall6(
            SYS_RT_SIGACTION,
            signal as usize,
            action as *const KernelSigaction as usize,
            0,
            core::mem::size_of::<u64>(),
            0,
            0,
        );
    }
}

/// `SIG_IGN` as a handler address.
const SIG_IGN: usize = 1;

/// `rt_sigaction(2)`: `signal` is ignored from now on. Errors are ignored (the
/// signal keeps its default action).
pub fn ignore_signal(signal: i32) {
    let action = KernelSigaction {
        handler: SIG_IGN,
        flags: 0,
        restorer: 0,
        mask: 0,
    };
    set_action(signal, &action);
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
    Delete = 2,
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

// ---------------------------------------------------------------- files and sockets

/// `openat` flags (asm-generic/fcntl.h; x86_64 and aarch64 agree on these).
pub const O_RDONLY: usize = 0;
pub const O_WRONLY: usize = 0o1;
pub const O_CREAT: usize = 0o100;
pub const O_TRUNC: usize = 0o1000;
pub const O_APPEND: usize = 0o2000;
pub const O_NONBLOCK: usize = 0o4000;
pub const O_CLOEXEC: usize = 0o2_000_000;
/// `openat`'s directory argument for "relative to the working directory".
const AT_FDCWD: isize = -100;
const F_GETFL: usize = 3;
const F_SETFL: usize = 4;

/// `openat(AT_FDCWD, path, flags, mode)`: the new descriptor, or a negated
/// errno. `path` must end with its NUL terminator (`-EINVAL` otherwise).
pub fn open(path: &[u8], flags: usize, mode: usize) -> isize {
    if path.last() != Some(&0) {
        return -EINVAL;
    }
    // SAFETY: `path` is a NUL-terminated string valid for reads.
    unsafe {
        syscall6(
            SYS_OPENAT,
            AT_FDCWD as usize,
            path.as_ptr() as usize,
            flags,
            mode,
            0,
            0,
        )
    }
}

/// `close(2)`: 0 or a negated errno. Not retried after `EINTR`: Linux has
/// released the descriptor by then.
pub fn close(fd: i32) -> isize {
    // SAFETY: takes only a descriptor.
    unsafe { syscall3(SYS_CLOSE, fd as usize, 0, 0) }
}

/// `fcntl(fd, F_SETFL, flags | O_NONBLOCK)` after `F_GETFL`: 0 or a negated
/// errno.
pub fn set_nonblocking(fd: i32) -> isize {
    // SAFETY: F_GETFL and F_SETFL take and answer plain integers.
    unsafe {
        let flags = syscall3(SYS_FCNTL, fd as usize, F_GETFL, 0);
        if flags < 0 {
            return flags;
        }
        syscall3(SYS_FCNTL, fd as usize, F_SETFL, flags as usize | O_NONBLOCK)
    }
}

const AF_INET: usize = 2;
const SOCK_STREAM: usize = 1;
/// `SOCK_NONBLOCK` is `O_NONBLOCK` and `SOCK_CLOEXEC` is `O_CLOEXEC`.
const SOCK_NONBLOCK: usize = O_NONBLOCK;
const SOCK_CLOEXEC: usize = O_CLOEXEC;
const SOL_SOCKET: usize = 1;
const SO_REUSEADDR: usize = 2;
const SO_ERROR: usize = 4;

/// `struct sockaddr_in`: an IPv4 address and port, both in network byte
/// order, padded to the 16 bytes of `struct sockaddr`.
#[repr(C)]
pub struct SocketAddressV4 {
    family: u16,
    port_big_endian: u16,
    address: [u8; 4],
    zero: [u8; 8],
}

impl SocketAddressV4 {
    pub fn new(address: [u8; 4], port: u16) -> SocketAddressV4 {
        SocketAddressV4 {
            family: AF_INET as u16,
            port_big_endian: port.to_be(),
            address,
            zero: [0; 8],
        }
    }
}

/// `socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)`: a TCP
/// socket, or a negated errno.
pub fn tcp_socket() -> isize {
    // SAFETY: takes only integers.
    unsafe {
        syscall3(
            SYS_SOCKET,
            AF_INET,
            SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
            0,
        )
    }
}

/// `setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1)`: 0 or a negated errno.
pub fn set_reuse_address(fd: i32) -> isize {
    let on: i32 = 1;
    // SAFETY: `on` is an int valid for reads of its size.
    unsafe {
        syscall6(
            SYS_SETSOCKOPT,
            fd as usize,
            SOL_SOCKET,
            SO_REUSEADDR,
            &on as *const i32 as usize,
            core::mem::size_of::<i32>(),
            0,
        )
    }
}

/// `bind(2)`: 0 or a negated errno.
pub fn bind(fd: i32, address: &SocketAddressV4) -> isize {
    // SAFETY: `address` is a valid sockaddr_in of the size passed.
    unsafe {
        syscall3(
            SYS_BIND,
            fd as usize,
            address as *const SocketAddressV4 as usize,
            core::mem::size_of::<SocketAddressV4>(),
        )
    }
}

/// `listen(2)`: 0 or a negated errno.
pub fn listen(fd: i32, backlog: i32) -> isize {
    // SAFETY: takes only integers.
    unsafe { syscall3(SYS_LISTEN, fd as usize, backlog as isize as usize, 0) }
}

/// `accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)`: the connection's
/// descriptor, or a negated errno (`-EAGAIN` when none is pending).
pub fn accept(fd: i32) -> isize {
    // SAFETY: null address and length pointers ask for no peer address.
    unsafe {
        syscall6(
            SYS_ACCEPT4,
            fd as usize,
            0,
            0,
            SOCK_NONBLOCK | SOCK_CLOEXEC,
            0,
            0,
        )
    }
}

/// `connect(2)`: 0 or a negated errno (`-EINPROGRESS` for a non-blocking
/// socket whose connection is under way).
pub fn connect(fd: i32, address: &SocketAddressV4) -> isize {
    // SAFETY: `address` is a valid sockaddr_in of the size passed.
    unsafe {
        syscall3(
            SYS_CONNECT,
            fd as usize,
            address as *const SocketAddressV4 as usize,
            core::mem::size_of::<SocketAddressV4>(),
        )
    }
}

/// `getsockopt(fd, SOL_SOCKET, SO_ERROR)`: the socket's pending error (a
/// positive errno, or 0; reading it clears it), or the negated errno of the
/// call itself.
pub fn socket_error(fd: i32) -> Result<i32, isize> {
    let mut error: i32 = 0;
    let mut size = core::mem::size_of::<i32>() as u32;
    // SAFETY: `error` and `size` are valid for writes; `size` holds the room.
    let ret = unsafe {
        syscall6(
            SYS_GETSOCKOPT,
            fd as usize,
            SOL_SOCKET,
            SO_ERROR,
            &mut error as *mut i32 as usize,
            &mut size as *mut u32 as usize,
            0,
        )
    };
    if ret < 0 {
        Err(ret)
    } else {
        Ok(error)
    }
}

/// `getsockname(fd)`: the port an IPv4 socket is bound to, or the negated errno.
pub fn local_port(fd: i32) -> Result<u16, isize> {
    let mut address = SocketAddressV4::new([0; 4], 0);
    let mut size = core::mem::size_of::<SocketAddressV4>() as u32;
    // SAFETY: `address` and `size` are valid for writes; `size` holds the room.
    let ret = unsafe {
        syscall3(
            SYS_GETSOCKNAME,
            fd as usize,
            &mut address as *mut SocketAddressV4 as usize,
            &mut size as *mut u32 as usize,
        )
    };
    if ret < 0 {
        Err(ret)
    } else {
        Ok(u16::from_be(address.port_big_endian))
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
