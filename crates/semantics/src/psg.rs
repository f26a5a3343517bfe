//! The Program Semantic Graph.
//!
//! Guarantees over the AST: every name is resolved (to a binding, a function or a
//! builtin), every expression has a type in the `expr_types` side table (with the
//! final substitution applied; remaining type variables are generic), operators are
//! resolved to primitive operations or to builtins, pipes and composition are plain
//! applications, format strings are parsed and checked, and the captures of every
//! local function are known. Nodes live in arenas indexed by typed `u32` IDs; facts
//! live in side tables keyed by those IDs. The PSG is never mutated by later stages.

use crate::builtins::Builtin;
use crate::format::FormatSpec;
use crate::types::{Prim, Ty, TyDisplay};
use composer_diagnostics::Span;
use std::fmt::{self, Write};

macro_rules! id_type {
    ($name:ident, $prefix:literal) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);
        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

id_type!(ExprId, "e");
id_type!(BindingId, "b");
id_type!(FunctionId, "f");
id_type!(PatId, "p");

impl ExprId {
    /// The body of a function still being checked: the checker declares a binding
    /// group's functions before it checks their bodies (recursion), so while a body is
    /// checked, the functions it can name may have no body yet.
    pub const PENDING_BODY: ExprId = ExprId(u32::MAX);
}

#[derive(Debug, Clone, PartialEq)]
pub enum Const {
    /// An integer of the given primitive type (value already range-checked).
    Int(i128, Prim),
    Float(f64, Prim),
    Bool(bool),
    Char(char),
    String(String),
    Unit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Neg,
    BitNot,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
}

/// Which output a format-string function produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormatKind {
    Printf,
    Printfn,
    Eprintf,
    Eprintfn,
    Sprintf,
    Failwithf,
}

