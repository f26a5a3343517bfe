//! The functions compiled Clef programs call. Every name here is part of the
//! compiler–runtime ABI (listed in `docs/runtime.md`); change them together
//! with the code generator.
//!
//! Conventions: strings are passed as two scalars `(ptr, len)` and returned as
//! `Str` by value; booleans are `u8` 0/1; new strings live in the root region;
//! the empty string is a non-null pointer with length 0.
//!
//! `u8` parameters (booleans, `is_signed`, ...) are declared [`ByteArg`], a
//! `u32` of which only the low 8 bits are read: the generated code passes an
//! `i8` without the `zeroext` attribute that a Rust `u8` parameter would assume,
//! so the upper bits of the register may hold anything. Same register, same ABI.
//!
//! The compiler's half of this ABI is `RtFn` in `crates/lower/src/mir.rs`;
//! `crates/runtime/tests/abi/` checks every function here against it.

use crate::global::Global;
use crate::pure::parse::{self, ParseError};
use crate::pure::printf::{self, Spec};
use crate::pure::sink::{Sink, StackBuf};
use crate::pure::{float_fmt, int_fmt};
use crate::{descriptors, executor, io, region, Str};

/// The bytes of a `(ptr, len)` argument.
///
/// # Safety
/// `ptr` must be valid for reads of `len` bytes for the returned lifetime
/// (guaranteed by the compiler for every string value).
unsafe fn bytes<'a>(ptr: *const u8, len: i64) -> &'a [u8] {
    if len <= 0 || ptr.is_null() {
        &[]
    } else {
        // SAFETY: the caller's contract.
        unsafe { core::slice::from_raw_parts(ptr, len as usize) }
    }
}

/// A `u8` argument (the `Abi::I8` class), passed in a register whose upper bits
/// are unspecified: a `u32` of which only the low byte means anything.
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct ByteArg(u32);

impl ByteArg {
    /// The byte as a boolean: anything but 0 is true.
    fn is_set(self) -> bool {
        self.0 as u8 != 0
    }
}

fn empty_str() -> Str {
    Str {
        ptr: b"".as_ptr(),
        len: 0,
    }
}

fn str_in_root(text: &[u8]) -> Str {
    Str {
        ptr: region::copy_to_root(text),
        len: text.len() as i64,
    }
}

fn static_str(text: &'static [u8]) -> Str {
    Str {
        ptr: text.as_ptr(),
        len: text.len() as i64,
    }
}

// ---------------------------------------------------------------- process, I/O

/// Writes bytes to a descriptor (1 is buffered stdout).
///
/// # Safety
/// `(ptr, len)` must be a valid string.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_write(fd: i32, ptr: *const u8, len: i64) {
    // SAFETY: the caller's contract.
    io::write(fd, unsafe { bytes(ptr, len) });
}

/// Turns on allocation counting (`composer build --alloc-stats`); the counts are
/// printed as the last line on stderr when the program exits.
#[no_mangle]
pub extern "C" fn clef_rt_enable_alloc_stats() {
    // SAFETY: single-threaded runtime; nothing else holds STATS now.
    unsafe { crate::region::STATS.get() }.enabled = true;
}

#[no_mangle]
pub extern "C" fn clef_rt_exit(code: i32) -> ! {
    io::exit(code)
}

/// `failwith`, failed bounds checks, ...: `panic: <msg>` on stderr, status 101.
///
/// # Safety
/// `(ptr, len)` must be a valid string.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_panic(ptr: *const u8, len: i64) -> ! {
    // SAFETY: the caller's contract.
    io::fatal(unsafe { bytes(ptr, len) })
}

/// Allocation in the current region; never returns null. A size that is negative
/// as `i64` is an array whose byte count does not fit (generated code passes -1).
#[no_mangle]
pub extern "C" fn clef_rt_alloc(size: i64, align: i64) -> *mut u8 {
    if size < 0 {
        io::fatal(b"out of memory: an array of more bytes than the address space")
    }
    let align = align.max(1) as usize;
    if size == 0 {
        // Nothing to hold (an empty array, a unit environment): a well-aligned
        // dangling pointer, and nothing allocated or counted.
        return core::ptr::without_provenance_mut(align);
    }
    region::alloc_root(size as usize, align)
}

