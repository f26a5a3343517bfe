//! Compaction at carry points: a loop (or a tail-recursive function) whose rounds
//! carry heap state to the next round marks the current region when it starts; at
//! the end of each round, once the memory allocated since the mark (the *epoch*)
//! has grown past a threshold, the carried values are evacuated into fresh chunks,
//! the epoch is freed, and the fresh chunks take its place after the mark. So the
//! loop runs in memory proportional to its live state, not to its number of rounds.
//!
//! The algorithm is Cheney's copying collection ("A Nonrecursive List Compacting
//! Algorithm", CACM 1970) with the roots and the types known at compile time: the
//! compiler passes the carried values (a tuple in the caller's frame, updated in
//! place) and a description of their layout (`pure/carried.rs`). Objects carry no
//! headers: a copied cell's first word is overwritten with its new address and a
//! bitmap over the epoch (one bit per word) says which cells were copied, which
//! keeps sharing inside the carried state (string and array memory, which several
//! views may share, is copied by stretches: every view met, merged); a work list instead of recursion copies lists and trees of any
//! depth. Only memory of the epoch moves: pointers into older memory, static
//! data, the stack or an arena are left as they are. Which loops may compact, and
//! why nothing else can point into the epoch at that moment, is decided by the
//! compiler (`docs/memory-model.md`, "Compaction at carry points").
//!
//! The threshold is the semispace one: compact when the epoch has grown by twice
//! what the previous compaction copied (eight times when that compaction freed less
//! than it copied: a state that keeps growing, such as a list being built, is copied
//! rarely), and at least one chunk, so the copying costs O(1) per allocated byte.

use super::{
    count_allocation, current, forget, stats, Header, Mark, Region, CHUNK_SIZE,
};
use crate::global::Global;
use crate::pure::carried::{
    self, ARRAY, BOX, BOXED_UNION, OPTION, STRING, STRUCT, UNION_VALUE,
};
use crate::{io, sys};

/// Growth of the epoch (bytes of chunks added since the mark or the last
/// compaction) below which a carry point does nothing.
pub(super) const FLOOR: u64 = CHUNK_SIZE as u64;

/// Growth of the young memory between two compactions of an immutable state
/// (a few chunks: the rounds' garbage stays in the cache, and what the minor
/// compaction copies is what survived of it).
const NURSERY: u64 = 4 * CHUNK_SIZE as u64;

/// Where the length of a `{ptr, len}` string or array is (every target today).
const LEN_OFFSET: usize = 8;

/// A growable array in memory of its own (mapped, never in a region), kept from
/// one compaction to the next.
struct Scratch<T: Copy> {
    ptr: *mut T,
    cap: usize,
    len: usize,
}

impl<T: Copy> Scratch<T> {
    const fn new() -> Self {
        Scratch {
            ptr: core::ptr::null_mut(),
            cap: 0,
            len: 0,
        }
    }

    /// Room for at least `cap` elements; the contents are dropped.
    fn reset_with_capacity(&mut self, cap: usize) {
        self.len = 0;
        if cap > self.cap {
            self.remap(cap.next_power_of_two().max(64), false);
        }
    }

    fn remap(&mut self, cap: usize, keep: bool) {
        let bytes = cap
            .checked_mul(core::mem::size_of::<T>())
            .unwrap_or_else(|| io::fatal(b"out of memory"));
        let fresh = sys::map_anonymous(bytes).unwrap_or_else(|| io::fatal(b"out of memory"))
            as *mut T;
        if !self.ptr.is_null() {
            if keep {
                // SAFETY: both mappings hold at least `len` elements and are disjoint.
                unsafe { core::ptr::copy_nonoverlapping(self.ptr, fresh, self.len) };
            }
            // SAFETY: the old mapping is ours and no longer used.
            unsafe {
                sys::unmap(
                    self.ptr as *mut u8,
                    self.cap * core::mem::size_of::<T>(),
                )
            };
        }
        self.ptr = fresh;
        self.cap = cap;
    }

