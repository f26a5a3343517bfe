//! Types: substitution of PSG types at an instance's concrete types, and their MIR
//! types and layouts (`mir_ty`; unions and lists interned by `union_id`, with the
//! fields that close a cycle of types boxed).

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
            // A pointer to the arena's region, as an integer handle.
            PTy::App(TyCon::Arena, _) => mir::Ty::I64,
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
                        mir::Ty::Tuple(out)
                    }
                    None => mir::Ty::Union(self.union_id(ty)),
                }
            }
            PTy::Measured(b, _) => self.mir_ty(b),
            PTy::Var(_) | PTy::Error | PTy::MeasureValue(_) => mir::Ty::Unit,
        }
    }

    /// The layout of a union type (a user union or a list) at concrete types,
    /// interned. Fields that refer back to a union still being laid out are boxed,
    /// so recursive types have a finite size.
    fn union_id(&mut self, ty: &PTy) -> mir::UnionId {
        if let Some(id) = self.union_ids.get(ty) {
            return *id;
        }
        let id = mir::UnionId(self.program.unions.len() as u32);
        self.program.unions.push(mir::UnionLayout {
            name: String::new(),
            cases: Vec::new(),
            boxed: false,
        });
        self.union_ids.insert(ty.clone(), id);
        self.unions_in_progress.push((ty.clone(), id));
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
        let mut out = Vec::new();
        for (case_name, fields) in cases {
            let mut mir_fields = Vec::new();
            for f in &fields {
                // A field holding a union still being laid out closes a cycle of
                // types through that union: it becomes a pointer, which gives every
                // type on the cycle a finite size. (Only that one: the unions it
                // reaches itself are the ones `Psg::union_is_boxed` reports.)
                if let Some(at) = self.first_in_progress(f) {
                    let (_, cycle) = self.unions_in_progress[at];
                    self.program.unions[cycle.index()].boxed = true;
                }
                mir_fields.push(self.mir_ty(f));
            }
            out.push(mir::CaseLayout {
                name: case_name,
                fields: mir_fields,
            });
        }
        self.unions_in_progress.pop();
        let layout = &mut self.program.unions[id.index()];
        layout.name = name;
        layout.cases = out;
        // Known second owner (issue 13, left open): the ledger and the analyses read
        // `Psg::union_is_boxed`, decided on the definitions, and the two disagree for
        // a union whose cycle closes through a list (`Rose of int * Rose list`: the
        // list's cells are the pointers, so this layout keeps `Rose` a value). An
        // assertion here fails on tests/programs/functional/recursive_union_layout.
        id
    }

    /// The lowest position on the stack of unions being laid out of one that a
    /// field of this type would hold inline (not behind a pointer such as an
    /// array or a closure). Other unions, lists included, are laid out in turn and
    /// find the cycle themselves.
    fn first_in_progress(&self, ty: &PTy) -> Option<usize> {
        if let Some(at) = self.unions_in_progress.iter().position(|(t, _)| t == ty) {
            return Some(at);
        }
        match ty {
            PTy::Tuple(ts) => ts.iter().filter_map(|t| self.first_in_progress(t)).min(),
            PTy::App(TyCon::Option, ts) => self.first_in_progress(&ts[0]),
            PTy::App(TyCon::User(def), args) => {
                let d = &self.psg.types[*def as usize];
                d.record_fields()?
                    .iter()
                    .filter_map(|f| {
                        self.first_in_progress(&composer_semantics::types::substitute(
                            &f.ty, &d.params, args,
                        ))
                    })
                    .min()
            }
            _ => None,
        }
    }

    pub(super) fn expr_ty(&mut self, b: &Builder, e: ExprId) -> PTy {
        apply_subst(self.psg.ty(e), &b.subst)
    }

    pub(super) fn expr_mir_ty(&mut self, b: &Builder, e: ExprId) -> mir::Ty {
        let t = self.expr_ty(b, e);
        self.mir_ty(&t)
    }
}
