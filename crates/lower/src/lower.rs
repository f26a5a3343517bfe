//! PSG → MIR: monomorphisation, lambda lifting, and control-flow construction.
//!
//! Monomorphisation follows the usual worklist scheme (as in MLton or rustc's
//! collector): starting from the program entry, every call site names a function at
//! concrete types; each distinct (function, concrete signature, concrete capture
//! types) gets one MIR copy. Local functions are lambda-lifted (Johnsson, 1985):
//! their captured locals become extra leading parameters.

use crate::mir::{
    self, BinOp, Callee, Const, FuncId, LocalId, Operand, RtFn, Rvalue, Stmt, Terminator, UnOp,
};
use composer_diagnostics::{Code, Diagnostic, Span};
use composer_semantics::builtins::push_ty;
use composer_semantics::builtins::Builtin;
use composer_semantics::format::FormatPiece;
use composer_semantics::psg::{
    self, BindingId, BindingKind, ExprId, ExprKind, FunctionId, Psg, TopItem,
};
use composer_semantics::types::{Prim, Ty as PTy, TyCon, TyVar};
use rustc_hash::FxHashMap;

mod closure;
mod decision;
mod derive;

use closure::{split_fun, Callable};
use derive::{Derived, Structural};

type Subst = FxHashMap<TyVar, PTy>;

/// A MIR function still to be built.
#[derive(Debug, Clone)]
enum Work {
    Instance(InstanceKey),
    Stub(Callable, usize),
    Derived(Derived),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct InstanceKey {
    func: FunctionId,
    sig: PTy,
    captures: Vec<PTy>,
}

pub(crate) struct Lowerer<'a> {
    psg: &'a Psg,
    options: crate::LowerOptions,
    pub program: mir::Program,
    pub diags: Vec<Diagnostic>,
    instances: FxHashMap<InstanceKey, FuncId>,
    stubs: FxHashMap<(Callable, usize), FuncId>,
    worklist: Vec<(FuncId, Work)>,
    globals: FxHashMap<BindingId, mir::GlobalId>,
    strings: FxHashMap<String, mir::StrId>,
    union_ids: FxHashMap<PTy, mir::UnionId>,
    structural: FxHashMap<(Structural, mir::Ty), FuncId>,
    formatters: FxHashMap<(PTy, bool), FuncId>,
    unions_in_progress: Vec<(PTy, mir::UnionId)>,
    records_in_progress: Vec<PTy>,
}

/// Builds one MIR function.
struct Builder {
    func: mir::Function,
    current: mir::BlockId,
    terminated: bool,
    locals: FxHashMap<BindingId, LocalId>,
    subst: Subst,
    /// The function being built, for turning self tail calls into jumps.
    tail_self: Option<TailSelf>,
    /// Captured `let mutable`s whose local here holds the variable's address.
    by_ref: rustc_hash::FxHashSet<BindingId>,
    /// The application that `lower_tail` found as the last operand of `+` or `*` in
    /// tail position (`1 + f l + f r`): its base cases are not peeled, so that
    /// LLVM can still turn the call into a loop (accumulator tail recursion).
    keep_call: Option<ExprId>,
    /// Whether the call `invoke` is about to make may peel base cases.
    peel: bool,
}

/// What a self tail call needs: the instance, the parameter slots to reassign
/// (after the captured values) and the block to jump back to.
struct TailSelf {
    instance: FuncId,
    params: Vec<LocalId>,
    start: mir::BlockId,
    /// The mark taken at entry when each jump resets the round's allocations
    /// (`Psg::tail_regions`).
    mark: Option<Operand>,
}

impl Builder {
    fn new(name: String, ret: mir::Ty, subst: Subst) -> Self {
        Builder {
            func: mir::Function {
                name,
                params: Vec::new(),
                ret,
                locals: Vec::new(),
                blocks: vec![mir::Block {
                    stmts: Vec::new(),
                    terminator: Terminator::Unreachable,
                }],
                is_export: false,
            },
            current: mir::BlockId(0),
            terminated: false,
            locals: FxHashMap::default(),
            subst,
            tail_self: None,
            by_ref: Default::default(),
            keep_call: None,
            peel: false,
        }
    }

    fn new_local(&mut self, ty: mir::Ty, name: &str) -> LocalId {
        self.func.locals.push(mir::Local {
            name: name.to_string(),
            ty,
        });
        LocalId(self.func.locals.len() as u32 - 1)
    }

    fn new_block(&mut self) -> mir::BlockId {
        self.func.blocks.push(mir::Block {
            stmts: Vec::new(),
            terminator: Terminator::Unreachable,
        });
        mir::BlockId(self.func.blocks.len() as u32 - 1)
    }

    /// Opens a loop: jumps to a new block, `head`, and leaves the builder there to
    /// compute the loop's condition (then `loop_test`, the body, `loop_end`).
    fn loop_head(&mut self) -> mir::BlockId {
        let head = self.new_block();
        self.terminate(Terminator::Goto(head));
        self.switch_to(head);
        head
    }

    /// Ends the condition: while `cond` holds, continue in a new body block (where
    /// the builder is left); otherwise go to the returned exit block.
    fn loop_test(&mut self, cond: Operand) -> mir::BlockId {
        let (body, exit) = self.branch(cond);
        self.switch_to(body);
        exit
    }

    /// Ends the body: back to `head`; code after the loop goes into `exit`.
    fn loop_end(&mut self, head: mir::BlockId, exit: mir::BlockId) {
        self.terminate(Terminator::Goto(head));
        self.switch_to(exit);
    }

    /// Ends the current block with a branch on `cond` to two new blocks,
    /// `(then, else)`; the caller switches to one of them.
    fn branch(&mut self, cond: Operand) -> (mir::BlockId, mir::BlockId) {
        let then_block = self.new_block();
        let else_block = self.new_block();
        self.terminate(Terminator::Branch {
            cond,
            then_block,
            else_block,
        });
        (then_block, else_block)
    }

    /// A `bool` widened to the byte the runtime's ABI takes.
    fn bool_byte(&mut self, v: Operand) -> Operand {
        let byte = mir::Ty::Int {
            bits: 8,
            signed: false,
        };
        self.temp(Rvalue::Convert(v, byte.clone()), byte)
    }

    /// Whether a list value is a cons cell (`x :: rest`, union case 1).
    fn is_cons(&mut self, list: Operand) -> Operand {
        let tag = self.temp(Rvalue::UnionTag(list), mir::Ty::I32);
        self.temp(Rvalue::Binary(BinOp::Eq, tag, i32c(1)), mir::Ty::Bool)
    }

    fn switch_to(&mut self, b: mir::BlockId) {
        self.current = b;
        self.terminated = false;
    }

    fn ensure_open(&mut self) {
        if self.terminated {
            let b = self.new_block();
            self.switch_to(b);
        }
    }

    fn emit(&mut self, s: Stmt) {
        self.ensure_open();
        self.func.blocks[self.current.index()].stmts.push(s);
    }

    fn terminate(&mut self, t: Terminator) {
        if self.terminated {
            return;
        }
        self.func.blocks[self.current.index()].terminator = t;
        self.terminated = true;
    }

    /// Evaluates an rvalue into a fresh temporary.
    fn temp(&mut self, r: Rvalue, ty: mir::Ty) -> Operand {
        if ty.is_unit() {
            self.emit(Stmt::Eval(r));
            return Operand::Const(Const::Unit);
        }
        let l = self.new_local(ty, "");
        self.emit(Stmt::Assign(l, r));
        Operand::Local(l)
    }

    fn assign(&mut self, l: LocalId, r: Rvalue) {
        if self.func.locals[l.index()].ty.is_unit() {
            self.emit(Stmt::Eval(r));
        } else {
            self.emit(Stmt::Assign(l, r));
        }
    }

    fn call_rt(&mut self, rt: RtFn, args: Vec<Operand>, ret: mir::Ty) -> Operand {
        let r = Rvalue::Call(Callee::Runtime(rt), args);
        let out = self.temp(r, ret);
        if rt.diverges() {
            self.terminate(Terminator::Unreachable);
        }
        out
    }
}

/// Resets or releases a loop's iteration region, if it has one.
fn region_step(b: &mut Builder, mark: &Option<Operand>, step: RtFn) {
    if let Some(m) = mark {
        b.call_rt(step, vec![m.clone()], mir::Ty::Unit);
    }
}

fn int_const(value: i128, bits: u32, signed: bool) -> Operand {
    Operand::Const(Const::Int {
        value,
        bits,
        signed,
    })
}

fn i32c(v: i32) -> Operand {
    Operand::Const(Const::i32(v))
}

fn bool_const(b: bool) -> Operand {
    Operand::Const(Const::Bool(b))
}

/// Replaces variables by the substitution, and the rest by `unit`.
fn apply_subst(ty: &PTy, s: &Subst) -> PTy {
    match ty {
        PTy::Var(v) => match s.get(v) {
            Some(t) => apply_subst(t, s),
            None => PTy::UNIT,
        },
        PTy::Fun(a, b) => PTy::fun(apply_subst(a, s), apply_subst(b, s)),
        PTy::Tuple(ts) => PTy::Tuple(ts.iter().map(|t| apply_subst(t, s)).collect()),
        PTy::App(c, ts) => PTy::App(*c, ts.iter().map(|t| apply_subst(t, s)).collect()),
        PTy::Error | PTy::MeasureValue(_) => PTy::UNIT,
        // Units of measure are checked, then erased: `float<m>` is a `float`.
        PTy::Measured(b, _) => apply_subst(b, s),
        other => other.clone(),
    }
}

/// Extends `s` so that `generic` under `s` equals `concrete`.
fn match_ty(generic: &PTy, concrete: &PTy, s: &mut Subst) {
    match (generic, concrete) {
        (PTy::Measured(g, _), c) => match_ty(g, c, s),
        (PTy::Var(v), c) => {
            s.entry(*v).or_insert_with(|| c.clone());
        }
        (PTy::Fun(a1, b1), PTy::Fun(a2, b2)) => {
            match_ty(a1, a2, s);
            match_ty(b1, b2, s);
        }
        (PTy::Tuple(xs), PTy::Tuple(ys)) | (PTy::App(_, xs), PTy::App(_, ys)) => {
            for (x, y) in xs.iter().zip(ys.iter()) {
                match_ty(x, y, s);
            }
        }
        _ => {}
    }
}

fn prim_ty(p: Prim, word_bits: u32) -> mir::Ty {
    if let Some((bits, signed)) = p.int_info(word_bits) {
        return mir::Ty::Int { bits, signed };
    }
    match p {
        Prim::Float => mir::Ty::Float { bits: 64 },
        Prim::Float32 => mir::Ty::Float { bits: 32 },
        Prim::Bool => mir::Ty::Bool,
        Prim::Char => mir::Ty::Char,
        Prim::String => mir::Ty::Str,
        _ => mir::Ty::Unit,
    }
}

impl<'a> Lowerer<'a> {
    pub(crate) fn new(psg: &'a Psg, options: crate::LowerOptions) -> Self {
        Lowerer {
            psg,
            options,
            program: mir::Program::default(),
            diags: Vec::new(),
            instances: FxHashMap::default(),
            stubs: FxHashMap::default(),
            worklist: Vec::new(),
            union_ids: FxHashMap::default(),
            structural: FxHashMap::default(),
            formatters: FxHashMap::default(),
            unions_in_progress: Vec::new(),
            records_in_progress: Vec::new(),
            globals: FxHashMap::default(),
            strings: FxHashMap::default(),
        }
    }

    fn unsupported(&mut self, span: Span, what: &str) {
        let msg = format!("{what} is not supported by Composer yet");
        if !self
            .diags
            .iter()
            .any(|d| d.span == Some(span) && d.message == msg)
        {
            self.diags
                .push(Diagnostic::error(Code::Unsupported, span, msg));
        }
    }

    /// Converts a concrete PSG type to a MIR type.
    fn mir_ty(&mut self, ty: &PTy) -> mir::Ty {
        match ty {
            PTy::Prim(p) => prim_ty(*p, self.psg.target.word_bits),
            PTy::App(TyCon::Array, ts) => mir::Ty::Array(Box::new(self.mir_ty(&ts[0]))),
            PTy::App(TyCon::Option, ts) => mir::Ty::Option(Box::new(self.mir_ty(&ts[0]))),
            PTy::Fun(a, r) => mir::Ty::Func(Box::new(self.mir_ty(a)), Box::new(self.mir_ty(r))),
            PTy::Tuple(ts) => mir::Ty::Tuple(ts.iter().map(|t| self.mir_ty(t)).collect()),
            PTy::App(TyCon::List, _) => mir::Ty::Union(self.union_id(ty)),
            PTy::App(TyCon::Ref, args) => mir::Ty::Boxed(Box::new(self.mir_ty(&args[0]))),
            PTy::App(TyCon::Seq, args) => self.mir_ty(&push_ty(args[0].clone())),
            // A pointer to the arena's region, as an integer handle.
            PTy::App(TyCon::Arena, _) => mir::Ty::I64,
            PTy::App(TyCon::User(def), args) => {
                let def = *def;
                match self.psg.types[def as usize].record_fields() {
                    Some(fields) => {
                        if self.records_in_progress.contains(ty) {
                            let name = self.psg.types[def as usize].name.clone();
                            self.unsupported(
                                self.psg.types[def as usize].span,
                                &format!("the record '{name}' containing itself (records are values in Clef; put the recursion in a union or a list)"),
                            );
                            return mir::Ty::Unit;
                        }
                        self.records_in_progress.push(ty.clone());
                        let params = self.psg.types[def as usize].params.clone();
                        let field_tys: Vec<PTy> = fields
                            .iter()
                            .map(|f| composer_semantics::types::substitute(&f.ty, &params, args))
                            .collect();
                        let out = field_tys.iter().map(|f| self.mir_ty(f)).collect();
                        self.records_in_progress.pop();
                        mir::Ty::Tuple(out)
                    }
                    None => mir::Ty::Union(self.union_id(ty)),
                }
            }
            PTy::Measured(b, _) => self.mir_ty(b),
            PTy::Var(_) | PTy::Error | PTy::MeasureValue(_) => mir::Ty::Unit,
        }
    }

