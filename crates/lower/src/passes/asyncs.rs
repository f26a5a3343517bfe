//! Async bodies to state machines (DESIGN §6, `docs/async.md`).
//!
//! Lowering leaves each async body as a *coroutine*: an ordinary function of its
//! captured values (and `unit`) whose blocks may end in `Await` (wait for an async,
//! get its result) or `Suspend` (give the task up once). This pass makes each one
//!
//! * a **frame**: a struct of the state index, the async a `return!` hands on, the
//!   result, the parameters, the locals that live across a suspension point, and
//!   one slot per await site for the awaited async's frame;
//! * a **resume function** `fn(frame) -> i8` in place of the coroutine (same
//!   `FuncId`): its entry switches on the state index to the start or to the point
//!   after the suspension it stopped at; each suspension point stores the locals
//!   live after it into the frame and returns `POLL_PENDING`, and its resumption
//!   loads them back (spill and reload, not every local in memory, so the code
//!   between suspensions works on registers as usual);
//! * an **init function** `fn(env, frame)` that starts a frame from the captured
//!   values;
//!
//! and makes every `MakeAsync` the tuple `(resume, init, env, frame size)`.
//!
//! Before that, a call of an *async constructor* (a function that only makes an
//! async of its parameters, `let add x y = async { ... }`) becomes the `MakeAsync`
//! itself, and an async made only to be awaited (`let! x = add 1 2`, `return!
//! loop (n - 1)`) keeps its environment in a field of the awaiting frame: an await
//! of a known async allocates nothing once its slot has memory.
//!
//! Awaiting starts the awaited async in the site's slot (`start`, which reuses the
//! slot's memory) and polls it (`poll`) until it is ready; `return!` stores the
//! async it hands on in its own frame and answers `POLL_TAIL`, and whoever polls it
//! starts that one in the same slot: a `return!` loop runs in constant memory.

use crate::mir::{
    async_slot_ty, frame_prefix, BinOp, Block, BlockId, Callee, Const, FuncId, Function, Local,
    LocalId, Operand, Program, RtFn, Rvalue, Stmt, Terminator, Ty, POLL_CANCELLED, POLL_PENDING,
    POLL_READY, POLL_TAIL, POLL_TY,
};
use rustc_hash::{FxHashMap, FxHashSet};

/// Field indices of every frame (`mir::frame_prefix`).
const STATE: u32 = 0;
const RESULT: u32 = 1;
/// The state of a finished frame.
const DONE: i32 = -1;

pub fn run(program: &mut Program) {
    let Some((poll, start, handoff)) = program.async_helpers else {
        return;
    };
    // A constructor may call another (`let leaf () = Async.Sleep 0`): inlining one
    // level can make more constructors, until none is left to find.
    let mut known = 0;
    loop {
        let ctors = constructors(program);
        if ctors.len() == known {
            break;
        }
        known = ctors.len();
        let before = program.functions.clone();
        for f in &mut program.functions {
            inline_constructors(&before, f, &ctors);
        }
    }
    let mut made: FxHashMap<FuncId, (FuncId, i64)> = FxHashMap::default();
    for i in 0..program.functions.len() {
        if program.functions[i].coroutine {
            let id = FuncId(i as u32);
            let (resume, init, (size, suspensions, kept)) =
                state_machine(program, id, (poll, start, handoff));
            for frame in program.async_frames.iter_mut().filter(|a| a.func == id) {
                frame.bytes = size;
                frame.suspensions = suspensions;
                frame.kept = kept.clone();
            }
            let size = size as i64;
            program.functions[i] = resume;
            program.functions.push(init);
            let init_id = FuncId(program.functions.len() as u32 - 1);
            made.insert(id, (init_id, size));
        }
    }
    for f in &mut program.functions {
        make_async_values(f, &made);
    }
}

/// An async constructor: the coroutine, the straight-line statements that compute
/// its captures from the parameters (`Use`, tuple fields, conversions), and the
/// captures.
struct Constructor {
    func: FuncId,
    prefix: Vec<Stmt>,
    captures: Vec<Operand>,
}

/// Whether a constructor's statement may be copied to its callers: it reads its
/// operands and nothing else, and cannot fail.
fn copyable(s: &Stmt) -> bool {
    matches!(
        s,
        Stmt::Assign(
            _,
            Rvalue::Use(_) | Rvalue::TupleGet(..) | Rvalue::MakeTuple(_) | Rvalue::Convert(..)
        )
    )
}

