//! Which user types have structural equality and comparison (F#'s `equality` and
//! `comparison` constraints, [`crate::types::Requirement`]): a record or union has
//! them unless a field — not through a type parameter — is a function, an array, a
//! seq, or a type without them. The unifier asks this when a type is bound to a
//! variable that carries a requirement, so `List.sort [ (fun x -> x) ]` is an error
//! at the user's call rather than inside the library's `compare`.

use super::Checker;
use crate::psg::TypeDefKind;
use crate::types::{Ty, TyCon};
use rustc_hash::FxHashSet;

impl Checker<'_> {
    /// Records which of the group `ids` lack structure (a fixed point: the group may
    /// refer to itself).
    pub(crate) fn note_structural_types(&mut self, ids: &[u32]) {
        loop {
            let mut changed = false;
            for &id in ids {
                if id == u32::MAX || self.u.unstructured_types.contains(&id) {
                    continue;
                }
                let lacks = self
                    .field_types(id)
                    .iter()
                    .any(|t| self.u.unstructured_part(t).is_some());
                if lacks {
                    self.u.unstructured_types.insert(id);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// Whether user type `d` lacks structure because of a function somewhere in its
    /// fields (F# refuses that too), not only an array or a seq (F# allows those).
    pub(crate) fn unstructured_because_of_function(&self, d: u32) -> bool {
        let mut seen = FxHashSet::default();
        self.has_function_field(d, &mut seen)
    }

    fn has_function_field(&self, d: u32, seen: &mut FxHashSet<u32>) -> bool {
        if !seen.insert(d) {
            return false;
        }
        self.field_types(d)
            .iter()
            .any(|t| self.holds_function(t, seen))
    }

    fn holds_function(&self, ty: &Ty, seen: &mut FxHashSet<u32>) -> bool {
        match self.u.shallow(ty) {
            Ty::Fun(..) => true,
            Ty::Measured(b, _) => self.holds_function(&b, seen),
            Ty::App(TyCon::User(e), args) => {
                (self.u.unstructured_types.contains(&e) && self.has_function_field(e, seen))
                    || args.iter().any(|a| self.holds_function(a, seen))
            }
            Ty::Tuple(ts) | Ty::App(_, ts) => ts.iter().any(|t| self.holds_function(t, seen)),
            Ty::Var(_) | Ty::Prim(_) | Ty::MeasureValue(_) | Ty::Error => false,
        }
    }

    fn field_types(&self, d: u32) -> Vec<Ty> {
        match &self.psg.types[d as usize].kind {
            TypeDefKind::Record { fields, .. } => fields.iter().map(|f| f.ty.clone()).collect(),
            TypeDefKind::Union { cases } => cases
                .iter()
                .flat_map(|c| c.fields.iter().map(|f| f.ty.clone()))
                .collect(),
            // An enum is its underlying integer.
            TypeDefKind::Enum(_) => Vec::new(),
        }
    }
}