impl FormatKind {
    pub fn name(self) -> &'static str {
        match self {
            FormatKind::Printf => "printf",
            FormatKind::Printfn => "printfn",
            FormatKind::Eprintf => "eprintf",
            FormatKind::Eprintfn => "eprintfn",
            FormatKind::Sprintf => "sprintf",
            FormatKind::Failwithf => "failwithf",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Member {
    /// `s.Length` on a string (bytes).
    StringLength,
    /// `a.Length` on an array.
    ArrayLength,
}

#[derive(Debug, Clone, PartialEq)]
pub enum InterpolatedPart {
    Text(String),
    /// `{expr}` (formatted as `string` would), or `%d{expr}` with a typed format.
    Hole {
        expr: ExprId,
        format: Option<crate::format::FormatArg>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct MatchRule {
    pub pat: PatId,
    pub guard: Option<ExprId>,
    pub body: ExprId,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Const(Const),
    Local(BindingId),
    Function(FunctionId),
    Builtin(Builtin),
    App {
        func: ExprId,
        arg: ExprId,
    },
    Format {
        kind: FormatKind,
        spec: FormatSpec,
    },
    Interpolated(Vec<InterpolatedPart>),
    Unary {
        op: UnaryOp,
        operand: ExprId,
    },
    /// Operands have the same type (the type of `lhs`) except for shifts, whose
    /// right operand is `int32`-like in F# but any integer here.
    Binary {
        op: BinaryOp,
        lhs: ExprId,
        rhs: ExprId,
    },
    If {
        cond: ExprId,
        then_branch: ExprId,
        else_branch: Option<ExprId>,
    },
    While {
        cond: ExprId,
        body: ExprId,
    },
    /// `for var = start to/downto end` and `for var in start .. step .. end`.
    For {
        var: BindingId,
        start: ExprId,
        end: ExprId,
        /// `None`: step 1 upward; `Some(e)`: step `e` (may be negative).
        step: Option<ExprId>,
        downward: bool,
        body: ExprId,
    },
    Let {
        binding: BindingId,
        value: ExprId,
        body: ExprId,
    },
    /// Local function definitions (`let f x = ...` / `let rec ... and ...`) in scope in
    /// `body`. Lowering lambda-lifts them (captures become parameters).
    LetFunctions {
        functions: Vec<FunctionId>,
        body: ExprId,
    },
    Sequential(Vec<ExprId>),
    Assign {
        binding: BindingId,
        value: ExprId,
    },
    Member {
        target: ExprId,
        member: Member,
    },
    Index {
        target: ExprId,
        index: ExprId,
    },
    /// `target.[index] <- value`
    IndexSet {
        target: ExprId,
        index: ExprId,
        value: ExprId,
    },
    Match {
        scrutinee: ExprId,
        rules: Vec<MatchRule>,
    },
    /// `(a, b, ...)`
    Tuple(Vec<ExprId>),
    /// A union case used as a value: the constructor function of a case with
    /// fields (its argument is the field, or a tuple of the fields), or the value of
    /// a case without fields.
    UnionCase {
        def: u32,
        case: u32,
    },
    /// `{ F1 = e1; ... }`: every field, in the order written (index into the
    /// record's fields).
    Record {
        def: u32,
        fields: Vec<(u32, ExprId)>,
    },
    /// `{ base with F = e; ... }`
    RecordUpdate {
        base: ExprId,
        fields: Vec<(u32, ExprId)>,
    },
    /// `e.F` on a record.
    Field {
        target: ExprId,
        index: u32,
    },
    /// `[| a; b |]`
    ArrayLit(Vec<ExprId>),
    /// `cell.Value`
    RefGet(ExprId),
    /// `target.F <- value` on a record field declared `mutable` (records with
    /// mutable fields are references: the store is seen through every alias).
    FieldSet {
        target: ExprId,
        index: u32,
        value: ExprId,
    },
    /// `cell.Value <- value`
    RefSet {
        cell: ExprId,
        value: ExprId,
    },
    /// `[]`
    ListNil,
    /// `head :: tail` (also what `[a; b]` becomes).
    ListCons {
        head: ExprId,
        tail: ExprId,
    },
    /// `for binding in source do body` over a list or an array.
    ForEach {
        binding: BindingId,
        source: ExprId,
        body: ExprId,
    },
    /// `async { body }` (`hot`: `task { body }`, which starts when made): the body
    /// is the function `func` (a lambda of `unit` whose captures are the async's),
    /// and its `let!`/`do!`/`return!`/`match!`/`use!` are [`ExprKind::Await`]s in it.
    /// Lowering makes the function a coroutine; a middle-end pass makes it a frame
    /// and a resume function (`docs/async.md`). The type is `Async<'T>`.
    Async {
        func: FunctionId,
        hot: bool,
    },
    /// Waits for an `Async<'T>` (`value`) inside an async body and gives its
    /// result: `let!`, `do!`, `match!`, `use!`, and `return!` (`tail`: the body's
    /// result is this one's).
    Await {
        value: ExprId,
        tail: bool,
    },
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PatKind {
    Wild,
    Bind(BindingId),
    Const(Const),
    OptionSome(PatId),
    OptionNone,
    /// `a | b` (neither side binds variables yet).
    Or(PatId, PatId),
    /// `(p1, p2, ...)`
    Tuple(Vec<PatId>),
    /// `p as name`
    As(PatId, BindingId),
    /// A union case with its field patterns (`Circle r`, `Node (l, v, r)`, `Leaf`).
    Case {
        def: u32,
        case: u32,
        fields: Vec<PatId>,
    },
    /// `{ X = p; ... }`: the listed fields (index into the record's fields).
    Record {
        def: u32,
        fields: Vec<(u32, PatId)>,
    },
    /// `[]`
    ListNil,
    /// `head :: tail` (also what `[a; b]` becomes).
    ListCons(PatId, PatId),
    /// An active pattern (`Even`, `Int i`, `DivisibleBy 3 x`): the matched value is
    /// bound to `input`, `apply` (the active pattern's function applied to its
    /// arguments and to `input`) computes a result, and `result` is matched against
    /// it: `Some p` for a partial pattern, the union case `ChoiceKOfN p` for a case of a
    /// multi-case one, `p` itself for a single-case total one.
    View {
        input: BindingId,
        apply: ExprId,
        result: PatId,
        shape: ViewShape,
    },
    Error,
}

/// What an active pattern use is, for match compilation and completeness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewShape {
    /// The active pattern's function (`|Even|Odd|`).
    pub function: FunctionId,
    /// Whether it is applied to arguments (`DivisibleBy 3`): two uses are the same
    /// computation only without arguments.
    pub has_arguments: bool,
    /// The case this use names and the number of cases (1 for a single-case or a
    /// partial pattern).
    pub case: u32,
    pub cases: u32,
    /// `(|Int|_|)`: may fail to match.
    pub partial: bool,
}

impl ViewShape {
    /// Two uses of an active pattern without arguments at one value compute the same
    /// result, so a match computes it once (F# does the same).
    pub fn shared_key(&self) -> Option<FunctionId> {
        (!self.has_arguments).then_some(self.function)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pat {
    pub kind: PatKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindingKind {
    /// A module-level value: lives in static storage, initialised in program order.
    Global,
    Local,
    Param,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub name: String,
    pub ty: Ty,
    pub is_mutable: bool,
    pub kind: BindingKind,
    /// The function whose frame holds this binding (`None` for globals and for
    /// locals of top-level code).
    pub owner: Option<FunctionId>,
    pub span: Span,
    /// A `let mutable` that closures capture: it stays in its frame and closures
    /// use it through its address (they provably do not outlive the frame).
    pub captured_mutable: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    pub name: String,
    pub params: Vec<BindingId>,
    /// The parameter and return types as a curried function type (generic
    /// variables left in place).
    pub ty: Ty,
    pub return_ty: Ty,
    pub body: ExprId,
    /// The function it is nested in, if it is local.
    pub parent: Option<FunctionId>,
    /// Locals of enclosing functions that the body uses (become extra parameters).
    pub captures: Vec<BindingId>,
    pub is_entry_point: bool,
    pub span: Span,
}

impl Function {
    /// False while its body is being checked ([`ExprId::PENDING_BODY`]); always true
    /// once checking is over.
    pub fn body_is_checked(&self) -> bool {
        self.body != ExprId::PENDING_BODY
    }
}

/// Module-level code, in program order.
#[derive(Debug, Clone, PartialEq)]
pub enum TopItem {
    /// `let x = e` at module level.
    Global { binding: BindingId, value: ExprId },
    /// A top-level expression or `do`.
    Do(ExprId),
    /// `let (a, b) = e` at module level: the pattern's variables are globals.
    Destructure { pat: PatId, value: ExprId },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

/// A record, union or enum type definition. Field types mention the definition's type
/// parameters `params` (type variables that are never bound: each use substitutes
/// them).
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    pub name: String,
    pub params: Vec<crate::types::TyVar>,
    pub kind: TypeDefKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeDefKind {
    Record {
        fields: Vec<FieldDef>,
        is_struct: bool,
    },
    Union {
        cases: Vec<CaseDef>,
    },
    /// `type Color = Red = 0 | Green = 1`: at run time a value of the underlying
    /// integer (or char) type, which may also be a value no case names.
    Enum(EnumDef),
}

/// An enum's underlying type and named values.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    pub underlying: crate::types::Prim,
    /// Cases in declaration order: name and value (a char's code for a char enum).
    pub cases: Vec<(String, i128)>,
    /// `[<Flags>]`/`[<System.Flags>]`: a value that no case names is printed as the
    /// cases whose bits make it up (`Read, Write`), as .NET does.
    pub is_flags: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldDef {
    pub name: String,
    pub ty: Ty,
    pub is_mutable: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaseDef {
    pub name: String,
    /// Payload fields; unnamed ones are called `Item` (one field) or `Item1`, ...
    pub fields: Vec<FieldDef>,
}

impl TypeDef {
    pub fn record_fields(&self) -> Option<&[FieldDef]> {
        match &self.kind {
            TypeDefKind::Record { fields, .. } => Some(fields),
            TypeDefKind::Union { .. } | TypeDefKind::Enum(_) => None,
        }
    }

    /// A record (not `[<Struct>]`) with a `mutable` field: its values are references
    /// to one cell (F# records are reference types; a field store is seen through
    /// every alias).
    pub fn is_mutable_record(&self) -> bool {
        !self.is_struct_record()
            && self
                .record_fields()
                .is_some_and(|fields| fields.iter().any(|f| f.is_mutable))
    }

    /// A `[<Struct>]` record: a value even with `mutable` fields (assigning one
    /// assigns the place that holds the value: a `let mutable`, an array element).
    pub fn is_struct_record(&self) -> bool {
        matches!(
            self.kind,
            TypeDefKind::Record {
                is_struct: true,
                ..
            }
        )
    }

    pub fn union_cases(&self) -> Option<&[CaseDef]> {
        match &self.kind {
            TypeDefKind::Union { cases } => Some(cases),
            TypeDefKind::Record { .. } | TypeDefKind::Enum(_) => None,
        }
    }

    pub fn enum_def(&self) -> Option<&EnumDef> {
        match &self.kind {
            TypeDefKind::Enum(e) => Some(e),
            TypeDefKind::Record { .. } | TypeDefKind::Union { .. } => None,
        }
    }
}

/// A `use` block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UseScope {
    pub binding: BindingId,
    pub body: ExprId,
    pub span: Span,
}

/// A pipeline the checker fused into one loop, or left alone and why (ledger).
#[derive(Debug, Clone, PartialEq)]
pub struct FusionNote {
    pub span: Span,
    /// `List.map → List.filter → List.sum`
    pub chain: String,
    pub fused: bool,
    pub reason: String,
}

/// The whole program's semantic graph.
#[derive(Debug, Clone, Default)]
pub struct Psg {
    /// The machine the program is checked for: the width of `int` follows its word.
    pub target: composer_target::Target,
    /// The memory model it is checked under (`stack_only` rejects implicit regions).
    pub memory_model: crate::MemoryModel,
    /// Records and unions defined by the program (index = `TyCon::User`).
    pub types: Vec<TypeDef>,
    pub exprs: Vec<Expr>,
    /// Side table: the type of each expression.
    pub expr_types: Vec<Ty>,
    pub pats: Vec<Pat>,
    pub pat_types: Vec<Ty>,
    pub bindings: Vec<Binding>,
    pub functions: Vec<Function>,
    pub top_level: Vec<TopItem>,
    pub entry_point: Option<FunctionId>,
    /// Expressions that make a closure (a function used as a value, a partial
    /// application) whose value cannot outlive the frame that makes it: lowering
    /// puts their environments on the stack (see `analysis/closures.rs`).
    pub stack_closures: rustc_hash::FxHashSet<ExprId>,
    /// Every expression that makes a closure, on the stack or not (for the ledger).
    pub closure_sites: Vec<ExprId>,
    /// Closure sites whose value may be applied to fewer arguments than it still
    /// needs, and one-argument calls of a function value that give a function:
    /// each such step makes a closure in the current region
    /// (`analysis::alloc::stepping`).
    pub stepping_closures: rustc_hash::FxHashSet<ExprId>,
    pub stepping_calls: rustc_hash::FxHashSet<ExprId>,
    /// Pipeline fusion decisions, in the order met (`check/fusion.rs`).
    pub fusions: Vec<FusionNote>,
    /// Array accesses that need no run-time bounds check (`bounds.rs`).
    pub unchecked_indexes: rustc_hash::FxHashSet<ExprId>,
    /// Every array access with its bounds-check decision (ledger).
    pub bounds: Vec<crate::bounds::BoundsNote>,
    /// Loops with an iteration region (`analysis/regions.rs`): lowering marks the current
    /// region before the loop, resets it after each iteration and releases it after.
    pub loop_regions: rustc_hash::FxHashSet<ExprId>,
    /// `use name = value in body` blocks: the binding and the body (disposal
    /// follows the body).
    pub use_scopes: Vec<UseScope>,
    /// Functions whose self tail calls (jumps) reset the current region to a mark
    /// taken at entry (`analysis/regions.rs`).
    pub tail_regions: rustc_hash::FxHashSet<FunctionId>,
    /// Loops whose rounds keep memory only in the variables they assign, with those
    /// variables (their carried state, in a fixed order): lowering marks the region
    /// before the loop and compacts at the end of each iteration
    /// (`analysis/regions.rs`, `docs/memory-model.md`).
    pub loop_compactions: rustc_hash::FxHashMap<ExprId, Vec<BindingId>>,
    /// Self-tail-recursive functions whose rounds keep memory only in the arguments
    /// of their self tail calls: lowering compacts at each jump, the parameters
    /// being the carried state.
    pub tail_compactions: rustc_hash::FxHashSet<FunctionId>,
    /// `use` bodies of arenas that run with the arena as the current region
    /// (`analysis/regions.rs`: nothing they allocate outlives the scope), with the arena.
    pub arena_scopes: rustc_hash::FxHashMap<ExprId, BindingId>,
    /// How many functions and top-level items come from the standard library (they
    /// are checked first: indexes below these are library code).
    pub library_functions: usize,
    pub library_top_level: usize,
    /// Every loop with its region decision (ledger).
    pub region_notes: Vec<crate::analysis::regions::RegionNote>,
    /// Every call of a function by itself, with all its arguments, in tail
    /// position ([`Psg::tail_self_calls`], recorded by the analysis): lowering
    /// makes exactly these jumps back to the start of the function.
    pub self_tail_calls: rustc_hash::FxHashSet<ExprId>,
    /// Operator members (`static member (+)`) by type and operator: an arithmetic
    /// operator on a value of that type calls the member with both operands.
    pub operator_members: rustc_hash::FxHashMap<(u32, BinaryOp), FunctionId>,
    /// The library's collection types that `%A` writes as F# does (`map [(1, "a")]`,
    /// `set [1; 2]`), by type: the word before the elements and the library function
    /// that gives the elements as a list (`Map.toList`, `Set.toList`; `check/lang.rs`).
    pub collection_displays: rustc_hash::FxHashMap<u32, (&'static str, FunctionId)>,
}

impl Psg {
    pub fn expr(&self, id: ExprId) -> &Expr {
        &self.exprs[id.index()]
    }

    pub fn ty(&self, id: ExprId) -> &Ty {
        &self.expr_types[id.index()]
    }

    pub fn pat(&self, id: PatId) -> &Pat {
        &self.pats[id.index()]
    }

    pub fn binding(&self, id: BindingId) -> &Binding {
        &self.bindings[id.index()]
    }

    pub fn function(&self, id: FunctionId) -> &Function {
        &self.functions[id.index()]
    }

    /// The enum definition when `ty` is an enum type (the one place that answers
    /// "is this an enum": lowering represents it as its underlying type).
    pub fn enum_of(&self, ty: &Ty) -> Option<&EnumDef> {
        match ty {
            Ty::App(crate::types::TyCon::User(def), _) => self.types[*def as usize].enum_def(),
            _ => None,
        }
    }

    /// `head a1 … an` of an application (`head` itself and no arguments otherwise).
    pub fn spine(&self, e: ExprId) -> (ExprId, Vec<ExprId>) {
        let mut args = Vec::new();
        let mut head = e;
        while let ExprKind::App { func, arg } = self.expr(head).kind {
            args.push(arg);
            head = func;
        }
        args.reverse();
        (head, args)
    }

    /// Bindings declared by `let`, `for` and `for … in` inside `e` (not inside the
    /// functions it makes: those are their own frames).
    pub fn declared_in(&self, e: ExprId) -> rustc_hash::FxHashSet<BindingId> {
        let mut out = rustc_hash::FxHashSet::default();
        let mut stack = vec![e];
        while let Some(x) = stack.pop() {
            match self.expr(x).kind {
                ExprKind::Let { binding, .. } | ExprKind::ForEach { binding, .. } => {
                    out.insert(binding);
                }
                ExprKind::For { var, .. } => {
                    out.insert(var);
                }
                ExprKind::Match { ref rules, .. } => {
                    for r in rules {
                        self.pattern_bindings(r.pat, &mut out);
                    }
                }
                _ => {}
            }
            self.children(x, &mut stack);
        }
        out
    }

    /// The computations of the active patterns in a pattern (`PatKind::View`'s
    /// `apply`), outermost first.
    pub fn pattern_views(&self, p: PatId, out: &mut Vec<ExprId>) {
        let mut stack = vec![p];
        while let Some(p) = stack.pop() {
            match &self.pat(p).kind {
                PatKind::View { apply, result, .. } => {
                    out.push(*apply);
                    stack.push(*result);
                }
                PatKind::As(x, _) | PatKind::OptionSome(x) => stack.push(*x),
                PatKind::Or(a, b) | PatKind::ListCons(a, b) => stack.extend([*b, *a]),
                PatKind::Tuple(ps) | PatKind::Case { fields: ps, .. } => {
                    stack.extend(ps.iter().rev().copied())
                }
                PatKind::Record { fields, .. } => {
                    stack.extend(fields.iter().rev().map(|(_, p)| *p))
                }
                PatKind::Wild
                | PatKind::Bind(_)
                | PatKind::Const(_)
                | PatKind::OptionNone
                | PatKind::ListNil
                | PatKind::Error => {}
            }
        }
    }

    /// The variables a pattern binds (with the value an active pattern looks at).
    pub fn pattern_bindings(&self, p: PatId, out: &mut rustc_hash::FxHashSet<BindingId>) {
        let mut stack = vec![p];
        while let Some(p) = stack.pop() {
            match &self.pat(p).kind {
                PatKind::Bind(b) => {
                    out.insert(*b);
                }
                PatKind::As(inner, b) => {
                    out.insert(*b);
                    stack.push(*inner);
                }
                PatKind::OptionSome(x) => stack.push(*x),
                PatKind::View { input, result, .. } => {
                    out.insert(*input);
                    stack.push(*result);
                }
                PatKind::Or(a, b) | PatKind::ListCons(a, b) => stack.extend([*a, *b]),
                PatKind::Tuple(ps) => stack.extend(ps.iter().copied()),
                PatKind::Case { fields, .. } => stack.extend(fields.iter().copied()),
                PatKind::Record { fields, .. } => stack.extend(fields.iter().map(|(_, p)| *p)),
                PatKind::Wild
                | PatKind::Const(_)
                | PatKind::OptionNone
                | PatKind::ListNil
                | PatKind::Error => {}
            }
        }
    }

    /// The calls of `f` by itself, with all its arguments, in tail position of `e`
    /// (lowering makes them jumps back to the start, reusing the frame).
    pub fn tail_self_calls(&self, f: FunctionId, e: ExprId, out: &mut Vec<ExprId>) {
        match &self.expr(e).kind {
            ExprKind::If {
                then_branch,
                else_branch,
                ..
            } => {
                self.tail_self_calls(f, *then_branch, out);
                if let Some(eb) = else_branch {
                    self.tail_self_calls(f, *eb, out);
                }
            }
            ExprKind::Sequential(items) => {
                if let Some(last) = items.last() {
                    self.tail_self_calls(f, *last, out);
                }
            }
            ExprKind::Let { body, .. } | ExprKind::LetFunctions { body, .. } => {
                self.tail_self_calls(f, *body, out)
            }
            ExprKind::Match { rules, .. } => {
                for r in rules {
                    self.tail_self_calls(f, r.body, out);
                }
            }
            ExprKind::App { .. } => {
                let (head, args) = self.spine(e);
                if matches!(self.expr(head).kind, ExprKind::Function(g) if g == f)
                    && args.len() == self.function(f).params.len()
                {
                    out.push(e);
                }
            }
            _ => {}
        }
    }

    pub fn children(&self, e: ExprId, out: &mut Vec<ExprId>) {
        let psg = self;
        let start = out.len();
        match &psg.expr(e).kind {
            ExprKind::Const(_)
            | ExprKind::Local(_)
            | ExprKind::Function(_)
            | ExprKind::Builtin(_)
            | ExprKind::Format { .. }
            | ExprKind::UnionCase { .. }
            | ExprKind::ListNil
            | ExprKind::Async { .. }
            | ExprKind::Error => {}
            ExprKind::App { func, arg } => out.extend([*func, *arg]),
            ExprKind::Await { value, .. } => out.push(*value),
            ExprKind::Interpolated(parts) => {
                for p in parts {
                    if let InterpolatedPart::Hole { expr, .. } = p {
                        out.push(*expr);
                    }
                }
            }
            ExprKind::Unary { operand, .. } => out.push(*operand),
            ExprKind::Binary { lhs, rhs, .. } => out.extend([*lhs, *rhs]),
            ExprKind::If {
                cond,
                then_branch,
                else_branch,
            } => {
                out.extend([*cond, *then_branch]);
                out.extend(*else_branch);
            }
            ExprKind::While { cond, body } => out.extend([*cond, *body]),
            ExprKind::For {
                start,
                end,
                step,
                body,
                ..
            } => {
                out.extend([*start, *end]);
                out.extend(*step);
                out.push(*body);
            }
            ExprKind::Let { value, body, .. } => out.extend([*value, *body]),
            ExprKind::LetFunctions { body, .. } => out.push(*body),
            ExprKind::Sequential(items) | ExprKind::Tuple(items) | ExprKind::ArrayLit(items) => {
                out.extend(items.iter().copied())
            }
            ExprKind::Assign { value, .. } => out.push(*value),
            ExprKind::Member { target, .. } | ExprKind::Field { target, .. } => out.push(*target),
            ExprKind::Index { target, index } => out.extend([*target, *index]),
            ExprKind::IndexSet {
                target,
                index,
                value,
            } => out.extend([*target, *index, *value]),
            ExprKind::Match { scrutinee, rules } => {
                out.push(*scrutinee);
                for r in rules {
                    psg.pattern_views(r.pat, out);
                    out.extend(r.guard);
                    out.push(r.body);
                }
            }
            ExprKind::Record { fields, .. } => out.extend(fields.iter().map(|(_, e)| *e)),
            ExprKind::RecordUpdate { base, fields } => {
                out.push(*base);
                out.extend(fields.iter().map(|(_, e)| *e));
            }
            ExprKind::RefGet(cell) => out.push(*cell),
            ExprKind::RefSet { cell, value } => out.extend([*cell, *value]),
            ExprKind::FieldSet { target, value, .. } => out.extend([*target, *value]),
            ExprKind::ListCons { head, tail } => out.extend([*head, *tail]),
            ExprKind::ForEach { source, body, .. } => out.extend([*source, *body]),
        }
        out[start..].reverse();
    }
}

// ---------------------------------------------------------------------------------
// Text form (`--emit psg`)

impl fmt::Display for Psg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        for (i, func) in self.functions.iter().enumerate() {
            let params: Vec<String> = func
                .params
                .iter()
                .map(|b| format!("{b}:{}", self.binding(*b).name))
                .collect();
            let _ = write!(
                out,
                "fn f{i} {} ({}) : {}",
                func.name,
                params.join(", "),
                TyDisplay(&func.ty)
            );
            if let Some(p) = func.parent {
                let _ = write!(out, " in {p}");
            }
            if !func.captures.is_empty() {
                let caps: Vec<String> = func.captures.iter().map(|b| b.to_string()).collect();
                let _ = write!(out, " captures [{}]", caps.join(", "));
            }
            if func.is_entry_point {
                out.push_str(" [EntryPoint]");
            }
            out.push('\n');
            self.write_expr(&mut out, func.body, 1);
        }
        for item in &self.top_level {
            match item {
                TopItem::Global { binding, value } => {
                    let b = self.binding(*binding);
                    let _ = writeln!(
                        out,
                        "global {binding}:{}{} : {}",
                        if b.is_mutable { "mutable " } else { "" },
                        b.name,
                        TyDisplay(&b.ty)
                    );
                    self.write_expr(&mut out, *value, 1);
                }
                TopItem::Do(e) => {
                    out.push_str("do\n");
                    self.write_expr(&mut out, *e, 1);
                }
                TopItem::Destructure { pat, value } => {
                    let _ = writeln!(out, "global-pattern {}", self.pat_text(*pat));
                    self.write_expr(&mut out, *value, 1);
                }
            }
        }
        f.write_str(&out)
    }
}

impl Psg {
    fn write_expr(&self, out: &mut String, id: ExprId, depth: usize) {
        let indent = "  ".repeat(depth);
        let e = self.expr(id);
        let ty = TyDisplay(self.ty(id));
        let head = match &e.kind {
            ExprKind::Const(c) => format!("const {}", const_text(c)),
            ExprKind::Local(b) => format!("local {b}:{}", self.binding(*b).name),
            ExprKind::Function(fid) => format!("function {fid}:{}", self.function(*fid).name),
            ExprKind::Builtin(b) => format!("builtin {}", b.name()),
            ExprKind::App { .. } => "app".to_string(),
            ExprKind::Format { kind, spec } => format!("format {} {:?}", kind.name(), spec.text),
            ExprKind::Interpolated(_) => "interpolated".to_string(),
            ExprKind::Unary { op, .. } => format!("unary {op:?}"),
            ExprKind::Binary { op, .. } => format!("binary {op:?}"),
            ExprKind::If { .. } => "if".to_string(),
            ExprKind::While { .. } => "while".to_string(),
            ExprKind::For { var, downward, .. } => format!(
                "for {var}:{}{}",
                self.binding(*var).name,
                if *downward { " downto" } else { "" }
            ),
            ExprKind::Let { binding, .. } => {
                let b = self.binding(*binding);
                format!(
                    "let {binding}:{}{} : {}",
                    if b.is_mutable { "mutable " } else { "" },
                    b.name,
                    TyDisplay(&b.ty)
                )
            }
            ExprKind::LetFunctions { functions, .. } => {
                let names: Vec<String> = functions.iter().map(|f| f.to_string()).collect();
                format!("let-functions [{}]", names.join(", "))
            }
            ExprKind::Sequential(_) => "seq".to_string(),
            ExprKind::Assign { binding, .. } => {
                format!("assign {binding}:{}", self.binding(*binding).name)
            }
            ExprKind::Member { member, .. } => format!("member {member:?}"),
            ExprKind::Index { .. } => "index".to_string(),
            ExprKind::IndexSet { .. } => "index-set".to_string(),
            ExprKind::Match { .. } => "match".to_string(),
            ExprKind::Tuple(_) => "tuple".to_string(),
            ExprKind::UnionCase { def, case } => {
                let d = &self.types[*def as usize];
                let name = d
                    .union_cases()
                    .map(|c| c[*case as usize].name.as_str())
                    .unwrap_or("?");
                format!("case {}.{name}", d.name)
            }
            ExprKind::Record { def, .. } => format!("record {}", self.types[*def as usize].name),
            ExprKind::RecordUpdate { .. } => "record-update".to_string(),
            ExprKind::Field { index, .. } => format!("field {index}"),
            ExprKind::ListNil => "nil".to_string(),
            ExprKind::ArrayLit(_) => "array".to_string(),
            ExprKind::RefGet(_) => "ref-get".to_string(),
            ExprKind::RefSet { .. } => "ref-set".to_string(),
            ExprKind::FieldSet { index, .. } => format!("field-set {index}"),
            ExprKind::ListCons { .. } => "cons".to_string(),
            ExprKind::ForEach { binding, .. } => {
                format!("for-each {binding}:{}", self.binding(*binding).name)
            }
            ExprKind::Async { func, hot } => {
                format!("{} f{}", if *hot { "task" } else { "async" }, func.0)
            }
            ExprKind::Await { tail, .. } => {
                (if *tail { "await-tail" } else { "await" }).to_string()
            }
            ExprKind::Error => "error".to_string(),
        };
        let _ = writeln!(out, "{indent}{id} {head} : {ty}");
        let d = depth + 1;
        match &e.kind {
            ExprKind::App { func, arg } => {
                self.write_expr(out, *func, d);
                self.write_expr(out, *arg, d);
            }
            ExprKind::Interpolated(parts) => {
                for p in parts {
                    match p {
                        InterpolatedPart::Text(t) => {
                            let _ = writeln!(out, "{}text {t:?}", "  ".repeat(d));
                        }
                        InterpolatedPart::Hole { expr, .. } => self.write_expr(out, *expr, d),
                    }
                }
            }
            ExprKind::Unary { operand, .. } => self.write_expr(out, *operand, d),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.write_expr(out, *lhs, d);
                self.write_expr(out, *rhs, d);
            }
            ExprKind::If {
                cond,
                then_branch,
                else_branch,
            } => {
                self.write_expr(out, *cond, d);
                self.write_expr(out, *then_branch, d);
                if let Some(e) = else_branch {
                    self.write_expr(out, *e, d);
                }
            }
            ExprKind::While { cond, body } => {
                self.write_expr(out, *cond, d);
                self.write_expr(out, *body, d);
            }
            ExprKind::For {
                start,
                end,
                step,
                body,
                ..
            } => {
                self.write_expr(out, *start, d);
                if let Some(s) = step {
                    self.write_expr(out, *s, d);
                }
                self.write_expr(out, *end, d);
                self.write_expr(out, *body, d);
            }
            ExprKind::Let { value, body, .. } => {
                self.write_expr(out, *value, d);
                self.write_expr(out, *body, d);
            }
            ExprKind::LetFunctions { body, .. } => self.write_expr(out, *body, d),
            ExprKind::Sequential(items) | ExprKind::Tuple(items) | ExprKind::ArrayLit(items) => {
                for i in items {
                    self.write_expr(out, *i, d);
                }
            }
            ExprKind::Record { fields, .. } => {
                for (_, v) in fields {
                    self.write_expr(out, *v, d);
                }
            }
            ExprKind::RecordUpdate { base, fields } => {
                self.write_expr(out, *base, d);
                for (_, v) in fields {
                    self.write_expr(out, *v, d);
                }
            }
            ExprKind::Field { target, .. } | ExprKind::RefGet(target) => {
                self.write_expr(out, *target, d)
            }
            ExprKind::RefSet { cell, value }
            | ExprKind::FieldSet {
                target: cell,
                value,
                ..
            } => {
                self.write_expr(out, *cell, d);
                self.write_expr(out, *value, d);
            }
            ExprKind::ListCons { head, tail } => {
                self.write_expr(out, *head, d);
                self.write_expr(out, *tail, d);
            }
            ExprKind::ForEach { source, body, .. } => {
                self.write_expr(out, *source, d);
                self.write_expr(out, *body, d);
            }
            ExprKind::Await { value, .. } => self.write_expr(out, *value, d),
            ExprKind::Assign { value, .. } => self.write_expr(out, *value, d),
            ExprKind::Member { target, .. } => self.write_expr(out, *target, d),
            ExprKind::Index { target, index } => {
                self.write_expr(out, *target, d);
                self.write_expr(out, *index, d);
            }
            ExprKind::IndexSet {
                target,
                index,
                value,
            } => {
                self.write_expr(out, *target, d);
                self.write_expr(out, *index, d);
                self.write_expr(out, *value, d);
            }
            ExprKind::Match { scrutinee, rules } => {
                self.write_expr(out, *scrutinee, d);
                for r in rules {
                    let _ = writeln!(out, "{}rule {}", "  ".repeat(d), self.pat_text(r.pat));
                    let mut views = Vec::new();
                    self.pattern_views(r.pat, &mut views);
                    for v in views {
                        self.write_expr(out, v, d + 1);
                    }
                    if let Some(g) = r.guard {
                        self.write_expr(out, g, d + 1);
                    }
                    self.write_expr(out, r.body, d + 1);
                }
            }
            _ => {}
        }
    }

    pub fn pat_text(&self, id: PatId) -> String {
        match &self.pat(id).kind {
            PatKind::Wild => "_".to_string(),
            PatKind::Bind(b) => format!("{b}:{}", self.binding(*b).name),
            PatKind::Const(c) => const_text(c),
            PatKind::OptionSome(p) => format!("Some({})", self.pat_text(*p)),
            PatKind::OptionNone => "None".to_string(),
            PatKind::View {
                input,
                apply,
                result,
                ..
            } => format!(
                "view({input}:{} via {apply} = {})",
                self.binding(*input).name,
                self.pat_text(*result)
            ),
            PatKind::Or(a, b) => format!("{} | {}", self.pat_text(*a), self.pat_text(*b)),
            PatKind::Tuple(ps) => {
                let parts: Vec<String> = ps.iter().map(|p| self.pat_text(*p)).collect();
                format!("({})", parts.join(", "))
            }
            PatKind::As(p, b) => format!("{} as {b}:{}", self.pat_text(*p), self.binding(*b).name),
            PatKind::Case { def, case, fields } => {
                let d = &self.types[*def as usize];
                let name = d
                    .union_cases()
                    .map(|c| c[*case as usize].name.clone())
                    .unwrap_or_default();
                let parts: Vec<String> = fields.iter().map(|p| self.pat_text(*p)).collect();
                if parts.is_empty() {
                    name
                } else {
                    format!("{name}({})", parts.join(", "))
                }
            }
            PatKind::ListNil => "[]".to_string(),
            PatKind::ListCons(h, t) => format!("{} :: {}", self.pat_text(*h), self.pat_text(*t)),
            PatKind::Record { fields, .. } => {
                let parts: Vec<String> = fields
                    .iter()
                    .map(|(i, p)| format!("#{i} = {}", self.pat_text(*p)))
                    .collect();
                format!("{{ {} }}", parts.join("; "))
            }
            PatKind::Error => "<error>".to_string(),
        }
    }
}

fn const_text(c: &Const) -> String {
    match c {
        Const::Int(v, p) => format!("{v}:{}", p.name()),
        Const::Float(v, p) => format!("{v:?}:{}", p.name()),
        Const::Bool(b) => b.to_string(),
        Const::Char(c) => format!("{c:?}"),
        Const::String(s) => format!("{s:?}"),
        Const::Unit => "()".to_string(),
    }
}