    fn push(&mut self, value: T) {
        if self.len == self.cap {
            self.remap((self.cap * 2).max(64), true);
        }
        // SAFETY: `len < cap` after growing.
        unsafe { self.ptr.add(self.len).write(value) };
        self.len += 1;
    }

    fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        // SAFETY: the element was written by `push`.
        Some(unsafe { self.ptr.add(self.len).read() })
    }

    fn as_mut_slice(&mut self) -> &mut [T] {
        if self.ptr.is_null() {
            return &mut [];
        }
        // SAFETY: `cap` elements are mapped; zero-filled memory is a valid `T`
        // for the plain integers stored here.
        unsafe { core::slice::from_raw_parts_mut(self.ptr, self.cap) }
    }

    fn as_mut_slice_len(&mut self) -> &mut [T] {
        let len = self.len;
        &mut self.as_mut_slice()[..len]
    }

    fn as_slice(&self) -> &[T] {
        if self.ptr.is_null() {
            return &[];
        }
        // SAFETY: the first `len` elements were written.
        unsafe { core::slice::from_raw_parts(self.ptr, self.len) }
    }
}

/// Values still to scan: `count` values of entry `entry`, `stride` bytes apart,
/// from `at` (already copied; their pointers still point into the epoch).
#[derive(Clone, Copy)]
struct Work {
    at: usize,
    entry: usize,
    count: usize,
    stride: usize,
}

/// A string or array view met in the epoch, copied once every view of the same
/// memory reachable so far is known (`Evacuation::copy_views`): `slot` holds
/// `{ptr, len}`; `elem` is the entry of the elements (-1 for bytes and plain data).
#[derive(Clone, Copy)]
struct View {
    slot: usize,
    start: usize,
    end: usize,
    elem: i64,
    size: usize,
    align: usize,
}

struct State {
    words: Scratch<i64>,
    starts: Scratch<usize>,
    /// The epoch's address ranges: start, end, and the number of the bit in
    /// `moved` of the range's first 8-byte word.
    ranges: Scratch<(usize, usize, usize)>,
    /// One bit per 8-byte word of the epoch: the cell starting there was copied,
    /// and its first word now holds the copy's address.
    moved: Scratch<u64>,
    work: Scratch<Work>,
    views: Scratch<View>,
    /// String and array memory copied: old start, old end, new start (disjoint,
    /// sorted by old start).
    arrays: Scratch<(usize, usize, usize)>,
    /// Every view pointed at a copy so far: where its `{ptr, len}` is and the old
    /// address it pointed at (to point it again if its stretch is copied anew).
    done: Scratch<(usize, usize)>,
}

static STATE: Global<State> = Global::new(State {
    words: Scratch::new(),
    starts: Scratch::new(),
    ranges: Scratch::new(),
    moved: Scratch::new(),
    work: Scratch::new(),
    views: Scratch::new(),
    arrays: Scratch::new(),
    done: Scratch::new(),
});

