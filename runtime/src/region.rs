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
use crate::region_layout::{
    MARK_DUE_OFFSET, MARK_SIZE, REGION_CURSOR_ALIGN, REGION_CURSOR_OFFSET, REGION_END_OFFSET,
    REGION_MAPPED_OFFSET,
};
use crate::{io, sys};

mod compact;
pub use compact::compact_point;

const PAGE_SIZE: usize = 4096;
/// Size of an ordinary chunk (its header included).
const CHUNK_SIZE: usize = 1 << 20;
/// Requests larger than this get a mapping of their own, so that they do not
/// waste the rest of the current chunk.
const LARGE_REQUEST: usize = CHUNK_SIZE / 4;
/// Every region's cursor stays a multiple of this (allocations are rounded up to
/// it), so generated code bumps without aligning for anything up to 8 bytes.
pub const CURSOR_ALIGN: usize = REGION_CURSOR_ALIGN as usize;
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

/// `cursor` and `end` are at the offsets of `region_layout.rs` (0 and 8):
/// generated code bumps them itself (the inline fast path of
/// `Rvalue::Box`/`AllocArray` in `composer-alex`) and calls `clef_rt_alloc` only
/// when the request does not fit.
#[repr(C)]
pub struct Region {
    /// Next free byte of the current chunk.
    cursor: usize,
    /// One past the last byte of the current chunk.
    end: usize,
    /// Bytes of the chunks and large mappings in the chain: how far a compacted
    /// loop's epoch has grown since its mark (`compact.rs`; generated code reads it
    /// at `REGION_MAPPED_OFFSET`).
    mapped: u64,
    /// Bytes allocated in this region and not yet freed (for `--alloc-stats`;
    /// the inline fast path does not count, so it is used only with the stats).
    live: u64,
    /// An arena: one mapping of fixed capacity; running out panics naming the
    /// arena's creation site (`site_ptr`, `site_len`).
    arena: bool,
    /// An arena's capacity in bytes, as the program asked.
    capacity: usize,
    site_ptr: usize,
    site_len: usize,
    /// Start of the current chunk (0 before the first allocation).
    chunk: usize,
    /// The newest large mapping (0 when none).
    large: usize,
    /// The arena mark the last `arena_release` went back to, while nothing has
    /// been allocated since: `arena_mark` hands it out again instead of adding a
    /// mark record per round of a mark/release loop (0 when none).
    reusable_mark: usize,
    /// Freed chunks ready for reuse (a chain through their headers) and how many.
    spare: usize,
    spare_count: usize,
    /// How many spare chunks to keep (at least `SPARE_CHUNKS`): a compacted loop
    /// raises it to the growth of its next epoch, so the chunks a compaction frees
    /// are reused by the rounds that follow instead of being unmapped and faulted
    /// in again (`compact.rs`).
    spare_limit: usize,
}

/// What a mark saves, stored in the region just after the state it describes.
#[repr(C)]
pub(crate) struct Mark {
    /// The region's `mapped` at which a compacted loop that made this mark compacts
    /// next (generated code reads it at `MARK_DUE_OFFSET`).
    pub(crate) due: u64,
    pub(crate) chunk: usize,
    pub(crate) cursor: usize,
    end: usize,
    pub(crate) large: usize,
    pub(crate) live: u64,
    /// `Region::mapped` when the mark was made or its loop last compacted.
    pub(crate) mapped: u64,
    /// Bytes the last compaction at this mark copied (0 before the first).
    pub(crate) copied: u64,
    /// Where the old generation of an immutable carried state ends: the chunk
    /// of the last compaction's copies (0 before the first compaction), the room
    /// left in it for the next minor compaction's copies, and the newest large
    /// mapping of it (`compact.rs`).
    pub(crate) old_chunk: usize,
    pub(crate) old_cursor: usize,
    pub(crate) old_end: usize,
    pub(crate) old_large: usize,
    /// Bytes in the old generation, and how many of them the last major
    /// compaction copied.
    pub(crate) old_bytes: u64,
    pub(crate) major_live: u64,
    /// The last compaction freed less than half of what it copied.
    pub(crate) unproductive: bool,
}

