//! `remove-unreachable-blocks`: lowering leaves blocks that no path reaches (the
//! code after a panic or `exit`, the join block of two branches that both return).

use crate::mir::{self, Program};

/// Removes them from every function.
pub fn run(program: &mut Program) {
    let functions = std::mem::take(&mut program.functions);
    program.functions = functions
        .into_iter()
        .map(remove_unreachable_blocks)
        .collect();
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
        stack.extend(
            f.blocks[i]
                .terminator
                .successors()
                .iter()
                .map(|b| b.index()),
        );
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
            block.terminator = block.terminator.map_targets(remap);
            block
        })
        .collect();
    f
}