    /// The layout of a union type (a user union or a list) at concrete types,
    /// interned. Fields that refer back to a union still being laid out are boxed,
    /// so recursive types have a finite size.
    fn union_id(&mut self, ty: &PTy) -> mir::UnionId {
        if let Some(id) = self.union_ids.get(ty) {
            return *id;
        }
        let id = mir::UnionId(self.program.unions.len() as u32);
        self.program.unions.push(mir::UnionLayout {
            name: String::new(),
            cases: Vec::new(),
            boxed: false,
        });
        self.union_ids.insert(ty.clone(), id);
        self.unions_in_progress.push((ty.clone(), id));
        let (name, cases): (String, Vec<(String, Vec<PTy>)>) = match ty {
            PTy::App(TyCon::List, elems) => (
                "list".into(),
                vec![
                    ("[]".into(), Vec::new()),
                    ("::".into(), vec![elems[0].clone(), ty.clone()]),
                ],
            ),
            PTy::App(TyCon::User(def), args) => {
                let d = &self.psg.types[*def as usize];
                let cases = d
                    .union_cases()
                    .unwrap_or_default()
                    .iter()
                    .map(|c| {
                        let fields = c
                            .fields
                            .iter()
                            .map(|f| composer_semantics::types::substitute(&f.ty, &d.params, args))
                            .collect();
                        (c.name.clone(), fields)
                    })
                    .collect();
                (d.name.clone(), cases)
            }
            _ => (String::new(), Vec::new()),
        };
        let mut out = Vec::new();
        for (case_name, fields) in cases {
            let mut mir_fields = Vec::new();
            for f in &fields {
                // A field holding a union still being laid out closes a cycle of
                // types through that union: it becomes a pointer, which gives every
                // type on the cycle a finite size. (Only that one: the unions it
                // reaches itself are the ones `Psg::union_is_boxed` reports.)
                if let Some(at) = self.first_in_progress(f) {
                    let (_, cycle) = self.unions_in_progress[at];
                    self.program.unions[cycle.index()].boxed = true;
                }
                mir_fields.push(self.mir_ty(f));
            }
            out.push(mir::CaseLayout {
                name: case_name,
                fields: mir_fields,
            });
        }
        self.unions_in_progress.pop();
        let layout = &mut self.program.unions[id.index()];
        layout.name = name;
        layout.cases = out;
        id
    }

    /// The lowest position on the stack of unions being laid out of one that a
    /// field of this type would hold inline (not behind a pointer such as an
    /// array or a closure). Other unions, lists included, are laid out in turn and
    /// find the cycle themselves.
    fn first_in_progress(&self, ty: &PTy) -> Option<usize> {
        if let Some(at) = self.unions_in_progress.iter().position(|(t, _)| t == ty) {
            return Some(at);
        }
        match ty {
            PTy::Tuple(ts) => ts.iter().filter_map(|t| self.first_in_progress(t)).min(),
            PTy::App(TyCon::Option, ts) => self.first_in_progress(&ts[0]),
            PTy::App(TyCon::User(def), args) => {
                let d = &self.psg.types[*def as usize];
                d.record_fields()?
                    .iter()
                    .filter_map(|f| {
                        self.first_in_progress(&composer_semantics::types::substitute(
                            &f.ty, &d.params, args,
                        ))
                    })
                    .min()
            }
            _ => None,
        }
    }

    fn expr_ty(&mut self, b: &Builder, e: ExprId) -> PTy {
        apply_subst(self.psg.ty(e), &b.subst)
    }

    fn expr_mir_ty(&mut self, b: &Builder, e: ExprId) -> mir::Ty {
        let t = self.expr_ty(b, e);
        self.mir_ty(&t)
    }

    fn string_id(&mut self, s: &str) -> mir::StrId {
        if let Some(id) = self.strings.get(s) {
            return *id;
        }
        self.program.strings.push(s.to_string());
        let id = mir::StrId(self.program.strings.len() as u32 - 1);
        self.strings.insert(s.to_string(), id);
        id
    }

    fn str_const(&mut self, s: &str) -> Operand {
        Operand::Const(Const::Str(self.string_id(s)))
    }

    // ---- program ----------------------------------------------------------------

    pub(crate) fn lower_program(&mut self) {
        // Globals first, so every function can refer to them.
        let mut global_bindings = Vec::new();
        for item in &self.psg.top_level {
            match item {
                TopItem::Global { binding, .. } => global_bindings.push(*binding),
                TopItem::Destructure { pat, .. } => {
                    self.pattern_bindings(*pat, &mut global_bindings)
                }
                TopItem::Do(_) => {}
            }
        }
        for binding in &global_bindings {
            {
                let bnd = self.psg.binding(*binding);
                let ty = apply_subst(&bnd.ty, &Subst::default());
                let mty = self.mir_ty(&ty);
                self.program.globals.push(mir::Global {
                    name: bnd.name.clone(),
                    ty: mty,
                });
                self.globals.insert(
                    *binding,
                    mir::GlobalId(self.program.globals.len() as u32 - 1),
                );
            }
        }
        // Reserve fn0 for clef_main.
        self.program.functions.push(mir::Function {
            name: "clef_main".into(),
            params: Vec::new(),
            ret: mir::Ty::I32,
            locals: Vec::new(),
            blocks: Vec::new(),
            is_export: true,
        });
        let mut b = Builder::new("clef_main".into(), mir::Ty::I32, Subst::default());
        b.func.is_export = true;
        let args_ptr = b.new_local(mir::Ty::Ptr, "args_ptr");
        let args_len = b.new_local(mir::Ty::I64, "args_len");
        b.func.params = vec![args_ptr, args_len];
        if self.options.alloc_stats {
            self.program.count_allocations = true;
            b.call_rt(RtFn::EnableAllocStats, vec![], mir::Ty::Unit);
        }
        for item in &self.psg.top_level {
            match item {
                TopItem::Global { binding, value } => {
                    let v = self.lower_expr(&mut b, *value);
                    let g = self.globals[binding];
                    if !self.program.globals[g.index()].ty.is_unit() {
                        b.emit(Stmt::StoreGlobal(g, v));
                    }
                }
                TopItem::Do(e) => {
                    self.lower_expr(&mut b, *e);
                }
                TopItem::Destructure { pat, value } => {
                    let ty = self.expr_mir_ty(&b, *value);
                    let v = self.lower_expr(&mut b, *value);
                    let fail = b.new_block();
                    let ok = b.new_block();
                    self.test_pattern(&mut b, *pat, v, &ty, fail);
                    b.terminate(Terminator::Goto(ok));
                    b.switch_to(fail);
                    let m = self.str_const("The match cases were incomplete");
                    b.call_rt(RtFn::Panic, vec![m], mir::Ty::Unit);
                    b.switch_to(ok);
                }
            }
        }
        let status = match self.psg.entry_point {
            Some(fid) => {
                let argv_ty = mir::Ty::Array(Box::new(mir::Ty::Str));
                let argv = b.temp(
                    Rvalue::MakeArray {
                        ptr: Operand::Local(args_ptr),
                        len: Operand::Local(args_len),
                    },
                    argv_ty,
                );
                let sig = PTy::fun(PTy::array(PTy::STRING), PTy::INT);
                let id = self.instance(fid, sig, Vec::new());
                let r = b.temp(Rvalue::Call(Callee::Func(id), vec![argv]), mir::Ty::I64);
                b.temp(Rvalue::Convert(r, mir::Ty::I32), mir::Ty::I32)
            }
            None => i32c(0),
        };
        b.terminate(Terminator::Return(status));
        self.program.functions[0] = remove_unreachable_blocks(b.func);
        while let Some((id, work)) = self.worklist.pop() {
            let f = match work {
                Work::Instance(key) => self.lower_instance(&key),
                Work::Stub(callable, applied) => self.lower_stub(&callable, applied),
                Work::Derived(derived) => self.lower_derived(derived),
            };
            self.program.functions[id.index()] = f;
        }
    }

    /// The MIR function for `func` at a concrete signature, queued if new.
    fn instance(&mut self, func: FunctionId, sig: PTy, captures: Vec<PTy>) -> FuncId {
        let key = InstanceKey {
            func,
            sig,
            captures,
        };
        if let Some(id) = self.instances.get(&key) {
            return *id;
        }
        let f = self.psg.function(func);
        let n = self
            .instances
            .iter()
            .filter(|(k, _)| k.func == func)
            .count();
        let name = if n == 0 {
            format!("{}_{}", sanitize(&f.name), func.0)
        } else {
            format!("{}_{}_{}", sanitize(&f.name), func.0, n)
        };
        let id = self.queue_function(name, Work::Instance(key.clone()));
        self.instances.insert(key, id);
        id
    }

    /// A placeholder MIR function named `name`, whose body `work` will build.
    fn queue_function(&mut self, name: String, work: Work) -> FuncId {
        self.program.functions.push(mir::Function {
            name,
            params: Vec::new(),
            ret: mir::Ty::Unit,
            locals: Vec::new(),
            blocks: Vec::new(),
            is_export: false,
        });
        let id = FuncId(self.program.functions.len() as u32 - 1);
        self.worklist.push((id, work));
        id
    }

    fn lower_instance(&mut self, key: &InstanceKey) -> mir::Function {
        let f = self.psg.function(key.func);
        let mut subst = Subst::default();
        match_ty(&f.ty, &key.sig, &mut subst);
        for (c, ty) in f.captures.iter().zip(&key.captures) {
            match_ty(&self.psg.binding(*c).ty, ty, &mut subst);
        }
        let ret_pty = apply_subst(&f.return_ty, &subst);
        let ret = self.mir_ty(&ret_pty);
        let name = self.program.functions[self.instances[key].index()]
            .name
            .clone();
        let mut b = Builder::new(name, ret, subst);
        let mut params = Vec::new();
        for (i, c) in f.captures.iter().chain(&f.params).enumerate() {
            let bnd = self.psg.binding(*c);
            let t = apply_subst(&bnd.ty, &b.subst);
            let mut mt = self.mir_ty(&t);
            if i < f.captures.len() && bnd.captured_mutable {
                // A captured `let mutable` arrives as the address of its slot.
                mt = mir::Ty::Boxed(Box::new(mt));
                b.by_ref.insert(*c);
            }
            let l = b.new_local(mt, &bnd.name);
            b.locals.insert(*c, l);
            params.push(l);
        }
        let own_params = params[f.captures.len()..].to_vec();
        b.func.params = params;
        // A tail-recursive function with an iteration region marks the current
        // region before its first round; each self tail call resets to the mark.
        let mark = self
            .psg
            .tail_regions
            .contains(&key.func)
            .then(|| b.call_rt(RtFn::RegionMark, vec![], mir::Ty::I64));
        // The body starts in its own block so that a self tail call can jump back.
        let start = b.new_block();
        b.terminate(Terminator::Goto(start));
        b.switch_to(start);
        b.tail_self = Some(TailSelf {
            instance: self.instances[key],
            params: own_params,
            start,
            mark,
        });
        self.lower_tail(&mut b, f.body);
        remove_unreachable_blocks(b.func)
    }

    /// Lowers an expression in tail position: every path ends in a return, or, for
    /// a call of the function itself with all its arguments, in a jump back to the
    /// start with the parameters reassigned. Self tail recursion therefore runs in
    /// constant stack at every optimisation level (a guarantee, not an LLVM hope).
    fn lower_tail(&mut self, b: &mut Builder, e: ExprId) {
        let expr = self.psg.expr(e);
        match &expr.kind {
            ExprKind::If {
                cond,
                then_branch,
                else_branch,
            } => {
                let (cond, then_branch, else_branch) = (*cond, *then_branch, *else_branch);
                let c = self.lower_expr(b, cond);
                let (then_b, else_b) = b.branch(c);
                b.switch_to(then_b);
                self.lower_tail(b, then_branch);
                b.switch_to(else_b);
                match else_branch {
                    Some(eb) => self.lower_tail(b, eb),
                    None => b.terminate(Terminator::Return(Operand::Const(Const::Unit))),
                }
            }
            ExprKind::Sequential(items) if !items.is_empty() => {
                let items = items.clone();
                for i in &items[..items.len() - 1] {
                    self.lower_expr(b, *i);
                }
                self.lower_tail(b, items[items.len() - 1]);
            }
            ExprKind::Let {
                binding,
                value,
                body,
            } => {
                let (binding, value, body) = (*binding, *value, *body);
                self.lower_let_value(b, binding, value);
                self.lower_tail(b, body);
            }
            ExprKind::LetFunctions { body, .. } => {
                let body = *body;
                self.lower_tail(b, body);
            }
            ExprKind::Match { scrutinee, rules } => {
                let (scrutinee, rules) = (*scrutinee, rules.clone());
                self.lower_match_arms(b, scrutinee, &rules, e, None);
            }
            ExprKind::App { .. } if self.try_self_tail_call(b, e) => {}
            ExprKind::App { .. } if self.try_sibling_tail_call(b, e) => {}
            _ => {
                if let ExprKind::Binary {
                    op: psg::BinaryOp::Add | psg::BinaryOp::Mul,
                    lhs,
                    rhs,
                } = expr.kind
                {
                    let is_app = |x: ExprId| matches!(self.psg.expr(x).kind, ExprKind::App { .. });
                    b.keep_call = [rhs, lhs].into_iter().find(|x| is_app(*x));
                }
                let v = self.lower_expr(b, e);
                b.keep_call = None;
                b.terminate(Terminator::Return(v));
            }
        }
    }