/// Pushes a mark on the current region (a loop's iteration region).
#[no_mangle]
pub extern "C" fn clef_rt_region_mark() -> i64 {
    region::mark() as i64
}

/// Frees what was allocated in the current region after `mark`; the mark stays.
///
/// # Safety
/// `mark` must come from `clef_rt_region_mark` and not be released; nothing
/// allocated after it may be used again.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_region_reset(mark: i64) {
    // SAFETY: the caller's contract.
    unsafe { region::reset(mark as usize) }
}

/// Frees `mark` and what was allocated after it.
///
/// # Safety
/// As `clef_rt_region_reset`; the mark may not be used again.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_region_release(mark: i64) {
    // SAFETY: the caller's contract.
    unsafe { region::release(mark as usize) }
}

/// Starts a compacted loop (`region/compact.rs`): writes its mark into `slot`
/// (`region_layout::MARK_SIZE` bytes of the loop's frame) and answers it.
///
/// # Safety
/// `slot` must be writable, 8-byte aligned and live as long as the loop runs.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_compact_begin(slot: *mut u8) -> i64 {
    // SAFETY: the caller's contract.
    unsafe { region::compact_begin(slot) as i64 }
}

/// A carry point of a compacted loop (`region/compact.rs`): when the loop's epoch
/// has grown past the threshold, the carried values at `roots` (laid out as the
/// description `(layout, layout_len)` says) are copied out of it, the epoch is
/// freed and `roots` updated in place.
///
/// # Safety
/// `mark` must be the loop's live mark of the current region; `roots` and the
/// description must match (the compiler generates both), and nothing else the
/// program will read may point into memory allocated since the mark.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_compact(
    mark: i64,
    layout: *const u8,
    layout_len: i64,
    roots: *mut u8,
) {
    // SAFETY: the caller's contract.
    unsafe { region::compact_point(mark as usize, bytes(layout, layout_len), roots) }
}

/// `Arena.create capacity`: a new arena; `(site, site_len)` names where the
/// program created it. Panics on a negative capacity.
///
/// # Safety
/// `(site, site_len)` must be a valid string.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_arena_create(
    capacity: i64,
    site: *const u8,
    site_len: i64,
) -> i64 {
    if capacity < 0 {
        io::fatal(b"The arena capacity must be non-negative.")
    }
    // SAFETY: the caller's contract.
    let site = unsafe { bytes(site, site_len) };
    region::arena_create(capacity as usize, site) as i64
}

/// Makes the arena the current region; answers the region to restore.
///
/// # Safety
/// `arena` must be a live arena handle.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_arena_enter(arena: i64) -> i64 {
    // SAFETY: the caller's contract.
    unsafe { region::arena_enter(arena as usize) as i64 }
}

/// Restores the current region `clef_rt_arena_enter` answered.
///
/// # Safety
/// `previous` must be an answer of `clef_rt_arena_enter`.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_arena_leave(previous: i64) {
    // SAFETY: the caller's contract.
    unsafe { region::arena_leave(previous as usize) }
}

/// `Arena.mark arena`: a sentinel.
///
/// # Safety
/// `arena` must be a live arena handle.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_arena_mark(arena: i64) -> i64 {
    // SAFETY: the caller's contract.
    unsafe { region::arena_mark(arena as usize) as i64 }
}

/// `Arena.release arena mark`: frees what the arena allocated after `mark`.
///
/// # Safety
/// `mark` must be an unreleased mark of the live arena `arena`.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_arena_release(arena: i64, mark: i64) {
    // SAFETY: the caller's contract.
    unsafe { region::arena_release(arena as usize, mark as usize) }
}

