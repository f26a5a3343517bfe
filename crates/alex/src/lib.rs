//! Alex: MIR → MLIR text.
//!
//! Guarantees over MIR: the program is one MLIR module in the portable dialects
//! `func`, `arith` and `cf`, with the `llvm` dialect only at the platform edge
//! (stack slots, globals, pointers, aggregate values and the runtime's C ABI).
//! MIR locals that are assigned in one block and read only later in it, and
//! parameters never reassigned, are plain SSA values; every other local gets one
//! stack slot (`llvm.alloca` in the entry block), which LLVM's SROA/mem2reg turns back
//! into registers, the way Clang's output works.
//! The text is what `mlir-opt` then lowers (DESIGN §3).

use composer_lower::mir::{
    Abi, BinOp, Callee, Const, Function, LocalId, Operand, Program, RtFn, Rvalue, Stmt, Terminator,
    Ty, UnOp,
};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Emits the MLIR module for a MIR program.
pub fn emit_module(program: &Program) -> String {
    let mut out = String::from("module {\n");
    out.push_str("  llvm.mlir.global internal constant @clef_empty_string(\"\\00\") {addr_space = 0 : i32} : !llvm.array<1 x i8>\n");
    for (i, s) in program.strings.iter().enumerate() {
        if !s.is_empty() {
            let _ = writeln!(
                out,
                "  llvm.mlir.global internal constant @str{i}(\"{}\") {{addr_space = 0 : i32}} : !llvm.array<{} x i8>",
                escape_bytes(s.as_bytes()),
                s.len()
            );
        }
    }
    for (i, g) in program.globals.iter().enumerate() {
        if g.ty.is_unit() {
            continue;
        }
        let t = mlir_ty(program, &g.ty);
        let _ = writeln!(
            out,
            "  llvm.mlir.global internal @g{i}() {{addr_space = 0 : i32}} : {t} {{"
        );
        let _ = writeln!(out, "    %z = llvm.mlir.zero : {t}");
        let _ = writeln!(out, "    llvm.return %z : {t}");
        out.push_str("  }\n");
    }
    let mut runtime: BTreeMap<&'static str, RtFn> = BTreeMap::new();
    let mut intrinsics: BTreeMap<String, String> = BTreeMap::new();
    let mut uses_current_region = false;
    for f in &program.functions {
        let mut e = FnEmitter {
            program,
            func: f,
            out: String::new(),
            next: 0,
            runtime: &mut runtime,
            intrinsics: &mut intrinsics,
            ssa: vec![None; f.locals.len()],
            is_ssa: ssa_locals(f),
            uses_current_region: &mut uses_current_region,
        };
        e.emit();
        out.push_str(&e.out);
    }
    for (name, rt) in &runtime {
        let (params, ret) = rt.signature();
        let mut ps = Vec::new();
        for p in params {
            match p {
                Abi::Str => {
                    ps.push("!llvm.ptr".to_string());
                    ps.push("i64".to_string());
                }
                other => ps.push(abi_ty(other).to_string()),
            }
        }
        let r = match ret {
            Some(r) => format!(" -> {}", abi_ty(r)),
            None => String::new(),
        };
        let _ = writeln!(out, "  func.func private @{name}({}){r}", ps.join(", "));
    }
    for decl in intrinsics.values() {
        let _ = writeln!(out, "  {decl}");
    }
    // The cell a boxed union's all-zero value (a null pointer: case 0) reads its fields
    // from, when case 0 has fields (`Array.zeroCreate` of such a union).
    let zero_cell_words = program
        .unions
        .iter()
        .enumerate()
        .filter(|(_, l)| l.boxed && l.cases.first().is_some_and(|c| !c.fields.is_empty()))
        .map(|(u, _)| {
            let u = composer_lower::mir::UnionId(u as u32);
            let ((size, _), _) = program.struct_layout(&program.unions[u.index()].cases[0].fields);
            (program.boxed_payload_offset(u) + size).div_ceil(8)
        })
        .max();
    if let Some(words) = zero_cell_words {
        let t = format!("!llvm.array<{words} x i64>");
        let _ = writeln!(
            out,
            "  llvm.mlir.global internal constant @{ZERO_CELL}() {{addr_space = 0 : i32}} : {t} {{"
        );
        let _ = writeln!(out, "    %z = llvm.mlir.zero : {t}");
        let _ = writeln!(out, "    llvm.return %z : {t}");
        out.push_str("  }\n");
    }
    if uses_current_region {
        let _ = writeln!(
            out,
            "  llvm.mlir.global external @{CURRENT_REGION}() {{addr_space = 0 : i32}} : !llvm.ptr"
        );
    }
    if program.functions.iter().any(uses_try_readln) {
        out.push_str("  func.func private @clef_rt_try_readln(!llvm.ptr) -> i8\n");
    }
    out.push_str("}\n");
    out
}

const STR_TY: &str = "!llvm.struct<(ptr, i64)>";

/// The runtime's pointer to the current region (`runtime/src/region.rs`), and the
/// offsets of the region's bump cursor and end in it (asserted there).
const CURRENT_REGION: &str = "clef_rt_current_region";
/// All zeros: the fields of a boxed union's zero value (see `emit_module`).
const ZERO_CELL: &str = "clef_zero_cell";
pub const REGION_CURSOR_OFFSET: u64 = 0;
pub const REGION_END_OFFSET: u64 = 8;
/// The runtime keeps every region's cursor a multiple of this (`CURSOR_ALIGN`).
pub const REGION_CURSOR_ALIGN: u64 = 8;

fn abi_ty(a: Abi) -> &'static str {
    match a {
        Abi::I8 => "i8",
        Abi::I32 => "i32",
        Abi::I64 => "i64",
        Abi::F32 => "f32",
        Abi::F64 => "f64",
        Abi::Ptr => "!llvm.ptr",
        Abi::Str => STR_TY,
    }
}

/// The MLIR type of a (non-unit) MIR type.
pub fn mlir_ty(p: &Program, t: &Ty) -> String {
    match t {
        Ty::Int { bits, .. } => format!("i{bits}"),
        Ty::Float { bits } => format!("f{bits}"),
        Ty::Bool => "i1".into(),
        Ty::Char => "i32".into(),
        Ty::Str | Ty::Array(_) => STR_TY.into(),
        Ty::Unit => "i1".into(),
        Ty::Ptr => "!llvm.ptr".into(),
        Ty::Option(inner) if inner.is_unit() => "!llvm.struct<(i1)>".into(),
        Ty::Option(inner) => format!("!llvm.struct<(i1, {})>", mlir_ty(p, inner)),
        Ty::Tuple(fields) => struct_ty(p, fields),
        Ty::Func(..) => FUNC_TY.into(),
        Ty::Union(u) if p.unions[u.index()].boxed => "!llvm.ptr".into(),
        Ty::Union(u) => union_ty(p, *u),
        Ty::Boxed(_) => "!llvm.ptr".into(),
    }
}

