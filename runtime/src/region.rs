//! Regions: bump allocation in chunks of pages obtained with `mmap`, never
//! `malloc` (DESIGN.md §5).
//!
//! Implicit allocations go to the *current region*, a stack of marks over one
//! chain of chunks: `clef_rt_region_mark` pushes a mark, `clef_rt_region_reset`
//! frees everything allocated after it (the mark stays, for the next loop
//! iteration) and `clef_rt_region_release` frees the mark too. Which loops use
//! them is the compiler's region inference (`crates/semantics/src/regions.rs`).
//! Chunks freed by a reset are kept for reuse (a few) or returned to the kernel.
//!
//! The runtime's own growing buffers (stdin lines, the format buffer) live in a
//! separate persistent region that is never reset.

use crate::global::Global;
use crate::{io, sys};

const PAGE_SIZE: usize = 4096;
/// Size of an ordinary chunk (its header included).
const CHUNK_SIZE: usize = 1 << 20;
/// Requests larger than this get a mapping of their own, so that they do not
/// waste the rest of the current chunk.
const LARGE_REQUEST: usize = CHUNK_SIZE / 4;
/// Freed ordinary chunks kept for reuse instead of being unmapped.
const SPARE_CHUNKS: usize = 4;

/// The start of every chunk and of every large mapping: the previous one in the
/// chain and the mapping's length.
#[repr(C)]
struct Header {
    prev: usize,
    len: usize,
}

const HEADER: usize = core::mem::size_of::<Header>();

pub struct Region {
    /// Start of the current chunk (0 before the first allocation).
    chunk: usize,
    /// Next free byte of the current chunk.
    cursor: usize,
    /// One past the last byte of the current chunk.
    end: usize,
    /// The newest large mapping (0 when none).
    large: usize,
    /// Freed chunks ready for reuse (a chain through their headers) and how many.
    spare: usize,
    spare_count: usize,
}

/// What a mark saves, stored in the region just after the state it describes.
#[repr(C)]
struct Mark {
    chunk: usize,
    cursor: usize,
    end: usize,
    large: usize,
    live_bytes: u64,
}

