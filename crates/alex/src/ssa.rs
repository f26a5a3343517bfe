//! Which MIR locals become plain SSA values and which get a stack slot. One forward
//! walk over the blocks; no dominance or liveness analysis: a local qualifies only when
//! the simple rules below make its one definition dominate every use. A local whose
//! address is lent (`Rvalue::lent_slot`) always has a slot.

use composer_lower::mir::{Function, LocalId, Operand, Stmt};

/// Which locals can be plain SSA values instead of stack slots: parameters that are
/// never reassigned, and temporaries assigned once and used only later in the same
/// block. Everything else (mutable variables, values that flow between blocks) gets a
/// slot, which LLVM's mem2reg then promotes. Fewer slots means far less IR for the
/// tools to chew through.
pub(crate) fn ssa_locals(f: &Function) -> Vec<bool> {
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
                Stmt::StoreBoxed(p, v) | Stmt::Store(p, v) => (None, vec![p, v]),
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
            T::Branch { cond, .. } | T::Switch { value: cond, .. } => vec![cond],
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
