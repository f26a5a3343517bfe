//! Heap allocation: the inline bump of the runtime's current region with its call to
//! `clef_rt_alloc` when the request does not fit, and the rvalues that allocate
//! through it (`AllocArray`, `Box`) or read what they made (`Unbox`). The region
//! layout it relies on is `runtime/src/region_layout.rs`, compiled here as
//! `region_layout` and asserted against the runtime's `Region` in
//! `runtime/src/region.rs`.

use crate::function::FnEmitter;
use crate::types::mlir_ty;
use composer_lower::mir::{Operand, RtFn, Ty};

#[allow(dead_code)] // `MARK_SIZE` is the lowering's (a mark slot)
#[path = "../../../runtime/src/region_layout.rs"]
mod region_layout;

pub use region_layout::{
    MARK_DUE_OFFSET, REGION_CURSOR_ALIGN, REGION_CURSOR_OFFSET, REGION_END_OFFSET,
    REGION_MAPPED_OFFSET,
};

/// The runtime's pointer to the current region, a `*mut Region`
/// (`runtime/src/region.rs`; `crates/runtime/tests/abi/` checks that the runtime
/// exports it).
pub(crate) const CURRENT_REGION: &str = "clef_rt_current_region";

impl FnEmitter<'_> {
    /// The runtime's current region (a `*mut Region`), loaded.
    fn current_region(&mut self) -> String {
        self.declarations.uses_current_region = true;
        let slot = self.fresh();
        self.line(&format!(
            "{slot} = llvm.mlir.addressof @{CURRENT_REGION} : !llvm.ptr"
        ));
        let region = self.fresh();
        self.line(&format!(
            "{region} = llvm.load {slot} : !llvm.ptr -> !llvm.ptr"
        ));
        region
    }

    /// `Rvalue::CompactDue`: the current region's mapped bytes against the mark's
    /// `due`, both read from memory (`region_layout.rs`).
    pub(crate) fn compact_due(&mut self, mark: &Operand) -> String {
        let region = self.current_region();
        let mapped_at = self.fresh();
        self.line(&format!(
            "{mapped_at} = llvm.getelementptr {region}[{REGION_MAPPED_OFFSET}] : (!llvm.ptr) -> !llvm.ptr, i8"
        ));
        let mapped = self.fresh();
        self.line(&format!(
            "{mapped} = llvm.load {mapped_at} : !llvm.ptr -> i64"
        ));
        let m = self.operand(mark);
        let mark_ptr = self.fresh();
        self.line(&format!(
            "{mark_ptr} = llvm.inttoptr {m} : i64 to !llvm.ptr"
        ));
        let due_at = self.fresh();
        self.line(&format!(
            "{due_at} = llvm.getelementptr {mark_ptr}[{MARK_DUE_OFFSET}] : (!llvm.ptr) -> !llvm.ptr, i8"
        ));
        let due = self.fresh();
        self.line(&format!("{due} = llvm.load {due_at} : !llvm.ptr -> i64"));
        let r = self.fresh();
        self.line(&format!("{r} = arith.cmpi uge, {mapped}, {due} : i64"));
        r
    }

    /// `size` bytes (at least one) aligned to `align` in the current region.
    pub(crate) fn root_alloc(&mut self, size: u64, align: u64) -> String {
        let sz = self.fresh();
        self.line(&format!("{sz} = arith.constant {} : i64", size.max(1)));
        self.alloc_bytes(&sz, align, false)
    }

    /// `bytes` (an i64 value) aligned to `align` in the current region. Unless the
    /// program counts its allocations (`--alloc-stats`), the common case is inline:
    /// bump the current region's cursor when the request fits before its end, else
    /// call `clef_rt_alloc` (a new chunk, a large mapping, or an exhausted arena's
    /// panic). `unbounded`: the size may be huge (an array length times the element
    /// size), so the bump is checked for wrapping around too.
    fn alloc_bytes(&mut self, bytes: &str, align: u64, unbounded: bool) -> String {
        self.declarations
            .runtime
            .insert(RtFn::Alloc.symbol(), RtFn::Alloc);
        let align = align.max(1).next_power_of_two();
        let al = self.fresh();
        self.line(&format!("{al} = arith.constant {align} : i64"));
        let raw = bytes.to_string();
        let call = |e: &mut Self| {
            let p = e.fresh();
            e.line(&format!(
                "{p} = func.call @clef_rt_alloc({raw}, {al}) : (i64, i64) -> !llvm.ptr"
            ));
            p
        };
        if self.program.count_allocations {
            return call(self);
        }
        let region = self.current_region();
        let cursor_at = self.fresh();
        self.line(&format!(
            "{cursor_at} = llvm.getelementptr {region}[{REGION_CURSOR_OFFSET}] : (!llvm.ptr) -> !llvm.ptr, i8"
        ));
        let end_at = self.fresh();
        self.line(&format!(
            "{end_at} = llvm.getelementptr {region}[{REGION_END_OFFSET}] : (!llvm.ptr) -> !llvm.ptr, i8"
        ));
        let cursor = self.fresh();
        self.line(&format!(
            "{cursor} = llvm.load {cursor_at} : !llvm.ptr -> i64"
        ));
        let end = self.fresh();
        self.line(&format!("{end} = llvm.load {end_at} : !llvm.ptr -> i64"));
        // The cursor is always a multiple of REGION_CURSOR_ALIGN (the runtime rounds
        // every allocation up to it), so only larger alignments need rounding, and
        // the size is rounded up to keep the cursor aligned.
        let start = if align > REGION_CURSOR_ALIGN {
            self.round_up(&cursor, align)
        } else {
            cursor
        };
        let bytes = self.round_up(bytes, REGION_CURSOR_ALIGN);
        let next = self.fresh();
        self.line(&format!("{next} = arith.addi {start}, {bytes} : i64"));
        let mut fits = self.fresh();
        self.line(&format!("{fits} = arith.cmpi ule, {next}, {end} : i64"));
        if unbounded {
            // Neither the rounding nor the bump may wrap around.
            for (big, small) in [
                (bytes.as_str(), raw.as_str()),
                (next.as_str(), start.as_str()),
            ] {
                let no_wrap = self.fresh();
                self.line(&format!("{no_wrap} = arith.cmpi uge, {big}, {small} : i64"));
                let both = self.fresh();
                self.line(&format!("{both} = arith.andi {fits}, {no_wrap} : i1"));
                fits = both;
            }
        }
        self.scf_if(
            &fits,
            "!llvm.ptr",
            |e| {
                e.line(&format!(
                    "  llvm.store {next}, {cursor_at} : i64, !llvm.ptr"
                ));
                let fast = e.fresh();
                e.line(&format!(
                    "  {fast} = llvm.inttoptr {start} : i64 to !llvm.ptr"
                ));
                fast
            },
            call,
        )
    }

    /// `value` (an i64) rounded up to a multiple of `align`, a power of two.
    fn round_up(&mut self, value: &str, align: u64) -> String {
        let up = self.fresh();
        self.line(&format!("{up} = arith.constant {} : i64", align - 1));
        let bumped = self.fresh();
        self.line(&format!("{bumped} = arith.addi {value}, {up} : i64"));
        let mask = self.fresh();
        self.line(&format!(
            "{mask} = arith.constant {} : i64",
            -(align as i64)
        ));
        let rounded = self.fresh();
        self.line(&format!("{rounded} = arith.andi {bumped}, {mask} : i64"));
        rounded
    }

    /// A new array of `len` elements of type `elem` (`Rvalue::AllocArray`).
    pub(crate) fn alloc_array(&mut self, elem: &Ty, len: &Operand) -> String {
        self.declarations
            .runtime
            .insert(RtFn::Alloc.symbol(), RtFn::Alloc);
        let (size, align) = self.program.size_align(elem);
        let n = self.operand(len);
        let sz = self.fresh();
        self.line(&format!("{sz} = arith.constant {size} : i64"));
        let product = self.fresh();
        self.line(&format!("{product} = arith.muli {n}, {sz} : i64"));
        // A length (never negative) whose byte count does not fit in i64 asks
        // for u64::MAX bytes: the runtime reports that it is out of memory.
        let limit = self.fresh();
        self.line(&format!(
            "{limit} = arith.constant {} : i64",
            i64::MAX as u64 / size.max(1)
        ));
        let over = self.fresh();
        self.line(&format!("{over} = arith.cmpi ugt, {n}, {limit} : i64"));
        let all = self.fresh();
        self.line(&format!("{all} = arith.constant -1 : i64"));
        let bytes = self.fresh();
        self.line(&format!(
            "{bytes} = arith.select {over}, {all}, {product} : i64"
        ));
        let p = self.alloc_bytes(&bytes, align, true);
        self.make_pair(&p, &n)
    }

    /// A new cell holding `v` (`Rvalue::Box`: a ref cell or a captured mutable).
    pub(crate) fn box_value(&mut self, v: &Operand) -> String {
        let ty = self.operand_ty(v);
        let (size, align) = self.program.size_align(&ty);
        let x = self.operand(v);
        let p = self.root_alloc(size, align);
        if !ty.is_unit() {
            self.line(&format!(
                "llvm.store {x}, {p} : {}, !llvm.ptr",
                mlir_ty(self.program, &ty)
            ));
        }
        p
    }

    /// The value in a cell (`Rvalue::Unbox`), of type `dest`; `None` for unit.
    pub(crate) fn unbox(&mut self, v: &Operand, dest: &Ty) -> Option<String> {
        self.load(v, dest)
    }

    /// Stores `v` into the cell `p` (`Stmt::StoreBoxed`).
    pub(crate) fn store_boxed(&mut self, p: &Operand, v: &Operand) {
        self.store(p, v);
    }
}