/// Disposes of the arena (the end of its `use` scope).
///
/// # Safety
/// `arena` must be a live arena handle that is not current; nothing in it may be
/// used again.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_arena_dispose(arena: i64) {
    // SAFETY: the caller's contract.
    unsafe { region::arena_dispose(arena as usize) }
}

/// One line of stdin without its terminator; `""` at end of input.
#[no_mangle]
pub extern "C" fn clef_rt_readln() -> Str {
    io::read_line().unwrap_or_else(empty_str)
}

/// 1 and `*out` = the next line, or 0 at end of input.
///
/// # Safety
/// `out` must be valid for a write of one `Str`.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_try_readln(out: *mut Str) -> u8 {
    match io::read_line() {
        Some(line) => {
            // SAFETY: the caller's contract.
            unsafe { out.write(line) };
            1
        }
        None => 0,
    }
}

// ---------------------------------------------------------------- strings

/// `a + b`; when one side is empty the other is returned without copying.
///
/// # Safety
/// Both arguments must be valid strings.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_str_concat(
    a_ptr: *const u8,
    a_len: i64,
    b_ptr: *const u8,
    b_len: i64,
) -> Str {
    // SAFETY: the caller's contract.
    let (a, b) = unsafe { (bytes(a_ptr, a_len), bytes(b_ptr, b_len)) };
    if a.is_empty() {
        return Str {
            ptr: if b.is_empty() { b"".as_ptr() } else { b_ptr },
            len: b.len() as i64,
        };
    }
    if b.is_empty() {
        return Str {
            ptr: a_ptr,
            len: a.len() as i64,
        };
    }
    let total = a.len() + b.len();
    let target = region::alloc_root(total, 1);
    // SAFETY: `target` is a fresh block of `total` bytes, disjoint from both.
    unsafe {
        core::ptr::copy_nonoverlapping(a.as_ptr(), target, a.len());
        core::ptr::copy_nonoverlapping(b.as_ptr(), target.add(a.len()), b.len());
    }
    Str {
        ptr: target,
        len: total as i64,
    }
}

/// Ordinal comparison, as F# `compare` on strings (.NET `String.CompareOrdinal`):
/// the difference of the first UTF-16 code units that differ (`compare "a" "c"`
/// is -2), else the difference of the lengths in UTF-16 code units.
///
/// # Safety
/// Both arguments must be valid strings.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_str_compare(
    a_ptr: *const u8,
    a_len: i64,
    b_ptr: *const u8,
    b_len: i64,
) -> i32 {
    // SAFETY: the caller's contract.
    let (a, b) = unsafe { (bytes(a_ptr, a_len), bytes(b_ptr, b_len)) };
    crate::pure::text::compare_ordinal(a, b)
}

/// # Safety
/// Both arguments must be valid strings.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_str_equal(
    a_ptr: *const u8,
    a_len: i64,
    b_ptr: *const u8,
    b_len: i64,
) -> u8 {
    // SAFETY: the caller's contract.
    let (a, b) = unsafe { (bytes(a_ptr, a_len), bytes(b_ptr, b_len)) };
    u8::from(a == b)
}

/// F#'s `hash` on a string: FNV-1a over the UTF-8 bytes (equal strings hash equal).
///
/// # Safety
/// The argument must be a valid string.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_str_hash(ptr: *const u8, len: i64) -> i32 {
    // SAFETY: the caller's contract.
    let s = unsafe { bytes(ptr, len) };
    crate::pure::hash::fnv1a(s) as i32
}

/// F#'s `hash` on a float (`float32` arrives widened): equal values hash equal,
/// `0.0` and `-0.0` included.
#[no_mangle]
pub extern "C" fn clef_rt_float_hash(x: f64) -> i32 {
    crate::pure::hash::float_hash(x) as i32
}

// ---------------------------------------------------------------- conversions

#[no_mangle]
pub extern "C" fn clef_rt_int_to_string(value: i64) -> Str {
    let mut text = StackBuf::<24>::new();
    int_fmt::write_signed_decimal(&mut text, value);
    str_in_root(text.as_bytes())
}

