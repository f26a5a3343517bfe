//! The layout description of a loop's carried state, derived from its MIR types:
//! what the runtime's evacuation (`runtime/src/region/compact.rs`) needs to copy the
//! carried values out of the loop's epoch. The format is `runtime/src/pure/carried.rs`;
//! every size and offset comes from [`crate::layout`], the one owner of them, so the
//! description and the code Alex emits agree by construction.
//!
//! One description per carry point, derived at the concrete types of the instance
//! being lowered (a generic loop compacts in the instances whose state can be
//! described). A function value cannot be: its environment's layout depends on the
//! closure, not on its type, so a state holding one is not compacted and the ledger
//! says so.

use crate::mir::{Program, Ty};
use rustc_hash::FxHashMap;

/// The format's one definition, compiled here as in the runtime (as `composer-alex`
/// compiles `region_layout.rs`), so the kinds cannot drift apart.
#[path = "../../../../../runtime/src/pure/carried.rs"]
mod format;

use format::{ARRAY, BOX, BOXED_UNION, OPTION, STRING, STRUCT, UNION_VALUE};
/// "Nothing to do": a part that holds no region memory.
const NONE: i64 = -1;

/// A carried state's description, and whether its values are all immutable (no
/// array, no ref cell or mutable record), which the runtime reads from the
/// description itself (`format::all_immutable`) to copy only young memory in most
/// compactions; the ledger reports it with the bound it implies.
#[derive(Debug, Clone, PartialEq)]
pub(in crate::lower) struct Carried {
    pub layout: String,
    pub immutable: bool,
}

/// The description of a state of these types (entry 0 is their tuple), or `None`
/// when none of them can hold region memory; `Err` says why it cannot be described.
pub(in crate::lower) fn describe(
    program: &Program,
    roots: &[Ty],
) -> Result<Option<Carried>, String> {
    let mut d = Describer {
        program,
        entries: vec![Vec::new()],
        memo: FxHashMap::default(),
    };
    let offsets = program.struct_layout(roots).1;
    let mut root = Vec::new();
    for (ty, offset) in roots.iter().zip(offsets) {
        let e = d.entry(ty)?;
        if e != NONE {
            root.extend([offset as i64, e]);
        }
    }
    if root.is_empty() {
        return Ok(None);
    }
    d.entries[0] = [STRUCT, (root.len() / 2) as i64]
        .into_iter()
        .chain(root)
        .collect();
    let words: Vec<String> = d.entries.iter().flatten().map(|w| w.to_string()).collect();
    let text = words.join(" ");
    // What the runtime will read: every entry whole, every reference an entry.
    let mut parsed = vec![0i64; words.len()];
    let mut starts = vec![0usize; words.len()];
    let n = format::parse_words(text.as_bytes(), &mut parsed)
        .and_then(|n| format::index_entries(&parsed[..n], &mut starts));
    let Ok(entries) = n else {
        panic!("malformed carried-state layout {text:?}: {n:?}");
    };
    Ok(Some(Carried {
        immutable: format::all_immutable(&parsed, &starts[..entries]),
        layout: text,
    }))
}

struct Describer<'a> {
    program: &'a Program,
    entries: Vec<Vec<i64>>,
    memo: FxHashMap<Ty, i64>,
}

