//! The ledger (`--emit ledger`, `--emit ledger-json`): every decision the compiler
//! made about memory and loops, with its source position and reason (DESIGN §5,
//! "transparency"). The allocations are lowering's record of what it placed where
//! (`mir::Program::placements`), so the ledger exists only for a program that
//! lowers; fusion, loop regions and bounds checks are the PSG's decisions. One
//! model, two renderings: text lines
//! `FILE:LINE:COL: SUBJECT: DECISION (REASON)` under `# SECTION` headers, and JSON
//! (`{"version": 1, "allocations": [...], "fusion": [...], "loops": [...],
//! "bounds_checks": [...]}`, each entry `{file, line, col, subject, decision, reason}`).

use composer_diagnostics::{FileId, SourceMap, Span};
use composer_lower::mir::{CarryPoint, Place, Program};
use composer_semantics::Psg;
use serde::Serialize;

/// Bumped when the shape of the JSON changes.
const VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub file: String,
    pub line: u32,
    pub col: u32,
    /// What the decision is about: "list cell", "Seq.map → Seq.sum", "loop", "a.[i]".
    pub subject: String,
    pub decision: String,
    pub reason: String,
}

struct Section {
    /// The JSON key.
    key: &'static str,
    /// The text header.
    header: &'static str,
    entries: Vec<Entry>,
}

pub struct Ledger {
    sections: Vec<Section>,
    /// How many allocation sites lowering placed in a region or an arena (the
    /// lowered program holds only code reachable from its entry): 0 predicts that
    /// `--alloc-stats` reports nothing allocated.
    reachable: usize,
    /// How many entries are in the standard library and not listed (0 with
    /// `--ledger-all`).
    library_entries: usize,
}

impl Ledger {
    /// The ledger of a checked program and the placements of its lowering. Entries
    /// in the `library` files (the standard library) are counted but listed only
    /// when `all` is set (`--ledger-all`): a user reads their own program's.
    pub fn new(
        sources: &SourceMap,
        psg: &Psg,
        program: &Program,
        library: &[FileId],
        all: bool,
    ) -> Ledger {
        let placements = &program.placements;
        let carry_points = &program.carry_points;
        let shown = |span: Span| all || !library.contains(&span.file);
        let entry = |span: Span, subject: String, decision: &str, reason: &str| {
            let lc = sources.line_col(span.file, span.start);
            Entry {
                file: sources.name(span.file).to_string(),
                line: lc.line,
                col: lc.col,
                subject,
                decision: decision.to_string(),
                reason: reason.to_string(),
            }
        };
        let allocations = placements
            .iter()
            .filter(|p| shown(p.span))
            .map(|p| entry(p.span, p.what.into(), p.place.name(), p.reason))
            .collect();
        let fusion = psg
            .fusions
            .iter()
            .filter(|n| shown(n.span))
            .map(|n| {
                let decision = if n.fused { "fused" } else { "not fused" };
                entry(n.span, n.chain.clone(), decision, &n.reason)
            })
            .collect();
        let loops = psg
            .region_notes
            .iter()
            .filter(|n| shown(n.span))
            .map(|n| {
                use composer_semantics::analysis::regions::RegionKind;
                let subject = match n.kind {
                    RegionKind::Loop => "loop",
                    RegionKind::TailRecursion => "tail recursion",
                    RegionKind::Arena => "use arena",
                };
                let decision = match (n.kind, n.region, n.compacted) {
                    (RegionKind::Arena, true, _) => "current region in its block",
                    (RegionKind::Arena, false, _) => "explicit allocations only",
                    (_, true, _) => "iteration region",
                    (_, false, true) => "compacted at carry points",
                    (_, false, false) => "no iteration region",
                };
                // Lowering may find, at an instance's concrete types, that the
                // carried state cannot be copied: the ledger says so. Otherwise it
                // names what is carried and the memory bound that follows.
                let mut points = carry_points.iter().filter(|c| c.span == n.span);
                let refused = points.clone().find_map(|c| c.refused.as_deref());
                match (refused, points.next()) {
                    (Some(why), _) if n.compacted => entry(
                        n.span,
                        subject.into(),
                        "not compacted",
                        &format!("{}; but {why}", n.reason),
                    ),
                    (None, Some(point)) if n.compacted => entry(
                        n.span,
                        subject.into(),
                        decision,
                        &format!("{}; {}", n.reason, carry_bound(point)),
                    ),
                    _ => entry(n.span, subject.into(), decision, &n.reason),
                }
            })
            .collect();
        let bounds = psg
            .bounds
            .iter()
            .filter(|n| shown(n.access))
            .map(|n| {
                let span = n.access;
                let text = sources
                    .text(span.file)
                    .get(span.start as usize..span.end as usize)
                    .unwrap_or("?");
                let decision = if n.removed { "removed" } else { "kept" };
                entry(span, format!("{text}]"), decision, &n.reason)
            })
            .collect();
        let asyncs = program
            .async_frames
            .iter()
            .filter(|a| shown(a.span))
            .map(|a| {
                let kept = if a.kept.is_empty() {
                    "nothing else".to_string()
                } else {
                    a.kept.join(", ")
                };
                entry(
                    a.span,
                    "async".into(),
                    &format!("frame {} bytes, {} suspension points", a.bytes, a.suspensions),
                    &format!(
                        "coeffect AsyncBoundary: a state machine whose frame holds its state, result, captured values, an await slot per let!/do! and, across suspensions, {kept}; it lives in the awaiting frame's slot or the task's"
                    ),
                )
            })
            .collect();
        let library_entries = if all {
            0
        } else {
            placements.iter().filter(|p| !shown(p.span)).count()
                + psg.fusions.iter().filter(|n| !shown(n.span)).count()
                + psg.region_notes.iter().filter(|n| !shown(n.span)).count()
                + psg.bounds.iter().filter(|n| !shown(n.access)).count()
                + program
                    .async_frames
                    .iter()
                    .filter(|a| !shown(a.span))
                    .count()
        };
        Ledger {
            library_entries,
            reachable: placements
                .iter()
                .filter(|p| p.place != Place::Stack)
                .count(),
            sections: vec![
                Section {
                    key: "allocations",
                    header: "allocation ledger: site, what, place, reason",
                    entries: allocations,
                },
                Section {
                    key: "fusion",
                    header: "pipeline fusion: site, pipeline, decision (reason)",
                    entries: fusion,
                },
                Section {
                    key: "loops",
                    header: "loop and arena regions: site, decision (reason)",
                    entries: loops,
                },
                Section {
                    key: "async_frames",
                    header: "async state machines: site, frame, reason",
                    entries: asyncs,
                },
                Section {
                    key: "bounds_checks",
                    header: "bounds checks: site, access, decision (reason)",
                    entries: bounds,
                },
            ],
        }
    }

