//! Clef types and the unifier (Hindley–Milner with levels, after Rémy's level-based
//! generalisation as used by OCaml; see Oleg Kiselyov, "How OCaml type checker works").
//!
//! Operator overloading on primitives (`+` on ints, floats and strings) is handled the
//! way F# handles it for non-inline code: a type variable may carry a [`Constraint`];
//! a constrained variable is never generalised and defaults (`int`, or `float` for
//! float-only operations) when nothing else decides it.
//!
//! Types are shared, not copied: the children of a [`Ty`] are behind `Rc`, so a clone is
//! O(1), and the walks here that must stay polynomial (resolution, instantiation,
//! unification, the occurs check, level adjustment, generalisation, [`tree_size`]) visit
//! each shared node once, keyed by its [`NodeKey`]. Inference makes types that are small
//! as graphs but exponentially large as trees: with `let p x = (x, x)`, the type of
//! `p >> p >> ... >> p` (n steps) has 2^n leaves but only n distinct nodes. This is how
//! OCaml's and F#'s checkers avoid the blow-up too (types are graphs with sharing).

use rustc_hash::{FxHashMap, FxHashSet};
use std::fmt;
use std::rc::Rc;

/// Primitive types. `Int`, `UInt` and `NativeInt`/`UNativeInt` are the target's word
/// (64-bit on x86_64, DESIGN §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Prim {
    Int,
    Int8,
    Int16,
    Int32,
    Int64,
    NativeInt,
    UInt,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    UNativeInt,
    Float,
    Float32,
    Bool,
    Char,
    String,
    Unit,
}

impl Prim {
    pub fn name(self) -> &'static str {
        match self {
            Prim::Int => "int",
            Prim::Int8 => "sbyte",
            Prim::Int16 => "int16",
            Prim::Int32 => "int32",
            Prim::Int64 => "int64",
            Prim::NativeInt => "nativeint",
            Prim::UInt => "uint",
            Prim::UInt8 => "byte",
            Prim::UInt16 => "uint16",
            Prim::UInt32 => "uint32",
            Prim::UInt64 => "uint64",
            Prim::UNativeInt => "unativeint",
            Prim::Float => "float",
            Prim::Float32 => "float32",
            Prim::Bool => "bool",
            Prim::Char => "char",
            Prim::String => "string",
            Prim::Unit => "unit",
        }
    }

    /// `(bits, signed)` for integer types; `word_bits` is the target's word
    /// ([`composer_target::Target::word_bits`]), the width of `int` and `nativeint`.
    pub fn int_info(self, word_bits: u32) -> Option<(u32, bool)> {
        Some(match self {
            Prim::Int | Prim::NativeInt => (word_bits, true),
            Prim::Int8 => (8, true),
            Prim::Int16 => (16, true),
            Prim::Int32 => (32, true),
            Prim::Int64 => (64, true),
            Prim::UInt | Prim::UNativeInt => (word_bits, false),
            Prim::UInt8 => (8, false),
            Prim::UInt16 => (16, false),
            Prim::UInt32 => (32, false),
            Prim::UInt64 => (64, false),
            _ => return None,
        })
    }

    pub fn is_integer(self) -> bool {
        // Whether a type is an integer does not depend on the word's width.
        self.int_info(64).is_some()
    }

    pub fn is_float(self) -> bool {
        matches!(self, Prim::Float | Prim::Float32)
    }

    pub fn is_numeric(self) -> bool {
        self.is_integer() || self.is_float()
    }

    pub fn is_signed_numeric(self) -> bool {
        self.is_float() || self.int_info(64).is_some_and(|(_, s)| s)
    }
}

/// Type constructors with arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TyCon {
    /// `'T[]`
    Array,
    /// `'T option`
    Option,
    /// `'T list`
    List,
    /// `'T ref`: a mutable cell in a region (reference semantics).
    Ref,
    /// `seq<'T>`: a push generator. Its value is a function of the consumer
    /// (`'T -> bool`, false to stop) that answers whether it ran to the end.
    Seq,
    /// A record or union defined in the program (index into the PSG's type table).
    User(u32),
    /// `Arena`: an explicit arena (no type arguments).
    Arena,
    /// `Async<'T>`: a cold computation that runs as a state machine
    /// (`docs/async.md`): its value says how to start it (a resume function, a
    /// frame size and the captured values).
    Async,
}

impl TyCon {
    pub fn name(self) -> &'static str {
        match self {
            TyCon::Array => "array",
            TyCon::Option => "option",
            TyCon::List => "list",
            TyCon::Ref => "ref",
            TyCon::Seq => "seq",
            TyCon::Arena => "Arena",
            TyCon::Async => "Async",
            TyCon::User(_) => "?",
        }
    }
}

/// A unification variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TyVar(pub u32);

/// A type. Children are shared (`Rc`, see the module comment): build composite types
/// with [`Ty::fun`], [`Ty::tuple`] and [`Ty::app`]. Equality and hashing are structural
/// (equality short-cuts on shared children).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ty {
    Var(TyVar),
    Prim(Prim),
    Fun(Rc<Ty>, Rc<Ty>),
    Tuple(Rc<[Ty]>),
    App(TyCon, Rc<[Ty]>),
    /// A numeric type with a unit of measure, `float<m/s>` (never with the unit 1:
    /// that is the plain type). Units are checked here and erased before lowering.
    Measured(Rc<Ty>, Measure),
    /// What a unit-of-measure variable is bound to (never a value's type).
    MeasureValue(Measure),
    /// The type of an erroneous expression: unifies with everything, so one mistake
    /// is reported once.
    Error,
}

/// A unit of measure: base units and unit variables with integer exponents (an
/// element of the free abelian group over them; Kennedy, "Types for Units-of-Measure").
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Measure(pub std::collections::BTreeMap<MeasureAtom, i32>);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MeasureAtom {
    /// A `[<Measure>]` type (index into `Unifier::measure_names`).
    Unit(u32),
    /// A unit variable `'u`.
    Var(TyVar),
}

impl Measure {
    pub fn one() -> Measure {
        Measure::default()
    }

    pub fn atom(a: MeasureAtom) -> Measure {
        let mut m = Measure::default();
        m.0.insert(a, 1);
        m
    }

    pub fn is_one(&self) -> bool {
        self.0.is_empty()
    }

    pub fn mul(&self, other: &Measure) -> Measure {
        let mut out = self.clone();
        for (a, e) in &other.0 {
            let entry = out.0.entry(*a).or_insert(0);
            *entry += e;
            if *entry == 0 {
                out.0.remove(a);
            }
        }
        out
    }

    pub fn pow(&self, n: i32) -> Measure {
        if n == 0 {
            return Measure::one();
        }
        Measure(self.0.iter().map(|(a, e)| (*a, e * n)).collect())
    }

