//! The allocation ledger (`--emit ledger`): every place in the program that
//! allocates at run time, where the value goes, and why (DESIGN §5, "transparency").
//!
//! Only the root region exists so far, so every site's place is the root region;
//! the memory-model work replaces the single reason with region inference's.

use crate::builtins::Builtin;
use crate::psg::{BinaryOp, ExprId, ExprKind, FormatKind, Psg};
use crate::types::{Prim, Ty};
use composer_diagnostics::Span;

/// Where an allocation's memory comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    RootRegion,
}

impl Place {
    pub fn name(self) -> &'static str {
        match self {
            Place::RootRegion => "root region",
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
        let what = what.or_else(|| sprintf_site(psg, id));
        if let Some(what) = what {
            sites.push(AllocationSite {
                span: e.span,
                what,
                place: Place::RootRegion,
                reason: ROOT_REASON,
            });
        }
    }
    sites.sort_by_key(|s| (s.span.file, s.span.start, s.span.end));
    sites
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
