//! Which unions are represented by pointers ("boxed"): the one owner of that fact.
//! Lowering sets `UnionLayout::boxed` (`composer-lower`) of every union instance it
//! lays out from [`Psg::union_is_boxed`]; the ledger and the `stack_only` check ask
//! the same function whether building a case allocates a cell.
//!
//! The rule is decided per *instance* (a union applied to its type arguments), and
//! depends on nothing else, in particular not on the order in which lowering meets
//! types:
//!
//! - a list is boxed, always: its cons cells are allocated by nature;
//! - a user union instance is boxed iff it reaches itself through fields held
//!   inline: tuples, options, records and union instances (boxed or not). Arrays,
//!   lists, functions, seqs, strings and ref cells are pointers already, so a cycle
//!   through them needs no box: `Rose of int * Rose list` and `Kids of Kids list`
//!   are values, `Node of Tree * int * Tree` and `Link of int * Chain option` are
//!   pointers.
//!
//! Every union instance on a cycle of inline fields is boxed, so every cycle through
//! a union has a pointer on it and every type has a finite size, except a cycle
//! with no union at all (a record holding itself through a tuple or an option),
//! which lowering rejects (FS9001: records are values in Clef).
//!
//! Before monomorphisation (generic code, where a type still holds type variables)
//! the answer is conservative: true when *some* instance of the type may be boxed.
//! A cycle that does not pass through a variable exists in every instance, and is
//! found by matching the union's definition instead of the whole instance. A cycle
//! through a variable needs the variable's type to reach the union again, and the
//! only types that introduce the union are definitions whose fields mention it: so a
//! variable held inline counts as a cycle when some definition mentions the union.
//! (`Hold of 'a` may be boxed in generic code of a program that defines
//! `Loop of Holder<Looped>`; `Ok of 'T` is not, unless a definition mentions
//! `Result`.) The `stack_only` check therefore never claims that a site allocates
//! nothing when one of its instances does.

use crate::psg::Psg;
use crate::types::{Ty, TyCon};
use rustc_hash::FxHashSet;

/// How many distinct instances a search unfolds before it gives up and answers
/// boxed: only a type whose instances grow without end (polymorphic recursion,
/// `N of T<'a * 'a>`) could get there, and the checker rejects those where they
/// are defined (`check_regular_group` in `check/typedefs.rs`).
const INSTANCE_LIMIT: usize = 4096;

/// How the values of a union type are represented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Boxing {
    /// `{tag, payload}` values.
    Value,
    /// Pointers to cells, at every instance of the type.
    Pointers,
    /// A type with variables some of whose instances are pointers (generic code).
    SomeInstancesPointers,
}

impl Psg {
    /// Whether values of the union type `ty` (a user union at its type arguments,
    /// or a list) are pointers to cells: see the module documentation for the rule.
    /// Exact for a closed type; for a type with variables, true when some instance
    /// may be boxed. False for a type that is not a union.
    pub fn union_is_boxed(&self, ty: &Ty) -> bool {
        self.union_boxing(ty) != Boxing::Value
    }

    /// [`Psg::union_is_boxed`], telling a type boxed at every instance from one
    /// (with variables) only some of whose instances may be.
    pub fn union_boxing(&self, ty: &Ty) -> Boxing {
        match ty {
            Ty::Measured(base, _) => self.union_boxing(base),
            Ty::App(TyCon::List, _) => Boxing::Pointers,
            Ty::App(TyCon::User(def), _) if self.types[*def as usize].union_cases().is_some() => {
                let search = |open: bool| {
                    let mut search = Search {
                        psg: self,
                        target: ty,
                        target_def: *def,
                        open,
                        var_may_close: open && self.mentioned_by_a_definition(*def),
                        seen: FxHashSet::default(),
                    };
                    self.inline_fields(ty)
                        .iter()
                        .any(|field| search.reaches(field))
                };
                // A cycle back to the type itself that passes through no variable is
                // one in every instance.
                if search(false) {
                    Boxing::Pointers
                } else if has_vars(ty) && search(true) {
                    Boxing::SomeInstancesPointers
                } else {
                    Boxing::Value
                }
            }
            _ => Boxing::Value,
        }
    }