    pub fn inv(&self) -> Measure {
        self.pow(-1)
    }
}

/// `base<measure>`, or `base` when the measure is 1.
pub fn measured(base: Ty, m: Measure) -> Ty {
    if m.is_one() {
        base
    } else {
        Ty::Measured(Rc::new(base), m)
    }
}

/// The identity of a composite type node: the addresses of its shared children (two
/// nodes with the same children are the same type). Walks over a type graph memoise
/// on it; whoever keeps a `NodeKey` must keep the node alive too, so that the
/// addresses are not reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeKey {
    Fun(usize, usize),
    Tuple(usize, usize),
    App(TyCon, usize, usize),
}

impl NodeKey {
    /// `None` for leaves (variables, primitives) and measured types.
    pub fn of(ty: &Ty) -> Option<NodeKey> {
        match ty {
            Ty::Fun(a, b) => Some(NodeKey::Fun(Rc::as_ptr(a) as usize, Rc::as_ptr(b) as usize)),
            Ty::Tuple(ts) => Some(NodeKey::Tuple(ts.as_ptr() as usize, ts.len())),
            Ty::App(c, ts) => Some(NodeKey::App(*c, ts.as_ptr() as usize, ts.len())),
            _ => None,
        }
    }
}

/// How many nodes `ty` has written out as a tree, counting each shared node as often as
/// it is reached; `None` when that is more than `limit`. Linear in the size of the type
/// as a graph. Lowering asks this before it lays a type out (a tree that large cannot
/// become a MIR type).
pub fn tree_size(ty: &Ty, limit: u64) -> Option<u64> {
    let mut memo = FxHashMap::default();
    let size = tree_size_memo(ty, &mut memo);
    (size <= limit).then_some(size)
}

/// [`tree_size`] with a memo shared between calls (saturating at `u64::MAX`). The memo
/// keeps a clone of each node it has seen, so that its key stays valid.
pub fn tree_size_memo(ty: &Ty, memo: &mut FxHashMap<NodeKey, (Ty, u64)>) -> u64 {
    let Some(key) = NodeKey::of(ty) else {
        return match ty {
            Ty::Measured(b, _) => tree_size_memo(b, memo).saturating_add(1),
            _ => 1,
        };
    };
    if let Some((_, size)) = memo.get(&key) {
        return *size;
    }
    let size = match ty {
        Ty::Fun(a, b) => tree_size_memo(a, memo).saturating_add(tree_size_memo(b, memo)),
        Ty::Tuple(ts) | Ty::App(_, ts) => ts
            .iter()
            .fold(0u64, |acc, t| acc.saturating_add(tree_size_memo(t, memo))),
        _ => 0,
    }
    .saturating_add(1);
    memo.insert(key, (ty.clone(), size));
    size
}

impl Ty {
    pub const UNIT: Ty = Ty::Prim(Prim::Unit);

    pub fn arena() -> Ty {
        Ty::app(TyCon::Arena, Vec::new())
    }
    pub const INT: Ty = Ty::Prim(Prim::Int);
    pub const BOOL: Ty = Ty::Prim(Prim::Bool);
    pub const STRING: Ty = Ty::Prim(Prim::String);
    pub const FLOAT: Ty = Ty::Prim(Prim::Float);
    pub const CHAR: Ty = Ty::Prim(Prim::Char);

    pub fn fun(a: Ty, b: Ty) -> Ty {
        Ty::Fun(Rc::new(a), Rc::new(b))
    }

    pub fn tuple(items: Vec<Ty>) -> Ty {
        Ty::Tuple(items.into())
    }

    pub fn app(con: TyCon, args: Vec<Ty>) -> Ty {
        Ty::App(con, args.into())
    }

    /// `a1 -> a2 -> ... -> ret`
    pub fn curried(args: Vec<Ty>, ret: Ty) -> Ty {
        args.into_iter().rev().fold(ret, |acc, a| Ty::fun(a, acc))
    }

    pub fn array(elem: Ty) -> Ty {
        Ty::app(TyCon::Array, vec![elem])
    }

    pub fn option(elem: Ty) -> Ty {
        Ty::app(TyCon::Option, vec![elem])
    }

    pub fn async_of(result: Ty) -> Ty {
        Ty::app(TyCon::Async, vec![result])
    }

    pub fn seq(elem: Ty) -> Ty {
        Ty::app(TyCon::Seq, vec![elem])
    }

    /// Whether `pred` holds for some node of the type, in a left-to-right walk that
    /// visits each shared node once (a tree walk can be exponential; see the module
    /// comment). A predicate with side effects (collecting) sees every distinct node.
    pub fn any_node(&self, pred: &mut impl FnMut(&Ty) -> bool) -> bool {
        fn walk(
            ty: &Ty,
            pred: &mut impl FnMut(&Ty) -> bool,
            seen: &mut FxHashSet<NodeKey>,
        ) -> bool {
            if pred(ty) {
                return true;
            }
            if let Some(key) = NodeKey::of(ty) {
                // Borrowed from the root for the whole walk: keys stay valid.
                if !seen.insert(key) {
                    return false;
                }
            }
            match ty {
                Ty::Fun(a, b) => walk(a, pred, seen) || walk(b, pred, seen),
                Ty::Tuple(ts) | Ty::App(_, ts) => ts.iter().any(|t| walk(t, pred, seen)),
                Ty::Measured(b, _) => walk(b, pred, seen),
                Ty::Var(_) | Ty::Prim(_) | Ty::MeasureValue(_) | Ty::Error => false,
            }
        }
        walk(self, pred, &mut FxHashSet::default())
    }

    pub fn as_prim(&self) -> Option<Prim> {
        match self {
            Ty::Prim(p) => Some(*p),
            _ => None,
        }
    }
}

/// What an operator needs from a type variable it has not decided yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Constraint {
    /// `+`: numbers and strings — default `int`.
    Addable,
    /// `- * / %`: numbers — default `int`.
    Numeric,
    /// unary `-`, `abs`, `sign`: signed numbers — default `int`.
    SignedNumeric,
    /// `&&& ||| ^^^ ~~~ <<< >>>`: integers — default `int`.
    Integer,
    /// `sqrt`, `**`, `exp`, ...: floats — default `float`.
    Floating,
    /// Conversions `int x`, `float x`: numbers, chars and strings (parsed).
    Convertible,
    /// The elements and step of a range (`'a' .. 'e'`), `GenericZero` and
    /// `GenericOne`: numbers and chars, as F# gives `char` a built-in `Zero` and `One`.
    Range,
}

impl Constraint {
    pub fn default_type(self) -> Prim {
        match self {
            Constraint::Floating => Prim::Float,
            _ => Prim::Int,
        }
    }

