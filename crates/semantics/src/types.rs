//! Clef types and the unifier (Hindley–Milner with levels, after Rémy's level-based
//! generalisation as used by OCaml; see Oleg Kiselyov, "How OCaml type checker works").
//!
//! Operator overloading on primitives (`+` on ints, floats and strings) is handled the
//! way F# handles it for non-inline code: a type variable may carry a [`Constraint`];
//! a constrained variable is never generalised and defaults (`int`, or `float` for
//! float-only operations) when nothing else decides it.

use std::fmt;

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

/// Bit width of the target's word. Fixed for x86_64 now; a target parameter later.
pub const WORD_BITS: u32 = 64;

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

    /// `(bits, signed)` for integer types.
    pub fn int_info(self) -> Option<(u32, bool)> {
        Some(match self {
            Prim::Int | Prim::NativeInt => (WORD_BITS, true),
            Prim::Int8 => (8, true),
            Prim::Int16 => (16, true),
            Prim::Int32 => (32, true),
            Prim::Int64 => (64, true),
            Prim::UInt | Prim::UNativeInt => (WORD_BITS, false),
            Prim::UInt8 => (8, false),
            Prim::UInt16 => (16, false),
            Prim::UInt32 => (32, false),
            Prim::UInt64 => (64, false),
            _ => return None,
        })
    }

    pub fn is_integer(self) -> bool {
        self.int_info().is_some()
    }

    pub fn is_float(self) -> bool {
        matches!(self, Prim::Float | Prim::Float32)
    }

    pub fn is_numeric(self) -> bool {
        self.is_integer() || self.is_float()
    }

    pub fn is_signed_numeric(self) -> bool {
        self.is_float() || self.int_info().is_some_and(|(_, s)| s)
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
            TyCon::User(_) => "?",
        }
    }
}

/// A unification variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TyVar(pub u32);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ty {
    Var(TyVar),
    Prim(Prim),
    Fun(Box<Ty>, Box<Ty>),
    Tuple(Vec<Ty>),
    App(TyCon, Vec<Ty>),
    /// A numeric type with a unit of measure, `float<m/s>` (never with the unit 1:
    /// that is the plain type). Units are checked here and erased before lowering.
    Measured(Box<Ty>, Measure),
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
        Ty::Measured(Box::new(base), m)
    }
}

impl Ty {
    pub const UNIT: Ty = Ty::Prim(Prim::Unit);

    pub fn arena() -> Ty {
        Ty::App(TyCon::Arena, Vec::new())
    }
    pub const INT: Ty = Ty::Prim(Prim::Int);
    pub const BOOL: Ty = Ty::Prim(Prim::Bool);
    pub const STRING: Ty = Ty::Prim(Prim::String);
    pub const FLOAT: Ty = Ty::Prim(Prim::Float);
    pub const CHAR: Ty = Ty::Prim(Prim::Char);

    pub fn fun(a: Ty, b: Ty) -> Ty {
        Ty::Fun(Box::new(a), Box::new(b))
    }

    /// `a1 -> a2 -> ... -> ret`
    pub fn curried(args: Vec<Ty>, ret: Ty) -> Ty {
        args.into_iter().rev().fold(ret, |acc, a| Ty::fun(a, acc))
    }

    pub fn array(elem: Ty) -> Ty {
        Ty::App(TyCon::Array, vec![elem])
    }

    pub fn option(elem: Ty) -> Ty {
        Ty::App(TyCon::Option, vec![elem])
    }