impl Region {
    pub const fn empty() -> Region {
        Region {
            cursor: 0,
            end: 0,
            live: 0,
            arena: false,
            capacity: 0,
            site_ptr: 0,
            site_len: 0,
            chunk: 0,
            large: 0,
            reusable_mark: 0,
            spare: 0,
            spare_count: 0,
            spare_limit: SPARE_CHUNKS,
            mapped: 0,
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
                self.cursor = align_up(address + size, CURSOR_ALIGN);
                return address as *mut u8;
            }
        }
        if self.arena {
            self.exhausted(size)
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
            self.mapped += len as u64;
            return align_up(mapping + HEADER, align) as *mut u8;
        }
        self.begin_chunk();
        let address = bump(self.cursor, self.end, size, align).unwrap_or_else(|| out_of_memory());
        self.cursor = align_up(address + size, CURSOR_ALIGN);
        address as *mut u8
    }

    /// An arena ran out of room: the program ends naming where it was created.
    fn exhausted(&self, size: usize) -> ! {
        use crate::pure::sink::Sink;
        let mut line = crate::pure::sink::StackBuf::<512>::new();
        line.push_bytes(b"arena created at ");
        // SAFETY: the site was copied into the arena's mapping at creation.
        line.push_bytes(unsafe {
            core::slice::from_raw_parts(self.site_ptr as *const u8, self.site_len)
        });
        line.push_bytes(b" is exhausted: ");
        crate::pure::int_fmt::write_unsigned(&mut line, size as u64, 10, false);
        line.push_bytes(b" more bytes needed, capacity ");
        crate::pure::int_fmt::write_unsigned(&mut line, self.capacity as u64, 10, false);
        line.push_bytes(b" bytes");
        io::fatal(line.as_bytes())
    }

    /// Makes a new chunk (a spare if there is one) the current one.
    fn begin_chunk(&mut self) {
        let chunk = self.new_chunk();
        self.chunk = chunk;
        self.mapped += CHUNK_SIZE as u64;
        self.cursor = chunk + HEADER;
        self.end = chunk + CHUNK_SIZE;
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

    /// Keeps a chunk no longer in the chain for reuse, or returns it to the kernel.
    fn keep_spare(&mut self, chunk: usize) {
        if self.spare_count < self.spare_limit {
            // SAFETY: the chunk is ours and no longer in the chain.
            unsafe { (*(chunk as *mut Header)).prev = self.spare };
            self.spare = chunk;
            self.spare_count += 1;
        } else {
            // SAFETY: a whole chunk mapping, no longer used.
            unsafe { sys::unmap(chunk as *mut u8, CHUNK_SIZE) };
        }
    }

    /// Keeps at most `limit` spare chunks from now on (never fewer than
    /// `SPARE_CHUNKS`), returning the ones over it to the kernel.
    fn limit_spares(&mut self, limit: usize) {
        self.spare_limit = limit.max(SPARE_CHUNKS);
        while self.spare_count > self.spare_limit {
            let chunk = self.spare;
            // SAFETY: spare chunks are ours and start with a header.
            self.spare = unsafe { (*(chunk as *const Header)).prev };
            self.spare_count -= 1;
            // SAFETY: a whole chunk mapping, no longer used.
            unsafe { sys::unmap(chunk as *mut u8, CHUNK_SIZE) };
        }
    }

    /// Frees the chunks newer than `keep` and the large mappings newer than
    /// `large`, making `keep` the current chunk again.
    fn pop_to(&mut self, keep: usize, large: usize) {
        while self.chunk != keep && self.chunk != 0 {
            let chunk = self.chunk;
            // SAFETY: every chunk in the chain starts with a header.
            self.chunk = unsafe { (*(chunk as *const Header)).prev };
            self.mapped = self.mapped.saturating_sub(CHUNK_SIZE as u64);
            self.keep_spare(chunk);
        }
        while self.large != large && self.large != 0 {
            let mapping = self.large;
            // SAFETY: every large mapping starts with a header.
            let Header { prev, len } = unsafe { (mapping as *const Header).read() };
            self.large = prev;
            self.mapped = self.mapped.saturating_sub(len as u64);
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

static ROOT: Global<Region> = Global::new(Region::empty());
static PERSISTENT: Global<Region> = Global::new(Region::empty());
/// The region implicit allocations go to: the root, or an arena while code runs
/// in its scope (`clef_rt_arena_enter`). Never null. Generated code reads it
/// (as `clef_rt_current_region`) for its inline bump allocation.
#[export_name = "clef_rt_current_region"]
static CURRENT: Global<*mut Region> = Global::new(ROOT.as_ptr());

/// Allocation counters for `--alloc-stats` (DESIGN §5: "zero allocation" is
/// measured, not claimed).
pub struct AllocStats {
    pub enabled: bool,
    pub total_bytes: u64,
    pub allocations: u64,
    /// Bytes live at the high-water mark (a reset, release or arena disposal
    /// makes what it frees no longer live).
    pub peak_bytes: u64,
    live_bytes: u64,
    /// Compactions at carry points, and the bytes they copied.
    pub compactions: u64,
    pub copied_bytes: u64,
    /// How many of the compactions were major (everything after the mark copied).
    pub major_compactions: u64,
}

pub static STATS: Global<AllocStats> = Global::new(AllocStats {
    enabled: false,
    total_bytes: 0,
    allocations: 0,
    peak_bytes: 0,
    live_bytes: 0,
    compactions: 0,
    copied_bytes: 0,
    major_compactions: 0,
});

fn stats() -> &'static mut AllocStats {
    // SAFETY: single-threaded runtime; callers hold the reference only briefly
    // and never across another call that takes it.
    unsafe { STATS.get() }
}

/// The region implicit allocations go to.
fn current() -> &'static mut Region {
    // SAFETY: single-threaded runtime; CURRENT is null or points at a live
    // arena's region (arenas leave the scope before they are disposed).
    unsafe { &mut **CURRENT.get() }
}

/// Counts an allocation of `size` bytes for `--alloc-stats`.
fn count_allocation(size: usize) {
    let stats = stats();
    if stats.enabled {
        stats.total_bytes += size as u64;
        stats.allocations += 1;
        stats.live_bytes += size as u64;
        stats.peak_bytes = stats.peak_bytes.max(stats.live_bytes);
    }
}

/// `size` bytes in `region`, counted.
fn alloc_in(region: &mut Region, size: usize, align: usize) -> *mut u8 {
    count_allocation(size);
    region.live += size as u64;
    region.alloc(size, align)
}

/// Makes `region`'s live bytes `live` again (it freed the difference).
fn forget(region: &mut Region, live: u64) {
    let freed = region.live.saturating_sub(live);
    region.live = live;
    let stats = stats();
    stats.live_bytes = stats.live_bytes.saturating_sub(freed);
}

/// Allocates in the current region.
pub fn alloc_root(size: usize, align: usize) -> *mut u8 {
    alloc_in(current(), size, align)
}

/// Allocates in the persistent region (the runtime's own buffers, which outlive
/// any mark).
pub fn alloc_persistent(size: usize, align: usize) -> *mut u8 {
    // SAFETY: single-threaded runtime; no other reference is alive.
    alloc_in(unsafe { PERSISTENT.get() }, size, align)
}

/// Pushes a mark on `region`; the answer identifies it.
fn mark_in(region: &mut Region) -> usize {
    let saved = mark_of(region);
    let at = region.alloc(core::mem::size_of::<Mark>(), core::mem::align_of::<Mark>());
    // SAFETY: a fresh allocation of the right size and alignment.
    unsafe { (at as *mut Mark).write(saved) };
    at as usize
}

/// Starts a compacted loop: its mark, written into `slot` (in the loop's frame,
/// not in the region, so entering the loop allocates nothing), marks the current
/// region as it is now; the answer identifies the mark.
///
/// # Safety
/// `slot` must be writable for a `Mark`, 8-byte aligned, and outlive the loop.
pub unsafe fn compact_begin(slot: *mut u8) -> usize {
    let saved = mark_of(current());
    // SAFETY: the caller's contract.
    unsafe { (slot as *mut Mark).write(saved) };
    slot as usize
}

/// The state of `region` as a mark saves it.
fn mark_of(region: &Region) -> Mark {
    Mark {
        chunk: region.chunk,
        cursor: region.cursor,
        end: region.end,
        large: region.large,
        live: region.live,
        mapped: region.mapped,
        copied: 0,
        due: region.mapped + compact::FLOOR,
        old_chunk: 0,
        old_cursor: 0,
        old_end: 0,
        old_large: 0,
        old_bytes: 0,
        major_live: 0,
        unproductive: false,
    }
}

/// Frees what `region` allocated after the mark `at`; the mark stays.
///
/// # Safety
/// `at` must be a mark of `region` that is not released.
unsafe fn reset_in(region: &mut Region, at: usize) {
    region.reusable_mark = 0;
    // SAFETY: the caller's contract.
    let saved = unsafe { (at as *const Mark).read() };
    let own_chunk = chunk_of(region, at);
    region.pop_to(own_chunk, saved.large);
    region.chunk = own_chunk;
    region.cursor = at + core::mem::size_of::<Mark>();
    if !region.arena {
        // SAFETY: `own_chunk` is a chunk of the chain (it holds the mark).
        region.end = own_chunk + unsafe { (*(own_chunk as *const Header)).len };
    }
    forget(region, saved.live);
}

/// Frees the mark `at` of `region` and what was allocated after it.
///
/// # Safety
/// `at` must be a mark of `region` that is not released.
unsafe fn release_in(region: &mut Region, at: usize) {
    region.reusable_mark = 0;
    // SAFETY: the caller's contract.
    let saved = unsafe { (at as *const Mark).read() };
    region.pop_to(saved.chunk, saved.large);
    region.chunk = saved.chunk;
    region.cursor = saved.cursor;
    region.end = saved.end;
    forget(region, saved.live);
}

/// Pushes a mark on the current region (an iteration region).
pub fn mark() -> usize {
    mark_in(current())
}

/// # Safety
/// `at` must come from `mark` in the same current region and not be released.
pub unsafe fn reset(at: usize) {
    // SAFETY: the caller's contract.
    unsafe { reset_in(current(), at) }
}

/// # Safety
/// As `reset`; the mark may not be used again.
pub unsafe fn release(at: usize) {
    // SAFETY: the caller's contract.
    unsafe { release_in(current(), at) }
}

/// The chunk of the chain that holds `address` (a mark is never in a large
/// mapping: marks are small).
fn chunk_of(region: &Region, address: usize) -> usize {
    let mut chunk = region.chunk;
    while chunk != 0 {
        // SAFETY: every chunk in the chain starts with a header.
        let header = unsafe { (chunk as *const Header).read() };
        if (chunk..chunk + header.len).contains(&address) {
            return chunk;
        }
        chunk = header.prev;
    }
    io::fatal(b"internal runtime error: region mark not found")
}

// ---------------------------------------------------------------------------
// Arenas: one mapping of a fixed capacity, laid out as a chunk header, the
// arena's `Region`, the creation site, then the bytes handed out.

/// A new arena of `capacity` usable bytes; `site` names where the program
/// created it (for the exhaustion message). The answer is its handle.
pub fn arena_create(capacity: usize, site: &[u8]) -> usize {
    let fixed = HEADER + core::mem::size_of::<Region>() + site.len();
    let len = page_round(
        capacity
            .checked_add(fixed + 16)
            .unwrap_or_else(|| out_of_memory()),
    );
    let mapping = map_pages(len);
    let region_at = mapping + HEADER;
    let site_at = region_at + core::mem::size_of::<Region>();
    let first = align_up(site_at + site.len(), CURSOR_ALIGN);
    // SAFETY: a fresh mapping large enough for the header, the region and the
    // site; the three do not overlap.
    unsafe {
        (mapping as *mut Header).write(Header { prev: 0, len });
        core::ptr::copy_nonoverlapping(site.as_ptr(), site_at as *mut u8, site.len());
        (region_at as *mut Region).write(Region {
            live: 0,
            arena: true,
            capacity,
            site_ptr: site_at,
            site_len: site.len(),
            chunk: mapping,
            cursor: first,
            // The capacity asked for (in whole words), not the page-rounded mapping.
            end: first + (capacity & !(CURSOR_ALIGN - 1)),
            large: 0,
            reusable_mark: 0,
            spare: 0,
            spare_count: 0,
            spare_limit: SPARE_CHUNKS,
            mapped: 0,
        });
    }
    region_at
}

/// # Safety
/// `handle` must come from `arena_create` and not be disposed.
unsafe fn arena(handle: usize) -> &'static mut Region {
    // SAFETY: the caller's contract.
    unsafe { &mut *(handle as *mut Region) }
}