/// At a carry point: compacts when the epoch since `mark` has grown past the
/// threshold; `roots` points at the carried values, laid out as entry 0 of
/// `layout`, and is updated in place.
///
/// # Safety
/// `mark` must be a live mark of the current region made by the loop's entry;
/// `roots` must point at a value of entry 0 of `layout`; every value reachable
/// from it that lies in the epoch must have the described layout, and nothing
/// else the program will read may point into the epoch.
pub unsafe fn compact_point(mark: usize, layout: &[u8], roots: *mut u8) {
    let region = current();
    if region.arena {
        // Arena memory never moves; the arena's own marks bound it.
        return;
    }
    // SAFETY: the caller's contract.
    let m = unsafe { &mut *(mark as *mut Mark) };
    // Generated code calls only when this holds; checked again for safety.
    if region.mapped < m.due {
        return;
    }
    // SAFETY: single-threaded runtime; nothing else holds STATE.
    let state = unsafe { STATE.get() };
    let (words, entries) = state.parse(layout);
    if entries == 0 {
        m.due = region.mapped + FLOOR;
        return;
    }
    let generational = carried::all_immutable(
        state.words.as_slice_full(words),
        state.starts.as_slice_full(entries),
    );
    let major = !generational || m.old_chunk == 0 || m.old_bytes >= FLOOR.max(2 * m.major_live);
    let grown = region.mapped.saturating_sub(m.mapped);
    // The chunks this compaction frees are kept for the rounds that follow.
    region.spare_limit = region
        .spare_limit
        .max(((grown + m.copied) / CHUNK_SIZE as u64) as usize + 2);
    // SAFETY: the caller's contract.
    let copied = unsafe { compact(region, m, major, roots as usize, state, words, entries) };
    let growth = if generational {
        // Minor compactions copy what survived of the last `NURSERY` bytes; a
        // major one copies everything after the mark once the old generation
        // has doubled since the last.
        if major {
            m.major_live = copied;
            m.old_bytes = copied;
        } else {
            m.old_bytes += copied;
        }
        // A small state compacts as often as the floor allows (little to copy,
        // little memory held); a large one lets its young memory grow to the
        // nursery, whose survivors are then few.
        NURSERY.min(m.old_bytes.saturating_mul(2)).max(FLOOR)
    } else {
        // A state that keeps growing (almost all of the epoch, the previous copy
        // and what the rounds added, survived, twice: a list being built) waits longer
        // before the next copy, so building it costs O(1) per byte still and
        // little memory over it. A state replaced as it grows (each round copies
        // a path of a tree and drops the old one) frees about what it copies and
        // keeps the semispace threshold.
        // Two unproductive compactions in a row, so that a state that grew once
        // (an array made in the loop's first round) does not back off.
        let freed = (grown + m.copied).saturating_sub(copied);
        let unproductive = freed.saturating_mul(2) < copied;
        let factor = if unproductive && m.unproductive { 8 } else { 2 };
        m.unproductive = unproductive;
        FLOOR.max(copied.saturating_mul(factor))
    };
    m.copied = copied;
    m.due = region.mapped + growth;
    // Keep as many free chunks as the next epoch will use, and no more: for an
    // immutable state also what the old generation will take before its next major
    // compaction (about its size again), which it would otherwise fault in afresh.
    let keep = if generational {
        growth.max(m.old_bytes)
    } else {
        growth
    };
    region.limit_spares((keep / CHUNK_SIZE as u64) as usize + 1);
}

impl State {
    /// Parses `layout` into `words` and indexes its entries into `starts`;
    /// answers how many words and entries there are.
    fn parse(&mut self, layout: &[u8]) -> (usize, usize) {
        self.words.reset_with_capacity(layout.len() / 2 + 1);
        let words = match carried::parse_words(layout, self.words.as_mut_slice()) {
            Ok(n) => n,
            Err(_) => io::fatal(b"internal runtime error: malformed carried-state layout"),
        };
        self.starts.reset_with_capacity(words + 1);
        let words_slice = &self.words.as_mut_slice()[..words];
        match carried::index_entries(words_slice, self.starts.as_mut_slice()) {
            Ok(n) => (words, n),
            Err(_) => io::fatal(b"internal runtime error: malformed carried-state layout"),
        }
    }