    pub fn seq(elem: Ty) -> Ty {
        Ty::App(TyCon::Seq, vec![elem])
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
            Constraint::Addable => p.is_numeric() || p == Prim::String,
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
        let rank = |c: Constraint| match c {
            Convertible => 0,
            Addable => 1,
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

    fn fresh_var(&mut self, constraint: Option<Constraint>) -> TyVar {
        self.vars.push(VarInfo {
            bound: None,
            level: self.level,
            constraint,
            generic: false,
        });
        TyVar(self.vars.len() as u32 - 1)
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

    /// Fully applies the substitution.
    pub fn resolve(&self, ty: &Ty) -> Ty {
        match self.shallow(ty) {
            Ty::Measured(b, m) => {
                let m = self.resolve_measure(&m);
                measured(self.resolve(&b), m)
            }
            Ty::Fun(a, b) => Ty::fun(self.resolve(&a), self.resolve(&b)),
            Ty::Tuple(ts) => Ty::Tuple(ts.iter().map(|t| self.resolve(t)).collect()),
            Ty::App(c, ts) => Ty::App(c, ts.iter().map(|t| self.resolve(t)).collect()),
            other => other,
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
        self.vars[v.0 as usize].bound = Some(Ty::MeasureValue(value));
        Ok(())
    }

    pub fn unify(&mut self, a: &Ty, b: &Ty) -> Result<(), UnifyError> {
        let a = self.shallow(a);
        let b = self.shallow(b);
        match (&a, &b) {
            (Ty::Error, _) | (_, Ty::Error) => Ok(()),
            (Ty::Measured(b1, m1), Ty::Measured(b2, m2)) => {
                self.unify(b1, b2)?;
                self.unify_measure(m1, m2)
            }
            (Ty::Measured(base, m), t) | (t, Ty::Measured(base, m)) if !matches!(t, Ty::Var(_)) => {
                // A plain number has the unit 1.
                self.unify(base, t)?;
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
                self.vars[y.0 as usize].constraint = merged;
                self.vars[y.0 as usize].level = level;
                self.vars[x.0 as usize].bound = Some(b.clone());
                Ok(())
            }
            (Ty::Var(x), t) | (t, Ty::Var(x)) => self.bind(*x, t),
            (Ty::Prim(p), Ty::Prim(q)) if p == q => Ok(()),
            (Ty::Fun(a1, b1), Ty::Fun(a2, b2)) => {
                self.unify(a1, a2)?;
                self.unify(b1, b2)
            }
            (Ty::Tuple(xs), Ty::Tuple(ys)) if xs.len() == ys.len() => {
                for (x, y) in xs.iter().zip(ys) {
                    self.unify(x, y)?;
                }
                Ok(())
            }
            (Ty::App(c1, xs), Ty::App(c2, ys)) if c1 == c2 && xs.len() == ys.len() => {
                for (x, y) in xs.iter().zip(ys) {
                    self.unify(x, y)?;
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
                    self.vars[w.0 as usize].constraint = merged;
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
        self.vars[v.0 as usize].bound = Some(t.clone());
        Ok(())
    }

    fn occurs(&self, v: TyVar, t: &Ty) -> bool {
        match self.shallow(t) {
            Ty::Var(w) => v == w,
            Ty::Measured(b, _) => self.occurs(v, &b),
            Ty::Fun(a, b) => self.occurs(v, &a) || self.occurs(v, &b),
            Ty::Tuple(ts) | Ty::App(_, ts) => ts.iter().any(|t| self.occurs(v, t)),
            _ => false,
        }
    }

    fn adjust_levels(&mut self, t: &Ty, level: u32) {
        match self.shallow(t) {
            Ty::Measured(b, m) => {
                self.adjust_levels(&b, level);
                for a in m.0.keys() {
                    if let MeasureAtom::Var(w) = a {
                        let info = &mut self.vars[w.0 as usize];
                        info.level = info.level.min(level);
                    }
                }
            }
            Ty::Var(w) => {
                let info = &mut self.vars[w.0 as usize];
                info.level = info.level.min(level);
            }
            Ty::Fun(a, b) => {
                self.adjust_levels(&a, level);
                self.adjust_levels(&b, level);
            }
            Ty::Tuple(ts) | Ty::App(_, ts) => {
                for t in &ts {
                    self.adjust_levels(t, level);
                }
            }
            _ => {}
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
        match ty {
            Ty::Measured(b, m) => {
                self.collect_generalizable(b, keep_constraints, out);
                for a in m.0.keys() {
                    if let MeasureAtom::Var(v) = a {
                        self.collect_generalizable(&Ty::Var(*v), keep_constraints, out);
                    }
                }
            }
            Ty::Var(v) => {
                let info = &self.vars[v.0 as usize];
                if info.level > self.level
                    && (keep_constraints || info.constraint.is_none())
                    && !out.contains(v)
                {
                    out.push(*v);
                }
            }
            Ty::Fun(a, b) => {
                self.collect_generalizable(a, keep_constraints, out);
                self.collect_generalizable(b, keep_constraints, out);
            }
            Ty::Tuple(ts) | Ty::App(_, ts) => {
                for t in ts {
                    self.collect_generalizable(t, keep_constraints, out);
                }
            }
            _ => {}
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
                Ty::Var(self.fresh_var(c))
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
        TyDisplay::named(&self.resolve(ty), &self.type_names)
            .with_measures(&self.measure_names)
            .to_string()
    }
}

/// Replaces `vars[i]` by `tys[i]` in `ty`.
pub fn substitute(ty: &Ty, vars: &[TyVar], tys: &[Ty]) -> Ty {
    match ty {
        Ty::Var(v) => match vars.iter().position(|w| w == v) {
            Some(i) => tys[i].clone(),
            None => ty.clone(),
        },
        Ty::Fun(a, b) => Ty::fun(substitute(a, vars, tys), substitute(b, vars, tys)),
        Ty::Tuple(ts) => Ty::Tuple(ts.iter().map(|t| substitute(t, vars, tys)).collect()),
        Ty::App(c, ts) => Ty::App(*c, ts.iter().map(|t| substitute(t, vars, tys)).collect()),
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
            measured(substitute(b, vars, tys), out)
        }
        other => other.clone(),
    }
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
        return write_ty(self.ty, f, 0, (self.names, self.measures));
        fn write_ty(
            ty: &Ty,
            f: &mut fmt::Formatter<'_>,
            prec: u8,
            names: (&[String], &[String]),
        ) -> fmt::Result {
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
                    for t in ts {
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
        let s = u.generalize(&Ty::Tuple(vec![outer, inner, num]));
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