#[no_mangle]
pub extern "C" fn clef_rt_uint_to_string(value: u64) -> Str {
    let mut text = StackBuf::<24>::new();
    int_fmt::write_unsigned(&mut text, value, 10, false);
    str_in_root(text.as_bytes())
}

/// .NET Core 3.0+ `Double.ToString()` (invariant culture).
#[no_mangle]
pub extern "C" fn clef_rt_float_to_string(value: f64) -> Str {
    let mut text = StackBuf::<40>::new();
    float_fmt::write_round_trip(&mut text, value, false);
    str_in_root(text.as_bytes())
}

/// .NET Core 3.0+ `Single.ToString()` (invariant culture).
#[no_mangle]
pub extern "C" fn clef_rt_float32_to_string(value: f32) -> Str {
    let mut text = StackBuf::<40>::new();
    float_fmt::write_round_trip(&mut text, f64::from(value), true);
    str_in_root(text.as_bytes())
}

/// UTF-8 encoding of a Unicode scalar (U+FFFD for an invalid one).
#[no_mangle]
pub extern "C" fn clef_rt_char_to_string(scalar: u32) -> Str {
    let mut buf = [0u8; 4];
    str_in_root(printf::encode_utf8(scalar, &mut buf))
}

/// `True` / `False`, as F# `string true`.
#[no_mangle]
pub extern "C" fn clef_rt_bool_to_string(value: ByteArg) -> Str {
    static_str(if value.is_set() { b"True" } else { b"False" })
}

fn parse_failure(error: ParseError) -> ! {
    io::fatal(error.message().as_bytes())
}

/// F# `int "42"`, `uint8 "0xFF"`, ... for `bits` = 8, 16, 32, 64. The result is
/// sign-extended (signed) or zero-extended (unsigned). Bad input panics with
/// .NET's message.
///
/// # Safety
/// `(ptr, len)` must be a valid string.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_parse_int(
    ptr: *const u8,
    len: i64,
    bits: u32,
    is_signed: ByteArg,
) -> i64 {
    // SAFETY: the caller's contract.
    let text = unsafe { bytes(ptr, len) };
    parse::parse_int(text, bits, is_signed.is_set()).unwrap_or_else(|error| parse_failure(error))
}

/// F# `float "3.5"`. Bad input panics with .NET's message.
///
/// # Safety
/// `(ptr, len)` must be a valid string.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_parse_float(ptr: *const u8, len: i64) -> f64 {
    // SAFETY: the caller's contract.
    let text = unsafe { bytes(ptr, len) };
    parse::parse_float(text).unwrap_or_else(|error| parse_failure(error))
}

// ---------------------------------------------------------------- the printf builder

const FMT_INLINE_CAPACITY: usize = 4096;

/// The one formatting buffer behind `printf`, `sprintf`, `failwithf` and
/// interpolated strings. It starts in a static block and moves to a larger
/// root-region block when it fills up; the larger block is kept for later
/// uses, so its growth is paid once. No nesting: the compiler evaluates every
/// argument before `clef_rt_fmt_start`.
struct FmtBuffer {
    inline: [u8; FMT_INLINE_CAPACITY],
    /// The root-region block, or null while the inline block is used.
    heap: *mut u8,
    /// Capacity of `heap` (0 while it is null). The all-zero initial state
    /// keeps the whole buffer in `.bss`, out of the executable file.
    heap_cap: usize,
    len: usize,
}

impl FmtBuffer {
    fn data(&mut self) -> *mut u8 {
        if self.heap.is_null() {
            self.inline.as_mut_ptr()
        } else {
            self.heap
        }
    }

    fn capacity(&self) -> usize {
        if self.heap.is_null() {
            FMT_INLINE_CAPACITY
        } else {
            self.heap_cap
        }
    }

    fn as_bytes(&mut self) -> &[u8] {
        let len = self.len;
        // SAFETY: the first `len` bytes of the current block are initialised.
        unsafe { core::slice::from_raw_parts(self.data(), len) }
    }
}

