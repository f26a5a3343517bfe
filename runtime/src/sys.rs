//! Raw Linux x86_64 system calls. The only module that talks to the kernel.

use core::arch::asm;

const SYS_READ: usize = 0;
const SYS_WRITE: usize = 1;
const SYS_MMAP: usize = 9;
const SYS_MUNMAP: usize = 11;
const SYS_EXIT_GROUP: usize = 231;

const PROT_READ: usize = 1;
const PROT_WRITE: usize = 2;
const MAP_PRIVATE: usize = 0x02;
const MAP_ANONYMOUS: usize = 0x20;

pub const EINTR: isize = 4;

/// # Safety
/// The arguments must be valid for system call `number`.
#[inline(always)]
unsafe fn syscall3(number: usize, a1: usize, a2: usize, a3: usize) -> isize {
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
unsafe fn syscall6(
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

/// `exit_group(2)`: ends every thread of the process.
pub fn exit_group(code: i32) -> ! {
    loop {
        // SAFETY: exit_group takes a status and does not return.
        unsafe {
            syscall3(SYS_EXIT_GROUP, code as usize, 0, 0);
        }
    }
}
