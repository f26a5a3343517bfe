//! Turning fatal signals into panics. Without this a program whose recursion
//! overflows the stack dies with SIGSEGV (status 139), prints nothing and loses
//! its buffered stdout.
//!
//! `install` (called by `clef_rt_start` before `clef_main`) records the stack's
//! top and `RLIMIT_STACK`, gives the kernel an alternate signal stack in static
//! memory (the handler of a stack overflow cannot run on the stack that just
//! overflowed) and handles SIGSEGV, SIGBUS, SIGFPE and SIGILL (and on aarch64
//! SIGTRAP, its trap instruction's signal; `arch::FAULT_SIGNALS`) with `on_fault`.
//! The handler never returns: it flushes stdout, prints `panic: <what>` and
//! exits with 101, like every other panic (`io::fatal_after_fault`).
//!
//! A SIGSEGV is a stack overflow when its address lies in the stack's reserved
//! range (below the top recorded at `_start`, above `top - RLIMIT_STACK - the
//! kernel's 1 MiB guard gap`) or close below the interrupted stack pointer (a
//! `call` or a frame's first store just past the end; this also covers an
//! unlimited stack). Anything else is `segmentation fault at 0x…`.
//! The compiler checks integer division itself, so SIGFPE is not expected; it
//! still maps to .NET's messages.

use crate::arch;
use crate::global::Global;
use crate::io;
use crate::pure::sink::StackBuf;
use crate::sys;

/// The alternate signal stack: the kernel's frame (with the AVX-512 state up to
/// about 3.5 KiB on x86_64; on aarch64 the SVE state of the largest vector
/// length is about 8.5 KiB) plus the handler's own frames (formatting, `write`).
const SIGNAL_STACK_SIZE: usize = 64 * 1024;

/// Linux keeps this much unmapped space below a growing stack
/// (`stack_guard_gap`, 256 pages by default).
const STACK_GUARD_GAP: usize = 1024 * 1024;

/// How far below the interrupted stack pointer a fault still counts as the
/// stack's: a `call` writes 8 bytes below it (aarch64: a frame's first `stp`
/// 16 or more); a stack probe or a red-zone store at most a page or two.
const BELOW_STACK_POINTER: usize = 64 * 1024;

#[repr(C, align(16))]
struct SignalStack([u8; SIGNAL_STACK_SIZE]);

static SIGNAL_STACK: Global<SignalStack> = Global::new(SignalStack([0; SIGNAL_STACK_SIZE]));

/// The main stack as seen at `_start`.
struct StackBounds {
    /// The initial stack pointer: everything the program uses lies below it.
    top: usize,
    /// The soft `RLIMIT_STACK` (`RLIM_INFINITY` when unlimited).
    limit: u64,
}

static STACK: Global<StackBounds> = Global::new(StackBounds {
    top: 0,
    limit: sys::RLIM_INFINITY,
});

/// Installs the fault handlers. `initial_stack` is the stack pointer `_start`
/// received.
pub fn install(initial_stack: usize) {
    // SAFETY: called once, before the program runs; nothing else holds STACK.
    let stack = unsafe { STACK.get() };
    stack.top = initial_stack;
    stack.limit = sys::stack_limit();
    // SAFETY: SIGNAL_STACK is used by nothing but the kernel, for the rest of
    // the process.
    unsafe { sys::set_signal_stack(SIGNAL_STACK.as_ptr() as *mut u8, SIGNAL_STACK_SIZE) };
    for &signal in arch::FAULT_SIGNALS {
        sys::set_fault_handler(signal, on_fault);
    }
}

/// Whether a fault at `address` with the stack pointer at `sp` ran off the end
/// of the main stack.
fn is_stack_overflow(address: usize, sp: usize, stack: &StackBounds) -> bool {
    if address >= stack.top {
        return false;
    }
    let near_stack_pointer = address >= sp.saturating_sub(BELOW_STACK_POINTER);
    let in_reserved_range = stack.limit != sys::RLIM_INFINITY
        && address
            >= stack
                .top
                .saturating_sub(stack.limit as usize)
                .saturating_sub(STACK_GUARD_GAP);
    near_stack_pointer || in_reserved_range
}

/// The message for a fault: `signal`, its `si_code`, the faulting address and the
/// interrupted instruction and stack pointers.
fn describe(signal: i32, code: i32, address: usize, ip: usize, sp: usize, out: &mut StackBuf<96>) {
    // SAFETY: STACK was written by `install` before the program ran and is only
    // read from here on.
    let stack = unsafe { &*STACK.as_ptr() };
    let (what, at): (&[u8], Option<usize>) = match signal {
        sys::SIGSEGV if is_stack_overflow(address, sp, stack) => (b"stack overflow", None),
        sys::SIGSEGV => (b"segmentation fault at 0x", Some(address)),
        sys::SIGBUS => (b"bus error at 0x", Some(address)),
        // .NET's DivideByZeroException and OverflowException messages.
        sys::SIGFPE if code == sys::FPE_INTDIV => (b"Attempted to divide by zero.", None),
        sys::SIGFPE if code == sys::FPE_INTOVF => {
            (b"Arithmetic operation resulted in an overflow.", None)
        }
        sys::SIGFPE => (b"arithmetic error", None),
        // SIGILL, and aarch64's SIGTRAP: the same message for an LLVM trap
        // (`ud2` / `brk`), so a program's output does not depend on the target.
        _ => (b"illegal instruction at 0x", Some(ip)),
    };
    use crate::pure::sink::Sink;
    out.push_bytes(what);
    if let Some(value) = at {
        crate::pure::int_fmt::write_unsigned(out, value as u64, 16, false);
    }
}

/// The handler of the `arch::FAULT_SIGNALS`; runs on the alternate stack and
/// never returns.
///
/// # Safety
/// Called by the kernel with a valid `siginfo_t` and `ucontext_t`.
unsafe extern "C" fn on_fault(signal: i32, info: *mut sys::SigInfo, context: *mut u8) {
    // SAFETY: the kernel passes valid pointers for an SA_SIGINFO handler.
    let (code, address, ip, sp) = unsafe {
        (
            (*info).code,
            (*info).addr,
            context.add(arch::UCONTEXT_PC_OFFSET).cast::<usize>().read(),
            context.add(arch::UCONTEXT_SP_OFFSET).cast::<usize>().read(),
        )
    };
    let mut message = StackBuf::<96>::new();
    describe(signal, code, address, ip, sp, &mut message);
    io::fatal_after_fault(message.as_bytes())
}
