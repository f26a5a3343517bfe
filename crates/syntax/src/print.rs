//! Text forms of tokens and of the AST (for `--emit ast` and snapshot tests).
//!
//! The AST prints as an indented S-expression: `(head @start..end children...)`.
//! Leaves (names, literals, simple patterns) print bare without spans; every other
//! expression, pattern, binding, rule and declaration carries its byte span. Types
//! print in F#-like text (`list<int>`, `(int -> int)`, `float<m/s>`). A list that fits
//! in 100 columns stays on one line; otherwise its head stays on the first line and
//! each child goes on its own line, indented by two spaces. Output is deterministic.

use std::fmt::Write;

use composer_diagnostics::Span;

use crate::ast::*;
use crate::lexer::{InterpolatedPiece, Token, TokenKind};

// ---------------------------------------------------------------------- tokens

/// The source spelling of punctuation tokens.
pub(crate) fn punctuation(kind: &TokenKind) -> &'static str {
    match kind {
        TokenKind::LParen => "(",
        TokenKind::RParen => ")",
        TokenKind::LBracket => "[",
        TokenKind::RBracket => "]",
        TokenKind::LBracketBar => "[|",
        TokenKind::BarRBracket => "|]",
        TokenKind::LBracketLess => "[<",
        TokenKind::GreaterRBracket => ">]",
        TokenKind::LBrace => "{",
        TokenKind::RBrace => "}",
        TokenKind::Comma => ",",
        TokenKind::Semi => ";",
        TokenKind::SemiSemi => ";;",
        TokenKind::Colon => ":",
        TokenKind::ColonColon => "::",
        TokenKind::Dot => ".",
        TokenKind::DotDot => "..",
        TokenKind::Equals => "=",
        TokenKind::Bar => "|",
        TokenKind::Arrow => "->",
        TokenKind::LArrow => "<-",
        TokenKind::Underscore => "_",
        TokenKind::Hash => "#",
        _ => "?",
    }
}

/// The source spelling of operator, keyword and punctuation tokens.
pub(crate) fn token_text(kind: &TokenKind) -> String {
    match kind {
        TokenKind::Op(op) => op.clone(),
        TokenKind::Keyword(k) => k.as_str().to_string(),
        TokenKind::Ident(name) => name.clone(),
        other => punctuation(other).to_string(),
    }
}

fn int_suffix(suffix: IntSuffix) -> &'static str {
    match suffix {
        IntSuffix::None => "",
        IntSuffix::Y => "y",
        IntSuffix::UY => "uy",
        IntSuffix::S => "s",
        IntSuffix::US => "us",
        IntSuffix::L => "l",
        IntSuffix::U => "u",
        IntSuffix::LL => "L",
        IntSuffix::ULL => "UL",
        IntSuffix::N => "n",
        IntSuffix::UN => "un",
    }
}

fn float_text(value: f64, is_single: bool) -> String {
    format!("{value:?}{}", if is_single { "f" } else { "" })
}

fn token_kind_text(kind: &TokenKind) -> String {
    match kind {
        TokenKind::Ident(name) => format!("Ident {name}"),
        TokenKind::TypeVar(name) => format!("TypeVar '{name}"),
        TokenKind::Int { value, suffix, .. } => format!("Int {value}{}", int_suffix(*suffix)),
        TokenKind::Float { value, is_single } => {
            format!("Float {}", float_text(*value, *is_single))
        }
        TokenKind::Char(c) => format!("Char {c:?}"),
        TokenKind::String(s) => format!("String {s:?}"),
        TokenKind::Interpolated(pieces) => {
            let mut text = String::from("Interpolated");
            for piece in pieces {
                match piece {
                    InterpolatedPiece::Text(s) => write!(text, " {s:?}").expect("write to String"),
                    InterpolatedPiece::Hole {
                        start,
                        end,
                        format: None,
                    } => write!(text, " {{@{start}..{end}}}").expect("write to String"),
                    InterpolatedPiece::Hole {
                        start,
                        end,
                        format: Some(f),
                    } => write!(text, " {{@{start}..{end}:{f}}}").expect("write to String"),
                }
            }
            text
        }
        TokenKind::Keyword(k) => format!("Keyword {}", k.as_str()),
        TokenKind::Op(op) => format!("Op {op}"),
        TokenKind::Error => "Error".into(),
        TokenKind::BlockSep => "BlockSep".into(),
        TokenKind::BlockEnd => "BlockEnd".into(),
        TokenKind::Eof => "Eof".into(),
        other => format!("Punct {}", punctuation(other)),
    }
}

