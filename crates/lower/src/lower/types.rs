//! Types: substitution of PSG types at an instance's concrete types, and their MIR
//! types and layouts (`mir_ty`; unions and lists interned by `union_id`, boxed as
//! `Psg::union_is_boxed` decides).

use super::{Builder, Lowerer};
use crate::mir;
use composer_semantics::builtins::push_ty;
use composer_semantics::psg::ExprId;
use composer_semantics::types::{Prim, Ty as PTy, TyCon, TyVar};
use rustc_hash::FxHashMap;

/// The concrete types of an instance's type variables.
pub(super) type Subst = FxHashMap<TyVar, PTy>;

/// Replaces variables by the substitution, and the rest by `unit`.
pub(super) fn apply_subst(ty: &PTy, s: &Subst) -> PTy {
    match ty {
        PTy::Var(v) => match s.get(v) {
            Some(t) => apply_subst(t, s),
            None => PTy::UNIT,
        },
        PTy::Fun(a, b) => PTy::fun(apply_subst(a, s), apply_subst(b, s)),
        PTy::Tuple(ts) => PTy::Tuple(ts.iter().map(|t| apply_subst(t, s)).collect()),
        PTy::App(c, ts) => PTy::App(*c, ts.iter().map(|t| apply_subst(t, s)).collect()),
        PTy::Error | PTy::MeasureValue(_) => PTy::UNIT,
        // Units of measure are checked, then erased: `float<m>` is a `float`.
        PTy::Measured(b, _) => apply_subst(b, s),
        other => other.clone(),
    }
}

/// Extends `s` so that `generic` under `s` equals `concrete`.
pub(super) fn match_ty(generic: &PTy, concrete: &PTy, s: &mut Subst) {
    match (generic, concrete) {
        (PTy::Measured(g, _), c) => match_ty(g, c, s),
        (PTy::Var(v), c) => {
            s.entry(*v).or_insert_with(|| c.clone());
        }
        (PTy::Fun(a1, b1), PTy::Fun(a2, b2)) => {
            match_ty(a1, a2, s);
            match_ty(b1, b2, s);
        }
        (PTy::Tuple(xs), PTy::Tuple(ys)) | (PTy::App(_, xs), PTy::App(_, ys)) => {
            for (x, y) in xs.iter().zip(ys.iter()) {
                match_ty(x, y, s);
            }
        }
        _ => {}
    }
}

fn prim_ty(p: Prim, word_bits: u32) -> mir::Ty {
    if let Some((bits, signed)) = p.int_info(word_bits) {
        return mir::Ty::Int { bits, signed };
    }
    match p {
        Prim::Float => mir::Ty::Float { bits: 64 },
        Prim::Float32 => mir::Ty::Float { bits: 32 },
        Prim::Bool => mir::Ty::Bool,
        Prim::Char => mir::Ty::Char,
        Prim::String => mir::Ty::Str,
        _ => mir::Ty::Unit,
    }
}