impl Sink for FmtBuffer {
    fn push_bytes(&mut self, bytes: &[u8]) {
        let needed = self
            .len
            .checked_add(bytes.len())
            .unwrap_or_else(|| io::fatal(b"out of memory"));
        if needed > self.capacity() {
            let cap = needed.max(self.capacity().saturating_mul(2));
            let grown = region::alloc_persistent(cap, 1);
            // SAFETY: the new block holds `cap >= len` bytes and is disjoint
            // from the old one.
            unsafe { core::ptr::copy_nonoverlapping(self.data(), grown, self.len) };
            self.heap = grown;
            self.heap_cap = cap;
        }
        // SAFETY: the block has room for `needed` bytes.
        unsafe {
            core::ptr::copy_nonoverlapping(bytes.as_ptr(), self.data().add(self.len), bytes.len())
        };
        self.len = needed;
    }
}

static FMT: Global<FmtBuffer> = Global::new(FmtBuffer {
    inline: [0; FMT_INLINE_CAPACITY],
    heap: core::ptr::null_mut(),
    heap_cap: 0,
    len: 0,
});

fn fmt_buffer() -> &'static mut FmtBuffer {
    // SAFETY: each `clef_rt_fmt_*` function takes this reference once and
    // drops it before returning; none of them calls another.
    unsafe { FMT.get() }
}

fn conv_char(conv: u32) -> u8 {
    u8::try_from(conv).unwrap_or(0)
}

#[no_mangle]
pub extern "C" fn clef_rt_fmt_start() {
    fmt_buffer().len = 0;
}

/// # Safety
/// `(ptr, len)` must be a valid string.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_fmt_literal(ptr: *const u8, len: i64) {
    // SAFETY: the caller's contract.
    fmt_buffer().push_bytes(unsafe { bytes(ptr, len) });
}

#[no_mangle]
pub extern "C" fn clef_rt_fmt_int(
    value: i64,
    bits: u32,
    is_signed: ByteArg,
    conv: u32,
    flags: u32,
    width: i32,
    precision: i32,
) {
    printf::write_int(
        fmt_buffer(),
        value,
        bits,
        is_signed.is_set(),
        conv_char(conv),
        Spec::new(flags, width, precision),
    );
}

#[no_mangle]
pub extern "C" fn clef_rt_fmt_float(
    value: f64,
    is_single: ByteArg,
    conv: u32,
    flags: u32,
    width: i32,
    precision: i32,
) {
    printf::write_float(
        fmt_buffer(),
        value,
        is_single.is_set(),
        conv_char(conv),
        Spec::new(flags, width, precision),
    );
}

/// # Safety
/// `(ptr, len)` must be a valid string.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_fmt_string(
    ptr: *const u8,
    len: i64,
    flags: u32,
    width: i32,
    precision: i32,
) {
    // SAFETY: the caller's contract.
    let text = unsafe { bytes(ptr, len) };
    printf::write_str(fmt_buffer(), text, Spec::new(flags, width, precision));
}

#[no_mangle]
pub extern "C" fn clef_rt_fmt_char(scalar: u32, flags: u32, width: i32) {
    printf::write_char(fmt_buffer(), scalar, Spec::new(flags, width, -1));
}

#[no_mangle]
pub extern "C" fn clef_rt_fmt_bool(value: ByteArg, conv: u32, flags: u32, width: i32) {
    printf::write_bool(
        fmt_buffer(),
        value.is_set(),
        conv_char(conv),
        Spec::new(flags, width, -1),
    );
}

/// `printf`/`printfn` (fd 1, buffered) and `eprintf`/`eprintfn` (fd 2).
#[no_mangle]
pub extern "C" fn clef_rt_fmt_finish_write(fd: i32, newline: ByteArg) {
    let buffer = fmt_buffer();
    if newline.is_set() {
        buffer.push_byte(b'\n');
    }
    io::write(fd, buffer.as_bytes());
    buffer.len = 0;
}

