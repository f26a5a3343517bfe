//! Standard streams. Stdout is buffered in a fixed 8 KiB buffer and flushed
//! when full, before a write to any other descriptor, before reading stdin, at
//! exit and before a panic message; stderr is written directly. Stdin is read
//! through a 16 KiB buffer, one line at a time.

use crate::global::Global;
use crate::pure::sink::Sink;
use crate::region;
use crate::sys;
use crate::Str;

const STDOUT_CAPACITY: usize = 8 * 1024;
const STDIN_CAPACITY: usize = 16 * 1024;

struct Stdout {
    buf: [u8; STDOUT_CAPACITY],
    len: usize,
}

static STDOUT: Global<Stdout> = Global::new(Stdout {
    buf: [0; STDOUT_CAPACITY],
    len: 0,
});

/// Writes all of `bytes` to `fd`, retrying after interrupts and short writes.
/// Errors (a closed pipe, a full disk) drop the rest: there is nobody to tell.
fn write_all(fd: i32, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        let written = sys::write(fd, bytes);
        if written == -sys::EINTR {
            continue;
        }
        if written <= 0 {
            return;
        }
        bytes = &bytes[written as usize..];
    }
}

pub fn flush_stdout() {
    // SAFETY: no other reference to STDOUT is alive; `write_all` does not
    // touch it.
    let stdout = unsafe { STDOUT.get() };
    let len = stdout.len;
    stdout.len = 0;
    write_all(1, &stdout.buf[..len]);
}

fn write_stdout(bytes: &[u8]) {
    // SAFETY: as in `flush_stdout`; the reference ends before we flush.
    let stdout = unsafe { STDOUT.get() };
    if bytes.len() <= STDOUT_CAPACITY - stdout.len {
        stdout.buf[stdout.len..stdout.len + bytes.len()].copy_from_slice(bytes);
        stdout.len += bytes.len();
        return;
    }
    flush_stdout();
    if bytes.len() >= STDOUT_CAPACITY {
        write_all(1, bytes);
    } else {
        // SAFETY: as above.
        let stdout = unsafe { STDOUT.get() };
        stdout.buf[..bytes.len()].copy_from_slice(bytes);
        stdout.len = bytes.len();
    }
}

/// `clef_rt_write`: fd 1 goes through the buffer, anything else is written at
/// once after flushing stdout (so that output interleaves in program order).
pub fn write(fd: i32, bytes: &[u8]) {
    if fd == 1 {
        write_stdout(bytes);
    } else {
        flush_stdout();
        write_all(fd, bytes);
    }
}

/// Flushes stdout and ends the process with `code`.
pub fn exit(code: i32) -> ! {
    flush_stdout();
    report_alloc_stats();
    sys::exit_group(code)
}

/// Flushes stdout, prints `panic: <message>` on stderr and exits with 101.
pub fn fatal(message: &[u8]) -> ! {
    flush_stdout();
    write_all(2, b"panic: ");
    fail(message, 101)
}

/// Flushes stdout, prints the line `message` on stderr and exits with
/// `status`: an error of the program that is not a panic (the async executor's
/// deadlock, `executor.rs`).
pub fn fail(message: &[u8], status: i32) -> ! {
    flush_stdout();
    write_all(2, message);
    write_all(2, b"\n");
    report_alloc_stats();
    sys::exit_group(status)
}

/// `fatal` from the fault handler (`fault.rs`): the signal may have interrupted
/// any runtime code, including `write_stdout` or `flush_stdout` holding their
/// `&mut` to STDOUT. The interrupted code never resumes (we exit here), so the
/// two accesses never interleave; this one still goes through a raw pointer and
/// clamps the length, so a torn update writes at most stale bytes of the buffer,
/// never outside it. What can be lost is the one write in progress: bytes being
/// copied in before `len` grew, or the rest of a flush that had already reset
/// `len`.
pub fn fatal_after_fault(message: &[u8]) -> ! {
    let stdout = STDOUT.as_ptr();
    // SAFETY: STDOUT is a static; reading its fields through the raw pointer
    // creates no reference that could alias the interrupted code's.
    let (buf, len) = unsafe {
        (
            core::ptr::addr_of!((*stdout).buf) as *const u8,
            core::ptr::read_volatile(core::ptr::addr_of!((*stdout).len)),
        )
    };
    let len = len.min(STDOUT_CAPACITY);
    // SAFETY: the buffer is STDOUT_CAPACITY bytes, always initialised.
    write_all(1, unsafe { core::slice::from_raw_parts(buf, len) });
    write_all(2, b"panic: ");
    write_all(2, message);
    write_all(2, b"\n");
    report_alloc_stats();
    sys::exit_group(101)
}

