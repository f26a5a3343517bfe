//! PSG → MIR: monomorphisation, lambda lifting, and control-flow construction.
//!
//! Monomorphisation follows the usual worklist scheme (as in MLton or rustc's
//! collector): starting from the program entry, every call site names a function at
//! concrete types; each distinct (function, concrete signature, concrete capture
//! types) gets one MIR copy. Local functions are lambda-lifted (Johnsson, 1985):
//! their captured locals become extra leading parameters.
//!
//! This file holds the [`Lowerer`] (the state shared by the whole lowering) and the
//! entry point, [`Lowerer::lower_program`]. `impl Lowerer` is split by responsibility:
//!
//! * `builder.rs`: the MIR `Builder` of one function, constant operands, removal of
//!   unreachable blocks.
//! * `types.rs`: substitution, MIR types and union layouts of PSG types.
//! * `instances.rs`: monomorphisation and the work queue (`Work`, `InstanceKey`).
//! * `tail.rs`: tail position, self tail calls as jumps, sibling calls as `musttail`.
//! * `expr.rs`: expressions, bindings, union values, applications.
//! * `loops.rs`: `while`, `for`, `for ... in` and their iteration regions.
//! * `checks.rs`: runtime checks (array bounds, conditional panics).
//! * `placement.rs`: the record of where each allocation went (the ledger's).
//! * `operators.rs`: arithmetic, comparison and user-defined operators, `pown`.
//! * `builtins.rs`: the builtin functions and default values.
//! * `format.rs`: `printf`-family formats, interpolated strings, `string`.
//! * `decision.rs`: `match` and module-level destructuring as decision trees.
//! * `closure.rs`: function values, closure stubs, partial application.
//! * `derive/`: derived functions (equality, comparison, hashing, `%A`).

use crate::mir::{self, Callee, FuncId, Operand, RtFn, Rvalue, Stmt, Terminator};
use composer_diagnostics::{Code, Diagnostic, Span};
use composer_semantics::psg::{BindingId, Psg, TopItem};
use composer_semantics::types::Ty as PTy;
use rustc_hash::{FxHashMap, FxHashSet};

mod asyncs;
mod builder;
mod builtins;
mod checks;
mod closure;
mod decision;
mod derive;
mod expr;
mod format;
mod instances;
mod loops;
mod operators;
mod placement;
mod tail;
mod types;

use builder::{bool_const, i32c, int_const, one_of, zero_of, Builder, TailSelf};
use closure::{split_fun, Callable};
use derive::{Derived, Structural};
use instances::{InstanceKey, Work};
use loops::RoundMemory;
use types::{apply_subst, match_ty, Subst};

/// The state of lowering one program: the MIR built so far, the work queue of
/// functions still to build, and the tables that give each instance, closure stub,
/// derived function, union layout, global and string literal exactly one MIR entity.
pub(crate) struct Lowerer<'a> {
    psg: &'a Psg,
    /// The source files, for run-time messages that name a site.
    sources: &'a composer_diagnostics::SourceMap,
    options: crate::LowerOptions,
    pub program: mir::Program,
    pub diags: Vec<Diagnostic>,
    instances: FxHashMap<InstanceKey, FuncId>,
    stubs: FxHashMap<(Callable, usize, bool), FuncId>,
    worklist: Vec<(FuncId, Work)>,
    globals: FxHashMap<BindingId, mir::GlobalId>,
    strings: FxHashMap<String, mir::StrId>,
    union_ids: FxHashMap<PTy, mir::UnionId>,
    structural: FxHashMap<(Structural, mir::Ty), FuncId>,
    formatters: FxHashMap<(PTy, bool), FuncId>,
    records_in_progress: Vec<PTy>,
    /// Sites of union cases with fields built as values (not boxed) in some
    /// instance: in generic code the semantic analysis answers conservatively
    /// (`Boxing::SomeInstancesPointers`) and may report a cell that no instance
    /// allocates (`site_check.rs` excuses exactly these).
    pub value_case_sites: FxHashSet<Span>,
    /// The instances that are async bodies (`asyncs.rs`).
    coroutines: FxHashSet<FuncId>,
    /// The body of each `use` block and its disposal (`name.Dispose()`), for the
    /// cancellation paths of async bodies.
    use_disposals: FxHashMap<composer_semantics::psg::ExprId, composer_semantics::psg::ExprId>,
}

impl<'a> Lowerer<'a> {
    pub(crate) fn new(
        psg: &'a Psg,
        sources: &'a composer_diagnostics::SourceMap,
        options: crate::LowerOptions,
    ) -> Self {
        Lowerer {
            psg,
            sources,
            options,
            program: mir::Program {
                target: psg.target,
                ..mir::Program::default()
            },
            diags: Vec::new(),
            instances: FxHashMap::default(),
            stubs: FxHashMap::default(),
            worklist: Vec::new(),
            union_ids: FxHashMap::default(),
            structural: FxHashMap::default(),
            formatters: FxHashMap::default(),
            records_in_progress: Vec::new(),
            globals: FxHashMap::default(),
            strings: FxHashMap::default(),
            value_case_sites: FxHashSet::default(),
            coroutines: FxHashSet::default(),
            use_disposals: asyncs::use_disposals(psg),
        }
    }

    /// FS9001 for a construct lowering cannot compile yet (once per span and message).
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

    /// Lowers the whole program: a global per module-level value, `clef_main` running
    /// the module-level code in order and then the entry point, and every function
    /// it reaches (through the work queue).
    pub(crate) fn lower_program(&mut self) {
        // Globals first, so every function can refer to them.
        let mut global_bindings = Vec::new();
        for item in &self.psg.top_level {
            match item {
                TopItem::Global { binding, .. } => global_bindings.push(*binding),
                TopItem::Destructure { pat, .. } => {
                    // In declaration order, so globals are numbered deterministically.
                    let mut bound = FxHashSet::default();
                    self.psg.pattern_bindings(*pat, &mut bound);
                    let mut bound: Vec<BindingId> = bound.into_iter().collect();
                    bound.sort();
                    global_bindings.extend(bound);
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
            coroutine: false,
        });
        let mut b = Builder::new("clef_main".into(), mir::Ty::I32, Subst::default());
        b.func.is_export = true;
        b.places = vec![mir::Place::RootRegion];
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
                    self.lower_destructure(&mut b, *pat, *value);
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
        self.program.functions[0] = b.func;
        self.lower_queued_functions();
        placement::finish_placements(&mut self.program.placements);
    }
}