/// The async constructors: functions whose body only makes an async of values
/// computed from their parameters (`let add x y = async { ... }`, a method whose
/// tupled arguments its body takes apart), by straight-line copyable statements.
fn constructors(program: &Program) -> FxHashMap<FuncId, Constructor> {
    let mut out = FxHashMap::default();
    for (i, f) in program.functions.iter().enumerate() {
        if f.coroutine || f.is_export || f.blocks.is_empty() {
            continue;
        }
        let mut prefix = Vec::new();
        let mut b = 0;
        let mut steps = 0;
        let made = loop {
            let block = &f.blocks[b];
            let (last, rest) = match block.stmts.split_last() {
                Some((last, rest)) => (Some(last), rest),
                None => (None, &block.stmts[..]),
            };
            match (&block.terminator, last) {
                (
                    Terminator::Return(Operand::Local(v)),
                    Some(Stmt::Assign(
                        d,
                        Rvalue::MakeAsync {
                            func,
                            captures,
                            env: None,
                        },
                    )),
                ) if d == v && rest.iter().all(copyable) => {
                    prefix.extend(rest.iter().cloned());
                    break Some((*func, captures.clone()));
                }
                (Terminator::Goto(t), _) if block.stmts.iter().all(copyable) => {
                    prefix.extend(block.stmts.iter().cloned());
                    b = t.index();
                    steps += 1;
                    if steps > f.blocks.len() {
                        break None;
                    }
                }
                _ => break None,
            }
        };
        // A parameter is the caller's argument, never written here.
        let writes_param = prefix
            .iter()
            .any(|st| matches!(st, Stmt::Assign(d, _) if f.params.contains(d)));
        if let (Some((func, captures)), false) = (made, writes_param) {
            out.insert(
                FuncId(i as u32),
                Constructor {
                    func,
                    prefix,
                    captures,
                },
            );
        }
    }
    out
}

/// Calls of async constructors in `f` as the asyncs they make: the constructor's
/// statements, on fresh locals of `f` (its parameters being the call's arguments),
/// then the `MakeAsync`.
fn inline_constructors(
    program_functions: &[Function],
    f: &mut Function,
    ctors: &FxHashMap<FuncId, Constructor>,
) {
    for bi in 0..f.blocks.len() {
        if !f.blocks[bi].stmts.iter().any(
            |s| matches!(s, Stmt::Assign(_, Rvalue::Call(Callee::Func(g), _)) if ctors.contains_key(g)),
        ) {
            continue;
        }
        let stmts = std::mem::take(&mut f.blocks[bi].stmts);
        let mut new = Vec::with_capacity(stmts.len());
        for s in stmts {
            let Stmt::Assign(dest, Rvalue::Call(Callee::Func(g), args)) = &s else {
                new.push(s);
                continue;
            };
            let Some(ctor) = ctors.get(g) else {
                new.push(s);
                continue;
            };
            let callee = &program_functions[g.index()];
            // The callee's locals as the caller's: parameters are the arguments.
            let mut map: FxHashMap<LocalId, Operand> = FxHashMap::default();
            for (p, a) in callee.params.iter().zip(args) {
                map.insert(*p, a.clone());
            }
            let mut rename = |op: &Operand, f: &mut Function| -> Operand {
                match op {
                    Operand::Const(_) => op.clone(),
                    Operand::Local(l) => map
                        .entry(*l)
                        .or_insert_with(|| {
                            f.locals.push(callee.locals[l.index()].clone());
                            Operand::Local(LocalId(f.locals.len() as u32 - 1))
                        })
                        .clone(),
                }
            };
            for st in &ctor.prefix {
                let Stmt::Assign(d, rv) = st else {
                    unreachable!("a constructor's prefix assigns")
                };
                let rv = match rv {
                    Rvalue::Use(a) => Rvalue::Use(rename(a, f)),
                    Rvalue::TupleGet(a, i) => Rvalue::TupleGet(rename(a, f), *i),
                    Rvalue::Convert(a, t) => Rvalue::Convert(rename(a, f), t.clone()),
                    Rvalue::MakeTuple(ops) => {
                        Rvalue::MakeTuple(ops.iter().map(|o| rename(o, f)).collect())
                    }
                    _ => unreachable!("only copyable statements"),
                };
                // A destination is always a fresh local of the caller.
                let Operand::Local(d) = rename(&Operand::Local(*d), f) else {
                    unreachable!("a local renames to a local")
                };
                new.push(Stmt::Assign(d, rv));
            }
            let captures = ctor.captures.iter().map(|c| rename(c, f)).collect();
            new.push(Stmt::Assign(
                *dest,
                Rvalue::MakeAsync {
                    func: ctor.func,
                    captures,
                    env: None,
                },
            ));
        }
        f.blocks[bi].stmts = new;
    }
}