/// With `--alloc-stats`, the last line on stderr:
/// `alloc-stats: total_bytes=N allocations=M peak_bytes=P compactions=C copied_bytes=B majors=J`
/// (`majors`: how many of the compactions were major ones, `region/compact.rs`).
fn report_alloc_stats() {
    // SAFETY: single-threaded runtime. A copy through the raw pointer, because
    // after a fault (`fatal_after_fault`) the interrupted allocator may hold a
    // reference to STATS; its counters are plain integers, at worst one
    // allocation behind.
    let stats = unsafe { core::ptr::read_volatile(crate::region::STATS.as_ptr()) };
    if !stats.enabled {
        return;
    }
    let mut line = crate::pure::sink::StackBuf::<224>::new();
    line.push_bytes(b"alloc-stats: total_bytes=");
    crate::pure::int_fmt::write_unsigned(&mut line, stats.total_bytes, 10, false);
    line.push_bytes(b" allocations=");
    crate::pure::int_fmt::write_unsigned(&mut line, stats.allocations, 10, false);
    line.push_bytes(b" peak_bytes=");
    crate::pure::int_fmt::write_unsigned(&mut line, stats.peak_bytes, 10, false);
    line.push_bytes(b" compactions=");
    crate::pure::int_fmt::write_unsigned(&mut line, stats.compactions, 10, false);
    line.push_bytes(b" copied_bytes=");
    crate::pure::int_fmt::write_unsigned(&mut line, stats.copied_bytes, 10, false);
    line.push_bytes(b" majors=");
    crate::pure::int_fmt::write_unsigned(&mut line, stats.major_compactions, 10, false);
    line.push_bytes(b"\n");
    write_all(2, line.as_bytes());
}

struct Stdin {
    buf: [u8; STDIN_CAPACITY],
    start: usize,
    end: usize,
    at_eof: bool,
    /// The previous line ended in `\r`; a `\n` right after it belongs to it.
    skip_line_feed: bool,
}

static STDIN: Global<Stdin> = Global::new(Stdin {
    buf: [0; STDIN_CAPACITY],
    start: 0,
    end: 0,
    at_eof: false,
    skip_line_feed: false,
});

/// A line being assembled from several buffer loads, in the root region.
struct LineBuilder {
    ptr: *mut u8,
    len: usize,
    cap: usize,
}

impl LineBuilder {
    fn push(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let needed = self.len + bytes.len();
        if needed > self.cap {
            let cap = needed.max(self.cap * 2).max(64);
            let grown = region::alloc_root(cap, 1);
            if self.len > 0 {
                // SAFETY: both blocks hold at least `self.len` bytes and are
                // distinct allocations.
                unsafe { core::ptr::copy_nonoverlapping(self.ptr, grown, self.len) };
            }
            self.ptr = grown;
            self.cap = cap;
        }
        // SAFETY: `ptr` has room for `needed` bytes (ensured above).
        unsafe {
            core::ptr::copy_nonoverlapping(bytes.as_ptr(), self.ptr.add(self.len), bytes.len())
        };
        self.len = needed;
    }

    fn finish(self) -> Str {
        if self.len == 0 {
            Str {
                ptr: b"".as_ptr(),
                len: 0,
            }
        } else {
            Str {
                ptr: self.ptr,
                len: self.len as i64,
            }
        }
    }
}

/// Whether `read_line` would answer now without waiting for input: a whole line
/// (or the end of input) is in the buffer, after at most one read of what fd 0
/// has ready (`Console.readLineAsync` waits in the event loop until it does). A
/// line longer than the buffer also counts: its reading may wait for its end.
pub fn line_ready() -> bool {
    // SAFETY: no other reference to STDIN is alive during this function.
    let stdin = unsafe { STDIN.get() };
    let has_line = |s: &Stdin| {
        s.at_eof
            || s.buf[s.start..s.end]
                .iter()
                .enumerate()
                .any(|(i, &b)| b == b'\n' || (b == b'\r' && !(i == 0 && s.skip_line_feed)))
    };
    if has_line(stdin) {
        return true;
    }
    // Room at the end of the buffer for what is waiting.
    if stdin.start > 0 {
        stdin.buf.copy_within(stdin.start..stdin.end, 0);
        stdin.end -= stdin.start;
        stdin.start = 0;
    }
    if stdin.end == stdin.buf.len() {
        return true;
    }
    if !sys::readable_now(0) {
        return false;
    }
    flush_stdout();
    let end = stdin.end;
    let got = sys::read(0, &mut stdin.buf[end..]);
    if got <= 0 && got != -sys::EINTR {
        stdin.at_eof = true;
    } else if got > 0 {
        stdin.end += got as usize;
    }
    has_line(stdin)
}

/// Reads one line from fd 0 without its terminator (`\n`, `\r\n` or a lone
/// `\r`, as .NET `ReadLine`); `None` at end of input. A last line without a
/// terminator is still a line.
pub fn read_line() -> Option<Str> {
    flush_stdout();
    // SAFETY: no other reference to STDIN is alive during this function, and
    // nothing it calls reads stdin.
    let stdin = unsafe { STDIN.get() };
    let mut line = LineBuilder {
        ptr: core::ptr::null_mut(),
        len: 0,
        cap: 0,
    };
    let mut saw_bytes = false;
    loop {
        if stdin.start == stdin.end {
            if stdin.at_eof {
                return if saw_bytes { Some(line.finish()) } else { None };
            }
            let got = sys::read(0, &mut stdin.buf);
            if got == -sys::EINTR {
                continue;
            }
            if got <= 0 {
                stdin.at_eof = true;
                continue;
            }
            stdin.start = 0;
            stdin.end = got as usize;
        }
        if stdin.skip_line_feed {
            stdin.skip_line_feed = false;
            if stdin.buf[stdin.start] == b'\n' {
                stdin.start += 1;
                continue;
            }
        }
        let pending = &stdin.buf[stdin.start..stdin.end];
        match pending.iter().position(|&b| b == b'\n' || b == b'\r') {
            Some(offset) => {
                let terminator = pending[offset];
                line.push(&pending[..offset]);
                stdin.start += offset + 1;
                stdin.skip_line_feed = terminator == b'\r';
                return Some(line.finish());
            }
            None => {
                saw_bytes = true;
                line.push(pending);
                stdin.start = stdin.end;
            }
        }
    }
}
