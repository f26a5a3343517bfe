//! The cross-check of the two sides of "where does this program allocate": the
//! semantic analysis, whose allocation sites (`composer_semantics::analysis::alloc`:
//! `sites_at`, `reachable_sites`) the `stack_only` memory model checks before
//! lowering runs, and lowering, whose placement records (`mir::Program::placements`)
//! the ledger prints. They must agree both ways on the lowered program:
//!
//! * every allocation lowering placed is at an expression the analysis reports as a
//!   site (otherwise `stack_only` would let an allocation through unreported);
//! * every site the analysis finds reachable, in a region or an arena, has a
//!   placement (otherwise the analysis rejects or predicts an allocation that the
//!   program does not make), except where the analysis is conservative on purpose
//!   in generic code: generic addition, which allocates only in the instances at
//!   `string`, and the case values of a generic union whose instances here are all
//!   values (`Boxing::SomeInstancesPointers`).
//!
//! It runs with the MIR verifier (debug builds, `CLEF_VERIFY_MIR=1`); a disagreement
//! is an internal compiler error that names the site.

use crate::mir::Placement;
use composer_diagnostics::{SourceMap, Span};
use composer_semantics::psg::{BinaryOp, ExprId, ExprKind, Psg};
use composer_semantics::types::Ty;
use rustc_hash::FxHashSet;

/// The first disagreement between the placements and the semantic sites, if any.
pub(crate) fn check_placements(
    psg: &Psg,
    sources: &SourceMap,
    placements: &[Placement],
    value_case_sites: &FxHashSet<Span>,
) -> Result<(), String> {
    let place = |span: Span| sources.place(span).unwrap_or_else(|| format!("{span:?}"));
    let site_spans: FxHashSet<Span> = (0..psg.exprs.len())
        .map(|i| ExprId(i as u32))
        .filter(|&e| !composer_semantics::analysis::alloc::sites_at(psg, e).is_empty())
        .map(|e| psg.expr(e).span)
        .collect();
    for p in placements {
        if !site_spans.contains(&p.span) {
            return Err(format!(
                "lowering placed a {} in the {} at {}, where the semantic analysis reports no allocation site",
                p.what,
                p.place.name(),
                place(p.span)
            ));
        }
    }
    let placed: FxHashSet<Span> = placements.iter().map(|p| p.span).collect();
    for site in composer_semantics::analysis::alloc::reachable_sites(psg, false) {
        let span = psg.expr(site.expr).span;
        let excepted = is_generic_addition(psg, site.expr) || value_case_sites.contains(&span);
        if !placed.contains(&span) && !excepted {
            return Err(format!(
                "the semantic analysis reports a reachable {} at {}, where lowering placed no allocation",
                site.what,
                place(span)
            ));
        }
    }
    Ok(())
}

/// `x + y` at a type variable: a concatenation only where it is used at `string`.
fn is_generic_addition(psg: &Psg, e: ExprId) -> bool {
    matches!(
        psg.expr(e).kind,
        ExprKind::Binary {
            op: BinaryOp::Add,
            ..
        }
    ) && matches!(psg.ty(e), Ty::Var(_))
}

#[cfg(test)]
mod tests {
    use super::check_placements;
    use crate::mir::{Place, Placement};
    use composer_diagnostics::SourceMap;

    /// Lowers `src` (no standard library) and answers its placements, as
    /// `file:line:col: what: place` lines, with the check's verdict on them.
    fn placements(
        src: &str,
    ) -> (
        Vec<String>,
        composer_semantics::Psg,
        SourceMap,
        Vec<Placement>,
    ) {
        let mut sources = SourceMap::new();
        let file = sources.add("t.clef", src);
        let mut interner = composer_syntax::Interner::new();
        let (ast, diags) = composer_syntax::parse_file(file, src, &mut interner);
        assert!(diags.is_empty(), "{diags:?}");
        let (psg, diags) = composer_semantics::check_program(&[ast], &mut interner);
        assert!(diags.is_empty(), "{diags:?}");
        let (mir, diags) = crate::lower_with(&psg, &sources, crate::LowerOptions::default());
        assert!(diags.is_empty(), "{diags:?}");
        let lines = mir
            .placements
            .iter()
            .map(|p| {
                let at = sources.place(p.span).expect("a site in t.clef");
                format!("{at}: {}: {}", p.what, p.place.name())
            })
            .collect();
        (lines, psg, sources, mir.placements)
    }

    const PROGRAM: &str = "let xs = [1; 2]\n\
        let rec count n acc = if n = 0 then acc else count (n - 1) (string n :: acc)\n\
        let mutable total = 0\n\
        for i in 1 .. 3 do\n    total <- total + (string i).Length\n\
        let add k = fun x -> x + k\n\
        let apply f x = f x\n\
        let run n = apply (fun x -> x + n) 1\n\
        let rec len l = match l with [] -> 0 | _ :: t -> 1 + len t\n\
        printfn \"%d %d %d %d\" (len xs) (len (count 2 [])) ((add 1) 2) (run 1)\n";

    #[test]
    fn lowering_records_the_place_it_used() {
        let (lines, ..) = placements(PROGRAM);
        assert_eq!(
            lines,
            [
                "t.clef:1:11: list cell: root region",
                "t.clef:1:14: list cell: root region",
                "t.clef:2:61: string conversion: caller's region",
                "t.clef:2:61: list cell: caller's region",
                "t.clef:5:23: string conversion: iteration region",
                "t.clef:6:13: closure environment: caller's region",
                "t.clef:8:20: closure environment: stack",
            ]
        );
    }

    /// The check fails when lowering places an allocation where the semantic
    /// analysis sees none, and when a reachable semantic site has no placement.
    #[test]
    fn the_check_fails_when_either_side_misses_a_site() {
        let (_, psg, sources, mut placed) = placements(PROGRAM);
        let none = Default::default();
        assert_eq!(check_placements(&psg, &sources, &placed, &none), Ok(()));

        let mut extra = placed.clone();
        let mut stray = placed[0].clone();
        stray.span.start += 1;
        extra.push(stray);
        let err = check_placements(&psg, &sources, &extra, &none).expect_err("stray placement");
        assert!(err.contains("reports no allocation site"), "{err}");

        let conversion = placed
            .iter()
            .position(|p| p.place == Place::IterationRegion)
            .expect("the loop's string conversion");
        placed.remove(conversion);
        let err = check_placements(&psg, &sources, &placed, &none).expect_err("missing placement");
        assert!(
            err.contains("reachable string conversion at t.clef:5:23"),
            "{err}"
        );
    }
}