    pub fn admits(self, p: Prim) -> bool {
        match self {
            // F# adds chars too (`'a' + '\001'`), which ranges of chars step by.
            Constraint::Addable => p.is_numeric() || matches!(p, Prim::String | Prim::Char),
            Constraint::Range => p.is_numeric() || p == Prim::Char,
            Constraint::Numeric => p.is_numeric(),
            Constraint::SignedNumeric => p.is_signed_numeric(),
            Constraint::Integer => p.is_integer(),
            Constraint::Floating => p.is_float(),
            Constraint::Convertible => p.is_numeric() || matches!(p, Prim::Char | Prim::String),
        }
    }

    /// Both constraints at once, if a type can satisfy both.
    pub fn meet(self, other: Constraint) -> Option<Constraint> {
        use Constraint::*;
        if self == other {
            return Some(self);
        }
        match (self, other) {
            (Range, Addable) | (Addable, Range) => return Some(Range),
            _ => {}
        }
        let rank = |c: Constraint| match c {
            Convertible => 0,
            Addable | Range => 1,
            Numeric => 2,
            SignedNumeric => 3,
            Integer => 4,
            Floating => 4,
        };
        let (lo, hi) = if rank(self) <= rank(other) {
            (self, other)
        } else {
            (other, self)
        };
        match (lo, hi) {
            (Integer, Floating) | (Floating, Integer) => None,
            // Integer ∧ Signed: signed integers, approximated by Integer.
            (SignedNumeric, Integer) => Some(Integer),
            _ => Some(hi),
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Constraint::Addable => "a type supporting '+'",
            Constraint::Numeric => "a numeric type",
            Constraint::SignedNumeric => "a signed numeric type",
            Constraint::Integer => "an integer type",
            Constraint::Floating => "a floating-point type",
            Constraint::Convertible => "a primitive type",
            Constraint::Range => "a numeric type or 'char'",
        }
    }
}

/// What F#'s `equality` and `comparison` constraints ask of a type: `=`, `<>` and
/// `hash` need equality; `compare`, `<`, `max`, `min` (and through them `List.sort`,
/// `Map` keys, `Set` elements) need comparison. A type variable carries the stronger
/// of the two it was asked for, its instances inherit it, and binding it to a type
/// without structure (a function, an array, a seq) is an error at the use that binds
/// it: the user's call, not the library line that compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Requirement {
    Equality,
    Comparison,
}

impl Requirement {
    pub fn name(self) -> &'static str {
        match self {
            Requirement::Equality => "equality",
            Requirement::Comparison => "comparison",
        }
    }
}

/// A generalised type: `forall vars. ty`.
#[derive(Debug, Clone, PartialEq)]
pub struct Scheme {
    pub vars: Vec<TyVar>,
    pub ty: Ty,
}

impl Scheme {
    pub fn mono(ty: Ty) -> Scheme {
        Scheme {
            vars: Vec::new(),
            ty,
        }
    }
}

#[derive(Debug, Clone)]
struct VarInfo {
    bound: Option<Ty>,
    level: u32,
    constraint: Option<Constraint>,
    /// `equality` or `comparison`, if asked for ([`Requirement`]).
    requires: Option<Requirement>,
    /// Quantified in some function's scheme: never defaulted.
    generic: bool,
}

/// Why a unification failed.
#[derive(Debug, Clone, PartialEq)]
pub enum UnifyError {
    Mismatch,
    Occurs,
    Constraint(Constraint, Prim),
    ConstraintOn(Constraint, Ty),
    /// The type (the part of it) that lacks the equality or comparison asked for.
    Requirement(Requirement, Ty),
}

/// The substitution being built by inference.
#[derive(Debug, Default, Clone)]
pub struct Unifier {
    vars: Vec<VarInfo>,
    pub level: u32,
    /// Names of user-defined types (index = `TyCon::User`), for messages.
    pub type_names: Vec<String>,
    /// Names of units of measure (index = `MeasureAtom::Unit`).
    pub measure_names: Vec<String>,
    /// User types that satisfy an operator constraint through an operator member
    /// (`static member (+)` satisfies `Addable`; any of `- * / %` satisfies
    /// `Numeric`, and a missing one is reported where the operator is used).
    pub user_operators: rustc_hash::FxHashSet<(u32, Constraint)>,
    /// User types without structural equality and comparison: a field (not through
    /// a type parameter) is a function, an array, a seq or such a type
    /// (`Checker::note_structural_types`).
    pub unstructured_types: rustc_hash::FxHashSet<u32>,
    /// Nodes the unifier's walks have visited (unification, resolution, the variable
    /// walks of the occurs check, level adjustment and generalisation): a deterministic
    /// measure of inference work, which tests bound to show it stays polynomial.
    work: std::cell::Cell<u64>,
    /// The variables changed since a [`Unifier::try_unify`] began, with their
    /// records before the change (`None` outside one).
    trail: Option<Vec<(u32, VarInfo)>>,
}

impl Unifier {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn fresh(&mut self) -> Ty {
        Ty::Var(self.fresh_var(None))
    }

    pub fn fresh_constrained(&mut self, c: Constraint) -> Ty {
        Ty::Var(self.fresh_var(Some(c)))
    }

    /// A variable that must support `equality` or `comparison`.
    pub fn fresh_requiring(&mut self, r: Requirement) -> Ty {
        let v = self.fresh_var(None);
        self.vars[v.0 as usize].requires = Some(r);
        Ty::Var(v)
    }

    fn fresh_var(&mut self, constraint: Option<Constraint>) -> TyVar {
        self.vars.push(VarInfo {
            bound: None,
            level: self.level,
            constraint,
            requires: None,
            generic: false,
        });
        TyVar(self.vars.len() as u32 - 1)
    }

    /// Asks `ty` for `equality` or `comparison`: its variables carry the requirement
    /// from now on; a part without structure is the error.
    pub fn require(&mut self, ty: &Ty, r: Requirement) -> Result<(), UnifyError> {
        if let Some(bad) = self.unstructured_part(ty) {
            return Err(UnifyError::Requirement(r, bad));
        }
        for v in self.reachable_vars(ty, false) {
            if self.vars[v.0 as usize].requires < Some(r) {
                self.var_mut(v).requires = Some(r);
            }
        }
        Ok(())
    }

    /// The first part of `ty` (left to right) that has neither structural equality
    /// nor comparison; type variables are fine (they are asked in turn).
    pub fn unstructured_part(&self, ty: &Ty) -> Option<Ty> {
        let mut seen = FxHashSet::default();
        self.unstructured_walk(ty, &mut seen)
    }