/// How many times each local is read.
fn use_counts(f: &Function) -> Vec<u32> {
    let mut n = vec![0u32; f.locals.len()];
    for block in &f.blocks {
        for s in &block.stmts {
            let (uses, _) = stmt_uses(s);
            for op in uses {
                if let Operand::Local(l) = op {
                    n[l.index()] += 1;
                }
            }
        }
        for op in terminator_uses(&block.terminator) {
            if let Operand::Local(l) = op {
                n[l.index()] += 1;
            }
        }
    }
    n
}

/// The byte offset of a (nested) tuple field.
fn path_offset(program: &Program, ty: &Ty, path: &[u32]) -> u64 {
    let mut offset = 0;
    let mut ty = ty;
    for &i in path {
        let Ty::Tuple(fields) = ty else {
            unreachable!("a frame path goes through tuples")
        };
        offset += program.struct_layout(fields).1[i as usize];
        ty = &fields[i as usize];
    }
    offset
}

fn cancelled_call() -> Rvalue {
    Rvalue::Call(Callee::Runtime(RtFn::AsyncCancelled), vec![])
}

fn poll_const(v: i64) -> Operand {
    Operand::Const(Const::Int {
        value: v as i128,
        bits: 8,
        signed: false,
    })
}

fn field_addr(ptr: Operand, ty: &Ty, path: Vec<u32>) -> Rvalue {
    Rvalue::FieldAddr {
        ptr,
        ty: ty.clone(),
        path,
    }
}

/// The operands a statement reads and the local it writes.
fn stmt_uses(s: &Stmt) -> (Vec<&Operand>, Option<LocalId>) {
    match s {
        Stmt::Assign(l, r) => (r.operands(), Some(*l)),
        Stmt::Eval(r) => (r.operands(), None),
        Stmt::StoreGlobal(_, op) => (vec![op], None),
        Stmt::ArraySet(a, i, v) => (vec![a, i, v], None),
        Stmt::StoreBoxed(p, v) | Stmt::Store(p, v) => (vec![p, v], None),
    }
}

fn terminator_uses(t: &Terminator) -> Vec<&Operand> {
    match t {
        Terminator::Branch { cond, .. } => vec![cond],
        Terminator::Return(op) => vec![op],
        Terminator::Switch { value, .. } | Terminator::Await { value, .. } => vec![value],
        Terminator::Goto(_)
        | Terminator::Suspend { .. }
        | Terminator::Unreachable
        | Terminator::Cancel => vec![],
    }
}

/// The locals live at the start of each block (backward data flow to a fixed
/// point). An await's result is written on the way to its next block.
fn live_in(f: &Function) -> Vec<FxHashSet<LocalId>> {
    let n = f.blocks.len();
    let mut live: Vec<FxHashSet<LocalId>> = vec![FxHashSet::default(); n];
    let mut changed = true;
    while changed {
        changed = false;
        for i in (0..n).rev() {
            let block = &f.blocks[i];
            let mut set: FxHashSet<LocalId> = FxHashSet::default();
            for s in block.terminator.successors() {
                set.extend(&live[s.index()]);
            }
            if let Terminator::Await { dest, .. } = &block.terminator {
                set.remove(dest);
            }
            for op in terminator_uses(&block.terminator) {
                if let Operand::Local(l) = op {
                    set.insert(*l);
                }
            }
            for s in block.stmts.iter().rev() {
                let (uses, def) = stmt_uses(s);
                if let Some(d) = def {
                    set.remove(&d);
                }
                for op in uses {
                    if let Operand::Local(l) = op {
                        set.insert(*l);
                    }
                }
                if let Stmt::Assign(_, r) | Stmt::Eval(r) = s {
                    if let Some(l) = r.lent_slot() {
                        set.insert(l);
                    }
                }
            }
            if set != live[i] {
                live[i] = set;
                changed = true;
            }
        }
    }
    live
}