    /// The address ranges of the epoch, sorted, with the number of each one's
    /// first bit in `moved` (cleared): the chunks newer than `base`, the part of
    /// `base` from `from` (`base` 0: every chunk), and the large mappings newer
    /// than `large`.
    fn epoch(&mut self, region: &Region, base: usize, from: usize, large: usize) {
        self.ranges.reset_with_capacity(16);
        let mut chunk = region.chunk;
        while chunk != base {
            // SAFETY: every chunk in the chain starts with a header.
            let header = unsafe { (chunk as *const Header).read() };
            // The whole chunk, header included (nothing points at a header), so
            // that chunks the kernel mapped side by side make one range.
            self.ranges.push((chunk, chunk + header.len, 0));
            chunk = header.prev;
        }
        if base != 0 {
            // SAFETY: as above.
            let base_end = base + unsafe { (*(base as *const Header)).len };
            if from < base_end {
                self.ranges.push((from, base_end, 0));
            }
        }
        let mut mapping = region.large;
        while mapping != large && mapping != 0 {
            // SAFETY: every large mapping starts with a header.
            let header = unsafe { (mapping as *const Header).read() };
            self.ranges.push((mapping, mapping + header.len, 0));
            mapping = header.prev;
        }
        let n = self.ranges.len;
        let ranges = self.ranges.as_mut_slice();
        ranges[..n].sort_unstable_by_key(|r| r.0);
        // Merge ranges that touch: fewer steps in each pointer's search.
        let mut merged = 0;
        for i in 0..n {
            if merged > 0 && ranges[merged - 1].1 == ranges[i].0 {
                ranges[merged - 1].1 = ranges[i].1;
            } else {
                ranges[merged] = ranges[i];
                merged += 1;
            }
        }
        self.ranges.len = merged;
        let mut bits = 0;
        for r in &mut self.ranges.as_mut_slice()[..merged] {
            r.2 = bits;
            bits += (r.1 - r.0).div_ceil(8);
        }
        let moved_words = bits.div_ceil(64);
        self.moved.reset_with_capacity(moved_words);
        self.moved.as_mut_slice()[..moved_words].fill(0);
    }
}

/// Evacuates the values reachable from `roots` that lie in the epoch and frees
/// the epoch; answers the bytes copied. A major compaction's epoch is everything
/// after the mark; a minor one's is what was allocated since the last compaction
/// (the *young* memory), and its copies are appended to the old generation.
/// Either way the rounds that follow allocate in a chunk of their own, so the
/// old generation's last chunk keeps room for the next minor compaction's copies.
///
/// # Safety
/// As [`compact_point`]; a minor compaction needs an immutable layout and an
/// earlier compaction at this mark.
#[allow(clippy::too_many_arguments)]
unsafe fn compact(
    region: &mut Region,
    m: &mut Mark,
    major: bool,
    roots: usize,
    state: &mut State,
    words: usize,
    entries: usize,
) -> u64 {
    // The epoch, and where the copies go: fresh chunks linked after the mark's
    // chunk (major) or the rest of the old generation's last chunk, then fresh
    // ones (minor). The region's spare chunks are used first.
    let mut to = Region::empty();
    let (base_large, live_before) = if major {
        // The mark (in the loop's frame) saved where the region stood: the rest of
        // that chunk (none if the region had none) and everything newer.
        state.epoch(region, m.chunk, m.cursor, m.large);
        let end = if m.chunk == 0 {
            0
        } else {
            // SAFETY: the mark's chunk is in the chain (the loop is running).
            m.chunk + unsafe { (*(m.chunk as *const Header)).len }
        };
        (to.chunk, to.cursor, to.end) = (m.chunk, end, end);
        (m.large, m.live)
    } else {
        state.epoch(region, m.old_chunk, m.old_end, m.old_large);
        (to.chunk, to.cursor, to.end) = (m.old_chunk, m.old_cursor, m.old_end);
        (m.old_large, m.live + m.old_bytes)
    };
    let base_chunk = to.chunk;
    to.spare = core::mem::replace(&mut region.spare, 0);
    to.spare_count = core::mem::replace(&mut region.spare_count, 0);
    state.work.reset_with_capacity(64);
    state.views.reset_with_capacity(16);
    state.arrays.reset_with_capacity(16);
    state.done.reset_with_capacity(16);
    let mut evac = Evacuation {
        words: state.words.as_slice_full(words),
        starts: state.starts.as_slice_full(entries),
        ranges: state.ranges.as_slice(),
        moved: &mut state.moved,
        work: &mut state.work,
        views: &mut state.views,
        arrays: &mut state.arrays,
        done: &mut state.done,
        to: &mut to,
        copied: 0,
    };
    // SAFETY: the caller's contract: `roots` holds a value of entry 0.
    unsafe { evac.visit(roots, 0) };
    loop {
        while let Some(w) = evac.work.pop() {
            for i in 0..w.count {
                // SAFETY: `w` describes copies this evacuation made.
                unsafe { evac.visit(w.at + i * w.stride, w.entry) };
            }
        }
        if evac.views.len == 0 {
            break;
        }
        evac.copy_views();
    }
    let copied = evac.copied;

    // Free the epoch; the copies (whose chunks are linked after `base_chunk`)
    // take its place.
    region.pop_to(base_chunk, base_large);
    forget(region, live_before);
    region.chunk = to.chunk;
    region.cursor = to.cursor;
    region.end = to.end;
    if to.large != 0 {
        let oldest = oldest_in_chain(to.large);
        // SAFETY: `oldest` is a large mapping of `to`, which starts with a header.
        unsafe { (*(oldest as *mut Header)).prev = region.large };
        region.large = to.large;
    }
    region.mapped += to.mapped;
    region.live += copied;
    // The spare chunks `to` did not use go back to the region (or to the kernel).
    let mut spare = to.spare;
    while spare != 0 {
        // SAFETY: spare chunks start with a header.
        let next = unsafe { (*(spare as *const Header)).prev };
        region.keep_spare(spare);
        spare = next;
    }
    // The old generation ends here; the next rounds start a chunk of their own.
    (m.old_chunk, m.old_cursor, m.old_end, m.old_large) =
        (region.chunk, region.cursor, region.end, region.large);
    region.begin_chunk();
    m.mapped = region.mapped;
    let stats = stats();
    stats.compactions += 1;
    stats.copied_bytes += copied;
    stats.major_compactions += u64::from(major);
    copied
}