    fn unstructured_walk(&self, ty: &Ty, seen: &mut FxHashSet<NodeKey>) -> Option<Ty> {
        self.count_work();
        let ty = self.shallow(ty);
        if let Some(key) = NodeKey::of(&ty) {
            if !seen.insert(key) {
                return None;
            }
        }
        match &ty {
            Ty::Var(_) | Ty::Prim(_) | Ty::MeasureValue(_) | Ty::Error => None,
            Ty::Measured(b, _) => self.unstructured_walk(b, seen),
            Ty::Fun(..) | Ty::App(TyCon::Array | TyCon::Seq | TyCon::Arena | TyCon::Async, _) => {
                Some(ty.clone())
            }
            Ty::App(TyCon::User(d), _) if self.unstructured_types.contains(d) => Some(ty.clone()),
            Ty::Tuple(ts) | Ty::App(_, ts) => {
                ts.iter().find_map(|t| self.unstructured_walk(t, seen))
            }
        }
    }

    /// How many variables have been made: a variable numbered at least this many
    /// is made after this call.
    pub fn var_count(&self) -> usize {
        self.vars.len()
    }

    /// See the `work` field.
    pub fn work(&self) -> u64 {
        self.work.get()
    }

    fn count_work(&self) {
        self.work.set(self.work.get() + 1);
    }

    pub fn constraint_of(&self, v: TyVar) -> Option<Constraint> {
        self.vars[v.0 as usize].constraint
    }

    /// Follows bound variables at the top of `ty`.
    pub fn shallow(&self, ty: &Ty) -> Ty {
        let mut ty = ty.clone();
        while let Ty::Var(v) = ty {
            match &self.vars[v.0 as usize].bound {
                Some(t) => ty = t.clone(),
                None => return ty,
            }
        }
        ty
    }

    /// Fully applies the substitution. Shared nodes stay shared (see [`Resolver`]).
    pub fn resolve(&self, ty: &Ty) -> Ty {
        self.resolver().resolve(ty)
    }