/// `sprintf` and `$"..."`: the text, copied into the root region.
#[no_mangle]
pub extern "C" fn clef_rt_fmt_finish_string() -> Str {
    let buffer = fmt_buffer();
    let text = str_in_root(buffer.as_bytes());
    buffer.len = 0;
    text
}

/// `failwithf`: `panic: <text>` on stderr, status 101.
#[no_mangle]
pub extern "C" fn clef_rt_fmt_finish_panic() -> ! {
    io::fatal(fmt_buffer().as_bytes())
}

// ---------------------------------------------------------------- async

/// The resume function of a compiled async, from the pointer generated code
/// passes.
///
/// # Safety
/// `resume` must be the address of a function `extern "C" fn(frame: *mut u8)
/// -> i8` (0 when pending, else 1 finished or 3 cancelled).
unsafe fn resume_function(resume: *const u8) -> executor::ResumeFn {
    // SAFETY: the caller's contract; an `i8` result is read as the low byte of
    // a `u32` (see `executor::ResumeFn`).
    unsafe { core::mem::transmute::<*const u8, executor::ResumeFn>(resume) }
}

/// `Async.RunSynchronously`: makes `(resume, frame)` a task, whose
/// cancellation token is `cts` (null: the current task's, if any; the address 1: none), and runs the
/// event loop (other tasks, timers, descriptors) until it has ended; answers
/// how: 1 finished (its result is in `frame`) or 3 cancelled. May be called
/// from inside a task (a nested loop, which never resumes a task that is on
/// the stack). Ends the program with status 1 when the task can never finish
/// (every task waits, nothing can wake one).
///
/// # Safety
/// `resume` must be a resume function `extern "C" fn(frame: *mut u8) -> i8`
/// and `frame` an initialised frame for it, valid until the task finishes;
/// `cts` null or a source `clef_rt_cts_create` answered.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_async_run(resume: *const u8, frame: *mut u8, cts: *mut u8) -> u8 {
    // SAFETY: the caller's contract.
    unsafe { executor::run(resume_function(resume), frame, cts) }
}

/// A new task at the back of the ready queue (it runs during a later
/// `clef_rt_async_run`), whose cancellation token is `cts` (null: the current
/// task's, if any: `Async.StartChild` and `Async.Parallel` children inherit
/// it; the address 1: none, as `Async.Start` without a token); answers its
/// handle.
///
/// # Safety
/// As `clef_rt_async_run`; the frame must stay valid until the task finishes.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_async_spawn(
    resume: *const u8,
    frame: *mut u8,
    cts: *mut u8,
) -> *mut u8 {
    // SAFETY: the caller's contract.
    unsafe { executor::spawn(resume_function(resume), frame, cts) }
}

/// As `clef_rt_async_spawn`, but the task runs at once until its first
/// suspension (`Async.StartImmediate`, `task { }`); answers its handle.
///
/// # Safety
/// As `clef_rt_async_spawn`.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_async_spawn_now(
    resume: *const u8,
    frame: *mut u8,
    cts: *mut u8,
) -> *mut u8 {
    // SAFETY: the caller's contract.
    unsafe { executor::spawn_now(resume_function(resume), frame, cts) }
}

/// 0 while the task runs, then how it ended: 1 finished, 3 cancelled.
///
/// # Safety
/// `task` must be a handle `clef_rt_async_spawn` answered.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_async_done(task: *mut u8) -> u8 {
    // SAFETY: the caller's contract.
    unsafe { executor::outcome(task) }
}

/// The current task is woken when `task` finishes (at once if it has).
/// Ignored outside a task.
///
/// # Safety
/// `task` must be a handle `clef_rt_async_spawn` answered.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_async_join(task: *mut u8) {
    // SAFETY: the caller's contract.
    unsafe { executor::join(task) }
}

/// `CLOCK_MONOTONIC` in nanoseconds.
#[no_mangle]
pub extern "C" fn clef_rt_async_now() -> i64 {
    executor::now()
}

