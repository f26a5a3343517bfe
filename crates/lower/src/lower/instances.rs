//! Monomorphisation and the work queue. Every MIR function is first a placeholder
//! `FuncId` with a queued [`Work`] item: an instance of a PSG function at concrete
//! types (`instance`), a closure stub or a derived function. `lower_instance` builds
//! an instance's body; captured values arrive as leading parameters.

use super::{apply_subst, match_ty, Builder, Callable, Derived, Lowerer, Subst, TailSelf};
use crate::mir::{self, FuncId, Operand, Rvalue, Terminator};
use composer_diagnostics::Span;
use composer_semantics::psg::{BindingId, FunctionId};
use composer_semantics::types::Ty as PTy;

/// A MIR function still to be built.
#[derive(Debug, Clone)]
pub(super) enum Work {
    /// A PSG function at concrete types.
    Instance(InstanceKey),
    /// The code of a closure over a callable with this many arguments applied:
    /// its one-argument code, or (`pair`) its entry taking the last two.
    Stub(Callable, usize, bool),
    /// A function derived for a type (`derive/`).
    Derived(Derived),
}

/// One monomorphic copy of a PSG function: its concrete signature and the concrete
/// types of the values it captures.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct InstanceKey {
    pub(super) func: FunctionId,
    pub(super) sig: PTy,
    pub(super) captures: Vec<PTy>,
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

impl Lowerer<'_> {
    /// The MIR function for `func` at a concrete signature, queued if new.
    pub(super) fn instance(&mut self, func: FunctionId, sig: PTy, captures: Vec<PTy>) -> FuncId {
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

    /// Builds the queued functions until the queue is empty (building one may queue
    /// more), so only functions reachable from `clef_main` are emitted.
    pub(super) fn lower_queued_functions(&mut self) {
        while let Some((id, work)) = self.worklist.pop() {
            let f = match work {
                Work::Instance(key) => self.lower_instance(&key),
                Work::Stub(callable, applied, pair) => self.lower_stub(&callable, applied, pair),
                Work::Derived(derived) => self.lower_derived(derived),
            };
            self.program.functions[id.index()] = mir::Function {
                coroutine: self.coroutines.contains(&id),
                ..f
            };
        }
    }

    /// A placeholder MIR function named `name`, whose body `work` will build.
    pub(super) fn queue_function(&mut self, name: String, work: Work) -> FuncId {
        self.program.functions.push(mir::Function {
            name,
            params: Vec::new(),
            ret: mir::Ty::Unit,
            locals: Vec::new(),
            blocks: Vec::new(),
            is_export: false,
            coroutine: false,
        });
        let id = FuncId(self.program.functions.len() as u32 - 1);
        self.worklist.push((id, work));
        id
    }

    pub(super) fn lower_instance(&mut self, key: &InstanceKey) -> mir::Function {
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
        b.func.coroutine = self.coroutines.contains(&self.instances[key]);
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
        // region before its first round; each self tail call resets to the mark
        // (or compacts the arguments, its parameters being the carried state).
        let region = self.psg.tail_regions.contains(&key.func);
        let carried = self
            .psg
            .tail_compactions
            .contains(&key.func)
            .then(|| f.params.clone());
        let memory = self.round_memory(&mut b, region, carried.as_deref(), f.span);
        // The body starts in its own block so that a self tail call can jump back.
        let start = b.new_block();
        b.terminate(Terminator::Goto(start));
        b.switch_to(start);
        b.tail_self = Some(TailSelf {
            instance: self.instances[key],
            params: own_params,
            start,
            memory,
        });
        self.lower_tail(&mut b, f.body);
        b.func
    }

    /// The machine types of an instance's captured values (a captured `let mutable`
    /// is passed by address).
    pub(super) fn capture_types(&mut self, key: &InstanceKey) -> Vec<mir::Ty> {
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
    pub(super) fn capture_operand(&mut self, b: &mut Builder, c: BindingId, span: Span) -> Operand {
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
}