    /// A resolver whose memo can be kept over many types (while the substitution does
    /// not change), e.g. to resolve every side table of the PSG at the end.
    pub fn resolver(&self) -> Resolver<'_> {
        Resolver {
            unifier: self,
            vars: FxHashMap::default(),
            nodes: FxHashMap::default(),
        }
    }

    /// A measure with its bound variables replaced.
    pub fn resolve_measure(&self, m: &Measure) -> Measure {
        let mut out = Measure::one();
        for (a, e) in &m.0 {
            let part = match a {
                MeasureAtom::Var(v) => match &self.vars[v.0 as usize].bound {
                    Some(Ty::MeasureValue(inner)) => self.resolve_measure(inner),
                    Some(Ty::Var(w)) => self.resolve_measure(&Measure::atom(MeasureAtom::Var(*w))),
                    _ => Measure::atom(*a),
                },
                MeasureAtom::Unit(_) => Measure::atom(*a),
            };
            out = out.mul(&part.pow(*e));
        }
        out
    }

    /// Unifies two units: solves `m1 / m2 = 1` for one of its variables when the
    /// exponents allow it (Kennedy's algorithm, for the common cases).
    pub fn unify_measure(&mut self, m1: &Measure, m2: &Measure) -> Result<(), UnifyError> {
        let d = self
            .resolve_measure(m1)
            .mul(&self.resolve_measure(m2).inv());
        if d.is_one() {
            return Ok(());
        }
        let var = d.0.iter().find_map(|(a, e)| match a {
            MeasureAtom::Var(v) if d.0.values().all(|x| x % e == 0) => Some((*v, *e)),
            _ => None,
        });
        let Some((v, e)) = var else {
            return Err(UnifyError::Mismatch);
        };
        // v^e * rest = 1  =>  v = rest^(-1/e)
        let mut rest = d.clone();
        rest.0.remove(&MeasureAtom::Var(v));
        let value = Measure(rest.0.iter().map(|(a, x)| (*a, -x / e)).collect());
        self.var_mut(v).bound = Some(Ty::MeasureValue(value));
        Ok(())
    }

    pub fn unify(&mut self, a: &Ty, b: &Ty) -> Result<(), UnifyError> {
        self.unify_shared(a, b, &mut FxHashMap::default())
    }

    /// Unifies when `a` and `b` unify, and otherwise changes nothing: a failed
    /// attempt is undone from a trail of the variables it changed. Type information
    /// that is only *expected* (the function type a pipeline's right side must have)
    /// flows in this way, so that a later check that allows more (a list where a
    /// seq is expected) still sees the types as they were.
    pub fn try_unify(&mut self, a: &Ty, b: &Ty) -> Result<(), UnifyError> {
        let outer = self.trail.replace(Vec::new());
        let result = self.unify(a, b);
        let trail = std::mem::replace(&mut self.trail, outer).expect("trail set above");
        match (&result, &mut self.trail) {
            (Err(_), _) => {
                for (v, info) in trail.into_iter().rev() {
                    self.vars[v as usize] = info;
                }
            }
            (Ok(()), Some(outer)) => outer.extend(trail),
            (Ok(()), None) => {}
        }
        result
    }

    /// The variable's record, to change it; noted on the trail when a
    /// [`Unifier::try_unify`] is under way.
    fn var_mut(&mut self, v: TyVar) -> &mut VarInfo {
        if let Some(trail) = &mut self.trail {
            trail.push((v.0, self.vars[v.0 as usize].clone()));
        }
        &mut self.vars[v.0 as usize]
    }

    /// Unifies, skipping a pair of shared nodes already unified in this call (both
    /// nodes are kept in `done`, so their keys stay valid). A repeated pair can only be
    /// equal by then: types are acyclic (the occurs check), so a pair is never its own
    /// descendant.
    fn unify_shared(
        &mut self,
        a: &Ty,
        b: &Ty,
        done: &mut FxHashMap<(NodeKey, NodeKey), (Ty, Ty)>,
    ) -> Result<(), UnifyError> {
        self.count_work();
        let a = self.shallow(a);
        let b = self.shallow(b);
        if let (Some(ka), Some(kb)) = (NodeKey::of(&a), NodeKey::of(&b)) {
            if ka == kb || done.contains_key(&(ka, kb)) {
                return Ok(());
            }
            done.insert((ka, kb), (a.clone(), b.clone()));
        }
        match (&a, &b) {
            (Ty::Error, _) | (_, Ty::Error) => Ok(()),
            (Ty::Measured(b1, m1), Ty::Measured(b2, m2)) => {
                self.unify_shared(b1, b2, done)?;
                self.unify_measure(m1, m2)
            }
            (Ty::Measured(base, m), t) | (t, Ty::Measured(base, m)) if !matches!(t, Ty::Var(_)) => {
                // A plain number has the unit 1.
                self.unify_shared(base, t, done)?;
                self.unify_measure(m, &Measure::one())
            }
            (Ty::Var(x), Ty::Var(y)) if x == y => Ok(()),
            (Ty::Var(x), Ty::Var(y)) => {
                let (cx, cy) = (self.constraint_of(*x), self.constraint_of(*y));
                let merged = match (cx, cy) {
                    (Some(p), Some(q)) => {
                        Some(p.meet(q).ok_or(UnifyError::ConstraintOn(q, Ty::Var(*x)))?)
                    }
                    (p, q) => p.or(q),
                };
                let level = self.vars[x.0 as usize]
                    .level
                    .min(self.vars[y.0 as usize].level);
                let requires = self.vars[x.0 as usize]
                    .requires
                    .max(self.vars[y.0 as usize].requires);
                let y_info = self.var_mut(*y);
                y_info.constraint = merged;
                y_info.requires = requires;
                y_info.level = level;
                self.var_mut(*x).bound = Some(b.clone());
                Ok(())
            }
            (Ty::Var(x), t) | (t, Ty::Var(x)) => self.bind(*x, t),
            (Ty::Prim(p), Ty::Prim(q)) if p == q => Ok(()),
            (Ty::Fun(a1, b1), Ty::Fun(a2, b2)) => {
                self.unify_shared(a1, a2, done)?;
                self.unify_shared(b1, b2, done)
            }
            (Ty::Tuple(xs), Ty::Tuple(ys)) if xs.len() == ys.len() => {
                for (x, y) in xs.iter().zip(ys.iter()) {
                    self.unify_shared(x, y, done)?;
                }
                Ok(())
            }
            (Ty::App(c1, xs), Ty::App(c2, ys)) if c1 == c2 && xs.len() == ys.len() => {
                for (x, y) in xs.iter().zip(ys.iter()) {
                    self.unify_shared(x, y, done)?;
                }
                Ok(())
            }
            _ => Err(UnifyError::Mismatch),
        }
    }

    fn bind(&mut self, v: TyVar, t: &Ty) -> Result<(), UnifyError> {
        if self.occurs(v, t) {
            return Err(UnifyError::Occurs);
        }
        if let Some(c) = self.constraint_of(v) {
            // A number with a unit satisfies what its number type satisfies.
            let base = match t {
                Ty::Measured(b, _) => self.shallow(b),
                other => other.clone(),
            };
            match &base {
                Ty::Var(w) if matches!(t, Ty::Measured(..)) => {
                    let merged = match self.constraint_of(*w) {
                        Some(d) => {
                            Some(d.meet(c).ok_or(UnifyError::ConstraintOn(c, base.clone()))?)
                        }
                        None => Some(c),
                    };
                    self.var_mut(*w).constraint = merged;
                }
                Ty::Prim(p) if c.admits(*p) => {}
                Ty::Prim(p) => return Err(UnifyError::Constraint(c, *p)),
                _ => {}
            }
        }
        if let Some(c) = self
            .constraint_of(v)
            .filter(|_| !matches!(t, Ty::Measured(..)))
        {
            match t {
                Ty::Prim(p) if c.admits(*p) => {}
                Ty::Prim(p) => return Err(UnifyError::Constraint(c, *p)),
                Ty::App(TyCon::User(d), _) if self.user_operators.contains(&(*d, c)) => {}
                Ty::Error => {}
                other => return Err(UnifyError::ConstraintOn(c, other.clone())),
            }
        }
        let level = self.vars[v.0 as usize].level;
        self.adjust_levels(t, level);
        self.var_mut(v).bound = Some(t.clone());
        // Bound even when the type lacks the equality or comparison asked for, so
        // that the error is reported once, where the variable is first bound.
        match self.vars[v.0 as usize].requires {
            Some(r) => self.require(t, r),
            None => Ok(()),
        }
    }

    fn occurs(&self, v: TyVar, t: &Ty) -> bool {
        self.reachable_vars(t, false).contains(&v)
    }

    fn adjust_levels(&mut self, t: &Ty, level: u32) {
        for w in self.reachable_vars(t, true) {
            if self.vars[w.0 as usize].level > level {
                self.var_mut(w).level = level;
            }
        }
    }

    /// The unbound variables `ty` reaches through the substitution, each once, in the
    /// order of a left-to-right walk; with `measure_atoms`, also the variables of its
    /// units (as written). Visits each variable and shared node once.
    fn reachable_vars(&self, ty: &Ty, measure_atoms: bool) -> Vec<TyVar> {
        let mut walk = VarWalk::default();
        self.walk_vars(ty, measure_atoms, &mut walk);
        walk.found
    }

    fn walk_vars(&self, ty: &Ty, measure_atoms: bool, walk: &mut VarWalk) {
        self.count_work();
        match ty {
            Ty::Var(v) => {
                if !walk.seen_vars.insert(*v) {
                    return;
                }
                match &self.vars[v.0 as usize].bound {
                    Some(bound) => self.walk_vars(bound, measure_atoms, walk),
                    None => walk.found.push(*v),
                }
            }
            Ty::Measured(b, m) => {
                self.walk_vars(b, measure_atoms, walk);
                if measure_atoms {
                    for a in m.0.keys() {
                        if let MeasureAtom::Var(w) = a {
                            if walk.seen_vars.insert(*w) {
                                walk.found.push(*w);
                            }
                        }
                    }
                }
            }
            Ty::Fun(..) | Ty::Tuple(_) | Ty::App(..) => {
                // Every node is borrowed from `ty` or the substitution for the whole
                // walk, so the keys stay valid without keeping clones.
                if !walk.seen_nodes.insert(NodeKey::of(ty).expect("composite")) {
                    return;
                }
                match ty {
                    Ty::Fun(a, b) => {
                        self.walk_vars(a, measure_atoms, walk);
                        self.walk_vars(b, measure_atoms, walk);
                    }
                    Ty::Tuple(ts) | Ty::App(_, ts) => {
                        for t in ts.iter() {
                            self.walk_vars(t, measure_atoms, walk);
                        }
                    }
                    _ => unreachable!("matched above"),
                }
            }
            Ty::Prim(_) | Ty::MeasureValue(_) | Ty::Error => {}
        }
    }

    /// Moves the variables of `ty` up to the current level: `ty` is the type of a
    /// binding that is *not* generalised (a value, inferred one level deeper so
    /// that its constrained variables can be defaulted). Its variables are then
    /// free in the environment, and a function checked later that mentions them
    /// must not quantify them. Without this, `let f' = snd in fun x -> f' x` (the
    /// desugaring of `snd >> g`) generalised the lambda over `snd`'s variables,
    /// and lowering saw the captured `f'` at an unresolved type.
    pub fn keep_monomorphic(&mut self, ty: &Ty) {
        let level = self.level;
        self.adjust_levels(ty, level);
    }

    /// Generalises the variables of `ty` created deeper than the current level.
    /// Constrained variables are not generalised (F# defaults them instead).
    pub fn generalize(&mut self, ty: &Ty) -> Scheme {
        self.generalize_with(ty, false)
    }

    /// Generalises; with `keep_constraints` (an `inline` function) constrained
    /// variables are quantified too, and each instance keeps the constraint
    /// (statically resolved type parameters).
    pub fn generalize_with(&mut self, ty: &Ty, keep_constraints: bool) -> Scheme {
        let ty = self.resolve(ty);
        let mut vars = Vec::new();
        self.collect_generalizable(&ty, keep_constraints, &mut vars);
        for v in &vars {
            self.vars[v.0 as usize].generic = true;
        }
        Scheme { vars, ty }
    }

    fn collect_generalizable(&self, ty: &Ty, keep_constraints: bool, out: &mut Vec<TyVar>) {
        for v in self.reachable_vars(ty, true) {
            let info = &self.vars[v.0 as usize];
            if info.level > self.level
                && (keep_constraints || info.constraint.is_none())
                && !out.contains(&v)
            {
                out.push(v);
            }
        }
    }

    /// A fresh instance of a scheme, with the fresh variables in the order of
    /// `scheme.vars` (lowering needs them to monomorphise).
    pub fn instantiate(&mut self, scheme: &Scheme) -> (Ty, Vec<Ty>) {
        if scheme.vars.is_empty() {
            return (scheme.ty.clone(), Vec::new());
        }
        let fresh: Vec<Ty> = scheme
            .vars
            .iter()
            .map(|v| {
                let c = self.constraint_of(*v);
                let fresh = self.fresh_var(c);
                self.vars[fresh.0 as usize].requires = self.vars[v.0 as usize].requires;
                Ty::Var(fresh)
            })
            .collect();
        let ty = substitute(&scheme.ty, &scheme.vars, &fresh);
        (ty, fresh)
    }

    /// Gives every still-unbound constrained variable its default type.
    pub fn apply_defaults(&mut self) {
        for i in 0..self.vars.len() {
            if self.vars[i].bound.is_none() && !self.vars[i].generic {
                if let Some(c) = self.vars[i].constraint {
                    self.vars[i].bound = Some(Ty::Prim(c.default_type()));
                }
            }
        }
    }

    /// Defaults constrained variables that live at a level deeper than the current one
    /// (used when a binding group is finished).
    pub fn default_deeper_than_current(&mut self) {
        for i in 0..self.vars.len() {
            let info = &self.vars[i];
            if info.bound.is_none() && info.level > self.level && !info.generic {
                if let Some(c) = info.constraint {
                    self.vars[i].bound = Some(Ty::Prim(c.default_type()));
                }
            }
        }
    }

    pub fn display(&self, ty: &Ty) -> String {
        self.display_all(&[ty]).remove(0)
    }

    /// The types of one message, as F# prints them: type variables are named `'a`,
    /// `'b`, … in order of first appearance across all of them (never by their
    /// internal numbers), so the same variable has the same name in each.
    pub fn display_all(&self, tys: &[&Ty]) -> Vec<String> {
        let resolved: Vec<Ty> = tys.iter().map(|t| self.resolve(t)).collect();
        let vars = vars_in_order(&resolved);
        let names: Vec<Ty> = (0..vars.len() as u32).map(|i| Ty::Var(TyVar(i))).collect();
        resolved
            .iter()
            .map(|t| {
                TyDisplay::named(&substitute(t, &vars, &names), &self.type_names)
                    .with_measures(&self.measure_names)
                    .to_string()
            })
            .collect()
    }
}