    /// The text form: a `# header` line per section, then a line per entry, then
    /// the prediction.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for section in &self.sections {
            out.push_str(&format!("# {}\n", section.header));
            for e in &section.entries {
                out.push_str(&format!(
                    "{}:{}:{}: {}: {} ({})\n",
                    e.file, e.line, e.col, e.subject, e.decision, e.reason
                ));
            }
        }
        if self.library_entries > 0 {
            out.push_str(&format!(
                "# {} more in the standard library (--ledger-all lists them)\n",
                self.library_entries
            ));
        }
        out.push_str(&format!("# prediction: {}\n", self.prediction()));
        out
    }

    fn prediction(&self) -> String {
        match self.reachable {
            0 => "allocates nothing in regions or arenas".into(),
            n => format!("may allocate in regions or arenas ({n} reachable sites)"),
        }
    }

    /// The JSON form (pretty-printed, keys in a fixed order).
    pub fn json(&self) -> String {
        let mut map = serde_json::Map::new();
        map.insert("version".into(), VERSION.into());
        map.insert("reachable_sites".into(), self.reachable.into());
        map.insert(
            "library_entries_not_listed".into(),
            self.library_entries.into(),
        );
        for section in &self.sections {
            let entries = serde_json::to_value(&section.entries).expect("entries serialise");
            map.insert(section.key.into(), entries);
        }
        let mut text = serde_json::to_string_pretty(&serde_json::Value::Object(map))
            .expect("ledger serialises");
        text.push('\n');
        text
    }
}

/// What a compacted loop carries and the memory bound its compactions keep
/// (the thresholds of `runtime/src/region/compact.rs`).
fn carry_bound(point: &CarryPoint) -> String {
    let bound = if point.immutable {
        "the state is immutable, so a minor compaction copies only what survived of \
         the young memory (1 to 4 MiB) and a major one all of it when the old \
         generation has doubled: memory stays under about 3x the live state plus the \
         young memory (4 MiB, or what one round allocates if more)"
    } else {
        "the state holds arrays or mutable cells, so every compaction copies all of \
         it, when the loop's memory has grown by twice the last copy: memory stays \
         under about 4x the live state (more while the state only grows) plus what one \
         round allocates, 1 MiB at least"
    };
    format!("carries {}; {bound}", point.carried.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_json_list_the_same_entries() {
        let mut sources = SourceMap::new();
        let src = "let a = [| 1; 2; 3 |]\nlet mutable t = 0\nfor i in 0 .. a.Length - 1 do\n    t <- t + a.[i]\nprintfn \"%d\" t\n";
        let file = sources.add("l.clef", src);
        let mut interner = composer_syntax::Interner::new();
        let (ast, _) = composer_syntax::parse_file(file, src, &mut interner);
        let (psg, diags) = composer_semantics::check_program(&[ast], &mut interner);
        assert!(diags.is_empty(), "{diags:?}");
        let (mir, diags) =
            composer_lower::lower_with(&psg, &sources, composer_lower::LowerOptions::default());
        assert!(diags.is_empty(), "{diags:?}");
        let ledger = Ledger::new(&sources, &psg, &mir, &[], false);
        let text = ledger.text();
        assert!(
            text.contains(
                "l.clef:4:14: a.[i]: removed (index within bounds by the for loop range)"
            ),
            "{text}"
        );
        assert!(
            text.contains("l.clef:1:9: array literal: root region"),
            "{text}"
        );
        let json: serde_json::Value = serde_json::from_str(&ledger.json()).expect("valid JSON");
        assert_eq!(json["version"], 1);
        let bounds = json["bounds_checks"].as_array().expect("bounds section");
        assert_eq!(bounds.len(), 1);
        assert_eq!(bounds[0]["subject"], "a.[i]");
        assert_eq!(bounds[0]["decision"], "removed");
        assert_eq!(bounds[0]["line"], 4);
        let allocations = json["allocations"].as_array().expect("allocation section");
        assert_eq!(allocations[0]["decision"], "root region");
        assert!(json["loops"].is_array() && json["fusion"].is_array());
    }
}