    /// A full call, in tail position, of another function whose machine signature is
    /// the current one's (`let rec f ... and g ...` with the same parameter types):
    /// a `musttail` call, so mutual recursion runs in constant stack.
    fn try_sibling_tail_call(&mut self, b: &mut Builder, e: ExprId) -> bool {
        if b.tail_self.is_none() {
            return false;
        }
        let mut args = Vec::new();
        let mut head = e;
        while let ExprKind::App { func, arg } = &self.psg.expr(head).kind {
            args.push(*arg);
            head = *func;
        }
        args.reverse();
        let ExprKind::Function(fid) = self.psg.expr(head).kind else {
            return false;
        };
        let arity = self.psg.function(fid).params.len();
        if arity != args.len() {
            return false;
        }
        let Some((Callable::Function(key), captured)) = self.head_callable(b, head) else {
            return false;
        };
        let (params, ret) = split_fun(&key.sig, arity);
        let mut prototype: Vec<mir::Ty> = self.capture_types(&key);
        prototype.extend(params.iter().map(|t| self.mir_ty(t)));
        let ret = self.mir_ty(&ret);
        let current: Vec<mir::Ty> = b
            .func
            .params
            .iter()
            .map(|p| b.func.local_ty(*p).clone())
            .collect();
        if prototype != current || ret != b.func.ret {
            return false;
        }
        // The code generator can only honour `musttail` when every argument travels
        // in registers and the result comes back in them (the target's calling
        // convention: System V x86-64 has six integer registers, AAPCS64 eight, and
        // both return two words). Larger values (a big union, a wide tuple) would be
        // passed in memory, so the call stays ordinary.
        let target = self.psg.target;
        let words = |t: &mir::Ty| self.program.size_align(t).0.div_ceil(target.word_bytes());
        let convention = target.calling_convention;
        if prototype.iter().map(words).sum::<u64>() > convention.argument_words
            || words(&ret) > convention.result_words
        {
            return false;
        }
        let id = self.instance(key.func, key.sig.clone(), key.captures.clone());
        let mut ops = captured;
        for a in &args {
            ops.push(self.lower_expr(b, *a));
        }
        // A frame that has lent a slot's address (a `let mutable` used by a closure,
        // a closure environment on the stack, possibly made for these very
        // arguments) must outlive the call: `musttail` would release it first, so
        // the call stays ordinary.
        let lends = b.func.blocks.iter().flat_map(|blk| &blk.stmts).any(|st| {
            matches!(st, mir::Stmt::Assign(_, r) | mir::Stmt::Eval(r) if r.lent_slot().is_some())
        });
        let call = if lends {
            Rvalue::Call(Callee::Func(id), ops)
        } else {
            Rvalue::TailCall(id, ops)
        };
        let r = b.temp(call, ret);
        b.terminate(Terminator::Return(r));
        true
    }

    /// `for x in source do body` over a list (following the cells) or an array.
    fn lower_for_each(
        &mut self,
        b: &mut Builder,
        looped: ExprId,
        binding: BindingId,
        source: ExprId,
        body: ExprId,
    ) {
        let src_ty = self.expr_mir_ty(b, source);
        let src = self.lower_expr(b, source);
        let bnd = self.psg.binding(binding);
        let elem_ty = {
            let t = apply_subst(&bnd.ty, &b.subst);
            self.mir_ty(&t)
        };
        let item = b.new_local(elem_ty.clone(), &bnd.name);
        b.locals.insert(binding, item);
        match &src_ty {
            mir::Ty::Array(_) => {
                let len = b.temp(Rvalue::Length(src.clone()), mir::Ty::I64);
                let i = b.new_local(mir::Ty::I64, "i");
                b.assign(i, Rvalue::Use(int_const(0, 64, true)));
                let mark = self.region_mark(b, looped);
                let head = b.loop_head();
                let more = b.temp(
                    Rvalue::Binary(BinOp::Lt, Operand::Local(i), len),
                    mir::Ty::Bool,
                );
                let exit = b.loop_test(more);
                b.assign(item, Rvalue::ArrayGet(src.clone(), Operand::Local(i)));
                self.lower_expr(b, body);
                region_step(b, &mark, RtFn::RegionReset);
                b.assign(
                    i,
                    Rvalue::Binary(BinOp::Add, Operand::Local(i), int_const(1, 64, true)),
                );
                b.loop_end(head, exit);
                region_step(b, &mark, RtFn::RegionRelease);
            }
            _ => {
                let cur = b.new_local(src_ty.clone(), "cells");
                b.assign(cur, Rvalue::Use(src));
                let mark = self.region_mark(b, looped);
                let head = b.loop_head();
                let is_cons = b.is_cons(Operand::Local(cur));
                let exit = b.loop_test(is_cons);
                let (h, _) = self.union_field(b, Operand::Local(cur), &src_ty, 1, 0);
                b.assign(item, Rvalue::Use(h));
                self.lower_expr(b, body);
                region_step(b, &mark, RtFn::RegionReset);
                let (t, _) = self.union_field(b, Operand::Local(cur), &src_ty, 1, 1);
                b.assign(cur, Rvalue::Use(t));
                b.loop_end(head, exit);
                region_step(b, &mark, RtFn::RegionRelease);
            }
        }
    }

    /// Number of fields of the union case an expression refers to.
    fn case_arity(&self, e: ExprId) -> usize {
        match self.psg.expr(e).kind {
            ExprKind::UnionCase { def, case } => self.psg.types[def as usize]
                .union_cases()
                .map(|c| c[case as usize].fields.len())
                .unwrap_or(0),
            _ => 0,
        }
    }

    /// A copy of a local operand that later assignments cannot change.
    fn stable(&mut self, b: &mut Builder, op: Operand, e: ExprId) -> Operand {
        match op {
            Operand::Local(_) => {
                let ty = self.expr_mir_ty(b, e);
                b.temp(Rvalue::Use(op), ty)
            }
            other => other,
        }
    }

    /// A union value of case `case`.
    fn make_union(
        &mut self,
        b: &mut Builder,
        ty: &mir::Ty,
        case: u32,
        fields: Vec<Operand>,
    ) -> Operand {
        let mir::Ty::Union(u) = ty else {
            return Operand::Const(Const::Unit);
        };
        b.temp(
            Rvalue::MakeUnion {
                union: *u,
                case,
                fields,
            },
            ty.clone(),
        )
    }

    /// Field `index` of case `case` of a union value.
    fn union_field(
        &mut self,
        b: &mut Builder,
        v: Operand,
        ty: &mir::Ty,
        case: u32,
        index: u32,
    ) -> (Operand, mir::Ty) {
        let mir::Ty::Union(u) = ty else {
            return (Operand::Const(Const::Unit), mir::Ty::Unit);
        };
        let fty =
            self.program.unions[u.index()].cases[case as usize].fields[index as usize].clone();
        let raw = b.temp(
            Rvalue::UnionField {
                value: v,
                case,
                index,
            },
            fty.clone(),
        );
        (raw, fty)
    }

    /// The machine types of an instance's captured values (a captured `let mutable`
    /// is passed by address).
    fn capture_types(&mut self, key: &InstanceKey) -> Vec<mir::Ty> {
        let captures = self.psg.function(key.func).captures.clone();
        captures
            .iter()
            .zip(&key.captures)
            .map(|(c, t)| {
                let mt = self.mir_ty(t);
                if self.psg.binding(*c).captured_mutable {
                    mir::Ty::Boxed(Box::new(mt))
                } else {
                    mt
                }
            })
            .collect()
    }

    /// The value passed for a captured binding: the value, or for a captured
    /// `let mutable` its address (or the address this function was given).
    fn capture_operand(&mut self, b: &mut Builder, c: BindingId, span: Span) -> Operand {
        let mutable = self.psg.binding(c).captured_mutable;
        match b.locals.get(&c).copied() {
            Some(l) if mutable && b.by_ref.contains(&c) => Operand::Local(l),
            Some(l) if mutable => {
                let t = apply_subst(&self.psg.binding(c).ty, &b.subst);
                let mt = self.mir_ty(&t);
                b.temp(Rvalue::AddrOf(l), mir::Ty::Boxed(Box::new(mt)))
            }
            Some(l) => Operand::Local(l),
            None => self.read_binding(b, c, span),
        }
    }

    /// `let binding = value`: evaluates the value into the binding's slot.
    fn lower_let_value(&mut self, b: &mut Builder, binding: BindingId, value: ExprId) {
        let v = self.lower_expr(b, value);
        let bnd = self.psg.binding(binding);
        let t = apply_subst(&bnd.ty, &b.subst);
        let mt = self.mir_ty(&t);
        let l = b.new_local(mt, &bnd.name);
        b.assign(l, Rvalue::Use(v));
        b.locals.insert(binding, l);
    }

    /// A call of the current function with all its arguments, in tail position:
    /// evaluate the arguments, reassign the parameters, jump to the start.
    fn try_self_tail_call(&mut self, b: &mut Builder, e: ExprId) -> bool {
        let Some(current) = b.tail_self.as_ref().map(|t| t.instance) else {
            return false;
        };
        let mut args = Vec::new();
        let mut head = e;
        while let ExprKind::App { func, arg } = &self.psg.expr(head).kind {
            args.push(*arg);
            head = *func;
        }
        args.reverse();
        let ExprKind::Function(fid) = self.psg.expr(head).kind else {
            return false;
        };
        if self.psg.function(fid).params.len() != args.len() {
            return false;
        }
        let sig = self.expr_ty(b, head);
        let captures: Vec<PTy> = self
            .psg
            .function(fid)
            .captures
            .iter()
            .map(|c| apply_subst(&self.psg.binding(*c).ty, &b.subst))
            .collect();
        let key = InstanceKey {
            func: fid,
            sig,
            captures,
        };
        if self.instances.get(&key) != Some(&current) {
            return false;
        }
        // All arguments first (they may read the old parameter values).
        let mut values = Vec::new();
        for a in &args {
            let v = self.lower_expr(b, *a);
            let ty = self.expr_mir_ty(b, *a);
            values.push(match v {
                Operand::Local(_) => b.temp(Rvalue::Use(v), ty),
                other => other,
            });
        }
        let tail = b.tail_self.as_ref().expect("checked above");
        let (params, start, mark) = (tail.params.clone(), tail.start, tail.mark.clone());
        // The arguments hold no memory of this round (`regions.rs`): free it.
        region_step(b, &mark, RtFn::RegionReset);
        for (p, v) in params.iter().zip(values) {
            b.assign(*p, Rvalue::Use(v));
        }
        b.terminate(Terminator::Goto(start));
        true
    }

    // ---- expressions ------------------------------------------------------------

    fn lower_expr(&mut self, b: &mut Builder, e: ExprId) -> Operand {
        if let Some(&arena) = (!self.psg.arena_scopes.is_empty())
            .then(|| self.psg.arena_scopes.get(&e))
            .flatten()
        {
            // The block of an arena's `use`: its implicit allocations go into the
            // arena (`regions.rs` proved none outlives the block).
            let handle = self.read_binding(b, arena, self.psg.expr(e).span);
            let previous = b.call_rt(RtFn::ArenaEnter, vec![handle], mir::Ty::I64);
            let value = self.lower_expr_here(b, e);
            b.call_rt(RtFn::ArenaLeave, vec![previous], mir::Ty::Unit);
            return value;
        }
        self.lower_expr_here(b, e)
    }

