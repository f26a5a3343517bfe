//! The allocation ledger (`--emit ledger`): every place in the program that
//! allocates at run time, where the value goes, and why (DESIGN §5, "transparency").
//!
//! Only the root region and the stack exist so far: closure environments go on the
//! stack when the closure cannot outlive its frame (`check/closure_escape.rs`),
//! everything else to the root region. The memory-model work replaces the single
//! root-region reason with region inference's.

use crate::builtins::Builtin;
use crate::psg::{BinaryOp, ExprId, ExprKind, FormatKind, Psg};
use crate::types::{Prim, Ty};
use composer_diagnostics::Span;

/// Where an allocation's memory comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    RootRegion,
    /// A slot of the frame that makes the value.
    Stack,
}

impl Place {
    pub fn name(self) -> &'static str {
        match self {
            Place::RootRegion => "root region",
            Place::Stack => "stack",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AllocationSite {
    pub span: Span,
    /// What is allocated ("string concatenation", "array").
    pub what: &'static str,
    pub place: Place,
    pub reason: &'static str,
}

const ROOT_REASON: &str = "no scoped regions yet: run-time values live until the program exits";
const VALUE_CALL: &str = "a function value takes its arguments one at a time, and each step before the last returns a new closure";
const STACK_CLOSURE: &str =
    "the closure cannot outlive its frame: it is called, or passed only to functions that do not keep it";
const ESCAPING_CLOSURE: &str = "the closure may outlive its frame (returned, stored, or passed where it may be kept); no scoped regions yet";

/// All allocation sites, in source order.
pub fn allocation_sites(psg: &Psg) -> Vec<AllocationSite> {
    let mut sites = Vec::new();
    for (i, e) in psg.exprs.iter().enumerate() {
        let id = ExprId(i as u32);
        let what = match &e.kind {
            ExprKind::Binary {
                op: BinaryOp::Add, ..
            } if *psg.ty(id) == Ty::STRING => Some("string concatenation"),
            ExprKind::Interpolated(_) => Some("interpolated string"),
            ExprKind::App { func, arg } => match &psg.expr(*func).kind {
                ExprKind::Builtin(Builtin::ToString) if *psg.ty(*arg) != Ty::Prim(Prim::String) => {
                    Some("string conversion")
                }
                ExprKind::Builtin(Builtin::ConsoleReadln | Builtin::ConsoleTryReadln) => {
                    Some("line read from stdin")
                }
                ExprKind::Builtin(Builtin::ArrayZeroCreate) => Some("array"),
                ExprKind::App { func: inner, .. }
                    if matches!(
                        psg.expr(*inner).kind,
                        ExprKind::Builtin(Builtin::ArrayCreate)
                    ) =>
                {
                    Some("array")
                }
                _ => None,
            },
            _ => None,
        };
        let what = what
            .or_else(|| sprintf_site(psg, id))
            .or_else(|| data_site(psg, id));
        if let Some(what) = what {
            sites.push(AllocationSite {
                span: e.span,
                what,
                place: Place::RootRegion,
                reason: ROOT_REASON,
            });
        }
        if let Some(what) = value_call_site(psg, id) {
            sites.push(AllocationSite {
                span: e.span,
                what,
                place: Place::RootRegion,
                reason: VALUE_CALL,
            });
        }
    }
    for &id in &psg.closure_sites {
        let has_environment = match &psg.expr(id).kind {
            ExprKind::Function(f) => !psg.functions[f.index()].captures.is_empty(),
            ExprKind::App { .. } => true,
            _ => false,
        };
        if has_environment {
            let on_stack = psg.stack_closures.contains(&id);
            sites.push(AllocationSite {
                span: psg.expr(id).span,
                what: "closure environment",
                place: if on_stack {
                    Place::Stack
                } else {
                    Place::RootRegion
                },
                reason: if on_stack {
                    STACK_CLOSURE
                } else {
                    ESCAPING_CLOSURE
                },
            });
        }
    }
    sites.sort_by_key(|s| (s.span.file, s.span.start, s.span.end));
    // Desugaring can give several expressions one span (a list literal's cells).
    sites.dedup_by(|a, b| a.span == b.span && a.what == b.what);
    sites
}

/// `f a b` where `f` is a function value (not a known function): arguments are
/// applied one at a time, and each step before the last returns a closure that
/// holds the arguments so far.
fn value_call_site(psg: &Psg, id: ExprId) -> Option<&'static str> {
    let ExprKind::App { func, .. } = &psg.expr(id).kind else {
        return None;
    };
    let ExprKind::App { .. } = &psg.expr(*func).kind else {
        return None;
    };
    let mut head = *func;
    while let ExprKind::App { func, .. } = &psg.expr(head).kind {
        head = *func;
    }
    match psg.expr(head).kind {
        ExprKind::Function(_)
        | ExprKind::Builtin(_)
        | ExprKind::Format { .. }
        | ExprKind::UnionCase { .. } => None,
        _ => Some("closure for a function value's next argument"),
    }
}

/// Values built in the root region: list cells, array literals, ref cells.
fn data_site(psg: &Psg, id: ExprId) -> Option<&'static str> {
    match &psg.expr(id).kind {
        ExprKind::ListCons { .. } => Some("list cell"),
        ExprKind::ArrayLit(items) if !items.is_empty() => Some("array literal"),
        ExprKind::App { func, .. }
            if matches!(psg.expr(*func).kind, ExprKind::Builtin(Builtin::Ref)) =>
        {
            Some("ref cell")
        }
        _ => None,
    }
}

/// A fully applied `sprintf` (the outermost application of the format).
fn sprintf_site(psg: &Psg, id: ExprId) -> Option<&'static str> {
    if *psg.ty(id) != Ty::STRING {
        return None;
    }
    let mut head = id;
    while let ExprKind::App { func, .. } = &psg.expr(head).kind {
        head = *func;
    }
    match &psg.expr(head).kind {
        ExprKind::Format {
            kind: FormatKind::Sprintf,
            ..
        } => Some("sprintf result"),
        _ => None,
    }
}
