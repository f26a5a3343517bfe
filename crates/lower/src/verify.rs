//! The MIR verifier: structural invariants whose violation is a compiler bug.

use crate::mir::{Operand, Program, Stmt, Terminator};

pub fn verify(program: &Program) -> Result<(), String> {
    for f in &program.functions {
        let nblocks = f.blocks.len();
        let nlocals = f.locals.len();
        if nblocks == 0 {
            return Err(format!("function {} has no blocks", f.name));
        }
        let check_op = |op: &Operand| -> Result<(), String> {
            match op {
                Operand::Local(l) if l.index() >= nlocals => {
                    Err(format!("{}: operand {l} out of range", f.name))
                }
                Operand::Const(crate::mir::Const::Str(s)) if s.index() >= program.strings.len() => {
                    Err(format!("{}: string {s} out of range", f.name))
                }
                _ => Ok(()),
            }
        };
        for (i, b) in f.blocks.iter().enumerate() {
            for s in &b.stmts {
                match s {
                    Stmt::Assign(l, r) => {
                        if l.index() >= nlocals {
                            return Err(format!("{}: bb{i} assigns to missing {l}", f.name));
                        }
                        for op in r.operands() {
                            check_op(op)?;
                        }
                    }
                    Stmt::Eval(r) => {
                        for op in r.operands() {
                            check_op(op)?;
                        }
                    }
                    Stmt::StoreBoxed(p, v) => {
                        check_op(p)?;
                        check_op(v)?;
                    }
                    Stmt::ArraySet(a, i, v) => {
                        check_op(a)?;
                        check_op(i)?;
                        check_op(v)?;
                    }
                    Stmt::StoreGlobal(g, op) => {
                        if g.index() >= program.globals.len() {
                            return Err(format!("{}: missing global {g}", f.name));
                        }
                        check_op(op)?;
                    }
                }
            }
            let targets = match &b.terminator {
                Terminator::Goto(t) => vec![*t],
                Terminator::Branch {
                    cond,
                    then_block,
                    else_block,
                } => {
                    check_op(cond)?;
                    vec![*then_block, *else_block]
                }
                Terminator::Return(op) => {
                    check_op(op)?;
                    vec![]
                }
                Terminator::Unreachable => vec![],
            };
            for t in targets {
                if t.index() >= nblocks {
                    return Err(format!("{}: bb{i} jumps to missing {t}", f.name));
                }
            }
        }
    }
    Ok(())
}