/// A small builder of blocks for the resume function.
struct Out {
    locals: Vec<Local>,
    blocks: Vec<Block>,
}

impl Out {
    fn local(&mut self, ty: Ty) -> LocalId {
        self.locals.push(Local {
            name: String::new(),
            ty,
        });
        LocalId(self.locals.len() as u32 - 1)
    }

    fn block(&mut self) -> BlockId {
        self.blocks.push(Block {
            stmts: Vec::new(),
            terminator: Terminator::Unreachable,
        });
        BlockId(self.blocks.len() as u32 - 1)
    }

    fn temp(&mut self, stmts: &mut Vec<Stmt>, r: Rvalue, ty: Ty) -> Operand {
        let l = self.local(ty);
        stmts.push(Stmt::Assign(l, r));
        Operand::Local(l)
    }
}

/// The resume function, the init function and the frame size of coroutine `id`.
fn state_machine(
    program: &Program,
    id: FuncId,
    (poll, start, handoff): (FuncId, FuncId, crate::mir::GlobalId),
) -> (Function, Function, (u64, u32, Vec<String>)) {
    let f = &program.functions[id.index()];
    let live = live_in(f);
    // The suspension points in block order: (block, locals to keep across it).
    let mut sites: Vec<(usize, Vec<LocalId>)> = Vec::new();
    for (i, block) in f.blocks.iter().enumerate() {
        let keep = match &block.terminator {
            // What the code after it (or its cancellation path) reads.
            Terminator::Await {
                dest,
                next,
                cancel,
                tail: false,
                ..
            } => live[next.index()]
                .iter()
                .filter(|l| *l != dest)
                .chain(&live[cancel.index()])
                .copied()
                .collect::<FxHashSet<_>>(),
            Terminator::Suspend { next, cancel } => live[next.index()]
                .iter()
                .chain(&live[cancel.index()])
                .copied()
                .collect(),
            _ => continue,
        };
        let mut keep: Vec<LocalId> = keep
            .into_iter()
            .filter(|l| !f.local_ty(*l).is_unit())
            .collect();
        keep.sort();
        sites.push((i, keep));
    }
    // The frame: prefix, parameters, kept locals, a slot per await site.
    let mut fields = frame_prefix(f.ret.clone());
    let mut field_of: FxHashMap<LocalId, u32> = FxHashMap::default();
    for &p in &f.params {
        field_of.insert(p, fields.len() as u32);
        fields.push(f.local_ty(p).clone());
    }
    for (_, keep) in &sites {
        for l in keep {
            if !field_of.contains_key(l) {
                field_of.insert(*l, fields.len() as u32);
                fields.push(f.local_ty(*l).clone());
            }
        }
    }
    // An async made only to be awaited keeps its environment in the frame.
    let uses = use_counts(f);
    let mut defs = vec![0u32; f.locals.len()];
    let mut made_here: FxHashMap<LocalId, Vec<Ty>> = FxHashMap::default();
    for block in &f.blocks {
        for s in &block.stmts {
            if let Stmt::Assign(l, r) = s {
                defs[l.index()] += 1;
                if let Rvalue::MakeAsync {
                    captures,
                    env: None,
                    ..
                } = r
                {
                    let mut tys: Vec<Ty> = captures.iter().map(|c| f.operand_ty(c)).collect();
                    tys.push(Ty::Unit);
                    made_here.insert(*l, tys);
                }
            }
        }
    }
    let mut env_of: FxHashMap<LocalId, (u32, Ty)> = FxHashMap::default();
    for block in &f.blocks {
        if let Terminator::Await {
            value: Operand::Local(v),
            ..
        } = &block.terminator
        {
            if let (1, 1, Some(tys)) = (uses[v.index()], defs[v.index()], made_here.get(v)) {
                let ty = Ty::Tuple(tys.clone());
                env_of.insert(*v, (fields.len() as u32, ty.clone()));
                fields.push(ty);
            }
        }
    }
    let mut slot_of: FxHashMap<usize, u32> = FxHashMap::default();
    for (block, _) in &sites {
        if matches!(f.blocks[*block].terminator, Terminator::Await { .. }) {
            slot_of.insert(*block, fields.len() as u32);
            fields.push(async_slot_ty());
        }
    }
    let frame_ty = Ty::Tuple(fields);
    let size = program.size_align(&frame_ty).0 as i64;
    let mut kept: Vec<LocalId> = sites.iter().flat_map(|(_, k)| k.iter().copied()).collect();
    kept.sort();
    kept.dedup();
    let kept: Vec<String> = kept
        .into_iter()
        .filter(|l| !f.locals[l.index()].name.is_empty())
        .map(|l| format!("{}: {}", f.locals[l.index()].name, f.local_ty(l)))
        .collect();
    let note = (size as u64, sites.len() as u32, kept);

    // The resume function: block 0 dispatches, the coroutine's blocks follow.
    let mut out = Out {
        locals: f.locals.clone(),
        blocks: Vec::new(),
    };
    let frame = out.local(Ty::Ptr);
    let frame_op = Operand::Local(frame);
    // Frame fields by byte offset: the frame's struct type is large, and spelling
    // it at every access would make the IR grow with (accesses × fields).
    let at = |path: Vec<u32>| Rvalue::PtrAdd {
        ptr: frame_op.clone(),
        bytes: path_offset(program, &frame_ty, &path),
    };
    let dispatch = out.block();
    let shift = |b: BlockId| BlockId(b.0 + 1);
    for block in &f.blocks {
        let mut stmts = Vec::with_capacity(block.stmts.len());
        for s in &block.stmts {
            match s {
                Stmt::Assign(v, Rvalue::MakeAsync { func, captures, .. })
                    if env_of.contains_key(v) =>
                {
                    let p = out.temp(&mut stmts, at(vec![env_of[v].0]), Ty::Ptr);
                    stmts.push(Stmt::Assign(
                        *v,
                        Rvalue::MakeAsync {
                            func: *func,
                            captures: captures.clone(),
                            env: Some(p),
                        },
                    ));
                }
                _ => stmts.push(s.clone()),
            }
        }
        out.blocks.push(Block {
            stmts,
            terminator: block.terminator.clone().map_targets(shift),
        });
    }
    let set_state = |out: &mut Out, stmts: &mut Vec<Stmt>, state: i32| {
        let a = out.temp(stmts, at(vec![STATE]), Ty::Ptr);
        stmts.push(Stmt::Store(a, Operand::Const(Const::i32(state))));
    };
    // Start: the parameters from the frame.
    let begin = out.block();
    let mut stmts = Vec::new();
    for &p in &f.params {
        if !f.local_ty(p).is_unit() {
            let a = out.temp(&mut stmts, at(vec![field_of[&p]]), Ty::Ptr);
            stmts.push(Stmt::Assign(
                p,
                Rvalue::Load {
                    ptr: a,
                    ty: f.local_ty(p).clone(),
                },
            ));
        }
    }
    out.blocks[begin.index()].stmts = stmts;
    out.blocks[begin.index()].terminator = Terminator::Goto(BlockId(1));
    // A finished frame resumed again answers ready.
    let finished = out.block();
    out.blocks[finished.index()].terminator = Terminator::Return(poll_const(POLL_READY));
    let mut targets = vec![begin];
    for (k, (block, keep)) in sites.iter().enumerate() {
        let state = k as i32 + 1;
        let here = BlockId(*block as u32 + 1);
        let mut stmts = std::mem::take(&mut out.blocks[here.index()].stmts);
        let terminator = out.blocks[here.index()].terminator.clone();
        // Leaving: keep the live locals, record the state, answer pending.
        let pending = out.block();
        let mut save = Vec::new();
        for l in keep {
            let a = out.temp(&mut save, at(vec![field_of[l]]), Ty::Ptr);
            save.push(Stmt::Store(a, Operand::Local(*l)));
        }
        set_state(&mut out, &mut save, state);
        out.blocks[pending.index()].stmts = save;
        out.blocks[pending.index()].terminator = Terminator::Return(poll_const(POLL_PENDING));
        // Coming back: the live locals from the frame.
        let resumed = out.block();
        let mut load = Vec::new();
        for l in keep {
            let a = out.temp(&mut load, at(vec![field_of[l]]), Ty::Ptr);
            load.push(Stmt::Assign(
                *l,
                Rvalue::Load {
                    ptr: a,
                    ty: f.local_ty(*l).clone(),
                },
            ));
        }
        out.blocks[resumed.index()].stmts = load;
        targets.push(resumed);
        match terminator {
            Terminator::Suspend { next, cancel } => {
                out.blocks[here.index()].stmts = stmts;
                out.blocks[here.index()].terminator = Terminator::Goto(pending);
                // Cancellation is checked where the task comes back.
                let mut c = std::mem::take(&mut out.blocks[resumed.index()].stmts);
                let cancelled = out.temp(&mut c, cancelled_call(), Ty::Bool);
                out.blocks[resumed.index()].stmts = c;
                out.blocks[resumed.index()].terminator = Terminator::Branch {
                    cond: cancelled,
                    then_block: cancel,
                    else_block: next,
                };
            }
            Terminator::Await {
                value,
                dest,
                next,
                catch,
                cancel,
                ..
            } => {
                let slot_path = vec![slot_of[block]];
                // A catching await of a cancelled task gives `None` at once.
                let none = catch.then(|| {
                    let none = out.block();
                    let ty = out.locals[dest.index()].ty.clone();
                    out.blocks[none.index()].stmts =
                        vec![Stmt::Assign(dest, Rvalue::MakeOption { ty, payload: None })];
                    out.blocks[none.index()].terminator = Terminator::Goto(next);
                    none
                });
                let on_cancel = none.unwrap_or(cancel);
                // Cancellation is checked before the awaited async starts.
                let cancelled = out.temp(&mut stmts, cancelled_call(), Ty::Bool);
                let starting = out.block();
                out.blocks[here.index()].stmts = stmts;
                out.blocks[here.index()].terminator = Terminator::Branch {
                    cond: cancelled,
                    then_block: on_cancel,
                    else_block: starting,
                };
                let mut s = Vec::new();
                let slot = out.temp(&mut s, at(slot_path.clone()), Ty::Ptr);
                s.push(Stmt::Eval(Rvalue::Call(
                    Callee::Func(start),
                    vec![slot, value],
                )));
                let polling = out.block();
                out.blocks[starting.index()].stmts = s;
                out.blocks[starting.index()].terminator = Terminator::Goto(polling);
                out.blocks[resumed.index()].terminator = Terminator::Goto(polling);
                let mut p = Vec::new();
                let slot = out.temp(&mut p, at(slot_path.clone()), Ty::Ptr);
                let answer = out.temp(
                    &mut p,
                    Rvalue::Call(Callee::Func(poll), vec![slot]),
                    POLL_TY,
                );
                let ready = out.temp(
                    &mut p,
                    Rvalue::Binary(BinOp::Eq, answer.clone(), poll_const(POLL_READY)),
                    Ty::Bool,
                );
                let got = out.block();
                let not_ready = out.block();
                out.blocks[polling.index()].stmts = p;
                out.blocks[polling.index()].terminator = Terminator::Branch {
                    cond: ready,
                    then_block: got,
                    else_block: not_ready,
                };
                let mut n = Vec::new();
                let ended_cancelled = out.temp(
                    &mut n,
                    Rvalue::Binary(BinOp::Eq, answer, poll_const(POLL_CANCELLED)),
                    Ty::Bool,
                );
                out.blocks[not_ready.index()].stmts = n;
                out.blocks[not_ready.index()].terminator = Terminator::Branch {
                    cond: ended_cancelled,
                    then_block: on_cancel,
                    else_block: pending,
                };
                let mut g = Vec::new();
                let dest_ty = out.locals[dest.index()].ty.clone();
                // A catching await's result is `Some` of the awaited one's.
                let (result_local, value_ty) = match (&dest_ty, catch) {
                    (Ty::Option(inner), true) => (out.local((**inner).clone()), (**inner).clone()),
                    _ => (dest, dest_ty.clone()),
                };
                if !value_ty.is_unit() {
                    let mut path = slot_path;
                    path.push(0);
                    let mem_addr = out.temp(&mut g, at(path), Ty::Ptr);
                    let mem = out.temp(
                        &mut g,
                        Rvalue::Load {
                            ptr: mem_addr,
                            ty: Ty::Ptr,
                        },
                        Ty::Ptr,
                    );
                    let result_ty = Ty::Tuple(frame_prefix(value_ty.clone()));
                    let r = out.temp(&mut g, field_addr(mem, &result_ty, vec![RESULT]), Ty::Ptr);
                    g.push(Stmt::Assign(
                        result_local,
                        Rvalue::Load {
                            ptr: r,
                            ty: value_ty.clone(),
                        },
                    ));
                }
                if catch {
                    let payload = if value_ty.is_unit() {
                        Operand::Const(Const::Unit)
                    } else {
                        Operand::Local(result_local)
                    };
                    g.push(Stmt::Assign(
                        dest,
                        Rvalue::MakeOption {
                            ty: dest_ty,
                            payload: Some(payload),
                        },
                    ));
                }
                out.blocks[got.index()].stmts = g;
                out.blocks[got.index()].terminator = Terminator::Goto(next);
            }
            _ => unreachable!("a suspension site ends in Await or Suspend"),
        }
    }
    // Finishing: the result (or the async handed on) into the frame.
    for i in 1..=f.blocks.len() {
        let (stmts, answer) = match out.blocks[i].terminator.clone() {
            Terminator::Return(op) => {
                let mut s = Vec::new();
                if !f.ret.is_unit() {
                    let a = out.temp(&mut s, at(vec![RESULT]), Ty::Ptr);
                    s.push(Stmt::Store(a, op));
                }
                (s, POLL_READY)
            }
            Terminator::Await {
                value, tail: true, ..
            } => (vec![Stmt::StoreGlobal(handoff, value)], POLL_TAIL),
            Terminator::Cancel => (Vec::new(), POLL_CANCELLED),
            _ => continue,
        };
        let mut stmts = stmts;
        set_state(&mut out, &mut stmts, DONE);
        out.blocks[i].stmts.extend(stmts);
        out.blocks[i].terminator = Terminator::Return(poll_const(answer));
    }
    let mut d = Vec::new();
    let s_addr = out.temp(&mut d, at(vec![STATE]), Ty::Ptr);
    let state = out.temp(
        &mut d,
        Rvalue::Load {
            ptr: s_addr,
            ty: Ty::I32,
        },
        Ty::I32,
    );
    out.blocks[dispatch.index()].stmts = d;
    out.blocks[dispatch.index()].terminator = Terminator::Switch {
        value: state,
        targets,
        default: finished,
    };
    let resume = Function {
        name: f.name.clone(),
        params: vec![frame],
        ret: POLL_TY,
        locals: out.locals,
        blocks: out.blocks,
        is_export: false,
        coroutine: false,
    };
    let init = init_function(program, f, &frame_ty, &field_of, slot_of.values().copied());
    (resume, init, note)
}