/// Applies a substitution to types, memoising each variable and each shared node, so
/// that the result is as small as a graph as its input and the substitution together
/// (a tree walk would be exponential; see the module comment).
pub struct Resolver<'u> {
    unifier: &'u Unifier,
    vars: FxHashMap<TyVar, Ty>,
    /// Original node (kept alive so its key stays valid) and its resolution.
    nodes: FxHashMap<NodeKey, (Ty, Ty)>,
}

impl Resolver<'_> {
    pub fn resolve(&mut self, ty: &Ty) -> Ty {
        self.unifier.count_work();
        match ty {
            Ty::Var(v) => {
                if let Some(done) = self.vars.get(v) {
                    return done.clone();
                }
                let out = match &self.unifier.vars[v.0 as usize].bound {
                    Some(bound) => self.resolve(bound),
                    None => ty.clone(),
                };
                self.vars.insert(*v, out.clone());
                out
            }
            Ty::Measured(b, m) => {
                let m = self.unifier.resolve_measure(m);
                measured(self.resolve(b), m)
            }
            Ty::Fun(..) | Ty::Tuple(_) | Ty::App(..) => {
                let key = NodeKey::of(ty).expect("a composite type has a key");
                if let Some((_, done)) = self.nodes.get(&key) {
                    return done.clone();
                }
                let out = map_children(ty, |t| self.resolve(t));
                self.nodes.insert(key, (ty.clone(), out.clone()));
                out
            }
            Ty::Prim(_) | Ty::MeasureValue(_) | Ty::Error => ty.clone(),
        }
    }
}

/// The composite node `ty` (a function, tuple or application) with `f` applied to
/// each child; `ty` itself when every child comes back the same node, so sharing is
/// kept. Resolution and substitution both rebuild types this way.
fn map_children(ty: &Ty, mut f: impl FnMut(&Ty) -> Ty) -> Ty {
    match ty {
        Ty::Fun(a, b) => {
            let (fa, fb) = (f(a), f(b));
            if same_node(&fa, a) && same_node(&fb, b) {
                ty.clone()
            } else {
                Ty::fun(fa, fb)
            }
        }
        Ty::Tuple(ts) | Ty::App(_, ts) => {
            let items: Vec<Ty> = ts.iter().map(&mut f).collect();
            if items.iter().zip(ts.iter()).all(|(r, t)| same_node(r, t)) {
                ty.clone()
            } else if let Ty::App(c, _) = ty {
                Ty::app(*c, items)
            } else {
                Ty::tuple(items)
            }
        }
        _ => unreachable!("only composite types are rebuilt"),
    }
}

/// True when `a` and `b` are the same node (not just equal): a walk that finds every
/// child unchanged returns the original node, which keeps it shared.
fn same_node(a: &Ty, b: &Ty) -> bool {
    match (a, b) {
        (Ty::Fun(a1, b1), Ty::Fun(a2, b2)) => Rc::ptr_eq(a1, a2) && Rc::ptr_eq(b1, b2),
        (Ty::Tuple(x), Ty::Tuple(y)) => Rc::ptr_eq(x, y),
        (Ty::App(c1, x), Ty::App(c2, y)) => c1 == c2 && Rc::ptr_eq(x, y),
        (Ty::Measured(x, m1), Ty::Measured(y, m2)) => Rc::ptr_eq(x, y) && m1 == m2,
        (Ty::Var(_) | Ty::Prim(_) | Ty::MeasureValue(_) | Ty::Error, _) => a == b,
        _ => false,
    }
}

