//! The MIR verifier: the invariants of [`crate::mir`] whose violation is a compiler
//! bug. It runs after lowering and after every pass of [`crate::passes`] (always in
//! debug builds, so in the test suite and CI; in release builds when the driver asks,
//! `CLEF_VERIFY_MIR=1`).
//!
//! It checks structure (every local, block, global, string, union and function a
//! program names exists; every block ends in a terminator that jumps inside its
//! function), types (every rvalue's operands have the types its rule needs, and its
//! result the type of the slot it is assigned to; `return` gives the function's result
//! type; a branch tests a `bool`) and call targets (a call gives a MIR function
//! exactly its parameters and a runtime function what its C signature,
//! [`RtFn::signature`], takes; a tail call has the caller's signature and its result
//! is returned at once). A MIR program that passes can be emitted by Alex without
//! guessing.
//!
//! Unit-typed values are erased at calls: a call passes no unit argument and a
//! unit-typed parameter is not a machine parameter (`Rvalue::Call`); the rules below
//! compare the non-unit operands with the non-unit parameters.

use crate::mir::{
    Abi, BinOp, Callee, Const, FuncId, Function, Operand, Program, Rvalue, Stmt, Terminator, Ty,
    UnionId,
};

/// The first violated invariant, as `function: bbN: what` (or `union name: what`).
pub fn verify(program: &Program) -> Result<(), String> {
    finite_layouts(program)?;
    for f in &program.functions {
        Verifier { program, f }
            .function()
            .map_err(|e| format!("{}: {e}", f.name))?;
    }
    Ok(())
}

/// Every union laid out as a value (not boxed) has a finite size: it does not hold
/// itself through fields held inline (tuples, options, other unions that are values).
/// Lowering boxes the unions `Psg::union_is_boxed` names; this checks that answer's
/// promise on the layouts that came out.
fn finite_layouts(program: &Program) -> Result<(), String> {
    fn holds(program: &Program, ty: &Ty, target: UnionId, seen: &mut Vec<UnionId>) -> bool {
        match ty {
            Ty::Tuple(items) => items.iter().any(|t| holds(program, t, target, seen)),
            Ty::Option(inner) => holds(program, inner, target, seen),
            Ty::Union(u) if program.unions.get(u.index()).is_some_and(|l| !l.boxed) => {
                if *u == target {
                    return true;
                }
                if seen.contains(u) {
                    return false;
                }
                seen.push(*u);
                program.unions[u.index()]
                    .cases
                    .iter()
                    .flat_map(|c| c.fields.iter())
                    .any(|f| holds(program, f, target, seen))
            }
            _ => false,
        }
    }
    for (i, layout) in program.unions.iter().enumerate() {
        let id = UnionId(i as u32);
        let mut seen = Vec::new();
        let fields = layout.cases.iter().flat_map(|c| c.fields.iter());
        if !layout.boxed && fields.clone().any(|f| holds(program, f, id, &mut seen)) {
            return Err(format!(
                "union {} ({id}) is not boxed but holds itself inline: its size is infinite",
                layout.name
            ));
        }
    }
    Ok(())
}

struct Verifier<'a> {
    program: &'a Program,
    f: &'a Function,
}

type Check = Result<(), String>;

fn expect_eq(what: &str, expected: &Ty, actual: &Ty) -> Check {
    if expected == actual {
        Ok(())
    } else {
        Err(format!("{what}: expected {expected}, found {actual}"))
    }
}

/// `str` and `[u8]`, either way round: `String.__bytes` and `String.__ofBytes`
/// convert between them (`Rvalue::Convert`), sharing one representation.
fn str_and_bytes(a: &Ty, b: &Ty) -> bool {
    let bytes = Ty::Array(Box::new(Ty::Int {
        bits: 8,
        signed: false,
    }));
    (*a == Ty::Str && *b == bytes) || (*a == bytes && *b == Ty::Str)
}

/// The types a numeric conversion (`Rvalue::Convert`) goes between.
fn is_scalar(ty: &Ty) -> bool {
    matches!(ty, Ty::Int { .. } | Ty::Float { .. } | Ty::Char | Ty::Bool)
}

fn is_int(ty: &Ty) -> bool {
    matches!(ty, Ty::Int { .. })
}

