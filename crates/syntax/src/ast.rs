//! The untyped syntax tree: an owned tree with a span on every node.
//!
//! Guarantees over the token stream: the offside rule has been applied (blocks are
//! explicit), operators are grouped by F# precedence and associativity, `elif` is
//! nested `If`, and literals are decoded (escapes resolved, numbers parsed to their
//! magnitude with their suffix). Names are interned [`Symbol`]s. Nothing is resolved
//! or typed here; that is the PSG's job. Parse errors leave `Error` nodes behind so
//! later passes can keep going.

use composer_diagnostics::Span;

/// An interned name. Resolve with the [`Interner`] the parser filled.
pub type Symbol = lasso::Spur;
/// The name table of one compilation.
pub type Interner = lasso::Rodeo;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: Symbol,
    pub span: Span,
}

/// One source file: its module or namespace header and its declarations.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceFile {
    pub header: FileHeader,
    pub decls: Vec<Decl>,
    pub span: Span,
    /// `#nowarn "25"` directives: each silences its warning from where it stands to
    /// the end of the file.
    pub nowarn: Vec<NoWarn>,
}

/// One warning number a `#nowarn` directive silences, and where the directive is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoWarn {
    pub at: Span,
    pub code: u32,
}

impl SourceFile {
    /// Whether a `#nowarn` in this file silences warning `code` at `span`.
    pub fn silences(&self, code: u32, span: Span) -> bool {
        span.file == self.span.file
            && self
                .nowarn
                .iter()
                .any(|n| n.code == code && n.at.start <= span.start)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum FileHeader {
    /// No header: an implicit module named after the file.
    None,
    /// `module A.B`
    Module(Vec<Ident>),
    /// `namespace A.B`
    Namespace(Vec<Ident>),
}

/// `[<Name>]` or `[<Name(arg)>]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: Vec<Ident>,
    pub arg: Option<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Decl {
    pub attributes: Vec<Attribute>,
    pub kind: DeclKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DeclKind {
    /// `let [rec] b1 and b2 ...` at module level.
    Let {
        is_rec: bool,
        bindings: Vec<Binding>,
    },
    /// A top-level expression, or `do expr`.
    Do(Expr),
    /// `module X = ...` (nested module with indented declarations).
    Module { name: Ident, decls: Vec<Decl> },
    /// `open A.B`
    Open(Vec<Ident>),
    /// `type A = ... and B = ...`
    Types(Vec<TypeDefn>),
    /// A declaration the parser could not read (already reported).
    Error,
}

/// `[mutable] [inline] head params [: ret] = body`
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub attributes: Vec<Attribute>,
    /// `let private f …`: visible only inside its module (FS1092 outside).
    pub is_private: bool,
    pub is_mutable: bool,
    pub is_inline: bool,
    /// The bound pattern. When `params` is non-empty this is `Pat::Named` (a function).
    pub head: Pat,
    /// Explicit type parameters, `let f<'a, 'b> ...` (empty when none are written).
    pub type_params: Vec<Ident>,
    /// `when 'a : equality and 'b : comparison` after them: each type variable with
    /// the name of what it must support.
    pub type_constraints: Vec<(Ident, Ident)>,
    /// Curried parameters, each a pattern (`x`, `(x: int)`, `(a, b)`, `()`).
    pub params: Vec<Pat>,
    pub return_type: Option<TypeExpr>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    /// `head a1 … an` of a curried application (`self` and no arguments otherwise):
    /// the one walk down an application's spine (the PSG has `Psg::spine`).
    pub fn spine(&self) -> (&Expr, Vec<&Expr>) {
        let mut args = Vec::new();
        let mut head = self;
        while let ExprKind::App { func, arg } = &head.kind {
            args.push(&**arg);
            head = func;
        }
        args.reverse();
        (head, args)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// The magnitude of an integer literal (a leading `-` is a separate `Neg`) and its
    /// suffix. Range checks against the suffix's type happen in the type checker.
    Int {
        value: u128,
        suffix: IntSuffix,
        /// Written in hex, octal or binary (`0xFFFFFFFFl` is `-1l` in F#): such a
        /// literal may give a signed value by its bit pattern.
        bit_pattern: bool,
    },
    /// `1.0`, `1e3` (float) or `2.5f` (float32).
    Float {
        value: f64,
        is_single: bool,
    },
    Bool(bool),
    Char(char),
    String(String),
    /// `()`
    Unit,
}

/// Integer literal suffixes of F#.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntSuffix {
    /// no suffix: `int`
    None,
    /// `y`: sbyte
    Y,
    /// `uy`: byte
    UY,
    /// `s`: int16
    S,
    /// `us`: uint16
    US,
    /// `l`: int32
    L,
    /// `u` or `ul`: uint32
    U,
    /// `L`: int64
    LL,
    /// `UL`: uint64
    ULL,
    /// `n`: nativeint
    N,
    /// `un`: unativeint
    UN,
}

/// A piece of an interpolated string `$"a {x} b"`.
#[derive(Debug, Clone, PartialEq)]
pub enum InterpolatedPart {
    Text(String),
    /// `{expr}` or `{expr:format}` (the format text after the colon, if any).
    Hole {
        expr: Expr,
        format: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `+x`
    Plus,
    /// `~~~x`
    BitNot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    /// `**`
    Pow,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `&&`
    And,
    /// `||`
    Or,
    /// `&&&`
    BitAnd,
    /// `|||`
    BitOr,
    /// `^^^`
    BitXor,
    /// `<<<`
    Shl,
    /// `>>>`
    Shr,
    /// `|>`
    PipeRight,
    /// `||>`
    PipeRight2,
    /// `|||>`
    PipeRight3,
    /// `<|`
    PipeLeft,
    /// `>>`
    ComposeRight,
    /// `<<`
    ComposeLeft,
    /// `::`
    Cons,
    /// `@`
    Append,
    /// `^` (string concatenation, ML style)
    Concat,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MatchRule {
    pub pat: Pat,
    pub guard: Option<Expr>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Lit(Literal),
    /// `$"..."`
    Interpolated(Vec<InterpolatedPart>),
    /// A dotted chain of plain identifiers, `x`, `Console.writeln`, `s.Length`:
    /// whether a prefix is a module or a value is for name resolution to decide.
    Path(Vec<Ident>),
    /// `expr.Name` where `expr` is not a plain path (e.g. `(f x).Length`).
    DotGet {
        target: Box<Expr>,
        member: Ident,
    },
    /// `expr.[index]`
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
    },
    /// `expr.[start..end]`, `expr.[..end]`, `expr.[start..]`: a slice.
    Slice {
        target: Box<Expr>,
        start: Option<Box<Expr>>,
        end: Option<Box<Expr>>,
    },
    /// Application by juxtaposition: `f x` (one argument; `f x y` nests).
    App {
        func: Box<Expr>,
        arg: Box<Expr>,
    },
    /// `f<int, string>`: explicit type arguments.
    TypeApp {
        func: Box<Expr>,
        args: Vec<TypeExpr>,
    },
    /// `(op)`: an operator used as a function value, e.g. `(+)`.
    OperatorValue(BinaryOp),
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `target <- value`
    Assign {
        target: Box<Expr>,
        value: Box<Expr>,
    },
    Tuple(Vec<Expr>),
    /// `[a; b]`
    List(Vec<Expr>),
    /// `[| a; b |]`
    Array(Vec<Expr>),
    /// `a .. b` or `a .. step .. b` (in `for ... in` and list/array/seq ranges).
    Range {
        start: Box<Expr>,
        step: Option<Box<Expr>>,
        end: Box<Expr>,
    },
    /// `if c then a [else b]` (`elif` becomes a nested `If` in `else_branch`).
    If {
        cond: Box<Expr>,
        then_branch: Box<Expr>,
        else_branch: Option<Box<Expr>>,
    },
    While {
        cond: Box<Expr>,
        body: Box<Expr>,
    },
    /// `for var = start to/downto end do body`
    ForTo {
        var: Ident,
        start: Box<Expr>,
        end: Box<Expr>,
        downward: bool,
        body: Box<Expr>,
    },
    /// `for pat in source do body`
    ForIn {
        pat: Pat,
        source: Box<Expr>,
        body: Box<Expr>,
    },
    /// `let [rec] bindings in body` (the offside rule supplies the `in`).
    Let {
        is_rec: bool,
        bindings: Vec<Binding>,
        body: Box<Expr>,
    },
    /// `use name = value in body`: `name` is disposed (`name.Dispose()`) when
    /// `body` ends. `binding` has no parameters and a simple pattern.
    Use {
        binding: Box<Binding>,
        body: Box<Expr>,
    },
    /// `a; b; c` or a block of lines.
    Sequential(Vec<Expr>),
    /// `fun p1 p2 -> body`
    Lambda {
        params: Vec<Pat>,
        body: Box<Expr>,
    },
    /// `function | p -> e ...`
    Function(Vec<MatchRule>),
    Match {
        scrutinee: Box<Expr>,
        rules: Vec<MatchRule>,
    },
    /// `(expr : type)`
    Typed {
        expr: Box<Expr>,
        ty: TypeExpr,
    },
    /// `{ F = e; ... }` or `{ r with F = e }`
    Record {
        copy_from: Option<Box<Expr>>,
        fields: Vec<(Vec<Ident>, Expr)>,
    },
    /// `name { body }`: a computation expression such as `seq { ... }`.
    Computation {
        builder: Ident,
        body: Box<Expr>,
    },
    /// `yield e` / `yield! e` inside a computation expression.
    Yield {
        is_bang: bool,
        expr: Box<Expr>,
    },
    /// An implicit yield (F#: a list, array or seq expression without `yield`
    /// yields each of its expressions whose value is not `unit`). Never made by the
    /// parser: the checker marks the candidates (`consumer: None`) and its
    /// generator fills in the consumer the value goes to.
    ImplicitYield {
        expr: Box<Expr>,
        consumer: Option<Box<Expr>>,
    },
    /// `return e` / `return! e` inside a computation expression.
    Return {
        is_bang: bool,
        expr: Box<Expr>,
    },
    /// `let! p = e in body`, `use! x = e in body`, `match! e with ...` (`expr` is the
    /// `Let`, `Use` or `Match` they would be without the `!`) or `do! e` (`expr` is
    /// `e`): the binding forms of a computation expression whose builder binds.
    Bang {
        kind: BangKind,
        expr: Box<Expr>,
    },
    /// Waits for the async `e` and gives its result. Never made by the parser: the
    /// checker rewrites `let! p = e`, `use! x = e` and `match! e with` inside an
    /// `async { }` into their plain forms with this as the value.
    Await(Box<Expr>),
    /// `lazy e`
    Lazy(Box<Expr>),
    /// `9.81<m/s^2>`: a numeric literal with a unit of measure.
    WithMeasure {
        expr: Box<Expr>,
        measure: MeasureExpr,
    },
    /// A parse error (already reported).
    Error,
}

/// Which binding form of a computation expression an [`ExprKind::Bang`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BangKind {
    Let,
    Use,
    Do,
    Match,
}

impl BangKind {
    /// The keyword as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BangKind::Let => "let!",
            BangKind::Use => "use!",
            BangKind::Do => "do!",
            BangKind::Match => "match!",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pat {
    pub kind: PatKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PatKind {
    /// `_`
    Wild,
    /// A lowercase or uppercase name: a variable, or a union case without arguments
    /// (resolution decides).
    Named(Ident),
    Lit(Literal),
    Tuple(Vec<Pat>),
    /// A dotted name without argument, `Color.Red` (a union case or literal).
    Path(Vec<Ident>),
    /// A negated numeric literal, `-1` or `-2.5` (the literal holds the magnitude).
    NegLit(Literal),
    /// `Some x`, `Shape.Circle (r, _)`, `Node(l, v, r)`.
    Ctor {
        path: Vec<Ident>,
        arg: Box<Pat>,
    },
    /// `DivisibleBy 3 x`: a name applied to several atomic patterns, an active
    /// pattern with arguments (the last is the result pattern, unless the active
    /// pattern's arguments take all of them).
    CtorArgs {
        path: Vec<Ident>,
        args: Vec<Pat>,
    },
    /// `[a; b]`
    List(Vec<Pat>),
    /// `[| a; b |]`
    Array(Vec<Pat>),
    /// `head :: tail`
    Cons {
        head: Box<Pat>,
        tail: Box<Pat>,
    },
    /// `a | b`
    Or(Box<Pat>, Box<Pat>),
    /// `pat as name`
    As {
        pat: Box<Pat>,
        name: Ident,
    },
    /// `{ X = p; ... }`
    Record(Vec<(Vec<Ident>, Pat)>),
    /// The argument of `Rectangle (width = w; height = h)`: union fields by name.
    NamedFields(Vec<(Ident, Pat)>),
    /// `(pat : type)`
    Typed {
        pat: Box<Pat>,
        ty: TypeExpr,
    },
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TypeExpr {
    pub kind: TypeExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeExprKind {
    /// `int`, `System.String`, `list<int>`, `int list` (postfix args go in `args`),
    /// `Map<string, int>`.
    Named {
        path: Vec<Ident>,
        args: Vec<TypeExpr>,
    },
    /// `'a`
    Var(Ident),
    /// `a -> b`
    Fun(Box<TypeExpr>, Box<TypeExpr>),
    /// `a * b`
    Tuple(Vec<TypeExpr>),
    /// `t[]`
    Array(Box<TypeExpr>),
    /// `float<m>`, `float<m/s>`: a type with a unit-of-measure argument.
    Measure {
        base: Box<TypeExpr>,
        measure: MeasureExpr,
    },
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MeasureExpr {
    Named(Ident),
    /// `'u`: a unit-of-measure variable.
    Var(Ident),
    /// `m^2`
    Power(Box<MeasureExpr>, i32),
    Product(Box<MeasureExpr>, Box<MeasureExpr>),
    Quotient(Box<MeasureExpr>, Box<MeasureExpr>),
    /// `1`
    One,
}

/// `type Name<'a> = ...`
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDefn {
    pub attributes: Vec<Attribute>,
    pub name: Ident,
    pub type_params: Vec<Ident>,
    pub kind: TypeDefnKind,
    pub members: Vec<MemberDefn>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeDefnKind {
    /// `{ X: float; mutable Y: int }`
    Record(Vec<FieldDefn>),
    /// `| A | B of int * name: string`
    Union(Vec<UnionCase>),
    /// `| Red = 0 | Green = 1`: an enum (every case has a constant value).
    Enum(Vec<EnumCase>),
    /// `type A = B`
    Abbreviation(TypeExpr),
    /// `[<Measure>] type m` (no `=`): a base unit; `[<Measure>] type N = kg m/s^2`:
    /// an abbreviation for a unit expression.
    Measure(Option<MeasureExpr>),
    /// `type T with member ...`: a type extension (members for an existing type).
    Augmentation,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldDefn {
    pub is_mutable: bool,
    pub name: Ident,
    pub ty: TypeExpr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnionCase {
    pub name: Ident,
    /// Payload fields; a field may be named (`name: string`).
    pub fields: Vec<(Option<Ident>, TypeExpr)>,
    pub span: Span,
}

/// `Red = 0`: an enum case and its value (a literal, checked to be an integer or
/// a char).
#[derive(Debug, Clone, PartialEq)]
pub struct EnumCase {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// `member this.Name args = body` / `static member Name args = body`.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberDefn {
    pub is_static: bool,
    /// The `this` identifier of an instance member.
    pub self_ident: Option<Ident>,
    pub binding: Binding,
    pub span: Span,
}