    fn lower_expr_here(&mut self, b: &mut Builder, e: ExprId) -> Operand {
        let expr = self.psg.expr(e);
        let span = expr.span;
        match &expr.kind {
            ExprKind::Const(c) => self.lower_const(c),
            ExprKind::Local(id) => self.read_binding(b, *id, span),
            ExprKind::Builtin(bi) if bi.arity() == 0 => self.lower_builtin(b, *bi, &[], e),
            ExprKind::Format { spec, kind } if spec.args().count() == 0 => {
                self.lower_format(b, *kind, spec, &[])
            }
            ExprKind::Function(_) | ExprKind::Builtin(_) | ExprKind::Format { .. } => {
                // A function used as a value: its closure with nothing applied yet.
                match self.head_callable(b, e) {
                    Some((callable, captured)) => {
                        self.make_closure(b, callable, 0, captured, Some(e))
                    }
                    None => Operand::Const(Const::Unit),
                }
            }
            ExprKind::App { .. } => self.lower_app(b, e),
            ExprKind::Tuple(items) => {
                let ty = self.expr_mir_ty(b, e);
                let ops: Vec<Operand> = items.iter().map(|i| self.lower_expr(b, *i)).collect();
                b.temp(Rvalue::MakeTuple(ops), ty)
            }
            ExprKind::UnionCase { case, .. } if self.case_arity(e) == 0 => {
                let ty = self.expr_mir_ty(b, e);
                self.make_union(b, &ty, *case, Vec::new())
            }
            ExprKind::UnionCase { .. } => match self.head_callable(b, e) {
                Some((callable, captured)) => self.make_closure(b, callable, 0, captured, Some(e)),
                None => Operand::Const(Const::Unit),
            },
            ExprKind::Record { fields, .. } => {
                let ty = self.expr_mir_ty(b, e);
                // Evaluated in the order written, stored in declaration order.
                let mut values: Vec<(u32, Operand)> = Vec::new();
                for (i, v) in fields.clone() {
                    let op = self.lower_expr(b, v);
                    let op = self.stable(b, op, v);
                    values.push((i, op));
                }
                values.sort_by_key(|(i, _)| *i);
                b.temp(
                    Rvalue::MakeTuple(values.into_iter().map(|(_, v)| v).collect()),
                    ty,
                )
            }
            ExprKind::RecordUpdate { base, fields } => {
                let ty = self.expr_mir_ty(b, e);
                let base_v = self.lower_expr(b, *base);
                let base_v = self.stable(b, base_v, *base);
                let mut updates: Vec<(u32, Operand)> = Vec::new();
                for (i, v) in fields.clone() {
                    let op = self.lower_expr(b, v);
                    updates.push((i, op));
                }
                let field_tys = match &ty {
                    mir::Ty::Tuple(fs) => fs.clone(),
                    _ => Vec::new(),
                };
                let mut out = Vec::new();
                for (i, fty) in field_tys.iter().enumerate() {
                    match updates.iter().find(|(j, _)| *j == i as u32) {
                        Some((_, v)) => out.push(v.clone()),
                        None => out
                            .push(b.temp(Rvalue::TupleGet(base_v.clone(), i as u32), fty.clone())),
                    }
                }
                b.temp(Rvalue::MakeTuple(out), ty)
            }
            ExprKind::ListNil => {
                let ty = self.expr_mir_ty(b, e);
                self.make_union(b, &ty, 0, Vec::new())
            }
            ExprKind::RefGet(cell) => {
                let ty = self.expr_mir_ty(b, e);
                let c = self.lower_expr(b, *cell);
                b.temp(Rvalue::Unbox(c), ty)
            }
            ExprKind::RefSet { cell, value } => {
                let (cell, value) = (*cell, *value);
                let c = self.lower_expr(b, cell);
                let v = self.lower_expr(b, value);
                b.emit(Stmt::StoreBoxed(c, v));
                Operand::Const(Const::Unit)
            }
            ExprKind::ArrayLit(items) => {
                let ty = self.expr_mir_ty(b, e);
                let elem = match &ty {
                    mir::Ty::Array(t) => (**t).clone(),
                    _ => mir::Ty::Unit,
                };
                let items = items.clone();
                let values: Vec<Operand> = items
                    .iter()
                    .map(|i| {
                        let v = self.lower_expr(b, *i);
                        self.stable(b, v, *i)
                    })
                    .collect();
                let len = int_const(values.len() as i128, 64, true);
                let arr = b.temp(Rvalue::AllocArray { elem, len }, ty);
                for (i, v) in values.into_iter().enumerate() {
                    b.emit(Stmt::ArraySet(
                        arr.clone(),
                        int_const(i as i128, 64, true),
                        v,
                    ));
                }
                arr
            }
            ExprKind::ListCons { head, tail } => {
                let ty = self.expr_mir_ty(b, e);
                let (head, tail) = (*head, *tail);
                let h = self.lower_expr(b, head);
                let h = self.stable(b, h, head);
                let t = self.lower_expr(b, tail);
                self.make_union(b, &ty, 1, vec![h, t])
            }
            ExprKind::ForEach {
                binding,
                source,
                body,
            } => {
                let (binding, source, body) = (*binding, *source, *body);
                self.lower_for_each(b, e, binding, source, body);
                Operand::Const(Const::Unit)
            }
            ExprKind::Field { target, index } => {
                let ty = self.expr_mir_ty(b, e);
                let t = self.lower_expr(b, *target);
                b.temp(Rvalue::TupleGet(t, *index), ty)
            }
            ExprKind::Interpolated(parts) => {
                let mut ops = Vec::new();
                for p in parts {
                    if let psg::InterpolatedPart::Hole { expr: h, .. } = p {
                        let ty = self.expr_ty(b, *h);
                        let v = self.lower_expr(b, *h);
                        ops.push((v, ty, self.psg.expr(*h).span));
                    }
                }
                b.call_rt(RtFn::FmtStart, vec![], mir::Ty::Unit);
                let mut holes = ops.into_iter();
                for p in parts {
                    match p {
                        psg::InterpolatedPart::Text(t) => {
                            let s = self.str_const(t);
                            b.call_rt(RtFn::FmtLiteral, vec![s], mir::Ty::Unit);
                        }
                        psg::InterpolatedPart::Hole { format, .. } => {
                            let (v, ty, hspan) = holes.next().expect("one operand per hole");
                            match format {
                                Some(arg) => {
                                    let width = arg.width.map(|w| w as i32).unwrap_or(-1);
                                    let prec = arg.precision.map(|p| p as i32).unwrap_or(-1);
                                    self.fmt_value(
                                        b, v, &ty, arg.conv, arg.flags, width, prec, hspan,
                                    );
                                }
                                None => self.fmt_value(b, v, &ty, '\0', 0, -1, -1, hspan),
                            }
                        }
                    }
                }
                b.call_rt(RtFn::FmtFinishString, vec![], mir::Ty::Str)
            }
            ExprKind::Unary { op, operand } => {
                let ty = self.expr_mir_ty(b, e);
                let v = self.lower_expr(b, *operand);
                let op = match op {
                    psg::UnaryOp::Neg => UnOp::Neg,
                    psg::UnaryOp::BitNot | psg::UnaryOp::Not => UnOp::Not,
                };
                b.temp(Rvalue::Unary(op, v), ty)
            }
            ExprKind::Binary { op, lhs, rhs } => self.lower_binary(b, *op, *lhs, *rhs, e),
            ExprKind::If {
                cond,
                then_branch,
                else_branch,
            } => {
                let ty = self.expr_mir_ty(b, e);
                let c = self.lower_expr(b, *cond);
                let result = b.new_local(ty, "if");
                let then_b = b.new_block();
                let else_b = b.new_block();
                let join = b.new_block();
                b.terminate(Terminator::Branch {
                    cond: c,
                    then_block: then_b,
                    else_block: else_b,
                });
                b.switch_to(then_b);
                let v = self.lower_expr(b, *then_branch);
                b.assign(result, Rvalue::Use(v));
                b.terminate(Terminator::Goto(join));
                b.switch_to(else_b);
                if let Some(eb) = else_branch {
                    let v = self.lower_expr(b, *eb);
                    b.assign(result, Rvalue::Use(v));
                }
                b.terminate(Terminator::Goto(join));
                b.switch_to(join);
                self.local_operand(b, result)
            }
            ExprKind::While { cond, body } => {
                let mark = self.region_mark(b, e);
                let head = b.loop_head();
                let c = self.lower_expr(b, *cond);
                let exit = b.loop_test(c);
                self.lower_expr(b, *body);
                region_step(b, &mark, RtFn::RegionReset);
                b.loop_end(head, exit);
                region_step(b, &mark, RtFn::RegionRelease);
                Operand::Const(Const::Unit)
            }
            ExprKind::For {
                var,
                start,
                end,
                step,
                downward,
                body,
            } => {
                self.lower_for(b, e, *var, *start, *end, *step, *downward, *body);
                Operand::Const(Const::Unit)
            }
            ExprKind::Let {
                binding,
                value,
                body,
            } => {
                self.lower_let_value(b, *binding, *value);
                self.lower_expr(b, *body)
            }
            ExprKind::LetFunctions { body, .. } => self.lower_expr(b, *body),
            ExprKind::Sequential(items) => {
                let mut last = Operand::Const(Const::Unit);
                for i in items {
                    last = self.lower_expr(b, *i);
                }
                last
            }
            ExprKind::Assign { binding, value } => {
                let v = self.lower_expr(b, *value);
                if let Some(g) = self.globals.get(binding).copied() {
                    if !self.program.globals[g.index()].ty.is_unit() {
                        b.emit(Stmt::StoreGlobal(g, v));
                    }
                } else if let Some(l) = b.locals.get(binding).copied() {
                    if b.by_ref.contains(binding) {
                        b.emit(Stmt::StoreBoxed(Operand::Local(l), v));
                    } else {
                        b.assign(l, Rvalue::Use(v));
                    }
                }
                Operand::Const(Const::Unit)
            }
            ExprKind::Member { target, .. } => {
                let t = self.lower_expr(b, *target);
                b.temp(Rvalue::Length(t), mir::Ty::I64)
            }
            ExprKind::Index { target, index } => {
                let ty = self.expr_mir_ty(b, e);
                let arr = self.lower_expr(b, *target);
                let idx = self.lower_expr(b, *index);
                if !self.psg.unchecked_indexes.contains(&e) {
                    self.bounds_check(b, &arr, &idx);
                }
                b.temp(Rvalue::ArrayGet(arr, idx), ty)
            }
            ExprKind::IndexSet {
                target,
                index,
                value,
            } => {
                let arr = self.lower_expr(b, *target);
                let idx = self.lower_expr(b, *index);
                let v = self.lower_expr(b, *value);
                if !self.psg.unchecked_indexes.contains(&e) {
                    self.bounds_check(b, &arr, &idx);
                }
                b.emit(Stmt::ArraySet(arr, idx, v));
                Operand::Const(Const::Unit)
            }
            ExprKind::Match { scrutinee, rules } => self.lower_match(b, *scrutinee, rules, e),
            ExprKind::Error => Operand::Const(Const::Unit),
        }
    }

    fn lower_const(&mut self, c: &psg::Const) -> Operand {
        Operand::Const(match c {
            psg::Const::Int(v, p) => {
                let (bits, signed) = p
                    .int_info(self.psg.target.word_bits)
                    .expect("integer constant has an integer type");
                Const::Int {
                    value: *v,
                    bits,
                    signed,
                }
            }
            psg::Const::Float(v, p) => Const::Float {
                value: *v,
                bits: if *p == Prim::Float32 { 32 } else { 64 },
            },
            psg::Const::Bool(v) => Const::Bool(*v),
            psg::Const::Char(c) => Const::Char(*c),
            psg::Const::String(s) => Const::Str(self.string_id(s)),
            psg::Const::Unit => Const::Unit,
        })
    }

    /// A copy of a local's current value (so later assignments do not change it).
    fn local_operand(&mut self, b: &mut Builder, l: LocalId) -> Operand {
        let ty = b.func.locals[l.index()].ty.clone();
        if ty.is_unit() {
            return Operand::Const(Const::Unit);
        }
        b.temp(Rvalue::Use(Operand::Local(l)), ty)
    }