/// The current task is woken once `clef_rt_async_now() >= deadline`. Ignored
/// outside a task.
#[no_mangle]
pub extern "C" fn clef_rt_async_wake_at(deadline: i64) {
    executor::wake_at(deadline)
}

/// The current task is woken when `fd` is readable (`write` 0) or writable
/// (`write` 1), or has an error or hung up; at once when the descriptor cannot
/// be waited for (a regular file, a bad descriptor). Ignored outside a task.
#[no_mangle]
pub extern "C" fn clef_rt_async_wait_fd(fd: i32, write: ByteArg) {
    executor::wait_fd(fd, write.is_set())
}

/// The current task goes to the back of the ready queue. Ignored outside a
/// task.
#[no_mangle]
pub extern "C" fn clef_rt_async_yield() {
    executor::yield_now()
}

/// Whether the current task's cancellation token is cancelled: 0 outside a
/// task or for a task without a token.
#[no_mangle]
pub extern "C" fn clef_rt_async_cancelled() -> u8 {
    u8::from(executor::current_is_cancelled())
}

/// The current task's cancellation token source; null outside a task or for a
/// task without one.
#[no_mangle]
pub extern "C" fn clef_rt_async_token() -> *mut u8 {
    executor::current_token()
}

// ---------------------------------------------------------------- cancellation

/// `new CancellationTokenSource()`: a new source (runtime memory, never
/// freed).
#[no_mangle]
pub extern "C" fn clef_rt_cts_create() -> *mut u8 {
    executor::cts_create()
}

/// `cts.Cancel()`: marks the source cancelled (once) and wakes every unfinished
/// task whose token it is, wherever it waits. Ignored for null.
///
/// # Safety
/// `cts` must be null or a source `clef_rt_cts_create` answered.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_cts_cancel(cts: *mut u8) {
    // SAFETY: the caller's contract.
    unsafe { executor::cts_cancel(cts) }
}

/// `cts.IsCancellationRequested`: 1 or 0 (0 for null).
///
/// # Safety
/// `cts` must be null or a source `clef_rt_cts_create` answered.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_cts_is_cancelled(cts: *mut u8) -> u8 {
    // SAFETY: the caller's contract.
    u8::from(unsafe { executor::cts_is_cancelled(cts) })
}

/// `cts.CancelAfter ms`: cancels the source once `ms` milliseconds have passed
/// (a timer of the event loop; a later call replaces the deadline), at once
/// for 0, never for a negative delay.
///
/// # Safety
/// `cts` must be null or a source `clef_rt_cts_create` answered.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_cts_cancel_after(cts: *mut u8, ms: i64) {
    // SAFETY: the caller's contract.
    unsafe { executor::cts_cancel_after(cts, ms) }
}

// ---------------------------------------------------------------- descriptors

/// A listening, non-blocking IPv4 TCP socket on `(host, port)` with
/// `SO_REUSEADDR`: its descriptor, or a negated errno (`-EINVAL` for a host
/// that is not a dotted quad, `localhost`, `""`, `*`, or a port outside
/// 0..=65535; port 0 lets the kernel choose).
///
/// # Safety
/// `(host_ptr, host_len)` must be a valid string.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_tcp_listen(
    host_ptr: *const u8,
    host_len: i64,
    port: i32,
    backlog: i32,
) -> i64 {
    // SAFETY: the caller's contract.
    descriptors::tcp_listen(unsafe { bytes(host_ptr, host_len) }, port, backlog)
}

/// A pending connection of a listening socket, non-blocking: its descriptor,
/// or a negated errno (`-EAGAIN`: none yet).
#[no_mangle]
pub extern "C" fn clef_rt_tcp_accept(fd: i64) -> i64 {
    descriptors::tcp_accept(fd)
}

