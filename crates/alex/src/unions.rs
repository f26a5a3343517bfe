//! Union values: building them (`MakeUnion`), testing and reading their case
//! (`IsCase`, `UnionTag`) and reading a case's field (`UnionField`), for both layouts
//! lowering chooses (`UnionLayout::boxed`). An unboxed union is `{tag, payload}`, built
//! and taken apart through a per-function scratch slot of its type; a boxed union is a
//! pointer: a fieldless case is its number, a case with fields a cell in the current
//! region. Also the shared zero cell that a boxed union's all-zero value reads from.

use crate::function::FnEmitter;
use crate::types::{struct_ty, union_ty};
use composer_lower::mir::{Function, Operand, Program, Rvalue, Stmt, Ty, UnionId};

/// All zeros: the fields of a boxed union's zero value (see [`zero_cell_words`]).
pub(crate) const ZERO_CELL: &str = "clef_zero_cell";

/// The size in words of the cell a boxed union's all-zero value (a null pointer: case
/// 0) reads its fields from, when some boxed union's case 0 has fields
/// (`Array.zeroCreate` of such a union); `None` when no union needs it.
pub(crate) fn zero_cell_words(program: &Program) -> Option<u64> {
    program
        .unions
        .iter()
        .enumerate()
        .filter(|(_, l)| l.boxed && l.cases.first().is_some_and(|c| !c.fields.is_empty()))
        .map(|(u, _)| {
            let u = UnionId(u as u32);
            let ((size, _), _) = program.struct_layout(&program.unions[u.index()].cases[0].fields);
            (program.boxed_payload_offset(u) + size).div_ceil(8)
        })
        .max()
}

/// Unions whose values this function builds or takes apart through memory.
pub(crate) fn union_scratch(p: &Program, f: &Function) -> Vec<UnionId> {
    let mut out = Vec::new();
    for b in &f.blocks {
        for s in &b.stmts {
            let r = match s {
                Stmt::Assign(_, r) | Stmt::Eval(r) => r,
                _ => continue,
            };
            let u = match r {
                Rvalue::MakeUnion { union, .. } => Some(*union),
                Rvalue::UnionField { value, .. } => match f.operand_ty(value) {
                    Ty::Union(u) => Some(u),
                    _ => None,
                },
                _ => None,
            };
            if let Some(u) = u.filter(|u| !p.unions[u.index()].boxed) {
                if !out.contains(&u) {
                    out.push(u);
                }
            }
        }
    }
    out.sort();
    out
}

/// The scratch slot of an unboxed union in the current function (see [`union_scratch`]).
pub(crate) fn scratch_slot(u: UnionId) -> String {
    format!("%u{}", u.0)
}