    /// The field types of a record or union instance (every case's fields), at its
    /// type arguments.
    fn inline_fields(&self, ty: &Ty) -> Vec<Ty> {
        let Ty::App(TyCon::User(def), args) = ty else {
            return Vec::new();
        };
        let d = &self.types[*def as usize];
        let record = d.record_fields().unwrap_or_default().iter().map(|f| &f.ty);
        let cases = d
            .union_cases()
            .unwrap_or_default()
            .iter()
            .flat_map(|c| c.fields.iter().map(|f| &f.ty));
        record
            .chain(cases)
            .map(|f| crate::types::substitute(f, &d.params, args))
            .collect()
    }

    /// Whether the fields of some record or union definition mention `def`
    /// (anywhere, even behind a pointer: this only needs to over-approximate).
    fn mentioned_by_a_definition(&self, def: u32) -> bool {
        fn mentions(ty: &Ty, def: u32) -> bool {
            match ty {
                Ty::App(TyCon::User(d), _) if *d == def => true,
                Ty::App(_, args) | Ty::Tuple(args) => args.iter().any(|t| mentions(t, def)),
                Ty::Fun(a, b) => mentions(a, def) || mentions(b, def),
                Ty::Measured(base, _) => mentions(base, def),
                Ty::Var(_) | Ty::Prim(_) | Ty::MeasureValue(_) | Ty::Error => false,
            }
        }
        self.types.iter().any(|d| {
            let record = d.record_fields().unwrap_or_default().iter().map(|f| &f.ty);
            let cases = d
                .union_cases()
                .unwrap_or_default()
                .iter()
                .flat_map(|c| c.fields.iter().map(|f| &f.ty));
            record.chain(cases).any(|f| mentions(f, def))
        })
    }
}

/// A search for the target union through fields held inline.
struct Search<'a> {
    psg: &'a Psg,
    target: &'a Ty,
    target_def: u32,
    /// Search for some instance of an open target: any instance of its definition
    /// closes the cycle (it does in some instance).
    open: bool,
    /// A variable held inline may be instantiated to a type that reaches the target.
    var_may_close: bool,
    /// Record and union instances already unfolded.
    seen: FxHashSet<Ty>,
}

impl Search<'_> {
    fn reaches(&mut self, ty: &Ty) -> bool {
        match ty {
            Ty::Var(_) => self.var_may_close,
            Ty::Measured(base, _) => self.reaches(base),
            Ty::Tuple(items) => items.iter().any(|t| self.reaches(t)),
            Ty::App(TyCon::Option, args) => args.iter().any(|t| self.reaches(t)),
            Ty::App(TyCon::User(def), _) => {
                if ty == self.target || (self.open && *def == self.target_def) {
                    return true;
                }
                if self.seen.len() >= INSTANCE_LIMIT {
                    return true;
                }
                if !self.seen.insert(ty.clone()) {
                    return false;
                }
                self.psg
                    .inline_fields(ty)
                    .iter()
                    .any(|field| self.reaches(field))
            }
            // Pointers already (lists, arrays, ref cells, seqs, functions, strings),
            // scalars, an arena handle.
            Ty::App(
                TyCon::List | TyCon::Array | TyCon::Ref | TyCon::Seq | TyCon::Arena | TyCon::Async,
                _,
            )
            | Ty::Fun(..)
            | Ty::Prim(_)
            | Ty::MeasureValue(_)
            | Ty::Error => false,
        }
    }
}