/// `{tag: i32, payload: [N x i64]}`, or `{tag: i32}` when no case has fields.
fn union_ty(p: &Program, u: composer_lower::mir::UnionId) -> String {
    match p.union_payload(u) {
        (words, true) => format!("!llvm.struct<(i32, array<{words} x i64>)>"),
        (_, false) => "!llvm.struct<(i32)>".into(),
    }
}

/// A function value: `{code, env}`.
const FUNC_TY: &str = "!llvm.struct<(ptr, ptr)>";

/// The MLIR type of a field inside an aggregate: unit is an empty struct.
fn field_ty(p: &Program, t: &Ty) -> String {
    if t.is_unit() {
        "!llvm.struct<()>".into()
    } else {
        mlir_ty(p, t)
    }
}

fn struct_ty(p: &Program, fields: &[Ty]) -> String {
    let parts: Vec<String> = fields.iter().map(|f| field_ty(p, f)).collect();
    format!("!llvm.struct<({})>", parts.join(", "))
}

/// The MLIR function type of a closure body `(env, arg) -> ret` (unit omitted).
fn closure_fn_ty(p: &Program, arg: &Ty, ret: &Ty) -> String {
    let mut params = vec!["!llvm.ptr".to_string()];
    if !arg.is_unit() {
        params.push(mlir_ty(p, arg));
    }
    let ret = if ret.is_unit() {
        "()".to_string()
    } else {
        mlir_ty(p, ret)
    };
    format!("({}) -> {ret}", params.join(", "))
}

fn escape_bytes(bytes: &[u8]) -> String {
    let mut s = String::new();
    for &b in bytes {
        if b.is_ascii_graphic() && b != b'"' && b != b'\\' || b == b' ' {
            s.push(b as char);
        } else {
            let _ = write!(s, "\\{b:02X}");
        }
    }
    s
}

/// The `(arg, ret)` of a closure body: its parameters are `(env: ptr, [arg])`.
fn closure_signature(f: &Function) -> (Ty, Ty) {
    let arg = f
        .params
        .get(1)
        .map(|p| f.local_ty(*p).clone())
        .unwrap_or(Ty::Unit);
    (arg, f.ret.clone())
}

/// Unions whose values this function builds or takes apart through memory.
fn union_scratch(p: &Program, f: &Function) -> Vec<composer_lower::mir::UnionId> {
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

fn uses_try_readln(f: &Function) -> bool {
    f.blocks.iter().any(|b| {
        b.stmts.iter().any(|s| {
            matches!(
                s,
                Stmt::Assign(_, Rvalue::TryReadln) | Stmt::Eval(Rvalue::TryReadln)
            )
        })
    })
}

struct FnEmitter<'a> {
    program: &'a Program,
    func: &'a Function,
    out: String,
    next: u32,
    runtime: &'a mut BTreeMap<&'static str, RtFn>,
    /// LLVM intrinsics called by name, with their declarations.
    intrinsics: &'a mut BTreeMap<String, String>,
    /// Set when the function bumps the current region inline.
    uses_current_region: &'a mut bool,
    /// Locals that need no stack slot: the SSA value that holds each (see
    /// [`ssa_locals`]); `None` for locals that live in a slot.
    ssa: Vec<Option<String>>,
    is_ssa: Vec<bool>,
}

/// Which locals can be plain SSA values instead of stack slots: parameters that are
/// never reassigned, and temporaries assigned once and used only later in the same
/// block. Everything else (mutable variables, values that flow between blocks) gets a
/// slot, which LLVM's mem2reg then promotes. Fewer slots means far less IR for the
/// tools to chew through.
fn ssa_locals(f: &Function) -> Vec<bool> {
    use composer_lower::mir::Terminator as T;
    let n = f.locals.len();
    let mut assigned = vec![0u32; n];
    let mut block_of: Vec<Option<usize>> = vec![None; n];
    let mut multi_block = vec![false; n];
    let mut used_before_def = vec![false; n];
    let mut defined = vec![false; n];
    let note =
        |l: LocalId, b: usize, multi: &mut Vec<bool>, blocks: &mut Vec<Option<usize>>| match blocks
            [l.index()]
        {
            None => blocks[l.index()] = Some(b),
            Some(x) if x != b => multi[l.index()] = true,
            _ => {}
        };
    for (bi, block) in f.blocks.iter().enumerate() {
        let mut uses: Vec<LocalId> = Vec::new();
        let visit_use = |op: &Operand, uses: &mut Vec<LocalId>| {
            if let Operand::Local(l) = op {
                uses.push(*l);
            }
        };
        for stmt in &block.stmts {
            uses.clear();
            let (def, rv_ops): (Option<LocalId>, Vec<&Operand>) = match stmt {
                Stmt::Assign(l, r) => (Some(*l), r.operands()),
                Stmt::Eval(r) => (None, r.operands()),
                Stmt::StoreGlobal(_, op) => (None, vec![op]),
                Stmt::ArraySet(a, i, v) => (None, vec![a, i, v]),
                Stmt::StoreBoxed(p, v) => (None, vec![p, v]),
            };
            for op in rv_ops {
                visit_use(op, &mut uses);
            }
            for l in &uses {
                if !defined[l.index()] {
                    used_before_def[l.index()] = true;
                }
                note(*l, bi, &mut multi_block, &mut block_of);
            }
            if let Some(l) = def {
                assigned[l.index()] += 1;
                defined[l.index()] = true;
                note(l, bi, &mut multi_block, &mut block_of);
            }
        }
        let term_ops: Vec<&Operand> = match &block.terminator {
            T::Branch { cond, .. } => vec![cond],
            T::Return(op) => vec![op],
            _ => vec![],
        };
        for op in term_ops {
            if let Operand::Local(l) = op {
                if !defined[l.index()] {
                    used_before_def[l.index()] = true;
                }
                note(*l, bi, &mut multi_block, &mut block_of);
            }
        }
        // Definitions do not carry across blocks for the "defined before use" test.
        for d in defined.iter_mut() {
            *d = false;
        }
    }
    let mut address_taken = vec![false; n];
    for block in &f.blocks {
        for stmt in &block.stmts {
            if let Stmt::Assign(_, r) | Stmt::Eval(r) = stmt {
                if let Some(l) = r.lent_slot() {
                    address_taken[l.index()] = true;
                }
            }
        }
    }
    (0..n)
        .map(|i| {
            if address_taken[i] {
                return false;
            }
            if f.params.contains(&LocalId(i as u32)) {
                assigned[i] == 0
            } else {
                assigned[i] == 1 && !multi_block[i] && !used_before_def[i]
            }
        })
        .collect()
}