/// `init(env, frame, keep)`: the parameters from the environment (a tuple of them)
/// into the frame, the state at the start, and every await slot empty unless `keep`
/// (the frame's memory held a frame of this same coroutine, whose slots' memory
/// stays theirs: `start` in `lower/asyncs.rs`).
fn init_function(
    program: &Program,
    f: &Function,
    frame_ty: &Ty,
    field_of: &FxHashMap<LocalId, u32>,
    slots: impl Iterator<Item = u32>,
) -> Function {
    let mut out = Out {
        locals: Vec::new(),
        blocks: Vec::new(),
    };
    let env = out.local(Ty::Ptr);
    let frame = out.local(Ty::Ptr);
    let keep = out.local(Ty::Bool);
    out.block();
    let param_tys: Vec<Ty> = f.params.iter().map(|p| f.local_ty(*p).clone()).collect();
    let env_ty = Ty::Tuple(param_tys.clone());
    let mut s = Vec::new();
    // Every value is read before any is written: a frame handed on by `return!`
    // may start in the memory its environment is in.
    let mut values = Vec::new();
    for (i, t) in param_tys.iter().enumerate() {
        if t.is_unit() {
            continue;
        }
        let a = out.temp(
            &mut s,
            field_addr(Operand::Local(env), &env_ty, vec![i as u32]),
            Ty::Ptr,
        );
        let v = out.temp(
            &mut s,
            Rvalue::Load {
                ptr: a,
                ty: t.clone(),
            },
            t.clone(),
        );
        values.push((field_of[&f.params[i]], v));
    }
    for (fi, v) in values {
        let a = out.temp(
            &mut s,
            Rvalue::PtrAdd {
                ptr: Operand::Local(frame),
                bytes: path_offset(program, frame_ty, &[fi]),
            },
            Ty::Ptr,
        );
        s.push(Stmt::Store(a, v));
    }
    let a = out.temp(
        &mut s,
        Rvalue::PtrAdd {
            ptr: Operand::Local(frame),
            bytes: path_offset(program, frame_ty, &[STATE]),
        },
        Ty::Ptr,
    );
    s.push(Stmt::Store(a, Operand::Const(Const::i32(0))));
    let mut slots: Vec<u32> = slots.collect();
    slots.sort();
    let (empty, done) = (out.block(), out.block());
    out.blocks[0].stmts = s;
    out.blocks[0].terminator = Terminator::Branch {
        cond: Operand::Local(keep),
        then_block: done,
        else_block: empty,
    };
    let mut e = Vec::new();
    for slot in slots {
        let a = out.temp(
            &mut e,
            Rvalue::PtrAdd {
                ptr: Operand::Local(frame),
                bytes: path_offset(program, frame_ty, &[slot, 1]),
            },
            Ty::Ptr,
        );
        e.push(Stmt::Store(a, Operand::Const(Const::i64(0))));
    }
    out.blocks[empty.index()].stmts = e;
    out.blocks[empty.index()].terminator = Terminator::Goto(done);
    out.blocks[done.index()].terminator = Terminator::Return(Operand::Const(Const::Unit));
    Function {
        name: format!("{}_init", f.name),
        params: vec![env, frame, keep],
        ret: Ty::Unit,
        locals: out.locals,
        blocks: out.blocks,
        is_export: false,
        coroutine: false,
    }
}