impl Lowerer<'_> {
    /// Converts a concrete PSG type to a MIR type.
    pub(super) fn mir_ty(&mut self, ty: &PTy) -> mir::Ty {
        match ty {
            PTy::Prim(p) => prim_ty(*p, self.psg.target.word_bits),
            PTy::App(TyCon::Array, ts) => mir::Ty::Array(Box::new(self.mir_ty(&ts[0]))),
            PTy::App(TyCon::Option, ts) => mir::Ty::Option(Box::new(self.mir_ty(&ts[0]))),
            PTy::Fun(a, r) => mir::Ty::Func(Box::new(self.mir_ty(a)), Box::new(self.mir_ty(r))),
            PTy::Tuple(ts) => mir::Ty::Tuple(ts.iter().map(|t| self.mir_ty(t)).collect()),
            PTy::App(TyCon::List, _) => mir::Ty::Union(self.union_id(ty)),
            PTy::App(TyCon::Ref, args) => mir::Ty::Boxed(Box::new(self.mir_ty(&args[0]))),
            PTy::App(TyCon::Seq, args) => self.mir_ty(&push_ty(args[0].clone())),
            PTy::App(TyCon::Async, _) => mir::async_value_ty(),
            // A pointer to the arena's region, as an integer handle.
            PTy::App(TyCon::Arena, _) => mir::Ty::I64,
            PTy::App(TyCon::User(_), _) if self.psg.enum_of(ty).is_some() => {
                // An enum is its underlying integer (or char).
                let underlying = self
                    .psg
                    .enum_of(ty)
                    .expect("checked by the guard")
                    .underlying;
                prim_ty(underlying, self.psg.target.word_bits)
            }
            PTy::App(TyCon::User(def), args) => {
                let def = *def;
                match self.psg.types[def as usize].record_fields() {
                    Some(fields) => {
                        if self.records_in_progress.contains(ty) {
                            let name = self.psg.types[def as usize].name.clone();
                            self.unsupported(
                                self.psg.types[def as usize].span,
                                &format!("the record '{name}' containing itself (records are values in Clef; put the recursion in a union or a list)"),
                            );
                            return mir::Ty::Unit;
                        }
                        self.records_in_progress.push(ty.clone());
                        let params = self.psg.types[def as usize].params.clone();
                        let field_tys: Vec<PTy> = fields
                            .iter()
                            .map(|f| composer_semantics::types::substitute(&f.ty, &params, args))
                            .collect();
                        let out = field_tys.iter().map(|f| self.mir_ty(f)).collect();
                        self.records_in_progress.pop();
                        if self.psg.types[def as usize].is_mutable_record() {
                            // A reference to one cell, as F#'s records are.
                            mir::Ty::Boxed(Box::new(mir::Ty::Tuple(out)))
                        } else {
                            mir::Ty::Tuple(out)
                        }
                    }
                    None => mir::Ty::Union(self.union_id(ty)),
                }
            }
            PTy::Measured(b, _) => self.mir_ty(b),
            PTy::Var(_) | PTy::Error | PTy::MeasureValue(_) => mir::Ty::Unit,
        }
    }

    /// The layout of a union type (a user union or a list) at concrete types,
    /// interned before its fields are laid out, so a recursive type refers to its
    /// own id. Whether its values are pointers is `Psg::union_is_boxed`'s answer
    /// (the one owner of that fact): every union on a cycle of inline fields is, so
    /// every type has a finite size (a cycle with no union on it is a record
    /// holding itself, which `mir_ty` rejects).
    fn union_id(&mut self, ty: &PTy) -> mir::UnionId {
        if let Some(id) = self.union_ids.get(ty) {
            return *id;
        }
        let id = mir::UnionId(self.program.unions.len() as u32);
        self.program.unions.push(mir::UnionLayout {
            name: String::new(),
            cases: Vec::new(),
            boxed: self.psg.union_is_boxed(ty),
        });
        self.union_ids.insert(ty.clone(), id);
        let (name, cases): (String, Vec<(String, Vec<PTy>)>) = match ty {
            PTy::App(TyCon::List, elems) => (
                "list".into(),
                vec![
                    ("[]".into(), Vec::new()),
                    ("::".into(), vec![elems[0].clone(), ty.clone()]),
                ],
            ),
            PTy::App(TyCon::User(def), args) => {
                let d = &self.psg.types[*def as usize];
                let cases = d
                    .union_cases()
                    .unwrap_or_default()
                    .iter()
                    .map(|c| {
                        let fields = c
                            .fields
                            .iter()
                            .map(|f| composer_semantics::types::substitute(&f.ty, &d.params, args))
                            .collect();
                        (c.name.clone(), fields)
                    })
                    .collect();
                (d.name.clone(), cases)
            }
            _ => (String::new(), Vec::new()),
        };
        // The union's id ends any cycle through it: records being laid out outside
        // it do not hold themselves through it.
        let records_outside = std::mem::take(&mut self.records_in_progress);
        let out = cases
            .into_iter()
            .map(|(case_name, fields)| mir::CaseLayout {
                name: case_name,
                fields: fields.iter().map(|f| self.mir_ty(f)).collect(),
            })
            .collect();
        self.records_in_progress = records_outside;
        let layout = &mut self.program.unions[id.index()];
        layout.name = name;
        layout.cases = out;
        id
    }

    pub(super) fn expr_ty(&mut self, b: &Builder, e: ExprId) -> PTy {
        apply_subst(self.psg.ty(e), &b.subst)
    }

    pub(super) fn expr_mir_ty(&mut self, b: &Builder, e: ExprId) -> mir::Ty {
        let t = self.expr_ty(b, e);
        self.mir_ty(&t)
    }
}

#[cfg(test)]
mod tests {
    use crate::mir;

    /// The program lowered, checked by the verifier.
    fn lower(src: &str) -> mir::Program {
        let mut sources = composer_diagnostics::SourceMap::new();
        let file = sources.add("t.clef", src);
        let mut interner = composer_syntax::Interner::new();
        let (ast, diags) = composer_syntax::parse_file(file, src, &mut interner);
        assert!(diags.is_empty(), "{diags:?}");
        let (psg, diags) = composer_semantics::check_program_for(
            composer_semantics::CheckOptions::default(),
            &[],
            &[ast],
            &mut interner,
        );
        assert!(diags.is_empty(), "{diags:?}");
        let (program, diags) = crate::lower(&psg);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(crate::verify::verify(&program), Ok(()));
        program
    }

    /// Each layout's name and whether it is boxed, sorted.
    fn boxing(program: &mir::Program) -> Vec<(String, bool)> {
        let mut out: Vec<(String, bool)> = program
            .unions
            .iter()
            .map(|u| (u.name.clone(), u.boxed))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Boxing is a fact of the instance, not of the order lowering meets types in:
    /// a rose tree is a value whether its list or itself is laid out first.
    #[test]
    fn boxing_does_not_depend_on_the_order_types_are_met() {
        let types = "type Rose =\n    | Rose of int * Rose list\n\
                     type Tree =\n    | Leaf\n    | Node of Tree * int * Tree\n";
        let rose_first = lower(&format!(
            "{types}let r = Rose(1, [])\nlet l: Rose list = [ r ]\nprintfn \"%A %A\" r l\n"
        ));
        let list_first = lower(&format!(
            "{types}let l: Rose list = []\nlet r = Rose(1, l)\nprintfn \"%A %A\" l r\n"
        ));
        let expected = vec![("Rose".to_string(), false), ("list".to_string(), true)];
        assert_eq!(boxing(&rose_first), expected);
        assert_eq!(boxing(&list_first), expected);
        let tree = lower(&format!("{types}printfn \"%A\" (Node(Leaf, 1, Leaf))\n"));
        assert!(boxing(&tree).contains(&("Tree".to_string(), true)));
    }

    /// A record on a cycle through a boxed union is laid out (the union's pointer
    /// ends the cycle), whichever of the two is met first.
    #[test]
    fn a_record_may_hold_itself_through_a_boxed_union() {
        let types = "type Wrap = { inner: Nested }\nand Nested =\n    | Stop\n    | Go of Wrap\n";
        for use_ in [
            "let w = { inner = Go { inner = Stop } }\nprintfn \"%A\" w\n",
            "let n = Go { inner = Stop }\nprintfn \"%A\" n\n",
        ] {
            let program = lower(&format!("{types}{use_}"));
            assert_eq!(boxing(&program), vec![("Nested".to_string(), true)]);
        }
    }
}