fn has_vars(ty: &Ty) -> bool {
    match ty {
        Ty::Var(_) => true,
        Ty::App(_, args) | Ty::Tuple(args) => args.iter().any(has_vars),
        Ty::Fun(a, b) => has_vars(a) || has_vars(b),
        Ty::Measured(base, _) => has_vars(base),
        Ty::Prim(_) | Ty::MeasureValue(_) | Ty::Error => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::types::{Prim, Ty, TyCon};

    const TYPES: &str = "type Tree =\n    | Leaf\n    | Node of Tree * int * Tree\n\
         type Shape =\n    | Dot\n    | Circle of float\n\
         type Rose =\n    | Rose of string * Forest\n\
         and Forest =\n    | Empty\n    | Trees of Rose * Forest\n\
         type Chain =\n    | End\n    | Link of int * Chain option\n\
         type Many =\n    | Many of Many[]\n    | One\n\
         type Wrap = { inner: Nested }\n\
         and Nested =\n    | Stop\n    | Go of Wrap\n\
         type Kids =\n    | Kids of Kids list\n\
         type RoseList =\n    | RoseList of int * RoseList list\n\
         type Holder<'a> =\n    | Hold of 'a\n\
         type Looped =\n    | Loop of Holder<Looped>\n    | Stop2\n\
         type Pair<'a> =\n    | Pair of 'a * 'a\n\
         type Odd<'a> =\n    | Self of Odd<int>\n    | Plain\n\
         type GTree<'a> =\n    | GLeaf\n    | GNode of GTree<'a> * 'a\n\
         printfn \"ok\"\n";

    fn def(psg: &crate::psg::Psg, name: &str) -> u32 {
        psg.types
            .iter()
            .position(|d| d.name == name)
            .unwrap_or_else(|| panic!("no type {name}")) as u32
    }

    fn app(psg: &crate::psg::Psg, name: &str, args: Vec<Ty>) -> Ty {
        Ty::App(TyCon::User(def(psg, name)), args.into())
    }

    #[test]
    fn unions_on_a_cycle_of_inline_fields_are_boxed() {
        let psg = crate::test_support::check(TYPES);
        let boxed = |name: &str| psg.union_is_boxed(&app(&psg, name, Vec::new()));
        assert!(boxed("Tree"));
        assert!(!boxed("Shape"));
        assert!(boxed("Rose") && boxed("Forest"), "mutual recursion");
        assert!(boxed("Chain"), "through an option");
        assert!(!boxed("Many"), "an array is a pointer already");
        assert!(boxed("Nested"), "through a record");
        assert!(!boxed("Kids"), "a list is a pointer already");
        assert!(!boxed("RoseList"), "a list is a pointer already");
        assert!(psg.union_is_boxed(&Ty::App(TyCon::List, vec![Ty::INT].into())));
        // Both unions on the cycle through `Holder<Looped>` are boxed; other
        // instances of `Holder` are values.
        assert!(boxed("Looped"), "through a type argument");
        let looped = app(&psg, "Looped", Vec::new());
        assert!(psg.union_is_boxed(&app(&psg, "Holder", vec![looped])));
        assert!(!psg.union_is_boxed(&app(&psg, "Holder", vec![Ty::INT])));
        let tree = app(&psg, "Tree", Vec::new());
        assert!(
            !psg.union_is_boxed(&app(&psg, "Holder", vec![tree])),
            "holding a boxed union is not a cycle"
        );
        assert!(!psg.union_is_boxed(&Ty::Prim(Prim::Int)), "not a union");
    }

    #[test]
    fn generic_unions_are_boxed_when_some_instance_may_be() {
        let psg = crate::test_support::check(TYPES);
        let var = |name: &str| {
            let d = &psg.types[def(&psg, name) as usize];
            Ty::App(
                TyCon::User(def(&psg, name)),
                d.params.iter().map(|v| Ty::Var(*v)).collect(),
            )
        };
        assert!(
            psg.union_is_boxed(&var("Holder")),
            "`Looped` mentions `Holder`: `Holder<Looped>` is boxed"
        );
        assert!(
            !psg.union_is_boxed(&var("Pair")),
            "no definition mentions `Pair`: no instance reaches itself"
        );
        assert!(
            psg.union_is_boxed(&var("Odd")),
            "`Odd<int>` is boxed, so `Odd<'a>` may be"
        );
        assert!(!psg.union_is_boxed(&app(&psg, "Odd", vec![Ty::STRING])));
        assert_eq!(
            psg.union_boxing(&var("Holder")),
            super::Boxing::SomeInstancesPointers
        );
        assert_eq!(
            psg.union_boxing(&var("GTree")),
            super::Boxing::Pointers,
            "a cycle through no variable is one in every instance"
        );
        assert!(psg.union_is_boxed(&app(&psg, "Odd", vec![Ty::INT])));
    }
}