/// The first chunk (or large mapping) of a chain: the one with no `prev`.
fn oldest_in_chain(mut at: usize) -> usize {
    loop {
        // SAFETY: every chunk and large mapping starts with a header.
        let prev = unsafe { (*(at as *const Header)).prev };
        if prev == 0 {
            return at;
        }
        at = prev;
    }
}

impl<T: Copy> Scratch<T> {
    /// The first `len` elements (written by the parser).
    fn as_slice_full(&self, len: usize) -> &[T] {
        // SAFETY: `len <= cap` (the parser wrote them) and the memory is mapped.
        unsafe { core::slice::from_raw_parts(self.ptr, len) }
    }
}

struct Evacuation<'a> {
    words: &'a [i64],
    starts: &'a [usize],
    ranges: &'a [(usize, usize, usize)],
    moved: &'a mut Scratch<u64>,
    work: &'a mut Scratch<Work>,
    views: &'a mut Scratch<View>,
    arrays: &'a mut Scratch<(usize, usize, usize)>,
    done: &'a mut Scratch<(usize, usize)>,
    to: &'a mut Region,
    copied: u64,
}

fn read_usize(at: usize) -> usize {
    // SAFETY: callers read fields of values the layout describes.
    unsafe { (at as *const usize).read_unaligned() }
}

fn write_usize(at: usize, value: usize) {
    // SAFETY: callers write pointer fields of values the layout describes.
    unsafe { (at as *mut usize).write_unaligned(value) }
}