/// The machine words a value of this MIR type takes at a runtime call, by the ABI
/// class the runtime's C signature names.
fn abi_accepts(abi: Abi, ty: &Ty) -> bool {
    match abi {
        Abi::I8 => matches!(ty, Ty::Bool | Ty::Int { bits: 8, .. }),
        Abi::I32 => matches!(ty, Ty::Char | Ty::Int { bits: 32, .. }),
        Abi::I64 => matches!(ty, Ty::Int { bits: 64, .. }),
        Abi::F32 => matches!(ty, Ty::Float { bits: 32 }),
        Abi::F64 => matches!(ty, Ty::Float { bits: 64 }),
        Abi::Ptr => matches!(ty, Ty::Ptr | Ty::Boxed(_)),
        Abi::Str => *ty == Ty::Str,
    }
}

impl Verifier<'_> {
    fn function(&self) -> Check {
        let f = self.f;
        if f.blocks.is_empty() {
            return Err("has no blocks".into());
        }
        for p in &f.params {
            if p.index() >= f.locals.len() {
                return Err(format!("parameter {p} is not a local"));
            }
        }
        for (i, block) in f.blocks.iter().enumerate() {
            let at = |e: String| format!("bb{i}: {e}");
            for (k, stmt) in block.stmts.iter().enumerate() {
                self.stmt(stmt).map_err(at)?;
                if let Stmt::Assign(dest, Rvalue::TailCall(..)) = stmt {
                    let returned = k + 1 == block.stmts.len()
                        && block.terminator == Terminator::Return(Operand::Local(*dest));
                    if !returned {
                        return Err(at(format!(
                            "the result of a tail call ({dest}) must be returned at once"
                        )));
                    }
                }
                if let Stmt::Eval(Rvalue::TailCall(..)) = stmt {
                    // A unit result is not a value: `tail call f(..); return ()`.
                    let returned = k + 1 == block.stmts.len()
                        && f.ret.is_unit()
                        && block.terminator == Terminator::Return(Operand::Const(Const::Unit));
                    if !returned {
                        return Err(at("a tail call's result must be returned at once".into()));
                    }
                }
            }
            self.terminator(&block.terminator).map_err(at)?;
        }
        Ok(())
    }

    fn operand_ty(&self, op: &Operand) -> Result<Ty, String> {
        match op {
            Operand::Local(l) if l.index() >= self.f.locals.len() => {
                Err(format!("operand {l} is not a local"))
            }
            Operand::Const(Const::Str(s)) if s.index() >= self.program.strings.len() => {
                Err(format!("string {s} does not exist"))
            }
            Operand::Const(Const::Int { bits, .. }) if ![8, 16, 32, 64].contains(bits) => {
                Err(format!("an integer constant of {bits} bits"))
            }
            _ => Ok(self.f.operand_ty(op)),
        }
    }

    fn local_ty(&self, l: crate::mir::LocalId) -> Result<&Ty, String> {
        self.f
            .locals
            .get(l.index())
            .map(|local| &local.ty)
            .ok_or_else(|| format!("{l} is not a local"))
    }

    fn global_ty(&self, g: crate::mir::GlobalId) -> Result<&Ty, String> {
        self.program
            .globals
            .get(g.index())
            .map(|global| &global.ty)
            .ok_or_else(|| format!("global {g} does not exist"))
    }

    fn function_of(&self, id: FuncId) -> Result<&Function, String> {
        self.program
            .functions
            .get(id.index())
            .ok_or_else(|| format!("call of {id}, which does not exist"))
    }

    fn stmt(&self, stmt: &Stmt) -> Check {
        match stmt {
            Stmt::Assign(dest, rvalue) => {
                let dest_ty = self.local_ty(*dest)?.clone();
                match self.rvalue(rvalue, Some(&dest_ty))? {
                    Some(ty) => expect_eq(&format!("assignment to {dest}"), &dest_ty, &ty),
                    None => Ok(()),
                }
            }
            Stmt::Eval(rvalue) => self.rvalue(rvalue, None).map(drop),
            Stmt::StoreGlobal(g, op) => {
                let ty = self.global_ty(*g)?.clone();
                expect_eq(&format!("store to global {g}"), &ty, &self.operand_ty(op)?)
            }
            Stmt::ArraySet(array, index, value) => {
                let Ty::Array(elem) = self.operand_ty(array)? else {
                    return Err("array store into a value that is not an array".into());
                };
                self.int_operand("array index", index)?;
                expect_eq("array store", &elem, &self.operand_ty(value)?)
            }
            Stmt::StoreBoxed(pointer, value) => {
                let Ty::Boxed(inner) = self.operand_ty(pointer)? else {
                    return Err("store through a value that is not a box".into());
                };
                expect_eq("store through a box", &inner, &self.operand_ty(value)?)
            }
            Stmt::Store(pointer, value) => {
                expect_eq("store address", &Ty::Ptr, &self.operand_ty(pointer)?)?;
                self.operand_ty(value).map(drop)
            }
        }
    }

    fn int_operand(&self, what: &str, op: &Operand) -> Check {
        let ty = self.operand_ty(op)?;
        if is_int(&ty) {
            Ok(())
        } else {
            Err(format!("{what}: expected an integer, found {ty}"))
        }
    }

    fn terminator(&self, t: &Terminator) -> Check {
        let jumps = |targets: &[crate::mir::BlockId]| -> Check {
            match targets.iter().find(|b| b.index() >= self.f.blocks.len()) {
                Some(b) => Err(format!("jumps to {b}, which does not exist")),
                None => Ok(()),
            }
        };
        match t {
            Terminator::Goto(b) => jumps(&[*b]),
            Terminator::Branch {
                cond,
                then_block,
                else_block,
            } => {
                expect_eq("branch condition", &Ty::Bool, &self.operand_ty(cond)?)?;
                jumps(&[*then_block, *else_block])
            }
            Terminator::Return(op) => expect_eq("return", &self.f.ret, &self.operand_ty(op)?),
            Terminator::Unreachable => Ok(()),
            Terminator::Switch {
                value,
                targets,
                default,
            } => {
                expect_eq("switch value", &Ty::I32, &self.operand_ty(value)?)?;
                jumps(targets)?;
                jumps(&[*default])
            }
            Terminator::Await {
                value,
                dest,
                next,
                catch,
                cancel,
                ..
            } => {
                if !self.f.coroutine {
                    return Err("an await outside a coroutine (or left by the async pass)".into());
                }
                expect_eq(
                    "awaited value",
                    &crate::mir::async_value_ty(),
                    &self.operand_ty(value)?,
                )?;
                let dest_ty = self.local_ty(*dest)?;
                if *catch && !matches!(dest_ty, Ty::Option(_)) {
                    return Err(format!("a catching await into {dest_ty}, not an option"));
                }
                jumps(&[*next, *cancel])
            }
            Terminator::Cancel => {
                if !self.f.coroutine {
                    return Err(
                        "a cancellation outside a coroutine (or left by the async pass)".into(),
                    );
                }
                Ok(())
            }
            Terminator::Suspend { next, cancel } => {
                if !self.f.coroutine {
                    return Err(
                        "a suspension outside a coroutine (or left by the async pass)".into(),
                    );
                }
                jumps(&[*next, *cancel])
            }
        }
    }

    /// Checks one rvalue; returns its type, or `None` when its result is untyped
    /// (a runtime call that returns nothing). `dest` is the slot it is assigned to.
    fn rvalue(&self, r: &Rvalue, dest: Option<&Ty>) -> Result<Option<Ty>, String> {
        let ty = match r {
            Rvalue::Use(a) => self.operand_ty(a)?,
            Rvalue::Binary(op, a, b) => {
                let (ta, tb) = (self.operand_ty(a)?, self.operand_ty(b)?);
                expect_eq(&format!("right operand of {op:?}"), &ta, &tb)?;
                match op {
                    BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                        Ty::Bool
                    }
                    _ => ta,
                }
            }
            Rvalue::Unary(_, a) => self.operand_ty(a)?,
            Rvalue::Convert(a, to) => {
                let from = self.operand_ty(a)?;
                let pointer_word = matches!(
                    (&from, to),
                    (Ty::Ptr, Ty::Int { bits: 64, .. }) | (Ty::Int { bits: 64, .. }, Ty::Ptr)
                );
                if !(is_scalar(&from) && is_scalar(to) || str_and_bytes(&from, to) || pointer_word)
                {
                    return Err(format!("conversion of {from} to {to}"));
                }
                to.clone()
            }
            Rvalue::Call(callee, args) => return self.call(callee, args, dest),
            Rvalue::TailCall(id, args) => {
                if self.f.coroutine {
                    return Err(
                        "a tail call in a coroutine (its return stores into its frame)".into(),
                    );
                }
                let callee = self.function_of(*id)?;
                let caller: Vec<&Ty> = self.f.params.iter().map(|p| self.f.local_ty(*p)).collect();
                let called: Vec<&Ty> = callee.params.iter().map(|p| callee.local_ty(*p)).collect();
                if caller != called || callee.ret != self.f.ret {
                    return Err(format!(
                        "tail call of {} whose signature differs from the caller's",
                        callee.name
                    ));
                }
                return self.call(&Callee::Func(*id), args, dest);
            }
            Rvalue::LoadGlobal(g) => self.global_ty(*g)?.clone(),
            Rvalue::Length(a) => match self.operand_ty(a)? {
                Ty::Str | Ty::Array(_) => Ty::I64,
                other => return Err(format!("length of {other}")),
            },
            Rvalue::ArrayGet(a, i) => {
                self.int_operand("array index", i)?;
                match self.operand_ty(a)? {
                    Ty::Array(elem) => *elem,
                    other => return Err(format!("element of {other}, which is not an array")),
                }
            }
            Rvalue::AllocArray { elem, len } => {
                self.int_operand("array length", len)?;
                Ty::Array(Box::new(elem.clone()))
            }
            Rvalue::Slice { base, start, len } => {
                self.int_operand("slice start", start)?;
                self.int_operand("slice length", len)?;
                match self.operand_ty(base)? {
                    ty @ (Ty::Str | Ty::Array(_)) => ty,
                    other => return Err(format!("slice of {other}")),
                }
            }
            Rvalue::MakeArray { ptr, len } => {
                expect_eq("array pointer", &Ty::Ptr, &self.operand_ty(ptr)?)?;
                self.int_operand("array length", len)?;
                match dest {
                    Some(ty @ Ty::Array(_)) => ty.clone(),
                    _ => {
                        return Err(
                            "an array made from a pointer must be assigned to an array".into()
                        )
                    }
                }
            }
            Rvalue::MakeOption { ty, payload } => {
                let Ty::Option(inner) = ty else {
                    return Err(format!("MakeOption of {ty}, which is not an option"));
                };
                if let Some(p) = payload {
                    expect_eq("option payload", inner, &self.operand_ty(p)?)?;
                }
                ty.clone()
            }
            Rvalue::OptionIsSome(a) => {
                self.option_payload(a)?;
                Ty::Bool
            }
            Rvalue::OptionPayload(a) => self.option_payload(a)?,
            Rvalue::TryReadln => Ty::Option(Box::new(Ty::Str)),
            Rvalue::MakeTuple(ops) => Ty::Tuple(
                ops.iter()
                    .map(|op| self.operand_ty(op))
                    .collect::<Result<_, _>>()?,
            ),
            Rvalue::TupleGet(t, index) => match self.operand_ty(t)? {
                Ty::Tuple(fields) => fields
                    .get(*index as usize)
                    .cloned()
                    .ok_or_else(|| format!("field {index} of a {}-tuple", fields.len()))?,
                other => return Err(format!("tuple field of {other}")),
            },
            Rvalue::MakeClosure {
                func,
                captures,
                env_slot,
                pair,
            } => {
                let body = self.function_of(*func)?;
                for c in captures {
                    self.operand_ty(c)?;
                }
                if let Some(slot) = env_slot {
                    self.local_ty(*slot)?;
                }
                let Some(Ty::Func(arg, ret)) = dest else {
                    return Err("a closure must be assigned to a function value".into());
                };
                expect_eq("closure body result", ret, &body.ret)?;
                // The body takes the environment, then the argument.
                if body.params.len() != 2 {
                    return Err(format!(
                        "closure body {} has {} parameters; a closure body takes (env, arg)",
                        body.name,
                        body.params.len(),
                    ));
                }
                expect_eq("closure body argument", arg, body.local_ty(body.params[1]))?;
                if let Some(pair) = pair {
                    // (env, arg1, arg2) -> the result after both.
                    let entry = self.function_of(*pair)?;
                    let Ty::Func(arg2, result) = &**ret else {
                        return Err("a pair entry on a closure that takes one argument".into());
                    };
                    if entry.params.len() != 3 {
                        return Err(format!(
                            "pair entry {} has {} parameters; it takes (env, arg1, arg2)",
                            entry.name,
                            entry.params.len()
                        ));
                    }
                    expect_eq(
                        "pair entry first argument",
                        arg,
                        entry.local_ty(entry.params[1]),
                    )?;
                    expect_eq(
                        "pair entry second argument",
                        arg2,
                        entry.local_ty(entry.params[2]),
                    )?;
                    expect_eq("pair entry result", result, &entry.ret)?;
                }
                Ty::Func(arg.clone(), ret.clone())
            }
            Rvalue::EnvGet { env, layout, index } => {
                self.operand_ty(env)?;
                layout
                    .get(*index as usize)
                    .cloned()
                    .ok_or_else(|| format!("capture {index} of {}", layout.len()))?
            }
            Rvalue::ClosureHasPair(c) => match self.operand_ty(c)? {
                Ty::Func(..) => Ty::Bool,
                other => {
                    return Err(format!(
                        "has_pair of {other}, which is not a function value"
                    ))
                }
            },
            Rvalue::CallClosurePair(c, a, b) => match self.operand_ty(c)? {
                Ty::Func(arg, ret) => match *ret {
                    Ty::Func(arg2, result) => {
                        expect_eq("closure argument", &arg, &self.operand_ty(a)?)?;
                        expect_eq("closure second argument", &arg2, &self.operand_ty(b)?)?;
                        *result
                    }
                    other => return Err(format!("call_pair of a closure returning {other}")),
                },
                other => {
                    return Err(format!(
                        "call_pair of {other}, which is not a function value"
                    ))
                }
            },
            Rvalue::CallClosure(c, a) => match self.operand_ty(c)? {
                Ty::Func(arg, ret) => {
                    expect_eq("closure argument", &arg, &self.operand_ty(a)?)?;
                    *ret
                }
                other => return Err(format!("call of {other}, which is not a function value")),
            },
            Rvalue::MakeUnion {
                union,
                case,
                fields,
            } => {
                let layout = self
                    .program
                    .unions
                    .get(union.index())
                    .ok_or_else(|| format!("{union} does not exist"))?;
                let case_layout = layout
                    .cases
                    .get(*case as usize)
                    .ok_or_else(|| format!("case {case} of {}", layout.name))?;
                if case_layout.fields.len() != fields.len() {
                    return Err(format!(
                        "case {} of {} has {} fields, given {}",
                        case_layout.name,
                        layout.name,
                        case_layout.fields.len(),
                        fields.len()
                    ));
                }
                for (expected, op) in case_layout.fields.iter().zip(fields) {
                    expect_eq(
                        &format!("field of {}", case_layout.name),
                        expected,
                        &self.operand_ty(op)?,
                    )?;
                }
                Ty::Union(*union)
            }
            Rvalue::UnionTag(v) => {
                self.union_of(v)?;
                Ty::I32
            }
            Rvalue::IsCase { value, case } => {
                self.case_fields(value, *case)?;
                Ty::Bool
            }
            Rvalue::UnionField { value, case, index } => self
                .case_fields(value, *case)?
                .get(*index as usize)
                .cloned()
                .ok_or_else(|| format!("field {index} of case {case}"))?,
            // The slot's address, as a box of its type (a ref cell) or a raw pointer.
            Rvalue::AddrOf(l) => {
                let slot = self.local_ty(*l)?.clone();
                match dest {
                    Some(Ty::Ptr) | None => Ty::Ptr,
                    Some(_) => Ty::Boxed(Box::new(slot)),
                }
            }
            Rvalue::Box(v) => Ty::Boxed(Box::new(self.operand_ty(v)?)),
            Rvalue::Unbox(v) => match self.operand_ty(v)? {
                Ty::Boxed(inner) => *inner,
                other => return Err(format!("unbox of {other}")),
            },
            Rvalue::Zero(ty) => ty.clone(),
            Rvalue::CompactDue(m) => {
                expect_eq("compaction mark", &Ty::I64, &self.operand_ty(m)?)?;
                Ty::Bool
            }
            Rvalue::Select(c, a, b) => {
                expect_eq("select condition", &Ty::Bool, &self.operand_ty(c)?)?;
                let ta = self.operand_ty(a)?;
                expect_eq("select branches", &ta, &self.operand_ty(b)?)?;
                ta
            }
            Rvalue::MakeAsync {
                func,
                captures,
                env,
            } => {
                if let Some(p) = env {
                    expect_eq("async environment", &Ty::Ptr, &self.operand_ty(p)?)?;
                }
                let callee = self.function_of(*func)?;
                if !callee.coroutine {
                    return Err(format!(
                        "async of {}, which is not a coroutine",
                        callee.name
                    ));
                }
                let params = &callee.params[..callee.params.len().saturating_sub(1)];
                if params.len() != captures.len() {
                    return Err(format!(
                        "async of {} with {} captures",
                        callee.name,
                        captures.len()
                    ));
                }
                for (p, c) in params.iter().zip(captures) {
                    expect_eq("async capture", callee.local_ty(*p), &self.operand_ty(c)?)?;
                }
                crate::mir::async_value_ty()
            }
            Rvalue::FuncAddr(id) => {
                self.function_of(*id)?;
                Ty::Ptr
            }
            Rvalue::FieldAddr { ptr, ty, path } => {
                match self.operand_ty(ptr)? {
                    Ty::Ptr | Ty::Boxed(_) => {}
                    other => return Err(format!("field address in {other}, not a pointer")),
                }
                let mut t = ty;
                for &i in path {
                    t = match t {
                        Ty::Tuple(fields) => fields
                            .get(i as usize)
                            .ok_or_else(|| format!("field {i} of {t}"))?,
                        other => return Err(format!("field {i} of {other}, not a struct")),
                    };
                }
                Ty::Ptr
            }
            Rvalue::PtrAdd { ptr, .. } => {
                expect_eq("pointer", &Ty::Ptr, &self.operand_ty(ptr)?)?;
                Ty::Ptr
            }
            Rvalue::Load { ptr, ty } => {
                expect_eq("load address", &Ty::Ptr, &self.operand_ty(ptr)?)?;
                ty.clone()
            }
            Rvalue::CallPtr { func, args, ret } => {
                expect_eq("called address", &Ty::Ptr, &self.operand_ty(func)?)?;
                for a in args {
                    self.operand_ty(a)?;
                }
                ret.clone()
            }
        };
        Ok(Some(ty))
    }

    fn option_payload(&self, a: &Operand) -> Result<Ty, String> {
        match self.operand_ty(a)? {
            Ty::Option(inner) => Ok(*inner),
            other => Err(format!("option operation on {other}")),
        }
    }

    fn union_of(&self, v: &Operand) -> Result<&crate::mir::UnionLayout, String> {
        match self.operand_ty(v)? {
            Ty::Union(u) => self
                .program
                .unions
                .get(u.index())
                .ok_or_else(|| format!("{u} does not exist")),
            other => Err(format!("union operation on {other}")),
        }
    }

    fn case_fields(&self, v: &Operand, case: u32) -> Result<&[Ty], String> {
        let layout = self.union_of(v)?;
        layout
            .cases
            .get(case as usize)
            .map(|c| c.fields.as_slice())
            .ok_or_else(|| format!("case {case} of {}", layout.name))
    }

    /// A call's result type. A runtime function's result is checked here against
    /// `dest` by its ABI class (`None`: nothing further to compare).
    fn call(
        &self,
        callee: &Callee,
        args: &[Operand],
        dest: Option<&Ty>,
    ) -> Result<Option<Ty>, String> {
        let arg_tys: Vec<Ty> = args
            .iter()
            .map(|a| self.operand_ty(a))
            .collect::<Result<_, _>>()?;
        match callee {
            Callee::Func(id) => {
                let callee = self.function_of(*id)?;
                let params: Vec<&Ty> = callee
                    .params
                    .iter()
                    .map(|p| callee.local_ty(*p))
                    .filter(|t| !t.is_unit())
                    .collect();
                let given: Vec<&Ty> = arg_tys.iter().filter(|t| !t.is_unit()).collect();
                if params != given {
                    return Err(format!(
                        "call of {} with ({}); it takes ({})",
                        callee.name,
                        list(&given),
                        list(&params)
                    ));
                }
                Ok(Some(callee.ret.clone()))
            }
            Callee::Runtime(rt) => {
                let (params, ret) = rt.signature();
                let accepted = params.len() == arg_tys.len()
                    && params.iter().zip(&arg_tys).all(|(a, t)| abi_accepts(*a, t));
                if !accepted {
                    return Err(format!(
                        "call of {} with ({}); its C signature takes {params:?}",
                        rt.symbol(),
                        list(&arg_tys.iter().collect::<Vec<_>>())
                    ));
                }
                let fits = match (ret, dest) {
                    (_, None) => true,
                    (None, Some(ty)) => ty.is_unit(),
                    (Some(abi), Some(ty)) => abi_accepts(abi, ty),
                };
                if !fits {
                    return Err(format!(
                        "the result of {} ({ret:?}) is assigned to a slot of type {}",
                        rt.symbol(),
                        dest.map_or(String::new(), Ty::to_string)
                    ));
                }
                Ok(None)
            }
        }
    }
}