/// One token per line: `@start..end Kind payload`.
pub fn print_tokens(tokens: &[Token]) -> String {
    let mut out = String::new();
    for token in tokens {
        writeln!(
            out,
            "@{}..{} {}",
            token.span.start,
            token.span.end,
            token_kind_text(&token.kind)
        )
        .expect("write to String");
    }
    out
}

// ---------------------------------------------------------------------- S-expressions

enum S {
    Atom(String),
    List(Vec<S>),
    Brackets(Vec<S>),
}

const WIDTH: usize = 100;

fn atom(text: impl Into<String>) -> S {
    S::Atom(text.into())
}

fn span_atom(span: Span) -> S {
    S::Atom(format!("@{}..{}", span.start, span.end))
}

fn flat_width(s: &S) -> usize {
    match s {
        S::Atom(text) => text.chars().count(),
        S::List(items) | S::Brackets(items) => {
            2 + items.iter().map(flat_width).sum::<usize>() + items.len().saturating_sub(1)
        }
    }
}

fn write_flat(s: &S, out: &mut String) {
    match s {
        S::Atom(text) => out.push_str(text),
        S::List(items) | S::Brackets(items) => {
            let (open, close) = if matches!(s, S::List(_)) {
                ('(', ')')
            } else {
                ('[', ']')
            };
            out.push(open);
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_flat(item, out);
            }
            out.push(close);
        }
    }
}

fn write_sexp(s: &S, indent: usize, out: &mut String) {
    let items = match s {
        S::Atom(_) => return write_flat(s, out),
        S::List(items) | S::Brackets(items) => items,
    };
    if indent + flat_width(s) <= WIDTH {
        return write_flat(s, out);
    }
    let (open, close) = if matches!(s, S::List(_)) {
        ('(', ')')
    } else {
        ('[', ']')
    };
    out.push(open);
    let mut rest = items.iter().peekable();
    if let Some(first) = rest.next() {
        write_sexp(first, indent + 1, out);
    }
    while let Some(S::Atom(text)) = rest.peek() {
        out.push(' ');
        out.push_str(text);
        rest.next();
    }
    for item in rest {
        out.push('\n');
        out.push_str(&" ".repeat(indent + 2));
        write_sexp(item, indent + 2, out);
    }
    out.push(close);
}

// ---------------------------------------------------------------------- AST

/// The AST as an indented S-expression (see the module documentation).
pub fn print_ast(file: &SourceFile, interner: &Interner) -> String {
    let printer = AstPrinter {
        interner,
        spans: true,
    };
    let mut out = String::new();
    write_sexp(&printer.file(file), 0, &mut out);
    out.push('\n');
    out
}

/// One expression on one line without spans (for precedence tests).
#[cfg(test)]
pub(crate) fn print_expr_compact(expr: &Expr, interner: &Interner) -> String {
    let printer = AstPrinter {
        interner,
        spans: false,
    };
    let mut out = String::new();
    write_flat(&printer.expr(expr), &mut out);
    out
}

struct AstPrinter<'a> {
    interner: &'a Interner,
    spans: bool,
}

fn literal_text(lit: &Literal) -> String {
    match lit {
        Literal::Int { value, suffix, .. } => format!("{value}{}", int_suffix(*suffix)),
        Literal::Float { value, is_single } => float_text(*value, *is_single),
        Literal::Bool(b) => b.to_string(),
        Literal::Char(c) => format!("{c:?}"),
        Literal::String(s) => format!("{s:?}"),
        Literal::Unit => "()".into(),
    }
}

fn binary_name(op: BinaryOp) -> String {
    format!("{op:?}")
}