/// Every `MakeAsync` of `f` as the `(resume, init, env, size)` tuple; the
/// environment is a tuple of the captured values (and the body's `unit`) in the
/// current region, or none when nothing is captured.
fn make_async_values(f: &mut Function, made: &FxHashMap<FuncId, (FuncId, i64)>) {
    if !f.blocks.iter().any(|b| {
        b.stmts
            .iter()
            .any(|s| matches!(s, Stmt::Assign(_, Rvalue::MakeAsync { .. })))
    }) {
        return;
    }
    let mut out = Out {
        locals: std::mem::take(&mut f.locals),
        blocks: Vec::new(),
    };
    for bi in 0..f.blocks.len() {
        let stmts = std::mem::take(&mut f.blocks[bi].stmts);
        let mut new = Vec::with_capacity(stmts.len());
        for s in stmts {
            let Stmt::Assign(
                dest,
                Rvalue::MakeAsync {
                    func,
                    captures,
                    env: place,
                },
            ) = s
            else {
                new.push(s);
                continue;
            };
            let (init, size) = made[&func];
            let env = if let Some(place) = place {
                // The frame's own field: the values go there.
                let tys: Vec<Ty> = captures
                    .iter()
                    .map(|o| match o {
                        Operand::Local(l) => out.locals[l.index()].ty.clone(),
                        Operand::Const(c) => c.ty(),
                    })
                    .chain([Ty::Unit])
                    .collect();
                let tuple_ty = Ty::Tuple(tys);
                for (i, c) in captures.into_iter().enumerate() {
                    let a = out.temp(
                        &mut new,
                        field_addr(place.clone(), &tuple_ty, vec![i as u32]),
                        Ty::Ptr,
                    );
                    new.push(Stmt::Store(a, c));
                }
                place
            } else if captures.iter().all(|c| match c {
                Operand::Const(Const::Unit) => true,
                Operand::Local(l) => out.locals[l.index()].ty.is_unit(),
                _ => false,
            }) {
                out.temp(&mut new, Rvalue::Zero(Ty::Ptr), Ty::Ptr)
            } else {
                let mut ops = captures;
                ops.push(Operand::Const(Const::Unit));
                let tys: Vec<Ty> = ops
                    .iter()
                    .map(|o| match o {
                        Operand::Local(l) => out.locals[l.index()].ty.clone(),
                        Operand::Const(c) => c.ty(),
                    })
                    .collect();
                let tuple_ty = Ty::Tuple(tys);
                let tuple = out.temp(&mut new, Rvalue::MakeTuple(ops), tuple_ty.clone());
                let boxed = out.temp(
                    &mut new,
                    Rvalue::Box(tuple),
                    Ty::Boxed(Box::new(tuple_ty.clone())),
                );
                out.temp(&mut new, field_addr(boxed, &tuple_ty, vec![]), Ty::Ptr)
            };
            let resume = out.temp(&mut new, Rvalue::FuncAddr(func), Ty::Ptr);
            let init = out.temp(&mut new, Rvalue::FuncAddr(init), Ty::Ptr);
            new.push(Stmt::Assign(
                dest,
                Rvalue::MakeTuple(vec![resume, init, env, Operand::Const(Const::i64(size))]),
            ));
        }
        f.blocks[bi].stmts = new;
    }
    f.locals = out.locals;
}