impl FnEmitter<'_> {
    fn fresh(&mut self) -> String {
        self.next += 1;
        format!("%t{}", self.next)
    }

    fn line(&mut self, text: &str) {
        self.out.push_str("    ");
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// A struct value of these operands (of types `tys`; unit fields stay undefined):
    /// the value and its MLIR type.
    fn build_struct(&mut self, ops: &[Operand], tys: &[Ty]) -> (String, String) {
        let t = struct_ty(self.program, tys);
        let mut cur = self.fresh();
        self.line(&format!("{cur} = llvm.mlir.undef : {t}"));
        for (i, (op, ty)) in ops.iter().zip(tys).enumerate() {
            if ty.is_unit() {
                continue;
            }
            let v = self.operand(op);
            let next = self.fresh();
            self.line(&format!("{next} = llvm.insertvalue {v}, {cur}[{i}] : {t}"));
            cur = next;
        }
        (cur, t)
    }

    /// A value of a boxed union (`UnionLayout::boxed`): a fieldless case is its
    /// number as a pointer; a case with fields a new cell `{tag: i32, fields}` with
    /// the fields at offset 8.
    fn make_boxed_union(
        &mut self,
        union: composer_lower::mir::UnionId,
        case: u32,
        fields: &[Operand],
    ) -> String {
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
    fn is_case(&mut self, union: composer_lower::mir::UnionId, v: &Operand, case: u32) -> String {
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
        let r = self.fresh();
        self.line(&format!("{r} = scf.if {cell} -> (i1) {{"));
        let tag = self.fresh();
        self.line(&format!("  {tag} = llvm.load {x} : !llvm.ptr -> i32"));
        let k = self.fresh();
        self.line(&format!("  {k} = arith.constant {case} : i32"));
        let same = self.fresh();
        self.line(&format!("  {same} = arith.cmpi eq, {tag}, {k} : i32"));
        self.line(&format!("  scf.yield {same} : i1"));
        self.line("} else {");
        let no = self.fresh();
        self.line(&format!("  {no} = arith.constant false"));
        self.line(&format!("  scf.yield {no} : i1"));
        self.line("}");
        or_zero(self, r)
    }

    /// The case number of a union value (`i32`).
    fn union_tag(&mut self, union: composer_lower::mir::UnionId, v: &Operand) -> String {
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
    fn boxed_union_tag(&mut self, union: composer_lower::mir::UnionId, v: &Operand) -> String {
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
        let t = self.fresh();
        self.line(&format!("{t} = scf.if {small} -> (i32) {{"));
        self.line(&format!("  scf.yield {direct} : i32"));
        self.line("} else {");
        let loaded = self.fresh();
        self.line(&format!("  {loaded} = llvm.load {x} : !llvm.ptr -> i32"));
        self.line(&format!("  scf.yield {loaded} : i32"));
        self.line("}");
        t
    }

    /// A boxed union pointer `x` as an integer, and `x <pred> case count` (`ult`:
    /// a fieldless case; `uge`: a cell).
    fn compare_with_case_count(
        &mut self,
        union: composer_lower::mir::UnionId,
        x: &str,
        pred: &str,
    ) -> (String, String) {
        let cases = self.program.unions[union.index()].cases.len();
        let n = self.fresh();
        self.line(&format!("{n} = llvm.ptrtoint {x} : !llvm.ptr to i64"));
        let limit = self.fresh();
        self.line(&format!("{limit} = arith.constant {cases} : i64"));
        let r = self.fresh();
        self.line(&format!("{r} = arith.cmpi {pred}, {n}, {limit} : i64"));
        (n, r)
    }

    /// `size` bytes (at least one) aligned to `align` in the current region.
    fn root_alloc(&mut self, size: u64, align: u64) -> String {
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
        self.runtime.insert(RtFn::Alloc.symbol(), RtFn::Alloc);
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
        *self.uses_current_region = true;
        let slot = self.fresh();
        self.line(&format!(
            "{slot} = llvm.mlir.addressof @{CURRENT_REGION} : !llvm.ptr"
        ));
        let region = self.fresh();
        self.line(&format!(
            "{region} = llvm.load {slot} : !llvm.ptr -> !llvm.ptr"
        ));
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
            let up = self.fresh();
            self.line(&format!("{up} = arith.constant {} : i64", align - 1));
            let bumped = self.fresh();
            self.line(&format!("{bumped} = arith.addi {cursor}, {up} : i64"));
            let mask = self.fresh();
            self.line(&format!(
                "{mask} = arith.constant {} : i64",
                -(align as i64)
            ));
            let start = self.fresh();
            self.line(&format!("{start} = arith.andi {bumped}, {mask} : i64"));
            start
        } else {
            cursor
        };
        let bytes = {
            let up = self.fresh();
            self.line(&format!(
                "{up} = arith.constant {} : i64",
                REGION_CURSOR_ALIGN - 1
            ));
            let bumped = self.fresh();
            self.line(&format!("{bumped} = arith.addi {bytes}, {up} : i64"));
            let mask = self.fresh();
            self.line(&format!(
                "{mask} = arith.constant {} : i64",
                -(REGION_CURSOR_ALIGN as i64)
            ));
            let rounded = self.fresh();
            self.line(&format!("{rounded} = arith.andi {bumped}, {mask} : i64"));
            rounded
        };
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
        let p = self.fresh();
        self.line(&format!("{p} = scf.if {fits} -> (!llvm.ptr) {{"));
        self.line(&format!(
            "  llvm.store {next}, {cursor_at} : i64, !llvm.ptr"
        ));
        let fast = self.fresh();
        self.line(&format!(
            "  {fast} = llvm.inttoptr {start} : i64 to !llvm.ptr"
        ));
        self.line(&format!("  scf.yield {fast} : !llvm.ptr"));
        self.line("} else {");
        let slow = call(self);
        self.line(&format!("  scf.yield {slow} : !llvm.ptr"));
        self.line("}");
        p
    }

    fn slot(l: LocalId) -> String {
        format!("%s{}", l.0)
    }

    fn emit(&mut self) {
        let f = self.func;
        let params: Vec<String> = f
            .params
            .iter()
            .filter(|p| !f.local_ty(**p).is_unit())
            .map(|p| format!("%a{}: {}", p.0, mlir_ty(self.program, f.local_ty(*p))))
            .collect();
        let ret = if f.ret.is_unit() {
            String::new()
        } else {
            format!(" -> {}", mlir_ty(self.program, &f.ret))
        };
        let attrs = if f.is_export {
            ""
        } else {
            " attributes {llvm.linkage = #llvm.linkage<internal>}"
        };
        let _ = writeln!(
            self.out,
            "  func.func @{}({}){ret}{attrs} {{",
            f.name,
            params.join(", ")
        );
        // Entry: a stack slot for each local that is not an SSA value; parameters
        // that live in slots are stored into theirs.
        self.line("%one = arith.constant 1 : i64");
        for (i, l) in f.locals.iter().enumerate() {
            if l.ty.is_unit() || self.is_ssa[i] {
                continue;
            }
            let t = mlir_ty(self.program, &l.ty);
            let line = format!("%s{i} = llvm.alloca %one x {t} : (i64) -> !llvm.ptr");
            self.line(&line);
        }
        for u in union_scratch(self.program, f) {
            let ut = union_ty(self.program, u);
            self.line(&format!(
                "%u{} = llvm.alloca %one x {ut} : (i64) -> !llvm.ptr",
                u.0
            ));
        }
        if uses_try_readln(f) {
            self.line(&format!(
                "%readln_slot = llvm.alloca %one x {STR_TY} : (i64) -> !llvm.ptr"
            ));
        }
        for p in &f.params {
            let t = f.local_ty(*p);
            if t.is_unit() {
                continue;
            }
            if self.is_ssa[p.index()] {
                self.ssa[p.index()] = Some(format!("%a{}", p.0));
                continue;
            }
            let line = format!(
                "llvm.store %a{}, %s{} : {}, !llvm.ptr",
                p.0,
                p.0,
                mlir_ty(self.program, t)
            );
            self.line(&line);
        }
        self.line("cf.br ^bb0");
        for (i, b) in f.blocks.iter().enumerate() {
            let _ = writeln!(self.out, "  ^bb{i}:");
            for s in &b.stmts {
                self.stmt(s);
            }
            self.terminator(&b.terminator);
        }
        self.out.push_str("  }\n");
    }

    fn terminator(&mut self, t: &Terminator) {
        match t {
            Terminator::Goto(b) => self.line(&format!("cf.br ^bb{}", b.0)),
            Terminator::Branch {
                cond,
                then_block,
                else_block,
            } => {
                let c = self.operand(cond);
                self.line(&format!(
                    "cf.cond_br {c}, ^bb{}, ^bb{}",
                    then_block.0, else_block.0
                ));
            }
            Terminator::Return(op) => {
                if self.func.ret.is_unit() {
                    self.line("func.return");
                } else {
                    let v = self.operand(op);
                    let line = format!(
                        "func.return {v} : {}",
                        mlir_ty(self.program, &self.func.ret)
                    );
                    self.line(&line);
                }
            }
            Terminator::Unreachable => self.line("llvm.unreachable"),
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Assign(l, r) => {
                let ty = self.func.local_ty(*l).clone();
                if self.is_ssa[l.index()] {
                    self.ssa[l.index()] = self.rvalue(r, &ty);
                    return;
                }
                if let Some(v) = self.rvalue(r, &ty) {
                    let line = format!(
                        "llvm.store {v}, {} : {}, !llvm.ptr",
                        Self::slot(*l),
                        mlir_ty(self.program, &ty)
                    );
                    self.line(&line);
                }
            }
            Stmt::Eval(r) => {
                self.rvalue(r, &Ty::Unit);
            }
            Stmt::StoreBoxed(p, v) => {
                let ty = self.operand_ty(v);
                if ty.is_unit() {
                    return;
                }
                let ptr = self.operand(p);
                let val = self.operand(v);
                let line = format!(
                    "llvm.store {val}, {ptr} : {}, !llvm.ptr",
                    mlir_ty(self.program, &ty)
                );
                self.line(&line);
            }
            Stmt::ArraySet(a, i, v) => {
                if self.element_ty(a).is_unit() {
                    return;
                }
                let (ep, et) = self.element_ptr(a, i);
                let val = self.operand(v);
                self.line(&format!("llvm.store {val}, {ep} : {et}, !llvm.ptr"));
            }
            Stmt::StoreGlobal(g, op) => {
                let ty = self.program.globals[g.index()].ty.clone();
                let v = self.operand(op);
                let p = self.fresh();
                self.line(&format!("{p} = llvm.mlir.addressof @g{} : !llvm.ptr", g.0));
                self.line(&format!(
                    "llvm.store {v}, {p} : {}, !llvm.ptr",
                    mlir_ty(self.program, &ty)
                ));
            }
        }
    }

    fn operand_ty(&self, op: &Operand) -> Ty {
        self.func.operand_ty(op)
    }

    /// Materialises an operand as an SSA value.
    fn operand(&mut self, op: &Operand) -> String {
        match op {
            Operand::Local(l) if self.is_ssa[l.index()] => match &self.ssa[l.index()] {
                Some(v) => v.clone(),
                None => {
                    // A unit-typed or never-materialised value: an undefined placeholder.
                    let ty = self.func.local_ty(*l).clone();
                    let v = self.fresh();
                    self.line(&format!(
                        "{v} = llvm.mlir.undef : {}",
                        mlir_ty(self.program, &ty)
                    ));
                    v
                }
            },
            Operand::Local(l) => {
                let ty = self.func.local_ty(*l).clone();
                let v = self.fresh();
                let line = format!(
                    "{v} = llvm.load {} : !llvm.ptr -> {}",
                    Self::slot(*l),
                    mlir_ty(self.program, &ty)
                );
                self.line(&line);
                v
            }
            Operand::Const(c) => self.constant(c),
        }
    }

    fn constant(&mut self, c: &Const) -> String {
        let v = self.fresh();
        match c {
            Const::Int { value, bits, .. } => {
                let wrapped = wrap_signed(*value, *bits);
                self.line(&format!("{v} = arith.constant {wrapped} : i{bits}"));
            }
            Const::Float { value, bits } => {
                if *bits == 32 {
                    let b = (*value as f32).to_bits();
                    self.line(&format!("{v} = arith.constant 0x{b:08X} : f32"));
                } else {
                    let b = value.to_bits();
                    self.line(&format!("{v} = arith.constant 0x{b:016X} : f64"));
                }
            }
            Const::Bool(b) => self.line(&format!("{v} = arith.constant {b}")),
            Const::Char(c) => self.line(&format!("{v} = arith.constant {} : i32", *c as u32)),
            Const::Unit => self.line(&format!("{v} = arith.constant false")),
            Const::Str(id) => {
                let (p, n) = self.str_literal_parts(*id);
                return self.make_pair(&p, &n);
            }
        }
        v
    }

    /// The address and length of a string literal.
    fn str_literal_parts(&mut self, id: composer_lower::mir::StrId) -> (String, String) {
        let len = self.program.strings[id.index()].len();
        let p = self.fresh();
        if len == 0 {
            // Strings are never null (DESIGN §4): "" points at a shared byte.
            self.line(&format!(
                "{p} = llvm.mlir.addressof @clef_empty_string : !llvm.ptr"
            ));
        } else {
            self.line(&format!(
                "{p} = llvm.mlir.addressof @str{} : !llvm.ptr",
                id.0
            ));
        }
        let n = self.fresh();
        self.line(&format!("{n} = arith.constant {len} : i64"));
        (p, n)
    }

    /// The element type of an array (a string's elements are its bytes).
    fn element_ty(&self, array: &Operand) -> Ty {
        match self.operand_ty(array) {
            Ty::Array(e) => *e,
            Ty::Str => Ty::Int {
                bits: 8,
                signed: false,
            },
            _ => Ty::Unit,
        }
    }

    /// The address of element `index` of an array or string, and the element's
    /// MLIR type.
    fn element_ptr(&mut self, array: &Operand, index: &Operand) -> (String, String) {
        let elem = self.element_ty(array);
        let x = self.operand(array);
        let idx = self.operand(index);
        let p = self.extract(&x, STR_TY, 0);
        let ep = self.fresh();
        let et = mlir_ty(self.program, &elem);
        self.line(&format!(
            "{ep} = llvm.getelementptr {p}[{idx}] : (!llvm.ptr, i64) -> !llvm.ptr, {et}"
        ));
        (ep, et)
    }

    fn make_pair(&mut self, ptr: &str, len: &str) -> String {
        let u = self.fresh();
        self.line(&format!("{u} = llvm.mlir.undef : {STR_TY}"));
        let a = self.fresh();
        self.line(&format!("{a} = llvm.insertvalue {ptr}, {u}[0] : {STR_TY}"));
        let b = self.fresh();
        self.line(&format!("{b} = llvm.insertvalue {len}, {a}[1] : {STR_TY}"));
        b
    }

    fn extract(&mut self, agg: &str, agg_ty: &str, index: u32) -> String {
        let v = self.fresh();
        self.line(&format!(
            "{v} = llvm.extractvalue {agg}[{index}] : {agg_ty}"
        ));
        v
    }

    /// Emits an rvalue; returns its SSA value (None for unit results).
    fn rvalue(&mut self, r: &Rvalue, dest: &Ty) -> Option<String> {
        match r {
            Rvalue::Use(op) => {
                if self.operand_ty(op).is_unit() {
                    return None;
                }
                Some(self.operand(op))
            }
            Rvalue::Binary(op, a, b) => {
                let ty = self.operand_ty(a);
                let x = self.operand(a);
                let y = self.operand(b);
                Some(self.binary(*op, &ty, &x, &y))
            }
            Rvalue::Unary(op, a) => {
                let ty = self.operand_ty(a);
                let x = self.operand(a);
                let t = mlir_ty(self.program, &ty);
                let v = self.fresh();
                match (op, &ty) {
                    (UnOp::Neg, Ty::Float { .. }) => {
                        self.line(&format!("{v} = arith.negf {x} : {t}"))
                    }
                    (UnOp::Neg, _) => {
                        let z = self.fresh();
                        self.line(&format!("{z} = arith.constant 0 : {t}"));
                        self.line(&format!("{v} = arith.subi {z}, {x} : {t}"));
                    }
                    (UnOp::Not, Ty::Bool) => {
                        let k = self.fresh();
                        self.line(&format!("{k} = arith.constant true"));
                        self.line(&format!("{v} = arith.xori {x}, {k} : i1"));
                    }
                    (UnOp::Not, _) => {
                        let k = self.fresh();
                        self.line(&format!("{k} = arith.constant -1 : {t}"));
                        self.line(&format!("{v} = arith.xori {x}, {k} : {t}"));
                    }
                }
                Some(v)
            }
            Rvalue::Convert(a, to) => {
                let from = self.operand_ty(a);
                let x = self.operand(a);
                Some(self.convert(&x, &from, to))
            }
            Rvalue::Call(callee, args) => self.call(callee, args, dest),
            Rvalue::LoadGlobal(g) => {
                let ty = self.program.globals[g.index()].ty.clone();
                let p = self.fresh();
                self.line(&format!("{p} = llvm.mlir.addressof @g{} : !llvm.ptr", g.0));
                let v = self.fresh();
                self.line(&format!(
                    "{v} = llvm.load {p} : !llvm.ptr -> {}",
                    mlir_ty(self.program, &ty)
                ));
                Some(v)
            }
            Rvalue::Length(a) => {
                let x = self.operand(a);
                Some(self.extract(&x, STR_TY, 1))
            }
            Rvalue::ArrayGet(a, i) => {
                let (ep, et) = self.element_ptr(a, i);
                let v = self.fresh();
                self.line(&format!("{v} = llvm.load {ep} : !llvm.ptr -> {et}"));
                Some(v)
            }
            Rvalue::Slice { base, start, len } => {
                let (ep, _) = self.element_ptr(base, start);
                let n = self.operand(len);
                Some(self.make_pair(&ep, &n))
            }
            Rvalue::MakeArray { ptr, len } => {
                let p = self.operand(ptr);
                let n = self.operand(len);
                Some(self.make_pair(&p, &n))
            }
            Rvalue::AllocArray { elem, len } => {
                self.runtime.insert(RtFn::Alloc.symbol(), RtFn::Alloc);
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
                Some(self.make_pair(&p, &n))
            }
            Rvalue::MakeOption { ty, payload } => {
                let t = mlir_ty(self.program, ty);
                let z = self.fresh();
                self.line(&format!("{z} = llvm.mlir.zero : {t}"));
                let tag = self.fresh();
                self.line(&format!("{tag} = arith.constant {}", payload.is_some()));
                let mut cur = self.fresh();
                self.line(&format!("{cur} = llvm.insertvalue {tag}, {z}[0] : {t}"));
                if let Some(p) = payload {
                    if !self.operand_ty(p).is_unit() {
                        let v = self.operand(p);
                        let next = self.fresh();
                        self.line(&format!("{next} = llvm.insertvalue {v}, {cur}[1] : {t}"));
                        cur = next;
                    }
                }
                Some(cur)
            }
            Rvalue::OptionIsSome(a) => {
                let t = mlir_ty(self.program, &self.operand_ty(a));
                let x = self.operand(a);
                Some(self.extract(&x, &t, 0))
            }
            Rvalue::OptionPayload(a) => {
                let ty = self.operand_ty(a);
                if let Ty::Option(inner) = &ty {
                    if inner.is_unit() {
                        return None;
                    }
                }
                let t = mlir_ty(self.program, &ty);
                let x = self.operand(a);
                Some(self.extract(&x, &t, 1))
            }
            Rvalue::TryReadln => {
                let r = self.fresh();
                self.line(&format!(
                    "{r} = func.call @clef_rt_try_readln(%readln_slot) : (!llvm.ptr) -> i8"
                ));
                let tag = self.fresh();
                self.line(&format!("{tag} = arith.trunci {r} : i8 to i1"));
                let s = self.fresh();
                self.line(&format!(
                    "{s} = llvm.load %readln_slot : !llvm.ptr -> {STR_TY}"
                ));
                let t = format!("!llvm.struct<(i1, {STR_TY})>");
                let u = self.fresh();
                self.line(&format!("{u} = llvm.mlir.undef : {t}"));
                let a = self.fresh();
                self.line(&format!("{a} = llvm.insertvalue {tag}, {u}[0] : {t}"));
                let b = self.fresh();
                self.line(&format!("{b} = llvm.insertvalue {s}, {a}[1] : {t}"));
                Some(b)
            }
            Rvalue::TailCall(id, args) => {
                let target = &self.program.functions[id.index()];
                let mut vals = Vec::new();
                let mut tys = Vec::new();
                for a in args {
                    let t = self.operand_ty(a);
                    if t.is_unit() {
                        continue;
                    }
                    vals.push(self.operand(a));
                    tys.push(mlir_ty(self.program, &t));
                }
                let ret = if target.ret.is_unit() {
                    "()".to_string()
                } else {
                    mlir_ty(self.program, &target.ret)
                };
                let fn_ty = format!("({}) -> {ret}", tys.join(", "));
                let name = target.name.clone();
                let f = self.fresh();
                self.line(&format!("{f} = func.constant @{name} : {fn_ty}"));
                let p = self.fresh();
                self.line(&format!(
                    "{p} = builtin.unrealized_conversion_cast {f} : {fn_ty} to !llvm.ptr"
                ));
                let call = format!(
                    "llvm.call musttail {p}({}) : !llvm.ptr, ({}) -> {ret}",
                    vals.join(", "),
                    tys.join(", ")
                );
                if target.ret.is_unit() {
                    self.line(&call);
                    None
                } else {
                    let v = self.fresh();
                    self.line(&format!("{v} = {call}"));
                    Some(v)
                }
            }
            Rvalue::MakeUnion {
                union,
                case,
                fields,
            } if self.program.unions[union.index()].boxed => {
                Some(self.make_boxed_union(*union, *case, fields))
            }
            Rvalue::MakeUnion {
                union,
                case,
                fields,
            } => {
                let ut = union_ty(self.program, *union);
                let tag = self.fresh();
                self.line(&format!("{tag} = arith.constant {case} : i32"));
                let field_tys = self.program.unions[union.index()].cases[*case as usize]
                    .fields
                    .clone();
                let (_, has_payload) = self.program.union_payload(*union);
                if fields.is_empty() || !has_payload {
                    let u = self.fresh();
                    self.line(&format!("{u} = llvm.mlir.undef : {ut}"));
                    let v = self.fresh();
                    self.line(&format!("{v} = llvm.insertvalue {tag}, {u}[0] : {ut}"));
                    return Some(v);
                }
                // The case's fields go through the union's scratch slot: write the tag
                // and the case struct, read the union back (SROA removes the slot).
                let (cv, cs) = self.build_struct(fields, &field_tys);
                let slot = format!("%u{}", union.0);
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
                Some(v)
            }
            Rvalue::IsCase { value, case } => {
                let Ty::Union(u) = self.operand_ty(value) else {
                    return None;
                };
                Some(self.is_case(u, value, *case))
            }
            Rvalue::UnionTag(v) => {
                let Ty::Union(u) = self.operand_ty(v) else {
                    return None;
                };
                Some(self.union_tag(u, v))
            }
            Rvalue::UnionField { value, case, index } => {
                let Ty::Union(u) = self.operand_ty(value) else {
                    return None;
                };
                let field_tys = self.program.unions[u.index()].cases[*case as usize]
                    .fields
                    .clone();
                let fty = &field_tys[*index as usize];
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
                    let cell = if *case == 0 && !field_tys.is_empty() {
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
                    let slot = format!("%u{}", u.0);
                    self.line(&format!("llvm.store {x}, {slot} : {ut}, !llvm.ptr"));
                    self.line(&format!(
                        "{pp} = llvm.getelementptr {slot}[0, 1] : (!llvm.ptr) -> !llvm.ptr, {ut}"
                    ));
                }
                let fp = self.fresh();
                self.line(&format!(
                    "{fp} = llvm.getelementptr {pp}[0, {index}] : (!llvm.ptr) -> !llvm.ptr, {cs}"
                ));
                let v = self.fresh();
                self.line(&format!(
                    "{v} = llvm.load {fp} : !llvm.ptr -> {}",
                    mlir_ty(self.program, fty)
                ));
                Some(v)
            }
            Rvalue::AddrOf(l) => Some(Self::slot(*l)),
            Rvalue::Box(v) => {
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
                Some(p)
            }
            Rvalue::Unbox(v) => {
                if dest.is_unit() {
                    return None;
                }
                let x = self.operand(v);
                let r = self.fresh();
                self.line(&format!(
                    "{r} = llvm.load {x} : !llvm.ptr -> {}",
                    mlir_ty(self.program, dest)
                ));
                Some(r)
            }
            Rvalue::Zero(t) => {
                let v = self.fresh();
                self.line(&format!(
                    "{v} = llvm.mlir.zero : {}",
                    mlir_ty(self.program, t)
                ));
                Some(v)
            }
            Rvalue::MakeTuple(ops) => {
                let fields: Vec<Ty> = ops.iter().map(|o| self.operand_ty(o)).collect();
                Some(self.build_struct(ops, &fields).0)
            }
            Rvalue::TupleGet(op, index) => {
                let ty = self.operand_ty(op);
                let Ty::Tuple(fields) = &ty else {
                    return None;
                };
                if fields[*index as usize].is_unit() {
                    return None;
                }
                let x = self.operand(op);
                Some(self.extract(&x, &struct_ty(self.program, fields), *index))
            }
            Rvalue::MakeClosure {
                func,
                captures,
                env_slot,
            } => {
                let target = &self.program.functions[func.index()];
                let (arg, ret) = closure_signature(target);
                let fn_ty = closure_fn_ty(self.program, &arg, &ret);
                let name = target.name.clone();
                let f = self.fresh();
                self.line(&format!("{f} = func.constant @{name} : {fn_ty}"));
                let code = self.fresh();
                self.line(&format!(
                    "{code} = builtin.unrealized_conversion_cast {f} : {fn_ty} to !llvm.ptr"
                ));
                let env = if captures.is_empty() {
                    let z = self.fresh();
                    self.line(&format!("{z} = llvm.mlir.zero : !llvm.ptr"));
                    z
                } else {
                    let layout: Vec<Ty> = captures.iter().map(|c| self.operand_ty(c)).collect();
                    let (value, env_ty) = self.build_struct(captures, &layout);
                    let p = match env_slot {
                        // The frame's own slot: the closure cannot outlive it.
                        Some(l) => Self::slot(*l),
                        None => {
                            let ((size, align), _) = self.program.struct_layout(&layout);
                            self.root_alloc(size, align)
                        }
                    };
                    self.line(&format!("llvm.store {value}, {p} : {env_ty}, !llvm.ptr"));
                    p
                };
                let u = self.fresh();
                self.line(&format!("{u} = llvm.mlir.undef : {FUNC_TY}"));
                let a = self.fresh();
                self.line(&format!(
                    "{a} = llvm.insertvalue {code}, {u}[0] : {FUNC_TY}"
                ));
                let b = self.fresh();
                self.line(&format!("{b} = llvm.insertvalue {env}, {a}[1] : {FUNC_TY}"));
                Some(b)
            }
            Rvalue::EnvGet { env, layout, index } => {
                let fty = &layout[*index as usize];
                if fty.is_unit() {
                    return None;
                }
                let e = self.operand(env);
                let env_ty = struct_ty(self.program, layout);
                let p = self.fresh();
                self.line(&format!(
                    "{p} = llvm.getelementptr {e}[0, {index}] : (!llvm.ptr) -> !llvm.ptr, {env_ty}"
                ));
                let v = self.fresh();
                self.line(&format!(
                    "{v} = llvm.load {p} : !llvm.ptr -> {}",
                    mlir_ty(self.program, fty)
                ));
                Some(v)
            }
            Rvalue::CallClosure(c, a) => {
                let Ty::Func(arg, ret) = self.operand_ty(c) else {
                    return None;
                };
                let cv = self.operand(c);
                let code = self.extract(&cv, FUNC_TY, 0);
                let env = self.extract(&cv, FUNC_TY, 1);
                let mut vals = vec![env];
                let mut tys = vec!["!llvm.ptr".to_string()];
                if !arg.is_unit() {
                    vals.push(self.operand(a));
                    tys.push(mlir_ty(self.program, &arg));
                }
                if ret.is_unit() {
                    self.line(&format!(
                        "llvm.call {code}({}) : !llvm.ptr, ({}) -> ()",
                        vals.join(", "),
                        tys.join(", ")
                    ));
                    None
                } else {
                    let v = self.fresh();
                    self.line(&format!(
                        "{v} = llvm.call {code}({}) : !llvm.ptr, ({}) -> {}",
                        vals.join(", "),
                        tys.join(", "),
                        mlir_ty(self.program, &ret)
                    ));
                    Some(v)
                }
            }
            Rvalue::Select(c, a, b) => {
                let ty = self.operand_ty(a);
                if ty.is_unit() {
                    return None;
                }
                let cv = self.operand(c);
                let x = self.operand(a);
                let y = self.operand(b);
                let v = self.fresh();
                self.line(&format!(
                    "{v} = arith.select {cv}, {x}, {y} : {}",
                    mlir_ty(self.program, &ty)
                ));
                Some(v)
            }
        }
    }

    fn binary(&mut self, op: BinOp, ty: &Ty, x: &str, y: &str) -> String {
        let t = mlir_ty(self.program, ty);
        let v = self.fresh();
        let is_float = matches!(ty, Ty::Float { .. });
        let signed = matches!(ty, Ty::Int { signed: true, .. });
        let cmp = |float: &'static str, sint: &'static str, uint: &'static str| {
            if is_float {
                float
            } else if signed {
                sint
            } else {
                uint
            }
        };
        let text = match op {
            BinOp::Add => format!(
                "arith.{} {x}, {y} : {t}",
                if is_float { "addf" } else { "addi" }
            ),
            BinOp::Sub => format!(
                "arith.{} {x}, {y} : {t}",
                if is_float { "subf" } else { "subi" }
            ),
            BinOp::Mul => format!(
                "arith.{} {x}, {y} : {t}",
                if is_float { "mulf" } else { "muli" }
            ),
            BinOp::Div => format!("arith.{} {x}, {y} : {t}", cmp("divf", "divsi", "divui")),
            BinOp::Rem => format!("arith.{} {x}, {y} : {t}", cmp("remf", "remsi", "remui")),
            BinOp::And => format!("arith.andi {x}, {y} : {t}"),
            BinOp::Or => format!("arith.ori {x}, {y} : {t}"),
            BinOp::Xor => format!("arith.xori {x}, {y} : {t}"),
            BinOp::Shl => format!("arith.shli {x}, {y} : {t}"),
            BinOp::Shr => format!(
                "arith.{} {x}, {y} : {t}",
                if signed { "shrsi" } else { "shrui" }
            ),
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                if is_float {
                    let pred = match op {
                        BinOp::Eq => "oeq",
                        BinOp::Ne => "une",
                        BinOp::Lt => "olt",
                        BinOp::Le => "ole",
                        BinOp::Gt => "ogt",
                        _ => "oge",
                    };
                    format!("arith.cmpf {pred}, {x}, {y} : {t}")
                } else {
                    let pred = match (op, signed) {
                        (BinOp::Eq, _) => "eq",
                        (BinOp::Ne, _) => "ne",
                        (BinOp::Lt, true) => "slt",
                        (BinOp::Le, true) => "sle",
                        (BinOp::Gt, true) => "sgt",
                        (BinOp::Ge, true) => "sge",
                        (BinOp::Lt, false) => "ult",
                        (BinOp::Le, false) => "ule",
                        (BinOp::Gt, false) => "ugt",
                        _ => "uge",
                    };
                    format!("arith.cmpi {pred}, {x}, {y} : {t}")
                }
            }
        };
        self.line(&format!("{v} = {text}"));
        v
    }

    fn convert(&mut self, x: &str, from: &Ty, to: &Ty) -> String {
        let int_info = |t: &Ty| -> Option<(u32, bool)> {
            match t {
                Ty::Int { bits, signed } => Some((*bits, *signed)),
                Ty::Char => Some((32, false)),
                Ty::Bool => Some((1, false)),
                _ => None,
            }
        };
        let (ft, tt) = (mlir_ty(self.program, from), mlir_ty(self.program, to));
        let v = self.fresh();
        match (int_info(from), int_info(to), from, to) {
            (Some((fb, fs)), Some((tb, _)), _, _) => {
                if fb == tb {
                    return x.to_string();
                }
                let op = if tb < fb {
                    if tb == 1 {
                        // int → bool: nonzero test.
                        let z = self.fresh();
                        self.line(&format!("{z} = arith.constant 0 : {ft}"));
                        self.line(&format!("{v} = arith.cmpi ne, {x}, {z} : {ft}"));
                        return v;
                    }
                    "trunci"
                } else if fs {
                    "extsi"
                } else {
                    "extui"
                };
                self.line(&format!("{v} = arith.{op} {x} : {ft} to {tt}"));
            }
            (Some((_, fs)), None, _, Ty::Float { .. }) => {
                let op = if fs { "sitofp" } else { "uitofp" };
                self.line(&format!("{v} = arith.{op} {x} : {ft} to {tt}"));
            }
            (None, Some((tb, ts)), Ty::Float { bits: fb }, _) => {
                // Saturating, as .NET 9+ converts (NaN gives 0): plain `fptosi` would
                // give LLVM poison for NaN and out-of-range values.
                let op = if ts { "fptosi" } else { "fptoui" };
                let name = format!("llvm.{op}.sat.i{tb}.f{fb}");
                self.intrinsics
                    .insert(name.clone(), format!("llvm.func @{name}({ft}) -> {tt}"));
                self.line(&format!("{v} = llvm.call @{name}({x}) : ({ft}) -> {tt}"));
            }
            (None, None, Ty::Float { bits: fb }, Ty::Float { bits: tb }) => {
                if fb == tb {
                    return x.to_string();
                }
                let op = if tb > fb { "extf" } else { "truncf" };
                self.line(&format!("{v} = arith.{op} {x} : {ft} to {tt}"));
            }
            _ => return x.to_string(),
        }
        v
    }

    fn call(&mut self, callee: &Callee, args: &[Operand], dest: &Ty) -> Option<String> {
        match callee {
            Callee::Func(id) => {
                let target = &self.program.functions[id.index()];
                let mut vals = Vec::new();
                let mut tys = Vec::new();
                for a in args {
                    let t = self.operand_ty(a);
                    if t.is_unit() {
                        continue;
                    }
                    vals.push(self.operand(a));
                    tys.push(mlir_ty(self.program, &t));
                }
                let name = target.name.clone();
                if target.ret.is_unit() {
                    self.line(&format!(
                        "func.call @{name}({}) : ({}) -> ()",
                        vals.join(", "),
                        tys.join(", ")
                    ));
                    None
                } else {
                    let rt = mlir_ty(self.program, &target.ret);
                    let v = self.fresh();
                    self.line(&format!(
                        "{v} = func.call @{name}({}) : ({}) -> {rt}",
                        vals.join(", "),
                        tys.join(", ")
                    ));
                    Some(v)
                }
            }
            Callee::Runtime(rt) => {
                self.runtime.insert(rt.symbol(), *rt);
                let (params, ret) = rt.signature();
                let mut vals = Vec::new();
                let mut tys = Vec::new();
                for (a, abi) in args.iter().zip(params) {
                    let t = self.operand_ty(a);
                    if let (Abi::Str, Operand::Const(Const::Str(id))) = (abi, a) {
                        // A literal goes straight in as (address, length).
                        let (p, n) = self.str_literal_parts(*id);
                        vals.push(p);
                        vals.push(n);
                        tys.push("!llvm.ptr".to_string());
                        tys.push("i64".to_string());
                        continue;
                    }
                    let v = self.operand(a);
                    match abi {
                        Abi::Str => {
                            let p = self.extract(&v, STR_TY, 0);
                            let n = self.extract(&v, STR_TY, 1);
                            vals.push(p);
                            vals.push(n);
                            tys.push("!llvm.ptr".to_string());
                            tys.push("i64".to_string());
                        }
                        Abi::I8 if t == Ty::Bool => {
                            let w = self.fresh();
                            self.line(&format!("{w} = arith.extui {v} : i1 to i8"));
                            vals.push(w);
                            tys.push("i8".into());
                        }
                        other => {
                            vals.push(v);
                            tys.push(abi_ty(other).to_string());
                        }
                    }
                }
                let sym = rt.symbol();
                match ret {
                    None => {
                        self.line(&format!(
                            "func.call @{sym}({}) : ({}) -> ()",
                            vals.join(", "),
                            tys.join(", ")
                        ));
                        None
                    }
                    Some(r) => {
                        let v = self.fresh();
                        let rt_ty = abi_ty(r);
                        self.line(&format!(
                            "{v} = func.call @{sym}({}) : ({}) -> {rt_ty}",
                            vals.join(", "),
                            tys.join(", ")
                        ));
                        if r == Abi::I8 && *dest == Ty::Bool {
                            let b = self.fresh();
                            self.line(&format!("{b} = arith.trunci {v} : i8 to i1"));
                            return Some(b);
                        }
                        Some(v)
                    }
                }
            }
        }
    }
}

fn wrap_signed(value: i128, bits: u32) -> i128 {
    if bits >= 128 {
        return value;
    }
    let modulus = 1i128 << bits;
    let mut v = value.rem_euclid(modulus);
    if bits > 1 && v >= modulus / 2 {
        v -= modulus;
    }
    if bits == 1 {
        return v;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_unsigned_constants_into_signed_range() {
        assert_eq!(wrap_signed(u64::MAX as i128, 64), -1);
        assert_eq!(wrap_signed(255, 8), -1);
        assert_eq!(wrap_signed(-5, 64), -5);
    }

    #[test]
    fn escapes_string_bytes() {
        assert_eq!(escape_bytes(b"a\"b\n"), "a\\22b\\0A");
    }
}