impl AstPrinter<'_> {
    fn name(&self, ident: &Ident) -> String {
        self.interner.resolve(&ident.name).to_string()
    }

    fn path(&self, idents: &[Ident]) -> String {
        idents
            .iter()
            .map(|i| self.name(i))
            .collect::<Vec<_>>()
            .join(".")
    }

    fn node(&self, head: &str, span: Span, children: Vec<S>) -> S {
        let mut items = vec![atom(head)];
        if self.spans {
            items.push(span_atom(span));
        }
        items.extend(children);
        S::List(items)
    }

    fn file(&self, file: &SourceFile) -> S {
        let mut items = vec![atom("file")];
        match &file.header {
            FileHeader::None => {}
            FileHeader::Module(path) => {
                items.push(S::List(vec![atom("module"), atom(self.path(path))]))
            }
            FileHeader::Namespace(path) => {
                items.push(S::List(vec![atom("namespace"), atom(self.path(path))]))
            }
        }
        items.extend(file.decls.iter().map(|d| self.decl(d)));
        S::List(items)
    }

    fn attributes(&self, attributes: &[Attribute], out: &mut Vec<S>) {
        for attribute in attributes {
            let mut items = vec![atom("attr"), atom(self.path(&attribute.name))];
            if let Some(arg) = &attribute.arg {
                items.push(self.expr(arg));
            }
            out.push(S::List(items));
        }
    }

    fn decl(&self, decl: &Decl) -> S {
        let mut children = Vec::new();
        self.attributes(&decl.attributes, &mut children);
        let head = match &decl.kind {
            DeclKind::Let { is_rec, bindings } => {
                if *is_rec {
                    children.push(atom("rec"));
                }
                children.extend(bindings.iter().map(|b| self.binding(b)));
                "let"
            }
            DeclKind::Do(expr) => {
                children.push(self.expr(expr));
                "do"
            }
            DeclKind::Module { name, decls } => {
                children.push(atom(self.name(name)));
                children.extend(decls.iter().map(|d| self.decl(d)));
                "module"
            }
            DeclKind::Open(path) => {
                children.push(atom(self.path(path)));
                "open"
            }
            DeclKind::Types(defns) => {
                children.extend(defns.iter().map(|d| self.type_defn(d)));
                "types"
            }
            DeclKind::Error => "error",
        };
        self.node(head, decl.span, children)
    }

    fn binding(&self, binding: &Binding) -> S {
        let mut children = Vec::new();
        self.attributes(&binding.attributes, &mut children);
        if binding.is_mutable {
            children.push(atom("mutable"));
        }
        if binding.is_inline {
            children.push(atom("inline"));
        }
        children.push(self.pat(&binding.head));
        if !binding.type_params.is_empty() {
            let mut tps = vec![atom("type-params")];
            tps.extend(
                binding
                    .type_params
                    .iter()
                    .map(|t| atom(format!("'{}", self.name(t)))),
            );
            children.push(S::List(tps));
        }
        if !binding.params.is_empty() {
            children.push(S::Brackets(
                binding.params.iter().map(|p| self.pat(p)).collect(),
            ));
        }
        if let Some(ty) = &binding.return_type {
            children.push(S::List(vec![atom(":"), atom(self.ty(ty))]));
        }
        children.push(self.expr(&binding.body));
        self.node("binding", binding.span, children)
    }

    fn type_defn(&self, defn: &TypeDefn) -> S {
        let mut children = Vec::new();
        self.attributes(&defn.attributes, &mut children);
        children.push(atom(self.name(&defn.name)));
        if !defn.type_params.is_empty() {
            children.push(S::Brackets(
                defn.type_params
                    .iter()
                    .map(|p| atom(format!("'{}", self.name(p))))
                    .collect(),
            ));
        }
        children.push(match &defn.kind {
            TypeDefnKind::Record(fields) => {
                let mut items = vec![atom("record")];
                for field in fields {
                    let mut f = vec![atom("field")];
                    if field.is_mutable {
                        f.push(atom("mutable"));
                    }
                    f.push(atom(self.name(&field.name)));
                    f.push(atom(self.ty(&field.ty)));
                    items.push(S::List(f));
                }
                S::List(items)
            }
            TypeDefnKind::Union(cases) => {
                let mut items = vec![atom("union")];
                for case in cases {
                    let mut c = vec![atom("case"), atom(self.name(&case.name))];
                    for (name, ty) in &case.fields {
                        c.push(match name {
                            Some(name) => atom(format!("{}:{}", self.name(name), self.ty(ty))),
                            None => atom(self.ty(ty)),
                        });
                    }
                    items.push(S::List(c));
                }
                S::List(items)
            }
            TypeDefnKind::Enum(cases) => {
                let mut items = vec![atom("enum")];
                for case in cases {
                    items.push(S::List(vec![
                        atom("case"),
                        atom(self.name(&case.name)),
                        self.expr(&case.value),
                    ]));
                }
                S::List(items)
            }
            TypeDefnKind::Abbreviation(ty) => S::List(vec![atom("abbrev"), atom(self.ty(ty))]),
            TypeDefnKind::Measure(None) => S::List(vec![atom("measure")]),
            TypeDefnKind::Measure(Some(m)) => S::List(vec![atom("measure"), atom(self.measure(m))]),
            TypeDefnKind::Augmentation => S::List(vec![atom("extension")]),
        });
        for member in &defn.members {
            let mut m = Vec::new();
            if member.is_static {
                m.push(atom("static"));
            }
            if let Some(this) = &member.self_ident {
                m.push(atom(format!("{}.", self.name(this))));
            }
            m.push(self.binding(&member.binding));
            children.push(self.node("member", member.span, m));
        }
        self.node("type", defn.span, children)
    }

    fn ty(&self, ty: &TypeExpr) -> String {
        match &ty.kind {
            TypeExprKind::Named { path, args } if args.is_empty() => self.path(path),
            TypeExprKind::Named { path, args } => {
                format!(
                    "{}<{}>",
                    self.path(path),
                    args.iter()
                        .map(|a| self.ty(a))
                        .collect::<Vec<_>>()
                        .join(",")
                )
            }
            TypeExprKind::Var(name) => format!("'{}", self.name(name)),
            TypeExprKind::Fun(a, b) => format!("({} -> {})", self.ty(a), self.ty(b)),
            TypeExprKind::Tuple(items) => format!(
                "({})",
                items
                    .iter()
                    .map(|t| self.ty(t))
                    .collect::<Vec<_>>()
                    .join(" * ")
            ),
            TypeExprKind::Array(inner) => format!("{}[]", self.ty(inner)),
            TypeExprKind::Measure { base, measure } => {
                format!("{}<{}>", self.ty(base), self.measure(measure))
            }
            TypeExprKind::Error => "?error".into(),
        }
    }

    fn measure(&self, measure: &MeasureExpr) -> String {
        match measure {
            MeasureExpr::Named(name) => self.name(name),
            MeasureExpr::Var(name) => format!("'{}", self.name(name)),
            MeasureExpr::Power(base, n) => format!("{}^{n}", self.measure(base)),
            MeasureExpr::Product(a, b) => format!("({} {})", self.measure(a), self.measure(b)),
            MeasureExpr::Quotient(a, b) => format!("({}/{})", self.measure(a), self.measure(b)),
            MeasureExpr::One => "1".into(),
        }
    }

    fn pat(&self, pat: &Pat) -> S {
        let span = pat.span;
        match &pat.kind {
            PatKind::Wild => atom("_"),
            PatKind::Named(name) => atom(self.name(name)),
            PatKind::Path(path) => atom(self.path(path)),
            PatKind::Lit(lit) => atom(literal_text(lit)),
            PatKind::NegLit(lit) => atom(format!("-{}", literal_text(lit))),
            PatKind::Tuple(items) => {
                self.node("tuple", span, items.iter().map(|p| self.pat(p)).collect())
            }
            PatKind::Ctor { path, arg } => {
                self.node("ctor", span, vec![atom(self.path(path)), self.pat(arg)])
            }
            PatKind::CtorArgs { path, args } => {
                let mut items = vec![atom(self.path(path))];
                items.extend(args.iter().map(|p| self.pat(p)));
                self.node("ctor", span, items)
            }
            PatKind::List(items) => {
                self.node("list", span, items.iter().map(|p| self.pat(p)).collect())
            }
            PatKind::Array(items) => {
                self.node("array", span, items.iter().map(|p| self.pat(p)).collect())
            }
            PatKind::Cons { head, tail } => {
                self.node("cons", span, vec![self.pat(head), self.pat(tail)])
            }
            PatKind::Or(a, b) => self.node("or", span, vec![self.pat(a), self.pat(b)]),
            PatKind::As { pat, name } => {
                self.node("as", span, vec![self.pat(pat), atom(self.name(name))])
            }
            PatKind::Record(fields) => {
                let fields = fields
                    .iter()
                    .map(|(path, p)| S::List(vec![atom(self.path(path)), self.pat(p)]))
                    .collect();
                self.node("record", span, fields)
            }
            PatKind::NamedFields(fields) => {
                let fields = fields
                    .iter()
                    .map(|(name, p)| S::List(vec![atom(self.name(name)), self.pat(p)]))
                    .collect();
                self.node("named-fields", span, fields)
            }
            PatKind::Typed { pat, ty } => {
                self.node("typed", span, vec![self.pat(pat), atom(self.ty(ty))])
            }
            PatKind::Error => self.node("error", span, Vec::new()),
        }
    }

    fn rule(&self, rule: &MatchRule) -> S {
        let mut children = vec![self.pat(&rule.pat)];
        if let Some(guard) = &rule.guard {
            children.push(S::List(vec![atom("when"), self.expr(guard)]));
        }
        children.push(self.expr(&rule.body));
        self.node("rule", rule.span, children)
    }

    fn expr(&self, expr: &Expr) -> S {
        let span = expr.span;
        let e = |x: &Expr| self.expr(x);
        match &expr.kind {
            ExprKind::Lit(lit) => atom(literal_text(lit)),
            ExprKind::Path(path) => atom(self.path(path)),
            ExprKind::Interpolated(parts) => {
                let parts = parts
                    .iter()
                    .map(|part| match part {
                        InterpolatedPart::Text(text) => atom(format!("{text:?}")),
                        InterpolatedPart::Hole { expr, format: None } => {
                            S::List(vec![atom("hole"), e(expr)])
                        }
                        InterpolatedPart::Hole {
                            expr,
                            format: Some(f),
                        } => S::List(vec![atom("hole"), e(expr), atom(format!("{f:?}"))]),
                    })
                    .collect();
                self.node("interp", span, parts)
            }
            ExprKind::DotGet { target, member } => {
                self.node("dot", span, vec![e(target), atom(self.name(member))])
            }
            ExprKind::Index { target, index } => {
                self.node("index", span, vec![e(target), e(index)])
            }
            ExprKind::Slice { target, start, end } => {
                let bound = |b: &Option<Box<Expr>>| b.as_deref().map_or(atom("*"), e);
                self.node("slice", span, vec![e(target), bound(start), bound(end)])
            }
            ExprKind::TypeApp { func, args } => {
                let mut children = vec![e(func)];
                children.extend(args.iter().map(|t| atom(self.ty(t))));
                self.node("type-app", span, children)
            }
            ExprKind::App { .. } => {
                // Curried applications print flat: `(app f x y)` for `(f x) y`.
                let (head, args) = expr.spine();
                let children = std::iter::once(head).chain(args).map(e).collect();
                self.node("app", span, children)
            }
            ExprKind::OperatorValue(op) => self.node("op", span, vec![atom(binary_name(*op))]),
            ExprKind::Unary { op, operand } => {
                self.node("unary", span, vec![atom(format!("{op:?}")), e(operand)])
            }
            ExprKind::Binary { op, lhs, rhs } => {
                self.node("binary", span, vec![atom(binary_name(*op)), e(lhs), e(rhs)])
            }
            ExprKind::Assign { target, value } => {
                self.node("assign", span, vec![e(target), e(value)])
            }
            ExprKind::Tuple(items) => self.node("tuple", span, items.iter().map(e).collect()),
            ExprKind::List(items) => self.node("list", span, items.iter().map(e).collect()),
            ExprKind::Array(items) => self.node("array", span, items.iter().map(e).collect()),
            ExprKind::Range { start, step, end } => {
                let mut children = vec![e(start)];
                if let Some(step) = step {
                    children.push(S::List(vec![atom("step"), e(step)]));
                }
                children.push(e(end));
                self.node("range", span, children)
            }
            ExprKind::If {
                cond,
                then_branch,
                else_branch,
            } => {
                let mut children = vec![e(cond), e(then_branch)];
                if let Some(else_branch) = else_branch {
                    children.push(e(else_branch));
                }
                self.node("if", span, children)
            }
            ExprKind::While { cond, body } => self.node("while", span, vec![e(cond), e(body)]),
            ExprKind::ForTo {
                var,
                start,
                end,
                downward,
                body,
            } => {
                let dir = if *downward { "downto" } else { "to" };
                self.node(
                    "for",
                    span,
                    vec![atom(self.name(var)), e(start), atom(dir), e(end), e(body)],
                )
            }
            ExprKind::ForIn { pat, source, body } => {
                self.node("for-in", span, vec![self.pat(pat), e(source), e(body)])
            }
            ExprKind::Let {
                is_rec,
                bindings,
                body,
            } => {
                let mut children = Vec::new();
                if *is_rec {
                    children.push(atom("rec"));
                }
                children.extend(bindings.iter().map(|b| self.binding(b)));
                children.push(e(body));
                self.node("let", span, children)
            }
            ExprKind::Use { binding, body } => {
                self.node("use", span, vec![self.binding(binding), e(body)])
            }
            ExprKind::Sequential(items) => self.node("seq", span, items.iter().map(e).collect()),
            ExprKind::Lambda { params, body } => {
                let params = S::Brackets(params.iter().map(|p| self.pat(p)).collect());
                self.node("fun", span, vec![params, e(body)])
            }
            ExprKind::Function(rules) => self.node(
                "function",
                span,
                rules.iter().map(|r| self.rule(r)).collect(),
            ),
            ExprKind::Match { scrutinee, rules } => {
                let mut children = vec![e(scrutinee)];
                children.extend(rules.iter().map(|r| self.rule(r)));
                self.node("match", span, children)
            }
            ExprKind::Typed { expr, ty } => {
                self.node("typed", span, vec![e(expr), atom(self.ty(ty))])
            }
            ExprKind::Record { copy_from, fields } => {
                let mut children = Vec::new();
                if let Some(copy_from) = copy_from {
                    children.push(S::List(vec![atom("with"), e(copy_from)]));
                }
                children.extend(
                    fields
                        .iter()
                        .map(|(path, value)| S::List(vec![atom(self.path(path)), e(value)])),
                );
                self.node("record", span, children)
            }
            ExprKind::Computation { builder, body } => {
                self.node("ce", span, vec![atom(self.name(builder)), e(body)])
            }
            ExprKind::Yield { is_bang, expr } => self.node(
                if *is_bang { "yield!" } else { "yield" },
                span,
                vec![e(expr)],
            ),
            ExprKind::ImplicitYield { expr, .. } => {
                self.node("implicit-yield", span, vec![e(expr)])
            }
            ExprKind::Return { is_bang, expr } => self.node(
                if *is_bang { "return!" } else { "return" },
                span,
                vec![e(expr)],
            ),
            ExprKind::Lazy(inner) => self.node("lazy", span, vec![e(inner)]),
            ExprKind::Await(inner) => self.node("await", span, vec![e(inner)]),
            ExprKind::Bang { kind, expr } => self.node(kind.as_str(), span, vec![e(expr)]),
            ExprKind::WithMeasure { expr, measure } => {
                self.node("measure", span, vec![e(expr), atom(self.measure(measure))])
            }
            ExprKind::Error => self.node("error", span, Vec::new()),
        }
    }
}