/// The type variables of `tys` in order of first appearance; each shared node is
/// walked once.
pub(crate) fn vars_in_order(tys: &[Ty]) -> Vec<TyVar> {
    fn walk(t: &Ty, seen: &mut rustc_hash::FxHashSet<NodeKey>, out: &mut Vec<TyVar>) {
        if let Some(key) = NodeKey::of(t) {
            if !seen.insert(key) {
                return;
            }
        }
        match t {
            Ty::Var(v) if !out.contains(v) => out.push(*v),
            Ty::Fun(a, b) => {
                walk(a, seen, out);
                walk(b, seen, out);
            }
            Ty::Tuple(ts) | Ty::App(_, ts) => {
                for t in ts.iter() {
                    walk(t, seen, out);
                }
            }
            Ty::Measured(b, _) => walk(b, seen, out),
            _ => {}
        }
    }
    let mut seen = rustc_hash::FxHashSet::default();
    let mut out = Vec::new();
    for t in tys {
        walk(t, &mut seen, &mut out);
    }
    out
}

/// Replaces `vars[i]` by `tys[i]` in `ty`. Each shared node is substituted once and
/// the result shares it the same way (see the module comment).
pub fn substitute(ty: &Ty, vars: &[TyVar], tys: &[Ty]) -> Ty {
    if vars.is_empty() {
        return ty.clone();
    }
    substitute_shared(ty, vars, tys, &mut FxHashMap::default())
}

/// The memo holds nodes borrowed from `ty` for the whole walk, so keys stay valid.
fn substitute_shared(ty: &Ty, vars: &[TyVar], tys: &[Ty], memo: &mut FxHashMap<NodeKey, Ty>) -> Ty {
    if let Some(key) = NodeKey::of(ty) {
        if let Some(done) = memo.get(&key) {
            return done.clone();
        }
        let out = map_children(ty, |t| substitute_shared(t, vars, tys, memo));
        memo.insert(key, out.clone());
        return out;
    }
    match ty {
        Ty::Var(v) => match vars.iter().position(|w| w == v) {
            Some(i) => tys[i].clone(),
            None => ty.clone(),
        },
        Ty::Measured(b, m) => {
            let mut out = Measure::one();
            for (a, e) in &m.0 {
                let part = match a {
                    MeasureAtom::Var(v) => match vars.iter().position(|w| w == v) {
                        Some(i) => match &tys[i] {
                            Ty::Var(w) => Measure::atom(MeasureAtom::Var(*w)),
                            Ty::MeasureValue(mv) => mv.clone(),
                            _ => Measure::one(),
                        },
                        None => Measure::atom(*a),
                    },
                    MeasureAtom::Unit(_) => Measure::atom(*a),
                };
                out = out.mul(&part.pow(*e));
            }
            measured(substitute_shared(b, vars, tys, memo), out)
        }
        other => other.clone(),
    }
}

/// What [`Unifier::walk_vars`] has seen.
#[derive(Default)]
struct VarWalk {
    seen_vars: FxHashSet<TyVar>,
    seen_nodes: FxHashSet<NodeKey>,
    found: Vec<TyVar>,
}

/// `m/s^2`, `kg m`, `1/s`: F#'s notation for units.
fn measure_text(m: &Measure, names: &[String]) -> String {
    let atom = |a: &MeasureAtom| match a {
        MeasureAtom::Unit(u) => names
            .get(*u as usize)
            .cloned()
            .unwrap_or_else(|| format!("u{u}")),
        MeasureAtom::Var(v) => format!("'u{}", v.0),
    };
    let part = |a: &MeasureAtom, e: i32| {
        if e == 1 {
            atom(a)
        } else {
            format!("{}^{e}", atom(a))
        }
    };
    let num: Vec<String> =
        m.0.iter()
            .filter(|(_, e)| **e > 0)
            .map(|(a, e)| part(a, *e))
            .collect();
    let den: Vec<String> =
        m.0.iter()
            .filter(|(_, e)| **e < 0)
            .map(|(a, e)| part(a, -*e))
            .collect();
    let num = if num.is_empty() {
        "1".to_string()
    } else {
        num.join(" ")
    };
    if den.is_empty() {
        num
    } else {
        format!("{num}/{}", den.join(" "))
    }
}

/// How many characters of a type [`TyDisplay`] prints before it stops with `...`.
pub const DISPLAY_MAX_CHARS: usize = 1_000;

/// Text that refuses (`fmt::Error`) to grow past its room, which ends the walk.
struct CappedText {
    text: String,
    room: usize,
}

impl fmt::Write for CappedText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if s.len() <= self.room {
            self.text.push_str(s);
            self.room -= s.len();
            return Ok(());
        }
        let mut cut = self.room;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        self.text.push_str(&s[..cut]);
        self.room = 0;
        Err(fmt::Error)
    }
}

/// Prints a type the way F# prints it in messages (`int -> string`, `string option`,
/// `Tree<int>`).
pub struct TyDisplay<'a> {
    ty: &'a Ty,
    names: &'a [String],
    measures: &'a [String],
}

#[allow(non_snake_case)]
/// A type for display, without user type names (they print as `T0`, `T1`...).
pub fn TyDisplay(ty: &Ty) -> TyDisplay<'_> {
    TyDisplay {
        ty,
        names: &[],
        measures: &[],
    }
}

impl<'a> TyDisplay<'a> {
    pub fn named(ty: &'a Ty, names: &'a [String]) -> TyDisplay<'a> {
        TyDisplay {
            ty,
            names,
            measures: &[],
        }
    }

    pub fn with_measures(mut self, measures: &'a [String]) -> TyDisplay<'a> {
        self.measures = measures;
        self
    }
}