/// A non-blocking IPv4 TCP socket connecting to `(host, port)`: its descriptor
/// once the connection is under way (wait until it is writable, then ask
/// `clef_rt_socket_error`), or a negated errno.
///
/// # Safety
/// `(host_ptr, host_len)` must be a valid string.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_tcp_connect(host_ptr: *const u8, host_len: i64, port: i32) -> i64 {
    // SAFETY: the caller's contract.
    descriptors::tcp_connect(unsafe { bytes(host_ptr, host_len) }, port)
}

/// A socket's pending error (`SO_ERROR`, cleared by reading it), negated; 0
/// when there is none.
#[no_mangle]
pub extern "C" fn clef_rt_socket_error(fd: i64) -> i64 {
    descriptors::socket_error(fd)
}

/// Whether `Console.readln` would answer now without waiting (a whole line or
/// the end of input is buffered, after at most one read of what stdin has ready).
#[no_mangle]
pub extern "C" fn clef_rt_stdin_line_ready() -> u8 {
    u8::from(io::line_ready())
}

/// The port a socket is bound to (a listener on port 0 learns the port the kernel
/// chose), or a negated errno.
#[no_mangle]
pub extern "C" fn clef_rt_tcp_local_port(fd: i64) -> i64 {
    descriptors::local_port(fd)
}

/// Reads into the buffer `(buf_ptr, buf_len)` (a byte array's memory, passed
/// as a string view): the count, 0 at the end, or a negated errno (`-EAGAIN`
/// when a non-blocking descriptor has nothing yet).
///
/// # Safety
/// `(buf_ptr, buf_len)` must be writable memory of `buf_len` bytes that nothing
/// else refers to during the call.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_fd_read(fd: i64, buf_ptr: *mut u8, buf_len: i64) -> i64 {
    let buffer: &mut [u8] = if buf_len <= 0 || buf_ptr.is_null() {
        &mut []
    } else {
        // SAFETY: the caller's contract.
        unsafe { core::slice::from_raw_parts_mut(buf_ptr, buf_len as usize) }
    };
    descriptors::read(fd, buffer)
}

/// Writes the bytes `(buf_ptr, buf_len)` with one `write`: the count written
/// (possibly fewer), or a negated errno (`-EAGAIN`, `-EPIPE`: SIGPIPE is
/// ignored).
///
/// # Safety
/// `(buf_ptr, buf_len)` must be a valid string.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_fd_write(fd: i64, buf_ptr: *const u8, buf_len: i64) -> i64 {
    // SAFETY: the caller's contract.
    descriptors::write(fd, unsafe { bytes(buf_ptr, buf_len) })
}

/// Closes a descriptor (after dropping the executor's registration of it and
/// waking its waiters): 0 or a negated errno.
#[no_mangle]
pub extern "C" fn clef_rt_fd_close(fd: i64) -> i64 {
    descriptors::close(fd)
}

/// Opens the file at `path`: mode 0 to read, 1 to write (created or
/// truncated), 2 to append (created); close-on-exec, permission 0644. The
/// descriptor, or a negated errno (`-EINVAL` for another mode or a path with
/// a NUL byte, `-ENAMETOOLONG` for a path over 4095 bytes).
///
/// # Safety
/// `(path_ptr, path_len)` must be a valid string.
#[no_mangle]
pub unsafe extern "C" fn clef_rt_file_open(path_ptr: *const u8, path_len: i64, mode: i32) -> i64 {
    // SAFETY: the caller's contract.
    descriptors::open_file(unsafe { bytes(path_ptr, path_len) }, mode)
}

/// Adds `O_NONBLOCK` to a descriptor's flags: 0 or a negated errno.
#[no_mangle]
pub extern "C" fn clef_rt_set_nonblocking(fd: i64) -> i64 {
    descriptors::set_nonblocking(fd)
}

/// The text of an error number, positive or negated, in glibc's wording
/// (`111` → `Connection refused`); `Unknown error` for one the table lacks. A
/// static string.
#[no_mangle]
pub extern "C" fn clef_rt_errno_message(errno: i64) -> Str {
    static_str(crate::pure::errno::message(errno).as_bytes())
}
