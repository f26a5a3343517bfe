//! Expressions: sequence blocks, precedence climbing over F#'s operator classes,
//! application, postfix member access, and the keyword-led forms.
//!
//! Operator classes, lowest to highest (F# 4.1 spec §4.4.2 and the compiler's
//! `pars.fsy`): `<-` < `,` < `||`/`or` < `&&`/`&` < comparison-and-pipe class (every
//! operator starting with `<`, `>`, `=`, `|`, `&`, `$` or `!=`, which includes `|>`,
//! `>>`, `|||`, `&&&`, `<<<`, `>>>`; left) < `^`/`@` class (`^^^`, `@`, `^`; right) <
//! `::` (right) < `+`/`-` (left) < `*`/`/`/`%` (left) < `**` (right) < prefix `-` `+`
//! `~~~` < application < `.` member access, `.[ ]`, and high-precedence `f(x)`.

use composer_diagnostics::{Code, Span};

use super::Parser;
use crate::ast::{
    BangKind, BinaryOp, Expr, ExprKind, Ident, InterpolatedPart, Literal, MatchRule, PatKind,
    UnaryOp,
};
use crate::layout::BlockKind;
use crate::lexer::{lex_range, InterpolatedPiece, Keyword, TokenKind};

/// Tokens that end an item of a sequence block without being an error there: they
/// belong to an enclosing construct (or are virtual/end of input).
pub(super) fn ends_item(kind: &TokenKind) -> bool {
    use Keyword as K;
    matches!(
        kind,
        TokenKind::Eof
            | TokenKind::BlockSep
            | TokenKind::BlockEnd
            | TokenKind::RParen
            | TokenKind::RBracket
            | TokenKind::RBrace
            | TokenKind::BarRBracket
            | TokenKind::GreaterRBracket
            | TokenKind::Bar
            | TokenKind::Arrow
            | TokenKind::Colon
            | TokenKind::DotDot
            | TokenKind::SemiSemi
            | TokenKind::Keyword(
                K::End
                    | K::Else
                    | K::Elif
                    | K::Then
                    | K::With
                    | K::In
                    | K::And
                    | K::Done
                    | K::Do
                    | K::To
                    | K::Downto
                    | K::Of
                    | K::When
                    | K::Finally
            )
    )
}

/// The operator class of a binary operator token: (precedence, right-associative,
/// the operator if Clef knows it). `None` for tokens that are not binary operators.
pub(super) fn binary_operator(kind: &TokenKind) -> Option<(u8, bool, Option<BinaryOp>)> {
    let text = match kind {
        TokenKind::Op(op) => op.as_str(),
        TokenKind::Equals => "=",
        TokenKind::ColonColon => "::",
        TokenKind::Keyword(Keyword::Or) => "or",
        _ => return None,
    };
    let known = known_binary_operator(text);
    // Leading dots do not count for precedence (`.>>.` is in `>`'s class).
    let text = match text.trim_start_matches('.') {
        "" => text,
        rest => rest,
    };
    let class = match text {
        "||" | "or" => (1, false),
        "&&" | "&" => (2, false),
        "::" | ":?" | ":>" | ":?>" => (5, true),
        ":=" => (1, true),
        _ if text.starts_with("!=") => (3, false),
        _ if text.starts_with("**") => (8, true),
        _ => match text.chars().next()? {
            '<' | '>' | '=' | '|' | '&' | '$' => (3, false),
            '^' | '@' => (4, true),
            '+' | '-' => (6, false),
            '*' | '/' | '%' => (7, false),
            _ => return None,
        },
    };
    Some((class.0, class.1, known))
}

pub(super) fn known_binary_operator(text: &str) -> Option<BinaryOp> {
    use BinaryOp as B;
    Some(match text {
        "+" => B::Add,
        "-" => B::Sub,
        "*" => B::Mul,
        "/" => B::Div,
        "%" => B::Mod,
        "**" => B::Pow,
        "=" => B::Eq,
        "<>" => B::Ne,
        "<" => B::Lt,
        "<=" => B::Le,
        ">" => B::Gt,
        ">=" => B::Ge,
        "&&" | "&" => B::And,
        "||" | "or" => B::Or,
        "&&&" => B::BitAnd,
        "|||" => B::BitOr,
        "^^^" => B::BitXor,
        "<<<" => B::Shl,
        ">>>" => B::Shr,
        "|>" => B::PipeRight,
        "||>" => B::PipeRight2,
        "|||>" => B::PipeRight3,
        "<|" => B::PipeLeft,
        ">>" => B::ComposeRight,
        "<<" => B::ComposeLeft,
        "::" => B::Cons,
        "@" => B::Append,
        "^" => B::Concat,
        _ => return None,
    })
}

/// An infix operator a program may define (`|>>`, `+.`, `***`, `<+>`): F#'s operator
/// characters, not one Clef builds in, and not a type-test or cast form (`:?`, `:>`).
pub(super) fn is_custom_operator(text: &str) -> bool {
    known_binary_operator(text).is_none()
        && !text.starts_with(':')
        && !matches!(text, "&" | "or" | "=")
        && text.chars().all(|c| "!%&*+-./<=>?@^|~$".contains(c))
}

fn boxed(e: Expr) -> Box<Expr> {
    Box::new(e)
}