/// Allocates in the arena (`Arena.alloc`, `Arena.allocArray`) by making it the
/// current region for the duration; the answer is the region to restore.
///
/// # Safety
/// `handle` must come from `arena_create` and not be disposed.
pub unsafe fn arena_enter(handle: usize) -> usize {
    // SAFETY: single-threaded runtime.
    let slot = unsafe { CURRENT.get() };
    let previous = *slot as usize;
    *slot = handle as *mut Region;
    previous
}

/// Restores the current region `arena_enter` answered.
///
/// # Safety
/// `previous` must be an answer of `arena_enter` (0 for the root).
pub unsafe fn arena_leave(previous: usize) {
    // SAFETY: single-threaded runtime.
    unsafe {
        *CURRENT.get() = if previous == 0 {
            ROOT.as_ptr()
        } else {
            previous as *mut Region
        }
    };
}

/// # Safety
/// `handle` must come from `arena_create` and not be disposed.
pub unsafe fn arena_mark(handle: usize) -> usize {
    // SAFETY: the caller's contract.
    let region = unsafe { arena(handle) };
    let reusable = region.reusable_mark;
    if reusable != 0 && region.cursor == reusable + core::mem::size_of::<Mark>() {
        // Nothing was allocated since the release to this mark: it marks the
        // same place.
        return reusable;
    }
    mark_in(region)
}

