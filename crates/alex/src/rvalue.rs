//! The rvalue dispatch: each MIR rvalue goes to the module that owns its family
//! (`arith`, `calls`, `aggregates`, `unions`, `closures`, `alloc`); only operand uses,
//! addresses of slots and zero values are emitted here.

use crate::function::FnEmitter;
use crate::types::mlir_ty;
use composer_lower::mir::{Rvalue, Ty};

impl FnEmitter<'_> {
    /// Emits an rvalue; returns its SSA value (None for unit results). `dest` is the
    /// type of the local the value goes to (unit for `Stmt::Eval`).
    pub(crate) fn rvalue(&mut self, r: &Rvalue, dest: &Ty) -> Option<String> {
        match r {
            Rvalue::Use(op) => {
                if self.operand_ty(op).is_unit() {
                    return None;
                }
                Some(self.operand(op))
            }
            Rvalue::AddrOf(l) => Some(Self::slot(*l)),
            Rvalue::Zero(t) => {
                let v = self.fresh();
                self.line(&format!(
                    "{v} = llvm.mlir.zero : {}",
                    mlir_ty(self.program, t)
                ));
                Some(v)
            }
            Rvalue::LoadGlobal(g) => Some(self.load_global(*g)),

            Rvalue::Binary(op, a, b) => Some(self.binary_rvalue(*op, a, b)),
            Rvalue::Unary(op, a) => Some(self.unary(*op, a)),
            Rvalue::Convert(a, to) => Some(self.convert_rvalue(a, to)),
            Rvalue::Select(c, a, b) => self.select(c, a, b),

            Rvalue::Call(callee, args) => self.call(callee, args, dest),
            Rvalue::TailCall(id, args) => self.tail_call(*id, args),
            Rvalue::CallClosure(c, a) => self.call_closure(c, a),
            Rvalue::ClosureHasPair(c) => Some(self.closure_has_pair(c)),
            Rvalue::CallClosurePair(c, a, b) => self.call_closure_pair(c, a, b),

            Rvalue::Length(a) => Some(self.length(a)),
            Rvalue::CompactDue(m) => Some(self.compact_due(m)),
            Rvalue::ArrayGet(a, i) => Some(self.array_get(a, i)),
            Rvalue::Slice { base, start, len } => Some(self.slice(base, start, len)),
            Rvalue::MakeArray { ptr, len } => Some(self.make_array(ptr, len)),
            Rvalue::MakeOption { ty, payload } => Some(self.make_option(ty, payload.as_ref())),
            Rvalue::OptionIsSome(a) => Some(self.option_is_some(a)),
            Rvalue::OptionPayload(a) => self.option_payload(a),
            Rvalue::TryReadln => Some(self.try_readln()),
            Rvalue::MakeTuple(ops) => Some(self.make_tuple(ops)),
            Rvalue::TupleGet(op, index) => self.tuple_get(op, *index),

            Rvalue::MakeUnion {
                union,
                case,
                fields,
            } => Some(self.make_union(*union, *case, fields)),
            Rvalue::IsCase { value, case } => {
                self.union_of(value).map(|u| self.is_case(u, value, *case))
            }
            Rvalue::UnionTag(v) => self.union_of(v).map(|u| self.union_tag(u, v)),
            Rvalue::UnionField { value, case, index } => self
                .union_of(value)
                .and_then(|u| self.union_field(u, value, *case, *index)),

            Rvalue::MakeClosure {
                func,
                captures,
                env_slot,
                pair,
            } => Some(self.make_closure(*func, captures, *env_slot, *pair)),
            Rvalue::EnvGet { env, layout, index } => self.env_get(env, layout, *index),

            Rvalue::AllocArray { elem, len } => Some(self.alloc_array(elem, len)),
            Rvalue::Box(v) => Some(self.box_value(v)),
            Rvalue::Unbox(v) => self.unbox(v, dest),

            Rvalue::FieldAddr { ptr, ty, path } => Some(self.field_addr(ptr, ty, path)),
            Rvalue::Load { ptr, ty } => self.load(ptr, ty),
            Rvalue::PtrAdd { ptr, bytes } => Some(self.ptr_add(ptr, *bytes)),
            Rvalue::FuncAddr(id) => Some(self.func_addr(*id)),
            Rvalue::CallPtr { func, args, ret } => self.call_ptr(func, args, ret),
            // The async pass leaves none (the verifier checks it).
            Rvalue::MakeAsync { .. } => unreachable!("MakeAsync after the async pass"),
        }
    }
}