fn list(tys: &[&Ty]) -> String {
    tys.iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::verify;
    use crate::mir::*;

    fn local(name: &str, ty: Ty) -> Local {
        Local {
            name: name.into(),
            ty,
        }
    }

    /// `fn0 id(v0: i64) -> i64 { return v0 }` and `fn1 main() -> i64` whose one block
    /// is `stmts` then `terminator`, with locals `v0: i64, v1: str, v2: bool`.
    fn program(stmts: Vec<Stmt>, terminator: Terminator) -> Program {
        let id = Function {
            name: "id".into(),
            params: vec![LocalId(0)],
            ret: Ty::I64,
            locals: vec![local("x", Ty::I64)],
            blocks: vec![Block {
                stmts: vec![],
                terminator: Terminator::Return(Operand::Local(LocalId(0))),
            }],
            is_export: false,
            coroutine: false,
        };
        let main = Function {
            name: "main".into(),
            params: vec![],
            ret: Ty::I64,
            locals: vec![
                local("n", Ty::I64),
                local("s", Ty::Str),
                local("b", Ty::Bool),
            ],
            blocks: vec![Block { stmts, terminator }],
            is_export: false,
            coroutine: false,
        };
        Program {
            functions: vec![id, main],
            strings: vec!["hello".into()],
            ..Program::default()
        }
    }

    fn n() -> Operand {
        Operand::Local(LocalId(0))
    }

    fn ret_n() -> Terminator {
        Terminator::Return(n())
    }

    #[test]
    fn well_typed_mir_passes() {
        let p = program(
            vec![
                Stmt::Assign(LocalId(0), Rvalue::Use(Operand::Const(Const::i64(1)))),
                Stmt::Assign(LocalId(0), Rvalue::Call(Callee::Func(FuncId(0)), vec![n()])),
                Stmt::Assign(
                    LocalId(2),
                    Rvalue::Binary(BinOp::Lt, n(), Operand::Const(Const::i64(3))),
                ),
                Stmt::Assign(
                    LocalId(1),
                    Rvalue::Use(Operand::Const(Const::Str(StrId(0)))),
                ),
                Stmt::Eval(Rvalue::Call(
                    Callee::Runtime(RtFn::Write),
                    vec![Operand::Const(Const::i32(1)), Operand::Local(LocalId(1))],
                )),
            ],
            ret_n(),
        );
        assert_eq!(verify(&p), Ok(()));
    }

    #[test]
    fn a_value_of_the_wrong_type_is_rejected() {
        let p = program(
            vec![Stmt::Assign(
                LocalId(0),
                Rvalue::Use(Operand::Const(Const::Bool(true))),
            )],
            ret_n(),
        );
        assert_eq!(
            verify(&p),
            Err("main: bb0: assignment to v0: expected i64, found bool".into())
        );
    }

    #[test]
    fn a_wrong_return_type_is_rejected() {
        let p = program(vec![], Terminator::Return(Operand::Local(LocalId(1))));
        assert_eq!(
            verify(&p),
            Err("main: bb0: return: expected i64, found str".into())
        );
    }

    #[test]
    fn calls_must_name_a_function_and_match_its_parameters() {
        let missing = program(
            vec![Stmt::Assign(
                LocalId(0),
                Rvalue::Call(Callee::Func(FuncId(7)), vec![n()]),
            )],
            ret_n(),
        );
        assert_eq!(
            verify(&missing),
            Err("main: bb0: call of fn7, which does not exist".into())
        );
        let wrong_argument = program(
            vec![Stmt::Assign(
                LocalId(0),
                Rvalue::Call(Callee::Func(FuncId(0)), vec![Operand::Local(LocalId(1))]),
            )],
            ret_n(),
        );
        assert_eq!(
            verify(&wrong_argument),
            Err("main: bb0: call of id with (str); it takes (i64)".into())
        );
    }

    #[test]
    fn runtime_calls_must_match_the_c_signature() {
        let p = program(
            vec![Stmt::Eval(Rvalue::Call(
                Callee::Runtime(RtFn::Write),
                vec![n(), Operand::Local(LocalId(1))],
            ))],
            ret_n(),
        );
        let error = verify(&p).unwrap_err();
        assert!(
            error.contains("call of clef_rt_write with (i64, str)"),
            "{error}"
        );
    }

    #[test]
    fn a_tail_call_must_be_returned_and_match_the_caller() {
        // main calling itself: the signature matches, the result is dropped.
        let not_returned = program(
            vec![Stmt::Assign(
                LocalId(0),
                Rvalue::TailCall(FuncId(1), vec![]),
            )],
            Terminator::Return(Operand::Const(Const::i64(0))),
        );
        assert_eq!(
            verify(&not_returned),
            Err("main: bb0: the result of a tail call (v0) must be returned at once".into())
        );
        // main takes no parameter; id takes one: not the caller's signature.
        let other_signature = program(
            vec![Stmt::Assign(
                LocalId(0),
                Rvalue::TailCall(FuncId(0), vec![n()]),
            )],
            ret_n(),
        );
        assert_eq!(
            verify(&other_signature),
            Err("main: bb0: tail call of id whose signature differs from the caller's".into())
        );
    }

    #[test]
    fn structure_is_checked() {
        let p = program(vec![], Terminator::Goto(BlockId(3)));
        assert_eq!(
            verify(&p),
            Err("main: bb0: jumps to bb3, which does not exist".into())
        );
        let p = program(
            vec![],
            Terminator::Branch {
                cond: n(),
                then_block: BlockId(0),
                else_block: BlockId(0),
            },
        );
        assert_eq!(
            verify(&p),
            Err("main: bb0: branch condition: expected bool, found i64".into())
        );
        let p = program(vec![Stmt::Assign(LocalId(9), Rvalue::Use(n()))], ret_n());
        assert_eq!(verify(&p), Err("main: bb0: v9 is not a local".into()));
    }
    #[test]
    fn conversions_are_numeric_or_between_a_string_and_its_bytes() {
        let bytes = Ty::Array(Box::new(Ty::Int {
            bits: 8,
            signed: false,
        }));
        let mut p = program(
            vec![Stmt::Assign(
                LocalId(3),
                Rvalue::Convert(Operand::Local(LocalId(1)), bytes.clone()),
            )],
            ret_n(),
        );
        p.functions[1].locals.push(local("bytes", bytes.clone()));
        assert_eq!(verify(&p), Ok(()));
        // A string is not its bytes without the conversion.
        p.functions[1].blocks[0].stmts = vec![Stmt::Assign(
            LocalId(3),
            Rvalue::Use(Operand::Local(LocalId(1))),
        )];
        assert_eq!(
            verify(&p),
            Err("main: bb0: assignment to v3: expected [u8], found str".into())
        );
        let to_int = program(
            vec![Stmt::Assign(
                LocalId(0),
                Rvalue::Convert(Operand::Local(LocalId(1)), Ty::I64),
            )],
            ret_n(),
        );
        assert_eq!(
            verify(&to_int),
            Err("main: bb0: conversion of str to i64".into())
        );
    }

    #[test]
    fn an_unboxed_union_must_not_hold_itself() {
        let mut p = program(vec![], ret_n());
        p.unions.push(UnionLayout {
            name: "Chain".into(),
            cases: vec![
                CaseLayout {
                    name: "End".into(),
                    fields: vec![],
                },
                CaseLayout {
                    name: "Link".into(),
                    fields: vec![Ty::I64, Ty::Option(Box::new(Ty::Union(UnionId(0))))],
                },
            ],
            boxed: false,
        });
        assert_eq!(
            verify(&p),
            Err(
                "union Chain (union0) is not boxed but holds itself inline: its size is infinite"
                    .into()
            )
        );
        p.unions[0].boxed = true;
        assert_eq!(verify(&p), Ok(()));
    }
}