impl Describer<'_> {
    /// The entry of values of `ty` (made once per type), or `NONE`.
    fn entry(&mut self, ty: &Ty) -> Result<i64, String> {
        if let Some(e) = self.memo.get(ty) {
            return Ok(*e);
        }
        // Types reached through a pointer may be recursive (a boxed union, a cell,
        // an array of a union holding such arrays): their entry is numbered before
        // their parts are described, which ends every cycle of types.
        let reserved = matches!(ty, Ty::Boxed(_) | Ty::Array(_))
            || matches!(ty, Ty::Union(u) if self.program.unions[u.index()].boxed);
        let index = if reserved {
            let i = self.entries.len() as i64;
            self.entries.push(Vec::new());
            self.memo.insert(ty.clone(), i);
            Some(i)
        } else {
            None
        };
        let words = self.words(ty)?;
        let e = match (index, words) {
            (Some(i), Some(words)) => {
                self.entries[i as usize] = words;
                i
            }
            (None, Some(words)) => {
                self.entries.push(words);
                self.entries.len() as i64 - 1
            }
            (Some(i), None) => {
                // Not reached (a pointer always needs its target copied), but keep
                // the table's numbering whole.
                self.entries[i as usize] = vec![STRUCT, 0];
                NONE
            }
            (None, None) => NONE,
        };
        self.memo.insert(ty.clone(), e);
        Ok(e)
    }

    /// The words of the entry of `ty`, or `None` when its values hold no memory.
    fn words(&mut self, ty: &Ty) -> Result<Option<Vec<i64>>, String> {
        let p = self.program;
        Ok(Some(match ty {
            Ty::Int { .. } | Ty::Float { .. } | Ty::Bool | Ty::Char | Ty::Unit => return Ok(None),
            Ty::Str => vec![STRING],
            Ty::Array(elem) => {
                let e = self.entry(elem)?;
                let (size, align) = p.size_align(elem);
                vec![ARRAY, e, size as i64, align.max(1) as i64]
            }
            Ty::Boxed(target) => {
                let e = self.entry(target)?;
                let (size, align) = p.size_align(target);
                vec![BOX, e, size as i64, align.max(1) as i64]
            }
            Ty::Tuple(fields) => match self.fields(fields, 0)? {
                Some(words) => words,
                None => return Ok(None),
            },
            Ty::Option(inner) => {
                let e = self.entry(inner)?;
                if e == NONE {
                    return Ok(None);
                }
                let payload = p.size_align(inner).1.max(1);
                vec![OPTION, payload as i64, e]
            }
            Ty::Union(u) if p.unions[u.index()].boxed => {
                let payload_offset = p.boxed_payload_offset(*u);
                let only = p.only_case_with_fields(*u).map_or(NONE, i64::from);
                let cases = p.unions[u.index()].cases.clone();
                let mut words = vec![BOXED_UNION, only, cases.len() as i64];
                for case in &cases {
                    if case.fields.is_empty() {
                        words.extend([0, 0, NONE]);
                        continue;
                    }
                    let ((size, align), _) = p.struct_layout(&case.fields);
                    let fields = self.fields(&case.fields, payload_offset)?;
                    let e = match fields {
                        Some(words) => {
                            self.entries.push(words);
                            self.entries.len() as i64 - 1
                        }
                        None => NONE,
                    };
                    let cell = (payload_offset + size).max(1);
                    words.extend([cell as i64, align.max(8) as i64, e]);
                }
                words
            }
            Ty::Union(u) => {
                let cases = p.unions[u.index()].cases.clone();
                // `{tag: i32, payload}`: the payload is 8-byte words (`layout.rs`).
                let payload = 4u64.next_multiple_of(p.size_align(&Ty::I64).1);
                let mut words = vec![UNION_VALUE, payload as i64, cases.len() as i64];
                let mut any = false;
                for case in &cases {
                    match self.fields(&case.fields, 0)? {
                        Some(fields) => {
                            any = true;
                            self.entries.push(fields);
                            words.push(self.entries.len() as i64 - 1);
                        }
                        None => words.push(NONE),
                    }
                }
                if !any {
                    return Ok(None);
                }
                words
            }
            Ty::Func(..) => {
                return Err(
                    "a function value (its environment's layout depends on the closure, not on its type)"
                        .into(),
                )
            }
            Ty::Ptr => return Err("a raw pointer".into()),
        }))
    }

    /// A struct entry for fields laid out from `base`, or `None` if none holds memory.
    fn fields(&mut self, fields: &[Ty], base: u64) -> Result<Option<Vec<i64>>, String> {
        let offsets = self.program.struct_layout(fields).1;
        let mut words = Vec::new();
        for (ty, offset) in fields.iter().zip(offsets) {
            let e = self.entry(ty)?;
            if e != NONE {
                words.extend([(base + offset) as i64, e]);
            }
        }
        if words.is_empty() {
            return Ok(None);
        }
        Ok(Some(
            [STRUCT, (words.len() / 2) as i64]
                .into_iter()
                .chain(words)
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::describe;
    use crate::mir::{CaseLayout, Program, Ty, UnionId, UnionLayout};

    /// Adds the layout of a list of `elem` to `program` (as union 0 or next).
    fn push_list(program: &mut Program, name: &str, elem: Ty) {
        let id = UnionId(program.unions.len() as u32);
        program.unions.push(UnionLayout {
            name: name.into(),
            cases: vec![
                CaseLayout {
                    name: "[]".into(),
                    fields: vec![],
                },
                CaseLayout {
                    name: "::".into(),
                    fields: vec![elem, Ty::Union(id)],
                },
            ],
            boxed: true,
        });
    }

    #[test]
    fn a_list_of_strings_is_described_with_its_cells() {
        let mut program = Program::default();
        push_list(&mut program, "string list", Ty::Str);
        let carried = describe(&program, &[Ty::I64, Ty::Union(UnionId(0))])
            .unwrap()
            .expect("holds memory");
        // Roots: the list at offset 8; the list: tagless cells of 24 bytes, the
        // string at 0 and the tail at 16.
        assert_eq!(carried.layout, "4 1 8 1 7 1 2 0 0 -1 24 8 3 1 4 2 0 2 16 1");
        assert!(carried.immutable);
    }

    #[test]
    fn the_runtime_reads_what_is_described() {
        // A record of a string array, an option of a list and a union value, as the
        // runtime's parser indexes it: every reference names an entry.
        let mut program = Program::default();
        push_list(&mut program, "int list", Ty::I64);
        program.unions.push(UnionLayout {
            name: "shape".into(),
            cases: vec![
                CaseLayout {
                    name: "Dot".into(),
                    fields: vec![],
                },
                CaseLayout {
                    name: "Named".into(),
                    fields: vec![Ty::Str, Ty::Boxed(Box::new(Ty::I64))],
                },
            ],
            boxed: false,
        });
        let roots = [
            Ty::Array(Box::new(Ty::Str)),
            Ty::Option(Box::new(Ty::Union(UnionId(0)))),
            Ty::Union(UnionId(1)),
        ];
        let carried = describe(&program, &roots).unwrap().expect("holds memory");
        assert!(!carried.immutable, "an array and a ref cell are mutable");
        let text = carried.layout;
        let mut words = vec![0i64; text.len()];
        let n = super::format::parse_words(text.as_bytes(), &mut words).expect("parses");
        let mut starts = vec![0usize; n];
        let entries = super::format::index_entries(&words[..n], &mut starts).expect("indexes");
        assert!(entries >= 6, "{text}");
        assert_eq!(words[0], super::format::STRUCT);
        assert_eq!(words[1], 3, "all three roots hold memory: {text}");
    }

    #[test]
    fn numbers_need_nothing_and_functions_cannot_be_described() {
        let program = Program::default();
        assert_eq!(describe(&program, &[Ty::I64, Ty::Bool]), Ok(None));
        let f = Ty::Func(Box::new(Ty::I64), Box::new(Ty::I64));
        assert!(describe(&program, &[f]).is_err());
    }
}