/// Frees what the arena allocated after the mark; the mark stays, so releasing
/// it again (each round of a loop) is fine.
///
/// # Safety
/// `at` must be a mark of the arena `handle` that is still allocated.
pub unsafe fn arena_release(handle: usize, at: usize) {
    // SAFETY: the caller's contract.
    let region = unsafe { arena(handle) };
    // SAFETY: the caller's contract.
    unsafe { reset_in(region, at) };
    region.reusable_mark = at;
}

/// Returns the arena's pages to the kernel.
///
/// # Safety
/// `handle` must come from `arena_create`, not be disposed, not be current,
/// and nothing in it may be used again.
pub unsafe fn arena_dispose(handle: usize) {
    // SAFETY: the caller's contract.
    let region = unsafe { arena(handle) };
    forget(region, 0);
    let mapping = handle - HEADER;
    // SAFETY: the arena's mapping starts with its header.
    let len = unsafe { (*(mapping as *const Header)).len };
    // SAFETY: the whole mapping, no longer used.
    unsafe { sys::unmap(mapping as *mut u8, len) };
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

// Generated code's inline bump allocation reads `cursor` and `end` as 64-bit
// words at the offsets `region_layout.rs` gives (`composer-alex` emits them from
// the same file), and relies on the cursor staying aligned, which chunks, marks
// and arena sites keep. A failure here means the two sides disagree: change
// `Region` and `region_layout.rs` together.
const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(
        offset_of!(Region, cursor) as u64 == REGION_CURSOR_OFFSET,
        "Region::cursor is not at region_layout::REGION_CURSOR_OFFSET"
    );
    assert!(
        offset_of!(Region, end) as u64 == REGION_END_OFFSET,
        "Region::end is not at region_layout::REGION_END_OFFSET"
    );
    assert!(
        offset_of!(Region, mapped) as u64 == REGION_MAPPED_OFFSET,
        "Region::mapped is not at region_layout::REGION_MAPPED_OFFSET"
    );
    assert!(
        size_of::<Mark>() as u64 == MARK_SIZE && MARK_SIZE.is_multiple_of(8),
        "Mark's size is not region_layout::MARK_SIZE (a compacted loop's frame slot)"
    );
    assert!(
        offset_of!(Mark, due) as u64 == MARK_DUE_OFFSET,
        "Mark::due is not at region_layout::MARK_DUE_OFFSET"
    );
    assert!(
        size_of::<usize>() == 8,
        "generated code loads and stores Region::cursor and Region::end as i64"
    );
    assert!(
        CURSOR_ALIGN.is_power_of_two()
            && HEADER.is_multiple_of(CURSOR_ALIGN)
            && size_of::<Mark>().is_multiple_of(CURSOR_ALIGN),
        "chunk headers and marks must keep the cursor a multiple of REGION_CURSOR_ALIGN"
    );
};