    fn read_binding(&mut self, b: &mut Builder, id: BindingId, span: Span) -> Operand {
        if let Some(g) = self.globals.get(&id).copied() {
            let ty = self.program.globals[g.index()].ty.clone();
            if ty.is_unit() {
                return Operand::Const(Const::Unit);
            }
            return b.temp(Rvalue::LoadGlobal(g), ty);
        }
        match b.locals.get(&id).copied() {
            Some(l) if b.by_ref.contains(&id) => {
                let t = apply_subst(&self.psg.binding(id).ty, &b.subst);
                let ty = self.mir_ty(&t);
                b.temp(Rvalue::Unbox(Operand::Local(l)), ty)
            }
            Some(l) => self.local_operand(b, l),
            None => {
                let bnd = self.psg.binding(id);
                if bnd.kind == BindingKind::Global {
                    self.unsupported(span, "this use of a module-level value");
                } else {
                    self.diags.push(Diagnostic::global(
                        Code::InternalError,
                        format!(
                            "internal compiler error: lowering found no storage for '{}' (binding {id})",
                            bnd.name
                        ),
                    ));
                }
                Operand::Const(Const::Unit)
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn lower_for(
        &mut self,
        b: &mut Builder,
        looped: ExprId,
        var: BindingId,
        start: ExprId,
        end: ExprId,
        step: Option<ExprId>,
        downward: bool,
        body: ExprId,
    ) {
        let ty = self.expr_mir_ty(b, start);
        let s = self.lower_expr(b, start);
        let en = self.lower_expr(b, end);
        let step_v = step.map(|st| self.lower_expr(b, st));
        let bnd = self.psg.binding(var);
        let i = b.new_local(ty.clone(), &bnd.name);
        b.locals.insert(var, i);
        b.assign(i, Rvalue::Use(s));
        let zero = match &ty {
            mir::Ty::Float { bits } => Operand::Const(Const::Float {
                value: 0.0,
                bits: *bits,
            }),
            mir::Ty::Int { bits, signed } => int_const(0, *bits, *signed),
            _ => int_const(0, 64, true),
        };
        let one = match &ty {
            mir::Ty::Float { bits } => Operand::Const(Const::Float {
                value: 1.0,
                bits: *bits,
            }),
            mir::Ty::Int { bits, signed } => int_const(1, *bits, *signed),
            _ => int_const(1, 64, true),
        };
        if let Some(st) = &step_v {
            let is_zero = b.temp(
                Rvalue::Binary(BinOp::Eq, st.clone(), zero.clone()),
                mir::Ty::Bool,
            );
            let (panic_b, ok_b) = b.branch(is_zero);
            b.switch_to(panic_b);
            let msg = self.str_const("The step of a range cannot be zero.");
            b.call_rt(RtFn::Panic, vec![msg], mir::Ty::Unit);
            b.switch_to(ok_b);
        }
        let mark = self.region_mark(b, looped);
        let head = b.loop_head();
        let cur = Operand::Local(i);
        let cond = match &step_v {
            None if downward => b.temp(
                Rvalue::Binary(BinOp::Ge, cur.clone(), en.clone()),
                mir::Ty::Bool,
            ),
            None => b.temp(
                Rvalue::Binary(BinOp::Le, cur.clone(), en.clone()),
                mir::Ty::Bool,
            ),
            Some(st) => {
                let pos = b.temp(
                    Rvalue::Binary(BinOp::Gt, st.clone(), zero.clone()),
                    mir::Ty::Bool,
                );
                let le = b.temp(
                    Rvalue::Binary(BinOp::Le, cur.clone(), en.clone()),
                    mir::Ty::Bool,
                );
                let ge = b.temp(
                    Rvalue::Binary(BinOp::Ge, cur.clone(), en.clone()),
                    mir::Ty::Bool,
                );
                b.temp(Rvalue::Select(pos, le, ge), mir::Ty::Bool)
            }
        };
        let exit = b.loop_test(cond);
        self.lower_expr(b, body);
        region_step(b, &mark, RtFn::RegionReset);
        // Stop before stepping past the end, so `for i = 0 to Int64.MaxValue` ends.
        let at_end = b.temp(
            Rvalue::Binary(BinOp::Eq, Operand::Local(i), en.clone()),
            mir::Ty::Bool,
        );
        let step_b = b.new_block();
        b.terminate(Terminator::Branch {
            cond: at_end,
            then_block: exit,
            else_block: step_b,
        });
        b.switch_to(step_b);
        let next = match (&step_v, downward) {
            (Some(st), _) => Rvalue::Binary(BinOp::Add, Operand::Local(i), st.clone()),
            (None, true) => Rvalue::Binary(BinOp::Sub, Operand::Local(i), one),
            (None, false) => Rvalue::Binary(BinOp::Add, Operand::Local(i), one),
        };
        b.assign(i, next);
        b.loop_end(head, exit);
        region_step(b, &mark, RtFn::RegionRelease);
    }

    /// Before a loop's head: a mark on the current region when the loop has an
    /// iteration region (`Psg::loop_regions`).
    fn region_mark(&mut self, b: &mut Builder, looped: ExprId) -> Option<Operand> {
        self.psg
            .loop_regions
            .contains(&looped)
            .then(|| b.call_rt(RtFn::RegionMark, vec![], mir::Ty::I64))
    }

    fn bounds_check(&mut self, b: &mut Builder, arr: &Operand, idx: &Operand) {
        let len = b.temp(Rvalue::Length(arr.clone()), mir::Ty::I64);
        let idx_u = b.temp(
            Rvalue::Convert(
                idx.clone(),
                mir::Ty::Int {
                    bits: 64,
                    signed: false,
                },
            ),
            mir::Ty::Int {
                bits: 64,
                signed: false,
            },
        );
        let len_u = b.temp(
            Rvalue::Convert(
                len.clone(),
                mir::Ty::Int {
                    bits: 64,
                    signed: false,
                },
            ),
            mir::Ty::Int {
                bits: 64,
                signed: false,
            },
        );
        let ok = b.temp(Rvalue::Binary(BinOp::Lt, idx_u, len_u), mir::Ty::Bool);
        let (ok_b, fail_b) = b.branch(ok);
        b.switch_to(fail_b);
        b.call_rt(RtFn::FmtStart, vec![], mir::Ty::Unit);
        let m1 = self.str_const("Index was outside the bounds of the array: index ");
        b.call_rt(RtFn::FmtLiteral, vec![m1], mir::Ty::Unit);
        self.fmt_int(b, idx.clone(), 64, true, '\0', 0, -1, -1);
        let m2 = self.str_const(", length ");
        b.call_rt(RtFn::FmtLiteral, vec![m2], mir::Ty::Unit);
        self.fmt_int(b, len, 64, true, '\0', 0, -1, -1);
        b.call_rt(RtFn::FmtFinishPanic, vec![], mir::Ty::Unit);
        b.switch_to(ok_b);
    }

    /// `a + b` on a user type with `static member (+)`: the member called with
    /// `(a, b)` (`None` when the operands are not of such a type).
    fn lower_operator_member(
        &mut self,
        b: &mut Builder,
        op: psg::BinaryOp,
        lhs: ExprId,
        rhs: ExprId,
        e: ExprId,
    ) -> Option<Operand> {
        let lt = self.expr_ty(b, lhs);
        let PTy::App(TyCon::User(def), _) = &lt else {
            return None;
        };
        let span = self.psg.expr(e).span;
        let Some(&func) = self.psg.operator_members.get(&(*def, op)) else {
            use psg::BinaryOp as P;
            let symbol = match op {
                P::Add => "+",
                P::Sub => "-",
                P::Mul => "*",
                P::Div => "/",
                P::Mod => "%",
                _ => return None,
            };
            // An operator at a type that defines only some of the arithmetic
            // operators (the constraint admits the type for any of them).
            let name = self.psg.types[*def as usize].name.clone();
            self.diags.push(Diagnostic::error(
                Code::TypeMismatch,
                span,
                format!("The type '{name}' does not define the operator '{symbol}' (add 'static member ({symbol})')"),
            ));
            return Some(Operand::Const(Const::Unit));
        };
        let rt = self.expr_ty(b, rhs);
        let result = self.expr_ty(b, e);
        let args = PTy::tuple(vec![lt.clone(), rt]);
        let key = InstanceKey {
            func,
            sig: PTy::fun(args.clone(), result),
            captures: Vec::new(),
        };
        let l = self.lower_expr(b, lhs);
        let r = self.lower_expr(b, rhs);
        let tuple_ty = self.mir_ty(&args);
        let pair = b.temp(Rvalue::MakeTuple(vec![l, r]), tuple_ty);
        Some(self.invoke(b, &Callable::Function(key), Vec::new(), vec![pair], span))
    }

    fn lower_binary(
        &mut self,
        b: &mut Builder,
        op: psg::BinaryOp,
        lhs: ExprId,
        rhs: ExprId,
        e: ExprId,
    ) -> Operand {
        use psg::BinaryOp as P;
        let span = self.psg.expr(e).span;
        if matches!(op, P::And | P::Or) {
            // Short-circuit.
            let result = b.new_local(mir::Ty::Bool, "sc");
            let l = self.lower_expr(b, lhs);
            let rhs_b = b.new_block();
            let short_b = b.new_block();
            let join = b.new_block();
            let (then_block, else_block) = if op == P::And {
                (rhs_b, short_b)
            } else {
                (short_b, rhs_b)
            };
            b.terminate(Terminator::Branch {
                cond: l,
                then_block,
                else_block,
            });
            b.switch_to(short_b);
            b.assign(result, Rvalue::Use(bool_const(op == P::Or)));
            b.terminate(Terminator::Goto(join));
            b.switch_to(rhs_b);
            let r = self.lower_expr(b, rhs);
            b.assign(result, Rvalue::Use(r));
            b.terminate(Terminator::Goto(join));
            b.switch_to(join);
            return self.local_operand(b, result);
        }
        if let Some(call) = self.lower_operator_member(b, op, lhs, rhs, e) {
            return call;
        }
        let operand_ty = self.expr_mir_ty(b, lhs);
        let result_ty = self.expr_mir_ty(b, e);
        let l = self.lower_expr(b, lhs);
        let r = self.lower_expr(b, rhs);
        let cmp = match op {
            P::Eq => Some(BinOp::Eq),
            P::Ne => Some(BinOp::Ne),
            P::Lt => Some(BinOp::Lt),
            P::Le => Some(BinOp::Le),
            P::Gt => Some(BinOp::Gt),
            P::Ge => Some(BinOp::Ge),
            _ => None,
        };
        if let Some(c) = cmp {
            return self.structural_compare(b, c, l, r, &operand_ty, span);
        }
        match (&operand_ty, op) {
            (mir::Ty::Str, P::Add) => b.call_rt(RtFn::StrConcat, vec![l, r], mir::Ty::Str),
            (mir::Ty::Float { bits }, P::Pow) => {
                let name = if *bits == 32 { "powf" } else { "pow" };
                b.call_rt(RtFn::Libm(name, *bits, 2), vec![l, r], result_ty)
            }
            (mir::Ty::Float { bits }, P::Mod) => {
                let name = if *bits == 32 { "fmodf" } else { "fmod" };
                b.call_rt(RtFn::Libm(name, *bits, 2), vec![l, r], result_ty)
            }
            (mir::Ty::Int { bits, signed }, P::Div | P::Mod) => {
                let (bits, signed) = (*bits, *signed);
                // A constant divisor needs only the checks it can fail.
                let constant = match &r {
                    Operand::Const(Const::Int { value, .. }) => Some(*value),
                    _ => None,
                };
                if constant.is_none_or(|c| c == 0) {
                    let is_zero = b.temp(
                        Rvalue::Binary(BinOp::Eq, r.clone(), int_const(0, bits, signed)),
                        mir::Ty::Bool,
                    );
                    self.panic_if(b, is_zero, "Attempted to divide by zero.");
                }
                if signed && constant.is_none_or(|c| c == -1) {
                    // MIN / -1 overflows (and traps on x86); .NET raises OverflowException.
                    let min = -(1i128 << (bits - 1));
                    let is_min = b.temp(
                        Rvalue::Binary(BinOp::Eq, l.clone(), int_const(min, bits, true)),
                        mir::Ty::Bool,
                    );
                    let is_m1 = b.temp(
                        Rvalue::Binary(BinOp::Eq, r.clone(), int_const(-1, bits, true)),
                        mir::Ty::Bool,
                    );
                    let both = b.temp(Rvalue::Binary(BinOp::And, is_min, is_m1), mir::Ty::Bool);
                    if op == P::Div {
                        self.panic_if(b, both, "Arithmetic operation resulted in an overflow.");
                    } else {
                        // MIN % -1 is 0; avoid the trap by dividing by 1 instead.
                        let safe_r = b.temp(
                            Rvalue::Select(both, int_const(1, bits, true), r.clone()),
                            operand_ty.clone(),
                        );
                        return b.temp(Rvalue::Binary(BinOp::Rem, l, safe_r), result_ty);
                    }
                }
                let bop = if op == P::Div { BinOp::Div } else { BinOp::Rem };
                b.temp(Rvalue::Binary(bop, l, r), result_ty)
            }
            (mir::Ty::Int { bits, signed }, P::Shl | P::Shr) => {
                // F# masks the shift amount by the width of the shifted type.
                let (bits, signed) = (*bits, *signed);
                let amount = b.temp(Rvalue::Convert(r, operand_ty.clone()), operand_ty.clone());
                let masked = b.temp(
                    Rvalue::Binary(
                        BinOp::And,
                        amount,
                        int_const(bits as i128 - 1, bits, signed),
                    ),
                    operand_ty.clone(),
                );
                let bop = if op == P::Shl { BinOp::Shl } else { BinOp::Shr };
                b.temp(Rvalue::Binary(bop, l, masked), result_ty)
            }
            (mir::Ty::Int { .. } | mir::Ty::Float { .. }, _) => {
                let bop = match op {
                    P::Add => BinOp::Add,
                    P::Sub => BinOp::Sub,
                    P::Mul => BinOp::Mul,
                    P::Div => BinOp::Div,
                    P::Mod => BinOp::Rem,
                    P::BitAnd => BinOp::And,
                    P::BitOr => BinOp::Or,
                    P::BitXor => BinOp::Xor,
                    _ => {
                        self.unsupported(span, "this operator on these operand types");
                        return Operand::Const(Const::Unit);
                    }
                };
                b.temp(Rvalue::Binary(bop, l, r), result_ty)
            }
            _ => {
                self.unsupported(span, "this operator on these operand types");
                Operand::Const(Const::Unit)
            }
        }
    }

    fn panic_if(&mut self, b: &mut Builder, cond: Operand, message: &str) {
        let (fail, ok) = b.branch(cond);
        b.switch_to(fail);
        let m = self.str_const(message);
        b.call_rt(RtFn::Panic, vec![m], mir::Ty::Unit);
        b.switch_to(ok);
    }

    /// Comparison of two values of type `ty` (structural on options).
    fn compare(
        &mut self,
        b: &mut Builder,
        op: BinOp,
        l: Operand,
        r: Operand,
        ty: &mir::Ty,
        span: Span,
    ) -> Operand {
        match ty {
            mir::Ty::Str => {
                if matches!(op, BinOp::Eq | BinOp::Ne) {
                    let eq = b.call_rt(RtFn::StrEqual, vec![l, r], mir::Ty::Bool);
                    if op == BinOp::Eq {
                        eq
                    } else {
                        b.temp(Rvalue::Unary(UnOp::Not, eq), mir::Ty::Bool)
                    }
                } else {
                    let c = b.call_rt(RtFn::StrCompare, vec![l, r], mir::Ty::I32);
                    b.temp(Rvalue::Binary(op, c, i32c(0)), mir::Ty::Bool)
                }
            }
            mir::Ty::Unit => bool_const(matches!(op, BinOp::Eq | BinOp::Le | BinOp::Ge)),
            mir::Ty::Int { .. } | mir::Ty::Float { .. } | mir::Ty::Bool | mir::Ty::Char => {
                b.temp(Rvalue::Binary(op, l, r), mir::Ty::Bool)
            }
            _ => {
                self.unsupported(span, &format!("comparison of '{ty}' values"));
                bool_const(false)
            }
        }
    }

    fn lower_app(&mut self, b: &mut Builder, e: ExprId) -> Operand {
        let mut args = Vec::new();
        let mut head = e;
        while let ExprKind::App { func, arg } = &self.psg.expr(head).kind {
            args.push(*arg);
            head = *func;
        }
        args.reverse();
        let span = self.psg.expr(e).span;
        let head_ty = self.expr_ty(b, head);
        let Some((callable, captured)) = self.head_callable(b, head) else {
            // Any other function-typed expression: a closure, applied one by one.
            let f = self.lower_expr(b, head);
            let vals: Vec<Operand> = args.iter().map(|a| self.lower_expr(b, *a)).collect();
            return self.call_value(b, f, head_ty, vals);
        };
        let arity = match &callable {
            Callable::Function(key) => self.psg.function(key.func).params.len(),
            Callable::Builtin(bi, _) => bi.arity(),
            Callable::Format(_, spec, _) => spec.args().count(),
            Callable::Case(..) => 1,
        };
        if let (Callable::Case(case, _), Some(first)) = (&callable, args.first()) {
            // `Node (l, v, r)`: the fields straight from the tuple expression.
            if let ExprKind::Tuple(items) = &self.psg.expr(*first).kind {
                if items.len() == self.case_arity(head) && items.len() > 1 {
                    let (case, items) = (*case, items.clone());
                    let (_, union_pty) = split_fun(&head_ty, 1);
                    let union_ty = self.mir_ty(&union_pty);
                    let fields: Vec<Operand> =
                        items.iter().map(|i| self.lower_expr(b, *i)).collect();
                    let v = self.make_union(b, &union_ty, case, fields);
                    let rest: Vec<Operand> =
                        args[1..].iter().map(|a| self.lower_expr(b, *a)).collect();
                    return self.call_value(b, v, union_pty, rest);
                }
            }
        }
        if let Callable::Builtin(bi, _) = &callable {
            if args.len() >= arity {
                // Builtins see their argument expressions (for types and spans).
                let (now, later) = args.split_at(arity);
                let bi = *bi;
                let (_, rest_ty) = split_fun(&head_ty, arity);
                let r = self.lower_builtin_app(b, bi, now, &rest_ty, span);
                let vals: Vec<Operand> = later.iter().map(|a| self.lower_expr(b, *a)).collect();
                return self.call_value(b, r, rest_ty, vals);
            }
        }
        let vals: Vec<Operand> = args.iter().map(|a| self.lower_expr(b, *a)).collect();
        if vals.len() < arity {
            // Partial application: a closure holding what is known so far.
            let applied = vals.len();
            let mut env = captured;
            env.extend(vals);
            return self.make_closure(b, callable, applied, env, Some(e));
        }
        let (now, later) = vals.split_at(arity);
        b.peel = b.keep_call != Some(e);
        let r = self.invoke(b, &callable, captured, now.to_vec(), span);
        b.peel = false;
        let (_, rest_ty) = split_fun(&head_ty, arity);
        self.call_value(b, r, rest_ty, later.to_vec())
    }

    /// A builtin applied to exactly its arity of argument expressions.
    fn lower_builtin_app(
        &mut self,
        b: &mut Builder,
        bi: Builtin,
        args: &[ExprId],
        result_pty: &PTy,
        span: Span,
    ) -> Operand {
        let arg_ptys: Vec<PTy> = args.iter().map(|a| self.expr_ty(b, *a)).collect();
        let vals: Vec<Operand> = args.iter().map(|a| self.lower_expr(b, *a)).collect();
        self.builtin_values(b, bi, vals, arg_ptys, result_pty, span)
    }

    #[allow(clippy::too_many_arguments)]
    fn fmt_int(
        &mut self,
        b: &mut Builder,
        v: Operand,
        bits: u32,
        signed: bool,
        conv: char,
        flags: u32,
        width: i32,
        prec: i32,
    ) {
        let wide = b.temp(Rvalue::Convert(v, mir::Ty::I64), mir::Ty::I64);
        b.call_rt(
            RtFn::FmtInt,
            vec![
                wide,
                i32c(bits as i32),
                int_const(signed as i128, 8, false),
                i32c(conv as i32),
                i32c(flags as i32),
                i32c(width),
                i32c(prec),
            ],
            mir::Ty::Unit,
        );
    }

    /// Appends one value to the runtime's format buffer.
    #[allow(clippy::too_many_arguments)]
    fn fmt_value(
        &mut self,
        b: &mut Builder,
        v: Operand,
        ty: &PTy,
        conv: char,
        flags: u32,
        width: i32,
        prec: i32,
        span: Span,
    ) {
        let structured = !matches!(ty, PTy::Prim(_));
        if conv == 'A' || (conv == '\0' && structured) {
            // `%A`, and interpolation of structured values, write F#'s `%A` text.
            self.format_structured(b, v, ty, false);
            return;
        }
        let mty = self.mir_ty(ty);
        match mty {
            mir::Ty::Int { bits, signed } => {
                self.fmt_int(b, v, bits, signed, conv, flags, width, prec)
            }
            mir::Ty::Float { bits } => {
                let wide = b.temp(
                    Rvalue::Convert(v, mir::Ty::Float { bits: 64 }),
                    mir::Ty::Float { bits: 64 },
                );
                b.call_rt(
                    RtFn::FmtFloat,
                    vec![
                        wide,
                        int_const((bits == 32) as i128, 8, false),
                        i32c(conv as i32),
                        i32c(flags as i32),
                        i32c(width),
                        i32c(prec),
                    ],
                    mir::Ty::Unit,
                );
            }
            mir::Ty::Str => {
                b.call_rt(
                    RtFn::FmtString,
                    vec![v, i32c(flags as i32), i32c(width), i32c(prec)],
                    mir::Ty::Unit,
                );
            }
            mir::Ty::Char => {
                let c = b.temp(Rvalue::Convert(v, mir::Ty::I32), mir::Ty::I32);
                b.call_rt(
                    RtFn::FmtChar,
                    vec![c, i32c(flags as i32), i32c(width)],
                    mir::Ty::Unit,
                );
            }
            mir::Ty::Bool => {
                let byte = b.bool_byte(v);
                b.call_rt(
                    RtFn::FmtBool,
                    vec![byte, i32c(conv as i32), i32c(flags as i32), i32c(width)],
                    mir::Ty::Unit,
                );
            }
            mir::Ty::Unit => {}
            other => self.unsupported(span, &format!("formatting a value of type '{other}'")),
        }
    }

    fn lower_format(
        &mut self,
        b: &mut Builder,
        kind: psg::FormatKind,
        spec: &composer_semantics::format::FormatSpec,
        args: &[ExprId],
    ) -> Operand {
        let mut values = Vec::new();
        for a in args {
            let ty = self.expr_ty(b, *a);
            let v = self.lower_expr(b, *a);
            values.push((v, ty, self.psg.expr(*a).span));
        }
        self.format_values(b, kind, spec, values)
    }

    /// A format function applied to already-evaluated arguments (value, concrete
    /// type, span).
    fn format_values(
        &mut self,
        b: &mut Builder,
        kind: psg::FormatKind,
        spec: &composer_semantics::format::FormatSpec,
        values: Vec<(Operand, PTy, Span)>,
    ) -> Operand {
        b.call_rt(RtFn::FmtStart, vec![], mir::Ty::Unit);
        let mut vals = values.into_iter();
        for piece in &spec.pieces {
            match piece {
                FormatPiece::Literal(t) => {
                    let s = self.str_const(t);
                    b.call_rt(RtFn::FmtLiteral, vec![s], mir::Ty::Unit);
                }
                FormatPiece::Arg(arg) => {
                    let (v, ty, span) = vals
                        .next()
                        .expect("format arity checked by the type checker");
                    let width = arg.width.map(|w| w as i32).unwrap_or(-1);
                    let prec = arg.precision.map(|p| p as i32).unwrap_or(-1);
                    self.fmt_value(b, v, &ty, arg.conv, arg.flags, width, prec, span);
                }
            }
        }
        let u8c = |v: i128| int_const(v, 8, false);
        match kind {
            psg::FormatKind::Printf => {
                b.call_rt(RtFn::FmtFinishWrite, vec![i32c(1), u8c(0)], mir::Ty::Unit)
            }
            psg::FormatKind::Printfn => {
                b.call_rt(RtFn::FmtFinishWrite, vec![i32c(1), u8c(1)], mir::Ty::Unit)
            }
            psg::FormatKind::Eprintf => {
                b.call_rt(RtFn::FmtFinishWrite, vec![i32c(2), u8c(0)], mir::Ty::Unit)
            }
            psg::FormatKind::Eprintfn => {
                b.call_rt(RtFn::FmtFinishWrite, vec![i32c(2), u8c(1)], mir::Ty::Unit)
            }
            psg::FormatKind::Sprintf => b.call_rt(RtFn::FmtFinishString, vec![], mir::Ty::Str),
            psg::FormatKind::Failwithf => {
                b.call_rt(RtFn::FmtFinishPanic, vec![], mir::Ty::Unit);
                Operand::Const(Const::Unit)
            }
        }
    }

    fn lower_builtin(
        &mut self,
        b: &mut Builder,
        bi: Builtin,
        args: &[ExprId],
        e: ExprId,
    ) -> Operand {
        let span = self.psg.expr(e).span;
        let result_pty = self.expr_ty(b, e);
        let arg_ptys: Vec<PTy> = args.iter().map(|a| self.expr_ty(b, *a)).collect();
        let mut vals = Vec::new();
        for a in args {
            vals.push(self.lower_expr(b, *a));
        }
        self.builtin_values(b, bi, vals, arg_ptys, &result_pty, span)
    }

    /// A builtin applied to already-evaluated arguments of the given concrete types.
    fn builtin_values(
        &mut self,
        b: &mut Builder,
        bi: Builtin,
        mut vals: Vec<Operand>,
        arg_ptys: Vec<PTy>,
        result_pty: &PTy,
        span: Span,
    ) -> Operand {
        let result_ty = self.mir_ty(result_pty);
        let arg_ty = |this: &mut Self, i: usize| -> mir::Ty { this.mir_ty(&arg_ptys[i]) };
        match bi {
            Builtin::Ignore => Operand::Const(Const::Unit),
            Builtin::Id | Builtin::SeqMake => vals.remove(0),
            Builtin::StringBytes | Builtin::StringOfBytes => {
                b.temp(Rvalue::Use(vals.remove(0)), result_ty)
            }
            Builtin::ArrayView => {
                let base = vals.remove(0);
                let start = vals.remove(0);
                let len = vals.remove(0);
                b.temp(Rvalue::Slice { base, start, len }, result_ty)
            }
            Builtin::SeqRun => {
                let PTy::App(TyCon::Seq, elem) = &arg_ptys[0] else {
                    unreachable!("Seq.__run takes a seq")
                };
                let source = vals.remove(0);
                let push = push_ty(elem[0].clone());
                self.call_value(b, source, push, vals)
            }
            Builtin::Fst | Builtin::Snd => {
                let index = u32::from(bi == Builtin::Snd);
                b.temp(Rvalue::TupleGet(vals.remove(0), index), result_ty)
            }
            Builtin::Not => b.temp(Rvalue::Unary(UnOp::Not, vals.remove(0)), mir::Ty::Bool),
            Builtin::Failwith => {
                b.call_rt(RtFn::Panic, vec![vals.remove(0)], mir::Ty::Unit);
                self.undefined(b, result_ty)
            }
            Builtin::Exit => {
                let code = b.temp(Rvalue::Convert(vals.remove(0), mir::Ty::I32), mir::Ty::I32);
                b.call_rt(RtFn::Exit, vec![code], mir::Ty::Unit);
                self.undefined(b, result_ty)
            }
            Builtin::Convert(p) => {
                let from = arg_ty(self, 0);
                let v = vals.remove(0);
                match from {
                    mir::Ty::Str => {
                        if let Some((bits, signed)) = p.int_info(self.psg.target.word_bits) {
                            let r = b.call_rt(
                                RtFn::ParseInt,
                                vec![v, i32c(bits as i32), int_const(signed as i128, 8, false)],
                                mir::Ty::I64,
                            );
                            b.temp(Rvalue::Convert(r, result_ty.clone()), result_ty)
                        } else if p.is_float() {
                            let r =
                                b.call_rt(RtFn::ParseFloat, vec![v], mir::Ty::Float { bits: 64 });
                            b.temp(Rvalue::Convert(r, result_ty.clone()), result_ty)
                        } else {
                            self.unsupported(
                                span,
                                &format!("converting a string with '{}'", p.name()),
                            );
                            Operand::Const(Const::Unit)
                        }
                    }
                    mir::Ty::Int { .. } | mir::Ty::Float { .. } | mir::Ty::Char | mir::Ty::Bool => {
                        b.temp(Rvalue::Convert(v, result_ty.clone()), result_ty)
                    }
                    _ => {
                        self.unsupported(span, &format!("'{}' on this type", p.name()));
                        Operand::Const(Const::Unit)
                    }
                }
            }
            Builtin::ToString => {
                let from = arg_ty(self, 0);
                let v = vals.remove(0);
                if matches!(arg_ptys[0], PTy::Prim(_)) {
                    self.value_to_string(b, v, &from, span)
                } else {
                    // Structured values: the same text as `%A`.
                    b.call_rt(RtFn::FmtStart, vec![], mir::Ty::Unit);
                    self.format_structured(b, v, &arg_ptys[0], false);
                    b.call_rt(RtFn::FmtFinishString, vec![], mir::Ty::Str)
                }
            }
            Builtin::Max | Builtin::Min => {
                let ty = arg_ty(self, 0);
                let r = vals.pop().expect("two arguments");
                let l = vals.pop().expect("two arguments");
                let op = if bi == Builtin::Max {
                    BinOp::Ge
                } else {
                    BinOp::Le
                };
                let c = self.structural_compare(b, op, l.clone(), r.clone(), &ty, span);
                b.temp(Rvalue::Select(c, l, r), ty)
            }
            Builtin::Compare => {
                let ty = arg_ty(self, 0);
                let r = vals.pop().expect("two arguments");
                let l = vals.pop().expect("two arguments");
                let c = self.compare_values(b, l, r, &ty, span);
                b.temp(Rvalue::Convert(c, mir::Ty::I64), mir::Ty::I64)
            }
            Builtin::Hash => {
                let ty = arg_ty(self, 0);
                let v = vals.remove(0);
                let h = self.hash_value(b, v, &ty);
                b.temp(Rvalue::Convert(h, mir::Ty::I64), mir::Ty::I64)
            }
            Builtin::Abs => {
                let ty = arg_ty(self, 0);
                let v = vals.remove(0);
                if let mir::Ty::Int { bits, signed: true } = ty {
                    // .NET: OverflowException for the one value with no positive twin.
                    let min = -(1i128 << (bits - 1));
                    let is_min = b.temp(
                        Rvalue::Binary(BinOp::Eq, v.clone(), int_const(min, bits, true)),
                        mir::Ty::Bool,
                    );
                    self.panic_if(
                        b,
                        is_min,
                        "Negating the minimum value of a twos complement number is invalid.",
                    );
                }
                let zero = self.zero_of(&ty);
                let neg = b.temp(Rvalue::Binary(BinOp::Lt, v.clone(), zero), mir::Ty::Bool);
                let minus = b.temp(Rvalue::Unary(UnOp::Neg, v.clone()), ty.clone());
                b.temp(Rvalue::Select(neg, minus, v), ty)
            }
            Builtin::Sign => {
                let ty = arg_ty(self, 0);
                let v = vals.remove(0);
                let zero = self.zero_of(&ty);
                let gt = b.temp(
                    Rvalue::Binary(BinOp::Gt, v.clone(), zero.clone()),
                    mir::Ty::Bool,
                );
                let lt = b.temp(Rvalue::Binary(BinOp::Lt, v, zero), mir::Ty::Bool);
                let gti = b.temp(Rvalue::Convert(gt, mir::Ty::I64), mir::Ty::I64);
                let lti = b.temp(Rvalue::Convert(lt, mir::Ty::I64), mir::Ty::I64);
                b.temp(Rvalue::Binary(BinOp::Sub, gti, lti), mir::Ty::I64)
            }
            Builtin::Pown => {
                let ty = arg_ty(self, 0);
                let n = vals.pop().expect("two arguments");
                let x = vals.pop().expect("two arguments");
                self.lower_pown(b, x, n, ty)
            }
            Builtin::Atan2 => {
                let bits = if result_ty == (mir::Ty::Float { bits: 32 }) {
                    32
                } else {
                    64
                };
                let name = if bits == 32 { "atan2f" } else { "atan2" };
                b.call_rt(RtFn::Libm(name, bits, 2), vals, result_ty)
            }
            Builtin::Math(m) => {
                let bits = if result_ty == (mir::Ty::Float { bits: 32 }) {
                    32
                } else {
                    64
                };
                let (double, single) = m.c_names();
                let name = if bits == 32 { single } else { double };
                b.call_rt(RtFn::Libm(name, bits, 1), vals, result_ty)
            }
            Builtin::GenericZero => self.zero_of(&result_ty),
            Builtin::Ref => b.temp(Rvalue::Box(vals.remove(0)), result_ty),
            Builtin::Incr | Builtin::Decr => {
                let cell = vals.remove(0);
                let old = b.temp(Rvalue::Unbox(cell.clone()), mir::Ty::I64);
                let op = if bi == Builtin::Incr {
                    BinOp::Add
                } else {
                    BinOp::Sub
                };
                let new = b.temp(
                    Rvalue::Binary(op, old, int_const(1, 64, true)),
                    mir::Ty::I64,
                );
                b.emit(Stmt::StoreBoxed(cell, new));
                Operand::Const(Const::Unit)
            }
            Builtin::GenericOne => match &result_ty {
                mir::Ty::Float { bits } => Operand::Const(Const::Float {
                    value: 1.0,
                    bits: *bits,
                }),
                mir::Ty::Int { bits, signed } => int_const(1, *bits, *signed),
                _ => int_const(1, 64, true),
            },
            Builtin::Nan => Operand::Const(Const::Float {
                value: f64::NAN,
                bits: 64,
            }),
            Builtin::Infinity => Operand::Const(Const::Float {
                value: f64::INFINITY,
                bits: 64,
            }),
            // A byte[] has a string's representation (pointer, length).
            Builtin::ConsoleWrite | Builtin::ConsoleWriteln | Builtin::ConsoleWriteBytes => {
                b.call_rt(RtFn::Write, vec![i32c(1), vals.remove(0)], mir::Ty::Unit);
                if bi == Builtin::ConsoleWriteln {
                    let nl = self.str_const("\n");
                    b.call_rt(RtFn::Write, vec![i32c(1), nl], mir::Ty::Unit);
                }
                Operand::Const(Const::Unit)
            }
            Builtin::ConsoleReadln => b.call_rt(RtFn::Readln, vec![], mir::Ty::Str),
            Builtin::ConsoleTryReadln => {
                b.temp(Rvalue::TryReadln, mir::Ty::Option(Box::new(mir::Ty::Str)))
            }
            Builtin::StringLength => b.temp(Rvalue::Length(vals.remove(0)), mir::Ty::I64),
            Builtin::ArrayLength => b.temp(Rvalue::Length(vals.remove(0)), mir::Ty::I64),
            Builtin::ArenaCreate => {
                let site = self
                    .psg
                    .site_names
                    .get(&(span.file, span.start))
                    .cloned()
                    .unwrap_or_else(|| "an unknown site".into());
                let site = self.str_const(&site);
                b.call_rt(RtFn::ArenaCreate, vec![vals.remove(0), site], mir::Ty::I64)
            }
            Builtin::ArenaAlloc | Builtin::ArenaAllocArray => {
                // Allocate as usual with the arena as the current region.
                let arena = vals.remove(0);
                let previous = b.call_rt(RtFn::ArenaEnter, vec![arena], mir::Ty::I64);
                let value = if bi == Builtin::ArenaAlloc {
                    let inner = match &result_ty {
                        mir::Ty::Boxed(t) => (**t).clone(),
                        _ => mir::Ty::Unit,
                    };
                    let zero = self.zero_value(b, &inner);
                    b.temp(Rvalue::Box(zero), result_ty)
                } else {
                    let count_ty = arg_ptys[1].clone();
                    self.builtin_values(
                        b,
                        Builtin::ArrayZeroCreate,
                        vals,
                        vec![count_ty],
                        result_pty,
                        span,
                    )
                };
                b.call_rt(RtFn::ArenaLeave, vec![previous], mir::Ty::Unit);
                value
            }
            Builtin::ArenaMarkMethod | Builtin::ArenaAllocMethod | Builtin::ArenaDisposeMethod => {
                // The method forms: the same operation, the `()` dropped.
                vals.truncate(1);
                let plain = match bi {
                    Builtin::ArenaMarkMethod => Builtin::ArenaMark,
                    Builtin::ArenaAllocMethod => Builtin::ArenaAlloc,
                    _ => Builtin::ArenaDispose,
                };
                let pty = arg_ptys[0].clone();
                self.builtin_values(b, plain, vals, vec![pty], result_pty, span)
            }
            Builtin::ArenaMark => b.call_rt(RtFn::ArenaMark, vals, mir::Ty::I64),
            Builtin::ArenaRelease => b.call_rt(RtFn::ArenaRelease, vals, mir::Ty::Unit),
            Builtin::ArenaDispose => b.call_rt(RtFn::ArenaDispose, vals, mir::Ty::Unit),
            Builtin::ArrayCreate | Builtin::ArrayZeroCreate => {
                let elem = match &result_ty {
                    mir::Ty::Array(e) => (**e).clone(),
                    _ => mir::Ty::Unit,
                };
                let len = vals.remove(0);
                let fill = if bi == Builtin::ArrayCreate {
                    vals.remove(0)
                } else {
                    self.zero_value(b, &elem)
                };
                let negative = b.temp(
                    Rvalue::Binary(BinOp::Lt, len.clone(), int_const(0, 64, true)),
                    mir::Ty::Bool,
                );
                self.panic_if(b, negative, "The input must be non-negative.");
                let arr = b.temp(
                    Rvalue::AllocArray {
                        elem,
                        len: len.clone(),
                    },
                    result_ty,
                );
                self.fill_array(b, &arr, &len, fill);
                arr
            }
            Builtin::Some => b.temp(
                Rvalue::MakeOption {
                    ty: result_ty.clone(),
                    payload: Some(vals.remove(0)),
                },
                result_ty,
            ),
            Builtin::None => b.temp(
                Rvalue::MakeOption {
                    ty: result_ty.clone(),
                    payload: None,
                },
                result_ty,
            ),
        }
    }

    /// `pown x n` by binary exponentiation; a negative `n` gives `1 / x^-n`, as
    /// FSharp.Core computes it (integer division for integer types).
    fn lower_pown(&mut self, b: &mut Builder, x: Operand, n: Operand, ty: mir::Ty) -> Operand {
        let one = match &ty {
            mir::Ty::Float { bits } => Operand::Const(Const::Float {
                value: 1.0,
                bits: *bits,
            }),
            mir::Ty::Int { bits, signed } => int_const(1, *bits, *signed),
            _ => int_const(1, 64, true),
        };
        let i64z = int_const(0, 64, true);
        let result = b.new_local(ty.clone(), "pown");
        let base = b.new_local(ty.clone(), "base");
        let exp = b.new_local(mir::Ty::I64, "exp");
        b.assign(result, Rvalue::Use(one.clone()));
        b.assign(base, Rvalue::Use(x));
        let negative = b.temp(
            Rvalue::Binary(BinOp::Lt, n.clone(), i64z.clone()),
            mir::Ty::Bool,
        );
        let minus_n = b.temp(Rvalue::Unary(UnOp::Neg, n.clone()), mir::Ty::I64);
        b.assign(exp, Rvalue::Select(negative.clone(), minus_n, n));
        let head = b.loop_head();
        let more = b.temp(
            Rvalue::Binary(BinOp::Gt, Operand::Local(exp), i64z.clone()),
            mir::Ty::Bool,
        );
        let exit = b.loop_test(more);
        let bit = b.temp(
            Rvalue::Binary(BinOp::And, Operand::Local(exp), int_const(1, 64, true)),
            mir::Ty::I64,
        );
        let odd = b.temp(Rvalue::Binary(BinOp::Ne, bit, i64z), mir::Ty::Bool);
        let times = b.temp(
            Rvalue::Binary(BinOp::Mul, Operand::Local(result), Operand::Local(base)),
            ty.clone(),
        );
        b.assign(result, Rvalue::Select(odd, times, Operand::Local(result)));
        b.assign(
            base,
            Rvalue::Binary(BinOp::Mul, Operand::Local(base), Operand::Local(base)),
        );
        b.assign(
            exp,
            Rvalue::Binary(BinOp::Shr, Operand::Local(exp), int_const(1, 64, true)),
        );
        b.loop_end(head, exit);
        let positive = self.local_operand(b, result);
        let inv_b = b.new_block();
        let join = b.new_block();
        let out = b.new_local(ty.clone(), "pown_result");
        b.assign(out, Rvalue::Use(positive.clone()));
        b.terminate(Terminator::Branch {
            cond: negative,
            then_block: inv_b,
            else_block: join,
        });
        b.switch_to(inv_b);
        if let mir::Ty::Int { bits, signed } = ty {
            let is_zero = b.temp(
                Rvalue::Binary(BinOp::Eq, positive.clone(), int_const(0, bits, signed)),
                mir::Ty::Bool,
            );
            self.panic_if(b, is_zero, "Attempted to divide by zero.");
        }
        b.assign(out, Rvalue::Binary(BinOp::Div, one, positive));
        b.terminate(Terminator::Goto(join));
        b.switch_to(join);
        self.local_operand(b, out)
    }

    /// The default value of a type (`Unchecked.defaultof`): zero, false, "", None.
    fn zero_value(&mut self, b: &mut Builder, ty: &mir::Ty) -> Operand {
        match ty {
            mir::Ty::Int { .. } | mir::Ty::Float { .. } => self.zero_of(ty),
            mir::Ty::Bool => bool_const(false),
            mir::Ty::Char => Operand::Const(Const::Char('\0')),
            mir::Ty::Str => self.str_const(""),
            mir::Ty::Option(_) => b.temp(
                Rvalue::MakeOption {
                    ty: ty.clone(),
                    payload: None,
                },
                ty.clone(),
            ),
            mir::Ty::Array(elem) => b.temp(
                Rvalue::AllocArray {
                    elem: (**elem).clone(),
                    len: int_const(0, 64, true),
                },
                ty.clone(),
            ),
            mir::Ty::Tuple(fields) => {
                let parts: Vec<Operand> = fields.iter().map(|f| self.zero_value(b, f)).collect();
                b.temp(Rvalue::MakeTuple(parts), ty.clone())
            }
            mir::Ty::Func(..) | mir::Ty::Union(_) | mir::Ty::Boxed(_) => {
                b.temp(Rvalue::Zero(ty.clone()), ty.clone())
            }
            mir::Ty::Unit | mir::Ty::Ptr => Operand::Const(Const::Unit),
        }
    }

    /// `for i in 0 .. len-1 do arr.[i] <- value`
    fn fill_array(&mut self, b: &mut Builder, arr: &Operand, len: &Operand, value: Operand) {
        let i = b.new_local(mir::Ty::I64, "i");
        b.assign(i, Rvalue::Use(int_const(0, 64, true)));
        let head = b.loop_head();
        let more = b.temp(
            Rvalue::Binary(BinOp::Lt, Operand::Local(i), len.clone()),
            mir::Ty::Bool,
        );
        let exit = b.loop_test(more);
        b.emit(Stmt::ArraySet(arr.clone(), Operand::Local(i), value));
        b.assign(
            i,
            Rvalue::Binary(BinOp::Add, Operand::Local(i), int_const(1, 64, true)),
        );
        b.loop_end(head, exit);
    }

    fn zero_of(&self, ty: &mir::Ty) -> Operand {
        match ty {
            mir::Ty::Float { bits } => Operand::Const(Const::Float {
                value: 0.0,
                bits: *bits,
            }),
            mir::Ty::Int { bits, signed } => int_const(0, *bits, *signed),
            _ => int_const(0, 64, true),
        }
    }

    /// A value of `ty` for code after a call that never returns.
    fn undefined(&mut self, b: &mut Builder, ty: mir::Ty) -> Operand {
        if ty.is_unit() {
            return Operand::Const(Const::Unit);
        }
        Operand::Local(b.new_local(ty, "unreachable"))
    }

    fn value_to_string(
        &mut self,
        b: &mut Builder,
        v: Operand,
        ty: &mir::Ty,
        span: Span,
    ) -> Operand {
        match ty {
            mir::Ty::Str => v,
            mir::Ty::Int { signed, .. } => {
                let wide = b.temp(Rvalue::Convert(v, mir::Ty::I64), mir::Ty::I64);
                let rt = if *signed {
                    RtFn::IntToString
                } else {
                    RtFn::UIntToString
                };
                b.call_rt(rt, vec![wide], mir::Ty::Str)
            }
            mir::Ty::Float { bits: 32 } => b.call_rt(RtFn::Float32ToString, vec![v], mir::Ty::Str),
            mir::Ty::Float { .. } => b.call_rt(RtFn::FloatToString, vec![v], mir::Ty::Str),
            mir::Ty::Char => {
                let c = b.temp(Rvalue::Convert(v, mir::Ty::I32), mir::Ty::I32);
                b.call_rt(RtFn::CharToString, vec![c], mir::Ty::Str)
            }
            mir::Ty::Bool => {
                let byte = b.bool_byte(v);
                b.call_rt(RtFn::BoolToString, vec![byte], mir::Ty::Str)
            }
            mir::Ty::Unit => self.str_const(""),
            other => {
                self.unsupported(span, &format!("'string' of a value of type '{other}'"));
                self.str_const("")
            }
        }
    }

    fn lower_match(
        &mut self,
        b: &mut Builder,
        scrutinee: ExprId,
        rules: &[psg::MatchRule],
        e: ExprId,
    ) -> Operand {
        let ty = self.expr_mir_ty(b, e);
        let result = b.new_local(ty, "match");
        let join = b.new_block();
        self.lower_match_arms(b, scrutinee, rules, e, Some((result, join)));
        b.switch_to(join);
        self.local_operand(b, result)
    }

    /// The rules of a match, tried in order. With `Some((result, join))` each arm
    /// stores its value and jumps to `join`; with `None` each arm is in tail position.
    fn lower_match_arms(
        &mut self,
        b: &mut Builder,
        scrutinee: ExprId,
        rules: &[psg::MatchRule],
        _e: ExprId,
        target: Option<(LocalId, mir::BlockId)>,
    ) {
        self.lower_decision_tree(b, scrutinee, rules, target);
    }

    /// Binds a pattern variable: a local, or a global for module-level patterns.
    fn bind_pattern_variable(&mut self, b: &mut Builder, id: BindingId, v: Operand, ty: &mir::Ty) {
        if let Some(g) = self.globals.get(&id).copied() {
            if !ty.is_unit() {
                b.emit(Stmt::StoreGlobal(g, v));
            }
            return;
        }
        // Both sides of an or-pattern bind the same variable: one slot for both.
        if let Some(l) = b.locals.get(&id).copied() {
            b.assign(l, Rvalue::Use(v));
            return;
        }
        let bnd = self.psg.binding(id);
        let l = b.new_local(ty.clone(), &bnd.name);
        b.assign(l, Rvalue::Use(v));
        b.locals.insert(id, l);
    }

    /// The variables a pattern binds, in order.
    fn pattern_bindings(&self, pat: psg::PatId, out: &mut Vec<BindingId>) {
        match &self.psg.pat(pat).kind {
            psg::PatKind::Bind(b) => out.push(*b),
            psg::PatKind::As(inner, b) => {
                out.push(*b);
                self.pattern_bindings(*inner, out);
            }
            psg::PatKind::Tuple(items) => {
                for i in items {
                    self.pattern_bindings(*i, out);
                }
            }
            psg::PatKind::OptionSome(inner) => self.pattern_bindings(*inner, out),
            psg::PatKind::Case { fields, .. } => {
                for f in fields {
                    self.pattern_bindings(*f, out);
                }
            }
            psg::PatKind::Record { fields, .. } => {
                for (_, f) in fields {
                    self.pattern_bindings(*f, out);
                }
            }
            psg::PatKind::ListCons(h, t) => {
                self.pattern_bindings(*h, out);
                self.pattern_bindings(*t, out);
            }
            psg::PatKind::Or(a, b) => {
                self.pattern_bindings(*a, out);
                self.pattern_bindings(*b, out);
            }
            psg::PatKind::Wild
            | psg::PatKind::Const(_)
            | psg::PatKind::OptionNone
            | psg::PatKind::ListNil
            | psg::PatKind::Error => {}
        }
    }

    /// Emits the tests of a pattern; on failure jumps to `fail`, on success continues
    /// in the current block with the pattern's variables bound.
    fn test_pattern(
        &mut self,
        b: &mut Builder,
        pat: psg::PatId,
        v: Operand,
        ty: &mir::Ty,
        fail: mir::BlockId,
    ) {
        let p = self.psg.pat(pat).clone();
        match &p.kind {
            psg::PatKind::Wild | psg::PatKind::Error => {}
            psg::PatKind::Bind(id) => self.bind_pattern_variable(b, *id, v, ty),
            psg::PatKind::As(inner, id) => {
                self.bind_pattern_variable(b, *id, v.clone(), ty);
                self.test_pattern(b, *inner, v, ty, fail);
            }
            psg::PatKind::Case { case, fields, .. } => {
                let (case, fields) = (*case, fields.clone());
                let tag = b.temp(Rvalue::UnionTag(v.clone()), mir::Ty::I32);
                let is_case = b.temp(
                    Rvalue::Binary(BinOp::Eq, tag, i32c(case as i32)),
                    mir::Ty::Bool,
                );
                let ok = b.new_block();
                b.terminate(Terminator::Branch {
                    cond: is_case,
                    then_block: ok,
                    else_block: fail,
                });
                b.switch_to(ok);
                for (i, p) in fields.iter().enumerate() {
                    let (field, fty) = self.union_field(b, v.clone(), ty, case, i as u32);
                    self.test_pattern(b, *p, field, &fty, fail);
                }
            }
            psg::PatKind::ListNil | psg::PatKind::ListCons(..) => {
                let is_cons = matches!(p.kind, psg::PatKind::ListCons(..));
                let tag = b.temp(Rvalue::UnionTag(v.clone()), mir::Ty::I32);
                let matches = b.temp(
                    Rvalue::Binary(BinOp::Eq, tag, i32c(i32::from(is_cons))),
                    mir::Ty::Bool,
                );
                let ok = b.new_block();
                b.terminate(Terminator::Branch {
                    cond: matches,
                    then_block: ok,
                    else_block: fail,
                });
                b.switch_to(ok);
                if let psg::PatKind::ListCons(h, t) = p.kind {
                    let (head, hty) = self.union_field(b, v.clone(), ty, 1, 0);
                    self.test_pattern(b, h, head, &hty, fail);
                    let (tail, tty) = self.union_field(b, v, ty, 1, 1);
                    self.test_pattern(b, t, tail, &tty, fail);
                }
            }
            psg::PatKind::Record { fields, .. } => {
                let field_tys = match ty {
                    mir::Ty::Tuple(fs) => fs.clone(),
                    _ => Vec::new(),
                };
                for (i, p) in fields.clone() {
                    let fty = field_tys.get(i as usize).cloned().unwrap_or(mir::Ty::Unit);
                    let field = b.temp(Rvalue::TupleGet(v.clone(), i), fty.clone());
                    self.test_pattern(b, p, field, &fty, fail);
                }
            }
            psg::PatKind::Tuple(items) => {
                let fields = match ty {
                    mir::Ty::Tuple(fs) => fs.clone(),
                    _ => vec![mir::Ty::Unit; items.len()],
                };
                for (i, (item, fty)) in items.iter().zip(&fields).enumerate() {
                    let field = b.temp(Rvalue::TupleGet(v.clone(), i as u32), fty.clone());
                    self.test_pattern(b, *item, field, fty, fail);
                }
            }
            psg::PatKind::Const(c) => {
                let k = self.lower_const(c);
                let eq = self.compare(b, BinOp::Eq, v, k, ty, p.span);
                let ok = b.new_block();
                b.terminate(Terminator::Branch {
                    cond: eq,
                    then_block: ok,
                    else_block: fail,
                });
                b.switch_to(ok);
            }
            psg::PatKind::Or(left, right) => {
                let ok = b.new_block();
                let try_right = b.new_block();
                self.test_pattern(b, *left, v.clone(), ty, try_right);
                b.terminate(Terminator::Goto(ok));
                b.switch_to(try_right);
                self.test_pattern(b, *right, v, ty, fail);
                b.terminate(Terminator::Goto(ok));
                b.switch_to(ok);
            }
            psg::PatKind::OptionNone | psg::PatKind::OptionSome(_) => {
                let is_some = b.temp(Rvalue::OptionIsSome(v.clone()), mir::Ty::Bool);
                let ok = b.new_block();
                let want_some = matches!(p.kind, psg::PatKind::OptionSome(_));
                b.terminate(Terminator::Branch {
                    cond: is_some,
                    then_block: if want_some { ok } else { fail },
                    else_block: if want_some { fail } else { ok },
                });
                b.switch_to(ok);
                if let psg::PatKind::OptionSome(inner) = p.kind {
                    let payload_ty = match ty {
                        mir::Ty::Option(t) => (**t).clone(),
                        _ => mir::Ty::Unit,
                    };
                    let payload = b.temp(Rvalue::OptionPayload(v), payload_ty.clone());
                    self.test_pattern(b, inner, payload, &payload_ty, fail);
                }
            }
        }
    }
}

/// Drops blocks no path from the entry reaches (code after a panic or `exit`) and
/// renumbers the rest, so every block in MIR has a predecessor or is the entry.
fn remove_unreachable_blocks(mut f: mir::Function) -> mir::Function {
    let n = f.blocks.len();
    let mut reachable = vec![false; n];
    let mut stack = vec![0usize];
    while let Some(i) = stack.pop() {
        if reachable[i] {
            continue;
        }
        reachable[i] = true;
        match &f.blocks[i].terminator {
            Terminator::Goto(t) => stack.push(t.index()),
            Terminator::Branch {
                then_block,
                else_block,
                ..
            } => {
                stack.push(then_block.index());
                stack.push(else_block.index());
            }
            Terminator::Return(_) | Terminator::Unreachable => {}
        }
    }
    let mut new_index = vec![0u32; n];
    let mut next = 0u32;
    for i in 0..n {
        if reachable[i] {
            new_index[i] = next;
            next += 1;
        }
    }
    let remap = |b: mir::BlockId| mir::BlockId(new_index[b.index()]);
    let blocks = std::mem::take(&mut f.blocks);
    f.blocks = blocks
        .into_iter()
        .enumerate()
        .filter(|(i, _)| reachable[*i])
        .map(|(_, mut block)| {
            block.terminator = match block.terminator {
                Terminator::Goto(t) => Terminator::Goto(remap(t)),
                Terminator::Branch {
                    cond,
                    then_block,
                    else_block,
                } => Terminator::Branch {
                    cond,
                    then_block: remap(then_block),
                    else_block: remap(else_block),
                },
                other => other,
            };
            block
        })
        .collect();
    f
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
