//! What generated code knows about a region: the one definition of the numbers
//! its inline bump allocation uses. Three crates compile this file: the runtime
//! (`crate::region_layout`), whose `region.rs` asserts at compile time that its
//! `Region` has this layout, `composer-alex` (through `#[path]` in
//! `crates/alex/src/alloc.rs`), which emits its loads and stores from these
//! numbers, and `composer-lower` (`lower/loops.rs`), which sizes a compacted
//! loop's mark slot. So a change to either side either follows the other or fails to
//! build the runtime. Plain constants only: one side builds this `no_std` for
//! the target, the other for the host.

/// Byte offset in a region of its bump cursor, the 64-bit address of the next
/// free byte.
pub const REGION_CURSOR_OFFSET: u64 = 0;
/// Byte offset in a region of its end, the 64-bit address one past the last byte
/// the cursor may reach.
pub const REGION_END_OFFSET: u64 = 8;
/// Byte offset in a region of the bytes of chunks and large mappings in its chain,
/// a 64-bit count that a compacted loop's carry point compares with its mark's
/// `due` (`region/compact.rs`).
pub const REGION_MAPPED_OFFSET: u64 = 16;
/// Byte offset in a region mark of `due`: the value of the region's mapped bytes
/// at which the loop that made the mark compacts next.
pub const MARK_DUE_OFFSET: u64 = 0;
/// Size in bytes of a region mark, a multiple of 8: a compacted loop keeps its
/// mark in a frame slot of this size (`RtFn::CompactBegin`).
pub const MARK_SIZE: u64 = 120;
/// Every region's cursor stays a multiple of this (allocations are rounded up to
/// it), so generated code bumps without aligning for anything up to this size.
pub const REGION_CURSOR_ALIGN: u64 = 8;
