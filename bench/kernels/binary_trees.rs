// binary_trees benchmark kernel (Rust): allocate and check many binary trees, see SPEC.md.
// Nodes live in a hand-written bump arena (a Vec<Node> with u32 indices), cleared between trees.

use std::io::{self, Write};

const NIL: u32 = u32::MAX;

#[derive(Clone, Copy)]
struct Node {
    left: u32,
    right: u32,
}

struct Arena {
    nodes: Vec<Node>,
}

impl Arena {
    fn with_depth(depth: u32) -> Arena {
        Arena { nodes: Vec::with_capacity((1usize << (depth + 1)) - 1) }
    }

    fn clear(&mut self) {
        self.nodes.clear();
    }

    fn alloc(&mut self, node: Node) -> u32 {
        let idx = self.nodes.len() as u32;
        self.nodes.push(node);
        idx
    }

    fn make(&mut self, depth: u32) -> u32 {
        if depth == 0 {
            self.alloc(Node { left: NIL, right: NIL })
        } else {
            let left = self.make(depth - 1);
            let right = self.make(depth - 1);
            self.alloc(Node { left, right })
        }
    }

    fn check(&self, idx: u32) -> u64 {
        let node = self.nodes[idx as usize];
        if node.left == NIL {
            1
        } else {
            1 + self.check(node.left) + self.check(node.right)
        }
    }
}

fn main() {
    let n: u32 = std::env::args().nth(1).map(|s| s.parse().expect("N must be a number")).unwrap_or(21);
    let min_depth = 4;
    let max_depth = n.max(min_depth + 2);
    let stretch = max_depth + 1;

    let stdout = io::stdout();
    let mut out = stdout.lock();

    {
        let mut arena = Arena::with_depth(stretch);
        let root = arena.make(stretch);
        writeln!(out, "stretch tree of depth {}\t check: {}", stretch, arena.check(root)).unwrap();
    }

    let mut long_arena = Arena::with_depth(max_depth);
    let long_root = long_arena.make(max_depth);

    let mut arena = Arena::with_depth(max_depth);
    let mut d = min_depth;
    while d <= max_depth {
        let iterations: u64 = 1 << (max_depth - d + min_depth);
        let mut sum = 0u64;
        for _ in 0..iterations {
            arena.clear();
            let root = arena.make(d);
            sum += arena.check(root);
        }
        writeln!(out, "{}\t trees of depth {}\t check: {}", iterations, d, sum).unwrap();
        d += 2;
    }

    writeln!(out, "long lived tree of depth {}\t check: {}", max_depth, long_arena.check(long_root)).unwrap();
}