impl Parser<'_> {
    pub(super) fn mk(&self, kind: ExprKind, start: Span) -> Expr {
        Expr {
            kind,
            span: self.since(start),
        }
    }

    pub(super) fn error_expr(&self, span: Span) -> Expr {
        Expr {
            kind: ExprKind::Error,
            span,
        }
    }

    /// An empty span right after the last consumed token.
    pub(super) fn here(&self) -> Span {
        self.prev_span().shrink_to_end()
    }

    /// A sequence block opened at the next token (the body after `=`, `->`, `then`,
    /// `else`, `do`, ...). `after` names the token before it, for messages.
    pub(super) fn parse_block(&mut self, after: &str) -> Expr {
        match self.in_block(BlockKind::Seq, false, |p| p.parse_seq_expr()) {
            Some(expr) => expr,
            None => {
                let (span, found) = self.found();
                self.error(
                    Code::UnexpectedSyntax,
                    span,
                    format!("Incomplete structured construct at or before this point: expected an expression after {after}, found {found}"),
                );
                self.error_expr(self.here())
            }
        }
    }

    /// The items of the current block as one expression.
    pub(super) fn parse_seq_expr(&mut self) -> Expr {
        let items = self.parse_seq_items();
        self.sequence(items)
    }

    pub(super) fn sequence(&self, mut items: Vec<Expr>) -> Expr {
        if items.len() == 1 {
            return items.pop().expect("one item");
        }
        let span = match (items.first(), items.last()) {
            (Some(first), Some(last)) => first.span.to(last.span),
            _ => self.here(),
        };
        Expr {
            kind: ExprKind::Sequential(items),
            span,
        }
    }

    /// Items separated by `;` or by new lines at the block's column. A `let` takes the
    /// rest of the block as its body (the implicit `in`). Never empty.
    pub(super) fn parse_seq_items(&mut self) -> Vec<Expr> {
        let mut items = Vec::new();
        loop {
            self.accept_separator();
            let before = self.cursor.index();
            if matches!(
                self.peek(),
                TokenKind::Keyword(
                    Keyword::Let | Keyword::Use | Keyword::LetBang | Keyword::UseBang
                )
            ) {
                items.push(self.parse_let_expr());
                break;
            }
            if ends_item(self.peek()) {
                if items.is_empty() {
                    self.error_expected("an expression");
                    items.push(self.error_expr(self.span().shrink_to_start()));
                }
                break;
            }
            items.push(self.parse_expr_or_range());
            if self.eat(&TokenKind::Semi) || self.at_separator() {
                continue;
            }
            if ends_item(self.peek()) {
                break;
            }
            let (span, found) = self.found();
            self.error(
                Code::UnexpectedSyntax,
                span,
                format!("Unexpected {found} in expression"),
            );
            self.skip_to_item_boundary();
            if self.cursor.index() == before || !self.at_separator() {
                break;
            }
        }
        items
    }

    /// `let [rec] bindings in body`, the `in` being explicit or a new line.
    fn parse_let_expr(&mut self) -> Expr {
        let start = self.span();
        let keyword = self.bump();
        let bang = match keyword.kind {
            TokenKind::Keyword(Keyword::LetBang) => Some(BangKind::Let),
            TokenKind::Keyword(Keyword::UseBang) => Some(BangKind::Use),
            _ => None,
        };
        let is_use =
            keyword.kind == TokenKind::Keyword(Keyword::Use) || bang == Some(BangKind::Use);
        let (is_rec, bindings) = self.parse_bindings();
        let body = if self.eat_kw(Keyword::In) {
            self.parse_seq_expr()
        } else if self.at_separator() {
            self.accept_separator();
            self.parse_seq_expr()
        } else {
            self.error(
                Code::UnfinishedBlock,
                keyword.span,
                "The block following this 'let' is unfinished. Every code block is an expression and must have a result. \
                 'let' cannot be the final code element in a block. Consider giving this block an explicit result.",
            );
            self.error_expr(self.here())
        };
        if is_use {
            let simple = bindings.len() == 1
                && !is_rec
                && bindings[0].params.is_empty()
                && !bindings[0].is_mutable
                && matches!(
                    bindings[0].head.kind,
                    PatKind::Named(_) | PatKind::Wild | PatKind::Typed { .. }
                );
            if simple {
                let binding = bindings.into_iter().next().expect("one binding");
                let used = self.mk(
                    ExprKind::Use {
                        binding: Box::new(binding),
                        body: boxed(body),
                    },
                    start,
                );
                return self.bang(bang, used, start);
            }
            // Reported, then read as a `let` so the body still checks.
            self.error(
                Code::UnexpectedSyntax,
                keyword.span,
                "'use' bindings must bind one name to a value: use name = expr",
            );
        }
        let bound = self.mk(
            ExprKind::Let {
                is_rec,
                bindings,
                body: boxed(body),
            },
            start,
        );
        self.bang(bang, bound, start)
    }

    /// `expr` as the bang form `kind` of it (`let!` of a `let`), or as it is.
    fn bang(&mut self, kind: Option<BangKind>, expr: Expr, start: Span) -> Expr {
        match kind {
            Some(kind) => self.mk(
                ExprKind::Bang {
                    kind,
                    expr: boxed(expr),
                },
                start,
            ),
            None => expr,
        }
    }

    /// An expression, or a range `a .. b` / `a .. step .. b`.
    pub(super) fn parse_expr_or_range(&mut self) -> Expr {
        let start = self.span();
        let first = self.parse_expr();
        if !self.eat(&TokenKind::DotDot) {
            return first;
        }
        let second = self.parse_expr();
        let (step, end) = if self.eat(&TokenKind::DotDot) {
            (Some(boxed(second)), self.parse_expr())
        } else {
            (None, second)
        };
        self.mk(
            ExprKind::Range {
                start: boxed(first),
                step,
                end: boxed(end),
            },
            start,
        )
    }

    /// An expression without sequencing: assignment, tuples and everything above.
    pub(super) fn parse_expr(&mut self) -> Expr {
        if !self.enter() {
            return self.too_deep();
        }
        let start = self.span();
        let first = self.parse_binary(0);
        let lhs = if self.at(&TokenKind::Comma) {
            let mut items = vec![first];
            while self.eat(&TokenKind::Comma) {
                items.push(self.parse_binary(0));
            }
            self.mk(ExprKind::Tuple(items), start)
        } else {
            first
        };
        let result = if self.eat(&TokenKind::LArrow) {
            let value = self.parse_expr();
            self.mk(
                ExprKind::Assign {
                    target: boxed(lhs),
                    value: boxed(value),
                },
                start,
            )
        } else {
            lhs
        };
        self.leave();
        result
    }

    /// After [`Parser::enter`] refused: consume one token so callers make progress.
    pub(super) fn too_deep(&mut self) -> Expr {
        let span = self.span();
        if !self.cursor.is_eof() {
            self.bump();
        }
        self.error_expr(span)
    }

    /// Precedence climbing over binary operators of class `min_prec` and above.
    fn parse_binary(&mut self, min_prec: u8) -> Expr {
        if !self.enter() {
            return self.too_deep();
        }
        let start = self.span();
        let mut lhs = self.parse_unary();
        while let Some((prec, right, known)) = binary_operator(self.peek()) {
            if prec < min_prec {
                break;
            }
            let op_token = self.bump();
            let rhs = self.parse_binary(if right { prec } else { prec + 1 });
            let kind = match known {
                Some(op) => ExprKind::Binary {
                    op,
                    lhs: boxed(lhs),
                    rhs: boxed(rhs),
                },
                None => {
                    let text = crate::print::token_text(&op_token.kind);
                    if is_custom_operator(&text) {
                        // `a |>> b` is `(|>>) a b`, F#'s meaning of a user operator.
                        let op = self.ident(&text, op_token.span);
                        let func = Expr {
                            kind: ExprKind::Path(vec![op]),
                            span: op_token.span,
                        };
                        let partial = Expr {
                            span: lhs.span.to(op_token.span),
                            kind: ExprKind::App {
                                func: boxed(func),
                                arg: boxed(lhs),
                            },
                        };
                        ExprKind::App {
                            func: boxed(partial),
                            arg: boxed(rhs),
                        }
                    } else {
                        self.unsupported(op_token.span, &format!("the operator `{text}`"));
                        ExprKind::Error
                    }
                }
            };
            lhs = self.mk(kind, start);
        }
        self.leave();
        lhs
    }

    /// Prefix operators: `-e`, `+e`, `~~~e` (looser than application: `-f x` is
    /// `-(f x)`, tighter than every binary operator: `-x * y` is `(-x) * y`).
    pub(super) fn parse_unary(&mut self) -> Expr {
        let TokenKind::Op(op) = self.peek() else {
            return self.parse_app();
        };
        let op = match op.as_str() {
            "-" => Some(UnaryOp::Neg),
            "+" => Some(UnaryOp::Plus),
            "~~~" => Some(UnaryOp::BitNot),
            o if o.starts_with('!') && o != "!="
                || o.starts_with('~')
                || matches!(o, "&" | "&&" | "%" | "%%") =>
            {
                None
            }
            _ => return self.parse_app(),
        };
        if !self.enter() {
            return self.too_deep();
        }
        let start = self.span();
        let op_token = self.bump();
        let operand = self.parse_unary();
        let kind = match op {
            Some(op) => ExprKind::Unary {
                op,
                operand: boxed(operand),
            },
            None => {
                let text = crate::print::token_text(&op_token.kind);
                self.unsupported(op_token.span, &format!("the prefix operator `{text}`"));
                ExprKind::Error
            }
        };
        self.leave();
        self.mk(kind, start)
    }

    /// Whether the next token is an operator written prefix in argument position
    /// (`f -1`: space before, none after).
    fn at_adjacent_prefix_op(&self) -> bool {
        matches!(self.peek(), TokenKind::Op(op) if matches!(op.as_str(), "-" | "+" | "~~~" | "!"))
            && !self.cursor.is_adjacent_nth(0)
            && self.cursor.is_adjacent_nth(1)
    }

    fn can_start_argument(&self) -> bool {
        matches!(
            self.peek(),
            TokenKind::Ident(_)
                | TokenKind::Int { .. }
                | TokenKind::Float { .. }
                | TokenKind::Char(_)
                | TokenKind::String(_)
                | TokenKind::Interpolated(_)
                | TokenKind::LParen
                | TokenKind::LBracket
                | TokenKind::LBracketBar
                | TokenKind::LBrace
                | TokenKind::Keyword(
                    Keyword::True | Keyword::False | Keyword::Null | Keyword::Begin
                )
        ) || self.at_adjacent_prefix_op()
    }

    /// Application by juxtaposition (left-assoc), `lazy e`, and `builder { ... }`.
    fn parse_app(&mut self) -> Expr {
        let start = self.span();
        if matches!(
            self.peek(),
            TokenKind::Keyword(
                Keyword::Lazy | Keyword::Assert | Keyword::Upcast | Keyword::Downcast
            )
        ) {
            if !self.enter() {
                return self.too_deep();
            }
            let keyword = self.bump();
            let operand = self.parse_app();
            self.leave();
            if keyword.kind == TokenKind::Keyword(Keyword::Lazy) {
                return self.mk(ExprKind::Lazy(boxed(operand)), start);
            }
            self.unsupported(
                keyword.span,
                &format!("`{}`", crate::print::token_text(&keyword.kind)),
            );
            return self.mk(ExprKind::Error, start);
        }
        let mut func = self.parse_postfix();
        while self.can_start_argument() {
            if self.at(&TokenKind::LBrace) && !self.brace_is_record() {
                if let ExprKind::Path(parts) = &func.kind {
                    if let [builder] = parts.as_slice() {
                        let builder = *builder;
                        let body = self.parse_computation_body();
                        func = self.mk(
                            ExprKind::Computation {
                                builder,
                                body: boxed(body),
                            },
                            start,
                        );
                        continue;
                    }
                }
            }
            let arg = self.parse_argument();
            func = self.mk(
                ExprKind::App {
                    func: boxed(func),
                    arg: boxed(arg),
                },
                start,
            );
        }
        func
    }

    /// One argument of an application: a postfix expression, or `-x` written prefix.
    fn parse_argument(&mut self) -> Expr {
        if !self.at_adjacent_prefix_op() {
            return self.parse_postfix();
        }
        if !self.enter() {
            return self.too_deep();
        }
        let start = self.span();
        let op_token = self.bump();
        let operand = self.parse_argument();
        self.leave();
        let op = match &op_token.kind {
            TokenKind::Op(op) if op == "-" => UnaryOp::Neg,
            TokenKind::Op(op) if op == "+" => UnaryOp::Plus,
            TokenKind::Op(op) if op == "~~~" => UnaryOp::BitNot,
            _ => {
                self.unsupported(op_token.span, "the prefix operator `!`");
                return self.mk(ExprKind::Error, start);
            }
        };
        self.mk(
            ExprKind::Unary {
                op,
                operand: boxed(operand),
            },
            start,
        )
    }

    /// An atom followed by `.Name`, `.[index]`, or high-precedence `f(x)` / `a[i]`.
    fn parse_postfix(&mut self) -> Expr {
        let start = self.span();
        let mut expr = self.parse_atom();
        loop {
            match self.peek() {
                TokenKind::Dot => match self.nth(1) {
                    TokenKind::Ident(name) => {
                        let name = name.clone();
                        let after_name = matches!(
                            self.cursor.previous().map(|t| &t.kind),
                            Some(TokenKind::Ident(_))
                        );
                        let tight = after_name
                            && self.cursor.is_adjacent_nth(0)
                            && self.cursor.is_adjacent_nth(1);
                        self.bump();
                        let token = self.bump();
                        let member = self.ident(&name, token.span);
                        match &mut expr.kind {
                            ExprKind::Path(parts) if tight => {
                                parts.push(member);
                                expr.span = self.since(start);
                            }
                            _ => {
                                expr = self.mk(
                                    ExprKind::DotGet {
                                        target: boxed(expr),
                                        member,
                                    },
                                    start,
                                )
                            }
                        }
                    }
                    TokenKind::LBracket => {
                        self.bump();
                        expr = self.parse_index(expr, start);
                    }
                    _ => {
                        self.bump();
                        self.error_expected("a member name or `[` after `.`");
                        break;
                    }
                },
                TokenKind::LParen if self.cursor.is_adjacent_nth(0) => {
                    let arg = self.parse_paren();
                    expr = self.mk(
                        ExprKind::App {
                            func: boxed(expr),
                            arg: boxed(arg),
                        },
                        start,
                    );
                }
                TokenKind::LBracket if self.cursor.is_adjacent_nth(0) => {
                    expr = self.parse_index(expr, start)
                }
                TokenKind::Op(op) if op == "<" && self.type_args_ahead() => {
                    // `f<int>`: explicit type arguments.
                    self.bump();
                    let mut args = Vec::new();
                    loop {
                        args.push(self.parse_type());
                        if !self.eat(&TokenKind::Comma) {
                            break;
                        }
                    }
                    self.expect_greater();
                    expr = self.mk(
                        ExprKind::TypeApp {
                            func: boxed(expr),
                            args,
                        },
                        start,
                    );
                }
                _ => break,
            }
        }
        expr
    }

    /// Whether the `<` ahead, written right after a name, opens type arguments
    /// (`zeroCreate<int>`, `Map<string, int>`) rather than being a comparison.
    fn type_args_ahead(&self) -> bool {
        let after_name = matches!(
            self.cursor.previous().map(|t| &t.kind),
            Some(TokenKind::Ident(_))
        );
        if !after_name || !self.cursor.is_adjacent_nth(0) {
            return false;
        }
        let mut depth = 1usize;
        for n in 1..64 {
            match self.nth(n) {
                TokenKind::Ident(_)
                | TokenKind::TypeVar(_)
                | TokenKind::Comma
                | TokenKind::Dot
                | TokenKind::Arrow
                | TokenKind::LParen
                | TokenKind::RParen
                | TokenKind::LBracket
                | TokenKind::RBracket
                | TokenKind::Underscore => {}
                TokenKind::Op(op) if matches!(op.as_str(), "*" | "/" | "^") => {}
                TokenKind::Op(op) if op == "<" => depth += 1,
                TokenKind::Op(op) if op.chars().all(|c| c == '>') => {
                    if op.len() >= depth {
                        return op.len() == depth;
                    }
                    depth -= op.len();
                }
                _ => return false,
            }
        }
        false
    }

    /// At `[` of `.[i]` or `a[i]`, or of a slice `.[i..j]`, `.[..j]`, `.[i..]`.
    fn parse_index(&mut self, target: Expr, start: Span) -> Expr {
        let open = self.bump().span;
        let parsed = self.in_block(BlockKind::Bracket, false, |p| {
            if p.eat(&TokenKind::DotDot) {
                return (None, Some(p.parse_expr()), true);
            }
            let first = p.parse_expr();
            if !p.eat(&TokenKind::DotDot) {
                return (Some(first), None, false);
            }
            if p.at(&TokenKind::RBracket) || p.at(&TokenKind::BlockEnd) {
                return (Some(first), None, true);
            }
            (Some(first), Some(p.parse_expr()), true)
        });
        let Some((first, end, is_slice)) = parsed else {
            self.error_expected("an index expression");
            let index = self.error_expr(self.here());
            self.expect_closing(&TokenKind::RBracket, "`]`", open);
            return self.mk(
                ExprKind::Index {
                    target: boxed(target),
                    index: boxed(index),
                },
                start,
            );
        };
        self.expect_closing(&TokenKind::RBracket, "`]`", open);
        let kind = match (first, is_slice) {
            (Some(index), false) => ExprKind::Index {
                target: boxed(target),
                index: boxed(index),
            },
            (first, _) => ExprKind::Slice {
                target: boxed(target),
                start: first.map(boxed),
                end: end.map(boxed),
            },
        };
        self.mk(kind, start)
    }

    fn parse_atom(&mut self) -> Expr {
        let start = self.span();
        let kind = self.peek().clone();
        let literal = |lit| Some(ExprKind::Lit(lit));
        let simple = match &kind {
            TokenKind::Int {
                value,
                suffix,
                bit_pattern,
            } => literal(Literal::Int {
                value: *value,
                suffix: *suffix,
                bit_pattern: *bit_pattern,
            }),
            TokenKind::Float { value, is_single } => literal(Literal::Float {
                value: *value,
                is_single: *is_single,
            }),
            TokenKind::Char(c) => literal(Literal::Char(*c)),
            TokenKind::String(s) => literal(Literal::String(s.clone())),
            TokenKind::Keyword(Keyword::True) => literal(Literal::Bool(true)),
            TokenKind::Keyword(Keyword::False) => literal(Literal::Bool(false)),
            TokenKind::Ident(name) => {
                let ident = self.ident(name, start);
                Some(ExprKind::Path(vec![ident]))
            }
            _ => None,
        };
        if let Some(kind) = simple {
            self.bump();
            let is_number = matches!(
                kind,
                ExprKind::Lit(Literal::Int { .. } | Literal::Float { .. })
            );
            if is_number
                && self.cursor.is_adjacent_nth(0)
                && matches!(self.nth(0), TokenKind::Op(op) if op == "<")
            {
                // `9.81<m/s^2>`: a literal with a unit of measure.
                let literal = self.mk(kind, start);
                self.bump();
                let measure = self.parse_measure();
                self.expect_greater();
                return self.mk(
                    ExprKind::WithMeasure {
                        expr: Box::new(literal),
                        measure,
                    },
                    start,
                );
            }
            return self.mk(kind, start);
        }
        use Keyword as K;
        match kind {
            TokenKind::Interpolated(pieces) => {
                self.bump();
                self.parse_interpolated(pieces, start)
            }
            TokenKind::LParen => self.parse_paren(),
            TokenKind::LBracket | TokenKind::LBracketBar => self.parse_list_or_array(),
            TokenKind::LBrace if self.brace_is_record() => self.parse_record(),
            TokenKind::LBrace => {
                self.unsupported(start, "a computation expression without a builder name");
                self.parse_computation_body();
                self.mk(ExprKind::Error, start)
            }
            TokenKind::Keyword(K::Begin) => {
                let open = self.bump().span;
                let inner = self.in_block(BlockKind::Bracket, false, |p| p.parse_seq_expr());
                let inner = inner.unwrap_or_else(|| {
                    self.error_expected("an expression");
                    self.error_expr(self.here())
                });
                self.expect_closing(&TokenKind::Keyword(K::End), "`end`", open);
                inner
            }
            TokenKind::Keyword(K::If) => self.parse_if(),
            TokenKind::Keyword(K::Match | K::MatchBang) => self.parse_match(),
            TokenKind::Keyword(K::Fun) => self.parse_lambda(),
            TokenKind::Keyword(K::Function) => {
                self.bump();
                let rules = self.parse_rules();
                self.mk(ExprKind::Function(rules), start)
            }
            TokenKind::Keyword(K::While) => self.parse_while(),
            TokenKind::Keyword(K::For) => self.parse_for(),
            TokenKind::Keyword(K::Let | K::Use | K::LetBang | K::UseBang) => self.parse_let_expr(),
            TokenKind::Keyword(K::Try) => self.parse_try(),
            TokenKind::Keyword(K::Lazy | K::Assert | K::Upcast | K::Downcast) => self.parse_app(),
            TokenKind::Keyword(k @ (K::Yield | K::YieldBang | K::Return | K::ReturnBang)) => {
                self.bump();
                let expr = boxed(self.parse_expr());
                let kind = match k {
                    K::Yield => ExprKind::Yield {
                        is_bang: false,
                        expr,
                    },
                    K::YieldBang => ExprKind::Yield {
                        is_bang: true,
                        expr,
                    },
                    K::Return => ExprKind::Return {
                        is_bang: false,
                        expr,
                    },
                    _ => ExprKind::Return {
                        is_bang: true,
                        expr,
                    },
                };
                self.mk(kind, start)
            }
            TokenKind::Keyword(K::Do) => {
                // `do expr` is `expr` (of type unit).
                self.bump();
                self.parse_block("`do`")
            }
            TokenKind::Keyword(K::DoBang) => {
                // `do! e`: `e` is an async (or another builder's value) run for effect;
                // like `return e`, one expression (`do! a; b` is `(do! a); b`).
                self.bump();
                let operand = self.parse_expr();
                self.bang(Some(BangKind::Do), operand, start)
            }
            TokenKind::Keyword(K::New) => {
                // `new T(args)` is `T(args)`: there are no classes, and a library type
                // that F# makes with `new` has a function of its name that makes one
                // (`new CancellationTokenSource()`).
                self.bump();
                self.parse_app()
            }
            TokenKind::Keyword(k @ (K::Null | K::Base)) => {
                self.bump();
                self.unsupported(start, &format!("`{}`", k.as_str()));
                self.mk(ExprKind::Error, start)
            }
            _ => {
                self.error_expected("an expression");
                if !ends_item(self.peek()) && !matches!(self.peek(), TokenKind::Semi) {
                    self.bump();
                }
                self.error_expr(start)
            }
        }
    }

    /// At `(`: unit, an operator value `(+)`, or a parenthesized expression with an
    /// optional type annotation `(e : t)`.
    pub(super) fn parse_paren(&mut self) -> Expr {
        let start = self.span();
        let open = self.bump().span;
        if self.cursor.raw().kind == TokenKind::RParen {
            self.bump();
            return self.mk(ExprKind::Lit(Literal::Unit), start);
        }
        if *self.nth(1) == TokenKind::RParen && binary_operator(self.nth(0)).is_some() {
            let op_token = self.bump();
            self.bump();
            let text = crate::print::token_text(&op_token.kind);
            return match known_binary_operator(&text) {
                Some(op) => self.mk(ExprKind::OperatorValue(op), start),
                None if is_custom_operator(&text) => {
                    let op = self.ident(&text, op_token.span);
                    self.mk(ExprKind::Path(vec![op]), start)
                }
                None => {
                    self.unsupported(op_token.span, &format!("the operator `{text}`"));
                    self.mk(ExprKind::Error, start)
                }
            };
        }
        let inner = self.in_block(BlockKind::Bracket, false, |p| {
            let inner_start = p.span();
            let expr = p.parse_seq_expr();
            if p.eat(&TokenKind::Colon) {
                let ty = p.parse_type();
                return p.mk(
                    ExprKind::Typed {
                        expr: boxed(expr),
                        ty,
                    },
                    inner_start,
                );
            }
            expr
        });
        let inner = inner.unwrap_or_else(|| {
            self.error_expected("an expression");
            self.error_expr(self.here())
        });
        self.expect_closing(&TokenKind::RParen, "`)`", open);
        inner
    }

    /// `[a; b]`, `[1 .. 10]`, `[| a; b |]` (elements separated by `;` or new lines).
    fn parse_list_or_array(&mut self) -> Expr {
        let start = self.span();
        let open = self.bump();
        let is_array = open.kind == TokenKind::LBracketBar;
        let (close, close_text) = if is_array {
            (TokenKind::BarRBracket, "`|]`")
        } else {
            (TokenKind::RBracket, "`]`")
        };
        let items = if self.cursor.raw().kind == close {
            Vec::new()
        } else {
            self.in_block(BlockKind::Bracket, false, |p| p.parse_seq_items())
                .unwrap_or_else(|| {
                    self.error_expected("a list element");
                    Vec::new()
                })
        };
        self.expect_closing(&close, close_text, open.span);
        self.mk(
            if is_array {
                ExprKind::Array(items)
            } else {
                ExprKind::List(items)
            },
            start,
        )
    }

    /// Whether the `{` ahead starts a record expression (`{ X = ...`, `{ r with ...`)
    /// rather than a computation-expression body.
    fn brace_is_record(&self) -> bool {
        match self.nth(1) {
            TokenKind::RBrace => true,
            TokenKind::Ident(_) => matches!(
                self.nth(self.long_ident_end(1)),
                TokenKind::Equals | TokenKind::Keyword(Keyword::With)
            ),
            // `{ (acct.Deposit 50L) with Tags = [] }`: a copy of any expression.
            TokenKind::LParen => self
                .paren_end(1)
                .is_some_and(|n| *self.nth(n) == TokenKind::Keyword(Keyword::With)),
            _ => false,
        }
    }

    /// The offset after the `)` that closes the `(` at raw offset `n`, if any.
    fn paren_end(&self, mut n: usize) -> Option<usize> {
        let mut depth = 0usize;
        loop {
            match self.nth(n) {
                TokenKind::LParen => depth += 1,
                TokenKind::RParen => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(n + 1);
                    }
                }
                TokenKind::Eof => return None,
                _ => {}
            }
            n += 1;
        }
    }

    /// The offset after `Ident(.Ident)*` starting at raw offset `n` (an identifier).
    fn long_ident_end(&self, mut n: usize) -> usize {
        n += 1;
        while *self.nth(n) == TokenKind::Dot && matches!(self.nth(n + 1), TokenKind::Ident(_)) {
            n += 2;
        }
        n
    }

    /// `{ F = e; ... }` or `{ r with F = e }`.
    fn parse_record(&mut self) -> Expr {
        let start = self.span();
        let open = self.bump().span;
        let result = self.in_block(BlockKind::Bracket, false, |p| {
            let mut copy_from = None;
            let is_copy = match p.nth(0) {
                TokenKind::Ident(_) => {
                    *p.nth(p.long_ident_end(0)) == TokenKind::Keyword(Keyword::With)
                }
                TokenKind::LParen => p
                    .paren_end(0)
                    .is_some_and(|n| *p.nth(n) == TokenKind::Keyword(Keyword::With)),
                _ => false,
            };
            if is_copy {
                copy_from = Some(boxed(p.parse_postfix()));
                p.expect_kw(Keyword::With);
            }
            let fields = if matches!(p.cursor.raw().kind, TokenKind::RBrace) {
                Vec::new()
            } else {
                p.in_block(BlockKind::Bracket, false, |p| p.parse_record_fields())
                    .unwrap_or_default()
            };
            (copy_from, fields)
        });
        let (copy_from, fields) = result.unwrap_or_default();
        self.expect_closing(&TokenKind::RBrace, "`}`", open);
        if fields.is_empty() {
            self.error(
                Code::UnexpectedSyntax,
                self.since(start),
                "a record expression needs at least one field",
            );
        }
        self.mk(ExprKind::Record { copy_from, fields }, start)
    }

    fn parse_record_fields(&mut self) -> Vec<(Vec<Ident>, Expr)> {
        let mut fields = Vec::new();
        loop {
            self.accept_separator();
            if !matches!(self.peek(), TokenKind::Ident(_)) {
                if fields.is_empty()
                    || !matches!(
                        self.peek(),
                        TokenKind::RBrace | TokenKind::BlockEnd | TokenKind::Eof
                    )
                {
                    self.error_expected("a field name");
                }
                break;
            }
            let path = self.expect_long_ident("a field name");
            let value = if self.expect(&TokenKind::Equals, "`=`") {
                self.parse_expr()
            } else {
                self.error_expr(self.here())
            };
            fields.push((path, value));
            if !(self.eat(&TokenKind::Semi) || self.at_separator()) {
                break;
            }
        }
        fields
    }

    /// At `{` of `builder { ... }`: the body as a sequence block.
    fn parse_computation_body(&mut self) -> Expr {
        let start = self.span();
        let open = self.bump().span;
        let body = if self.cursor.raw().kind == TokenKind::RBrace {
            self.error_expected("an expression");
            None
        } else {
            self.in_block(BlockKind::Bracket, false, |p| p.parse_seq_expr())
        };
        self.expect_closing(&TokenKind::RBrace, "`}`", open);
        body.unwrap_or_else(|| self.error_expr(self.since(start)))
    }

    /// `if c then a [elif d then b]* [else e]`; `elif` nests in the else branch.
    /// `else if` on one line is `elif`, as in F#: the arms line up under the first
    /// `if`, so a later `else` belongs to the chain, not to the block of the inner
    /// `if`.
    fn parse_if(&mut self) -> Expr {
        let mut arms = Vec::new();
        loop {
            let start = self.span();
            self.bump();
            let cond = self.parse_expr();
            self.expect_kw(Keyword::Then);
            let then_branch = self.parse_block("`then`");
            arms.push((start, cond, then_branch));
            if self.at_else_if() {
                self.bump();
                continue;
            }
            if !self.at_kw(Keyword::Elif) {
                break;
            }
        }
        let else_branch = if self.eat_kw(Keyword::Else) {
            Some(boxed(self.parse_block("`else`")))
        } else {
            None
        };
        let end = self.prev_span();
        let mut nested = else_branch;
        while let Some((start, cond, then_branch)) = arms.pop() {
            let span = Span::new(self.file, start.start, end.end.max(start.start));
            let kind = ExprKind::If {
                cond: boxed(cond),
                then_branch: boxed(then_branch),
                else_branch: nested.take(),
            };
            nested = Some(boxed(Expr { kind, span }));
        }
        *nested.expect("at least one arm")
    }

    /// At `else` followed by `if` on the same line.
    fn at_else_if(&self) -> bool {
        if !self.at_kw(Keyword::Else) || *self.nth(1) != TokenKind::Keyword(Keyword::If) {
            return false;
        }
        let (else_end, if_start) = (self.span().end, self.cursor.raw_nth(1).span.start);
        self.text
            .get(else_end as usize..if_start as usize)
            .is_some_and(|between| !between.contains('\n'))
    }

    fn parse_match(&mut self) -> Expr {
        let start = self.span();
        let keyword = self.bump();
        let bang =
            (keyword.kind == TokenKind::Keyword(Keyword::MatchBang)).then_some(BangKind::Match);
        let scrutinee = self.parse_expr();
        self.expect_kw(Keyword::With);
        let rules = self.parse_rules();
        let matched = self.mk(
            ExprKind::Match {
                scrutinee: boxed(scrutinee),
                rules,
            },
            start,
        );
        self.bang(bang, matched, start)
    }

    /// `[|] pat [when guard] -> body | ...` (the rules form their own block, so a
    /// nested `match` keeps only the rules at or right of its first rule).
    pub(super) fn parse_rules(&mut self) -> Vec<MatchRule> {
        let rules = self.in_block(BlockKind::Seq, true, |p| {
            let mut rules = Vec::new();
            p.eat(&TokenKind::Bar);
            loop {
                let before = p.cursor.index();
                rules.push(p.parse_rule());
                if p.cursor.index() == before || !p.eat(&TokenKind::Bar) {
                    break;
                }
            }
            rules
        });
        rules.unwrap_or_else(|| {
            self.error_expected("a match rule `| pattern -> expression`");
            Vec::new()
        })
    }

    fn parse_rule(&mut self) -> MatchRule {
        let start = self.span();
        let pat = self.parse_pat();
        let guard = if self.eat_kw(Keyword::When) {
            Some(self.parse_expr())
        } else {
            None
        };
        let body = if self.expect(&TokenKind::Arrow, "`->`") {
            self.parse_block("`->`")
        } else {
            self.error_expr(self.here())
        };
        MatchRule {
            pat,
            guard,
            body,
            span: self.since(start),
        }
    }

    fn parse_lambda(&mut self) -> Expr {
        let start = self.span();
        self.bump();
        let mut params = Vec::new();
        while self.can_start_atomic_pat() {
            params.push(self.parse_atomic_pat());
        }
        if params.is_empty() {
            self.error_expected("a parameter pattern after `fun`");
        }
        let body = if self.expect(&TokenKind::Arrow, "`->`") {
            self.parse_block("`->`")
        } else {
            self.error_expr(self.here())
        };
        self.mk(
            ExprKind::Lambda {
                params,
                body: boxed(body),
            },
            start,
        )
    }

    fn parse_while(&mut self) -> Expr {
        let start = self.span();
        self.bump();
        let cond = self.parse_expr();
        let body = if self.expect_kw(Keyword::Do) {
            self.parse_block("`do`")
        } else {
            self.error_expr(self.here())
        };
        self.eat_kw(Keyword::Done);
        self.mk(
            ExprKind::While {
                cond: boxed(cond),
                body: boxed(body),
            },
            start,
        )
    }

    /// `for i = a to/downto b do body`, `for pat in source do body`, and in list and
    /// sequence expressions `for pat in source -> e` (sugar for `do yield e`).
    fn parse_for(&mut self) -> Expr {
        let start = self.span();
        self.bump();
        let pat = self.parse_pat();
        if self.eat(&TokenKind::Equals) {
            let var = match pat.kind {
                crate::ast::PatKind::Named(ident) => Some(ident),
                _ => {
                    self.error(
                        Code::UnexpectedSyntax,
                        pat.span,
                        "the variable of a `for ... to` loop must be a simple name",
                    );
                    None
                }
            };
            let from = self.parse_expr();
            let downward = if self.eat_kw(Keyword::Downto) {
                true
            } else {
                self.expect_kw(Keyword::To);
                false
            };
            let to = self.parse_expr();
            let body = if self.expect_kw(Keyword::Do) {
                self.parse_block("`do`")
            } else {
                self.error_expr(self.here())
            };
            self.eat_kw(Keyword::Done);
            let Some(var) = var else {
                return self.mk(ExprKind::Error, start);
            };
            return self.mk(
                ExprKind::ForTo {
                    var,
                    start: boxed(from),
                    end: boxed(to),
                    downward,
                    body: boxed(body),
                },
                start,
            );
        }
        self.expect_kw(Keyword::In);
        let source = self.parse_expr_or_range();
        let body = if self.eat_kw(Keyword::Do) {
            let body = self.parse_block("`do`");
            self.eat_kw(Keyword::Done);
            body
        } else if self.eat(&TokenKind::Arrow) {
            let arrow_start = self.span();
            let value = self.parse_block("`->`");
            self.mk(
                ExprKind::Yield {
                    is_bang: false,
                    expr: boxed(value),
                },
                arrow_start,
            )
        } else {
            self.error_expected("`do` or `->`");
            self.error_expr(self.here())
        };
        self.mk(
            ExprKind::ForIn {
                pat,
                source: boxed(source),
                body: boxed(body),
            },
            start,
        )
    }

    /// `try ... with rules` / `try ... finally ...`: parsed for recovery, unsupported.
    fn parse_try(&mut self) -> Expr {
        let start = self.span();
        let keyword = self.bump();
        self.parse_block("`try`");
        if self.eat_kw(Keyword::With) {
            self.parse_rules();
        } else if self.eat_kw(Keyword::Finally) {
            self.parse_block("`finally`");
        } else {
            self.error_expected("`with` or `finally`");
        }
        self.unsupported(
            keyword.span,
            "`try` (Clef has no exceptions: return a `Result` or an option and match on it; `failwith` ends the program with its message)",
        );
        self.mk(ExprKind::Error, start)
    }

    fn parse_interpolated(&mut self, pieces: Vec<InterpolatedPiece>, start: Span) -> Expr {
        let mut parts = Vec::new();
        for piece in pieces {
            match piece {
                InterpolatedPiece::Text(text) => parts.push(InterpolatedPart::Text(text)),
                InterpolatedPiece::Hole { start, end, format } => {
                    let expr = self.parse_hole(start, end);
                    parts.push(InterpolatedPart::Hole { expr, format });
                }
            }
        }
        self.mk(ExprKind::Interpolated(parts), start)
    }

    /// Lexes and parses the hole `text[start..end]` of an interpolated string in place.
    fn parse_hole(&mut self, start: u32, end: u32) -> Expr {
        let span = Span::new(self.file, start, end.max(start));
        if self.hole_depth >= 4 {
            self.error(
                Code::UnexpectedSyntax,
                span,
                "interpolated strings are nested too deeply",
            );
            return self.error_expr(span);
        }
        let (tokens, diagnostics) = lex_range(self.file, self.text, start as usize, end as usize);
        for diagnostic in diagnostics {
            self.report(diagnostic);
        }
        if tokens.len() <= 1 {
            self.error(
                Code::UnexpectedSyntax,
                span,
                "an interpolation hole `{}` needs an expression",
            );
            return self.error_expr(span);
        }
        // The hole's tokens end with an end-of-input token.
        let code = &tokens[..tokens.len() - 1];
        let parens = match (code.first(), code.last()) {
            (Some(open), Some(close))
                if open.kind == TokenKind::LParen && close.kind == TokenKind::RParen =>
            {
                Some((open.span.start, close.span.end))
            }
            _ => None,
        };
        let mut sub = Parser::new(self.file, self.text, tokens, &mut *self.interner);
        sub.hole_depth = self.hole_depth + 1;
        sub.depth = self.depth;
        let expr = sub.in_block(BlockKind::Bracket, false, |p| p.parse_seq_expr());
        if !sub.cursor.is_eof() {
            sub.error_expected("`}` after the interpolated expression");
        }
        let mut expr = expr.unwrap_or_else(|| sub.error_expr(span));
        for diagnostic in sub.into_diagnostics() {
            self.report(diagnostic);
        }
        // `{(1, 2)}` is a tuple value, `{x, 5}` a value with an alignment: the checker
        // tells them apart by whether the tuple's span ends with its last item, so a
        // parenthesised tuple's span takes in its parentheses.
        if let (ExprKind::Tuple(items), Some((open, close))) = (&expr.kind, parens) {
            let inside = items.first().is_some_and(|i| i.span.start > open)
                && items.last().is_some_and(|i| i.span.end < close);
            if inside {
                expr.span = Span::new(self.file, open, close);
            }
        }
        expr
    }
}