impl Evacuation<'_> {
    fn word(&self, entry: usize, i: usize) -> i64 {
        self.words[self.starts[entry] + i]
    }

    /// Whether `p` points into the epoch.
    fn in_epoch(&self, p: usize) -> bool {
        self.moved_bit(p).is_some()
    }

    /// The number of the bit of `moved` for the word at `p`, if `p` is in the epoch.
    fn moved_bit(&self, p: usize) -> Option<usize> {
        let i = self.ranges.partition_point(|r| r.0 <= p);
        let (start, end, base) = *self.ranges.get(i.checked_sub(1)?)?;
        (p < end).then(|| base + (p - start) / 8)
    }

    /// Where the cell whose bit is `bit` was copied, if it was.
    fn moved_to(&self, p: usize, bit: usize) -> Option<usize> {
        let word = self.moved.as_slice_cap()[bit / 64];
        (word >> (bit % 64) & 1 == 1).then(|| read_usize(p))
    }

    /// A copy of `size` bytes at `old` in the new chunks.
    fn copy(&mut self, old: usize, size: usize, align: usize) -> usize {
        let to = &mut *self.to;
        let rounded = size.next_multiple_of(8);
        let new = if to.chunk != 0 && align <= 8 && rounded <= to.end - to.cursor {
            // The bump of `Region::alloc`, inline: the cursor stays 8-aligned.
            let at = to.cursor;
            to.cursor += rounded;
            at
        } else {
            to.alloc(size, align) as usize
        };
        if size.is_multiple_of(8) && size <= 64 {
            // A cell: a few words, without a call into `memcpy`.
            for i in (0..size).step_by(8) {
                // SAFETY: `old` is `size` bytes of the epoch; `new` a fresh
                // allocation (a slice of an array may start unaligned).
                unsafe {
                    ((new + i) as *mut u64)
                        .write_unaligned(((old + i) as *const u64).read_unaligned())
                };
            }
        } else {
            // SAFETY: `old` is `size` bytes of the epoch; `new` a fresh allocation.
            unsafe { core::ptr::copy_nonoverlapping(old as *const u8, new as *mut u8, size) };
        }
        self.copied += size as u64;
        count_allocation(size);
        new
    }

    /// Fixes the value of entry `entry` at `at`: every pointer it holds into the
    /// epoch is replaced by the pointer to a copy.
    ///
    /// # Safety
    /// `at` must hold a value of that entry.
    unsafe fn visit(&mut self, at: usize, entry: usize) {
        match self.word(entry, 0) {
            STRING => {
                let p = read_usize(at);
                let len = read_usize(at + LEN_OFFSET);
                if len == 0 || !self.in_epoch(p) {
                    return;
                }
                self.view(View {
                    slot: at,
                    start: p,
                    end: p + len,
                    elem: -1,
                    size: 1,
                    align: 1,
                });
            }
            ARRAY => {
                let p = read_usize(at);
                let len = read_usize(at + LEN_OFFSET);
                let (elem, size, align) = (
                    self.word(entry, 1),
                    self.word(entry, 2) as usize,
                    self.word(entry, 3) as usize,
                );
                let bytes = len * size;
                if bytes == 0 || !self.in_epoch(p) {
                    return;
                }
                self.view(View {
                    slot: at,
                    start: p,
                    end: p + bytes,
                    elem,
                    size,
                    align,
                });
            }
            BOX => {
                let p = read_usize(at);
                let Some(bit) = self.moved_bit(p) else {
                    return;
                };
                let (target, size, align) = (
                    self.word(entry, 1),
                    self.word(entry, 2) as usize,
                    self.word(entry, 3) as usize,
                );
                self.move_cell(at, p, bit, target, size, align);
            }
            STRUCT => {
                let n = self.word(entry, 1) as usize;
                for i in 0..n {
                    let offset = self.word(entry, 2 + 2 * i) as usize;
                    let field = self.word(entry, 3 + 2 * i);
                    if field >= 0 {
                        // SAFETY: the field lies inside the value at `at`.
                        unsafe { self.visit(at + offset, field as usize) };
                    }
                }
            }
            OPTION => {
                // SAFETY: an option starts with its byte tag.
                let some = unsafe { (at as *const u8).read() } != 0;
                let payload = self.word(entry, 2);
                if some && payload >= 0 {
                    let offset = self.word(entry, 1) as usize;
                    // SAFETY: a `Some` holds its payload at that offset.
                    unsafe { self.visit(at + offset, payload as usize) };
                }
            }
            UNION_VALUE => {
                // SAFETY: a union value starts with its `i32` tag.
                let tag = unsafe { (at as *const i32).read_unaligned() };
                let n = self.word(entry, 2);
                if tag < 0 || i64::from(tag) >= n {
                    io::fatal(b"internal runtime error: union tag out of range in compaction");
                }
                let case = self.word(entry, 3 + tag as usize);
                if case >= 0 {
                    let offset = self.word(entry, 1) as usize;
                    // SAFETY: the case's fields are the payload.
                    unsafe { self.visit(at + offset, case as usize) };
                }
            }
            BOXED_UNION => {
                let p = read_usize(at);
                let Some(bit) = self.moved_bit(p) else {
                    return;
                };
                if let Some(new) = self.moved_to(p, bit) {
                    // Copied already: its first word (the tag) is the forwarding address.
                    write_usize(at, new);
                    return;
                }
                let only = self.word(entry, 1);
                let n = self.word(entry, 2);
                let tag = if only >= 0 {
                    only
                } else {
                    // SAFETY: a tagged cell starts with its `i32` tag.
                    i64::from(unsafe { (p as *const i32).read_unaligned() })
                };
                if tag < 0 || tag >= n {
                    io::fatal(b"internal runtime error: union tag out of range in compaction");
                }
                let base = 3 + 3 * tag as usize;
                let (size, align, fields) = (
                    self.word(entry, base) as usize,
                    self.word(entry, base + 1) as usize,
                    self.word(entry, base + 2),
                );
                if size == 0 {
                    io::fatal(b"internal runtime error: a fieldless case in the heap");
                }
                self.move_cell(at, p, bit, fields, size, align);
            }
            _ => io::fatal(b"internal runtime error: malformed carried-state layout"),
        }
    }

    /// A view of string or array memory in the epoch: pointed at the copy that holds
    /// all of it if there is one, else kept until every view reachable so far is
    /// known (a slice shares the memory of the array it views, a substring that of
    /// its string).
    fn view(&mut self, v: View) {
        let arrays = self.arrays.as_slice();
        let i = arrays.partition_point(|a| a.0 <= v.start);
        if let Some(&(old, old_end, new)) = i.checked_sub(1).and_then(|i| arrays.get(i)) {
            if v.end <= old_end {
                write_usize(v.slot, new + (v.start - old));
                self.done.push((v.slot, v.start));
                return;
            }
        }
        self.views.push(v);
    }

    /// Copies the views met so far. Views whose memory overlaps are copied as one
    /// stretch, each stretch once, so a slice and its array still share memory after
    /// the copy, and a thousand substrings of one string cost one copy of it. A
    /// stretch that overlaps memory copied earlier (a view met only after its
    /// stretch was copied and reaching beyond it) is copied anew with it: the earlier
    /// copy's contents (already scanned) go into the new copy, and the views that
    /// pointed into the earlier copy, and views whose `{ptr, len}` lies inside it,
    /// are moved to the new one. Called when the work list is empty.
    fn copy_views(&mut self) {
        let n = self.views.len;
        self.views.as_mut_slice()[..n].sort_unstable_by_key(|v| v.start);
        let old_stretches = self.arrays.len;
        let mut i = 0;
        while i < n {
            let first = self.views.as_slice()[i];
            let (mut start, mut end, mut align) = (first.start, first.end, first.align);
            let mut j = i + 1;
            // The earlier stretches merged into this one: `arrays[k..k_end]`.
            let k = self.arrays.as_slice()[..old_stretches].partition_point(|a| a.1 <= start);
            let mut k_end = k;
            loop {
                while j < n && self.views.as_slice()[j].start < end {
                    let v = self.views.as_slice()[j];
                    end = end.max(v.end);
                    align = align.max(v.align);
                    j += 1;
                }
                let arrays = &self.arrays.as_slice()[..old_stretches];
                if k_end < old_stretches && arrays[k_end].0 < end {
                    start = start.min(arrays[k_end].0);
                    end = end.max(arrays[k_end].1);
                    k_end += 1;
                } else {
                    break;
                }
            }
            let new = self.copy(start, end - start, align);
            // The parts not copied before are scanned; the parts copied before come
            // from their earlier copy, whose contents are scanned already.
            let mut scanned_to = start;
            for a in k..k_end {
                let (old, old_end, earlier) = self.arrays.as_slice()[a];
                if old == old_end {
                    // Merged into an earlier group of this batch already.
                    continue;
                }
                self.scan_later(first, scanned_to, old, new.wrapping_sub(start));
                // SAFETY: both are copies of `old_end - old` bytes made by this
                // evacuation, and distinct.
                unsafe {
                    core::ptr::copy_nonoverlapping(
                        earlier as *const u8,
                        (new + (old - start)) as *mut u8,
                        old_end - old,
                    )
                };
                self.repoint(old, old_end, earlier, new + (old - start), i);
                // Stays sorted and disjoint: emptied, dropped at the end.
                self.arrays.as_mut_slice()[a] = (old, old, earlier);
                scanned_to = old_end;
            }
            self.scan_later(first, scanned_to, end, new.wrapping_sub(start));
            for v in i..j {
                let v = self.views.as_slice()[v];
                write_usize(v.slot, new + (v.start - start));
                self.done.push((v.slot, v.start));
            }
            self.arrays.push((start, end, new));
            i = j;
        }
        self.views.len = 0;
        // Drop the emptied stretches, and sort.
        let m = self.arrays.len;
        let arrays = self.arrays.as_mut_slice();
        let mut kept = 0;
        for a in 0..m {
            if arrays[a].0 != arrays[a].1 {
                arrays[kept] = arrays[a];
                kept += 1;
            }
        }
        self.arrays.len = kept;
        self.arrays.as_mut_slice()[..kept].sort_unstable_by_key(|a| a.0);
    }

    /// Schedules the scan of the elements of the old memory `[from, to)` (views of
    /// the entry and element size of `like`), copied at `from + delta`.
    fn scan_later(&mut self, like: View, from: usize, to: usize, delta: usize) {
        if like.elem >= 0 && like.size > 0 && to > from {
            self.work.push(Work {
                at: from.wrapping_add(delta),
                entry: like.elem as usize,
                count: (to - from) / like.size,
                stride: like.size,
            });
        }
    }

    /// The earlier copy at `earlier` of the old memory `[old, old_end)` is now at
    /// `moved`: the views pointed into it point into the new copy, and the views
    /// whose `{ptr, len}` lies inside it (a slice held in an array) are found there
    /// (those done, and those of this batch from `pending` on).
    fn repoint(&mut self, old: usize, old_end: usize, earlier: usize, moved: usize, pending: usize) {
        let len = old_end - old;
        let inside = |slot: usize| slot >= earlier && slot < earlier + len;
        for d in self.done.as_mut_slice_len() {
            if inside(d.0) {
                d.0 = d.0 - earlier + moved;
            }
            if d.1 >= old && d.1 < old_end {
                write_usize(d.0, moved + (d.1 - old));
            }
        }
        let n = self.views.len;
        for v in &mut self.views.as_mut_slice()[pending..n] {
            if inside(v.slot) {
                v.slot = v.slot - earlier + moved;
            }
        }
    }

    /// The cell at `p` (in the epoch, bit `bit` of `moved`) is copied once; `at` is
    /// made to point at the copy, whose contents (entry `fields`) are scanned later.
    /// The old cell's first word then holds the copy's address (cells take at least
    /// a word: the region rounds every allocation up to 8 bytes). A cell of no bytes
    /// (a `unit ref`) is never read: its pointer stays, and it is not marked, since
    /// the next object may have the same address.
    fn move_cell(&mut self, at: usize, p: usize, bit: usize, fields: i64, size: usize, align: usize) {
        if size == 0 {
            return;
        }
        if let Some(new) = self.moved_to(p, bit) {
            write_usize(at, new);
            return;
        }
        let new = self.copy(p, size, align);
        write_usize(p, new);
        self.moved.as_mut_slice()[bit / 64] |= 1 << (bit % 64);
        write_usize(at, new);
        if fields >= 0 {
            self.work.push(Work {
                at: new,
                entry: fields as usize,
                count: 1,
                stride: 0,
            });
        }
    }
}

impl<T: Copy> Scratch<T> {
    /// Every slot (the `moved` bitmap is used by capacity, not length).
    fn as_slice_cap(&self) -> &[T] {
        // SAFETY: `cap` elements are mapped and were filled.
        unsafe { core::slice::from_raw_parts(self.ptr, self.cap) }
    }
}