impl FnEmitter<'_> {
    /// The union an operand is a value of; `None` when it is not a union.
    pub(crate) fn union_of(&self, value: &Operand) -> Option<UnionId> {
        match self.operand_ty(value) {
            Ty::Union(u) => Some(u),
            _ => None,
        }
    }

    /// A value of case `case` of a union, with these fields (`Rvalue::MakeUnion`).
    pub(crate) fn make_union(&mut self, union: UnionId, case: u32, fields: &[Operand]) -> String {
        if self.program.unions[union.index()].boxed {
            self.make_boxed_union(union, case, fields)
        } else {
            self.make_unboxed_union(union, case, fields)
        }
    }

    fn make_unboxed_union(&mut self, union: UnionId, case: u32, fields: &[Operand]) -> String {
        let ut = union_ty(self.program, union);
        let tag = self.fresh();
        self.line(&format!("{tag} = arith.constant {case} : i32"));
        let field_tys = self.program.unions[union.index()].cases[case as usize]
            .fields
            .clone();
        let (_, has_payload) = self.program.union_payload(union);
        if fields.is_empty() || !has_payload {
            let u = self.fresh();
            self.line(&format!("{u} = llvm.mlir.undef : {ut}"));
            let v = self.fresh();
            self.line(&format!("{v} = llvm.insertvalue {tag}, {u}[0] : {ut}"));
            return v;
        }
        // The case's fields go through the union's scratch slot: write the tag
        // and the case struct, read the union back (SROA removes the slot).
        let (cv, cs) = self.build_struct(fields, &field_tys);
        let slot = scratch_slot(union);
        let tp = self.fresh();
        self.line(&format!(
            "{tp} = llvm.getelementptr {slot}[0, 0] : (!llvm.ptr) -> !llvm.ptr, {ut}"
        ));
        self.line(&format!("llvm.store {tag}, {tp} : i32, !llvm.ptr"));
        let pp = self.fresh();
        self.line(&format!(
            "{pp} = llvm.getelementptr {slot}[0, 1] : (!llvm.ptr) -> !llvm.ptr, {ut}"
        ));
        self.line(&format!("llvm.store {cv}, {pp} : {cs}, !llvm.ptr"));
        let v = self.fresh();
        self.line(&format!("{v} = llvm.load {slot} : !llvm.ptr -> {ut}"));
        v
    }

    /// A value of a boxed union (`UnionLayout::boxed`): a fieldless case is its
    /// number as a pointer; a case with fields a new cell `{tag: i32, fields}` with
    /// the fields at offset 8.
    fn make_boxed_union(&mut self, union: UnionId, case: u32, fields: &[Operand]) -> String {
        let field_tys = self.program.unions[union.index()].cases[case as usize]
            .fields
            .clone();
        if field_tys.is_empty() {
            let n = self.fresh();
            self.line(&format!("{n} = arith.constant {case} : i64"));
            let p = self.fresh();
            self.line(&format!("{p} = llvm.inttoptr {n} : i64 to !llvm.ptr"));
            return p;
        }
        let ((size, align), _) = self.program.struct_layout(&field_tys);
        let offset = self.program.boxed_payload_offset(union);
        let cell = self.root_alloc(offset + size, align.max(8));
        if offset > 0 {
            let tag = self.fresh();
            self.line(&format!("{tag} = arith.constant {case} : i32"));
            self.line(&format!("llvm.store {tag}, {cell} : i32, !llvm.ptr"));
        }
        let (cv, cs) = self.build_struct(fields, &field_tys);
        let pp = self.fresh();
        self.line(&format!(
            "{pp} = llvm.getelementptr {cell}[{offset}] : (!llvm.ptr) -> !llvm.ptr, i8"
        ));
        self.line(&format!("llvm.store {cv}, {pp} : {cs}, !llvm.ptr"));
        cell
    }

    /// Whether a union value is of case `case`. A boxed union's fieldless case is
    /// the pointer compared with its number; a case with fields is a pointer past
    /// the small numbers, and then (when cells are tagged) the cell's tag.
    pub(crate) fn is_case(&mut self, union: UnionId, v: &Operand, case: u32) -> String {
        let layout = &self.program.unions[union.index()];
        if !layout.boxed {
            let tag = self.union_tag(union, v);
            let k = self.fresh();
            self.line(&format!("{k} = arith.constant {case} : i32"));
            let r = self.fresh();
            self.line(&format!("{r} = arith.cmpi eq, {tag}, {k} : i32"));
            return r;
        }
        let fieldless = layout.cases[case as usize].fields.is_empty();
        let tagged = self.program.only_case_with_fields(union).is_none();
        let x = self.operand(v);
        if fieldless {
            let n = self.fresh();
            self.line(&format!("{n} = llvm.ptrtoint {x} : !llvm.ptr to i64"));
            let k = self.fresh();
            self.line(&format!("{k} = arith.constant {case} : i64"));
            let r = self.fresh();
            self.line(&format!("{r} = arith.cmpi eq, {n}, {k} : i64"));
            return r;
        }
        let (n, cell) = self.compare_with_case_count(union, &x, "uge");
        // The all-zero value (null) is case 0, even when case 0 has fields.
        let or_zero = |e: &mut Self, r: String| {
            if case != 0 {
                return r;
            }
            let zero = e.fresh();
            e.line(&format!("{zero} = arith.constant 0 : i64"));
            let is_null = e.fresh();
            e.line(&format!("{is_null} = arith.cmpi eq, {n}, {zero} : i64"));
            let either = e.fresh();
            e.line(&format!("{either} = arith.ori {is_null}, {r} : i1"));
            either
        };
        if !tagged {
            return or_zero(self, cell);
        }
        let r = self.scf_if(
            &cell,
            "i1",
            |e| {
                let tag = e.fresh();
                e.line(&format!("  {tag} = llvm.load {x} : !llvm.ptr -> i32"));
                let k = e.fresh();
                e.line(&format!("  {k} = arith.constant {case} : i32"));
                let same = e.fresh();
                e.line(&format!("  {same} = arith.cmpi eq, {tag}, {k} : i32"));
                same
            },
            |e| {
                let no = e.fresh();
                e.line(&format!("  {no} = arith.constant false"));
                no
            },
        );
        or_zero(self, r)
    }

    /// The case number of a union value (`i32`).
    pub(crate) fn union_tag(&mut self, union: UnionId, v: &Operand) -> String {
        if self.program.unions[union.index()].boxed {
            return self.boxed_union_tag(union, v);
        }
        let ut = union_ty(self.program, union);
        let x = self.operand(v);
        self.extract(&x, &ut, 0)
    }

    /// The case number of a boxed union value: the pointer itself when it is
    /// smaller than the number of cases (a fieldless case), else the cell's tag,
    /// or the one case with fields when the cell has no tag.
    fn boxed_union_tag(&mut self, union: UnionId, v: &Operand) -> String {
        let x = self.operand(v);
        let (n, small) = self.compare_with_case_count(union, &x, "ult");
        let direct = self.fresh();
        self.line(&format!("{direct} = arith.trunci {n} : i64 to i32"));
        if let Some(only) = self.program.only_case_with_fields(union) {
            let k = self.fresh();
            self.line(&format!("{k} = arith.constant {only} : i32"));
            let t = self.fresh();
            self.line(&format!("{t} = arith.select {small}, {direct}, {k} : i32"));
            return t;
        }
        self.scf_if(
            &small,
            "i32",
            |_| direct,
            |e| {
                let loaded = e.fresh();
                e.line(&format!("  {loaded} = llvm.load {x} : !llvm.ptr -> i32"));
                loaded
            },
        )
    }

    /// A boxed union pointer `x` as an integer, and `x <pred> case count` (`ult`:
    /// a fieldless case; `uge`: a cell).
    fn compare_with_case_count(&mut self, union: UnionId, x: &str, pred: &str) -> (String, String) {
        let cases = self.program.unions[union.index()].cases.len();
        let n = self.fresh();
        self.line(&format!("{n} = llvm.ptrtoint {x} : !llvm.ptr to i64"));
        let limit = self.fresh();
        self.line(&format!("{limit} = arith.constant {cases} : i64"));
        let r = self.fresh();
        self.line(&format!("{r} = arith.cmpi {pred}, {n}, {limit} : i64"));
        (n, r)
    }

    /// Field `index` of case `case` of a union value (`Rvalue::UnionField`); `None`
    /// for a unit field.
    pub(crate) fn union_field(
        &mut self,
        u: UnionId,
        value: &Operand,
        case: u32,
        index: u32,
    ) -> Option<String> {
        let field_tys = self.program.unions[u.index()].cases[case as usize]
            .fields
            .clone();
        let fty = &field_tys[index as usize];
        if fty.is_unit() {
            return None;
        }
        let cs = struct_ty(self.program, &field_tys);
        let x = self.operand(value);
        let pp = self.fresh();
        if self.program.unions[u.index()].boxed {
            // The case's fields follow the tag (if any) in the cell. The zero
            // value (null, case 0) reads zero fields from the shared zero cell.
            let offset = self.program.boxed_payload_offset(u);
            let cell = if case == 0 && !field_tys.is_empty() {
                let zero = self.fresh();
                self.line(&format!(
                    "{zero} = llvm.mlir.addressof @{ZERO_CELL} : !llvm.ptr"
                ));
                let null = self.fresh();
                self.line(&format!("{null} = llvm.mlir.zero : !llvm.ptr"));
                let is_null = self.fresh();
                self.line(&format!(
                    "{is_null} = llvm.icmp \"eq\" {x}, {null} : !llvm.ptr"
                ));
                let cell = self.fresh();
                self.line(&format!(
                    "{cell} = arith.select {is_null}, {zero}, {x} : !llvm.ptr"
                ));
                cell
            } else {
                x.clone()
            };
            self.line(&format!(
                "{pp} = llvm.getelementptr {cell}[{offset}] : (!llvm.ptr) -> !llvm.ptr, i8"
            ));
        } else {
            // Through the union's scratch slot.
            let ut = union_ty(self.program, u);
            let slot = scratch_slot(u);
            self.line(&format!("llvm.store {x}, {slot} : {ut}, !llvm.ptr"));
            self.line(&format!(
                "{pp} = llvm.getelementptr {slot}[0, 1] : (!llvm.ptr) -> !llvm.ptr, {ut}"
            ));
        }
        Some(self.load_field(&pp, &cs, index, fty))
    }
}
