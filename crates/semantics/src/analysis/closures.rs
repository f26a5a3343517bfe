//! Which closures can outlive the frame that makes them, answered by the value-flow
//! analysis (`flow.rs`, `Mode::Closures`): one run per function body (and one for
//! top-level code), whose extent is the frame.
//!
//! Two decisions rest on it. Stack environments: a closure whose environment
//! (`Origin::Site`) cannot outlive the frame that makes it gets its environment in
//! that frame instead of the current region (`Psg::stack_closures`). And FS8003: a
//! closure may use a `let mutable` of an enclosing function by address
//! (`Origin::Mutable`) only while it cannot outlive a frame; one that may is an
//! error that names the path (reported by `check/closure_escape.rs` from
//! [`ClosureFacts::escapes`]). A closure passed to a self tail call escapes too: the
//! call is a jump that reuses the frame the environment (or the variable) lives in.

use super::flow::{Escape, Mode, Origin, Run};
use super::Analysis;
use crate::psg::{ExprId, FunctionId, TopItem};
use rustc_hash::FxHashSet;
use std::collections::BTreeMap;

/// The closure decisions of a program.
#[derive(Debug, Clone, Default)]
pub struct ClosureFacts {
    /// Every closure site, in the order met.
    pub sites: Vec<ExprId>,
    /// The sites whose environment stays in the frame.
    pub stack: FxHashSet<ExprId>,
    /// The sites whose environment may outlive the frame (go to the current
    /// region).
    pub escaping: FxHashSet<ExprId>,
    /// The first way each origin escapes its frame (`Origin::Mutable`: the
    /// FS8003 errors of `check/closure_escape.rs`).
    pub escapes: BTreeMap<Origin, Escape>,
}

/// One value-flow run per frame (step 3 of `Analysis::new`).
pub(super) fn closure_escape(flow: &Analysis) -> ClosureFacts {
    let psg = flow.psg;
    let mut sites = Vec::new();
    let mut escapes: BTreeMap<Origin, Escape> = BTreeMap::new();
    let mut merge = |run: &Run, sites: &mut Vec<ExprId>| {
        sites.extend(run.sites.iter().copied());
        for (o, e) in &run.escapes {
            escapes.entry(*o).or_insert_with(|| e.clone());
        }
    };
    for (i, func) in psg.functions.iter().enumerate() {
        if !func.body_is_checked() {
            continue;
        }
        let fid = FunctionId(i as u32);
        let mut local = psg.declared_in(func.body);
        local.extend(func.params.iter().copied());
        let mut run = flow.run(Mode::Closures, &[func.body], local, Some(fid));
        run.result_escapes(func.body, &format!("it is returned from '{}'", func.name));
        merge(&run, &mut sites);
    }
    // Top-level code: its locals live in the entry frame; globals outlive it.
    let roots: Vec<ExprId> = psg
        .top_level
        .iter()
        .map(|item| match item {
            TopItem::Global { value, .. }
            | TopItem::Do(value)
            | TopItem::Destructure { value, .. } => *value,
        })
        .collect();
    let mut local = FxHashSet::default();
    for r in &roots {
        local.extend(psg.declared_in(*r));
    }
    let mut run = flow.run(Mode::Closures, &roots, local, None);
    for item in &psg.top_level {
        match item {
            TopItem::Global { binding, value } => {
                let what = format!(
                    "it is stored in the global '{}'",
                    psg.binding(*binding).name
                );
                run.result_escapes(*value, &what);
            }
            TopItem::Destructure { value, .. } => {
                run.result_escapes(*value, "it is stored in a global");
            }
            TopItem::Do(_) => {}
        }
    }
    merge(&run, &mut sites);

    let stack: FxHashSet<ExprId> = sites
        .iter()
        .copied()
        .filter(|s| !escapes.contains_key(&Origin::Site(*s)))
        .collect();
    let escaping = sites
        .iter()
        .copied()
        .filter(|s| !stack.contains(s))
        .collect();
    ClosureFacts {
        sites,
        stack,
        escaping,
        escapes,
    }
}
