//! Process entry, after the architecture's `_start` (`arch/`): the kernel
//! starts `_start` with the stack pointer at `argc`, followed by the `argv`
//! pointers, a null, the environment and the auxiliary vector (System V x86_64
//! ABI §3.4.1; the same on aarch64 Linux), and `_start` passes that stack
//! pointer here.

use crate::{io, region, Str};

extern "C" {
    /// The compiled program: F#'s `main argv`, returning the exit status.
    fn clef_main(args_ptr: *const Str, args_len: i64) -> i32;
}

/// Length of a NUL-terminated string. Volatile reads keep LLVM from turning
/// the loop into a call to `strlen`, which does not exist here.
///
/// # Safety
/// `text` must point to a NUL-terminated string.
unsafe fn c_string_len(text: *const u8) -> usize {
    let mut len = 0;
    // SAFETY: the string is terminated, so every byte up to the NUL is readable.
    while unsafe { core::ptr::read_volatile(text.add(len)) } != 0 {
        len += 1;
    }
    len
}

/// Builds F#'s `argv` (the arguments without the program name) as an array of
/// `Str` in the root region pointing at the kernel's argument strings, installs
/// the fault handlers (`fault.rs`), ignores SIGPIPE, runs `clef_main`,
/// flushes stdout and exits with its status.
///
/// SIGPIPE is ignored as .NET ignores it: a write to a socket or pipe whose
/// reader is gone answers `-EPIPE` (`clef_rt_fd_write`) instead of killing the
/// process, and stdout's writes drop their bytes (`io.rs`), as .NET's console
/// does.
///
/// # Safety
/// `stack` must be the initial stack pointer the kernel gave `_start`.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_start(stack: *const usize) -> ! {
    crate::fault::install(stack as usize);
    crate::sys::ignore_signal(crate::sys::SIGPIPE);
    // SAFETY: the kernel's initial stack layout (see the module comment).
    let argc = unsafe { *stack };
    let argv = unsafe { stack.add(1) } as *const *const u8;
    let count = argc.saturating_sub(1);
    let args: *mut Str = if count == 0 {
        core::ptr::NonNull::<Str>::dangling().as_ptr()
    } else {
        region::alloc_root(
            count * core::mem::size_of::<Str>(),
            core::mem::align_of::<Str>(),
        ) as *mut Str
    };
    for index in 0..count {
        // SAFETY: argv holds argc valid string pointers; `args` has room for
        // `count` entries. The strings live as long as the process.
        unsafe {
            let text = *argv.add(index + 1);
            args.add(index).write(Str {
                ptr: text,
                len: c_string_len(text) as i64,
            });
        }
    }
    // SAFETY: the compiled program defines `clef_main` with this signature.
    let status = unsafe { clef_main(args, count as i64) };
    io::exit(status)
}
