//! Regions: bump allocation in chunks of pages obtained with `mmap`, never
//! freed (DESIGN.md §5). Only the root region exists so far; nested regions
//! (per call, per loop iteration, arenas) will be further `Region` values whose
//! chunks are returned when they are popped.

use crate::global::Global;
use crate::{io, sys};

const PAGE_SIZE: usize = 4096;
/// Size of an ordinary chunk.
const CHUNK_SIZE: usize = 1 << 20;
/// Requests larger than this get a mapping of their own, so that they do not
/// waste the rest of the current chunk.
const LARGE_REQUEST: usize = CHUNK_SIZE / 4;

pub struct Region {
    /// Start of the current chunk (0 before the first allocation).
    chunk: usize,
    /// Next free byte of the current chunk.
    cursor: usize,
    /// One past the last byte of the current chunk.
    end: usize,
}

impl Region {
    pub const fn empty() -> Region {
        Region {
            chunk: 0,
            cursor: 0,
            end: 0,
        }
    }

    /// `size` bytes aligned to `align` (rounded up to a power of two); never
    /// null: running out of memory ends the program with a panic message.
    pub fn alloc(&mut self, size: usize, align: usize) -> *mut u8 {
        let align = align
            .max(1)
            .checked_next_power_of_two()
            .unwrap_or_else(|| out_of_memory());
        if self.chunk != 0 {
            if let Some(address) = bump(self.cursor, self.end, size, align) {
                self.cursor = address + size;
                return address as *mut u8;
            }
        }
        let needed = size
            .checked_add(align - 1)
            .unwrap_or_else(|| out_of_memory());
        if needed > LARGE_REQUEST {
            let mapping = map_pages(needed);
            return align_up(mapping, align) as *mut u8;
        }
        let chunk = map_pages(CHUNK_SIZE);
        self.chunk = chunk;
        self.cursor = chunk;
        self.end = chunk + CHUNK_SIZE;
        let address = bump(self.cursor, self.end, size, align).unwrap_or_else(|| out_of_memory());
        self.cursor = address + size;
        address as *mut u8
    }
}

fn align_up(address: usize, align: usize) -> usize {
    (address + align - 1) & !(align - 1)
}

/// The aligned start of `size` bytes in `[cursor, end)`, if they fit.
fn bump(cursor: usize, end: usize, size: usize, align: usize) -> Option<usize> {
    let start = cursor.checked_add(align - 1)? & !(align - 1);
    if start <= end && size <= end - start {
        Some(start)
    } else {
        None
    }
}

fn map_pages(len: usize) -> usize {
    let len = len
        .checked_add(PAGE_SIZE - 1)
        .unwrap_or_else(|| out_of_memory())
        & !(PAGE_SIZE - 1);
    match sys::map_anonymous(len) {
        Some(mapping) => mapping as usize,
        None => out_of_memory(),
    }
}

fn out_of_memory() -> ! {
    io::fatal(b"out of memory")
}

static ROOT: Global<Region> = Global::new(Region::empty());

/// Allocation counters for `--alloc-stats` (DESIGN §5: "zero allocation" is
/// measured, not claimed).
pub struct AllocStats {
    pub enabled: bool,
    pub total_bytes: u64,
    pub allocations: u64,
    /// Bytes live at the high-water mark. Only the root region exists so far and
    /// it is never popped, so this equals `total_bytes` until scoped regions land.
    pub peak_bytes: u64,
    live_bytes: u64,
}

pub static STATS: Global<AllocStats> = Global::new(AllocStats {
    enabled: false,
    total_bytes: 0,
    allocations: 0,
    peak_bytes: 0,
    live_bytes: 0,
});

/// Allocates in the root region (lives until the program exits).
pub fn alloc_root(size: usize, align: usize) -> *mut u8 {
    // SAFETY: single-threaded runtime; no other reference to STATS is alive.
    let stats = unsafe { STATS.get() };
    if stats.enabled {
        stats.total_bytes += size as u64;
        stats.allocations += 1;
        stats.live_bytes += size as u64;
        stats.peak_bytes = stats.peak_bytes.max(stats.live_bytes);
    }
    // SAFETY: `Region::alloc` does not re-enter the root region (on failure it
    // ends the program without allocating).
    unsafe { ROOT.get() }.alloc(size, align)
}

/// Copies `bytes` into the root region.
pub fn copy_to_root(bytes: &[u8]) -> *const u8 {
    if bytes.is_empty() {
        return b"".as_ptr();
    }
    let target = alloc_root(bytes.len(), 1);
    // SAFETY: `target` is a fresh allocation of `bytes.len()` bytes, disjoint
    // from `bytes`.
    unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), target, bytes.len()) };
    target
}