impl Region {
    pub const fn empty() -> Region {
        Region {
            chunk: 0,
            cursor: 0,
            end: 0,
            large: 0,
            spare: 0,
            spare_count: 0,
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
            .checked_add(align - 1 + HEADER)
            .unwrap_or_else(|| out_of_memory());
        if needed > LARGE_REQUEST {
            let len = page_round(needed);
            let mapping = map_pages(len);
            // SAFETY: a fresh mapping, large enough for the header.
            unsafe {
                (mapping as *mut Header).write(Header {
                    prev: self.large,
                    len,
                })
            };
            self.large = mapping;
            return align_up(mapping + HEADER, align) as *mut u8;
        }
        let chunk = self.new_chunk();
        self.chunk = chunk;
        self.cursor = chunk + HEADER;
        self.end = chunk + CHUNK_SIZE;
        let address = bump(self.cursor, self.end, size, align).unwrap_or_else(|| out_of_memory());
        self.cursor = address + size;
        address as *mut u8
    }

    /// A chunk linked after the current one (a spare if there is one).
    fn new_chunk(&mut self) -> usize {
        let chunk = if self.spare != 0 {
            let chunk = self.spare;
            // SAFETY: spare chunks are ours and start with a header.
            self.spare = unsafe { (*(chunk as *const Header)).prev };
            self.spare_count -= 1;
            chunk
        } else {
            map_pages(CHUNK_SIZE)
        };
        // SAFETY: the chunk is ours and unused.
        unsafe {
            (chunk as *mut Header).write(Header {
                prev: self.chunk,
                len: CHUNK_SIZE,
            })
        };
        chunk
    }

    /// Frees the chunks newer than `keep` and the large mappings newer than
    /// `large`, making `keep` the current chunk again.
    fn pop_to(&mut self, keep: usize, large: usize) {
        while self.chunk != keep && self.chunk != 0 {
            let chunk = self.chunk;
            // SAFETY: every chunk in the chain starts with a header.
            self.chunk = unsafe { (*(chunk as *const Header)).prev };
            if self.spare_count < SPARE_CHUNKS {
                // SAFETY: the chunk is no longer in the chain.
                unsafe { (*(chunk as *mut Header)).prev = self.spare };
                self.spare = chunk;
                self.spare_count += 1;
            } else {
                // SAFETY: a whole chunk mapping, no longer used.
                unsafe { sys::unmap(chunk as *mut u8, CHUNK_SIZE) };
            }
        }
        while self.large != large && self.large != 0 {
            let mapping = self.large;
            // SAFETY: every large mapping starts with a header.
            let Header { prev, len } = unsafe { (mapping as *const Header).read() };
            self.large = prev;
            // SAFETY: a whole mapping allocated after the mark, no longer used.
            unsafe { sys::unmap(mapping as *mut u8, len) };
        }
    }
}

fn align_up(address: usize, align: usize) -> usize {
    (address + align - 1) & !(align - 1)
}

fn page_round(len: usize) -> usize {
    len.checked_add(PAGE_SIZE - 1)
        .unwrap_or_else(|| out_of_memory())
        & !(PAGE_SIZE - 1)
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
    match sys::map_anonymous(page_round(len)) {
        Some(mapping) => mapping as usize,
        None => out_of_memory(),
    }
}

fn out_of_memory() -> ! {
    io::fatal(b"out of memory")
}

static CURRENT: Global<Region> = Global::new(Region::empty());
static PERSISTENT: Global<Region> = Global::new(Region::empty());

/// Allocation counters for `--alloc-stats` (DESIGN §5: "zero allocation" is
/// measured, not claimed).
pub struct AllocStats {
    pub enabled: bool,
    pub total_bytes: u64,
    pub allocations: u64,
    /// Bytes live at the high-water mark (a reset or release of the current
    /// region makes what it frees no longer live).
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

fn count(size: usize) {
    // SAFETY: single-threaded runtime; no other reference to STATS is alive.
    let stats = unsafe { STATS.get() };
    if stats.enabled {
        stats.total_bytes += size as u64;
        stats.allocations += 1;
        stats.live_bytes += size as u64;
        stats.peak_bytes = stats.peak_bytes.max(stats.live_bytes);
    }
}

/// Allocates in the current region.
pub fn alloc_root(size: usize, align: usize) -> *mut u8 {
    count(size);
    // SAFETY: `Region::alloc` does not re-enter the region (on failure it ends
    // the program without allocating).
    unsafe { CURRENT.get() }.alloc(size, align)
}

/// Allocates in the persistent region (the runtime's own buffers, which outlive
/// any mark).
pub fn alloc_persistent(size: usize, align: usize) -> *mut u8 {
    count(size);
    // SAFETY: as in `alloc_root`.
    unsafe { PERSISTENT.get() }.alloc(size, align)
}

/// Pushes a mark on the current region; the answer identifies it.
pub fn mark() -> usize {
    // SAFETY: single-threaded runtime; no other reference is alive.
    let region = unsafe { CURRENT.get() };
    let live_bytes = unsafe { STATS.get() }.live_bytes;
    let saved = Mark {
        chunk: region.chunk,
        cursor: region.cursor,
        end: region.end,
        large: region.large,
        live_bytes,
    };
    let at = region.alloc(core::mem::size_of::<Mark>(), core::mem::align_of::<Mark>());
    // SAFETY: a fresh allocation of the right size and alignment.
    unsafe { (at as *mut Mark).write(saved) };
    at as usize
}

/// Frees everything allocated after the mark `at`; the mark stays.
///
/// # Safety
/// `at` must come from `mark` and not be released.
pub unsafe fn reset(at: usize) {
    // SAFETY: single-threaded runtime; the caller's contract.
    let region = unsafe { CURRENT.get() };
    let saved = unsafe { &*(at as *const Mark) };
    let own_chunk = chunk_of(region, at);
    region.pop_to(own_chunk, saved.large);
    region.chunk = own_chunk;
    region.cursor = at + core::mem::size_of::<Mark>();
    // SAFETY: `own_chunk` is a chunk of the chain (it holds the mark).
    region.end = own_chunk + unsafe { (*(own_chunk as *const Header)).len };
    unsafe { STATS.get() }.live_bytes = saved.live_bytes;
}

/// Frees the mark `at` and everything allocated after it.
///
/// # Safety
/// `at` must come from `mark` and not be released.
pub unsafe fn release(at: usize) {
    // SAFETY: single-threaded runtime; the caller's contract.
    let region = unsafe { CURRENT.get() };
    let saved = unsafe { (at as *const Mark).read() };
    region.pop_to(saved.chunk, saved.large);
    region.chunk = saved.chunk;
    region.cursor = saved.cursor;
    region.end = saved.end;
    unsafe { STATS.get() }.live_bytes = saved.live_bytes;
}

/// The chunk of the chain that holds `address` (a mark is never in a large
/// mapping: marks are small).
fn chunk_of(region: &Region, address: usize) -> usize {
    let mut chunk = region.chunk;
    while chunk != 0 {
        if (chunk..chunk + CHUNK_SIZE).contains(&address) {
            return chunk;
        }
        // SAFETY: every chunk in the chain starts with a header.
        chunk = unsafe { (*(chunk as *const Header)).prev };
    }
    io::fatal(b"internal runtime error: region mark not found")
}

/// Copies `bytes` into the current region.
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