impl fmt::Display for TyDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A shared type can be exponentially long written out: print its start.
        let mut capped = CappedText {
            text: String::new(),
            room: DISPLAY_MAX_CHARS,
        };
        let complete = write_ty(self.ty, &mut capped, 0, (self.names, self.measures)).is_ok();
        f.write_str(&capped.text)?;
        if !complete {
            f.write_str("...")?;
        }
        return Ok(());
        fn write_ty(
            ty: &Ty,
            f: &mut CappedText,
            prec: u8,
            names: (&[String], &[String]),
        ) -> fmt::Result {
            use fmt::Write as _;
            match ty {
                Ty::Var(v) => {
                    let n = v.0;
                    let letter = (b'a' + (n % 26) as u8) as char;
                    if n >= 26 {
                        write!(f, "'{letter}{}", n / 26)
                    } else {
                        write!(f, "'{letter}")
                    }
                }
                Ty::Prim(p) => f.write_str(p.name()),
                Ty::Error => f.write_str("?"),
                Ty::Fun(a, b) => {
                    if prec > 0 {
                        f.write_str("(")?;
                    }
                    write_ty(a, f, 1, names)?;
                    f.write_str(" -> ")?;
                    write_ty(b, f, 0, names)?;
                    if prec > 0 {
                        f.write_str(")")?;
                    }
                    Ok(())
                }
                Ty::Tuple(ts) => {
                    if prec > 1 {
                        f.write_str("(")?;
                    }
                    for (i, t) in ts.iter().enumerate() {
                        if i > 0 {
                            f.write_str(" * ")?;
                        }
                        write_ty(t, f, 2, names)?;
                    }
                    if prec > 1 {
                        f.write_str(")")?;
                    }
                    Ok(())
                }
                Ty::App(TyCon::Array, ts) => {
                    write_ty(&ts[0], f, 3, names)?;
                    f.write_str("[]")
                }
                Ty::Measured(b, m) => {
                    write_ty(b, f, 3, names)?;
                    write!(f, "<{}>", measure_text(m, names.1))
                }
                Ty::MeasureValue(m) => f.write_str(&measure_text(m, names.1)),
                Ty::App(TyCon::Arena, _) => f.write_str("Arena"),
                Ty::App(TyCon::Seq, ts) => {
                    f.write_str("seq<")?;
                    write_ty(&ts[0], f, 0, names)?;
                    f.write_str(">")
                }
                Ty::App(TyCon::Async, ts) => {
                    f.write_str("Async<")?;
                    write_ty(&ts[0], f, 0, names)?;
                    f.write_str(">")
                }
                Ty::App(TyCon::User(id), ts) => {
                    match names.0.get(*id as usize) {
                        Some(n) => f.write_str(n)?,
                        None => write!(f, "T{id}")?,
                    }
                    if !ts.is_empty() {
                        f.write_str("<")?;
                        for (i, t) in ts.iter().enumerate() {
                            if i > 0 {
                                f.write_str(", ")?;
                            }
                            write_ty(t, f, 0, names)?;
                        }
                        f.write_str(">")?;
                    }
                    Ok(())
                }
                Ty::App(c, ts) => {
                    for t in ts.iter() {
                        write_ty(t, f, 3, names)?;
                        f.write_str(" ")?;
                    }
                    f.write_str(c.name())
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inference on `p >> p >> ... >> p` (`steps` times) with `let p x = (x, x)`, the
    /// way the checker does it: each link instantiates `p`, unifies its argument with
    /// the chain's result, and the chain so far is generalised and instantiated again
    /// (as a `let` does). Returns the unifier and the chain's type.
    fn compose_chain(steps: usize) -> (Unifier, Ty) {
        let mut u = Unifier::new();
        u.level += 1;
        let x = u.fresh();
        u.level -= 1;
        let p = u.generalize(&Ty::fun(x.clone(), Ty::tuple(vec![x.clone(), x])));
        let (mut chain, _) = u.instantiate(&p);
        for _ in 1..steps {
            u.level += 1;
            let (link, _) = u.instantiate(&p);
            let (Ty::Fun(arg, result), Ty::Fun(link_arg, link_result)) =
                (u.shallow(&chain), u.shallow(&link))
            else {
                panic!("both are functions");
            };
            u.unify(&result, &link_arg)
                .expect("the chain's result fits p");
            let composed = Ty::Fun(arg, link_result);
            u.level -= 1;
            let scheme = u.generalize(&composed);
            chain = u.instantiate(&scheme).0;
        }
        let chain = u.resolve(&chain);
        (u, chain)
    }

    #[test]
    fn composition_chain_stays_shared_and_polynomial() {
        let (small, small_ty) = compose_chain(20);
        let (large, large_ty) = compose_chain(40);
        // As a tree the type has 2^40 leaves; as a graph, a few nodes per step.
        assert_eq!(tree_size(&large_ty, 1 << 40), None);
        let mut nodes = FxHashMap::default();
        tree_size_memo(&large_ty, &mut nodes);
        assert!(nodes.len() <= 2 * 40, "{} distinct nodes", nodes.len());
        // Twice the steps, at most about four times the work (quadratic at worst);
        // a tree walk would do 2^20 times as much.
        assert!(
            large.work() <= 5 * small.work(),
            "work {} for 20 steps, {} for 40",
            small.work(),
            large.work()
        );
        // `a -> t`: t has 2^20 leaves and 2^20 - 1 pairs.
        assert_eq!(tree_size(&small_ty, 1 << 22), Some((1 << 21) + 1));
    }

    #[test]
    fn display_of_a_huge_shared_type_is_cut_short() {
        let (u, ty) = compose_chain(60);
        let shown = u.display(&ty);
        assert!(
            shown.len() <= DISPLAY_MAX_CHARS + 3,
            "{} chars",
            shown.len()
        );
        assert!(shown.ends_with("..."), "{shown}");
    }

    #[test]
    fn unify_binds_and_resolves() {
        let mut u = Unifier::new();
        let a = u.fresh();
        u.unify(&a, &Ty::fun(Ty::INT, Ty::STRING)).unwrap();
        assert_eq!(u.display(&a), "int -> string");
    }

    #[test]
    fn constraint_rejects_string_for_numeric() {
        let mut u = Unifier::new();
        let a = u.fresh_constrained(Constraint::Numeric);
        assert!(u.unify(&a, &Ty::STRING).is_err());
        let b = u.fresh_constrained(Constraint::Addable);
        assert!(u.unify(&b, &Ty::STRING).is_ok());
    }

    #[test]
    fn occurs_check() {
        let mut u = Unifier::new();
        let a = u.fresh();
        assert_eq!(
            u.unify(&a, &Ty::fun(a.clone(), Ty::INT)),
            Err(UnifyError::Occurs)
        );
    }

    #[test]
    fn generalize_skips_outer_and_constrained_vars() {
        let mut u = Unifier::new();
        let outer = u.fresh();
        u.level += 1;
        let inner = u.fresh();
        let num = u.fresh_constrained(Constraint::Numeric);
        u.level -= 1;
        let s = u.generalize(&Ty::tuple(vec![outer, inner, num]));
        assert_eq!(s.vars.len(), 1);
    }

    #[test]
    fn a_monomorphic_value_is_not_generalised_by_a_later_function() {
        // `let f' = snd in fun x -> f' x`: the value is inferred one level deeper,
        // then kept monomorphic; the lambda, checked one level deeper again, must
        // not quantify the value's variables.
        let mut u = Unifier::new();
        u.level += 1;
        let value = u.fresh();
        u.level -= 1;
        u.keep_monomorphic(&value);
        u.level += 1;
        let own = u.fresh();
        u.level -= 1;
        let s = u.generalize(&Ty::fun(value, own.clone()));
        assert_eq!(
            s.vars,
            vec![match own {
                Ty::Var(v) => v,
                _ => unreachable!("fresh gives a variable"),
            }]
        );
    }
}
